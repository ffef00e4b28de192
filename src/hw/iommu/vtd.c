// SPDX-License-Identifier: MIT
/*
 * Intel VT-d remapping unit model, scalable mode. Section numbers refer to
 * the Intel VT-d Architecture Specification rev 4.1 (unchanged in 5.0 for
 * everything modelled here).
 *
 * Register file: regs[] holds the raw 64-bit value of each qword of the
 * 4 KiB window; rw[] and w1c[] say which bits software may write and which
 * it clears by writing 1 (§11.2 register attributes). Side effects run
 * after the masked update (vtd_after_write()).
 *
 * Caches (all only invalidated by invalidation commands, §6.5):
 *   ctx[rid]      context cache: the scalable-mode context entry (§6.2.1)
 *   pc[]          PASID cache, direct-mapped on (rid, PASID) (§6.2.2)
 *   iotlb[]       IOTLB, direct-mapped on (DID, PASID, page, size)
 *                 (§6.2.3); holds the combined translation and the
 *                 accumulated permissions of the walk
 * Paging-structure caches are not modelled: every IOTLB miss walks the
 * tables in memory, which the spec permits (§6.2.4 is implementation
 * optional).
 */
#include <stdlib.h>
#include <string.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/mem.h"
#include "hw/iommu/vtd.h"
#include "hw/iommu/vtd_regs.h"

#define VTD_NR_QWORDS		(HW_VTD_MMIO_SIZE / 8)
#define VTD_IRO_OFF		0x300u	/* IVA_REG; IOTLB_REG at +8 */
#define VTD_FRO_OFF		0x400u	/* first fault recording register */
#define VTD_MAX_FAULT_RECORDS	((HW_VTD_MMIO_SIZE - VTD_FRO_OFF) / 16)
#define VTD_NR_RIDS		65536u
#define VTD_PC_SETS		1024u
#define VTD_MGAW		48u
#define VTD_PSS			20u	/* PASID bits supported */
#define VTD_MAMV		18u	/* max address mask value */

/* Permission summary bits of one translation (IOTLB entry flags). */
enum {
	F_FS_RW		= 1u << 0,	/* R/W set at every first-stage level */
	F_FS_US		= 1u << 1,	/* U/S set at every first-stage level */
	F_FS_XD		= 1u << 2,	/* XD set at some first-stage level */
	F_SS_R		= 1u << 3,
	F_SS_W		= 1u << 4,
	F_SS_X		= 1u << 5,
	F_DIRTY_OK	= 1u << 6,	/* leaf D already set: a write needs no walk */
};
#define F_FS_ALLOW	(F_FS_RW | F_FS_US)
#define F_SS_ALLOW	(F_SS_R | F_SS_W | F_SS_X)

struct vtd_ctx_cache {
	uint64_t ce0, ce1;
	uint32_t pc_idx;	/* PASID-cache set of (rid, RID_PASID) */
	bool valid;
};

struct vtd_pc_entry {
	uint64_t pe0, pe1, pe2;
	uint32_t pasid;
	uint16_t rid;
	uint16_t did;
	bool valid;
	bool fpd;		/* FPD in the directory or table entry */
	/* IOTLB set offsets of (did, pasid) for 4K/2M/1G (iotlb_hoff()),
	 * computed once when the entry is filled: the hot path then indexes
	 * the IOTLB without hashing. */
	uint32_t ioff[3];
};

struct vtd_iotlb_entry {
	uint64_t vpn;		/* iova >> shift */
	uint64_t pa;		/* output page base */
	uint32_t pasid;
	uint16_t did;
	uint8_t shift;		/* 12, 21 or 30 */
	uint8_t pgtt;
	uint8_t flags;
	uint8_t allow[2];	/* R/W/X a hit may serve, [user, supervisor] */
	bool valid;
};

struct hw_vtd {
	struct hw_mem *mem;
	const struct hw_vtd_ops *ops;
	void *arg;

	uint64_t regs[VTD_NR_QWORDS];
	uint64_t rw[VTD_NR_QWORDS];
	uint64_t w1c[VTD_NR_QWORDS];

	unsigned int nr_frcd;
	unsigned int fri_next;	/* §7.2.1 internal fault recording index */
	unsigned int haw;
	uint64_t cap, ecap;

	/* State latched by GCMD (§11.4.4.1). */
	bool te, qie;
	bool rt_latched;
	uint64_t rtaddr;	/* RTADDR_REG value latched by SRTP */

	struct vtd_ctx_cache *ctx;	/* VTD_NR_RIDS entries */
	struct vtd_pc_entry *pc;	/* VTD_PC_SETS entries */
	struct vtd_iotlb_entry *iotlb;
	unsigned int iotlb_mask;	/* sets - 1 */
	unsigned int nr_large[2];	/* valid 2 MiB / 1 GiB IOTLB entries */

	bool legacy_warned;
	struct hw_vtd_stats st;
};

/* One request being translated, for fault recording (§7.2.1). */
struct vtd_req {
	uint16_t rid;
	bool has_pasid;
	uint32_t pasid;
	uint64_t addr;
	unsigned int access;
	bool page_req;
	bool fpd;
};

/* Translation result. */
struct vtd_xlat {
	uint64_t pa;
	unsigned int shift;
	unsigned int flags;
};

/* ---------------------------------------------------------------- regs */

static inline uint32_t reg32(const struct hw_vtd *v, unsigned int off)
{
	return (uint32_t)(v->regs[off >> 3] >> ((off & 4) * 8));
}

static inline void set_reg32(struct hw_vtd *v, unsigned int off, uint32_t val)
{
	unsigned int sh = (off & 4) * 8;
	uint64_t *q = &v->regs[off >> 3];

	*q = (*q & ~(0xffffffffull << sh)) | ((uint64_t)val << sh);
}

static inline unsigned int frcd_off(unsigned int i)
{
	return VTD_FRO_OFF + 16 * i;
}

static void def_reg(struct hw_vtd *v, unsigned int off, unsigned int width,
		    uint64_t rw, uint64_t w1c)
{
	unsigned int sh = (off & 4) * 8;

	(void)width;
	v->rw[off >> 3] |= rw << sh;
	v->w1c[off >> 3] |= w1c << sh;
}

