// SPDX-License-Identifier: MIT
/*
 * VT-d units: discovery from firmware's description (the DMAR table's
 * DRHDs, hw_platform_iommu_info()), capability checks, root table and
 * invalidation queue bring-up, the invalidation descriptors the driver
 * issues, and fault record servicing, from the fault event interrupt or
 * by polling. Section numbers: VT-d rev 4.1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/fabric/fabric.h"
#include "kernel/iommu/intel/vtd_internal.h"
#include "kernel/pci/msi.h"
#include "kernel/pci/pci.h"

/* ------------------------------------------------------------ access */

uint32_t vtd_rd32(struct vtd_unit *u, uint64_t off)
{
	uint32_t x = 0;

	(void)hw_mmio_read(u->vtd->hw, u->reg + off, &x, 4);
	return x;
}

uint64_t vtd_rd64(struct vtd_unit *u, uint64_t off)
{
	uint64_t x = 0;

	(void)hw_mmio_read(u->vtd->hw, u->reg + off, &x, 8);
	return x;
}

void vtd_wr32(struct vtd_unit *u, uint64_t off, uint32_t val)
{
	(void)hw_mmio_write(u->vtd->hw, u->reg + off, &val, 4);
}

void vtd_wr64(struct vtd_unit *u, uint64_t off, uint64_t val)
{
	(void)hw_mmio_write(u->vtd->hw, u->reg + off, &val, 8);
}

/* RAM is little-endian like the unit's view of its structures (§9). */
uint64_t vtd_ld(struct vtd *v, uint64_t pa)
{
	uint64_t x = 0;

	(void)hw_ram_read(v->hw, pa, &x, 8);
	return x;
}

void vtd_st(struct vtd *v, uint64_t pa, uint64_t val)
{
	(void)hw_ram_write(v->hw, pa, &val, 8);
}

/* ------------------------------------------------------------ commands */

/*
 * Set or clear one GCMD command and wait for its status (§11.4.4.1): the
 * value written is the current GSTS with the one-shot status bits (RTPS,
 * FLS, WBFS, IRTPS) removed, so only the command we mean changes.
 */
static int vtd_gcmd(struct vtd_unit *u, uint32_t cmd, uint32_t sts, bool set)
{
	const uint32_t oneshot = VTD_GSTS_RTPS | VTD_GSTS_FLS | VTD_GSTS_WBFS | VTD_GSTS_IRTPS;
	uint32_t val = vtd_rd32(u, VTD_GSTS_REG) & ~oneshot;
	unsigned int i;

	vtd_wr32(u, VTD_GCMD_REG, set ? val | cmd : val & ~cmd);
	for (i = 0; i < VTD_SPINS; i++)
		if (!!(vtd_rd32(u, VTD_GSTS_REG) & sts) == set)
			return 0;
	pl_err("DMAR: unit %u: GCMD 0x%08x not acknowledged", u->idx, cmd);
	return -ETIMEDOUT;
}

/* ------------------------------------------------------------ queue */

