/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-d register and in-memory structure definitions, from the Intel
 * Virtualization Technology for Directed I/O Architecture Specification
 * (rev 4.x / 5.0; section numbers below are those of rev 4.1). Spec facts
 * only: no model logic lives here. Shared by the hardware model (hw/iommu)
 * and, later, by the kernel-side driver.
 */
#ifndef PCILAB_HW_IOMMU_VTD_REGS_H
#define PCILAB_HW_IOMMU_VTD_REGS_H

#include <stdint.h>

#include "base/compiler.h"

/* ---- Remapping hardware registers, §11.4 (offsets from the unit's base) */
#define VTD_VER_REG		0x000	/* 32, §11.4.1 */
#define VTD_CAP_REG		0x008	/* 64, §11.4.2 */
#define VTD_ECAP_REG		0x010	/* 64, §11.4.3 */
#define VTD_GCMD_REG		0x018	/* 32, §11.4.4.1 */
#define VTD_GSTS_REG		0x01c	/* 32, §11.4.4.2 */
#define VTD_RTADDR_REG		0x020	/* 64, §11.4.5 */
#define VTD_CCMD_REG		0x028	/* 64, §11.4.6 */
#define VTD_FSTS_REG		0x034	/* 32, §11.4.7.1 */
#define VTD_FECTL_REG		0x038	/* 32, §11.4.7.2 */
#define VTD_FEDATA_REG		0x03c	/* 32, §11.4.7.3 */
#define VTD_FEADDR_REG		0x040	/* 32, §11.4.7.4 */
#define VTD_FEUADDR_REG		0x044	/* 32, §11.4.7.5 */
#define VTD_AFLOG_REG		0x058	/* 64, §11.4.7.7 (deprecated) */
#define VTD_PMEN_REG		0x064	/* 32, §11.4.8.1 */
#define VTD_PLMBASE_REG		0x068	/* 32, §11.4.8.2 */
#define VTD_PLMLIMIT_REG	0x06c	/* 32, §11.4.8.3 */
#define VTD_PHMBASE_REG		0x070	/* 64, §11.4.8.4 */
#define VTD_PHMLIMIT_REG	0x078	/* 64, §11.4.8.5 */
#define VTD_IQH_REG		0x080	/* 64, §11.4.9.1 */
#define VTD_IQT_REG		0x088	/* 64, §11.4.9.2 */
#define VTD_IQA_REG		0x090	/* 64, §11.4.9.3 */
#define VTD_ICS_REG		0x09c	/* 32, §11.4.9.4 */
#define VTD_IECTL_REG		0x0a0	/* 32, §11.4.9.5 */
#define VTD_IEDATA_REG		0x0a4	/* 32, §11.4.9.6 */
#define VTD_IEADDR_REG		0x0a8	/* 32, §11.4.9.7 */
#define VTD_IEUADDR_REG		0x0ac	/* 32, §11.4.9.8 */
#define VTD_IQERCD_REG		0x0b0	/* 64, §11.4.9.9 */
#define VTD_IRTA_REG		0x0b8	/* 64, §11.4.10.1 */
#define VTD_PQH_REG		0x0c0	/* 64, §11.4.11.1 */
#define VTD_PQT_REG		0x0c8	/* 64, §11.4.11.2 */
#define VTD_PQA_REG		0x0d0	/* 64, §11.4.11.3 */
#define VTD_PRS_REG		0x0dc	/* 32, §11.4.11.4 */
#define VTD_PECTL_REG		0x0e0	/* 32, §11.4.11.5 */
#define VTD_PEDATA_REG		0x0e4	/* 32, §11.4.11.6 */
#define VTD_PEADDR_REG		0x0e8	/* 32, §11.4.11.7 */
#define VTD_PEUADDR_REG		0x0ec	/* 32, §11.4.11.8 */
/* IVA/IOTLB sit at ECAP.IRO * 16 (§11.4.8), fault records at CAP.FRO * 16. */
#define VTD_IOTLB_IVA_OFF	0x000	/* 64, §11.4.8.2 IVA_REG */
#define VTD_IOTLB_REG_OFF	0x008	/* 64, §11.4.8.1 IOTLB_REG */

/* VER_REG §11.4.1 */
#define VTD_VER_MAX_SHIFT	4

