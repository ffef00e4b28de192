// SPDX-License-Identifier: MIT
/*
 * The shim ↔ daemon records (src/uapi/wire.c): what the encoder builds
 * parses back to the same thing, and hostile records (truncated, lying
 * lengths, wrapping addresses, descriptors that did not arrive) get
 * -EBADMSG with a reason, never a crash or an out-of-bounds read (ASan).
 */
#include "test.h"

#include "uapi/wire.h"

static uint8_t rec[4096];

/* Parse a copy sized exactly n bytes, so ASan sees any read past it. */
static int parse_exact(const void *buf, size_t n, unsigned int nr_fds,
		       struct uapi_wire_msg *m, const char **why)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, buf, n);
	rc = uapi_wire_parse(copy, n, nr_fds, m, why);
	/* Keep the copy alive while m points into it: callers only look at rc. */
	free(copy);
	return rc;
}

/* A valid IOCTL; with fail_nth, a version-2 one carrying it. */
static long build_ioctl_nth(unsigned int nr_fds, uint32_t fail_nth)
{
	struct uapi_wire_back b = {
		.uaddr = 0x10000, .len = 0x3000, .offset = 0x1000, .fd_index = 1,
		.flags = UAPI_WIRE_BACK_WRITABLE,
	};
	struct uapi_wire_ext x = { .fail_nth = fail_nth };
	struct uapi_wire_enc e;
	uint32_t st[6] = { 24, 1, 2, 3, 4, 5 };

	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 0x3b81, 0x7000, 1, 2);
	if (fail_nth)
		uapi_wire_add_ext(&e, &x);
	uapi_wire_add_back(&e, &b);
	uapi_wire_add_seg(&e, 0x7000, st, sizeof(st));
	uapi_wire_add_seg(&e, 0x9003, "abc", 3);
	return uapi_wire_finish(&e, nr_fds);
}

static long build_ioctl(unsigned int nr_fds)
{
	return build_ioctl_nth(nr_fds, 0);
}

static void test_roundtrip_ioctl(void **state)
{
	struct uapi_wire_msg m;
	struct uapi_wire_seg seg;
	const uint8_t *data;
	const char *why;
	long len = build_ioctl(2);

	(void)state;
	assert_true(len > 0);
	assert_int_equal(len % 8, 0);
	assert_ok(uapi_wire_parse(rec, (size_t)len, 2, &m, &why));
	assert_int_equal(m.hdr.type, UAPI_WIRE_IOCTL);
	assert_int_equal(m.u.ioctl.cmd, 0x3b81);
	assert_int_equal(m.u.ioctl.arg, 0x7000);
	assert_int_equal(m.nr_backs, 1);
	assert_int_equal(m.backs[0].uaddr, 0x10000);
	assert_int_equal(m.backs[0].len, 0x3000);
	assert_int_equal(m.backs[0].offset, 0x1000);
	assert_int_equal(m.backs[0].flags, UAPI_WIRE_BACK_WRITABLE);
	assert_int_equal(m.nr_segs, 2);
	uapi_wire_seg_get(&m, 0, &seg, &data);
	assert_int_equal(seg.uaddr, 0x7000);
	assert_int_equal(seg.len, 24);
	assert_int_equal(data[0], 24);
	uapi_wire_seg_get(&m, 1, &seg, &data);
	assert_int_equal(seg.uaddr, 0x9003);
	assert_int_equal(seg.len, 3);
	assert_memory_equal(data, "abc", 3);
}

static void test_roundtrip_open_reply(void **state)
{
	struct uapi_wire_msg m;
	struct uapi_wire_enc e;
	struct uapi_wire_seg seg;
	const uint8_t *data;
	long len;

	(void)state;
	uapi_wire_enc_open(&e, rec, sizeof(rec), UAPI_WIRE_DEV_IOMMU, 2);
	len = uapi_wire_finish(&e, 1);
	assert_int_equal(len, sizeof(struct uapi_wire_open));
	assert_ok(uapi_wire_parse(rec, (size_t)len, 1, &m, NULL));
	assert_int_equal(m.u.open.dev, UAPI_WIRE_DEV_IOMMU);
	assert_int_equal(m.u.open.flags, 2);
	/* OPEN needs its reply socket. */
	assert_errno(EBADMSG, uapi_wire_parse(rec, (size_t)len, 0, &m, NULL));

	uapi_wire_enc_reply(&e, rec, sizeof(rec), -EMSGSIZE, 1);
	uapi_wire_add_seg(&e, 0x1234, "xy", 2);
	len = uapi_wire_finish(&e, 0);
	assert_true(len > 0);
	assert_ok(uapi_wire_parse(rec, (size_t)len, 0, &m, NULL));
	assert_int_equal(m.u.reply.result, -EMSGSIZE);
	assert_int_equal(m.nr_segs, 1);
	uapi_wire_seg_get(&m, 0, &seg, &data);
	assert_int_equal(seg.uaddr, 0x1234);
	assert_memory_equal(data, "xy", 2);
	/* Descriptors must match the header. */
	assert_errno(EBADMSG, uapi_wire_parse(rec, (size_t)len, 1, &m, NULL));
	/* A reply carries at most one descriptor (a new file). */
	len = uapi_wire_finish(&e, 2);
	assert_true(len > 0);
	assert_errno(EBADMSG, uapi_wire_parse(rec, (size_t)len, 2, &m, NULL));
	len = uapi_wire_finish(&e, 1);
	assert_true(len > 0);
	assert_int_equal(uapi_wire_parse(rec, (size_t)len, 1, &m, NULL), 0);
}

