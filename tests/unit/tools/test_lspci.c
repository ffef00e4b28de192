// SPDX-License-Identifier: MIT
/*
 * pcilab lspci: option parsing and filters, the dump reader (good dumps and
 * every error), the topology rebuilt from a dump, the replay device, and
 * the decoder's output for crafted config spaces.
 */
#include <stdio.h>
#include <unistd.h>

#include "test.h"
#include "hw/devices/replay.h"
#include "hw/platform/desc.h"
#include "hw/platform/dump.h"
#include "../../../tools/pcilab/lspci.h"

/* ---- helpers --------------------------------------------------------------- */

static int parse(struct lspci_opts *o, const char *line)
{
	/* static: the options point into argv */
	static char buf[256];
	char *argv[32];
	char err[256];
	int argc = 0;

	snprintf(buf, sizeof(buf), "lspci %s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return lspci_parse_args(argc, argv, o, err, sizeof(err));
}

static void put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, unsigned int off, uint32_t v)
{
	put16(c, off, (uint16_t)v);
	put16(c, off + 2, (uint16_t)(v >> 16));
}

static struct lspci_func *new_func(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t ven,
				   uint16_t did, uint32_t cls, uint8_t htype)
{
	struct lspci_func *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->bus = bus;
	f->dev = dev;
	f->fn = fn;
	f->cfg_len = 4096;
	put16(f->cfg, PCI_VENDOR_ID, ven);
	put16(f->cfg, PCI_DEVICE_ID, did);
	put32(f->cfg, PCI_CLASS_REVISION, cls << 8);
	f->cfg[PCI_HEADER_TYPE] = htype;
	return f;
}

/* Run lspci_show on funcs with the options in line; returns malloc'd text. */
static char *show(const struct lspci_func *funcs, size_t n, const char *line)
{
	struct lspci_opts o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse(&o, line), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(lspci_show(f, funcs, n, &o), 0);
	fclose(f);
	return buf;
}

static void assert_has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing \"%s\" in:\n%s", line, text);
}

/* ---- options and filters ----------------------------------------------------- */

static void test_args_counts(void **state)
{
	struct lspci_opts o;

	assert_int_equal(parse(&o, "-vvv -xxxx -nn -D -t"), 0);
	assert_int_equal(o.verbose, 3);
	assert_int_equal(o.hex, 4);
	assert_int_equal(o.numeric, 2);
	assert_true(o.domains);
	assert_true(o.tree);
	assert_false(o.filtered);
	assert_int_equal(parse(&o, "-vnxv"), 0);
	assert_int_equal(o.verbose, 2);
	assert_int_equal(o.numeric, 1);
	assert_int_equal(o.hex, 1);
	assert_int_equal(parse(&o, "--platform-dump a.txt -x"), 0);
	assert_string_equal(o.platform_dump, "a.txt");
	assert_null(o.platform);
	assert_int_equal(parse(&o, "--platform p.yaml"), 0);
	assert_string_equal(o.platform, "p.yaml");
	assert_int_equal(parse(&o, "--help"), 0);
	assert_true(o.help);
	assert_int_equal(parse(&o, "-F dump"), 0);
	assert_string_equal(o.dump_file, "dump");
}

static void test_args_errors(void **state)
{
	struct lspci_opts o;

	assert_int_equal(parse(&o, "-q"), -EINVAL);
	assert_int_equal(parse(&o, "-s"), -EINVAL);
	assert_int_equal(parse(&o, "stray"), -EINVAL);
	assert_int_equal(parse(&o, "--platform"), -EINVAL);
	assert_int_equal(parse(&o, "-s 00:20"), -EINVAL);	/* slot > 1f */
	assert_int_equal(parse(&o, "-s 00:00.8"), -EINVAL);	/* func > 7 */
	assert_int_equal(parse(&o, "-s 100:00.0"), -EINVAL);	/* bus > ff */
	assert_int_equal(parse(&o, "-s 1:2:3:4"), -EINVAL);
	assert_int_equal(parse(&o, "-d 8086"), -EINVAL);	/* one field */
	assert_int_equal(parse(&o, "-d 18086:"), -EINVAL);
	assert_int_equal(parse(&o, "-d g:"), -EINVAL);
	assert_int_equal(parse(&o, "--platform a --platform-dump b"), -EINVAL);
}

