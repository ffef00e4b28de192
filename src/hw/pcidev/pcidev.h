/* SPDX-License-Identifier: MIT */
/*
 * hw/pcidev: the configuration-space engine of one PCI function.
 *
 * Every function has a 4 KiB register file (PCIe r6.2 §7.2.2: 256 bytes of
 * PCI-compatible space plus the extended space) and, per byte, the access
 * semantics of each bit (PCIe r6.2 §7.4 "Configuration Register Types"):
 *
 *   RO, HwInit, RsvdP  - neither wmask nor w1cmask set: writes are ignored.
 *                        HwInit values are set by the model's builder before
 *                        hw_pcidev_realize(); RsvdP bits read as 0.
 *   RW                 - wmask bit set: the written value is stored.
 *   RW1C               - w1cmask bit set: writing 1 clears, writing 0 has no
 *                        effect.
 *   sticky (…S)        - sticky bit set in addition: the bit keeps its value
 *                        across a Conventional/FLR reset (hw_pcidev_reset())
 *                        (PCIe r6.2 §7.4, "Sticky").
 *
 * BAR sizing (PCI Local Bus r3.0 §6.2.5.1) falls out of the masks: the
 * writable bits of a BAR are exactly the address bits above its size, so
 * writing all-ones reads back the size mask.
 *
 * Device models embed struct hw_pcidev and are reached from it with
 * container_of(). The engine only knows registers; anything with side
 * effects (MSI-X tables, DOE mailboxes, FLR, bridge windows) is done by
 * per-capability handlers or the device model's ops.
 *
 * The kernel side never includes this header: it reaches functions only
 * through the fabric (hw/fabric/fabric.h) with config and memory requests.
 */
#ifndef PCILAB_HW_PCIDEV_H
#define PCILAB_HW_PCIDEV_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <linux/pci_regs.h>

#include "base/compiler.h"
#include "base/list.h"

#define HW_PCI_CFG_SIZE		4096
#define HW_PCI_CFG_STD_SIZE	256
#define HW_PCI_NUM_BARS		6	/* type 0; type 1 has 2 */
#define HW_PCI_ROM_SLOT		6	/* index of the expansion ROM in bars[] */

struct hw_pcidev;
struct hw_fabric_bus;

enum hw_bar_kind {
	HW_BAR_NONE = 0,
	HW_BAR_IO,		/* I/O space BAR, bit 0 = 1 */
	HW_BAR_MEM32,		/* 32-bit memory BAR */
	HW_BAR_MEM64,		/* 64-bit memory BAR, consumes two BAR slots */
	HW_BAR_ROM,		/* expansion ROM (slot HW_PCI_ROM_SLOT only) */
};

/* Access to a range of a BAR, for MMIO regions with side effects. */
struct hw_bar_region_ops {
	/* buf is little-endian, len is 1, 2, 4 or 8 and off is aligned to len. */
	void (*read)(void *opaque, uint64_t off, void *buf, unsigned int len);
	void (*write)(void *opaque, uint64_t off, const void *buf, unsigned int len);
};

struct hw_bar_region {
	struct list_head node;		/* in hw_bar.regions */
	uint64_t off, len;
	const struct hw_bar_region_ops *ops;
	void *opaque;
};

struct hw_bar {
	enum hw_bar_kind kind;
	bool prefetchable;
	uint64_t size;			/* power of two; 0 when kind == NONE */
	uint8_t *backing;		/* default MMIO backing store (size bytes),
					 * allocated at realize for memory BARs up
					 * to HW_BAR_BACKING_MAX; NULL otherwise */
	struct list_head regions;	/* struct hw_bar_region, non-overlapping */
};

#define HW_BAR_BACKING_MAX	(16u << 20)

/*
 * A capability whose registers have side effects registers a handler for its
 * config-space byte range. The engine applies the mask semantics first (so the
 * register file holds the new value), then calls write(); read() may refresh
 * the register file before the engine returns the value.
 */
