// SPDX-License-Identifier: MIT
/*
 * The VT-d driver's iommu_ops (intel_iommu.h): devices, domains, attach.
 *
 * A device's requests reach the unit with its own requester ID or a
 * bridge's alias (pci_for_each_dma_alias()); each such RID gets a
 * scalable-mode context entry (VT-d §9.4) pointing at a PASID directory
 * (§9.5) of its own, shared by every device whose requests carry that RID
 * (they are in one group, so they always share a domain). Attaching writes
 * the RID_PASID entry (§9.6) of each RID:
 *   paging   PGTT second-stage, the domain's table and its DID on the unit
 *   nested   PGTT nested: the user's first-stage table (a GPA), the
 *            parent's second-stage table, the nested domain's DID (nested.c)
 *   identity PGTT pass-through (ECAP.PT), DID VTD_DID_IDENTITY
 *   blocked  not present: every request faults (SPT.2)
 * A present entry is first torn down (P cleared, PASID cache and IOTLB of
 * the old DID flushed) before the new one is written, as §6.5.3.3 and
 * §9.6 require for changing a PASID entry software did not own alone.
 */
#include <stdlib.h>
#include <linux/iommufd.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/iommu/intel/vtd_internal.h"
#include "kernel/pci/pci.h"

static struct vtd *isys_vtd(struct iommu_subsys *isys)
{
	return isys->ops == &intel_iommu_ops ? isys->priv : NULL;
}

static struct vtd_domain *to_vtd_domain(struct iommu_domain *d)
{
	return container_of(d, struct vtd_domain, domain);
}

/* ------------------------------------------------------------ RIDs */

/* The context entry of rid: its address, allocating the context table. */
static int vtd_context_entry(struct vtd_unit *u, uint16_t rid, uint64_t *ce)
{
	struct vtd *v = u->vtd;
	unsigned int bus = rid >> 8, upper = (rid & 0xff) >= 128;
	uint64_t re = u->root + 16ull * bus + 8 * upper;	/* §9.2: LCTP/UCTP */
	int rc;

	if (!u->ctx[bus][upper]) {
		rc = kpage_alloc(v->pool, &u->ctx[bus][upper]);
		if (rc)
			return rc;
		/* Root entries are not cached when not present (CAP.CM 0);
		 * the context-cache flush after the context entry covers it. */
		vtd_st(v, re, u->ctx[bus][upper] | VTD_SM_RE_P);
	}
	*ce = u->ctx[bus][upper] + 32ull * (rid & 0x7f);
	return 0;
}

static struct vtd_rid *vtd_rid_find(struct vtd_unit *u, uint16_t rid)
{
	struct vtd_rid *r;

	list_for_each_entry(r, &u->rids, node)
		if (r->rid == rid)
			return r;
	return NULL;
}

/* A reference on rid's context entry, creating it (PASID directory and
 * table, context entry, context-cache flush) on first use. */
static int vtd_rid_get(struct vtd_unit *u, uint16_t rid, struct vtd_rid **out)
{
	struct vtd *v = u->vtd;
	struct vtd_rid *r = vtd_rid_find(u, rid);
	uint64_t ce;
	int rc;

	if (r) {
		r->refs++;
		*out = r;
		return 0;
	}
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->rid = rid;
	rc = vtd_context_entry(u, rid, &ce);
	if (rc)
		goto err_free;
	rc = kpage_alloc(v->pool, &r->pasid_dir);
	if (rc)
		goto err_free;
	rc = kpage_alloc(v->pool, &r->pasid_tbl);
	if (rc)
		goto err_free_dir;
	/* Directory entry 0 covers PASIDs 0-63, RID_PASID among them. */
	vtd_st(v, r->pasid_dir, r->pasid_tbl | VTD_PDE_P);
	/* §9.4: RID_PASID 0, PDTS 0 (128 directory entries); PASIDE stays
	 * clear: only requests without PASID are accepted. */
	vtd_st(v, ce + 8, VTD_RID_PASID);
	vtd_st(v, ce + 16, 0);
	vtd_st(v, ce + 24, 0);
	vtd_st(v, ce, r->pasid_dir | VTD_SM_CE0_P);
	rc = vtd_flush_context_dev(u, rid, 0);
	if (rc)
		goto err_clear;
	r->refs = 1;
	list_add_tail(&r->node, &u->rids);
	*out = r;
	return 0;

err_clear:
	vtd_st(v, ce, 0);
	kpage_free(v->pool, r->pasid_tbl);
err_free_dir:
	kpage_free(v->pool, r->pasid_dir);
err_free:
	free(r);
	return rc;
}