int vtd_qi_submit(struct vtd_unit *u, const struct vtd_inv_desc *d, unsigned int n)
{
	struct vtd *v = u->vtd;
	struct vtd_inv_desc wait = { { 0 } };
	unsigned int i, j, slots = VTD_IQ_SIZE / VTD_DESC_SIZE;
	uint32_t seq;
	uint64_t head;

	if (!u->qi_on)
		return -EIO;
	if (should_fail("vtd_qi_submit"))
		return -ETIMEDOUT;
	/* Room for n + 1 descriptors, one slot kept empty (§6.5.2: the
	 * queue is full when IQT is one behind IQH). */
	for (i = 0;; i++) {
		unsigned int used;

		head = vtd_rd64(u, VTD_IQH_REG) & VTD_IQ_PTR_MASK;
		used = (u->iq_tail + VTD_IQ_SIZE - (unsigned int)head) % VTD_IQ_SIZE /
		       VTD_DESC_SIZE;
		if (slots - 1 - used >= n + 1)
			break;
		if (i == VTD_SPINS)
			return -ETIMEDOUT;
	}
	/* Invalidation wait with status write (§6.5.2.8): the unit stores
	 * seq at wait_pa after every earlier descriptor completed; FN keeps
	 * later descriptors behind it. */
	seq = ++u->wait_seq;
	wait.qw[0] = VTD_INV_WAIT | VTD_INV_WAIT_SW | VTD_INV_WAIT_FN |
		     ((uint64_t)seq << VTD_INV_WAIT_SDATA_SHIFT);
	wait.qw[1] = u->wait_pa & VTD_INV_WAIT_SADDR_MASK;
	for (i = 0; i <= n; i++) {
		const struct vtd_inv_desc *src = i < n ? &d[i] : &wait;

		for (j = 0; j < 4; j++)
			vtd_st(v, u->iq + u->iq_tail + 8 * j, src->qw[j]);
		u->iq_tail = (u->iq_tail + VTD_DESC_SIZE) % VTD_IQ_SIZE;
	}
	vtd_wr64(u, VTD_IQT_REG, u->iq_tail);
	for (i = 0; i < VTD_SPINS; i++) {
		if ((uint32_t)vtd_ld(v, u->wait_pa) == seq)
			return 0;
		if (vtd_rd32(u, VTD_FSTS_REG) & VTD_FSTS_IQE)
			break;
	}
	if (vtd_rd32(u, VTD_FSTS_REG) & VTD_FSTS_IQE) {
		pl_err("DMAR: unit %u: invalidation queue error 0x%llx", u->idx,
		       (unsigned long long)vtd_rd64(u, VTD_IQERCD_REG));
		/* Skip what the unit refused so the queue runs again. */
		vtd_wr64(u, VTD_IQT_REG, vtd_rd64(u, VTD_IQH_REG) & VTD_IQ_PTR_MASK);
		u->iq_tail = (unsigned int)(vtd_rd64(u, VTD_IQH_REG) & VTD_IQ_PTR_MASK);
		vtd_wr32(u, VTD_FSTS_REG, VTD_FSTS_IQE);
		return -EIO;
	}
	pl_err("DMAR: unit %u: invalidation wait timed out", u->idx);
	return -ETIMEDOUT;
}

/* Context-cache, device-selective (§6.5.2.1), then the PASID cache and
 * IOTLB entries tagged with the DID the entry had (§6.5.3.3). */
int vtd_flush_context_dev(struct vtd_unit *u, uint16_t sid, uint16_t did)
{
	struct vtd_inv_desc d[3] = { { { 0 } } };

	d[0].qw[0] = VTD_INV_CC | ((uint64_t)VTD_INV_G_DEVICE << VTD_INV_G_SHIFT) |
		     ((uint64_t)did << VTD_INV_DID_SHIFT) |
		     ((uint64_t)sid << VTD_INV_SID_SHIFT);
	d[1].qw[0] = VTD_INV_PC | ((uint64_t)VTD_INV_PC_G_DOMAIN << VTD_INV_G_SHIFT) |
		     ((uint64_t)did << VTD_INV_DID_SHIFT);
	d[2].qw[0] = VTD_INV_IOTLB | ((uint64_t)VTD_INV_G_DOMAIN << VTD_INV_G_SHIFT) |
		     ((uint64_t)did << VTD_INV_DID_SHIFT);
	return vtd_qi_submit(u, d, 3);
}

/* PASID-cache, PASID-selective (§6.5.2.2), then the IOTLB of what the
 * entry translated: §6.5.3.3 names the IOTLB descriptor (domain-selective)
 * for second-stage and pass-through entries, the PASID-based IOTLB
 * descriptor (PASID-selective) for first-stage and nested ones. */
int vtd_flush_pasid(struct vtd_unit *u, uint16_t did, uint32_t pasid, unsigned int pgtt)
{
	struct vtd_inv_desc d[2] = { { { 0 } } };

	d[0].qw[0] = VTD_INV_PC | ((uint64_t)VTD_INV_PC_G_PASID << VTD_INV_G_SHIFT) |
		     ((uint64_t)did << VTD_INV_DID_SHIFT) |
		     ((uint64_t)pasid << VTD_INV_PASID_SHIFT);
	if (pgtt == VTD_PGTT_FS || pgtt == VTD_PGTT_NESTED)
		d[1].qw[0] = VTD_INV_PIOTLB |
			     ((uint64_t)VTD_INV_PIOTLB_G_PASID << VTD_INV_G_SHIFT) |
			     ((uint64_t)did << VTD_INV_DID_SHIFT) |
			     ((uint64_t)pasid << VTD_INV_PASID_SHIFT);
	else
		d[1].qw[0] = VTD_INV_IOTLB | ((uint64_t)VTD_INV_G_DOMAIN << VTD_INV_G_SHIFT) |
			     ((uint64_t)did << VTD_INV_DID_SHIFT);
	return vtd_qi_submit(u, d, 2);
}