static void vtd_init_regs(struct hw_vtd *v)
{
	unsigned int i;

	/* §11.4.1: architecture version 1.0, what current hardware reports. */
	set_reg32(v, VTD_VER_REG, 1u << VTD_VER_MAX_SHIFT);
	v->cap = VTD_CAP_ND(6)				/* 16-bit domain ids */
		| VTD_CAP_SAGAW_3LVL | VTD_CAP_SAGAW_4LVL
		| ((uint64_t)(VTD_MGAW - 1) << VTD_CAP_MGAW_SHIFT)
		| ((uint64_t)(VTD_FRO_OFF / 16) << VTD_CAP_FRO_SHIFT)
		| VTD_CAP_SSLPS_2M | VTD_CAP_SSLPS_1G | VTD_CAP_PSI
		| ((uint64_t)(v->nr_frcd - 1) << VTD_CAP_NFR_SHIFT)
		| ((uint64_t)VTD_MAMV << VTD_CAP_MAMV_SHIFT)
		| VTD_CAP_FS1GP | VTD_CAP_FS5LP;
	v->ecap = VTD_ECAP_C | VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_IR
		| VTD_ECAP_EIM | VTD_ECAP_PT | VTD_ECAP_SC
		| ((uint64_t)(VTD_IRO_OFF / 16) << VTD_ECAP_IRO_SHIFT)
		| ((uint64_t)0xf << VTD_ECAP_MHMV_SHIFT)
		| VTD_ECAP_NEST | VTD_ECAP_PRS | VTD_ECAP_ERS | VTD_ECAP_SRS
		| VTD_ECAP_NWFS | VTD_ECAP_EAFS
		| ((uint64_t)(VTD_PSS - 1) << VTD_ECAP_PSS_SHIFT)
		| VTD_ECAP_PASID | VTD_ECAP_DIT | VTD_ECAP_PDS | VTD_ECAP_SMTS
		| VTD_ECAP_SSADS | VTD_ECAP_SSTS | VTD_ECAP_FSTS
		| VTD_ECAP_SMPWCS | VTD_ECAP_RPS;
	v->regs[VTD_CAP_REG >> 3] = v->cap;
	v->regs[VTD_ECAP_REG >> 3] = v->ecap;

	/* GCMD is write-only and handled in vtd_after_write(); GSTS is RO. */
	def_reg(v, VTD_RTADDR_REG, 64, VTD_RTADDR_RTA_MASK | VTD_RTADDR_TTM_MASK, 0);
	def_reg(v, VTD_CCMD_REG, 64, VTD_CCMD_ICC | GENMASK_ULL(62, 61) |
		GENMASK_ULL(33, 0), 0);
	def_reg(v, VTD_FSTS_REG, 32, 0, VTD_FSTS_PFO | VTD_FSTS_IQE |
		VTD_FSTS_ICE | VTD_FSTS_ITE);
	def_reg(v, VTD_FECTL_REG, 32, VTD_xECTL_IM, 0);
	def_reg(v, VTD_FEDATA_REG, 32, 0xffffffffull, 0);
	def_reg(v, VTD_FEADDR_REG, 32, GENMASK_ULL(31, 2), 0);
	def_reg(v, VTD_FEUADDR_REG, 32, 0xffffffffull, 0);
	def_reg(v, VTD_IQT_REG, 64, VTD_IQ_PTR_MASK, 0);
	def_reg(v, VTD_IQA_REG, 64, VTD_IQA_IQA_MASK | VTD_IQA_DW | VTD_IQA_QS_MASK, 0);
	def_reg(v, VTD_ICS_REG, 32, 0, VTD_ICS_IWC);
	def_reg(v, VTD_IECTL_REG, 32, VTD_xECTL_IM, 0);
	def_reg(v, VTD_IEDATA_REG, 32, 0xffffffffull, 0);
	def_reg(v, VTD_IEADDR_REG, 32, GENMASK_ULL(31, 2), 0);
	def_reg(v, VTD_IEUADDR_REG, 32, 0xffffffffull, 0);
	def_reg(v, VTD_IRTA_REG, 64, GENMASK_ULL(63, 12) | BIT_ULL(11) | 0xf, 0);
	def_reg(v, VTD_PQH_REG, 64, VTD_PQ_PTR_MASK, 0);
	def_reg(v, VTD_PQA_REG, 64, VTD_PQA_PQA_MASK | VTD_PQA_PQS_MASK, 0);
	def_reg(v, VTD_PRS_REG, 32, 0, VTD_PRS_PPR | VTD_PRS_PRO);
	def_reg(v, VTD_PECTL_REG, 32, VTD_xECTL_IM, 0);
	def_reg(v, VTD_PEDATA_REG, 32, 0xffffffffull, 0);
	def_reg(v, VTD_PEADDR_REG, 32, GENMASK_ULL(31, 2), 0);
	def_reg(v, VTD_PEUADDR_REG, 32, 0xffffffffull, 0);
	def_reg(v, VTD_IRO_OFF + VTD_IOTLB_IVA_OFF, 64, GENMASK_ULL(63, 12) |
		BIT_ULL(6) | GENMASK_ULL(5, 0), 0);
	def_reg(v, VTD_IRO_OFF + VTD_IOTLB_REG_OFF, 64, VTD_IOTLB_IVT |
		GENMASK_ULL(61, 60) | GENMASK_ULL(49, 48) | GENMASK_ULL(47, 32), 0);
	/* §11.4.7.6: only F (bit 127) is writable, RW1C. */
	for (i = 0; i < v->nr_frcd; i++)
		def_reg(v, frcd_off(i) + 8, 64, 0, VTD_FRCD_HI_F);
	/* Interrupt message control registers reset with IM set (§11.4.7.2). */
	set_reg32(v, VTD_FECTL_REG, VTD_xECTL_IM);
	set_reg32(v, VTD_IECTL_REG, VTD_xECTL_IM);
	set_reg32(v, VTD_PECTL_REG, VTD_xECTL_IM);
}

/* -------------------------------------------------------------- events */

/*
 * Interrupt event through one of the three message register sets
 * (§7.3 fault events, §6.5.2.9 invalidation completion, §7.5.2 page
 * request events): masked events set IP and are sent when software clears
 * IM; with IP already set no new message is generated.
 */
static void vtd_send_msg(struct hw_vtd *v, unsigned int ctl)
{
	uint64_t addr = ((uint64_t)reg32(v, ctl + 12) << 32) | reg32(v, ctl + 8);

	if (v->ops && v->ops->msi)
		v->ops->msi(v->arg, addr, reg32(v, ctl + 4));
}

static void vtd_event(struct hw_vtd *v, unsigned int ctl)
{
	uint32_t c = reg32(v, ctl);

	if (c & VTD_xECTL_IP)
		return;
	if (c & VTD_xECTL_IM) {
		set_reg32(v, ctl, c | VTD_xECTL_IP);
		return;
	}
	vtd_send_msg(v, ctl);
}

/* Software wrote IM: an unmasked pending event goes out now. */
static void vtd_ctl_written(struct hw_vtd *v, unsigned int ctl)
{
	uint32_t c = reg32(v, ctl);

	if ((c & VTD_xECTL_IP) && !(c & VTD_xECTL_IM)) {
		set_reg32(v, ctl, c & ~VTD_xECTL_IP);
		vtd_send_msg(v, ctl);
	}
}

