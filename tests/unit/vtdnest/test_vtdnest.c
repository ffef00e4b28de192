// SPDX-License-Identifier: MIT
/*
 * Nested translation through the VT-d driver: a nest-parent paging domain
 * maps a "guest" physical address space onto host RAM; the test, playing
 * the guest, builds an x86-64 first-stage table inside that guest memory
 * and hands its GPA to a nested domain (struct iommu_hwpt_vtd_s1); the
 * device's DMA must then land where stage 1 and stage 2 together say, with
 * the unit walking both (VT-d §3.8). The kernel side touches the unit only
 * through MMIO and RAM; the test reads RAM and the unit's registers.
 */
#include <stdio.h>
#include <string.h>
#include <linux/iommufd.h>

#include "test.h"
#include "kernel/kdesc.h"
#include "kiommu/kworld.h"
#include "hw/fabric/dma.h"
#include "hw/fabric/fabric.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd_regs.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/intel/intel_iommu.h"
#include "kernel/pci/pci.h"

#define RAM		(64ull << 20)
#define SZ_4K		0x1000ull
#define SZ_2M		0x200000ull
#define ACS_ISOL	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

/* The guest: GPA [0, GUEST_SIZE) is host RAM at GUEST_HPA. */
#define GUEST_HPA	(16ull << 20)
#define GUEST_SIZE	(8ull << 20)
/* Its first-stage tables (GPAs), and the data pages stage 1 points at. */
#define S1_PML5		0x5000ull
#define S1_PML4		0x1000ull
#define S1_PDPT		0x2000ull
#define S1_PD		0x3000ull
#define S1_PT		0x4000ull
#define S1_ALT		0x8000ull	/* second table tree (another domain) */
#define DATA_GPA	0x100000ull
#define IOVA		0x40000000ull	/* PML4 0, PDPT 1, PD 0, PT 0 */

#define FS_TABLE	(VTD_FS_P | VTD_FS_RW | VTD_FS_US)

/* ------------------------------------------------------------ world */

/* 00:01.0 RP -> 01:00.0 dma-test; 00:02.0 RP -> 02:00.0 dma-test. */
static struct hw_desc_platform *desc(void)
{
	struct hw_desc_platform *p = kd_platform();
	struct hw_desc_host_bridge *h;
	unsigned int i;

	p->ram_size = RAM;
	h = kw_host(p);
	for (i = 1; i <= 2; i++) {
		struct hw_desc_func *rp = kw_func(&h->devices, HW_DESC_ROOT_PORT, (uint8_t)i, 0,
						  ACS_ISOL);

		kd_func(&rp->children, HW_DESC_ENDPOINT, 0, 0)->model = HW_DESC_MODEL_DMA_TEST;
	}
	return p;
}

static void up(struct kworld *w)
{
	w->desc = desc();
	w->ops = &intel_iommu_ops;
	kw_up(w);
}

static struct pci_dev *pdev(struct kworld *w, unsigned int bus)
{
	struct pci_dev *p = pci_get_domain_bus_and_slot(w->pci, 0, bus, PCI_DEVFN(0, 0));

	assert_non_null(p);
	return p;
}

static struct iommu_dev *idev(struct kworld *w, unsigned int bus)
{
	struct iommu_dev *d = iommu_dev_from_pci(w->isys, pdev(w, bus));

	assert_non_null(d);
	return d;
}

/* The device's side, Bus Master on (config writes up the path). */
static struct hw_pcidev *device(struct kworld *w, unsigned int bus)
{
	struct pci_dev *p;
	uint16_t cmd;

	for (p = pdev(w, bus); p; p = pci_upstream_bridge(p)) {
		assert_ok(pci_read_config_word(p, PCI_COMMAND, &cmd));
		assert_ok(pci_write_config_word(p, PCI_COMMAND, cmd | PCI_COMMAND_MASTER));
	}
	return hw_platform_cfg_target(w->hw, 0, (uint8_t)bus, 0);
}

/* ------------------------------------------------------------ guest */

static void gpa_st(struct kworld *w, uint64_t gpa, uint64_t val)
{
	assert_true(gpa + 8 <= GUEST_SIZE);
	assert_ok(hw_ram_write(w->hw, GUEST_HPA + gpa, &val, 8));
}

static uint64_t gpa_ld(struct kworld *w, uint64_t gpa)
{
	uint64_t v = 0;

	assert_ok(hw_ram_read(w->hw, GUEST_HPA + gpa, &v, 8));
	return v;
}

