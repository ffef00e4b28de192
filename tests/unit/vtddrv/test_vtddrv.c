// SPDX-License-Identifier: MIT
/*
 * The VT-d driver (kernel/iommu/intel) against the VT-d model: the kernel
 * side programs the unit only through MMIO and RAM; the test then acts as
 * the device (hw_dma_*, hardware-side API) and checks where its DMA lands,
 * what faults and what the driver reports.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "kernel/kdesc.h"
#include "kiommu/kworld.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd_regs.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/intel/intel_iommu.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/pci/pci.h"

#define RAM		(64ull << 20)
#define SZ_4K		0x1000ull
#define SZ_2M		0x200000ull
#define ACS_ISOL	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)
#define SZ_1G		0x40000000ull

/* ------------------------------------------------------------ world */

static struct hw_desc_func *dmatest(struct list_head *list, uint8_t dev, uint8_t fn)
{
	struct hw_desc_func *f = kd_func(list, HW_DESC_ENDPOINT, dev, fn);

	f->model = HW_DESC_MODEL_DMA_TEST;
	return f;
}

/*
 * 00:01.0 RP -> 01:00.0 dma-test (alone)
 * 00:02.0 RP -> 02:00.0 + 02:00.1 dma-test (multi-function, no ACS: one group)
 * 00:03.0 RP -> 03:00.0 PCIe-to-PCI bridge -> 04:01.0, 04:02.0 dma-test
 *               (requests carry the alias 04:00.0)
 */
static struct hw_desc_platform *std_desc(void)
{
	struct hw_desc_platform *p = kd_platform();
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp1, *rp2, *rp3, *p2p;

	p->ram_size = RAM;
	h = kw_host(p);
	rp1 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, ACS_ISOL);
	rp2 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 2, 0, ACS_ISOL);
	rp3 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 3, 0, ACS_ISOL);
	dmatest(&rp1->children, 0, 0);
	dmatest(&rp2->children, 0, 0);
	dmatest(&rp2->children, 0, 1);
	p2p = kd_func(&rp3->children, HW_DESC_PCIE_PCI_BRIDGE, 0, 0);
	dmatest(&p2p->children, 1, 0);
	dmatest(&p2p->children, 2, 0);
	return p;
}

static void up(struct kworld *w)
{
	w->desc = std_desc();
	w->ops = &intel_iommu_ops;
	kw_up(w);
}

static struct pci_dev *pdev(struct kworld *w, unsigned int bus, unsigned int dev,
			    unsigned int fn)
{
	struct pci_dev *p = pci_get_domain_bus_and_slot(w->pci, 0, bus, PCI_DEVFN(dev, fn));

	if (!p)
		fail_msg("no 00:%02x:%02x.%u", bus, dev, fn);
	return p;
}

static struct iommu_dev *idev(struct kworld *w, unsigned int bus, unsigned int dev,
			      unsigned int fn)
{
	struct iommu_dev *d = iommu_dev_from_pci(w->isys, pdev(w, bus, dev, fn));

	assert_non_null(d);
	return d;
}

/* The kernel turns on Bus Master Enable on the function and every bridge
 * above it (Linux pci_set_master() per driver), by config writes. */
static void set_master(struct pci_dev *p)
{
	uint16_t cmd;

	for (; p; p = pci_upstream_bridge(p)) {
		assert_ok(pci_read_config_word(p, PCI_COMMAND, &cmd));
		assert_ok(pci_write_config_word(p, PCI_COMMAND, cmd | PCI_COMMAND_MASTER));
	}
}

/* The device's side: its model, as the fabric knows it. */
static struct hw_pcidev *device(struct kworld *w, unsigned int bus, unsigned int dev,
				unsigned int fn)
{
	struct hw_pcidev *d;

	set_master(pdev(w, bus, dev, fn));
	d = hw_platform_cfg_target(w->hw, 0, (uint8_t)bus, (uint8_t)PCI_DEVFN(dev, fn));
	assert_non_null(d);
	return d;
}

static void pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 13 + seed);
}

static void ram_expect(struct kworld *w, uint64_t pa, const void *buf, size_t len)
{
	static uint8_t back[2 * SZ_2M];

	assert_true(len <= sizeof(back));
	assert_ok(hw_ram_read(w->hw, pa, back, len));
	assert_memory_equal(back, buf, len);
}

/* ------------------------------------------------------------ tests */