static void test_filter_slot(void **state)
{
	struct lspci_filter f;

	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_slot(&f, "0001:02:03.4"));
	assert_int_equal(f.domain, 1);
	assert_int_equal(f.bus, 2);
	assert_int_equal(f.slot, 3);
	assert_int_equal(f.func, 4);
	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_slot(&f, "02:"));
	assert_int_equal(f.domain, -1);
	assert_int_equal(f.bus, 2);
	assert_int_equal(f.slot, -1);
	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_slot(&f, ".3"));
	assert_int_equal(f.slot, -1);
	assert_int_equal(f.func, 3);
	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_slot(&f, "*:1f"));
	assert_int_equal(f.bus, -1);
	assert_int_equal(f.slot, 0x1f);
	assert_string_equal(lspci_filter_parse_slot(&f, "00:20"), "Invalid slot number");
}

static void test_filter_match(void **state)
{
	struct lspci_func *a = new_func(2, 3, 1, 0x8086, 0x1521, 0x020000, 0);
	struct lspci_filter f;

	lspci_filter_init(&f);
	assert_true(lspci_filter_match(&f, a));
	assert_null(lspci_filter_parse_slot(&f, "02:03"));
	assert_true(lspci_filter_match(&f, a));
	assert_null(lspci_filter_parse_slot(&f, "02:03.0"));
	assert_false(lspci_filter_match(&f, a));

	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_id(&f, "8086:"));
	assert_true(lspci_filter_match(&f, a));
	assert_null(lspci_filter_parse_id(&f, ":1522"));
	assert_false(lspci_filter_match(&f, a));

	/* class with wildcard digits */
	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_id(&f, "::02xx"));
	assert_true(lspci_filter_match(&f, a));
	lspci_filter_init(&f);
	assert_null(lspci_filter_parse_id(&f, "::0c05"));
	assert_false(lspci_filter_match(&f, a));
	free(a);
}

/* ---- dump reader ---------------------------------------------------------------- */

static const char good_dump[] =
	"0001:02:00.0 Ethernet controller: Intel Corporation I350 (rev 01)\n"
	"\tSubsystem: Intel Corporation Device 0001\n"
	"\tRegion 0: Memory at a0000000 (32-bit, non-prefetchable) [size=512K]\n"
	"\tRegion 2: I/O ports at 3000 [size=32]\n"
	"\tExpansion ROM at a0100000 [disabled] [size=1M]\n"
	"\t\tRegion 0: Memory at 0000006060000000 (64-bit, prefetchable)\n"
	"00: 86 80 21 15 07 05 10 00 01 00 00 02 10 00 80 00\n"
	"10: 00 00 00 a0 00 00 00 00 01 30 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 01 00\n"
	"30: 00 00 10 a0 40 00 00 00 00 00 00 00 ff 01 00 00\n"
	"\n"
	"00:1f.3 Audio device: Intel Corporation Device a348\r\n"
	"00: 86 80 48 a3 06 00 10 00 10 00 03 04 00 00 00 00\n"
	"10: 04 00 31 a1 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 70 72\n"
	"30: 00 00 00 00 50 00 00 00 00 00 00 00 ff 01 00 00\n";

