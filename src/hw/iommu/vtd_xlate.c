// SPDX-License-Identifier: MIT
/*
 * VT-d unit model: translation. The slow path resolves the root and
 * scalable-mode context entries (§3.4.3, §9.2-9.4) through the context
 * cache, PASID directory and table entries (§9.5, §9.6) through the PASID
 * cache, then walks first-stage (§3.6, §9.7), second-stage (§3.7, §9.8),
 * nested (§3.8) or pass-through (§3.9) tables with permission checks and
 * accessed/dirty updates, and fills the IOTLB. Paging-structure caches are
 * not modelled: every IOTLB miss walks the tables in memory, which the spec
 * permits (§6.2.4 is implementation optional). Only present, well-formed
 * entries are cached (CAP.CM = 0).
 *
 * The IOTLB (§6.2.3) is direct-mapped on (DID, PASID, page, page size) and
 * holds the combined translation with the permissions its walk found
 * (emptied by vtd_qi.c). A hit is served only for accesses that need
 * nothing more from memory: every check passed, and for writes the D bits
 * already set (F_DIRTY_OK); anything else re-walks, which records faults
 * and sets A/D. A hit therefore has no side effect besides the hit counter.
 *
 * hw_vtd_translate_segs() is the DMA engine's hot path: context and PASID
 * cache entries are looked up once per call, then every page of the
 * transfer is looked up in the IOTLB in turn (one probe per page, two
 * compares) and physically contiguous pages are merged into segments. The
 * call stops before the first page the IOTLB cannot serve, so a walk, and
 * any fault it records, happens only after the data of the pages before
 * it has been moved, as TLPs issued in address order would see it.
 */
#include "base/err.h"
#include "base/log.h"
#include "hw/mem.h"
#include "hw/iommu/vtd_internal.h"

/* ---------------------------------------------------------- table walks */

static inline bool addr_over_haw(const struct hw_vtd *v, uint64_t a)
{
	return (a & VTD_PTE_ADDR_MASK) >> v->haw;
}

/* Fetch the scalable-mode context entry for rid (§3.4.3), via the cache. */
int vtd_ctx_get(struct hw_vtd *v, struct vtd_req *r, uint64_t *ce0, uint64_t *ce1)
{
	struct vtd_ctx_cache *cc = &v->ctx[r->rid];
	uint64_t rta = v->rtaddr & VTD_RTADDR_RTA_MASK, re, ctp, a, ce[4];
	unsigned int bus = r->rid >> 8, devfn = r->rid & 0xff, i;

	if (cc->valid) {
		v->st.ctx_hits++;
		*ce0 = cc->ce0;
		*ce1 = cc->ce1;
		r->fpd = cc->ce0 & VTD_SM_CE0_FPD;
		return 0;
	}
	v->st.ctx_misses++;
	/* §9.2: lower half of the root entry for devfn 0-127, upper for 128-255 */
	if (hw_mem_ld64(v->mem, rta + bus * 16 + (devfn >= 128 ? 8 : 0), &re))
		return VTD_FR_SRT_ACCESS;
	if (!(re & VTD_SM_RE_P))
		return VTD_FR_SRT_NOT_PRESENT;
	if ((re & VTD_SM_RE_RSVD_MASK) || addr_over_haw(v, re))
		return VTD_FR_SRT_RSVD;
	ctp = re & VTD_SM_RE_CTP_MASK;
	a = ctp + (devfn & 0x7f) * 32;
	for (i = 0; i < 4; i++)
		if (hw_mem_ld64(v->mem, a + 8 * i, &ce[i]))
			return VTD_FR_SCT_ACCESS;
	r->fpd = ce[0] & VTD_SM_CE0_FPD;	/* honoured even with P clear */
	if (!(ce[0] & VTD_SM_CE0_P))
		return VTD_FR_SCT_NOT_PRESENT;
	if ((ce[0] & VTD_SM_CE0_RSVD_MASK) || (ce[1] & VTD_SM_CE1_RSVD_MASK) ||
	    ce[2] || ce[3] || addr_over_haw(v, ce[0]))
		return VTD_FR_SCT_RSVD;
	/* Only present, well-formed entries are cached (CAP.CM = 0, §6.1). */
	cc->ce0 = ce[0];
	cc->ce1 = ce[1];
	cc->pc_idx = pc_set(r->rid, (uint32_t)(ce[1] & VTD_SM_CE1_RID_PASID_MASK));
	cc->valid = true;
	*ce0 = ce[0];
	*ce1 = ce[1];
	return 0;
}

