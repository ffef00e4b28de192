// SPDX-License-Identifier: MIT
/*
 * The selftest side of iommufd: IOMMU_TEST_CMD and the mock IOMMU the
 * kernel's tools/testing/selftests/iommu run against. The mock domain has
 * no page table: it remembers, per MOCK_IO_PAGE_SIZE granule of IOVA, the
 * address it maps to, which MD_CHECK_MAP compares with the caller's pages.
 * Its aperture is [MOCK_APERTURE_START, MOCK_APERTURE_LAST] and its only
 * page size MOCK_IO_PAGE_SIZE (half a CPU page), as iommufd_test.h and
 * Linux drivers/iommu/iommufd/selftest.c define them.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"

#define MOCK_IO_PAGE_SIZE (IOMMUFD_PAGE_SIZE / 2)

/* ---- mock domain: sorted array of (iova granule, paddr granule) ---- */

struct mock_pfn {
	uint64_t index;	/* iova / MOCK_IO_PAGE_SIZE */
	uint64_t pfn;	/* paddr / MOCK_IO_PAGE_SIZE */
	bool dirty;	/* the mock "device" wrote it (IOMMU_TEST_OP_DIRTY) */
};

struct mock_domain {
	struct iommu_domain domain;
	struct mock_pfn *pfns;	/* sorted by index */
	size_t nr, cap;
	bool dirty_tracking;	/* Linux MOCK_DIRTY_TRACK */
};

/* MOCK_HUGE_PAGE_SIZE of Linux: what MOCK_FLAGS_DEVICE_HUGE_IOVA adds. */
#define MOCK_HUGE_PAGE_SIZE (512 * MOCK_IO_PAGE_SIZE)
#define MOCK_HUGE_GRANULES (MOCK_HUGE_PAGE_SIZE / MOCK_IO_PAGE_SIZE)

static struct mock_domain *to_mock(struct iommu_domain *d)
{
	return container_of(d, struct mock_domain, domain);
}

