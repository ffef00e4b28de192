// SPDX-License-Identifier: MIT
/*
 * Reader of pciutils' `lspci -x/-xxx/-xxxx` dumps (with or without -D and
 * -v/-vv/-vvv) and the platform description rebuilt from one.
 *
 * Accepted lines (the layout lspci writes and libpci's dump reader reads):
 *   "BB:DD.F text"  / "DDDD:BB:DD.F text"   a function header
 *   "OO: hh hh ..."                          config bytes at hex offset OO,
 *                                            contiguous and in order
 *   "<TAB>..."                               verbose decoding: only the
 *                                            "[size=...]" of Region / ROM
 *                                            lines is used
 *   ""                                       end of the function
 * Anything else is an error, reported as "FILE:LINE: reason".
 *
 * The topology comes from the bridges' bus numbers alone (PCI-to-PCI Bridge
 * r1.2 §3.2.5.3): a function on bus N sits behind the bridge whose
 * Secondary Bus Number is N; buses behind no bridge are root buses, one
 * host bridge each.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "hw/platform/desc.h"
#include "hw/platform/dump.h"

static void __printf(4, 5) dump_error(char *err, size_t errlen, const char *name,
				      const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err || !errlen)
		return;
	n = (size_t)snprintf(err, errlen, "%s:", name);
	if (n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse exactly n hex digits at s. */
static bool parse_hexn(const char *s, unsigned int n, unsigned long *val)
{
	unsigned long v = 0;

	for (unsigned int i = 0; i < n; i++) {
		int d = hexval((unsigned char)s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (unsigned long)d;
	}
	*val = v;
	return true;
}

static unsigned int hex_run(const char *s, size_t len)
{
	unsigned int n = 0;

	while (n < len && hexval((unsigned char)s[n]) >= 0)
		n++;
	return n;
}

/*
 * A function header: [DDDD[D]:]BB:DD.F followed by a space or end of line.
 * Returns true and fills the address if the line is one.
 */
static bool parse_slot(const char *s, size_t len, struct hw_dump_func *f)
{
	unsigned long dom = 0, bus = 0, dev = 0, fn;
	unsigned int n = hex_run(s, len), pos = 0;

	if ((n == 4 || n == 5) && n < len && s[n] == ':') {
		parse_hexn(s, n, &dom);
		if (dom > 0xffff)
			return false;
		pos = n + 1;
	}
	if (len - pos < 7)
		return false;
	if (hex_run(s + pos, 2) != 2 || s[pos + 2] != ':' ||
	    hex_run(s + pos + 3, 2) != 2 || s[pos + 5] != '.' ||
	    !isdigit((unsigned char)s[pos + 6]))
		return false;
	if (len - pos > 7 && s[pos + 7] != ' ')
		return false;
	parse_hexn(s + pos, 2, &bus);
	parse_hexn(s + pos + 3, 2, &dev);
	fn = (unsigned long)(s[pos + 6] - '0');
	if (dev > 31 || fn > 7)
		return false;
	f->domain = (uint16_t)dom;
	f->bus = (uint8_t)bus;
	f->dev = (uint8_t)dev;
	f->fn = (uint8_t)fn;
	return true;
}

uint64_t hw_dump_parse_size(const char *s, const char **end)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p)) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	switch (*p) {
	case 'K': shift = 10; p++; break;
	case 'M': shift = 20; p++; break;
	case 'G': shift = 30; p++; break;
	case 'T': shift = 40; p++; break;
	default: break;
	}
	if (v > (UINT64_MAX >> shift))
		return 0;
	if (end)
		*end = p;
	return v << shift;
}

/* "[size=...]" at the end of a verbose Region/ROM line, 0 if none. */
static uint64_t line_size(const char *s, size_t len)
{
	static const char tag[] = "[size=";
	const char *end;
	uint64_t v;

	for (size_t i = 0; i + sizeof(tag) - 1 < len; i++) {
		if (memcmp(s + i, tag, sizeof(tag) - 1))
			continue;
		v = hw_dump_parse_size(s + i + sizeof(tag) - 1, &end);
		if (v && end < s + len && *end == ']')
			return v;
		return 0;
	}
	return 0;
}

