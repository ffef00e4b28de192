// SPDX-License-Identifier: MIT
/*
 * Second-stage page tables in RAM, in the hardware's format (VT-d §9.8,
 * §3.7): 512 64-bit entries per 4 KiB table, 3 or 4 levels (39/48-bit
 * input), leaves at level 1 (4 KiB), 2 (2 MiB, PS) or 3 (1 GiB, PS).
 * Non-leaf entries carry R and W so the leaf alone decides access.
 *
 * Empty tables are kept until the domain is freed: returning a page that
 * the unit may still have cached as a paging structure would need an
 * IOTLB flush before the free, and tables are cheap.
 */
#include "base/err.h"
#include "kernel/iommu/intel/vtd_internal.h"

#define PT_SHIFT(l)	(12 + 9 * ((l) - 1))
#define PT_INDEX(a, l)	(((a) >> PT_SHIFT(l)) & 511)
#define PT_PRESENT	(VTD_SS_R | VTD_SS_W)

static unsigned int pt_leaf_level(uint64_t pgsize)
{
	switch (pgsize) {
	case 1ull << 12:	return 1;
	case 1ull << 21:	return 2;
	case 1ull << 30:	return 3;
	default:		return 0;
	}
}

/* No leaf anywhere below table (a level-l table). */
static bool pt_empty(struct vtd *v, uint64_t table, unsigned int l)
{
	unsigned int i;
	uint64_t e;

	for (i = 0; i < 512; i++) {
		e = vtd_ld(v, table + 8 * i);
		if (!(e & PT_PRESENT))
			continue;
		if (l == 1 || (e & VTD_SS_PS) || !pt_empty(v, e & VTD_PTE_ADDR_MASK, l - 1))
			return false;
	}
	return true;
}

int vtd_pt_map(struct vtd_domain *dom, uint64_t iova, uint64_t pa, uint64_t pgsize,
	       int prot, bool *freed)
{
	struct vtd *v = dom->vtd;
	unsigned int l, leaf = pt_leaf_level(pgsize);
	uint64_t table = dom->pgd, e, ea;
	int rc;

	if (!leaf || !(dom->domain.pgsize_bitmap & pgsize) ||
	    !IS_ALIGNED(iova | pa, pgsize) || iova >> PT_SHIFT(dom->levels + 1))
		return -EINVAL;
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	for (l = dom->levels; l > leaf; l--) {
		ea = table + 8 * PT_INDEX(iova, l);
		e = vtd_ld(v, ea);
		if (e & PT_PRESENT) {
			if (e & VTD_SS_PS)
				return -EEXIST;	/* a bigger leaf covers it */
			table = e & VTD_PTE_ADDR_MASK;
			continue;
		}
		rc = kpage_alloc(v->pool, &table);
		if (rc)
			return rc;
		vtd_st(v, ea, table | VTD_SS_R | VTD_SS_W);
	}
	ea = table + 8 * PT_INDEX(iova, leaf);
	e = vtd_ld(v, ea);
	if (e & PT_PRESENT) {
		/* A big leaf where tables were kept after unmap: fine if
		 * they hold nothing. The caller flushes the IOTLB (paging-
		 * structure caches) for the range since they are freed. */
		if (leaf == 1 || (e & VTD_SS_PS) ||
		    !pt_empty(v, e & VTD_PTE_ADDR_MASK, leaf - 1))
			return -EEXIST;
		vtd_pt_free(v, e & VTD_PTE_ADDR_MASK, leaf - 1);
		*freed = true;
	}
	e = (pa & VTD_PTE_ADDR_MASK) | ((prot & IOMMU_READ) ? VTD_SS_R : 0) |
	    ((prot & IOMMU_WRITE) ? VTD_SS_W : 0) | (leaf > 1 ? VTD_SS_PS : 0);
	vtd_st(v, ea, e);
	return 0;
}

/* Bytes of the leaf starting at iova, cleared; 0 if none starts there. */
uint64_t vtd_pt_unmap(struct vtd_domain *dom, uint64_t iova)
{
	struct vtd *v = dom->vtd;
	uint64_t table = dom->pgd, e, ea;
	unsigned int l;

	if (iova >> PT_SHIFT(dom->levels + 1))
		return 0;
	for (l = dom->levels; l >= 1; l--) {
		ea = table + 8 * PT_INDEX(iova, l);
		e = vtd_ld(v, ea);
		if (!(e & PT_PRESENT))
			return 0;
		if (l == 1 || (e & VTD_SS_PS)) {
			if (!IS_ALIGNED(iova, 1ull << PT_SHIFT(l)))
				return 0;
			vtd_st(v, ea, 0);
			return 1ull << PT_SHIFT(l);
		}
		table = e & VTD_PTE_ADDR_MASK;
	}
	return 0;
}

uint64_t vtd_pt_lookup(struct vtd_domain *dom, uint64_t iova, bool *found)
{
	struct vtd *v = dom->vtd;
	uint64_t table = dom->pgd, e;
	unsigned int l;

	*found = false;
	if (iova >> PT_SHIFT(dom->levels + 1))
		return 0;
	for (l = dom->levels; l >= 1; l--) {
		e = vtd_ld(v, table + 8 * PT_INDEX(iova, l));
		if (!(e & PT_PRESENT))
			return 0;
		if (l == 1 || (e & VTD_SS_PS)) {
			*found = true;
			return (e & VTD_PTE_ADDR_MASK & ~((1ull << PT_SHIFT(l)) - 1)) +
			       (iova & ((1ull << PT_SHIFT(l)) - 1));
		}
		table = e & VTD_PTE_ADDR_MASK;
	}
	return 0;
}

void vtd_pt_free(struct vtd *v, uint64_t table, unsigned int level)
{
	unsigned int i;
	uint64_t e;

	if (level > 1) {
		for (i = 0; i < 512; i++) {
			e = vtd_ld(v, table + 8 * i);
			if ((e & PT_PRESENT) && !(e & VTD_SS_PS))
				vtd_pt_free(v, e & VTD_PTE_ADDR_MASK, level - 1);
		}
	}
	kpage_free(v->pool, table);
}
