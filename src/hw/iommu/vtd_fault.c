// SPDX-License-Identifier: MIT
/*
 * VT-d unit model: interrupt events and primary fault logging.
 *
 * One piece of event logic (§7.3) serves the three message register sets:
 * fault events (FECTL/FEDATA/FEADDR/FEUADDR), invalidation completion
 * (IECTL..., §6.5.2.9) and page request events (PECTL..., §7.5.2).
 * Fault records live in the register file at CAP.FRO (§7.2.1, §11.4.7).
 */
#include "base/err.h"
#include "base/log.h"
#include "hw/iommu/vtd_internal.h"

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

void vtd_event(struct hw_vtd *v, unsigned int ctl)
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
void vtd_ctl_written(struct hw_vtd *v, unsigned int ctl)
{
	uint32_t c = reg32(v, ctl);

	if ((c & VTD_xECTL_IP) && !(c & VTD_xECTL_IM)) {
		set_reg32(v, ctl, c & ~VTD_xECTL_IP);
		vtd_send_msg(v, ctl);
	}
}

void vtd_clear_ip_if(struct hw_vtd *v, unsigned int ctl, bool serviced)
{
	if (serviced)
		set_reg32(v, ctl, reg32(v, ctl) & ~VTD_xECTL_IP);
}

/* FSTS.PPF is the OR of the F bits of all fault records (§11.4.7.1). */
void vtd_update_ppf(struct hw_vtd *v)
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

void vtd_set_fsts(struct hw_vtd *v, uint32_t bit)
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
int vtd_fault(struct hw_vtd *v, const struct vtd_req *r, unsigned int reason)
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