static void vtd_rid_put(struct vtd_unit *u, struct vtd_rid *r, uint16_t did)
{
	struct vtd *v = u->vtd;
	uint64_t ce;

	if (--r->refs)
		return;
	if (!vtd_context_entry(u, r->rid, &ce)) {
		vtd_st(v, ce, 0);
		if (vtd_flush_context_dev(u, r->rid, did))
			pl_err("DMAR: %02x:%02x.%u: context flush failed", r->rid >> 8,
			       (r->rid >> 3) & 0x1f, r->rid & 7);
	}
	list_del(&r->node);
	kpage_free(v->pool, r->pasid_tbl);
	kpage_free(v->pool, r->pasid_dir);
	free(r);
}

/* ------------------------------------------------------------ PASID entry */

static unsigned int pe_pgtt(uint64_t pe0)
{
	return (unsigned int)((pe0 & VTD_PE0_PGTT_MASK) >> VTD_PE0_PGTT_SHIFT);
}

/* Write RID_PASID's entry of every RID of dev: qwords 0-2 (the rest stays
 * 0). pe0 0 leaves them not present. */
static int vtd_dev_set_pasid(struct vtd_dev *vd, uint64_t pe0, uint64_t pe2, uint16_t did)
{
	struct vtd_unit *u = vd->unit;
	struct vtd *v = u->vtd;
	unsigned int i;
	int rc = 0, r2;

	for (i = 0; i < vd->nr_rids; i++) {
		uint64_t pe = vd->rids[i]->pasid_tbl + 64ull * VTD_RID_PASID;
		uint64_t old = vtd_ld(v, pe);

		if (old & VTD_PE0_P) {
			uint16_t old_did = (uint16_t)(vtd_ld(v, pe + 8) & VTD_PE1_DID_MASK);

			/* Tear down first: P clear, then flush the old DID. */
			vtd_st(v, pe, old & ~VTD_PE0_P);
			r2 = vtd_flush_pasid(u, old_did, VTD_RID_PASID, pe_pgtt(old));
			if (r2 && !rc)
				rc = r2;
		}
		if (!pe0) {
			vtd_st(v, pe, 0);
			vtd_st(v, pe + 16, 0);
			continue;
		}
		/* Qword 0 (P) last: the unit never sees a half-written entry. */
		vtd_st(v, pe + 8, did);
		vtd_st(v, pe + 16, pe2);
		vtd_st(v, pe, pe0);
		/* Not-present entries are not cached (CAP.CM 0), but the
		 * flush keeps this right on caching-mode hardware too. */
		r2 = vtd_flush_pasid(u, did, VTD_RID_PASID, pe_pgtt(pe0));
		if (r2 && !rc)
			rc = r2;
	}
	return rc;
}

/* ------------------------------------------------------------ domains */

static struct vtd_domain_unit *vtd_domain_unit_find(struct list_head *units,
						    struct vtd_unit *u)
{
	struct vtd_domain_unit *du;

	list_for_each_entry(du, units, node)
		if (du->unit == u)
			return du;
	return NULL;
}

/* A reference on the DID a domain (its units list) has on u, allocating
 * one on first use. */
int vtd_domain_unit_get(struct list_head *units, struct vtd_unit *u,
			struct vtd_domain_unit **out)
{
	struct vtd_domain_unit *du = vtd_domain_unit_find(units, u);
	int rc;