static void vtd_clear_ip_if(struct hw_vtd *v, unsigned int ctl, bool serviced)
{
	if (serviced)
		set_reg32(v, ctl, reg32(v, ctl) & ~VTD_xECTL_IP);
}

/* FSTS.PPF is the OR of the F bits of all fault records (§11.4.7.1). */
static void vtd_update_ppf(struct hw_vtd *v)
{
	uint32_t fsts = reg32(v, VTD_FSTS_REG) & ~VTD_FSTS_PPF;
	unsigned int i;

	for (i = 0; i < v->nr_frcd; i++)
		if (v->regs[(frcd_off(i) + 8) >> 3] & VTD_FRCD_HI_F)
			fsts |= VTD_FSTS_PPF;
	set_reg32(v, VTD_FSTS_REG, fsts);
	vtd_clear_ip_if(v, VTD_FECTL_REG, !(fsts & (VTD_FSTS_PFO | VTD_FSTS_PPF |
		VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)));
}

static void vtd_set_fsts(struct hw_vtd *v, uint32_t bit)
{
	uint32_t fsts = reg32(v, VTD_FSTS_REG);

	if (fsts & bit)
		return;
	set_reg32(v, VTD_FSTS_REG, fsts | bit);
	vtd_event(v, VTD_FECTL_REG);
}

/*
 * Primary fault logging, §7.2.1: record at the internal index unless PFO
 * is set; a record still holding an unserviced fault there means overflow.
 */
static int vtd_fault(struct hw_vtd *v, const struct vtd_req *r, unsigned int reason)
{
	uint32_t fsts = reg32(v, VTD_FSTS_REG);
	unsigned int i = v->fri_next;
	uint64_t *lo = &v->regs[frcd_off(i) >> 3], *hi = lo + 1;
	uint64_t h;

	pl_dbg("vtd: fault %#x rid %04x pasid %s%#x addr %#llx", reason, r->rid,
	       r->has_pasid ? "" : "none/", r->pasid, (unsigned long long)r->addr);
	if (r->fpd)
		return -EFAULT;		/* §9.4/§9.6 FPD: not recorded */
	if (fsts & VTD_FSTS_PFO)
		return -EFAULT;
	if (*hi & VTD_FRCD_HI_F) {
		vtd_set_fsts(v, VTD_FSTS_PFO);
		return -EFAULT;
	}
	h = r->rid | ((uint64_t)reason << VTD_FRCD_HI_FR_SHIFT) | VTD_FRCD_HI_F;
	if (r->page_req)
		h |= VTD_FRCD_HI_T2;
	else if ((r->access & (HW_VTD_ACC_R | HW_VTD_ACC_X)) || !(r->access & HW_VTD_ACC_W))
		h |= VTD_FRCD_HI_T1;	/* read, execute or AtomicOp */
	if (r->access & HW_VTD_ACC_PRIV)
		h |= VTD_FRCD_HI_PRIV;
	if (r->access & HW_VTD_ACC_X)
		h |= VTD_FRCD_HI_EXE;
	if (r->has_pasid)
		h |= VTD_FRCD_HI_PP | ((uint64_t)r->pasid << VTD_FRCD_HI_PV_SHIFT);
	*lo = r->addr & VTD_FRCD_LO_FI_MASK;
	*hi = h;
	fsts = (fsts & ~VTD_FSTS_FRI_MASK) | (i << VTD_FSTS_FRI_SHIFT);
	set_reg32(v, VTD_FSTS_REG, fsts);
	v->fri_next = (i + 1) % v->nr_frcd;
	vtd_set_fsts(v, VTD_FSTS_PPF);
	return -EFAULT;
}

/* ------------------------------------------------------------- caches */

static inline uint32_t vtd_hash(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static inline struct vtd_pc_entry *pc_slot(struct hw_vtd *v, uint16_t rid, uint32_t pasid)
{
	return &v->pc[vtd_hash(rid, pasid) & (VTD_PC_SETS - 1)];
}

/* Like hardware, the IOTLB is indexed by the low page-number bits (offset
 * by a hash of the tag) so a contiguous range never conflicts with itself. */
static inline uint32_t iotlb_hoff(uint16_t did, uint32_t pasid, unsigned int shift)
{
	return vtd_hash(((uint64_t)did << 32 | pasid) ^ ((uint64_t)shift << 56), 0);
}

static inline struct vtd_iotlb_entry *iotlb_slot(struct hw_vtd *v, uint16_t did,
						 uint32_t pasid, uint64_t vpn,
						 unsigned int shift)
{
	return &v->iotlb[(vpn + iotlb_hoff(did, pasid, shift)) & v->iotlb_mask];
}

static inline unsigned int large_class(unsigned int shift)
{
	return shift == 30;
}

static void iotlb_drop(struct hw_vtd *v, struct vtd_iotlb_entry *e)
{
	if (e->valid && e->shift != 12)
		v->nr_large[large_class(e->shift)]--;
	e->valid = false;
}

/* The IOTLB entry translating iova for the PASID-cache entry pc (its DID
 * and PASID), probing 4K, then 2M and 1G only while any such entry is
 * valid; set offsets precomputed in pc. */
static inline const struct vtd_iotlb_entry *iotlb_find_pc(const struct hw_vtd *v,
							   const struct vtd_pc_entry *pc,
							   uint64_t iova)
{
	static const uint8_t shifts[3] = { 12, 21, 30 };
	const struct vtd_iotlb_entry *e;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		unsigned int s = shifts[i];
		uint64_t vpn = iova >> s;

		if (i && !v->nr_large[i - 1])
			continue;
		e = &v->iotlb[(vpn + pc->ioff[i]) & v->iotlb_mask];
		if (likely(e->valid && e->vpn == vpn && e->did == pc->did &&
			   e->pasid == pc->pasid && e->shift == s))
			return e;
	}
	return NULL;
}

static unsigned int hit_allow(uint64_t pe2, unsigned int flags, bool priv);

static void iotlb_insert(struct hw_vtd *v, uint16_t did, uint32_t pasid, uint64_t pe2,
			 uint64_t iova, unsigned int pgtt, const struct vtd_xlat *x)
{
	struct vtd_iotlb_entry *e = iotlb_slot(v, did, pasid, iova >> x->shift, x->shift);

	iotlb_drop(v, e);	/* direct-mapped: evict whatever sat here */
	e->vpn = iova >> x->shift;
	e->pa = x->pa & ~((1ull << x->shift) - 1);
	e->pasid = pasid;
	e->did = did;
	e->shift = (uint8_t)x->shift;
	e->pgtt = (uint8_t)pgtt;
	e->flags = (uint8_t)x->flags;
	e->allow[0] = (uint8_t)hit_allow(pe2, x->flags, false);
	e->allow[1] = (uint8_t)hit_allow(pe2, x->flags, true);
	e->valid = true;
	if (x->shift != 12)
		v->nr_large[large_class(x->shift)]++;
}

