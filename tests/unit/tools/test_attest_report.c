// SPDX-License-Identifier: MIT
/*
 * pcilab attest's report: a DMTF measurement block whose
 * DMTFSpecMeasurementValueType has bit 7 set carries a raw bit stream,
 * not a digest (DSP0274 §10.11.1.1 Table 55), and the text and --json
 * reports must say so (they used to call every value a digest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm_wire.h"
#include "../../../tools/pcilab/attest.h"

struct report {
	struct pci_dev dev;
	struct pci_cma_result res;
};

/* Three blocks: a SHA-256 digest of mutable firmware (type 1), a 4-byte
 * raw firmware version (type 6 | bit 7), and a 100-byte raw hardware
 * configuration (type 2 | bit 7) of which the kernel side kept 64. */
static struct report *report_new(void)
{
	struct report *r = calloc(1, sizeof(*r));
	struct pci_cma_meas *m;
	unsigned int i;

	assert_non_null(r);
	snprintf(r->dev.name, sizeof(r->dev.name), "0000:01:00.0");
	r->dev.vendor = 0x1234;
	r->dev.device = 0x5678;
	r->res.status = PCI_CMA_AUTHENTICATED;
	r->res.version = SPDM_VERSION_13;
	r->res.asym = SPDM_ASYM_ECDSA_P384;
	r->res.hash = SPDM_HASH_SHA384;
	r->res.nr_meas = 3;
	m = &r->res.meas[0];
	*m = (struct pci_cma_meas){ .index = 1, .spec = 1, .type = SPDM_DMTF_MEAS_MUTABLE_FW,
				    .value_size = 32, .size = 32 };
	for (i = 0; i < 32; i++)
		m->value[i] = 0xa0;
	m = &r->res.meas[1];
	*m = (struct pci_cma_meas){ .index = 2, .spec = 1,
				    .type = SPDM_DMTF_MEAS_RAW | SPDM_DMTF_MEAS_VERSION,
				    .value_size = 4, .size = 4, .value = { 'v', '1', '.', '2' } };
	m = &r->res.meas[2];
	*m = (struct pci_cma_meas){ .index = 3, .spec = 1,
				    .type = SPDM_DMTF_MEAS_RAW | SPDM_DMTF_MEAS_HW_CONFIG,
				    .value_size = 100, .size = PCI_CMA_MAX_DIGEST };
	memset(m->value, 0x11, sizeof(m->value));
	return r;
}

static char *capture(const struct report *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		attest_report_json(f, &r->dev, &r->res, true);
	else
		attest_report_text(f, &r->dev, &r->res);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_text_raw_vs_digest(void **state)
{
	struct report *r = report_new();
	char *out = capture(r, false);
	char dig[128];

	snprintf(dig, sizeof(dig), "type 1 (mutable firmware), digest %.64s\n",
		 "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
	assert_non_null(strstr(out, dig));
	/* Bit 7 is the form, not part of the type number. */
	assert_non_null(strstr(out, "measurement 2   type 6 (firmware version), raw 4 byte(s) "
				    "76312e32\n"));
	assert_non_null(strstr(out, "measurement 3   type 2 (hardware configuration), raw 100 "
				    "byte(s) 1111"));
	assert_non_null(strstr(out, "... (first 64 shown)\n"));
	assert_null(strstr(out, "type 134"));
	assert_null(strstr(out, "(firmware version), digest"));
	free(out);
	free(r);
}

static void test_json_raw_vs_digest(void **state)
{
	struct report *r = report_new();
	char *out = capture(r, true);

	assert_non_null(strstr(out, "{\"index\":1,\"type\":1,\"form\":\"digest\",\"digest\":\"a0a0"));
	assert_non_null(strstr(out, "{\"index\":2,\"type\":6,\"form\":\"raw\",\"size\":4,"
				    "\"truncated\":false,\"raw\":\"76312e32\"}"));
	assert_non_null(strstr(out, "{\"index\":3,\"type\":2,\"form\":\"raw\",\"size\":100,"
				    "\"truncated\":true,\"raw\":\"1111"));
	free(out);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_raw_vs_digest),
		cmocka_unit_test(test_json_raw_vs_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
