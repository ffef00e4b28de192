// SPDX-License-Identifier: MIT
/* hw/pcidev config-space engine: header masks, BARs, chains, resets. */
#include "pcidev_util.h"
#include "hw/pcidev/pci_regs_ext.h"

/* PCIe r6.2 §7.5.1.1: common header of a type 0 function. */
static void test_type0_header(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);

	hw_pcidev_set_ids(dev, 0x8086, 0x1234, 0x010802, 0x05);
	hw_pcidev_set_subsystem(dev, 0x1af4, 0x1100);
	hw_pcidev_set_intx_pin(dev, 1);
	assert_ok(hw_pcidev_realize(dev));

	assert_int_equal(cfgr(dev, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(cfgr(dev, PCI_DEVICE_ID, 2), 0x1234);
	assert_int_equal(cfgr(dev, PCI_CLASS_REVISION, 4), 0x01080205);
	assert_int_equal(cfgr(dev, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(cfgr(dev, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(cfgr(dev, PCI_INTERRUPT_PIN, 1), 1);

	/* IDs are RO. */
	cfgw(dev, PCI_VENDOR_ID, 0xffffffff, 4);
	assert_int_equal(cfgr(dev, PCI_VENDOR_ID, 4), 0x12348086);
	/* Command: only IOSE MSE BME PERR SERR INTxDisable are RW. */
	assert_int_equal(cfg_write_ones(dev, PCI_COMMAND, 2), 0x0547);
	cfgw(dev, PCI_COMMAND, 0, 2);
	assert_int_equal(cfgr(dev, PCI_COMMAND, 2), 0);
	/* Cache Line Size RW, Latency Timer hardwired 0, Interrupt Line RW,
	 * Interrupt Pin RO. */
	assert_int_equal(cfg_write_ones(dev, PCI_CACHE_LINE_SIZE, 1), 0xff);
	assert_int_equal(cfg_write_ones(dev, PCI_LATENCY_TIMER, 1), 0);
	assert_int_equal(cfg_write_ones(dev, PCI_INTERRUPT_LINE, 2), 0x01ff);
	/* Multifunction flag shows in Header Type bit 7. */
	hw_pcidev_set_multifunction(dev, true);
	assert_int_equal(cfgr(dev, PCI_HEADER_TYPE, 1), 0x80);
	hw_pcidev_destroy(dev);
}

/* Status error bits are RW1C (§7.5.1.1.4); Interrupt Status and
 * Capabilities List RO. */
static void test_status_rw1c(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);

	assert_ok(hw_pcidev_realize(dev));
	hw_pcidev_set16(dev, PCI_STATUS, 0xf908 | PCI_STATUS_CAP_LIST);
	cfgw(dev, PCI_STATUS, 0, 2);			/* writing 0 changes nothing */
	assert_int_equal(cfgr(dev, PCI_STATUS, 2), 0xf918);
	cfgw(dev, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT, 2);	/* clear one */
	assert_int_equal(cfgr(dev, PCI_STATUS, 2), 0xd918);
	cfgw(dev, PCI_STATUS, 0xffff, 2);		/* RO bits survive */
	assert_int_equal(cfgr(dev, PCI_STATUS, 2), 0x0018);
	/* A dword write to Command/Status applies both semantics at once. */
	hw_pcidev_set16(dev, PCI_STATUS, PCI_STATUS_DETECTED_PARITY);
	cfgw(dev, PCI_COMMAND, 0x80000002, 4);
	assert_int_equal(cfgr(dev, PCI_COMMAND, 4), 0x00000002);
	hw_pcidev_destroy(dev);
}

/* Type 1 header masks, PCIe r6.2 §7.5.1.3. */
static void test_type1_header(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_BRIDGE);

	hw_pcidev_set_ids(dev, 0x1b36, 0x000c, 0x060400, 0);
	hw_pcidev_set_subsystem(dev, 0x1af4, 0x0011);
	assert_ok(hw_pcidev_realize(dev));
	assert_int_equal(cfgr(dev, PCI_HEADER_TYPE, 1), 1);
	/* Bus numbers RW, Secondary Latency Timer RO 0. */
	assert_int_equal(cfg_write_ones(dev, PCI_PRIMARY_BUS, 4), 0x00ffffff);
	/* I/O Base/Limit: 7:4 RW, 3:0 = 1 (32-bit I/O). */
	cfgw(dev, PCI_IO_BASE, 0, 2);
	assert_int_equal(cfgr(dev, PCI_IO_BASE, 2), 0x0101);
	assert_int_equal(cfg_write_ones(dev, PCI_IO_BASE, 2), 0xf1f1);
	assert_int_equal(cfg_write_ones(dev, PCI_IO_BASE_UPPER16, 4), 0xffffffff);
	/* Memory Base/Limit 15:4 RW, 3:0 RO 0. */
	assert_int_equal(cfg_write_ones(dev, PCI_MEMORY_BASE, 4), 0xfff0fff0);
	/* Prefetchable: 64-bit indication, upper 32 bits RW. */
	cfgw(dev, PCI_PREF_MEMORY_BASE, 0, 4);
	assert_int_equal(cfgr(dev, PCI_PREF_MEMORY_BASE, 4), 0x00010001);
	assert_int_equal(cfg_write_ones(dev, PCI_PREF_MEMORY_BASE, 4), 0xfff1fff1);
	assert_int_equal(cfg_write_ones(dev, PCI_PREF_BASE_UPPER32, 4), 0xffffffff);
	assert_int_equal(cfg_write_ones(dev, PCI_PREF_LIMIT_UPPER32, 4), 0xffffffff);
	/* Bridge Control: PERR SERR ISA VGA VGA16 SBR RW. */
	assert_int_equal(cfg_write_ones(dev, PCI_BRIDGE_CONTROL, 2), 0x005f);
	/* Secondary Status RW1C error bits. */
	hw_pcidev_set16(dev, PCI_SEC_STATUS, 0xf900);
	cfgw(dev, PCI_SEC_STATUS, PCI_STATUS_SIG_SYSTEM_ERROR, 2);
	assert_int_equal(cfgr(dev, PCI_SEC_STATUS, 2), 0xb900);
	/* Subsystem IDs of a bridge live in an SSVID capability. */
	assert_int_equal(hw_pcidev_find_cap(dev, PCI_CAP_ID_SSVID), 0x40);
	assert_int_equal(cfgr(dev, 0x40 + PCI_SSVID_VENDOR_ID, 4), 0x00111af4);
	hw_pcidev_destroy(dev);
}

static uint32_t bar_size_probe(struct hw_pcidev *dev, uint16_t reg)
{
	return cfg_write_ones(dev, reg, 4);
}

/* PCI Local Bus r3.0 §6.2.5.1: writing all-ones reads back the size mask. */
static void test_bar_sizing(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);

	assert_ok(hw_pcidev_set_bar(dev, 0, HW_BAR_IO, false, 256));
	assert_ok(hw_pcidev_set_bar(dev, 1, HW_BAR_MEM32, true, 4096));
	assert_ok(hw_pcidev_set_bar(dev, 2, HW_BAR_MEM64, false, 1 << 20));
	assert_ok(hw_pcidev_set_bar(dev, 4, HW_BAR_MEM64, true, 8ull << 30));
	assert_ok(hw_pcidev_set_bar(dev, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 64 << 10));
	assert_ok(hw_pcidev_realize(dev));

	assert_int_equal(cfgr(dev, PCI_BASE_ADDRESS_0, 4), 0x1);
	assert_int_equal(bar_size_probe(dev, PCI_BASE_ADDRESS_0), 0xffffff01);
	assert_int_equal(cfgr(dev, PCI_BASE_ADDRESS_1, 4), 0x8);
	assert_int_equal(bar_size_probe(dev, PCI_BASE_ADDRESS_1), 0xfffff008);
	assert_int_equal(cfgr(dev, PCI_BASE_ADDRESS_2, 4), 0x4);
	assert_int_equal(bar_size_probe(dev, PCI_BASE_ADDRESS_2), 0xfff00004);
	assert_int_equal(bar_size_probe(dev, PCI_BASE_ADDRESS_3), 0xffffffff);
	/* 8 GiB: no writable bit in the low dword. */
	assert_int_equal(bar_size_probe(dev, PCI_BASE_ADDRESS_4), 0x0000000c);
	assert_int_equal(bar_size_probe(dev, PCI_BASE_ADDRESS_5), 0xfffffffe);
	/* ROM: address bits and the enable bit. */
	assert_int_equal(cfgr(dev, PCI_ROM_ADDRESS, 4), 0);
	assert_int_equal(bar_size_probe(dev, PCI_ROM_ADDRESS), 0xffff0001);
	hw_pcidev_destroy(dev);
}

static void test_bar_invalid(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct hw_pcidev *br = tdev_new(PCI_HEADER_TYPE_BRIDGE);

	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 3000));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 8));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_IO, false, 2));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_IO, true, 16));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 1ull << 32));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 5, HW_BAR_MEM64, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_ROM, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, HW_PCI_ROM_SLOT, HW_BAR_MEM32, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 1024));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 7, HW_BAR_MEM32, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, -1, HW_BAR_MEM32, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_NONE, false, 4096));
	assert_ok(hw_pcidev_set_bar(dev, 0, HW_BAR_MEM64, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 4096));	/* taken */
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 1, HW_BAR_MEM32, false, 4096));	/* upper half */
	assert_ok(hw_pcidev_set_bar(dev, 3, HW_BAR_MEM32, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(dev, 2, HW_BAR_MEM64, false, 4096));	/* 3 taken */
	/* Type 1 has BAR0/1 and the ROM only. */
	assert_errno(EINVAL, hw_pcidev_set_bar(br, 2, HW_BAR_MEM32, false, 4096));
	assert_errno(EINVAL, hw_pcidev_set_bar(br, 1, HW_BAR_MEM64, false, 4096));
	assert_ok(hw_pcidev_set_bar(br, 0, HW_BAR_MEM64, false, 4096));
	assert_ok(hw_pcidev_set_bar(br, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 2048));
	assert_ok(hw_pcidev_realize(br));
	assert_int_equal(cfg_write_ones(br, PCI_ROM_ADDRESS1, 4), 0xfffff801);
	assert_errno(EBUSY, hw_pcidev_set_bar(br, 1, HW_BAR_MEM32, false, 4096));
	assert_errno(EBUSY, hw_pcidev_realize(br));
	hw_pcidev_destroy(dev);
	hw_pcidev_destroy(br);
}

