// SPDX-License-Identifier: MIT
/*
 * Shim ↔ daemon records: encoding into a fixed buffer and validation of
 * what a (possibly hostile or crashed) peer sent. Every length is checked
 * before the field it guards; fields are read with memcpy, so no alignment
 * is assumed of the receive buffer.
 */
#include <errno.h>
#include <string.h>

#include "uapi/wire.h"

static void enc_put(struct uapi_wire_enc *e, const void *p, size_t n)
{
	if (e->err)
		return;
	if (n > e->cap - e->len) {
		e->err = -EMSGSIZE;
		return;
	}
	if (n)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void enc_begin(struct uapi_wire_enc *e, void *buf, size_t cap,
		      const void *fixed, size_t fixed_len)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->cap = cap < UAPI_WIRE_MAX_MSG ? cap : UAPI_WIRE_MAX_MSG;
	enc_put(e, fixed, fixed_len);
	e->fixed_len = fixed_len;
}

/* Records start as version 1; uapi_wire_add_ext() makes them version 2. */
static void hdr_init(struct uapi_wire_hdr *h, uint16_t type)
{
	h->magic = UAPI_WIRE_MAGIC;
	h->version = UAPI_WIRE_VERSION_1;
	h->type = type;
}

void uapi_wire_enc_open(struct uapi_wire_enc *e, void *buf, size_t cap,
			uint32_t dev, uint32_t flags)
{
	struct uapi_wire_open o = { .dev = dev, .flags = flags };

	hdr_init(&o.hdr, UAPI_WIRE_OPEN);
	enc_begin(e, buf, cap, &o, sizeof(o));
}

void uapi_wire_enc_ioctl(struct uapi_wire_enc *e, void *buf, size_t cap,
			 uint32_t cmd, uint64_t arg, unsigned int nr_backs,
			 unsigned int nr_segs)
{
	struct uapi_wire_ioctl io = {
		.cmd = cmd, .arg = arg, .nr_backs = nr_backs, .nr_segs = nr_segs,
	};

	hdr_init(&io.hdr, UAPI_WIRE_IOCTL);
	enc_begin(e, buf, cap, &io, sizeof(io));
	e->want_backs = nr_backs;
	e->want_segs = nr_segs;
	if (nr_backs > UAPI_WIRE_MAX_BACKS || nr_segs > UAPI_WIRE_MAX_SEGS)
		e->err = -EINVAL;
}

void uapi_wire_enc_reply(struct uapi_wire_enc *e, void *buf, size_t cap,
			 int32_t result, unsigned int nr_segs)
{
	struct uapi_wire_reply r = { .result = result, .nr_segs = nr_segs };

	hdr_init(&r.hdr, UAPI_WIRE_REPLY);
	enc_begin(e, buf, cap, &r, sizeof(r));
	e->want_segs = nr_segs;
	if (nr_segs > UAPI_WIRE_MAX_SEGS)
		e->err = -EINVAL;
}

void uapi_wire_enc_file_io(struct uapi_wire_enc *e, void *buf, size_t cap,
			   uint32_t op, uint64_t ubuf, uint64_t count,
			   unsigned int nr_segs)
{
	struct uapi_wire_file_io io = {
		.op = op, .nr_segs = nr_segs, .buf = ubuf, .count = count,
	};

	hdr_init(&io.hdr, UAPI_WIRE_FILE_IO);
	enc_begin(e, buf, cap, &io, sizeof(io));
	e->want_segs = nr_segs;
	if (nr_segs > UAPI_WIRE_MAX_SEGS)
		e->err = -EINVAL;
}

void uapi_wire_add_ext(struct uapi_wire_enc *e, const struct uapi_wire_ext *x)
{
	struct uapi_wire_hdr h;

	/* The extension sits right after the fixed part, and only once. */
	if (!e->err && e->len != e->fixed_len)
		e->err = -EINVAL;
	if (e->err)
		return;
	memcpy(&h, e->buf, sizeof(h));
	h.version = UAPI_WIRE_VERSION_2;
	memcpy(e->buf, &h, sizeof(h));
	enc_put(e, x, sizeof(*x));
}

void uapi_wire_add_back(struct uapi_wire_enc *e, const struct uapi_wire_back *b)
{
	/* Backings come before any segment. */
	if (!e->err && (e->segs || e->backs >= e->want_backs))
		e->err = -EINVAL;
	enc_put(e, b, sizeof(*b));
	e->backs++;
}

