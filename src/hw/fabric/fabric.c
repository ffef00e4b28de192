// SPDX-License-Identifier: MIT
/*
 * Request routing through the PCIe hierarchy (see fabric.h for the rules).
 *
 * Nothing software can program is cached: every request reads the bridges'
 * bus numbers, windows, Command and Bridge Control registers from their
 * register files as it passes, exactly as the hardware decodes them, so a
 * reprogrammed bridge routes differently on the very next request.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/iommu/vtd.h"
#include "hw/mem.h"
#include "hw/pcidev/pci_regs_ext.h"
#include "hw/security/ide_link.h"

/* ---------------------------------------------------------------- helpers */

static bool hw_fabric_is_bridge(const struct hw_pcidev *dev)
{
	return dev->secondary != NULL;
}

/*
 * Data Link Layer Link Active (PCIe r6.2 §7.5.3.8) of a port that reports
 * it (DLLLARC): set while the link is up, i.e. something sits behind the
 * port and the link is neither disabled nor in Hot Reset.
 */
static void hw_fabric_update_dllla(struct hw_pcidev *bridge)
{
	uint16_t cap, sta;

	if (bridge->secondary->kind != HW_FABRIC_BUS_LINK)
		return;
	cap = hw_pcidev_find_cap(bridge, PCI_CAP_ID_EXP);
	if (!cap || !(hw_pcidev_get32(bridge, cap + PCI_EXP_LNKCAP) & PCI_EXP_LNKCAP_DLLLARC))
		return;
	sta = hw_pcidev_get16(bridge, cap + PCI_EXP_LNKSTA) & ~PCI_EXP_LNKSTA_DLLLA;
	if (bridge->secondary->nr_funcs && !hw_fabric_secondary_down(bridge))
		sta |= PCI_EXP_LNKSTA_DLLLA;
	hw_pcidev_set16(bridge, cap + PCI_EXP_LNKSTA, sta);
}

uint16_t hw_fabric_func_segment(const struct hw_pcidev *dev)
{
	return dev->bus->hb->info.segment;
}

/* ARI Forwarding Enable in the port's Device Control 2 (PCIe r6.2 §7.5.3.16)
 * lets Type 0 requests with a non-zero Device Number through the port so
 * they reach ARI functions 8..255 (§6.13). */
static bool hw_fabric_ari_forwarding(const struct hw_fabric_bus *bus)
{
	uint16_t cap;

	if (!bus->bridge)
		return false;
	cap = hw_pcidev_find_cap(bus->bridge, PCI_CAP_ID_EXP);
	if (!cap)
		return false;
	return hw_pcidev_get16(bus->bridge, cap + PCI_EXP_DEVCTL2) & PCI_EXP_DEVCTL2_ARI;
}

/* The function a Type 0 request on this bus reaches, or NULL (UR). */
static struct hw_pcidev *hw_fabric_bus_slot(struct hw_fabric_bus *bus, uint8_t devfn)
{
	/*
	 * A Downstream Port converts Type 1 to Type 0 only for Device 0 and
	 * completes the rest with UR, unless ARI Forwarding is enabled
	 * (PCIe r6.2 §7.3.1).
	 */
	if (bus->kind == HW_FABRIC_BUS_LINK && (devfn >> 3) != 0 &&
	    !hw_fabric_ari_forwarding(bus))
		return NULL;
	return bus->slots[devfn];
}

/* ------------------------------------------------------------- iterators */