struct hw_pcicap_ops {
	void (*read)(struct hw_pcidev *dev, void *opaque, uint16_t off, unsigned int len);
	void (*write)(struct hw_pcidev *dev, void *opaque, uint16_t off,
		      uint32_t val, uint32_t old, unsigned int len);
	/* Called on every reset, after the register file is restored. */
	void (*reset)(struct hw_pcidev *dev, void *opaque);
	/* Frees opaque; called once from hw_pcidev_destroy(). */
	void (*release)(void *opaque);
};

struct hw_pcicap {
	struct list_head node;		/* in hw_pcidev.caps */
	uint16_t id;			/* PCI_CAP_ID_* or PCI_EXT_CAP_ID_* */
	bool ext;			/* in extended config space */
	uint16_t off, len;		/* byte range in config space */
	const struct hw_pcicap_ops *ops;/* may be NULL: plain registers */
	void *opaque;
};

enum hw_reset_kind {
	HW_RESET_COLD,		/* power-on: sticky bits reset too */
	HW_RESET_WARM,		/* conventional (hot) reset: sticky bits kept */
	HW_RESET_FLR,		/* Function Level Reset, PCIe r6.2 §6.6.2 */
};

/* Device-model hooks. All optional. */
struct hw_pcidev_ops {
	const char *name;
	/* After any config write has been applied to the register file. */
	void (*cfg_write)(struct hw_pcidev *dev, uint16_t off, uint32_t val,
			  uint32_t old, unsigned int len);
	/* Memory or I/O access that hit one of the BARs, outside any region. */
	void (*bar_read)(struct hw_pcidev *dev, int bar, uint64_t off, void *buf,
			 unsigned int len);
	void (*bar_write)(struct hw_pcidev *dev, int bar, uint64_t off,
			  const void *buf, unsigned int len);
	void (*reset)(struct hw_pcidev *dev, enum hw_reset_kind kind);
	/* Frees the containing model object; the engine state is already gone. */
	void (*free)(struct hw_pcidev *dev);
};

struct hw_pcidev {
	uint8_t cfg[HW_PCI_CFG_SIZE];		/* current register values */
	uint8_t wmask[HW_PCI_CFG_SIZE];		/* RW bits */
	uint8_t w1cmask[HW_PCI_CFG_SIZE];	/* RW1C bits */
	uint8_t sticky[HW_PCI_CFG_SIZE];	/* bits preserved by warm reset/FLR */
	uint8_t reset_val[HW_PCI_CFG_SIZE];	/* snapshot taken at realize */
	uint8_t flr_keep[HW_PCI_CFG_SIZE];	/* non-sticky bits an FLR must not
						 * modify (PCIe r6.2 §6.6.2) */

	uint8_t hdr_type;			/* PCI_HEADER_TYPE_NORMAL/BRIDGE */
	bool realized;
	bool pcie;				/* has a PCI Express capability */
	uint8_t devfn;				/* position on its bus */
	struct hw_fabric_bus *bus;		/* bus it sits on, set by fabric */
	struct hw_fabric_bus *secondary;	/* type 1: the bus behind the bridge */
	struct hw_pcidev *pf;			/* SR-IOV: the PF of a VF */

	struct hw_bar bars[HW_PCI_NUM_BARS + 1];/* + expansion ROM */

	/* Capability list builders: next free offsets in each space. */
	uint16_t std_next, ext_next;
	uint16_t std_last, ext_last;		/* last cap in each chain (0: none) */
	struct list_head caps;			/* struct hw_pcicap */

	const struct hw_pcidev_ops *ops;
	char name[64];				/* for messages, e.g. "nvme0" */
};

/*
 * Life cycle: hw_pcidev_init() → set IDs, BARs, capabilities →
 * hw_pcidev_realize() (snapshots reset values, allocates BAR backing) → the
 * fabric attaches it → hw_pcidev_destroy().
 */
int hw_pcidev_init(struct hw_pcidev *dev, uint8_t hdr_type,
		   const struct hw_pcidev_ops *ops, const char *name);
