// SPDX-License-Identifier: MIT
/*
 * pcilab lspci -vv: the PCI Express capability (PCIe r6.2 §7.5.3), worded
 * as pciutils 3.9 words it.
 */
#include "lspci_verbose_int.h"

/* ---- PCI Express capability, PCIe r6.2 §7.5.3 ----------------------------- */

static bool is_ep(int type)
{
	return type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END;
}

static void show_power_limit(const struct vctx *c, int value, int scale)
{
	static const double scales[4] = { 1.0, 0.1, 0.01, 0.001 };

	if (scale == 0 && value == 0xff) {
		P(">600W");
		return;
	}
	if (scale == 0 && value >= 0xf0 && value <= 0xfe)
		value = 250 + 25 * (value - 0xf0);
	P("%gW", value * scales[scale]);
}

static const char *latency_l0s(int v)
{
	static const char *const l[] = { "<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us",
					 "<4us", "unlimited" };
	return l[v & 7];
}

static const char *latency_l1(int v)
{
	static const char *const l[] = { "<1us", "<2us", "<4us", "<8us", "<16us", "<32us",
					 "<64us", "unlimited" };
	return l[v & 7];
}

static void exp_dev(const struct vctx *c, unsigned int where, int type)
{
	uint32_t t = l32(c, where + PCI_EXP_DEVCAP);
	uint16_t w;

	P("\t\tDevCap:\tMaxPayload %d bytes, PhantFunc %d", 128 << (t & PCI_EXP_DEVCAP_PAYLOAD),
	  (1 << ((t & PCI_EXP_DEVCAP_PHANTOM) >> 3)) - 1);
	if (is_ep(type))
		P(", Latency L0s %s, L1 %s", latency_l0s((t & PCI_EXP_DEVCAP_L0S) >> 6),
		  latency_l1((t & PCI_EXP_DEVCAP_L1) >> 9));
	P("\n\t\t\tExtTag%c", FLAG(t, PCI_EXP_DEVCAP_EXT_TAG));
	if (is_ep(type) || type == PCI_EXP_TYPE_UPSTREAM || type == PCI_EXP_TYPE_PCI_BRIDGE)
		P(" AttnBtn%c AttnInd%c PwrInd%c", FLAG(t, PCI_EXP_DEVCAP_ATN_BUT),
		  FLAG(t, PCI_EXP_DEVCAP_ATN_IND), FLAG(t, PCI_EXP_DEVCAP_PWR_IND));
	P(" RBE%c", FLAG(t, PCI_EXP_DEVCAP_RBER));
	if (is_ep(type) || type == PCI_EXP_TYPE_RC_END)
		P(" FLReset%c", FLAG(t, PCI_EXP_DEVCAP_FLR));
	if (type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_UPSTREAM ||
	    type == PCI_EXP_TYPE_PCI_BRIDGE) {
		P(" SlotPowerLimit ");
		show_power_limit(c, (int)((t & PCI_EXP_DEVCAP_PWR_VAL) >> 18),
				 (int)((t & PCI_EXP_DEVCAP_PWR_SCL) >> 26));
	}
	P("\n");

	w = w16(c, where + PCI_EXP_DEVCTL);
	P("\t\tDevCtl:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c\n",
	  FLAG(w, PCI_EXP_DEVCTL_CERE), FLAG(w, PCI_EXP_DEVCTL_NFERE),
	  FLAG(w, PCI_EXP_DEVCTL_FERE), FLAG(w, PCI_EXP_DEVCTL_URRE));
	P("\t\t\tRlxdOrd%c ExtTag%c PhantFunc%c AuxPwr%c NoSnoop%c",
	  FLAG(w, PCI_EXP_DEVCTL_RELAX_EN), FLAG(w, PCI_EXP_DEVCTL_EXT_TAG),
	  FLAG(w, PCI_EXP_DEVCTL_PHANTOM), FLAG(w, PCI_EXP_DEVCTL_AUX_PME),
	  FLAG(w, PCI_EXP_DEVCTL_NOSNOOP_EN));
	if (type == PCI_EXP_TYPE_PCI_BRIDGE)
		P(" BrConfRtry%c", FLAG(w, PCI_EXP_DEVCTL_BCR_FLR));
	if ((is_ep(type) || type == PCI_EXP_TYPE_RC_END) && (t & PCI_EXP_DEVCAP_FLR))
		P(" FLReset%c", FLAG(w, PCI_EXP_DEVCTL_BCR_FLR));
	P("\n\t\t\tMaxPayload %d bytes, MaxReadReq %d bytes\n",
	  128 << ((w & PCI_EXP_DEVCTL_PAYLOAD) >> 5), 128 << ((w & PCI_EXP_DEVCTL_READRQ) >> 12));

	w = w16(c, where + PCI_EXP_DEVSTA);
	P("\t\tDevSta:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c AuxPwr%c TransPend%c\n",
	  FLAG(w, PCI_EXP_DEVSTA_CED), FLAG(w, PCI_EXP_DEVSTA_NFED), FLAG(w, PCI_EXP_DEVSTA_FED),
	  FLAG(w, PCI_EXP_DEVSTA_URD), FLAG(w, PCI_EXP_DEVSTA_AUXPD), FLAG(w, PCI_EXP_DEVSTA_TRPND));
}

