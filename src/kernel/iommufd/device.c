// SPDX-License-Identifier: MIT
/*
 * Real devices in iommufd (Linux drivers/iommu/iommufd/device.c): the
 * kernel-internal binding VFIO uses (iommufd_device_bind/unbind) and the
 * adapter domain that lets iommufd's io_pagetable and HWPTs drive a domain
 * of the kernel IOMMU core (kernel/iommu) through kiommu.h.
 *
 * The adapter: a `struct iommufd_kdomain` is an iommufd domain whose ops
 * forward to a core domain (paging, possibly a nest parent, or nested). It
 * has no dirty ops (no core driver tracks dirty pages yet). A device bound
 * here (idev->kdev set) only uses adapter domains; a selftest mock device
 * only mock ones, so MOCK_DOMAIN_REPLACE onto a VT-d HWPT is -EINVAL, as
 * Linux refuses a domain of another driver.
 */
#include <stdlib.h>
#include <linux/iommufd.h>
#include <iommufd_test.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommufd/iommufd_private.h"
#include "kernel/iommufd/kiommu.h"

struct iommufd_kdomain {
	struct iommu_domain domain;
	struct iommufd_kdom *kdom;	/* owned */
	/* The core device it was allocated through: its platform's RAM is
	 * what kvas translate into. The core's devices live as long as the
	 * iommu_subsys, which must outlive every context using it. */
	struct iommufd_kdev *kdev;
};

static const struct iommu_domain_ops iommufd_kdomain_ops;

static struct iommufd_kdomain *to_kdomain(struct iommu_domain *d)
{
	return container_of(d, struct iommufd_kdomain, domain);
}

bool iommufd_domain_is_kernel(const struct iommu_domain *d)
{
	return d && d->ops == &iommufd_kdomain_ops;
}

static int kdomain_map(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		       uint64_t len, int prot)
{
	struct iommufd_kdomain *k = to_kdomain(d);

	/* iommufd's paddr is the kva pin_page returned. */
	return iommufd_kdom_map(k->kdev, k->kdom, iova,
				(const void *)(uintptr_t)paddr, len, prot);
}

static uint64_t kdomain_unmap(struct iommu_domain *d, uint64_t iova, uint64_t len)
{
	return iommufd_kdom_unmap(to_kdomain(d)->kdom, iova, len);
}

static uint64_t kdomain_iova_to_phys(struct iommu_domain *d, uint64_t iova)
{
	struct iommufd_kdomain *k = to_kdomain(d);

	return iommufd_kdom_iova_to_kva(k->kdev, k->kdom, iova);
}

static void kdomain_free(struct iommu_domain *d)
{
	struct iommufd_kdomain *k = to_kdomain(d);

	iommufd_kdom_free(k->kdom);
	free(k);
}

static const struct iommu_domain_ops iommufd_kdomain_ops = {
	.map = kdomain_map,
	.unmap = kdomain_unmap,
	.iova_to_phys = kdomain_iova_to_phys,
	.free = kdomain_free,
};

static struct iommu_domain *kdomain_wrap(struct iommufd_device *idev,
					 struct iommufd_kdom *kdom,
					 const struct iommufd_kdom_info *info)
{
	struct iommufd_kdomain *k = pl_zalloc(sizeof(*k));

	if (!k) {
		iommufd_kdom_free(kdom);
		return ERR_PTR(-ENOMEM);
	}
	k->domain.ops = &iommufd_kdomain_ops;
	k->domain.pgsize_bitmap = info->pgsize_bitmap;
	k->domain.aperture_start = info->aperture_start;
	k->domain.aperture_end = info->aperture_end;
	k->domain.nested = info->nested;
	k->kdom = kdom;		/* the adapter owns the core domain */
	k->kdev = idev->kdev;
	return &k->domain;
}