int vtd_flush_piotlb(struct vtd_unit *u, uint16_t did, uint32_t pasid, uint64_t addr,
		     uint64_t npages, bool ih)
{
	unsigned int mamv = (unsigned int)(u->cap >> VTD_CAP_MAMV_SHIFT) & 0x3f;
	uint64_t first = addr >> 12, last;
	struct vtd_inv_desc d = { { 0 } };
	unsigned int am = 0;
	bool all = npages == UINT64_MAX;

	if (!npages)
		return 0;
	/* A range running past the 52-bit page number space is "all". */
	if (!all && npages - 1 > (UINT64_MAX >> 12) - first)
		all = true;
	if (!all) {
		last = first + npages - 1;
		while ((first >> am) != (last >> am))
			am++;
		all = am > mamv;
	}
	d.qw[0] = VTD_INV_PIOTLB | ((uint64_t)did << VTD_INV_DID_SHIFT) |
		  ((uint64_t)pasid << VTD_INV_PASID_SHIFT);
	if (all) {
		/* Non-global entries of (DID, PASID), §6.5.2.4 G=10b. */
		d.qw[0] |= (uint64_t)VTD_INV_PIOTLB_G_PASID << VTD_INV_G_SHIFT;
	} else {
		/* G=11b: page-selective-within-PASID, address aligned to AM. */
		d.qw[0] |= (uint64_t)VTD_INV_PIOTLB_G_PAGE << VTD_INV_G_SHIFT;
		d.qw[1] = (((first >> am) << am) << 12 & VTD_INV_ADDR_MASK) |
			  (ih ? VTD_INV_IH : 0) | am;
	}
	return vtd_qi_submit(u, &d, 1);
}

int vtd_flush_iotlb_domain(struct vtd_unit *u, uint16_t did)
{
	struct vtd_inv_desc d = { { 0 } };

	d.qw[0] = VTD_INV_IOTLB | ((uint64_t)VTD_INV_G_DOMAIN << VTD_INV_G_SHIFT) |
		  ((uint64_t)did << VTD_INV_DID_SHIFT);
	return vtd_qi_submit(u, &d, 1);
}

/*
 * IOTLB page-selective invalidation (§6.5.2.3) of [iova, iova + size):
 * the naturally aligned 2^AM-page block covering the range, if CAP.PSI and
 * AM <= CAP.MAMV; domain-selective otherwise. IH stays 0, so cached
 * paging-structure entries go too.
 */
int vtd_flush_iotlb_range(struct vtd_unit *u, uint16_t did, uint64_t iova, uint64_t size)
{
	unsigned int mamv = (unsigned int)(u->cap >> VTD_CAP_MAMV_SHIFT) & 0x3f;
	uint64_t first = iova >> 12, last = (iova + size - 1) >> 12;
	struct vtd_inv_desc d = { { 0 } };
	unsigned int am = 0;

	if (!(u->cap & VTD_CAP_PSI) || !size)
		return vtd_flush_iotlb_domain(u, did);
	while ((first >> am) != (last >> am))
		am++;
	if (am > mamv)
		return vtd_flush_iotlb_domain(u, did);
	d.qw[0] = VTD_INV_IOTLB | ((uint64_t)VTD_INV_G_PAGE << VTD_INV_G_SHIFT) |
		  ((uint64_t)did << VTD_INV_DID_SHIFT);
	d.qw[1] = (((first >> am) << am) << 12 & VTD_INV_ADDR_MASK) | am;
	return vtd_qi_submit(u, &d, 1);
}

/* ------------------------------------------------------------ DIDs */

int vtd_did_alloc(struct vtd_unit *u, uint16_t *did)
{
	unsigned int i;

	for (i = VTD_DID_FIRST; i < u->nr_dids; i++) {
		if (u->did_map[i / 64] & BIT_ULL(i % 64))
			continue;
		u->did_map[i / 64] |= BIT_ULL(i % 64);
		*did = (uint16_t)i;
		return 0;
	}
	return -ENOSPC;
}