	if (du) {
		du->refs++;
		*out = du;
		return 0;
	}
	du = pl_zalloc(sizeof(*du));
	if (!du)
		return -ENOMEM;
	rc = vtd_did_alloc(u, &du->did);
	if (rc) {
		free(du);
		return rc;
	}
	du->unit = u;
	du->refs = 1;
	list_add_tail(&du->node, units);
	*out = du;
	return 0;
}

void vtd_domain_unit_put(struct list_head *units, struct vtd_unit *u)
{
	struct vtd_domain_unit *du = vtd_domain_unit_find(units, u);

	if (!du || --du->refs)
		return;
	/* Nothing on this unit carries the DID any more: drop what the
	 * IOTLB still holds for it before the DID is reused. If that fails
	 * the DID is never reused (stale entries would serve its next
	 * domain). */
	if (vtd_flush_iotlb_domain(u, du->did))
		pl_err("DMAR: unit %u: DID %u retired, its IOTLB flush failed", u->idx, du->did);
	else
		vtd_did_free(u, du->did);
	list_del(&du->node);
	free(du);
}

/* Stop dev using whatever domain it is on: its DID reference goes. */
static void vtd_dev_leave_domain(struct vtd_dev *vd)
{
	struct iommu_domain *old = vd->domain;

	if (old && (old->type & __IOMMU_DOMAIN_PAGING)) {
		vtd_domain_unit_put(&to_vtd_domain(old)->units, vd->unit);
		to_vtd_domain(old)->nr_devs--;
	} else if (old && old->type == IOMMU_DOMAIN_NESTED) {
		vtd_domain_unit_put(&vtd_nested_domain(old)->units, vd->unit);
		vtd_nested_domain(old)->nr_devs--;
	}
	vd->domain = NULL;
}

int vtd_attach_dev(struct iommu_domain *d, struct iommu_dev *dev)
{
	struct vtd_dev *vd = dev->priv;
	struct vtd_unit *u = vd->unit;
	struct vtd_domain_unit *du = NULL;
	struct list_head *units = NULL;
	unsigned int *nr_devs = NULL;
	uint64_t pe0, pe2 = 0;
	uint16_t did = 0;
	int rc;

	if (vd->domain == d)
		return 0;
	if (should_fail("vtd_attach_dev"))
		return -ENOMEM;
	/* Validate everything first: a refused attach leaves the device on
	 * its old domain, untouched. */
	switch (d->type) {
	case IOMMU_DOMAIN_BLOCKED:
		pe0 = 0;
		did = 0;
		break;
	case IOMMU_DOMAIN_IDENTITY:
		if (!(u->ecap & VTD_ECAP_PT))
			return -EOPNOTSUPP;
		/* §9.6: pass-through, AW still checked against MGAW. */
		pe0 = VTD_PE0_P | ((uint64_t)VTD_PGTT_PT << VTD_PE0_PGTT_SHIFT) |
		      ((uint64_t)(u->levels - 2) << VTD_PE0_AW_SHIFT);
		did = VTD_DID_IDENTITY;
		break;
	case IOMMU_DOMAIN_NESTED: {
		struct vtd_nested *nd = vtd_nested_domain(d);

		rc = vtd_nested_pasid_entry(nd, u, &pe0, &pe2);
		if (rc)
			return rc;
		units = &nd->units;
		nr_devs = &nd->nr_devs;
		break;
	}
	default: {
		struct vtd_domain *dom = to_vtd_domain(d);

		if (dom->vtd != u->vtd || dom->levels > u->levels)
			return -EINVAL;
		/* AW 1: 39-bit/3-level, 2: 48-bit/4-level (§9.6). */
		pe0 = VTD_PE0_P | ((uint64_t)VTD_PGTT_SS << VTD_PE0_PGTT_SHIFT) |
		      ((uint64_t)(dom->levels - 2) << VTD_PE0_AW_SHIFT) | dom->pgd;
		units = &dom->units;
		nr_devs = &dom->nr_devs;
		break;
	}
	}
	if (units) {
		rc = vtd_domain_unit_get(units, u, &du);
		if (rc)
			return rc;
		did = du->did;
	}
	rc = vtd_dev_set_pasid(vd, pe0, pe2, did);
	if (rc) {
		/* The hardware state is uncertain now: block the device
		 * rather than leave it on a half-written entry. */
		(void)vtd_dev_set_pasid(vd, 0, 0, 0);
		if (du)
			vtd_domain_unit_put(units, u);
		vtd_dev_leave_domain(vd);
		return rc;
	}
	vtd_dev_leave_domain(vd);
	if (nr_devs)
		(*nr_devs)++;
	vd->domain = d;
	vd->did = did;
	return 0;
}