/* Fetch the PASID table entry (§3.4.3, §9.5, §9.6), via the PASID cache. */
static int vtd_pasid_get(struct hw_vtd *v, struct vtd_req *r, uint64_t ce0,
			 uint32_t pasid, struct vtd_pc_entry **out)
{
	struct vtd_pc_entry *pc = &v->pc[pc_set(r->rid, pasid)];
	uint64_t pde, pe[3], a;
	unsigned int i, pgtt, aw, fspm;
	bool ctx_fpd = r->fpd;

	if (pc->valid && pc->rid == r->rid && pc->pasid == pasid) {
		v->st.pasid_hits++;
		r->fpd = ctx_fpd || pc->fpd;
		*out = pc;
		return 0;
	}
	v->st.pasid_misses++;
	a = (ce0 & VTD_SM_CE0_PASIDDIR_MASK) + (uint64_t)(pasid >> VTD_PASID_DIR_SHIFT) * 8;
	if (hw_mem_ld64(v->mem, a, &pde))
		return VTD_FR_SPD_ACCESS;
	r->fpd = ctx_fpd || (pde & VTD_PDE_FPD);
	if (!(pde & VTD_PDE_P))
		return VTD_FR_SPD_NOT_PRESENT;
	if ((pde & VTD_PDE_RSVD_MASK) || addr_over_haw(v, pde))
		return VTD_FR_SPD_RSVD;
	a = (pde & VTD_PDE_PTPTR_MASK) + (uint64_t)(pasid & VTD_PASID_TBL_MASK) * 64;
	for (i = 0; i < 3; i++)
		if (hw_mem_ld64(v->mem, a + 8 * i, &pe[i]))
			return VTD_FR_SPT_ACCESS;
	r->fpd = r->fpd || (pe[0] & VTD_PE0_FPD);
	if (!(pe[0] & VTD_PE0_P))
		return VTD_FR_SPT_NOT_PRESENT;
	if (pe[0] & VTD_PE0_RSVD_MASK)
		return VTD_FR_SPT_RSVD;
	pgtt = (pe[0] & VTD_PE0_PGTT_MASK) >> VTD_PE0_PGTT_SHIFT;
	aw = (pe[0] & VTD_PE0_AW_MASK) >> VTD_PE0_AW_SHIFT;
	fspm = (pe[2] & VTD_PE2_FSPM_MASK) >> VTD_PE2_FSPM_SHIFT;
	/* §9.6: programming the hardware does not support is SPT.4. */
	if (pgtt < VTD_PGTT_FS || pgtt > VTD_PGTT_PT)
		return VTD_FR_SPT_INVALID;
	if ((pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED) &&
	    !(v->cap & (1ull << (VTD_CAP_SAGAW_SHIFT + aw))))
		return VTD_FR_SPT_INVALID;
	if ((pgtt == VTD_PGTT_FS || pgtt == VTD_PGTT_NESTED) && fspm > 1)
		return VTD_FR_SPT_INVALID;
	if ((pgtt == VTD_PGTT_SS || pgtt == VTD_PGTT_NESTED) && addr_over_haw(v, pe[0]))
		return VTD_FR_SSS_PTR;
	pc->pe0 = pe[0];
	pc->pe1 = pe[1];
	pc->pe2 = pe[2];
	pc->pasid = pasid;
	pc->rid = r->rid;
	pc->did = (uint16_t)(pe[1] & VTD_PE1_DID_MASK);
	pc->fpd = (pde & VTD_PDE_FPD) || (pe[0] & VTD_PE0_FPD);
	for (i = 0; i < 3; i++) {
		pc->ioff[i] = iotlb_hoff(pc->did, pasid, 12 + 9 * i);
		pc->itag[i] = vtd_itag(pc->did, pasid, 12 + 9 * i);
	}
	pc->valid = true;
	*out = pc;
	return 0;
}

/* Atomically OR bits into a paging entry that must still be present. */
static int vtd_set_bits(struct hw_vtd *v, uint64_t pa, uint64_t bits, uint64_t present)
{
	uint64_t old;
	int rc;

	if (hw_mem_ld64(v->mem, pa, &old))
		return -EFAULT;
	for (;;) {
		if (!(old & present))
			return -EAGAIN;
		if ((old & bits) == bits)
			return 0;
		rc = hw_mem_cmpxchg64(v->mem, pa, &old, old | bits);
		if (rc != -EAGAIN)
			return rc;
	}
}

static unsigned int ss_levels(uint64_t pe0)
{
	return 2 + (unsigned int)((pe0 & VTD_PE0_AW_MASK) >> VTD_PE0_AW_SHIFT);
}

/*
 * Second-stage translation of gpa (§3.7, entry formats §9.8): walk,
 * permission check for access, then accessed/dirty update when SSADE
 * (§3.7.2.1). Returns 0 or a fault reason.
 */
