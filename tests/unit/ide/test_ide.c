// SPDX-License-Identifier: MIT
/*
 * IDE: the Extended Capability layout (PCIe r6.2 §7.9.26), IDE_KM codecs
 * and responder (§6.33.3), and the IDE engine's TLP protection (§6.33.5).
 */
#include "test.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pcidev.h"
#include "hw/security/ide_engine.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"

static struct hw_pcidev *dev_new(void)
{
	struct hw_pcidev *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	assert_ok(hw_pcidev_init(d, PCI_HEADER_TYPE_NORMAL, NULL, "ide"));
	hw_pcidev_set_ids(d, 0x1234, 0x5678, 0x010802, 1);
	return d;
}

static void dev_free(struct hw_pcidev *d)
{
	hw_pcidev_destroy(d);
	free(d);
}

/* ---- capability ---- */

static void test_cap_layout(void **state)
{
	struct hw_cap_ide_cfg cfg = { .link = true, .link_tcs = 2, .sel_streams = 2,
				      .addr_assoc = 1, .ide_km = true, .pcrc = true };
	struct hw_pcidev *d = dev_new();
	int pos, l0, l1, s0, s1;
	uint32_t v;

	pos = hw_cap_add_ide(d, &cfg);
	assert_int_equal(pos, 0x100);
	assert_ok(hw_pcidev_realize(d));
	/* Header: ID 30h, version 1. */
	assert_int_equal(hw_pcidev_cfg_read(d, pos, 4) & 0xfffff, 0x10030);
	v = hw_pcidev_cfg_read(d, pos + PCI_IDE_CAP, 4);
	assert_int_equal(v, PCI_IDE_CAP_LINK | PCI_IDE_CAP_SELECTIVE | PCI_IDE_CAP_PCRC |
			    PCI_IDE_CAP_IDE_KM | 1u << PCI_IDE_CAP_LINK_TC_SHIFT |
			    1u << PCI_IDE_CAP_SEL_NUM_SHIFT);
	/* The Capability register is HwInit. */
	hw_pcidev_cfg_write(d, pos + PCI_IDE_CAP, 0, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, pos + PCI_IDE_CAP, 4), v);
	/* No Flow-Through: IDE Control is all RsvdP. */
	hw_pcidev_cfg_write(d, pos + PCI_IDE_CTL, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, pos + PCI_IDE_CTL, 4), 0);

	l0 = hw_cap_ide_stream_block(d, false, 0);
	l1 = hw_cap_ide_stream_block(d, false, 1);
	s0 = hw_cap_ide_stream_block(d, true, 0);
	s1 = hw_cap_ide_stream_block(d, true, 1);
	assert_int_equal(l0, pos + 0x0c);
	assert_int_equal(l1, pos + 0x14);
	assert_int_equal(s0, pos + 0x1c);
	assert_int_equal(s1, s0 + 20 + 12);
	assert_errno(ENOENT, hw_cap_ide_stream_block(d, false, 2));
	assert_errno(ENOENT, hw_cap_ide_stream_block(d, true, 2));
	/* Link Stream Control: Enable, PCRC, Algorithm, TC, Stream ID RW;
	 * no aggregation or partial header encryption. */
	hw_pcidev_cfg_write(d, (uint16_t)l1 + PCI_IDE_LINK_CTL, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)l1 + PCI_IDE_LINK_CTL, 4),
			 PCI_IDE_STREAM_CTL_EN | PCI_IDE_STREAM_CTL_PCRC_EN | PCI_IDE_STREAM_CTL_ALG |
			 PCI_IDE_STREAM_CTL_TC | PCI_IDE_STREAM_CTL_ID_MASK);
	/* Status: State RO, the fail bit RW1C. */
	hw_pcidev_set32(d, (uint16_t)l1 + PCI_IDE_LINK_STS, PCI_IDE_STREAM_STS_RECVD_FAIL);
	hw_pcidev_cfg_write(d, (uint16_t)l1 + PCI_IDE_LINK_STS, 0x0000000f, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)l1 + PCI_IDE_LINK_STS, 4),
			 PCI_IDE_STREAM_STS_RECVD_FAIL);
	hw_pcidev_cfg_write(d, (uint16_t)l1 + PCI_IDE_LINK_STS, PCI_IDE_STREAM_STS_RECVD_FAIL, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)l1 + PCI_IDE_LINK_STS, 4), 0);
	/* Selective block: capability RO with the association count. */
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)s0 + PCI_IDE_SEL_CAP, 4), 1);
	hw_pcidev_cfg_write(d, (uint16_t)s0 + PCI_IDE_SEL_CTL, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)s0 + PCI_IDE_SEL_CTL, 4),
			 PCI_IDE_STREAM_CTL_EN | PCI_IDE_STREAM_CTL_PCRC_EN | PCI_IDE_STREAM_CTL_ALG |
			 PCI_IDE_STREAM_CTL_TC | PCI_IDE_SEL_CTL_DEFAULT |
			 PCI_IDE_STREAM_CTL_ID_MASK);
	hw_pcidev_cfg_write(d, (uint16_t)s0 + PCI_IDE_SEL_RID_1, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)s0 + PCI_IDE_SEL_RID_1, 4), 0x00ffff00);
	hw_pcidev_cfg_write(d, (uint16_t)s0 + PCI_IDE_SEL_RID_2, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)s0 + PCI_IDE_SEL_RID_2, 4), 0xffffff01);
	hw_pcidev_cfg_write(d, (uint16_t)s0 + PCI_IDE_SEL_ADDR_0, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)s0 + PCI_IDE_SEL_ADDR_0, 4), 0xffffff01);
	hw_pcidev_cfg_write(d, (uint16_t)s0 + PCI_IDE_SEL_ADDR_0 + 4, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)s0 + PCI_IDE_SEL_ADDR_0 + 4, 4),
			 0xffffffff);
	dev_free(d);
}