/*
 * Version 2 (uapi_wire.h): the extension follows the fixed part of each
 * record type and round-trips; records without one stay version 1, so an
 * older peer still understands them.
 */
static void test_roundtrip_ext(void **state)
{
	struct uapi_wire_ext x = { .fail_nth = 7 };
	struct uapi_wire_back b = { .uaddr = 0, .len = 4096, .fd_index = 1 };
	struct uapi_wire_msg m;
	struct uapi_wire_enc e;
	const char *why;
	long len, v1_len;

	(void)state;
	v1_len = build_ioctl(2);
	assert_ok(uapi_wire_parse(rec, (size_t)v1_len, 2, &m, NULL));
	assert_int_equal(m.hdr.version, UAPI_WIRE_VERSION_1);
	assert_int_equal(m.ext.fail_nth, 0);

	len = build_ioctl_nth(2, 0xfffffffe);
	assert_int_equal(len, v1_len + (long)sizeof(struct uapi_wire_ext));
	assert_ok(uapi_wire_parse(rec, (size_t)len, 2, &m, &why));
	assert_int_equal(m.hdr.version, UAPI_WIRE_VERSION_2);
	assert_int_equal(m.ext.fail_nth, 0xfffffffe);
	assert_int_equal(m.nr_backs, 1);
	assert_int_equal(m.backs[0].uaddr, 0x10000);
	assert_int_equal(m.nr_segs, 2);

	uapi_wire_enc_open(&e, rec, sizeof(rec), UAPI_WIRE_DEV_IOMMU, 0);
	uapi_wire_add_ext(&e, &x);
	len = uapi_wire_finish(&e, 1);
	assert_int_equal(len, sizeof(struct uapi_wire_open) + sizeof(x));
	assert_ok(uapi_wire_parse(rec, (size_t)len, 1, &m, NULL));
	assert_int_equal(m.hdr.version, UAPI_WIRE_VERSION_2);
	assert_int_equal(m.ext.fail_nth, 7);
	assert_int_equal(m.u.open.dev, UAPI_WIRE_DEV_IOMMU);

	/* A reply's count left may be 0: the failure was injected. */
	x.fail_nth = 0;
	uapi_wire_enc_reply(&e, rec, sizeof(rec), -ENOMEM, 1);
	uapi_wire_add_ext(&e, &x);
	uapi_wire_add_seg(&e, 0x1234, "xy", 2);
	len = uapi_wire_finish(&e, 0);
	assert_true(len > 0);
	assert_ok(uapi_wire_parse(rec, (size_t)len, 0, &m, NULL));
	assert_int_equal(m.hdr.version, UAPI_WIRE_VERSION_2);
	assert_int_equal(m.ext.fail_nth, 0);
	assert_int_equal(m.u.reply.result, -ENOMEM);
	assert_int_equal(m.nr_segs, 1);

	/* The extension goes right after the fixed part, once. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 1, 0, 1, 0);
	uapi_wire_add_back(&e, &b);
	uapi_wire_add_ext(&e, &x);
	assert_int_equal(uapi_wire_finish(&e, 2), -EINVAL);
	uapi_wire_enc_reply(&e, rec, sizeof(rec), 0, 0);
	uapi_wire_add_ext(&e, &x);
	uapi_wire_add_ext(&e, &x);
	assert_int_equal(uapi_wire_finish(&e, 0), -EINVAL);
	/* ...and must fit. */
	uapi_wire_enc_reply(&e, rec, sizeof(struct uapi_wire_reply) + 4, 0, 0);
	uapi_wire_add_ext(&e, &x);
	assert_int_equal(uapi_wire_finish(&e, 0), -EMSGSIZE);
}

