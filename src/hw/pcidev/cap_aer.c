// SPDX-License-Identifier: MIT
/* Advanced Error Reporting Extended Capability, PCIe r6.2 §7.8.4. */
#include "base/err.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pci_regs_ext.h"

/* The structure through the TLP Prefix Log (§7.8.4, Figure 7-118); the
 * root-only registers are RsvdP on other functions. */
#define HW_AER_LEN		0x48

/* Uncorrectable error bits this model implements (§7.8.4.2): Data Link
 * Protocol, Surprise Down, Poisoned TLP ... Poisoned TLP Egress Blocked. */
#define HW_AER_UNCOR_BITS	(PCI_ERR_UNC_DLP | PCI_ERR_UNC_SURPDN | \
				 PCI_ERR_UNC_POISON_TLP | PCI_ERR_UNC_FCP | \
				 PCI_ERR_UNC_COMP_TIME | PCI_ERR_UNC_COMP_ABORT | \
				 PCI_ERR_UNC_UNX_COMP | PCI_ERR_UNC_RX_OVER | \
				 PCI_ERR_UNC_MALF_TLP | PCI_ERR_UNC_ECRC | \
				 PCI_ERR_UNC_UNSUP | PCI_ERR_UNC_ACSV | \
				 PCI_ERR_UNC_INTN | PCI_ERR_UNC_MCBTLP | \
				 PCI_ERR_UNC_ATOMEG | PCI_ERR_UNC_TLPPRE | \
				 PCI_ERR_UNC_POISON_BLK | \
				 /* §7.8.4.2 bit 28, set by IDE (§6.33.6) */ \
				 PCI_ERR_UNC_IDE_CHECK)
/* Uncorrectable Error Severity defaults (§7.8.4.4): DLP, Surprise Down,
 * FCP, Receiver Overflow, Malformed TLP and Uncorrectable Internal fatal. */
#define HW_AER_SEVER_DEFAULT	(PCI_ERR_UNC_DLP | PCI_ERR_UNC_SURPDN | \
				 PCI_ERR_UNC_FCP | PCI_ERR_UNC_RX_OVER | \
				 PCI_ERR_UNC_MALF_TLP | PCI_ERR_UNC_INTN)
/* Correctable error bits (§7.8.4.5). */
#define HW_AER_COR_BITS		(PCI_ERR_COR_RCVR | PCI_ERR_COR_BAD_TLP | \
				 PCI_ERR_COR_BAD_DLLP | PCI_ERR_COR_REP_ROLL | \
				 PCI_ERR_COR_REP_TIMER | PCI_ERR_COR_ADV_NFAT | \
				 PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER)
/* Root Error Status RW1CS bits (§7.8.4.11). */
#define HW_AER_ROOT_STA_BITS	(PCI_ERR_ROOT_COR_RCV | PCI_ERR_ROOT_MULTI_COR_RCV | \
				 PCI_ERR_ROOT_UNCOR_RCV | PCI_ERR_ROOT_MULTI_UNCOR_RCV | \
				 PCI_ERR_ROOT_FIRST_FATAL | PCI_ERR_ROOT_NONFATAL_RCV | \
				 PCI_ERR_ROOT_FATAL_RCV)