enum iotlb_scope {
	INV_ALL,		/* global */
	INV_DID,		/* second-stage/pass-through/nested mappings of a DID */
	INV_DID_PAGE,		/* ... within an address range */
	INV_PASID,		/* all mappings of (DID, PASID) */
	INV_PASID_PAGE,		/* ... within an address range */
};

static void iotlb_invalidate(struct hw_vtd *v, enum iotlb_scope scope, uint16_t did,
			     uint32_t pasid, uint64_t addr, unsigned int am)
{
	uint64_t size = 4096ull << am, start = addr & ~(size - 1);
	unsigned int i;

	for (i = 0; i <= v->iotlb_mask; i++) {
		struct vtd_iotlb_entry *e = &v->iotlb[i];
		uint64_t es, ee;

		if (!e->valid)
			continue;
		if (scope != INV_ALL && e->did != did)
			continue;
		/*
		 * §6.5.2.3: in scalable mode the IOTLB invalidate descriptor
		 * covers mappings whose PASID entry uses second-stage or
		 * pass-through translation (and nested, whose combined
		 * entries depend on the second stage); first-stage-only
		 * mappings need PASID-based invalidation (§6.5.2.4).
		 */
		if ((scope == INV_DID || scope == INV_DID_PAGE) && e->pgtt == VTD_PGTT_FS)
			continue;
		if ((scope == INV_PASID || scope == INV_PASID_PAGE) && e->pasid != pasid)
			continue;
		if (scope == INV_PASID_PAGE ||
		    (scope == INV_DID_PAGE && e->pgtt != VTD_PGTT_NESTED)) {
			/* Nested entries are tagged by input address, not the
			 * GPA a page-selective IOTLB descriptor names: they
			 * are dropped whole (over-invalidation is allowed). */
			es = e->vpn << e->shift;
			ee = es + (1ull << e->shift);
			if (ee <= start || es >= start + size)
				continue;
		}
		iotlb_drop(v, e);
	}
}

/* --------------------------------------------------------- table walks */

static inline bool addr_over_haw(const struct hw_vtd *v, uint64_t a)
{
	return (a & VTD_PTE_ADDR_MASK) >> v->haw;
}

/* Fetch the scalable-mode context entry for rid (§3.4.3), via the cache. */
static int vtd_ctx_get(struct hw_vtd *v, struct vtd_req *r, uint64_t *ce0, uint64_t *ce1)
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
	cc->pc_idx = vtd_hash(r->rid, (uint32_t)(ce[1] & VTD_SM_CE1_RID_PASID_MASK)) &
		     (VTD_PC_SETS - 1);
	cc->valid = true;
	*ce0 = ce[0];
	*ce1 = ce[1];
	return 0;
}

/* Fetch the PASID table entry (§3.4.3, §9.5, §9.6), via the PASID cache. */
static int vtd_pasid_get(struct hw_vtd *v, struct vtd_req *r, uint64_t ce0,
			 uint32_t pasid, struct vtd_pc_entry **out)
{
	struct vtd_pc_entry *pc = pc_slot(v, r->rid, pasid);
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
	pc->ioff[0] = iotlb_hoff(pc->did, pasid, 12);
	pc->ioff[1] = iotlb_hoff(pc->did, pasid, 21);
	pc->ioff[2] = iotlb_hoff(pc->did, pasid, 30);
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

/* ------------------------------------------------------------ translate */

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
static unsigned int hit_allow(uint64_t pe2, unsigned int flags, bool priv)
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

/* Context and PASID stages of a request: resolve the PASID entry. */
static int vtd_resolve(struct hw_vtd *v, struct vtd_req *r, unsigned int *access,
		       uint32_t *pasid_out, struct vtd_pc_entry **pc)
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
	fr = vtd_pasid_get(v, r, ce0, pasid, pc);
	if (fr)
		return fr;
	*pasid_out = pasid;
	return 0;
}

static int vtd_translate_slow(struct hw_vtd *v, struct vtd_req *r, uint64_t *pa,
			      uint64_t *page_size)
{
	unsigned int access = r->access, pgtt;
	struct vtd_pc_entry *pc;
	struct vtd_xlat x, y;
	uint32_t pasid;
	int fr;

	if (!v->rt_latched)
		return vtd_fault(v, r, VTD_FR_SM_RTA_INVALID);
	if (((v->rtaddr & VTD_RTADDR_TTM_MASK) >> VTD_RTADDR_TTM_SHIFT) != VTD_RTADDR_TTM_SM) {
		if (!v->legacy_warned)
			pl_warn("vtd: root table not in scalable mode; legacy mode is not modelled");
		v->legacy_warned = true;
		return -EOPNOTSUPP;
	}
	fr = vtd_resolve(v, r, &access, &pasid, &pc);
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
	iotlb_insert(v, pc->did, pasid, pc->pe2, r->addr, pgtt, &x);
	*pa = x.pa;
	*page_size = 1ull << x.shift;
	return 0;
}

int hw_vtd_translate(struct hw_vtd *v, uint16_t rid, bool has_pasid, uint32_t pasid,
		     uint64_t iova, unsigned int access, uint64_t *pa, uint64_t *page_size)
{
	struct vtd_req r;
	const struct vtd_ctx_cache *cc;
	const struct vtd_pc_entry *pc;
	const struct vtd_iotlb_entry *e;
	unsigned int acc;
	uint32_t p;

	/* Requests without PASID carry no privilege or execute attribute. */
	if (!has_pasid)
		access &= ~(HW_VTD_ACC_PRIV | HW_VTD_ACC_X);
	acc = access;
	if (unlikely(!(access & (HW_VTD_ACC_R | HW_VTD_ACC_W | HW_VTD_ACC_X)) ||
		     (access & ~0xfu) || (has_pasid && pasid >> VTD_PSS)))
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
	/* Fast path: cached context + PASID entry + IOTLB hit. */
	cc = &v->ctx[rid];
	if (likely(cc->valid)) {
		if (has_pasid) {
			if (unlikely(!(cc->ce0 & VTD_SM_CE0_PASIDE)))
				goto slow;
			p = pasid;
			pc = pc_slot(v, rid, p);
		} else {
			p = (uint32_t)(cc->ce1 & VTD_SM_CE1_RID_PASID_MASK);
			acc &= ~(HW_VTD_ACC_PRIV | HW_VTD_ACC_X);
			if (cc->ce1 & VTD_SM_CE1_RID_PRIV)
				acc |= HW_VTD_ACC_PRIV;
			pc = &v->pc[cc->pc_idx];
		}
		if (unlikely(!pc->valid || pc->rid != rid || pc->pasid != p))
			goto slow;
		e = iotlb_find_pc(v, pc, iova);
		if (unlikely(!e))
			goto slow;
		if (unlikely(acc & 7 & ~e->allow[!!(acc & HW_VTD_ACC_PRIV)]))
			goto slow;	/* re-walk: a fault or a D update */
		v->st.iotlb_hits++;
		*pa = e->pa | (iova & ((1ull << e->shift) - 1));
		*page_size = 1ull << e->shift;
		return 0;
	}
slow:
	v->st.iotlb_misses++;
	r = (struct vtd_req){
		.rid = rid, .has_pasid = has_pasid, .pasid = pasid,
		.addr = iova, .access = access,
	};
	return vtd_translate_slow(v, &r, pa, page_size);
}

