// SPDX-License-Identifier: MIT
/*
 * The bridge from iommufd to the kernel IOMMU core (see kiommu.h for why it
 * exists). The only iommufd file that includes kernel/iommu/iommu.h; it
 * never includes iommufd_private.h, whose struct iommu_domain is another
 * type of the same name.
 *
 * Addresses: iommufd maps "kvas", the host pointers pin_page returned. A
 * device behind a real (simulated) IOMMU can only reach the platform's RAM,
 * which is one contiguous host mapping (hw_ram_ptr()), so a kva inside it
 * is the physical address kva - base; anything else is unreachable.
 */
#include <linux/iommufd.h>

#include "base/err.h"
#include "hw/fabric/fabric.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommufd/kiommu.h"
#include "kernel/pci/pci.h"

static struct iommu_dev *kd(struct iommufd_kdev *kdev)
{
	return (struct iommu_dev *)kdev;
}

static struct iommu_domain *dom(struct iommufd_kdom *kdom)
{
	return (struct iommu_domain *)kdom;
}

static void kdom_info(const struct iommu_domain *d, struct iommufd_kdom_info *info)
{
	info->pgsize_bitmap = d->pgsize_bitmap;
	info->aperture_start = d->geometry.aperture_start;
	info->aperture_end = d->geometry.aperture_end;
	info->nested = d->type == IOMMU_DOMAIN_NESTED;
}

struct iommufd_kdev *iommufd_kdev_get(struct iommu_subsys *isys, struct pci_dev *pdev)
{
	struct iommu_dev *dev;

	if (!isys || !pdev)
		return ERR_PTR(-EINVAL);
	dev = iommu_dev_from_pci(isys, pdev);
	if (!dev || !dev->group)
		return ERR_PTR(-ENODEV);
	return (struct iommufd_kdev *)dev;
}

const void *iommufd_kdev_group(struct iommufd_kdev *kdev)
{
	return kd(kdev)->group;
}

bool iommufd_kdev_coherent(struct iommufd_kdev *kdev)
{
	return iommu_capable(kd(kdev), IOMMU_CAP_CACHE_COHERENCY);
}

bool iommufd_kdev_dirty_capable(struct iommufd_kdev *kdev)
{
	return iommu_capable(kd(kdev), IOMMU_CAP_DIRTY_TRACKING);
}

int iommufd_kdev_claim(struct iommufd_kdev *kdev, const void *owner)
{
	return iommu_device_claim_dma_owner(kd(kdev), owner);
}

void iommufd_kdev_release(struct iommufd_kdev *kdev)
{
	iommu_device_release_dma_owner(kd(kdev));
}

void *iommufd_kdev_hw_info(struct iommufd_kdev *kdev, uint32_t *length, uint32_t *type)
{
	return iommu_get_hw_info(kd(kdev), length, type);
}

struct iommufd_kdom *iommufd_kdom_alloc_paging(struct iommufd_kdev *kdev, uint32_t flags,
					       struct iommufd_kdom_info *info)
{
	struct iommu_domain *d;

	/* IOMMU_HWPT_ALLOC_NEST_PARENT is IOMMU_PAGING_F_NEST_PARENT. */
	d = iommu_paging_domain_alloc_flags(kd(kdev),
		(flags & IOMMU_HWPT_ALLOC_NEST_PARENT) ? IOMMU_PAGING_F_NEST_PARENT : 0);
	if (IS_ERR(d))
		return (struct iommufd_kdom *)d;
	kdom_info(d, info);
	return (struct iommufd_kdom *)d;
}

struct iommufd_kdom *iommufd_kdom_alloc_nested(struct iommufd_kdev *kdev,
					       struct iommufd_kdom *parent,
					       uint32_t flags, uint32_t data_type,
					       const void *data, size_t len,
					       struct iommufd_kdom_info *info)
{
	struct iommu_user_data ud = { .type = data_type, .uptr = data, .len = len };
	struct iommu_domain *d;

	d = iommu_domain_alloc_nested(kd(kdev), dom(parent), flags, &ud);
	if (IS_ERR(d))
		return (struct iommufd_kdom *)d;
	kdom_info(d, info);
	return (struct iommufd_kdom *)d;
}

void iommufd_kdom_free(struct iommufd_kdom *kdom)
{
	iommu_domain_free(dom(kdom));
}

int iommufd_kdom_compatible(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom)
{
	/* Linux: attaching a domain of another driver fails with -EINVAL. */
	return dom(kdom)->owner == kd(kdev)->isys->ops ? 0 : -EINVAL;
}

static struct hw_platform *kdev_hw(struct iommufd_kdev *kdev)
{
	return kd(kdev)->isys->pci->hw;
}

int iommufd_kdom_map(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom,
		     uint64_t iova, const void *kva, uint64_t len, int prot)
{
	struct hw_platform *hw = kdev_hw(kdev);
	uint64_t ram = hw_platform_ram_size(hw);
	const uint8_t *base = hw_ram_ptr(hw, 0, ram);
	const uint8_t *p = kva;

	if (IS_ERR(base) || p < base || len > ram || (uint64_t)(p - base) > ram - len)
		return -EFAULT;
	/* iommufd's IOMMUFD_PROT_* are Linux's IOMMU_READ/WRITE/CACHE. */
	return iommu_map(dom(kdom), iova, (uint64_t)(p - base), len, prot);
}

uint64_t iommufd_kdom_unmap(struct iommufd_kdom *kdom, uint64_t iova, uint64_t len)
{
	return iommu_unmap(dom(kdom), iova, len);
}

uint64_t iommufd_kdom_iova_to_kva(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom,
				  uint64_t iova)
{
	struct hw_platform *hw = kdev_hw(kdev);
	uint64_t pa = iommu_iova_to_phys(dom(kdom), iova);
	uint8_t *p;

	if (!pa)
		return 0;
	p = hw_ram_ptr(hw, pa, 1);
	return IS_ERR(p) ? 0 : (uint64_t)(uintptr_t)p;
}

int iommufd_kdom_invalidate(struct iommufd_kdom *kdom, uint32_t type, const void *entries,
			    uint32_t entry_len, uint32_t *entry_num)
{
	struct iommu_user_data_array a = {
		.type = type, .uptr = entries, .entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int rc = iommu_domain_cache_invalidate_user(dom(kdom), &a);

	*entry_num = a.entry_num;
	return rc;
}

int iommufd_kdev_set_domain(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom)
{
	return iommu_group_replace_domain(kd(kdev)->group, dom(kdom));
}

void iommufd_kdev_block(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom)
{
	/* Owned group: the core puts it on its blocking domain. */
	iommu_detach_group(dom(kdom), kd(kdev)->group);
}
