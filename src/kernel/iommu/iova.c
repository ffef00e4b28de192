// SPDX-License-Identifier: MIT
/*
 * IOVA allocator: see iova.h. Top-down first fit over a sorted list of
 * non-overlapping ranges, like Linux's allocator walking its rbtree from
 * the limit downwards.
 */
#include <stdlib.h>

#include "base/err.h"
#include "base/fault.h"
#include "kernel/iommu/iova.h"

struct iova_domain *iova_domain_create(uint64_t granule, uint64_t start, uint64_t last)
{
	struct iova_domain *iovad;

	if (!is_power_of_2(granule) || granule < 2 || last < start ||
	    !IS_ALIGNED(start, granule) || !IS_ALIGNED(last + 1, granule))
		return ERR_PTR(-EINVAL);
	iovad = pl_zalloc(sizeof(*iovad));
	if (!iovad)
		return ERR_PTR(-ENOMEM);
	iovad->granule = granule;
	iovad->shift = pl_ffs64(granule);
	iovad->start_pfn = start >> iovad->shift;
	iovad->end_pfn = last >> iovad->shift;
	INIT_LIST_HEAD(&iovad->ranges);
	return iovad;
}

void iova_domain_destroy(struct iova_domain *iovad)
{
	struct iova *it, *tmp;

	if (!iovad)
		return;
	list_for_each_entry_safe(it, tmp, &iovad->ranges, node) {
		list_del(&it->node);
		free(it);
	}
	free(iovad);
}

/* Highest size-pfn block in [lo, hi] whose start is a multiple of align. */
static bool iova_fit(uint64_t lo, uint64_t hi, uint64_t size, uint64_t align,
		     uint64_t *pfn)
{
	uint64_t cand;

	if (hi < lo || hi - lo < size - 1)
		return false;
	cand = ALIGN_DOWN(hi - (size - 1), align);
	if (cand < lo)
		return false;
	*pfn = cand;
	return true;
}

struct iova *alloc_iova(struct iova_domain *iovad, uint64_t size, uint64_t limit_pfn,
			bool size_aligned)
{
	struct list_head *after = &iovad->ranges;	/* insert after this */
	struct iova *it, *new;
	uint64_t align = 1, hi, pfn;
	bool found = false;

	if (!size)
		return ERR_PTR(-EINVAL);
	if (size_aligned) {
		if (size > (1ull << 62))
			return ERR_PTR(-ENOMEM);
		align = 1ull << (is_power_of_2(size) ? pl_ffs64(size) : pl_fls64(size) + 1);
	}
	hi = MIN(limit_pfn, iovad->end_pfn);
	if (hi < iovad->start_pfn)
		return ERR_PTR(-ENOMEM);

	list_for_each_entry_reverse(it, &iovad->ranges, node) {
		if (it->pfn_lo > hi)
			continue;	/* wholly above the limit */
		if (it->pfn_hi < hi && iova_fit(it->pfn_hi + 1, hi, size, align, &pfn)) {
			after = &it->node;
			found = true;
			break;
		}
		if (it->pfn_lo <= iovad->start_pfn)
			return ERR_PTR(-ENOMEM);
		hi = it->pfn_lo - 1;
	}
	if (!found && !iova_fit(iovad->start_pfn, hi, size, align, &pfn))
		return ERR_PTR(-ENOMEM);

	new = pl_zalloc(sizeof(*new));
	if (!new)
		return ERR_PTR(-ENOMEM);
	new->pfn_lo = pfn;
	new->pfn_hi = pfn + size - 1;
	list_add(&new->node, after);
	iovad->nr_allocated++;
	return new;
}

struct iova *find_iova(struct iova_domain *iovad, uint64_t pfn)
{
	struct iova *it;

	list_for_each_entry(it, &iovad->ranges, node) {
		if (it->pfn_lo > pfn)
			break;
		if (pfn <= it->pfn_hi)
			return it;
	}
	return NULL;
}

void __free_iova(struct iova_domain *iovad, struct iova *iova)
{
	list_del(&iova->node);
	if (!iova->reserved)
		iovad->nr_allocated--;
	free(iova);
}

int free_iova(struct iova_domain *iovad, uint64_t pfn)
{
	struct iova *it = find_iova(iovad, pfn);

	if (!it || it->reserved)
		return -ENOENT;
	__free_iova(iovad, it);
	return 0;
}

int reserve_iova(struct iova_domain *iovad, uint64_t pfn_lo, uint64_t pfn_hi)
{
	struct list_head *after = &iovad->ranges;
	struct iova *it, *tmp, *new;
	uint64_t lo, hi;

	if (pfn_lo > pfn_hi)
		return -EINVAL;
	lo = MAX(pfn_lo, iovad->start_pfn);
	hi = MIN(pfn_hi, iovad->end_pfn);
	if (lo > hi)
		return 0;	/* entirely outside the space: nothing to keep out */

	/* Validate first: an allocation in the way is the caller's bug. */
	list_for_each_entry(it, &iovad->ranges, node)
		if (!it->reserved && it->pfn_lo <= hi && lo <= it->pfn_hi)
			return -EBUSY;

	new = pl_zalloc(sizeof(*new));
	if (!new)
		return -ENOMEM;
	new->reserved = true;

	/* Absorb reserved ranges that overlap or touch [lo, hi]. */
	list_for_each_entry_safe(it, tmp, &iovad->ranges, node) {
		bool touch = it->pfn_lo <= (hi == UINT64_MAX ? hi : hi + 1) &&
			     (lo == 0 ? 0 : lo - 1) <= it->pfn_hi;

		if (it->reserved && touch) {
			lo = MIN(lo, it->pfn_lo);
			hi = MAX(hi, it->pfn_hi);
			list_del(&it->node);
			free(it);
		}
	}
	new->pfn_lo = lo;
	new->pfn_hi = hi;
	list_for_each_entry(it, &iovad->ranges, node) {
		if (it->pfn_lo > hi)
			break;
		after = &it->node;
	}
	list_add(&new->node, after);
	return 0;
}
