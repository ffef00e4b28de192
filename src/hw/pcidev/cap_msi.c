// SPDX-License-Identifier: MIT
/* MSI capability, PCIe r6.2 §7.7.1. */
#include "base/err.h"
#include "hw/fabric/msi.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/irq.h"
#include "hw/pcidev/pci_regs_ext.h"

/* Register offsets of one MSI capability, from its RO Message Control. */
struct hw_msi_layout {
	uint16_t pos, ctl;
	uint16_t data, mask, pending;	/* mask/pending 0: no per-vector masking */
	unsigned int nr;		/* vectors software allocated (MME) */
};

static bool hw_msi_layout(const struct hw_pcidev *dev, struct hw_msi_layout *l)
{
	unsigned int mme;

	l->pos = hw_pcidev_find_cap(dev, PCI_CAP_ID_MSI);
	if (!l->pos)
		return false;
	l->ctl = hw_pcidev_get16(dev, l->pos + PCI_MSI_FLAGS);
	l->data = l->pos + ((l->ctl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
	l->mask = l->pending = 0;
	if (l->ctl & PCI_MSI_FLAGS_MASKBIT) {
		l->mask = l->pos + ((l->ctl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
		l->pending = l->mask + 4;
	}
	/* Multiple Message Enable (§7.7.1.2): software must not allocate
	 * more than Multiple Message Capable; a larger value is clamped. */
	mme = (l->ctl & PCI_MSI_FLAGS_QSIZE) >> 4;
	if (mme > (unsigned int)(l->ctl & PCI_MSI_FLAGS_QMASK) >> 1)
		mme = (unsigned int)(l->ctl & PCI_MSI_FLAGS_QMASK) >> 1;
	l->nr = 1u << mme;
	return true;
}

/* The message of vector vec: Message Data with its low log2(nr) bits
 * replaced by the vector number (§7.7.1.2, §7.7.1.5); the upper 16 bits
 * from Extended Message Data when that is enabled (§7.7.1.6). */
static void hw_msi_message(const struct hw_pcidev *dev, const struct hw_msi_layout *l,
			   unsigned int vec, uint64_t *addr, uint32_t *data)
{
	uint32_t d = hw_pcidev_get16(dev, l->data);

	*addr = hw_pcidev_get32(dev, l->pos + PCI_MSI_ADDRESS_LO);
	if (l->ctl & PCI_MSI_FLAGS_64BIT)
		*addr |= (uint64_t)hw_pcidev_get32(dev, l->pos + PCI_MSI_ADDRESS_HI) << 32;
	if (l->ctl & PCI_MSI_FLAGS_EXT_DATA_EN)
		d |= (uint32_t)hw_pcidev_get16(dev, l->data + 2) << 16;
	*data = (d & ~(l->nr - 1u)) | vec;
}

/* Send every pending vector that is now unmasked (§6.1.4.5). */
static void hw_msi_flush(struct hw_pcidev *dev)
{
	struct hw_msi_layout l;
	uint32_t pend, mask, data;
	uint64_t addr;
	unsigned int v;

	if (!hw_msi_layout(dev, &l) || !l.mask || !(l.ctl & PCI_MSI_FLAGS_ENABLE))
		return;
	pend = hw_pcidev_get32(dev, l.pending);
	mask = hw_pcidev_get32(dev, l.mask);
	for (v = 0; v < 32; v++) {
		if (!(pend & BIT(v)) || (mask & BIT(v)) || v >= l.nr)
			continue;
		pend &= ~(uint32_t)BIT(v);
		hw_pcidev_set32(dev, l.pending, pend);
		hw_msi_message(dev, &l, v, &addr, &data);
		hw_msi_send(dev, addr, data);
	}
}

/* Message Control (enable) or Mask Bits written. */
static void hw_msi_cfg_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			     uint32_t val, uint32_t old, unsigned int len)
{
	hw_msi_flush(dev);
}

static const struct hw_pcicap_ops hw_msi_ops = {
	.write = hw_msi_cfg_write,
};

int hw_cap_msi_signal(struct hw_pcidev *dev, unsigned int vec)
{
	struct hw_msi_layout l;
	uint32_t data;
	uint64_t addr;

	if (!hw_msi_layout(dev, &l))
		return -ENOENT;
	if (!(l.ctl & PCI_MSI_FLAGS_ENABLE))
		return -ENOTSUP;
	if (vec >= l.nr)
		return -EINVAL;
	/* Pending Bits are RO to software, set by the function (§7.7.1.8). */
	if (l.mask && (hw_pcidev_get32(dev, l.mask) & BIT(vec))) {
		hw_pcidev_set32(dev, l.pending, hw_pcidev_get32(dev, l.pending) | (uint32_t)BIT(vec));
		return 0;
	}
	hw_msi_message(dev, &l, vec, &addr, &data);
	return hw_msi_send(dev, addr, data);
}

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

	pos = hw_pcidev_add_cap(dev, PCI_CAP_ID_MSI, len, &hw_msi_ops, NULL);
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
