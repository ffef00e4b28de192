// SPDX-License-Identifier: MIT
/*
 * Write the result of resource assignment (setup-bus.c) into the hardware:
 * BARs (Linux pci_update_resource), bridge windows (Linux pci_setup_bridge)
 * and decode enables.
 *
 * Enables: Linux leaves decoding to pci_enable_device() when a driver binds.
 * pcilab has no drivers at this point but its tools must be able to reach
 * MMIO, so we do what pci_enable_device() + pci_enable_bridge() would:
 *   - a function with assigned memory (I/O) BARs gets Memory (I/O) Space
 *     Enable, unless one of its BARs of that type could not be assigned —
 *     then that decode stays off, as pci_enable_resources() refuses it;
 *   - a bridge forwards what its windows hold and gets Bus Master Enable so
 *     DMA from below can go upstream;
 *   - endpoints' Bus Master Enable is left to whoever drives them (VFIO,
 *     drivers), as in Linux.
 * Claimed (firmware) assignments are left untouched.
 */
#include "base/log.h"
#include "kernel/pci/pci_internal.h"

static bool pci_res_placed(const struct pci_resource *r)
{
	return r->flags && !(r->flags & (IORESOURCE_UNSET | IORESOURCE_DISABLED)) &&
	       !(r->state & (PCI_RES_FAILED | PCI_RES_UNUSED));
}

static void pci_update_bar(struct pci_dev *dev, unsigned int idx)
{
	struct pci_resource *r = &dev->resource[idx];
	uint64_t addr = pci_res_placed(r) ? r->start : 0;
	int pos;

	if (!r->flags || (r->state & PCI_RES_FIXED))
		return;
	if (idx == PCI_ROM_RESOURCE) {
		/* Address only; ROM decode stays disabled (PCI r3.0 §6.2.5.2). */
		pos = pci_is_bridge(dev) ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
		pci_write_config_dword(dev, pos, (uint32_t)addr & PCI_ROM_ADDRESS_MASK);
		return;
	}
	pos = PCI_BASE_ADDRESS_0 + 4 * (int)idx;
	/* Low bits of a BAR are read-only type bits: writing 0 there is fine. */
	pci_write_config_dword(dev, pos, (uint32_t)addr);
	if (r->flags & IORESOURCE_MEM_64)
		pci_write_config_dword(dev, pos + 4, (uint32_t)(addr >> 32));
}

/* PCI-to-PCI Bridge r1.2 §3.2.5.6, §3.2.5.11: I/O Base/Limit (+Upper 16). */
static void pci_setup_bridge_io(struct pci_dev *br)
{
	struct pci_resource *r = &br->resource[PCI_BRIDGE_IO_WINDOW];
	uint32_t l = 0x00f0, upper = 0;	/* base > limit: closed */

	if (!r->flags || (r->state & PCI_RES_FIXED))
		return;
	if (pci_res_placed(r)) {
		l = (uint32_t)(((r->start >> 8) & 0xf0) | (((r->end >> 8) & 0xf0) << 8));
		upper = (uint32_t)(((r->start >> 16) & 0xffff) | ((r->end >> 16) << 16));
	}
	/* Close the window while the halves disagree. */
	pci_write_config_dword(br, PCI_IO_BASE_UPPER16, 0x0000ffff);
	pci_write_config_word(br, PCI_IO_BASE, (uint16_t)l);
	pci_write_config_dword(br, PCI_IO_BASE_UPPER16, upper);
}

/* §3.2.5.8: Memory Base/Limit, address bits 31:20. */
static void pci_setup_bridge_mmio(struct pci_dev *br)
{
	struct pci_resource *r = &br->resource[PCI_BRIDGE_MEM_WINDOW];
	uint32_t l = 0x0000fff0;

	if (!r->flags || (r->state & PCI_RES_FIXED))
		return;
	if (pci_res_placed(r))
		l = (uint32_t)(((r->start >> 16) & 0xfff0) | ((r->end >> 16) & 0xfff0) << 16);
	pci_write_config_dword(br, PCI_MEMORY_BASE, l);
}

/* §3.2.5.9-§3.2.5.10: Prefetchable Base/Limit (+Upper 32). */
static void pci_setup_bridge_mmio_pref(struct pci_dev *br)
{
	struct pci_resource *r = &br->resource[PCI_BRIDGE_PREF_MEM_WINDOW];
	uint32_t l = 0x0000fff0, ubase = 0, ulimit = 0;

	if (!r->flags || (r->state & PCI_RES_FIXED))
		return;
	if (pci_res_placed(r)) {
		l = (uint32_t)(((r->start >> 16) & 0xfff0) | ((r->end >> 16) & 0xfff0) << 16);
		ubase = (uint32_t)(r->start >> 32);
		ulimit = (uint32_t)(r->end >> 32);
	}
	if (br->pref_64)
		pci_write_config_dword(br, PCI_PREF_LIMIT_UPPER32, 0);
	pci_write_config_dword(br, PCI_PREF_MEMORY_BASE, l);
	if (br->pref_64) {
		pci_write_config_dword(br, PCI_PREF_BASE_UPPER32, ubase);
		pci_write_config_dword(br, PCI_PREF_LIMIT_UPPER32, ulimit);
	}
}

static void pci_program_dev(struct pci_dev *dev)
{
	unsigned int nbars = pci_is_bridge(dev) ? 2 : PCI_STD_NUM_BARS, idx;
	bool mem = false, io = false, mem_bad = false, io_bad = false;
	uint16_t cmd, newcmd;

	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	pci_write_config_word(dev, PCI_COMMAND,
			      cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));

	for (idx = 0; idx < nbars; idx++) {
		struct pci_resource *r = &dev->resource[idx];

		if (!r->flags)
			continue;
		pci_update_bar(dev, idx);
		if (r->flags & IORESOURCE_IO) {
			io |= pci_res_placed(r);
			io_bad |= !pci_res_placed(r);
		} else {
			mem |= pci_res_placed(r);
			mem_bad |= !pci_res_placed(r);
		}
	}
	pci_update_bar(dev, PCI_ROM_RESOURCE);

	newcmd = cmd;
	if (pci_is_bridge(dev)) {
		pci_setup_bridge_io(dev);
		pci_setup_bridge_mmio(dev);
		pci_setup_bridge_mmio_pref(dev);
		/* The subtree matters more than the bridge's own BAR. */
		if (pci_res_placed(&dev->resource[PCI_BRIDGE_IO_WINDOW]))
			io = true, io_bad = false;
		if (pci_res_placed(&dev->resource[PCI_BRIDGE_MEM_WINDOW]) ||
		    pci_res_placed(&dev->resource[PCI_BRIDGE_PREF_MEM_WINDOW]))
			mem = true, mem_bad = false;
		if (dev->subordinate)
			newcmd |= PCI_COMMAND_MASTER;
	}
	if (mem && !mem_bad)
		newcmd |= PCI_COMMAND_MEMORY;
	else if (mem)
		pl_info("pci %s: memory BAR not assigned; memory decoding left disabled",
			pci_name(dev));
	if (io && !io_bad)
		newcmd |= PCI_COMMAND_IO;
	else if (io)
		pl_info("pci %s: I/O BAR not assigned; I/O decoding left disabled",
			pci_name(dev));
	pci_write_config_word(dev, PCI_COMMAND, newcmd);
}

int pci_program_resources(struct pci_subsys *sys)
{
	struct pci_dev *dev;

	pci_for_each_dev(sys, dev)
		pci_program_dev(dev);
	return 0;
}