static void test_cap_invalid(void **state)
{
	struct hw_pcidev *d = dev_new();
	struct hw_cap_ide_cfg c0 = { 0 };
	struct hw_cap_ide_cfg c1 = { .link = true, .link_tcs = 9 };
	struct hw_cap_ide_cfg c2 = { .sel_streams = 1, .addr_assoc = 16 };
	struct hw_cap_ide_cfg c3 = { .sel_streams = 200, .addr_assoc = 15 };
	struct hw_cap_ide_cfg c4 = { .sel_streams = 1, .flowthrough = true, .sel_cfg = true,
				     .tee_limited = true };
	int pos;

	assert_errno(EINVAL, hw_cap_add_ide(d, &c0));
	assert_errno(EINVAL, hw_cap_add_ide(d, &c1));
	assert_errno(EINVAL, hw_cap_add_ide(d, &c2));
	assert_errno(ENOSPC, hw_cap_add_ide(d, &c3));
	pos = hw_cap_add_ide(d, &c4);
	assert_ok(pos);
	/* Flow-Through Enable is RW when supported; no Link blocks. */
	hw_pcidev_cfg_write(d, (uint16_t)pos + PCI_IDE_CTL, 0xffffffff, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)pos + PCI_IDE_CTL, 4),
			 PCI_IDE_CTL_FLOWTHROUGH_EN);
	assert_int_equal(hw_cap_ide_stream_block(d, true, 0), pos + 0x0c);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)pos + 0x0c + PCI_IDE_SEL_CTL, 4) &
			 PCI_IDE_SEL_CTL_CFG_EN, 0);
	hw_pcidev_cfg_write(d, (uint16_t)pos + 0x0c + PCI_IDE_SEL_CTL,
			    PCI_IDE_SEL_CTL_CFG_EN | PCI_IDE_SEL_CTL_TEE_LIMITED, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)pos + 0x0c + PCI_IDE_SEL_CTL, 4),
			 PCI_IDE_SEL_CTL_CFG_EN | PCI_IDE_SEL_CTL_TEE_LIMITED);
	assert_true(hw_pcidev_cfg_read(d, (uint16_t)pos + PCI_IDE_CAP, 4) & PCI_IDE_CAP_TEE_LIMITED);
	dev_free(d);
}

/* ---- IDE_KM codecs ---- */

static const uint8_t key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const uint8_t ifv_a[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };

