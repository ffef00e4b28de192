// SPDX-License-Identifier: MIT
/*
 * hw/platform: platform files (docs/platform-format.md) -> struct
 * hw_desc_platform. The document is loaded whole with libyaml's document
 * API, then walked: top level, host bridges, the function tree and, per
 * function, its BARs and capabilities (desc_caps.c).
 *
 * Everything the file says is checked here, before the fabric sees it, so
 * that a bad file gets one message pointing at the offending line: syntax,
 * keys, types, ranges, and the topology rules of PCI/PCIe (which node kind
 * may sit on which bus, device/function numbering, BAR layout).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/platform/desc_parse.h"

/* Nesting of bridges below a host bridge. 256 buses bound any real tree;
 * this bound keeps the recursive walk small on hostile input. */
#define DP_MAX_DEPTH	32

/* -------------------------------------------------------------- BARs */

enum { BAR_INDEX, BAR_TYPE, BAR_PREF, BAR_SIZE, BAR_NR };
static const char *const dp_bar_keys[BAR_NR] = {
	[BAR_INDEX] = "index", [BAR_TYPE] = "type",
	[BAR_PREF] = "prefetchable", [BAR_SIZE] = "size",
};
static const char *const dp_bar_types[] = { "io", "mem32", "mem64" };
static const enum hw_bar_kind dp_bar_kinds[] = { HW_BAR_IO, HW_BAR_MEM32, HW_BAR_MEM64 };

int dp_bar(struct dp_ctx *c, const yaml_node_t *n, unsigned int nr_slots, bool vf,
	   enum hw_bar_kind *kinds, bool *pref, uint64_t *sizes,
	   struct hw_desc_loc *locs, unsigned int *next)
{
	const char *what = vf ? "VF BAR" : "BAR";
	const yaml_node_t *v[BAR_NR];
	enum hw_bar_kind kind;
	uint64_t idx = *next, size, max;
	bool p = false;
	int rc;

	rc = dp_collect(c, n, dp_bar_keys, BAR_NR, what, v);
	if (rc < 0)
		return rc;
	if (!v[BAR_TYPE])
		return dp_missing(c, n, "type", what);
	if (!v[BAR_SIZE])
		return dp_missing(c, n, "size", what);
	rc = dp_enum(c, v[BAR_TYPE], dp_bar_types, ARRAY_SIZE(dp_bar_types), "BAR type");
	if (rc < 0)
		return rc;
	kind = dp_bar_kinds[rc];
	if (vf && kind == HW_BAR_IO)
		return dp_fail(c, v[BAR_TYPE],
			       "VF BARs are memory BARs, not I/O (PCIe r6.2 §9.3.3.14)");
	if (v[BAR_INDEX]) {
		rc = dp_uint(c, v[BAR_INDEX], 0, nr_slots - 1, &idx);
		if (rc < 0)
			return rc;
	} else if (idx >= nr_slots) {
		return dp_fail(c, n, "no %s slot left (this function has %u)", what, nr_slots);
	}
	if (v[BAR_PREF]) {
		rc = dp_bool(c, v[BAR_PREF], &p);
		if (rc < 0)
			return rc;
		if (p && kind == HW_BAR_IO)
			return dp_fail(c, v[BAR_PREF], "an I/O BAR cannot be prefetchable");
	}
	/* PCI Local Bus r3.0 §6.2.5.1: an I/O BAR claims 4..256 bytes, a
	 * memory BAR at least 16; a 32-bit BAR at most 2 GiB. */
	max = kind == HW_BAR_IO ? 256 : kind == HW_BAR_MEM32 ? (1ull << 31) : (1ull << 63);
	rc = dp_size(c, v[BAR_SIZE], 1, UINT64_MAX, &size);
	if (rc < 0)
		return rc;
	if (!is_power_of_2(size))
		return dp_fail(c, v[BAR_SIZE], "%s size 0x%llx is not a power of two", what,
			       (unsigned long long)size);
	if (kind == HW_BAR_IO && size < 4)
		return dp_fail(c, v[BAR_SIZE], "I/O BAR size %llu is below the minimum of 4 bytes (PCI Local Bus r3.0 §6.2.5.1)",
			       (unsigned long long)size);
	if (kind != HW_BAR_IO && size < 16)
		return dp_fail(c, v[BAR_SIZE], "memory BAR size %llu is below the minimum of 16 bytes (PCI Local Bus r3.0 §6.2.5.1)",
			       (unsigned long long)size);
	if (size > max)
		return dp_fail(c, v[BAR_SIZE], "%s size 0x%llx exceeds the maximum 0x%llx for type %s",
			       what, (unsigned long long)size, (unsigned long long)max,
			       dp_bar_types[kind == HW_BAR_IO ? 0 : kind == HW_BAR_MEM32 ? 1 : 2]);
	if (kinds[idx] != HW_BAR_NONE)
		return dp_fail(c, n, "%s slot %llu is already used by the %s at line %u", what,
			       (unsigned long long)idx, what, locs[idx].line);
	if (idx > 0 && kinds[idx - 1] == HW_BAR_MEM64)
		return dp_fail(c, n, "%s slot %llu is the upper half of the 64-bit %s %llu (line %u)",
			       what, (unsigned long long)idx, what, (unsigned long long)idx - 1,
			       locs[idx - 1].line);
	if (kind == HW_BAR_MEM64) {
		if (idx + 1 >= nr_slots)
			return dp_fail(c, n, "a 64-bit %s takes two slots; slot %llu is the last one",
				       what, (unsigned long long)idx);
		if (kinds[idx + 1] != HW_BAR_NONE)
			return dp_fail(c, n, "64-bit %s %llu overlaps the %s in slot %llu (line %u)",
				       what, (unsigned long long)idx, what,
				       (unsigned long long)idx + 1, locs[idx + 1].line);
	}
	kinds[idx] = kind;
	pref[idx] = p;
	sizes[idx] = size;
	dp_loc(c, n, &locs[idx]);
	*next = (unsigned int)idx + (kind == HW_BAR_MEM64 ? 2 : 1);
	return 0;
}

