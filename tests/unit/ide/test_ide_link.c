// SPDX-License-Identifier: MIT
/*
 * IDE on the link (hw/security/ide_link.c) on the default platform: the
 * kernel TSM brings a Selective IDE stream up on cxl0 (06:00.0), then
 * MMIO to its BARs and its DMA cross the link as AES-256-GCM TLPs; the
 * trace shows ciphertext, a flipped byte or a replayed TLP is discarded,
 * the receiving end goes Insecure and AER IDE Check Failed is set
 * (PCIe r6.2 §6.33.4-§6.33.6).
 */
#include "test.h"

#include <string.h>

#include "base/fault.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/platform/desc.h"
#include "hw/security/ide_engine.h"
#include "hw/security/ide_link.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "kernel/pci/tsm.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"

struct seen {
	bool down;
	uint8_t prefix[HW_IDE_PREFIX_SIZE];
	uint8_t hdr0;
	size_t len;
	uint8_t data[HW_IDE_LINK_MPS];
};

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct pci_dev *dev;
	struct hw_pcidev *hwdev;
	X509_STORE *trust;
	uint64_t bar;			/* BAR 2 address */
	struct pci_tsm *tsm;
	struct pci_tsm_result r;
	unsigned int nseen;
	struct seen seen[64];
};

static struct world W;

static void trace(void *arg, struct hw_pcidev *dev, bool downstream,
		  const struct hw_ide_tlp *tlp)
{
	struct world *w = arg;
	struct seen *s;

	if (dev != w->hwdev || w->nseen >= 64)
		return;
	s = &w->seen[w->nseen++];
	s->down = downstream;
	memcpy(s->prefix, tlp->prefix, sizeof(s->prefix));
	s->hdr0 = tlp->hdr[0];
	s->len = tlp->len;
	if (tlp->len)
		memcpy(s->data, tlp->data, tlp->len);
}

