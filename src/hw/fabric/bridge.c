// SPDX-License-Identifier: MIT
/*
 * Type 1 header layout of the bridge model. Register semantics follow
 * PCI-to-PCI Bridge r1.2 §3.2.5 and, for PCIe functions, PCIe r6.2
 * §7.5.1.3, which turns several conventional bits into RO 0.
 */
#include <stdlib.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/fabric/bridge.h"
#include "hw/pcidev/pci_regs_ext.h"

struct hw_bridge {
	struct hw_pcidev dev;
};

static void hw_bridge_free(struct hw_pcidev *dev)
{
	free(container_of(dev, struct hw_bridge, dev));
}

static const struct hw_pcidev_ops hw_bridge_ops = {
	.name = "pci-bridge",
	.free = hw_bridge_free,
};

/*
 * The engine lays out the type 1 header with PCIe semantics (PCIe r6.2
 * §7.5.1.3): bus numbers, 32-bit I/O and 64-bit prefetchable windows,
 * Bridge Control. A conventional PCI-to-PCI bridge additionally has a RW
 * Secondary Latency Timer (PCI-to-PCI Bridge r1.2 §3.2.5.4) and a RW Master
 * Abort Mode bit (§3.2.5.18), both RO 0 on PCIe.
 */
static void hw_bridge_layout(struct hw_pcidev *dev, bool pcie)
{
	if (pcie)
		return;
	hw_pcidev_set_wmask32(dev, PCI_PRIMARY_BUS, 0xffffffff);
	hw_pcidev_set_wmask16(dev, PCI_BRIDGE_CONTROL,
			      PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
			      PCI_BRIDGE_CTL_ISA | PCI_BRIDGE_CTL_VGA |
			      PCI_BRIDGE_CTL_VGA_16BIT | PCI_BRIDGE_CTL_MASTER_ABORT |
			      PCI_BRIDGE_CTL_BUS_RESET);
}

struct hw_pcidev *hw_bridge_create(const char *name, bool pcie)
{
	struct hw_bridge *br;
	int rc;

	br = pl_zalloc(sizeof(*br));
	if (!br)
		return ERR_PTR(-ENOMEM);
	rc = hw_pcidev_init(&br->dev, PCI_HEADER_TYPE_BRIDGE, &hw_bridge_ops, name);
	if (rc < 0)
		goto err_free_br;
	hw_bridge_layout(&br->dev, pcie);
	return &br->dev;

err_free_br:
	free(br);
	return ERR_PTR(rc);
}