/*
 * The cached PASID-table entry a request from rid would use right now, and
 * the access it is checked with, or NULL when the context or PASID cache
 * would miss. Reads caches only: no walk, no fault.
 */
static inline const struct vtd_pc_entry *vtd_cached_pc(const struct hw_vtd *v, uint16_t rid,
						       bool has_pasid, uint32_t pasid,
						       unsigned int *acc)
{
	const struct vtd_ctx_cache *cc = &v->ctx[rid];
	const struct vtd_pc_entry *pc;
	uint32_t p;

	if (!cc->valid)
		return NULL;
	if (has_pasid) {
		if (!(cc->ce0 & VTD_SM_CE0_PASIDE))
			return NULL;
		p = pasid;
		pc = &v->pc[vtd_hash(rid, p) & (VTD_PC_SETS - 1)];
	} else {
		p = (uint32_t)(cc->ce1 & VTD_SM_CE1_RID_PASID_MASK);
		*acc &= ~(HW_VTD_ACC_PRIV | HW_VTD_ACC_X);
		if (cc->ce1 & VTD_SM_CE1_RID_PRIV)
			*acc |= HW_VTD_ACC_PRIV;
		pc = &v->pc[cc->pc_idx];
	}
	if (!pc->valid || pc->rid != rid || pc->pasid != p)
		return NULL;
	return pc;
}

int hw_vtd_translate_run(struct hw_vtd *v, uint16_t rid, bool has_pasid, uint32_t pasid,
			 uint64_t iova, uint64_t len, unsigned int access, uint64_t *pa,
			 uint64_t *run)
{
	const struct vtd_pc_entry *pc;
	const struct vtd_iotlb_entry *e;
	unsigned int acc = access;
	uint64_t psz, n;
	int rc;

	if (unlikely(!len))
		return -EINVAL;
	rc = hw_vtd_translate(v, rid, has_pasid, pasid, iova, access, pa, &psz);
	if (rc < 0)
		return rc;
	n = psz - (iova & (psz - 1));
	if (n >= len || !v->te) {
		*run = MIN(n, len);
		return 0;
	}
	/* The following pages, as long as the IOTLB already holds them with
	 * the needed permission and they continue physically. */
	pc = vtd_cached_pc(v, rid, has_pasid, pasid, &acc);
	while (pc && n < len) {
		uint64_t a = iova + n, m;

		e = iotlb_find_pc(v, pc, a);
		if (!e || (acc & 7 & ~e->allow[!!(acc & HW_VTD_ACC_PRIV)]))
			break;
		m = (1ull << e->shift) - 1;
		if ((e->pa | (a & m)) != *pa + n)
			break;
		v->st.iotlb_hits++;
		n += m + 1 - (a & m);
	}
	*run = MIN(n, len);
	return 0;
}

/* --------------------------------------------------------- invalidation */

static void ctx_invalidate(struct hw_vtd *v, bool all, uint16_t sid, unsigned int fm)
{
	/* §6.5.2.1: FM masks the low 1-3 bits of the function number. */
	uint16_t mask = (uint16_t)~((1u << fm) - 1);
	unsigned int i;

	if (all) {
		memset(v->ctx, 0, VTD_NR_RIDS * sizeof(*v->ctx));
		return;
	}
	for (i = 0; i < 8; i++) {
		uint16_t rid = (uint16_t)((sid & mask) | (i & ~mask & 7));

		v->ctx[rid].valid = false;
	}
}

enum pc_scope { PC_ALL, PC_DID, PC_DID_PASID };

static void pc_invalidate(struct hw_vtd *v, enum pc_scope scope, uint16_t did, uint32_t pasid)
{
	unsigned int i;

	for (i = 0; i < VTD_PC_SETS; i++) {
		struct vtd_pc_entry *pc = &v->pc[i];

		if (!pc->valid)
			continue;
		if (scope != PC_ALL && pc->did != did)
			continue;
		if (scope == PC_DID_PASID && pc->pasid != pasid)
			continue;
		pc->valid = false;
	}
}

static void vtd_iqe(struct hw_vtd *v, enum vtd_iqei code)
{
	v->regs[VTD_IQERCD_REG >> 3] = (v->regs[VTD_IQERCD_REG >> 3] & ~0xfull) | code;
	vtd_set_fsts(v, VTD_FSTS_IQE);
}

/* ATS invalidation range (PCIe r6.2 §10.3.8): S=1 encodes the size in the
 * trailing one bits of the address above bit 12. */
static void devtlb_range(uint64_t addr, bool s, struct hw_vtd_devtlb_inv *inv)
{
	unsigned int ones;

	addr &= VTD_INV_ADDR_MASK;
	if (!s) {
		inv->addr = addr;
		inv->size = 4096;
		return;
	}
	ones = (unsigned int)__builtin_ctzll(~(addr >> 12));
	if (ones >= 51) {
		inv->addr = 0;
		inv->size = UINT64_MAX;
		return;
	}
	inv->size = 4096ull << (ones + 1);
	inv->addr = addr & ~(inv->size - 1);
}

