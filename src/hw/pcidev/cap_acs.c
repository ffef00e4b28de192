// SPDX-License-Identifier: MIT
/* Access Control Services Extended Capability, PCIe r6.2 §7.7.8. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

#define HW_ACS_CAP_BITS	0x007f	/* SV TB RR CR UF EC DT */

int hw_cap_add_acs(struct hw_pcidev *dev, const struct hw_cap_acs_cfg *cfg)
{
	unsigned int ndw = 0, i;
	int pos;

	if (cfg->caps & ~HW_ACS_CAP_BITS)
		return -EINVAL;
	/* The Egress Control Vector exists only with P2P Egress Control; its
	 * size field encodes 00h as 256 bits (§7.7.8.2), so 0 here means none
	 * and EC requires a size. */
	if (!!(cfg->caps & PCI_ACS_EC) != !!cfg->egress_bits)
		return -EINVAL;
	if (cfg->egress_bits)
		ndw = (cfg->egress_bits + 31u) / 32u;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ACS, 1, (uint16_t)(8 + 4 * ndw),
				    NULL, NULL);
	if (pos < 0)
		return pos;
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_ACS_CAP,
			(uint16_t)(cfg->caps | (uint16_t)cfg->egress_bits << 8));
	/* ACS Control (§7.7.8.3): an enable is RW only if its capability is
	 * implemented, RO 0 otherwise. */
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_ACS_CTRL, cfg->caps);
	/* Egress Control Vector (§7.7.8.4): one RW bit per implemented bit. */
	for (i = 0; i < ndw; i++) {
		unsigned int left = cfg->egress_bits - 32 * i;

		hw_pcidev_set_wmask32(dev, (uint16_t)(pos + PCI_ACS_EGRESS_CTL_V + 4 * i),
				      left >= 32 ? 0xffffffff : (uint32_t)(BIT(left) - 1));
	}
	return pos;
}
