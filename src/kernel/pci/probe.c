// SPDX-License-Identifier: MIT
/*
 * Enumeration, the way Linux's probe.c does it, through configuration
 * requests only: find functions slot by slot, learn their headers and BARs,
 * give bridges bus numbers and scan what is behind them.
 *
 * Bus numbers (Linux pci_scan_bridge_extend): pass 0 keeps every bridge
 * firmware configured sensibly (primary = this bus, secondary above it,
 * range inside this bus's range and clear of its siblings) and scans behind
 * it; a nonsensical configuration is cleared. Pass 1 numbers the remaining
 * bridges depth first from the highest number used so far. While a bridge's
 * subtree is scanned its Subordinate Bus Number is temporarily the end of
 * the parent's range (Linux uses FFh; the parent's end keeps every value
 * inside the host bridge's range), then the real maximum.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/log.h"
#include "kernel/pci/pci_internal.h"

static int pci_scan_child_bus(struct pci_bus *bus, unsigned int *max);

static int pci_cfg_rd(struct pci_dev *dev, int where, unsigned int len, uint32_t *val)
{
	return pci_bus_read_config(dev->bus, dev->devfn, where, len, val);
}

static int pci_cfg_wr(struct pci_dev *dev, int where, unsigned int len, uint32_t val)
{
	return pci_bus_write_config(dev->bus, dev->devfn, where, len, val);
}

/*
 * Size one BAR (PCI r3.0 §6.2.5.1): write all-ones, read back the mask of
 * writable address bits, restore. Returns the number of BAR slots used
 * (2 for a 64-bit BAR), or -errno.
 */