/* Index of the first entry >= index. */
static size_t mock_find(struct mock_domain *m, uint64_t index)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->pfns[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t mock_unmap(struct iommu_domain *d, uint64_t iova, uint64_t len)
{
	struct mock_domain *m = to_mock(d);
	uint64_t first = iova / MOCK_IO_PAGE_SIZE;
	uint64_t n = len / MOCK_IO_PAGE_SIZE;
	size_t lo = mock_find(m, first), hi = lo;

	while (hi < m->nr && m->pfns[hi].index < first + n)
		hi++;
	if (hi - lo != n)
		pl_err("iommufd mock: unmap of %llu granules found %zu",
		       (unsigned long long)n, hi - lo);
	memmove(&m->pfns[lo], &m->pfns[hi], (m->nr - hi) * sizeof(*m->pfns));
	m->nr -= hi - lo;
	return (uint64_t)(hi - lo) * MOCK_IO_PAGE_SIZE;
}

static int mock_map(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		    uint64_t len, int prot)
{
	struct mock_domain *m = to_mock(d);
	uint64_t n = len / MOCK_IO_PAGE_SIZE, i;
	size_t pos;

	(void)prot;
	/*
	 * Linux's mock map_pages has a fault-injection point of its own
	 * (its xarray retries allocations): -ENOENT, nothing mapped.
	 */
	if (should_fail("mock_domain_map_pages"))
		return -ENOENT;
	if (iova % MOCK_IO_PAGE_SIZE || len % MOCK_IO_PAGE_SIZE ||
	    paddr % MOCK_IO_PAGE_SIZE)
		return -EINVAL;
	if (m->nr + n > m->cap) {
		size_t cap = MAX(m->cap * 2, m->nr + n);
		struct mock_pfn *p = pl_realloc(m->pfns, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		m->pfns = p;
		m->cap = cap;
	}
	pos = mock_find(m, iova / MOCK_IO_PAGE_SIZE);
	if (pos < m->nr && m->pfns[pos].index < iova / MOCK_IO_PAGE_SIZE + n)
		return -EEXIST;	/* the io_pagetable never double maps */
	memmove(&m->pfns[pos + n], &m->pfns[pos], (m->nr - pos) * sizeof(*m->pfns));
	for (i = 0; i < n; i++) {
		m->pfns[pos + i].index = iova / MOCK_IO_PAGE_SIZE + i;
		m->pfns[pos + i].pfn = paddr / MOCK_IO_PAGE_SIZE + i;
		m->pfns[pos + i].dirty = false;
	}
	m->nr += n;
	return 0;
}

static uint64_t mock_iova_to_phys(struct iommu_domain *d, uint64_t iova)
{
	struct mock_domain *m = to_mock(d);
	size_t pos = mock_find(m, iova / MOCK_IO_PAGE_SIZE);

	if (pos == m->nr || m->pfns[pos].index != iova / MOCK_IO_PAGE_SIZE)
		return 0;
	return m->pfns[pos].pfn * MOCK_IO_PAGE_SIZE + iova % MOCK_IO_PAGE_SIZE;
}

static void mock_free(struct iommu_domain *d)
{
	struct mock_domain *m = to_mock(d);

	if (m->nr)
		pl_err("iommufd mock: domain freed with %zu mappings", m->nr);
	free(m->pfns);
	free(m);
}

static int mock_set_dirty_tracking(struct iommu_domain *d, bool enable)
{
	if (enable && !d->dirty_ops)
		return -EINVAL;
	to_mock(d)->dirty_tracking = enable;
	return 0;
}

/*
 * Was the entry at pos mapped as part of a huge IOPTE? Linux's mock maps
 * MOCK_HUGE_PAGE_SIZE pages when the domain takes them and IOVA, address
 * and length allow; the io_pagetable here maps page by page, so a huge
 * page is recognised afterwards: the aligned block is fully mapped to
 * contiguous, equally aligned addresses.
 */
static bool mock_is_huge(struct mock_domain *m, size_t pos)
{
	uint64_t head = m->pfns[pos].index & ~(uint64_t)(MOCK_HUGE_GRANULES - 1);
	size_t first = mock_find(m, head), i;

	if (!(m->domain.pgsize_bitmap & MOCK_HUGE_PAGE_SIZE))
		return false;
	if (first + MOCK_HUGE_GRANULES > m->nr ||
	    m->pfns[first].pfn % MOCK_HUGE_GRANULES)
		return false;
	for (i = 0; i < MOCK_HUGE_GRANULES; i++)
		if (m->pfns[first + i].index != head + i ||
		    m->pfns[first + i].pfn != m->pfns[first].pfn + i)
			return false;
	return true;
}

/* Test (and unless NO_CLEAR, clear) the dirty bits of granules [first, first + n). */
static bool mock_test_and_clear_dirty(struct mock_domain *m, uint64_t first,
				      uint64_t n, unsigned long flags)
{
	size_t pos = mock_find(m, first);
	bool dirty = false;

	for (; pos < m->nr && m->pfns[pos].index < first + n; pos++) {
		if (!m->pfns[pos].dirty)
			continue;
		dirty = true;
		if (!(flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR))
			m->pfns[pos].dirty = false;
	}
	return dirty;
}

static int mock_read_and_clear_dirty(struct iommu_domain *d, uint64_t iova,
				     uint64_t size, unsigned long flags,
				     struct iommufd_dirty_bitmap *dirty)
{
	struct mock_domain *m = to_mock(d);
	uint64_t end = iova + size;

	if (!m->dirty_tracking && dirty->bits)
		return -EINVAL;
	while (iova < end) {
		uint64_t pgsize = MOCK_IO_PAGE_SIZE, head;
		size_t pos = mock_find(m, iova / MOCK_IO_PAGE_SIZE);

		if (pos == m->nr || m->pfns[pos].index != iova / MOCK_IO_PAGE_SIZE) {
			iova += pgsize;
			continue;
		}
		if (mock_is_huge(m, pos))
			pgsize = MOCK_HUGE_PAGE_SIZE;
		head = iova & ~(pgsize - 1);
		if (mock_test_and_clear_dirty(m, head / MOCK_IO_PAGE_SIZE,
					      pgsize / MOCK_IO_PAGE_SIZE, flags))
			iommufd_dirty_record(dirty, iova, pgsize);
		iova += pgsize;
	}
	return 0;
}

static const struct iommu_domain_ops mock_domain_ops = {
	.map = mock_map,
	.unmap = mock_unmap,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_free,
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};

uint64_t iommufd_mock_domain_mapped(struct iommu_domain *d)
{
	return d->ops == &mock_domain_ops ? to_mock(d)->nr * MOCK_IO_PAGE_SIZE : 0;
}

struct iommu_domain *iommufd_mock_domain_alloc(void)
{
	struct mock_domain *m = pl_zalloc(sizeof(*m));

	if (!m)
		return ERR_PTR(-ENOMEM);
	m->domain.ops = &mock_domain_ops;
	m->domain.pgsize_bitmap = MOCK_IO_PAGE_SIZE;
	m->domain.aperture_start = MOCK_APERTURE_START;
	m->domain.aperture_end = MOCK_APERTURE_LAST;
	return &m->domain;
}

/* ---- mock nested domain: a user-managed IOTLB to invalidate ---- */

struct mock_domain_nested {
	struct iommu_domain domain;
	struct iommu_domain *parent;
	uint32_t iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

static void mock_nested_free(struct iommu_domain *d)
{
	free(container_of(d, struct mock_domain_nested, domain));
}

static const struct iommu_domain_ops mock_nested_ops = {
	.free = mock_nested_free,
};

int iommufd_mock_attach_check(struct iommufd_device *idev,
			      struct iommu_domain *d)
{
	/* A device without dirty tracking cannot join a tracking domain. */
	if (d->dirty_ops && (idev->mock_flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	return 0;
}

/*
 * iommu_copy_struct_from_user(): the type must match, the length lie in
 * [min_len, ksize]; a shorter struct is zero filled.
 */
static int mock_copy_user_data(const struct iommufd_user_mem_ops *um, void *dst,
			       size_t ksize, size_t min_len, uint32_t type,
			       uint32_t want_type, uint64_t uptr, uint32_t len)
{
	if (type != want_type)
		return -EINVAL;
	if (len < min_len || len > ksize)
		return -EINVAL;
	memset(dst, 0, ksize);
	if (um->copy_from_user(um, dst, uptr, len))
		return -EFAULT;
	return 0;
}

struct iommu_domain *iommufd_mock_domain_alloc_user(struct iommufd_ucmd *ucmd,
						    struct iommufd_device *idev,
						    uint32_t flags,
						    struct iommu_domain *parent,
						    uint32_t data_type,
						    uint64_t data_uptr,
						    uint32_t data_len)
{
	struct iommu_hwpt_selftest cfg;
	struct mock_domain_nested *n;
	struct iommu_domain *d;
	unsigned int i;
	int rc;

	if (!parent) {
		if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
			      IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
			return ERR_PTR(-EOPNOTSUPP);
		if (data_len || ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
				 (idev->mock_flags & MOCK_FLAGS_DEVICE_NO_DIRTY)))
			return ERR_PTR(-EOPNOTSUPP);
		d = iommufd_mock_domain_alloc();
		if (IS_ERR(d))
			return d;
		if (idev->mock_flags & MOCK_FLAGS_DEVICE_HUGE_IOVA)
			d->pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
		d->dirty_ops = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
		return d;
	}

	if (data_type != IOMMU_HWPT_DATA_SELFTEST || flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->ops != &mock_domain_ops)
		return ERR_PTR(-EINVAL);
	rc = mock_copy_user_data(ucmd->um, &cfg, sizeof(cfg),
				 offsetof(struct iommu_hwpt_selftest, iotlb) +
				 sizeof(cfg.iotlb), data_type,
				 IOMMU_HWPT_DATA_SELFTEST, data_uptr, data_len);
	if (rc)
		return ERR_PTR(rc);
	n = pl_zalloc(sizeof(*n));
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->domain.ops = &mock_nested_ops;
	n->domain.nested = true;
	n->parent = parent;
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		n->iotlb[i] = cfg.iotlb;
	return &n->domain;
}

/*
 * Each entry clears one mock IOTLB slot, or all with FLAG_ALL. Stops at
 * the first bad entry; *entry_num becomes the number handled.
 */
int iommufd_mock_cache_invalidate_user(struct iommufd_ucmd *ucmd,
				       struct iommu_domain *d, uint32_t type,
				       uint64_t uptr, uint32_t entry_len,
				       uint32_t *entry_num)
{
	struct mock_domain_nested *n = container_of(d, struct mock_domain_nested,
						    domain);
	struct iommu_hwpt_invalidate_selftest inv;
	uint32_t i, done = 0;
	int rc = 0;

	if (type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}
	for (i = 0; i < *entry_num; i++) {
		rc = mock_copy_user_data(ucmd->um, &inv, sizeof(inv),
				offsetof(struct iommu_hwpt_invalidate_selftest,
					 iotlb_id) + sizeof(inv.iotlb_id),
				type, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				uptr + (uint64_t)i * entry_len, entry_len);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset(n->iotlb, 0, sizeof(n->iotlb));
		else
			n->iotlb[inv.iotlb_id] = 0;
		done++;
	}
out:
	*entry_num = done;
	return rc;
}

static int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, uint32_t id,
				       uint32_t iotlb_id, uint32_t iotlb)
{
	struct iommufd_object *obj;
	struct mock_domain_nested *n;

	obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	n = container_of(container_of(obj, struct iommufd_hw_pagetable, obj)->domain,
			 struct mock_domain_nested, domain);
	if (n->domain.ops != &mock_nested_ops)
		return -EINVAL;	/* a real driver's nested HWPT has no mock IOTLB */
	if (iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX || n->iotlb[iotlb_id] != iotlb)
		return -EINVAL;
	return 0;
}

/* The selftest object owning a mock device (out_stdev_id). */
struct selftest_obj {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_device *idev;	/* holds a user reference */
};

void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);
	struct iommufd_device *idev = sobj->idev;

	if (!idev)
		return;
	sobj->idev = NULL;
	if (idev->hwpt)
		iommufd_device_detach(idev);
	iommufd_object_put(&idev->obj);	/* drop our device reference */
	iommufd_object_remove_obj(sobj->ictx, &idev->obj);	/* unbind */
}

/* MOCK_DOMAIN and MOCK_DOMAIN_FLAGS: a mock device bound and attached. */
static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct selftest_obj *sobj;
	uint32_t pt_id = cmd->id;
	uint32_t dev_flags = 0;
	int rc;

	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;
	if (dev_flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_HUGE_IOVA |
			  MOCK_FLAGS_DEVICE_PASID))
		return -EINVAL;

	/* IDs in Linux's order: selftest object, device, then HWPT. */
	obj = iommufd_object_alloc(ictx, sizeof(*sobj), IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	sobj = container_of(obj, struct selftest_obj, obj);
	sobj->ictx = ictx;

	obj = iommufd_object_alloc(ictx, sizeof(*idev), IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj)) {
		rc = (int)PTR_ERR(obj);
		goto err_sobj;
	}
	idev = container_of(obj, struct iommufd_device, obj);
	idev->ictx = ictx;
	idev->mock_flags = dev_flags;
	iommufd_object_finalize(ictx, &idev->obj);

	rc = iommufd_device_attach(idev, &pt_id);
	if (rc)
		goto err_unbind;

	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_idev_id = idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_detach;
	sobj->idev = idev;
	idev->obj.users++;	/* the selftest object holds its device */
	iommufd_object_finalize(ictx, &sobj->obj);
	return 0;

