/* SPDX-License-Identifier: MIT */
/*
 * Internals of the VT-d unit model, shared by its parts:
 *
 *   vtd.c        register file, global commands, MMIO, create/destroy
 *   vtd_fault.c  interrupt events (§7.3) and primary fault logging (§7.2)
 *   vtd_xlate.c  translation: context/PASID lookups, page-table walks
 *                (§3.4-3.9, ch. 9), the IOTLB, the entry points (hot path)
 *   vtd_qi.c     cache invalidation: queue and registers (§6.5)
 *   vtd_prq.c    page requests (§7.5)
 *
 * Section numbers refer to the Intel VT-d Architecture Specification rev
 * 4.1 (unchanged in 5.0 for everything modelled here). Not for use outside
 * src/hw/iommu/.
 */
#ifndef PCILAB_HW_IOMMU_VTD_INTERNAL_H
#define PCILAB_HW_IOMMU_VTD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"
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
	/* IOTLB set offsets (iotlb_hoff()) and tags (vtd_itag()) of
	 * (did, pasid) for 4K/2M/1G, computed once when the entry is filled:
	 * the hot path then indexes and matches the IOTLB without hashing. */
	uint32_t ioff[3];
	uint64_t itag[3];
};

/*
 * One IOTLB entry. The tag packs everything a lookup matches besides the
 * page number (valid, page size, PASID, DID), so a probe is two compares;
 * tag 0 means invalid.
 */
struct vtd_iotlb_entry {
	uint64_t vpn;		/* iova >> shift */
	uint64_t tag;		/* vtd_itag(did, pasid, shift), 0: invalid */
	uint64_t pa;		/* output page base */
	uint8_t deny[2];	/* R/W/X a hit may not serve (those re-walk),
				 * [user, supervisor] */
	uint8_t shift;		/* 12, 21 or 30 (also in the tag) */
	uint8_t pgtt;
	uint8_t flags;
};

#define VTD_ITAG_VALID		1ull
#define VTD_ITAG_SHIFT_SHIFT	1	/* bits 6:1 page shift */
#define VTD_ITAG_PASID_SHIFT	8	/* bits 27:8 PASID */
#define VTD_ITAG_DID_SHIFT	28	/* bits 43:28 DID */

static inline uint64_t vtd_itag(uint16_t did, uint32_t pasid, unsigned int shift)
{
	return VTD_ITAG_VALID | ((uint64_t)shift << VTD_ITAG_SHIFT_SHIFT) |
	       ((uint64_t)pasid << VTD_ITAG_PASID_SHIFT) | ((uint64_t)did << VTD_ITAG_DID_SHIFT);
}

static inline unsigned int itag_shift(uint64_t tag)
{
	return (unsigned int)(tag >> VTD_ITAG_SHIFT_SHIFT) & 0x3f;
}

static inline uint32_t itag_pasid(uint64_t tag)
{
	return (uint32_t)(tag >> VTD_ITAG_PASID_SHIFT) & 0xfffff;
}

static inline uint16_t itag_did(uint64_t tag)
{
	return (uint16_t)(tag >> VTD_ITAG_DID_SHIFT);
}

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

/* ------------------------------------------------------------ registers */

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

/* ------------------------------------------------- caches (vtd_xlate.c) */

static inline uint32_t vtd_hash(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static inline uint32_t pc_set(uint16_t rid, uint32_t pasid)
{
	return vtd_hash(rid, pasid) & (VTD_PC_SETS - 1);
}

/* Like hardware, the IOTLB is indexed by the low page-number bits (offset
 * by a hash of the tag) so a contiguous range never conflicts with itself. */
static inline uint32_t iotlb_hoff(uint16_t did, uint32_t pasid, unsigned int shift)
{
	return vtd_hash(((uint64_t)did << 32 | pasid) ^ ((uint64_t)shift << 56), 0);
}

/* Index into nr_large[] of a 2M (0) or 1G (1) entry. */
static inline unsigned int large_class(unsigned int shift)
{
	return shift == 30;
}

static inline void iotlb_drop(struct hw_vtd *v, struct vtd_iotlb_entry *e)
{
	if (e->tag && e->shift != 12)
		v->nr_large[large_class(e->shift)]--;
	e->tag = 0;
}

/* ------------------------------------------------- events (vtd_fault.c) */

void vtd_event(struct hw_vtd *v, unsigned int ctl);
void vtd_ctl_written(struct hw_vtd *v, unsigned int ctl);
void vtd_clear_ip_if(struct hw_vtd *v, unsigned int ctl, bool serviced);
void vtd_update_ppf(struct hw_vtd *v);
void vtd_set_fsts(struct hw_vtd *v, uint32_t bit);
/* Record a translation fault (§7.2.1); always returns -EFAULT. */
int vtd_fault(struct hw_vtd *v, const struct vtd_req *r, unsigned int reason);

/* ---------------------------------------------- translation (vtd_xlate.c) */

/* Context entry for r->rid via the context cache; 0 or a fault reason. */
int vtd_ctx_get(struct hw_vtd *v, struct vtd_req *r, uint64_t *ce0, uint64_t *ce1);

/* ---------------------------------------------- invalidation (vtd_qi.c) */

void vtd_qi_process(struct hw_vtd *v);
void vtd_ccmd(struct hw_vtd *v);
void vtd_iotlb_reg(struct hw_vtd *v);

#endif /* PCILAB_HW_IOMMU_VTD_INTERNAL_H */
