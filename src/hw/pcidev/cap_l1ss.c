// SPDX-License-Identifier: MIT
/* L1 PM Substates Extended Capability, PCIe r6.2 §7.8.3. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

#define HW_L1SS_LEN	0x10

int hw_cap_add_l1ss(struct hw_pcidev *dev, const struct hw_cap_l1ss_cfg *cfg)
{
	uint32_t cap = 0, ctl1_w = 0;
	int pos;

	/* Port T_POWER_ON Scale 11b is reserved (§7.8.3.2); ASPM L1.2 needs
	 * PCI-PM L1.2 support. */
	if (cfg->t_power_on_scale > 2 || cfg->t_power_on_value > 31 ||
	    (cfg->aspm_l12 && !cfg->pcipm_l12))
		return -EINVAL;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_L1SS, 1, HW_L1SS_LEN, NULL, NULL);
	if (pos < 0)
		return pos;
	if (cfg->pcipm_l12)
		cap |= PCI_L1SS_CAP_PCIPM_L1_2;
	if (cfg->pcipm_l11)
		cap |= PCI_L1SS_CAP_PCIPM_L1_1;
	if (cfg->aspm_l12)
		cap |= PCI_L1SS_CAP_ASPM_L1_2;
	if (cfg->aspm_l11)
		cap |= PCI_L1SS_CAP_ASPM_L1_1;
	ctl1_w = cap & PCI_L1SS_CTL1_L1SS_MASK;	/* enables mirror the supports */
	if (cap)
		cap |= PCI_L1SS_CAP_L1_PM_SS;
	cap |= (uint32_t)cfg->common_mode_restore << 8 |
	       (uint32_t)cfg->t_power_on_scale << 16 |
	       (uint32_t)cfg->t_power_on_value << 19;
	hw_pcidev_set32(dev, (uint16_t)pos + PCI_L1SS_CAP, cap);
	/*
	 * Control 1 (§7.8.3.3): each enable RW when supported;
	 * Common_Mode_Restore_Time and the LTR_L1.2_THRESHOLD fields RW
	 * when L1.2 is supported. Control 2 (§7.8.3.4): T_POWER_ON RW.
	 */
	if (cfg->pcipm_l12 || cfg->aspm_l12)
		ctl1_w |= PCI_L1SS_CTL1_CM_RESTORE_TIME | PCI_L1SS_CTL1_LTR_L12_TH_VALUE |
			  PCI_L1SS_CTL1_LTR_L12_TH_SCALE;
	hw_pcidev_set_wmask32(dev, (uint16_t)pos + PCI_L1SS_CTL1, ctl1_w);
	if (cap & PCI_L1SS_CAP_L1_PM_SS)
		hw_pcidev_set_wmask32(dev, (uint16_t)pos + PCI_L1SS_CTL2,
				      PCI_L1SS_CTL2_T_PWR_ON_SCALE | PCI_L1SS_CTL2_T_PWR_ON_VALUE);
	return pos;
}