/* Verbose line of the current function: pick up BAR sizes. */
static void parse_verbose(struct hw_dump_func *f, const char *s, size_t len)
{
	static const char region[] = "\tRegion ";
	static const char rom[] = "\tExpansion ROM at ";

	if (len > sizeof(region) + 1 && !memcmp(s, region, sizeof(region) - 1) &&
	    isdigit((unsigned char)s[sizeof(region) - 1]) && s[sizeof(region)] == ':') {
		unsigned int idx = (unsigned int)(s[sizeof(region) - 1] - '0');

		if (idx < HW_PCI_NUM_BARS)
			f->bar_size[idx] = line_size(s, len);
	} else if (len > sizeof(rom) && !memcmp(s, rom, sizeof(rom) - 1)) {
		f->bar_size[HW_PCI_ROM_SLOT] = line_size(s, len);
	}
}

struct dump_parser {
	const char *name;
	struct hw_dump *out;
	size_t cap;
	struct hw_dump_func *cur;	/* function being filled, or NULL */
	unsigned int next_off;		/* next expected config offset */
	char *err;
	size_t errlen;
};

static int finish_func(struct dump_parser *p, unsigned int line)
{
	struct hw_dump_func *f = p->cur;
	unsigned int n = p->next_off;

	if (!f)
		return 0;
	p->cur = NULL;
	if (n == 0) {
		dump_error(p->err, p->errlen, p->name,
			   "%u: device %04x:%02x:%02x.%u has no config space bytes",
			   f->line, f->domain, f->bus, f->dev, f->fn);
		return -EINVAL;
	}
	if (n != 64 && n != 128 && n != 256 && n != 4096) {
		dump_error(p->err, p->errlen, p->name,
			   "%u: truncated config space of %04x:%02x:%02x.%u: %u bytes (expected 64, 256 or 4096)",
			   line, f->domain, f->bus, f->dev, f->fn, n);
		return -EINVAL;
	}
	if ((f->cfg[0] | f->cfg[1] << 8) == 0xffff) {
		dump_error(p->err, p->errlen, p->name,
			   "%u: device %04x:%02x:%02x.%u has Vendor ID ffff (no function)",
			   f->line, f->domain, f->bus, f->dev, f->fn);
		return -EINVAL;
	}
	f->cfg_len = n;
	return 0;
}

static int start_func(struct dump_parser *p, const struct hw_dump_func *addr,
		      unsigned int line)
{
	struct hw_dump *d = p->out;

	for (size_t i = 0; i < d->nr; i++) {
		const struct hw_dump_func *o = &d->funcs[i];

		if (o->domain == addr->domain && o->bus == addr->bus &&
		    o->dev == addr->dev && o->fn == addr->fn) {
			dump_error(p->err, p->errlen, p->name,
				   "%u: duplicate device %04x:%02x:%02x.%u (first at line %u)",
				   line, o->domain, o->bus, o->dev, o->fn, o->line);
			return -EINVAL;
		}
	}
	if (d->nr == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct hw_dump_func *nf = pl_realloc(d->funcs, ncap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		d->funcs = nf;
		p->cap = ncap;
	}
	p->cur = &d->funcs[d->nr++];
	memset(p->cur, 0, sizeof(*p->cur));
	p->cur->domain = addr->domain;
	p->cur->bus = addr->bus;
	p->cur->dev = addr->dev;
	p->cur->fn = addr->fn;
	p->cur->line = line;
	p->next_off = 0;
	return 0;
}

/* "OO: hh hh ..." */
static int parse_hex_line(struct dump_parser *p, const char *s, size_t len,
			  unsigned int line)
{
	unsigned int n = hex_run(s, len);
	unsigned long off = 0;
	size_t pos;

	parse_hexn(s, n, &off);
	if (off != p->next_off) {
		dump_error(p->err, p->errlen, p->name,
			   "%u: offset %lx out of order (expected %x)", line, off, p->next_off);
		return -EINVAL;
	}
	pos = n + 1;
	if (pos >= len) {
		dump_error(p->err, p->errlen, p->name, "%u: no bytes after offset", line);
		return -EINVAL;
	}
	while (pos < len) {
		unsigned long b;

		if (s[pos] != ' ' || pos + 3 > len || !parse_hexn(s + pos + 1, 2, &b) ||
		    (pos + 3 < len && s[pos + 3] != ' ')) {
			dump_error(p->err, p->errlen, p->name,
				   "%u:%zu: bad hex byte", line, pos + 2);
			return -EINVAL;
		}
		if (p->next_off >= HW_PCI_CFG_SIZE) {
			dump_error(p->err, p->errlen, p->name,
				   "%u: config space longer than 4096 bytes", line);
			return -EINVAL;
		}
		p->cur->cfg[p->next_off++] = (uint8_t)b;
		pos += 3;
	}
	return 0;
}

static bool is_hex_line(const char *s, size_t len)
{
	unsigned int n = hex_run(s, len);

	return n >= 2 && n <= 8 && n < len && s[n] == ':' &&
	       (n + 1 == len || s[n + 1] == ' ');
}

int hw_dump_parse(const char *name, const char *text, size_t len,
		  struct hw_dump *out, char *err, size_t errlen)
{
	struct dump_parser p = {
		.name = name, .out = out, .err = err, .errlen = errlen,
	};
	unsigned int line = 0;
	size_t pos = 0;
	int rc;

	out->funcs = NULL;
	out->nr = 0;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - s) : len - pos;
		struct hw_dump_func addr;

		pos += l + (nl ? 1 : 0);
		line++;
		if (l && s[l - 1] == '\r')
			l--;
		if (memchr(s, '\0', l)) {
			dump_error(err, errlen, name, "%u: NUL byte in a text dump", line);
			rc = -EINVAL;
			goto err_free;
		}
		if (!l) {
			rc = finish_func(&p, line);
			if (rc < 0)
				goto err_free;
		} else if (s[0] == '\t' || s[0] == ' ') {
			/* verbose decoding; lines before any header are ignored */
			if (p.cur)
				parse_verbose(p.cur, s, l);
		} else if (parse_slot(s, l, &addr)) {
			rc = finish_func(&p, line);
			if (rc < 0)
				goto err_free;
			rc = start_func(&p, &addr, line);
			if (rc < 0)
				goto err_free;
		} else if (is_hex_line(s, l)) {
			if (!p.cur) {
				dump_error(err, errlen, name,
					   "%u: config bytes outside a device (missing header line)",
					   line);
				rc = -EINVAL;
				goto err_free;
			}
			rc = parse_hex_line(&p, s, l, line);
			if (rc < 0)
				goto err_free;
		} else {
			dump_error(err, errlen, name,
				   "%u: not an lspci dump line (expected \"BB:DD.F ...\", \"OO: hh ...\" or a blank line)",
				   line);
			rc = -EINVAL;
			goto err_free;
		}
	}
	rc = finish_func(&p, line + 1);
	if (rc < 0)
		goto err_free;
	if (!out->nr) {
		dump_error(err, errlen, name, "%u: no devices in the dump", line);
		rc = -EINVAL;
		goto err_free;
	}
	return 0;