static unsigned int idx(uint64_t iova, unsigned int level)
{
	return (unsigned int)(iova >> (12 + 9 * (level - 1))) & 511;
}

/* The PTE (a GPA) mapping iova's 4 KiB page in the 4-level tree at
 * pml4, whose lower tables sit at pml4 + 0x1000, +0x2000, +0x3000. */
static uint64_t s1_pte(uint64_t pml4, uint64_t iova)
{
	return pml4 + 0x3000 + 8ull * idx(iova, 1);
}

/* The guest maps [iova, iova + n pages) to gpa with a 4-level table
 * (tables at pml4 + 0..0x3000; one PT, so the range stays in 2 MiB). */
static void s1_map(struct kworld *w, uint64_t pml4, uint64_t iova, uint64_t gpa,
		   unsigned int n)
{
	unsigned int i;

	gpa_st(w, pml4 + 8ull * idx(iova, 4), (pml4 + 0x1000) | FS_TABLE);
	gpa_st(w, pml4 + 0x1000 + 8ull * idx(iova, 3), (pml4 + 0x2000) | FS_TABLE);
	gpa_st(w, pml4 + 0x2000 + 8ull * idx(iova, 2), (pml4 + 0x3000) | FS_TABLE);
	for (i = 0; i < n; i++)
		gpa_st(w, s1_pte(pml4, iova + i * SZ_4K), (gpa + i * SZ_4K) | FS_TABLE);
}

/* A nest parent mapping the whole guest, for dev. */
static struct iommu_domain *parent_alloc(struct kworld *w, struct iommu_dev *dev)
{
	struct iommu_domain *p = iommu_paging_domain_alloc_flags(dev, IOMMU_PAGING_F_NEST_PARENT);

	assert_false(IS_ERR(p));
	assert_ok(iommu_map(p, 0, GUEST_HPA, GUEST_SIZE, IOMMU_READ | IOMMU_WRITE));
	return p;
}

static struct iommu_hwpt_vtd_s1 s1_data(uint64_t pgtbl, uint32_t width, uint64_t flags)
{
	return (struct iommu_hwpt_vtd_s1){
		.flags = flags, .pgtbl_addr = pgtbl, .addr_width = width,
	};
}

static struct iommu_domain *_nested(struct iommu_dev *dev, struct iommu_domain *parent,
				    const struct iommu_hwpt_vtd_s1 *s1)
{
	struct iommu_user_data ud = {
		.type = IOMMU_HWPT_DATA_VTD_S1, .uptr = s1, .len = sizeof(*s1),
	};

	return iommu_domain_alloc_nested(dev, parent, 0, &ud);
}

static struct iommu_domain *nested(struct iommu_dev *dev, struct iommu_domain *parent,
				   uint64_t pgtbl, uint32_t width)
{
	struct iommu_hwpt_vtd_s1 s1 = s1_data(pgtbl, width, 0);
	struct iommu_domain *d = _nested(dev, parent, &s1);

	if (IS_ERR(d))
		fail_msg("nested alloc: %ld", PTR_ERR(d));
	assert_int_equal(d->type, IOMMU_DOMAIN_NESTED);
	assert_ptr_equal(d->parent, parent);
	return d;
}

#define nested_err(E, dev, parent, s1) assert_err_ptr(E, _nested(dev, parent, s1))

static int _inv(struct iommu_domain *d, const struct iommu_hwpt_vtd_s1_invalidate *e,
		uint32_t n, uint32_t *handled)
{
	struct iommu_user_data_array a = {
		.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, .uptr = e,
		.entry_len = sizeof(*e), .entry_num = n,
	};
	int rc = iommu_domain_cache_invalidate_user(d, &a);

	*handled = a.entry_num;
	return rc;
}

static void inv(struct iommu_domain *d, uint64_t addr, uint64_t npages, uint32_t flags)
{
	struct iommu_hwpt_vtd_s1_invalidate e = { .addr = addr, .npages = npages, .flags = flags };
	uint32_t handled;

	assert_ok(_inv(d, &e, 1, &handled));
	assert_int_equal(handled, 1);
}

#define inv_err(E, d, e, n, handled) assert_errno(E, _inv(d, e, n, handled))

static void pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
}

static void hpa_expect(struct kworld *w, uint64_t hpa, const void *buf, size_t len)
{
	uint8_t back[256];

	assert_true(len <= sizeof(back));
	assert_ok(hw_ram_read(w->hw, hpa, back, len));
	assert_memory_equal(back, buf, len);
}

/* ------------------------------------------------------------ tests */