/* Hostile version-2 records: a short extension, reserved bits, a bad OPEN. */
static void test_bad_ext(void **state)
{
	struct uapi_wire_ext x = { .fail_nth = 1 };
	struct uapi_wire_msg m;
	struct uapi_wire_enc e;
	const char *why = NULL;
	uint32_t v32 = 1;
	long len;

	(void)state;
	len = build_ioctl_nth(2, 3);
	memcpy(rec + sizeof(struct uapi_wire_ioctl) +
	       offsetof(struct uapi_wire_ext, reserved), &v32, 4);
	assert_errno(EBADMSG, parse_exact(rec, (size_t)len, 2, &m, &why));
	assert_non_null(strstr(why, "reserved extension"));

	/* An OPEN of version 2 without its extension, or with bytes after it. */
	uapi_wire_enc_open(&e, rec, sizeof(rec), UAPI_WIRE_DEV_IOMMU, 0);
	uapi_wire_add_ext(&e, &x);
	len = uapi_wire_finish(&e, 1);
	assert_true(len > 0);
	{
		struct uapi_wire_hdr h;

		memcpy(&h, rec, sizeof(h));
		h.len = sizeof(struct uapi_wire_open);
		memcpy(rec, &h, sizeof(h));
		why = NULL;
		assert_errno(EBADMSG, parse_exact(rec, h.len, 1, &m, &why));
		assert_non_null(strstr(why, "truncated extension"));
		h.len = (uint32_t)len + 8;
		memcpy(rec, &h, sizeof(h));
		memset(rec + len, 0, 8);
		why = NULL;
		assert_errno(EBADMSG, parse_exact(rec, h.len, 1, &m, &why));
		assert_non_null(strstr(why, "wrong length"));
	}
}

/* Every strict prefix of the record in rec (len bytes) is rejected. */
static void check_prefixes(long len)
{
	struct uapi_wire_msg m;
	const char *why;
	size_t n;

	for (n = 0; n < (size_t)len; n++) {
		struct uapi_wire_hdr h;

		/* As sent by a peer that stopped early but kept hdr.len honest... */
		why = NULL;
		assert_errno(EBADMSG, parse_exact(rec, n, 2, &m, &why));
		assert_non_null(why);
		/* ...and one that also fixed up hdr.len to the short length. */
		if (n >= sizeof(h)) {
			uint8_t *c = malloc(n);

			memcpy(c, rec, n);
			memcpy(&h, c, sizeof(h));
			h.len = (uint32_t)n;
			memcpy(c, &h, sizeof(h));
			why = NULL;
			assert_errno(EBADMSG, uapi_wire_parse(c, n, 2, &m, &why));
			assert_non_null(why);
			free(c);
		}
	}
}

/* Every strict prefix of a valid record is rejected, with a reason. */
static void test_truncated(void **state)
{
	(void)state;
	check_prefixes(build_ioctl(2));
	check_prefixes(build_ioctl_nth(2, 5));
}

/* Patch a field of the valid IOCTL record and expect the given reason. */
static void expect_bad(size_t off, const void *val, size_t vlen, unsigned int nr_fds,
		       const char *reason)
{
	struct uapi_wire_msg m;
	const char *why = NULL;
	long len = build_ioctl(2);

	assert_true(len > 0);
	memcpy(rec + off, val, vlen);
	assert_errno(EBADMSG, parse_exact(rec, (size_t)len, nr_fds, &m, &why));
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("reason '%s', expected '%s'", why, reason);
}

#define HDR(f) offsetof(struct uapi_wire_hdr, f)
#define IOC(f) offsetof(struct uapi_wire_ioctl, f)
#define BACK0 sizeof(struct uapi_wire_ioctl)
#define SEG0 (BACK0 + sizeof(struct uapi_wire_back))