void vtd_did_free(struct vtd_unit *u, uint16_t did)
{
	u->did_map[did / 64] &= ~BIT_ULL(did % 64);
}

/* ------------------------------------------------------------ faults */

const char *intel_iommu_fault_reason_str(uint8_t reason)
{
	switch (reason) {
	case VTD_FR_SM_RTA_INVALID:	return "SM: Invalid Root Table Address";
	case VTD_FR_SRT_ACCESS:	return "SM: Error accessing the root entry";
	case VTD_FR_SRT_NOT_PRESENT:	return "SM: Root entry not present";
	case VTD_FR_SRT_RSVD:		return "SM: Reserved bit set in the root entry";
	case VTD_FR_SCT_ACCESS:	return "SM: Error accessing the context entry";
	case VTD_FR_SCT_NOT_PRESENT:	return "SM: Context entry not present";
	case VTD_FR_SCT_RSVD:		return "SM: Reserved bit set in the context entry";
	case VTD_FR_SCT_INVALID:	return "SM: Invalid context entry programming";
	case VTD_FR_SCT_PASIDE:	return "SM: Request with PASID, PASIDs disabled";
	case VTD_FR_SCT_PASID_MAX:	return "SM: PASID beyond the PASID directory";
	case VTD_FR_SCT_RID_PASID:	return "SM: RID_PASID beyond the PASID directory";
	case VTD_FR_SPD_ACCESS:	return "SM: Error accessing the PASID directory entry";
	case VTD_FR_SPD_NOT_PRESENT:	return "SM: PASID directory entry not present";
	case VTD_FR_SPD_RSVD:		return "SM: Reserved bit set in the PASID directory entry";
	case VTD_FR_SPT_ACCESS:	return "SM: Error accessing the PASID table entry";
	case VTD_FR_SPT_NOT_PRESENT:	return "SM: PASID table entry not present";
	case VTD_FR_SPT_RSVD:		return "SM: Reserved bit set in the PASID table entry";
	case VTD_FR_SPT_INVALID:	return "SM: Invalid PASID table entry programming";
	case VTD_FR_SPT_ERE:		return "SM: Execute request with ERE clear in the PASID entry";
	case VTD_FR_SPT_SRE:		return "SM: Supervisor request with SRE clear in the PASID entry";
	case VTD_FR_SFS_ACCESS:	return "SM: Error accessing a first-stage entry";
	case VTD_FR_SFS_NOT_PRESENT:	return "SM: First-stage entry not present";
	case VTD_FR_SFS_RSVD:		return "SM: Reserved bit set in a first-stage entry";
	case VTD_FR_SFS_PTR_ACCESS:	return "SM: Error accessing the first-stage table pointer";
	case VTD_FR_SFS_NEST_MGAW:	return "SM: Nested first-stage address beyond the second-stage width";
	case VTD_FR_SFS_NEST_PTR_RD:	return "SM: Nested first-stage table pointer not readable";
	case VTD_FR_SFS_NEST_RD:	return "SM: Nested first-stage entry not readable";
	case VTD_FR_SFS_NEST_WR:	return "SM: Nested first-stage A/D update not writable";
	case VTD_FR_SSS_ACCESS:	return "SM: Error accessing a second-stage entry";
	case VTD_FR_SSS_NOT_PRESENT:	return "SM: Second-stage entry not present";
	case VTD_FR_SSS_RSVD:		return "SM: Reserved bit set in a second-stage entry";
	case VTD_FR_SSS_PTR:		return "SM: Second-stage table pointer outside the address width";
	case VTD_FR_SGN_CANONICAL:	return "SM: Non-canonical first-stage input address";
	case VTD_FR_SGN_USER:		return "SM: User request to a supervisor page";
	case VTD_FR_SGN_EXEC:		return "SM: Execute request to a non-executable page";
	case VTD_FR_SGN_HAW:		return "SM: Output address beyond the host address width";
	case VTD_FR_SGN_SS_AW:		return "SM: Input address beyond the second-stage width";
	case VTD_FR_SGN_WRITE:		return "SM: Write to a page without write permission";
	case VTD_FR_SGN_READ:		return "SM: Read from a page without read permission";
	default:			return "SM: Unknown fault reason";
	}
}