static const char *link_speed(int s)
{
	static const char *const n[] = { "unknown", "2.5GT/s", "5GT/s", "8GT/s", "16GT/s",
					 "32GT/s", "64GT/s" };
	return s >= 1 && s <= 6 ? n[s] : n[0];
}

static const char *link_compare(int type, unsigned int sta, unsigned int cap)
{
	if (sta > cap)
		return " (overdriven)";
	if (sta == cap)
		return "";
	if (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
	    type == PCI_EXP_TYPE_PCIE_BRIDGE)
		return "";
	return " (downgraded)";
}

static void exp_link(const struct vctx *c, unsigned int where, int type)
{
	static const char *const aspm_sup[] = { "not supported", "L0s", "L1", "L0s L1" };
	static const char *const aspm_en[] = { "Disabled", "L0s Enabled", "L1 Enabled",
					       "L0s L1 Enabled" };
	uint32_t t = l32(c, where + PCI_EXP_LNKCAP);
	unsigned int aspm = (t & PCI_EXP_LNKCAP_ASPMS) >> 10;
	unsigned int cap_speed = t & PCI_EXP_LNKCAP_SLS, cap_width = (t & PCI_EXP_LNKCAP_MLW) >> 4;
	unsigned int sta_speed, sta_width;
	uint16_t w;

	P("\t\tLnkCap:\tPort #%u, Speed %s, Width x%u, ASPM %s", t >> 24,
	  link_speed((int)cap_speed), cap_width, aspm_sup[aspm]);
	if (aspm) {
		P(", Exit Latency ");
		if (aspm & 1)
			P("L0s %s", latency_l0s((t & PCI_EXP_LNKCAP_L0SEL) >> 12));
		if (aspm & 2)
			P("%sL1 %s", (aspm & 1) ? ", " : "", latency_l1((t & PCI_EXP_LNKCAP_L1EL) >> 15));
	}
	P("\n");
	P("\t\t\tClockPM%c Surprise%c LLActRep%c BwNot%c ASPMOptComp%c\n",
	  FLAG(t, PCI_EXP_LNKCAP_CLKPM), FLAG(t, PCI_EXP_LNKCAP_SDERC),
	  FLAG(t, PCI_EXP_LNKCAP_DLLLARC), FLAG(t, PCI_EXP_LNKCAP_LBNC),
	  FLAG(t, 0x00400000u /* ASPM Optionality Compliance, §7.5.3.6 */));

	w = w16(c, where + PCI_EXP_LNKCTL);
	P("\t\tLnkCtl:\tASPM %s;", aspm_en[w & PCI_EXP_LNKCTL_ASPMC]);
	if (type == PCI_EXP_TYPE_ROOT_PORT || is_ep(type) || type == PCI_EXP_TYPE_PCI_BRIDGE)
		P(" RCB %d bytes,", (w & PCI_EXP_LNKCTL_RCB) ? 128 : 64);
	P(" Disabled%c CommClk%c\n\t\t\tExtSynch%c ClockPM%c AutWidDis%c BWInt%c AutBWInt%c\n",
	  FLAG(w, PCI_EXP_LNKCTL_LD), FLAG(w, PCI_EXP_LNKCTL_CCC), FLAG(w, PCI_EXP_LNKCTL_ES),
	  FLAG(w, PCI_EXP_LNKCTL_CLKREQ_EN), FLAG(w, PCI_EXP_LNKCTL_HAWD),
	  FLAG(w, PCI_EXP_LNKCTL_LBMIE), FLAG(w, PCI_EXP_LNKCTL_LABIE));

	w = w16(c, where + PCI_EXP_LNKSTA);
	sta_speed = w & PCI_EXP_LNKSTA_CLS;
	sta_width = (w & PCI_EXP_LNKSTA_NLW) >> 4;
	P("\t\tLnkSta:\tSpeed %s%s, Width x%u%s\n", link_speed((int)sta_speed),
	  link_compare(type, sta_speed, cap_speed), sta_width,
	  link_compare(type, sta_width, cap_width));
	P("\t\t\tTrErr%c Train%c SlotClk%c DLActive%c BWMgmt%c ABWMgmt%c\n",
	  FLAG(w, 0x0400 /* Link Training Error (reserved since r2.0) */),
	  FLAG(w, PCI_EXP_LNKSTA_LT), FLAG(w, PCI_EXP_LNKSTA_SLC), FLAG(w, PCI_EXP_LNKSTA_DLLLA),
	  FLAG(w, PCI_EXP_LNKSTA_LBMS), FLAG(w, PCI_EXP_LNKSTA_LABS));
}

