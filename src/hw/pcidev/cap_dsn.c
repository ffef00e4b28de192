// SPDX-License-Identifier: MIT
/* Device Serial Number Extended Capability, PCIe r6.2 §7.9.3. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

int hw_cap_add_dsn(struct hw_pcidev *dev, const struct hw_cap_dsn_cfg *cfg)
{
	int pos;

	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DSN, 1, PCI_EXT_CAP_DSN_SIZEOF,
				    NULL, NULL);
	if (pos < 0)
		return pos;
	/* Serial Number Register (§7.9.3.2): lower DW at 04h, upper at 08h, RO. */
	hw_pcidev_set32(dev, (uint16_t)pos + 4, (uint32_t)cfg->serial);
	hw_pcidev_set32(dev, (uint16_t)pos + 8, (uint32_t)(cfg->serial >> 32));
	return pos;
}
