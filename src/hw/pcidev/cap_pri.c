// SPDX-License-Identifier: MIT
/* Page Request Extended Capability, PCIe r6.2 §10.5.2. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

/*
 * Page Request Control (§10.5.2.2) / Status (§10.5.2.3): Stopped is set
 * while the interface is disabled with nothing outstanding; this model
 * never has page requests outstanding, so Stopped is simply !Enable.
 * Reset is write-only and reads 0 (it is not in wmask).
 */
static void hw_pri_write(struct hw_pcidev *dev, void *opaque, uint16_t off,
			 uint32_t val, uint32_t old, unsigned int len)
{
	uint16_t pos = hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_PRI);
	uint16_t ctl, sta;

	if (!pos || !hw_cfg_write_hits(off, val, len, pos + PCI_PRI_CTRL, 2, NULL, NULL))
		return;
	ctl = hw_pcidev_get16(dev, pos + PCI_PRI_CTRL);
	sta = hw_pcidev_get16(dev, pos + PCI_PRI_STATUS) & ~PCI_PRI_STATUS_STOPPED;
	if (!(ctl & PCI_PRI_CTRL_ENABLE))
		sta |= PCI_PRI_STATUS_STOPPED;
	hw_pcidev_set16(dev, pos + PCI_PRI_STATUS, sta);
}

static const struct hw_pcicap_ops hw_pri_ops = {
	.write = hw_pri_write,
};

int hw_cap_add_pri(struct hw_pcidev *dev, const struct hw_cap_pri_cfg *cfg)
{
	int pos;

	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_PRI, 1, PCI_EXT_CAP_PRI_SIZEOF,
				    &hw_pri_ops, NULL);
	if (pos < 0)
		return pos;
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
	/* Status: Response Failure and Unexpected Page Request Group Index
	 * RW1C, Stopped RO (default 1), PRG Response PASID Required RO. */
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_PRI_STATUS,
			PCI_PRI_STATUS_STOPPED |
			(cfg->prg_response_pasid ? PCI_PRI_STATUS_PASID : 0));
	hw_pcidev_set_w1cmask16(dev, (uint16_t)pos + PCI_PRI_STATUS,
				PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI);
	/* Outstanding Page Request Capacity RO, Allocation RW (§10.5.2.4/5). */
	hw_pcidev_set32(dev, (uint16_t)pos + PCI_PRI_MAX_REQ, cfg->outstanding_capacity);
	hw_pcidev_set_wmask32(dev, (uint16_t)pos + PCI_PRI_ALLOC_REQ, 0xffffffff);
	return pos;
}