static void test_bad_fields(void **state)
{
	uint32_t v32;
	uint16_t v16;
	uint64_t v64;

	(void)state;
	v32 = 0xdeadbeef;
	expect_bad(HDR(magic), &v32, 4, 2, "magic");
	v16 = UAPI_WIRE_VERSION + 1;
	expect_bad(HDR(version), &v16, 2, 2, "version");
	v16 = 0;
	expect_bad(HDR(version), &v16, 2, 2, "version");
	v16 = 77;
	expect_bad(HDR(type), &v16, 2, 2, "unknown record type");
	v32 = 4000;
	expect_bad(HDR(len), &v32, 4, 2, "length");
	/* Descriptor count must be what actually arrived. */
	expect_bad(0, "", 0, 3, "descriptor");
	v32 = 1;
	expect_bad(IOC(reserved), &v32, 4, 2, "reserved");
	v32 = UAPI_WIRE_MAX_SEGS + 1;
	expect_bad(IOC(nr_segs), &v32, 4, 2, "too many segments");
	v32 = 3;
	expect_bad(IOC(nr_segs), &v32, 4, 2, "truncated segment");
	v32 = 1;
	expect_bad(IOC(nr_segs), &v32, 4, 2, "trailing");
	v32 = UAPI_WIRE_MAX_BACKS + 1;
	expect_bad(IOC(nr_backs), &v32, 4, 2, "too many backings");
	v32 = 2;
	expect_bad(IOC(nr_backs), &v32, 4, 2, "");
	/* Backings: descriptor index, flags, alignment, wrapping. */
	v32 = 0;	/* fds[0] is the reply socket, never memory */
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, fd_index), &v32, 4, 2, "descriptor");
	v32 = 2;
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, fd_index), &v32, 4, 2, "descriptor");
	v32 = 0x80;
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, flags), &v32, 4, 2, "flags");
	v64 = 0x10001;
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, uaddr), &v64, 8, 2, "aligned");
	v64 = 0;
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, len), &v64, 8, 2, "aligned");
	v64 = 0xfffffffffffff000ull;
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, uaddr), &v64, 8, 2, "wraps");
	expect_bad(BACK0 + offsetof(struct uapi_wire_back, offset), &v64, 8, 2, "wraps");
	/* Segments: a length past the record, wrapping, reserved. */
	v32 = 0xffffffff;
	expect_bad(SEG0 + offsetof(struct uapi_wire_seg, len), &v32, 4, 2, "longer");
	v32 = 25;
	expect_bad(SEG0 + offsetof(struct uapi_wire_seg, len), &v32, 4, 2, "");
	v64 = UINT64_MAX - 3;
	expect_bad(SEG0 + offsetof(struct uapi_wire_seg, uaddr), &v64, 8, 2, "wraps");
	v32 = 1;
	expect_bad(SEG0 + offsetof(struct uapi_wire_seg, reserved), &v32, 4, 2, "reserved");
}

static void test_encoder_limits(void **state)
{
	struct uapi_wire_back b = { .uaddr = 0, .len = 4096, .fd_index = 1 };
	struct uapi_wire_enc e;
	uint8_t small[48];

	(void)state;
	/* Does not fit: -EMSGSIZE, and nothing written past the buffer. */
	uapi_wire_enc_ioctl(&e, small, sizeof(small), 1, 0, 0, 1);
	uapi_wire_add_seg(&e, 0, rec, 100);
	assert_int_equal(uapi_wire_finish(&e, 1), -EMSGSIZE);
	/* Announced counts must match what was added. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 1, 0, 1, 1);
	uapi_wire_add_seg(&e, 0, "a", 1);
	assert_int_equal(uapi_wire_finish(&e, 2), -EINVAL);
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 1, 0, 0, 1);
	assert_int_equal(uapi_wire_finish(&e, 1), -EINVAL);
	/* Backings after a segment. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 1, 0, 1, 1);
	uapi_wire_add_seg(&e, 0, "a", 1);
	uapi_wire_add_back(&e, &b);
	assert_int_equal(uapi_wire_finish(&e, 2), -EINVAL);
	/* Too many announced. */
	uapi_wire_enc_ioctl(&e, rec, sizeof(rec), 1, 0, UAPI_WIRE_MAX_BACKS + 1, 0);
	assert_int_equal(uapi_wire_finish(&e, 1), -EINVAL);
	uapi_wire_enc_reply(&e, rec, sizeof(rec), 0, 0);
	assert_int_equal(uapi_wire_finish(&e, UAPI_WIRE_MAX_FDS + 1), -EINVAL);
}

/* Random garbage of every length up to a few hundred bytes never crashes. */
static void test_garbage(void **state)
{
	struct uapi_wire_msg m;
	unsigned int seed = 12345, i, n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint8_t buf[320];
		/* Every fourth valid record is a version-2 one. */
		long len = i % 4 ? build_ioctl(2) : build_ioctl_nth(2, i);

		n = (unsigned int)(rand_r(&seed) % sizeof(buf));
		/* Half pure noise, half a valid record with a few bytes flipped. */
		if (i & 1) {
			unsigned int k;

			for (k = 0; k < n; k++)
				buf[k] = (uint8_t)rand_r(&seed);
		} else {
			memcpy(buf, rec, (size_t)len);
			n = (unsigned int)len;
			buf[rand_r(&seed) % n] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
			buf[rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
		}
		(void)parse_exact(buf, n, (unsigned int)(rand_r(&seed) % 4), &m, NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_ioctl),
		cmocka_unit_test(test_roundtrip_open_reply),
		cmocka_unit_test(test_roundtrip_ext),
		cmocka_unit_test(test_bad_ext),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_encoder_limits),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