static void test_km_bytes(void **state)
{
	struct ide_km_msg m = { .object_id = IDE_KM_KEY_PROG, .stream_id = 7,
				.key_sub_stream = ide_km_ks(true, IDE_KM_SUB_CPL, 1),
				.port_index = 3, .key = key_a, .ifv = ifv_a };
	uint8_t b[64], exp_hdr[8] = { 0x00, 0x02, 0, 0, 7, 0, 0x23, 3 };
	struct ide_km_msg d;
	size_t i;
	int n;

	n = ide_km_encode(&m, b, sizeof(b));
	assert_int_equal(n, 48);
	assert_memory_equal(b, exp_hdr, 8);
	assert_memory_equal(b + 8, key_a, 32);
	assert_ok(ide_km_decode(b, (size_t)n, &d));
	assert_int_equal(d.object_id, IDE_KM_KEY_PROG);
	assert_int_equal(d.stream_id, 7);
	assert_int_equal(d.key_sub_stream, 0x23);
	assert_int_equal(d.port_index, 3);
	assert_memory_equal(d.key, key_a, 32);
	/* Every truncation and one extra byte are refused. */
	for (i = 0; i < (size_t)n; i++)
		assert_errno(EMSGSIZE, ide_km_decode(b, i, &d));
	assert_errno(EMSGSIZE, ide_km_decode(b, (size_t)n + 1, &d));
	assert_errno(EMSGSIZE, ide_km_encode(&m, b, 47));
	/* Wrong Protocol ID, unknown Object ID. */
	b[0] = 1;
	assert_errno(EPROTO, ide_km_decode(b, (size_t)n, &d));
	b[0] = 0;
	b[1] = 7;
	assert_errno(EPROTO, ide_km_decode(b, (size_t)n, &d));

	m = (struct ide_km_msg){ .object_id = IDE_KM_KP_ACK, .stream_id = 9, .status = 2,
				 .key_sub_stream = 0x10, .port_index = 1 };
	assert_int_equal(ide_km_encode(&m, b, sizeof(b)), 8);
	{
		const uint8_t e[8] = { 0x00, 0x03, 0, 0, 9, 2, 0x10, 1 };

		assert_memory_equal(b, e, 8);
	}
	m = (struct ide_km_msg){ .object_id = IDE_KM_QUERY, .port_index = 5 };
	assert_int_equal(ide_km_encode(&m, b, sizeof(b)), 4);
	{
		const uint8_t e[4] = { 0x00, 0x00, 0, 5 };

		assert_memory_equal(b, e, 4);
	}
	for (i = IDE_KM_K_SET_GO; i <= IDE_KM_K_GOSTOP_ACK; i++) {
		m = (struct ide_km_msg){ .object_id = (uint8_t)i, .stream_id = 4,
					 .key_sub_stream = 0x12, .port_index = 0 };
		assert_int_equal(ide_km_encode(&m, b, sizeof(b)), 8);
		assert_int_equal(b[1], i);
		assert_ok(ide_km_decode(b, 8, &d));
		assert_int_equal(d.stream_id, 4);
		assert_int_equal(d.key_sub_stream, 0x12);
	}
}

static void test_km_query_resp_regs(void **state)
{
	/* Cap: Selective, 2 streams; block 0 has 1 assoc, block 1 has 0. */
	uint8_t regs[8 + 32 + 20] = { 0 };
	struct ide_km_msg m = { .object_id = IDE_KM_QUERY_RESP, .bus = 2, .dev_func = 8,
				.max_port_index = 1, .regs = regs, .regs_len = sizeof(regs) };
	uint8_t b[128];
	struct ide_km_msg d;
	int n;

	regs[0] = PCI_IDE_CAP_SELECTIVE;
	regs[2] = 1;			/* Number of Selective streams - 1 */
	regs[8] = 1;			/* block 0: 1 address association */
	n = ide_km_encode(&m, b, sizeof(b));
	assert_int_equal(n, 8 + (int)sizeof(regs));
	assert_ok(ide_km_decode(b, (size_t)n, &d));
	assert_int_equal(d.bus, 2);
	assert_int_equal(d.regs_len, sizeof(regs));
	/* A dump that disagrees with its own counts is refused. */
	assert_errno(EPROTO, ide_km_decode(b, (size_t)n - 4, &d));
	b[8 + 8] = 2;
	assert_errno(EPROTO, ide_km_decode(b, (size_t)n, &d));
	b[8 + 8] = 15;			/* huge block: must not read past */
	assert_errno(EPROTO, ide_km_decode(b, (size_t)n, &d));
	m.regs_len = 4;
	assert_errno(EINVAL, ide_km_encode(&m, b, sizeof(b)));
}