/* CAP_REG §11.4.2 */
#define VTD_CAP_ND(x)		((uint64_t)(x) & 0x7)	/* 2^(4+2*ND) domains */
#define VTD_CAP_AFL		BIT_ULL(3)
#define VTD_CAP_RWBF		BIT_ULL(4)
#define VTD_CAP_PLMR		BIT_ULL(5)
#define VTD_CAP_PHMR		BIT_ULL(6)
#define VTD_CAP_CM		BIT_ULL(7)
#define VTD_CAP_SAGAW_SHIFT	8	/* bit1: 39-bit/3-level, bit2: 48/4, bit3: 57/5 */
#define VTD_CAP_SAGAW_3LVL	BIT_ULL(9)
#define VTD_CAP_SAGAW_4LVL	BIT_ULL(10)
#define VTD_CAP_SAGAW_5LVL	BIT_ULL(11)
#define VTD_CAP_MGAW_SHIFT	16	/* MGAW - 1, 6 bits */
#define VTD_CAP_ZLR		BIT_ULL(22)
#define VTD_CAP_FRO_SHIFT	24	/* 10 bits, in 16-byte units */
#define VTD_CAP_SSLPS_2M	BIT_ULL(34)	/* SLLPS bit 0 */
#define VTD_CAP_SSLPS_1G	BIT_ULL(35)	/* SLLPS bit 1 */
#define VTD_CAP_PSI		BIT_ULL(39)
#define VTD_CAP_NFR_SHIFT	40	/* number of fault records - 1, 8 bits */
#define VTD_CAP_MAMV_SHIFT	48	/* 6 bits */
#define VTD_CAP_DWD		BIT_ULL(54)
#define VTD_CAP_DRD		BIT_ULL(55)
#define VTD_CAP_FS1GP		BIT_ULL(56)
#define VTD_CAP_PI		BIT_ULL(59)
#define VTD_CAP_FS5LP		BIT_ULL(60)
#define VTD_CAP_ESIRTPS		BIT_ULL(62)
#define VTD_CAP_ESRTPS		BIT_ULL(63)

/* ECAP_REG §11.4.3 */
#define VTD_ECAP_C		BIT_ULL(0)
#define VTD_ECAP_QI		BIT_ULL(1)
#define VTD_ECAP_DT		BIT_ULL(2)
#define VTD_ECAP_IR		BIT_ULL(3)
#define VTD_ECAP_EIM		BIT_ULL(4)
#define VTD_ECAP_PT		BIT_ULL(6)
#define VTD_ECAP_SC		BIT_ULL(7)
#define VTD_ECAP_IRO_SHIFT	8	/* 10 bits, in 16-byte units */
#define VTD_ECAP_MHMV_SHIFT	20	/* 4 bits */
#define VTD_ECAP_MTS		BIT_ULL(25)
#define VTD_ECAP_NEST		BIT_ULL(26)
#define VTD_ECAP_PRS		BIT_ULL(29)
#define VTD_ECAP_ERS		BIT_ULL(30)
#define VTD_ECAP_SRS		BIT_ULL(31)
#define VTD_ECAP_NWFS		BIT_ULL(33)
#define VTD_ECAP_EAFS		BIT_ULL(34)
#define VTD_ECAP_PSS_SHIFT	35	/* PASID bits - 1, 5 bits */
#define VTD_ECAP_PASID		BIT_ULL(40)
#define VTD_ECAP_DIT		BIT_ULL(41)
#define VTD_ECAP_PDS		BIT_ULL(42)
#define VTD_ECAP_SMTS		BIT_ULL(43)
#define VTD_ECAP_SSADS		BIT_ULL(45)
#define VTD_ECAP_SSTS		BIT_ULL(46)
#define VTD_ECAP_FSTS		BIT_ULL(47)
#define VTD_ECAP_SMPWCS		BIT_ULL(48)
#define VTD_ECAP_RPS		BIT_ULL(49)

