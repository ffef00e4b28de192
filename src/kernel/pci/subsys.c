// SPDX-License-Identifier: MIT
/*
 * pci_subsys: the kernel's PCI state for one hw_platform. Creating it does
 * what Linux does at boot: read firmware's host bridge descriptions, scan
 * every root bus, assign resources and program them.
 */
#include <stdlib.h>

#include "base/err.h"
#include "hw/fabric/fabric.h"
#include "kernel/pci/pci_internal.h"

static void pci_host_window(struct pci_resource *r, const struct hw_desc_range *range,
			    unsigned long flags)
{
	if (!range->size || range->base + (range->size - 1) < range->base)
		return;
	r->flags = flags;
	r->start = range->base;
	r->end = range->base + range->size - 1;
}

static int pci_add_host_bridge(struct pci_subsys *sys, unsigned int idx)
{
	struct hw_host_bridge_info info;
	struct pci_host_bridge *hb;
	int rc;

	rc = hw_platform_host_bridge_info(sys->hw, idx, &info);
	if (rc < 0)
		return rc;
	hb = pci_host_bridge_alloc(sys);
	if (!hb)
		return -ENOMEM;
	hb->index = idx;
	hb->segment = info.segment;
	hb->bus_start = info.bus_start;
	hb->bus_end = info.bus_end < info.bus_start ? info.bus_start : info.bus_end;
	pci_host_window(&hb->windows[PCI_WIN_IO], &info.io, IORESOURCE_IO);
	pci_host_window(&hb->windows[PCI_WIN_MEM], &info.mmio, IORESOURCE_MEM);
	pci_host_window(&hb->windows[PCI_WIN_PREF], &info.mmio_pref,
			IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64);
	return pci_scan_host_bridge(hb);
}

struct pci_subsys *pci_subsys_create(struct hw_platform *hw)
{
	struct pci_subsys *sys;
	unsigned int i, n;
	int rc;

	sys = pci_subsys_alloc(hw);
	if (!sys)
		return ERR_PTR(-ENOMEM);
	n = hw_platform_nr_host_bridges(hw);
	for (i = 0; i < n; i++) {
		rc = pci_add_host_bridge(sys, i);
		if (rc < 0)
			goto err_free_sys;
	}
	rc = pci_assign_resources(sys);
	if (rc < 0)
		goto err_free_sys;
	rc = pci_program_resources(sys);
	if (rc < 0)
		goto err_free_sys;
	return sys;

err_free_sys:
	pci_subsys_free(sys);
	return ERR_PTR(rc);
}

void pci_subsys_destroy(struct pci_subsys *sys)
{
	pci_subsys_free(sys);
}
