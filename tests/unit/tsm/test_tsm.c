// SPDX-License-Identifier: MIT
/*
 * kernel/pci/tsm.c end to end on the default platform: CMA-SPDM over the
 * real DOE mailbox of cxl0 (06:00.0), a secure session, IDE_KM keys for a
 * Selective IDE stream enabled in config space, and TDISP LOCK → report →
 * START; the configuration lock (PCIe r6.2 §11.2.3) seen through real
 * config writes; and the failure paths.
 */
#include "test.h"

#include <stdio.h>

#include "base/fault.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/platform/desc.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "kernel/pci/tsm.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct pci_dev *dev;		/* the function with an IDE capability */
	struct pci_dev *plain;		/* a function without one */
	struct hw_pcidev *hwdev;	/* dev, hw side (observers only) */
	X509_STORE *trust;
};

static struct world W;

static int world_setup(void **state)
{
	char err[256] = "";
	struct pci_dev *d;
	size_t len;
	char *pem;

	W.desc = hw_desc_default(err, sizeof(err));
	if (IS_ERR(W.desc))
		return -1;
	W.hw = hw_platform_create(W.desc, err, sizeof(err));
	if (IS_ERR(W.hw))
		return -1;
	W.pci = pci_subsys_create(W.hw);
	if (IS_ERR(W.pci))
		return -1;
	pci_for_each_dev(W.pci, d) {
		if (!W.dev && pci_find_ext_capability(d, PCI_EXT_CAP_ID_IDE))
			W.dev = d;
		else if (!W.plain && d->hdr_type == PCI_HEADER_TYPE_NORMAL &&
			 !pci_find_ext_capability(d, PCI_EXT_CAP_ID_IDE))
			W.plain = d;
	}
	if (!W.dev || !W.plain)
		return -1;
	W.hwdev = hw_platform_cfg_target(W.hw, pci_domain_nr(W.dev->bus), W.dev->bus->number,
					  W.dev->devfn);
	if (!W.hwdev || hw_platform_root_ca_pem(W.hw, &pem, &len))
		return -1;
	W.trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	return IS_ERR(W.trust) ? -1 : 0;
}

static int world_teardown(void **state)
{
	if (!IS_ERR_OR_NULL(W.trust))
		X509_STORE_free(W.trust);
	if (!IS_ERR_OR_NULL(W.pci))
		pci_subsys_destroy(W.pci);
	if (!IS_ERR_OR_NULL(W.hw))
		hw_platform_destroy(W.hw);
	if (!IS_ERR_OR_NULL(W.desc))
		hw_desc_free(W.desc);
	return 0;
}

static uint32_t sel_sts(const struct pci_tsm_result *r)
{
	uint32_t v = 0;

	assert_ok(pci_read_config_dword(W.dev, r->sel_block + PCI_IDE_SEL_STS, &v));
	return v & PCI_IDE_STREAM_STS_STATE;
}

