// SPDX-License-Identifier: MIT
/*
 * A small DMA API for kernel-side users (Linux's dma-iommu.c in function):
 * buffers are mapped through the default domain of the device's group.
 * Identity: the DMA address is the physical one. DMA domain: an IOVA from
 * the domain's allocator, size-aligned and below the device's DMA mask,
 * mapped over the pages covering the buffer.
 */
#include "base/err.h"
#include "kernel/iommu/iommu.h"

int dma_set_mask(struct iommu_dev *dev, uint64_t mask)
{
	/* Linux refuses masks below 24 bits (ISA DMA); so do we. */
	if (mask < 0xffffffull)
		return -EIO;
	dev->dma_mask = mask;
	return 0;
}

static int dma_dir_prot(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:	return IOMMU_READ;	/* device reads memory */
	case DMA_FROM_DEVICE:	return IOMMU_WRITE;	/* device writes memory */
	default:		return IOMMU_READ | IOMMU_WRITE;
	}
}

static struct iommu_domain *dma_domain(struct iommu_dev *dev)
{
	struct iommu_group *g = dev->group;

	/* While a user owns the group (VFIO), the kernel does no DMA. */
	if (!g || !g->default_domain || g->domain != g->default_domain)
		return NULL;
	return g->default_domain;
}

int dma_map_single(struct iommu_dev *dev, uint64_t phys, uint64_t size,
		   enum dma_data_direction dir, uint64_t *dma_addr)
{
	struct iommu_domain *d = dma_domain(dev);
	struct iova_domain *iovad;
	uint64_t off, len, iova_base;
	struct iova *iova;
	int rc;

	if (!d)
		return -EPERM;
	if (!size || phys + size - 1 < phys)
		return -EINVAL;
	if (d->type == IOMMU_DOMAIN_IDENTITY) {
		if (phys + size - 1 > dev->dma_mask)
			return -EIO;	/* the device cannot reach it */
		*dma_addr = phys;
		return 0;
	}
	iovad = d->iovad;
	if (!iovad)
		return -EINVAL;
	off = phys & (iovad->granule - 1);
	len = ALIGN_UP(off + size, iovad->granule);
	iova = alloc_iova(iovad, len >> iovad->shift, iova_pfn(iovad, dev->dma_mask), true);
	if (IS_ERR(iova))
		return (int)PTR_ERR(iova);
	iova_base = iova_dma_addr(iovad, iova);
	rc = iommu_map(d, iova_base, phys - off, len, dma_dir_prot(dir));
	if (rc) {
		__free_iova(iovad, iova);
		return rc;
	}
	*dma_addr = iova_base + off;
	return 0;
}

void dma_unmap_single(struct iommu_dev *dev, uint64_t dma_addr, uint64_t size,
		      enum dma_data_direction dir)
{
	struct iommu_domain *d = dev->group ? dev->group->default_domain : NULL;
	struct iova_domain *iovad;
	struct iova *iova;

	if (!d || d->type == IOMMU_DOMAIN_IDENTITY || !d->iovad)
		return;
	iovad = d->iovad;
	iova = find_iova(iovad, iova_pfn(iovad, dma_addr));
	if (!iova || iova->reserved) {
		/* Linux WARNs here: unmapping what was never mapped. */
		return;
	}
	iommu_unmap(d, iova_dma_addr(iovad, iova), iova_size(iova) << iovad->shift);
	__free_iova(iovad, iova);
}
