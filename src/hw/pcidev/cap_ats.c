// SPDX-License-Identifier: MIT
/* Address Translation Services Extended Capability, PCIe r6.2 §10.5.1. */
#include "base/err.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pci_regs_ext.h"

int hw_cap_add_ats(struct hw_pcidev *dev, const struct hw_cap_ats_cfg *cfg)
{
	unsigned int depth = cfg->invq_depth ? cfg->invq_depth : PCI_ATS_MAX_QDEP;
	uint16_t cap;
	int pos;

	/* Invalidate Queue Depth: 1..31, 00000b meaning 32 (§10.5.1.2). */
	if (depth > PCI_ATS_MAX_QDEP)
		return -EINVAL;
	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ATS, 1, PCI_EXT_CAP_ATS_SIZEOF,
				    NULL, NULL);
	if (pos < 0)
		return pos;
	cap = (uint16_t)(depth & 0x1f);
	if (cfg->page_aligned_request)
		cap |= PCI_ATS_CAP_PAGE_ALIGNED;
	if (cfg->global_invalidate)
		cap |= PCI_ATS_CAP_GLOBAL_INV;
	if (cfg->relaxed_ordering)
		cap |= PCI_ATS_CAP_RELAXED_ORDERING;
	hw_pcidev_set16(dev, (uint16_t)pos + PCI_ATS_CAP, cap);
	/* ATS Control (§10.5.1.3): Smallest Translation Unit and Enable RW. */
	hw_pcidev_set_wmask16(dev, (uint16_t)pos + PCI_ATS_CTRL,
			      PCI_ATS_CTRL_ENABLE | 0x001f);
	return pos;
}