static void test_tsm_flow(void **state)
{
	struct pci_tsm_result *r = calloc(1, sizeof(*r));
	struct pci_tsm_stop_result sr;
	struct pci_tsm *t;
	unsigned int i, bar;
	uint32_t lo, hi;
	uint8_t st;

	assert_non_null(r);
	assert_ok(pci_tsm_connect(W.dev, W.trust, 3, r, &t));
	assert_non_null(t);
	assert_null(r->step);
	assert_int_equal(r->cma.status, PCI_CMA_AUTHENTICATED);
	assert_true(r->session);
	assert_true(r->ide_cap_reg & PCI_IDE_CAP_IDE_KM);
	assert_int_equal(r->stream_id, 3);
	/* Six keys: both directions of PR, NPR and CPL. */
	assert_int_equal(r->keys_programmed, PCI_TSM_NR_KEYS);
	assert_int_equal(r->keys_started, PCI_TSM_NR_KEYS);
	for (i = 0; i < PCI_TSM_NR_KEYS; i++)
		assert_int_equal(r->key_ks[i], ide_km_ks(i & 1, i / 2, 0));
	/* Secure in config space and in the device's engine. */
	assert_int_equal(r->stream_state, PCI_IDE_STATE_SECURE);
	assert_int_equal(sel_sts(r), PCI_IDE_STATE_SECURE);
	assert_int_equal(hw_spdm_ide_stream_state(W.hw, W.hwdev, 3), PCI_IDE_STATE_SECURE);
	/* TDI: UNLOCKED → LOCKED → RUN. */
	assert_int_equal(r->tdisp_version, TDISP_VERSION_10);
	assert_int_equal(r->nr_states, 3);
	assert_int_equal(r->states[0], TDISP_STATE_CONFIG_UNLOCKED);
	assert_int_equal(r->states[1], TDISP_STATE_CONFIG_LOCKED);
	assert_int_equal(r->states[2], TDISP_STATE_RUN);
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_RUN);
	assert_int_equal(r->function_id,
			 (uint32_t)(W.dev->bus->number << 8 | W.dev->devfn));
	/* The report lists the memory BARs, at their real addresses. */
	assert_int_equal(r->nr_ranges, 2);
	for (i = 0; i < r->nr_ranges; i++) {
		bar = r->ranges[i].range_id;
		assert_ok(pci_read_config_dword(W.dev, PCI_BASE_ADDRESS_0 + 4 * (int)bar, &lo));
		assert_ok(pci_read_config_dword(W.dev, PCI_BASE_ADDRESS_0 + 4 * (int)bar + 4, &hi));
		assert_int_equal(r->ranges[i].first_page,
				 ((uint64_t)hi << 32 | (lo & ~0xfu)) >> 12);
		assert_int_equal(r->ranges[i].num_pages, 16);	/* 64K */
	}
	assert_int_equal(r->ranges[0].range_id, 0);
	assert_int_equal(r->ranges[1].range_id, 2);
	assert_ok(pci_tsm_tdi_state(t, &st));
	assert_int_equal(st, TDISP_STATE_RUN);

	assert_ok(pci_tsm_stop(t, &sr));
	assert_int_equal(sr.tdi_state, TDISP_STATE_CONFIG_UNLOCKED);
	assert_int_equal(sr.keys_stopped, PCI_TSM_NR_KEYS);
	assert_int_equal(sr.stream_state, PCI_IDE_STATE_INSECURE);
	assert_int_equal(sel_sts(r), PCI_IDE_STATE_INSECURE);
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_CONFIG_UNLOCKED);
	/* And again: the device can be brought up a second time. */
	assert_ok(pci_tsm_connect(W.dev, W.trust, 5, r, &t));
	assert_int_equal(sel_sts(r), PCI_IDE_STATE_SECURE);
	assert_ok(pci_tsm_stop(t, &sr));
	free(r);
}

/* A locked TDI goes to ERROR when the host touches a protected register
 * through config space; open registers (Status) leave it alone. */
static void test_tsm_config_lock(void **state)
{
	struct pci_tsm_result *r = calloc(1, sizeof(*r));
	struct pci_tsm_stop_result sr;
	struct pci_tsm *t;
	uint16_t cmd;
	uint8_t st;

	assert_non_null(r);
	assert_ok(pci_tsm_connect(W.dev, W.trust, 1, r, &t));
	assert_ok(pci_write_config_word(W.dev, PCI_STATUS, 0));
	assert_ok(pci_tsm_tdi_state(t, &st));
	assert_int_equal(st, TDISP_STATE_RUN);
	/* Command: rewritten with its own value; touching is changing. */
	assert_ok(pci_read_config_word(W.dev, PCI_COMMAND, &cmd));
	assert_ok(pci_write_config_word(W.dev, PCI_COMMAND, cmd));
	assert_ok(pci_tsm_tdi_state(t, &st));
	assert_int_equal(st, TDISP_STATE_ERROR);
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_ERROR);
	/* STOP recovers it. */
	assert_ok(pci_tsm_stop(t, &sr));
	assert_int_equal(sr.tdi_state, TDISP_STATE_CONFIG_UNLOCKED);

	/* A BAR write under a running TDI. */
	assert_ok(pci_tsm_connect(W.dev, W.trust, 1, r, &t));
	assert_ok(pci_read_config_word(W.dev, PCI_COMMAND, &cmd));
	assert_ok(pci_write_config_dword(W.dev, PCI_BASE_ADDRESS_2, r->ranges[1].first_page << 12));
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_ERROR);
	assert_ok(pci_tsm_stop(t, &sr));
	free(r);
}