static void vtd_fault_log(const struct intel_iommu_fault *f)
{
	char pasid[24];

	if (f->has_pasid)
		snprintf(pasid, sizeof(pasid), "PASID 0x%x", f->pasid);
	else
		snprintf(pasid, sizeof(pasid), "NO_PASID");
	pl_err("DMAR: [%s %s] Request device [%02x:%02x.%u] fault addr 0x%llx "
	       "[fault reason 0x%02x] %s", f->read ? "DMA Read" : "DMA Write", pasid,
	       f->sid >> 8, (f->sid >> 3) & 0x1f, f->sid & 7, (unsigned long long)f->addr,
	       f->reason, intel_iommu_fault_reason_str(f->reason));
}

/* Keep a fault the interrupt handler serviced until the next poll. */
static void vtd_flog_push(struct vtd *v, const struct intel_iommu_fault *f)
{
	if (v->flog_n == VTD_FAULT_LOG) {
		v->flog_head = (v->flog_head + 1) % VTD_FAULT_LOG;	/* drop the oldest */
		v->flog_n--;
		v->flog_lost++;
	}
	v->flog[(v->flog_head + v->flog_n) % VTD_FAULT_LOG] = *f;
	v->flog_n++;
}

/* Primary fault records from FSTS.FRI on, wrapping, each cleared by
 * writing F (RW1C, §11.4.7.6); then PFO (§7.2.1). Serviced records go to
 * out[done..max) when polled, to the fault log when queue (interrupt). */
static unsigned int vtd_unit_faults(struct vtd_unit *u, struct intel_iommu_fault *out,
				    unsigned int max, unsigned int done, bool queue)
{
	uint32_t fsts = vtd_rd32(u, VTD_FSTS_REG);
	unsigned int i, idx, n = 0;

	if (fsts & VTD_FSTS_PPF) {
		idx = (fsts & VTD_FSTS_FRI_MASK) >> VTD_FSTS_FRI_SHIFT;
		for (i = 0; i < u->nr_fr; i++, idx = (idx + 1) % u->nr_fr) {
			uint64_t off = u->fro + 16ull * idx;
			uint64_t hi = vtd_rd64(u, off + 8), lo;
			struct intel_iommu_fault f = { 0 };

			/* Every record is looked at: FRI names a pending one,
			 * but others may be pending on either side of it. */
			if (!(hi & VTD_FRCD_HI_F))
				continue;
			lo = vtd_rd64(u, off);
			f.unit = u->idx;
			f.segment = u->segment;
			f.sid = (uint16_t)(hi & VTD_FRCD_HI_SID_MASK);
			f.read = hi & VTD_FRCD_HI_T1;
			f.has_pasid = hi & VTD_FRCD_HI_PP;
			f.pasid = (uint32_t)(hi >> VTD_FRCD_HI_PV_SHIFT) & 0xfffff;
			f.addr = lo & VTD_FRCD_LO_FI_MASK;
			f.reason = (uint8_t)(hi >> VTD_FRCD_HI_FR_SHIFT);
			vtd_fault_log(&f);
			vtd_wr32(u, off + 12, (uint32_t)(VTD_FRCD_HI_F >> 32));
			if (queue)
				vtd_flog_push(u->vtd, &f);
			else if (out && done + n < max)
				out[done + n] = f;
			n++;
		}
	}
	if (fsts & VTD_FSTS_PFO) {
		pl_err("DMAR: unit %u: fault log overflow, faults lost", u->idx);
		vtd_wr32(u, VTD_FSTS_REG, VTD_FSTS_PFO);
	}
	return n;
}

unsigned int intel_iommu_fault_poll(struct iommu_subsys *isys, struct intel_iommu_fault *out,
				    unsigned int max)
{
	struct vtd *v = isys->ops == &intel_iommu_ops ? isys->priv : NULL;
	struct vtd_unit *u;
	unsigned int n = 0;

	if (!v)
		return 0;
	/* What the interrupt handler serviced since the last poll first. */
	for (; v->flog_n; v->flog_n--, v->flog_head = (v->flog_head + 1) % VTD_FAULT_LOG) {
		if (out && n < max)
			out[n] = v->flog[v->flog_head];
		n++;
	}
	if (v->flog_lost) {
		pl_err("DMAR: %lu serviced faults dropped from the log before polling",
		       v->flog_lost);
		v->flog_lost = 0;
	}
	/* Then the hardware: all of it when no interrupt is set up. */
	list_for_each_entry(u, &v->units, node)
		n += vtd_unit_faults(u, out, max, n, false);
	return n;
}