/* Execute one descriptor (§6.5.2). Returns 0 or an IQEI code. */
static int vtd_qi_desc(struct hw_vtd *v, const uint64_t *qw, bool dw)
{
	unsigned int type = VTD_INV_TYPE(qw[0]), g = (qw[0] >> VTD_INV_G_SHIFT) & 3;
	uint16_t did = (uint16_t)(qw[0] >> VTD_INV_DID_SHIFT);
	uint32_t pasid = (uint32_t)(qw[0] >> VTD_INV_PASID_SHIFT) & 0xfffff;
	unsigned int am = (unsigned int)(qw[1] & VTD_INV_AM_MASK);
	struct hw_vtd_devtlb_inv inv = { 0 };
	struct hw_vtd_page_resp resp = { 0 };

	if (type >= VTD_INV_PIOTLB && type <= VTD_INV_PGRP_RESP && !dw)
		return VTD_IQEI_WIDTH;	/* 256-bit only descriptors */
	switch (type) {
	case VTD_INV_CC:
		if (!g)
			return VTD_IQEI_RSVD;
		/* In scalable mode context entries carry no DID: domain-
		 * selective requests are performed globally. */
		ctx_invalidate(v, g != VTD_INV_G_DEVICE,
			       (uint16_t)(qw[0] >> VTD_INV_SID_SHIFT),
			       (unsigned int)(qw[0] >> 48) & 3);
		return 0;
	case VTD_INV_IOTLB:
		if (!g || am > VTD_MAMV)
			return VTD_IQEI_RSVD;
		iotlb_invalidate(v, g == VTD_INV_G_GLOBAL ? INV_ALL :
				 g == VTD_INV_G_DOMAIN ? INV_DID : INV_DID_PAGE,
				 did, 0, qw[1] & VTD_INV_ADDR_MASK, am);
		return 0;
	case VTD_INV_PIOTLB:
		if (g != VTD_INV_PIOTLB_G_PASID && g != VTD_INV_PIOTLB_G_PAGE)
			return VTD_IQEI_RSVD;
		if (am > VTD_MAMV)
			return VTD_IQEI_RSVD;
		iotlb_invalidate(v, g == VTD_INV_PIOTLB_G_PASID ? INV_PASID : INV_PASID_PAGE,
				 did, pasid, qw[1] & VTD_INV_ADDR_MASK, am);
		return 0;
	case VTD_INV_PC:
		if (g == 2)
			return VTD_IQEI_RSVD;
		pc_invalidate(v, g == VTD_INV_PC_G_GLOBAL ? PC_ALL :
			      g == VTD_INV_PC_G_DOMAIN ? PC_DID : PC_DID_PASID, did, pasid);
		return 0;
	case VTD_INV_DEVTLB:
		inv.sid = (uint16_t)(qw[0] >> 32);
		inv.pfsid = (uint16_t)(((qw[0] >> 12) & 0xf) | ((qw[0] >> 52) << 4));
		devtlb_range(qw[1], qw[1] & VTD_INV_DEVTLB_S, &inv);
		if (v->ops && v->ops->devtlb_inv)
			v->ops->devtlb_inv(v->arg, &inv);
		return 0;
	case VTD_INV_PDEVTLB:
		inv.sid = (uint16_t)(qw[0] >> 16);
		inv.pfsid = (uint16_t)(((qw[0] >> 12) & 0xf) | ((qw[0] >> 52) << 4));
		inv.has_pasid = true;
		inv.pasid = pasid;
		inv.global = qw[1] & VTD_INV_PDEVTLB_G;
		devtlb_range(qw[1], qw[1] & VTD_INV_PDEVTLB_S, &inv);
		if (v->ops && v->ops->devtlb_inv)
			v->ops->devtlb_inv(v->arg, &inv);
		return 0;
	case VTD_INV_IEC:
		/* Interrupt remapping entries are not cached by this model. */
		return 0;
	case VTD_INV_WAIT:
		/* Every earlier descriptor has completed (processing is
		 * synchronous), so fence (FN) and page-request drain (PD)
		 * are already satisfied (§6.5.2.8, §7.10). */
		if (qw[0] & VTD_INV_WAIT_SW) {
			if (hw_mem_st32(v->mem, qw[1] & VTD_INV_WAIT_SADDR_MASK,
					(uint32_t)(qw[0] >> VTD_INV_WAIT_SDATA_SHIFT)))
				return VTD_IQEI_FETCH;
		}
		if ((qw[0] & VTD_INV_WAIT_IF) && !(reg32(v, VTD_ICS_REG) & VTD_ICS_IWC)) {
			set_reg32(v, VTD_ICS_REG, reg32(v, VTD_ICS_REG) | VTD_ICS_IWC);
			vtd_event(v, VTD_IECTL_REG);
		}
		return 0;
	case VTD_INV_PGRP_RESP:
		resp.rid = (uint16_t)(qw[0] >> VTD_PGRP_RID_SHIFT);
		resp.has_pasid = qw[0] & VTD_PGRP_PASID_P;
		resp.pasid = pasid;
		resp.rc = (uint8_t)((qw[0] >> VTD_PGRP_RC_SHIFT) & 0xf);
		resp.prg_index = (uint16_t)((qw[1] >> VTD_PGRP_IDX_SHIFT) & 0x1ff);
		if (v->ops && v->ops->page_resp)
			v->ops->page_resp(v->arg, &resp);
		return 0;
	default:
		return VTD_IQEI_TYPE;
	}
}

/* Fetch and execute descriptors from IQH up to IQT (§6.5.2). */
static void vtd_qi_process(struct hw_vtd *v)
{
	uint64_t iqa = v->regs[VTD_IQA_REG >> 3];
	bool dw = iqa & VTD_IQA_DW;
	uint64_t dsz = dw ? 32 : 16, qsize = 4096ull << (iqa & VTD_IQA_QS_MASK);
	uint64_t base = iqa & VTD_IQA_IQA_MASK;
	uint64_t iqt = v->regs[VTD_IQT_REG >> 3] & VTD_IQ_PTR_MASK;
	uint64_t iqh = v->regs[VTD_IQH_REG >> 3];

	if (!v->qie || (reg32(v, VTD_FSTS_REG) & VTD_FSTS_IQE))
		return;
	if (dw && (iqt & 0x10)) {
		vtd_iqe(v, VTD_IQEI_TAIL_ALIGN);
		return;
	}
	if (iqt >= qsize) {
		vtd_iqe(v, VTD_IQEI_QUEUE);
		return;
	}
	while (iqh != iqt) {
		uint64_t qw[4] = { 0 };
		unsigned int i;
		int code;

		for (i = 0; i < dsz / 8; i++)
			if (hw_mem_ld64(v->mem, base + iqh + 8 * i, &qw[i])) {
				vtd_iqe(v, VTD_IQEI_FETCH);
				return;
			}
		code = vtd_qi_desc(v, qw, dw);
		if (code) {
			vtd_iqe(v, (enum vtd_iqei)code);	/* IQH stays on it */
			return;
		}
		v->st.descs_processed++;
		iqh = (iqh + dsz) % qsize;
		v->regs[VTD_IQH_REG >> 3] = iqh;
	}
}

/* Register-based invalidation (§6.5.1, §11.4.6, §11.4.8.1). */
static void vtd_ccmd(struct hw_vtd *v)
{
	uint64_t *c = &v->regs[VTD_CCMD_REG >> 3];
	unsigned int cirg = (unsigned int)(*c >> VTD_CCMD_CIRG_SHIFT) & 3;

	if (!(*c & VTD_CCMD_ICC) || !cirg)
		return;
	ctx_invalidate(v, cirg != VTD_INV_G_DEVICE, (uint16_t)(*c >> 16),
		       (unsigned int)(*c >> 32) & 3);
	*c = (*c & ~(VTD_CCMD_ICC | VTD_CCMD_CAIG_MASK)) |
	     ((uint64_t)(cirg == VTD_INV_G_DEVICE ? 3 : 1) << VTD_CCMD_CAIG_SHIFT);
}

