// SPDX-License-Identifier: MIT
/*
 * pcilab lspci -vv: extended capabilities (PCIe r6.2 §7.6 onwards), worded
 * as pciutils 3.9 words them.
 */
#include "lspci_verbose_int.h"

/* ---- extended capabilities ------------------------------------------------- */

#define UNC_FMT "DLP%c SDES%c TLP%c FCP%c CmpltTO%c CmpltAbrt%c UnxCmplt%c RxOF%c MalfTLP%c ECRC%c UnsupReq%c ACSViol%c\n"
#define UNC_ARGS(l) FLAG(l, PCI_ERR_UNC_DLP), FLAG(l, PCI_ERR_UNC_SURPDN), \
	FLAG(l, PCI_ERR_UNC_POISON_TLP), FLAG(l, PCI_ERR_UNC_FCP), FLAG(l, PCI_ERR_UNC_COMP_TIME), \
	FLAG(l, PCI_ERR_UNC_COMP_ABORT), FLAG(l, PCI_ERR_UNC_UNX_COMP), FLAG(l, PCI_ERR_UNC_RX_OVER), \
	FLAG(l, PCI_ERR_UNC_MALF_TLP), FLAG(l, PCI_ERR_UNC_ECRC), FLAG(l, PCI_ERR_UNC_UNSUP), \
	FLAG(l, PCI_ERR_UNC_ACSV)
#define COR_FMT "RxErr%c BadTLP%c BadDLLP%c Rollover%c Timeout%c AdvNonFatalErr%c\n"
#define COR_ARGS(l) FLAG(l, PCI_ERR_COR_RCVR), FLAG(l, PCI_ERR_COR_BAD_TLP), \
	FLAG(l, PCI_ERR_COR_BAD_DLLP), FLAG(l, PCI_ERR_COR_REP_ROLL), FLAG(l, PCI_ERR_COR_REP_TIMER), \
	FLAG(l, PCI_ERR_COR_ADV_NFAT)

/* PCIe r6.2 §7.8.4 */
static void cap_aer(const struct vctx *c, unsigned int where, int type)
{
	uint32_t l;

	P("Advanced Error Reporting\n");
	if (c->verbose < 2 || !have(c, where + PCI_ERR_UNCOR_STATUS, 40))
		return;
	l = l32(c, where + PCI_ERR_UNCOR_STATUS);
	P("\t\tUESta:\t" UNC_FMT, UNC_ARGS(l));
	l = l32(c, where + PCI_ERR_UNCOR_MASK);
	P("\t\tUEMsk:\t" UNC_FMT, UNC_ARGS(l));
	l = l32(c, where + PCI_ERR_UNCOR_SEVER);
	P("\t\tUESvrt:\t" UNC_FMT, UNC_ARGS(l));
	l = l32(c, where + PCI_ERR_COR_STATUS);
	P("\t\tCESta:\t" COR_FMT, COR_ARGS(l));
	l = l32(c, where + PCI_ERR_COR_MASK);
	P("\t\tCEMsk:\t" COR_FMT, COR_ARGS(l));
	l = l32(c, where + PCI_ERR_CAP);
	P("\t\tAERCap:\tFirst Error Pointer: %02x, ECRCGenCap%c ECRCGenEn%c ECRCChkCap%c ECRCChkEn%c\n"
	  "\t\t\tMultHdrRecCap%c MultHdrRecEn%c TLPPfxPres%c HdrLogCap%c\n",
	  l & 31, FLAG(l, PCI_ERR_CAP_ECRC_GENC), FLAG(l, PCI_ERR_CAP_ECRC_GENE),
	  FLAG(l, PCI_ERR_CAP_ECRC_CHKC), FLAG(l, PCI_ERR_CAP_ECRC_CHKE), FLAG(l, 0x200),
	  FLAG(l, 0x400), FLAG(l, 0x800), FLAG(l, 0x1000));
	P("\t\tHeaderLog: %08x %08x %08x %08x\n", l32(c, where + PCI_ERR_HEADER_LOG),
	  l32(c, where + PCI_ERR_HEADER_LOG + 4), l32(c, where + PCI_ERR_HEADER_LOG + 8),
	  l32(c, where + PCI_ERR_HEADER_LOG + 12));
	if (type != PCI_EXP_TYPE_ROOT_PORT && type != PCI_EXP_TYPE_RC_EC)
		return;
	if (!have(c, where + PCI_ERR_ROOT_COMMAND, 12))
		return;
	l = l32(c, where + PCI_ERR_ROOT_COMMAND);
	P("\t\tRootCmd: CERptEn%c NFERptEn%c FERptEn%c\n", FLAG(l, PCI_ERR_ROOT_CMD_COR_EN),
	  FLAG(l, PCI_ERR_ROOT_CMD_NONFATAL_EN), FLAG(l, PCI_ERR_ROOT_CMD_FATAL_EN));
	l = l32(c, where + PCI_ERR_ROOT_STATUS);
	P("\t\tRootSta: CERcvd%c MultCERcvd%c UERcvd%c MultUERcvd%c\n"
	  "\t\t\t FirstFatal%c NonFatalMsg%c FatalMsg%c IntMsg %d\n",
	  FLAG(l, PCI_ERR_ROOT_COR_RCV), FLAG(l, PCI_ERR_ROOT_MULTI_COR_RCV),
	  FLAG(l, PCI_ERR_ROOT_UNCOR_RCV), FLAG(l, PCI_ERR_ROOT_MULTI_UNCOR_RCV),
	  FLAG(l, PCI_ERR_ROOT_FIRST_FATAL), FLAG(l, PCI_ERR_ROOT_NONFATAL_RCV),
	  FLAG(l, PCI_ERR_ROOT_FATAL_RCV), (l >> 27) & 0x1f);
	P("\t\tErrorSrc: ERR_COR: %04x ", w16(c, where + PCI_ERR_ROOT_ERR_SRC));
	P("ERR_FATAL/NONFATAL: %04x\n", w16(c, where + PCI_ERR_ROOT_ERR_SRC + 2));
}