/*
 * The QUERY_RESP DMTF spdm-emu's sample responder sends (seen on the
 * wire, docs/spdm.md Interoperability): PortIndex 0, MaxPortIndex 7 and
 * a fixed 72-DWORD register block of zeros. An IDE Capability register
 * of 0 describes no Link and no Selective IDE Stream register block, so
 * the dump must be 8 bytes (IDE Capability + IDE Control, PCIe r6.2
 * §7.9.26); 288 bytes disagree with it and the requester refuses it
 * (-EPROTO), which is where pcilab tdisp stops against that responder.
 */
static void test_km_query_resp_zero_block(void **state)
{
	uint8_t b[8 + 288] = { PCISIG_VDM_PROTO_IDE_KM, IDE_KM_QUERY_RESP, 0, 0, 0, 0, 0, 7 };
	struct ide_km_msg d;

	assert_errno(EPROTO, ide_km_decode(b, sizeof(b), &d));
	/* The same response with the 8 bytes its capability implies is fine. */
	assert_ok(ide_km_decode(b, 16, &d));
	assert_int_equal(d.max_port_index, 7);
	assert_int_equal(d.regs_len, 8);
}

/* ---- IDE_KM responder ---- */

struct km_dev {
	unsigned int go, stop;
	uint8_t last_ks;
	int fail_go;
};

static int km_query(void *ctx, uint8_t port, struct ide_km_msg *rsp, uint8_t *regs, size_t cap)
{
	rsp->bus = 3;
	rsp->dev_func = 0x10;
	memset(regs, 0, 8);
	regs[0] = PCI_IDE_CAP_LINK | PCI_IDE_CAP_IDE_KM;	/* 1 TC */
	memset(regs + 8, 0, 8);
	return 16;
}

static int km_go(void *ctx, uint8_t port, uint8_t sid, uint8_t ks, const uint8_t *key,
		 const uint8_t *ifv)
{
	struct km_dev *k = ctx;

	if (k->fail_go)
		return k->fail_go;
	k->go++;
	k->last_ks = ks;
	return memcmp(key, key_a, 32) ? -EINVAL : 0;
}

static int km_stop(void *ctx, uint8_t port, uint8_t sid, uint8_t ks)
{
	struct km_dev *k = ctx;

	k->stop++;
	return 0;
}

static const struct ide_km_responder_ops km_ops = { km_query, km_go, km_stop };

static int km_call(struct ide_km_responder *r, const struct ide_km_msg *q, struct ide_km_msg *a,
		   uint8_t *buf, size_t cap)
{
	uint8_t req[64];
	int n = ide_km_encode(q, req, sizeof(req));

	assert_true(n > 0);
	n = ide_km_responder_handle(r, req, (size_t)n, buf, cap);
	if (n < 0)
		return n;
	assert_ok(ide_km_decode(buf, (size_t)n, a));
	return 0;
}

