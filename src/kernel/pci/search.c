// SPDX-License-Identifier: MIT
/*
 * Requester IDs a function's DMA can carry by the time it reaches the root
 * complex (Linux's pci_for_each_dma_alias(), drivers/pci/search.c).
 *
 * A function's own Requester ID is always one. Walking up, PCIe switch and
 * root ports forward requests unchanged, but a bridge whose secondary side
 * is conventional PCI or PCI-X takes ownership of requests it forwards:
 *   - a PCIe-to-PCI/PCI-X bridge tags them with (secondary bus, 0.0)
 *     (PCI Express to PCI/PCI-X Bridge r1.0 §2.3, PCIe r6.2 §2.2.6.2);
 *   - a conventional PCI-to-PCI bridge, or a PCI/PCI-X-to-PCIe bridge, may
 *     use its own Requester ID.
 * Device-specific alias quirks (Linux's dma_alias_mask) are not modelled.
 */
#include "base/err.h"
#include "kernel/pci/pci.h"

int pci_for_each_dma_alias(struct pci_dev *dev,
			   int (*fn)(struct pci_dev *dev, uint16_t alias, void *data),
			   void *data)
{
	struct pci_bus *bus;
	int ret;

	ret = fn(dev, pci_dev_id(dev), data);
	if (ret)
		return ret;

	for (bus = dev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *br = bus->self;

		if (!br)
			continue;
		if (pci_is_pcie(br)) {
			switch (br->pcie_type) {
			case PCI_EXP_TYPE_ROOT_PORT:
			case PCI_EXP_TYPE_UPSTREAM:
			case PCI_EXP_TYPE_DOWNSTREAM:
				/* Pure PCIe forwarding keeps the ID. */
				continue;
			case PCI_EXP_TYPE_PCI_BRIDGE:
				ret = fn(br, (uint16_t)(bus->number << 8 | PCI_DEVFN(0, 0)),
					 data);
				break;
			case PCI_EXP_TYPE_PCIE_BRIDGE:
				ret = fn(br, pci_dev_id(br), data);
				break;
			default:
				continue;
			}
		} else {
			ret = fn(br, pci_dev_id(br), data);
		}
		if (ret)
			return ret;
	}
	return 0;
}