/* PCIe r6.2 §7.9.14 */
static void cap_dpc(const struct vctx *c, unsigned int where)
{
	uint16_t l;

	P("Downstream Port Containment\n");
	if (c->verbose < 2 || !have(c, where + PCI_EXP_DPC_CAP, 8))
		return;
	l = w16(c, where + PCI_EXP_DPC_CAP);
	P("\t\tDpcCap:\tINT Msg #%d, RPExt%c PoisonedTLP%c SwTrigger%c RP PIO Log %d, DL_ActiveErr%c\n",
	  l & 0x1f, FLAG(l, 0x20), FLAG(l, 0x40), FLAG(l, 0x80), BITS(l, 8, 4), FLAG(l, 0x1000));
	l = w16(c, where + PCI_EXP_DPC_CTL);
	P("\t\tDpcCtl:\tTrigger:%x Cmpl%c INT%c ErrCor%c PoisonedTLP%c SwTrigger%c DL_ActiveErr%c\n",
	  l & 3, FLAG(l, 0x4), FLAG(l, 0x8), FLAG(l, 0x10), FLAG(l, 0x20), FLAG(l, 0x40),
	  FLAG(l, 0x80));
	l = w16(c, where + PCI_EXP_DPC_STATUS);
	P("\t\tDpcSta:\tTrigger%c Reason:%02x INT%c RPBusy%c TriggerExt:%02x RP PIO ErrPtr:%02x\n",
	  FLAG(l, 0x1), BITS(l, 1, 2), FLAG(l, 0x8), FLAG(l, 0x10), BITS(l, 5, 2), BITS(l, 8, 5));
	P("\t\tSource:\t%04x\n", w16(c, where + PCI_EXP_DPC_SOURCE_ID));
}

static void cap_dsn(const struct vctx *c, unsigned int where)
{
	uint32_t t1, t2;

	if (!have(c, where + 4, 8))
		return;
	t1 = l32(c, where + 4);
	t2 = l32(c, where + 8);
	P("Device Serial Number %02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x\n", t2 >> 24,
	  (t2 >> 16) & 0xff, (t2 >> 8) & 0xff, t2 & 0xff, t1 >> 24, (t1 >> 16) & 0xff,
	  (t1 >> 8) & 0xff, t1 & 0xff);
}