static int dp_parse_bars(struct dp_ctx *c, struct hw_desc_func *f, const yaml_node_t *seq)
{
	enum hw_bar_kind kinds[HW_PCI_NUM_BARS] = { 0 };
	bool pref[HW_PCI_NUM_BARS] = { 0 };
	uint64_t sizes[HW_PCI_NUM_BARS] = { 0 };
	struct hw_desc_loc locs[HW_PCI_NUM_BARS] = { 0 };
	/* PCI-to-PCI bridge header (type 1) has two BARs, PCI-PCI Bridge r1.2 §3.2 */
	unsigned int nr = f->kind == HW_DESC_ENDPOINT ? HW_PCI_NUM_BARS : 2, next = 0, i;
	const yaml_node_item_t *it;
	int rc;

	rc = dp_expect_seq(c, seq, "bars");
	if (rc < 0)
		return rc;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		const yaml_node_t *n = dp_node(c, *it);

		if (!n)
			return dp_fail(c, seq, "internal: dangling YAML node");
		rc = dp_bar(c, n, nr, false, kinds, pref, sizes, locs, &next);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < HW_PCI_NUM_BARS; i++) {
		f->bars[i].kind = kinds[i];
		f->bars[i].prefetchable = pref[i];
		f->bars[i].size = sizes[i];
		f->bars[i].loc = locs[i];
	}
	return 0;
}

/* ---------------------------------------------------------- functions */

static const char *const dp_kind_names[] = {
	[HW_DESC_ENDPOINT] = "endpoint",
	[HW_DESC_ROOT_PORT] = "root-port",
	[HW_DESC_SWITCH] = "switch",
	[HW_DESC_DOWNSTREAM_PORT] = "downstream-port",
	[HW_DESC_PCIE_PCI_BRIDGE] = "pcie-pci-bridge",
	[HW_DESC_PCI_BRIDGE] = "pci-bridge",
};

const char *dp_kind_name(enum hw_desc_kind k)
{
	if ((unsigned int)k < ARRAY_SIZE(dp_kind_names) && dp_kind_names[k])
		return dp_kind_names[k];
	return k == HW_DESC_REPLAY ? "replay" : "?";
}

static const char *const dp_bus_names[] = {
	[DP_BUS_ROOT] = "a host bridge's root bus",
	[DP_BUS_LINK] = "a PCIe link (below a root port or switch downstream port)",
	[DP_BUS_INTERNAL] = "a switch's internal bus",
	[DP_BUS_CONV] = "a conventional PCI bus",
};

static bool dp_kind_allowed(enum hw_desc_kind k, enum dp_bus bus)
{
	switch (bus) {
	case DP_BUS_ROOT:
		return k == HW_DESC_ENDPOINT || k == HW_DESC_ROOT_PORT ||
		       k == HW_DESC_PCIE_PCI_BRIDGE || k == HW_DESC_PCI_BRIDGE;
	case DP_BUS_LINK:
		/* PCIe r6.2 §1.3: a link ends in an endpoint, a switch's
		 * upstream port or a bridge; a PCI-PCI bridge has no link. */
		return k == HW_DESC_ENDPOINT || k == HW_DESC_SWITCH ||
		       k == HW_DESC_PCIE_PCI_BRIDGE;
	case DP_BUS_INTERNAL:
		/* PCIe r6.2 §1.3.3: a switch's internal bus holds only its
		 * downstream ports. */
		return k == HW_DESC_DOWNSTREAM_PORT;
	case DP_BUS_CONV:
		return k == HW_DESC_ENDPOINT || k == HW_DESC_PCI_BRIDGE;
	}
	return false;
}

static const char *dp_allowed_kinds(enum dp_bus bus)
{
	switch (bus) {
	case DP_BUS_ROOT: return "endpoint, root-port, pcie-pci-bridge, pci-bridge";
	case DP_BUS_LINK: return "endpoint, switch, pcie-pci-bridge";
	case DP_BUS_INTERNAL: return "downstream-port";
	case DP_BUS_CONV: return "endpoint, pci-bridge";
	}
	return "";
}