static int ss_translate(struct hw_vtd *v, uint64_t pe0, uint64_t gpa,
			unsigned int access, struct vtd_xlat *x)
{
	unsigned int levels = ss_levels(pe0), lvl, shift = 12;
	uint64_t table = pe0 & VTD_PE0_SSPTPTR_MASK, ent = 0, ents[5];
	unsigned int perm = F_SS_R | F_SS_W | F_SS_X;
	bool ssade = pe0 & VTD_PE0_SSADE;

	if (gpa >> (12 + 9 * levels))
		return VTD_FR_SGN_HAW;
	for (lvl = levels; lvl >= 1; lvl--) {
		uint64_t a;

		shift = 12 + 9 * (lvl - 1);
		a = table + ((gpa >> shift) & 511) * 8;
		if (hw_mem_ld64(v->mem, a, &ent))
			return VTD_FR_SSS_ACCESS;
		ents[lvl - 1] = a;
		if (!(ent & (VTD_SS_R | VTD_SS_W)))
			return VTD_FR_SSS_NOT_PRESENT;
		if (addr_over_haw(v, ent))
			return VTD_FR_SSS_RSVD;
		if (!(ent & VTD_SS_R))
			perm &= ~F_SS_R;
		if (!(ent & VTD_SS_W))
			perm &= ~F_SS_W;
		if (!(ent & VTD_SS_X))
			perm &= ~F_SS_X;
		if (lvl == 1)
			break;
		if (ent & VTD_SS_PS) {
			/* §9.8: PS is reserved above the 1 GiB level. */
			if (lvl > 3)
				return VTD_FR_SSS_RSVD;
			if (ent & GENMASK_ULL(shift - 1, 12))
				return VTD_FR_SSS_RSVD;
			break;
		}
		if (ent & GENMASK_ULL(6, 3))	/* reserved in non-leaf entries */
			return VTD_FR_SSS_RSVD;
		table = ent & VTD_PTE_ADDR_MASK;
	}
	if ((access & HW_VTD_ACC_R) && !(perm & F_SS_R))
		return VTD_FR_SGN_READ;
	if ((access & HW_VTD_ACC_W) && !(perm & F_SS_W))
		return VTD_FR_SGN_WRITE;
	if ((access & HW_VTD_ACC_X) && !(perm & F_SS_X))
		return VTD_FR_SGN_EXEC;
	if (ssade) {
		unsigned int l;

		for (l = levels; l >= lvl; l--) {
			uint64_t bits = VTD_SS_A;

			if (l == lvl && (access & HW_VTD_ACC_W))
				bits |= VTD_SS_D;
			if (vtd_set_bits(v, ents[l - 1], bits, VTD_SS_R | VTD_SS_W))
				return VTD_FR_SSS_NOT_PRESENT;
		}
		if ((ent & VTD_SS_D) || (access & HW_VTD_ACC_W))
			perm |= F_DIRTY_OK;
	} else {
		perm |= F_DIRTY_OK;
	}
	x->pa = (ent & VTD_PTE_ADDR_MASK & ~((1ull << shift) - 1)) |
		(gpa & ((1ull << shift) - 1));
	x->shift = shift;
	x->flags = perm;
	return 0;
}

/* First-stage permission check (§3.6.2), flags as accumulated by the walk. */
static int fs_perm(uint64_t pe2, unsigned int flags, unsigned int access)
{
	bool priv = access & HW_VTD_ACC_PRIV;

	if (!priv && !(flags & F_FS_US))
		return VTD_FR_SGN_USER;
	if ((access & HW_VTD_ACC_W) && !(flags & F_FS_RW) &&
	    (!priv || (pe2 & VTD_PE2_WPE)))
		return VTD_FR_SGN_WRITE;
	if ((access & HW_VTD_ACC_X) && (flags & F_FS_XD))
		return VTD_FR_SGN_EXEC;
	return 0;
}

static int ss_perm(unsigned int flags, unsigned int access)
{
	if ((access & HW_VTD_ACC_R) && !(flags & F_SS_R))
		return VTD_FR_SGN_READ;
	if ((access & HW_VTD_ACC_W) && !(flags & F_SS_W))
		return VTD_FR_SGN_WRITE;
	if ((access & HW_VTD_ACC_X) && !(flags & F_SS_X))
		return VTD_FR_SGN_EXEC;
	return 0;
}

/*
 * Nested: the GPA of a first-stage structure goes through the second
 * stage (§3.8); failures are reported with the first-stage nested reasons.
 */