/* IOMMU_GET_HW_INFO's blob: the unit's CAP and ECAP as its registers say. */
static void test_hw_info(void **state)
{
	struct kworld w = { 0 };
	struct iommu_hw_info_vtd *info;
	uint32_t len = 0, type = 0;

	up(&w);
	info = iommu_get_hw_info(idev(&w, 1), &len, &type);
	assert_false(IS_ERR(info));
	assert_int_equal(type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(len, sizeof(*info));
	assert_int_equal(info->flags, 0);
	assert_int_equal(info->__reserved, 0);
	assert_int_equal(info->cap_reg, kw_reg64(&w, VTD_CAP_REG));
	assert_int_equal(info->ecap_reg, kw_reg64(&w, VTD_ECAP_REG));
	assert_true(info->ecap_reg & VTD_ECAP_NEST);
	assert_true(info->cap_reg & VTD_CAP_FS5LP);
	free(info);
	kw_down(&w);
}

/* A nest parent is a second-stage paging domain like any other: mappable,
 * attachable on its own; never a default domain, so never the DMA API's. */
static void test_nest_parent(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *n;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t buf[16] = "stage-2-only-ok", back[16];
	uint64_t iova;

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	assert_err_ptr(EOPNOTSUPP, iommu_paging_domain_alloc_flags(d, BIT(5)));
	p = parent_alloc(&w, d);
	assert_int_equal(p->type, IOMMU_DOMAIN_UNMANAGED);
	assert_true(p->nest_parent);
	assert_null(p->iovad);
	assert_ok(iommu_attach_group(p, d->group));
	assert_ok(hw_dma_write(dev, false, 0, DATA_GPA, buf, sizeof(buf)));
	hpa_expect(&w, GUEST_HPA + DATA_GPA, buf, sizeof(buf));
	/* The DMA API refuses a group that is not on its default domain. */
	assert_errno(EPERM, dma_map_single(d, GUEST_HPA, 64, DMA_TO_DEVICE, &iova));

	/* The parent cannot go while a nested domain sits on it. */
	n = nested(d, p, S1_PML4, 48);
	assert_int_equal(p->nr_nested, 1);
	iommu_detach_group(p, d->group);
	kw_log_capture();
	iommu_domain_free(p);
	assert_int_equal(kw_nr_errs, 1);
	assert_non_null(strstr(kw_last_err, "nested"));
	iommu_domain_free(n);
	assert_int_equal(p->nr_nested, 0);
	iommu_domain_free(p);
	assert_int_equal(kw_nr_errs, 1);
	/* Back on the DMA domain: that address is not mapped there. */
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, DATA_GPA, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, NULL, 0), 1);
	kw_down(&w);
}

/* Stage 1 in guest memory, stage 2 in the parent: the DMA lands at the
 * host address both together give; the unit set A/D in the guest's
 * table, which it reached through the second stage. */
static void test_nested_dma(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *n;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t buf[256], back[256];
	uint64_t pte;

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	p = parent_alloc(&w, d);
	/* IOVA page 0 -> GPA DATA+0x3000, page 1 -> GPA DATA (scattered). */
	s1_map(&w, S1_PML4, IOVA, DATA_GPA + 0x3000, 1);
	s1_map(&w, S1_PML4, IOVA + SZ_4K, DATA_GPA, 1);
	n = nested(d, p, S1_PML4, 48);
	assert_ok(iommu_attach_group(n, d->group));
	assert_ptr_equal(d->group->domain, n);
	assert_true(intel_iommu_domain_did(n, 0) >= 2);
	assert_int_equal(intel_iommu_domain_did(p, 0), 0);	/* parent not attached */

	pattern(buf, sizeof(buf), 1);
	assert_ok(hw_dma_write(dev, false, 0, IOVA + SZ_4K - 128, buf, sizeof(buf)));
	hpa_expect(&w, GUEST_HPA + DATA_GPA + 0x3000 + SZ_4K - 128, buf, 128);
	hpa_expect(&w, GUEST_HPA + DATA_GPA, buf + 128, 128);
	assert_ok(hw_dma_read(dev, false, 0, IOVA + SZ_4K - 128, back, sizeof(back)));
	assert_memory_equal(back, buf, sizeof(back));
	pte = gpa_ld(&w, s1_pte(S1_PML4, IOVA));
	assert_true(pte & VTD_FS_A);
	assert_true(pte & VTD_FS_D);
	assert_true(gpa_ld(&w, S1_PML4) & VTD_FS_A);
	/* Nested domains have no IOVA->PA of their own to report. */
	assert_int_equal(iommu_iova_to_phys(n, IOVA), 0);
	assert_errno(EINVAL, iommu_map(n, 0, 0, SZ_4K, IOMMU_READ));

	/* Every invalidation the driver queued completed. */
	assert_int_equal(kw_reg64(&w, VTD_IQH_REG), kw_reg64(&w, VTD_IQT_REG));
	iommu_detach_group(n, d->group);
	assert_ptr_equal(d->group->domain, d->group->default_domain);
	iommu_domain_free(n);
	iommu_domain_free(p);
	kw_down(&w);
}

