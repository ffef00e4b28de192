/* SPDX-License-Identifier: MIT */
/*
 * The bridge from iommufd to the kernel IOMMU core (kernel/iommu/iommu.h).
 *
 * iommufd still has its own `struct iommu_domain` (iommufd_private.h), whose
 * name clashes with the core's, so no iommufd source can include both
 * headers. kiommu.c is the one file that sees the core; everything else in
 * iommufd reaches a real device and its driver's domains through these
 * opaque handles:
 *   iommufd_kdev  the core's struct iommu_dev of a bound device
 *   iommufd_kdom  a core struct iommu_domain (paging or nested)
 * Addresses crossing here are iommufd "kvas" (what pin_page returned); the
 * bridge turns them into the simulated physical addresses the driver's
 * tables hold, which only works for memory that lies in the platform's RAM
 * (docs/iommufd.md, "Real devices").
 *
 * Removed once iommufd uses the core's domain type (the remaining step).
 */
#ifndef PCILAB_KERNEL_IOMMUFD_KIOMMU_H
#define PCILAB_KERNEL_IOMMUFD_KIOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iommu_subsys;
struct pci_dev;
struct iommufd_kdev;
struct iommufd_kdom;

/* Shape of a kernel domain, copied into iommufd's domain. */
struct iommufd_kdom_info {
	uint64_t pgsize_bitmap;
	uint64_t aperture_start, aperture_end;	/* inclusive */
	bool nested;
};

/* The core's device for pdev: ERR_PTR(-ENODEV) when no IOMMU translates
 * for it (not probed, or no group). */
struct iommufd_kdev *iommufd_kdev_get(struct iommu_subsys *isys,
				      struct pci_dev *pdev);
/* Identity of the device's group, for sharing a group's attachment. */
const void *iommufd_kdev_group(struct iommufd_kdev *kdev);
/* Linux's device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY) /
 * (IOMMU_CAP_DIRTY_TRACKING). */
bool iommufd_kdev_coherent(struct iommufd_kdev *kdev);
bool iommufd_kdev_dirty_capable(struct iommufd_kdev *kdev);
/* iommu_device_claim_dma_owner(dev, owner) and its release. */
int iommufd_kdev_claim(struct iommufd_kdev *kdev, const void *owner);
void iommufd_kdev_release(struct iommufd_kdev *kdev);
/* The driver's hardware information (iommu_get_hw_info): blob to free(). */
void *iommufd_kdev_hw_info(struct iommufd_kdev *kdev, uint32_t *length,
			   uint32_t *type);

/* Paging domain with IOMMU_HWPT_ALLOC_NEST_PARENT (the only flag passed). */
struct iommufd_kdom *iommufd_kdom_alloc_paging(struct iommufd_kdev *kdev,
					       uint32_t flags,
					       struct iommufd_kdom_info *info);
/* Nested domain over parent from user data (bytes in kernel memory). */
struct iommufd_kdom *iommufd_kdom_alloc_nested(struct iommufd_kdev *kdev,
					       struct iommufd_kdom *parent,
					       uint32_t flags, uint32_t data_type,
					       const void *data, size_t len,
					       struct iommufd_kdom_info *info);
void iommufd_kdom_free(struct iommufd_kdom *kdom);
/* Can kdev's group use kdom at all (same driver)? 0 or -EINVAL. */
int iommufd_kdom_compatible(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom);

/* Map len bytes of pinned memory starting at kva. -EFAULT: the memory is
 * not in the platform's RAM, so no device can reach it. */
int iommufd_kdom_map(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom,
		     uint64_t iova, const void *kva, uint64_t len, int prot);
uint64_t iommufd_kdom_unmap(struct iommufd_kdom *kdom, uint64_t iova,
			    uint64_t len);
/* The kva iova maps to, or 0. */
uint64_t iommufd_kdom_iova_to_kva(struct iommufd_kdev *kdev,
				  struct iommufd_kdom *kdom, uint64_t iova);
/* cache_invalidate_user over entry_num entries of entry_len bytes at
 * entries (kernel memory); *entry_num becomes the number handled. */
int iommufd_kdom_invalidate(struct iommufd_kdom *kdom, uint32_t type,
			    const void *entries, uint32_t entry_len,
			    uint32_t *entry_num);

/* Put kdev's whole group on kdom (iommu_group_replace_domain: from the
 * blocking domain or from another of the owner's domains). */
int iommufd_kdev_set_domain(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom);
/* Back to blocking (the group stays owned). */
void iommufd_kdev_block(struct iommufd_kdev *kdev, struct iommufd_kdom *kdom);

#endif /* PCILAB_KERNEL_IOMMUFD_KIOMMU_H */
