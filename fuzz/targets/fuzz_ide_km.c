// SPDX-License-Identifier: MIT
/*
 * Fuzz the IDE_KM decoder and responder (PCIe r6.2 §6.33.3) and the SPDM
 * VENDOR_DEFINED decoders. The input is a sequence of records
 * [len:2 LE][bytes:len]; each record goes to every decoder and, in order,
 * to one responder backed by a real IDE engine on a function with an IDE
 * capability, so KEY_PROG → K_SET_GO → K_SET_STOP sequences reach the
 * engine. Anything decoded must re-encode to a message of the same length
 * that decodes again; every response must itself decode.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pcidev.h"
#include "hw/security/ide_engine.h"
#include "proto/ide_km/ide_km.h"
#include "proto/spdm/spdm_vendor.h"
#include "fuzz.h"

static void check_decode(const uint8_t *m, size_t n)
{
	struct ide_km_msg d, d2;
	struct spdm_vendor_msg v;
	uint8_t b[PCISIG_VDM_MAX + 64];
	int len;

	if (!ide_km_decode(m, n, &d)) {
		len = ide_km_encode(&d, b, sizeof(b));
		if (len != (int)n || ide_km_decode(b, (size_t)len, &d2) ||
		    d2.object_id != d.object_id || d2.stream_id != d.stream_id)
			abort();
	}
	(void)ide_km_check_regs(m, n);
	(void)spdm_decode_vendor_req(0x12, m, n, &v);
	(void)spdm_decode_vendor_rsp(0x13, m, n, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_cap_ide_cfg icfg = { .link = true, .link_tcs = 1, .sel_streams = 2,
				       .addr_assoc = 1, .ide_km = true };
	struct hw_pcidev *dev;
	struct hw_ide_engine *eng;
	struct ide_km_responder *r;
	struct ide_km_msg a;
	static uint8_t out[PCISIG_VDM_MAX + 64];
	size_t off = 0, n;
	int rc;

	dev = calloc(1, sizeof(*dev));
	if (!dev || hw_pcidev_init(dev, PCI_HEADER_TYPE_NORMAL, NULL, "fuzz") ||
	    hw_cap_add_ide(dev, &icfg) < 0 || hw_pcidev_realize(dev))
		abort();
	eng = hw_ide_engine_new(dev, NULL);
	if (IS_ERR(eng))
		abort();
	r = ide_km_responder_new(&(struct ide_km_responder_cfg){
		.max_port_index = 1, .max_streams = 2, .ops = &hw_ide_engine_km_ops, .ctx = eng });
	if (IS_ERR(r))
		abort();
	while (off + 2 <= size) {
		n = (size_t)data[off] | (size_t)data[off + 1] << 8;
		off += 2;
		if (n > size - off)
			n = size - off;
		check_decode(data + off, n);
		rc = ide_km_responder_handle(r, data + off, n, out, sizeof(out));
		if (rc > (int)sizeof(out) || (rc >= 0 && ide_km_decode(out, (size_t)rc, &a)))
			abort();
		off += n;
	}
	ide_km_responder_free(r);
	hw_ide_engine_free(eng);
	hw_pcidev_destroy(dev);
	free(dev);
	return 0;
}
