// SPDX-License-Identifier: MIT
/*
 * Configuration-space engine: the register file of one function, its
 * per-bit access semantics (PCIe r6.2 §7.4), the type 0/1 headers (PCIe r6.2
 * §7.5.1), BAR sizing and decode, capability chains and resets.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/pcidev/pcidev.h"
#include "hw/pcidev/pci_regs_ext.h"

/* ------------------------------------------------------------ raw access */

static bool hw_cfg_in_range(uint16_t off, unsigned int n)
{
	return (unsigned int)off + n <= HW_PCI_CFG_SIZE;
}

static uint32_t hw_le_get(const uint8_t *a, uint16_t off, unsigned int n)
{
	uint32_t v = 0;
	unsigned int i;

	if (!hw_cfg_in_range(off, n))
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint32_t)a[off + i] << (8 * i);
	return v;
}

static void hw_le_put(uint8_t *a, uint16_t off, uint32_t v, unsigned int n)
{
	unsigned int i;

	if (!hw_cfg_in_range(off, n))
		return;
	for (i = 0; i < n; i++)
		a[off + i] = (uint8_t)(v >> (8 * i));
}

static void hw_set(struct hw_pcidev *dev, uint16_t off, uint32_t v, unsigned int n)
{
	hw_le_put(dev->cfg, off, v, n);
}

void hw_pcidev_set8(struct hw_pcidev *dev, uint16_t off, uint8_t val)
{
	hw_set(dev, off, val, 1);
}

void hw_pcidev_set16(struct hw_pcidev *dev, uint16_t off, uint16_t val)
{
	hw_set(dev, off, val, 2);
}

void hw_pcidev_set32(struct hw_pcidev *dev, uint16_t off, uint32_t val)
{
	hw_set(dev, off, val, 4);
}

void hw_pcidev_set_wmask8(struct hw_pcidev *dev, uint16_t off, uint8_t mask)
{
	hw_le_put(dev->wmask, off, mask, 1);
}

void hw_pcidev_set_wmask16(struct hw_pcidev *dev, uint16_t off, uint16_t mask)
{
	hw_le_put(dev->wmask, off, mask, 2);
}

void hw_pcidev_set_wmask32(struct hw_pcidev *dev, uint16_t off, uint32_t mask)
{
	hw_le_put(dev->wmask, off, mask, 4);
}

void hw_pcidev_set_w1cmask8(struct hw_pcidev *dev, uint16_t off, uint8_t mask)
{
	hw_le_put(dev->w1cmask, off, mask, 1);
}

void hw_pcidev_set_w1cmask16(struct hw_pcidev *dev, uint16_t off, uint16_t mask)
{
	hw_le_put(dev->w1cmask, off, mask, 2);
}

void hw_pcidev_set_w1cmask32(struct hw_pcidev *dev, uint16_t off, uint32_t mask)
{
	hw_le_put(dev->w1cmask, off, mask, 4);
}

void hw_pcidev_set_sticky16(struct hw_pcidev *dev, uint16_t off, uint16_t mask)
{
	hw_le_put(dev->sticky, off, mask, 2);
}

void hw_pcidev_set_sticky32(struct hw_pcidev *dev, uint16_t off, uint32_t mask)
{
	hw_le_put(dev->sticky, off, mask, 4);
}

void hw_pcidev_set_flr_keep16(struct hw_pcidev *dev, uint16_t off, uint16_t mask)
{
	hw_le_put(dev->flr_keep, off, mask, 2);
}

/* ------------------------------------------------------------ headers */

static bool hw_pcidev_is_bridge(const struct hw_pcidev *dev)
{
	return dev->hdr_type == PCI_HEADER_TYPE_BRIDGE;
}

static int hw_pcidev_nr_bars(const struct hw_pcidev *dev)
{
	return hw_pcidev_is_bridge(dev) ? 2 : HW_PCI_NUM_BARS;
}

static uint16_t hw_pcidev_bar_reg(const struct hw_pcidev *dev, int idx)
{
	if (idx == HW_PCI_ROM_SLOT)
		return hw_pcidev_is_bridge(dev) ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
	return (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * idx);
}

