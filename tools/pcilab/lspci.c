// SPDX-License-Identifier: MIT
/*
 * pcilab lspci: options, filters, name lookup, the terse listing, hex dumps
 * and the bus tree. The verbose decoder is lspci_verbose.c.
 *
 * Formats follow pciutils 3.9 (facts about its output, reimplemented here).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>

#include "base/compiler.h"
#include "hw/platform/dump.h"
#include "lspci.h"

/* ---- filters ------------------------------------------------------------ */

void lspci_filter_init(struct lspci_filter *f)
{
	f->domain = f->bus = f->slot = f->func = -1;
	f->vendor = f->device = -1;
	f->class_code = -1;
	f->class_mask = ~0u;
	f->prog_if = -1;
}

/* Split str at sep into at most max fields (copies into buf). Returns the
 * number of fields, or -1 for too many. */
static int split_fields(char *buf, int sep, char **fields, int max)
{
	int n = 0;
	char *s = buf;

	for (;;) {
		if (n >= max)
			return -1;
		fields[n++] = s;
		s = strchr(s, sep);
		if (!s)
			break;
		*s++ = '\0';
	}
	for (int i = n; i < max; i++)
		fields[i] = NULL;
	return n;
}

static bool field_given(const char *s)
{
	return s && s[0] && strcmp(s, "*");
}

/* Hex field with optional 'x' wildcard digits (when maskp); max bounds the
 * value. Leaves *out alone for an absent field or "*". */
static bool parse_hex_field(const char *s, int *out, unsigned int *maskp, unsigned int max)
{
	unsigned int v = 0, mask = ~0u, bound = 0;

	if (!field_given(s))
		return true;
	for (; *s; s++) {
		int c = (unsigned char)*s, d;

		if ((c == 'x' || c == 'X') && maskp) {
			v <<= 4;
			bound = bound << 4 | 1;
			mask <<= 4;
		} else {
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				return false;
			v = v << 4 | (unsigned int)d;
			bound = bound << 4 | (unsigned int)d;
			mask = mask << 4 | 0xf;
		}
		if (bound > max)
			return false;
	}
	*out = (int)v;
	if (maskp)
		*maskp = mask;
	return true;
}

/* [[[[domain]:]bus]:][slot][.[func]] */
const char *lspci_filter_parse_slot(struct lspci_filter *f, const char *str)
{
	char buf[64], *fields[3], *sub[2];
	int i = 0;

	if (strlen(str) >= sizeof(buf))
		return "Expression too long";
	strcpy(buf, str);
	if (split_fields(buf, ':', fields, 3) < 0)
		return "Too many fields";
	if (fields[2]) {
		if (!parse_hex_field(fields[0], &f->domain, NULL, 0x7fffffff))
			return "Invalid domain number";
		i++;
	}
	if (fields[i + 1]) {
		if (!parse_hex_field(fields[i], &f->bus, NULL, 0xff))
			return "Invalid bus number";
		i++;
	}
	if (field_given(fields[i])) {
		if (split_fields(fields[i], '.', sub, 2) < 0)
			return "Invalid slot/function number";
		if (!parse_hex_field(sub[0], &f->slot, NULL, 0x1f))
			return "Invalid slot number";
		if (!parse_hex_field(sub[1], &f->func, NULL, 7))
			return "Invalid function number";
	}
	return NULL;
}

/* [vendor]:[device][:class[:progif]] */
const char *lspci_filter_parse_id(struct lspci_filter *f, const char *str)
{
	char buf[64], *fields[4];

	if (strlen(str) >= sizeof(buf))
		return "Expression too long";
	strcpy(buf, str);
	if (split_fields(buf, ':', fields, 4) < 0)
		return "Too many fields";
	if (!fields[1])
		return "At least two fields must be given";
	if (!parse_hex_field(fields[0], &f->vendor, NULL, 0xffff))
		return "Invalid vendor ID";
	if (!parse_hex_field(fields[1], &f->device, NULL, 0xffff))
		return "Invalid device ID";
	if (!parse_hex_field(fields[2], &f->class_code, &f->class_mask, 0xffff))
		return "Invalid class code";
	if (!parse_hex_field(fields[3], &f->prog_if, NULL, 0xff))
		return "Invalid programming interface code";
	return NULL;
}