static void test_km_responder(void **state)
{
	struct km_dev kd = { 0 };
	struct ide_km_responder_cfg cfg = { .max_port_index = 1, .max_streams = 1,
					    .ops = &km_ops, .ctx = &kd };
	struct ide_km_responder *r = ide_km_responder_new(&cfg);
	uint8_t ks = ide_km_ks(false, IDE_KM_SUB_NPR, 0), out[256], req[64];
	struct ide_km_msg q, a;
	int n;

	assert_false(IS_ERR(r));
	q = (struct ide_km_msg){ .object_id = IDE_KM_QUERY, .port_index = 1 };
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.object_id, IDE_KM_QUERY_RESP);
	assert_int_equal(a.bus, 3);
	assert_int_equal(a.max_port_index, 1);
	assert_int_equal(a.regs_len, 16);
	q.port_index = 2;
	assert_errno(EINVAL, km_call(r, &q, &a, out, sizeof(out)));

	/* GO before KEY_PROG has no key. */
	q = (struct ide_km_msg){ .object_id = IDE_KM_K_SET_GO, .stream_id = 5,
				 .key_sub_stream = ks };
	assert_errno(ENOKEY, km_call(r, &q, &a, out, sizeof(out)));
	/* KEY_PROG statuses. */
	q = (struct ide_km_msg){ .object_id = IDE_KM_KEY_PROG, .stream_id = 5,
				 .key_sub_stream = ks, .key = key_a, .ifv = ifv_a };
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.object_id, IDE_KM_KP_ACK);
	assert_int_equal(a.status, IDE_KM_KP_SUCCESS);
	assert_int_equal(a.stream_id, 5);
	assert_int_equal(a.key_sub_stream, ks);
	assert_true(ide_km_responder_has_key(r, 0, 5, ks));
	q.port_index = 2;
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.status, IDE_KM_KP_BAD_PORT);
	q.port_index = 0;
	q.key_sub_stream = 3 << IDE_KM_KS_SUB_SHIFT;
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.status, IDE_KM_KP_BAD_VALUE);
	/* Only one stream's slot: a second Stream ID does not fit. */
	q.key_sub_stream = ks;
	q.stream_id = 6;
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.status, IDE_KM_KP_BAD_VALUE);
	/* Incorrect Length still gets a KP_ACK. */
	q.stream_id = 5;
	n = ide_km_encode(&q, req, sizeof(req));
	n = ide_km_responder_handle(r, req, (size_t)n - 1, out, sizeof(out));
	assert_int_equal(n, 8);
	assert_ok(ide_km_decode(out, 8, &a));
	assert_int_equal(a.status, IDE_KM_KP_BAD_LENGTH);

	/* GO and STOP reach the device and are acknowledged. */
	q = (struct ide_km_msg){ .object_id = IDE_KM_K_SET_GO, .stream_id = 5,
				 .key_sub_stream = ks };
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.object_id, IDE_KM_K_GOSTOP_ACK);
	assert_int_equal(kd.go, 1);
	assert_int_equal(kd.last_ks, ks);
	kd.fail_go = -EIO;
	assert_errno(EIO, km_call(r, &q, &a, out, sizeof(out)));
	q.object_id = IDE_KM_K_SET_STOP;
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(kd.stop, 1);
	assert_false(ide_km_responder_has_key(r, 0, 5, ks));
	/* The slot is free again: another stream fits now. */
	q = (struct ide_km_msg){ .object_id = IDE_KM_KEY_PROG, .stream_id = 6,
				 .key_sub_stream = ks, .key = key_a, .ifv = ifv_a };
	assert_ok(km_call(r, &q, &a, out, sizeof(out)));
	assert_int_equal(a.status, IDE_KM_KP_SUCCESS);
	/* A response object as a request. */
	q = (struct ide_km_msg){ .object_id = IDE_KM_K_GOSTOP_ACK };
	assert_errno(EPROTO, km_call(r, &q, &a, out, sizeof(out)));
	ide_km_responder_free(r);
}

/* ---- IDE engine ---- */

static const uint8_t key_b[32] = { [0] = 0xaa, [31] = 0x55 };
static const uint8_t ifv_b[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };

struct link {
	struct hw_ide_engine *host, *ep;
	unsigned int reports;
	enum hw_ide_err last;
};

static void report(void *ctx, uint8_t sid, enum hw_ide_err err)
{
	struct link *l = ctx;

	l->reports++;
	l->last = err;
}

/* Program all six keys on both ends: host Tx = ep Rx and vice versa. */
static void link_keys(struct link *l, uint8_t sid, const uint8_t *ep_rx_key)
{
	unsigned int s;

	for (s = 0; s < IDE_KM_NSUB; s++) {
		assert_ok(hw_ide_key_go(l->host, sid, ide_km_ks(true, s, 0), key_a, ifv_b));
		assert_ok(hw_ide_key_go(l->ep, sid, ide_km_ks(false, s, 0), ep_rx_key, ifv_b));
		assert_ok(hw_ide_key_go(l->ep, sid, ide_km_ks(true, s, 0), key_b, ifv_b));
		assert_ok(hw_ide_key_go(l->host, sid, ide_km_ks(false, s, 0), key_b, ifv_b));
	}
}