static int fs_table_hpa(struct hw_vtd *v, const struct vtd_pc_entry *pc, bool nested,
			uint64_t gpa, bool top, unsigned int access, uint64_t *hpa)
{
	struct vtd_xlat x;
	int fr;

	if (!nested) {
		*hpa = gpa;
		return 0;
	}
	if (gpa >> (12 + 9 * ss_levels(pc->pe0)))
		return VTD_FR_SFS_NEST_MGAW;
	fr = ss_translate(v, pc->pe0, gpa, access, &x);
	if (fr == VTD_FR_SGN_READ)
		return top ? VTD_FR_SFS_NEST_PTR_RD : VTD_FR_SFS_NEST_RD;
	if (fr == VTD_FR_SGN_WRITE)
		return VTD_FR_SFS_NEST_WR;
	if (fr)
		return fr;
	*hpa = x.pa;
	return 0;
}

/*
 * First-stage translation (§3.6, x86-64 4/5-level paging, entries §9.7),
 * with the permission check and accessed/dirty update (§3.6.2.1).
 * Output is a GPA when nested, else a host physical address.
 */
static int fs_translate(struct hw_vtd *v, const struct vtd_pc_entry *pc, bool nested,
			uint64_t iova, unsigned int access, struct vtd_xlat *x)
{
	unsigned int levels = 4 + (unsigned int)((pc->pe2 & VTD_PE2_FSPM_MASK) >>
						  VTD_PE2_FSPM_SHIFT);
	unsigned int vabits = 12 + 9 * levels, lvl, shift = 12, l;
	uint64_t table = pc->pe2 & VTD_PE2_FSPTPTR_MASK, ent = 0, ents[5], vals[5];
	unsigned int flags = F_FS_RW | F_FS_US;
	int64_t sext;
	int fr;

	/* §3.6.1: the input must be canonical for the paging mode. */
	sext = (int64_t)(iova << (64 - vabits)) >> (64 - vabits);
	if ((uint64_t)sext != iova)
		return VTD_FR_SGN_CANONICAL;
	for (lvl = levels; lvl >= 1; lvl--) {
		uint64_t gpa, hpa;

		shift = 12 + 9 * (lvl - 1);
		gpa = table + ((iova >> shift) & 511) * 8;
		fr = fs_table_hpa(v, pc, nested, gpa, lvl == levels, HW_VTD_ACC_R, &hpa);
		if (fr)
			return fr;
		if (hw_mem_ld64(v->mem, hpa, &ent))
			return lvl == levels ? VTD_FR_SFS_PTR_ACCESS : VTD_FR_SFS_ACCESS;
		ents[lvl - 1] = gpa;
		vals[lvl - 1] = ent;
		if (!(ent & VTD_FS_P))
			return VTD_FR_SFS_NOT_PRESENT;
		if (addr_over_haw(v, ent))
			return nested ? VTD_FR_SFS_NEST_MGAW : VTD_FR_SFS_RSVD;
		if (!(ent & VTD_FS_RW))
			flags &= ~F_FS_RW;
		if (!(ent & VTD_FS_US))
			flags &= ~F_FS_US;
		if (ent & VTD_FS_XD)
			flags |= F_FS_XD;
		if (lvl == 1)
			break;
		if (ent & VTD_FS_PS) {
			/* §9.7: PS reserved in PML5E/PML4E; 1 GiB needs FS1GP. */
			if (lvl > 3)
				return VTD_FR_SFS_RSVD;
			/* bit 12 is PAT in large leaves */
			if (ent & GENMASK_ULL(shift - 1, 13))
				return VTD_FR_SFS_RSVD;
			break;
		}
		table = ent & VTD_PTE_ADDR_MASK;
	}
	fr = fs_perm(pc->pe2, flags, access);
	if (fr)
		return fr;
	/* §3.6.2.1: A in every entry used, D in the leaf for writes, EA if EAFE. */
	for (l = levels; l >= lvl; l--) {
		uint64_t bits = VTD_FS_A, hpa;

		if (pc->pe2 & VTD_PE2_EAFE)
			bits |= VTD_FS_EA;
		if (l == lvl && (access & HW_VTD_ACC_W))
			bits |= VTD_FS_D;
		if ((vals[l - 1] & bits) == bits)
			continue;
		fr = fs_table_hpa(v, pc, nested, ents[l - 1], l == levels,
				  HW_VTD_ACC_W, &hpa);
		if (fr)
			return fr;
		if (vtd_set_bits(v, hpa, bits, VTD_FS_P))
			return VTD_FR_SFS_NOT_PRESENT;
	}
	if ((ent & VTD_FS_D) || (access & HW_VTD_ACC_W))
		flags |= F_DIRTY_OK;
	x->pa = (ent & VTD_PTE_ADDR_MASK & ~((1ull << shift) - 1)) |
		(iova & ((1ull << shift) - 1));
	x->shift = shift;
	x->flags = flags;
	return 0;
}

/* --------------------------------------------------------- slow path */

