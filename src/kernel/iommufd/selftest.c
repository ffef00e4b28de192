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
};

struct mock_domain {
	struct iommu_domain domain;
	struct mock_pfn *pfns;	/* sorted by index */
	size_t nr, cap;
};

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

static const struct iommu_domain_ops mock_domain_ops = {
	.map = mock_map,
	.unmap = mock_unmap,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_free,
};

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

/* ---- HWPT and device objects ---- */

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, obj);

	if (hwpt->ioas) {
		iopt_table_remove_domain(&hwpt->ioas->iopt, hwpt->domain);
		iommufd_object_put(&hwpt->ioas->obj);	/* drops our IOAS ref */
	}
	if (hwpt->domain)
		hwpt->domain->ops->free(hwpt->domain);
}

/*
 * An automatic HWPT for a device attached straight to an IOAS: a fresh
 * mock domain filled with the IOAS's areas. Finalized by the caller.
 */
static struct iommufd_hwpt_paging *
iommufd_hwpt_auto_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_object *obj;
	int rc;

	obj = iommufd_object_alloc(ictx, sizeof(*hwpt), IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return (struct iommufd_hwpt_paging *)obj;
	hwpt = container_of(obj, struct iommufd_hwpt_paging, obj);
	hwpt->auto_domain = true;
	hwpt->domain = iommufd_mock_domain_alloc();
	if (IS_ERR(hwpt->domain)) {
		rc = (int)PTR_ERR(hwpt->domain);
		hwpt->domain = NULL;
		goto err_abort;
	}
	rc = iopt_table_add_domain(&ioas->iopt, hwpt->domain);
	if (rc)
		goto err_abort;
	hwpt->ioas = ioas;
	ioas->obj.users++;	/* the HWPT holds its IOAS */
	return hwpt;

err_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}

/* Drop a device's hold on a HWPT; an automatic one dies with its last user. */
static void iommufd_hwpt_put(struct iommufd_ctx *ictx,
			     struct iommufd_hwpt_paging *hwpt)
{
	iommufd_object_put(&hwpt->obj);
	if (hwpt->auto_domain && hwpt->obj.users == 1)
		iommufd_object_remove(ictx, hwpt->obj.id);
}

/* Attach to *pt_id (an IOAS or a HWPT_PAGING); *pt_id becomes the HWPT. */
static int iommufd_device_attach(struct iommufd_device *idev, uint32_t *pt_id)
{
	struct iommufd_ctx *ictx = idev->ictx;
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_object *pt;

	pt = iommufd_get_object(ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt))
		return (int)PTR_ERR(pt);
	switch (pt->type) {
	case IOMMUFD_OBJ_HWPT_PAGING:
		hwpt = container_of(pt, struct iommufd_hwpt_paging, obj);
		hwpt->obj.users++;	/* the device holds its HWPT */
		break;
	case IOMMUFD_OBJ_IOAS:
		hwpt = iommufd_hwpt_auto_alloc(ictx,
				container_of(pt, struct iommufd_ioas, obj));
		if (IS_ERR(hwpt))
			return (int)PTR_ERR(hwpt);
		hwpt->obj.users++;	/* the device holds its HWPT */
		iommufd_object_finalize(ictx, &hwpt->obj);
		break;
	default:
		return -EINVAL;
	}
	idev->hwpt = hwpt;
	*pt_id = hwpt->obj.id;
	return 0;
}

static void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_hwpt_paging *hwpt = idev->hwpt;

	idev->hwpt = NULL;
	iommufd_hwpt_put(idev->ictx, hwpt);
}

void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev = container_of(obj, struct iommufd_device, obj);

	if (idev->hwpt)
		iommufd_device_detach(idev);
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
	iommufd_object_remove(sobj->ictx, idev->obj.id);	/* unbind */
}

static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct selftest_obj *sobj;
	uint32_t pt_id = cmd->id;
	int rc;

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
	iommufd_object_remove(ictx, idev->obj.id);
err_sobj:
	iommufd_object_abort(ictx, &sobj->obj);
	return rc;
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

/* The mock domain of a HWPT, or of the HWPT of a selftest device. */
static struct iommu_domain *get_md_domain(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_ANY);

	if (IS_ERR(obj))
		return (struct iommu_domain *)obj;
	if (obj->type == IOMMUFD_OBJ_SELFTEST) {
		struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

		if (!sobj->idev || !sobj->idev->hwpt)
			return ERR_PTR(-EINVAL);
		return sobj->idev->hwpt->domain;
	}
	if (obj->type != IOMMUFD_OBJ_HWPT_PAGING)
		return ERR_PTR(-EINVAL);
	return container_of(obj, struct iommufd_hwpt_paging, obj)->domain;
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

/* ---- accesses (not yet provided) ---- */

void iommufd_access_destroy(struct iommufd_object *obj)
{
	(void)obj;
}

void iommufd_test_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				      uint64_t length)
{
	(void)iopt;
	(void)iova;
	(void)length;
}

void iommufd_test_release_accesses(struct iommufd_ctx *ictx)
{
	(void)ictx;
}

int iommufd_test_access_close(struct iommufd_ctx *ictx, uint32_t handle)
{
	(void)ictx;
	(void)handle;
	return -ENOENT;
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
		return iommufd_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_pa(ucmd, cmd->id, cmd->check_map.iova,
						cmd->check_map.length,
						cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(ucmd, cmd->check_refs.uptr,
						  cmd->check_refs.length,
						  cmd->check_refs.refs);
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