/* GCMD_REG §11.4.4.1 and GSTS_REG §11.4.4.2 share bit positions. */
#define VTD_GCMD_TE		BIT(31)
#define VTD_GCMD_SRTP		BIT(30)
#define VTD_GCMD_SFL		BIT(29)
#define VTD_GCMD_EAFL		BIT(28)
#define VTD_GCMD_WBF		BIT(27)
#define VTD_GCMD_QIE		BIT(26)
#define VTD_GCMD_IRE		BIT(25)
#define VTD_GCMD_SIRTP		BIT(24)
#define VTD_GCMD_CFI		BIT(23)
#define VTD_GSTS_TES		BIT(31)
#define VTD_GSTS_RTPS		BIT(30)
#define VTD_GSTS_FLS		BIT(29)
#define VTD_GSTS_AFLS		BIT(28)
#define VTD_GSTS_WBFS		BIT(27)
#define VTD_GSTS_QIES		BIT(26)
#define VTD_GSTS_IRES		BIT(25)
#define VTD_GSTS_IRTPS		BIT(24)
#define VTD_GSTS_CFIS		BIT(23)

/* RTADDR_REG §11.4.5 */
#define VTD_RTADDR_RTA_MASK	GENMASK_ULL(63, 12)
#define VTD_RTADDR_TTM_SHIFT	10
#define VTD_RTADDR_TTM_MASK	GENMASK_ULL(11, 10)
#define VTD_RTADDR_TTM_LEGACY	0
#define VTD_RTADDR_TTM_SM	1
#define VTD_RTADDR_TTM_ABORT	3

/* CCMD_REG §11.4.6 */
#define VTD_CCMD_ICC		BIT_ULL(63)
#define VTD_CCMD_CIRG_SHIFT	61
#define VTD_CCMD_CAIG_SHIFT	59
#define VTD_CCMD_CAIG_MASK	GENMASK_ULL(60, 59)

/* IOTLB_REG §11.4.8.1 */
#define VTD_IOTLB_IVT		BIT_ULL(63)
#define VTD_IOTLB_IIRG_SHIFT	60
#define VTD_IOTLB_IAIG_SHIFT	57
#define VTD_IOTLB_IAIG_MASK	GENMASK_ULL(58, 57)

/* FSTS_REG §11.4.7.1 */
#define VTD_FSTS_PFO		BIT(0)
#define VTD_FSTS_PPF		BIT(1)
#define VTD_FSTS_IQE		BIT(4)
#define VTD_FSTS_ICE		BIT(5)
#define VTD_FSTS_ITE		BIT(6)
#define VTD_FSTS_FRI_SHIFT	8
#define VTD_FSTS_FRI_MASK	GENMASK(15, 8)

/* FECTL/IECTL/PECTL §11.4.7.2, §11.4.9.5, §11.4.11.5 */
#define VTD_xECTL_IM		BIT(31)
#define VTD_xECTL_IP		BIT(30)

/* ICS_REG §11.4.9.4 */
#define VTD_ICS_IWC		BIT(0)

/* PRS_REG §11.4.11.4 */
#define VTD_PRS_PPR		BIT(0)
#define VTD_PRS_PRO		BIT(1)

/* IQA_REG §11.4.9.3 */
#define VTD_IQA_IQA_MASK	GENMASK_ULL(63, 12)
#define VTD_IQA_DW		BIT_ULL(11)
#define VTD_IQA_QS_MASK		GENMASK_ULL(2, 0)
/* IQH/IQT §11.4.9.1-2: offset of the descriptor, bits 18:4 */
#define VTD_IQ_PTR_MASK		GENMASK_ULL(18, 4)

/* IQERCD_REG §11.4.9.9: IQEI error codes for FSTS.IQE */
#define VTD_IQERCD_ITESID_SHIFT	32
#define VTD_IQERCD_ICESID_SHIFT	48
enum vtd_iqei {
	VTD_IQEI_NONE = 0,		/* information not available */
	VTD_IQEI_TAIL_ALIGN = 1,	/* IQT not 256-bit aligned with DW=1 */
	VTD_IQEI_FETCH = 2,		/* error fetching the descriptor */
	VTD_IQEI_TYPE = 3,		/* invalid or unsupported descriptor type */
	VTD_IQEI_RSVD = 4,		/* reserved field set in the descriptor */
	VTD_IQEI_WIDTH = 5,		/* descriptor needs a different width */
	VTD_IQEI_QUEUE = 6,		/* invalid queue programming */
};