unsigned int intel_iommu_fault_irq(struct iommu_subsys *isys, unsigned int unit)
{
	struct vtd *v = isys->ops == &intel_iommu_ops ? isys->priv : NULL;
	struct vtd_unit *u;

	if (!v)
		return 0;
	list_for_each_entry(u, &v->units, node)
		if (u->idx == unit)
			return u->irq;
	return 0;
}

/* ------------------------------------------------------------ fault IRQ */

/*
 * The fault event interrupt (§7.3; Linux's dmar_fault()): service every
 * pending primary fault record and PFO, as a poll would, keeping them for
 * intel_iommu_fault_poll(). IQE, ICE and ITE also raise it; they belong
 * to the invalidation path, which polls and clears them (vtd_qi_submit()).
 */
static enum irqreturn vtd_fault_irq(unsigned int irq, void *dev_id)
{
	struct vtd_unit *u = dev_id;

	(void)irq;
	u->nr_fault_irqs++;
	(void)vtd_unit_faults(u, NULL, 0, 0, true);
	return IRQ_HANDLED;
}

/* The irq_chip of the fault event (Linux's dmar_msi_mask/unmask):
 * FECTL.IM, §11.4.7.2. Unmasking sends an event left pending (IP). */
static void vtd_fault_irq_mask(void *chip_data)
{
	vtd_wr32(chip_data, VTD_FECTL_REG, VTD_xECTL_IM);
}

static void vtd_fault_irq_unmask(void *chip_data)
{
	vtd_wr32(chip_data, VTD_FECTL_REG, 0);
}

static const struct pci_irq_chip vtd_fault_irq_chip = {
	.mask = vtd_fault_irq_mask,
	.unmask = vtd_fault_irq_unmask,
};

/*
 * Linux's dmar_set_interrupt(): a vector for the unit's fault events,
 * its message in FEDATA/FEADDR/FEUADDR (§11.4.7.3-5) while FECTL.IM is
 * set, then request_irq() unmasks. -ENOMEM fails the unit, as in Linux;
 * a platform whose interrupts another subsystem owns (-EBUSY) or with no
 * vector left (-ENOSPC) leaves faults to intel_iommu_fault_poll().
 */
static int vtd_unit_irq_setup(struct vtd_unit *u)
{
	struct pci_subsys *sys = u->vtd->pci;
	struct pci_irq_msg msg;
	char name[16];
	int irq, rc;

	irq = pci_irq_alloc_hwirq(sys, &vtd_fault_irq_chip, u, &msg);
	if (irq == -ENOMEM)
		return irq;
	if (irq < 0) {
		pl_info("DMAR: unit %u: no fault interrupt (%d), faults are polled",
			u->idx, irq);
		return 0;
	}
	vtd_fault_irq_mask(u);
	vtd_wr32(u, VTD_FEDATA_REG, msg.data);
	vtd_wr32(u, VTD_FEADDR_REG, msg.address_lo);
	vtd_wr32(u, VTD_FEUADDR_REG, msg.address_hi);
	snprintf(name, sizeof(name), "dmar%u", u->idx);
	rc = request_irq(sys, (unsigned int)irq, vtd_fault_irq, name, u);
	if (rc < 0) {
		pci_irq_free_hwirq(sys, (unsigned int)irq);
		return rc;
	}
	u->irq = (unsigned int)irq;
	return 0;
}

static void vtd_unit_irq_teardown(struct vtd_unit *u)
{
	if (!u->irq)
		return;
	(void)free_irq(u->vtd->pci, u->irq, u);	/* masks FECTL */
	pci_irq_free_hwirq(u->vtd->pci, u->irq);
	u->irq = 0;
}

/* ------------------------------------------------------------ units */