static void vtd_iotlb_reg(struct hw_vtd *v)
{
	uint64_t *c = &v->regs[(VTD_IRO_OFF + VTD_IOTLB_REG_OFF) >> 3];
	uint64_t iva = v->regs[(VTD_IRO_OFF + VTD_IOTLB_IVA_OFF) >> 3];
	unsigned int iirg = (unsigned int)(*c >> VTD_IOTLB_IIRG_SHIFT) & 3;
	uint16_t did = (uint16_t)(*c >> 32);

	if (!(*c & VTD_IOTLB_IVT) || !iirg)
		return;
	if (iirg == VTD_INV_G_GLOBAL)
		iotlb_invalidate(v, INV_ALL, 0, 0, 0, 0);
	else if (iirg == VTD_INV_G_DOMAIN || (iva & 0x3f) > VTD_MAMV)
		iotlb_invalidate(v, INV_DID, did, 0, 0, 0);
	else
		iotlb_invalidate(v, INV_DID_PAGE, did, 0, iva & GENMASK_ULL(63, 12),
				 (unsigned int)(iva & 0x3f));
	*c = (*c & ~(VTD_IOTLB_IVT | VTD_IOTLB_IAIG_MASK)) |
	     ((uint64_t)iirg << VTD_IOTLB_IAIG_SHIFT);
}

/* Global command (§11.4.4.1): each command completes immediately, and its
 * status is visible in GSTS on the next read. */
static void vtd_gcmd(struct hw_vtd *v, uint32_t cmd)
{
	uint32_t sts = reg32(v, VTD_GSTS_REG);

	if (cmd & VTD_GCMD_SRTP) {
		v->rtaddr = v->regs[VTD_RTADDR_REG >> 3];
		v->rt_latched = true;
		sts |= VTD_GSTS_RTPS;
	}
	if (cmd & VTD_GCMD_SIRTP)
		sts |= VTD_GSTS_IRTPS;
	if ((cmd & VTD_GCMD_QIE) && !v->qie) {
		v->qie = true;
		v->regs[VTD_IQH_REG >> 3] = 0;
		sts |= VTD_GSTS_QIES;
	} else if (!(cmd & VTD_GCMD_QIE) && v->qie) {
		v->qie = false;
		v->regs[VTD_IQH_REG >> 3] = 0;
		sts &= ~VTD_GSTS_QIES;
	}
	v->te = cmd & VTD_GCMD_TE;
	sts = v->te ? sts | VTD_GSTS_TES : sts & ~VTD_GSTS_TES;
	sts = (cmd & VTD_GCMD_IRE) ? sts | VTD_GSTS_IRES : sts & ~VTD_GSTS_IRES;
	sts = (cmd & VTD_GCMD_CFI) ? sts | VTD_GSTS_CFIS : sts & ~VTD_GSTS_CFIS;
	/* §7.2.1: the fault index resets when both remapping kinds are off. */
	if (!(sts & (VTD_GSTS_TES | VTD_GSTS_IRES)))
		v->fri_next = 0;
	set_reg32(v, VTD_GSTS_REG, sts);
	if (v->qie)
		vtd_qi_process(v);
}

static void vtd_after_write(struct hw_vtd *v, unsigned int off, uint64_t val, uint64_t mask)
{
	unsigned int q = off >> 3;
	bool lo = mask & 0xffffffffull, hi = mask >> 32;

	switch (q) {
	case VTD_GCMD_REG >> 3:
		if (lo)
			vtd_gcmd(v, (uint32_t)val);
		break;
	case VTD_CCMD_REG >> 3:
		if (hi)
			vtd_ccmd(v);
		break;
	case VTD_FSTS_REG >> 3:
		if (hi) {
			vtd_update_ppf(v);
			vtd_qi_process(v);	/* clearing IQE resumes fetching */
		}
		break;
	case VTD_FECTL_REG >> 3:
		if (lo)
			vtd_ctl_written(v, VTD_FECTL_REG);
		break;
	case VTD_IQT_REG >> 3:
		if (lo)
			vtd_qi_process(v);
		break;
	case VTD_ICS_REG >> 3:
		if (hi)
			vtd_clear_ip_if(v, VTD_IECTL_REG,
					!(reg32(v, VTD_ICS_REG) & VTD_ICS_IWC));
		break;
	case VTD_IECTL_REG >> 3:
		if (lo)
			vtd_ctl_written(v, VTD_IECTL_REG);
		break;
	case VTD_PRS_REG >> 3:
		if (hi)
			vtd_clear_ip_if(v, VTD_PECTL_REG,
					!(reg32(v, VTD_PRS_REG) & (VTD_PRS_PPR | VTD_PRS_PRO)));
		break;
	case VTD_PECTL_REG >> 3:
		if (lo)
			vtd_ctl_written(v, VTD_PECTL_REG);
		break;
	case (VTD_IRO_OFF + VTD_IOTLB_REG_OFF) >> 3:
		if (hi)
			vtd_iotlb_reg(v);
		break;
	default:
		if (off >= VTD_FRO_OFF && off < frcd_off(v->nr_frcd))
			vtd_update_ppf(v);
		break;
	}
}

static bool mmio_len_ok(uint64_t off, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4 || len == 8) && !(off & (len - 1));
}

int hw_vtd_mmio_read(struct hw_vtd *v, uint64_t off, void *buf, unsigned int len)
{
	uint64_t val;

	if (!mmio_len_ok(off, len))
		return -EINVAL;
	if (off >= HW_VTD_MMIO_SIZE) {
		memset(buf, 0, len);
		return 0;
	}
	val = hw_cpu_to_le64(v->regs[off >> 3]);
	memcpy(buf, (uint8_t *)&val + (off & 7), len);
	return 0;
}

int hw_vtd_mmio_write(struct hw_vtd *v, uint64_t off, const void *buf, unsigned int len)
{
	uint64_t val = 0, mask, rw, w1c, *r;
	unsigned int q, sh;

	if (!mmio_len_ok(off, len))
		return -EINVAL;
	/* §11.2: registers are accessed as dwords or qwords; narrower writes
	 * and writes outside the register set have no effect. */
	if (off >= HW_VTD_MMIO_SIZE || len < 4)
		return 0;
	q = (unsigned int)(off >> 3);
	sh = (unsigned int)(off & 4) * 8;
	memcpy(&val, buf, len);
	val = hw_le64_to_cpu(val);
	if (len == 4)
		val &= 0xffffffffull;
	val <<= sh;
	mask = len == 8 ? ~0ull : 0xffffffffull << sh;
	r = &v->regs[q];
	rw = v->rw[q] & mask;
	w1c = v->w1c[q] & mask;
	*r = (*r & ~rw) | (val & rw);
	*r &= ~(val & w1c);
	vtd_after_write(v, (unsigned int)off & ~7u, val, mask);
	return 0;
}