static void vtd_domain_flush(struct vtd_domain *dom, uint64_t iova, uint64_t size)
{
	struct vtd_domain_unit *du;

	list_for_each_entry(du, &dom->units, node)
		if (vtd_flush_iotlb_range(du->unit, du->did, iova, size))
			pl_err("DMAR: unit %u: IOTLB flush failed", du->unit->idx);
	/* Nested translations cached the combined result under their own
	 * DIDs: those go too (Linux's nesting cache tags). */
	if (dom->nest_parent)
		vtd_nested_flush_parent(dom, iova, size);
}

static int vtd_map_pages(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, int prot, uint64_t *mapped)
{
	struct vtd_domain *dom = to_vtd_domain(d);
	bool freed = false;
	uint64_t i;
	int rc = 0;

	*mapped = 0;
	for (i = 0; i < pgcount; i++) {
		rc = vtd_pt_map(dom, iova + i * pgsize, paddr + i * pgsize, pgsize, prot,
				&freed);
		if (rc)
			break;
		*mapped += pgsize;
	}
	/* Not-present entries are not cached (CAP.CM 0, §6.1): a new
	 * mapping needs no flush unless tables were replaced. */
	if (freed && *mapped)
		vtd_domain_flush(dom, iova, *mapped);
	return rc;
}

static uint64_t vtd_unmap_pages(struct iommu_domain *d, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount)
{
	struct vtd_domain *dom = to_vtd_domain(d);
	uint64_t want, done = 0, n;

	if (!pgsize || pgcount > UINT64_MAX / pgsize)
		return 0;
	want = pgsize * pgcount;
	while (done < want) {
		n = vtd_pt_unmap(dom, iova + done);
		if (!n)
			break;
		done += n;
	}
	/* The entries are gone from RAM; the unit may still hold them. */
	if (done)
		vtd_domain_flush(dom, iova, done);
	return done;
}

static uint64_t vtd_iova_to_phys(struct iommu_domain *d, uint64_t iova)
{
	bool found;

	return vtd_pt_lookup(to_vtd_domain(d), iova, &found);
}

static void vtd_domain_free(struct iommu_domain *d)
{
	struct vtd_domain *dom = to_vtd_domain(d);

	if (dom->nr_devs || !list_empty(&dom->units))
		pl_err("DMAR: paging domain freed with %u device(s) attached", dom->nr_devs);
	if (dom->nest_parent && !list_empty(&dom->nested))
		pl_err("DMAR: nest parent freed with nested domains on it");
	vtd_pt_free(dom->vtd, dom->pgd, dom->levels);
	free(dom);
}

static const struct iommu_domain_ops vtd_paging_ops = {
	.attach_dev = vtd_attach_dev,
	.map_pages = vtd_map_pages,
	.unmap_pages = vtd_unmap_pages,
	.iova_to_phys = vtd_iova_to_phys,
	.free = vtd_domain_free,
};

static const struct iommu_domain_ops vtd_static_ops = {
	.attach_dev = vtd_attach_dev,
};

static struct iommu_domain vtd_blocked = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.owner = &intel_iommu_ops,
	.ops = &vtd_static_ops,
	.is_static = true,
};