/* "DD.F": device and function in hex as lspci prints them. Function
 * numbers up to ff are accepted with device 0 (ARI); the bus check
 * decides whether ARI is really there. */
static int dp_address(struct dp_ctx *c, const yaml_node_t *n, uint8_t *dev, uint8_t *fn)
{
	char shown[48];
	const char *s, *dot;
	size_t len, used;
	uint64_t d, f;
	int rc;

	rc = dp_scalar(c, n, "an address 'DD.F'", &s, &len);
	if (rc < 0)
		return rc;
	dot = memchr(s, '.', len);
	if (!dot || dot == s || dot - s > 2 || (size_t)(dot - s) + 1 == len ||
	    len - (size_t)(dot - s) - 1 > 2)
		goto bad;
	for (size_t i = 0; i < len; i++)
		if (s + i != dot && !isxdigit((unsigned char)s[i]))
			goto bad;
	{
		char buf[8] = "0x";

		memcpy(buf + 2, s, (size_t)(dot - s));
		buf[2 + (dot - s)] = '\0';
		if (!dp_digits(buf, strlen(buf), &d, &used))
			goto bad;
		memcpy(buf + 2, dot + 1, len - (size_t)(dot - s) - 1);
		buf[2 + len - (size_t)(dot - s) - 1] = '\0';
		if (!dp_digits(buf, strlen(buf), &f, &used))
			goto bad;
	}
	if (d > 31)
		return dp_fail(c, n, "device number 0x%llx out of range 00..1f",
			       (unsigned long long)d);
	if (f > 7 && d != 0)
		return dp_fail(c, n, "function number 0x%llx out of range 0..7 (with ARI, use device 0 and function 0..ff)",
			       (unsigned long long)f);
	*dev = (uint8_t)d;
	*fn = (uint8_t)f;
	return 0;
bad:
	return dp_fail(c, n, "expected an address 'DD.F' (hex device 0..1f, function 0..7), got '%s'",
		       dp_show(n, shown, sizeof(shown)));
}

static const char *const dp_pin_names[] = { "none", "INTA", "INTB", "INTC", "INTD" };

static int dp_pin(struct dp_ctx *c, const yaml_node_t *n, uint8_t *pin)
{
	uint64_t v;
	int rc;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.length &&
	    isdigit(n->data.scalar.value[0])) {
		rc = dp_uint(c, n, 0, 4, &v);
		if (rc < 0)
			return rc;
		*pin = (uint8_t)v;
		return 0;
	}
	rc = dp_enum(c, n, dp_pin_names, ARRAY_SIZE(dp_pin_names), "interrupt pin");
	if (rc < 0)
		return rc;
	*pin = (uint8_t)rc;
	return 0;
}

enum {
	FN_ADDRESS, FN_KIND, FN_NAME, FN_VENDOR, FN_DEVICE, FN_CLASS, FN_REVISION,
	FN_SUBSYS_VENDOR, FN_SUBSYS_DEVICE, FN_PIN, FN_MULTIFUNCTION, FN_BARS, FN_ROM,
	FN_CAPS, FN_CHILDREN, FN_SPDM, FN_MODEL, FN_NR
};
static const char *const dp_fn_keys[FN_NR] = {
	[FN_ADDRESS] = "address", [FN_KIND] = "kind", [FN_NAME] = "name",
	[FN_VENDOR] = "vendor", [FN_DEVICE] = "device", [FN_CLASS] = "class",
	[FN_REVISION] = "revision", [FN_SUBSYS_VENDOR] = "subsystem-vendor",
	[FN_SUBSYS_DEVICE] = "subsystem-device", [FN_PIN] = "interrupt-pin",
	[FN_MULTIFUNCTION] = "multifunction", [FN_BARS] = "bars", [FN_ROM] = "rom",
	[FN_CAPS] = "capabilities", [FN_CHILDREN] = "children",
	[FN_SPDM] = "spdm", [FN_MODEL] = "model",
};

/* Behaviour models of endpoints, indexed by enum hw_desc_model. */
static const char *const dp_model_names[HW_DESC_MODEL_NR] = {
	[HW_DESC_MODEL_GENERIC] = "generic",
	[HW_DESC_MODEL_DMA_TEST] = "dma-test",
};

static int dp_parse_bus(struct dp_ctx *c, const yaml_node_t *seq, struct list_head *list,
			enum dp_bus bus, unsigned int depth);

static int dp_u16(struct dp_ctx *c, const yaml_node_t *n, uint16_t *out)
{
	uint64_t v;
	int rc = dp_uint(c, n, 0, 0xffff, &v);

	if (rc == 0)
		*out = (uint16_t)v;
	return rc;
}

static int dp_parse_func(struct dp_ctx *c, const yaml_node_t *map, struct list_head *list,
			 enum dp_bus bus, unsigned int depth)
{
	const yaml_node_t *v[FN_NR];
	struct hw_desc_func *f;
	struct dp_place where;
	uint64_t x;
	int rc;

	rc = dp_collect(c, map, dp_fn_keys, FN_NR, "function", v);
	if (rc < 0)
		return rc;
	if (!v[FN_ADDRESS])
		return dp_missing(c, map, "address", "function");
	if (!v[FN_KIND])
		return dp_missing(c, map, "kind", "function");

