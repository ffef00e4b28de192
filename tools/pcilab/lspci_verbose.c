// SPDX-License-Identifier: MIT
/*
 * pcilab lspci -v/-vv/-vvv: decoding of the header and the capabilities of
 * one config-space snapshot, worded as pciutils 3.9 words them so that the
 * two can be diffed line by line. Register layouts per PCIe r6.2 and the
 * PCI-to-PCI Bridge spec r1.2; section numbers at each decoder.
 *
 * Like lspci reading a dump, nothing past cfg_len is touched: a capability
 * whose registers lie beyond it is cut short exactly where lspci's
 * config_fetch() would fail.
 */
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "base/compiler.h"
#include "lspci.h"

/* Class codes (PCI Code and ID Assignment r1.15 §1.7); Linux keeps them
 * outside the uAPI. */
#define LSPCI_BASE_CLASS_BRIDGE	0x06
#define LSPCI_CLASS_BRIDGE_PCI	0x0604

#define FLAG(x, y) (((x) & (y)) ? '+' : '-')
#define BITS(x, at, w) (((x) >> (at)) & ((1u << (w)) - 1))

struct vctx {
	FILE *out;
	struct lspci_names *nm;
	const struct lspci_func *f;
	int verbose;
	bool live;		/* BAR sizes known: a live system's view */
};

static bool have(const struct vctx *c, unsigned int off, unsigned int len)
{
	return off + len <= c->f->cfg_len;
}

static uint8_t b8(const struct vctx *c, unsigned int off)
{
	return c->f->cfg[off];
}

static uint16_t w16(const struct vctx *c, unsigned int off)
{
	return (uint16_t)(c->f->cfg[off] | c->f->cfg[off + 1] << 8);
}