/* PCIe r6.2 §7.7.8 */
static void cap_acs(const struct vctx *c, unsigned int where)
{
	uint16_t w;

	P("Access Control Services\n");
	if (c->verbose < 2 || !have(c, where + PCI_ACS_CAP, 4))
		return;
	w = w16(c, where + PCI_ACS_CAP);
	P("\t\tACSCap:\tSrcValid%c TransBlk%c ReqRedir%c CmpltRedir%c UpstreamFwd%c EgressCtrl%c DirectTrans%c\n",
	  FLAG(w, PCI_ACS_SV), FLAG(w, PCI_ACS_TB), FLAG(w, PCI_ACS_RR), FLAG(w, PCI_ACS_CR),
	  FLAG(w, PCI_ACS_UF), FLAG(w, PCI_ACS_EC), FLAG(w, PCI_ACS_DT));
	w = w16(c, where + PCI_ACS_CTRL);
	P("\t\tACSCtl:\tSrcValid%c TransBlk%c ReqRedir%c CmpltRedir%c UpstreamFwd%c EgressCtrl%c DirectTrans%c\n",
	  FLAG(w, PCI_ACS_SV), FLAG(w, PCI_ACS_TB), FLAG(w, PCI_ACS_RR), FLAG(w, PCI_ACS_CR),
	  FLAG(w, PCI_ACS_UF), FLAG(w, PCI_ACS_EC), FLAG(w, PCI_ACS_DT));
}

/* PCIe r6.2 §7.8.7 */
static void cap_ari(const struct vctx *c, unsigned int where)
{
	uint16_t w;

	P("Alternative Routing-ID Interpretation (ARI)\n");
	if (c->verbose < 2 || !have(c, where + PCI_ARI_CAP, 4))
		return;
	w = w16(c, where + PCI_ARI_CAP);
	P("\t\tARICap:\tMFVC%c ACS%c, Next Function: %d\n", FLAG(w, PCI_ARI_CAP_MFVC),
	  FLAG(w, PCI_ARI_CAP_ACS), BITS(w, 8, 8));
	w = w16(c, where + PCI_ARI_CTRL);
	P("\t\tARICtl:\tMFVC%c ACS%c, Function Group: %d\n", FLAG(w, PCI_ARI_CTRL_MFVC),
	  FLAG(w, PCI_ARI_CTRL_ACS), BITS(w, 4, 3));
}

/* PCIe r6.2 §10.5.1 */
static void cap_ats(const struct vctx *c, unsigned int where)
{
	uint16_t w;

	P("Address Translation Service (ATS)\n");
	if (c->verbose < 2 || !have(c, where + PCI_ATS_CAP, 4))
		return;
	w = w16(c, where + PCI_ATS_CAP);
	P("\t\tATSCap:\tInvalidate Queue Depth: %02x\n", w & 0x1f);
	w = w16(c, where + PCI_ATS_CTRL);
	P("\t\tATSCtl:\tEnable%c, Smallest Translation Unit: %02x\n", FLAG(w, PCI_ATS_CTRL_ENABLE),
	  w & 0x1f);
}

/* PCIe r6.2 §10.5.2 */
static void cap_pri(const struct vctx *c, unsigned int where)
{
	uint16_t w;

	P("Page Request Interface (PRI)\n");
	if (c->verbose < 2 || !have(c, where + PCI_PRI_CTRL, 0xc))
		return;
	w = w16(c, where + PCI_PRI_CTRL);
	P("\t\tPRICtl: Enable%c Reset%c\n", FLAG(w, PCI_PRI_CTRL_ENABLE), FLAG(w, PCI_PRI_CTRL_RESET));
	w = w16(c, where + PCI_PRI_STATUS);
	P("\t\tPRISta: RF%c UPRGI%c Stopped%c\n", FLAG(w, PCI_PRI_STATUS_RF),
	  FLAG(w, PCI_PRI_STATUS_UPRGI), FLAG(w, PCI_PRI_STATUS_STOPPED));
	P("\t\tPage Request Capacity: %08x, ", l32(c, where + PCI_PRI_MAX_REQ));
	P("Page Request Allocation: %08x\n", l32(c, where + PCI_PRI_ALLOC_REQ));
}

/* PCIe r6.2 §7.8.8 */
static void cap_pasid(const struct vctx *c, unsigned int where)
{
	uint16_t w;

	P("Process Address Space ID (PASID)\n");
	if (c->verbose < 2 || !have(c, where + PCI_PASID_CAP, 4))
		return;
	w = w16(c, where + PCI_PASID_CAP);
	P("\t\tPASIDCap: Exec%c Priv%c, Max PASID Width: %02x\n", FLAG(w, PCI_PASID_CAP_EXEC),
	  FLAG(w, PCI_PASID_CAP_PRIV), BITS(w, 8, 5));
	w = w16(c, where + PCI_PASID_CTRL);
	P("\t\tPASIDCtl: Enable%c Exec%c Priv%c\n", FLAG(w, PCI_PASID_CTRL_ENABLE),
	  FLAG(w, PCI_PASID_CTRL_EXEC), FLAG(w, PCI_PASID_CTRL_PRIV));
}