struct iommu_domain *iommufd_kdomain_alloc_paging(struct iommufd_device *idev,
						  uint32_t flags, uint32_t data_len)
{
	struct iommufd_kdom_info info;
	struct iommufd_kdom *kdom;

	/*
	 * Linux's intel domain_alloc_user: user data for a paging domain, or
	 * dirty tracking the unit cannot do, is -EOPNOTSUPP (the latter is
	 * already refused by the caller for every driver).
	 */
	if (data_len || (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);
	kdom = iommufd_kdom_alloc_paging(idev->kdev, flags, &info);
	if (IS_ERR(kdom))
		return (struct iommu_domain *)kdom;
	return kdomain_wrap(idev, kdom, &info);
}

/* Largest driver data accepted (pcilab bound; every driver struct is far
 * smaller, and the core refuses data longer than its struct: -EINVAL). */
#define IOMMUFD_KDATA_MAX IOMMUFD_PAGE_SIZE

struct iommu_domain *iommufd_kdomain_alloc_nested(struct iommufd_ucmd *ucmd,
						  struct iommufd_device *idev,
						  struct iommu_domain *parent,
						  uint32_t flags, uint32_t data_type,
						  uint64_t data_uptr, uint32_t data_len)
{
	struct iommufd_kdom_info info;
	struct iommufd_kdom *kdom;
	struct iommu_domain *d;
	void *data;

	/* A parent of another driver (the mock's): Linux's -EINVAL. */
	if (!iommufd_domain_is_kernel(parent) ||
	    iommufd_kdom_compatible(idev->kdev, to_kdomain(parent)->kdom))
		return ERR_PTR(-EINVAL);
	if (data_len > IOMMUFD_KDATA_MAX)
		return ERR_PTR(-EINVAL);
	data = pl_zalloc(data_len);
	if (!data)
		return ERR_PTR(-ENOMEM);
	if (ucmd->um->copy_from_user(ucmd->um, data, data_uptr, data_len)) {
		d = ERR_PTR(-EFAULT);
		goto out_free;
	}
	kdom = iommufd_kdom_alloc_nested(idev->kdev, to_kdomain(parent)->kdom,
					 flags, data_type, data, data_len, &info);
	if (IS_ERR(kdom)) {
		d = (struct iommu_domain *)kdom;
		goto out_free;
	}
	d = kdomain_wrap(idev, kdom, &info);
out_free:
	free(data);
	return d;
}

int iommufd_kdomain_invalidate(struct iommufd_ucmd *ucmd, struct iommu_domain *d,
			       uint32_t type, uint64_t uptr, uint32_t entry_len,
			       uint32_t *entry_num)
{
	struct iommufd_kdomain *k = to_kdomain(d);
	uint32_t i, n, done = 0;
	void *entry;
	int rc;

	/* An empty array: the driver only checks the type. */
	if (!*entry_num) {
		n = 0;
		return iommufd_kdom_invalidate(k->kdom, type, NULL, entry_len, &n);
	}
	/* One entry at a time (entry_len <= a page, checked by the caller),
	 * so the kernel copy stays small whatever entry_num says. */
	entry = pl_zalloc(entry_len);
	if (!entry) {
		*entry_num = 0;
		return -ENOMEM;
	}
	for (i = 0, rc = 0; i < *entry_num; i++) {
		if (ucmd->um->copy_from_user(ucmd->um, entry,
					     uptr + (uint64_t)i * entry_len, entry_len)) {
			rc = -EFAULT;
			break;
		}
		n = 1;
		rc = iommufd_kdom_invalidate(k->kdom, type, entry, entry_len, &n);
		done += n;
		if (rc)
			break;
	}
	free(entry);
	*entry_num = done;
	return rc;
}

/* ---- which domains a device may use ---- */

int iommufd_device_check_domain(struct iommufd_device *idev, struct iommu_domain *d)
{
	if (!idev->kdev)
		return iommufd_domain_is_kernel(d) ? -EINVAL :
		       iommufd_mock_attach_check(idev, d);
	if (!iommufd_domain_is_kernel(d))
		return -EINVAL;
	return iommufd_kdom_compatible(idev->kdev, to_kdomain(d)->kdom);
}

/*
 * Another device of idev's group, bound to the same context and attached:
 * the group's domain is theirs too (Linux's iommufd_group). NULL if none.
 */
static struct iommufd_device *iommufd_group_peer(struct iommufd_device *idev)
{
	struct iommufd_ctx *ictx = idev->ictx;
	uint32_t id;

	for (id = 1; id < ictx->nr_slots; id++) {
		struct iommufd_object *obj = ictx->objs[id];
		struct iommufd_device *o;

		if (!obj || obj->type != IOMMUFD_OBJ_DEVICE)
			continue;
		o = container_of(obj, struct iommufd_device, obj);
		if (o != idev && o->kdev && o->hwpt &&
		    iommufd_kdev_group(o->kdev) == iommufd_kdev_group(idev->kdev))
			return o;
	}
	return NULL;
}

int iommufd_device_set_hwpt(struct iommufd_device *idev,
			    struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_device *peer;

	if (!idev->kdev)
		return 0;	/* mock devices: the domain is all there is */
	peer = iommufd_group_peer(idev);
	if (peer) {
		/* Linux: every device of a group shares one HWPT (-EINVAL). */
		return peer->hwpt == hwpt ? 0 : -EINVAL;
	}
	return iommufd_kdev_set_domain(idev->kdev, to_kdomain(hwpt->domain)->kdom);
}

void iommufd_device_unset_hwpt(struct iommufd_device *idev,
			       struct iommufd_hw_pagetable *hwpt)
{
	if (!idev->kdev || iommufd_group_peer(idev))
		return;
	iommufd_kdev_block(idev->kdev, to_kdomain(hwpt->domain)->kdom);
}

/* ---- binding (the API VFIO's cdev uses) ---- */

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct iommu_subsys *isys,
					   struct pci_dev *pdev, uint32_t *id)
{
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct iommufd_kdev *kdev;
	int rc;