struct region_log {
	uint64_t off;
	unsigned int len, reads, writes;
	uint32_t last;
};

static void region_read(void *opaque, uint64_t off, void *buf, unsigned int len)
{
	struct region_log *l = opaque;
	uint32_t v = 0xabcd0000u | (uint32_t)off;

	l->reads++;
	l->off = off;
	l->len = len;
	memcpy(buf, &v, len < 4 ? len : 4);
}

static void region_write(void *opaque, uint64_t off, const void *buf, unsigned int len)
{
	struct region_log *l = opaque;

	l->writes++;
	l->off = off;
	l->len = len;
	l->last = 0;
	memcpy(&l->last, buf, len < 4 ? len : 4);
}

static const struct hw_bar_region_ops region_ops = {
	.read = region_read,
	.write = region_write,
};

/* Decode follows the BAR registers and Command (§7.5.1.1.3); regions win
 * over the backing store. */
static void test_bar_mmio(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct region_log log = { 0 };
	uint64_t addr;
	uint32_t v;

	assert_ok(hw_pcidev_set_bar(dev, 0, HW_BAR_MEM32, false, 0x4000));
	assert_ok(hw_pcidev_set_bar(dev, 2, HW_BAR_MEM64, true, 0x1000));
	assert_ok(hw_pcidev_set_bar(dev, 4, HW_BAR_IO, false, 32));
	assert_ok(hw_pcidev_set_bar(dev, HW_PCI_ROM_SLOT, HW_BAR_ROM, false, 0x800));
	assert_ok(hw_pcidev_add_bar_region(dev, 0, 0x2000, 0x100, &region_ops, &log));
	assert_errno(EINVAL, hw_pcidev_add_bar_region(dev, 0, 0x20f0, 0x100, &region_ops, &log));
	assert_errno(EINVAL, hw_pcidev_add_bar_region(dev, 0, 0x3f00, 0x200, &region_ops, &log));
	assert_errno(EINVAL, hw_pcidev_add_bar_region(dev, 1, 0, 0x10, &region_ops, &log));
	assert_ok(hw_pcidev_realize(dev));

	cfgw(dev, PCI_BASE_ADDRESS_0, 0xfe004000, 4);	/* low bits ignored */
	cfgw(dev, PCI_BASE_ADDRESS_2, 0x80000000, 4);
	cfgw(dev, PCI_BASE_ADDRESS_3, 0x1, 4);
	cfgw(dev, PCI_BASE_ADDRESS_4, 0xc000, 4);
	cfgw(dev, PCI_ROM_ADDRESS, 0xfd000000, 4);
	assert_true(hw_pcidev_bar_addr(dev, 0, &addr));
	assert_int_equal(addr, 0xfe004000);
	assert_true(hw_pcidev_bar_addr(dev, 2, &addr));
	assert_int_equal(addr, 0x180000000ull);
	assert_false(hw_pcidev_bar_addr(dev, 3, &addr));	/* upper half */
	assert_false(hw_pcidev_bar_addr(dev, 1, &addr));

	/* Memory Space Enable off: nothing claims. */
	v = 0x11223344;
	assert_false(hw_pcidev_mmio(dev, false, 0xfe004010, &v, 4, true));
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_true(hw_pcidev_mmio(dev, false, 0xfe004010, &v, 4, true));
	v = 0;
	assert_true(hw_pcidev_mmio(dev, false, 0xfe004010, &v, 4, false));
	assert_int_equal(v, 0x11223344);
	assert_false(hw_pcidev_mmio(dev, false, 0xfe008000, &v, 4, false));	/* past end */
	assert_false(hw_pcidev_mmio(dev, false, 0xfe007ffe, &v, 4, false));	/* straddles */
	/* Region dispatch with region-relative offsets. */
	assert_true(hw_pcidev_mmio(dev, false, 0xfe006008, &v, 4, false));
	assert_int_equal(v, 0xabcd0008);
	v = 0x55;
	assert_true(hw_pcidev_mmio(dev, false, 0xfe006010, &v, 1, true));
	assert_int_equal(log.writes, 1);
	assert_int_equal(log.off, 0x10);
	assert_int_equal(log.len, 1);
	assert_int_equal(log.last, 0x55);
	/* 64-bit BAR above 4G, 8-byte access. */
	{
		uint64_t q = 0x0102030405060708ull, r = 0;

		assert_true(hw_pcidev_mmio(dev, false, 0x180000ff8ull, &q, 8, true));
		assert_true(hw_pcidev_mmio(dev, false, 0x180000ff8ull, &r, 8, false));
		assert_int_equal(r, q);
	}
	/* I/O needs I/O Space Enable and is_io. */
	v = 0x77;
	assert_false(hw_pcidev_mmio(dev, true, 0xc004, &v, 1, true));
	assert_false(hw_pcidev_mmio(dev, false, 0xc004, &v, 1, true));
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
	assert_true(hw_pcidev_mmio(dev, true, 0xc004, &v, 1, true));
	v = 0;
	assert_true(hw_pcidev_mmio(dev, true, 0xc004, &v, 1, false));
	assert_int_equal(v, 0x77);
	/* ROM decodes only with its enable bit; writes do not change it. */
	assert_false(hw_pcidev_mmio(dev, false, 0xfd000000, &v, 4, false));
	cfgw(dev, PCI_ROM_ADDRESS, 0xfd000001, 4);
	dev->bars[HW_PCI_ROM_SLOT].backing[0] = 0x55;
	dev->bars[HW_PCI_ROM_SLOT].backing[1] = 0xaa;
	v = 0;
	assert_true(hw_pcidev_mmio(dev, false, 0xfd000000, &v, 2, false));
	assert_int_equal(v, 0xaa55);
	v = 0;
	assert_true(hw_pcidev_mmio(dev, false, 0xfd000000, &v, 2, true));
	assert_int_equal(dev->bars[HW_PCI_ROM_SLOT].backing[0], 0x55);
	hw_pcidev_destroy(dev);
}

