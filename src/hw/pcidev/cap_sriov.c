// SPDX-License-Identifier: MIT
/*
 * Single Root I/O Virtualization Extended Capability, PCIe r6.2 §9.3.3.
 * Registers only: instantiating the VFs is the device model's job.
 */
#include "base/err.h"
#include "hw/pcidev/caps.h"

/* Page sizes every PF must support (§9.3.3.12): 4K 8K 64K 256K 1M 4M. */
#define HW_SRIOV_PGSIZES	0x00000553u

static int hw_sriov_check_bars(const struct hw_cap_sriov_cfg *cfg)
{
	unsigned int i;

	for (i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		const struct hw_cap_sriov_vf_bar *b = &cfg->vf_bars[i];

		switch (b->kind) {
		case HW_BAR_NONE:
			continue;
		case HW_BAR_MEM32:
			if (b->size > (1ull << 31))
				return -EINVAL;
			break;
		case HW_BAR_MEM64:
			/* Consumes the next VF BAR slot (§9.3.3.14). */
			if (i + 1 >= PCI_SRIOV_NUM_BARS || cfg->vf_bars[i + 1].kind != HW_BAR_NONE)
				return -EINVAL;
			break;
		default:	/* VF BARs are memory only */
			return -EINVAL;
		}
		if (!is_power_of_2(b->size) || b->size < 16)
			return -EINVAL;
		if (b->kind == HW_BAR_MEM64)
			i++;
	}
	return 0;
}

int hw_cap_add_sriov(struct hw_pcidev *dev, const struct hw_cap_sriov_cfg *cfg)
{
	uint16_t initial = cfg->initial_vfs ? cfg->initial_vfs : cfg->total_vfs;
	uint32_t offset = cfg->vf_offset ? cfg->vf_offset : 1;
	uint32_t stride = cfg->vf_stride ? cfg->vf_stride : 1;
	uint32_t pgs = cfg->supported_page_sizes ? cfg->supported_page_sizes : HW_SRIOV_PGSIZES;
	unsigned int i;
	uint16_t p;
	int pos, rc;

	if (dev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;
	if (!cfg->total_vfs || initial > cfg->total_vfs)
		return -EINVAL;
	/* The last VF's Routing ID must stay within the bus space. */
	if (offset + (uint32_t)(cfg->total_vfs - 1) * stride > 0xffff)
		return -EINVAL;
	if ((pgs & HW_SRIOV_PGSIZES) != HW_SRIOV_PGSIZES)
		return -EINVAL;
	rc = hw_sriov_check_bars(cfg);
	if (rc < 0)
		return rc;

	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_SRIOV, 1, PCI_EXT_CAP_SRIOV_SIZEOF,
				    NULL, NULL);
	if (pos < 0)
		return pos;
	p = (uint16_t)pos;

	/* SR-IOV Capabilities (§9.3.3.2): no VF Migration. SR-IOV Control
	 * (§9.3.3.3): VF Enable, VF MSE and ARI Capable Hierarchy RW; the
	 * migration bits RO 0 without VF Migration. SR-IOV Status
	 * (§9.3.3.4): VF Migration Status RO 0 likewise. */
	hw_pcidev_set_wmask16(dev, p + PCI_SRIOV_CTRL,
			      PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE | PCI_SRIOV_CTRL_ARI);
	/* InitialVFs, TotalVFs RO; NumVFs RW (§9.3.3.5-7). */
	hw_pcidev_set16(dev, p + PCI_SRIOV_INITIAL_VF, initial);
	hw_pcidev_set16(dev, p + PCI_SRIOV_TOTAL_VF, cfg->total_vfs);
	hw_pcidev_set_wmask16(dev, p + PCI_SRIOV_NUM_VF, 0xffff);
	/* Function Dependency Link, First VF Offset, VF Stride, VF Device ID
	 * RO (§9.3.3.8-11). */
	hw_pcidev_set8(dev, p + PCI_SRIOV_FUNC_LINK, cfg->func_dep_link);
	hw_pcidev_set16(dev, p + PCI_SRIOV_VF_OFFSET, (uint16_t)offset);
	hw_pcidev_set16(dev, p + PCI_SRIOV_VF_STRIDE, (uint16_t)stride);
	hw_pcidev_set16(dev, p + PCI_SRIOV_VF_DID, cfg->vf_device);
	/* Supported Page Sizes RO, System Page Size RW defaulting to 4 KiB
	 * (§9.3.3.12/13). */
	hw_pcidev_set32(dev, p + PCI_SRIOV_SUP_PGSIZE, pgs);
	hw_pcidev_set32(dev, p + PCI_SRIOV_SYS_PGSIZE, 1);
	hw_pcidev_set_wmask32(dev, p + PCI_SRIOV_SYS_PGSIZE, pgs);

	/* VF BARs (§9.3.3.14) size like BARs: the address bits above the
	 * per-VF size are RW. */
	for (i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		const struct hw_cap_sriov_vf_bar *b = &cfg->vf_bars[i];
		uint16_t reg = (uint16_t)(p + PCI_SRIOV_BAR + 4 * i);
		uint64_t mask = ~(b->size - 1);
		uint32_t lo;

		if (b->kind == HW_BAR_NONE)
			continue;
		lo = b->kind == HW_BAR_MEM64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0;
		if (b->prefetchable)
			lo |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		hw_pcidev_set32(dev, reg, lo);
		hw_pcidev_set_wmask32(dev, reg, (uint32_t)mask & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK);
		if (b->kind == HW_BAR_MEM64) {
			hw_pcidev_set_wmask32(dev, reg + 4, (uint32_t)(mask >> 32));
			i++;
		}
	}
	return pos;
}
