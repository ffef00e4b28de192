// SPDX-License-Identifier: MIT
/*
 * Fuzz the TDISP decoders (messages and TDI report) and the TDI state
 * machine (PCIe r6.2 §11). The input is a sequence of records
 * [len:2 LE][bytes:len]; each record goes to the decoders and, in order,
 * to one fresh responder with a fixed nonce (so LOCK → START sequences
 * are reachable from a corpus). Every request must get exactly one
 * response, and that response must decode; a decoded message must
 * re-encode to the same length.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "proto/tdisp/tdisp.h"
#include "fuzz.h"

static const uint8_t fixed_nonce[TDISP_NONCE_SIZE] = { 0xa5 };

static int report(void *ctx, uint32_t fid, const struct tdisp_lock_params *lock, uint8_t *buf,
		  size_t cap)
{
	const struct tdisp_mmio_range ranges[2] = {
		{ .first_page = (0xfe000000ull + lock->mmio_reporting_offset) >> 12,
		  .num_pages = 4, .range_id = 0 },
		{ .first_page = 0x1000, .num_pages = 1, .attributes = TDISP_RANGE_MSIX_TABLE,
		  .range_id = 2 },
	};
	struct tdisp_report rp = { .interface_info = TDISP_INFO_DMA_NO_PASID, .nranges = 2,
				   .ranges = ranges };

	return tdisp_report_encode(&rp, buf, cap);
}

static const struct tdisp_responder_ops ops = { .report = report };

static void check_decode(const uint8_t *m, size_t n)
{
	struct tdisp_mmio_range ranges[4];
	struct tdisp_report rp;
	struct tdisp_msg d, d2;
	uint8_t b[PCISIG_VDM_MAX + 64];
	int len;

	if (!tdisp_decode(m, n, &d)) {
		len = tdisp_encode(&d, b, sizeof(b));
		if (len != (int)n || tdisp_decode(b, (size_t)len, &d2) || d2.type != d.type)
			abort();
	}
	(void)tdisp_report_decode(m, n, &rp, ranges, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t fids[] = { TDISP_FUNC_ID(0x0100, 0, false),
					 TDISP_FUNC_ID(0x0101, 0, false) };
	struct tdisp_responder_cfg cfg = {
		.function_ids = fids, .ntdi = 2, .max_portion = 16, .ops = &ops,
		.fixed_nonce = fixed_nonce,
		.caps = { .lock_flags_supported = TDISP_LOCK_NO_FW_UPDATE | TDISP_LOCK_MSIX },
	};
	static uint8_t out[PCISIG_VDM_MAX + 64];
	struct tdisp_responder *r;
	struct tdisp_msg a;
	size_t off = 0, n;
	int rc;

	r = tdisp_responder_new(&cfg);
	if (IS_ERR(r))
		abort();
	while (off + 2 <= size) {
		n = (size_t)data[off] | (size_t)data[off + 1] << 8;
		off += 2;
		if (n > size - off)
			n = size - off;
		check_decode(data + off, n);
		rc = tdisp_responder_handle(r, data + off, n, out, sizeof(out));
		if (rc <= 0 || rc > (int)sizeof(out) || tdisp_decode(out, (size_t)rc, &a))
			abort();
		/* A one-byte record with bit 7 set stands for a forbidden
		 * config change hitting the first TDI. */
		if (n == 1 && (data[off] & 0x80))
			tdisp_responder_tdi_error(r, fids[0]);
		off += n;
	}
	tdisp_responder_free(r);
	return 0;
}