static unsigned int bar_cb_reads;

static void bar_cb_read(struct hw_pcidev *dev, int bar, uint64_t off, void *buf,
			unsigned int len)
{
	uint32_t v = 0x1000u * (uint32_t)bar + (uint32_t)off;

	bar_cb_reads++;
	memcpy(buf, &v, len);
}

static void bar_cb_free(struct hw_pcidev *dev)
{
	free(dev);
}

/* ops->bar_read takes what no region claims, before the backing store. */
static void test_bar_ops_dispatch(void **state)
{
	static const struct hw_pcidev_ops ops = {
		.bar_read = bar_cb_read,
		.free = bar_cb_free,
	};
	struct hw_pcidev *dev = calloc(1, sizeof(*dev));
	uint32_t v = 0;

	assert_non_null(dev);
	assert_ok(hw_pcidev_init(dev, PCI_HEADER_TYPE_NORMAL, &ops, "cb"));
	assert_ok(hw_pcidev_set_bar(dev, 1, HW_BAR_MEM32, false, 0x100));
	assert_ok(hw_pcidev_realize(dev));
	cfgw(dev, PCI_BASE_ADDRESS_1, 0xe0000000, 4);
	cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	bar_cb_reads = 0;
	assert_true(hw_pcidev_mmio(dev, false, 0xe0000024, &v, 4, false));
	assert_int_equal(bar_cb_reads, 1);
	assert_int_equal(v, 0x1024);
	/* Writes without bar_write go to the backing store. */
	v = 9;
	assert_true(hw_pcidev_mmio(dev, false, 0xe0000024, &v, 4, true));
	assert_int_equal(dev->bars[1].backing[0x24], 9);
	hw_pcidev_destroy(dev);
}