static const char *indicator(int code)
{
	static const char *const n[] = { "Unknown", "On", "Blink", "Off" };
	return n[code & 3];
}

static void exp_slot(const struct vctx *c, unsigned int where)
{
	uint32_t t = l32(c, where + PCI_EXP_SLTCAP);
	uint16_t w;

	P("\t\tSltCap:\tAttnBtn%c PwrCtrl%c MRL%c AttnInd%c PwrInd%c HotPlug%c Surprise%c\n",
	  FLAG(t, PCI_EXP_SLTCAP_ABP), FLAG(t, PCI_EXP_SLTCAP_PCP), FLAG(t, PCI_EXP_SLTCAP_MRLSP),
	  FLAG(t, PCI_EXP_SLTCAP_AIP), FLAG(t, PCI_EXP_SLTCAP_PIP), FLAG(t, PCI_EXP_SLTCAP_HPC),
	  FLAG(t, PCI_EXP_SLTCAP_HPS));
	P("\t\t\tSlot #%u, PowerLimit ", (t & PCI_EXP_SLTCAP_PSN) >> 19);
	show_power_limit(c, (int)((t & PCI_EXP_SLTCAP_SPLV) >> 7),
			 (int)((t & PCI_EXP_SLTCAP_SPLS) >> 15));
	P("; Interlock%c NoCompl%c\n", FLAG(t, PCI_EXP_SLTCAP_EIP), FLAG(t, PCI_EXP_SLTCAP_NCCS));

	w = w16(c, where + PCI_EXP_SLTCTL);
	P("\t\tSltCtl:\tEnable: AttnBtn%c PwrFlt%c MRL%c PresDet%c CmdCplt%c HPIrq%c LinkChg%c\n",
	  FLAG(w, PCI_EXP_SLTCTL_ABPE), FLAG(w, PCI_EXP_SLTCTL_PFDE), FLAG(w, PCI_EXP_SLTCTL_MRLSCE),
	  FLAG(w, PCI_EXP_SLTCTL_PDCE), FLAG(w, PCI_EXP_SLTCTL_CCIE), FLAG(w, PCI_EXP_SLTCTL_HPIE),
	  FLAG(w, PCI_EXP_SLTCTL_DLLSCE));
	P("\t\t\tControl: AttnInd %s, PwrInd %s, Power%c Interlock%c\n",
	  indicator((w & PCI_EXP_SLTCTL_AIC) >> 6), indicator((w & PCI_EXP_SLTCTL_PIC) >> 8),
	  FLAG(w, PCI_EXP_SLTCTL_PCC), FLAG(w, PCI_EXP_SLTCTL_EIC));

	w = w16(c, where + PCI_EXP_SLTSTA);
	P("\t\tSltSta:\tStatus: AttnBtn%c PowerFlt%c MRL%c CmdCplt%c PresDet%c Interlock%c\n",
	  FLAG(w, PCI_EXP_SLTSTA_ABP), FLAG(w, PCI_EXP_SLTSTA_PFD), FLAG(w, PCI_EXP_SLTSTA_MRLSS),
	  FLAG(w, PCI_EXP_SLTSTA_CC), FLAG(w, PCI_EXP_SLTSTA_PDS), FLAG(w, PCI_EXP_SLTSTA_EIS));
	P("\t\t\tChanged: MRL%c PresDet%c LinkState%c\n", FLAG(w, PCI_EXP_SLTSTA_MRLSC),
	  FLAG(w, PCI_EXP_SLTSTA_PDC), FLAG(w, PCI_EXP_SLTSTA_DLLSC));
}

