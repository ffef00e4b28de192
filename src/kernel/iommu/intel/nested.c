// SPDX-License-Identifier: MIT
/*
 * Nested domains of the VT-d driver (Linux's drivers/iommu/intel/nested.c
 * in function): a user (a VMM, for its guest) owns a first-stage table in
 * the x86-64 4/5-level format (VT-d §3.6, §9.7) that lives in its guest
 * physical address space; a nest-parent paging domain maps that space to
 * host memory (second stage, §3.7). The unit walks the first stage with
 * every table address and its output translated by the second stage
 * (§3.8), from a PASID entry with PGTT=011b (§9.6):
 *
 *   qword 0  P, AW and SSPTPTR of the parent (its second-stage table)
 *   qword 1  the nested domain's DID on the unit
 *   qword 2  FSPTPTR = the user's pgtbl_addr (a GPA), FSPM (0: 4-level,
 *            1: 5-level), SRE, WPE (with SRE only, as Linux), EAFE
 *
 * The kernel never reads the user's table: the user tells it what changed
 * through cache_invalidate_user (struct iommu_hwpt_vtd_s1_invalidate),
 * turned into PASID-based IOTLB invalidations (§6.5.2.4), each followed
 * by an invalidation wait on the queue.
 */
#include <stdlib.h>
#include <linux/iommufd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommu/intel/vtd_internal.h"

#define VTD_S1_FLAGS	(IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE)

static const struct iommu_domain_ops vtd_nested_ops;

struct vtd_nested *vtd_nested_domain(struct iommu_domain *d)
{
	return d && d->ops == &vtd_nested_ops ? container_of(d, struct vtd_nested, domain) : NULL;
}

/*
 * What unit u must support to run a stage-1 table of this shape (Linux's
 * intel_pasid_setup_nested() checks, -EINVAL each): 5-level first-stage
 * paging (CAP.FS5LP, §11.4.2) for a 57-bit width, supervisor requests
 * (ECAP.SRS) for SRE, the extended accessed flag (ECAP.EAFS) for EAFE;
 * and nesting itself (ECAP.NEST, §11.4.3).
 */
