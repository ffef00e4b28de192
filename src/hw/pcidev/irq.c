// SPDX-License-Identifier: MIT
/* Interrupt signalling of a function; see irq.h. */
#include "base/err.h"
#include "hw/pcidev/irq.h"
#include "hw/pcidev/pcidev.h"

int hw_pcidev_notify(struct hw_pcidev *dev, unsigned int vector)
{
	uint16_t pos;

	/* Software must not enable both (PCIe r6.2 §6.1.4); MSI-X wins here. */
	pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_MSIX);
	if (pos && (hw_pcidev_get16(dev, pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE))
		return hw_cap_msix_signal(dev, vector);
	pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_MSI);
	if (pos && (hw_pcidev_get16(dev, pos + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE))
		return hw_cap_msi_signal(dev, vector);
	return -ENOTSUP;
}