err_detach:
	iommufd_device_detach(idev);
err_unbind:
	iommufd_object_remove_obj(ictx, &idev->obj);
err_sobj:
	iommufd_object_abort(ictx, &sobj->obj);
	return rc;
}

static int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd,
					    struct iommu_test_cmd *cmd)
{
	struct iommufd_object *obj;
	struct selftest_obj *sobj;
	uint32_t pt_id = cmd->mock_domain_replace.pt_id;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	sobj = container_of(obj, struct selftest_obj, obj);
	if (!sobj->idev)
		return -EINVAL;
	rc = iommufd_device_replace(sobj->idev, &pt_id);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = pt_id;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd, uint32_t id,
				     uint64_t start, uint64_t length)
{
	struct iommufd_ioas *ioas;
	uint64_t last;

	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;
	ioas = iommufd_get_ioas(ucmd->ictx, id);
	if (IS_ERR(ioas))
		return (int)PTR_ERR(ioas);
	return iopt_reserve_iova(&ioas->iopt, start, last, NULL);
}

/* The mock paging domain of a HWPT, or of the HWPT of a selftest device. */
static struct iommu_domain *get_md_domain(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_ANY);
	struct iommu_domain *d;

	if (IS_ERR(obj))
		return (struct iommu_domain *)obj;
	if (obj->type == IOMMUFD_OBJ_SELFTEST) {
		struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

		if (!sobj->idev || !sobj->idev->hwpt)
			return ERR_PTR(-EINVAL);
		d = sobj->idev->hwpt->domain;
	} else if (obj->type == IOMMUFD_OBJ_HWPT_PAGING) {
		d = container_of(obj, struct iommufd_hw_pagetable, obj)->domain;
	} else {
		return ERR_PTR(-EINVAL);
	}
	return d->nested ? ERR_PTR(-EINVAL) : d;
}

