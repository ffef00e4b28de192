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
#include "lspci_verbose_int.h"

void lspci_v_show_size(const struct vctx *c, uint64_t x)
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

void lspci_v_show_range(const struct vctx *c, const char *prefix, uint64_t base,
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

static void cap_ssvid(const struct vctx *c, unsigned int where)
{
	char buf[256];

	if (!have(c, where, 8))
		return;
	P("Subsystem: %s\n", lspci_name_subsys(c->nm, buf, sizeof(buf), w16(c, PCI_VENDOR_ID),
					       w16(c, PCI_DEVICE_ID), w16(c, where + 4),
					       w16(c, where + 6)));
}


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
			type = lspci_v_cap_express(c, where, cap);
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
		lspci_v_show_ext_caps(c, type);
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