/* What the driver needs of a unit (§11.4.2, §11.4.3). */
static int vtd_unit_check(struct vtd_unit *u)
{
	if (!(u->ecap & VTD_ECAP_SMTS)) {
		pl_err("DMAR: unit %u: no scalable-mode translation", u->idx);
		return -ENODEV;
	}
	if (!(u->ecap & VTD_ECAP_QI) || !(u->ecap & VTD_ECAP_SSTS)) {
		pl_err("DMAR: unit %u: no queued invalidation or second-stage translation",
		       u->idx);
		return -ENODEV;
	}
	if (u->cap & VTD_CAP_SAGAW_4LVL)
		u->levels = 4;
	else if (u->cap & VTD_CAP_SAGAW_3LVL)
		u->levels = 3;
	else {
		pl_err("DMAR: unit %u: no 3- or 4-level second-stage tables", u->idx);
		return -ENODEV;
	}
	u->fro = ((u->cap >> VTD_CAP_FRO_SHIFT) & 0x3ff) * 16;
	u->nr_fr = (unsigned int)((u->cap >> VTD_CAP_NFR_SHIFT) & 0xff) + 1;
	u->nr_dids = 1u << (4 + 2 * VTD_CAP_ND(u->cap));
	if (u->nr_dids > 65536)
		u->nr_dids = 65536;
	return 0;
}

/* Program the root table and the invalidation queue, flush every cache,
 * clear stale faults and turn translation on (§10 "Remapping hardware
 * initialization" order). */