/* Standard chain: Capabilities Pointer, Next pointers, Status.CapList
 * (§7.5.1.1.11, §7.5.2); extended chain from 100h (§7.6.3). */
static void test_cap_chains(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	int a, b, c, e1, e2, e3;

	assert_int_equal(cfgr(dev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	assert_int_equal(hw_pcidev_find_cap(dev, PCI_CAP_ID_PM), 0);
	assert_int_equal(cfgr(dev, PCI_CFG_SPACE_SIZE, 4), 0);	/* no ext caps */
	a = hw_pcidev_add_cap(dev, PCI_CAP_ID_PM, 8, NULL, NULL);
	b = hw_pcidev_add_cap(dev, PCI_CAP_ID_VNDR, 6, NULL, NULL);	/* rounds to 8 */
	c = hw_pcidev_add_cap(dev, PCI_CAP_ID_VNDR, 12, NULL, NULL);	/* may repeat */
	assert_int_equal(a, 0x40);
	assert_int_equal(b, 0x48);
	assert_int_equal(c, 0x50);
	assert_errno(EEXIST, hw_pcidev_add_cap(dev, PCI_CAP_ID_PM, 8, NULL, NULL));
	assert_true(cfgr(dev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(cfgr(dev, PCI_CAPABILITY_LIST, 1), 0x40);
	assert_int_equal(cfgr(dev, 0x40, 2), 0x4801);
	assert_int_equal(cfgr(dev, 0x48, 2), 0x5009);
	assert_int_equal(cfgr(dev, 0x50, 2), 0x0009);
	assert_int_equal(hw_pcidev_find_cap(dev, PCI_CAP_ID_VNDR), 0x48);
	assert_int_equal(hw_pcidev_find_cap(dev, PCI_CAP_ID_MSI), 0);

	e1 = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DSN, 1, 12, NULL, NULL);
	e2 = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ERR, 2, 0x48, NULL, NULL);
	e3 = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DVSEC, 1, 10, NULL, NULL);
	assert_int_equal(e1, 0x100);
	assert_int_equal(e2, 0x10c);
	assert_int_equal(e3, 0x154);
	assert_errno(EEXIST, hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ERR, 2, 0x48, NULL, NULL));
	assert_errno(EINVAL, hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ACS, 16, 8, NULL, NULL));
	assert_int_equal(cfgr(dev, 0x100, 4), 0x10c10003);
	assert_int_equal(cfgr(dev, 0x10c, 4), 0x15420001);
	assert_int_equal(cfgr(dev, 0x154, 4), 0x00010023);
	assert_int_equal(hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_ERR), 0x10c);
	assert_int_equal(hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_DVSEC), 0x154);
	assert_int_equal(hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_ACS), 0);
	/* Headers are RO. */
	cfgw(dev, 0x40, 0xffff, 2);
	cfgw(dev, 0x100, 0, 4);
	assert_int_equal(cfgr(dev, 0x40, 2), 0x4801);
	assert_int_equal(cfgr(dev, 0x100, 4), 0x10c10003);
	hw_pcidev_destroy(dev);
}

