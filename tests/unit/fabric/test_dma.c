// SPDX-License-Identifier: MIT
/*
 * Platform RAM and IOMMU units, upstream DMA (hw/fabric/dma.h) and the DMA
 * test device. Software's side of every test talks to the machine as a
 * kernel does: config requests, MMIO (the VT-d registers at the address
 * firmware reports, the device's BAR), and RAM loads/stores for the
 * remapping tables. Only the device's side calls hw_dma_* directly.
 */
#include <stdio.h>

#include "test.h"
#include "desc_util.h"
#include "dma_util.h"
#include "hw/devices/dmatest.h"
#include "hw/devices/model.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd.h"
#include "hw/iommu/vtd_regs.h"

/* ---------------------------------------------------------------- tests */

static void test_platform_ram_and_iommu(void **state)
{
	struct hw_desc_platform *d = std_desc();
	struct hw_platform *p = create(d);
	struct hw_iommu_info info;
	uint8_t buf[16] = "pcilab-ram-test", back[16];
	uint64_t cap = 0, all1 = 0;
	char err[256];
	uint32_t ver = 0;
	uint8_t *host;

	/* RAM: the kernel's own memory, bounds-checked. */
	assert_int_equal(hw_platform_ram_size(p), RAM);
	assert_ok(hw_ram_write(p, RAM - 16, buf, 16));
	assert_ok(hw_ram_read(p, RAM - 16, back, 16));
	assert_memory_equal(buf, back, 16);
	host = hw_ram_ptr(p, RAM - 16, 16);
	assert_false(IS_ERR(host));
	assert_memory_equal(host, buf, 16);
	assert_errno(EFAULT, hw_ram_write(p, RAM - 15, buf, 16));
	assert_errno(EFAULT, hw_ram_read(p, UINT64_MAX - 3, back, 8));
	assert_err_ptr(EFAULT, hw_ram_ptr(p, RAM, 1));

	/* One VT-d unit, where firmware says, covering segment 0. */
	assert_int_equal(hw_platform_nr_iommus(p), 1);
	assert_ok(hw_platform_iommu_info(p, 0, &info));
	assert_int_equal(info.type, HW_IOMMU_VTD);
	assert_int_equal(info.base, 0xfed90000ull);
	assert_int_equal(info.size, 4096);
	assert_int_equal(info.segment, 0);
	assert_true(info.include_all);
	assert_errno(EINVAL, hw_platform_iommu_info(p, 1, &info));
	/* Its registers answer at that address (VT-d §11.4.1-2). */
	assert_ok(hw_mmio_read(p, info.base + VTD_VER_REG, &ver, 4));
	assert_int_not_equal(ver, 0);
	assert_int_not_equal(ver, 0xffffffffu);
	assert_ok(hw_mmio_read(p, info.base + VTD_CAP_REG, &cap, 8));
	assert_true(((cap >> VTD_CAP_FRO_SHIFT) & 0x3ff) != 0);
	/* Just past the window nothing answers. */
	assert_ok(hw_mmio_read(p, info.base + 4096, &all1, 8));
	assert_int_equal(all1, UINT64_MAX);
	hw_platform_destroy(p);

	/* No IOMMU: nothing at the chipset address, DMA untranslated. */
	d->iommu = HW_DESC_IOMMU_NONE;
	p = create(d);
	assert_int_equal(hw_platform_nr_iommus(p), 0);
	assert_ok(hw_mmio_read(p, 0xfed90000ull, &ver, 4));
	assert_int_equal(ver, 0xffffffffu);
	hw_platform_destroy(p);

	/* Explicit base; a clash with a host bridge window is refused. */
	d->iommu = HW_DESC_IOMMU_VTD;
	d->iommu_base = 0xfee00000ull - 0x10000;
	p = create(d);
	assert_ok(hw_platform_iommu_info(p, 0, &info));
	assert_int_equal(info.base, 0xfee00000ull - 0x10000);
	hw_platform_destroy(p);
	d->iommu_base = MMIO_BASE + 0x1000;
	p = hw_platform_create(d, err, sizeof(err));
	assert_int_equal(PTR_ERR(p), -EINVAL);
	assert_non_null(strstr(err, "IOMMU registers"));
	d->iommu_base = 0xfed90800ull;	/* not 4 KiB aligned */
	assert_int_equal(PTR_ERR(hw_platform_create(d, err, sizeof(err))), -EINVAL);

	/* RAM covering the chipset address: the unit moves above RAM. */
	d->iommu_base = 0;
	d->ram_size = 8ull << 30;
	p = create(d);
	assert_ok(hw_platform_iommu_info(p, 0, &info));
	assert_int_equal(info.base, 8ull << 30);
	assert_ok(hw_mmio_read(p, info.base + VTD_VER_REG, &ver, 4));
	assert_int_not_equal(ver, 0xffffffffu);
	hw_platform_destroy(p);

	/* RAM must be whole pages; 0 means the default 1 GiB. */
	d->ram_size = 4096 + 512;
	assert_int_equal(PTR_ERR(hw_platform_create(d, err, sizeof(err))), -EINVAL);
	d->ram_size = 0;
	p = create(d);
	assert_int_equal(hw_platform_ram_size(p), 1ull << 30);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_two_segments(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_iommu_info a, b;
	struct hw_platform *p;
	uint32_t ver;

	td_host_bridge(d, 0, 0, 0x7f);
	td_host_bridge(d, 0, 0x80, 0xff);	/* same segment: same unit */
	td_host_bridge(d, 1, 0, 0xff);
	p = create(d);
	assert_int_equal(hw_platform_nr_iommus(p), 2);
	assert_ok(hw_platform_iommu_info(p, 0, &a));
	assert_ok(hw_platform_iommu_info(p, 1, &b));
	assert_int_equal(a.segment, 0);
	assert_int_equal(b.segment, 1);
	assert_int_equal(b.base, a.base + 4096);
	assert_ok(hw_mmio_read(p, b.base + VTD_VER_REG, &ver, 4));
	assert_int_not_equal(ver, 0xffffffffu);
	assert_ptr_not_equal(hw_platform_vtd(p, 0), hw_platform_vtd(p, 1));
	hw_platform_destroy(p);
	td_free(d);
}

static void test_dma_passthrough(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *dma0 = fn(p, 1, 0);
	static uint8_t buf[3 * 4096], back[3 * 4096];
	struct drv v;

	/* Unit not even programmed: translation is off (GSTS.TES = 0). */
	pattern(buf, sizeof(buf), 1);
	assert_ok(hw_dma_write(dma0, false, 0, 0x100800, buf, sizeof(buf)));
	ram_rd(p, 0x100800, back, sizeof(back));
	assert_memory_equal(buf, back, sizeof(buf));
	memset(back, 0, sizeof(back));
	assert_ok(hw_dma_read(dma0, false, 0, 0x100800, back, sizeof(back)));
	assert_memory_equal(buf, back, sizeof(back));
	/* Root table and queue set up, TE still 0: still untranslated. */
	drv_init(&v, p);
	pattern(buf, sizeof(buf), 2);
	assert_ok(hw_dma_write(dma0, false, 0, 0x200000, buf, sizeof(buf)));
	ram_rd(p, 0x200000, back, sizeof(back));
	assert_memory_equal(buf, back, sizeof(back));
	no_fault(&v);
	/* Outside RAM: Unsupported Request at the root complex. */
	assert_errno(EIO, hw_dma_write(dma0, false, 0, RAM - 8, buf, 16));
	assert_errno(EIO, hw_dma_read(dma0, false, 0, MMIO_BASE, back, 4));
	/* Bad arguments. */
	assert_errno(EINVAL, hw_dma_read(dma0, false, 0, UINT64_MAX - 2, back, 8));
	assert_errno(EINVAL, hw_dma_read(dma0, true, 1u << 20, 0, back, 8));
	assert_ok(hw_dma_read(dma0, false, 0, 0, back, 0));

	/* Without any IOMMU DMA goes straight to RAM too. */
	hw_platform_destroy(p);
	d->iommu = HW_DESC_IOMMU_NONE;
	p = create(d);
	set_buses(p, 0, RP, 0, 1, 1);
	master(p, 0, RP, true);
	master(p, 1, 0, true);
	assert_ok(hw_dma_write(fn(p, 1, 0), false, 0, 0x3000, "abc", 3));
	ram_rd(p, 0x3000, back, 3);
	assert_memory_equal(back, "abc", 3);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_dma_bus_master(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *dma0 = fn(p, 1, 0), *legacy = fn(p, 3, PCI_DEVFN(5, 0));
	struct hw_pcidev *deep = fn(p, 4, PCI_DEVFN(2, 0));
	uint8_t x = 0x5a;

	assert_ok(hw_dma_write(dma0, false, 0, 0x1000, &x, 1));
	/* The function's own BME: no request is issued at all. */
	master(p, 1, 0, false);
	assert_errno(EPERM, hw_dma_write(dma0, false, 0, 0x1000, &x, 1));
	assert_errno(EPERM, hw_dma_read(dma0, false, 0, 0x1000, &x, 1));
	master(p, 1, 0, true);
	/* The root port's BME: it does not forward upstream. */
	master(p, 0, RP, false);
	assert_errno(EIO, hw_dma_write(dma0, false, 0, 0x1000, &x, 1));
	master(p, 0, RP, true);
	assert_ok(hw_dma_write(dma0, false, 0, 0x1000, &x, 1));
	/* A conventional bridge in the middle gates only what is below it. */
	master(p, 3, PCI_DEVFN(7, 0), false);
	assert_errno(EIO, hw_dma_write(deep, false, 0, 0x1000, &x, 1));
	assert_ok(hw_dma_write(legacy, false, 0, 0x1000, &x, 1));
	master(p, 3, PCI_DEVFN(7, 0), true);
	assert_ok(hw_dma_write(deep, false, 0, 0x1000, &x, 1));
	/* The PCIe-to-PCI bridge gates both. */
	master(p, 2, 0, false);
	assert_errno(EIO, hw_dma_write(deep, false, 0, 0x1000, &x, 1));
	assert_errno(EIO, hw_dma_write(legacy, false, 0, 0x1000, &x, 1));
	master(p, 2, 0, true);
	/* Secondary Bus Reset resets the function: BME is 0 again after. */
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	assert_int_not_equal(hw_dma_write(dma0, false, 0, 0x1000, &x, 1), 0);
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, 0);
	assert_errno(EPERM, hw_dma_write(dma0, false, 0, 0x1000, &x, 1));
	master(p, 1, 0, true);
	assert_ok(hw_dma_write(dma0, false, 0, 0x1000, &x, 1));
	hw_platform_destroy(p);
	td_free(d);
}

static void test_dma_requester_id(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *legacy = fn(p, 3, PCI_DEVFN(5, 0));
	uint16_t rid = 0;

	assert_ok(hw_dma_requester_id(fn(p, 1, 0), &rid));
	assert_int_equal(rid, RID_DMA0);
	/* Behind the PCIe-to-PCI bridge: (secondary bus, 00.0), for devices
	 * on its bus and below a further conventional bridge alike. */
	assert_ok(hw_dma_requester_id(legacy, &rid));
	assert_int_equal(rid, RID_P2P_ALIAS);
	assert_ok(hw_dma_requester_id(fn(p, 4, PCI_DEVFN(2, 0)), &rid));
	assert_int_equal(rid, RID_P2P_ALIAS);
	/* Behind a conventional bridge on the root bus: the bridge's ID. */
	assert_ok(hw_dma_requester_id(fn(p, 5, PCI_DEVFN(3, 0)), &rid));
	assert_int_equal(rid, RID_ROOTPCI);
	/* Renumbering the buses changes the IDs on the next request. */
	set_buses(p, 0, RP, 0, 9, 9);
	set_buses(p, 2, 0, 2, 7, 8);
	assert_ok(hw_dma_requester_id(fn(p, 9, 0), &rid));
	assert_int_equal(rid, 0x0900);
	assert_ok(hw_dma_requester_id(legacy, &rid));
	assert_int_equal(rid, 0x0700);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_dma_alias_through_iommu(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *legacy = fn(p, 3, PCI_DEVFN(5, 0));
	uint64_t ss, addr;
	uint8_t out[8] = "aliased", back[8];
	uint16_t sid;
	bool read;
	struct drv v;

	drv_init(&v, p);
	drv_enable(&v);
	/* No context for anyone: the fault names the alias, not 03:05.0. */
	assert_errno(EFAULT, hw_dma_write(legacy, false, 0, 0x7000, out, 8));
	take_fault(&v, &sid, &addr, &read);
	assert_int_equal(sid, RID_P2P_ALIAS);
	assert_int_equal(addr, 0x7000);
	assert_false(read);
	/* A context for the alias RID only: the legacy device translates. */
	ss = alloc_page(&v);
	set_context(&v, RID_P2P_ALIAS);
	set_pasid_ss(&v, 0, ss, DID);
	ss_map(&v, ss, 0x7000, 0x5000000, 4096);
	inv_all(&v);
	assert_ok(hw_dma_write(legacy, false, 0, 0x7000, out, 8));
	ram_rd(p, 0x5000000, back, 8);
	assert_memory_equal(back, out, 8);
	no_fault(&v);
	hw_platform_destroy(p);
	td_free(d);
}

/* dma0 with a second-stage domain: 4K pages at 0x10000 and 0x11000
 * (physically apart), a 4K page at 0x1ff000 and a 2M page at 0x200000. */
static void map_dma0(struct drv *v)
{
	uint64_t ss = alloc_page(v);

	set_context(v, RID_DMA0);
	set_pasid_ss(v, 0, ss, DID);
	ss_map(v, ss, 0x10000, 0x4000000, 4096);
	ss_map(v, ss, 0x11000, 0x4003000, 4096);
	ss_map(v, ss, 0x1ff000, 0x4005000, 4096);
	ss_map(v, ss, 0x200000, 0x4200000, 2u << 20);
	inv_all(v);
}

static void test_dma_translated(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *dma0 = fn(p, 1, 0);
	size_t big = 4096 + (2u << 20);
	uint8_t *buf = malloc(big), *back = malloc(big);
	uint64_t n0;
	struct drv v;

	assert_non_null(buf);
	assert_non_null(back);
	drv_init(&v, p);
	map_dma0(&v);
	drv_enable(&v);

	/* Crossing a 4K boundary between discontiguous pages. */
	pattern(buf, 4096, 3);
	n0 = translations(p);
	assert_ok(hw_dma_write(dma0, false, 0, 0x10800, buf, 4096));
	assert_int_equal(translations(p) - n0, 2);	/* once per page */
	ram_rd(p, 0x4000800, back, 0x800);
	assert_memory_equal(back, buf, 0x800);
	ram_rd(p, 0x4003000, back, 0x800);
	assert_memory_equal(back, buf + 0x800, 0x800);
	memset(back, 0, 4096);
	assert_ok(hw_dma_read(dma0, false, 0, 0x10800, back, 4096));
	assert_memory_equal(back, buf, 4096);

	/* A 4K page then a whole 2M page: two translations for 2M + 4K. */
	pattern(buf, big, 4);
	n0 = translations(p);
	assert_ok(hw_dma_write(dma0, false, 0, 0x1ff000, buf, big));
	assert_int_equal(translations(p) - n0, 2);
	ram_rd(p, 0x4005000, back, 4096);
	assert_memory_equal(back, buf, 4096);
	ram_rd(p, 0x4200000, back, 2u << 20);
	assert_memory_equal(back, buf + 4096, 2u << 20);
	memset(back, 0, big);
	assert_ok(hw_dma_read(dma0, false, 0, 0x1ff000, back, big));
	assert_memory_equal(back, buf, big);
	no_fault(&v);

	/* Device-side copy and fill through the same translations. */
	assert_ok(hw_dma_copy(dma0, false, 0, 0x200000 + 100, 0x10000, 0x1800));
	ram_rd(p, 0x4000000, back, 0x1000);
	assert_memory_equal(back, buf + 4096 + 100, 0x1000);
	ram_rd(p, 0x4003000, back, 0x800);
	assert_memory_equal(back, buf + 4096 + 100 + 0x1000, 0x800);
	assert_ok(hw_dma_fill(dma0, false, 0, 0x10ff0, 0xee, 0x20));
	ram_rd(p, 0x4000ff0, back, 0x10);
	ram_rd(p, 0x4003000, back + 0x10, 0x10);
	for (int i = 0; i < 0x20; i++)
		assert_int_equal(back[i], 0xee);
	no_fault(&v);
	free(buf);
	free(back);
	hw_platform_destroy(p);
	td_free(d);
}

/* Physically contiguous 4K pages: a warm transfer still looks up every
 * page once, and the lookahead never serves a page it may not. */
static void test_dma_contiguous_run(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *dma0 = fn(p, 1, 0);
	uint8_t buf[0x3000], back[0x3000];
	uint64_t ss = 0, n0, addr, leaf;
	uint16_t sid;
	bool read;
	struct drv v;

	drv_init(&v, p);
	ss = alloc_page(&v);
	set_context(&v, RID_DMA0);
	set_pasid_ss(&v, 0, ss, DID);
	ss_map(&v, ss, 0x20000, 0x4100000, 4096);
	ss_map(&v, ss, 0x21000, 0x4101000, 4096);
	ss_map(&v, ss, 0x22000, 0x4102000, 4096);
	ss_map(&v, ss, 0x23000, 0x4103000, 4096);
	/* 0x23000 read-only: find its leaf (same last-level table) */
	leaf = ss_leaf(&v, ss, 0x23000);
	st(&v, leaf, 0x4103000 | VTD_SS_R);
	inv_all(&v);
	drv_enable(&v);

	pattern(buf, sizeof(buf), 8);
	n0 = translations(p);
	assert_ok(hw_dma_write(dma0, false, 0, 0x20000, buf, sizeof(buf)));
	assert_int_equal(translations(p) - n0, 3);	/* cold: three walks */
	n0 = translations(p);
	assert_ok(hw_dma_read(dma0, false, 0, 0x20000, back, sizeof(back)));
	assert_int_equal(translations(p) - n0, 3);	/* warm: three hits */
	assert_memory_equal(back, buf, sizeof(back));
	ram_rd(p, 0x4100000, back, sizeof(back));
	assert_memory_equal(back, buf, sizeof(back));
	/* Reads run into the read-only page; a write must not. */
	assert_ok(hw_dma_read(dma0, false, 0, 0x22000, back, 0x2000));
	assert_errno(EFAULT, hw_dma_write(dma0, false, 0, 0x22000, buf, 0x2000));
	take_fault(&v, &sid, &addr, &read);
	assert_int_equal(addr, 0x23000);
	assert_false(read);
	ram_rd(p, 0x4102000, back, 0x1000);
	assert_memory_equal(back, buf, 0x1000);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_dma_fault(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *dma0 = fn(p, 1, 0);
	uint8_t buf[0x2000], back[0x1000];
	uint64_t addr;
	uint16_t sid;
	bool read;
	struct drv v;

	drv_init(&v, p);
	map_dma0(&v);
	drv_enable(&v);

	/* Unmapped IOVA: aborted, recorded with dma0's RID and the page. */
	assert_errno(EFAULT, hw_dma_read(dma0, false, 0, 0x12345, buf, 8));
	assert_int_equal(take_fault(&v, &sid, &addr, &read), VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(sid, RID_DMA0);
	assert_int_equal(addr, 0x12000);
	assert_true(read);
	no_fault(&v);
	/* A write running off the end of a mapping: the first page lands,
	 * the fault is on the second one. */
	pattern(buf, sizeof(buf), 5);
	assert_errno(EFAULT, hw_dma_write(dma0, false, 0, 0x11000, buf, sizeof(buf)));
	assert_int_equal(take_fault(&v, &sid, &addr, &read), VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(sid, RID_DMA0);
	assert_int_equal(addr, 0x12000);
	assert_false(read);
	ram_rd(p, 0x4003000, back, sizeof(back));
	assert_memory_equal(back, buf, sizeof(back));
	/* Another function without a context entry faults with its RID. */
	assert_errno(EFAULT, hw_dma_read(fn(p, 5, PCI_DEVFN(3, 0)), false, 0, 0x10000, buf, 4));
	take_fault(&v, &sid, &addr, &read);
	assert_int_equal(sid, RID_ROOTPCI);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_dma_pasid(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	struct hw_pcidev *dma0 = fn(p, 1, 0);
	uint16_t cap = hw_pcidev_find_ext_cap(dma0, PCI_EXT_CAP_ID_PASID);
	uint8_t out[4] = { 1, 2, 3, 4 }, back[4];
	uint64_t ss5;
	struct drv v;

	drv_init(&v, p);
	map_dma0(&v);
	ss5 = alloc_page(&v);
	set_pasid_ss(&v, 5, ss5, DID + 1);
	ss_map(&v, ss5, 0x10000, 0x4010000, 4096);
	inv_all(&v);
	drv_enable(&v);
	assert_int_not_equal(cap, 0);
	/* PCIe r6.2 §6.20: no PASID prefix before PASID Enable. */
	assert_errno(EPERM, hw_dma_write(dma0, true, 5, 0x10000, out, 4));
	wr(p, 1, 0, cap + PCI_PASID_CTRL, 2, PCI_PASID_CTRL_ENABLE);
	assert_ok(hw_dma_write(dma0, true, 5, 0x10000, out, 4));
	ram_rd(p, 0x4010000, back, 4);
	assert_memory_equal(back, out, 4);
	/* Without PASID the same IOVA goes through RID_PASID's table. */
	assert_ok(hw_dma_write(dma0, false, 0, 0x10000, "\x09\x08\x07\x06", 4));
	ram_rd(p, 0x4000000, back, 4);
	assert_memory_equal(back, "\x09\x08\x07\x06", 4);
	ram_rd(p, 0x4010000, back, 4);
	assert_memory_equal(back, out, 4);
	/* The legacy device has no PASID capability at all. */
	assert_errno(EPERM, hw_dma_write(fn(p, 3, PCI_DEVFN(5, 0)), true, 5, 0, out, 4));
	hw_platform_destroy(p);
	td_free(d);
}

/* ---- the DMA test device, driven through its BAR */

#define BAR0	(MMIO_BASE + 0x100000)

static uint32_t dt_rd32(struct hw_platform *p, unsigned int off)
{
	uint32_t x;

	assert_ok(hw_mmio_read(p, BAR0 + off, &x, 4));
	return x;
}

static void dt_wr32(struct hw_platform *p, unsigned int off, uint32_t x)
{
	assert_ok(hw_mmio_write(p, BAR0 + off, &x, 4));
}

static void dt_wr64(struct hw_platform *p, unsigned int off, uint64_t x)
{
	assert_ok(hw_mmio_write(p, BAR0 + off, &x, 8));
}

static void dt_run(struct hw_platform *p, uint32_t cmd, uint64_t src, uint64_t dst,
		   uint32_t len)
{
	dt_wr64(p, DMATEST_REG_SRC, src);
	/* DST as two dwords, high first, as a 32-bit driver would. */
	dt_wr32(p, DMATEST_REG_DST + 4, (uint32_t)(dst >> 32));
	dt_wr32(p, DMATEST_REG_DST, (uint32_t)dst);
	dt_wr32(p, DMATEST_REG_LEN, len);
	dt_wr32(p, DMATEST_REG_CMD, cmd);
	dt_wr32(p, DMATEST_REG_DOORBELL, 1);
}

static void test_dmatest_device(void **state)
{
	struct hw_desc_platform *d;
	struct hw_platform *p = std_up(&d);
	static uint8_t buf[0x1800], back[0x1800];
	uint64_t q = 0, addr;
	uint16_t sid;
	bool read;
	struct drv v;

	/* Config space: the model's default IDs. */
	assert_int_equal(rd(p, 1, 0, PCI_VENDOR_ID, 2), HW_DMATEST_VENDOR);
	assert_int_equal(rd(p, 1, 0, PCI_DEVICE_ID, 2), HW_DMATEST_DEVICE);
	assert_int_equal(rd(p, 1, 0, PCI_CLASS_REVISION, 4) >> 8, HW_DMATEST_CLASS);
	/* Size and place BAR0 inside the root port's window, like an OS. */
	wr(p, 1, 0, PCI_BASE_ADDRESS_0, 4, 0xffffffffu);
	assert_int_equal(rd(p, 1, 0, PCI_BASE_ADDRESS_0, 4), (uint32_t)~(DMATEST_BAR_SIZE - 1));
	wr(p, 1, 0, PCI_BASE_ADDRESS_0, 4, (uint32_t)BAR0);
	wr(p, 0, RP, PCI_MEMORY_BASE, 2, (uint16_t)(BAR0 >> 16));
	wr(p, 0, RP, PCI_MEMORY_LIMIT, 2, (uint16_t)(BAR0 >> 16));
	command(p, 0, RP, PCI_COMMAND_MEMORY, 0);
	command(p, 1, 0, PCI_COMMAND_MEMORY, 0);

	assert_int_equal(dt_rd32(p, DMATEST_REG_ID), DMATEST_ID);
	assert_int_equal(dt_rd32(p, DMATEST_REG_CAP), DMATEST_CAP_PASID);
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), 0);
	dt_wr64(p, DMATEST_REG_SRC, 0x123456789abcull);
	assert_ok(hw_mmio_read(p, BAR0 + DMATEST_REG_SRC, &q, 8));
	assert_int_equal(q, 0x123456789abcull);
	assert_int_equal(dt_rd32(p, DMATEST_REG_SRC + 4), 0x1234);

	/* Untranslated copy. */
	pattern(buf, sizeof(buf), 6);
	ram_wr(p, 0x6000000, buf, sizeof(buf));
	dt_run(p, DMATEST_CMD_OP_COPY, 0x6000000, 0x6100000, sizeof(buf));
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), DMATEST_STATUS_DONE);
	assert_int_equal(dt_rd32(p, DMATEST_REG_COUNT), 1);
	ram_rd(p, 0x6100000, back, sizeof(back));
	assert_memory_equal(back, buf, sizeof(back));
	dt_wr32(p, DMATEST_REG_STATUS, DMATEST_STATUS_DONE);	/* RW1C */
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), 0);

	/* Through the IOMMU: IOVA 0x10800 (two pages) to the 2M page. */
	drv_init(&v, p);
	map_dma0(&v);
	drv_enable(&v);
	ram_wr(p, 0x4000800, buf, 0x800);
	ram_wr(p, 0x4003000, buf + 0x800, 0x800);
	dt_run(p, DMATEST_CMD_OP_COPY, 0x10800, 0x2ff000, 0x1000);
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), DMATEST_STATUS_DONE);
	ram_rd(p, 0x42ff000, back, 0x1000);
	assert_memory_equal(back, buf, 0x1000);
	/* Fill with a pattern byte. */
	dt_wr32(p, DMATEST_REG_STATUS, DMATEST_STATUS_DONE);
	dt_run(p, DMATEST_CMD_OP_FILL | (0xa5 << DMATEST_CMD_FILL_SHIFT), 0, 0x200010, 16);
	ram_rd(p, 0x4200010, back, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(back[i], 0xa5);
	assert_int_equal(dt_rd32(p, DMATEST_REG_COUNT), 3);
	/* An unmapped source: error status, EFAULT, fault with its RID. */
	dt_wr32(p, DMATEST_REG_STATUS, DMATEST_STATUS_DONE);
	dt_run(p, DMATEST_CMD_OP_COPY, 0x900000, 0x200000, 64);
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), DMATEST_STATUS_ERROR);
	assert_int_equal(dt_rd32(p, DMATEST_REG_ERROR), EFAULT);
	assert_int_equal(dt_rd32(p, DMATEST_REG_COUNT), 3);
	take_fault(&v, &sid, &addr, &read);
	assert_int_equal(sid, RID_DMA0);
	assert_int_equal(addr, 0x900000);
	assert_true(read);
	/* Bus Master off: EPERM, nothing recorded by the IOMMU. */
	dt_wr32(p, DMATEST_REG_STATUS, DMATEST_STATUS_ERROR);
	master(p, 1, 0, false);
	dt_run(p, DMATEST_CMD_OP_COPY, 0x10800, 0x2ff000, 0x10);
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), DMATEST_STATUS_ERROR);
	assert_int_equal(dt_rd32(p, DMATEST_REG_ERROR), EPERM);
	no_fault(&v);
	/* With PASID valid but PASID not enabled in config space: EPERM. */
	master(p, 1, 0, true);
	dt_wr32(p, DMATEST_REG_PASID, DMATEST_PASID_VALID | 5);
	dt_run(p, DMATEST_CMD_OP_COPY, 0x10800, 0x2ff000, 0x10);
	assert_int_equal(dt_rd32(p, DMATEST_REG_ERROR), EPERM);
	/* An unknown op. */
	dt_wr32(p, DMATEST_REG_PASID, 0);
	dt_run(p, 0x7f, 0x10800, 0x2ff000, 0x10);
	assert_int_equal(dt_rd32(p, DMATEST_REG_ERROR), EINVAL);
	/* Function Level Reset... a warm reset clears the registers. */
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	wr(p, 0, RP, PCI_BRIDGE_CONTROL, 2, 0);
	command(p, 1, 0, PCI_COMMAND_MEMORY, 0);
	wr(p, 1, 0, PCI_BASE_ADDRESS_0, 4, (uint32_t)BAR0);
	assert_int_equal(dt_rd32(p, DMATEST_REG_STATUS), 0);
	assert_int_equal(dt_rd32(p, DMATEST_REG_COUNT), 0);
	hw_platform_destroy(p);
	td_free(d);
}