/* A 5-level stage 1 (addr_width 57, FSPM=1): an IOVA above 2^48 that a
 * 4-level table could not even take (non-canonical). */
static void test_nested_5level(void **state)
{
	struct kworld w = { 0 };
	const uint64_t iova = 1ull << 50;	/* PML5 index 2, PML4 0, ... */
	struct iommu_domain *p, *n4, *n5;
	struct intel_iommu_fault f;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t buf[8] = "5-level", back[8];

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	p = parent_alloc(&w, d);
	gpa_st(&w, S1_PML5 + 8ull * ((iova >> 48) & 511), S1_PML4 | FS_TABLE);
	s1_map(&w, S1_PML4, iova, DATA_GPA, 1);
	n5 = nested(d, p, S1_PML5, 57);
	assert_ok(iommu_attach_group(n5, d->group));
	assert_ok(hw_dma_write(dev, false, 0, iova + 0x10, buf, sizeof(buf)));
	hpa_expect(&w, GUEST_HPA + DATA_GPA + 0x10, buf, sizeof(buf));

	/* The same IOVA through a 4-level table is non-canonical (SGN.1). */
	n4 = nested(d, p, S1_PML4, 48);
	assert_ok(iommu_group_replace_domain(d->group, n4));
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, iova, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SGN_CANONICAL);
	iommu_detach_group(n4, d->group);
	iommu_domain_free(n4);
	iommu_domain_free(n5);
	iommu_domain_free(p);
	kw_down(&w);
}

/* The unit caches the stage-1 translation: a change to the guest's table
 * is not seen until the user invalidates, then it is. */
static void test_nested_iotlb(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *n;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t a[16] = "first-mapping!!", b[16] = "second-mapping!", c[16] = "third-mapping!!";
	const uint64_t gpa1 = DATA_GPA, gpa2 = DATA_GPA + 0x10000, gpa3 = DATA_GPA + 0x20000;

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	p = parent_alloc(&w, d);
	s1_map(&w, S1_PML4, IOVA, gpa1, 1);
	n = nested(d, p, S1_PML4, 48);
	assert_ok(iommu_attach_group(n, d->group));
	assert_ok(hw_dma_write(dev, false, 0, IOVA, a, sizeof(a)));	/* IOTLB warm */
	hpa_expect(&w, GUEST_HPA + gpa1, a, sizeof(a));

	/* The guest repoints the page and does not tell: stale, as on
	 * hardware (the A/D bits are already set, so no re-walk either). */
	gpa_st(&w, s1_pte(S1_PML4, IOVA), gpa2 | FS_TABLE | VTD_FS_A | VTD_FS_D);
	assert_ok(hw_dma_write(dev, false, 0, IOVA, b, sizeof(b)));
	hpa_expect(&w, GUEST_HPA + gpa1, b, sizeof(b));
	/* Page-selective PASID-based invalidation, leaf only. */
	inv(n, IOVA, 1, IOMMU_VTD_INV_FLAGS_LEAF);
	assert_ok(hw_dma_write(dev, false, 0, IOVA, c, sizeof(c)));
	hpa_expect(&w, GUEST_HPA + gpa2, c, sizeof(c));
	hpa_expect(&w, GUEST_HPA + gpa1, b, sizeof(b));

	/* Again, invalidating everything (addr 0, npages U64_MAX). */
	gpa_st(&w, s1_pte(S1_PML4, IOVA), gpa3 | FS_TABLE | VTD_FS_A | VTD_FS_D);
	assert_ok(hw_dma_write(dev, false, 0, IOVA, a, sizeof(a)));
	hpa_expect(&w, GUEST_HPA + gpa2, a, sizeof(a));
	inv(n, 0, UINT64_MAX, 0);
	assert_ok(hw_dma_write(dev, false, 0, IOVA, b, sizeof(b)));
	hpa_expect(&w, GUEST_HPA + gpa3, b, sizeof(b));

	/* A range whose aligned block is wider than CAP.MAMV: PASID-wide. */
	gpa_st(&w, s1_pte(S1_PML4, IOVA), gpa1 | FS_TABLE | VTD_FS_A | VTD_FS_D);
	inv(n, IOVA - SZ_4K, 1ull << 30, 0);
	assert_ok(hw_dma_write(dev, false, 0, IOVA, c, sizeof(c)));
	hpa_expect(&w, GUEST_HPA + gpa1, c, sizeof(c));
	/* npages 0 is handled and does nothing. */
	inv(n, IOVA, 0, 0);
	assert_int_equal(kw_reg64(&w, VTD_IQH_REG), kw_reg64(&w, VTD_IQT_REG));
	assert_false(kw_reg32(&w, VTD_FSTS_REG) & VTD_FSTS_IQE);

	iommu_detach_group(n, d->group);
	iommu_domain_free(n);
	iommu_domain_free(p);
	kw_down(&w);
}

