// SPDX-License-Identifier: MIT
/*
 * VT-d unit model: cache invalidation (§6.5). The invalidation queue
 * (§6.5.2) with 128- or 256-bit descriptors, and register-based
 * invalidation through CCMD and IOTLB_REG (§6.5.1, §11.4.6, §11.4.8.1).
 * Processing is synchronous: descriptors complete when IQT is written.
 */
#include <string.h>

#include "base/err.h"
#include "hw/mem.h"
#include "hw/iommu/vtd_internal.h"

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

		if (!e->tag)
			continue;
		if (scope != INV_ALL && itag_did(e->tag) != did)
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
		if ((scope == INV_PASID || scope == INV_PASID_PAGE) && itag_pasid(e->tag) != pasid)
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
void vtd_qi_process(struct hw_vtd *v)
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
void vtd_ccmd(struct hw_vtd *v)
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

void vtd_iotlb_reg(struct hw_vtd *v)
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
