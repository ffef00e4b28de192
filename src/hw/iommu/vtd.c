// SPDX-License-Identifier: MIT
/*
 * Intel VT-d remapping unit model, scalable mode: the register file,
 * global commands, MMIO access, and the unit's life cycle. The other parts
 * are listed in vtd_internal.h. Section numbers refer to the Intel VT-d
 * Architecture Specification rev 4.1 (unchanged in 5.0 for everything
 * modelled here).
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
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/mem.h"
#include "hw/iommu/vtd_internal.h"

/* ---------------------------------------------------------------- regs */

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