static int vtd_unit_enable(struct vtd_unit *u)
{
	struct vtd *v = u->vtd;
	struct vtd_inv_desc d[3] = { { { 0 } } };
	int rc;

	/* Firmware may have left translation on: stop it first. */
	if (vtd_rd32(u, VTD_GSTS_REG) & VTD_GSTS_TES) {
		rc = vtd_gcmd(u, VTD_GCMD_TE, VTD_GSTS_TES, false);
		if (rc)
			return rc;
	}
	if (vtd_rd32(u, VTD_GSTS_REG) & VTD_GSTS_QIES) {
		rc = vtd_gcmd(u, VTD_GCMD_QIE, VTD_GSTS_QIES, false);
		if (rc)
			return rc;
	}
	/* Root table in scalable mode (§11.4.5), latched by SRTP. */
	vtd_wr64(u, VTD_RTADDR_REG, u->root | ((uint64_t)VTD_RTADDR_TTM_SM << VTD_RTADDR_TTM_SHIFT));
	rc = vtd_gcmd(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	if (rc)
		return rc;
	u->rt_set = true;
	/* Queue: one page of 256-bit descriptors (§11.4.9.3, QS 0). */
	vtd_wr64(u, VTD_IQT_REG, 0);
	u->iq_tail = 0;
	vtd_wr64(u, VTD_IQA_REG, u->iq | VTD_IQA_DW);
	rc = vtd_gcmd(u, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	if (rc)
		return rc;
	u->qi_on = true;
	d[0].qw[0] = VTD_INV_CC | ((uint64_t)VTD_INV_G_GLOBAL << VTD_INV_G_SHIFT);
	d[1].qw[0] = VTD_INV_PC | ((uint64_t)VTD_INV_PC_G_GLOBAL << VTD_INV_G_SHIFT);
	d[2].qw[0] = VTD_INV_IOTLB | ((uint64_t)VTD_INV_G_GLOBAL << VTD_INV_G_SHIFT);
	rc = vtd_qi_submit(u, d, 3);
	if (rc)
		return rc;
	/* Stale faults are reported and dropped before the interrupt is on. */
	(void)vtd_unit_faults(u, NULL, 0, 0, false);
	rc = vtd_unit_irq_setup(u);
	if (rc)
		return rc;
	rc = vtd_gcmd(u, VTD_GCMD_TE, VTD_GSTS_TES, true);
	if (rc)
		return rc;
	u->te_on = true;
	(void)v;
	return 0;
}

/* Translation off, queue off, every page back. */
static void vtd_unit_destroy(struct vtd_unit *u)
{
	struct vtd *v = u->vtd;
	unsigned int b, h;

	vtd_unit_irq_teardown(u);
	if (u->te_on)
		(void)vtd_gcmd(u, VTD_GCMD_TE, VTD_GSTS_TES, false);
	if (u->qi_on)
		(void)vtd_gcmd(u, VTD_GCMD_QIE, VTD_GSTS_QIES, false);
	if (u->rt_set) {
		/* Leave no pointer into pages we give back. */
		vtd_wr64(u, VTD_RTADDR_REG, 0);
		(void)vtd_gcmd(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	}
	if (!list_empty(&u->rids))
		pl_err("DMAR: unit %u: context entries left at teardown", u->idx);
	for (b = 0; b < 256; b++)
		for (h = 0; h < 2; h++)
			kpage_free(v->pool, u->ctx[b][h]);
	kpage_free(v->pool, u->root);
	kpage_free(v->pool, u->iq);
	kpage_free(v->pool, u->wait_pa);
	list_del(&u->node);
	free(u->did_map);
	free(u);
}

static int vtd_unit_create(struct vtd *v, unsigned int idx, const struct hw_iommu_info *info)
{
	struct vtd_unit *u = pl_zalloc(sizeof(*u));
	int rc;

	if (!u)
		return -ENOMEM;
	u->vtd = v;
	u->idx = idx;
	u->segment = info->segment;
	u->reg = info->base;
	INIT_LIST_HEAD(&u->rids);
	/* On the list now so vtd_destroy() undoes a partial setup. */
	list_add_tail(&u->node, &v->units);
	v->nr_units++;

	u->ver = vtd_rd32(u, VTD_VER_REG);
	u->cap = vtd_rd64(u, VTD_CAP_REG);
	u->ecap = vtd_rd64(u, VTD_ECAP_REG);
	rc = vtd_unit_check(u);
	if (rc)
		return rc;
	u->did_map = pl_calloc((u->nr_dids + 63) / 64, sizeof(uint64_t));
	if (!u->did_map)
		return -ENOMEM;
	u->did_map[0] |= BIT_ULL(0) | BIT_ULL(VTD_DID_IDENTITY);
	rc = kpage_alloc(v->pool, &u->root);
	if (!rc)
		rc = kpage_alloc(v->pool, &u->iq);
	if (!rc)
		rc = kpage_alloc(v->pool, &u->wait_pa);
	if (rc)
		return rc;
	rc = vtd_unit_enable(u);
	if (rc)
		return rc;
	pl_info("DMAR: unit %u at 0x%llx: ver %u.%u cap 0x%016llx ecap 0x%016llx", idx,
		(unsigned long long)u->reg, (u->ver >> VTD_VER_MAX_SHIFT) & 0xf, u->ver & 0xf,
		(unsigned long long)u->cap, (unsigned long long)u->ecap);
	return 0;
}

void vtd_destroy(struct vtd *v)
{
	if (!v)
		return;
	while (!list_empty(&v->units))
		vtd_unit_destroy(list_last_entry(&v->units, struct vtd_unit, node));
	kpage_pool_destroy(v->pool);
	free(v);
}

int vtd_create(struct pci_subsys *pci, struct vtd **out)
{
	struct hw_platform *hw = pci->hw;
	unsigned int i, n = hw_platform_nr_iommus(hw);
	struct hw_iommu_info info;
	struct vtd_unit *u;
	struct vtd *v;
	int rc;

	if (!n)
		return -ENODEV;
	v = pl_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->hw = hw;
	v->pci = pci;
	INIT_LIST_HEAD(&v->units);
	v->pool = kpage_pool_create(hw, 0, 0);
	if (IS_ERR(v->pool)) {
		rc = (int)PTR_ERR(v->pool);
		v->pool = NULL;
		goto err_destroy;
	}
	for (i = 0; i < n; i++) {
		rc = hw_platform_iommu_info(hw, i, &info);
		if (rc)
			goto err_destroy;
		if (info.type != HW_IOMMU_VTD)
			continue;
		rc = vtd_unit_create(v, i, &info);
		if (rc)
			goto err_destroy;
	}
	if (!v->nr_units) {
		rc = -ENODEV;
		goto err_destroy;
	}
	/* Domains may span units: use what every unit supports. */
	v->levels = 4;
	v->pgsizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	list_for_each_entry(u, &v->units, node) {
		if (u->levels < v->levels)
			v->levels = u->levels;
		if (!(u->cap & VTD_CAP_SSLPS_2M))
			v->pgsizes &= ~(1ull << 21);
		if (!(u->cap & VTD_CAP_SSLPS_1G))
			v->pgsizes &= ~(1ull << 30);
	}
	*out = v;
	return 0;

err_destroy:
	vtd_destroy(v);
	return rc;
}

struct vtd_unit *vtd_unit_for_segment(struct vtd *v, uint16_t segment)
{
	struct vtd_unit *u;

	/* Every unit is INCLUDE_PCI_ALL for its segment (fabric.h). */
	list_for_each_entry(u, &v->units, node)
		if (u->segment == segment)
			return u;
	return NULL;
}
