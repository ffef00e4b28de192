/* SPDX-License-Identifier: MIT */
/*
 * The machine the fabric tests share (test_fabric_config.c,
 * test_fabric_mem.c): a host bridge with every window, a root port with an
 * endpoint behind it, and capability walks through config reads. The
 * config request helpers (create, rd, wr, set_buses) and MMIO_BASE,
 * MMIO_SIZE and RP come from dma_util.h. Failures fail the test.
 */
#ifndef PCILAB_TESTS_FABRIC_FABRIC_UTIL_H
#define PCILAB_TESTS_FABRIC_FABRIC_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "desc_util.h"
#include "dma_util.h"
#include "hw/fabric/fabric.h"

#define PREF_BASE	0x400000000ull
#define PREF_SIZE	0x100000000ull
#define IO_BASE		0x1000u
#define IO_SIZE		0xf000u

/* Host bridge 0000:00-ff with memory, prefetchable memory and I/O windows. */
struct hw_desc_host_bridge *hb0(struct hw_desc_platform *d);
/* Capability offset found by walking the list through config reads. */
uint16_t cap_off(struct hw_platform *p, uint8_t bus, uint8_t devfn, uint8_t id);
/* Device/Port Type of the PCI Express capability, which must exist. */
unsigned int pcie_type(struct hw_platform *p, uint8_t bus, uint8_t devfn);
bool present(struct hw_platform *p, uint8_t bus, uint8_t devfn);
/* Root port RP (00:1c.0) with an endpoint (BAR0 mem32 4K, BAR2 mem64 pref
 * 1M, BAR4 I/O 32 bytes) behind it. */
struct hw_desc_platform *rp_ep_desc(struct hw_desc_func **rp_out,
				    struct hw_desc_func **ep_out);

#endif /* PCILAB_TESTS_FABRIC_FABRIC_UTIL_H */
