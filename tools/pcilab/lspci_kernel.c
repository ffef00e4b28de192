// SPDX-License-Identifier: MIT
/*
 * Snapshots for pcilab lspci from the kernel side: what pciutils gets from
 * sysfs on a live system. Config bytes are read with configuration
 * requests (pci_read_config_dword), BAR sizes come from the kernel's
 * resources, as /sys/bus/pci/devices/X/resource gives them to lspci.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/pci/pci.h"
#include "lspci.h"
#include "lspci_kernel.h"

int lspci_snapshot_kernel(struct pci_subsys *sys, struct lspci_func **out, size_t *nr)
{
	struct lspci_func *funcs;
	struct pci_dev *dev;
	size_t n = 0, i = 0;

	pci_for_each_dev(sys, dev)
		n++;
	funcs = calloc(n ? n : 1, sizeof(*funcs));
	if (!funcs)
		return -ENOMEM;
	pci_for_each_dev(sys, dev) {
		struct lspci_func *f = &funcs[i++];
		unsigned int len = MIN(dev->cfg_size, (unsigned int)LSPCI_CFG_SIZE);

		f->domain = (uint16_t)pci_domain_nr(dev->bus);
		f->bus = dev->bus->number;
		f->dev = (uint8_t)(dev->devfn >> 3);
		f->fn = (uint8_t)(dev->devfn & 7);
		f->cfg_len = len;
		for (unsigned int off = 0; off < len; off += 4) {
			uint32_t v;
			int rc = pci_read_config_dword(dev, (int)off, &v);

			if (rc < 0) {
				free(funcs);
				return rc;
			}
			f->cfg[off] = (uint8_t)v;
			f->cfg[off + 1] = (uint8_t)(v >> 8);
			f->cfg[off + 2] = (uint8_t)(v >> 16);
			f->cfg[off + 3] = (uint8_t)(v >> 24);
		}
		for (unsigned int r = 0; r < PCI_STD_NUM_BARS; r++)
			f->bar_size[r] = pci_resource_size(&dev->resource[r]);
		f->bar_size[6] = pci_resource_size(&dev->resource[PCI_ROM_RESOURCE]);
	}
	*out = funcs;
	*nr = n;
	lspci_sort(funcs, n);
	return 0;
}
