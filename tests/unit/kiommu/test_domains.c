// SPDX-License-Identifier: MIT
/*
 * kernel/iommu domains, attach, DMA ownership, the mock driver's page
 * table, the IOVA allocator and the DMA API.
 */
#include <string.h>

#include "kworld.h"
#include "kernel/iommu/iova.h"
#include "kernel/iommu/io_pgtable.h"

#define SZ_4K	0x1000ull
#define SZ_2M	0x200000ull

/* 00:01.0 RP (no ACS) -> 01:00.0 + 01:00.1: a group of three;
 * 00:02.0 RP (ACS) -> 02:00.0: a single-device group. */
static void two_group_world(struct kworld *w)
{
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *rp0, *rp1;

	w->desc = kd_platform();
	h = kw_host(w->desc);
	rp0 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 1, 0, 0);
	rp1 = kw_func(&h->devices, HW_DESC_ROOT_PORT, 2, 0,
		      PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
	kw_func(&rp0->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_func(&rp0->children, HW_DESC_ENDPOINT, 0, 1, 0);
	kw_func(&rp1->children, HW_DESC_ENDPOINT, 0, 0, 0);
	kw_up(w);
}

static void assert_group_on(struct iommu_group *g, struct iommu_domain *d)
{
	struct iommu_dev *dev;

	assert_ptr_equal(g->domain, d);
	iommu_group_for_each_dev(g, dev)
		assert_ptr_equal(iommu_mock_dev_domain(dev), d);
}

/* ------------------------------------------------------------ attach */

static void test_attach_moves_group(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g;
	struct iommu_domain *d;

	two_group_world(&w);
	g = kw_group(&w, 1, 0, 0);
	assert_int_equal(g->nr_devices, 3);
	assert_group_on(g, g->default_domain);
	assert_int_equal(g->default_domain->type, IOMMU_DOMAIN_DMA);

	d = iommu_paging_domain_alloc(kw_dev(&w, 1, 0, 1));
	assert_false(IS_ERR(d));
	assert_int_equal(d->type, IOMMU_DOMAIN_UNMANAGED);
	assert_ok(iommu_attach_group(d, g));
	assert_group_on(g, d);
	assert_ptr_equal(iommu_get_domain_for_dev(kw_dev(&w, 0, 1, 0)), d);
	/* Only from a core domain may a group move elsewhere. */
	assert_errno(EBUSY, iommu_attach_group(g->default_domain, g));
	/* Several devices: the per-device API refuses. */
	assert_errno(EINVAL, iommu_attach_device(d, kw_dev(&w, 1, 0, 0)));

	iommu_detach_group(d, g);
	assert_group_on(g, g->default_domain);
	iommu_domain_free(d);
	kw_down(&w);
}

static void test_attach_failure_reverts(void **state)
{
	struct kworld w = { 0 };
	struct iommu_group *g;
	struct iommu_domain *d;

	two_group_world(&w);
	g = kw_group(&w, 1, 0, 0);
	d = iommu_paging_domain_alloc(kw_dev(&w, 1, 0, 0));
	assert_false(IS_ERR(d));
	/* The last device of the group refuses: the first ones go back. */
	iommu_mock_set_attach_error(kw_dev(&w, 1, 0, 1), -ENOSPC);
	assert_errno(ENOSPC, iommu_attach_group(d, g));
	assert_group_on(g, g->default_domain);
	assert_int_equal(d->users, 0);
	iommu_mock_set_attach_error(kw_dev(&w, 1, 0, 1), 0);
	assert_ok(iommu_attach_group(d, g));
	assert_int_equal(d->users, 1);
	/* Replace goes straight from d to another domain. */
	{
		struct iommu_domain *d2 = iommu_paging_domain_alloc(kw_dev(&w, 1, 0, 0));

		assert_false(IS_ERR(d2));
		assert_ok(iommu_group_replace_domain(g, d2));
		assert_group_on(g, d2);
		assert_int_equal(d->users, 0);
		iommu_detach_group(d2, g);
		iommu_domain_free(d2);
	}
	iommu_domain_free(d);
	kw_down(&w);
}

static void test_attach_device_single(void **state)
{
	struct kworld w = { 0 };
	struct iommu_dev *dev;
	struct iommu_domain *d;

	two_group_world(&w);
	dev = kw_dev(&w, 2, 0, 0);
	assert_int_equal(dev->group->nr_devices, 1);
	d = iommu_paging_domain_alloc(dev);
	assert_false(IS_ERR(d));
	assert_ok(iommu_attach_device(d, dev));
	assert_ptr_equal(iommu_mock_dev_domain(dev), d);
	iommu_detach_device(d, dev);
	assert_ptr_equal(iommu_mock_dev_domain(dev), dev->group->default_domain);
	iommu_domain_free(d);
	kw_down(&w);
}

/* ------------------------------------------------------------ ownership */

static void test_claim_dma_owner(void **state)
{
	struct kworld w = { 0 };
	struct iommu_dev *a, *b, *c;
	struct iommu_group *g;
	struct iommu_domain *d;
	int owner1, owner2;

	two_group_world(&w);
	a = kw_dev(&w, 1, 0, 0);
	b = kw_dev(&w, 1, 0, 1);
	c = kw_dev(&w, 0, 1, 0);
	g = a->group;

	/* A kernel driver on one device keeps users away from the group. */
	assert_ok(iommu_device_use_default_domain(a));
	assert_errno(EPERM, iommu_group_claim_dma_owner(g, &owner1));
	assert_errno(EPERM, iommu_device_claim_dma_owner(b, &owner1));
	iommu_device_unuse_default_domain(a);

	/* A user claims the group: it moves to the blocking domain. */
	assert_errno(EINVAL, iommu_group_claim_dma_owner(g, NULL));
	assert_ok(iommu_group_claim_dma_owner(g, &owner1));
	assert_true(iommu_group_dma_owner_claimed(g));
	assert_non_null(g->blocking_domain);
	assert_int_equal(g->blocking_domain->type, IOMMU_DOMAIN_BLOCKED);
	assert_group_on(g, g->blocking_domain);
	assert_errno(EBUSY, iommu_device_use_default_domain(c));
	assert_errno(EPERM, iommu_group_claim_dma_owner(g, &owner2));
	assert_errno(EPERM, iommu_device_claim_dma_owner(b, &owner2));
	/* The owner attaches its own domain; detach returns to blocking. */
	d = iommu_paging_domain_alloc(a);
	assert_false(IS_ERR(d));
	assert_ok(iommu_attach_group(d, g));
	iommu_detach_group(d, g);
	assert_group_on(g, g->blocking_domain);
	iommu_group_release_dma_owner(g);
	assert_false(iommu_group_dma_owner_claimed(g));
	assert_group_on(g, g->default_domain);

	/* Per-device claims with one owner share; the last release ends it. */
	assert_ok(iommu_device_claim_dma_owner(a, &owner1));
	assert_ok(iommu_device_claim_dma_owner(b, &owner1));
	assert_int_equal(g->owner_cnt, 2);
	iommu_device_release_dma_owner(a);
	assert_true(iommu_group_dma_owner_claimed(g));
	iommu_device_release_dma_owner(b);
	assert_false(iommu_group_dma_owner_claimed(g));

	/* Attached to a non-core domain by the kernel: claiming is -EBUSY. */
	assert_ok(iommu_attach_group(d, g));
	assert_errno(EBUSY, iommu_group_claim_dma_owner(g, &owner1));
	assert_errno(EBUSY, iommu_device_claim_dma_owner(a, &owner1));
	iommu_detach_group(d, g);
	iommu_domain_free(d);
	kw_down(&w);
}

/* ------------------------------------------------------------ mappings */

static void test_mock_map_unmap(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *d;
	struct io_pgtable *pgt;

	two_group_world(&w);
	d = iommu_paging_domain_alloc(kw_dev(&w, 2, 0, 0));
	assert_false(IS_ERR(d));
	pgt = iommu_mock_pgtable(d);
	assert_non_null(pgt);

	assert_ok(iommu_map(d, 0x10000, 0x7654000, 3 * SZ_4K, IOMMU_READ | IOMMU_WRITE));
	assert_int_equal(iommu_iova_to_phys(d, 0x10000), 0x7654000);
	assert_int_equal(iommu_iova_to_phys(d, 0x12abc), 0x7656abc);
	assert_int_equal(iommu_iova_to_phys(d, 0x13000), 0);
	assert_int_equal(pgt->nr_leaves, 3);
	assert_errno(EEXIST, iommu_map(d, 0x11000, 0x1000, SZ_4K, IOMMU_READ));
	assert_errno(EINVAL, iommu_map(d, 0x10800, 0x1000, SZ_4K, IOMMU_READ));
	assert_errno(EINVAL, iommu_map(d, 1ull << 48, 0x1000, SZ_4K, IOMMU_READ));

	/* 4 MiB + 4 KiB, 2 MiB aligned on both sides: two 2 MiB leaves and
	 * one 4 KiB leaf. */
	assert_ok(iommu_map(d, 0x40000000, 0x80000000, 2 * SZ_2M + SZ_4K, IOMMU_READ));
	assert_int_equal(pgt->nr_leaves, 3 + 3);
	assert_int_equal(iommu_iova_to_phys(d, 0x40312345), 0x80312345);
	/* Unaligned on the physical side: 4 KiB pages only. */
	assert_ok(iommu_map(d, 0x80000000, 0x90001000, SZ_2M, IOMMU_READ));
	assert_int_equal(pgt->nr_leaves, 6 + 512);

	/* Unmap stops at the first hole and reports what it removed. */
	assert_int_equal(iommu_unmap(d, 0x10000, 4 * SZ_4K), 3 * SZ_4K);
	assert_int_equal(iommu_iova_to_phys(d, 0x10000), 0);
	assert_int_equal(iommu_unmap(d, 0x40000000, 2 * SZ_2M + SZ_4K), 2 * SZ_2M + SZ_4K);
	assert_int_equal(iommu_unmap(d, 0x80000000, SZ_2M), SZ_2M);
	assert_int_equal(pgt->nr_leaves, 0);
	assert_int_equal(pgt->nr_tables, 1);	/* empty tables freed */

	/* A failing map leaves nothing behind. */
	fault_inject_nth(3);
	assert_errno(ENOMEM, iommu_map(d, 0x200000, 0x200000, 8 * SZ_4K, IOMMU_READ));
	fault_inject_nth(0);
	assert_int_equal(pgt->nr_leaves, 0);
	assert_int_equal(iommu_iova_to_phys(d, 0x200000), 0);
	iommu_domain_free(d);
	kw_down(&w);
}

static void test_identity_and_blocked(void **state)
{
	assert_int_equal(iommu_iova_to_phys(iommu_mock_ops.identity_domain, 0x1234), 0x1234);
	assert_int_equal(iommu_iova_to_phys(iommu_mock_ops.blocked_domain, 0x1234), 0);
	assert_errno(EINVAL, iommu_map(iommu_mock_ops.blocked_domain, 0, 0, SZ_4K, IOMMU_READ));
}

/* A driver without nesting or hardware info (the mock): the core says
 * -EOPNOTSUPP, as Linux's iommufd does for ops a driver lacks. */
static void test_nested_unsupported(void **state)
{
	struct kworld w = { 0 };
	struct iommu_domain *d;
	struct iommu_dev *dev;
	uint32_t len, type, data = 0;
	struct iommu_user_data ud = { 1, &data, sizeof(data) };
	struct iommu_user_data_array a = { 0, &data, sizeof(data), 1 };

	two_group_world(&w);
	dev = kw_dev(&w, 2, 0, 0);
	assert_err_ptr(EOPNOTSUPP, iommu_get_hw_info(dev, &len, &type));
	assert_err_ptr(EOPNOTSUPP, iommu_paging_domain_alloc_flags(dev, IOMMU_PAGING_F_NEST_PARENT));
	assert_err_ptr(EOPNOTSUPP, iommu_paging_domain_alloc_flags(dev, BIT(7)));
	d = iommu_paging_domain_alloc_flags(dev, 0);
	assert_false(IS_ERR(d));
	assert_false(d->nest_parent);
	assert_err_ptr(EOPNOTSUPP, iommu_domain_alloc_nested(dev, d, 0, &ud));
	assert_errno(EINVAL, iommu_domain_cache_invalidate_user(d, &a));
	assert_int_equal(a.entry_num, 0);
	iommu_domain_free(d);
	kw_down(&w);
}

/* ------------------------------------------------------------ IOVA */

static void test_iova_alloc(void **state)
{
	struct iova_domain *iovad;
	struct iova *a, *b, *c;

	assert_err_ptr(EINVAL, iova_domain_create(3000, 0, 0xffff));
	iovad = iova_domain_create(SZ_4K, SZ_4K, 0xfffff);	/* pfns 1..255 */
	assert_false(IS_ERR(iovad));

	/* Top-down from the limit; size-aligned to the power of two above. */
	a = alloc_iova(iovad, 3, 0xff, true);
	assert_false(IS_ERR(a));
	assert_int_equal(a->pfn_lo, 0xfc);	/* aligned to 4 */
	assert_int_equal(a->pfn_hi, 0xfe);
	b = alloc_iova(iovad, 16, 0xff, true);
	assert_false(IS_ERR(b));
	assert_int_equal(b->pfn_lo, 0xe0);
	c = alloc_iova(iovad, 5, 0xff, false);	/* fills the gap above b */
	assert_false(IS_ERR(c));
	assert_int_equal(c->pfn_lo, 0xf7);
	assert_ptr_equal(find_iova(iovad, 0xe5), b);
	assert_null(find_iova(iovad, 0xf6));
	assert_err_ptr(EINVAL, alloc_iova(iovad, 0, 0xff, false));
	/* Below the limit only. */
	a = alloc_iova(iovad, 1, 0x10, false);
	assert_int_equal(a->pfn_lo, 0x10);

	/* Reserved ranges are skipped and merge; allocations block them. */
	assert_errno(EBUSY, reserve_iova(iovad, 0xe0, 0xe0));
	assert_ok(reserve_iova(iovad, 0x80, 0x9f));
	assert_ok(reserve_iova(iovad, 0xa0, 0xbf));
	assert_ok(reserve_iova(iovad, 0xc0, 0xdf));
	c = find_iova(iovad, 0x90);
	assert_non_null(c);
	assert_true(c->reserved);
	assert_int_equal(c->pfn_lo, 0x80);
	assert_int_equal(c->pfn_hi, 0xdf);
	assert_errno(ENOENT, free_iova(iovad, 0x90));
	a = alloc_iova(iovad, 32, 0xff, true);
	assert_int_equal(a->pfn_lo, 0x60);

	/* Exhaustion: a 64-aligned block of 64 would need 0x0 (outside the
	 * space, which starts at pfn 1) or 0x40 (overlaps 0x60). */
	assert_err_ptr(ENOMEM, alloc_iova(iovad, 64, 0xff, true));
	assert_err_ptr(ENOMEM, alloc_iova(iovad, 256, 0xff, false));
	assert_err_ptr(ENOMEM, alloc_iova(iovad, 1, 0, false));
	assert_ok(free_iova(iovad, 0x10));
	assert_errno(ENOENT, free_iova(iovad, 0x10));
	a = alloc_iova(iovad, 32, 0xff, true);
	assert_int_equal(a->pfn_lo, 0x40);
	a = alloc_iova(iovad, 32, 0xff, true);
	assert_int_equal(a->pfn_lo, 0x20);
	assert_err_ptr(ENOMEM, alloc_iova(iovad, 32, 0xff, true));
	a = alloc_iova(iovad, 31, 0xff, false);
	assert_false(IS_ERR(a));
	assert_int_equal(a->pfn_lo, 1);
	/* What is left: pfn 0xff above the first range and 0xf0..0xf6. */
	a = alloc_iova(iovad, 1, 0xff, false);
	assert_int_equal(a->pfn_lo, 0xff);
	assert_err_ptr(ENOMEM, alloc_iova(iovad, 8, 0xff, false));
	a = alloc_iova(iovad, 7, 0xff, false);
	assert_int_equal(a->pfn_lo, 0xf0);
	assert_err_ptr(ENOMEM, alloc_iova(iovad, 1, 0xff, false));
	assert_int_equal(iovad->nr_allocated, 9);
	iova_domain_destroy(iovad);
}

/* ------------------------------------------------------------ DMA API */

static void test_dma_api(void **state)
{
	struct kworld w = { 0 };
	struct iommu_dev *dev;
	struct iommu_domain *d;
	uint64_t dma, dma2;
	int owner;

	two_group_world(&w);
	dev = kw_dev(&w, 2, 0, 0);
	d = dev->group->default_domain;
	assert_int_equal(d->type, IOMMU_DOMAIN_DMA);

	assert_ok(dma_map_single(dev, 0x12345678, 0x2100, DMA_TO_DEVICE, &dma));
	/* 32-bit device, offset kept, IOVA translates to the buffer. */
	assert_true(dma + 0x2100 <= 0x100000000ull);
	assert_int_equal(dma & 0xfff, 0x678);
	assert_int_equal(iommu_iova_to_phys(d, dma), 0x12345678);
	assert_int_equal(iommu_iova_to_phys(d, dma + 0x2000), 0x12347678);
	/* The MSI window is never handed out. */
	assert_false(dma >= 0xfee00000 && dma <= 0xfeefffff);

	assert_ok(dma_set_mask(dev, ~0ull));
	assert_ok(dma_map_single(dev, 0x1000, SZ_4K, DMA_FROM_DEVICE, &dma2));
	assert_true(dma2 >= 0x100000000ull);
	dma_unmap_single(dev, dma2, SZ_4K, DMA_FROM_DEVICE);
	assert_int_equal(iommu_iova_to_phys(d, dma2), 0);

	/* While a user owns the group the kernel cannot map. */
	assert_ok(iommu_group_claim_dma_owner(dev->group, &owner));
	assert_errno(EPERM, dma_map_single(dev, 0x1000, SZ_4K, DMA_TO_DEVICE, &dma2));
	iommu_group_release_dma_owner(dev->group);

	dma_unmap_single(dev, dma, 0x2100, DMA_TO_DEVICE);
	assert_int_equal(iommu_iova_to_phys(d, dma), 0);
	assert_int_equal(d->iovad->nr_allocated, 0);
	kw_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_moves_group),
		cmocka_unit_test(test_attach_failure_reverts),
		cmocka_unit_test(test_attach_device_single),
		cmocka_unit_test(test_claim_dma_owner),
		cmocka_unit_test(test_mock_map_unmap),
		cmocka_unit_test(test_identity_and_blocked),
		cmocka_unit_test(test_nested_unsupported),
		cmocka_unit_test(test_iova_alloc),
		cmocka_unit_test(test_dma_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