static void test_dump_good(void **state)
{
	struct hw_dump d;
	char err[256] = "";

	assert_ok(hw_dump_parse("good", good_dump, sizeof(good_dump) - 1, &d, err, sizeof(err)));
	assert_int_equal(d.nr, 2);
	assert_int_equal(d.funcs[0].domain, 1);
	assert_int_equal(d.funcs[0].bus, 2);
	assert_int_equal(d.funcs[0].cfg_len, 64);
	assert_int_equal(d.funcs[0].cfg[0x12], 0x00);
	assert_int_equal(d.funcs[0].cfg[0x13], 0xa0);
	assert_int_equal(d.funcs[0].bar_size[0], 512 << 10);
	assert_int_equal(d.funcs[0].bar_size[1], 0);
	assert_int_equal(d.funcs[0].bar_size[2], 32);
	assert_int_equal(d.funcs[0].bar_size[6], 1 << 20);
	assert_int_equal(d.funcs[0].line, 1);
	assert_int_equal(d.funcs[1].domain, 0);
	assert_int_equal(d.funcs[1].dev, 0x1f);
	assert_int_equal(d.funcs[1].fn, 3);
	assert_int_equal(d.funcs[1].line, 12);
	assert_int_equal(d.funcs[1].cfg[0x13], 0xa1);
	hw_dump_free(&d);

	assert_int_equal(hw_dump_parse_size("16G", NULL), 16ull << 30);
	assert_int_equal(hw_dump_parse_size("4", NULL), 4);
	assert_int_equal(hw_dump_parse_size("x", NULL), 0);
}

static const char hdr[] = "00:00.0 Host bridge: x\n";
#define ROW0 "00: 86 80 00 00 00 00 00 00 00 00 00 06 00 00 00 00\n"
#define ROW(o) o ": 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
#define ROWS123 ROW("10") ROW("20") ROW("30")

static void expect_error(const char *text, const char *msg)
{
	struct hw_dump d = { (void *)1, 7 };
	char err[256] = "";

	assert_int_equal(hw_dump_parse("t.dump", text, strlen(text), &d, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, msg))
		fail_msg("error \"%s\" lacks \"%s\" for:\n%s", err, msg, text);
	assert_null(d.funcs);
	assert_int_equal(d.nr, 0);
}

static void test_dump_errors(void **state)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s" ROW0 "10: 00 0g 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", hdr);
	expect_error(buf, "t.dump:3:");			/* bad hex */
	snprintf(buf, sizeof(buf), "%s" ROW0 ROW("20"), hdr);
	expect_error(buf, "t.dump:3: offset 20 out of order (expected 10)");
	snprintf(buf, sizeof(buf), "%s" ROW0 ROWS123 "\n%s" ROW0 ROWS123, hdr, hdr);
	expect_error(buf, "t.dump:7: duplicate device 0000:00:00.0 (first at line 1)");
	snprintf(buf, sizeof(buf), "%s" ROW0 ROW("10"), hdr);
	expect_error(buf, "truncated config space of 0000:00:00.0: 32 bytes");
	snprintf(buf, sizeof(buf), ROW0);
	expect_error(buf, "t.dump:1: config bytes outside a device");
	snprintf(buf, sizeof(buf), "%s" ROW0 "garbage here\n", hdr);
	expect_error(buf, "t.dump:3: not an lspci dump line");
	snprintf(buf, sizeof(buf), "%s", hdr);
	expect_error(buf, "t.dump:1: device 0000:00:00.0 has no config space bytes");
	snprintf(buf, sizeof(buf), "%s00: ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n" ROWS123, hdr);
	expect_error(buf, "has Vendor ID ffff");
	snprintf(buf, sizeof(buf), "%s" ROW0 "10: 00 00 00\n", hdr);
	expect_error(buf, "truncated");
	snprintf(buf, sizeof(buf), "%s" ROW0 "10: 000 00\n", hdr);
	expect_error(buf, "t.dump:3:");
	expect_error("", "no devices in the dump");
	expect_error("\tRegion 0: Memory at 0 [size=4K]\n", "no devices in the dump");
}