static void test_tsm_bad_cases(void **state)
{
	struct pci_tsm_result *r = calloc(1, sizeof(*r)), *r2 = calloc(1, sizeof(*r2));
	time_t now = time(NULL);
	struct spdm_cert_set *cs;
	struct pci_tsm_stop_result sr;
	struct pci_tsm *t, *t2;
	X509_STORE *other;

	assert_non_null(r);
	assert_non_null(r2);
	/* No IDE capability. */
	assert_int_equal(pci_tsm_connect(W.plain, W.trust, 1, r, &t), -ENODEV);
	assert_null(t);
	assert_string_equal(r->step, "IDE capability");
	assert_int_equal(hw_spdm_tdisp_state(W.hw, hw_platform_cfg_target(W.hw, 0,
			 W.plain->bus->number, W.plain->devfn)), -ENODEV);
	/* An untrusted root: nothing past authentication happens. */
	cs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "other", now - 60, now + 3600);
	assert_false(IS_ERR(cs));
	other = spdm_trust_store_new(cs->root);
	assert_non_null(other);
	assert_int_equal(pci_tsm_connect(W.dev, other, 1, r, &t), -EKEYREJECTED);
	assert_null(t);
	assert_string_equal(r->step, "CMA-SPDM authentication");
	assert_false(r->session);
	assert_int_equal(r->keys_programmed, 0);
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_CONFIG_UNLOCKED);
	X509_STORE_free(other);
	spdm_cert_set_free(cs);
	/* A second TSM while the TDI runs: its IDE register writes hit the
	 * lock (the IDE capability is protected), so the TDI is in ERROR
	 * and the second bring-up is refused. */
	assert_ok(pci_tsm_connect(W.dev, W.trust, 2, r, &t));
	assert_int_equal(pci_tsm_connect(W.dev, W.trust, 2, r2, &t2), -EPROTO);
	assert_null(t2);
	assert_string_equal(r2->step, "TDISP GET_DEVICE_INTERFACE_STATE");
	assert_int_equal(r2->nr_states, 1);
	assert_int_equal(r2->states[0], TDISP_STATE_ERROR);
	assert_non_null(strstr(r2->reason, "ERROR"));
	/* The failed attempt tore down its keys and the stream. */
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_CONFIG_UNLOCKED);
	assert_int_equal(sel_sts(r), PCI_IDE_STATE_INSECURE);
	/* The second requester's GET_VERSION reset the SPDM connection
	 * (DSP0274 §10.3), so the first TSM's session is gone: its teardown
	 * reports the SPDM ERROR but still frees everything. */
	assert_int_equal(pci_tsm_stop(t, &sr), -EREMOTEIO);
	assert_int_equal(sr.keys_stopped, 0);
	assert_int_equal(pci_tsm_stop(NULL, &sr), 0);
	free(r);
	free(r2);
}

/*
 * Fault injection across the kernel side and the device firmware: each of
 * the failure points of a bring-up (about 330) fails once in turn. Each
 * attempt either succeeds or fails cleanly with no connection handed out;
 * whatever it left behind, the next clean run recovers; ASan checks that
 * nothing leaks.
 */