/* PCIe r6.2 §9.3.3 */
static void cap_sriov(const struct vctx *c, unsigned int where)
{
	uint32_t l;
	uint16_t w;

	P("Single Root I/O Virtualization (SR-IOV)\n");
	if (c->verbose < 2 || !have(c, where + PCI_SRIOV_CAP, 0x3c))
		return;
	l = l32(c, where + PCI_SRIOV_CAP);
	P("\t\tIOVCap:\tMigration%c 10BitTagReq%c Interrupt Message Number: %03x\n",
	  FLAG(l, PCI_SRIOV_CAP_VFM), FLAG(l, 0x4), l >> 21);
	w = w16(c, where + PCI_SRIOV_CTRL);
	P("\t\tIOVCtl:\tEnable%c Migration%c Interrupt%c MSE%c ARIHierarchy%c 10BitTagReq%c\n",
	  FLAG(w, PCI_SRIOV_CTRL_VFE), FLAG(w, PCI_SRIOV_CTRL_VFM), FLAG(w, PCI_SRIOV_CTRL_INTR),
	  FLAG(w, PCI_SRIOV_CTRL_MSE), FLAG(w, PCI_SRIOV_CTRL_ARI), FLAG(w, 0x20));
	w = w16(c, where + PCI_SRIOV_STATUS);
	P("\t\tIOVSta:\tMigration%c\n", FLAG(w, PCI_SRIOV_STATUS_VFM));
	P("\t\tInitial VFs: %d, ", w16(c, where + PCI_SRIOV_INITIAL_VF));
	P("Total VFs: %d, ", w16(c, where + PCI_SRIOV_TOTAL_VF));
	P("Number of VFs: %d, ", w16(c, where + PCI_SRIOV_NUM_VF));
	P("Function Dependency Link: %02x\n", b8(c, where + PCI_SRIOV_FUNC_LINK));
	P("\t\tVF offset: %d, ", w16(c, where + PCI_SRIOV_VF_OFFSET));
	P("stride: %d, ", w16(c, where + PCI_SRIOV_VF_STRIDE));
	P("Device ID: %04x\n", w16(c, where + PCI_SRIOV_VF_DID));
	P("\t\tSupported Page Size: %08x, ", l32(c, where + PCI_SRIOV_SUP_PGSIZE));
	P("System Page Size: %08x\n", l32(c, where + PCI_SRIOV_SYS_PGSIZE));
	for (unsigned int i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		unsigned int type;

		l = l32(c, where + PCI_SRIOV_BAR + 4 * i);
		if (l == 0xffffffff)
			l = 0;
		if (!l)
			continue;
		P("\t\tRegion %u: Memory at ", i);
		type = l & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
		if (type == PCI_BASE_ADDRESS_MEM_TYPE_64) {
			i++;
			P("%08x", l32(c, where + PCI_SRIOV_BAR + 4 * i));
		}
		P("%08x (%s-bit, %sprefetchable)\n", l & ~0xfu,
		  type == PCI_BASE_ADDRESS_MEM_TYPE_32 ? "32" : "64",
		  (l & PCI_BASE_ADDRESS_MEM_PREFETCH) ? "" : "non-");
	}
	l = l32(c, where + PCI_SRIOV_VFM);
	P("\t\tVF Migration: offset: %08x, BIR: %x\n", l & 0xfffffff8u, l & 7);
}

/* PCIe r6.2 §7.9.6 */
static void cap_dvsec(const struct vctx *c, unsigned int where)
{
	uint32_t hdr;

	P("Designated Vendor-Specific: ");
	if (!have(c, where + PCI_DVSEC_HEADER1, 8)) {
		P("<unreadable>\n");
		return;
	}
	hdr = l32(c, where + PCI_DVSEC_HEADER1);
	P("Vendor=%04x ID=%04x Rev=%d Len=%d", hdr & 0xffff, w16(c, where + PCI_DVSEC_HEADER2),
	  BITS(hdr, 16, 4), BITS(hdr, 20, 12));
	/* CXL DVSECs are decoded by pciutils but not here */
	P(" <?>\n");
}

