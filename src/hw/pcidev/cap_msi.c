// SPDX-License-Identifier: MIT
/* MSI capability, PCIe r6.2 §7.7.1. */
#include "base/err.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pci_regs_ext.h"

int hw_cap_add_msi(struct hw_pcidev *dev, const struct hw_cap_msi_cfg *cfg)
{
	unsigned int vectors = cfg->vectors ? cfg->vectors : 1;
	uint16_t ctl, ctl_w, data, mask, len;
	int pos;

	/* Multiple Message Capable encodes 1..32 vectors as log2 (§7.7.1.2). */
	if (!is_power_of_2(vectors) || vectors > 32)
		return -EINVAL;

	/* Layout per §7.7.1: 32/64-bit address, then data, then (optional)
	 * Mask Bits and Pending Bits. */
	data = cfg->addr64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
	mask = cfg->addr64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
	len = cfg->per_vector_mask ? (uint16_t)(mask + 8) : (uint16_t)(data + 4);

	pos = hw_pcidev_add_cap(dev, PCI_CAP_ID_MSI, len, NULL, NULL);
	if (pos < 0)
		return pos;

	/*
	 * Message Control (§7.7.1.2): MSI Enable RW, Multiple Message Capable
	 * RO, Multiple Message Enable RW, 64-bit / Per-Vector Masking /
	 * Extended Message Data Capable RO, Extended Message Data Enable RW
	 * when capable.
	 */
	ctl = (uint16_t)(pl_ffs64(vectors) << 1);
	if (cfg->addr64)
		ctl |= PCI_MSI_FLAGS_64BIT;
	if (cfg->per_vector_mask)
		ctl |= PCI_MSI_FLAGS_MASKBIT;
	ctl_w = PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE;
	if (cfg->ext_msg_data) {
		ctl |= PCI_MSI_FLAGS_EXT_DATA_CAP;
		ctl_w |= PCI_MSI_FLAGS_EXT_DATA_EN;
	}
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_MSI_FLAGS, ctl);
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_MSI_FLAGS, ctl_w);

	/* Message Address (§7.7.1.3): bits 31:2 RW, 1:0 RsvdP. Upper
	 * Address (§7.7.1.4) RW. */
	hw_pcidev_set_wmask32(dev, (uint16_t)pos + PCI_MSI_ADDRESS_LO, 0xfffffffc);
	if (cfg->addr64)
		hw_pcidev_set_wmask32(dev, (uint16_t)pos + PCI_MSI_ADDRESS_HI, 0xffffffff);
	/* Message Data (§7.7.1.5) RW; Extended Message Data (§7.7.1.6) RW
	 * only when capable, RsvdP otherwise. */
	hw_pcidev_set_wmask32(dev, (uint16_t)pos + data,
			      cfg->ext_msg_data ? 0xffffffff : 0x0000ffff);
	/* Mask Bits RW and Pending Bits RO, one per supported vector
	 * (§7.7.1.7/8). */
	if (cfg->per_vector_mask)
		hw_pcidev_set_wmask32(dev, (uint16_t)pos + mask,
				      vectors == 32 ? 0xffffffff : (uint32_t)(BIT(vectors) - 1));
	return pos;
}
