// SPDX-License-Identifier: MIT
/* Alternative Routing-ID Interpretation Extended Capability, PCIe r6.2 §7.8.7. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

int hw_cap_add_ari(struct hw_pcidev *dev, const struct hw_cap_ari_cfg *cfg)
{
	uint16_t cap = 0, ctl_w = 0;
	int pos;

	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ARI, 1, PCI_EXT_CAP_ARI_SIZEOF,
				    NULL, NULL);
	if (pos < 0)
		return pos;
	/* ARI Capability (§7.8.7.2): Function Group capabilities and Next
	 * Function Number, all RO. ARI Control (§7.8.7.3): each Function
	 * Groups Enable RW when capable; Function Group RW when either is. */
	if (cfg->mfvc) {
		cap |= PCI_ARI_CAP_MFVC;
		ctl_w |= PCI_ARI_CTRL_MFVC;
	}
	if (cfg->acs_groups) {
		cap |= PCI_ARI_CAP_ACS;
		ctl_w |= PCI_ARI_CTRL_ACS;
	}
	if (ctl_w)
		ctl_w |= 0x0070;	/* Function Group, bits 6:4 */
	cap |= (uint16_t)(cfg->next_function << 8);
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_ARI_CAP, cap);
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_ARI_CTRL, ctl_w);
	return pos;
}