/* --------------------------------------------------------- page requests */

static void vtd_auto_respond(struct hw_vtd *v, const struct hw_vtd_page_req *req, uint8_t rc)
{
	struct hw_vtd_page_resp resp = {
		.rid = req->rid, .has_pasid = req->has_pasid, .pasid = req->pasid,
		.prg_index = req->prg_index, .rc = rc, .auto_response = true,
	};

	if (req->lpig && v->ops && v->ops->page_resp)
		v->ops->page_resp(v->arg, &resp);
}

int hw_vtd_page_request(struct hw_vtd *v, const struct hw_vtd_page_req *req)
{
	struct vtd_req r = {
		.rid = req->rid, .has_pasid = req->has_pasid, .pasid = req->pasid,
		.addr = req->addr, .page_req = true,
		.access = (req->rd ? HW_VTD_ACC_R : 0) | (req->wr ? HW_VTD_ACC_W : 0) |
			  (req->exe ? HW_VTD_ACC_X : 0) | (req->priv ? HW_VTD_ACC_PRIV : 0),
	};
	uint64_t pqa = v->regs[VTD_PQA_REG >> 3], size, pqh, pqt, ce0, ce1, d[4];
	uint32_t prs;
	unsigned int i;
	int fr = 0;

	if (req->prg_index >> 9 || (req->has_pasid && req->pasid >> VTD_PSS))
		return -EINVAL;
	/* §7.5.1: requests are checked against the context entry first. */
	if (!v->te || !v->rt_latched)
		fr = VTD_FR_SM_RTA_INVALID;
	if (!fr)
		fr = vtd_ctx_get(v, &r, &ce0, &ce1);
	if (!fr && !(ce0 & VTD_SM_CE0_PRE))
		fr = VTD_FR_SCT_PRE;
	if (!fr && req->has_pasid && !(ce0 & VTD_SM_CE0_PASIDE))
		fr = VTD_FR_SCT_PASIDE;
	if (fr) {
		vtd_fault(v, &r, (unsigned int)fr);
		vtd_auto_respond(v, req, VTD_PGRP_RC_INVALID);
		return -EACCES;
	}
	size = 4096ull << (pqa & VTD_PQA_PQS_MASK);
	pqh = v->regs[VTD_PQH_REG >> 3] % size;
	pqt = v->regs[VTD_PQT_REG >> 3] % size;
	prs = reg32(v, VTD_PRS_REG);
	/* §7.5.1: with the queue full (or overflow not yet cleared) the
	 * request is dropped, PRO set and a success response generated so
	 * the device retries. */
	if ((prs & VTD_PRS_PRO) || (pqt + 32) % size == pqh) {
		if (!(prs & VTD_PRS_PRO)) {
			set_reg32(v, VTD_PRS_REG, prs | VTD_PRS_PRO);
			vtd_event(v, VTD_PECTL_REG);
		}
		vtd_auto_respond(v, req, VTD_PGRP_RC_SUCCESS);
		return -ENOSPC;
	}
	d[0] = VTD_PRQ_TYPE_PAGE_REQ | ((uint64_t)req->rid << VTD_PRQ_RID_SHIFT);
	if (req->has_pasid)
		d[0] |= VTD_PRQ_PASID_P | ((uint64_t)req->pasid << VTD_PRQ_PASID_SHIFT) |
			(req->exe ? VTD_PRQ_EXE : 0) | (req->priv ? VTD_PRQ_PRIV : 0);
	d[1] = (req->rd ? VTD_PRQ_RD : 0) | (req->wr ? VTD_PRQ_WR : 0) |
	       (req->lpig ? VTD_PRQ_LPIG : 0) |
	       ((uint64_t)req->prg_index << VTD_PRQ_IDX_SHIFT) |
	       (req->addr & VTD_PRQ_ADDR_MASK);
	d[2] = req->priv_data[0];
	d[3] = req->priv_data[1];
	for (i = 0; i < 4; i++)
		if (hw_mem_st64(v->mem, (pqa & VTD_PQA_PQA_MASK) + pqt + 8 * i, d[i])) {
			vtd_auto_respond(v, req, VTD_PGRP_RC_FAILURE);
			return -EFAULT;
		}
	v->regs[VTD_PQT_REG >> 3] = (pqt + 32) % size;
	if (!(prs & VTD_PRS_PPR)) {
		set_reg32(v, VTD_PRS_REG, prs | VTD_PRS_PPR);
		vtd_event(v, VTD_PECTL_REG);
	}
	return 0;
}

/* ------------------------------------------------------ create/destroy */

struct hw_vtd *hw_vtd_create(struct hw_mem *mem, const struct hw_vtd_config *cfg,
			     const struct hw_vtd_ops *ops, void *arg)
{
	unsigned int nfr = cfg && cfg->nr_fault_records ? cfg->nr_fault_records : 8;
	unsigned int sets = cfg && cfg->iotlb_sets ? cfg->iotlb_sets : 4096;
	unsigned int haw = cfg && cfg->haw ? cfg->haw : 48;
	struct hw_vtd *v;

	if (!mem || nfr > VTD_MAX_FAULT_RECORDS || !is_power_of_2(sets) ||
	    sets > (1u << 24) || haw < 39 || haw > 52)
		return ERR_PTR(-EINVAL);
	v = pl_zalloc(sizeof(*v));
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->ctx = pl_calloc(VTD_NR_RIDS, sizeof(*v->ctx));
	if (!v->ctx)
		goto err_free_v;
	v->pc = pl_calloc(VTD_PC_SETS, sizeof(*v->pc));
	if (!v->pc)
		goto err_free_ctx;
	v->iotlb = pl_calloc(sets, sizeof(*v->iotlb));
	if (!v->iotlb)
		goto err_free_pc;
	v->mem = mem;
	v->ops = ops;
	v->arg = arg;
	v->nr_frcd = nfr;
	v->haw = haw;
	v->iotlb_mask = sets - 1;
	vtd_init_regs(v);
	return v;

err_free_pc:
	free(v->pc);
err_free_ctx:
	free(v->ctx);
err_free_v:
	free(v);
	return ERR_PTR(-ENOMEM);
}

void hw_vtd_destroy(struct hw_vtd *v)
{
	if (IS_ERR_OR_NULL(v))
		return;
	free(v->iotlb);
	free(v->pc);
	free(v->ctx);
	free(v);
}

void hw_vtd_get_stats(const struct hw_vtd *v, struct hw_vtd_stats *st)
{
	*st = v->st;
}