static struct iommu_domain vtd_identity = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.owner = &intel_iommu_ops,
	.ops = &vtd_static_ops,
	.is_static = true,
};

struct vtd_domain *vtd_paging_domain(struct iommu_domain *d)
{
	return d && d->ops == &vtd_paging_ops ? to_vtd_domain(d) : NULL;
}

static struct iommu_domain *vtd_domain_alloc_paging_flags(struct iommu_dev *dev,
							  uint32_t flags)
{
	struct vtd *v = isys_vtd(dev->isys);
	struct vtd_dev *vd = dev->priv;
	struct vtd_domain *dom;
	int rc;

	if (!v)
		return ERR_PTR(-ENODEV);
	if (flags & ~IOMMU_PAGING_F_NEST_PARENT)
		return ERR_PTR(-EOPNOTSUPP);
	/* Linux's nested_supported(): scalable mode and ECAP.NEST (§11.4.3)
	 * on the device's unit. A nest parent is a second-stage table,
	 * which every domain of this driver already is. */
	if ((flags & IOMMU_PAGING_F_NEST_PARENT) && (!vd || !(vd->unit->ecap & VTD_ECAP_NEST)))
		return ERR_PTR(-EOPNOTSUPP);
	dom = pl_zalloc(sizeof(*dom));
	if (!dom)
		return ERR_PTR(-ENOMEM);
	dom->vtd = v;
	dom->levels = v->levels;
	dom->nest_parent = flags & IOMMU_PAGING_F_NEST_PARENT;
	INIT_LIST_HEAD(&dom->units);
	INIT_LIST_HEAD(&dom->nested);
	rc = kpage_alloc(v->pool, &dom->pgd);
	if (rc) {
		free(dom);
		return ERR_PTR(rc);
	}
	dom->domain.ops = &vtd_paging_ops;
	dom->domain.pgsize_bitmap = v->pgsizes;
	dom->domain.geometry.aperture_start = 0;
	dom->domain.geometry.aperture_end = (1ull << (12 + 9 * dom->levels)) - 1;
	dom->domain.geometry.force_aperture = true;
	return &dom->domain;
}

static struct iommu_domain *vtd_domain_alloc_paging(struct iommu_dev *dev)
{
	return vtd_domain_alloc_paging_flags(dev, 0);
}

/* ------------------------------------------------------------ devices */

struct vtd_alias_walk {
	struct vtd_dev *vd;
	uint16_t rids[VTD_MAX_ALIASES];
	unsigned int n;
};

static int vtd_collect_alias(struct pci_dev *pdev, uint16_t alias, void *data)
{
	struct vtd_alias_walk *w = data;
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (w->rids[i] == alias)
			return 0;
	if (w->n == VTD_MAX_ALIASES)
		return -E2BIG;
	w->rids[w->n++] = alias;
	return 0;
}

static void vtd_release_device(struct iommu_dev *dev)
{
	struct vtd_dev *vd = dev->priv;
	unsigned int i;

	if (!vd)
		return;
	/* Stop using the domain (iommu_ops.release_device), then the
	 * context entries go with their last user. */
	if (vd->domain)
		(void)vtd_dev_set_pasid(vd, 0, 0, 0);
	vtd_dev_leave_domain(vd);
	for (i = vd->nr_rids; i-- > 0;)
		vtd_rid_put(vd->unit, vd->rids[i], vd->did);
	free(vd);
	dev->priv = NULL;
}