static void test_cap_enospc(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	int n = 0, rc;

	/* 0x40..0xff holds three 64-byte vendor caps. */
	while ((rc = hw_pcidev_add_cap(dev, PCI_CAP_ID_VNDR, 64, NULL, NULL)) >= 0)
		n++;
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(n, 3);
	assert_int_equal(hw_pcidev_add_cap(dev, PCI_CAP_ID_MSI, 4, NULL, NULL), -ENOSPC);
	/* Extended: 0x100..0xfff, 960 bytes each -> four fit (3840). */
	n = 0;
	while ((rc = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_VNDR, 1, 960, NULL, NULL)) >= 0)
		n++;
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(n, 4);
	assert_int_equal(hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DSN, 1, 12, NULL, NULL),
			 -ENOSPC);
	hw_pcidev_destroy(dev);
}

struct capstate {
	unsigned int reads, writes, resets, *released;
	uint16_t off;
	uint32_t val, old;
	unsigned int len;
};

static void cs_read(struct hw_pcidev *dev, void *opaque, uint16_t off, unsigned int len)
{
	struct capstate *s = opaque;

	s->reads++;
	hw_pcidev_set32(dev, 0x44, 0xfeed0000u | s->reads);	/* refresh */
}

static void cs_write(struct hw_pcidev *dev, void *opaque, uint16_t off, uint32_t val,
		     uint32_t old, unsigned int len)
{
	struct capstate *s = opaque;

	s->writes++;
	s->off = off;
	s->val = val;
	s->old = old;
	s->len = len;
}