/* Identity of the caller's page at uaddr: where pinning it lands. */
static int iommufd_test_page_kva(const struct iommufd_user_mem_ops *um,
				 uint64_t uaddr, void **kva)
{
	uint64_t page = uaddr & IOMMUFD_PAGE_MASK;
	int rc;

	rc = um->pin_page(um, page, false, kva);
	if (rc)
		return rc;
	um->unpin_page(um, page, *kva);
	return 0;
}

static int iommufd_test_md_check_pa(struct iommufd_ucmd *ucmd, uint32_t id,
				    uint64_t iova, uint64_t length, uint64_t uptr)
{
	struct iommu_domain *d;
	uint64_t end;
	int rc;

	if (iova % MOCK_IO_PAGE_SIZE || length % MOCK_IO_PAGE_SIZE ||
	    uptr % MOCK_IO_PAGE_SIZE || __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	d = get_md_domain(ucmd->ictx, id);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	for (; length; length -= MOCK_IO_PAGE_SIZE) {
		void *kva;

		rc = iommufd_test_page_kva(ucmd->um, uptr, &kva);
		if (rc)
			return rc;
		if (d->ops->iova_to_phys(d, iova) !=
		    (uint64_t)(uintptr_t)kva + uptr % IOMMUFD_PAGE_SIZE)
			return -EINVAL;
		iova += MOCK_IO_PAGE_SIZE;
		uptr += MOCK_IO_PAGE_SIZE;
	}
	return 0;
}

static int iommufd_test_md_check_refs(struct iommufd_ucmd *ucmd, uint64_t uptr,
				      uint64_t length, unsigned int refs)
{
	uint64_t end;
	int rc;

	if (length % IOMMUFD_PAGE_SIZE || uptr % IOMMUFD_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	for (; length; length -= IOMMUFD_PAGE_SIZE) {
		void *kva;

		rc = iommufd_test_page_kva(ucmd->um, uptr, &kva);
		if (rc)
			return rc;
		if (iopt_pages_count_pins(kva) != refs)
			return -EIO;
		uptr += IOMMUFD_PAGE_SIZE;
	}
	return 0;
}

/*
 * IOMMU_TEST_OP_DIRTY: the mock device writes the pages whose bits are set
 * in the user bitmap. As in Linux the entry looked up for bit i is
 * (iova + i * page_size) / page_size in IOVA granules, which is the page
 * itself when page_size is the mock page size (what the selftests use).
 */
static int iommufd_test_dirty(struct iommufd_ucmd *ucmd,
			      struct iommu_test_cmd *cmd)
{
	uint64_t iova = cmd->dirty.iova, length = cmd->dirty.length;
	uint64_t page_size = cmd->dirty.page_size, uptr = cmd->dirty.uptr;
	uint64_t i, max, count = 0;
	struct iommu_domain *d;
	struct mock_domain *m;
	struct iommufd_object *obj;
	uint8_t *tmp;
	int rc;

	if (!page_size || !length || iova % page_size || length % page_size ||
	    !uptr)
		return -EINVAL;
	max = length / page_size;
	if (max > (16ull << 20) * 8)
		return -EOVERFLOW;
	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	d = container_of(obj, struct iommufd_hw_pagetable, obj)->domain;
	if (d->ops != &mock_domain_ops)
		return -EINVAL;
	m = to_mock(d);
	if (!m->dirty_tracking)
		return -EINVAL;
	tmp = pl_zalloc((max + 7) / 8);
	if (!tmp)
		return -ENOMEM;
	if (ucmd->um->copy_from_user(ucmd->um, tmp, uptr, (max + 7) / 8)) {
		rc = -EFAULT;
		goto out_free;
	}
	for (i = 0; i < max; i++) {
		uint64_t index = (iova + i * page_size) / page_size;
		size_t pos;

		if (!(tmp[i / 8] & (1u << (i % 8))))
			continue;
		pos = mock_find(m, index);
		if (pos < m->nr && m->pfns[pos].index == index) {
			m->pfns[pos].dirty = true;
			count++;
		}
	}
	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	free(tmp);
	return rc;
}

static int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd,
				     struct iommu_test_cmd *cmd)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ucmd->ictx, cmd->trigger_iopf.dev_id,
				 IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return (int)PTR_ERR(obj);
	return iommufd_fault_report(container_of(obj, struct iommufd_device, obj),
				    cmd->trigger_iopf.pasid,
				    cmd->trigger_iopf.grpid,
				    cmd->trigger_iopf.perm,
				    cmd->trigger_iopf.addr);
}

/* Batch memory bound of Linux's pfn reader; pinning here is unbatched. */
static unsigned int iommufd_test_memory_limit = 65536;

int iommufd_test(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id,
						 cmd->add_reserved.start,
						 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return iommufd_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return iommufd_test_mock_domain_replace(ucmd, cmd);
	case IOMMU_TEST_OP_DIRTY:
		return iommufd_test_dirty(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return iommufd_test_trigger_iopf(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return iommufd_test_md_check_iotlb(ucmd, cmd->id,
						   cmd->check_iotlb.id,
						   cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_pa(ucmd, cmd->id, cmd->check_map.iova,
						cmd->check_map.length,
						cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(ucmd, cmd->check_refs.uptr,
						  cmd->check_refs.length,
						  cmd->check_refs.refs);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd, cmd->id,
						  cmd->create_access.flags);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(ucmd);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(ucmd);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(ucmd);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_item_destroy(ucmd);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* Linux: must hold at least one batch element. */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(uint32_t))
			return -EINVAL;
		iommufd_test_memory_limit = cmd->memory_limit.limit;
		(void)iommufd_test_memory_limit;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
