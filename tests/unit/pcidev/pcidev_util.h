/* SPDX-License-Identifier: MIT */
/* Shared helpers for the hw/pcidev unit tests. */
#ifndef PCILAB_TESTS_PCIDEV_UTIL_H
#define PCILAB_TESTS_PCIDEV_UTIL_H

#include "test.h"
#include "hw/pcidev/pcidev.h"
#include "hw/pcidev/caps.h"

/* A minimal device model: counts the hooks the engine calls. */
struct tdev {
	struct hw_pcidev dev;
	unsigned int resets[3];		/* per hw_reset_kind */
	unsigned int cfg_writes;
	uint16_t last_off;
	uint32_t last_val, last_old;
};

extern unsigned int tdev_freed;
extern const struct hw_pcidev_ops tdev_ops;

/* Returns the device or ERR_PTR; allocation goes through pl_zalloc. */
struct hw_pcidev *_tdev_new(uint8_t hdr_type);
struct hw_pcidev *tdev_new(uint8_t hdr_type);

/* A function with a PCI Express capability: an endpoint (FLR as asked) or a
 * port of type t (with a hot-plug slot if slot). */
struct hw_pcidev *ep_with_pcie(bool flr);
struct hw_pcidev *port_with_pcie(enum hw_pcie_port_type t, bool slot);

/* A 32-bit memory request the function claims (asserted). */
uint32_t mmio_rd(struct hw_pcidev *dev, uint64_t addr);
void mmio_wr(struct hw_pcidev *dev, uint64_t addr, uint32_t v);

static inline struct tdev *to_tdev(struct hw_pcidev *dev)
{
	return container_of(dev, struct tdev, dev);
}

static inline uint32_t cfgr(struct hw_pcidev *dev, uint16_t off, unsigned int len)
{
	return hw_pcidev_cfg_read(dev, off, len);
}

static inline void cfgw(struct hw_pcidev *dev, uint16_t off, uint32_t val, unsigned int len)
{
	hw_pcidev_cfg_write(dev, off, val, len);
}

/* Value a register reads back after software writes all ones: its RW bits
 * plus the RO bits, minus RW1C bits that were set. */
static inline uint32_t cfg_write_ones(struct hw_pcidev *dev, uint16_t off, unsigned int len)
{
	cfgw(dev, off, len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1, len);
	return cfgr(dev, off, len);
}

#endif /* PCILAB_TESTS_PCIDEV_UTIL_H */