static int vtd_check_pasid_entry(const struct vtd_pc_entry *pc, unsigned int access)
{
	/* §9.6: supervisor requests need SRE, execute requests need ERE. */
	if ((access & HW_VTD_ACC_PRIV) && !(pc->pe2 & VTD_PE2_SRE))
		return VTD_FR_SPT_SRE;
	if ((access & HW_VTD_ACC_X) && !(pc->pe2 & VTD_PE2_ERE))
		return VTD_FR_SPT_ERE;
	return 0;
}

/*
 * Accesses an IOTLB hit may serve without a walk: those that pass every
 * check; writes only once the D bits are set. Anything else re-walks.
 */
static unsigned int vtd_hit_allow(uint64_t pe2, unsigned int flags, bool priv)
{
	static const unsigned int kinds[3] = { HW_VTD_ACC_R, HW_VTD_ACC_W, HW_VTD_ACC_X };
	unsigned int allow = 0, i, p = priv ? HW_VTD_ACC_PRIV : 0;
	struct vtd_pc_entry pc = { .pe2 = pe2 };

	for (i = 0; i < 3; i++) {
		unsigned int acc = kinds[i] | p;

		if (vtd_check_pasid_entry(&pc, acc) || fs_perm(pe2, flags, acc) ||
		    ss_perm(flags, acc))
			continue;
		if (kinds[i] == HW_VTD_ACC_W && !(flags & F_DIRTY_OK))
			continue;
		allow |= kinds[i];
	}
	return allow;
}

/* Fill the IOTLB with a completed walk (direct-mapped: whatever sat in
 * the set is evicted, as any cache may do). */
static void iotlb_insert(struct hw_vtd *v, const struct vtd_pc_entry *pc, uint64_t iova,
			 unsigned int pgtt, const struct vtd_xlat *x)
{
	unsigned int i = (x->shift - 12) / 9;
	uint64_t vpn = iova >> x->shift;
	struct vtd_iotlb_entry *e = &v->iotlb[(vpn + pc->ioff[i]) & v->iotlb_mask];

	iotlb_drop(v, e);
	e->vpn = vpn;
	e->pa = x->pa & ~((1ull << x->shift) - 1);
	e->shift = (uint8_t)x->shift;
	e->pgtt = (uint8_t)pgtt;
	e->flags = (uint8_t)x->flags;
	e->deny[0] = (uint8_t)(~vtd_hit_allow(pc->pe2, x->flags, false) & 7);
	e->deny[1] = (uint8_t)(~vtd_hit_allow(pc->pe2, x->flags, true) & 7);
	e->tag = pc->itag[i];
	if (x->shift != 12)
		v->nr_large[large_class(x->shift)]++;
}

/* Context and PASID stages of a request: resolve the PASID entry. */
static int vtd_resolve(struct hw_vtd *v, struct vtd_req *r, unsigned int *access,
		       struct vtd_pc_entry **pc)
{
	uint64_t ce0, ce1, max;
	uint32_t pasid;
	int fr;

	fr = vtd_ctx_get(v, r, &ce0, &ce1);
	if (fr)
		return fr;
	if (r->has_pasid) {
		if (!(ce0 & VTD_SM_CE0_PASIDE))
			return VTD_FR_SCT_PASIDE;
		max = 64ull << (((ce0 & VTD_SM_CE0_PDTS_MASK) >> VTD_SM_CE0_PDTS_SHIFT) + 7);
		if (r->pasid >= max)
			return VTD_FR_SCT_PASID_MAX;
		pasid = r->pasid;
	} else {
		/* §3.4.3: requests without PASID use RID_PASID/RID_PRIV. */
		pasid = (uint32_t)(ce1 & VTD_SM_CE1_RID_PASID_MASK);
		*access &= ~(HW_VTD_ACC_PRIV | HW_VTD_ACC_X);
		if (ce1 & VTD_SM_CE1_RID_PRIV)
			*access |= HW_VTD_ACC_PRIV;
	}
	return vtd_pasid_get(v, r, ce0, pasid, pc);
}

/*
 * Full translation of r: walks, permission checks, A/D updates, IOTLB
 * fill; faults are recorded. 0, -EFAULT or -EOPNOTSUPP. Inline: it is the
 * whole of an IOTLB miss, and a call here cost a cold translation ~2 ns.
 */