static void cap_evendor(const struct vctx *c, unsigned int where)
{
	uint32_t hdr;

	P("Vendor Specific Information: ");
	if (!have(c, where + PCI_VNDR_HEADER, 4)) {
		P("<unreadable>\n");
		return;
	}
	hdr = l32(c, where + PCI_VNDR_HEADER);
	P("ID=%04x Rev=%d Len=%03x <?>\n", hdr & 0xffff, BITS(hdr, 16, 4), BITS(hdr, 20, 12));
}

static int l1pm_pwron(unsigned int scale, unsigned int value)
{
	switch (scale) {
	case 0: return 2 * (int)value;
	case 1: return 10 * (int)value;
	case 2: return 100 * (int)value;
	default: return -1;
	}
}

/* PCIe r6.2 §7.8.3 */
static void cap_l1pm(const struct vctx *c, unsigned int where)
{
	uint32_t cap, val;
	bool l12;
	int t;

	P("L1 PM Substates\n");
	if (c->verbose < 2)
		return;
	if (!have(c, where + PCI_L1SS_CAP, 12)) {
		P("\t\t<unreadable>\n");
		return;
	}
	cap = l32(c, where + PCI_L1SS_CAP);
	P("\t\tL1SubCap: PCI-PM_L1.2%c PCI-PM_L1.1%c ASPM_L1.2%c ASPM_L1.1%c L1_PM_Substates%c\n",
	  FLAG(cap, PCI_L1SS_CAP_PCIPM_L1_2), FLAG(cap, PCI_L1SS_CAP_PCIPM_L1_1),
	  FLAG(cap, PCI_L1SS_CAP_ASPM_L1_2), FLAG(cap, PCI_L1SS_CAP_ASPM_L1_1),
	  FLAG(cap, PCI_L1SS_CAP_L1_PM_SS));
	l12 = cap & (PCI_L1SS_CAP_PCIPM_L1_2 | PCI_L1SS_CAP_ASPM_L1_2);
	if (l12) {
		P("\t\t\t  PortCommonModeRestoreTime=%dus ", BITS(cap, 8, 8));
		t = l1pm_pwron(BITS(cap, 16, 2), BITS(cap, 19, 5));
		if (t != -1)
			P("PortTPowerOnTime=%dus\n", t);
		else
			P("PortTPowerOnTime=<error>\n");
	}
	val = l32(c, where + PCI_L1SS_CTL1);
	P("\t\tL1SubCtl1: PCI-PM_L1.2%c PCI-PM_L1.1%c ASPM_L1.2%c ASPM_L1.1%c\n",
	  FLAG(val, PCI_L1SS_CTL1_PCIPM_L1_2), FLAG(val, PCI_L1SS_CTL1_PCIPM_L1_1),
	  FLAG(val, PCI_L1SS_CTL1_ASPM_L1_2), FLAG(val, PCI_L1SS_CTL1_ASPM_L1_1));
	if (l12) {
		P("\t\t\t   T_CommonMode=%dus", BITS(val, 8, 8));
		if (cap & PCI_L1SS_CAP_ASPM_L1_2) {
			unsigned int scale = BITS(val, 29, 3);

			/* LTR_L1.2_THRESHOLD Value x Scale (1 << 5*scale ns) */
			if (scale > 5)
				P(" LTR1.2_Threshold=<error>");
			else
				P(" LTR1.2_Threshold=%lluns",
				  (unsigned long long)BITS(val, 16, 10) << (scale * 5));
		}
		P("\n");
	}
	val = l32(c, where + PCI_L1SS_CTL2);
	P("\t\tL1SubCtl2:");
	if (l12) {
		t = l1pm_pwron(BITS(val, 0, 2), BITS(val, 3, 5));
		if (t != -1)
			P(" T_PwrOn=%dus", t);
		else
			P(" T_PwrOn=<error>");
	}
	P("\n");
}