static int vtd_probe_device(struct iommu_dev *dev)
{
	struct vtd *v = isys_vtd(dev->isys);
	struct vtd_alias_walk w = { 0 };
	struct vtd_unit *u;
	struct vtd_dev *vd;
	unsigned int i;
	int rc;

	if (!v)
		return -ENODEV;
	u = vtd_unit_for_segment(v, (uint16_t)pci_domain_nr(dev->pdev->bus));
	if (!u)
		return -ENODEV;
	rc = pci_for_each_dma_alias(dev->pdev, vtd_collect_alias, &w);
	if (rc)
		return rc;
	vd = pl_zalloc(sizeof(*vd));
	if (!vd)
		return -ENOMEM;
	vd->unit = u;
	dev->priv = vd;		/* release_device undoes a partial probe */
	for (i = 0; i < w.n; i++) {
		rc = vtd_rid_get(u, w.rids[i], &vd->rids[i]);
		if (rc) {
			vtd_release_device(dev);
			return rc;
		}
		vd->nr_rids++;
	}
	return 0;
}

/* ------------------------------------------------------------ driver */

static int vtd_init(struct iommu_subsys *isys)
{
	struct vtd *v;
	int rc;

	rc = vtd_create(isys->pci, &v);
	if (rc)
		return rc;
	isys->priv = v;
	return 0;
}

static void vtd_fini(struct iommu_subsys *isys)
{
	vtd_destroy(isys->priv);
	isys->priv = NULL;
}

static bool vtd_capable(struct iommu_dev *dev, enum iommu_cap cap)
{
	struct vtd_dev *vd = dev->priv;

	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
		return true;		/* x86 DMA snoops */
	case IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	case IOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		return vd && (vd->unit->ecap & VTD_ECAP_SC);
	default:
		return false;
	}
}

/* Linux's intel_iommu_hw_info(): the unit's CAP and ECAP as read from its
 * registers (§11.4.2, §11.4.3), for the user to decide what a stage-1
 * table may use. No erratum flag applies to the model. */
static void *vtd_hw_info(struct iommu_dev *dev, uint32_t *length, uint32_t *type)
{
	struct vtd_dev *vd = dev->priv;
	struct iommu_hw_info_vtd *info;

	if (!vd)
		return ERR_PTR(-ENODEV);
	info = pl_zalloc(sizeof(*info));
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->flags = 0;
	info->cap_reg = vtd_rd64(vd->unit, VTD_CAP_REG);
	info->ecap_reg = vtd_rd64(vd->unit, VTD_ECAP_REG);
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return info;
}

const struct iommu_ops intel_iommu_ops = {
	.name = "intel-iommu",
	.init = vtd_init,
	.fini = vtd_fini,
	.capable = vtd_capable,
	.probe_device = vtd_probe_device,
	.release_device = vtd_release_device,
	.domain_alloc_paging = vtd_domain_alloc_paging,
	.domain_alloc_paging_flags = vtd_domain_alloc_paging_flags,
	.domain_alloc_nested = vtd_domain_alloc_nested,
	.hw_info = vtd_hw_info,
	.blocked_domain = &vtd_blocked,
	.identity_domain = &vtd_identity,
	.pgsize_bitmap = (1ull << 12) | (1ull << 21) | (1ull << 30),
};

/* ------------------------------------------------------------ queries */

unsigned int intel_iommu_nr_units(struct iommu_subsys *isys)
{
	struct vtd *v = isys_vtd(isys);

	return v ? v->nr_units : 0;
}

uint64_t intel_iommu_pages_in_use(struct iommu_subsys *isys)
{
	struct vtd *v = isys_vtd(isys);

	return v ? v->pool->nr_pages - v->pool->nr_free : 0;
}

uint16_t intel_iommu_domain_did(struct iommu_domain *d, unsigned int unit)
{
	struct vtd_domain_unit *du;
	struct list_head *units;

	if (vtd_paging_domain(d))
		units = &to_vtd_domain(d)->units;
	else if (vtd_nested_domain(d))
		units = &vtd_nested_domain(d)->units;
	else
		return 0;
	list_for_each_entry(du, units, node)
		if (du->unit->idx == unit)
			return du->did;
	return 0;
}

uint64_t intel_iommu_domain_pgd(struct iommu_domain *d)
{
	if (!d || d->ops != &vtd_paging_ops)
		return 0;
	return to_vtd_domain(d)->pgd;
}