/* A stage-2 unmap in the parent reaches the nested domain's cached
 * combined translations (they are tagged with the nested DID). */
static void test_nested_parent_unmap(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *n;
	struct intel_iommu_fault f;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t buf[8] = "s2-gone", back[8];

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	p = iommu_paging_domain_alloc_flags(d, IOMMU_PAGING_F_NEST_PARENT);
	assert_false(IS_ERR(p));
	/* Tables and data in separate 4 KiB stage-2 pages. */
	assert_ok(iommu_map(p, 0, GUEST_HPA, SZ_2M, IOMMU_READ | IOMMU_WRITE));
	assert_ok(iommu_map(p, SZ_2M, GUEST_HPA + SZ_2M, SZ_4K, IOMMU_READ | IOMMU_WRITE));
	s1_map(&w, S1_PML4, IOVA, SZ_2M, 1);
	n = nested(d, p, S1_PML4, 48);
	assert_ok(iommu_attach_group(n, d->group));
	assert_ok(hw_dma_write(dev, false, 0, IOVA, buf, sizeof(buf)));
	hpa_expect(&w, GUEST_HPA + SZ_2M, buf, sizeof(buf));

	assert_int_equal(iommu_unmap(p, SZ_2M, SZ_4K), SZ_4K);
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, IOVA, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SSS_NOT_PRESENT);
	assert_int_equal(f.addr, IOVA);
	/* Mapped again (elsewhere): the new host page answers. */
	assert_ok(iommu_map(p, SZ_2M, GUEST_HPA + 2 * SZ_2M, SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_ok(hw_dma_write(dev, false, 0, IOVA, buf, sizeof(buf)));
	hpa_expect(&w, GUEST_HPA + 2 * SZ_2M, buf, sizeof(buf));

	iommu_detach_group(n, d->group);
	iommu_domain_free(n);
	iommu_domain_free(p);
	kw_down(&w);
}

/* Not present in stage 1: the unit records SFS.2 for the IOVA; the driver
 * reports it in Linux's words. A stage-1 table pointer the parent does
 * not map faults as a nested walk error. */
static void test_nested_fault(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *n, *far;
	struct intel_iommu_fault f;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint8_t back[8];

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	p = parent_alloc(&w, d);
	s1_map(&w, S1_PML4, IOVA, DATA_GPA, 1);
	n = nested(d, p, S1_PML4, 48);
	assert_ok(iommu_attach_group(n, d->group));
	kw_log_capture();
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, IOVA + SZ_4K, back, sizeof(back)));
	/* The fault event interrupt already serviced the record. */
	assert_false(kw_reg32(&w, VTD_FSTS_REG) & VTD_FSTS_PPF);
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SFS_NOT_PRESENT);
	assert_int_equal(f.sid, 0x0100);
	assert_int_equal(f.addr, IOVA + SZ_4K);
	assert_true(f.read);
	assert_string_equal(kw_last_err, "DMAR: [DMA Read NO_PASID] Request device [01:00.0] "
			    "fault addr 0x40001000 [fault reason 0x71] "
			    "SM: First-stage entry not present");
	/* A write to a read-only stage-1 page. */
	gpa_st(&w, s1_pte(S1_PML4, IOVA), DATA_GPA | VTD_FS_P | VTD_FS_US);
	inv(n, IOVA, 1, 0);
	assert_errno(EFAULT, hw_dma_write(dev, false, 0, IOVA, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SGN_WRITE);

	/* Stage-1 root beyond what the parent maps: the walk's first read
	 * through the second stage fails. */
	far = nested(d, p, GUEST_SIZE + 0x10000, 48);
	assert_ok(iommu_group_replace_domain(d->group, far));
	assert_errno(EFAULT, hw_dma_read(dev, false, 0, IOVA, back, sizeof(back)));
	assert_int_equal(intel_iommu_fault_poll(w.isys, &f, 1), 1);
	assert_int_equal(f.reason, VTD_FR_SSS_NOT_PRESENT);

	iommu_detach_group(far, d->group);
	iommu_domain_free(far);
	iommu_domain_free(n);
	iommu_domain_free(p);
	kw_down(&w);
}