/* PQA_REG §11.4.11.3; PQH/PQT bits 18:5 (32-byte page request descriptors) */
#define VTD_PQA_PQA_MASK	GENMASK_ULL(63, 12)
#define VTD_PQA_PQS_MASK	GENMASK_ULL(2, 0)
#define VTD_PQ_PTR_MASK		GENMASK_ULL(18, 5)

/* ---- Fault recording register (128 bits), §11.4.7.6 */
struct vtd_fault_record {
	uint64_t lo;	/* 63:12 FI */
	uint64_t hi;	/* bits of the upper qword, below */
};
_Static_assert(sizeof(struct vtd_fault_record) == 16, "fault record is 128 bits");
#define VTD_FRCD_LO_FI_MASK	GENMASK_ULL(63, 12)
#define VTD_FRCD_HI_SID_MASK	GENMASK_ULL(15, 0)	/* 79:64 */
#define VTD_FRCD_HI_T2		BIT_ULL(28)		/* 92 */
#define VTD_FRCD_HI_PRIV	BIT_ULL(29)		/* 93 */
#define VTD_FRCD_HI_EXE		BIT_ULL(30)		/* 94 */
#define VTD_FRCD_HI_PP		BIT_ULL(31)		/* 95 */
#define VTD_FRCD_HI_FR_SHIFT	32			/* 103:96 */
#define VTD_FRCD_HI_PV_SHIFT	40			/* 123:104 */
#define VTD_FRCD_HI_AT_SHIFT	60			/* 125:124 */
#define VTD_FRCD_HI_T1		BIT_ULL(62)		/* 126: 1 = read */
#define VTD_FRCD_HI_F		BIT_ULL(63)		/* 127 */

/* ---- Scalable-mode fault reasons, Appendix A (Table "non-recoverable
 * fault reason encodings", scalable-mode conditions). */
enum vtd_fault_reason {
	VTD_FR_SM_RTA_INVALID	= 0x30,	/* SRTA.x: bad RTADDR programming */
	VTD_FR_SM_TTM0_PASID	= 0x31,
	VTD_FR_SRT_ACCESS	= 0x38,	/* SRT.1: error reading root entry */
	VTD_FR_SRT_NOT_PRESENT	= 0x39,	/* SRT.2 */
	VTD_FR_SRT_RSVD		= 0x3a,	/* SRT.3 */
	VTD_FR_SCT_ACCESS	= 0x40,	/* SCT.1 */
	VTD_FR_SCT_NOT_PRESENT	= 0x41,	/* SCT.2 */
	VTD_FR_SCT_RSVD		= 0x42,	/* SCT.3 */
	VTD_FR_SCT_INVALID	= 0x43,	/* SCT.4 */
	VTD_FR_SCT_DTE		= 0x44,	/* SCT.5 */
	VTD_FR_SCT_PASIDE	= 0x45,	/* SCT.6 */
	VTD_FR_SCT_PASID_MAX	= 0x46,	/* SCT.7 */
	VTD_FR_SCT_PRE		= 0x47,	/* SCT.8 */
	VTD_FR_SCT_RID_PASID	= 0x48,	/* SCT.9 */
	VTD_FR_SPD_ACCESS	= 0x50,	/* SPD.1 */
	VTD_FR_SPD_NOT_PRESENT	= 0x51,	/* SPD.2 */
	VTD_FR_SPD_RSVD		= 0x52,	/* SPD.3 */
	VTD_FR_SPT_ACCESS	= 0x58,	/* SPT.1 */
	VTD_FR_SPT_NOT_PRESENT	= 0x59,	/* SPT.2 */
	VTD_FR_SPT_RSVD		= 0x5a,	/* SPT.3 */
	VTD_FR_SPT_INVALID	= 0x5b,	/* SPT.4: PGTT/AW/FSPM not supported */
	VTD_FR_SPT_ERE		= 0x5c,	/* SPT.5 */
	VTD_FR_SPT_SRE		= 0x5d,	/* SPT.6 */
	VTD_FR_SFS_ACCESS	= 0x70,	/* SFS.1 */
	VTD_FR_SFS_NOT_PRESENT	= 0x71,	/* SFS.2 */
	VTD_FR_SFS_RSVD		= 0x72,	/* SFS.3 */
	VTD_FR_SFS_PTR_ACCESS	= 0x73,	/* SFS.4: FSPTPTR access error */
	VTD_FR_SFS_NEST_MGAW	= 0x74,	/* SFS.5 */
	VTD_FR_SFS_NEST_PTR_RD	= 0x75,	/* SFS.6: nested, FSPTPTR not readable */
	VTD_FR_SFS_NEST_RD	= 0x76,	/* SFS.7: nested, FS entry not readable */
	VTD_FR_SFS_NEST_WR	= 0x77,	/* SFS.8: nested, A/D update not writable */
	VTD_FR_SSS_ACCESS	= 0x78,	/* SSS.1 */
	VTD_FR_SSS_NOT_PRESENT	= 0x79,	/* SSS.2: R and W both clear */
	VTD_FR_SSS_RSVD		= 0x7a,	/* SSS.3 */
	VTD_FR_SSS_PTR		= 0x7b,	/* SSS.4 */
	VTD_FR_SGN_CANONICAL	= 0x80,	/* SGN.1 */
	VTD_FR_SGN_USER		= 0x81,	/* SGN.2 */
	VTD_FR_SGN_EXEC		= 0x82,	/* SGN.3 */
	VTD_FR_SGN_HAW		= 0x83,	/* SGN.4 */
	VTD_FR_SGN_SS_AW	= 0x84,	/* SGN.5 */
	VTD_FR_SGN_WRITE	= 0x85,	/* SGN.6 */
	VTD_FR_SGN_READ		= 0x86,	/* SGN.7 */
};

