/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked little-endian byte reader and writer used by every SPDM
 * codec. A reader never reads past its buffer: every get fails with
 * -EMSGSIZE once the remaining length is too short, and the error sticks
 * so a decoder can check once at the end of a run of gets. A writer
 * likewise refuses to overflow its capacity.
 */
#ifndef PCILAB_PROTO_SPDM_BUF_H
#define PCILAB_PROTO_SPDM_BUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct spdm_rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	int err;
};

struct spdm_wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err;
};

static inline void spdm_rbuf_init(struct spdm_rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

static inline size_t spdm_rbuf_left(const struct spdm_rbuf *r)
{
	return r->len - r->off;
}

/* Returns a pointer to the next n bytes and consumes them, or NULL. */
static inline const uint8_t *spdm_get_ptr(struct spdm_rbuf *r, size_t n)
{
	const uint8_t *q;

	if (r->err || n > r->len - r->off) {
		r->err = -EMSGSIZE;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

static inline uint8_t spdm_get_u8(struct spdm_rbuf *r)
{
	const uint8_t *q = spdm_get_ptr(r, 1);

	return q ? q[0] : 0;
}

static inline uint16_t spdm_get_le16(struct spdm_rbuf *r)
{
	const uint8_t *q = spdm_get_ptr(r, 2);

	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static inline uint32_t spdm_get_le24(struct spdm_rbuf *r)
{
	const uint8_t *q = spdm_get_ptr(r, 3);

	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 : 0;
}

static inline uint32_t spdm_get_le32(struct spdm_rbuf *r)
{
	const uint8_t *q = spdm_get_ptr(r, 4);

	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
		   (uint32_t)q[3] << 24 : 0;
}

static inline void spdm_get_bytes(struct spdm_rbuf *r, void *dst, size_t n)
{
	const uint8_t *q = spdm_get_ptr(r, n);

	if (q)
		memcpy(dst, q, n);
}

static inline void spdm_wbuf_init(struct spdm_wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
}

/* Reserve n bytes and return where they go, or NULL on overflow. */
static inline uint8_t *spdm_put_ptr(struct spdm_wbuf *w, size_t n)
{
	uint8_t *q;

	if (w->err || n > w->cap - w->len) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	q = w->p + w->len;
	w->len += n;
	return q;
}

static inline void spdm_put_u8(struct spdm_wbuf *w, uint8_t v)
{
	uint8_t *q = spdm_put_ptr(w, 1);

	if (q)
		q[0] = v;
}

static inline void spdm_put_le16(struct spdm_wbuf *w, uint16_t v)
{
	uint8_t *q = spdm_put_ptr(w, 2);

	if (q) {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
	}
}

static inline void spdm_put_le24(struct spdm_wbuf *w, uint32_t v)
{
	uint8_t *q = spdm_put_ptr(w, 3);

	if (q) {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
		q[2] = (uint8_t)(v >> 16);
	}
}

static inline void spdm_put_le32(struct spdm_wbuf *w, uint32_t v)
{
	uint8_t *q = spdm_put_ptr(w, 4);

	if (q) {
		q[0] = (uint8_t)v;
		q[1] = (uint8_t)(v >> 8);
		q[2] = (uint8_t)(v >> 16);
		q[3] = (uint8_t)(v >> 24);
	}
}

static inline void spdm_put_bytes(struct spdm_wbuf *w, const void *src, size_t n)
{
	uint8_t *q = spdm_put_ptr(w, n);

	if (q && n)
		memcpy(q, src, n);
}

static inline void spdm_put_zero(struct spdm_wbuf *w, size_t n)
{
	uint8_t *q = spdm_put_ptr(w, n);

	if (q && n)
		memset(q, 0, n);
}

static inline void spdm_put_hdr(struct spdm_wbuf *w, uint8_t ver, uint8_t code,
				uint8_t p1, uint8_t p2)
{
	spdm_put_u8(w, ver);
	spdm_put_u8(w, code);
	spdm_put_u8(w, p1);
	spdm_put_u8(w, p2);
}

/* Encoder result: the length written, or the sticky error. */
static inline int spdm_wbuf_result(const struct spdm_wbuf *w)
{
	return w->err ? w->err : (int)w->len;
}

/*
 * Read and check a message header: -EMSGSIZE if truncated, -EPROTO if the
 * version or code is not the expected one (DSP0274 1.3.0 §10.2).
 */
static inline int spdm_get_hdr(struct spdm_rbuf *r, uint8_t ver, uint8_t code,
			       uint8_t *p1, uint8_t *p2)
{
	const uint8_t *q = spdm_get_ptr(r, 4);

	if (!q)
		return -EMSGSIZE;
	if (q[0] != ver || q[1] != code)
		return -EPROTO;
	if (p1)
		*p1 = q[2];
	if (p2)
		*p2 = q[3];
	return 0;
}

/* Finish decoding: the sticky error, or -EMSGSIZE for trailing bytes. */
static inline int spdm_rbuf_end(const struct spdm_rbuf *r)
{
	if (r->err)
		return r->err;
	return r->off == r->len ? 0 : -EMSGSIZE;
}

#endif /* PCILAB_PROTO_SPDM_BUF_H */