/* Two nested domains over one parent, same IOVA, different stage-1
 * tables: each device sees its own (their DIDs differ). Then the first
 * group moves from its nested domain to the parent itself and back. */
static void test_two_nested_one_parent(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *n1, *n2;
	struct iommu_dev *d1, *d2;
	struct hw_pcidev *dev1, *dev2;
	uint8_t a[8] = "device1", b[8] = "device2";

	up(&w);
	d1 = idev(&w, 1);
	d2 = idev(&w, 2);
	assert_ptr_not_equal(d1->group, d2->group);
	dev1 = device(&w, 1);
	dev2 = device(&w, 2);
	p = parent_alloc(&w, d1);
	s1_map(&w, S1_PML4, IOVA, DATA_GPA, 1);
	s1_map(&w, S1_ALT, IOVA, DATA_GPA + SZ_4K, 1);
	n1 = nested(d1, p, S1_PML4, 48);
	n2 = nested(d2, p, S1_ALT, 48);
	assert_ok(iommu_attach_group(n1, d1->group));
	assert_ok(iommu_attach_group(n2, d2->group));
	assert_int_not_equal(intel_iommu_domain_did(n1, 0), intel_iommu_domain_did(n2, 0));
	assert_ok(hw_dma_write(dev1, false, 0, IOVA, a, sizeof(a)));
	assert_ok(hw_dma_write(dev2, false, 0, IOVA, b, sizeof(b)));
	hpa_expect(&w, GUEST_HPA + DATA_GPA, a, sizeof(a));
	hpa_expect(&w, GUEST_HPA + DATA_GPA + SZ_4K, b, sizeof(b));

	/* Replace: group 1 straight onto the parent (stage 2 only). */
	assert_ok(iommu_group_replace_domain(d1->group, p));
	assert_int_equal(intel_iommu_domain_did(n1, 0), 0);
	assert_ok(hw_dma_write(dev1, false, 0, 0x300000, a, sizeof(a)));
	hpa_expect(&w, GUEST_HPA + 0x300000, a, sizeof(a));
	assert_ok(iommu_group_replace_domain(d1->group, n1));
	assert_ok(hw_dma_write(dev1, false, 0, IOVA + 8, a, sizeof(a)));
	hpa_expect(&w, GUEST_HPA + DATA_GPA + 8, a, sizeof(a));

	iommu_detach_group(n1, d1->group);
	iommu_detach_group(n2, d2->group);
	iommu_domain_free(n1);
	iommu_domain_free(n2);
	iommu_domain_free(p);
	kw_down(&w);
}

/* Bad user data gets Linux's errno and changes nothing: no domain, no
 * page, the group still translating through what it had. */