	/* Linked at once so that hw_desc_free() of the platform frees it on
	 * any error below. */
	f = pl_zalloc(sizeof(*f));
	if (!f)
		return dp_nomem(c);
	INIT_LIST_HEAD(&f->children);
	list_add_tail(&f->node, list);
	dp_loc(c, map, &f->loc);

	rc = dp_enum(c, v[FN_KIND], dp_kind_names, ARRAY_SIZE(dp_kind_names), "kind");
	if (rc < 0)
		return rc;
	f->kind = (enum hw_desc_kind)rc;
	if (!dp_kind_allowed(f->kind, bus))
		return dp_fail(c, v[FN_KIND], "%s %s cannot sit on %s (allowed there: %s)",
			       f->kind == HW_DESC_ENDPOINT ? "an" : "a", dp_kind_name(f->kind), dp_bus_names[bus], dp_allowed_kinds(bus));
	rc = dp_address(c, v[FN_ADDRESS], &f->dev, &f->fn);
	if (rc < 0)
		return rc;
	if (v[FN_NAME]) {
		rc = dp_string(c, v[FN_NAME], "a name", &f->name);
		if (rc < 0)
			return rc;
	}
	if (v[FN_MODEL]) {
		if (f->kind != HW_DESC_ENDPOINT)
			return dp_fail(c, v[FN_MODEL], "only endpoints have a behaviour model");
		rc = dp_enum(c, v[FN_MODEL], dp_model_names, ARRAY_SIZE(dp_model_names), "model");
		if (rc < 0)
			return rc;
		f->model = (enum hw_desc_model)rc;
	}
	/* A model other than the generic endpoint brings its own IDs. */
	if (f->kind == HW_DESC_ENDPOINT && f->model == HW_DESC_MODEL_GENERIC) {
		if (!v[FN_VENDOR])
			return dp_missing(c, map, "vendor", "endpoint");
		if (!v[FN_DEVICE])
			return dp_missing(c, map, "device", "endpoint");
		if (!v[FN_CLASS])
			return dp_missing(c, map, "class", "endpoint");
	}
	if (v[FN_VENDOR]) {
		rc = dp_u16(c, v[FN_VENDOR], &f->vendor);
		if (rc < 0)
			return rc;
		/* PCI Local Bus r3.0 §6.2.1: FFFFh is "no function". */
		if (f->vendor == 0xffff || f->vendor == 0)
			return dp_fail(c, v[FN_VENDOR], "vendor ID 0x%04x is reserved (reads as an empty slot)",
				       f->vendor);
	}
	if (v[FN_DEVICE]) {
		rc = dp_u16(c, v[FN_DEVICE], &f->device);
		if (rc < 0)
			return rc;
	}
	if (v[FN_CLASS]) {
		rc = dp_uint(c, v[FN_CLASS], 0, 0xffffff, &x);
		if (rc < 0)
			return rc;
		f->class_code = (uint32_t)x;
	}
	if (v[FN_REVISION]) {
		rc = dp_uint(c, v[FN_REVISION], 0, 0xff, &x);
		if (rc < 0)
			return rc;
		f->revision = (uint8_t)x;
	}
	if (v[FN_SUBSYS_VENDOR]) {
		rc = dp_u16(c, v[FN_SUBSYS_VENDOR], &f->subsys_vendor);
		if (rc < 0)
			return rc;
	}
	if (v[FN_SUBSYS_DEVICE]) {
		rc = dp_u16(c, v[FN_SUBSYS_DEVICE], &f->subsys_device);
		if (rc < 0)
			return rc;
	}
	if (v[FN_PIN]) {
		rc = dp_pin(c, v[FN_PIN], &f->intx_pin);
		if (rc < 0)
			return rc;
	}
	if (v[FN_MULTIFUNCTION]) {
		rc = dp_bool(c, v[FN_MULTIFUNCTION], &f->multifunction);
		if (rc < 0)
			return rc;
	}
	if (v[FN_BARS]) {
		rc = dp_parse_bars(c, f, v[FN_BARS]);
		if (rc < 0)
			return rc;
	}
	if (v[FN_ROM]) {
		/* PCI Local Bus r3.0 §6.2.5.2: the ROM BAR decodes bits 31:11,
		 * so an expansion ROM is at least 2 KiB. */
		rc = dp_size(c, v[FN_ROM], 2048, 1u << 24, &x);
		if (rc < 0)
			return rc;
		if (!is_power_of_2(x))
			return dp_fail(c, v[FN_ROM], "expansion ROM size 0x%llx is not a power of two",
				       (unsigned long long)x);
		f->bars[HW_PCI_ROM_SLOT].kind = HW_BAR_ROM;
		f->bars[HW_PCI_ROM_SLOT].size = x;
		dp_loc(c, v[FN_ROM], &f->bars[HW_PCI_ROM_SLOT].loc);
	}