/* Fields common to both header types, PCIe r6.2 §7.5.1.1. */
static void hw_pcidev_common_header(struct hw_pcidev *dev)
{
	/*
	 * Command (§7.5.1.1.3): I/O Space, Memory Space, Bus Master, Parity
	 * Error Response, SERR# Enable and Interrupt Disable are RW; Special
	 * Cycles, MWI, VGA Palette Snoop, IDSEL Stepping and Fast Back-to-Back
	 * are RO 0 on PCIe.
	 */
	hw_pcidev_set_wmask16(dev, PCI_COMMAND,
			      PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			      PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			      PCI_COMMAND_INTX_DISABLE);
	/*
	 * Status (§7.5.1.1.4): Master Data Parity Error, Signaled/Received
	 * Target Abort, Received Master Abort, Signaled System Error and
	 * Detected Parity Error are RW1C; Interrupt Status and Capabilities
	 * List are RO.
	 */
	hw_pcidev_set_w1cmask16(dev, PCI_STATUS,
				PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
				PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
				PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
	/* Cache Line Size is RW with no effect on PCIe (§7.5.1.1.7); Latency
	 * Timer is RO 0 (§7.5.1.1.8). */
	hw_pcidev_set_wmask8(dev, PCI_CACHE_LINE_SIZE, 0xff);
	/* Interrupt Line is RW scratch for software (§7.5.1.1.13). */
	hw_pcidev_set_wmask8(dev, PCI_INTERRUPT_LINE, 0xff);
}

/* Type 1 header, PCIe r6.2 §7.5.1.3. */
static void hw_pcidev_type1_header(struct hw_pcidev *dev)
{
	/* Primary, Secondary and Subordinate Bus Number RW (§7.5.1.3.1-3);
	 * Secondary Latency Timer RO 0 (§7.5.1.3.4). */
	hw_pcidev_set_wmask32(dev, PCI_PRIMARY_BUS, 0x00ffffff);
	/* I/O Base/Limit: bits 7:4 RW, 3:0 RO 01h = 32-bit I/O decode
	 * (§7.5.1.3.5/6); the upper 16 bits are RW (§7.5.1.3.11). */
	hw_pcidev_set16(dev, PCI_IO_BASE,
			PCI_IO_RANGE_TYPE_32 | (PCI_IO_RANGE_TYPE_32 << 8));
	hw_pcidev_set_wmask16(dev, PCI_IO_BASE, 0xf0f0);
	hw_pcidev_set_wmask32(dev, PCI_IO_BASE_UPPER16, 0xffffffff);
	/* Secondary Status (§7.5.1.3.7): the same error bits as Status are
	 * RW1C (bit 14 is Received System Error here). */
	hw_pcidev_set_w1cmask16(dev, PCI_SEC_STATUS,
				PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
				PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
				PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
	/* Memory Base/Limit bits 15:4 RW (§7.5.1.3.8). */
	hw_pcidev_set_wmask32(dev, PCI_MEMORY_BASE, 0xfff0fff0);
	/* Prefetchable Base/Limit: bits 15:4 RW, 3:0 RO 1h = 64-bit, with
	 * RW Upper 32 Bits registers (§7.5.1.3.9/10). */
	hw_pcidev_set32(dev, PCI_PREF_MEMORY_BASE,
			PCI_PREF_RANGE_TYPE_64 | (PCI_PREF_RANGE_TYPE_64 << 16));
	hw_pcidev_set_wmask32(dev, PCI_PREF_MEMORY_BASE, 0xfff0fff0);
	hw_pcidev_set_wmask32(dev, PCI_PREF_BASE_UPPER32, 0xffffffff);
	hw_pcidev_set_wmask32(dev, PCI_PREF_LIMIT_UPPER32, 0xffffffff);
	/*
	 * Bridge Control (§7.5.1.3.13): Parity Error Response, SERR# Enable,
	 * ISA Enable, VGA Enable, VGA 16-bit Decode and Secondary Bus Reset
	 * RW; Master Abort Mode, Fast Back-to-Back and the discard timer bits
	 * RO 0.
	 */
	hw_pcidev_set_wmask16(dev, PCI_BRIDGE_CONTROL,
			      PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
			      PCI_BRIDGE_CTL_ISA | PCI_BRIDGE_CTL_VGA |
			      PCI_BRIDGE_CTL_VGA_16BIT | PCI_BRIDGE_CTL_BUS_RESET);
}

int hw_pcidev_init(struct hw_pcidev *dev, uint8_t hdr_type,
		   const struct hw_pcidev_ops *ops, const char *name)
{
	unsigned int i;

	if (hdr_type != PCI_HEADER_TYPE_NORMAL && hdr_type != PCI_HEADER_TYPE_BRIDGE)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->hdr_type = hdr_type;
	dev->ops = ops;
	snprintf(dev->name, sizeof(dev->name), "%s", name ? name : "pcidev");
	INIT_LIST_HEAD(&dev->caps);
	for (i = 0; i < ARRAY_SIZE(dev->bars); i++)
		INIT_LIST_HEAD(&dev->bars[i].regions);
	dev->std_next = PCI_STD_HEADER_SIZEOF;
	dev->ext_next = PCI_CFG_SPACE_SIZE;

	hw_pcidev_set8(dev, PCI_HEADER_TYPE, hdr_type);
	hw_pcidev_common_header(dev);
	if (hdr_type == PCI_HEADER_TYPE_BRIDGE)
		hw_pcidev_type1_header(dev);
	return 0;
}

void hw_pcidev_set_ids(struct hw_pcidev *dev, uint16_t vendor, uint16_t device,
		       uint32_t class_code, uint8_t revision)
{
	hw_pcidev_set16(dev, PCI_VENDOR_ID, vendor);
	hw_pcidev_set16(dev, PCI_DEVICE_ID, device);
	hw_pcidev_set8(dev, PCI_REVISION_ID, revision);
	hw_pcidev_set8(dev, PCI_CLASS_PROG, (uint8_t)class_code);
	hw_pcidev_set16(dev, PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
}

/*
 * Type 0 functions carry the Subsystem IDs in the header (§7.5.1.2.5/6);
 * type 1 functions in a Subsystem ID capability (PCI-to-PCI Bridge r1.2
 * §3.2.5.14 / PCI_CAP_ID_SSVID), added here.
 */
void hw_pcidev_set_subsystem(struct hw_pcidev *dev, uint16_t svid, uint16_t ssid)
{
	uint16_t pos;
	int rc;

	if (!hw_pcidev_is_bridge(dev)) {
		hw_pcidev_set16(dev, PCI_SUBSYSTEM_VENDOR_ID, svid);
		hw_pcidev_set16(dev, PCI_SUBSYSTEM_ID, ssid);
		return;
	}
	pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_SSVID);
	if (!pos) {
		if (!svid && !ssid)
			return;
		rc = hw_pcidev_add_cap(dev, PCI_CAP_ID_SSVID, 8, NULL, NULL);
		if (rc < 0) {
			pl_warn("%s: no room for the Subsystem ID capability (%d)",
				dev->name, rc);
			return;
		}
		pos = (uint16_t)rc;
	}
	hw_pcidev_set16(dev, pos + PCI_SSVID_VENDOR_ID, svid);
	hw_pcidev_set16(dev, pos + PCI_SSVID_DEVICE_ID, ssid);
}

void hw_pcidev_set_multifunction(struct hw_pcidev *dev, bool mf)
{
	uint8_t v = hw_pcidev_get8(dev, PCI_HEADER_TYPE) & 0x7f;

	hw_pcidev_set8(dev, PCI_HEADER_TYPE, (uint8_t)(v | (mf ? 0x80 : 0)));
}

void hw_pcidev_set_intx_pin(struct hw_pcidev *dev, uint8_t pin)
{
	hw_pcidev_set8(dev, PCI_INTERRUPT_PIN, pin <= 4 ? pin : 0);
}

/* ------------------------------------------------------------ BARs */

/* True if slot idx is the upper half of a 64-bit BAR. */
static bool hw_bar_is_upper(const struct hw_pcidev *dev, int idx)
{
	return idx > 0 && idx < HW_PCI_NUM_BARS &&
	       dev->bars[idx - 1].kind == HW_BAR_MEM64;
}

/*
 * PCI Local Bus r3.0 §6.2.5.1: memory BARs are at least 16 bytes, I/O BARs
 * at least 4; the expansion ROM at least 2 KiB (§6.2.5.2). The writable
 * bits of the BAR register are the address bits above the size.
 */
int hw_pcidev_set_bar(struct hw_pcidev *dev, int idx, enum hw_bar_kind kind,
		      bool prefetchable, uint64_t size)
{
	uint64_t mask;
	uint16_t reg;
	uint32_t lo;

	if (dev->realized)
		return -EBUSY;
	if (idx < 0 || idx > HW_PCI_ROM_SLOT || !is_power_of_2(size))
		return -EINVAL;
	if ((idx == HW_PCI_ROM_SLOT) != (kind == HW_BAR_ROM))
		return -EINVAL;
	if (idx != HW_PCI_ROM_SLOT && idx >= hw_pcidev_nr_bars(dev))
		return -EINVAL;
	if (dev->bars[idx].kind != HW_BAR_NONE || hw_bar_is_upper(dev, idx))
		return -EINVAL;
	switch (kind) {
	case HW_BAR_IO:
		if (size < 4 || size > (1u << 16) || prefetchable)
			return -EINVAL;
		break;
	case HW_BAR_MEM32:
		if (size < 16 || size > (1ull << 31))
			return -EINVAL;
		break;
	case HW_BAR_MEM64:
		if (size < 16 || size > (1ull << 63))
			return -EINVAL;
		if (idx + 1 >= hw_pcidev_nr_bars(dev) ||
		    dev->bars[idx + 1].kind != HW_BAR_NONE)
			return -EINVAL;
		break;
	case HW_BAR_ROM:
		if (size < 2048 || size > (1ull << 31) || prefetchable)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	reg = hw_pcidev_bar_reg(dev, idx);
	mask = ~(size - 1);
	switch (kind) {
	case HW_BAR_IO:
		hw_pcidev_set32(dev, reg, PCI_BASE_ADDRESS_SPACE_IO);
		hw_pcidev_set_wmask32(dev, reg, (uint32_t)mask & PCI_BASE_ADDRESS_IO_MASK);
		break;
	case HW_BAR_MEM32:
	case HW_BAR_MEM64:
		lo = kind == HW_BAR_MEM64 ? PCI_BASE_ADDRESS_MEM_TYPE_64
					  : PCI_BASE_ADDRESS_MEM_TYPE_32;
		if (prefetchable)
			lo |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		hw_pcidev_set32(dev, reg, lo);
		hw_pcidev_set_wmask32(dev, reg, (uint32_t)mask & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK);
		if (kind == HW_BAR_MEM64) {
			hw_pcidev_set32(dev, reg + 4, 0);
			hw_pcidev_set_wmask32(dev, reg + 4, (uint32_t)(mask >> 32));
		}
		break;
	default:	/* ROM: address bits 31:11 and the enable bit are RW */
		hw_pcidev_set32(dev, reg, 0);
		hw_pcidev_set_wmask32(dev, reg, ((uint32_t)mask & (uint32_t)PCI_ROM_ADDRESS_MASK) |
				      PCI_ROM_ADDRESS_ENABLE);
		break;
	}
	dev->bars[idx].kind = kind;
	dev->bars[idx].prefetchable = prefetchable;
	dev->bars[idx].size = size;
	return 0;
}

int hw_pcidev_add_bar_region(struct hw_pcidev *dev, int bar, uint64_t off,
			     uint64_t len, const struct hw_bar_region_ops *ops,
			     void *opaque)
{
	struct hw_bar_region *r;
	struct hw_bar *b;

	if (bar < 0 || bar > HW_PCI_ROM_SLOT || !len || !ops)
		return -EINVAL;
	b = &dev->bars[bar];
	if (b->kind == HW_BAR_NONE || off >= b->size || len > b->size - off)
		return -EINVAL;
	list_for_each_entry(r, &b->regions, node)
		if (off < r->off + r->len && r->off < off + len)
			return -EINVAL;
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->off = off;
	r->len = len;
	r->ops = ops;
	r->opaque = opaque;
	list_add_tail(&r->node, &b->regions);
	return 0;
}

void hw_pcidev_del_bar_region(struct hw_pcidev *dev, int bar, uint64_t off)
{
	struct hw_bar_region *r;

	if (bar < 0 || bar > HW_PCI_ROM_SLOT)
		return;
	list_for_each_entry(r, &dev->bars[bar].regions, node) {
		if (r->off == off) {
			list_del(&r->node);
			free(r);
			return;
		}
	}
}

bool hw_pcidev_bar_addr(const struct hw_pcidev *dev, int idx, uint64_t *addr)
{
	const struct hw_bar *b;
	uint16_t reg;
	uint64_t a;

	if (idx < 0 || idx > HW_PCI_ROM_SLOT)
		return false;
	b = &dev->bars[idx];
	if (b->kind == HW_BAR_NONE)
		return false;
	reg = hw_pcidev_bar_reg(dev, idx);
	a = hw_pcidev_get32(dev, reg);
	switch (b->kind) {
	case HW_BAR_IO:
		a &= PCI_BASE_ADDRESS_IO_MASK;
		break;
	case HW_BAR_MEM32:
		a &= (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
		break;
	case HW_BAR_MEM64:
		a &= (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
		a |= (uint64_t)hw_pcidev_get32(dev, reg + 4) << 32;
		break;
	default:
		a &= (uint32_t)PCI_ROM_ADDRESS_MASK;
		break;
	}
	if (addr)
		*addr = a;
	return true;
}

bool hw_pcidev_mem_enabled(const struct hw_pcidev *dev)
{
	return hw_pcidev_get16(dev, PCI_COMMAND) & PCI_COMMAND_MEMORY;
}

bool hw_pcidev_io_enabled(const struct hw_pcidev *dev)
{
	return hw_pcidev_get16(dev, PCI_COMMAND) & PCI_COMMAND_IO;
}

/* Whether BAR idx decodes [addr, addr+len) now; *off gets the BAR offset. */
static bool hw_bar_claims(const struct hw_pcidev *dev, int idx, bool is_io,
			  uint64_t addr, unsigned int len, uint64_t *off)
{
	const struct hw_bar *b = &dev->bars[idx];
	uint64_t base;

	if (b->kind == HW_BAR_NONE || (b->kind == HW_BAR_IO) != is_io)
		return false;
	/* PCI Local Bus r3.0 §6.2.5.2: the ROM decodes only when both its
	 * enable bit and Memory Space Enable are set. */
	if (b->kind == HW_BAR_ROM &&
	    !(hw_pcidev_get32(dev, hw_pcidev_bar_reg(dev, idx)) & PCI_ROM_ADDRESS_ENABLE))
		return false;
	if (!hw_pcidev_bar_addr(dev, idx, &base))
		return false;
	if (addr < base || addr - base >= b->size || len > b->size - (addr - base))
		return false;
	*off = addr - base;
	return true;
}

bool hw_pcidev_mmio(struct hw_pcidev *dev, bool is_io, uint64_t addr,
		    void *buf, unsigned int len, bool write)
{
	struct hw_bar_region *r;
	struct hw_bar *b;
	uint64_t off = 0;
	int idx;

	/* Command register, PCIe r6.2 §7.5.1.1.3: a function with IOSE/MSE
	 * clear does not respond to I/O/memory requests at all. */
	if (is_io ? !hw_pcidev_io_enabled(dev) : !hw_pcidev_mem_enabled(dev))
		return false;
	for (idx = 0; idx <= HW_PCI_ROM_SLOT; idx++) {
		if (idx >= hw_pcidev_nr_bars(dev) && idx != HW_PCI_ROM_SLOT)
			continue;
		if (hw_bar_claims(dev, idx, is_io, addr, len, &off))
			break;
	}
	if (idx > HW_PCI_ROM_SLOT)
		return false;

	b = &dev->bars[idx];
	list_for_each_entry(r, &b->regions, node) {
		if (off < r->off || off - r->off >= r->len)
			continue;
		if (len > r->len - (off - r->off))
			break;	/* straddles the end: not the region's */
		if (write) {
			if (r->ops->write)
				r->ops->write(r->opaque, off - r->off, buf, len);
		} else if (r->ops->read) {
			r->ops->read(r->opaque, off - r->off, buf, len);
		} else {
			memset(buf, 0, len);
		}
		return true;
	}
	if (write && dev->ops && dev->ops->bar_write) {
		dev->ops->bar_write(dev, idx, off, buf, len);
		return true;
	}
	if (!write && dev->ops && dev->ops->bar_read) {
		dev->ops->bar_read(dev, idx, off, buf, len);
		return true;
	}
	if (!b->backing) {
		if (!write)
			memset(buf, 0, len);
		return true;
	}
	if (!write)
		memcpy(buf, b->backing + off, len);
	else if (b->kind != HW_BAR_ROM)	/* ROM contents are read-only */
		memcpy(b->backing + off, buf, len);
	return true;
}

/* ------------------------------------------------------------ capabilities */

/* Capabilities a function may have only once (everything but the vendor-
 * specific ones, DVSEC and DOE, PCIe r6.2 §7.9.6, §7.9.24). */
static bool hw_cap_repeatable(bool ext, uint16_t id)
{
	if (!ext)
		return id == PCI_CAP_ID_VNDR;
	return id == PCI_EXT_CAP_ID_VNDR || id == PCI_EXT_CAP_ID_DVSEC ||
	       id == PCI_EXT_CAP_ID_DOE;
}

static bool hw_cap_listed(const struct hw_pcidev *dev, bool ext, uint16_t id)
{
	const struct hw_pcicap *c;

	list_for_each_entry(c, &dev->caps, node)
		if (c->ext == ext && c->id == id)
			return true;
	return false;
}

static struct hw_pcicap *hw_cap_alloc(const struct hw_pcidev *dev, bool ext, uint16_t id,
				      uint16_t off, uint16_t len,
				      const struct hw_pcicap_ops *ops, void *opaque)
{
	struct hw_pcicap *c = pl_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->id = id;
	c->ext = ext;
	c->off = off;
	c->len = len;
	c->ops = ops;
	c->opaque = opaque;
	return c;
}

/*
 * PCIe r6.2 §7.5.1.1.11 / §7.5.1.1.4: the Capabilities Pointer holds the
 * first standard capability and Status.Capabilities List says there is one;
 * each capability's Next Pointer links the next (§7.5.2 header layout).
 */
int hw_pcidev_add_cap(struct hw_pcidev *dev, uint8_t id, uint16_t len,
		      const struct hw_pcicap_ops *ops, void *opaque)
{
	struct hw_pcicap *c;
	uint16_t off;

	if (len < 2)
		return -EINVAL;
	len = ALIGN_UP(len, (uint16_t)4);
	if (!hw_cap_repeatable(false, id) && hw_cap_listed(dev, false, id))
		return -EEXIST;
	off = dev->std_next;
	if (off + len > PCI_CFG_SPACE_SIZE)
		return -ENOSPC;
	c = hw_cap_alloc(dev, false, id, off, len, ops, opaque);
	if (!c)
		return -ENOMEM;

	hw_pcidev_set8(dev, off + PCI_CAP_LIST_ID, id);
	hw_pcidev_set8(dev, off + PCI_CAP_LIST_NEXT, 0);
	if (dev->std_last)
		hw_pcidev_set8(dev, dev->std_last + PCI_CAP_LIST_NEXT, (uint8_t)off);
	else
		hw_pcidev_set8(dev, PCI_CAPABILITY_LIST, (uint8_t)off);
	hw_pcidev_set16(dev, PCI_STATUS,
			hw_pcidev_get16(dev, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	dev->std_last = off;
	dev->std_next = off + len;
	list_add_tail(&c->node, &dev->caps);	/* the function owns c and opaque now */
	return off;
}

/* Extended capability header, PCIe r6.2 §7.6.3: ID 15:0, Version 19:16,
 * Next Capability Offset 31:20; the first one sits at 100h. */
int hw_pcidev_add_ext_cap(struct hw_pcidev *dev, uint16_t id, uint8_t ver,
			  uint16_t len, const struct hw_pcicap_ops *ops, void *opaque)
{
	struct hw_pcicap *c;
	uint16_t off;
	uint32_t hdr;

	if (len < 4 || ver > 0xf || !id)
		return -EINVAL;
	len = ALIGN_UP(len, (uint16_t)4);
	if (!hw_cap_repeatable(true, id) && hw_cap_listed(dev, true, id))
		return -EEXIST;
	off = dev->ext_next;
	if (off + len > HW_PCI_CFG_SIZE)
		return -ENOSPC;
	c = hw_cap_alloc(dev, true, id, off, len, ops, opaque);
	if (!c)
		return -ENOMEM;

	hw_pcidev_set32(dev, off, PCI_EXT_CAP_HDR(id, ver, 0));
	if (dev->ext_last) {
		hdr = hw_pcidev_get32(dev, dev->ext_last) & 0x000fffff;
		hw_pcidev_set32(dev, dev->ext_last, hdr | ((uint32_t)off << 20));
	}
	dev->ext_last = off;
	dev->ext_next = off + len;
	list_add_tail(&c->node, &dev->caps);	/* the function owns c and opaque now */
	return off;
}

struct hw_pcicap *hw_pcidev_get_pcicap(const struct hw_pcidev *dev, bool ext,
				       uint16_t id, unsigned int n)
{
	struct hw_pcicap *c;

	list_for_each_entry(c, &dev->caps, node)
		if (c->ext == ext && c->id == id && !n--)
			return c;
	return NULL;
}

/* Walks the register file, not the builder's list, so that it also works
 * on functions whose config space was loaded wholesale (replay). */
uint16_t hw_pcidev_find_cap(const struct hw_pcidev *dev, uint8_t id)
{
	unsigned int ttl = 48;	/* (256 - 64) / 4 capabilities at most */
	uint8_t pos;

	if (!(hw_pcidev_get16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = hw_pcidev_get8(dev, PCI_CAPABILITY_LIST) & ~3u;
	while (pos >= PCI_STD_HEADER_SIZEOF && ttl--) {
		if (hw_pcidev_get8(dev, pos + PCI_CAP_LIST_ID) == id)
			return pos;
		pos = hw_pcidev_get8(dev, pos + PCI_CAP_LIST_NEXT) & ~3u;
	}
	return 0;
}

uint16_t hw_pcidev_find_ext_cap(const struct hw_pcidev *dev, uint16_t id)
{
	unsigned int ttl = (HW_PCI_CFG_SIZE - PCI_CFG_SPACE_SIZE) / 8;
	uint16_t pos = PCI_CFG_SPACE_SIZE;
	uint32_t hdr;

	while (pos >= PCI_CFG_SPACE_SIZE && ttl--) {
		hdr = hw_pcidev_get32(dev, pos);
		if (!hdr)
			return 0;
		if (PCI_EXT_CAP_ID(hdr) == id)
			return pos;
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	return 0;
}

/* ------------------------------------------------------------ bus access */

static bool hw_cap_overlaps(const struct hw_pcicap *c, uint16_t off, unsigned int len)
{
	return off < c->off + c->len && c->off < off + len;
}

uint32_t hw_pcidev_cfg_read(struct hw_pcidev *dev, uint16_t off, unsigned int len)
{
	struct hw_pcicap *c;

	if ((len != 1 && len != 2 && len != 4) || !hw_cfg_in_range(off, len))
		return 0xffffffffu;
	list_for_each_entry(c, &dev->caps, node)
		if (c->ops && c->ops->read && hw_cap_overlaps(c, off, len))
			c->ops->read(dev, c->opaque, off, len);
	return hw_le_get(dev->cfg, off, len);
}

void hw_pcidev_cfg_write(struct hw_pcidev *dev, uint16_t off, uint32_t val,
			 unsigned int len)
{
	struct hw_pcicap *c;
	uint32_t old;
	unsigned int i;

	if ((len != 1 && len != 2 && len != 4) || !hw_cfg_in_range(off, len))
		return;
	old = hw_le_get(dev->cfg, off, len);
	/* PCIe r6.2 §7.4: RW bits take the written value, RW1C bits clear
	 * where a 1 is written, everything else ignores the write. */
	for (i = 0; i < len; i++) {
		uint16_t a = (uint16_t)(off + i);
		uint8_t b = (uint8_t)(val >> (8 * i));
		uint8_t v = dev->cfg[a];

		v = (uint8_t)((v & ~dev->wmask[a]) | (b & dev->wmask[a]));
		v = (uint8_t)(v & ~(b & dev->w1cmask[a]));
		dev->cfg[a] = v;
	}
	list_for_each_entry(c, &dev->caps, node)
		if (c->ops && c->ops->write && hw_cap_overlaps(c, off, len))
			c->ops->write(dev, c->opaque, off, val, old, len);
	if (dev->ops && dev->ops->cfg_write)
		dev->ops->cfg_write(dev, off, val, old, len);
}

/* ------------------------------------------------------------ life cycle */

static void hw_pcidev_free_backing(struct hw_pcidev *dev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dev->bars); i++) {
		free(dev->bars[i].backing);
		dev->bars[i].backing = NULL;
	}
}

int hw_pcidev_realize(struct hw_pcidev *dev)
{
	unsigned int i;

	if (dev->realized)
		return -EBUSY;
	for (i = 0; i < ARRAY_SIZE(dev->bars); i++) {
		struct hw_bar *b = &dev->bars[i];

		if (b->kind == HW_BAR_NONE || b->size > HW_BAR_BACKING_MAX)
			continue;
		b->backing = pl_zalloc(b->size);
		if (!b->backing)
			goto err_free_backing;
	}
	memcpy(dev->reset_val, dev->cfg, sizeof(dev->reset_val));
	dev->realized = true;
	return 0;

err_free_backing:
	hw_pcidev_free_backing(dev);
	return -ENOMEM;
}

void hw_pcidev_reset(struct hw_pcidev *dev, enum hw_reset_kind kind)
{
	struct hw_pcicap *c;
	unsigned int i;

	/*
	 * PCIe r6.2 §7.4: sticky bits survive every reset but a cold one
	 * (loss of main power and Vaux); an FLR also leaves the registers of
	 * §6.6.2 alone (flr_keep).
	 */
	for (i = 0; i < HW_PCI_CFG_SIZE; i++) {
		uint8_t keep = 0;

		if (kind != HW_RESET_COLD)
			keep = dev->sticky[i];
		if (kind == HW_RESET_FLR)
			keep |= dev->flr_keep[i];
		dev->cfg[i] = (uint8_t)((dev->reset_val[i] & ~keep) | (dev->cfg[i] & keep));
	}
	list_for_each_entry(c, &dev->caps, node)
		if (c->ops && c->ops->reset)
			c->ops->reset(dev, c->opaque);
	if (dev->ops && dev->ops->reset)
		dev->ops->reset(dev, kind);
}

void hw_pcidev_destroy(struct hw_pcidev *dev)
{
	struct hw_bar_region *r, *rn;
	struct hw_pcicap *c, *cn;
	unsigned int i;

	if (!dev)
		return;
	list_for_each_entry_safe(c, cn, &dev->caps, node) {
		list_del(&c->node);
		if (c->ops && c->ops->release)
			c->ops->release(c->opaque);
		free(c);
	}
	for (i = 0; i < ARRAY_SIZE(dev->bars); i++) {
		list_for_each_entry_safe(r, rn, &dev->bars[i].regions, node) {
			list_del(&r->node);
			free(r);
		}
	}
	hw_pcidev_free_backing(dev);
	dev->realized = false;
	if (dev->ops && dev->ops->free)
		dev->ops->free(dev);
}