static inline int vtd_translate_slow(struct hw_vtd *v, struct vtd_req *r, uint64_t *pa,
				     uint64_t *page_size)
{
	unsigned int access = r->access, pgtt;
	struct vtd_pc_entry *pc;
	struct vtd_xlat x, y;
	int fr;

	if (!v->rt_latched)
		return vtd_fault(v, r, VTD_FR_SM_RTA_INVALID);
	if (((v->rtaddr & VTD_RTADDR_TTM_MASK) >> VTD_RTADDR_TTM_SHIFT) != VTD_RTADDR_TTM_SM) {
		if (!v->legacy_warned)
			pl_warn("vtd: root table not in scalable mode; legacy mode is not modelled");
		v->legacy_warned = true;
		return -EOPNOTSUPP;
	}
	fr = vtd_resolve(v, r, &access, &pc);
	if (!fr)
		fr = vtd_check_pasid_entry(pc, access);
	if (fr)
		return vtd_fault(v, r, (unsigned int)fr);
	pgtt = (pc->pe0 & VTD_PE0_PGTT_MASK) >> VTD_PE0_PGTT_SHIFT;
	switch (pgtt) {
	case VTD_PGTT_FS:
		fr = fs_translate(v, pc, false, r->addr, access, &x);
		x.flags |= F_SS_ALLOW;
		break;
	case VTD_PGTT_SS:
		fr = ss_translate(v, pc->pe0, r->addr, access, &x);
		x.flags |= F_FS_ALLOW;
		break;
	case VTD_PGTT_NESTED:
		fr = fs_translate(v, pc, true, r->addr, access, &x);
		if (fr)
			break;
		fr = ss_translate(v, pc->pe0, x.pa, access, &y);
		if (fr)
			break;
		x.flags = (x.flags & ~F_DIRTY_OK) | (y.flags & x.flags & F_DIRTY_OK) |
			  (y.flags & F_SS_ALLOW);
		x.shift = MIN(x.shift, y.shift);
		x.pa = y.pa;
		break;
	default: /* VTD_PGTT_PT, §3.9 */
		if (r->addr >> v->haw)
			fr = VTD_FR_SGN_HAW;
		x.pa = r->addr;
		x.shift = 30;
		x.flags = F_FS_ALLOW | F_SS_ALLOW | F_DIRTY_OK;
		break;
	}
	if (fr)
		return vtd_fault(v, r, (unsigned int)fr);
	iotlb_insert(v, pc, r->addr, pgtt, &x);
	*pa = x.pa;
	*page_size = 1ull << x.shift;
	return 0;
}

/* ------------------------------------------- IOTLB lookups, entry points */

/* 2M and 1G probes, each only while an entry of that size is valid. */
static const struct vtd_iotlb_entry *iotlb_find_large(const struct hw_vtd *v,
						      const struct vtd_pc_entry *pc,
						      uint64_t iova)
{
	const struct vtd_iotlb_entry *e;
	unsigned int i;

	for (i = 1; i < 3; i++) {
		uint64_t vpn = iova >> (12 + 9 * i);

		if (!v->nr_large[i - 1])
			continue;
		e = &v->iotlb[(vpn + pc->ioff[i]) & v->iotlb_mask];
		if (e->tag == pc->itag[i] && e->vpn == vpn)
			return e;
	}
	return NULL;
}

/* The IOTLB entry translating iova for the PASID-cache entry pc (its DID
 * and PASID): 4K first, then the large sizes. */
static inline const struct vtd_iotlb_entry *iotlb_find(const struct hw_vtd *v,
						       const struct vtd_pc_entry *pc,
						       uint64_t iova)
{
	uint64_t vpn = iova >> 12;
	const struct vtd_iotlb_entry *e = &v->iotlb[(vpn + pc->ioff[0]) & v->iotlb_mask];

	if (likely(e->tag == pc->itag[0] && e->vpn == vpn))
		return e;
	if (likely(!v->nr_large[0] && !v->nr_large[1]))
		return NULL;
	return iotlb_find_large(v, pc, iova);
}

/* A hit on e may serve access acc (R/W/X bits, PRIV selecting the column). */
static inline bool iotlb_allows(const struct vtd_iotlb_entry *e, unsigned int acc)
{
	return !(acc & e->deny[!!(acc & HW_VTD_ACC_PRIV)]);
}

/*
 * Check and normalise a request's access bits: requests without PASID
 * carry no privilege or execute attribute. -EINVAL for none of R/W/X,
 * unknown bits or a PASID over 20 bits.
 */
static inline int vtd_req_access(bool has_pasid, uint32_t pasid, unsigned int *access)
{
	if (!has_pasid)
		*access &= ~(HW_VTD_ACC_PRIV | HW_VTD_ACC_X);
	if (unlikely(!(*access & (HW_VTD_ACC_R | HW_VTD_ACC_W | HW_VTD_ACC_X)) ||
		     (*access & ~0xfu) || (has_pasid && pasid >> VTD_PSS)))
		return -EINVAL;
	return 0;
}

/*
 * The cached PASID-table entry a request from rid would use right now,
 * with *acc turned into the access it is checked with (RID_PRIV for
 * requests without PASID, §3.4.3), or NULL when the context or PASID cache
 * would miss. Reads caches only: no walk, no fault.
 */