static uint32_t l32(const struct vctx *c, unsigned int off)
{
	const uint8_t *p = c->f->cfg + off;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define P(...) fprintf(c->out, __VA_ARGS__)

static void show_size(const struct vctx *c, uint64_t x)
{
	static const char *const suffix[] = { "", "K", "M", "G", "T" };
	unsigned int i;

	if (!x)
		return;
	for (i = 0; i < ARRAY_SIZE(suffix) - 1; i++) {
		if (x % 1024)
			break;
		x /= 1024;
	}
	P(" [size=%u%s]", (unsigned int)x, suffix[i]);
}

static void show_range(const struct vctx *c, const char *prefix, uint64_t base,
		       uint64_t limit, int bits, bool disabled)
{
	P("%s:", prefix);
	if (base <= limit || c->verbose > 2)
		P(" %0*llx-%0*llx", (bits + 3) / 4, (unsigned long long)base,
		  (bits + 3) / 4, (unsigned long long)limit);
	if (!disabled && base <= limit)
		show_size(c, limit - base + 1);
	else
		P(" [disabled]");
	if (bits)
		P(" [%d-bit]", bits);
	P("\n");
}

/* ---- BARs, PCI r3.0 §6.2.5.1 ---------------------------------------------- */

static void show_bases(const struct vctx *c, unsigned int cnt)
{
	uint16_t cmd = w16(c, PCI_COMMAND);
	bool upper = false;

	for (unsigned int i = 0; i < cnt; i++) {
		uint32_t flg = l32(c, PCI_BASE_ADDRESS_0 + 4 * i);
		uint64_t pos = 0, len = c->f->bar_size[i];
		unsigned int idx = i;
		bool was_upper = upper;

		if (flg == 0xffffffff)
			flg = 0;
		upper = false;
		/* libpci's view of the address: 64-bit BARs combine two slots,
		 * the upper one then has no address of its own */
		if (was_upper) {
			pos = 0;
		} else if (flg && (flg & PCI_BASE_ADDRESS_SPACE_IO)) {
			pos = flg;
		} else if (flg) {
			if ((flg & PCI_BASE_ADDRESS_MEM_TYPE_MASK) != PCI_BASE_ADDRESS_MEM_TYPE_64)
				pos = flg;
			else if (i + 1 < cnt) {
				pos = flg | (uint64_t)l32(c, PCI_BASE_ADDRESS_0 + 4 * (i + 1)) << 32;
				upper = true;
			}
		}
		if (!pos && !flg && !len)
			continue;
		if (c->verbose > 1)
			P("\tRegion %u: ", idx);
		else
			P("\t");
		if (flg & PCI_BASE_ADDRESS_SPACE_IO) {
			uint64_t a = pos & PCI_BASE_ADDRESS_IO_MASK;

			P("I/O ports at ");
			if (a || (cmd & PCI_COMMAND_IO))
				P("%04llx", (unsigned long long)a);
			else
				P("<unassigned>");
			if (!(cmd & PCI_COMMAND_IO))
				P(" [disabled]");
		} else {
			unsigned int t = flg & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
			uint64_t a = pos & ~0xfull;
			bool broken = t == PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 >= cnt;

			P("Memory at ");
			if (broken)
				P("<broken-64-bit-slot>");
			else if (a)
				P("%08llx", (unsigned long long)a);
			else
				P("<unassigned>");
			P(" (%s, %sprefetchable)",
			  t == PCI_BASE_ADDRESS_MEM_TYPE_32 ? "32-bit" :
			  t == PCI_BASE_ADDRESS_MEM_TYPE_64 ? "64-bit" :
			  t == PCI_BASE_ADDRESS_MEM_TYPE_1M ? "low-1M" : "type 3",
			  (flg & PCI_BASE_ADDRESS_MEM_PREFETCH) ? "" : "non-");
			if (!(cmd & PCI_COMMAND_MEMORY))
				P(" [disabled]");
			/* A live system reports the upper half of a 64-bit BAR as
			 * no resource at all; a dump reader sees its raw value. */
			if (c->live && upper) {
				i++;
				upper = false;
			}
		}
		show_size(c, len);
		P("\n");
	}
}

static void show_rom(const struct vctx *c, unsigned int reg)
{
	uint32_t flg = l32(c, reg);
	uint64_t rom = flg & PCI_ROM_ADDRESS_MASK;
	uint64_t len = c->f->bar_size[6];
	uint16_t cmd = w16(c, PCI_COMMAND);

	if (flg == 0xffffffff)
		flg = 0;
	if (!rom && !flg && !len)
		return;
	P("\tExpansion ROM at ");
	if (rom)
		P("%08llx", (unsigned long long)rom);
	else
		P("<unassigned>");
	if (!(flg & PCI_ROM_ADDRESS_ENABLE))
		P(" [disabled]");
	else if (!(cmd & PCI_COMMAND_MEMORY))
		P(" [disabled by cmd]");
	show_size(c, len);
	P("\n");
}

/* ---- standard capabilities ----------------------------------------------- */

/* PCI PM r1.2 §3.2 */
static void cap_pm(const struct vctx *c, unsigned int where, uint16_t cap)
{
	static const int aux[8] = { 0, 55, 100, 160, 220, 270, 320, 375 };
	uint16_t t;
	uint8_t b;

	P("Power Management version %d\n", cap & PCI_PM_CAP_VER_MASK);
	if (c->verbose < 2)
		return;
	P("\t\tFlags: PMEClk%c DSI%c D1%c D2%c AuxCurrent=%dmA PME(D0%c,D1%c,D2%c,D3hot%c,D3cold%c)\n",
	  FLAG(cap, PCI_PM_CAP_PME_CLOCK), FLAG(cap, PCI_PM_CAP_DSI),
	  FLAG(cap, PCI_PM_CAP_D1), FLAG(cap, PCI_PM_CAP_D2),
	  aux[(cap & PCI_PM_CAP_AUX_POWER) >> 6],
	  FLAG(cap, PCI_PM_CAP_PME_D0), FLAG(cap, PCI_PM_CAP_PME_D1),
	  FLAG(cap, PCI_PM_CAP_PME_D2), FLAG(cap, PCI_PM_CAP_PME_D3hot),
	  FLAG(cap, PCI_PM_CAP_PME_D3cold));
	if (!have(c, where + PCI_PM_CTRL, PCI_PM_SIZEOF - PCI_PM_CTRL))
		return;
	t = w16(c, where + PCI_PM_CTRL);
	P("\t\tStatus: D%d NoSoftRst%c PME-Enable%c DSel=%d DScale=%d PME%c\n",
	  t & PCI_PM_CTRL_STATE_MASK, FLAG(t, PCI_PM_CTRL_NO_SOFT_RESET),
	  FLAG(t, PCI_PM_CTRL_PME_ENABLE), (t & PCI_PM_CTRL_DATA_SEL_MASK) >> 9,
	  (t & PCI_PM_CTRL_DATA_SCALE_MASK) >> 13, FLAG(t, PCI_PM_CTRL_PME_STATUS));
	b = b8(c, where + PCI_PM_PPB_EXTENSIONS);
	if (b)
		P("\t\tBridge: PM%c B3%c\n", FLAG(b, PCI_PM_BPCC_ENABLE), FLAG(~b, PCI_PM_PPB_B2_B3));
}

/* PCIe r6.2 §7.7.1 */
static void cap_msi(const struct vctx *c, unsigned int where, uint16_t cap)
{
	bool is64 = cap & PCI_MSI_FLAGS_64BIT;
	uint32_t t;
	uint16_t w;

	P("MSI: Enable%c Count=%d/%d Maskable%c 64bit%c\n",
	  FLAG(cap, PCI_MSI_FLAGS_ENABLE), 1 << ((cap & PCI_MSI_FLAGS_QSIZE) >> 4),
	  1 << ((cap & PCI_MSI_FLAGS_QMASK) >> 1), FLAG(cap, PCI_MSI_FLAGS_MASKBIT),
	  FLAG(cap, PCI_MSI_FLAGS_64BIT));
	if (c->verbose < 2)
		return;
	if (!have(c, where + PCI_MSI_ADDRESS_LO,
		  (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32) + 2 - PCI_MSI_ADDRESS_LO))
		return;
	P("\t\tAddress: ");
	if (is64) {
		P("%08x", l32(c, where + PCI_MSI_ADDRESS_HI));
		w = w16(c, where + PCI_MSI_DATA_64);
	} else {
		w = w16(c, where + PCI_MSI_DATA_32);
	}
	t = l32(c, where + PCI_MSI_ADDRESS_LO);
	P("%08x  Data: %04x\n", t, w);
	if (cap & PCI_MSI_FLAGS_MASKBIT) {
		unsigned int m = is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;

		if (!have(c, where + m, 8))
			return;
		P("\t\tMasking: %08x  Pending: %08x\n", l32(c, where + m), l32(c, where + m + 4));
	}
}

/* PCIe r6.2 §7.7.2 */
static void cap_msix(const struct vctx *c, unsigned int where, uint16_t cap)
{
	uint32_t off;

	P("MSI-X: Enable%c Count=%d Masked%c\n", FLAG(cap, PCI_MSIX_FLAGS_ENABLE),
	  (cap & PCI_MSIX_FLAGS_QSIZE) + 1, FLAG(cap, PCI_MSIX_FLAGS_MASKALL));
	if (c->verbose < 2 || !have(c, where + PCI_MSIX_TABLE, 8))
		return;
	off = l32(c, where + PCI_MSIX_TABLE);
	P("\t\tVector table: BAR=%d offset=%08x\n", off & PCI_MSIX_TABLE_BIR,
	  off & ~PCI_MSIX_TABLE_BIR);
	off = l32(c, where + PCI_MSIX_PBA);
	P("\t\tPBA: BAR=%d offset=%08x\n", off & PCI_MSIX_PBA_BIR, off & ~PCI_MSIX_PBA_BIR);
}

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

static int cap_express(const struct vctx *c, unsigned int where, uint16_t cap)
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

static void cap_ssvid(const struct vctx *c, unsigned int where)
{
	char buf[256];

	if (!have(c, where, 8))
		return;
	P("Subsystem: %s\n", lspci_name_subsys(c->nm, buf, sizeof(buf), w16(c, PCI_VENDOR_ID),
					       w16(c, PCI_DEVICE_ID), w16(c, where + 4),
					       w16(c, where + 6)));
}

static int show_ext_caps(const struct vctx *c, int type);

static void show_caps(const struct vctx *c, unsigned int ptr)
{
	bool ext = false;
	int type = -1;
	uint8_t seen[256] = { 0 };
	unsigned int where;

	if (!(w16(c, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	where = b8(c, ptr) & ~3u;
	while (where) {
		unsigned int id, next;
		uint16_t cap;

		P("\tCapabilities: ");
		if (!have(c, where, 4)) {
			P("<access denied>\n");
			break;
		}
		id = b8(c, where + PCI_CAP_LIST_ID);
		next = b8(c, where + PCI_CAP_LIST_NEXT) & ~3u;
		cap = w16(c, where + PCI_CAP_FLAGS);
		P("[%02x] ", where);
		if (seen[where]++) {
			P("<chain looped>\n");
			break;
		}
		if (id == 0xff) {
			P("<chain broken>\n");
			break;
		}
		switch (id) {
		case 0: P("Null\n"); break;
		case PCI_CAP_ID_PM: cap_pm(c, where, cap); break;
		case PCI_CAP_ID_MSI: cap_msi(c, where, cap); break;
		case PCI_CAP_ID_EXP:
			type = cap_express(c, where, cap);
			ext = true;
			break;
		case PCI_CAP_ID_MSIX: cap_msix(c, where, cap); break;
		case PCI_CAP_ID_SSVID: cap_ssvid(c, where); break;
		case PCI_CAP_ID_PCIX:
			/* not decoded here; the extended space exists though */
			P("PCI-X <?>\n");
			ext = true;
			break;
		case PCI_CAP_ID_VPD: P("Vital Product Data\n"); break;
		case PCI_CAP_ID_SLOTID:
			P("Slot ID: %d slots, First%c, chassis %02x\n", cap & 0x1f, FLAG(cap, 0x20),
			  cap >> 8);
			break;
		case PCI_CAP_ID_CHSWP: P("CompactPCI hot-swap <?>\n"); break;
		case PCI_CAP_ID_VNDR: P("Vendor Specific Information: Len=%02x <?>\n", cap & 0xff); break;
		case PCI_CAP_ID_DBG: P("Debug port: BAR=%d offset=%04x\n", cap >> 13, cap & 0x1fff); break;
		case PCI_CAP_ID_CCRC: P("CompactPCI central resource control <?>\n"); break;
		case PCI_CAP_ID_SHPC: P("Hot-plug capable\n"); break;
		case PCI_CAP_ID_AGP3: P("AGP3 <?>\n"); break;
		case PCI_CAP_ID_SECDEV: P("Secure device <?>\n"); break;
		default:
			/* Not decoded by this decoder (or unknown to pciutils). */
			P("Capability ID %#02x [%04x]\n", id, cap);
		}
		where = next;
	}
	if (ext)
		show_ext_caps(c, type);
}

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

static int show_ext_caps(const struct vctx *c, int type)
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

/* ---- header ---------------------------------------------------------------- */

static const char *devsel(uint16_t st)
{
	switch (st & PCI_STATUS_DEVSEL_MASK) {
	case PCI_STATUS_DEVSEL_SLOW: return "slow";
	case PCI_STATUS_DEVSEL_MEDIUM: return "medium";
	case PCI_STATUS_DEVSEL_FAST: return "fast";
	default: return "??";
	}
}

/* Type 1 header, PCI-to-PCI Bridge r1.2 §3.2 */
static void show_htype1(const struct vctx *c)
{
	uint32_t io_base = b8(c, PCI_IO_BASE), io_limit = b8(c, PCI_IO_LIMIT);
	uint32_t io_type = io_base & PCI_IO_RANGE_TYPE_MASK;
	uint32_t mem_base = w16(c, PCI_MEMORY_BASE), mem_limit = w16(c, PCI_MEMORY_LIMIT);
	uint32_t mem_type = mem_base & PCI_MEMORY_RANGE_TYPE_MASK;
	uint32_t pref_base = w16(c, PCI_PREF_MEMORY_BASE), pref_limit = w16(c, PCI_PREF_MEMORY_LIMIT);
	uint32_t pref_type = pref_base & PCI_PREF_RANGE_TYPE_MASK;
	uint16_t sec = w16(c, PCI_SEC_STATUS), brc = w16(c, PCI_BRIDGE_CONTROL);

	show_bases(c, 2);
	P("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d\n",
	  b8(c, PCI_PRIMARY_BUS), b8(c, PCI_SECONDARY_BUS), b8(c, PCI_SUBORDINATE_BUS),
	  b8(c, PCI_SEC_LATENCY_TIMER));

	if (io_type != (io_limit & PCI_IO_RANGE_TYPE_MASK) ||
	    (io_type != PCI_IO_RANGE_TYPE_16 && io_type != PCI_IO_RANGE_TYPE_32)) {
		P("\t!!! Unknown I/O range types %x/%x\n", io_base, io_limit);
	} else {
		uint64_t b = (io_base & PCI_IO_RANGE_MASK) << 8;
		uint64_t l = (io_limit & PCI_IO_RANGE_MASK) << 8;

		if (io_type == PCI_IO_RANGE_TYPE_32) {
			b |= (uint64_t)w16(c, PCI_IO_BASE_UPPER16) << 16;
			l |= (uint64_t)w16(c, PCI_IO_LIMIT_UPPER16) << 16;
		}
		show_range(c, "\tI/O behind bridge", b, l + 0xfff,
			   io_type == PCI_IO_RANGE_TYPE_32 ? 32 : 16, false);
	}
	if (mem_type != (mem_limit & PCI_MEMORY_RANGE_TYPE_MASK) || mem_type) {
		P("\t!!! Unknown memory range types %x/%x\n", mem_base, mem_limit);
	} else {
		uint64_t b = (uint64_t)(mem_base & PCI_MEMORY_RANGE_MASK) << 16;
		uint64_t l = (uint64_t)(mem_limit & PCI_MEMORY_RANGE_MASK) << 16;

		show_range(c, "\tMemory behind bridge", b, l + 0xfffff, 32, false);
	}
	if (pref_type != (pref_limit & PCI_PREF_RANGE_TYPE_MASK) ||
	    (pref_type != PCI_PREF_RANGE_TYPE_32 && pref_type != PCI_PREF_RANGE_TYPE_64)) {
		P("\t!!! Unknown prefetchable memory range types %x/%x\n", pref_base, pref_limit);
	} else {
		uint64_t b = (uint64_t)(pref_base & PCI_PREF_RANGE_MASK) << 16;
		uint64_t l = (uint64_t)(pref_limit & PCI_PREF_RANGE_MASK) << 16;

		if (pref_type == PCI_PREF_RANGE_TYPE_64) {
			b |= (uint64_t)l32(c, PCI_PREF_BASE_UPPER32) << 32;
			l |= (uint64_t)l32(c, PCI_PREF_LIMIT_UPPER32) << 32;
		}
		show_range(c, "\tPrefetchable memory behind bridge", b, l + 0xfffff,
			   pref_type == PCI_PREF_RANGE_TYPE_64 ? 64 : 32, false);
	}
	if (c->verbose > 1)
		P("\tSecondary status: 66MHz%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c <MAbort%c <SERR%c <PERR%c\n",
		  FLAG(sec, PCI_STATUS_66MHZ), FLAG(sec, PCI_STATUS_FAST_BACK),
		  FLAG(sec, PCI_STATUS_PARITY), devsel(sec), FLAG(sec, PCI_STATUS_SIG_TARGET_ABORT),
		  FLAG(sec, PCI_STATUS_REC_TARGET_ABORT), FLAG(sec, PCI_STATUS_REC_MASTER_ABORT),
		  FLAG(sec, PCI_STATUS_SIG_SYSTEM_ERROR), FLAG(sec, PCI_STATUS_DETECTED_PARITY));
	show_rom(c, PCI_ROM_ADDRESS1);
	if (c->verbose > 1) {
		P("\tBridgeCtl: Parity%c SERR%c NoISA%c VGA%c VGA16%c MAbort%c >Reset%c FastB2B%c\n",
		  FLAG(brc, PCI_BRIDGE_CTL_PARITY), FLAG(brc, PCI_BRIDGE_CTL_SERR),
		  FLAG(brc, PCI_BRIDGE_CTL_ISA), FLAG(brc, PCI_BRIDGE_CTL_VGA),
		  FLAG(brc, 0x10 /* VGA 16-bit decode */), FLAG(brc, PCI_BRIDGE_CTL_MASTER_ABORT),
		  FLAG(brc, PCI_BRIDGE_CTL_BUS_RESET), FLAG(brc, PCI_BRIDGE_CTL_FAST_BACK));
		P("\t\tPriDiscTmr%c SecDiscTmr%c DiscTmrStat%c DiscTmrSERREn%c\n", FLAG(brc, 0x100),
		  FLAG(brc, 0x200), FLAG(brc, 0x400), FLAG(brc, 0x800));
	}
	show_caps(c, PCI_CAPABILITY_LIST);
}

static void show_subsystem(const struct vctx *c, unsigned int htype)
{
	unsigned int sv = 0, sd = 0;
	char buf[256];

	if (htype == PCI_HEADER_TYPE_NORMAL) {
		sv = w16(c, PCI_SUBSYSTEM_VENDOR_ID);
		sd = w16(c, PCI_SUBSYSTEM_ID);
	} else if (htype == PCI_HEADER_TYPE_BRIDGE) {
		/* bridges carry it in the Subsystem ID capability */
		unsigned int where = 0;
		uint8_t seen[256] = { 0 };

		if (w16(c, PCI_STATUS) & PCI_STATUS_CAP_LIST)
			where = b8(c, PCI_CAPABILITY_LIST) & ~3u;
		while (where && have(c, where, 8) && !seen[where]++) {
			if (b8(c, where) == PCI_CAP_ID_SSVID) {
				sv = w16(c, where + 4);
				sd = w16(c, where + 6);
				break;
			}
			where = b8(c, where + 1) & ~3u;
		}
	} else if (htype == PCI_HEADER_TYPE_CARDBUS && have(c, PCI_CB_SUBSYSTEM_VENDOR_ID, 4)) {
		sv = w16(c, PCI_CB_SUBSYSTEM_VENDOR_ID);
		sd = w16(c, PCI_CB_SUBSYSTEM_ID);
	}
	if (sv && sv != 0xffff)
		P("\tSubsystem: %s\n", lspci_name_subsys(c->nm, buf, sizeof(buf), w16(c, PCI_VENDOR_ID),
							 w16(c, PCI_DEVICE_ID), sv, sd));
}

void lspci_show_verbose(FILE *out, struct lspci_names *nm, const struct lspci_func *f,
			int verbose)
{
	struct vctx cv = { .out = out, .nm = nm, .f = f, .verbose = verbose };
	const struct vctx *c = &cv;
	unsigned int htype = b8(c, PCI_HEADER_TYPE) & 0x7f;
	unsigned int cls = w16(c, PCI_CLASS_DEVICE);
	uint8_t bist = 0, max_lat = 0, min_gnt = 0, irq, pin;
	uint16_t cmd = w16(c, PCI_COMMAND), st = w16(c, PCI_STATUS);
	bool unknown = false;

	for (unsigned int i = 0; i < 7; i++)
		if (f->bar_size[i])
			cv.live = true;
	show_subsystem(c, htype);
	switch (htype) {
	case PCI_HEADER_TYPE_NORMAL:
		if (cls == LSPCI_CLASS_BRIDGE_PCI)
			P("\t!!! Invalid class %04x for header type %02x\n", cls, htype);
		bist = b8(c, PCI_BIST);
		max_lat = b8(c, PCI_MAX_LAT);
		min_gnt = b8(c, PCI_MIN_GNT);
		break;
	case PCI_HEADER_TYPE_BRIDGE:
	case PCI_HEADER_TYPE_CARDBUS:
		if ((cls >> 8) != LSPCI_BASE_CLASS_BRIDGE)
			P("\t!!! Invalid class %04x for header type %02x\n", cls, htype);
		bist = b8(c, PCI_BIST);
		break;
	default:
		P("\t!!! Unknown header type %02x\n", htype);
		unknown = true;
	}
	if (!unknown && verbose > 1) {
		P("\tControl: I/O%c Mem%c BusMaster%c SpecCycle%c MemWINV%c VGASnoop%c ParErr%c Stepping%c SERR%c FastB2B%c DisINTx%c\n",
		  FLAG(cmd, PCI_COMMAND_IO), FLAG(cmd, PCI_COMMAND_MEMORY), FLAG(cmd, PCI_COMMAND_MASTER),
		  FLAG(cmd, PCI_COMMAND_SPECIAL), FLAG(cmd, PCI_COMMAND_INVALIDATE),
		  FLAG(cmd, PCI_COMMAND_VGA_PALETTE), FLAG(cmd, PCI_COMMAND_PARITY),
		  FLAG(cmd, PCI_COMMAND_WAIT), FLAG(cmd, PCI_COMMAND_SERR),
		  FLAG(cmd, PCI_COMMAND_FAST_BACK), FLAG(cmd, PCI_COMMAND_INTX_DISABLE));
		P("\tStatus: Cap%c 66MHz%c UDF%c FastB2B%c ParErr%c DEVSEL=%s >TAbort%c <TAbort%c <MAbort%c >SERR%c <PERR%c INTx%c\n",
		  FLAG(st, PCI_STATUS_CAP_LIST), FLAG(st, PCI_STATUS_66MHZ), FLAG(st, PCI_STATUS_UDF),
		  FLAG(st, PCI_STATUS_FAST_BACK), FLAG(st, PCI_STATUS_PARITY), devsel(st),
		  FLAG(st, PCI_STATUS_SIG_TARGET_ABORT), FLAG(st, PCI_STATUS_REC_TARGET_ABORT),
		  FLAG(st, PCI_STATUS_REC_MASTER_ABORT), FLAG(st, PCI_STATUS_SIG_SYSTEM_ERROR),
		  FLAG(st, PCI_STATUS_DETECTED_PARITY), FLAG(st, PCI_STATUS_INTERRUPT));
		if (cmd & PCI_COMMAND_MASTER) {
			uint8_t lat = b8(c, PCI_LATENCY_TIMER), cl = b8(c, PCI_CACHE_LINE_SIZE);

			P("\tLatency: %d", lat);
			if (min_gnt || max_lat) {
				P(" (");
				if (min_gnt)
					P("%dns min", min_gnt * 250);
				if (min_gnt && max_lat)
					P(", ");
				if (max_lat)
					P("%dns max", max_lat * 250);
				P(")");
			}
			if (cl)
				P(", Cache Line Size: %d bytes", cl * 4);
			P("\n");
		}
	}
	/* No interrupt routing in a snapshot: like a dump, the IRQ is the
	 * Interrupt Line register. */
	irq = b8(c, PCI_INTERRUPT_LINE);
	pin = unknown ? 0 : b8(c, PCI_INTERRUPT_PIN);
	if (verbose > 1) {
		if (pin || irq)
			P("\tInterrupt: pin %c routed to IRQ %d\n", pin ? 'A' + pin - 1 : '?', irq);
	} else if (!unknown) {
		P("\tFlags: ");
		if (cmd & PCI_COMMAND_MASTER)
			P("bus master, ");
		if (cmd & PCI_COMMAND_VGA_PALETTE)
			P("VGA palette snoop, ");
		if (cmd & PCI_COMMAND_WAIT)
			P("stepping, ");
		if (cmd & PCI_COMMAND_FAST_BACK)
			P("fast Back2Back, ");
		if (st & PCI_STATUS_66MHZ)
			P("66MHz, ");
		if (st & PCI_STATUS_UDF)
			P("user-definable features, ");
		P("%s devsel", devsel(st));
		if (cmd & PCI_COMMAND_MASTER)
			P(", latency %d", b8(c, PCI_LATENCY_TIMER));
		if (irq)
			P(", IRQ %d", irq);
		P("\n");
	}
	if (bist & PCI_BIST_CAPABLE) {
		if (bist & PCI_BIST_START)
			P("\tBIST is running\n");
		else
			P("\tBIST result: %02x\n", bist & PCI_BIST_CODE_MASK);
	}
	switch (htype) {
	case PCI_HEADER_TYPE_NORMAL:
		show_bases(c, 6);
		show_rom(c, PCI_ROM_ADDRESS);
		show_caps(c, PCI_CAPABILITY_LIST);
		break;
	case PCI_HEADER_TYPE_BRIDGE:
		show_htype1(c);
		break;
	case PCI_HEADER_TYPE_CARDBUS:
		show_bases(c, 1);
		P("\tBus: primary=%02x, secondary=%02x, subordinate=%02x, sec-latency=%d\n",
		  b8(c, PCI_CB_PRIMARY_BUS), b8(c, PCI_CB_CARD_BUS), b8(c, PCI_CB_SUBORDINATE_BUS),
		  b8(c, PCI_CB_LATENCY_TIMER));
		/* CardBus windows are not decoded here */
		break;
	default:
		break;
	}
}