static void link_init(struct link *l, struct hw_pcidev *ep_dev)
{
	struct hw_ide_engine_cfg cfg = { .report = report, .ctx = l };

	memset(l, 0, sizeof(*l));
	l->host = hw_ide_engine_new(NULL, &cfg);
	l->ep = hw_ide_engine_new(ep_dev, &cfg);
	assert_false(IS_ERR(l->host));
	assert_false(IS_ERR(l->ep));
}

static void link_fini(struct link *l)
{
	hw_ide_engine_free(l->host);
	hw_ide_engine_free(l->ep);
}

static void tlp_init(struct hw_ide_tlp *t, uint8_t *data, const char *msg)
{
	memset(t, 0, sizeof(*t));
	t->hdr[0] = 0x60;	/* MWr 4DW */
	t->hdr[3] = 4;
	t->hdr_len = 16;
	memcpy(data, msg, 16);
	t->data = data;
	t->len = 16;
}

static void test_engine_roundtrip(void **state)
{
	struct link l;
	struct hw_ide_tlp t, t2;
	uint8_t data[16], copy[16];
	unsigned int i;

	link_init(&l, NULL);
	assert_errno(ENOENT, hw_ide_stream_state(l.host, 1));
	tlp_init(&t, data, "secret payload!");
	assert_errno(ENOTCONN, hw_ide_tx(l.host, 1, IDE_KM_SUB_PR, &t));
	link_keys(&l, 1, key_a);
	assert_int_equal(hw_ide_stream_state(l.host, 1), PCI_IDE_STATE_SECURE);
	for (i = 0; i < 3; i++) {
		tlp_init(&t, data, "secret payload!");
		assert_ok(hw_ide_tx(l.host, 1, IDE_KM_SUB_PR, &t));
		/* The wire carries ciphertext, and it differs per TLP (IV). */
		assert_memory_not_equal(data, "secret payload!", 16);
		if (i)
			assert_memory_not_equal(data, copy, 16);
		memcpy(copy, data, 16);
		assert_int_equal(t.prefix[0], HW_IDE_PREFIX_TYPE);
		assert_int_equal(t.prefix[3], 1);
		assert_ok(hw_ide_rx(l.ep, &t));
		assert_memory_equal(data, "secret payload!", 16);
	}
	/* Other direction, other sub-stream, empty payload. */
	tlp_init(&t2, data, "completion data");
	assert_ok(hw_ide_tx(l.ep, 1, IDE_KM_SUB_CPL, &t2));
	assert_ok(hw_ide_rx(l.host, &t2));
	assert_memory_equal(data, "completion data", 16);
	t2.len = 0;
	assert_ok(hw_ide_tx(l.ep, 1, IDE_KM_SUB_CPL, &t2));
	assert_ok(hw_ide_rx(l.host, &t2));
	assert_int_equal(l.reports, 0);
	link_fini(&l);
}

static void test_engine_tamper(void **state)
{
	struct link l;
	struct hw_ide_tlp t;
	uint8_t data[16];
	size_t where[] = { 0, 15 };
	unsigned int i;

	/* Payload, header (AAD), prefix (AAD) and MAC are all covered. */
	for (i = 0; i < 5; i++) {
		link_init(&l, NULL);
		link_keys(&l, 2, key_a);
		tlp_init(&t, data, "0123456789abcdef");
		assert_ok(hw_ide_tx(l.host, 2, IDE_KM_SUB_NPR, &t));
		if (i < 2)
			data[where[i]] ^= 1;
		else if (i == 2)
			t.hdr[12] ^= 0x80;
		else if (i == 3)
			t.prefix[1] ^= HW_IDE_PREFIX_T;
		else
			t.mac[11] ^= 1;
		assert_errno(EBADMSG, hw_ide_rx(l.ep, &t));
		assert_int_equal(l.reports, 1);
		assert_int_equal(l.last, HW_IDE_ERR_MAC);
		/* The stream is Insecure now: nothing passes. */
		assert_int_equal(hw_ide_stream_state(l.ep, 2), PCI_IDE_STATE_INSECURE);
		assert_errno(ENOTCONN, hw_ide_tx(l.ep, 2, IDE_KM_SUB_CPL, &t));
		link_fini(&l);
	}
}