	kdev = iommufd_kdev_get(isys, pdev);
	if (IS_ERR(kdev))
		return (struct iommufd_device *)kdev;
	/* Linux: iommufd requires coherent DMA (device_iommu_capable). */
	if (!iommufd_kdev_coherent(kdev))
		return ERR_PTR(-EINVAL);
	/*
	 * The context owns the group's DMA from now on: -EPERM if a kernel
	 * driver or another owner uses it, -EBUSY if it sits on a domain
	 * other than its default (iommu_device_claim_dma_owner()). The group
	 * moves to its blocking domain.
	 */
	rc = iommufd_kdev_claim(kdev, ictx);
	if (rc)
		return ERR_PTR(rc);
	obj = iommufd_object_alloc(ictx, sizeof(*idev), IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj)) {
		rc = (int)PTR_ERR(obj);
		goto err_release;
	}
	idev = container_of(obj, struct iommufd_device, obj);
	idev->ictx = ictx;
	idev->kdev = kdev;
	idev->obj.users++;	/* the binding driver's reference, until unbind */
	iommufd_object_finalize(ictx, &idev->obj);
	*id = idev->obj.id;
	return idev;

err_release:
	iommufd_kdev_release(kdev);
	return ERR_PTR(rc);
}

void iommufd_device_unbind(struct iommufd_device *idev)
{
	iommufd_object_put(&idev->obj);	/* drops the binding's reference */
	/* Nothing else holds a device (HWPTs do not hold their devices). */
	if (iommufd_object_remove_obj(idev->ictx, &idev->obj))
		pl_err("iommufd: device %u still held at unbind", idev->obj.id);
}

/* The destroy op of a device object: detach, then give the group back. */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev = container_of(obj, struct iommufd_device, obj);

	if (idev->hwpt)
		iommufd_device_detach(idev);
	if (idev->kdev)
		iommufd_kdev_release(idev->kdev);
}

void *iommufd_device_hw_info(struct iommufd_device *idev, uint32_t *length,
			     uint32_t *type)
{
	return iommufd_kdev_hw_info(idev->kdev, length, type);
}

bool iommufd_device_dirty_capable(struct iommufd_device *idev)
{
	return idev->kdev ? iommufd_kdev_dirty_capable(idev->kdev) :
	       !(idev->mock_flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
}
