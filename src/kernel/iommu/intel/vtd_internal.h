/* SPDX-License-Identifier: MIT */
/*
 * Internals of the VT-d driver (intel_iommu.h): one struct vtd per IOMMU
 * subsystem (isys->priv), one struct vtd_unit per DMA remapping unit.
 *
 * Memory structures the driver keeps in RAM, per unit (VT-d §3.4.3, ch. 9):
 *   root table (1 page) -> per bus, lower/upper scalable-mode context
 *   tables (devfn 0-127 / 128-255) -> per requester ID a PASID directory
 *   (1 page, 128 entries: PDTS 0) -> its first PASID table (PASIDs 0-63),
 *   whose entry 0 (RID_PASID) holds the device's translation.
 * Page tables of paging domains are shared by every unit they serve.
 */
#ifndef PCILAB_KERNEL_IOMMU_INTEL_VTD_INTERNAL_H
#define PCILAB_KERNEL_IOMMU_INTEL_VTD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/list.h"
#include "hw/iommu/vtd_regs.h"
#include "kernel/iommu/intel/intel_iommu.h"
#include "kernel/mm/page_alloc.h"

struct hw_platform;
struct pci_subsys;

#define VTD_PAGE		4096ull
#define VTD_IQ_SIZE		VTD_PAGE		/* QS 0: one page */
#define VTD_DESC_SIZE		32u			/* 256-bit descriptors (DW) */
#define VTD_RID_PASID		0u			/* PASID of requests without one */
#define VTD_DID_IDENTITY	1u			/* DID 0 is reserved (§9.6 CM) */
#define VTD_DID_FIRST		2u
#define VTD_SPINS		1000u			/* polls before -ETIMEDOUT */
#define VTD_MAX_ALIASES		8u
#define VTD_FAULT_LOG		64u			/* faults the IRQ keeps for polling */

/* A requester ID the unit has a context entry for. */
struct vtd_rid {
	struct list_head node;		/* in unit->rids */
	uint16_t rid;
	unsigned int refs;		/* devices whose requests carry it */
	uint64_t pasid_dir, pasid_tbl;	/* pages */
};

struct vtd_unit {
	struct list_head node;		/* in vtd->units */
	struct vtd *vtd;
	unsigned int idx;		/* DRHD index */
	uint16_t segment;
	uint64_t reg;			/* register window */
	uint32_t ver;
	uint64_t cap, ecap;
	uint64_t fro;			/* fault recording registers, offset */
	unsigned int nr_fr;
	unsigned int levels;		/* second-stage levels: 4 or 3 */
	unsigned int nr_dids;
	uint64_t *did_map;		/* bit set: DID in use */
	uint64_t root;			/* root table page */
	uint64_t ctx[256][2];		/* context tables per bus, lower/upper */
	uint64_t iq;			/* invalidation queue page */
	unsigned int iq_tail;		/* bytes */
	uint64_t wait_pa;		/* wait descriptor status address */
	uint32_t wait_seq;
	struct list_head rids;		/* struct vtd_rid */
	bool qi_on, te_on, rt_set;
	/* Fault event interrupt (§7.3, §11.4.7.2-5): IRQ number in
	 * vtd->pci, 0 while faults are only polled. */
	unsigned int irq;
	unsigned long nr_fault_irqs;
};

struct vtd {
	struct hw_platform *hw;
	struct pci_subsys *pci;		/* its interrupts; not owned */
	struct kpage_pool *pool;
	struct list_head units;		/* struct vtd_unit, DRHD order */
	unsigned int nr_units;
	unsigned int levels;		/* common to every unit */
	uint64_t pgsizes;		/* common second-stage page sizes */
	/* Faults the interrupt handler serviced, oldest first, for
	 * intel_iommu_fault_poll(); a ring of VTD_FAULT_LOG. */
	struct intel_iommu_fault flog[VTD_FAULT_LOG];
	unsigned int flog_head, flog_n;
	unsigned long flog_lost;
};

/* A paging domain's DID on one unit. */
struct vtd_domain_unit {
	struct list_head node;		/* in dom->units */
	struct vtd_unit *unit;
	uint16_t did;
	unsigned int refs;		/* devices of that unit attached */
};

struct vtd_domain {
	struct iommu_domain domain;
	struct vtd *vtd;
	uint64_t pgd;			/* top-level second-stage table */
	unsigned int levels;
	struct list_head units;		/* struct vtd_domain_unit */
	unsigned int nr_devs;
	bool nest_parent;		/* IOMMU_PAGING_F_NEST_PARENT */
	struct list_head nested;	/* struct vtd_nested on this parent */
};

/*
 * A nested domain (nested.c): the user's first-stage table, whose address
 * and every table it points to are GPAs the unit translates through the
 * parent's second stage (PGTT=011b, VT-d §3.8). It has a DID of its own on
 * each unit (Linux does the same): cached nested translations are tagged
 * with it, so two nested domains over one parent never share IOTLB
 * entries, and the parent's unmaps flush these DIDs as well.
 */
