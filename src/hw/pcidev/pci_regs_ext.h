/* SPDX-License-Identifier: MIT */
/*
 * PCI register definitions that <linux/pci_regs.h> (Linux 6.12 uAPI) lacks.
 * Everything here cites the PCIe Base Specification r6.2 section that
 * defines it; anything the uAPI header has is used from there.
 */
#ifndef PCILAB_HW_PCIDEV_PCI_REGS_EXT_H
#define PCILAB_HW_PCIDEV_PCI_REGS_EXT_H

#include <linux/pci_regs.h>

/* Extended Capability header, §7.6.3. */
#define PCI_EXT_CAP_HDR(id, ver, next) \
	((uint32_t)(id) | ((uint32_t)(ver) << 16) | ((uint32_t)(next) << 20))

/* Bridge Control, §7.5.1.3.13 (bit 4, VGA 16-bit Decode). */
#ifndef PCI_BRIDGE_CTL_VGA_16BIT
#define  PCI_BRIDGE_CTL_VGA_16BIT	0x10
#endif

/* MSI Message Control, §7.7.1.2. */
#define  PCI_MSI_FLAGS_EXT_DATA_CAP	0x0200	/* Extended Message Data Capable */
#define  PCI_MSI_FLAGS_EXT_DATA_EN	0x0400	/* Extended Message Data Enable */

/* Link Capabilities, §7.5.3.6. */
#define  PCI_EXP_LNKCAP_ASPM_OPT	0x00400000	/* ASPM Optionality Compliance */

/* Device Capabilities 2 / Device Control 2, §7.5.3.15/16. */
#define  PCI_EXP_DEVCAP2_10BIT_TAG_COMP	0x00010000	/* 10-Bit Tag Completer */
#define  PCI_EXP_DEVCAP2_10BIT_TAG_REQ	0x00020000	/* 10-Bit Tag Requester */
#define  PCI_EXP_DEVCAP2_EXT_FMT	0x00100000	/* Extended Fmt Field */
#define  PCI_EXP_DEVCTL2_10BIT_TAG_REQ_EN 0x1000	/* 10-Bit Tag Requester En. */

/* ATS Capability, §10.5.1.2. */
#define  PCI_ATS_CAP_GLOBAL_INV		0x0040	/* Global Invalidate Supported */
#define  PCI_ATS_CAP_RELAXED_ORDERING	0x0080	/* Relaxed Ordering Supported */

/* Advanced Error Capabilities and Control, §7.8.4.7; TLP Prefix Log, §7.8.4.13. */
#define  PCI_ERR_CAP_MHRC		0x00000200	/* Multiple Header Recording Capable */
#define  PCI_ERR_CAP_MHRE		0x00000400	/* Multiple Header Recording Enable */
#define  PCI_ERR_CAP_TLP_PREFIX_LOG	0x00000800	/* TLP Prefix Log Present */
#define PCI_ERR_PREFIX_LOG	0x38

/* DPC Control, §7.9.14.3. */
#define  PCI_EXP_DPC_CTL_COMPL		0x0004	/* DPC Completion Control */
#define  PCI_EXP_DPC_CTL_ERR_COR_EN	0x0010	/* DPC ERR_COR Enable */
#define  PCI_EXP_DPC_CTL_POISONED_BLK	0x0020	/* Poisoned TLP Egress Blocking En. */
#define  PCI_EXP_DPC_CTL_SW_TRIGGER	0x0040	/* DPC Software Trigger */
#define  PCI_EXP_DPC_CTL_DL_ACTIVE	0x0080	/* DL_Active ERR_COR Enable */
/* RP PIO Status/Mask/Severity/SysError/Exception bits, §7.9.14.6-10. */
#define  PCI_EXP_DPC_RP_PIO_BITS	0x00070707

#endif /* PCILAB_HW_PCIDEV_PCI_REGS_EXT_H */