void uapi_wire_add_seg(struct uapi_wire_enc *e, uint64_t uaddr,
		       const void *data, uint32_t len)
{
	static const uint8_t zero[8];
	struct uapi_wire_seg s = { .uaddr = uaddr, .len = len };

	if (!e->err && e->segs >= e->want_segs)
		e->err = -EINVAL;
	if (!e->err && uapi_wire_seg_size(len) > e->cap - e->len)
		e->err = -EMSGSIZE;
	enc_put(e, &s, sizeof(s));
	enc_put(e, data, len);
	enc_put(e, zero, uapi_wire_seg_size(len) - sizeof(s) - len);
	e->segs++;
}

long uapi_wire_finish(struct uapi_wire_enc *e, unsigned int nr_fds)
{
	struct uapi_wire_hdr h;

	if (e->err)
		return e->err;
	if (e->segs != e->want_segs || e->backs != e->want_backs ||
	    nr_fds > UAPI_WIRE_MAX_FDS)
		return -EINVAL;
	memcpy(&h, e->buf, sizeof(h));
	h.len = (uint32_t)e->len;
	h.nr_fds = nr_fds;
	memcpy(e->buf, &h, sizeof(h));
	return (long)e->len;
}

/* Parse nr segments starting at off; they must end exactly at len. */
static int parse_segs(struct uapi_wire_msg *m, size_t off, unsigned int nr,
		      const char **why)
{
	unsigned int i;

	if (nr > UAPI_WIRE_MAX_SEGS) {
		*why = "too many segments";
		return -EBADMSG;
	}
	for (i = 0; i < nr; i++) {
		struct uapi_wire_seg s;

		if (m->len - off < sizeof(s)) {
			*why = "truncated segment header";
			return -EBADMSG;
		}
		memcpy(&s, m->buf + off, sizeof(s));
		if (s.reserved) {
			*why = "reserved segment field set";
			return -EBADMSG;
		}
		if (uapi_wire_seg_size(s.len) > m->len - off) {
			*why = "segment longer than the record";
			return -EBADMSG;
		}
		if (s.uaddr + s.len < s.uaddr) {
			*why = "segment wraps the address space";
			return -EBADMSG;
		}
		m->seg_off[i] = off;
		off += uapi_wire_seg_size(s.len);
	}
	if (off != m->len) {
		*why = "trailing bytes after the last segment";
		return -EBADMSG;
	}
	m->nr_segs = nr;
	return 0;
}

static int parse_backs(struct uapi_wire_msg *m, size_t *off, unsigned int nr,
		       unsigned int nr_fds, const char **why)
{
	unsigned int i;

	if (nr > UAPI_WIRE_MAX_BACKS) {
		*why = "too many backings";
		return -EBADMSG;
	}
	if (m->len - *off < (size_t)nr * sizeof(struct uapi_wire_back)) {
		*why = "truncated backing table";
		return -EBADMSG;
	}
	for (i = 0; i < nr; i++) {
		struct uapi_wire_back *b = &m->backs[i];
		/* nr_backs stays 0 unless every backing is valid */

		memcpy(b, m->buf + *off, sizeof(*b));
		*off += sizeof(*b);
		if (b->fd_index < 1 || b->fd_index >= nr_fds) {
			*why = "backing names a descriptor that was not sent";
			return -EBADMSG;
		}
		if (b->flags & ~UAPI_WIRE_BACK_FLAGS) {
			*why = "unknown backing flags";
			return -EBADMSG;
		}
		if (!b->len || ((b->uaddr | b->len | b->offset) & 4095) ||
		    b->uaddr + b->len < b->uaddr ||
		    b->offset + b->len < b->offset) {
			*why = "backing not page aligned or wraps";
			return -EBADMSG;
		}
	}
	m->nr_backs = nr;
	return 0;
}

/* Version 2's extension at *off, right after the fixed part. */
static int parse_ext(struct uapi_wire_msg *m, size_t *off, const char **why)
{
	if (m->hdr.version < UAPI_WIRE_VERSION_2)
		return 0;
	if (m->len - *off < sizeof(m->ext)) {
		*why = "truncated extension";
		return -EBADMSG;
	}
	memcpy(&m->ext, m->buf + *off, sizeof(m->ext));
	if (m->ext.reserved) {
		*why = "reserved extension field set";
		return -EBADMSG;
	}
	*off += sizeof(m->ext);
	return 0;
}