static int pci_read_base(struct pci_dev *dev, unsigned int idx, unsigned int nbars,
			 int pos, bool rom)
{
	struct pci_resource *res = &dev->resource[idx];
	uint32_t l, sz, hi = 0, szhi = 0, ones = rom ? ~(uint32_t)PCI_ROM_ADDRESS_ENABLE : ~0u;
	uint64_t l64, sz64, size;
	unsigned long flags;
	int slots = 1, rc;

	rc = pci_cfg_rd(dev, pos, 4, &l);
	if (rc < 0)
		return rc;
	pci_cfg_wr(dev, pos, 4, l | ones);
	pci_cfg_rd(dev, pos, 4, &sz);
	pci_cfg_wr(dev, pos, 4, l);
	if (l == 0xffffffffu)
		l = 0;
	if (sz == 0xffffffffu)
		sz = 0;

	if (rom) {
		flags = IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_READONLY |
			IORESOURCE_SIZEALIGN;
		l64 = l & PCI_ROM_ADDRESS_MASK;
		sz64 = sz & PCI_ROM_ADDRESS_MASK;
	} else if (l & PCI_BASE_ADDRESS_SPACE_IO) {
		flags = IORESOURCE_IO | IORESOURCE_SIZEALIGN;
		l64 = l & PCI_BASE_ADDRESS_IO_MASK;
		/* x86 port space is 64 KiB: size from the low 16 bits. */
		sz64 = sz & PCI_BASE_ADDRESS_IO_MASK & 0xffff;
	} else {
		flags = IORESOURCE_MEM | IORESOURCE_SIZEALIGN;
		if (l & PCI_BASE_ADDRESS_MEM_PREFETCH)
			flags |= IORESOURCE_PREFETCH;
		l64 = l & PCI_BASE_ADDRESS_MEM_MASK;
		sz64 = sz & PCI_BASE_ADDRESS_MEM_MASK;
		/* A 64-bit BAR in the last slot has no upper half: on a type 1
		 * header the next register is the bus numbers, never size it. */
		if ((l & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
		    idx + 1 < nbars) {
			flags |= IORESOURCE_MEM_64;
			slots = 2;
			pci_cfg_rd(dev, pos + 4, 4, &hi);
			pci_cfg_wr(dev, pos + 4, 4, ~0u);
			pci_cfg_rd(dev, pos + 4, 4, &szhi);
			pci_cfg_wr(dev, pos + 4, 4, hi);
			l64 |= (uint64_t)hi << 32;
			sz64 |= (uint64_t)szhi << 32;
		}
	}

	if (!sz64) {
		/* Unimplemented: no writable address bits. */
		res->flags = 0;
		return slots;
	}
	size = sz64 & -sz64;		/* lowest writable bit = size */
	res->flags = flags;
	res->align = size;
	if (l64 && !(l64 & (size - 1)) && l64 + (size - 1) >= l64) {
		res->start = l64;
		res->end = l64 + size - 1;
		res->state = PCI_RES_FW;
	} else {
		res->flags |= IORESOURCE_UNSET;
		res->start = 0;
		res->end = size - 1;
	}
	return slots;
}

/* Probe a read-only-zero window register by writing a pattern, as Linux's
 * pci_read_bridge_windows does. */
static uint32_t pci_probe_window(struct pci_dev *dev, int pos, unsigned int len,
				 uint32_t pattern)
{
	uint32_t v;

	pci_cfg_rd(dev, pos, len, &v);
	if (!v) {
		pci_cfg_wr(dev, pos, len, pattern);
		pci_cfg_rd(dev, pos, len, &v);
		pci_cfg_wr(dev, pos, len, 0);
	}
	return v;
}

static void pci_window_from_fw(struct pci_resource *r, unsigned long flags,
			       uint64_t base, uint64_t limit)
{
	r->flags = flags;
	/* A window at address 0 is the reset value (base = limit = 0), not
	 * something firmware set up. */
	if (base && base <= limit) {
		r->start = base;
		r->end = limit;
		r->state = PCI_RES_FW;
	} else {
		r->flags |= IORESOURCE_UNSET;
		r->start = 0;
		r->end = 0;
	}
}

/* Bridge windows (PCI-to-PCI Bridge r1.2 §3.2.5.6-§3.2.5.11). */
static void pci_read_bridge_windows(struct pci_dev *dev)
{
	uint32_t io, pmem, mem, up = 0, ubase = 0, ulimit = 0;
	uint64_t base, limit;

	io = pci_probe_window(dev, PCI_IO_BASE, 2, 0xe0f0);
	dev->io_window = io != 0;
	pmem = pci_probe_window(dev, PCI_PREF_MEMORY_BASE, 4, 0xffe0fff0);
	dev->pref_window = pmem != 0;
	dev->pref_64 = (pmem & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64;

	if (dev->io_window) {
		pci_cfg_rd(dev, PCI_IO_BASE, 2, &io);
		if ((io & PCI_IO_RANGE_TYPE_MASK) == PCI_IO_RANGE_TYPE_32)
			pci_cfg_rd(dev, PCI_IO_BASE_UPPER16, 4, &up);
		base = ((uint64_t)(io & PCI_IO_RANGE_MASK & 0xf0) << 8) |
		       ((uint64_t)(up & 0xffff) << 16);
		limit = ((uint64_t)((io >> 8) & PCI_IO_RANGE_MASK & 0xf0) << 8) |
			((uint64_t)(up >> 16) << 16) | 0xfff;
		pci_window_from_fw(&dev->resource[PCI_BRIDGE_IO_WINDOW], IORESOURCE_IO,
				   base, limit);
	}

	pci_cfg_rd(dev, PCI_MEMORY_BASE, 4, &mem);
	base = (uint64_t)(mem & PCI_MEMORY_RANGE_MASK & 0xfff0) << 16;
	limit = ((uint64_t)((mem >> 16) & PCI_MEMORY_RANGE_MASK & 0xfff0) << 16) | 0xfffff;
	pci_window_from_fw(&dev->resource[PCI_BRIDGE_MEM_WINDOW], IORESOURCE_MEM,
			   base, limit);

	if (dev->pref_window) {
		pci_cfg_rd(dev, PCI_PREF_MEMORY_BASE, 4, &pmem);
		if (dev->pref_64) {
			pci_cfg_rd(dev, PCI_PREF_BASE_UPPER32, 4, &ubase);
			pci_cfg_rd(dev, PCI_PREF_LIMIT_UPPER32, 4, &ulimit);
		}
		base = ((uint64_t)(pmem & PCI_PREF_RANGE_MASK & 0xfff0) << 16) |
		       ((uint64_t)ubase << 32);
		limit = ((uint64_t)((pmem >> 16) & PCI_PREF_RANGE_MASK & 0xfff0) << 16) |
			((uint64_t)ulimit << 32) | 0xfffff;
		pci_window_from_fw(&dev->resource[PCI_BRIDGE_PREF_MEM_WINDOW],
				   IORESOURCE_MEM | IORESOURCE_PREFETCH |
				   (dev->pref_64 ? IORESOURCE_MEM_64 : 0), base, limit);
	}
}

/*
 * BARs and ROM (Linux pci_read_bases). Decoding is off while a BAR holds
 * the all-ones sizing pattern, so the function never claims a bogus range
 * (Linux __pci_read_base); the Command register is restored after.
 */
static int pci_read_bases(struct pci_dev *dev, unsigned int nbars, int rom_pos)
{
	uint32_t cmd;
	unsigned int i;
	int rc = 0;

	pci_cfg_rd(dev, PCI_COMMAND, 2, &cmd);
	if (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		pci_cfg_wr(dev, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < nbars; ) {
		rc = pci_read_base(dev, i, nbars, PCI_BASE_ADDRESS_0 + 4 * (int)i, false);
		if (rc < 0)
			goto out;
		i += (unsigned int)rc;
	}
	rc = pci_read_base(dev, PCI_ROM_RESOURCE, 0, rom_pos, true);
	if (rc > 0)
		rc = 0;
out:
	if (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		pci_cfg_wr(dev, PCI_COMMAND, 2, cmd);
	return rc;
}

/* Extended config space is usable when offset 100h reads sensibly and is
 * not an alias of the header (Linux pci_cfg_space_size_ext, PCIe r6.2
 * §7.2.2). */
static unsigned int pci_cfg_space_size(struct pci_dev *dev)
{
	uint32_t status, hdr, v;
	int pos;

	if (dev->bus->no_ext_cfg)
		return PCI_CFG_SPACE_SIZE;
	/* Linux pci_cfg_space_size(): host bridges are probed for extended
	 * space even without a PCI Express capability (chipsets often lack
	 * one); other conventional functions have 256 bytes. */
	if (!dev->pcie_cap && (dev->class >> 8) != PCI_CLASS_BRIDGE_HOST)
		return PCI_CFG_SPACE_SIZE;
	if (pci_cfg_rd(dev, PCI_CFG_SPACE_SIZE, 4, &status) < 0 || status == 0xffffffffu)
		return PCI_CFG_SPACE_SIZE;
	pci_cfg_rd(dev, 0, 4, &hdr);
	if (status != hdr)
		return PCI_CFG_SPACE_EXP_SIZE;
	for (pos = 2 * PCI_CFG_SPACE_SIZE; pos < PCI_CFG_SPACE_EXP_SIZE; pos += PCI_CFG_SPACE_SIZE) {
		pci_cfg_rd(dev, pos, 4, &v);
		if (v != hdr)
			return PCI_CFG_SPACE_EXP_SIZE;
	}
	return PCI_CFG_SPACE_SIZE;
}

/* Vendor ID reads that mean "nobody here" (Linux
 * pci_bus_generic_read_dev_vendor_id). */
static bool pci_id_present(uint32_t l)
{
	return l != 0xffffffffu && l != 0 && l != 0x0000ffffu && l != 0xffff0000u;
}

/* Returns 0 with *out NULL when the slot is empty. */
static int pci_scan_device(struct pci_bus *bus, unsigned int devfn, struct pci_dev **out)
{
	struct pci_subsys *sys = pci_bus_sys(bus);
	struct pci_dev *dev;
	uint32_t l, class, hdr, flags;
	int rc;

	*out = NULL;
	rc = pci_bus_read_config(bus, devfn, PCI_VENDOR_ID, 4, &l);
	if (rc < 0 || !pci_id_present(l))
		return 0;

	dev = pci_dev_alloc(bus, (uint8_t)devfn);
	if (!dev)
		return -ENOMEM;
	dev->vendor = (uint16_t)l;
	dev->device = (uint16_t)(l >> 16);
	pci_cfg_rd(dev, PCI_CLASS_REVISION, 4, &class);
	dev->revision = (uint8_t)class;
	dev->class = class >> 8;
	pci_cfg_rd(dev, PCI_HEADER_TYPE, 1, &hdr);
	dev->hdr_type = hdr & PCI_HEADER_TYPE_MASK;
	dev->multifunction = hdr & PCI_HEADER_TYPE_MFD;
	dev->is_ari = bus->self && bus->self->ari_enabled;

	if (dev->hdr_type != PCI_HEADER_TYPE_NORMAL &&
	    dev->hdr_type != PCI_HEADER_TYPE_BRIDGE) {
		/* CardBus and reserved layouts are not supported. */
		rc = pci_problem_add(sys, pci_name(dev), "unknown header type %02x, ignoring device",
				     dev->hdr_type);
		free(dev);
		return rc;
	}

	dev->pcie_cap = pci_bus_find_capability(bus, devfn, PCI_CAP_ID_EXP);
	if (dev->pcie_cap) {
		pci_cfg_rd(dev, dev->pcie_cap + PCI_EXP_FLAGS, 2, &flags);
		dev->pcie_type = (uint8_t)((flags & PCI_EXP_FLAGS_TYPE) >> 4);
	}
	dev->cfg_size = pci_cfg_space_size(dev);

	if (dev->hdr_type == PCI_HEADER_TYPE_NORMAL) {
		rc = pci_read_bases(dev, PCI_STD_NUM_BARS, PCI_ROM_ADDRESS);
	} else {
		rc = pci_read_bases(dev, 2, PCI_ROM_ADDRESS1);
		if (rc == 0)
			pci_read_bridge_windows(dev);
	}
	if (rc < 0) {
		free(dev);
		return rc;
	}
	pci_dev_add(dev);
	*out = dev;
	return 0;
}

/*
 * ARI (PCIe r6.2 §6.13, §7.5.3.16): when the port above supports ARI
 * Forwarding and function 0 has an ARI capability, enable forwarding so
 * that device numbers 1-31 become function numbers 8-255 (Linux
 * pci_configure_ari).
 */
static void pci_configure_ari(struct pci_dev *dev)
{
	struct pci_dev *bridge = dev->bus->self;
	uint32_t cap, ctl;

	if (!pci_is_pcie(dev) || dev->devfn || !bridge || !pci_is_pcie(bridge))
		return;
	pci_cfg_rd(bridge, bridge->pcie_cap + PCI_EXP_DEVCAP2, 4, &cap);
	if (cap == 0xffffffffu || !(cap & PCI_EXP_DEVCAP2_ARI))
		return;
	pci_cfg_rd(bridge, bridge->pcie_cap + PCI_EXP_DEVCTL2, 2, &ctl);
	if (pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ARI)) {
		pci_cfg_wr(bridge, bridge->pcie_cap + PCI_EXP_DEVCTL2, 2,
			   ctl | PCI_EXP_DEVCTL2_ARI);
		bridge->ari_enabled = true;
	} else if (ctl & PCI_EXP_DEVCTL2_ARI) {
		pci_cfg_wr(bridge, bridge->pcie_cap + PCI_EXP_DEVCTL2, 2,
			   ctl & ~PCI_EXP_DEVCTL2_ARI);
		bridge->ari_enabled = false;
	}
	dev->is_ari = bridge->ari_enabled;
}

/* A PCIe link has one device on it (PCIe r6.2 §7.3.1): below a root port,
 * a downstream port or a PCI-to-PCIe bridge only device 0 is probed
 * (Linux only_one_child). */
static bool pci_only_one_child(const struct pci_bus *bus)
{
	const struct pci_dev *br = bus->self;

	if (!br || !pci_is_pcie(br))
		return false;
	return br->pcie_type == PCI_EXP_TYPE_ROOT_PORT ||
	       br->pcie_type == PCI_EXP_TYPE_DOWNSTREAM ||
	       br->pcie_type == PCI_EXP_TYPE_PCIE_BRIDGE;
}

/* Next function to probe after fn, or -1 (Linux next_fn / next_ari_fn). */
static int pci_next_fn(struct pci_bus *bus, struct pci_dev *dev, int fn)
{
	uint16_t pos;
	uint32_t cap;
	int next;

	if (bus->self && bus->self->ari_enabled) {
		if (!dev)
			return -1;
		pos = pci_find_ext_capability(dev, PCI_EXT_CAP_ID_ARI);
		if (!pos)
			return -1;
		pci_cfg_rd(dev, pos + PCI_ARI_CAP, 2, &cap);
		next = PCI_ARI_CAP_NFN(cap);
		/* The chain only goes up; 0 ends it (§7.8.7.2). */
		return next <= fn ? -1 : next;
	}
	if (fn >= 7)
		return -1;
	if (dev && !dev->multifunction)
		return -1;
	return fn + 1;
}

static int pci_scan_slot(struct pci_bus *bus, unsigned int devfn)
{
	struct pci_dev *dev;
	int fn = 0, rc;

	if (pci_only_one_child(bus) && devfn > 0)
		return 0;
	do {
		rc = pci_scan_device(bus, devfn + (unsigned int)fn, &dev);
		if (rc < 0)
			return rc;
		if (dev) {
			if (fn > 0)
				dev->multifunction = true;
			else
				pci_configure_ari(dev);
		} else if (fn == 0) {
			/* Function 0 is mandatory (PCI r3.0 §6.2.1). */
			break;
		}
		fn = pci_next_fn(bus, dev, fn);
	} while (fn >= 0);
	return 0;
}

/* Can extended config requests reach the bus behind bridge? Not across a
 * PCIe-to-PCI bridge or conventional bridges (PCIe r6.2 §7.2.2.1). */
static bool pci_bridge_ext_cfg_ok(const struct pci_dev *bridge)
{
	return pci_is_pcie(bridge) && bridge->pcie_type != PCI_EXP_TYPE_PCI_BRIDGE;
}

static struct pci_bus *pci_new_child(struct pci_bus *bus, struct pci_dev *dev,
				     uint8_t secondary, uint8_t subordinate)
{
	struct pci_bus *child = pci_bus_alloc(bus->host, bus, dev, secondary);

	if (!child)
		return NULL;
	child->busn_end = subordinate;
	if (!pci_bridge_ext_cfg_ok(dev))
		child->no_ext_cfg = true;
	return child;
}

static bool pci_busn_overlaps_sibling(const struct pci_bus *bus, unsigned int start,
				      unsigned int end)
{
	const struct pci_bus *child;

	list_for_each_entry(child, &bus->children, node) {
		if (start <= child->busn_end && child->busn_start <= end)
			return true;
	}
	return false;
}

static void pci_busn_str(unsigned int s, unsigned int e, char *buf, size_t len)
{
	if (s == e)
		snprintf(buf, len, "[bus %02x]", s);
	else
		snprintf(buf, len, "[bus %02x-%02x]", s, e);
}

/* PCI-to-PCI Bridge r1.2 §3.2.5.3-§3.2.5.5: Primary/Secondary/Subordinate. */
static int pci_scan_bridge(struct pci_bus *bus, struct pci_dev *dev, unsigned int *max,
			   int pass)
{
	struct pci_subsys *sys = pci_bus_sys(bus);
	unsigned int primary, secondary, subordinate, cmax;
	struct pci_bus *child;
	uint32_t buses;
	char range[24];
	int rc;

	rc = pci_cfg_rd(dev, PCI_PRIMARY_BUS, 4, &buses);
	if (rc < 0)
		return rc;
	primary = buses & 0xff;
	secondary = (buses >> 8) & 0xff;
	subordinate = (buses >> 16) & 0xff;

	if (dev->subordinate)
		return 0;	/* configured in pass 0 */

	if (!pass) {
		if (!secondary && !subordinate)
			return 0;
		if (primary != bus->number || secondary <= bus->number ||
		    secondary > subordinate || subordinate > bus->busn_end ||
		    pci_busn_overlaps_sibling(bus, secondary, subordinate)) {
			pl_info("pci %s: bridge configuration invalid ([bus %02x-%02x]), reconfiguring",
				pci_name(dev), secondary, subordinate);
			/* Stop it forwarding until pass 1 renumbers it. */
			return pci_cfg_wr(dev, PCI_PRIMARY_BUS, 4, buses & 0xff000000u);
		}
		child = pci_new_child(bus, dev, (uint8_t)secondary, (uint8_t)subordinate);
		if (!child)
			return -ENOMEM;
		child->primary = (uint8_t)primary;
		cmax = secondary;
		rc = pci_scan_child_bus(child, &cmax);
		if (rc < 0)
			return rc;
		if (subordinate > *max)
			*max = subordinate;
		return 0;
	}

	if (*max >= bus->busn_end) {
		pci_busn_str(bus->busn_start, bus->busn_end, range, sizeof(range));
		return pci_problem_add(sys, pci_name(dev),
				       "can't allocate child bus %02x from %s; devices behind bridge are not scanned",
				       *max + 1, range);
	}
	/* Clear stale error bits before the bridge forwards anything. */
	pci_cfg_wr(dev, PCI_STATUS, 2, 0xffff);
	(*max)++;
	child = pci_new_child(bus, dev, (uint8_t)*max, bus->busn_end);
	if (!child)
		return -ENOMEM;
	buses = (buses & 0xff000000u) | bus->number | (uint32_t)child->busn_start << 8 |
		(uint32_t)child->busn_end << 16;
	pci_cfg_wr(dev, PCI_PRIMARY_BUS, 4, buses);
	rc = pci_scan_child_bus(child, max);
	if (rc < 0)
		return rc;
	child->busn_end = (uint8_t)*max;
	return pci_cfg_wr(dev, PCI_SUBORDINATE_BUS, 1, *max);
}

/* Scan bus; *max is in: the bus's own number, out: the highest bus number
 * used below it. */
static int pci_scan_child_bus(struct pci_bus *bus, unsigned int *max)
{
	struct pci_dev *dev;
	unsigned int devfn;
	int pass, rc;

	*max = bus->busn_start;
	for (devfn = 0; devfn < 0x100; devfn += 8) {
		rc = pci_scan_slot(bus, devfn);
		if (rc < 0)
			return rc;
	}
	for (pass = 0; pass < 2; pass++) {
		list_for_each_entry(dev, &bus->devices, bus_list) {
			if (!pci_is_bridge(dev))
				continue;
			rc = pci_scan_bridge(bus, dev, max, pass);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int pci_scan_host_bridge(struct pci_host_bridge *hb)
{
	struct pci_bus *root;
	unsigned int max;

	root = pci_bus_alloc(hb, NULL, NULL, hb->bus_start);
	if (!root)
		return -ENOMEM;
	root->busn_end = hb->bus_end;
	return pci_scan_child_bus(root, &max);
}