int hw_pcidev_realize(struct hw_pcidev *dev);
/* Frees engine-owned memory and calls ops->free (if any). */
void hw_pcidev_destroy(struct hw_pcidev *dev);

void hw_pcidev_set_ids(struct hw_pcidev *dev, uint16_t vendor, uint16_t device,
		       uint32_t class_code /* 24 bits */, uint8_t revision);
void hw_pcidev_set_subsystem(struct hw_pcidev *dev, uint16_t svid, uint16_t ssid);
void hw_pcidev_set_multifunction(struct hw_pcidev *dev, bool mf);
/* pin: 0 none, 1..4 = INTA..INTD */
void hw_pcidev_set_intx_pin(struct hw_pcidev *dev, uint8_t pin);
/* -EINVAL: size not a power of two, too small for the kind, slot taken or
 * out of range (type 1: 0..1), 64-bit BAR in the last slot. */
int hw_pcidev_set_bar(struct hw_pcidev *dev, int idx, enum hw_bar_kind kind,
		      bool prefetchable, uint64_t size);
/* Attach a side-effect region inside a BAR; -EINVAL if it overlaps another
 * or leaves the BAR; -ENOMEM. */
int hw_pcidev_add_bar_region(struct hw_pcidev *dev, int bar, uint64_t off,
			     uint64_t len, const struct hw_bar_region_ops *ops,
			     void *opaque);

/*
 * Allocate a capability and link it at the end of its chain. Standard caps
 * live in 0x40..0xff (DWORD aligned), extended caps in 0x100..0xfff. The
 * header (ID + next pointer, or ID + version + next) is written; the caller
 * fills the body with hw_pcidev_set_reg*() and the masks. Returns the offset
 * or -ENOSPC when the space is full, -EEXIST for a second instance of a cap
 * that may exist only once, -ENOMEM.
 */
int hw_pcidev_add_cap(struct hw_pcidev *dev, uint8_t id, uint16_t len,
		      const struct hw_pcicap_ops *ops, void *opaque);
int hw_pcidev_add_ext_cap(struct hw_pcidev *dev, uint16_t id, uint8_t ver,
			  uint16_t len, const struct hw_pcicap_ops *ops, void *opaque);
/* Remove a region added with hw_pcidev_add_bar_region() (builders unwinding
 * a failed setup). */
void hw_pcidev_del_bar_region(struct hw_pcidev *dev, int bar, uint64_t off);
/* The n-th (from 0) capability with this ID that a builder added, or NULL:
 * how handlers and device models reach a capability's opaque state. */
struct hw_pcicap *hw_pcidev_get_pcicap(const struct hw_pcidev *dev, bool ext,
				       uint16_t id, unsigned int n);

/* First capability with this ID (offset), or 0. */
uint16_t hw_pcidev_find_cap(const struct hw_pcidev *dev, uint8_t id);
uint16_t hw_pcidev_find_ext_cap(const struct hw_pcidev *dev, uint16_t id);

/* Builder-side register access: sets value (and masks) with no side effects. */
void hw_pcidev_set8(struct hw_pcidev *dev, uint16_t off, uint8_t val);
void hw_pcidev_set16(struct hw_pcidev *dev, uint16_t off, uint16_t val);
void hw_pcidev_set32(struct hw_pcidev *dev, uint16_t off, uint32_t val);
void hw_pcidev_set_wmask16(struct hw_pcidev *dev, uint16_t off, uint16_t mask);
void hw_pcidev_set_wmask32(struct hw_pcidev *dev, uint16_t off, uint32_t mask);
void hw_pcidev_set_w1cmask16(struct hw_pcidev *dev, uint16_t off, uint16_t mask);
void hw_pcidev_set_w1cmask32(struct hw_pcidev *dev, uint16_t off, uint32_t mask);
void hw_pcidev_set_sticky32(struct hw_pcidev *dev, uint16_t off, uint32_t mask);
void hw_pcidev_set_wmask8(struct hw_pcidev *dev, uint16_t off, uint8_t mask);
void hw_pcidev_set_w1cmask8(struct hw_pcidev *dev, uint16_t off, uint8_t mask);
void hw_pcidev_set_sticky16(struct hw_pcidev *dev, uint16_t off, uint16_t mask);
void hw_pcidev_set_flr_keep16(struct hw_pcidev *dev, uint16_t off, uint16_t mask);