static void test_page_pool(void **state)
{
	struct kworld w = { .desc = std_desc() };
	struct kpage_pool *pool;
	uint64_t base, size, a, b, c;
	uint8_t junk[16];

	kw_hw_pci(&w);
	/* The kernel owns the top quarter of 64 MiB. */
	kpage_reserved_range(w.hw, &base, &size);
	assert_int_equal(size, 16ull << 20);
	assert_int_equal(base, RAM - size);
	assert_err_ptr(EINVAL, kpage_pool_create(w.hw, RAM - SZ_4K, 2 * SZ_4K));
	assert_err_ptr(EINVAL, kpage_pool_create(w.hw, 0x800, SZ_4K));

	pool = kpage_pool_create(w.hw, 1ull << 20, 2 * SZ_4K);
	assert_false(IS_ERR(pool));
	/* Pages come back zeroed even if RAM held data. */
	memset(junk, 0xa5, sizeof(junk));
	assert_ok(hw_ram_write(w.hw, 1ull << 20, junk, sizeof(junk)));
	assert_ok(kpage_alloc(pool, &a));
	assert_ok(kpage_alloc(pool, &b));
	assert_int_not_equal(a, b);
	assert_true(a == (1ull << 20) || b == (1ull << 20));
	ram_expect(&w, 1ull << 20, (uint8_t[16]){ 0 }, 16);
	assert_errno(ENOMEM, kpage_alloc(pool, &c));
	kpage_free(pool, a);
	assert_ok(kpage_alloc(pool, &c));
	assert_int_equal(c, a);
	/* Bad frees are reported, not acted on. */
	kw_log_capture();
	kpage_free(pool, c + 8);
	assert_int_equal(kw_nr_errs, 1);
	kpage_free(pool, b);
	kpage_free(pool, b);
	assert_int_equal(kw_nr_errs, 2);
	assert_non_null(strstr(kw_last_err, "double free"));
	assert_int_equal(pool->nr_free, 1);
	kpage_free(pool, c);
	kpage_pool_destroy(pool);
	assert_int_equal(kw_nr_errs, 2);
	kw_down(&w);
}

static void test_init_programs_unit(void **state)
{
	struct kworld w = { 0 };
	uint32_t gsts;
	uint64_t rta, base, size;
	struct iommu_dev *d;

	up(&w);
	assert_string_equal(w.isys->ops->name, "intel-iommu");
	assert_int_equal(intel_iommu_nr_units(w.isys), 1);
	/* Root table latched in scalable mode, queue and translation on. */
	gsts = kw_reg32(&w, VTD_GSTS_REG);
	assert_true(gsts & VTD_GSTS_TES);
	assert_true(gsts & VTD_GSTS_QIES);
	rta = kw_reg64(&w, VTD_RTADDR_REG);
	assert_int_equal((rta & VTD_RTADDR_TTM_MASK) >> VTD_RTADDR_TTM_SHIFT, VTD_RTADDR_TTM_SM);
	kpage_reserved_range(w.hw, &base, &size);
	assert_true((rta & VTD_RTADDR_RTA_MASK) >= base);
	assert_true((rta & VTD_RTADDR_RTA_MASK) < base + size);
	/* Each queued invalidation ended with a wait the unit completed. */
	assert_int_equal(kw_reg64(&w, VTD_IQH_REG), kw_reg64(&w, VTD_IQT_REG));
	assert_false(kw_reg32(&w, VTD_FSTS_REG) & VTD_FSTS_IQE);
	/* Every device sits on a DMA domain with a DID on unit 0. */
	iommu_for_each_dev(w.isys, d) {
		assert_int_equal(d->group->domain->type, IOMMU_DOMAIN_DMA);
		assert_true(intel_iommu_domain_did(d->group->domain, 0) >= 2);
	}
	assert_true(intel_iommu_pages_in_use(w.isys) > 3);
	/* Teardown turns translation off and gives every page back (the
	 * pool reports leaks as errors). */
	kw_log_capture();
	iommu_subsys_destroy(w.isys);
	w.isys = NULL;
	assert_int_equal(kw_nr_errs, 0);
	assert_false(kw_reg32(&w, VTD_GSTS_REG) & (VTD_GSTS_TES | VTD_GSTS_QIES));
	kw_down(&w);
}

static void test_no_unit(void **state)
{
	struct kworld w = { .desc = std_desc() };

	w.desc->iommu = HW_DESC_IOMMU_NONE;
	kw_hw_pci(&w);
	assert_err_ptr(ENODEV, iommu_subsys_create(w.pci, &intel_iommu_ops));
	kw_down(&w);
}