static int vtd_nested_check_unit(struct vtd_unit *u, unsigned int addr_width, uint64_t flags)
{
	if (!(u->ecap & VTD_ECAP_NEST))
		return -EINVAL;
	switch (addr_width) {
	case 48:
		break;
	case 57:
		if (!(u->cap & VTD_CAP_FS5LP))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if ((flags & IOMMU_VTD_S1_SRE) && !(u->ecap & VTD_ECAP_SRS))
		return -EINVAL;
	if ((flags & IOMMU_VTD_S1_EAFE) && !(u->ecap & VTD_ECAP_EAFS))
		return -EINVAL;
	return 0;
}

int vtd_nested_pasid_entry(struct vtd_nested *nd, struct vtd_unit *u, uint64_t *pe0,
			   uint64_t *pe2)
{
	struct vtd_domain *parent = nd->parent;
	int rc;

	if (parent->vtd != u->vtd)
		return -EINVAL;
	/* Linux: a unit with a smaller guest address width than the
	 * parent's table cannot walk it (-ENODEV). */
	if (parent->levels > u->levels)
		return -ENODEV;
	rc = vtd_nested_check_unit(u, nd->addr_width, nd->flags);
	if (rc) {
		pl_err("DMAR: unit %u cannot run this stage-1 table (width %u, flags 0x%llx)",
		       u->idx, nd->addr_width, (unsigned long long)nd->flags);
		return rc;
	}
	/* §9.6: AW and SSPTPTR describe the second stage (the parent). */
	*pe0 = VTD_PE0_P | ((uint64_t)VTD_PGTT_NESTED << VTD_PE0_PGTT_SHIFT) |
	       ((uint64_t)(parent->levels - 2) << VTD_PE0_AW_SHIFT) | parent->pgd;
	*pe2 = (nd->fsptr & VTD_PE2_FSPTPTR_MASK) |
	       ((uint64_t)(nd->addr_width == 57) << VTD_PE2_FSPM_SHIFT);
	if (nd->flags & IOMMU_VTD_S1_SRE) {
		*pe2 |= VTD_PE2_SRE;
		/* WPE only matters for supervisor requests. */
		if (nd->flags & IOMMU_VTD_S1_WPE)
			*pe2 |= VTD_PE2_WPE;
	}
	if (nd->flags & IOMMU_VTD_S1_EAFE)
		*pe2 |= VTD_PE2_EAFE;
	return 0;
}

void vtd_nested_flush_parent(struct vtd_domain *parent, uint64_t iova, uint64_t size)
{
	struct vtd_domain_unit *du;
	struct vtd_nested *nd;

	/* §6.5.2.3: the IOTLB descriptor (not the PASID-based one) covers
	 * combined nested translations whose second stage changed. */
	list_for_each_entry(nd, &parent->nested, parent_node)
		list_for_each_entry(du, &nd->units, node)
			if (vtd_flush_iotlb_range(du->unit, du->did, iova, size))
				pl_err("DMAR: unit %u: nested IOTLB flush failed", du->unit->idx);
}

/*
 * Linux's intel_nested_cache_invalidate_user(): entries one at a time;
 * a type other than VTD_S1 is -EINVAL with nothing handled; a short or
 * over-long entry -EINVAL; unknown flags or a non-zero __reserved
 * -EOPNOTSUPP; an address not 4 KiB aligned, or npages U64_MAX ("all")
 * with a non-zero address, -EINVAL. array->entry_num becomes the number
 * handled before the first error. Each entry becomes one PASID-based
 * IOTLB invalidation per unit the domain is on, IH from
 * IOMMU_VTD_INV_FLAGS_LEAF.
 */
static int vtd_nested_cache_invalidate_user(struct iommu_domain *d,
					    struct iommu_user_data_array *array)
{
	struct vtd_nested *nd = vtd_nested_domain(d);
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct vtd_domain_unit *du;
	uint32_t index, done = 0;
	int rc = 0;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
		rc = -EINVAL;
		goto out;
	}
	for (index = 0; index < array->entry_num; index++) {
		rc = iommu_copy_struct_from_user_array(&inv, array,
						       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
						       index, __reserved);
		if (rc)
			break;
		if ((inv.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv.__reserved) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (!IS_ALIGNED(inv.addr, VTD_PAGE) ||
		    (inv.npages == UINT64_MAX && inv.addr)) {
			rc = -EINVAL;
			break;
		}
		list_for_each_entry(du, &nd->units, node) {
			rc = vtd_flush_piotlb(du->unit, du->did, VTD_RID_PASID, inv.addr,
					      inv.npages, inv.flags & IOMMU_VTD_INV_FLAGS_LEAF);
			if (rc)
				break;
		}
		if (rc)
			break;
		done++;
	}
out:
	array->entry_num = done;
	return rc;
}

static void vtd_nested_free(struct iommu_domain *d)
{
	struct vtd_nested *nd = vtd_nested_domain(d);

	if (nd->nr_devs || !list_empty(&nd->units))
		pl_err("DMAR: nested domain freed with %u device(s) attached", nd->nr_devs);
	list_del(&nd->parent_node);
	free(nd);
}

/*
 * Linux's intel_nested_domain_alloc() with pcilab's stricter input checks.
 * Order and errnos as Linux: no nesting on the unit or flags -EOPNOTSUPP;
 * a data type other than VTD_S1 -EOPNOTSUPP; a parent that is not a VT-d
 * nest parent -EINVAL; data shorter than up to __reserved or longer than
 * the struct -EINVAL. Linux (6.12) ignores the rest until attach; pcilab
 * refuses it here so bad data never becomes a domain: unknown flags or a
 * non-zero __reserved -EOPNOTSUPP (as its invalidation entries), an
 * unaligned pgtbl_addr -EINVAL, and what the device's unit cannot run
 * (width other than 48/57, SRE, EAFE; -EINVAL as Linux's attach).
 */
struct iommu_domain *vtd_domain_alloc_nested(struct iommu_dev *dev, struct iommu_domain *parent,
					     uint32_t flags,
					     const struct iommu_user_data *user_data)
{
	struct vtd_dev *vd = dev->priv;
	struct vtd_domain *s2 = vtd_paging_domain(parent);
	struct iommu_hwpt_vtd_s1 s1;
	struct vtd_nested *nd;
	int rc;

	if (!vd)
		return ERR_PTR(-ENODEV);
	if (!(vd->unit->ecap & VTD_ECAP_NEST) || flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (user_data->type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(-EOPNOTSUPP);
	if (!s2 || !s2->nest_parent)
		return ERR_PTR(-EINVAL);
	rc = iommu_copy_struct_from_user(&s1, user_data, IOMMU_HWPT_DATA_VTD_S1, __reserved);
	if (rc)
		return ERR_PTR(rc);
	if ((s1.flags & ~(uint64_t)VTD_S1_FLAGS) || s1.__reserved)
		return ERR_PTR(-EOPNOTSUPP);
	/* §9.6: FSPTPTR holds bits 63:12 of a 4 KiB-aligned table. */
	if (!IS_ALIGNED(s1.pgtbl_addr, VTD_PAGE))
		return ERR_PTR(-EINVAL);
	rc = vtd_nested_check_unit(vd->unit, s1.addr_width, s1.flags);
	if (rc)
		return ERR_PTR(rc);

	nd = pl_zalloc(sizeof(*nd));
	if (!nd)
		return ERR_PTR(-ENOMEM);
	nd->parent = s2;
	nd->fsptr = s1.pgtbl_addr;
	nd->flags = s1.flags;
	nd->addr_width = s1.addr_width;
	INIT_LIST_HEAD(&nd->units);
	nd->domain.ops = &vtd_nested_ops;
	/* Published on the parent last: nothing can fail any more. */
	list_add_tail(&nd->parent_node, &s2->nested);
	return &nd->domain;
}

/* Attach is the driver's common one (intel_iommu.c), which takes the
 * entry from vtd_nested_pasid_entry(). */
static const struct iommu_domain_ops vtd_nested_ops = {
	.attach_dev = vtd_attach_dev,
	.cache_invalidate_user = vtd_nested_cache_invalidate_user,
	.free = vtd_nested_free,
};