/* PCIe r6.2 §7.9.24 */
static void cap_doe(const struct vctx *c, unsigned int where)
{
	uint32_t l;

	P("Data Object Exchange\n");
	if (c->verbose < 2)
		return;
	if (!have(c, where + PCI_DOE_CAP, 0x14)) {
		P("\t\t<unreadable>\n");
		return;
	}
	l = l32(c, where + PCI_DOE_CAP);
	P("\t\tDOECap: IntSup%c\n", FLAG(l, PCI_DOE_CAP_INT_SUP));
	if (l & PCI_DOE_CAP_INT_SUP)
		P("\t\t\tInterrupt Message Number %03x\n", BITS(l, 1, 11));
	l = l32(c, where + PCI_DOE_CTRL);
	P("\t\tDOECtl: IntEn%c\n", FLAG(l, PCI_DOE_CTRL_INT_EN));
	l = l32(c, where + PCI_DOE_STATUS);
	P("\t\tDOESta: Busy%c IntSta%c Error%c ObjectReady%c\n", FLAG(l, PCI_DOE_STATUS_BUSY),
	  FLAG(l, PCI_DOE_STATUS_INT_STATUS), FLAG(l, PCI_DOE_STATUS_ERROR),
	  FLAG(l, PCI_DOE_STATUS_DATA_OBJECT_READY));
}

/* Names pciutils 3.9 prints (with "<?>") for extended capabilities it does
 * not decode; this decoder prints the same for those. */
static const char *ext_cap_simple(unsigned int id)
{
	switch (id) {
	case PCI_EXT_CAP_ID_PWR: return "Power Budgeting <?>";
	case PCI_EXT_CAP_ID_RCILC: return "Root Complex Internal Link <?>";
	case PCI_EXT_CAP_ID_MFVC: return "Multi-Function Virtual Channel <?>";
	case PCI_EXT_CAP_ID_RCRB: return "Root Complex Register Block <?>";
	case PCI_EXT_CAP_ID_MRIOV: return "Multi-Root I/O Virtualization <?>";
	case PCI_EXT_CAP_ID_DPA: return "Dynamic Power Allocation <?>";
	case PCI_EXT_CAP_ID_PMUX: return "Protocol Multiplexing <?>";
	case 0x1c: return "LN Requester <?>";
	case 0x20: return "PCI Express over M_PHY <?>";
	case 0x21: return "FRS Queueing <?>";
	case 0x22: return "Readiness Time Reporting <?>";
	case PCI_EXT_CAP_ID_DLF: return "Data Link Feature <?>";
	case PCI_EXT_CAP_ID_PL_16GT: return "Physical Layer 16.0 GT/s <?>";
	case 0x27: return "Lane Margining at the Receiver <?>";
	case 0x28: return "Hierarchy ID <?>";
	case 0x29: return "Native PCIe Enclosure Management <?>";
	default: return NULL;
	}
}

int lspci_v_show_ext_caps(const struct vctx *c, int type)
{
	uint8_t seen[LSPCI_CFG_SIZE] = { 0 };
	unsigned int where = 0x100;

	do {
		uint32_t header;
		unsigned int id, version;
		const char *simple;

		if (!have(c, where, 4))
			break;
		header = l32(c, where);
		if (!header || header == 0xffffffff)
			break;
		id = header & 0xffff;
		version = (header >> 16) & 0xf;
		P("\tCapabilities: [%03x", where);
		if (c->verbose > 1)
			P(" v%u", version);
		P("] ");
		if (seen[where]++) {
			P("<chain looped>\n");
			break;
		}
		switch (id) {
		case 0: P("Null\n"); break;
		case PCI_EXT_CAP_ID_ERR: cap_aer(c, where, type); break;
		case PCI_EXT_CAP_ID_DPC: cap_dpc(c, where); break;
		case PCI_EXT_CAP_ID_DSN: cap_dsn(c, where); break;
		case PCI_EXT_CAP_ID_VNDR: cap_evendor(c, where); break;
		case PCI_EXT_CAP_ID_ACS: cap_acs(c, where); break;
		case PCI_EXT_CAP_ID_ARI: cap_ari(c, where); break;
		case PCI_EXT_CAP_ID_ATS: cap_ats(c, where); break;
		case PCI_EXT_CAP_ID_SRIOV: cap_sriov(c, where); break;
		case PCI_EXT_CAP_ID_PRI: cap_pri(c, where); break;
		case PCI_EXT_CAP_ID_PASID: cap_pasid(c, where); break;
		case PCI_EXT_CAP_ID_L1SS: cap_l1pm(c, where); break;
		case PCI_EXT_CAP_ID_DVSEC: cap_dvsec(c, where); break;
		case PCI_EXT_CAP_ID_DOE: cap_doe(c, where); break;
		default:
			simple = ext_cap_simple(id);
			if (simple)
				P("%s\n", simple);
			else
				P("Extended Capability ID %#02x\n", id);
			break;
		}
		where = (header >> 20) & ~3u;
	} while (where);
	return 0;
}