static uint16_t cfg16(const struct lspci_func *f, unsigned int off)
{
	return (uint16_t)(f->cfg[off] | f->cfg[off + 1] << 8);
}

bool lspci_filter_match(const struct lspci_filter *f, const struct lspci_func *fn)
{
	unsigned int cls = cfg16(fn, PCI_CLASS_DEVICE);

	if ((f->domain >= 0 && f->domain != fn->domain) ||
	    (f->bus >= 0 && f->bus != fn->bus) ||
	    (f->slot >= 0 && f->slot != fn->dev) ||
	    (f->func >= 0 && f->func != fn->fn))
		return false;
	if ((f->vendor >= 0 && f->vendor != cfg16(fn, PCI_VENDOR_ID)) ||
	    (f->device >= 0 && f->device != cfg16(fn, PCI_DEVICE_ID)))
		return false;
	if (f->class_code >= 0 &&
	    (((unsigned int)f->class_code ^ cls) & f->class_mask))
		return false;
	if (f->prog_if >= 0 && f->prog_if != fn->cfg[PCI_CLASS_PROG])
		return false;
	return true;
}

/* ---- options ----------------------------------------------------------- */

void lspci_usage(FILE *out)
{
	fputs("Usage: pcilab lspci [<switches>]\n"
	      "\n"
	      "Basic display modes:\n"
	      "-t\t\tShow bus tree\n"
	      "\n"
	      "Display options:\n"
	      "-v\t\tBe verbose (-vv or -vvv for higher verbosity)\n"
	      "-x\t\tShow hex-dump of the standard part of the config space\n"
	      "-xxx\t\tShow hex-dump of the whole config space\n"
	      "-xxxx\t\tShow hex-dump of the 4096-byte extended config space\n"
	      "-D\t\tAlways show domain numbers\n"
	      "\n"
	      "Resolving of device ID's to names:\n"
	      "-n\t\tShow numeric ID's\n"
	      "-nn\t\tShow both textual and numeric ID's (names & numbers)\n"
	      "-i <file>\tUse specified ID database instead of the system's pci.ids\n"
	      "\n"
	      "Selection of devices:\n"
	      "-s [[[[<domain>]:]<bus>]:][<slot>][.[<func>]]\tShow only devices in selected slots\n"
	      "-d [<vendor>]:[<device>][:<class>]\t\tShow only devices with specified ID's\n"
	      "\n"
	      "Machine to look at:\n"
	      "--platform <file>\tBoot the platform described in a platform file\n"
	      "--platform-dump <file>\tBoot a machine replayed from an `lspci -xxxx` dump\n"
	      "-F <file>\t\tDecode an `lspci -x...` dump directly, without booting it\n"
	      "(default: the built-in default platform)\n",
	      out);
}