static void test_engine_replay_and_key_mismatch(void **state)
{
	struct link l;
	struct hw_ide_tlp t, saved;
	uint8_t data[16], sdata[16];
	unsigned int s;

	link_init(&l, NULL);
	link_keys(&l, 3, key_a);
	tlp_init(&t, data, "pay me once only");
	assert_ok(hw_ide_tx(l.host, 3, IDE_KM_SUB_PR, &t));
	saved = t;
	memcpy(sdata, data, 16);
	saved.data = sdata;
	assert_ok(hw_ide_rx(l.ep, &t));
	/* The same TLP again: its counter is behind the receiver's. */
	assert_errno(EBADMSG, hw_ide_rx(l.ep, &saved));
	assert_int_equal(l.last, HW_IDE_ERR_REPLAY);
	assert_int_equal(hw_ide_stream_state(l.ep, 3), PCI_IDE_STATE_INSECURE);
	/* Tear down and re-key: the stream comes back. */
	for (s = 0; s < IDE_KM_NSUB; s++)
		assert_ok(hw_ide_key_stop(l.ep, 3, ide_km_ks(false, s, 0)));
	assert_errno(ENOENT, hw_ide_key_stop(l.ep, 3, ide_km_ks(false, 0, 0)));
	for (s = 0; s < IDE_KM_NSUB; s++)
		assert_ok(hw_ide_key_go(l.ep, 3, ide_km_ks(false, s, 1), key_a, ifv_b));
	assert_int_equal(hw_ide_stream_state(l.ep, 3), PCI_IDE_STATE_SECURE);
	link_fini(&l);

	/* Key mismatch: the receiver holds another key. */
	link_init(&l, NULL);
	link_keys(&l, 4, key_b);
	tlp_init(&t, data, "wrong key inside");
	assert_ok(hw_ide_tx(l.host, 4, IDE_KM_SUB_PR, &t));
	assert_errno(EBADMSG, hw_ide_rx(l.ep, &t));
	assert_int_equal(l.last, HW_IDE_ERR_MAC);
	assert_memory_not_equal(data, "wrong key inside", 16);
	link_fini(&l);

	/* Key set bit naming a key set the receiver does not have. */
	link_init(&l, NULL);
	link_keys(&l, 5, key_a);
	tlp_init(&t, data, "key set one?????");
	assert_ok(hw_ide_tx(l.host, 5, IDE_KM_SUB_PR, &t));
	t.prefix[1] |= HW_IDE_PREFIX_K;
	assert_errno(EBADMSG, hw_ide_rx(l.ep, &t));
	assert_int_equal(l.last, HW_IDE_ERR_NO_KEY);
	link_fini(&l);
}

static void test_engine_registers(void **state)
{
	struct hw_cap_ide_cfg cfg = { .sel_streams = 1, .ide_km = true };
	struct hw_cap_aer_cfg aer = { 0 };
	struct hw_pcidev *d = dev_new();
	struct link l;
	struct hw_ide_tlp t;
	uint8_t data[16];
	int blk, aer_pos;

	aer_pos = hw_cap_add_aer(d, &aer);
	assert_ok(aer_pos);
	assert_ok(hw_cap_add_ide(d, &cfg));
	assert_ok(hw_pcidev_realize(d));
	blk = hw_cap_ide_stream_block(d, true, 0);
	link_init(&l, d);
	link_keys(&l, 9, key_a);
	/* Keys alone are not enough: the block must name the stream and be
	 * enabled. */
	assert_int_equal(hw_ide_stream_state(l.ep, 9), PCI_IDE_STATE_INSECURE);
	hw_pcidev_cfg_write(d, (uint16_t)blk + PCI_IDE_SEL_CTL, 9u << 24, 4);
	assert_int_equal(hw_ide_stream_state(l.ep, 9), PCI_IDE_STATE_INSECURE);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_INSECURE);
	/* Setting Enable makes the stream Secure at once (the capability
	 * tells the engine), and clearing it makes it Insecure at once. */
	hw_pcidev_cfg_write(d, (uint16_t)blk + PCI_IDE_SEL_CTL, 9u << 24 | 1, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_SECURE);
	assert_int_equal(hw_ide_stream_state(l.ep, 9), PCI_IDE_STATE_SECURE);
	hw_pcidev_cfg_write(d, (uint16_t)blk + PCI_IDE_SEL_CTL + 3, 9, 1);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_SECURE);
	hw_pcidev_cfg_write(d, (uint16_t)blk + PCI_IDE_SEL_CTL, 0, 1);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_INSECURE);
	tlp_init(&t, data, "0123456789abcdef");
	assert_errno(ENOTCONN, hw_ide_tx(l.ep, 9, IDE_KM_SUB_CPL, &t));
	/* Another Stream ID in the block: stream 9 has no block any more. */
	hw_pcidev_cfg_write(d, (uint16_t)blk + PCI_IDE_SEL_CTL, 8u << 24 | 1, 4);
	assert_int_equal(hw_ide_stream_state(l.ep, 9), PCI_IDE_STATE_INSECURE);
	hw_pcidev_cfg_write(d, (uint16_t)blk + PCI_IDE_SEL_CTL, 9u << 24 | 1, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_SECURE);
	/* One engine per function. */
	assert_err_ptr(EBUSY, hw_ide_engine_new(d, NULL));
	/* A bad TLP: State goes Insecure and AER logs IDE Check Failed. */
	tlp_init(&t, data, "0123456789abcdef");
	assert_ok(hw_ide_tx(l.host, 9, IDE_KM_SUB_PR, &t));
	data[3] ^= 0x40;
	assert_errno(EBADMSG, hw_ide_rx(l.ep, &t));
	assert_int_equal(hw_pcidev_cfg_read(d, (uint16_t)blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_INSECURE);
	assert_true(hw_pcidev_cfg_read(d, (uint16_t)aer_pos + PCI_ERR_UNCOR_STATUS, 4) &
		    PCI_ERR_UNC_IDE_CHECK);
	link_fini(&l);
	dev_free(d);
}