static void cs_reset(struct hw_pcidev *dev, void *opaque)
{
	((struct capstate *)opaque)->resets++;
}

static void cs_release(void *opaque)
{
	struct capstate *s = opaque;

	(*s->released)++;
	free(s);
}

static const struct hw_pcicap_ops cs_ops = {
	.read = cs_read,
	.write = cs_write,
	.reset = cs_reset,
	.release = cs_release,
};

/* Handlers see the raw written value and the old register contents after
 * the mask semantics applied; ops->cfg_write follows. */
static void test_cap_handlers(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	struct capstate *s = calloc(1, sizeof(*s));
	unsigned int released = 0;
	uint32_t v;

	assert_non_null(s);
	s->released = &released;
	assert_int_equal(hw_pcidev_add_cap(dev, PCI_CAP_ID_VNDR, 16, &cs_ops, s), 0x40);
	hw_pcidev_set_wmask32(dev, 0x48, 0x0000ff00);
	hw_pcidev_set32(dev, 0x48, 0x11111111);
	assert_ok(hw_pcidev_realize(dev));

	cfgw(dev, 0x48, 0xabcdefab, 4);
	assert_int_equal(s->writes, 1);
	assert_int_equal(s->off, 0x48);
	assert_int_equal(s->val, 0xabcdefab);
	assert_int_equal(s->old, 0x11111111);
	assert_int_equal(hw_pcidev_get32(dev, 0x48), 0x1111ef11);
	assert_int_equal(to_tdev(dev)->cfg_writes, 1);
	assert_int_equal(to_tdev(dev)->last_old, 0x11111111);
	/* Outside the cap: no handler call, but the model hook runs. */
	cfgw(dev, PCI_COMMAND, 0, 2);
	assert_int_equal(s->writes, 1);
	assert_int_equal(to_tdev(dev)->cfg_writes, 2);
	/* Reads refresh through the handler. */
	v = cfgr(dev, 0x44, 4);
	assert_int_equal(v, 0xfeed0001);
	assert_int_equal(cfgr(dev, 0x44, 4), 0xfeed0002);
	(void)cfgr(dev, 0x10, 4);
	assert_int_equal(s->reads, 2);
	/* Bad sizes / ranges are ignored or read as all ones. */
	assert_int_equal(cfgr(dev, 0xffe, 4), 0xffffffff);
	assert_int_equal(cfgr(dev, 0x40, 3), 0xffffffff);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(s->resets, 1);
	hw_pcidev_destroy(dev);
	assert_int_equal(released, 1);
}