static void test_model_desc(void **state)
{
	struct hw_desc_platform *d = td_platform();
	struct hw_desc_host_bridge *h = td_host_bridge(d, 0, 0, 0xff);
	struct hw_desc_func *f;
	char err[256];

	assert_int_equal(hw_device_model_from_name("dma-test"), HW_DESC_MODEL_DMA_TEST);
	assert_int_equal(hw_device_model_from_name("generic"), HW_DESC_MODEL_GENERIC);
	assert_int_equal(hw_device_model_from_name("nope"), -EINVAL);
	assert_string_equal(hw_device_model_name(HW_DESC_MODEL_DMA_TEST), "dma-test");
	assert_null(hw_device_model_name(HW_DESC_MODEL_NR));
	/* The model owns BAR0. */
	f = td_dmatest(&h->devices, 3, 0, "dt");
	td_bar(f, 0, HW_BAR_MEM32, false, 0x2000);
	assert_int_equal(PTR_ERR(hw_platform_create(d, err, sizeof(err))), -EINVAL);
	f->bars[0].kind = HW_BAR_NONE;
	/* Only endpoints have models. */
	f = td_func(&h->devices, HW_DESC_ROOT_PORT, 4, 0, "rp");
	f->model = HW_DESC_MODEL_DMA_TEST;
	assert_int_equal(PTR_ERR(hw_platform_create(d, err, sizeof(err))), -EINVAL);
	assert_non_null(strstr(err, "model"));
	f->model = HW_DESC_MODEL_GENERIC;
	hw_platform_destroy(create(d));
	td_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_ram_and_iommu),
		cmocka_unit_test(test_two_segments),
		cmocka_unit_test(test_dma_passthrough),
		cmocka_unit_test(test_dma_bus_master),
		cmocka_unit_test(test_dma_requester_id),
		cmocka_unit_test(test_dma_alias_through_iommu),
		cmocka_unit_test(test_dma_translated),
		cmocka_unit_test(test_dma_contiguous_run),
		cmocka_unit_test(test_dma_fault),
		cmocka_unit_test(test_dma_pasid),
		cmocka_unit_test(test_dmatest_device),
		cmocka_unit_test(test_model_desc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
