// SPDX-License-Identifier: MIT
/* Designated Vendor-Specific Extended Capability, PCIe r6.2 §7.9.6. */
#include "base/err.h"
#include "hw/pcidev/caps.h"

#define HW_DVSEC_HDR_LEN	10	/* header, header 1, header 2 */

int hw_cap_add_dvsec(struct hw_pcidev *dev, const struct hw_cap_dvsec_cfg *cfg)
{
	unsigned int len = cfg->length ? cfg->length : 12;
	int pos;

	/* DVSEC Length (§7.9.6.2) counts bytes including the 10-byte header
	 * and is 12 bits wide; DVSEC Revision is 4 bits. */
	if (len < HW_DVSEC_HDR_LEN || len > 0xfff || cfg->revision > 0xf)
		return -EINVAL;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_DVSEC, 1, (uint16_t)len, NULL, NULL);
	if (pos < 0)
		return pos;
	hw_pcidev_set32(dev, (uint16_t)pos + PCI_DVSEC_HEADER1,
			cfg->vendor | (uint32_t)cfg->revision << 16 | (uint32_t)len << 20);
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_DVSEC_HEADER2, cfg->id);
	return pos;
}