static inline const struct vtd_pc_entry *vtd_cached_pc(const struct hw_vtd *v, uint16_t rid,
						       bool has_pasid, uint32_t pasid,
						       unsigned int *acc)
{
	const struct vtd_ctx_cache *cc = &v->ctx[rid];
	const struct vtd_pc_entry *pc;
	uint32_t p;

	if (unlikely(!cc->valid))
		return NULL;
	if (has_pasid) {
		if (unlikely(!(cc->ce0 & VTD_SM_CE0_PASIDE)))
			return NULL;
		p = pasid;
		pc = &v->pc[pc_set(rid, p)];
	} else {
		p = (uint32_t)(cc->ce1 & VTD_SM_CE1_RID_PASID_MASK);
		if (cc->ce1 & VTD_SM_CE1_RID_PRIV)
			*acc |= HW_VTD_ACC_PRIV;
		pc = &v->pc[cc->pc_idx];
	}
	if (unlikely(!pc->valid || pc->rid != rid || pc->pasid != p))
		return NULL;
	return pc;
}

/*
 * Translate the page of iova: an IOTLB hit through the cached context and
 * PASID entries, else the full walk. On success *pa and *page_size as for
 * hw_vtd_translate(), *pcp (if pcp) the PASID-cache entry for further
 * lookups (NULL if the caches cannot serve them) and *acc the checked
 * access.
 */
static inline int vtd_translate_one(struct hw_vtd *v, uint16_t rid, bool has_pasid,
				    uint32_t pasid, uint64_t iova, unsigned int access,
				    uint64_t *pa, uint64_t *page_size,
				    const struct vtd_pc_entry **pcp, unsigned int *acc)
{
	const struct vtd_pc_entry *pc;
	const struct vtd_iotlb_entry *e;
	struct vtd_req r;
	int rc;

	*acc = access;
	pc = vtd_cached_pc(v, rid, has_pasid, pasid, acc);
	if (likely(pc)) {
		e = iotlb_find(v, pc, iova);
		if (likely(e && iotlb_allows(e, *acc))) {
			v->st.iotlb_hits++;
			*pa = e->pa | (iova & ((1ull << e->shift) - 1));
			*page_size = 1ull << e->shift;
			if (pcp)
				*pcp = pc;
			return 0;
		}
	}
	/* Miss, or a hit that cannot serve this access: re-walk (a fault,
	 * or an accessed/dirty update). */
	v->st.iotlb_misses++;
	r = (struct vtd_req){
		.rid = rid, .has_pasid = has_pasid, .pasid = pasid,
		.addr = iova, .access = access,
	};
	rc = vtd_translate_slow(v, &r, pa, page_size);
	if (rc < 0 || !pcp)
		return rc;
	*acc = access;
	*pcp = vtd_cached_pc(v, rid, has_pasid, pasid, acc);
	return 0;
}

int hw_vtd_translate(struct hw_vtd *v, uint16_t rid, bool has_pasid, uint32_t pasid,
		     uint64_t iova, unsigned int access, uint64_t *pa, uint64_t *page_size)
{
	unsigned int acc;

	if (unlikely(vtd_req_access(has_pasid, pasid, &access)))
		return -EINVAL;
	if (unlikely(!v->te)) {
		/* §3.1: with translation disabled DMA is not remapped. There
		 * is no translation granule; report the largest one the unit
		 * knows (1 GiB, as pass-through PGTT does) so a DMA engine
		 * does not split untranslated transfers into 4 KiB pieces. */
		*pa = iova;
		*page_size = 1ull << 30;
		return 0;
	}
	return vtd_translate_one(v, rid, has_pasid, pasid, iova, access, pa, page_size,
				 NULL, &acc);
}

/* A batch of segments being built; the open one is [run_pa, run_end). */
struct vtd_batch {
	struct hw_vtd_seg *s, *last;
	uint64_t run_pa, run_end;
	unsigned int need;	/* R/W/X of the request */
	unsigned int col;	/* deny[] column: 1 for supervisor requests */
};

/* Append [pa, pa + n); false when that needs a segment and none is left. */
static inline bool batch_add(struct vtd_batch *b, uint64_t pa, uint64_t n)
{
	if (unlikely(pa != b->run_end)) {
		if (b->s == b->last)
			return false;
		b->s->pa = b->run_pa;
		b->s->len = b->run_end - b->run_pa;
		b->s++;
		b->run_pa = pa;
	}
	b->run_end = pa + n;
	return true;
}

