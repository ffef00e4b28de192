/* SPDX-License-Identifier: MIT */
/*
 * The Intel VT-d driver (Linux's drivers/iommu/intel/ in function): runs
 * the platform's DMA remapping units in scalable mode, touching them only
 * through fabric.h: MMIO to the register window firmware reports
 * (hw_platform_iommu_info(), the DMAR/DRHD analogue) and RAM where it
 * builds root, context, PASID and second-stage page tables and the
 * invalidation queue. docs/vtd-driver.md describes the choices.
 *
 *   iommu_subsys_create(pci, &intel_iommu_ops)
 *
 * fails with -ENODEV when the platform has no VT-d unit or a unit lacks
 * what the driver needs (scalable mode, queued invalidation, second-stage
 * translation, 3- or 4-level tables).
 */
#ifndef PCILAB_KERNEL_IOMMU_INTEL_IOMMU_H
#define PCILAB_KERNEL_IOMMU_INTEL_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/iommu/iommu.h"

extern const struct iommu_ops intel_iommu_ops;

/* One recorded DMA remapping fault, as read from a fault recording
 * register (VT-d §7.2.1, §11.4.7.6). */
struct intel_iommu_fault {
	unsigned int unit;	/* DRHD index */
	uint16_t segment;
	uint16_t sid;		/* requester ID the unit saw */
	bool read;		/* T1: read (else write) */
	bool has_pasid;
	uint32_t pasid;
	uint64_t addr;		/* faulting page address */
	uint8_t reason;		/* Appendix A fault reason */
};

/*
 * Faults serviced since the last call. Each unit's fault event interrupt
 * (when the driver got a vector: intel_iommu_fault_irq()) reads every
 * pending record as it is recorded, logs it in Linux's words ("DMAR: [DMA
 * Read NO_PASID] Request device [bb:dd.f] fault addr 0x... [fault reason
 * 0x..] ..."), clears it and overflow, and keeps it (the last 64); this
 * returns those first, then services whatever the hardware still holds
 * the same way (all of it on a unit without interrupt). Copies up to max
 * records into out (may be NULL) and returns how many were serviced in all.
 */
unsigned int intel_iommu_fault_poll(struct iommu_subsys *isys, struct intel_iommu_fault *out,
				    unsigned int max);

/* IRQ number (in the PCI subsystem's namespace, kernel/pci/msi.h) of unit
 * idx's fault event interrupt; 0 when its faults are only polled. */
unsigned int intel_iommu_fault_irq(struct iommu_subsys *isys, unsigned int unit);

/* Text for a scalable-mode fault reason (Appendix A). */
const char *intel_iommu_fault_reason_str(uint8_t reason);

/* For tests and `pcilab demo`: units driven, page-table pages in use,
 * the DID a paging or nested domain carries on unit idx (0: not attached there),
 * and the physical address of its top-level table. */
unsigned int intel_iommu_nr_units(struct iommu_subsys *isys);
uint64_t intel_iommu_pages_in_use(struct iommu_subsys *isys);
uint16_t intel_iommu_domain_did(struct iommu_domain *d, unsigned int unit);
uint64_t intel_iommu_domain_pgd(struct iommu_domain *d);

#endif /* PCILAB_KERNEL_IOMMU_INTEL_IOMMU_H */