static int opt_error(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

int lspci_parse_args(int argc, char **argv, struct lspci_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	lspci_filter_init(&o->filter);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
			continue;
		}
		if (!strcmp(a, "--platform") || !strcmp(a, "--platform-dump")) {
			if (i + 1 >= argc)
				return opt_error(err, errlen, "option %s requires an argument%s", a, "");
			if (a[10])
				o->platform_dump = argv[++i];
			else
				o->platform = argv[++i];
			continue;
		}
		if (!strncmp(a, "--platform=", 11)) {
			o->platform = a + 11;
			continue;
		}
		if (!strncmp(a, "--platform-dump=", 16)) {
			o->platform_dump = a + 16;
			continue;
		}
		if (a[0] != '-' || !a[1] || a[1] == '-')
			return opt_error(err, errlen, "unexpected argument '%s'%s", a, "");
		/* A cluster of short options, getopt style: -vvv, -s00:01.0, -nnD */
		for (const char *p = a + 1; *p; p++) {
			const char *arg;
			const char *msg;

			switch (*p) {
			case 'v': o->verbose++; continue;
			case 'n': o->numeric++; continue;
			case 'x': o->hex++; continue;
			case 't': o->tree = true; continue;
			case 'D': o->domains = true; continue;
			case 's': case 'd': case 'F': case 'i':
				break;
			default: {
				char c[2] = { *p, 0 };

				return opt_error(err, errlen, "invalid option -- '%s'%s", c, "");
			}
			}
			if (p[1]) {
				arg = p + 1;
			} else if (i + 1 < argc) {
				arg = argv[++i];
			} else {
				char c[2] = { *p, 0 };

				return opt_error(err, errlen, "option requires an argument -- '%s'%s", c, "");
			}
			if (*p == 's' || *p == 'd') {
				msg = *p == 's' ? lspci_filter_parse_slot(&o->filter, arg)
						: lspci_filter_parse_id(&o->filter, arg);
				if (msg)
					return opt_error(err, errlen, *p == 's' ? "-s: %s%s" : "-d: %s%s",
							 msg, "");
				o->filtered = true;
			} else if (*p == 'F') {
				o->dump_file = arg;
			} else {
				o->ids_file = arg;
			}
			break;
		}
	}
	if (!!o->platform + !!o->platform_dump + !!o->dump_file > 1)
		return opt_error(err, errlen, "%s%s",
				 "--platform, --platform-dump and -F are mutually exclusive", "");
	return 0;
}

/* ---- names --------------------------------------------------------------- */

struct lspci_names {
	struct pci_access *pacc;
};

static void names_quiet(char *msg, ...)
{
	(void)msg;
}

const char *lspci_name_class(struct lspci_names *nm, char *buf, size_t len, unsigned int cls)
{
	return pci_lookup_name(nm->pacc, buf, (int)len, PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_HWDB, cls);
}

const char *lspci_name_dev(struct lspci_names *nm, char *buf, size_t len,
			   unsigned int ven, unsigned int dev)
{
	return pci_lookup_name(nm->pacc, buf, (int)len, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_HWDB,
			       ven, dev);
}

const char *lspci_name_subsys(struct lspci_names *nm, char *buf, size_t len, unsigned int ven,
			      unsigned int dev, unsigned int sven, unsigned int sdev)
{
	return pci_lookup_name(nm->pacc, buf, (int)len,
			       PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_HWDB,
			       ven, dev, sven, sdev);
}

const char *lspci_name_progif(struct lspci_names *nm, char *buf, size_t len,
			      unsigned int cls, unsigned int progif)
{
	return pci_lookup_name(nm->pacc, buf, (int)len, PCI_LOOKUP_PROGIF | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
			       cls, progif);
}

struct lspci_names *lspci_names_open(bool numeric)
{
	struct lspci_names *nm = calloc(1, sizeof(*nm));

	if (!nm)
		return NULL;
	nm->pacc = pci_alloc();
	if (!nm->pacc) {
		free(nm);
		return NULL;
	}
	nm->pacc->warning = names_quiet;
	nm->pacc->debug = names_quiet;
	nm->pacc->numeric_ids = numeric;
	return nm;
}

void lspci_names_close(struct lspci_names *nm)
{
	if (!nm)
		return;
	pci_cleanup(nm->pacc);
	free(nm);
}

/* ---- listing ------------------------------------------------------------ */

static int cmp_func(const void *a, const void *b)
{
	const struct lspci_func *x = a, *y = b;
	uint64_t kx = (uint64_t)x->domain << 16 | x->bus << 8 | x->dev << 3 | x->fn;
	uint64_t ky = (uint64_t)y->domain << 16 | y->bus << 8 | y->dev << 3 | y->fn;

	return kx < ky ? -1 : kx > ky;
}

void lspci_sort(struct lspci_func *funcs, size_t n)
{
	qsort(funcs, n, sizeof(*funcs), cmp_func);
}

struct lspci_ctx {
	FILE *out;
	const struct lspci_opts *o;
	struct lspci_names nm;
	bool domains;
};