err_free:
	hw_dump_free(out);
	return rc;
}

static int read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f;
	char *b = NULL;
	size_t n = 0, cap = 0;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		dump_error(err, errlen, path, " %s", strerror(-rc));
		return rc;
	}
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb;

			if (cap >= (64u << 20)) {
				dump_error(err, errlen, path, " file too large for a dump");
				rc = -EFBIG;
				goto err_free;
			}
			nb = pl_realloc(b, cap ? cap * 2 : 65536);
			if (!nb) {
				rc = -ENOMEM;
				goto err_free;
			}
			b = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = -EIO;
		dump_error(err, errlen, path, " read error");
		goto err_free;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;

err_free:
	free(b);
	fclose(f);
	return rc;
}

int hw_dump_parse_file(const char *path, struct hw_dump *out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(path, &buf, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = hw_dump_parse(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

void hw_dump_free(struct hw_dump *d)
{
	free(d->funcs);
	d->funcs = NULL;
	d->nr = 0;
}

/* ---- topology ---------------------------------------------------------- */

static uint32_t rd32(const struct hw_dump_func *f, unsigned int off)
{
	return (uint32_t)f->cfg[off] | (uint32_t)f->cfg[off + 1] << 8 |
	       (uint32_t)f->cfg[off + 2] << 16 | (uint32_t)f->cfg[off + 3] << 24;
}

static uint16_t rd16(const struct hw_dump_func *f, unsigned int off)
{
	return (uint16_t)(f->cfg[off] | f->cfg[off + 1] << 8);
}

static bool is_bridge(const struct hw_dump_func *f)
{
	return (f->cfg[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_BRIDGE;
}

/* Index of the bridge whose secondary bus f sits on, -1 for a root bus,
 * -2 (error reported) when two bridges claim it. */
static long find_parent(const struct hw_dump *d, size_t i, const char *name,
			char *err, size_t errlen)
{
	const struct hw_dump_func *f = &d->funcs[i];
	long found = -1;

	for (size_t j = 0; j < d->nr; j++) {
		const struct hw_dump_func *b = &d->funcs[j];
		uint8_t sec, sub;

		if (j == i || b->domain != f->domain || !is_bridge(b))
			continue;
		sec = b->cfg[PCI_SECONDARY_BUS];
		sub = b->cfg[PCI_SUBORDINATE_BUS];
		/* A bridge whose secondary bus is not above its own bus was
		 * never configured: it forwards nothing. */
		if (sec <= b->bus || sub < sec || sec != f->bus)
			continue;
		if (found >= 0) {
			dump_error(err, errlen, name,
				   "%u: bus %02x is the secondary bus of two bridges (lines %u and %u)",
				   b->line, sec, d->funcs[found].line, b->line);
			return -2;
		}
		found = (long)j;
	}
	return found;
}

struct dump_range {
	uint64_t lo, hi;	/* inclusive; lo > hi: empty */
};

static void range_add(struct dump_range *r, uint64_t lo, uint64_t hi)
{
	if (lo > hi)
		return;
	if (r->lo > r->hi) {
		r->lo = lo;
		r->hi = hi;
		return;
	}
	r->lo = MIN(r->lo, lo);
	r->hi = MAX(r->hi, hi);
}

struct hb_usage {
	uint16_t domain;
	uint8_t bus, bus_end;
	struct dump_range mem32, mem64, io;
	struct hw_desc_host_bridge *hb;
};

/* Size of a BAR: from the dump's verbose lines, else the lowest set address
 * bit (a BAR is naturally aligned to its size, PCI r3.0 §6.2.5.1). */
static uint64_t bar_size_of(uint64_t known, uint64_t addr, uint64_t min)
{
	if (known)
		return known;
	if (!addr)
		return 0;
	return MAX(addr & -addr, min);
}

static void usage_add_func(struct hb_usage *u, const struct hw_dump_func *f)
{
	unsigned int nbars = is_bridge(f) ? 2 : HW_PCI_NUM_BARS;

	if ((f->cfg[PCI_HEADER_TYPE] & 0x7f) > PCI_HEADER_TYPE_BRIDGE)
		return;
	for (unsigned int i = 0; i < nbars; i++) {
		uint32_t lo = rd32(f, PCI_BASE_ADDRESS_0 + 4 * i);
		uint64_t addr, size;

		if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
			addr = lo & PCI_BASE_ADDRESS_IO_MASK;
			size = bar_size_of(f->bar_size[i], addr, 4);
			if (addr)
				range_add(&u->io, addr, addr + size - 1);
			continue;
		}
		addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
		size = f->bar_size[i];
		if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
		    i + 1 < nbars) {
			addr |= (uint64_t)rd32(f, PCI_BASE_ADDRESS_0 + 4 * (i + 1)) << 32;
			i++;
		}
		size = bar_size_of(size, addr, 16);
		if (!addr)
			continue;
		range_add(addr + size - 1 < (1ull << 32) ? &u->mem32 : &u->mem64,
			  addr, addr + size - 1);
	}
	if (!is_bridge(f))
		return;
	/* Bridge windows, PCI-to-PCI Bridge r1.2 §3.2.5.6-§3.2.5.10. */
	{
		uint16_t mb = rd16(f, PCI_MEMORY_BASE), ml = rd16(f, PCI_MEMORY_LIMIT);
		uint16_t pb = rd16(f, PCI_PREF_MEMORY_BASE), pl = rd16(f, PCI_PREF_MEMORY_LIMIT);
		uint8_t ib = f->cfg[PCI_IO_BASE], il = f->cfg[PCI_IO_LIMIT];
		uint64_t lo, hi;

		lo = (uint64_t)(mb & PCI_MEMORY_RANGE_MASK) << 16;
		hi = ((uint64_t)(ml & PCI_MEMORY_RANGE_MASK) << 16) | 0xfffff;
		range_add(&u->mem32, lo, hi);
		lo = (uint64_t)(pb & PCI_PREF_RANGE_MASK) << 16;
		hi = ((uint64_t)(pl & PCI_PREF_RANGE_MASK) << 16) | 0xfffff;
		if ((pb & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64) {
			lo |= (uint64_t)rd32(f, PCI_PREF_BASE_UPPER32) << 32;
			hi |= (uint64_t)rd32(f, PCI_PREF_LIMIT_UPPER32) << 32;
		}
		if (lo <= hi)
			range_add(hi < (1ull << 32) ? &u->mem32 : &u->mem64, lo, hi);
		lo = (uint64_t)(ib & PCI_IO_RANGE_MASK) << 8;
		hi = ((uint64_t)(il & PCI_IO_RANGE_MASK) << 8) | 0xfff;
		if ((ib & PCI_IO_RANGE_TYPE_MASK) == PCI_IO_RANGE_TYPE_32) {
			lo |= (uint64_t)rd16(f, PCI_IO_BASE_UPPER16) << 16;
			hi |= (uint64_t)rd16(f, PCI_IO_LIMIT_UPPER16) << 16;
		}
		/* base 0 / limit 0 is the reset value of an unused I/O window */
		if (ib || il)
			range_add(&u->io, lo, hi);
	}
}

static bool overlaps(const struct hb_usage *u, size_t n, uint64_t lo, uint64_t hi,
		     int which)
{
	for (size_t i = 0; i < n; i++) {
		const struct dump_range *r = which == 0 ? &u[i].mem32 :
					     which == 1 ? &u[i].mem64 : &u[i].io;

		if (r->lo <= r->hi && lo <= r->hi && r->lo <= hi)
			return true;
	}
	return false;
}

/* Give a host bridge with no decoded range of a kind a default window that
 * overlaps nobody's: 256 MiB below 4 GiB, 64 GiB above 512 GiB, 4 KiB of
 * I/O ports. */
static void default_window(struct hb_usage *u, size_t n, size_t i, int which)
{
	struct dump_range *r = which == 0 ? &u[i].mem32 : which == 1 ? &u[i].mem64 : &u[i].io;

	if (r->lo <= r->hi)
		return;
	for (unsigned int k = 0; k < 64; k++) {
		uint64_t lo, size;

		if (which == 0) {
			size = 256ull << 20;
			if (k >= 8)
				return;
			lo = 0xe0000000ull - k * size;
		} else if (which == 1) {
			size = 64ull << 30;
			lo = (512ull << 30) + k * size;
		} else {
			size = 0x1000;
			if (k >= 15)
				return;
			lo = 0x1000 + k * size;
		}
		if (!overlaps(u, n, lo, lo + size - 1, which)) {
			r->lo = lo;
			r->hi = lo + size - 1;
			return;
		}
	}
}

static struct hw_desc_range to_range(const struct dump_range *r, uint64_t align)
{
	struct hw_desc_range d = { 0, 0 };
	uint64_t lo, hi;

	if (r->lo > r->hi)
		return d;
	lo = ALIGN_DOWN(r->lo, align);
	hi = ALIGN_DOWN(r->hi, align) + align - 1;
	d.base = lo;
	d.size = hi - lo + 1;
	return d;
}

static struct hw_desc_func *make_desc_func(const struct hw_dump_func *f, const char *file)
{
	struct hw_desc_func *df;

	df = pl_zalloc(sizeof(*df));
	if (!df)
		return NULL;
	df->raw_cfg = pl_zalloc(HW_PCI_CFG_SIZE);
	if (!df->raw_cfg) {
		free(df);
		return NULL;
	}
	INIT_LIST_HEAD(&df->node);
	INIT_LIST_HEAD(&df->children);
	df->kind = HW_DESC_REPLAY;
	df->loc.file = file;
	df->loc.line = f->line;
	df->loc.col = 1;
	df->dev = f->dev;
	df->fn = f->fn;
	df->vendor = rd16(f, PCI_VENDOR_ID);
	df->device = rd16(f, PCI_DEVICE_ID);
	df->class_code = rd32(f, PCI_CLASS_REVISION) >> 8;
	df->revision = f->cfg[PCI_REVISION_ID];
	if ((f->cfg[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
		df->subsys_vendor = rd16(f, PCI_SUBSYSTEM_VENDOR_ID);
		df->subsys_device = rd16(f, PCI_SUBSYSTEM_ID);
	}
	df->intx_pin = f->cfg[PCI_INTERRUPT_PIN];
	df->multifunction = f->cfg[PCI_HEADER_TYPE] & 0x80;
	memcpy(df->raw_cfg, f->cfg, f->cfg_len);
	df->raw_len = f->cfg_len;
	for (unsigned int i = 0; i <= HW_PCI_NUM_BARS; i++) {
		df->bars[i].size = f->bar_size[i];
		df->bars[i].loc = df->loc;
	}
	return df;
}

/* Decoded memory (io = false) or I/O windows of a bridge: [lo, hi] pairs,
 * empty ones left out. Returns how many (at most 2 for memory). */
static unsigned int bridge_windows(const struct hw_dump_func *f, bool io, uint64_t lo[2],
				   uint64_t hi[2])
{
	unsigned int n = 0;

	if (io) {
		uint8_t ib = f->cfg[PCI_IO_BASE], il = f->cfg[PCI_IO_LIMIT];

		lo[0] = (uint64_t)(ib & PCI_IO_RANGE_MASK) << 8;
		hi[0] = ((uint64_t)(il & PCI_IO_RANGE_MASK) << 8) | 0xfff;
		if ((ib & PCI_IO_RANGE_TYPE_MASK) == PCI_IO_RANGE_TYPE_32) {
			lo[0] |= (uint64_t)rd16(f, PCI_IO_BASE_UPPER16) << 16;
			hi[0] |= (uint64_t)rd16(f, PCI_IO_LIMIT_UPPER16) << 16;
		}
		return (ib || il) && lo[0] <= hi[0];
	}
	lo[n] = (uint64_t)(rd16(f, PCI_MEMORY_BASE) & PCI_MEMORY_RANGE_MASK) << 16;
	hi[n] = ((uint64_t)(rd16(f, PCI_MEMORY_LIMIT) & PCI_MEMORY_RANGE_MASK) << 16) | 0xfffff;
	if (lo[n] <= hi[n])
		n++;
	lo[n] = (uint64_t)(rd16(f, PCI_PREF_MEMORY_BASE) & PCI_PREF_RANGE_MASK) << 16;
	hi[n] = ((uint64_t)(rd16(f, PCI_PREF_MEMORY_LIMIT) & PCI_PREF_RANGE_MASK) << 16) | 0xfffff;
	if ((rd16(f, PCI_PREF_MEMORY_BASE) & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64) {
		lo[n] |= (uint64_t)rd32(f, PCI_PREF_BASE_UPPER32) << 32;
		hi[n] |= (uint64_t)rd32(f, PCI_PREF_LIMIT_UPPER32) << 32;
	}
	if (lo[n] <= hi[n])
		n++;
	return n;
}

/*
 * A plain -xxxx dump has no BAR sizes. The lowest set address bit bounds a
 * BAR's size from above (natural alignment, PCI r3.0 §6.2.5.1); so do the
 * next address anything else of the segment decodes and the end of every
 * bridge window holding the BAR. The largest power of two within all of
 * them is the estimate: it keeps the dumped assignment valid, so the
 * kernel side can keep it.
 */
/* Address a function's BAR slot (or ROM, slot 6) decodes, 0 if none;
 * *next is the slot after it (64-bit BARs take two). */
static uint64_t slot_addr(const struct hw_dump_func *f, unsigned int k, bool *io,
			  unsigned int *next)
{
	unsigned int nbars = is_bridge(f) ? 2 : HW_PCI_NUM_BARS;
	uint32_t v;
	uint64_t a;

	*next = k + 1;
	*io = false;
	if (k == HW_PCI_ROM_SLOT) {
		v = rd32(f, is_bridge(f) ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS);
		return v == 0xffffffff ? 0 : v & PCI_ROM_ADDRESS_MASK;
	}
	if (k >= nbars)
		return 0;
	v = rd32(f, PCI_BASE_ADDRESS_0 + 4 * k);
	if (!v || v == 0xffffffff)
		return 0;
	if (v & PCI_BASE_ADDRESS_SPACE_IO) {
		*io = true;
		return v & PCI_BASE_ADDRESS_IO_MASK;
	}
	a = v & PCI_BASE_ADDRESS_MEM_MASK;
	if ((v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 && k + 1 < nbars) {
		a |= (uint64_t)rd32(f, PCI_BASE_ADDRESS_0 + 4 * (k + 1)) << 32;
		*next = k + 2;
	}
	return a;
}

/*
 * A plain -xxxx dump has no BAR sizes. The lowest set address bit bounds a
 * BAR's size from above (natural alignment, PCI r3.0 §6.2.5.1); so do the
 * next address anything else of the segment decodes and the end of every
 * bridge window holding the BAR. The largest power of two within all of
 * them is the estimate: it keeps the dumped assignment valid, so the
 * kernel side can keep it.
 */
static uint64_t infer_cap(const struct hw_dump *d, uint16_t domain, uint64_t addr, bool io)
{
	uint64_t cap = addr & -addr;

	for (size_t j = 0; j < d->nr; j++) {
		const struct hw_dump_func *g = &d->funcs[j];
		uint64_t wl[2], wh[2];
		unsigned int nw, next;

		if (g->domain != domain || (g->cfg[PCI_HEADER_TYPE] & 0x7f) > PCI_HEADER_TYPE_BRIDGE)
			continue;
		for (unsigned int k = 0; k <= HW_PCI_ROM_SLOT; k = next) {
			bool gio;
			uint64_t a = slot_addr(g, k, &gio, &next);

			if (a > addr && gio == io && a - addr < cap)
				cap = a - addr;
		}
		if (!is_bridge(g))
			continue;
		nw = bridge_windows(g, io, wl, wh);
		for (unsigned int w = 0; w < nw; w++) {
			if (wl[w] > addr && wl[w] - addr < cap)
				cap = wl[w] - addr;
			if (wl[w] <= addr && addr <= wh[w] && wh[w] - addr + 1 < cap)
				cap = wh[w] - addr + 1;
		}
	}
	return 1ull << pl_fls64(cap);
}

static void infer_sizes(const struct hw_dump *d, struct hw_desc_func **nodes)
{
	for (size_t i = 0; i < d->nr; i++) {
		const struct hw_dump_func *f = &d->funcs[i];
		unsigned int next;

		if ((f->cfg[PCI_HEADER_TYPE] & 0x7f) > PCI_HEADER_TYPE_BRIDGE)
			continue;
		for (unsigned int k = 0; k <= HW_PCI_ROM_SLOT; k = next) {
			bool io;
			uint64_t addr = slot_addr(f, k, &io, &next);

			if (addr && !f->bar_size[k])
				nodes[i]->bars[k].size = infer_cap(d, f->domain, addr, io);
		}
	}
}

/* Insert keeping devfn order. */
static void insert_sorted(struct list_head *head, struct hw_desc_func *df)
{
	struct hw_desc_func *pos;

	list_for_each_entry(pos, head, node) {
		if ((pos->dev << 3 | pos->fn) > (df->dev << 3 | df->fn)) {
			list_add_tail(&df->node, &pos->node);
			return;
		}
	}
	list_add_tail(&df->node, head);
}

/* Undo a half-built description whose host bridges have no devices yet
 * (hw_desc_free() would do, but the list is ours alone here). */
static void free_empty_desc(struct hw_desc_platform *p)
{
	struct hw_desc_host_bridge *hb, *n;

	list_for_each_entry_safe(hb, n, &p->host_bridges, node) {
		list_del(&hb->node);
		free(hb);
	}
	free(p->file);
	free(p->name);
	free(p);
}

static struct hw_desc_platform *build_desc(const struct hw_dump *d, const char *path,
					   char *err, size_t errlen)
{
	struct hw_desc_platform *p;
	struct hw_desc_func **nodes = NULL;
	struct hb_usage *hbs = NULL;
	long *parent = NULL, *root = NULL;
	size_t nhb = 0;
	uint64_t low_mmio = 1ull << 32;
	int rc = -ENOMEM;

	p = pl_zalloc(sizeof(*p));
	if (!p)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&p->host_bridges);
	p->file = pl_strdup(path);
	p->name = pl_strdup(path);
	nodes = pl_calloc(d->nr, sizeof(*nodes));
	parent = pl_calloc(d->nr, sizeof(*parent));
	root = pl_calloc(d->nr, sizeof(*root));
	hbs = pl_calloc(d->nr, sizeof(*hbs));
	if (!p->file || !p->name || !nodes || !parent || !root || !hbs)
		goto err_free;

	for (size_t i = 0; i < d->nr; i++) {
		parent[i] = find_parent(d, i, path, err, errlen);
		if (parent[i] == -2) {
			rc = -EINVAL;
			goto err_free;
		}
	}
	/* Root of each function: follow parents (bus numbers strictly grow
	 * downward, so this terminates within 256 steps). */
	for (size_t i = 0; i < d->nr; i++) {
		long r = (long)i;
		unsigned int steps = 0;

		while (parent[r] >= 0 && steps++ < 256)
			r = parent[r];
		if (parent[r] >= 0) {
			dump_error(err, errlen, path, "%u: bridge loop", d->funcs[i].line);
			rc = -EINVAL;
			goto err_free;
		}
		root[i] = r;
	}
	/* One host bridge per (domain, root bus). */
	for (size_t i = 0; i < d->nr; i++) {
		const struct hw_dump_func *f = &d->funcs[i];
		size_t h;

		if (parent[i] >= 0)
			continue;
		for (h = 0; h < nhb; h++)
			if (hbs[h].domain == f->domain && hbs[h].bus == f->bus)
				break;
		if (h == nhb) {
			hbs[nhb].domain = f->domain;
			hbs[nhb].bus = f->bus;
			hbs[nhb].bus_end = f->bus;
			hbs[nhb].mem32.lo = hbs[nhb].mem64.lo = hbs[nhb].io.lo = 1;
			hbs[nhb].mem32.hi = hbs[nhb].mem64.hi = hbs[nhb].io.hi = 0;
			nhb++;
		}
	}
	for (size_t i = 0; i < d->nr; i++) {
		const struct hw_dump_func *r = &d->funcs[root[i]];
		const struct hw_dump_func *f = &d->funcs[i];

		for (size_t h = 0; h < nhb; h++) {
			if (hbs[h].domain != r->domain || hbs[h].bus != r->bus)
				continue;
			usage_add_func(&hbs[h], f);
			if (is_bridge(f) && f->cfg[PCI_SUBORDINATE_BUS] > hbs[h].bus_end &&
			    f->cfg[PCI_SECONDARY_BUS] > f->bus)
				hbs[h].bus_end = f->cfg[PCI_SUBORDINATE_BUS];
		}
	}
	/* Bus ranges reach up to the next root bus of the segment, as firmware
	 * usually reports them, leaving room for re-enumeration. */
	for (size_t h = 0; h < nhb; h++) {
		unsigned int end = 0xff;

		for (size_t k = 0; k < nhb; k++)
			if (k != h && hbs[k].domain == hbs[h].domain &&
			    hbs[k].bus > hbs[h].bus && hbs[k].bus - 1u < end)
				end = hbs[k].bus - 1u;
		if (hbs[h].bus_end > end) {
			dump_error(err, errlen, path,
				   "%u: buses %02x-%02x behind root bus %02x overlap root bus %02x",
				   d->funcs[0].line, hbs[h].bus, hbs[h].bus_end, hbs[h].bus, end + 1);
			rc = -EINVAL;
			goto err_free;
		}
		hbs[h].bus_end = (uint8_t)end;
	}
	for (size_t h = 0; h < nhb; h++)
		for (int which = 0; which < 3; which++)
			default_window(hbs, nhb, h, which);

	for (size_t h = 0; h < nhb; h++) {
		struct hw_desc_host_bridge *hb = pl_zalloc(sizeof(*hb));

		if (!hb)
			goto err_free;
		INIT_LIST_HEAD(&hb->devices);
		hb->loc.file = p->file;
		hb->segment = hbs[h].domain;
		hb->bus_start = hbs[h].bus;
		hb->bus_end = hbs[h].bus_end;
		hb->mmio = to_range(&hbs[h].mem32, 1u << 20);
		hb->mmio_pref = to_range(&hbs[h].mem64, 1u << 20);
		hb->io = to_range(&hbs[h].io, 0x1000);
		if (hb->mmio.size && hb->mmio.base < low_mmio)
			low_mmio = hb->mmio.base;
		hbs[h].hb = hb;
		list_add_tail(&hb->node, &p->host_bridges);
	}
	/* RAM from 0 up to the lowest MMIO window, at most 1 GiB. */
	p->ram_size = MIN(low_mmio, 1ull << 30);

	for (size_t i = 0; i < d->nr; i++) {
		nodes[i] = make_desc_func(&d->funcs[i], p->file);
		if (!nodes[i])
			goto err_free_nodes;
	}
	infer_sizes(d, nodes);
	for (size_t i = 0; i < d->nr; i++) {
		const struct hw_dump_func *f = &d->funcs[i];

		if (parent[i] >= 0) {
			insert_sorted(&nodes[parent[i]]->children, nodes[i]);
			continue;
		}
		for (size_t h = 0; h < nhb; h++)
			if (hbs[h].domain == f->domain && hbs[h].bus == f->bus)
				insert_sorted(&hbs[h].hb->devices, nodes[i]);
	}
	free(nodes);
	free(parent);
	free(root);
	free(hbs);
	return p;

err_free_nodes:
	for (size_t i = 0; i < d->nr; i++) {
		if (nodes[i]) {
			free(nodes[i]->raw_cfg);
			free(nodes[i]);
		}
	}
err_free:
	free(nodes);
	free(parent);
	free(root);
	free(hbs);
	free_empty_desc(p);
	return ERR_PTR(rc);
}

struct hw_desc_platform *hw_desc_parse_lspci_dump(const char *path, char *err, size_t errlen)
{
	struct hw_desc_platform *p;
	struct hw_dump d;
	int rc;

	rc = hw_dump_parse_file(path, &d, err, errlen);
	if (rc < 0)
		return ERR_PTR(rc);
	p = build_desc(&d, path, err, errlen);
	hw_dump_free(&d);
	return p;
}
