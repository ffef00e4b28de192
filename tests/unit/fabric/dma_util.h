/* SPDX-License-Identifier: MIT */
/*
 * The machine and the VT-d driver the DMA tests share (test_dma.c,
 * test_dma_batch.c): a platform with DMA test devices behind a root port,
 * a PCIe-to-PCI bridge and a conventional bridge, and a driver that
 * programs the VT-d unit as a kernel does (config requests, MMIO at the
 * address firmware reports, tables in RAM). The fabric tests
 * (fabric_util.h) reuse its machine helpers. Failures fail the test.
 */
#ifndef PCILAB_TESTS_FABRIC_DMA_UTIL_H
#define PCILAB_TESTS_FABRIC_DMA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "desc_util.h"
#include "hw/fabric/fabric.h"
#include "hw/pcidev/pcidev.h"

#ifndef PCI_DEVFN
#define PCI_DEVFN(dev, fn)	((uint8_t)((dev) << 3 | (fn)))
#endif

#define MMIO_BASE	0x80000000ull
#define MMIO_SIZE	0x10000000ull
#define RAM		(256ull << 20)
#define DID		1u

/* Topology of std_desc() once set_buses() ran. */
#define RP		PCI_DEVFN(0x1c, 0)	/* -> bus 1: dma0 (PASID cap) */
#define RP2		PCI_DEVFN(0x1d, 0)	/* -> bus 2: PCIe-to-PCI bridge */
#define ROOTPCI		PCI_DEVFN(0x1e, 0)	/* conventional bridge -> bus 5 */
#define RID_DMA0	0x0100u
#define RID_P2P_ALIAS	0x0300u			/* bus 3, devfn 0 */
#define RID_ROOTPCI	0x00f0u			/* 00:1e.0 */

struct drv {
	struct hw_platform *p;
	uint64_t reg;		/* register window, from firmware's info */
	uint64_t fro;		/* fault recording registers, from CAP */
	uint64_t next;		/* page allocator in RAM */
	uint64_t rt, iq, status, pasid_dir;
	unsigned int iqt;
	uint32_t seq;
};

/* ---- the machine */

struct hw_desc_platform *std_desc(void);
struct hw_platform *create(struct hw_desc_platform *d);
uint32_t rd(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t reg,
	    unsigned int len);
void wr(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t reg,
	unsigned int len, uint32_t val);
void set_buses(struct hw_platform *p, uint8_t bus, uint8_t devfn,
	       uint8_t pri, uint8_t sec, uint8_t sub);
void command(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint16_t set,
	     uint16_t clear);
void master(struct hw_platform *p, uint8_t bus, uint8_t devfn, bool on);
/* Number the buses and turn on Bus Master Enable everywhere. */
struct hw_platform *std_up(struct hw_desc_platform **dp);
struct hw_pcidev *fn(struct hw_platform *p, uint8_t bus, uint8_t devfn);
void ram_wr(struct hw_platform *p, uint64_t pa, const void *buf, size_t len);
void ram_rd(struct hw_platform *p, uint64_t pa, void *buf, size_t len);
void pattern(uint8_t *buf, size_t len, unsigned int seed);

/* ---- a VT-d driver, in short */

uint32_t rd32(struct drv *v, uint64_t off);
uint64_t rd64(struct drv *v, uint64_t off);
void wr32(struct drv *v, uint64_t off, uint32_t x);
void wr64(struct drv *v, uint64_t off, uint64_t x);
uint64_t ld(struct drv *v, uint64_t pa);
void st(struct drv *v, uint64_t pa, uint64_t x);
uint64_t alloc_page(struct drv *v);
void gcmd(struct drv *v, uint32_t cmd, uint32_t sts_bit, bool set);
void qi_push(struct drv *v, uint64_t q0, uint64_t q1);
void qi_sync(struct drv *v);
void inv_all(struct drv *v);
/* Find the unit through firmware's description, program root table and
 * invalidation queue; translation stays off until drv_enable(). */
void drv_init(struct drv *v, struct hw_platform *p);
void drv_enable(struct drv *v);
uint64_t get_table(struct drv *v, uint64_t ent_pa, uint64_t flags);
/* Scalable-mode context entry: PASID directory shared by every device. */
void set_context(struct drv *v, uint16_t rid);
/* PASID entry: second-stage translation with 4-level table ss. */
void set_pasid_ss(struct drv *v, uint32_t pasid, uint64_t ss, uint16_t did);
/* Map one 4K or 2M page read/write. */
void ss_map(struct drv *v, uint64_t root, uint64_t iova, uint64_t pa, uint64_t sz);
/* Address of the 4K leaf entry for iova in an existing 4-level table. */
uint64_t ss_leaf(struct drv *v, uint64_t root, uint64_t iova);
/* Take the most recent fault record: reason, SID, address, read? */
unsigned int take_fault(struct drv *v, uint16_t *sid, uint64_t *addr, bool *read);
void no_fault(struct drv *v);
/* IOTLB hits + misses so far: one per translated page. */
uint64_t translations(struct hw_platform *p);

#endif /* PCILAB_TESTS_FABRIC_DMA_UTIL_H */