/* ---- Scalable-mode root entry (128 bits), §9.2 */
struct vtd_sm_root_entry {
	uint64_t lo;	/* 0: LP, 63:12 LCTP (devfn 0-127) */
	uint64_t hi;	/* 64: UP, 127:76 UCTP (devfn 128-255) */
};
_Static_assert(sizeof(struct vtd_sm_root_entry) == 16, "root entry is 128 bits");
#define VTD_SM_RE_P		BIT_ULL(0)
#define VTD_SM_RE_CTP_MASK	GENMASK_ULL(63, 12)
#define VTD_SM_RE_RSVD_MASK	GENMASK_ULL(11, 1)

/* ---- Scalable-mode context entry (256 bits), §9.4 */
struct vtd_sm_context_entry {
	uint64_t val[4];
};
_Static_assert(sizeof(struct vtd_sm_context_entry) == 32, "SM context entry is 256 bits");
#define VTD_SM_CE0_P		BIT_ULL(0)
#define VTD_SM_CE0_FPD		BIT_ULL(1)
#define VTD_SM_CE0_DTE		BIT_ULL(2)
#define VTD_SM_CE0_PASIDE	BIT_ULL(3)
#define VTD_SM_CE0_PRE		BIT_ULL(4)
#define VTD_SM_CE0_PDTS_SHIFT	9	/* 2^(PDTS+7) directory entries */
#define VTD_SM_CE0_PDTS_MASK	GENMASK_ULL(11, 9)
#define VTD_SM_CE0_PASIDDIR_MASK GENMASK_ULL(63, 12)
#define VTD_SM_CE0_RSVD_MASK	GENMASK_ULL(8, 5)
#define VTD_SM_CE1_RID_PASID_MASK GENMASK_ULL(19, 0)
#define VTD_SM_CE1_RID_PRIV	BIT_ULL(20)
#define VTD_SM_CE1_RSVD_MASK	GENMASK_ULL(63, 21)

/* ---- Scalable-mode PASID directory entry (64 bits), §9.5 */
struct vtd_pasid_dir_entry {
	uint64_t val;
};
_Static_assert(sizeof(struct vtd_pasid_dir_entry) == 8, "PASID dir entry is 64 bits");
#define VTD_PDE_P		BIT_ULL(0)
#define VTD_PDE_FPD		BIT_ULL(1)
#define VTD_PDE_PTPTR_MASK	GENMASK_ULL(63, 12)
#define VTD_PDE_RSVD_MASK	GENMASK_ULL(11, 2)
#define VTD_PASID_DIR_SHIFT	6	/* PASID[19:6] indexes the directory */
#define VTD_PASID_TBL_MASK	0x3fu	/* PASID[5:0] indexes the table */