static void exp_root(const struct vctx *c, unsigned int where)
{
	uint32_t w;

	w = w16(c, where + PCI_EXP_RTCAP);
	P("\t\tRootCap: CRSVisible%c\n", FLAG(w, PCI_EXP_RTCAP_RRS_SV));
	w = w16(c, where + PCI_EXP_RTCTL);
	P("\t\tRootCtl: ErrCorrectable%c ErrNon-Fatal%c ErrFatal%c PMEIntEna%c CRSVisible%c\n",
	  FLAG(w, PCI_EXP_RTCTL_SECEE), FLAG(w, PCI_EXP_RTCTL_SENFEE), FLAG(w, PCI_EXP_RTCTL_SEFEE),
	  FLAG(w, PCI_EXP_RTCTL_PMEIE), FLAG(w, PCI_EXP_RTCTL_RRS_SVE));
	w = l32(c, where + PCI_EXP_RTSTA);
	P("\t\tRootSta: PME ReqID %04x, PMEStatus%c PMEPending%c\n", w & PCI_EXP_RTSTA_PME_RQ_ID,
	  FLAG(w, PCI_EXP_RTSTA_PME), FLAG(w, PCI_EXP_RTSTA_PENDING));
}

static const char *ct_range(unsigned int v)
{
	switch (v) {
	case 0: return "Not Supported";
	case 1: return "Range A";
	case 2: return "Range B";
	case 3: return "Range AB";
	case 6: return "Range BC";
	case 7: return "Range ABC";
	case 14: return "Range BCD";
	case 15: return "Range ABCD";
	default: return "Unknown";
	}
}

static const char *ct_value(unsigned int v)
{
	switch (v) {
	case 0: return "50us to 50ms";
	case 1: return "50us to 100us";
	case 2: return "1ms to 10ms";
	case 5: return "16ms to 55ms";
	case 6: return "65ms to 210ms";
	case 9: return "260ms to 900ms";
	case 10: return "1s to 3.5s";
	case 13: return "4s to 13s";
	case 14: return "17s to 64s";
	default: return "Unknown";
	}
}