static void test_dump_too_long(void **state)
{
	size_t cap = 300 * 60, n;
	char *buf = malloc(cap);

	assert_non_null(buf);
	n = (size_t)snprintf(buf, cap, "%s", hdr);
	for (unsigned int off = 0; off <= 4096; off += 16) {
		n += (size_t)snprintf(buf + n, cap - n, "%03x:", off);
		for (int i = 0; i < 16; i++)
			n += (size_t)snprintf(buf + n, cap - n, " %02x", off == 0 && i == 0 ? 1 : 0);
		n += (size_t)snprintf(buf + n, cap - n, "\n");
	}
	expect_error(buf, "longer than 4096 bytes");
	free(buf);
}

/* ---- decoder ------------------------------------------------------------------- */

static void test_hex_roundtrip(void **state)
{
	struct lspci_func *f = new_func(3, 0, 1, 0x1af4, 0x1041, 0x020000, 0);
	struct hw_dump d;
	char err[256];
	char *text;

	f->domain = 2;
	for (unsigned int i = 0x40; i < 4096; i++)
		f->cfg[i] = (uint8_t)(i * 7);
	text = show(f, 1, "-xxxx -n");
	assert_has(text, "0002:03:00.1 0200: 1af4:1041\n00: f4 1a 41 10 ");
	assert_has(text, "\nff0: ");
	assert_ok(hw_dump_parse("rt", text, strlen(text), &d, err, sizeof(err)));
	assert_int_equal(d.nr, 1);
	assert_int_equal(d.funcs[0].cfg_len, 4096);
	assert_memory_equal(d.funcs[0].cfg, f->cfg, 4096);
	hw_dump_free(&d);
	free(text);

	/* -x is 64 bytes, -xxx 256 */
	text = show(f, 1, "-x -n");
	assert_has(text, "\n30: ");
	assert_null(strstr(text, "\n40: "));
	free(text);
	text = show(f, 1, "-xxx -n");
	assert_has(text, "\nf0: ");
	assert_null(strstr(text, "\n100: "));
	free(text);
	free(f);
}