static void test_engine_fault_injection(void **state)
{
	struct hw_cap_ide_cfg icfg = { .sel_streams = 1 };
	struct km_dev kd = { 0 };
	struct ide_km_responder_cfg kcfg = { .max_streams = 2, .ops = &km_ops, .ctx = &kd };
	struct ide_km_responder *r;
	struct hw_ide_engine *e;
	struct hw_pcidev *d;
	unsigned int n;
	int rc;

	/* Every allocation of the builder and the IDE_KM responder. */
	for (n = 1;; n++) {
		d = dev_new();
		fault_inject_nth(n);
		rc = hw_cap_add_ide(d, &icfg);
		fault_inject_nth(0);
		dev_free(d);
		if (rc >= 0)
			break;
		assert_int_equal(rc, -ENOMEM);
	}
	for (n = 1;; n++) {
		fault_inject_nth(n);
		r = ide_km_responder_new(&kcfg);
		fault_inject_nth(0);
		if (!IS_ERR(r))
			break;
		assert_int_equal(PTR_ERR(r), -ENOMEM);
	}
	ide_km_responder_free(r);

	for (n = 1;; n++) {
		fault_inject_nth(n);
		e = hw_ide_engine_new(NULL, NULL);
		fault_inject_nth(0);
		if (!IS_ERR(e)) {
			hw_ide_engine_free(e);
			break;
		}
		assert_int_equal(PTR_ERR(e), -ENOMEM);
	}
	{
		struct link l;
		struct hw_ide_tlp t;
		uint8_t data[16];

		link_init(&l, NULL);
		link_keys(&l, 1, key_a);
		tlp_init(&t, data, "0123456789abcdef");
		fault_inject_nth(1);
		rc = hw_ide_tx(l.host, 1, IDE_KM_SUB_PR, &t);
		fault_inject_nth(0);
		assert_int_equal(rc, -ENOMEM);
		/* A failed seal consumed no counter: the next one still opens. */
		assert_ok(hw_ide_tx(l.host, 1, IDE_KM_SUB_PR, &t));
		assert_ok(hw_ide_rx(l.ep, &t));
		link_fini(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_layout),
		cmocka_unit_test(test_cap_invalid),
		cmocka_unit_test(test_km_bytes),
		cmocka_unit_test(test_km_query_resp_regs),
		cmocka_unit_test(test_km_query_resp_zero_block),
		cmocka_unit_test(test_km_responder),
		cmocka_unit_test(test_engine_roundtrip),
		cmocka_unit_test(test_engine_tamper),
		cmocka_unit_test(test_engine_replay_and_key_mismatch),
		cmocka_unit_test(test_engine_registers),
		cmocka_unit_test(test_engine_fault_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