/* PCIe r6.2 §7.4: sticky bits survive warm reset and FLR, not cold; the
 * FLR-preserved bits survive only FLR (§6.6.2). */
static void test_reset_kinds(void **state)
{
	struct hw_pcidev *dev = tdev_new(PCI_HEADER_TYPE_NORMAL);
	unsigned int before = tdev_freed;
	int pos;

	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_VNDR, 1, 16, NULL, NULL);
	assert_int_equal(pos, 0x100);
	hw_pcidev_set_wmask32(dev, 0x104, 0xffffffff);
	hw_pcidev_set_sticky32(dev, 0x104, 0x0000ffff);		/* RWS low half */
	hw_pcidev_set_w1cmask32(dev, 0x108, 0xffffffff);
	hw_pcidev_set_sticky32(dev, 0x108, 0xff000000);		/* RW1CS top byte */
	hw_pcidev_set32(dev, 0x108, 0xffffffff);
	hw_pcidev_set_wmask16(dev, 0x10c, 0xffff);
	hw_pcidev_set_flr_keep16(dev, 0x10c, 0x00f0);
	hw_pcidev_set16(dev, 0x10c, 0x0005);
	assert_ok(hw_pcidev_realize(dev));

#define DIRTY() do {							\
		cfgw(dev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2); \
		cfgw(dev, 0x104, 0x12345678, 4);				\
		cfgw(dev, 0x108, 0xf000000f, 4);				\
		cfgw(dev, 0x10c, 0xabcd, 2);				\
	} while (0)

	DIRTY();
	assert_int_equal(cfgr(dev, 0x108, 4), 0x0ffffff0);
	hw_pcidev_reset(dev, HW_RESET_WARM);
	assert_int_equal(cfgr(dev, PCI_COMMAND, 2), 0);
	assert_int_equal(cfgr(dev, 0x104, 4), 0x00005678);
	assert_int_equal(cfgr(dev, 0x108, 4), 0x0fffffff);
	assert_int_equal(cfgr(dev, 0x10c, 2), 0x0005);
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_WARM], 1);

	DIRTY();
	hw_pcidev_reset(dev, HW_RESET_FLR);
	assert_int_equal(cfgr(dev, PCI_COMMAND, 2), 0);
	assert_int_equal(cfgr(dev, 0x104, 4), 0x00005678);
	assert_int_equal(cfgr(dev, 0x10c, 2), 0x00c5);
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_FLR], 1);

	DIRTY();
	hw_pcidev_reset(dev, HW_RESET_COLD);
	assert_int_equal(cfgr(dev, 0x104, 4), 0);
	assert_int_equal(cfgr(dev, 0x108, 4), 0xffffffff);
	assert_int_equal(cfgr(dev, 0x10c, 2), 0x0005);
	assert_int_equal(to_tdev(dev)->resets[HW_RESET_COLD], 1);
#undef DIRTY
	hw_pcidev_destroy(dev);
	assert_int_equal(tdev_freed, before + 1);
}

static void test_init_invalid(void **state)
{
	struct hw_pcidev dev;

	assert_errno(EINVAL, hw_pcidev_init(&dev, 2, NULL, "x"));
	assert_ok(hw_pcidev_init(&dev, PCI_HEADER_TYPE_NORMAL, NULL, NULL));
	assert_string_equal(dev.name, "pcidev");
	hw_pcidev_destroy(&dev);	/* no ops->free: embedded, nothing freed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type0_header),
		cmocka_unit_test(test_status_rw1c),
		cmocka_unit_test(test_type1_header),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_bar_invalid),
		cmocka_unit_test(test_bar_mmio),
		cmocka_unit_test(test_bar_ops_dispatch),
		cmocka_unit_test(test_cap_chains),
		cmocka_unit_test(test_cap_enospc),
		cmocka_unit_test(test_cap_handlers),
		cmocka_unit_test(test_reset_kinds),
		cmocka_unit_test(test_init_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