static void test_decode_endpoint(void **state)
{
	struct lspci_func *f = new_func(1, 0, 0, 0x144d, 0xa808, 0x010802, 0);
	uint8_t *c = f->cfg;
	char *text;

	put16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	put32(c, PCI_BASE_ADDRESS_0, 0xfe000004);
	put32(c, PCI_BASE_ADDRESS_1, 0x00000001);
	f->bar_size[0] = 16 << 10;
	c[PCI_INTERRUPT_PIN] = 1;
	c[PCI_INTERRUPT_LINE] = 11;
	c[PCI_CAPABILITY_LIST] = 0x40;
	/* MSI: 8 vectors capable, 64-bit, per-vector masking (PCIe r6.2 §7.7.1) */
	c[0x40] = PCI_CAP_ID_MSI;
	c[0x41] = 0x50;
	put16(c, 0x42, 0x0186);
	put32(c, 0x44, 0xfee00000);
	put16(c, 0x4c, 0x4021);
	/* MSI-X: 33 entries, table in BAR 0 at 0x3000, PBA at 0x2000 */
	c[0x50] = PCI_CAP_ID_MSIX;
	c[0x51] = 0x60;
	put16(c, 0x52, 0x8020);
	put32(c, 0x54, 0x3000);
	put32(c, 0x58, 0x2000);
	/* PCIe v2 endpoint, 8GT/s x4 capable, running 8GT/s x2 */
	c[0x60] = PCI_CAP_ID_EXP;
	put16(c, 0x62, 0x0002);
	put32(c, 0x6c, 0x00000043);
	put16(c, 0x72, 0x0023);
	/* extended: DSN then ACS */
	put32(c, 0x100, 0x00010003 | 0x110 << 20);
	put32(c, 0x104, 0x55667788);
	put32(c, 0x108, 0x11223344);
	put32(c, 0x110, 0x0001000d);
	put16(c, 0x114, PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
	put16(c, 0x116, PCI_ACS_RR);

	text = show(f, 1, "-vvv -n");
	assert_has(text, "01:00.0 0108: 144d:a808 (prog-if 02 [NVM Express])\n");
	assert_has(text, "\tControl: I/O- Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-\n");
	assert_has(text, "\tInterrupt: pin A routed to IRQ 11\n");
	assert_has(text, "\tRegion 0: Memory at 1fe000000 (64-bit, non-prefetchable) [size=16K]\n");
	/* a live view: the upper half of the 64-bit BAR is not a region */
	assert_null(strstr(text, "Region 1:"));
	assert_has(text, "\tCapabilities: [40] MSI: Enable- Count=1/8 Maskable+ 64bit+\n");
	assert_has(text, "\t\tAddress: 00000000fee00000  Data: 4021\n");
	assert_has(text, "\tCapabilities: [50] MSI-X: Enable+ Count=33 Masked-\n");
	assert_has(text, "\t\tVector table: BAR=0 offset=00003000\n");
	assert_has(text, "\tCapabilities: [60] Express (v2) Endpoint, MSI 00\n");
	assert_has(text, "\t\tLnkCap:\tPort #0, Speed 8GT/s, Width x4, ASPM not supported\n");
	assert_has(text, "\t\tLnkSta:\tSpeed 8GT/s, Width x2 (downgraded)\n");
	assert_has(text, "\tCapabilities: [100 v1] Device Serial Number 11-22-33-44-55-66-77-88\n");
	assert_has(text, "\t\tACSCap:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n");
	assert_has(text, "\t\tACSCtl:\tSrcValid- TransBlk- ReqRedir+ CmpltRedir- UpstreamFwd- EgressCtrl- DirectTrans-\n");
	free(text);

	/* a dump's view (no sizes): raw upper half shows, as lspci -F does */
	f->bar_size[0] = 0;
	text = show(f, 1, "-vv -n");
	assert_has(text, "\tRegion 0: Memory at 1fe000000 (64-bit, non-prefetchable)\n");
	free(text);

	/* a 64-byte dump: capabilities cannot be read */
	f->cfg_len = 64;
	text = show(f, 1, "-vv -n");
	assert_has(text, "\tCapabilities: <access denied>\n");
	free(text);
	free(f);
}

static void test_decode_bridge_and_tree(void **state)
{
	struct lspci_func *fs = calloc(4, sizeof(*fs));
	struct lspci_func *t;
	char *text;

	assert_non_null(fs);
	t = new_func(0, 0, 0, 0x8086, 0x3e30, 0x060000, 0);
	fs[0] = *t;
	free(t);
	t = new_func(0, 0x1c, 0, 0x8086, 0xa338, 0x060400, PCI_HEADER_TYPE_BRIDGE);
	t->cfg[PCI_SECONDARY_BUS] = 1;
	t->cfg[PCI_SUBORDINATE_BUS] = 2;
	put16(t->cfg, PCI_MEMORY_BASE, 0xa000);
	put16(t->cfg, PCI_MEMORY_LIMIT, 0xa010);
	t->cfg[PCI_IO_BASE] = 0xf0;
	put16(t->cfg, PCI_PREF_MEMORY_BASE, 0xfff1);
	put16(t->cfg, PCI_PREF_MEMORY_LIMIT, 0x0001);
	fs[1] = *t;
	free(t);
	t = new_func(1, 0, 0, 0x10b5, 0x8725, 0x060400, PCI_HEADER_TYPE_BRIDGE);
	t->cfg[PCI_PRIMARY_BUS] = 1;
	t->cfg[PCI_SECONDARY_BUS] = 2;
	t->cfg[PCI_SUBORDINATE_BUS] = 2;
	fs[2] = *t;
	free(t);
	t = new_func(2, 0, 0, 0x8086, 0x1521, 0x020000, 0);
	fs[3] = *t;
	free(t);

	text = show(fs, 4, "-t");
	assert_string_equal(text,
		"-[0000:00]-+-00.0\n"
		"           \\-1c.0-[01-02]----00.0-[02]----00.0\n");
	free(text);
	text = show(fs, 4, "-t -s 00:00.0");
	assert_string_equal(text, "-[0000:00]-+-00.0\n");
	free(text);

	text = show(&fs[1], 1, "-vv -n");
	assert_has(text, "\tBus: primary=00, secondary=01, subordinate=02, sec-latency=0\n");
	assert_has(text, "\tMemory behind bridge: a0000000-a01fffff [size=2M] [32-bit]\n");
	assert_has(text, "\tPrefetchable memory behind bridge: [disabled] [64-bit]\n");
	assert_has(text, "\tI/O behind bridge: [disabled] [16-bit]\n");
	free(text);
	free(fs);
}

/* ---- topology from a dump ------------------------------------------------------- */

static void free_desc_func(struct hw_desc_func *f)
{
	struct hw_desc_func *c, *n;

	list_for_each_entry_safe(c, n, &f->children, node)
		free_desc_func(c);
	free(f->raw_cfg);
	free(f);
}

static void free_desc(struct hw_desc_platform *p)
{
	struct hw_desc_host_bridge *hb, *hn;
	struct hw_desc_func *f, *fn;

	list_for_each_entry_safe(hb, hn, &p->host_bridges, node) {
		list_for_each_entry_safe(f, fn, &hb->devices, node)
			free_desc_func(f);
		free(hb);
	}
	free(p->file);
	free(p->name);
	free(p);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/pcilab-lspci-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Root port 00:1c.0 -> bus 01 (endpoint with a 64-bit BAR), a second root
 * bus 80 in segment 0, plus an endpoint on root bus 00. */
static const char topo_dump[] =
	"00:00.0 Host bridge\n"
	"00: 86 80 30 3e 06 00 90 20 0d 00 00 06 00 00 00 00\n"
	"10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"\n"
	"00:1c.0 PCI bridge\n"
	"00: 86 80 38 a3 07 04 10 00 f0 00 04 06 00 00 81 00\n"
	"10: 00 00 00 00 00 00 00 00 00 01 01 00 f0 00 00 00\n"
	"20: 00 a0 00 a0 f1 ff 01 00 00 00 00 00 00 00 00 00\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 12 00\n"
	"\n"
	"01:00.0 Non-Volatile memory controller\n"
	"\tRegion 0: Memory at a0000000 (64-bit, non-prefetchable) [size=16K]\n"
	"00: 4d 14 08 a8 06 04 10 00 00 02 08 01 00 00 00 00\n"
	"10: 04 00 00 a0 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 4d 14 01 a8\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 00 00\n"
	"\n"
	"80:02.0 Ethernet controller\n"
	"00: 86 80 21 15 06 00 10 00 01 00 00 02 00 00 00 00\n"
	"10: 0c 00 00 00 80 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 00 00\n";

static void test_desc_topology(void **state)
{
	char *path = write_tmp(topo_dump);
	char err[256] = "";
	struct hw_desc_platform *p = hw_desc_parse_lspci_dump(path, err, sizeof(err));
	struct hw_desc_host_bridge *hb0, *hb1;
	struct hw_desc_func *f, *child;

	if (IS_ERR(p))
		fail_msg("%s", err);
	hb0 = list_first_entry(&p->host_bridges, struct hw_desc_host_bridge, node);
	hb1 = list_last_entry(&p->host_bridges, struct hw_desc_host_bridge, node);
	assert_ptr_not_equal(hb0, hb1);
	assert_int_equal(hb0->bus_start, 0);
	assert_int_equal(hb0->bus_end, 0x7f);		/* up to the next root bus */
	assert_int_equal(hb1->bus_start, 0x80);
	assert_int_equal(hb1->bus_end, 0xff);
	/* the bridge's memory window a0000000-a00fffff and the BAR in it */
	assert_int_equal(hb0->mmio.base, 0xa0000000);
	assert_int_equal(hb0->mmio.size, 1 << 20);
	/* the 64-bit BAR at 0x80_00000000 (size from its lowest set bit) */
	assert_int_equal(hb1->mmio_pref.base, 0x8000000000ull);
	/* no [size=]: bounded by its lowest address bit, nothing else decodes
	 * above it */
	f = list_first_entry(&hb1->devices, struct hw_desc_func, node);
	assert_int_equal(f->bars[0].size, 0x8000000000ull);
	assert_true(hb1->mmio.size > 0);		/* a default window */
	assert_true(hb1->mmio.base + hb1->mmio.size <= 1ull << 32);

	f = list_first_entry(&hb0->devices, struct hw_desc_func, node);
	assert_int_equal(f->kind, HW_DESC_REPLAY);
	assert_int_equal(f->dev, 0);
	f = list_last_entry(&hb0->devices, struct hw_desc_func, node);
	assert_int_equal(f->dev, 0x1c);
	child = list_first_entry(&f->children, struct hw_desc_func, node);
	assert_int_equal(child->vendor, 0x144d);
	assert_int_equal(child->bars[0].size, 16 << 10);
	assert_int_equal(child->raw_len, 64);
	assert_int_equal(child->loc.line, 13);
	free_desc(p);
	unlink(path);
	free(path);
}

static void test_desc_errors(void **state)
{
	/* two bridges claiming bus 01 */
	static const char two[] =
		"00:01.0 b\n"
		"00: 86 80 38 a3 07 04 10 00 f0 00 04 06 00 00 01 00\n"
		"10: 00 00 00 00 00 00 00 00 00 01 01 00 f0 00 00 00\n"
		"20: 00 a0 00 a0 f1 ff 01 00 00 00 00 00 00 00 00 00\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 12 00\n"
		"\n"
		"00:02.0 b\n"
		"00: 86 80 38 a3 07 04 10 00 f0 00 04 06 00 00 01 00\n"
		"10: 00 00 00 00 00 00 00 00 00 01 01 00 f0 00 00 00\n"
		"20: 00 a0 00 a0 f1 ff 01 00 00 00 00 00 00 00 00 00\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 12 00\n"
		"\n"
		"01:00.0 e\n"
		"00: 86 80 21 15 06 00 10 00 01 00 00 02 00 00 00 00\n"
		"10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 ff 01 00 00\n";
	char *path = write_tmp(two);
	char err[256] = "";

	assert_err_ptr(EINVAL, hw_desc_parse_lspci_dump(path, err, sizeof(err)));
	assert_has(err, ":7: bus 01 is the secondary bus of two bridges (lines 1 and 7)");
	unlink(path);
	free(path);
	assert_err_ptr(ENOENT, hw_desc_parse_lspci_dump("/nonexistent/dump", err, sizeof(err)));
	assert_has(err, "/nonexistent/dump:");
}

static void quiet_sink(enum pl_log_level level, const char *msg, void *arg)
{
}

/* ---- replay device --------------------------------------------------------------- */

static void test_replay_device(void **state)
{
	char *path = write_tmp(topo_dump);
	char err[256] = "";
	struct hw_desc_platform *p = hw_desc_parse_lspci_dump(path, err, sizeof(err));
	struct hw_desc_host_bridge *hb0;
	struct hw_desc_func *rp, *ep;
	struct hw_pcidev *dev;

	if (IS_ERR(p))
		fail_msg("%s", err);
	hb0 = list_first_entry(&p->host_bridges, struct hw_desc_host_bridge, node);
	rp = list_last_entry(&hb0->devices, struct hw_desc_func, node);
	ep = list_first_entry(&rp->children, struct hw_desc_func, node);

	dev = hw_replay_dev_create(ep);
	assert_false(IS_ERR(dev));
	/* the dumped values */
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_VENDOR_ID, 2), 0x144d);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_BASE_ADDRESS_0, 4), 0xa0000004);
	/* BAR sizing through config cycles: 16K from "[size=16K]" */
	hw_pcidev_cfg_write(dev, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	hw_pcidev_cfg_write(dev, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_BASE_ADDRESS_0, 4), 0xffffc004);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_BASE_ADDRESS_1, 4), 0xffffffff);
	/* unimplemented BARs read 0 */
	hw_pcidev_cfg_write(dev, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_BASE_ADDRESS_2, 4), 0);
	/* Command writable, IDs read-only */
	hw_pcidev_cfg_write(dev, PCI_COMMAND, 0, 2);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_COMMAND, 2), 0);
	hw_pcidev_cfg_write(dev, PCI_VENDOR_ID, 0x1234, 2);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_VENDOR_ID, 2), 0x144d);
	hw_pcidev_cfg_write(dev, PCI_INTERRUPT_LINE, 5, 1);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_INTERRUPT_LINE, 1), 5);
	hw_pcidev_destroy(dev);

	dev = hw_replay_dev_create(rp);
	assert_false(IS_ERR(dev));
	assert_int_equal(dev->hdr_type, PCI_HEADER_TYPE_BRIDGE);
	/* bus numbers and memory window are writable */
	hw_pcidev_cfg_write(dev, PCI_SECONDARY_BUS, 0x05, 1);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_SECONDARY_BUS, 1), 0x05);
	hw_pcidev_cfg_write(dev, PCI_MEMORY_BASE, 0xb000, 2);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_MEMORY_BASE, 2), 0xb000);
	/* Secondary latency timer and device ID are not */
	hw_pcidev_cfg_write(dev, PCI_SEC_LATENCY_TIMER, 0x40, 1);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_SEC_LATENCY_TIMER, 1), 0);
	hw_pcidev_cfg_write(dev, PCI_DEVICE_ID, 0, 2);
	assert_int_equal(hw_pcidev_cfg_read(dev, PCI_DEVICE_ID, 2), 0xa338);
	hw_pcidev_destroy(dev);

	/* malformed node */
	ep->raw_len = 10;
	assert_err_ptr(EINVAL, hw_replay_dev_create(ep));
	ep->raw_len = 64;
	ep->raw_cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_CARDBUS;
	pl_log_set_sink(quiet_sink, NULL);
	assert_err_ptr(EINVAL, hw_replay_dev_create(ep));
	pl_log_set_sink(NULL, NULL);

	free_desc(p);
	unlink(path);
	free(path);
}

/* Every allocation failure of the dump reader unwinds cleanly. */
static void test_dump_fault_sweep(void **state)
{
	char *path = write_tmp(topo_dump);
	char err[256];

	pl_log_set_level(PL_LOG_ERR);
	for (unsigned long n = 1; n < 200; n++) {
		struct hw_desc_platform *p;

		fault_inject_nth(n);
		p = hw_desc_parse_lspci_dump(path, err, sizeof(err));
		if (!fault_injected()) {
			fault_inject_nth(0);
			assert_false(IS_ERR(p));
			free_desc(p);
			break;
		}
		fault_inject_nth(0);
		assert_err_ptr(ENOMEM, p);
	}
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_counts),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_filter_slot),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_dump_good),
		cmocka_unit_test(test_dump_errors),
		cmocka_unit_test(test_dump_too_long),
		cmocka_unit_test(test_hex_roundtrip),
		cmocka_unit_test(test_decode_endpoint),
		cmocka_unit_test(test_decode_bridge_and_tree),
		cmocka_unit_test(test_desc_topology),
		cmocka_unit_test(test_desc_errors),
		cmocka_unit_test(test_replay_device),
		cmocka_unit_test(test_dump_fault_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
