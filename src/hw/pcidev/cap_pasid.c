// SPDX-License-Identifier: MIT
/* PASID Extended Capability, PCIe r6.2 §7.8.8. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

int hw_cap_add_pasid(struct hw_pcidev *dev, const struct hw_cap_pasid_cfg *cfg)
{
	unsigned int width = cfg->width ? cfg->width : 20;
	uint16_t cap = 0, ctl_w = PCI_PASID_CTRL_ENABLE;
	int pos;

	/* Max PASID Width is 1..20 bits (§7.8.8.2); 0 selects the full 20. */
	if (width > 20)
		return -EINVAL;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_PASID, 1, PCI_EXT_CAP_PASID_SIZEOF,
				    NULL, NULL);
	if (pos < 0)
		return pos;
	if (cfg->exec) {
		cap |= PCI_PASID_CAP_EXEC;
		ctl_w |= PCI_PASID_CTRL_EXEC;
	}
	if (cfg->priv) {
		cap |= PCI_PASID_CAP_PRIV;
		ctl_w |= PCI_PASID_CTRL_PRIV;
	}
	cap |= (uint16_t)(width << 8);
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_PASID_CAP, cap);
	/* PASID Control (§7.8.8.3): Enable RW; Execute/Privileged Mode
	 * Enable RW when supported, RO 0 otherwise. */
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_PASID_CTRL, ctl_w);
	return pos;
}