	where.bus = bus;
	where.pcie = bus != DP_BUS_CONV && f->kind != HW_DESC_PCI_BRIDGE;
	where.port = f->kind == HW_DESC_ROOT_PORT || f->kind == HW_DESC_DOWNSTREAM_PORT;
	if (v[FN_CAPS]) {
		rc = dp_parse_caps(c, f, v[FN_CAPS], &where);
		if (rc < 0)
			return rc;
	}
	if (v[FN_SPDM]) {
		rc = dp_parse_spdm(c, f, v[FN_SPDM]);
		if (rc < 0)
			return rc;
	}

	if (v[FN_CHILDREN]) {
		enum dp_bus child_bus;

		switch (f->kind) {
		case HW_DESC_ROOT_PORT:
		case HW_DESC_DOWNSTREAM_PORT:
			child_bus = DP_BUS_LINK;
			break;
		case HW_DESC_SWITCH:
			child_bus = DP_BUS_INTERNAL;
			break;
		case HW_DESC_PCIE_PCI_BRIDGE:
		case HW_DESC_PCI_BRIDGE:
			child_bus = DP_BUS_CONV;
			break;
		default:
			return dp_fail(c, v[FN_CHILDREN],
				       "an endpoint has no secondary bus, so it cannot have children");
		}
		if (depth >= DP_MAX_DEPTH)
			return dp_fail(c, v[FN_CHILDREN], "bridges nested deeper than %d levels",
				       DP_MAX_DEPTH);
		rc = dp_parse_bus(c, v[FN_CHILDREN], &f->children, child_bus, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool dp_has_cap(const struct hw_desc_func *f, enum hw_desc_cap_kind k)
{
	unsigned int i;

	for (i = 0; i < f->nr_caps; i++)
		if (f->caps[i].kind == k)
			return true;
	return false;
}

static int dp_fail_at(struct dp_ctx *c, const struct hw_desc_loc *loc, const char *fmt, ...)
	__printf(3, 4);

/* A message at a stored location (the YAML nodes are not kept per func). */
static int dp_fail_at(struct dp_ctx *c, const struct hw_desc_loc *loc, const char *fmt, ...)
{
	yaml_node_t fake;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&fake, 0, sizeof(fake));
	fake.start_mark.line = loc->line ? loc->line - 1 : 0;
	fake.start_mark.column = loc->col ? loc->col - 1 : 0;
	return dp_fail(c, &fake, "%s", msg);
}

/*
 * Numbering rules of one bus, after all of its functions are parsed.
 * On a PCIe link only Device 0 is reachable (PCIe r6.2 §7.3.1), except
 * that an ARI device (function 0 has the ARI capability, PCIe r6.2 §6.13)
 * uses the whole 8-bit function number: "01.2" there is function 0x0a and
 * is stored as device 0, function 0x0a.
 */
static int dp_check_bus(struct dp_ctx *c, struct list_head *list, enum dp_bus bus)
{
	struct hw_desc_func *f, *g;
	bool ari = false;

	list_for_each_entry(f, list, node)
		if (f->dev == 0 && f->fn == 0 && dp_has_cap(f, HW_DESC_CAP_ARI))
			ari = true;

	list_for_each_entry(f, list, node) {
		if (bus == DP_BUS_LINK && f->dev != 0) {
			if (!ari)
				return dp_fail_at(c, &f->loc, "device %02x below a PCIe port: only device 0 is reachable on a link (PCIe r6.2 §7.3.1) unless function 0 has an 'ari' capability",
						  f->dev);
			f->fn = (uint8_t)(f->dev << 3 | f->fn);
			f->dev = 0;
		} else if (f->fn > 7 && !(bus == DP_BUS_LINK && ari)) {
			return dp_fail_at(c, &f->loc, "function %02x: function numbers above 7 need ARI (PCIe r6.2 §6.13): device 0 below a PCIe port whose function 0 has an 'ari' capability",
					  f->fn);
		}
	}

	list_for_each_entry(f, list, node) {
		bool fn0 = false, sibling = false;

		list_for_each_entry(g, list, node) {
			if (g == f)
				break;
			if (g->dev == f->dev && g->fn == f->fn)
				return dp_fail_at(c, &f->loc, "two functions at %02x.%x (the other at line %u)",
						  f->dev, f->fn, g->loc.line);
		}
		list_for_each_entry(g, list, node) {
			if (g->dev != f->dev)
				continue;
			if (g->fn == 0)
				fn0 = true;
			if (g != f)
				sibling = true;
		}
		/* PCI Local Bus r3.0 §6.2.1: every device implements function
		 * 0; software does not probe further functions without it. */
		if (!fn0)
			return dp_fail_at(c, &f->loc, "function %02x.%x has no function 0 in its device",
					  f->dev, f->fn);
		if (sibling)
			f->multifunction = true;
	}
	return 0;
}

static int dp_parse_bus(struct dp_ctx *c, const yaml_node_t *seq, struct list_head *list,
			enum dp_bus bus, unsigned int depth)
{
	const yaml_node_item_t *it;
	int rc;

	rc = dp_expect_seq(c, seq, bus == DP_BUS_ROOT ? "devices" : "children");
	if (rc < 0)
		return rc;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		const yaml_node_t *n = dp_node(c, *it);

		if (!n)
			return dp_fail(c, seq, "internal: dangling YAML node");
		rc = dp_parse_func(c, n, list, bus, depth);
		if (rc < 0)
			return rc;
	}
	return dp_check_bus(c, list, bus);
}

/* Bus numbers a tree consumes below its root bus: one per bridge. */
static unsigned int dp_count_buses(const struct list_head *list)
{
	const struct hw_desc_func *f;
	unsigned int n = 0;

	list_for_each_entry(f, list, node)
		if (f->kind != HW_DESC_ENDPOINT)
			n += 1 + dp_count_buses(&f->children);
	return n;
}

/* ------------------------------------------------------- host bridges */

enum { AP_BASE, AP_SIZE, AP_NR };
static const char *const dp_ap_keys[AP_NR] = { [AP_BASE] = "base", [AP_SIZE] = "size" };

static int dp_aperture(struct dp_ctx *c, const yaml_node_t *n, const char *what,
		       uint64_t limit, struct hw_desc_range *r)
{
	const yaml_node_t *v[AP_NR];
	int rc;

	rc = dp_collect(c, n, dp_ap_keys, AP_NR, what, v);
	if (rc < 0)
		return rc;
	if (!v[AP_BASE])
		return dp_missing(c, n, "base", what);
	if (!v[AP_SIZE])
		return dp_missing(c, n, "size", what);
	rc = dp_size(c, v[AP_BASE], 0, limit ? limit - 1 : UINT64_MAX, &r->base);
	if (rc < 0)
		return rc;
	rc = dp_size(c, v[AP_SIZE], 1, UINT64_MAX, &r->size);
	if (rc < 0)
		return rc;
	if (r->size - 1 > UINT64_MAX - r->base)
		return dp_fail(c, v[AP_SIZE], "%s window wraps around the 64-bit address space", what);
	if (limit && r->base + r->size - 1 > limit - 1)
		return dp_fail(c, v[AP_SIZE], "%s window 0x%llx..0x%llx ends above 0x%llx", what,
			       (unsigned long long)r->base,
			       (unsigned long long)(r->base + r->size - 1),
			       (unsigned long long)(limit - 1));
	return 0;
}

static bool dp_overlap(const struct hw_desc_range *a, const struct hw_desc_range *b)
{
	return a->size && b->size && a->base <= b->base + (b->size - 1) &&
	       b->base <= a->base + (a->size - 1);
}

enum {
	HB_SEGMENT, HB_BUS_START, HB_BUS_END, HB_MMIO, HB_MMIO_PREF, HB_IO, HB_DEVICES, HB_NR
};
static const char *const dp_hb_keys[HB_NR] = {
	[HB_SEGMENT] = "segment", [HB_BUS_START] = "bus-start", [HB_BUS_END] = "bus-end",
	[HB_MMIO] = "mmio", [HB_MMIO_PREF] = "mmio-pref", [HB_IO] = "io",
	[HB_DEVICES] = "devices",
};

static int dp_parse_host_bridge(struct dp_ctx *c, const yaml_node_t *map)
{
	const yaml_node_t *v[HB_NR];
	struct hw_desc_host_bridge *h, *o;
	unsigned int need;
	uint64_t x;
	int rc;

	rc = dp_collect(c, map, dp_hb_keys, HB_NR, "host bridge", v);
	if (rc < 0)
		return rc;
	h = pl_zalloc(sizeof(*h));
	if (!h)
		return dp_nomem(c);
	INIT_LIST_HEAD(&h->devices);
	list_add_tail(&h->node, &c->p->host_bridges);
	dp_loc(c, map, &h->loc);
	h->bus_end = 0xff;

	if (v[HB_SEGMENT]) {
		rc = dp_u16(c, v[HB_SEGMENT], &h->segment);
		if (rc < 0)
			return rc;
	}
	if (v[HB_BUS_START]) {
		rc = dp_uint(c, v[HB_BUS_START], 0, 255, &x);
		if (rc < 0)
			return rc;
		h->bus_start = (uint8_t)x;
	}
	if (v[HB_BUS_END]) {
		rc = dp_uint(c, v[HB_BUS_END], 0, 255, &x);
		if (rc < 0)
			return rc;
		h->bus_end = (uint8_t)x;
	}
	if (h->bus_end < h->bus_start)
		return dp_fail(c, v[HB_BUS_END] ? v[HB_BUS_END] : map,
			       "bus range end 0x%02x is below its start 0x%02x",
			       h->bus_end, h->bus_start);
	/* The non-prefetchable window is decoded by 32-bit bridge memory
	 * windows (PCI-PCI Bridge r1.2 §3.2.5.8), I/O by 16-bit I/O ones. */
	if (v[HB_MMIO]) {
		rc = dp_aperture(c, v[HB_MMIO], "mmio", 1ull << 32, &h->mmio);
		if (rc < 0)
			return rc;
	}
	if (v[HB_MMIO_PREF]) {
		rc = dp_aperture(c, v[HB_MMIO_PREF], "mmio-pref", 0, &h->mmio_pref);
		if (rc < 0)
			return rc;
	}
	if (v[HB_IO]) {
		rc = dp_aperture(c, v[HB_IO], "io", 1ull << 16, &h->io);
		if (rc < 0)
			return rc;
	}
	if (dp_overlap(&h->mmio, &h->mmio_pref))
		return dp_fail(c, v[HB_MMIO_PREF], "mmio-pref window overlaps the mmio window");
	if (c->p->ram_size) {
		struct hw_desc_range ram = { 0, c->p->ram_size };

		if (dp_overlap(&h->mmio, &ram))
			return dp_fail(c, v[HB_MMIO], "mmio window overlaps RAM (0..0x%llx)",
				       (unsigned long long)ram.size - 1);
		if (dp_overlap(&h->mmio_pref, &ram))
			return dp_fail(c, v[HB_MMIO_PREF], "mmio-pref window overlaps RAM (0..0x%llx)",
				       (unsigned long long)ram.size - 1);
	}
	list_for_each_entry(o, &c->p->host_bridges, node) {
		if (o == h)
			break;
		if (o->segment == h->segment && o->bus_start <= h->bus_end &&
		    h->bus_start <= o->bus_end)
			return dp_fail(c, map, "bus range %04x:%02x-%02x overlaps the host bridge at line %u",
				       h->segment, h->bus_start, h->bus_end, o->loc.line);
		if (dp_overlap(&h->mmio, &o->mmio) || dp_overlap(&h->mmio, &o->mmio_pref) ||
		    dp_overlap(&h->mmio_pref, &o->mmio) || dp_overlap(&h->mmio_pref, &o->mmio_pref) ||
		    dp_overlap(&h->io, &o->io))
			return dp_fail(c, map, "a window overlaps one of the host bridge at line %u",
				       o->loc.line);
	}

	if (v[HB_DEVICES]) {
		rc = dp_parse_bus(c, v[HB_DEVICES], &h->devices, DP_BUS_ROOT, 0);
		if (rc < 0)
			return rc;
	}
	need = dp_count_buses(&h->devices);
	if (need > (unsigned int)(h->bus_end - h->bus_start))
		return dp_fail(c, map, "the tree needs %u bus numbers below the root bus but bus range %02x-%02x leaves %u",
			       need, h->bus_start, h->bus_end, h->bus_end - h->bus_start);
	return 0;
}

/* ---------------------------------------------------------- top level */

enum { TOP_VERSION, TOP_NAME, TOP_RAM, TOP_HOST_BRIDGES, TOP_IOMMU, TOP_IOMMU_BASE, TOP_NR };
static const char *const dp_top_keys[TOP_NR] = {
	[TOP_VERSION] = "version", [TOP_NAME] = "name", [TOP_RAM] = "ram",
	[TOP_HOST_BRIDGES] = "host-bridges", [TOP_IOMMU] = "iommu",
	[TOP_IOMMU_BASE] = "iommu-base",
};

/* Values of the top-level "iommu" key, in enum hw_desc_iommu order. */
static const char *const dp_iommu_names[] = {
	[HW_DESC_IOMMU_DEFAULT] = "default",
	[HW_DESC_IOMMU_NONE] = "none",
	[HW_DESC_IOMMU_VTD] = "vtd",
};

#define DP_DEFAULT_RAM	(1ull << 30)

static int dp_parse_top(struct dp_ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *v[TOP_NR];
	const yaml_node_item_t *it;
	uint64_t x;
	int rc;

	rc = dp_collect(c, root, dp_top_keys, TOP_NR, "platform", v);
	if (rc < 0)
		return rc;
	if (v[TOP_VERSION]) {
		rc = dp_uint(c, v[TOP_VERSION], 1, 1, &x);
		if (rc < 0)
			return rc;
	}
	if (v[TOP_NAME]) {
		rc = dp_string(c, v[TOP_NAME], "a name", &c->p->name);
		if (rc < 0)
			return rc;
	} else {
		c->p->name = pl_strdup(c->file);
		if (!c->p->name)
			return dp_nomem(c);
	}
	c->p->ram_size = DP_DEFAULT_RAM;
	if (v[TOP_RAM]) {
		rc = dp_size(c, v[TOP_RAM], 1ull << 20, 1ull << 46, &c->p->ram_size);
		if (rc < 0)
			return rc;
	}
	if (v[TOP_IOMMU]) {
		rc = dp_enum(c, v[TOP_IOMMU], dp_iommu_names, ARRAY_SIZE(dp_iommu_names), "iommu");
		if (rc < 0)
			return rc;
		c->p->iommu = (enum hw_desc_iommu)rc;
	}
	if (v[TOP_IOMMU_BASE]) {
		/* VT-d r4.1 §8.3.1: register sets are 4 KiB aligned. */
		rc = dp_uint(c, v[TOP_IOMMU_BASE], 0x1000, (1ull << 46) - 0x1000, &c->p->iommu_base);
		if (rc < 0)
			return rc;
		if (c->p->iommu_base & 0xfff)
			return dp_fail(c, v[TOP_IOMMU_BASE], "iommu-base 0x%llx is not 4 KiB aligned",
				       (unsigned long long)c->p->iommu_base);
		if (c->p->iommu == HW_DESC_IOMMU_NONE)
			return dp_fail(c, v[TOP_IOMMU_BASE], "iommu-base given with iommu: none");
	}
	if (!v[TOP_HOST_BRIDGES])
		return dp_missing(c, root, "host-bridges", "platform");
	rc = dp_expect_seq(c, v[TOP_HOST_BRIDGES], "host-bridges");
	if (rc < 0)
		return rc;
	if (v[TOP_HOST_BRIDGES]->data.sequence.items.start ==
	    v[TOP_HOST_BRIDGES]->data.sequence.items.top)
		return dp_fail(c, v[TOP_HOST_BRIDGES], "host-bridges: at least one host bridge is needed");
	for (it = v[TOP_HOST_BRIDGES]->data.sequence.items.start;
	     it < v[TOP_HOST_BRIDGES]->data.sequence.items.top; it++) {
		const yaml_node_t *n = dp_node(c, *it);

		if (!n)
			return dp_fail(c, root, "internal: dangling YAML node");
		rc = dp_parse_host_bridge(c, n);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int dp_syntax_error(struct dp_ctx *c, const yaml_parser_t *y, const char *text,
			   size_t len)
{
	yaml_node_t fake;
	size_t i;

	if (y->error == YAML_MEMORY_ERROR)
		return dp_nomem(c);
	memset(&fake, 0, sizeof(fake));
	fake.start_mark = y->problem_mark;
	/* Reader errors (encoding, control characters) carry a byte offset
	 * instead of a mark. */
	if (y->error == YAML_READER_ERROR) {
		fake.start_mark.line = 0;
		fake.start_mark.column = 0;
		for (i = 0; i < y->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				fake.start_mark.line++;
				fake.start_mark.column = 0;
			} else {
				fake.start_mark.column++;
			}
		}
	}
	if (y->context)
		return dp_fail(c, &fake, "YAML syntax error: %s %s",
			       y->problem ? y->problem : "error", y->context);
	return dp_fail(c, &fake, "YAML syntax error: %s", y->problem ? y->problem : "error");
}

struct hw_desc_platform *hw_desc_parse_string(const char *name, const char *text,
					      size_t len, char *err, size_t errlen)
{
	struct dp_ctx c = { .err = err, .errlen = errlen };
	struct hw_desc_platform *p;
	yaml_parser_t y;
	yaml_document_t doc, extra;
	const yaml_node_t *root;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	/* libyaml insists on a buffer, even an empty one. */
	if (!text) {
		if (len)
			return ERR_PTR(-EINVAL);
		text = "";
	}
	p = pl_zalloc(sizeof(*p));
	if (!p) {
		c.file = name ? name : "<string>";
		return ERR_PTR(dp_nomem(&c));
	}
	INIT_LIST_HEAD(&p->host_bridges);
	p->file = pl_strdup(name ? name : "<string>");
	if (!p->file) {
		c.file = name ? name : "<string>";
		rc = dp_nomem(&c);
		goto err_free_platform;
	}
	c.file = p->file;
	c.p = p;

	if (should_fail("yaml_parser_initialize") || !yaml_parser_initialize(&y)) {
		rc = dp_nomem(&c);
		goto err_free_platform;
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
	if (should_fail("yaml_parser_load") || !yaml_parser_load(&y, &doc)) {
		rc = y.error == YAML_NO_ERROR || y.error == YAML_MEMORY_ERROR ?
			dp_nomem(&c) : dp_syntax_error(&c, &y, text, len);
		goto err_delete_parser;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		yaml_node_t fake;

		memset(&fake, 0, sizeof(fake));
		rc = dp_fail(&c, &fake, "empty file: expected a mapping with 'host-bridges'");
		goto err_delete_doc;
	}
	/* One document per file: a second one would be silently ignored. */
	if (!yaml_parser_load(&y, &extra)) {
		rc = dp_syntax_error(&c, &y, text, len);
		goto err_delete_doc;
	}
	if (yaml_document_get_root_node(&extra)) {
		yaml_node_t fake;

		memset(&fake, 0, sizeof(fake));
		fake.start_mark = extra.start_mark;
		yaml_document_delete(&extra);
		rc = dp_fail(&c, &fake, "a second YAML document: a platform file holds exactly one");
		goto err_delete_doc;
	}
	yaml_document_delete(&extra);

	c.nr_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
	c.entered = pl_calloc(c.nr_nodes ? c.nr_nodes : 1, 1);
	if (!c.entered) {
		rc = dp_nomem(&c);
		goto err_delete_doc;
	}
	rc = dp_parse_top(&c, root);
	if (rc < 0)
		goto err_free_entered;

	free(c.entered);
	yaml_document_delete(&doc);
	yaml_parser_delete(&y);
	return p;

err_free_entered:
	free(c.entered);
err_delete_doc:
	yaml_document_delete(&doc);
err_delete_parser:
	yaml_parser_delete(&y);
err_free_platform:
	hw_desc_free(p);
	return ERR_PTR(rc);
}
