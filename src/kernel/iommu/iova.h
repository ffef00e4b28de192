/* SPDX-License-Identifier: MIT */
/*
 * IOVA allocator (Linux's drivers/iommu/iova.c in function): hands out
 * ranges of I/O virtual page frames inside [start_pfn, end_pfn], top-down
 * from a limit, optionally aligned to the allocation size rounded up to a
 * power of two (what the DMA API asks for, so large buffers can use large
 * IOMMU pages). Reserved ranges (MSI window, firmware RMRRs, holes) are
 * never handed out.
 *
 * The ranges are kept in a list sorted by pfn_lo, never overlapping: a
 * domain holds tens to thousands of live mappings, so a linear walk is
 * fine and the API leaves room for a tree.
 */
#ifndef PCILAB_KERNEL_IOMMU_IOVA_H
#define PCILAB_KERNEL_IOMMU_IOVA_H

#include <stdint.h>
#include <stdbool.h>

#include "base/list.h"

struct iova {
	struct list_head node;		/* in iovad->ranges, by pfn_lo */
	uint64_t pfn_lo, pfn_hi;	/* inclusive */
	bool reserved;
};

struct iova_domain {
	uint64_t granule;		/* bytes per pfn, power of two */
	unsigned int shift;		/* log2(granule) */
	uint64_t start_pfn, end_pfn;	/* allocatable space, inclusive */
	struct list_head ranges;	/* struct iova */
	unsigned int nr_allocated;	/* live non-reserved ranges */
};

/*
 * Space [start, last] (bytes; start and last + 1 aligned to granule, a
 * power of two >= 2). ERR_PTR(-EINVAL/-ENOMEM).
 */
struct iova_domain *iova_domain_create(uint64_t granule, uint64_t start, uint64_t last);
/* Frees every range still allocated or reserved. */
void iova_domain_destroy(struct iova_domain *iovad);

/*
 * size pfns at the highest place ending at or below limit_pfn; with
 * size_aligned, pfn_lo is a multiple of size rounded up to a power of
 * two. ERR_PTR(-ENOMEM) when no hole fits, -EINVAL for size 0.
 */
struct iova *alloc_iova(struct iova_domain *iovad, uint64_t size, uint64_t limit_pfn,
			bool size_aligned);
/* The allocated or reserved range containing pfn, or NULL. */
struct iova *find_iova(struct iova_domain *iovad, uint64_t pfn);
void __free_iova(struct iova_domain *iovad, struct iova *iova);
/* Free the allocated range containing pfn; -ENOENT if none (reserved
 * ranges are not freed this way). */
int free_iova(struct iova_domain *iovad, uint64_t pfn);
/*
 * Keep [pfn_lo, pfn_hi] (clipped to the domain) out of allocations. Merges
 * with reserved ranges it touches; -EBUSY if it overlaps an allocation,
 * -EINVAL if pfn_lo > pfn_hi, -ENOMEM.
 */
int reserve_iova(struct iova_domain *iovad, uint64_t pfn_lo, uint64_t pfn_hi);

static inline uint64_t iova_pfn(const struct iova_domain *iovad, uint64_t addr)
{
	return addr >> iovad->shift;
}

static inline uint64_t iova_dma_addr(const struct iova_domain *iovad, const struct iova *iova)
{
	return iova->pfn_lo << iovad->shift;
}

static inline uint64_t iova_size(const struct iova *iova)
{
	return iova->pfn_hi - iova->pfn_lo + 1;
}

#endif /* PCILAB_KERNEL_IOMMU_IOVA_H */