int hw_fabric_bus_for_each_func(struct hw_fabric_bus *bus, hw_fabric_visit_fn fn,
				void *arg)
{
	unsigned int i;
	int rc;

	for (i = 0; i < HW_FABRIC_BUS_SLOTS; i++) {
		struct hw_pcidev *dev = bus->slots[i];

		if (!dev)
			continue;
		rc = fn(dev, arg);
		if (rc)
			return rc;
		if (dev->secondary) {
			rc = hw_fabric_bus_for_each_func(dev->secondary, fn, arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int hw_platform_for_each_func(struct hw_platform *p, hw_fabric_visit_fn fn, void *arg)
{
	unsigned int i;
	int rc;

	for (i = 0; i < p->nr_host_bridges; i++) {
		if (!p->host_bridges[i].root)
			continue;
		rc = hw_fabric_bus_for_each_func(p->host_bridges[i].root, fn, arg);
		if (rc)
			return rc;
	}
	return 0;
}

int hw_fabric_bus_attach(struct hw_fabric_bus *bus, struct hw_pcidev *dev, uint8_t devfn)
{
	if (bus->slots[devfn])
		return -EBUSY;
	dev->bus = bus;
	dev->devfn = devfn;
	bus->slots[devfn] = dev;	/* the bus owns dev from here */
	bus->nr_funcs++;
	return 0;
}

void hw_fabric_bus_detach(struct hw_pcidev *dev)
{
	struct hw_fabric_bus *bus = dev->bus;

	if (!bus || bus->slots[dev->devfn] != dev)
		return;
	bus->slots[dev->devfn] = NULL;
	bus->nr_funcs--;
	dev->bus = NULL;
}

void hw_fabric_bus_free(struct hw_fabric_bus *bus)
{
	unsigned int i;

	if (!bus)
		return;
	for (i = 0; i < HW_FABRIC_BUS_SLOTS; i++) {
		struct hw_pcidev *dev = bus->slots[i];

		if (!dev)
			continue;
		hw_fabric_bus_free(dev->secondary);
		dev->secondary = NULL;
		bus->slots[i] = NULL;
		hw_pcidev_destroy(dev);
	}
	free(bus);
}

/* ------------------------------------------------------------ platform */

void hw_platform_destroy(struct hw_platform *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->nr_host_bridges; i++)
		hw_fabric_bus_free(p->host_bridges[i].root);
	free(p->host_bridges);
	/* The units walk tables in RAM: they go before it. */
	for (i = 0; i < p->nr_iommus; i++)
		hw_vtd_destroy(p->iommus[i].vtd);
	free(p->iommus);
	hw_mem_destroy(p->mem);
	hw_ide_link_free(p);
	free(p);
}

unsigned int hw_platform_nr_iommus(const struct hw_platform *p)
{
	return p->nr_iommus;
}

int hw_platform_iommu_info(const struct hw_platform *p, unsigned int idx,
			   struct hw_iommu_info *info)
{
	if (!info || idx >= p->nr_iommus)
		return -EINVAL;
	*info = p->iommus[idx].info;
	return 0;
}

struct hw_vtd *hw_platform_vtd(struct hw_platform *p, unsigned int idx)
{
	return idx < p->nr_iommus ? p->iommus[idx].vtd : NULL;
}

struct hw_mem *hw_platform_mem(struct hw_platform *p)
{
	return p->mem;
}

/* ----------------------------------------------------------------- RAM */

uint64_t hw_platform_ram_size(const struct hw_platform *p)
{
	return p->ram_size;
}

int hw_ram_read(struct hw_platform *p, uint64_t pa, void *buf, size_t len)
{
	if (!p || (!buf && len))
		return -EINVAL;
	return hw_mem_read(p->mem, pa, buf, len);
}

int hw_ram_write(struct hw_platform *p, uint64_t pa, const void *buf, size_t len)
{
	if (!p || (!buf && len))
		return -EINVAL;
	return hw_mem_write(p->mem, pa, buf, len);
}

void *hw_ram_ptr(struct hw_platform *p, uint64_t pa, uint64_t len)
{
	if (!p)
		return ERR_PTR(-EINVAL);
	return hw_mem_ptr(p->mem, pa, len);
}

unsigned int hw_platform_nr_host_bridges(const struct hw_platform *p)
{
	return p->nr_host_bridges;
}

int hw_platform_host_bridge_info(const struct hw_platform *p, unsigned int idx,
				 struct hw_host_bridge_info *info)
{
	if (!info || idx >= p->nr_host_bridges)
		return -EINVAL;
	*info = p->host_bridges[idx].info;
	return 0;
}

/* ------------------------------------------------------- configuration */

static struct hw_host_bridge *hw_fabric_hb_for_bus(struct hw_platform *p,
						   uint16_t seg, uint8_t bus)
{
	unsigned int i;

	for (i = 0; i < p->nr_host_bridges; i++) {
		struct hw_host_bridge *hb = &p->host_bridges[i];

		if (hb->info.segment == seg && bus >= hb->info.bus_start &&
		    bus <= hb->info.bus_end)
			return hb;
	}
	return NULL;
}

struct hw_pcidev *hw_platform_cfg_target(struct hw_platform *p, uint16_t seg,
					 uint8_t busnr, uint8_t devfn)
{
	struct hw_host_bridge *hb = hw_fabric_hb_for_bus(p, seg, busnr);
	struct hw_fabric_bus *bus;

	if (!hb)
		return NULL;
	bus = hb->root;
	/* The host bridge issues Type 0 on its root bus and Type 1 for the
	 * rest of its bus range (PCIe r6.2 §7.2.2). */
	while (busnr != hw_fabric_bus_number(bus)) {
		struct hw_pcidev *next = NULL;
		unsigned int i;

		/*
		 * A bridge claims a Type 1 request whose Bus Number lies in
		 * [Secondary, Subordinate] (PCI-to-PCI Bridge r1.2 §3.2.5.3,
		 * PCIe r6.2 §7.3.1). Unprogrammed bridges (both 0) claim none.
		 */
		for (i = 0; i < HW_FABRIC_BUS_SLOTS && !next; i++) {
			struct hw_pcidev *dev = bus->slots[i];
			uint8_t sec, sub;

			if (!dev || !hw_fabric_is_bridge(dev))
				continue;
			sec = hw_pcidev_get8(dev, PCI_SECONDARY_BUS);
			sub = hw_pcidev_get8(dev, PCI_SUBORDINATE_BUS);
			if (sec <= busnr && busnr <= sub)
				next = dev;
		}
		if (!next || hw_fabric_secondary_down(next))
			return NULL;
		bus = next->secondary;
	}
	return hw_fabric_bus_slot(bus, devfn);
}

static int hw_fabric_cfg_check(uint16_t reg, unsigned int len)
{
	if (len != 1 && len != 2 && len != 4)
		return -EINVAL;
	if (reg >= HW_PCI_CFG_SIZE || reg % len)
		return -EINVAL;
	return 0;
}

/*
 * Where the request ends up, or NULL for UR. A conventional PCI function
 * has only the 256-byte PCI-compatible space: the PCIe-to-PCI bridge in
 * front of it completes requests with a non-zero Extended Register Number
 * with UR, so extended-space reads return all-ones. Linux relies on this
 * (pci_cfg_space_size_ext() takes all-ones at 0x100 to mean a 256-byte
 * space); returning 0 would look like an empty extended capability list,
 * which is what a PCIe function with no extended capabilities shows.
 */
static struct hw_pcidev *hw_fabric_cfg_route(struct hw_platform *p, uint16_t seg,
					     uint8_t bus, uint8_t devfn, uint16_t reg)
{
	struct hw_pcidev *dev = hw_platform_cfg_target(p, seg, bus, devfn);

	if (dev && reg >= HW_PCI_CFG_STD_SIZE &&
	    dev->bus->kind == HW_FABRIC_BUS_CONVENTIONAL)
		return NULL;
	return dev;
}

int hw_cfg_read(struct hw_platform *p, uint16_t seg, uint8_t bus, uint8_t devfn,
		uint16_t reg, unsigned int len, uint32_t *val)
{
	struct hw_pcidev *dev;
	int rc;

	rc = hw_fabric_cfg_check(reg, len);
	if (rc < 0 || !p || !val)
		return rc < 0 ? rc : -EINVAL;
	dev = hw_fabric_cfg_route(p, seg, bus, devfn, reg);
	if (!dev) {
		/* UR: the root complex returns all-ones (PCIe r6.2 §2.3.2). */
		*val = len == 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
		return 0;
	}
	*val = hw_pcidev_cfg_read(dev, reg, len);
	return 0;
}

static int hw_fabric_sbr_visit(struct hw_pcidev *dev, void *arg)
{
	/* Hot Reset reaches every function below (PCIe r6.2 §6.6.1). */
	hw_pcidev_reset(dev, HW_RESET_WARM);
	return 0;
}

int hw_cfg_write(struct hw_platform *p, uint16_t seg, uint8_t bus, uint8_t devfn,
		 uint16_t reg, unsigned int len, uint32_t val)
{
	struct hw_pcidev *dev;
	bool was_down = false;
	int rc;

	rc = hw_fabric_cfg_check(reg, len);
	if (rc < 0 || !p)
		return rc < 0 ? rc : -EINVAL;
	dev = hw_fabric_cfg_route(p, seg, bus, devfn, reg);
	if (!dev)
		return 0;	/* UR: the write is dropped */
	if (hw_fabric_is_bridge(dev))
		was_down = hw_fabric_secondary_down(dev);
	hw_pcidev_cfg_write(dev, reg, val, len);
	if (!hw_fabric_is_bridge(dev))
		return 0;
	/*
	 * Setting Secondary Bus Reset (PCI-to-PCI Bridge r1.2 §3.2.5.18, PCIe
	 * r6.2 §7.5.1.3.13) or Link Disable (§7.5.3.7) resets everything
	 * below the bridge: Hot Reset, or DL_Down, propagates to every
	 * function downstream (§6.6.1). The hierarchy stays unreachable until
	 * the bit is cleared.
	 */
	if (!was_down && hw_fabric_secondary_down(dev))
		hw_fabric_bus_for_each_func(dev->secondary, hw_fabric_sbr_visit, NULL);
	hw_fabric_update_dllla(dev);
	return 0;
}

/* ------------------------------------------------------- memory and I/O */

/*
 * Bridge windows, PCI-to-PCI Bridge r1.2 §3.2.5.6-§3.2.5.11. A window is
 * open when base <= limit; the optional I/O and prefetchable windows count
 * only when implemented (writable, or hardwired to a non-zero value as a
 * replayed bridge may be).
 */
static bool hw_fabric_window_hit(uint64_t base, uint64_t limit, uint64_t addr,
				 unsigned int len)
{
	return base <= limit && addr >= base && addr + len - 1 <= limit;
}

static bool hw_fabric_reg_implemented(const struct hw_pcidev *dev, uint16_t off)
{
	return hw_pcidev_get16(dev, off) || dev->wmask[off] || dev->wmask[off + 1];
}

static bool hw_fabric_mem_window(const struct hw_pcidev *dev, uint64_t addr,
				 unsigned int len)
{
	uint16_t b16, l16;
	uint64_t base, limit;

	/* Memory Base/Limit: bits 15:4 are address bits 31:20 (§3.2.5.8). */
	b16 = hw_pcidev_get16(dev, PCI_MEMORY_BASE);
	l16 = hw_pcidev_get16(dev, PCI_MEMORY_LIMIT);
	base = (uint64_t)(b16 & 0xfff0) << 16;
	limit = ((uint64_t)(l16 & 0xfff0) << 16) | 0xfffff;
	if (hw_fabric_window_hit(base, limit, addr, len))
		return true;

	/* Prefetchable, 64-bit when the type nibble says so (§3.2.5.9-10). */
	if (!hw_fabric_reg_implemented(dev, PCI_PREF_MEMORY_BASE))
		return false;
	b16 = hw_pcidev_get16(dev, PCI_PREF_MEMORY_BASE);
	l16 = hw_pcidev_get16(dev, PCI_PREF_MEMORY_LIMIT);
	base = (uint64_t)(b16 & 0xfff0) << 16;
	limit = ((uint64_t)(l16 & 0xfff0) << 16) | 0xfffff;
	if ((b16 & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64) {
		base |= (uint64_t)hw_pcidev_get32(dev, PCI_PREF_BASE_UPPER32) << 32;
		limit |= (uint64_t)hw_pcidev_get32(dev, PCI_PREF_LIMIT_UPPER32) << 32;
	}
	return hw_fabric_window_hit(base, limit, addr, len);
}

static bool hw_fabric_io_window(const struct hw_pcidev *dev, uint64_t addr,
				unsigned int len)
{
	uint8_t b8, l8;
	uint64_t base, limit;

	/* I/O Base/Limit: bits 7:4 are address bits 15:12, 32-bit when the
	 * type nibble is 1 with the upper half in 30h/32h (§3.2.5.6, 11). */
	if (!hw_fabric_reg_implemented(dev, PCI_IO_BASE))
		return false;
	b8 = hw_pcidev_get8(dev, PCI_IO_BASE);
	l8 = hw_pcidev_get8(dev, PCI_IO_LIMIT);
	base = (uint64_t)(b8 & 0xf0) << 8;
	limit = ((uint64_t)(l8 & 0xf0) << 8) | 0xfff;
	if ((b8 & PCI_IO_RANGE_TYPE_MASK) == PCI_IO_RANGE_TYPE_32) {
		base |= (uint64_t)hw_pcidev_get16(dev, PCI_IO_BASE_UPPER16) << 16;
		limit |= (uint64_t)hw_pcidev_get16(dev, PCI_IO_LIMIT_UPPER16) << 16;
	}
	return hw_fabric_window_hit(base, limit, addr, len);
}

/*
 * ISA Enable (PCI-to-PCI Bridge r1.2 §3.2.5.18, bit 2): within the first
 * 64 KiB of I/O space the bridge does not forward the top 768 bytes of each
 * 1 KiB block (ISA aliases), even inside its I/O window.
 */
static bool hw_fabric_isa_blocked(const struct hw_pcidev *dev, uint64_t addr)
{
	return (hw_pcidev_get16(dev, PCI_BRIDGE_CONTROL) & PCI_BRIDGE_CTL_ISA) &&
	       addr < 0x10000 && (addr & 0x300);
}

/*
 * VGA Enable (§3.2.5.18, bit 3): forward the legacy VGA ranges regardless
 * of the windows: memory A0000h-BFFFFh, I/O 3B0h-3BBh and 3C0h-3DFh, with
 * their 10-bit aliases unless VGA 16-bit Decode (bit 4) is set.
 */
static bool hw_fabric_vga_hit(const struct hw_pcidev *dev, bool is_io, uint64_t addr,
			      unsigned int len)
{
	uint16_t bctl = hw_pcidev_get16(dev, PCI_BRIDGE_CONTROL);
	uint64_t a;

	if (!(bctl & PCI_BRIDGE_CTL_VGA))
		return false;
	if (!is_io)
		return hw_fabric_window_hit(0xa0000, 0xbffff, addr, len);
	if (addr >= 0x10000)
		return false;
	a = (bctl & PCI_BRIDGE_CTL_VGA_16BIT) ? addr : (addr & 0x3ff);
	return hw_fabric_window_hit(0x3b0, 0x3bb, a, len) ||
	       hw_fabric_window_hit(0x3c0, 0x3df, a, len);
}

/*
 * Deliver a memory or I/O request on a bus. Returns true when a function
 * completed it. Each function decodes only with its Command register's
 * Memory/I/O Space Enable set (PCIe r6.2 §7.5.1.1.3), which for a bridge
 * gates both its own BARs and forwarding through its windows.
 */
/*
 * Hand a request to a function. Memory requests to an endpoint with a
 * Secure IDE stream (or one that failed and still holds its keys) cross
 * the link as IDE TLPs (PCIe r6.2 §6.33.4, hw/security/ide_link.h).
 */
static bool hw_fabric_func_access(struct hw_pcidev *dev, bool is_io, uint64_t addr,
				  void *buf, unsigned int len, bool write)
{
	int sid;

	if (is_io || hw_fabric_is_bridge(dev) || (sid = hw_ide_link_stream(dev)) < 0)
		return hw_pcidev_mmio(dev, is_io, addr, buf, len, write);
	return hw_ide_link_mmio(dev, (uint8_t)sid, addr, buf, len, write);
}

static bool hw_fabric_route_mem(struct hw_fabric_bus *bus, bool is_io, uint64_t addr,
				void *buf, unsigned int len, bool write)
{
	unsigned int i;

	for (i = 0; i < HW_FABRIC_BUS_SLOTS; i++) {
		struct hw_pcidev *dev = bus->slots[i];
		bool hit;

		if (!dev)
			continue;
		if (is_io ? !hw_pcidev_io_enabled(dev) : !hw_pcidev_mem_enabled(dev))
			continue;
		if (hw_fabric_func_access(dev, is_io, addr, buf, len, write))
			return true;
		if (!hw_fabric_is_bridge(dev))
			continue;
		if (is_io)
			hit = hw_fabric_io_window(dev, addr, len) &&
			      !hw_fabric_isa_blocked(dev, addr);
		else
			hit = hw_fabric_mem_window(dev, addr, len);
		hit = hit || hw_fabric_vga_hit(dev, is_io, addr, len);
		if (!hit)
			continue;
		/* Claimed by the window: below it or nowhere. */
		if (hw_fabric_secondary_down(dev))
			return false;
		return hw_fabric_route_mem(dev->secondary, is_io, addr, buf, len, write);
	}
	return false;
}

static bool hw_fabric_range_hit(const struct hw_desc_range *r, uint64_t addr,
				unsigned int len)
{
	return r->size && addr >= r->base && addr - r->base <= r->size - len &&
	       len <= r->size;
}

static int hw_fabric_access(struct hw_platform *p, bool is_io, uint64_t addr,
			    void *buf, unsigned int len, bool write)
{
	unsigned int i;

	if (!p || !buf)
		return -EINVAL;
	if (len != 1 && len != 2 && len != 4 && (len != 8 || is_io))
		return -EINVAL;
	if (addr % len)
		return -EINVAL;

	/*
	 * Chipset registers are decoded by the root complex itself, ahead of
	 * the PCI apertures: the DMA remapping units' windows (VT-d §8.3,
	 * DRHD Register Base Address). An aligned access never straddles one.
	 */
	for (i = 0; !is_io && i < p->nr_iommus; i++) {
		const struct hw_iommu_info *u = &p->iommus[i].info;

		if (addr < u->base || addr - u->base >= u->size)
			continue;
		if (write)
			return hw_vtd_mmio_write(p->iommus[i].vtd, addr - u->base, buf, len);
		return hw_vtd_mmio_read(p->iommus[i].vtd, addr - u->base, buf, len);
	}

	/* Host bridge apertures (the ACPI _CRS windows) decide which root
	 * bus sees the request. */
	for (i = 0; i < p->nr_host_bridges; i++) {
		struct hw_host_bridge *hb = &p->host_bridges[i];
		bool hit;

		if (is_io)
			hit = hw_fabric_range_hit(&hb->info.io, addr, len);
		else
			hit = hw_fabric_range_hit(&hb->info.mmio, addr, len) ||
			      hw_fabric_range_hit(&hb->info.mmio_pref, addr, len);
		if (!hit)
			continue;
		if (hw_fabric_route_mem(hb->root, is_io, addr, buf, len, write))
			return 0;
		break;
	}
	/* Unclaimed: reads complete with all-ones, writes are dropped. */
	if (!write)
		memset(buf, 0xff, len);
	return 0;
}

int hw_mmio_read(struct hw_platform *p, uint64_t addr, void *buf, unsigned int len)
{
	return hw_fabric_access(p, false, addr, buf, len, false);
}

int hw_mmio_write(struct hw_platform *p, uint64_t addr, const void *buf, unsigned int len)
{
	return hw_fabric_access(p, false, addr, (void *)buf, len, true);
}

int hw_io_read(struct hw_platform *p, uint32_t port, void *buf, unsigned int len)
{
	return hw_fabric_access(p, true, port, buf, len, false);
}

int hw_io_write(struct hw_platform *p, uint32_t port, const void *buf, unsigned int len)
{
	return hw_fabric_access(p, true, port, (void *)buf, len, true);
}
