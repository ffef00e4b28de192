/* SPDX-License-Identifier: MIT */
/*
 * Encoding and validating records of the shim ↔ daemon protocol
 * (uapi_wire.h). Allocation-free and self-contained, so that the shim
 * (built outside the library, without sanitizers) compiles the same file.
 */
#ifndef PCILAB_UAPI_WIRE_CODEC_H
#define PCILAB_UAPI_WIRE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/uapi_wire.h"

/* A record under construction in a caller-provided buffer. */
struct uapi_wire_enc {
	uint8_t *buf;
	size_t cap;
	size_t len;
	unsigned int segs;	/* segments added so far */
	unsigned int backs;	/* backings added so far */
	unsigned int want_segs, want_backs;
	size_t fixed_len;	/* the record's struct, where an ext may follow */
	int err;		/* first error (-EMSGSIZE, -EINVAL), sticky */
};

void uapi_wire_enc_open(struct uapi_wire_enc *e, void *buf, size_t cap,
			uint32_t dev, uint32_t flags);
/* nr_backs backings must follow, then nr_segs segments. */
void uapi_wire_enc_ioctl(struct uapi_wire_enc *e, void *buf, size_t cap,
			 uint32_t cmd, uint64_t arg, unsigned int nr_backs,
			 unsigned int nr_segs);
void uapi_wire_enc_reply(struct uapi_wire_enc *e, void *buf, size_t cap,
			 int32_t result, unsigned int nr_segs);
/* nr_segs segments must follow. */
void uapi_wire_enc_file_io(struct uapi_wire_enc *e, void *buf, size_t cap,
			   uint32_t op, uint64_t ubuf, uint64_t count,
			   unsigned int nr_segs);
/*
 * Make the record a version-2 one carrying x (uapi_wire.h). Only right
 * after uapi_wire_enc_*(), before any backing or segment (else -EINVAL
 * from uapi_wire_finish()).
 */
void uapi_wire_add_ext(struct uapi_wire_enc *e, const struct uapi_wire_ext *x);
void uapi_wire_add_back(struct uapi_wire_enc *e, const struct uapi_wire_back *b);
void uapi_wire_add_seg(struct uapi_wire_enc *e, uint64_t uaddr,
		       const void *data, uint32_t len);
/*
 * Finish: record the number of descriptors that will travel with it.
 * Returns the record length, or -EMSGSIZE (does not fit), -EINVAL (counts
 * do not match what was announced).
 */
long uapi_wire_finish(struct uapi_wire_enc *e, unsigned int nr_fds);

/* A validated record: every offset below lies inside buf[0, len). */
struct uapi_wire_msg {
	const uint8_t *buf;
	size_t len;
	struct uapi_wire_hdr hdr;
	union {
		struct uapi_wire_open open;
		struct uapi_wire_ioctl ioctl;
		struct uapi_wire_reply reply;
		struct uapi_wire_file_io file_io;
	} u;
	/* Version 2's extension; all zero in a version-1 record. */
	struct uapi_wire_ext ext;
	unsigned int nr_segs;
	unsigned int nr_backs;
	size_t seg_off[UAPI_WIRE_MAX_SEGS];	/* offset of each seg header */
	struct uapi_wire_back backs[UAPI_WIRE_MAX_BACKS];
};

/*
 * Validate a received record of len bytes that arrived with nr_fds
 * descriptors. Returns 0, or -EBADMSG with *why set to a short
 * human-readable reason (bad magic/version/type, truncated, lengths that
 * disagree, too many segments, fd index out of range, reserved bits set).
 * Versions 1 and 2 are accepted; m->hdr.version says which arrived.
 */
int uapi_wire_parse(const void *buf, size_t len, unsigned int nr_fds,
		    struct uapi_wire_msg *m, const char **why);

/* Segment i of a parsed record (i < m->nr_segs). */
void uapi_wire_seg_get(const struct uapi_wire_msg *m, unsigned int i,
		       struct uapi_wire_seg *seg, const uint8_t **data);

/* Bytes a segment of len data bytes takes on the wire (header + padding). */
static inline size_t uapi_wire_seg_size(uint32_t len)
{
	return sizeof(struct uapi_wire_seg) + (((size_t)len + 7) & ~(size_t)7);
}

#endif /* PCILAB_UAPI_WIRE_CODEC_H */