/* ---- Scalable-mode PASID table entry (512 bits), §9.6 */
struct vtd_pasid_entry {
	uint64_t val[8];
};
_Static_assert(sizeof(struct vtd_pasid_entry) == 64, "PASID entry is 512 bits");
#define VTD_PE0_P		BIT_ULL(0)
#define VTD_PE0_FPD		BIT_ULL(1)
#define VTD_PE0_AW_SHIFT	2	/* 1: 39-bit, 2: 48-bit, 3: 57-bit */
#define VTD_PE0_AW_MASK		GENMASK_ULL(4, 2)
#define VTD_PE0_PGTT_SHIFT	6
#define VTD_PE0_PGTT_MASK	GENMASK_ULL(8, 6)
#define VTD_PE0_SSADE		BIT_ULL(9)
#define VTD_PE0_SSPTPTR_MASK	GENMASK_ULL(63, 12)
#define VTD_PE0_RSVD_MASK	(BIT_ULL(5) | GENMASK_ULL(11, 10))
#define VTD_PE1_DID_MASK	GENMASK_ULL(15, 0)
#define VTD_PE2_SRE		BIT_ULL(0)
#define VTD_PE2_ERE		BIT_ULL(1)
#define VTD_PE2_FSPM_SHIFT	2	/* 0: 4-level, 1: 5-level */
#define VTD_PE2_FSPM_MASK	GENMASK_ULL(3, 2)
#define VTD_PE2_WPE		BIT_ULL(4)
#define VTD_PE2_EAFE		BIT_ULL(7)
#define VTD_PE2_FSPTPTR_MASK	GENMASK_ULL(63, 12)

enum vtd_pgtt {
	VTD_PGTT_FS = 1,	/* first-stage only */
	VTD_PGTT_SS = 2,	/* second-stage only */
	VTD_PGTT_NESTED = 3,
	VTD_PGTT_PT = 4,	/* pass-through */
};

/* ---- First-stage paging entries (x86-64 4/5-level format), §9.7 */
#define VTD_FS_P		BIT_ULL(0)
#define VTD_FS_RW		BIT_ULL(1)
#define VTD_FS_US		BIT_ULL(2)
#define VTD_FS_PWT		BIT_ULL(3)
#define VTD_FS_PCD		BIT_ULL(4)
#define VTD_FS_A		BIT_ULL(5)
#define VTD_FS_D		BIT_ULL(6)
#define VTD_FS_PS		BIT_ULL(7)
#define VTD_FS_G		BIT_ULL(8)
#define VTD_FS_EA		BIT_ULL(10)
#define VTD_FS_XD		BIT_ULL(63)

/* ---- Second-stage paging entries, §9.8 */
#define VTD_SS_R		BIT_ULL(0)
#define VTD_SS_W		BIT_ULL(1)
#define VTD_SS_X		BIT_ULL(2)
#define VTD_SS_PS		BIT_ULL(7)
#define VTD_SS_A		BIT_ULL(8)
#define VTD_SS_D		BIT_ULL(9)
#define VTD_SS_SNP		BIT_ULL(11)

/* Output address field of paging entries, bits (HAW-1):12. */
#define VTD_PTE_ADDR_MASK	GENMASK_ULL(51, 12)