static void show_slot(struct lspci_ctx *c, const struct lspci_func *f)
{
	if (c->domains)
		fprintf(c->out, "%04x:", f->domain);
	fprintf(c->out, "%02x:%02x.%d", f->bus, f->dev, f->fn);
}

static void show_terse(struct lspci_ctx *c, const struct lspci_func *f)
{
	char cbuf[128], dbuf[128];
	unsigned int cls = cfg16(f, PCI_CLASS_DEVICE);

	show_slot(c, f);
	fprintf(c->out, " %s: %s", lspci_name_class(&c->nm, cbuf, sizeof(cbuf), cls),
		lspci_name_dev(&c->nm, dbuf, sizeof(dbuf), cfg16(f, PCI_VENDOR_ID),
			       cfg16(f, PCI_DEVICE_ID)));
	if (f->cfg[PCI_REVISION_ID])
		fprintf(c->out, " (rev %02x)", f->cfg[PCI_REVISION_ID]);
	if (c->o->verbose) {
		unsigned int pi = f->cfg[PCI_CLASS_PROG];
		const char *x = lspci_name_progif(&c->nm, dbuf, sizeof(dbuf), cls, pi);

		if (pi || x) {
			fprintf(c->out, " (prog-if %02x", pi);
			if (x)
				fprintf(c->out, " [%s]", x);
			fputc(')', c->out);
		}
	}
	fputc('\n', c->out);
}

/* pciutils prints 64 bytes (-x), 256 (-xxx) or 4096 (-xxxx), as far as the
 * function's config space goes; a CardBus bridge's header is 128 bytes. */