static int world_setup(void **state)
{
	char err[256] = "";
	struct pci_dev *d;
	uint16_t cmd;
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
	pci_for_each_dev(W.pci, d)
		if (!W.dev && pci_find_ext_capability(d, PCI_EXT_CAP_ID_IDE))
			W.dev = d;
	if (!W.dev)
		return -1;
	W.hwdev = hw_platform_cfg_target(W.hw, pci_domain_nr(W.dev->bus), W.dev->bus->number,
					  W.dev->devfn);
	if (!W.hwdev || !hw_pcidev_bar_addr(W.hwdev, 2, &W.bar) ||
	    hw_platform_root_ca_pem(W.hw, &pem, &len))
		return -1;
	W.trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	if (IS_ERR(W.trust))
		return -1;
	/* Memory decode and bus mastering before the TDI locks Command. */
	if (pci_read_config_word(W.dev, PCI_COMMAND, &cmd) ||
	    pci_write_config_word(W.dev, PCI_COMMAND,
				  cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
		return -1;
	return hw_ide_link_set_trace(W.hw, trace, &W) ? -1 : 0;
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

static uint16_t aer_of(struct hw_pcidev *d)
{
	uint16_t aer = hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_ERR);

	assert_int_not_equal(aer, 0);
	return aer;
}

/* AER IDE Check Failed of a function; clear: reset it in the register
 * file (hw/pcidev/cap_aer.c does not make the bit RW1C yet). */
static bool ide_check_failed(struct hw_pcidev *d, bool clear)
{
	uint16_t aer = aer_of(d);
	uint32_t v = hw_pcidev_get32(d, aer + PCI_ERR_UNCOR_STATUS);

	if (clear)
		hw_pcidev_set32(d, aer + PCI_ERR_UNCOR_STATUS, v & ~PCI_ERR_UNC_IDE_CHECK);
	return v & PCI_ERR_UNC_IDE_CHECK;
}

static struct hw_pcidev *root_port(void)
{
	assert_non_null(W.hwdev->bus->bridge);
	return W.hwdev->bus->bridge;
}

static uint32_t sel_sts(void)
{
	uint32_t v = 0;

	assert_ok(pci_read_config_dword(W.dev, W.r.sel_block + PCI_IDE_SEL_STS, &v));
	return v & PCI_IDE_STREAM_STS_STATE;
}

static void up(uint8_t sid)
{
	memset(&W.r, 0, sizeof(W.r));
	assert_ok(pci_tsm_connect(W.dev, W.trust, sid, &W.r, &W.tsm));
	assert_int_equal(sel_sts(), PCI_IDE_STATE_SECURE);
	assert_int_equal(hw_ide_link_stream(W.hwdev), sid);
	ide_check_failed(W.hwdev, true);
	ide_check_failed(root_port(), true);
	W.nseen = 0;
}

static void down(void)
{
	struct pci_tsm_stop_result sr;

	assert_ok(pci_tsm_stop(W.tsm, &sr));
	assert_int_equal(hw_ide_link_stream(W.hwdev), -ENOENT);
	W.nseen = 0;
}

static uint64_t rd64(uint64_t addr)
{
	uint64_t v = 0;

	assert_ok(hw_mmio_read(W.hw, addr, &v, 8));
	return v;
}

static void wr64(uint64_t addr, uint64_t v)
{
	assert_ok(hw_mmio_write(W.hw, addr, &v, 8));
}

/* MMIO through a Secure stream: right data, ciphertext on the link. */
static void test_link_mmio(void **state)
{
	const uint64_t val = 0x1122334455667788ull;
	uint64_t addr = W.bar + 0x100;
	int err = -1;

	/* In the clear first: no TLP on the trace. */
	wr64(addr, 0);
	assert_int_equal(W.nseen, 0);
	up(2);
	wr64(addr, val);
	assert_int_equal(rd64(addr), val);
	assert_int_equal(rd64(addr), val);
	/* Write (PR) down; then per read: request (NPR) down, CplD up. */
	assert_int_equal(W.nseen, 5);
	assert_true(W.seen[0].down);
	assert_int_equal(W.seen[0].prefix[0], HW_IDE_PREFIX_TYPE);
	assert_int_equal(W.seen[0].prefix[2], IDE_KM_SUB_PR);
	assert_int_equal(W.seen[0].prefix[3], 2);
	assert_int_equal(W.seen[0].len, 8);
	assert_memory_not_equal(W.seen[0].data, &val, 8);
	assert_true(W.seen[1].down);
	assert_int_equal(W.seen[1].prefix[2], IDE_KM_SUB_NPR);
	assert_int_equal(W.seen[1].len, 0);
	assert_false(W.seen[2].down);
	assert_int_equal(W.seen[2].prefix[2], IDE_KM_SUB_CPL);
	assert_int_equal(W.seen[2].hdr0, 0x4a);
	assert_int_equal(W.seen[2].len, 8);
	assert_memory_not_equal(W.seen[2].data, &val, 8);
	/* Same plaintext, fresh IV: the two completions differ on the wire. */
	assert_memory_not_equal(W.seen[2].data, W.seen[4].data, 8);
	assert_memory_not_equal(W.seen[2].data, W.seen[0].data, 8);
	assert_int_equal(sel_sts(), PCI_IDE_STATE_SECURE);
	assert_int_equal(hw_ide_link_host_state(W.hw, W.hwdev, &err), PCI_IDE_STATE_SECURE);
	assert_int_equal(err, 0);
	assert_false(ide_check_failed(W.hwdev, false));
	down();
	/* The device really holds the plaintext. */
	assert_int_equal(rd64(addr), val);
	assert_int_equal(W.nseen, 0);
}

/* A byte flipped in a write's ciphertext: the device discards it. */
static void test_link_tamper_write(void **state)
{
	uint64_t addr = W.bar + 0x108;
	struct hw_ide_engine *e;

	wr64(addr, 0xaaaa);
	up(3);
	assert_ok(hw_ide_link_inject(W.hw, HW_IDE_LINK_FAULT_FLIP, true,
				     HW_IDE_PREFIX_SIZE + 16 + 3));
	wr64(addr, 0xbbbb);
	assert_int_equal(W.nseen, 1);
	/* Receiver (the device): Insecure, AER IDE Check Failed. */
	assert_int_equal(sel_sts(), PCI_IDE_STATE_INSECURE);
	assert_int_equal(hw_spdm_ide_stream_state(W.hw, W.hwdev, 3), PCI_IDE_STATE_INSECURE);
	assert_true(ide_check_failed(W.hwdev, true));
	e = hw_ide_engine_of(W.hwdev);
	assert_non_null(e);
	assert_int_equal(hw_ide_engine_last_error(e, 3), HW_IDE_ERR_MAC);
	assert_false(ide_check_failed(root_port(), false));
	/* An Insecure stream carries nothing: reads time out. */
	assert_int_equal(rd64(addr), UINT64_MAX);
	down();
	/* The write never landed. */
	assert_int_equal(rd64(addr), 0xaaaa);
}

/* A flipped MAC on a completion: the host end discards it. */
static void test_link_tamper_cpl(void **state)
{
	uint64_t addr = W.bar + 0x110;
	int err = 0;

	wr64(addr, 0x1234);
	up(4);
	assert_ok(hw_ide_link_inject(W.hw, HW_IDE_LINK_FAULT_FLIP, false, (size_t)-1));
	assert_int_equal(rd64(addr), UINT64_MAX);
	assert_int_equal(hw_ide_link_host_state(W.hw, W.hwdev, &err), PCI_IDE_STATE_INSECURE);
	assert_int_equal(err, HW_IDE_ERR_MAC);
	assert_true(ide_check_failed(root_port(), true));
	/* The device received nothing bad. */
	assert_int_equal(sel_sts(), PCI_IDE_STATE_SECURE);
	assert_false(ide_check_failed(W.hwdev, false));
	/* Nor does anything else get through the host end. */
	assert_int_equal(rd64(addr), UINT64_MAX);
	down();
	/* New keys: the host end is Secure again. */
	up(4);
	assert_int_equal(rd64(addr), 0x1234);
	assert_int_equal(hw_ide_link_host_state(W.hw, W.hwdev, &err), PCI_IDE_STATE_SECURE);
	down();
}

/* A captured TLP sent again: detected as a replay. */
static void test_link_replay(void **state)
{
	uint64_t addr = W.bar + 0x118;

	up(5);
	wr64(addr, 0x5555);
	assert_ok(hw_ide_link_inject(W.hw, HW_IDE_LINK_FAULT_REPLAY, true, 0));
	wr64(addr, 0x6666);
	assert_int_equal(W.nseen, 2);
	assert_int_equal(sel_sts(), PCI_IDE_STATE_INSECURE);
	assert_true(ide_check_failed(W.hwdev, true));
	assert_int_equal(hw_ide_engine_last_error(hw_ide_engine_of(W.hwdev), 5),
			 HW_IDE_ERR_REPLAY);
	down();
	assert_int_equal(rd64(addr), 0x5555);
}

/* DMA from the device: ciphertext upstream, the right bytes in RAM. */
static void test_link_dma(void **state)
{
	uint8_t buf[600], back[600], ram[600];
	const uint64_t pa = 0x200000;
	unsigned int i, up_pr = 0;
	int err = 0;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	up(6);
	assert_ok(hw_dma_write(W.hwdev, false, 0, pa, buf, sizeof(buf)));
	assert_ok(hw_ram_read(W.hw, pa, ram, sizeof(ram)));
	assert_memory_equal(ram, buf, sizeof(buf));
	/* 600 bytes: three posted writes upstream, none in the clear. */
	for (i = 0; i < W.nseen; i++) {
		if (W.seen[i].down || W.seen[i].prefix[2] != IDE_KM_SUB_PR)
			continue;
		assert_memory_not_equal(W.seen[i].data, buf + 256 * up_pr, W.seen[i].len);
		up_pr++;
	}
	assert_int_equal(up_pr, 3);
	memset(back, 0, sizeof(back));
	assert_ok(hw_dma_read(W.hwdev, false, 0, pa, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(buf));
	/* Tampered DMA write: the host end discards it, RAM untouched. */
	assert_ok(hw_ide_link_inject(W.hw, HW_IDE_LINK_FAULT_FLIP, false, 30));
	assert_int_equal(hw_dma_fill(W.hwdev, false, 0, pa, 0, 16), -EIO);
	assert_ok(hw_ram_read(W.hw, pa, ram, 16));
	assert_memory_equal(ram, buf, 16);
	assert_int_equal(hw_ide_link_host_state(W.hw, W.hwdev, &err), PCI_IDE_STATE_INSECURE);
	assert_int_equal(err, HW_IDE_ERR_MAC);
	assert_true(ide_check_failed(root_port(), true));
	assert_int_equal(hw_dma_read(W.hwdev, false, 0, pa, back, 16), -EIO);
	down();
	/* No stream: DMA in the clear again. */
	assert_ok(hw_dma_fill(W.hwdev, false, 0, pa, 0, 16));
	assert_int_equal(W.nseen, 0);
}

/*
 * Allocation and GCM failures on the link: every one loses the TLP
 * (nothing leaks, nothing crashes); the stream may then go Insecure, as a
 * TLP lost on a real link would desynchronise the counters. New keys
 * bring it back.
 */
static void test_link_fault_injection(void **state)
{
	uint64_t addr = W.bar + 0x120, v;
	unsigned long n;
	bool injected;

	wr64(addr, 0x77);
	for (n = 1; n < 200; n++) {
		hw_ide_link_free(W.hw);		/* the lazy state is allocated again */
		up(7);
		assert_ok(hw_ide_link_set_trace(W.hw, trace, &W));
		fault_inject_nth(n);
		v = 0x99;
		assert_ok(hw_mmio_write(W.hw, addr, &v, 8));
		v = 0;
		assert_ok(hw_mmio_read(W.hw, addr, &v, 8));
		injected = fault_injected();
		fault_inject_nth(0);
		if (!injected) {
			assert_int_equal(v, 0x99);
			down();
			break;
		}
		/* Written, or the write lost, or the read lost. */
		assert_true(v == 0x99 || v == 0x77 || v == UINT64_MAX);
		down();
		wr64(addr, 0x77);
	}
	assert_true(n < 200);
	assert_true(n > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_mmio),
		cmocka_unit_test(test_link_tamper_write),
		cmocka_unit_test(test_link_tamper_cpl),
		cmocka_unit_test(test_link_replay),
		cmocka_unit_test(test_link_dma),
		cmocka_unit_test(test_link_fault_injection),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