/* ---- Invalidation descriptors (256-bit form), §6.5.2 */
struct vtd_inv_desc {
	uint64_t qw[4];
};
_Static_assert(sizeof(struct vtd_inv_desc) == 32, "256-bit invalidation descriptor");
#define VTD_INV_TYPE(qw0)	(((qw0) & 0xf) | (((qw0) >> 5) & 0x70))
#define VTD_INV_CC		0x1	/* context-cache, §6.5.2.1 */
#define VTD_INV_IOTLB		0x2	/* IOTLB, §6.5.2.3 */
#define VTD_INV_DEVTLB		0x3	/* device-TLB, §6.5.2.5 */
#define VTD_INV_IEC		0x4	/* interrupt entry cache, §6.5.2.7 */
#define VTD_INV_WAIT		0x5	/* invalidation wait, §6.5.2.8 */
#define VTD_INV_PIOTLB		0x6	/* PASID-based IOTLB, §6.5.2.4 */
#define VTD_INV_PC		0x7	/* PASID-cache, §6.5.2.2 */
#define VTD_INV_PDEVTLB		0x8	/* PASID-based device-TLB, §6.5.2.6 */
#define VTD_INV_PGRP_RESP	0x9	/* page group response, §7.7.1 */
#define VTD_INV_G_SHIFT		4	/* granularity, bits 5:4 */
#define VTD_INV_DID_SHIFT	16
#define VTD_INV_SID_SHIFT	32
#define VTD_INV_PASID_SHIFT	32
/* context-cache / IOTLB granularity */
#define VTD_INV_G_GLOBAL	1
#define VTD_INV_G_DOMAIN	2
#define VTD_INV_G_DEVICE	3	/* context-cache */
#define VTD_INV_G_PAGE		3	/* IOTLB */
/* PASID-cache granularity */
#define VTD_INV_PC_G_DOMAIN	0
#define VTD_INV_PC_G_PASID	1
#define VTD_INV_PC_G_GLOBAL	3
/* PASID-based IOTLB granularity */
#define VTD_INV_PIOTLB_G_PASID	2	/* non-globals within PASID */
#define VTD_INV_PIOTLB_G_PAGE	3	/* page-selective within PASID */
/* IOTLB/PIOTLB qw1: address, IH, AM */
#define VTD_INV_ADDR_MASK	GENMASK_ULL(63, 12)
#define VTD_INV_IH		BIT_ULL(6)
#define VTD_INV_AM_MASK		GENMASK_ULL(5, 0)
/* invalidation wait */
#define VTD_INV_WAIT_IF		BIT_ULL(4)
#define VTD_INV_WAIT_SW		BIT_ULL(5)
#define VTD_INV_WAIT_FN		BIT_ULL(6)
#define VTD_INV_WAIT_PD		BIT_ULL(7)
#define VTD_INV_WAIT_SDATA_SHIFT 32
#define VTD_INV_WAIT_SADDR_MASK	GENMASK_ULL(63, 2)
/* device-TLB: qw1 bit 0 S (size), address 63:12 */
#define VTD_INV_DEVTLB_S	BIT_ULL(0)
#define VTD_INV_PDEVTLB_S	BIT_ULL(11)
#define VTD_INV_PDEVTLB_G	BIT_ULL(0)
/* page group response */
#define VTD_PGRP_PASID_P	BIT_ULL(4)
#define VTD_PGRP_RC_SHIFT	12
#define VTD_PGRP_RID_SHIFT	16
#define VTD_PGRP_PASID_SHIFT	32
#define VTD_PGRP_LPIG		BIT_ULL(2)	/* qw1 */
#define VTD_PGRP_IDX_SHIFT	3		/* qw1, 9 bits */
enum vtd_pgrp_rc {
	VTD_PGRP_RC_SUCCESS = 0x0,
	VTD_PGRP_RC_INVALID = 0x1,
	VTD_PGRP_RC_FAILURE = 0xf,
};

/* ---- Page request descriptor (256 bits), §7.5.1.1 */
struct vtd_page_req_desc {
	uint64_t qw[4];
};
_Static_assert(sizeof(struct vtd_page_req_desc) == 32, "page request descriptor is 256 bits");
#define VTD_PRQ_TYPE_PAGE_REQ	0x01	/* qw0 bits 7:0 */
#define VTD_PRQ_PASID_P		BIT_ULL(8)
#define VTD_PRQ_RID_SHIFT	16
#define VTD_PRQ_PASID_SHIFT	32
#define VTD_PRQ_EXE		BIT_ULL(52)
#define VTD_PRQ_PRIV		BIT_ULL(53)
#define VTD_PRQ_RD		BIT_ULL(0)	/* qw1 */
#define VTD_PRQ_WR		BIT_ULL(1)	/* qw1 */
#define VTD_PRQ_LPIG		BIT_ULL(2)	/* qw1 */
#define VTD_PRQ_IDX_SHIFT	3		/* qw1, 9 bits */
#define VTD_PRQ_ADDR_MASK	GENMASK_ULL(63, 12)

#endif /* PCILAB_HW_IOMMU_VTD_REGS_H */