int uapi_wire_parse(const void *buf, size_t len, unsigned int nr_fds,
		    struct uapi_wire_msg *m, const char **why)
{
	const char *dummy;
	size_t off;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(m, 0, offsetof(struct uapi_wire_msg, seg_off));
	m->buf = buf;
	m->len = len;
	if (len < sizeof(m->hdr)) {
		*why = "truncated header";
		return -EBADMSG;
	}
	memcpy(&m->hdr, buf, sizeof(m->hdr));
	if (m->hdr.magic != UAPI_WIRE_MAGIC) {
		*why = "bad magic";
		return -EBADMSG;
	}
	if (m->hdr.version < UAPI_WIRE_VERSION_1 ||
	    m->hdr.version > UAPI_WIRE_VERSION) {
		*why = "unsupported protocol version";
		return -EBADMSG;
	}
	if (m->hdr.len != len || len > UAPI_WIRE_MAX_MSG) {
		*why = "length field disagrees with the record";
		return -EBADMSG;
	}
	if (m->hdr.nr_fds != nr_fds || nr_fds > UAPI_WIRE_MAX_FDS) {
		*why = "descriptor count disagrees with what arrived";
		return -EBADMSG;
	}
	switch (m->hdr.type) {
	case UAPI_WIRE_OPEN:
		if (len < sizeof(m->u.open)) {
			*why = "OPEN record has the wrong length";
			return -EBADMSG;
		}
		memcpy(&m->u.open, buf, sizeof(m->u.open));
		off = sizeof(m->u.open);
		if (parse_ext(m, &off, why))
			return -EBADMSG;
		if (off != len) {
			*why = "OPEN record has the wrong length";
			return -EBADMSG;
		}
		if (nr_fds != 1) {
			*why = "OPEN needs exactly a reply socket";
			return -EBADMSG;
		}
		return 0;
	case UAPI_WIRE_IOCTL:
		if (len < sizeof(m->u.ioctl)) {
			*why = "truncated IOCTL record";
			return -EBADMSG;
		}
		memcpy(&m->u.ioctl, buf, sizeof(m->u.ioctl));
		if (m->u.ioctl.reserved) {
			*why = "reserved IOCTL field set";
			return -EBADMSG;
		}
		if (nr_fds < 1) {
			*why = "IOCTL without a reply socket";
			return -EBADMSG;
		}
		off = sizeof(m->u.ioctl);
		if (parse_ext(m, &off, why) ||
		    parse_backs(m, &off, m->u.ioctl.nr_backs, nr_fds, why))
			return -EBADMSG;
		return parse_segs(m, off, m->u.ioctl.nr_segs, why);
	case UAPI_WIRE_REPLY:
		if (len < sizeof(m->u.reply)) {
			*why = "truncated REPLY record";
			return -EBADMSG;
		}
		memcpy(&m->u.reply, buf, sizeof(m->u.reply));
		/* At most the new file an ioctl created (access/fault fd). */
		if (nr_fds > UAPI_WIRE_MAX_REPLY_FDS) {
			*why = "REPLY carries too many descriptors";
			return -EBADMSG;
		}
		off = sizeof(m->u.reply);
		if (parse_ext(m, &off, why))
			return -EBADMSG;
		return parse_segs(m, off, m->u.reply.nr_segs, why);
	case UAPI_WIRE_FILE_IO:
		if (len < sizeof(m->u.file_io)) {
			*why = "truncated FILE_IO record";
			return -EBADMSG;
		}
		memcpy(&m->u.file_io, buf, sizeof(m->u.file_io));
		if (m->u.file_io.op != UAPI_WIRE_FILE_READ &&
		    m->u.file_io.op != UAPI_WIRE_FILE_WRITE) {
			*why = "unknown FILE_IO operation";
			return -EBADMSG;
		}
		if (nr_fds != 1) {
			*why = "FILE_IO needs exactly a reply socket";
			return -EBADMSG;
		}
		off = sizeof(m->u.file_io);
		if (parse_ext(m, &off, why))
			return -EBADMSG;
		return parse_segs(m, off, m->u.file_io.nr_segs, why);
	default:
		*why = "unknown record type";
		return -EBADMSG;
	}
}

void uapi_wire_seg_get(const struct uapi_wire_msg *m, unsigned int i,
		       struct uapi_wire_seg *seg, const uint8_t **data)
{
	memcpy(seg, m->buf + m->seg_off[i], sizeof(*seg));
	*data = m->buf + m->seg_off[i] + sizeof(*seg);
}
