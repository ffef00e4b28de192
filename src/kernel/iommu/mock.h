/* SPDX-License-Identifier: MIT */
/*
 * The mock IOMMU driver (iommu_mock_ops): pure software, used when the
 * platform has no IOMMU hardware, and by tests. Like Linux's iommufd
 * selftest mock it keeps its mappings in kernel memory (a generic
 * io_pgtable), and it lets tests look inside and make attach fail.
 */
#ifndef PCILAB_KERNEL_IOMMU_MOCK_H
#define PCILAB_KERNEL_IOMMU_MOCK_H

#include "kernel/iommu/iommu.h"
#include "kernel/iommu/io_pgtable.h"

/* Aperture of mock paging domains: the whole 48-bit space. */
#define IOMMU_MOCK_APERTURE_END	((1ull << IO_PGTABLE_IAS) - 1)

/* The domain the mock "hardware" translates dev's requests with. */
struct iommu_domain *iommu_mock_dev_domain(const struct iommu_dev *dev);
/* Make the next attach_dev calls for dev fail with err (0: succeed). */
void iommu_mock_set_attach_error(struct iommu_dev *dev, int err);
/* The page table of a mock paging domain (NULL for others). */
struct io_pgtable *iommu_mock_pgtable(struct iommu_domain *d);

#endif /* PCILAB_KERNEL_IOMMU_MOCK_H */