static void show_hex(struct lspci_ctx *c, const struct lspci_func *f)
{
	unsigned int cnt = 64;

	if ((f->cfg[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_CARDBUS)
		cnt = 128;
	if (c->o->hex >= 3 && f->cfg_len >= 256) {
		cnt = 256;
		if (c->o->hex >= 4 && f->cfg_len >= 4096)
			cnt = 4096;
	}
	cnt = MIN(cnt, f->cfg_len);
	for (unsigned int i = 0; i < cnt; i++) {
		if (!(i & 15))
			fprintf(c->out, "%02x:", i);
		fprintf(c->out, " %02x", f->cfg[i]);
		if ((i & 15) == 15)
			fputc('\n', c->out);
	}
}

/* ---- tree (lspci -t) ----------------------------------------------------- */

/*
 * The tree is built from the bridges' bus numbers only: a bridge hangs
 * below the bridge (or host) whose [secondary, subordinate] range holds its
 * primary bus most tightly; a function on bus N belongs to the bus N of the
 * deepest bridge whose range covers N.
 */
struct tree_bridge {
	int func;			/* index in funcs, -1: host */
	uint16_t domain;
	unsigned int primary, secondary, subordinate;
	int parent;			/* index in bridges */
	unsigned int nr_buses;
	struct tree_bus *buses;		/* ordered as created */
};

struct tree_bus {
	uint16_t domain;
	unsigned int number;
	int *devs;			/* indices in funcs, sorted */
	unsigned int nr_devs;
};

struct tree {
	const struct lspci_func *funcs;
	size_t n;
	struct tree_bridge *br;
	size_t nr_br;
	const struct lspci_filter *filter;
	FILE *out;
	int verbose;
	struct lspci_names *nm;
};

#define TREE_LINE 1024

static struct tree_bus *tree_find_bus(struct tree_bridge *b, unsigned int dom, unsigned int nr)
{
	for (unsigned int i = 0; i < b->nr_buses; i++)
		if (b->buses[i].domain == dom && b->buses[i].number == nr)
			return &b->buses[i];
	return NULL;
}

static struct tree_bus *tree_new_bus(struct tree_bridge *b, unsigned int dom, unsigned int nr)
{
	struct tree_bus *nb = realloc(b->buses, (b->nr_buses + 1) * sizeof(*nb));

	if (!nb)
		return NULL;
	b->buses = nb;
	nb = &b->buses[b->nr_buses++];
	memset(nb, 0, sizeof(*nb));
	nb->domain = (uint16_t)dom;
	nb->number = nr;
	return nb;
}

static int tree_insert_dev(struct tree *t, size_t bi, int fi)
{
	const struct lspci_func *f = &t->funcs[fi];
	struct tree_bridge *b = &t->br[bi];
	struct tree_bus *bus = tree_find_bus(b, f->domain, f->bus);
	int *nd;

	if (!bus) {
		/* children newest first, as pciutils pushes them on a list */
		for (size_t c = t->nr_br; c-- > 1;) {
			if (t->br[c].parent != (int)bi || c == bi)
				continue;
			if (t->br[c].domain == f->domain && t->br[c].secondary <= f->bus &&
			    f->bus <= t->br[c].subordinate)
				return tree_insert_dev(t, c, fi);
		}
		bus = tree_new_bus(b, f->domain, f->bus);
		if (!bus)
			return -ENOMEM;
	}
	nd = realloc(bus->devs, (bus->nr_devs + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	bus->devs = nd;
	bus->devs[bus->nr_devs++] = fi;
	return 0;
}

/* Children of a bridge are visited newest first in pciutils (they are
 * pushed on a list); keep that order for the range search. */
static int tree_build(struct tree *t)
{
	size_t nb = 1;

	t->br = calloc(t->n + 1, sizeof(*t->br));
	if (!t->br)
		return -ENOMEM;
	t->br[0].func = -1;
	t->br[0].primary = ~0u;
	t->br[0].secondary = 0;
	t->br[0].subordinate = ~0u;
	t->br[0].parent = -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct lspci_func *f = &t->funcs[i];
		unsigned int ht = f->cfg[PCI_HEADER_TYPE] & 0x7f;

		if (f->cfg[PCI_CLASS_DEVICE + 1] != PCI_BASE_CLASS_BRIDGE ||
		    (ht != PCI_HEADER_TYPE_BRIDGE && ht != PCI_HEADER_TYPE_CARDBUS))
			continue;
		t->br[nb].func = (int)i;
		t->br[nb].domain = f->domain;
		if (ht == PCI_HEADER_TYPE_BRIDGE) {
			t->br[nb].primary = f->cfg[PCI_PRIMARY_BUS];
			t->br[nb].secondary = f->cfg[PCI_SECONDARY_BUS];
			t->br[nb].subordinate = f->cfg[PCI_SUBORDINATE_BUS];
		} else {
			t->br[nb].primary = f->cfg[PCI_CB_PRIMARY_BUS];
			t->br[nb].secondary = f->cfg[PCI_CB_CARD_BUS];
			t->br[nb].subordinate = f->cfg[PCI_CB_SUBORDINATE_BUS];
		}
		nb++;
	}
	t->nr_br = nb;
	for (size_t b = 1; b < nb; b++) {
		struct tree_bridge *x = &t->br[b];
		int best = -1;

		/* the tightest enclosing range, first found among equals */
		for (size_t c = 0; c < nb; c++) {
			struct tree_bridge *y = &t->br[c];

			if (c == b || (c != 0 && x->domain != y->domain))
				continue;
			if (x->primary < y->secondary || x->primary > y->subordinate)
				continue;
			if (best < 0 || t->br[best].subordinate - t->br[best].primary >
					y->subordinate - y->primary)
				best = (int)c;
		}
		x->parent = best;
	}
	for (size_t b = 0; b < nb; b++)
		if (!tree_find_bus(&t->br[b], t->br[b].domain, t->br[b].secondary) &&
		    !tree_new_bus(&t->br[b], t->br[b].domain, t->br[b].secondary))
			return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		int rc = tree_insert_dev(t, 0, (int)i);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static void tree_free(struct tree *t)
{
	for (size_t b = 0; b < t->nr_br; b++) {
		for (unsigned int i = 0; i < t->br[b].nr_buses; i++)
			free(t->br[b].buses[i].devs);
		free(t->br[b].buses);
	}
	free(t->br);
}

/* Child bridges of bi in pciutils' order: the most recently attached first. */
static int tree_bridge_of(const struct tree *t, int fi)
{
	for (size_t b = 1; b < t->nr_br; b++)
		if (t->br[b].func == fi)
			return (int)b;
	return -1;
}

static bool tree_bus_match(struct tree *t, const struct tree_bus *bus);

static bool tree_dev_match(struct tree *t, int fi)
{
	int b;

	if (!t->filter || lspci_filter_match(t->filter, &t->funcs[fi]))
		return true;
	b = tree_bridge_of(t, fi);
	if (b < 0)
		return false;
	for (unsigned int i = 0; i < t->br[b].nr_buses; i++)
		if (tree_bus_match(t, &t->br[b].buses[i]))
			return true;
	return false;
}

static bool tree_bus_match(struct tree *t, const struct tree_bus *bus)
{
	if (!t->filter)
		return true;
	for (unsigned int i = 0; i < bus->nr_devs; i++)
		if (tree_dev_match(t, bus->devs[i]))
			return true;
	return false;
}

static char *tree_printf(char *line, char *p, const char *fmt, ...) __printf(3, 4);
static char *tree_printf(char *line, char *p, const char *fmt, ...)
{
	va_list ap;
	long space = line + TREE_LINE - 1 - p;
	int r;

	if (space <= 0)
		return p;
	va_start(ap, fmt);
	r = vsnprintf(p, (size_t)space, fmt, ap);
	va_end(ap);
	if (r < 0) {
		*p = 0;
		return p;
	}
	return r >= space ? p + space - 1 : p + r;
}

/* Emit the line and turn it into the prefix of the next one. */
static void tree_emit(struct tree *t, char *line, char *p)
{
	*p = 0;
	fputs(line, t->out);
	fputc('\n', t->out);
	for (p = line; *p; p++)
		*p = (*p == '+' || *p == '|') ? '|' : ' ';
}

static void tree_show_bridge(struct tree *t, int bi, char *line, char *p);

static void tree_show_dev(struct tree *t, int fi, char *line, char *p)
{
	const struct lspci_func *f = &t->funcs[fi];
	int b = tree_bridge_of(t, fi);
	char nbuf[256];

	p = tree_printf(line, p, "%02x.%x", f->dev, f->fn);
	if (b >= 0) {
		const struct tree_bridge *x = &t->br[b];

		if (x->secondary == 0)
			p = tree_printf(line, p, "-");
		else if (x->secondary == x->subordinate)
			p = tree_printf(line, p, "-[%02x]-", x->secondary);
		else
			p = tree_printf(line, p, "-[%02x-%02x]-", x->secondary, x->subordinate);
		tree_show_bridge(t, b, line, p);
		return;
	}
	if (t->verbose)
		p = tree_printf(line, p, "  %s",
				lspci_name_dev(t->nm, nbuf, sizeof(nbuf), cfg16(f, PCI_VENDOR_ID),
					       cfg16(f, PCI_DEVICE_ID)));
	tree_emit(t, line, p);
}

static void tree_show_bus(struct tree *t, const struct tree_bus *bus, char *line, char *p)
{
	bool empty = true;

	if (!bus->nr_devs) {
		tree_emit(t, line, p);
		return;
	}
	if (bus->nr_devs == 1) {
		if (tree_dev_match(t, bus->devs[0]))
			tree_show_dev(t, bus->devs[0], line, tree_printf(line, p, "--"));
		else
			tree_emit(t, line, p);
		return;
	}
	for (unsigned int i = 0; i + 1 < bus->nr_devs; i++) {
		if (tree_dev_match(t, bus->devs[i])) {
			tree_show_dev(t, bus->devs[i], line, tree_printf(line, p, "+-"));
			empty = false;
		}
	}
	if (tree_dev_match(t, bus->devs[bus->nr_devs - 1])) {
		tree_show_dev(t, bus->devs[bus->nr_devs - 1], line, tree_printf(line, p, "\\-"));
		empty = false;
	}
	if (empty)
		tree_emit(t, line, p);
}

static void tree_show_bridge(struct tree *t, int bi, char *line, char *p)
{
	const struct tree_bridge *b = &t->br[bi];
	bool empty = true;

	*p++ = '-';
	if (b->nr_buses == 1) {
		const struct tree_bus *u = &b->buses[0];

		if (tree_bus_match(t, u)) {
			if (bi == 0)
				p = tree_printf(line, p, "[%04x:%02x]-", u->domain, u->number);
			tree_show_bus(t, u, line, p);
		} else {
			tree_emit(t, line, p);
		}
		return;
	}
	for (unsigned int i = 0; i < b->nr_buses; i++) {
		const struct tree_bus *u = &b->buses[i];
		bool last = i + 1 == b->nr_buses;

		if (tree_bus_match(t, u)) {
			char *k = tree_printf(line, p, last ? "\\-[%04x:%02x]-" : "+-[%04x:%02x]-",
					      u->domain, u->number);

			tree_show_bus(t, u, line, k);
			empty = false;
		}
	}
	if (empty)
		tree_emit(t, line, p);
}

static int show_tree(struct lspci_ctx *c, const struct lspci_func *funcs, size_t n)
{
	struct tree t = {
		.funcs = funcs, .n = n, .out = c->out, .verbose = c->o->verbose,
		.nm = &c->nm, .filter = c->o->filtered ? &c->o->filter : NULL,
	};
	char line[TREE_LINE];
	int rc;

	rc = tree_build(&t);
	if (rc == 0) {
		/* pciutils orders the host's buses as it creates them: first the
		 * secondary buses of bridges in list order, then the root buses
		 * met while inserting devices. */
		tree_show_bridge(&t, 0, line, line);
	}
	tree_free(&t);
	return rc;
}

int lspci_show(FILE *out, const struct lspci_func *funcs, size_t n, const struct lspci_opts *o)
{
	struct lspci_ctx c = { .out = out, .o = o, .domains = o->domains };
	int rc = 0;

	c.nm.pacc = pci_alloc();
	if (!c.nm.pacc)
		return -ENOMEM;
	c.nm.pacc->warning = names_quiet;
	c.nm.pacc->debug = names_quiet;
	c.nm.pacc->numeric_ids = o->numeric;
	if (o->ids_file)
		pci_set_name_list_path(c.nm.pacc, (char *)o->ids_file, 0);
	for (size_t i = 0; i < n; i++)
		if (funcs[i].domain)
			c.domains = true;

	if (o->tree) {
		rc = show_tree(&c, funcs, n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct lspci_func *f = &funcs[i];

		if (o->filtered && !lspci_filter_match(&o->filter, f))
			continue;
		if (o->verbose) {
			show_terse(&c, f);
			lspci_show_verbose(out, &c.nm, f, o->verbose);
		} else {
			show_terse(&c, f);
		}
		if (o->hex)
			show_hex(&c, f);
		if (o->verbose || o->hex)
			fputc('\n', out);
	}
out:
	pci_cleanup(c.nm.pacc);
	return rc;
}

int lspci_load_dump(const char *path, struct lspci_func **funcs, size_t *n,
		    char *err, size_t errlen)
{
	struct hw_dump d;
	struct lspci_func *fs;
	int rc;

	rc = hw_dump_parse_file(path, &d, err, errlen);
	if (rc < 0)
		return rc;
	fs = calloc(d.nr, sizeof(*fs));
	if (!fs) {
		hw_dump_free(&d);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d.nr; i++) {
		fs[i].domain = d.funcs[i].domain;
		fs[i].bus = d.funcs[i].bus;
		fs[i].dev = d.funcs[i].dev;
		fs[i].fn = d.funcs[i].fn;
		memcpy(fs[i].cfg, d.funcs[i].cfg, sizeof(fs[i].cfg));
		fs[i].cfg_len = d.funcs[i].cfg_len;
		/* like lspci -F: sizes are not known from config bytes */
	}
	*n = d.nr;
	*funcs = fs;
	hw_dump_free(&d);
	lspci_sort(fs, *n);
	return 0;
}