static void test_bad_user_data(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *p, *plain, *n;
	struct iommu_hwpt_vtd_s1 s1;
	struct iommu_user_data ud;
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint64_t pages;
	uint8_t buf[8] = "still-1", back[8];

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	p = parent_alloc(&w, d);
	plain = iommu_paging_domain_alloc(d);
	assert_false(IS_ERR(plain));
	s1_map(&w, S1_PML4, IOVA, DATA_GPA, 1);
	n = nested(d, p, S1_PML4, 48);
	assert_ok(iommu_attach_group(n, d->group));
	pages = intel_iommu_pages_in_use(w.isys);

	/* Unknown flags, reserved field: -EOPNOTSUPP. */
	s1 = s1_data(S1_PML4, 48, BIT(3));
	nested_err(EOPNOTSUPP, d, p, &s1);
	s1 = s1_data(S1_PML4, 48, 0);
	s1.__reserved = 1;
	nested_err(EOPNOTSUPP, d, p, &s1);
	/* Address widths other than 48 and 57, unaligned table: -EINVAL. */
	s1 = s1_data(S1_PML4, 39, 0);
	nested_err(EINVAL, d, p, &s1);
	s1 = s1_data(S1_PML4, 0, 0);
	nested_err(EINVAL, d, p, &s1);
	s1 = s1_data(S1_PML4, 64, 0);
	nested_err(EINVAL, d, p, &s1);
	s1 = s1_data(S1_PML4 + 0x800, 48, 0);
	nested_err(EINVAL, d, p, &s1);
	/* Parents: a plain paging domain, a nested one, the DMA domain. */
	s1 = s1_data(S1_PML4, 48, 0);
	nested_err(EINVAL, d, plain, &s1);
	nested_err(EINVAL, d, n, &s1);
	nested_err(EINVAL, d, d->group->default_domain, &s1);
	/* Lengths and types (Linux's iommu_copy_struct_from_user()). */
	ud = (struct iommu_user_data){ IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1) - 4 };
	assert_err_ptr(EINVAL, iommu_domain_alloc_nested(d, p, 0, &ud));
	ud.len = sizeof(s1) + 8;
	assert_err_ptr(EINVAL, iommu_domain_alloc_nested(d, p, 0, &ud));
	ud.len = 0;
	assert_err_ptr(EOPNOTSUPP, iommu_domain_alloc_nested(d, p, 0, &ud));
	ud = (struct iommu_user_data){ IOMMU_HWPT_DATA_NONE, &s1, sizeof(s1) };
	assert_err_ptr(EOPNOTSUPP, iommu_domain_alloc_nested(d, p, 0, &ud));
	ud.type = IOMMU_HWPT_DATA_VTD_S1;
	assert_err_ptr(EOPNOTSUPP, iommu_domain_alloc_nested(d, p, IOMMU_PAGING_F_NEST_PARENT, &ud));

	/* Nothing was made; the device still sees its nested translation. */
	assert_int_equal(p->nr_nested, 1);
	assert_int_equal(intel_iommu_pages_in_use(w.isys), pages);
	assert_ptr_equal(d->group->domain, n);
	assert_ok(hw_dma_write(dev, false, 0, IOVA, buf, sizeof(buf)));
	hpa_expect(&w, GUEST_HPA + DATA_GPA, buf, sizeof(buf));

	/* Invalidation entries (Linux's intel_nested_cache_invalidate_user). */
	{
		struct iommu_hwpt_vtd_s1_invalidate e[3] = {
			{ .addr = IOVA, .npages = 1 },
			{ .addr = IOVA, .npages = 1, .flags = BIT(1) },
			{ .addr = IOVA, .npages = 1 },
		};
		struct iommu_user_data_array a;
		uint32_t handled = 99;

		inv_err(EOPNOTSUPP, n, e, 3, &handled);		/* unknown flag */
		assert_int_equal(handled, 1);
		e[1].flags = 0;
		e[1].__reserved = 1;
		inv_err(EOPNOTSUPP, n, e, 3, &handled);		/* reserved */
		assert_int_equal(handled, 1);
		e[1].__reserved = 0;
		e[1].addr = IOVA + 0x10;
		inv_err(EINVAL, n, e, 3, &handled);		/* unaligned */
		assert_int_equal(handled, 1);
		e[1].addr = IOVA;
		e[1].npages = UINT64_MAX;
		inv_err(EINVAL, n, e, 3, &handled);		/* "all" needs addr 0 */
		assert_int_equal(handled, 1);
		e[1].npages = 1;
		assert_ok(_inv(n, e, 3, &handled));
		assert_int_equal(handled, 3);
		assert_ok(_inv(n, e, 0, &handled));		/* empty: type probe */
		assert_int_equal(handled, 0);

		a = (struct iommu_user_data_array){ 7, e, sizeof(e[0]), 3 };
		assert_errno(EINVAL, iommu_domain_cache_invalidate_user(n, &a));
		assert_int_equal(a.entry_num, 0);
		a = (struct iommu_user_data_array){ IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, e,
						    sizeof(e[0]) - 8, 2 };
		assert_errno(EINVAL, iommu_domain_cache_invalidate_user(n, &a));
		assert_int_equal(a.entry_num, 0);
		a = (struct iommu_user_data_array){ IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, e,
						    sizeof(e[0]), 1 };
		assert_errno(EINVAL, iommu_domain_cache_invalidate_user(p, &a));
		assert_int_equal(a.entry_num, 0);
	}

	iommu_detach_group(n, d->group);
	iommu_domain_free(n);
	iommu_domain_free(plain);
	iommu_domain_free(p);
	(void)back;
	kw_down(&w);
}

/*
 * Every allocation, attach and queued invalidation on the nested path can
 * fail: each failure is reported, leaves the group where it was and leaks
 * nothing, until the whole sequence succeeds. Injection stops before
 * teardown (detach and free must succeed, as in Linux); *injected says
 * whether it struck.
 */