/*
 * Current register values, little-endian; 0 for a range past config space.
 * Inline: the fabric reads Command, Bridge Control and bus numbers on every
 * DMA request it routes.
 */
static inline uint32_t hw_pcidev_get(const struct hw_pcidev *dev, uint16_t off, unsigned int n)
{
	uint32_t v = 0;
	unsigned int i;

	if ((unsigned int)off + n > HW_PCI_CFG_SIZE)
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint32_t)dev->cfg[off + i] << (8 * i);
	return v;
}

static inline uint8_t hw_pcidev_get8(const struct hw_pcidev *dev, uint16_t off)
{
	return (uint8_t)hw_pcidev_get(dev, off, 1);
}

static inline uint16_t hw_pcidev_get16(const struct hw_pcidev *dev, uint16_t off)
{
	return (uint16_t)hw_pcidev_get(dev, off, 2);
}

static inline uint32_t hw_pcidev_get32(const struct hw_pcidev *dev, uint16_t off)
{
	return hw_pcidev_get(dev, off, 4);
}

/*
 * A reset restores the values captured at realize (minus sticky bits). A
 * model whose RO registers track live state (presence, link) refreshes
 * them from its reset hooks.
 */

/*
 * For capability handlers: the part of a config write (off, val, len) that
 * falls on the register at reg..reg+reglen-1, shifted to the register's bit
 * 0. Returns false if the write does not touch that register; *bytes gets a
 * mask of the register bits that were written.
 */
static inline bool hw_cfg_write_hits(uint16_t off, uint32_t val, unsigned int len,
				     uint16_t reg, unsigned int reglen,
				     uint32_t *regval, uint32_t *bytes)
{
	uint32_t v = 0, m = 0;
	unsigned int i;
	bool hit = false;

	for (i = 0; i < reglen; i++) {
		unsigned int a = reg + i;

		if (a < off || a >= off + len)
			continue;
		hit = true;
		v |= ((val >> (8 * (a - off))) & 0xffu) << (8 * i);
		m |= 0xffu << (8 * i);
	}
	if (regval)
		*regval = v;
	if (bytes)
		*bytes = m;
	return hit;
}

/*
 * Bus-side access: what a configuration request does. len is 1, 2 or 4 and
 * off + len <= 4096, off aligned to len (the fabric enforces this). Writes
 * apply RW/RW1C semantics and run side effects.
 */
uint32_t hw_pcidev_cfg_read(struct hw_pcidev *dev, uint16_t off, unsigned int len);
void hw_pcidev_cfg_write(struct hw_pcidev *dev, uint16_t off, uint32_t val,
			 unsigned int len);

/* Current decoded BAR address (from the register file); false if the BAR is
 * unimplemented. */
bool hw_pcidev_bar_addr(const struct hw_pcidev *dev, int idx, uint64_t *addr);
/* True if the function decodes memory (resp. I/O) space: Command bits. */
bool hw_pcidev_mem_enabled(const struct hw_pcidev *dev);
bool hw_pcidev_io_enabled(const struct hw_pcidev *dev);
/*
 * MMIO/I/O access that the fabric routed to this function. Returns true if a
 * BAR claimed the address (is_io selects I/O space), false otherwise (the
 * request is then unclaimed). Dispatches to regions, ops->bar_*, or the
 * backing store.
 */
bool hw_pcidev_mmio(struct hw_pcidev *dev, bool is_io, uint64_t addr,
		    void *buf, unsigned int len, bool write);

void hw_pcidev_reset(struct hw_pcidev *dev, enum hw_reset_kind kind);

#endif /* PCILAB_HW_PCIDEV_H */
