/* SPDX-License-Identifier: MIT */
/*
 * IDE Extended Capability registers, PCIe r6.2 §7.9.26 (not in the Linux
 * 6.12 uAPI <linux/pci_regs.h>). Offsets of the Link and Selective IDE
 * Stream register blocks are relative to the start of each block.
 *
 *   00h  Extended Capability Header (ID 0030h)
 *   04h  IDE Capability Register        §7.9.26.2
 *   08h  IDE Control Register           §7.9.26.3
 *   0Ch  Link IDE Stream register blocks (8 bytes each, one per TC
 *        supported, present only with Link IDE Stream Supported) §7.9.26.4
 *   ...  Selective IDE Stream register blocks (20 + 12*N bytes) §7.9.26.5
 */
#ifndef PCILAB_PROTO_IDE_REGS_H
#define PCILAB_PROTO_IDE_REGS_H

#define PCI_EXT_CAP_ID_IDE		0x30

#define PCI_IDE_CAP			0x04	/* §7.9.26.2 */
#define  PCI_IDE_CAP_LINK		0x00000001	/* Link IDE Stream Supported */
#define  PCI_IDE_CAP_SELECTIVE		0x00000002	/* Selective IDE Streams Supported */
#define  PCI_IDE_CAP_FLOWTHROUGH	0x00000004	/* Flow-Through IDE Stream Supported */
#define  PCI_IDE_CAP_PARTIAL_HDR_ENC	0x00000008	/* Partial Header Encryption Supported */
#define  PCI_IDE_CAP_AGGREGATION	0x00000010	/* Aggregation Supported */
#define  PCI_IDE_CAP_PCRC		0x00000020	/* PCRC Supported */
#define  PCI_IDE_CAP_IDE_KM		0x00000040	/* IDE_KM Protocol Supported */
#define  PCI_IDE_CAP_SEL_CFG		0x00000080	/* Selective IDE for Config Req Supported */
#define  PCI_IDE_CAP_ALG_MASK		0x00001f00	/* Supported Algorithms */
#define  PCI_IDE_CAP_ALG_SHIFT		8
#define   PCI_IDE_ALG_AES_GCM_256	0		/* AES-GCM 256, 96-bit MAC */
#define  PCI_IDE_CAP_LINK_TC_MASK	0x0000e000	/* Number of TCs Supported for Link IDE - 1 */
#define  PCI_IDE_CAP_LINK_TC_SHIFT	13
#define  PCI_IDE_CAP_SEL_NUM_MASK	0x00ff0000	/* Number of Selective IDE Streams - 1 */
#define  PCI_IDE_CAP_SEL_NUM_SHIFT	16
#define  PCI_IDE_CAP_TEE_LIMITED	0x01000000	/* TEE-Limited Stream Supported */

#define PCI_IDE_CTL			0x08	/* §7.9.26.3 */
#define  PCI_IDE_CTL_FLOWTHROUGH_EN	0x00000004	/* Flow-Through IDE Stream Enabled */

#define PCI_IDE_LINK_STREAM_0		0x0c	/* first Link IDE Stream block */
#define PCI_IDE_LINK_BLOCK_SIZE		8

/* Stream Control, common to Link (§7.9.26.4.1) and Selective (§7.9.26.5.2). */
#define PCI_IDE_STREAM_CTL_EN		0x00000001	/* IDE Stream Enable */
#define PCI_IDE_STREAM_CTL_NPR_AGG	0x0000000c	/* Tx Aggregation Mode NPR */
#define PCI_IDE_STREAM_CTL_PR_AGG	0x00000030	/* Tx Aggregation Mode PR */
#define PCI_IDE_STREAM_CTL_CPL_AGG	0x000000c0	/* Tx Aggregation Mode CPL */
#define PCI_IDE_STREAM_CTL_PCRC_EN	0x00000100	/* PCRC Enable */
#define PCI_IDE_SEL_CTL_CFG_EN		0x00000200	/* Selective IDE for Config Req Enable */
#define PCI_IDE_STREAM_CTL_PART_ENC	0x00003c00	/* Partial Header Encryption Mode */
#define PCI_IDE_STREAM_CTL_ALG		0x0007c000	/* Selected Algorithm */
#define PCI_IDE_STREAM_CTL_TC		0x00380000	/* TC */
#define PCI_IDE_SEL_CTL_DEFAULT		0x00400000	/* Default Stream (Selective only) */
#define PCI_IDE_SEL_CTL_TEE_LIMITED	0x00800000	/* TEE-Limited Stream (Selective only) */
#define PCI_IDE_STREAM_CTL_ID_MASK	0xff000000	/* Stream ID */
#define PCI_IDE_STREAM_CTL_ID_SHIFT	24

/* Stream Status, Link (§7.9.26.4.2) and Selective (§7.9.26.5.3). */
#define PCI_IDE_STREAM_STS_STATE	0x0000000f	/* IDE Stream State */
#define  PCI_IDE_STATE_INSECURE		0x0
#define  PCI_IDE_STATE_SECURE		0x2
#define PCI_IDE_STREAM_STS_RECVD_FAIL	0x80000000	/* Received Integrity Check Fail Message */

/* Link IDE Stream block. */
#define PCI_IDE_LINK_CTL		0x00
#define PCI_IDE_LINK_STS		0x04

/* Selective IDE Stream block, §7.9.26.5. */
#define PCI_IDE_SEL_CAP			0x00	/* Selective IDE Stream Capability */
#define  PCI_IDE_SEL_CAP_ASSOC_MASK	0x0000000f	/* Number of Address Association Blocks */
#define PCI_IDE_SEL_CTL			0x04
#define PCI_IDE_SEL_STS			0x08
#define PCI_IDE_SEL_RID_1		0x0c	/* IDE RID Association Register 1 */
#define  PCI_IDE_SEL_RID_1_LIMIT_MASK	0x00ffff00	/* RID Limit */
#define  PCI_IDE_SEL_RID_1_LIMIT_SHIFT	8
#define PCI_IDE_SEL_RID_2		0x10	/* IDE RID Association Register 2 */
#define  PCI_IDE_SEL_RID_2_VALID	0x00000001	/* V */
#define  PCI_IDE_SEL_RID_2_BASE_MASK	0x00ffff00	/* RID Base */
#define  PCI_IDE_SEL_RID_2_BASE_SHIFT	8
#define  PCI_IDE_SEL_RID_2_SEG_MASK	0xff000000	/* Segment Base */
#define PCI_IDE_SEL_ADDR_0		0x14	/* first Address Association block */
#define PCI_IDE_SEL_ADDR_BLOCK_SIZE	12
#define PCI_IDE_SEL_ADDR_1		0x00	/* IDE Address Association Register 1 */
#define  PCI_IDE_SEL_ADDR_1_VALID	0x00000001	/* V */
#define  PCI_IDE_SEL_ADDR_1_BASE_LOW	0x000fff00	/* Memory Base Lower, addr[31:20] */
#define  PCI_IDE_SEL_ADDR_1_LIMIT_LOW	0xfff00000	/* Memory Limit Lower, addr[31:20] */
#define PCI_IDE_SEL_ADDR_2		0x04	/* Memory Limit Upper, addr[63:32] */
#define PCI_IDE_SEL_ADDR_3		0x08	/* Memory Base Upper, addr[63:32] */

#define PCI_IDE_SEL_BLOCK_SIZE(nassoc)	(20 + 12 * (nassoc))

#endif /* PCILAB_PROTO_IDE_REGS_H */