static int nested_sequence(struct iommu_dev *d, struct hw_pcidev *dev, bool *injected)
{
	struct iommu_domain *before = d->group->domain;
	struct iommu_domain *p, *n = NULL;
	uint8_t buf[4] = "fni";
	bool attached = false;
	int rc;

	p = iommu_paging_domain_alloc_flags(d, IOMMU_PAGING_F_NEST_PARENT);
	if (IS_ERR(p)) {
		rc = (int)PTR_ERR(p);
		p = NULL;
		goto out;
	}
	rc = iommu_map(p, 0, GUEST_HPA, GUEST_SIZE, IOMMU_READ | IOMMU_WRITE);
	if (rc)
		goto out;
	n = _nested(d, p, &(struct iommu_hwpt_vtd_s1){ .pgtbl_addr = S1_PML4, .addr_width = 48 });
	if (IS_ERR(n)) {
		rc = (int)PTR_ERR(n);
		n = NULL;
		goto out;
	}
	rc = iommu_attach_group(n, d->group);
	if (rc) {
		/* Refused: still on the old domain. */
		assert_ptr_equal(d->group->domain, before);
		goto out;
	}
	attached = true;
	{
		struct iommu_hwpt_vtd_s1_invalidate e = { .addr = IOVA, .npages = 1 };
		uint32_t handled;

		rc = _inv(n, &e, 1, &handled);
		assert_int_equal(handled, rc ? 0 : 1);
	}
	if (!rc)
		assert_ok(hw_dma_write(dev, false, 0, IOVA, buf, sizeof(buf)));
out:
	*injected = fault_injected();
	fault_inject_nth(0);
	if (attached)
		iommu_detach_group(n, d->group);
	iommu_domain_free(n);
	iommu_domain_free(p);
	return rc;
}

/* The kernel's DMA API through the default domain (its tables, once
 * made, stay until the domain goes: call once before counting pages). */
static void dma_api_works(struct kworld *w, struct iommu_dev *d, struct hw_pcidev *dev)
{
	uint8_t x[4] = "ok!";
	uint64_t iova;

	assert_ok(dma_map_single(d, GUEST_HPA + 0x7000, sizeof(x), DMA_BIDIRECTIONAL, &iova));
	assert_ok(hw_dma_write(dev, false, 0, iova, x, sizeof(x)));
	hpa_expect(w, GUEST_HPA + 0x7000, x, sizeof(x));
	dma_unmap_single(d, iova, sizeof(x), DMA_BIDIRECTIONAL);
}

static void test_fault_injection(void **state)
{
	struct kworld w = { 0 };
	struct iommu_dev *d;
	struct hw_pcidev *dev;
	uint64_t pages;
	unsigned long n;
	bool done = false, injected;
	int rc;

	up(&w);
	d = idev(&w, 1);
	dev = device(&w, 1);
	s1_map(&w, S1_PML4, IOVA, DATA_GPA, 1);
	dma_api_works(&w, d, dev);
	pages = intel_iommu_pages_in_use(w.isys);
	kw_log_capture();
	for (n = 1; n < 400 && !done; n++) {
		fault_inject_nth(n);
		rc = nested_sequence(d, dev, &injected);
		if (!injected) {
			assert_ok(rc);
			done = true;
		} else if (rc && rc != -ENOMEM && rc != -ETIMEDOUT) {
			/* rc 0: struck where failure is only logged (the IOTLB
			 * flush of a DID being retired). */
			fail_msg("fail_nth=%lu: rc %d (%s)", n, rc, kw_last_err);
		}
		/* Nothing leaked, the group back where it was and working. */
		assert_int_equal(intel_iommu_pages_in_use(w.isys), pages);
		assert_ptr_equal(d->group->domain, d->group->default_domain);
		dma_api_works(&w, d, dev);
	}
	assert_true(done);
	assert_true(n > 8);
	assert_null(strstr(kw_last_err, "still allocated"));
	kw_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hw_info),
		cmocka_unit_test(test_nest_parent),
		cmocka_unit_test(test_nested_dma),
		cmocka_unit_test(test_nested_5level),
		cmocka_unit_test(test_nested_iotlb),
		cmocka_unit_test(test_nested_parent_unmap),
		cmocka_unit_test(test_nested_fault),
		cmocka_unit_test(test_two_nested_one_parent),
		cmocka_unit_test(test_bad_user_data),
		cmocka_unit_test(test_fault_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
