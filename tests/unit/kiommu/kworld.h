/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the kernel/iommu tests (kiommu, vtddrv, vtdnest): a
 * simulated platform (built with tests/unit/kernel/kdesc.h or the default
 * one), enumerated by kernel/pci and grouped by kernel/iommu with the mock
 * driver or, with .ops set, a real one such as the Intel VT-d driver.
 */
#ifndef PCILAB_TESTS_KIOMMU_KWORLD_H
#define PCILAB_TESTS_KIOMMU_KWORLD_H

#include "test.h"
#include "kernel/kdesc.h"
#include "hw/fabric/fabric.h"
#include "kernel/pci/pci.h"
#include "kernel/iommu/iommu.h"
#include "kernel/iommu/mock.h"

struct kworld {
	struct hw_desc_platform *desc;	/* kd_* built: kd_free; default: hw_desc_free */
	bool desc_default;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct iommu_subsys *isys;
	const struct iommu_ops *ops;	/* driver for kw_up(); NULL: the mock */
};

/* Error-level log lines since kw_log_capture(): how many, and the last.
 * kw_down() stops the capture. */
extern char kw_last_err[512];
extern unsigned int kw_nr_errs;
void kw_log_capture(void);

/* Host bridge with generous apertures, bus 0..255. */
struct hw_desc_host_bridge *kw_host(struct hw_desc_platform *p);
/* Bridge-like node with an ACS capability advertising caps (0: none). */
struct hw_desc_func *kw_func(struct list_head *list, enum hw_desc_kind kind, uint8_t dev,
			     uint8_t fn, uint16_t acs_caps);
/* Instantiate, enumerate and group; asserts success. */
void kw_up(struct kworld *w);
void kw_up_default(struct kworld *w);
/* Instantiate and enumerate only. */
void kw_hw_pci(struct kworld *w);
void kw_down(struct kworld *w);

struct pci_dev *kw_pci(struct kworld *w, unsigned int bus, unsigned int dev, unsigned int fn);
struct iommu_dev *kw_dev(struct kworld *w, unsigned int bus, unsigned int dev, unsigned int fn);
struct iommu_group *kw_group(struct kworld *w, unsigned int bus, unsigned int dev,
			     unsigned int fn);
/* First function with this vendor:device. */
struct pci_dev *kw_find(struct kworld *w, uint16_t vendor, uint16_t device);
struct iommu_group *kw_group_of(struct kworld *w, const struct pci_dev *pdev);
/* Registers of the platform's first IOMMU unit, read by MMIO. */
uint32_t kw_reg32(struct kworld *w, uint64_t off);
uint64_t kw_reg64(struct kworld *w, uint64_t off);

#endif /* PCILAB_TESTS_KIOMMU_KWORLD_H */