static bool has_mem_bar(const struct vctx *c)
{
	unsigned int cnt = (b8(c, PCI_HEADER_TYPE) & 0x7f) == PCI_HEADER_TYPE_BRIDGE ? 2 : 6;

	for (unsigned int i = 0; i < cnt; i++) {
		uint32_t x = l32(c, PCI_BASE_ADDRESS_0 + 4 * i);

		if (x && x != 0xffffffff) {
			if (!(x & PCI_BASE_ADDRESS_SPACE_IO))
				return true;
			if ((x & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64)
				i++;
		} else if (c->f->bar_size[i]) {
			return true;
		}
	}
	return false;
}

static void exp_dev2(const struct vctx *c, unsigned int where, int type)
{
	static const char *const obff_cap[] = { "Not Supported", "Via message", "Via WAKE#",
						"Via message/WAKE#" };
	static const char *const epr[] = { "Not Supported", "Dev Specific",
					   "Form Factor Dev Specific", "Reserved" };
	static const char *const lncls[] = { "Not Supported", "64byte cachelines",
					     "128byte cachelines", "Reserved" };
	static const char *const tph[] = { "TPHComp- ExtTPHComp-", "TPHComp+ ExtTPHComp-", "",
					   "TPHComp+ ExtTPHComp+" };
	static const char *const obff_ctl[] = { "Disabled", "Via message A", "Via message B",
						"Via WAKE#" };
	bool mem = has_mem_bar(c);
	bool rp = type == PCI_EXP_TYPE_ROOT_PORT;
	bool sw = type == PCI_EXP_TYPE_UPSTREAM || type == PCI_EXP_TYPE_DOWNSTREAM;
	uint32_t l = l32(c, where + PCI_EXP_DEVCAP2);
	uint16_t w;

	/* Device Capabilities 2, PCIe r6.2 §7.5.3.15 */
	P("\t\tDevCap2: Completion Timeout: %s, TimeoutDis%c NROPrPrP%c LTR%c",
	  ct_range(l & 0xf), FLAG(l, 0x10), FLAG(l, 0x400), FLAG(l, 0x800));
	P("\n\t\t\t 10BitTagComp%c 10BitTagReq%c OBFF %s, ExtFmt%c EETLPPrefix%c",
	  FLAG(l, 0x10000), FLAG(l, 0x20000), obff_cap[BITS(l, 18, 2)], FLAG(l, 0x100000),
	  FLAG(l, 0x200000));
	if (l & 0x200000)
		P(", MaxEETLPPrefixes %u", BITS(l, 22, 2) ? BITS(l, 22, 2) : 4);
	P("\n\t\t\t EmergencyPowerReduction %s, EmergencyPowerReductionInit%c",
	  epr[BITS(l, 24, 2)], FLAG(l, 0x4000000));
	P("\n\t\t\t FRS%c", FLAG(l, 0x80000000u));
	if (rp)
		P(" LN System CLS %s,", lncls[BITS(l, 14, 2)]);
	if (rp || type == PCI_EXP_TYPE_ENDPOINT)
		P(" %s", tph[BITS(l, 12, 2)]);
	if (rp || type == PCI_EXP_TYPE_DOWNSTREAM)
		P(" ARIFwd%c\n", FLAG(l, PCI_EXP_DEVCAP2_ARI));
	else
		P("\n");
	if (rp || sw || mem) {
		P("\t\t\t AtomicOpsCap:");
		if (rp || sw)
			P(" Routing%c", FLAG(l, PCI_EXP_DEVCAP2_ATOMIC_ROUTE));
		if (rp || mem)
			P(" 32bit%c 64bit%c 128bitCAS%c", FLAG(l, PCI_EXP_DEVCAP2_ATOMIC_COMP32),
			  FLAG(l, PCI_EXP_DEVCAP2_ATOMIC_COMP64), FLAG(l, 0x200));
		P("\n");
	}

	/* Device Control 2, §7.5.3.16 */
	w = w16(c, where + PCI_EXP_DEVCTL2);
	P("\t\tDevCtl2: Completion Timeout: %s, TimeoutDis%c LTR%c 10BitTagReq%c OBFF %s,",
	  ct_value(w & 0xf), FLAG(w, 0x10), FLAG(w, PCI_EXP_DEVCTL2_LTR_EN), FLAG(w, 0x1000),
	  obff_ctl[BITS(w, 13, 2)]);
	if (rp || type == PCI_EXP_TYPE_DOWNSTREAM)
		P(" ARIFwd%c\n", FLAG(w, PCI_EXP_DEVCTL2_ARI));
	else
		P("\n");
	if (rp || sw || is_ep(type) || type == PCI_EXP_TYPE_RC_END) {
		P("\t\t\t AtomicOpsCtl:");
		if (rp || is_ep(type) || type == PCI_EXP_TYPE_RC_END)
			P(" ReqEn%c", FLAG(w, PCI_EXP_DEVCTL2_ATOMIC_REQ));
		if (rp || sw)
			P(" EgressBlck%c", FLAG(w, PCI_EXP_DEVCTL2_ATOMIC_EGRESS_BLOCK));
		P("\n");
	}
}

static const char *speed_vector(unsigned int v)
{
	if (v & 0x60)
		return "RsvdP";
	if (v & 0x10)
		return "2.5-32GT/s";
	if (v & 0x08)
		return "2.5-16GT/s";
	if (v & 0x04)
		return "2.5-8GT/s";
	if (v & 0x02)
		return "2.5-5GT/s";
	if (v & 0x01)
		return "2.5GT/s";
	return "Unknown";
}

static const char *target_speed(unsigned int v)
{
	return v == 0 ? "2.5GT/s" : v <= 6 ? link_speed((int)v) : "Unknown";
}

static const char *deemph(unsigned int v)
{
	return v == 0 ? "-6dB" : v == 1 ? "-3.5dB" : "Unknown";
}

static const char *compliance_preset(unsigned int v)
{
	static const char *const n[] = {
		"-6dB de-emphasis, 0dB preshoot", "-3.5dB de-emphasis, 0dB preshoot",
		"-4.4dB de-emphasis, 0dB preshoot", "-2.5dB de-emphasis, 0dB preshoot",
		"0dB de-emphasis, 0dB preshoot", "0dB de-emphasis, 1.9dB preshoot",
		"0dB de-emphasis, 2.5dB preshoot", "-6.0dB de-emphasis, 3.5dB preshoot",
		"-3.5dB de-emphasis, 3.5dB preshoot", "0dB de-emphasis, 3.5dB preshoot",
	};
	return v < ARRAY_SIZE(n) ? n[v] : "Unknown";
}

static const char *tx_margin(unsigned int v)
{
	if (v == 0)
		return "Normal Operating Range";
	if (v == 1)
		return "800-1200mV(full-swing)/400-700mV(half-swing)";
	if (v <= 5)
		return "200-400mV(full-swing)/100-200mV(half-swing)";
	return "Unknown";
}

static const char *crosslink_res(unsigned int v)
{
	static const char *const n[] = { "unsupported", "Upstream Port", "Downstream Port",
					 "incomplete" };
	return n[v & 3];
}

static const char *downstream_comp(unsigned int v)
{
	switch (v) {
	case 0: return "Link Down - Not Determined";
	case 1: return "Link Down - Not Present";
	case 2: return "Link Down - Present";
	case 4: return "Link Up - Present";
	case 5: return "Link Up - Present and DRS Received";
	default: return "Reserved";
	}
}

static void exp_link2(const struct vctx *c, unsigned int where, int type)
{
	uint32_t l = 0;
	uint16_t w;

	/* Link Capabilities 2 was reserved before r3.0 in non-zero functions */
	if (!(is_ep(type) && (c->f->dev || c->f->fn))) {
		l = l32(c, where + PCI_EXP_LNKCAP2);
		if (l)
			P("\t\tLnkCap2: Supported Link Speeds: %s, Crosslink%c Retimer%c 2Retimers%c DRS%c\n",
			  speed_vector(BITS(l, 1, 7)), FLAG(l, 0x100), FLAG(l, 0x800000),
			  FLAG(l, 0x1000000), FLAG(l, 0x80000000u));
		w = w16(c, where + PCI_EXP_LNKCTL2);
		P("\t\tLnkCtl2: Target Link Speed: %s, EnterCompliance%c SpeedDis%c",
		  target_speed(w & 0xf), FLAG(w, 0x10), FLAG(w, 0x20));
		if (type == PCI_EXP_TYPE_DOWNSTREAM)
			P(", Selectable De-emphasis: %s", deemph(BITS(w, 6, 1)));
		P("\n\t\t\t Transmit Margin: %s, EnterModifiedCompliance%c ComplianceSOS%c\n"
		  "\t\t\t Compliance Preset/De-emphasis: %s\n",
		  tx_margin(BITS(w, 7, 3)), FLAG(w, 0x400), FLAG(w, 0x800),
		  compliance_preset(BITS(w, 12, 4)));
	}
	w = w16(c, where + PCI_EXP_LNKSTA2);
	P("\t\tLnkSta2: Current De-emphasis Level: %s, EqualizationComplete%c EqualizationPhase1%c\n"
	  "\t\t\t EqualizationPhase2%c EqualizationPhase3%c LinkEqualizationRequest%c\n"
	  "\t\t\t Retimer%c 2Retimers%c CrosslinkRes: %s",
	  deemph(w & 1), FLAG(w, 0x02), FLAG(w, 0x04), FLAG(w, 0x08), FLAG(w, 0x10),
	  FLAG(w, 0x20), FLAG(w, 0x40), FLAG(w, 0x80), crosslink_res(BITS(w, 8, 2)));
	if ((type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
	     type == PCI_EXP_TYPE_PCIE_BRIDGE) && (l & 0x80000000u))
		P(", DRS%c\n\t\t\t DownstreamComp: %s\n", FLAG(w, 0x8000),
		  downstream_comp(BITS(w, 12, 3)));
	else
		P("\n");
}

int lspci_v_cap_express(const struct vctx *c, unsigned int where, uint16_t cap)
{
	int type = (cap & PCI_EXP_FLAGS_TYPE) >> 4;
	bool slot = false, link = true;
	unsigned int size;

	P("Express ");
	if (c->verbose >= 2)
		P("(v%d) ", cap & PCI_EXP_FLAGS_VERS);
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT: P("Endpoint"); break;
	case PCI_EXP_TYPE_LEG_END: P("Legacy Endpoint"); break;
	case PCI_EXP_TYPE_ROOT_PORT:
		slot = cap & PCI_EXP_FLAGS_SLOT;
		P("Root Port (Slot%c)", FLAG(cap, PCI_EXP_FLAGS_SLOT));
		break;
	case PCI_EXP_TYPE_UPSTREAM: P("Upstream Port"); break;
	case PCI_EXP_TYPE_DOWNSTREAM:
		slot = cap & PCI_EXP_FLAGS_SLOT;
		P("Downstream Port (Slot%c)", FLAG(cap, PCI_EXP_FLAGS_SLOT));
		break;
	case PCI_EXP_TYPE_PCI_BRIDGE: P("PCI-Express to PCI/PCI-X Bridge"); break;
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		slot = cap & PCI_EXP_FLAGS_SLOT;
		P("PCI/PCI-X to PCI-Express Bridge (Slot%c)", FLAG(cap, PCI_EXP_FLAGS_SLOT));
		break;
	case PCI_EXP_TYPE_RC_END:
		link = false;
		P("Root Complex Integrated Endpoint");
		break;
	case PCI_EXP_TYPE_RC_EC:
		link = false;
		P("Root Complex Event Collector");
		break;
	default:
		P("Unknown type %d", type);
	}
	P(", MSI %02x\n", (cap & PCI_EXP_FLAGS_IRQ) >> 9);
	if (c->verbose < 2)
		return type;

	size = slot ? 24 : 16;
	if (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_RC_EC)
		size = 32;
	if (!have(c, where + PCI_EXP_DEVCAP, size))
		return type;
	exp_dev(c, where, type);
	if (link)
		exp_link(c, where, type);
	if (slot)
		exp_slot(c, where);
	if (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_RC_EC)
		exp_root(c, where);
	if ((cap & PCI_EXP_FLAGS_VERS) < 2)
		return type;
	if (!have(c, where + PCI_EXP_DEVCAP2, slot ? 24 : 16))
		return type;
	exp_dev2(c, where, type);
	if (link)
		exp_link2(c, where, type);
	return type;
}