static void test_tsm_fault_injection(void **state)
{
	struct pci_tsm_result *r = calloc(1, sizeof(*r));
	struct pci_tsm_stop_result sr;
	unsigned long n, total, failed = 0;
	struct pci_tsm *t;
	int rc;

	assert_non_null(r);
	fault_inject_nth(~0ul);		/* count, never fail */
	assert_ok(pci_tsm_connect(W.dev, W.trust, 1, r, &t));
	total = fault_calls();
	fault_inject_nth(0);
	assert_ok(pci_tsm_stop(t, &sr));
	assert_true(total > 10);
	for (n = 1; n <= total; n++) {
		fault_inject_nth(n);
		rc = pci_tsm_connect(W.dev, W.trust, 1, r, &t);
		fault_inject_nth(0);
		if (rc) {
			assert_null(t);
			assert_non_null(r->step);
			failed++;
			continue;
		}
		/* The fault hit a path that recovers (or nothing that matters). */
		assert_ok(pci_tsm_stop(t, &sr));
	}
	assert_true(failed > 0);
	/* A failed attempt may leave the TDI wherever the fault stopped its
	 * teardown; a TSM recovers it with STOP before bringing it up. */
	rc = pci_tsm_connect(W.dev, W.trust, 1, r, &t);
	if (rc) {
		assert_int_equal(rc, -EPROTO);
		assert_ok(pci_tsm_connect(W.dev, W.trust, 1, r, &t));
	}
	assert_int_equal(hw_spdm_tdisp_state(W.hw, W.hwdev), TDISP_STATE_RUN);
	assert_ok(pci_tsm_stop(t, &sr));
	free(r);
}

/* The platform file's `ide` capability type and its checks. */
static void test_tsm_platform_ide_key(void **state)
{
	static const char head[] =
		"host-bridges:\n"
		"  - mmio: { base: 0xc0000000, size: 256M }\n"
		"    devices:\n"
		"      - address: 01.0\n"
		"        kind: root-port\n"
		"        children:\n"
		"          - address: 00.0\n"
		"            kind: endpoint\n"
		"            vendor: 0x1b36\n"
		"            device: 1\n"
		"            class: 0x120000\n"
		"            capabilities:\n"
		"              - type: express\n"
		"              - type: ide\n";
	static const struct {
		const char *body, *why;
	} bad[] = {
		{ "                ide-km: true\n", "IDE needs" },
		{ "                selective-streams: 1\n                link-tcs: 2\n",
		  "link-tcs needs" },
		{ "                link: true\n                addr-assoc: 2\n",
		  "addr-assoc needs" },
		{ "                selective-streams: 257\n", "257 out of range" },
	};
	struct hw_desc_platform *p;
	struct hw_platform *hw;
	char text[1024], err[256];
	unsigned int i;
	uint16_t ide;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, bad[i].body);
		err[0] = '\0';
		p = hw_desc_parse_string("t.yaml", text, strlen(text), err, sizeof(err));
		assert_true(IS_ERR(p));
		if (!strstr(err, bad[i].why))
			fail_msg("case %u: %s", i, err);
	}
	snprintf(text, sizeof(text), "%s%s", head,
		 "                link: true\n                selective-streams: 2\n"
		 "                addr-assoc: 1\n                ide-km: true\n");
	p = hw_desc_parse_string("t.yaml", text, strlen(text), err, sizeof(err));
	assert_false(IS_ERR(p));
	hw = hw_platform_create(p, err, sizeof(err));
	assert_false(IS_ERR(hw));
	/* The capability is really there, with what the file asked for. */
	ide = 0;
	{
		struct pci_subsys *pci = pci_subsys_create(hw);
		struct pci_dev *d;
		uint32_t v = 0;

		assert_false(IS_ERR(pci));
		pci_for_each_dev(pci, d)
			if ((ide = pci_find_ext_capability(d, PCI_EXT_CAP_ID_IDE)))
				break;
		assert_int_not_equal(ide, 0);
		assert_ok(pci_read_config_dword(d, ide + PCI_IDE_CAP, &v));
		assert_int_equal(v & (PCI_IDE_CAP_LINK | PCI_IDE_CAP_SELECTIVE | PCI_IDE_CAP_IDE_KM),
				 PCI_IDE_CAP_LINK | PCI_IDE_CAP_SELECTIVE | PCI_IDE_CAP_IDE_KM);
		assert_int_equal((v & PCI_IDE_CAP_SEL_NUM_MASK) >> PCI_IDE_CAP_SEL_NUM_SHIFT, 1);
		pci_subsys_destroy(pci);
	}
	hw_platform_destroy(hw);
	hw_desc_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsm_flow),
		cmocka_unit_test(test_tsm_config_lock),
		cmocka_unit_test(test_tsm_bad_cases),
		cmocka_unit_test(test_tsm_fault_injection),
		cmocka_unit_test(test_tsm_platform_ide_key),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