static bool hw_aer_is_root(const struct hw_pcidev *dev, const struct hw_cap_aer_cfg *cfg)
{
	uint16_t pcie = hw_pcidev_find_cap(dev, PCI_CAP_ID_EXP);
	unsigned int t;

	if (cfg->root || !pcie)
		return cfg->root;
	t = (hw_pcidev_get16(dev, pcie + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
	return t == PCI_EXP_TYPE_ROOT_PORT || t == PCI_EXP_TYPE_RC_EC;
}

int hw_cap_add_aer(struct hw_pcidev *dev, const struct hw_cap_aer_cfg *cfg)
{
	bool root = hw_aer_is_root(dev, cfg);
	uint32_t cap = 0, cap_w = 0;
	uint16_t p;
	int pos, i;

	pos = hw_pcidev_add_ext_cap(dev, PCI_EXT_CAP_ID_ERR, 2, HW_AER_LEN, NULL, NULL);
	if (pos < 0)
		return pos;
	p = (uint16_t)pos;

	/* Uncorrectable Error Status RW1CS, Mask RWS, Severity RWS
	 * (§7.8.4.2-4). Uncorrectable Internal Error is masked by default. */
	hw_pcidev_set_w1cmask32(dev, p + PCI_ERR_UNCOR_STATUS, HW_AER_UNCOR_BITS);
	hw_pcidev_set_sticky32(dev, p + PCI_ERR_UNCOR_STATUS, HW_AER_UNCOR_BITS);
	hw_pcidev_set32(dev, p + PCI_ERR_UNCOR_MASK, PCI_ERR_UNC_INTN);
	hw_pcidev_set_wmask32(dev, p + PCI_ERR_UNCOR_MASK, HW_AER_UNCOR_BITS);
	hw_pcidev_set_sticky32(dev, p + PCI_ERR_UNCOR_MASK, HW_AER_UNCOR_BITS);
	hw_pcidev_set32(dev, p + PCI_ERR_UNCOR_SEVER, HW_AER_SEVER_DEFAULT);
	hw_pcidev_set_wmask32(dev, p + PCI_ERR_UNCOR_SEVER, HW_AER_UNCOR_BITS);
	hw_pcidev_set_sticky32(dev, p + PCI_ERR_UNCOR_SEVER, HW_AER_UNCOR_BITS);

	/* Correctable Error Status RW1CS, Mask RWS (§7.8.4.5/6); Advisory
	 * Non-Fatal, Corrected Internal and Header Log Overflow masked by
	 * default. */
	hw_pcidev_set_w1cmask32(dev, p + PCI_ERR_COR_STATUS, HW_AER_COR_BITS);
	hw_pcidev_set_sticky32(dev, p + PCI_ERR_COR_STATUS, HW_AER_COR_BITS);
	hw_pcidev_set32(dev, p + PCI_ERR_COR_MASK, PCI_ERR_COR_ADV_NFAT |
			PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER);
	hw_pcidev_set_wmask32(dev, p + PCI_ERR_COR_MASK, HW_AER_COR_BITS);
	hw_pcidev_set_sticky32(dev, p + PCI_ERR_COR_MASK, HW_AER_COR_BITS);

	/*
	 * Advanced Error Capabilities and Control (§7.8.4.7): First Error
	 * Pointer ROS; each enable RWS when its capability is present.
	 */
	if (cfg->ecrc) {
		cap |= PCI_ERR_CAP_ECRC_GENC | PCI_ERR_CAP_ECRC_CHKC;
		cap_w |= PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE;
	}
	if (cfg->multiple_header) {
		cap |= PCI_ERR_CAP_MHRC;
		cap_w |= PCI_ERR_CAP_MHRE;
	}
	if (cfg->tlp_prefix_log)
		cap |= PCI_ERR_CAP_TLP_PREFIX_LOG;
	hw_pcidev_set32(dev, p + PCI_ERR_CAP, cap);
	hw_pcidev_set_wmask32(dev, p + PCI_ERR_CAP, cap_w);
	hw_pcidev_set_sticky32(dev, p + PCI_ERR_CAP, cap_w | 0x1f);
	/* Header Log (§7.8.4.8) and TLP Prefix Log (§7.8.4.13) ROS. */
	for (i = 0; i < 4; i++) {
		hw_pcidev_set_sticky32(dev, (uint16_t)(p + PCI_ERR_HEADER_LOG + 4 * i), 0xffffffff);
		if (cfg->tlp_prefix_log)
			hw_pcidev_set_sticky32(dev, (uint16_t)(p + PCI_ERR_PREFIX_LOG + 4 * i),
					       0xffffffff);
	}

	if (root) {
		/* Root Error Command RW (§7.8.4.10), Root Error Status
		 * RW1CS (§7.8.4.11), Error Source Identification ROS
		 * (§7.8.4.12). */
		hw_pcidev_set_wmask32(dev, p + PCI_ERR_ROOT_COMMAND,
				      PCI_ERR_ROOT_CMD_COR_EN | PCI_ERR_ROOT_CMD_NONFATAL_EN |
				      PCI_ERR_ROOT_CMD_FATAL_EN);
		hw_pcidev_set_w1cmask32(dev, p + PCI_ERR_ROOT_STATUS, HW_AER_ROOT_STA_BITS);
		hw_pcidev_set_sticky32(dev, p + PCI_ERR_ROOT_STATUS, HW_AER_ROOT_STA_BITS);
		hw_pcidev_set_sticky32(dev, p + PCI_ERR_ROOT_ERR_SRC, 0xffffffff);
	}
	return pos;
}