/* Map IOVA -> RAM in a paging domain; the device's DMA lands there. */
static void test_paging_dma(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *d;
	struct hw_pcidev *dev;
	static uint8_t buf[SZ_2M + SZ_4K], back[SZ_4K];
	const uint64_t pa4k = 4ull << 20, pa2m = 8ull << 20;

	up(&w);
	dev = device(&w, 1, 0, 0);
	d = iommu_paging_domain_alloc(idev(&w, 1, 0, 0));
	assert_false(IS_ERR(d));
	assert_true(d->pgsize_bitmap & SZ_2M);
	assert_true(d->pgsize_bitmap & SZ_1G);
	assert_ok(iommu_attach_group(d, idev(&w, 1, 0, 0)->group));

	/* 4 KiB pages, physically scattered: iova+0 -> pa4k+4K, +4K -> pa4k. */
	assert_ok(iommu_map(d, 0x10000, pa4k + SZ_4K, SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_ok(iommu_map(d, 0x11000, pa4k, SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_errno(EEXIST, iommu_map(d, 0x11000, pa4k, SZ_4K, IOMMU_READ));
	pattern(buf, 2 * SZ_4K, 1);
	assert_ok(hw_dma_write(dev, false, 0, 0x10000, buf, 2 * SZ_4K));
	ram_expect(&w, pa4k + SZ_4K, buf, SZ_4K);
	ram_expect(&w, pa4k, buf + SZ_4K, SZ_4K);
	assert_ok(hw_dma_read(dev, false, 0, 0x10800, back, SZ_4K));
	assert_memory_equal(back, buf + 0x800, SZ_4K);
	assert_int_equal(iommu_iova_to_phys(d, 0x11234), pa4k + 0x234);

	/* A 2 MiB leaf, then a 4 KiB one next to it. */
	assert_ok(iommu_map(d, 0x40000000 - SZ_2M, pa2m, SZ_2M + SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_int_equal(iommu_iova_to_phys(d, 0x40000000 - SZ_2M + 0x12345), pa2m + 0x12345);
	pattern(buf, sizeof(buf), 7);
	assert_ok(hw_dma_write(dev, false, 0, 0x40000000 - SZ_2M, buf, sizeof(buf)));
	ram_expect(&w, pa2m, buf, sizeof(buf));
	/* Read-only mapping: a write faults. */
	assert_ok(iommu_map(d, 0x20000, pa4k, SZ_4K, IOMMU_READ));
	assert_ok(hw_dma_read(dev, false, 0, 0x20000, back, 16));
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_write(dev, false, 0, 0x20000, buf, 16));
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 1);
	assert_non_null(strstr(kw_last_err, "[DMA Write NO_PASID] Request device [01:00.0] "
				"fault addr 0x20000 [fault reason 0x85]"));

	iommu_detach_group(d, idev(&w, 1, 0, 0)->group);
	iommu_domain_free(d);
	kw_down(&w);
}

/* Unmapped IOVA: the DMA fails and the driver reports the fault with the
 * right requester ID, address and direction, and clears it. */
static void test_fault_report(void **state)
{
	struct kworld w = { 0 };
	struct intel_iommu_fault f[4];
	struct hw_pcidev *dev;
	uint8_t buf[64] = { 0 };

	up(&w);
	dev = device(&w, 1, 0, 0);
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, 0x7654000, buf, sizeof(buf)));
	/* The fault event interrupt serviced the record as it was made:
	 * the hardware holds nothing, the driver's log has it. */
	assert_false(kw_reg32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_int_equal(intel_iommu_fault_poll(w.isys, f, 4), 1);
	assert_int_equal(f[0].sid, 0x0100);
	assert_int_equal(f[0].addr, 0x7654000);
	assert_true(f[0].read);
	assert_false(f[0].has_pasid);
	assert_int_equal(f[0].reason, VTD_FR_SSS_NOT_PRESENT);
	assert_string_equal(kw_last_err, "DMAR: [DMA Read NO_PASID] Request device [01:00.0] "
			    "fault addr 0x7654000 [fault reason 0x79] "
			    "SM: Second-stage entry not present");
	/* Cleared: nothing pending, nothing reported twice. */
	assert_false(kw_reg32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_int_equal(intel_iommu_fault_poll(w.isys, f, 4), 0);

	/* Behind the PCIe-to-PCI bridge the unit sees the alias 04:00.0. */
	dev = device(&w, 4, 2, 0);
	assert_errno(EFAULT, hw_dma_write(dev, false, 0, 0x5000, buf, 8));
	assert_int_equal(intel_iommu_fault_poll(w.isys, f, 4), 1);
	assert_int_equal(f[0].sid, 0x0400);
	assert_false(f[0].read);
	assert_non_null(strstr(kw_last_err, "[DMA Write NO_PASID] Request device [04:00.0]"));
	kw_down(&w);
}

/* After unmap the unit must not keep serving the old translation from
 * its IOTLB: the driver's invalidation is what makes it disappear. */
static void test_unmap_invalidates(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *d;
	struct hw_pcidev *dev;
	uint8_t buf[32], back[32];
	const uint64_t pa = 12ull << 20;

	up(&w);
	dev = device(&w, 1, 0, 0);
	d = iommu_paging_domain_alloc(idev(&w, 1, 0, 0));
	assert_false(IS_ERR(d));
	assert_ok(iommu_attach_group(d, idev(&w, 1, 0, 0)->group));
	assert_ok(iommu_map(d, 0x300000, pa, SZ_2M, IOMMU_READ | IOMMU_WRITE));
	pattern(buf, sizeof(buf), 3);
	assert_ok(hw_dma_write(dev, false, 0, 0x300100, buf, sizeof(buf)));	/* IOTLB warm */
	ram_expect(&w, pa + 0x100, buf, sizeof(buf));

	assert_int_equal(iommu_unmap(d, 0x300000, SZ_2M), SZ_2M);
	assert_int_equal(iommu_iova_to_phys(d, 0x300100), 0);
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, 0x300100, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 1);

	/* Remap elsewhere (as 4 KiB pages this time, the tables left by the
	 * 2 MiB mapping reused): the new page answers, not the old one. */
	assert_ok(iommu_map(d, 0x300000, pa + SZ_2M, SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_ok(hw_dma_write(dev, false, 0, 0x300100, buf, sizeof(buf)));
	ram_expect(&w, pa + SZ_2M + 0x100, buf, sizeof(buf));
	assert_int_equal(iommu_unmap(d, 0x300000, SZ_4K), SZ_4K);
	/* And a 2 MiB leaf again where only empty tables remain. */
	assert_ok(iommu_map(d, 0x200000, pa, SZ_2M, IOMMU_READ | IOMMU_WRITE));
	assert_ok(hw_dma_read(dev, false, 0, 0x200100, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(back));
	assert_int_equal(iommu_unmap(d, 0x200000, SZ_2M), SZ_2M);
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, 0x200100, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 1);

	iommu_detach_group(d, idev(&w, 1, 0, 0)->group);
	iommu_domain_free(d);
	kw_down(&w);
}

/* Identity (pass-through) and blocked domains. */
static void test_identity_and_blocked(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g;
	struct intel_iommu_fault f;
	struct hw_pcidev *dev;
	uint8_t buf[16] = "identity-dma-ok", back[16];
	static int owner;

	up(&w);
	dev = device(&w, 1, 0, 0);
	g = idev(&w, 1, 0, 0)->group;
	assert_ok(iommu_attach_group(w.isys->ops->identity_domain, g));
	assert_ok(hw_dma_write(dev, false, 0, 0x500000, buf, sizeof(buf)));
	ram_expect(&w, 0x500000, buf, sizeof(buf));
	iommu_detach_group(w.isys->ops->identity_domain, g);
	/* Back on the DMA domain: the same address is not mapped there. */
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, 0x500000, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SSS_NOT_PRESENT);

	/* A user claims the group: it is blocked until it attaches. */
	assert_ok(iommu_group_claim_dma_owner(g, &owner));
	assert_ptr_equal(g->domain, w.isys->ops->blocked_domain);
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, 0x500000, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SPT_NOT_PRESENT);
	assert_int_equal(f.sid, 0x0100);
	iommu_group_release_dma_owner(g);
	kw_down(&w);
}

/* Attaching a group moves every device of it, aliases included. */
static void test_group_attach(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *mf, *legacy;
	struct iommu_domain *d;
	struct hw_pcidev *f0, *f1, *l1, *l2;
	uint8_t buf[8] = "groupok", back[8];
	const uint64_t pa = 20ull << 20;

	up(&w);
	mf = idev(&w, 2, 0, 0)->group;
	assert_ptr_equal(idev(&w, 2, 0, 1)->group, mf);
	assert_int_equal(mf->nr_devices, 2);
	legacy = idev(&w, 4, 1, 0)->group;
	assert_ptr_equal(idev(&w, 4, 2, 0)->group, legacy);
	assert_ptr_equal(idev(&w, 3, 0, 0)->group, legacy);
	f0 = device(&w, 2, 0, 0);
	f1 = device(&w, 2, 0, 1);
	l1 = device(&w, 4, 1, 0);
	l2 = device(&w, 4, 2, 0);

	d = iommu_paging_domain_alloc(idev(&w, 2, 0, 0));
	assert_false(IS_ERR(d));
	assert_ok(iommu_map(d, 0x100000, pa, SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_ok(iommu_attach_group(d, mf));
	assert_ok(iommu_attach_group(d, legacy));
	/* One DID on the unit for the domain, whoever attached. */
	assert_true(intel_iommu_domain_did(d, 0) >= 2);
	assert_ok(hw_dma_write(f0, false, 0, 0x100000, buf, 4));
	assert_ok(hw_dma_write(f1, false, 0, 0x100004, buf + 4, 4));
	ram_expect(&w, pa, buf, sizeof(buf));
	memset(back, 0, sizeof(back));
	assert_ok(hw_dma_read(l1, false, 0, 0x100000, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(back));
	memset(back, 0, sizeof(back));
	assert_ok(hw_dma_read(l2, false, 0, 0x100000, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(back));

	/* Detach: both groups back on their own DMA domains, where this
	 * IOVA means nothing. */
	iommu_detach_group(d, mf);
	iommu_detach_group(d, legacy);
	assert_int_equal(intel_iommu_domain_did(d, 0), 0);
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(f1, false, 0, 0x100000, back, 4));
	assert_errno(EFAULT, hw_dma_read(l2, false, 0, 0x100000, back, 4));
	{
		struct intel_iommu_fault f[4];

		assert_int_equal(intel_iommu_fault_poll(w.isys, f, 4), 2);
		/* Both requesters, whatever order the records come in. */
		assert_int_equal(f[0].sid ^ f[1].sid, 0x0201 ^ 0x0400);
	}
	iommu_domain_free(d);
	kw_down(&w);
}

/* The kernel's DMA API through the default DMA domain, end to end. */
static void test_dma_api(void **state)
{
	struct kworld w = { 0 };
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t buf[100];
	uint64_t iova;
	const uint64_t phys = (6ull << 20) + 0x80;

	up(&w);
	d = idev(&w, 1, 0, 0);
	dev = device(&w, 1, 0, 0);
	assert_ok(dma_map_single(d, phys, sizeof(buf), DMA_FROM_DEVICE, &iova));
	assert_int_equal(iova & 0xfff, 0x80);
	pattern(buf, sizeof(buf), 9);
	assert_ok(hw_dma_write(dev, false, 0, iova, buf, sizeof(buf)));
	ram_expect(&w, phys, buf, sizeof(buf));
	/* DMA_FROM_DEVICE: the device may not read it. */
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, iova, buf, 4));
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 1);
	dma_unmap_single(d, iova, sizeof(buf), DMA_FROM_DEVICE);
	assert_errno(EFAULT, hw_dma_write(dev, false, 0, iova, buf, 4));
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 1);
	kw_down(&w);
}

/* Every allocation and invalidation of driver init can fail: the subsystem
 * then fails cleanly (no leak, translation left off) until it succeeds. */
static void test_fault_injection_init(void **state)
{
	struct kworld w = { .desc = std_desc() };
	struct iommu_subsys *isys;
	unsigned long n;
	bool done = false;

	kw_hw_pci(&w);
	kw_log_capture();
	for (n = 1; n < 500 && !done; n++) {
		fault_inject_nth(n);
		isys = iommu_subsys_create(w.pci, &intel_iommu_ops);
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_false(IS_ERR(isys));
			done = true;
		} else {
			fault_inject_nth(0);
			if (!IS_ERR(isys)) {
				/* Injected where failure is absorbed (none yet). */
				iommu_subsys_destroy(isys);
				continue;
			}
			assert_true(PTR_ERR(isys) == -ENOMEM || PTR_ERR(isys) == -ETIMEDOUT);
			assert_false(kw_reg32(&w, VTD_GSTS_REG) & VTD_GSTS_TES);
			continue;
		}
		iommu_subsys_destroy(isys);
	}
	assert_true(done);
	assert_true(n > 10);
	/* No page-pool leak message along the way. */
	assert_null(strstr(kw_last_err, "still allocated"));
	kw_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_pool),
		cmocka_unit_test(test_init_programs_unit),
		cmocka_unit_test(test_no_unit),
		cmocka_unit_test(test_paging_dma),
		cmocka_unit_test(test_fault_report),
		cmocka_unit_test(test_unmap_invalidates),
		cmocka_unit_test(test_identity_and_blocked),
		cmocka_unit_test(test_group_attach),
		cmocka_unit_test(test_dma_api),
		cmocka_unit_test(test_fault_injection_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