enum vtd_run_end {
	RUN_LAST,	/* served up to the last page */
	RUN_WRAP,	/* reached the end of the IOTLB array: go on from set 0 */
	RUN_OTHER,	/* not a 4K hit: maybe a 2M/1G one, else a miss */
	RUN_STOP,	/* the batch ends here (permission, segments full) */
};

/*
 * Serve pages *vpn, *vpn + 1, ... up to vend from 4K IOTLB entries: a
 * tight loop over consecutive sets, two compares and a permission test
 * per page. *vpn is left on the first page not served.
 */
static inline enum vtd_run_end batch_4k(const struct hw_vtd *v, const struct vtd_pc_entry *pc,
					struct vtd_batch *b, uint64_t *vpn, uint64_t vend)
{
	const struct vtd_iotlb_entry *e = &v->iotlb[(*vpn + pc->ioff[0]) & v->iotlb_mask];
	const struct vtd_iotlb_entry *end = v->iotlb + v->iotlb_mask + 1;
	uint64_t p = *vpn, tag = pc->itag[0];
	uint64_t lim = p + MIN(vend - p, (uint64_t)(end - e) - 1) + 1;
	enum vtd_run_end why = lim > vend ? RUN_LAST : RUN_WRAP;

	for (; p < lim; p++, e++) {
		if (e->tag != tag || e->vpn != p) {
			why = RUN_OTHER;
			break;
		}
		if (unlikely(b->need & e->deny[b->col]) || !batch_add(b, e->pa, 4096)) {
			why = RUN_STOP;
			break;
		}
	}
	*vpn = p;
	return why;
}

/* Serve the page at a from a 2M or 1G entry: bytes served, 0 if none. */
static inline uint64_t batch_large(const struct hw_vtd *v, const struct vtd_pc_entry *pc,
				   struct vtd_batch *b, uint64_t a)
{
	const struct vtd_iotlb_entry *e = iotlb_find_large(v, pc, a);
	uint64_t m, n;

	if (!e || (b->need & e->deny[b->col]))
		return 0;
	m = (1ull << e->shift) - 1;
	n = m + 1 - (a & m);
	return batch_add(b, e->pa | (a & m), n) ? n : 0;
}

int hw_vtd_translate_segs(struct hw_vtd *v, uint16_t rid, bool has_pasid, uint32_t pasid,
			  uint64_t iova, uint64_t len, unsigned int access,
			  struct hw_vtd_seg *seg, unsigned int max, uint64_t *done)
{
	const struct vtd_pc_entry *pc;
	struct vtd_batch b;
	uint64_t pa = 0, psz = 0, got, vend, hits = 0;	/* = 0: set on success, gcc cannot tell */
	unsigned int acc;
	int rc;

	if (unlikely(!len || !max || (len - 1) > UINT64_MAX - iova))
		return -EINVAL;
	if (unlikely(vtd_req_access(has_pasid, pasid, &access)))
		return -EINVAL;
	if (unlikely(!v->te)) {
		/* Untranslated (§3.1): the whole transfer, as addressed. */
		seg->pa = iova;
		seg->len = len;
		*done = len;
		return 1;
	}
	rc = vtd_translate_one(v, rid, has_pasid, pasid, iova, access, &pa, &psz, &pc, &acc);
	if (rc < 0)
		return rc;
	got = psz - (iova & (psz - 1));
	if (got >= len || !pc) {
		seg->pa = pa;
		seg->len = MIN(got, len);
		*done = seg->len;
		return 1;
	}
	/*
	 * The following pages for as long as the IOTLB serves them as it
	 * would serve hw_vtd_translate() (same entry, same permission test):
	 * no walk, no memory access, no fault from here. iova + got stays 4K
	 * aligned (it ends a translation page); the last page may overshoot
	 * len and is trimmed at the end.
	 */
	b = (struct vtd_batch){
		.s = seg, .last = seg + max - 1, .run_pa = pa, .run_end = pa + got,
		.need = acc & 7, .col = !!(acc & HW_VTD_ACC_PRIV),
	};
	vend = (iova + len - 1) >> 12;
	for (;;) {
		uint64_t vpn0 = (iova + got) >> 12, vpn = vpn0, n;
		enum vtd_run_end why = batch_4k(v, pc, &b, &vpn, vend);

		hits += vpn - vpn0;
		got = (vpn << 12) - iova;
		if (why == RUN_WRAP)
			continue;
		if (why != RUN_OTHER)
			break;
		n = batch_large(v, pc, &b, iova + got);
		if (!n)
			break;
		hits++;
		got += n;
		if (got >= len)
			break;
	}
	if (got > len) {
		b.run_end -= got - len;
		got = len;
	}
	b.s->pa = b.run_pa;
	b.s->len = b.run_end - b.run_pa;
	v->st.iotlb_hits += hits;
	*done = got;
	return (int)(b.s - seg) + 1;
}