struct vtd_nested {
	struct iommu_domain domain;
	struct vtd_domain *parent;
	struct list_head parent_node;	/* in parent->nested */
	uint64_t fsptr;			/* first-stage table, a GPA */
	uint64_t flags;			/* IOMMU_VTD_S1_* */
	unsigned int addr_width;	/* 48 (4-level) or 57 (5-level) */
	struct list_head units;		/* struct vtd_domain_unit: its DIDs */
	unsigned int nr_devs;
};

struct vtd_dev {
	struct vtd_unit *unit;
	struct vtd_rid *rids[VTD_MAX_ALIASES];
	unsigned int nr_rids;
	struct iommu_domain *domain;	/* attached now (NULL: none yet) */
	uint16_t did;			/* DID its PASID entries carry */
};

/* ---- dmar.c: registers, unit bring-up, invalidation queue, faults */
uint32_t vtd_rd32(struct vtd_unit *u, uint64_t off);
uint64_t vtd_rd64(struct vtd_unit *u, uint64_t off);
void vtd_wr32(struct vtd_unit *u, uint64_t off, uint32_t val);
void vtd_wr64(struct vtd_unit *u, uint64_t off, uint64_t val);
uint64_t vtd_ld(struct vtd *v, uint64_t pa);
void vtd_st(struct vtd *v, uint64_t pa, uint64_t val);

int vtd_create(struct pci_subsys *pci, struct vtd **out);
void vtd_destroy(struct vtd *v);
struct vtd_unit *vtd_unit_for_segment(struct vtd *v, uint16_t segment);

/* Queue n descriptors and a wait descriptor; returns once the unit wrote
 * the wait status (0), or -ETIMEDOUT / -EIO (queue error). */
int vtd_qi_submit(struct vtd_unit *u, const struct vtd_inv_desc *d, unsigned int n);
int vtd_flush_context_dev(struct vtd_unit *u, uint16_t sid, uint16_t did);
/* A PASID entry of PGTT pgtt with DID did changed: PASID cache, then the
 * IOTLB (domain-selective for second-stage and pass-through, PASID-based
 * for first-stage and nested, §6.5.3.3). */
int vtd_flush_pasid(struct vtd_unit *u, uint16_t did, uint32_t pasid, unsigned int pgtt);
int vtd_flush_iotlb_domain(struct vtd_unit *u, uint16_t did);
int vtd_flush_iotlb_range(struct vtd_unit *u, uint16_t did, uint64_t iova, uint64_t size);
/* PASID-based IOTLB invalidation (§6.5.2.4) of npages 4 KiB pages at addr
 * for (did, pasid): page-selective over the aligned 2^AM block covering
 * them, PASID-selective when npages is UINT64_MAX or the block is larger
 * than CAP.MAMV allows. ih: only leaves changed (paging-structure caches
 * may be kept). */
int vtd_flush_piotlb(struct vtd_unit *u, uint16_t did, uint32_t pasid, uint64_t addr,
		     uint64_t npages, bool ih);

int vtd_did_alloc(struct vtd_unit *u, uint16_t *did);
void vtd_did_free(struct vtd_unit *u, uint16_t did);

/* ---- intel_iommu.c: shared with nested.c */
/* d's vtd_domain when d is a VT-d paging domain, else NULL. */
struct vtd_domain *vtd_paging_domain(struct iommu_domain *d);
int vtd_domain_unit_get(struct list_head *units, struct vtd_unit *u,
			struct vtd_domain_unit **out);
void vtd_domain_unit_put(struct list_head *units, struct vtd_unit *u);
/* attach_dev of every domain type: validate, then rewrite the RID_PASID
 * entry of each of dev's RIDs. */
int vtd_attach_dev(struct iommu_domain *d, struct iommu_dev *dev);

/* ---- nested.c: nested domains (VT-d §3.8, §9.6 PGTT=011b) */
struct iommu_domain *vtd_domain_alloc_nested(struct iommu_dev *dev, struct iommu_domain *parent,
					     uint32_t flags,
					     const struct iommu_user_data *user_data);
struct vtd_nested *vtd_nested_domain(struct iommu_domain *d);
/* PASID entry qwords 0 and 2 putting nd on unit u; -EINVAL/-ENODEV when u
 * cannot run it. Nothing is written. */
int vtd_nested_pasid_entry(struct vtd_nested *nd, struct vtd_unit *u, uint64_t *pe0,
			   uint64_t *pe2);
/* The parent's second stage changed at [iova, iova + size): flush the
 * combined translations every nested domain on it cached (§6.5.2.3). */
void vtd_nested_flush_parent(struct vtd_domain *parent, uint64_t iova, uint64_t size);

/* ---- pgtable.c: second-stage tables in RAM (VT-d §9.8) */
/* *freed: empty tables were replaced by the leaf (flush before reuse). */
int vtd_pt_map(struct vtd_domain *dom, uint64_t iova, uint64_t pa, uint64_t pgsize,
	       int prot, bool *freed);
uint64_t vtd_pt_unmap(struct vtd_domain *dom, uint64_t iova);
uint64_t vtd_pt_lookup(struct vtd_domain *dom, uint64_t iova, bool *found);
void vtd_pt_free(struct vtd *v, uint64_t table, unsigned int level);

#endif /* PCILAB_KERNEL_IOMMU_INTEL_VTD_INTERNAL_H */
