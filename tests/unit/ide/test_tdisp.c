// SPDX-License-Identifier: MIT
/*
 * TDISP (PCIe r6.2 §11): every message's codec, the TDI report, the TDI
 * state machine with the spec's error codes, the configuration-lock hook,
 * and an end-to-end IDE_KM + TDISP flow over a real SPDM secure session.
 */
#include <time.h>

#include "test.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pcidev.h"
#include "hw/security/ide_engine.h"
#include "hw/security/tdisp_dev.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_vendor.h"
#include "proto/tdisp/tdisp.h"

#define FID TDISP_FUNC_ID(0x0310, 0, false)

static const uint8_t nonce_a[32] = { [0] = 0x11, [31] = 0x99 };

/* ---- codecs ---- */

static void roundtrip(const struct tdisp_msg *m, size_t expect_len)
{
	uint8_t b[128];
	struct tdisp_msg d;
	size_t i;
	int n;

	n = tdisp_encode(m, b, sizeof(b));
	assert_int_equal(n, (int)expect_len);
	assert_int_equal(b[0], PCISIG_VDM_PROTO_TDISP);
	assert_int_equal(b[1], TDISP_VERSION_10);
	assert_int_equal(b[2], m->type);
	assert_ok(tdisp_decode(b, (size_t)n, &d));
	assert_int_equal(d.type, m->type);
	assert_int_equal(d.function_id, m->function_id);
	for (i = 0; i < (size_t)n; i++)
		if (m->type != TDISP_ERROR || i < 25)
			assert_int_not_equal(tdisp_decode(b, i, &d), 0);
	if (m->type != TDISP_ERROR)	/* ERROR carries optional trailing data */
		assert_errno(EMSGSIZE, tdisp_decode(b, (size_t)n + 1, &d));
	assert_errno(EMSGSIZE, tdisp_encode(m, b, (size_t)n - 1));
}

static void test_codec_every_message(void **state)
{
	static const uint8_t vers[] = { 0x10 };
	struct tdisp_msg m = { .version = TDISP_VERSION_10, .function_id = FID };
	uint8_t b[64], portion[5] = { 1, 2, 3, 4, 5 };
	struct tdisp_msg d;
	unsigned int i;
	static const uint8_t bare[] = { TDISP_GET_VERSION, TDISP_GET_DEVICE_INTERFACE_STATE,
					TDISP_START_INTERFACE_RSP, TDISP_STOP_INTERFACE_REQ,
					TDISP_STOP_INTERFACE_RSP };

	for (i = 0; i < ARRAY_SIZE(bare); i++) {
		m.type = bare[i];
		roundtrip(&m, 17);
	}
	/* Header bytes: Protocol ID, version, code, 2 reserved, FUNCTION_ID. */
	m.type = TDISP_GET_VERSION;
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 17);
	{
		const uint8_t e[17] = { 1, 0x10, 0x81, 0, 0, 0x10, 0x03, 0, 0 };

		assert_memory_equal(b, e, 17);
	}
	m.type = TDISP_VERSION;
	m.nversions = 1;
	m.versions = vers;
	roundtrip(&m, 19);
	m.type = TDISP_GET_CAPABILITIES;
	m.tsm_caps = 0xabcd;
	roundtrip(&m, 21);
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 21);
	assert_ok(tdisp_decode(b, 21, &d));
	assert_int_equal(d.tsm_caps, 0xabcd);
	m.type = TDISP_CAPABILITIES;
	m.caps.lock_flags_supported = 0x1f;
	m.caps.req_msgs_supported[0] = 0xfe;
	m.caps.dev_addr_width = 52;
	roundtrip(&m, 17 + 28);
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 45);
	assert_ok(tdisp_decode(b, 45, &d));
	assert_int_equal(d.caps.lock_flags_supported, 0x1f);
	assert_int_equal(d.caps.dev_addr_width, 52);
	assert_int_equal(d.caps.req_msgs_supported[0], 0xfe);
	m.type = TDISP_LOCK_INTERFACE_REQ;
	m.lock = (struct tdisp_lock_params){ .flags = TDISP_LOCK_MSIX, .default_stream_id = 3,
					     .mmio_reporting_offset = 0x123456789000ull,
					     .bind_p2p_addr_mask = 0xff };
	roundtrip(&m, 17 + 20);
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 37);
	assert_ok(tdisp_decode(b, 37, &d));
	assert_int_equal(d.lock.mmio_reporting_offset, 0x123456789000ull);
	assert_int_equal(d.lock.default_stream_id, 3);
	m.type = TDISP_LOCK_INTERFACE_RSP;
	m.nonce = nonce_a;
	roundtrip(&m, 17 + 32);
	m.type = TDISP_START_INTERFACE_REQ;
	roundtrip(&m, 17 + 32);
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 49);
	assert_ok(tdisp_decode(b, 49, &d));
	assert_memory_equal(d.nonce, nonce_a, 32);
	m.type = TDISP_GET_DEVICE_INTERFACE_REPORT;
	m.offset = 0x100;
	m.length = 0x40;
	roundtrip(&m, 21);
	m.type = TDISP_DEVICE_INTERFACE_REPORT;
	m.portion = portion;
	m.portion_len = 5;
	m.remainder_len = 7;
	roundtrip(&m, 21 + 5);
	m.type = TDISP_DEVICE_INTERFACE_STATE;
	m.state = TDISP_STATE_RUN;
	roundtrip(&m, 18);
	m.type = TDISP_ERROR;
	m.error_code = TDISP_ERR_INVALID_NONCE;
	roundtrip(&m, 25);

	/* Hostile input. */
	m.type = TDISP_DEVICE_INTERFACE_STATE;
	m.state = TDISP_STATE_RUN;
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 18);
	b[17] = 4;			/* no such TDI state */
	assert_errno(EPROTO, tdisp_decode(b, 18, &d));
	b[17] = 2;
	b[1] = 0x20;			/* another TDISP version */
	assert_errno(EPROTO, tdisp_decode(b, 18, &d));
	b[1] = 0x10;
	b[0] = 0;			/* IDE_KM, not TDISP */
	assert_errno(EPROTO, tdisp_decode(b, 18, &d));
	b[0] = 1;
	b[2] = TDISP_BIND_P2P_STREAM_REQ;
	assert_errno(EPROTO, tdisp_decode(b, 17, &d));
	m.type = TDISP_DEVICE_INTERFACE_REPORT;
	m.portion_len = 5;
	assert_int_equal(tdisp_encode(&m, b, sizeof(b)), 26);
	b[17] = 6;			/* PORTION_LENGTH beyond the message */
	assert_errno(EMSGSIZE, tdisp_decode(b, 26, &d));
	m.type = 0x99;
	assert_errno(EINVAL, tdisp_encode(&m, b, sizeof(b)));
}

static void test_report_codec(void **state)
{
	const struct tdisp_mmio_range in[2] = {
		{ .first_page = 0x80000, .num_pages = 4, .attributes = TDISP_RANGE_MSIX_TABLE,
		  .range_id = 0 },
		{ .first_page = 0x90000, .num_pages = 1, .range_id = 2 },
	};
	const uint8_t info[3] = { 7, 8, 9 };
	struct tdisp_report rp = { .interface_info = TDISP_INFO_DMA_NO_PASID, .nranges = 2,
				   .ranges = in, .dev_info_len = 3, .dev_info = info };
	struct tdisp_mmio_range out[2];
	struct tdisp_report d;
	uint8_t b[128];
	size_t i;
	int n;

	n = tdisp_report_encode(&rp, b, sizeof(b));
	assert_int_equal(n, 16 + 32 + 4 + 3);
	assert_ok(tdisp_report_decode(b, (size_t)n, &d, out, 2));
	assert_int_equal(d.nranges, 2);
	assert_int_equal(out[0].first_page, 0x80000);
	assert_int_equal(out[0].attributes, TDISP_RANGE_MSIX_TABLE);
	assert_int_equal(out[1].range_id, 2);
	assert_memory_equal(d.dev_info, info, 3);
	for (i = 0; i < (size_t)n; i++)
		assert_errno(EMSGSIZE, tdisp_report_decode(b, i, &d, out, 2));
	assert_errno(ENOSPC, tdisp_report_decode(b, (size_t)n, &d, out, 1));
	b[12] = 0xff;			/* MMIO_RANGE_COUNT far beyond the data */
	b[15] = 0xff;
	assert_errno(EMSGSIZE, tdisp_report_decode(b, (size_t)n, &d, out, 2));
}

/* ---- state machine, over a direct transport ---- */

struct direct {
	struct tdisp_responder *rsp;
	unsigned int reports;
	uint8_t last_old, last_new;
	unsigned int changes;
};

static int direct_xfer(void *ctx, const void *q, size_t qn, void *rsp, size_t cap, size_t *rn)
{
	struct direct *d = ctx;
	int n = tdisp_responder_handle(d->rsp, q, qn, rsp, cap);

	if (n < 0)
		return n;
	*rn = (size_t)n;
	return 0;
}

static int fake_report(void *ctx, uint32_t fid, const struct tdisp_lock_params *lock,
		       uint8_t *buf, size_t cap)
{
	struct direct *d = ctx;
	size_t i;

	d->reports++;
	/* 700 bytes: several chunks. */
	for (i = 0; i < 700; i++)
		buf[i] = (uint8_t)(i * 7 + lock->default_stream_id);
	return 700;
}

static void changed(void *ctx, uint32_t fid, uint8_t o, uint8_t n)
{
	struct direct *d = ctx;

	d->changes++;
	d->last_old = o;
	d->last_new = n;
}

static const struct tdisp_responder_ops fake_ops = { .report = fake_report,
						     .state_changed = changed };

#define expect_tdisp_err(CODE, expr) do {				\
		assert_errno(EREMOTEIO, (expr));			\
		assert_int_equal(q.last_error, (CODE));			\
	} while (0)

static uint8_t st(struct tdisp_requester *q)
{
	uint8_t s = 0xff;

	assert_ok(tdisp_req_get_state(q, FID, &s));
	return s;
}

static void test_state_machine(void **state)
{
	const uint32_t fids[] = { FID };
	struct direct dd = { 0 };
	struct tdisp_responder_cfg cfg = {
		.function_ids = fids, .ntdi = 1, .max_portion = 200, .ops = &fake_ops, .ctx = &dd,
		.caps = { .lock_flags_supported = TDISP_LOCK_NO_FW_UPDATE | TDISP_LOCK_MSIX },
	};
	struct tdisp_requester q = { .t = { direct_xfer, &dd } };
	struct tdisp_lock_params lp = { .default_stream_id = 1 };
	uint8_t nonce[32], nonce2[32], bad[32], rep[1024], ver;
	struct tdisp_caps caps;
	size_t len, i;

	dd.rsp = tdisp_responder_new(&cfg);
	assert_false(IS_ERR(dd.rsp));
	assert_ok(tdisp_req_get_version(&q, FID, &ver));
	assert_int_equal(ver, TDISP_VERSION_10);
	assert_ok(tdisp_req_get_capabilities(&q, FID, 0, &caps));
	assert_int_equal(caps.lock_flags_supported, TDISP_LOCK_NO_FW_UPDATE | TDISP_LOCK_MSIX);
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE,
			 tdisp_req_get_version(&q, FID + 1, &ver));

	/* CONFIG_UNLOCKED. */
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_get_report(&q, FID, 0, rep, sizeof(rep), &len));
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_start_interface(&q, FID, nonce_a));
	assert_ok(tdisp_req_stop_interface(&q, FID));
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	lp.flags = TDISP_LOCK_BIND_P2P;		/* not offered */
	expect_tdisp_err(TDISP_ERR_INVALID_REQUEST, tdisp_req_lock_interface(&q, FID, &lp, nonce));
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	assert_int_equal(dd.changes, 0);
	lp.flags = TDISP_LOCK_MSIX;
	assert_ok(tdisp_req_lock_interface(&q, FID, &lp, nonce));

	/* CONFIG_LOCKED. */
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_LOCKED);
	assert_int_equal(dd.last_new, TDISP_STATE_CONFIG_LOCKED);
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_lock_interface(&q, FID, &lp, nonce2));
	assert_ok(tdisp_req_get_report(&q, FID, 100, rep, sizeof(rep), &len));
	assert_int_equal(len, 700);
	for (i = 0; i < len; i++)
		assert_int_equal(rep[i], (uint8_t)(i * 7 + 1));
	assert_errno(EMSGSIZE, tdisp_req_get_report(&q, FID, 0, rep, 600, &len));
	memcpy(bad, nonce, 32);
	bad[5] ^= 1;
	expect_tdisp_err(TDISP_ERR_INVALID_NONCE, tdisp_req_start_interface(&q, FID, bad));
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_LOCKED);
	assert_ok(tdisp_req_start_interface(&q, FID, nonce));

	/* RUN. */
	assert_int_equal(st(&q), TDISP_STATE_RUN);
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_start_interface(&q, FID, nonce));
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_lock_interface(&q, FID, &lp, nonce2));
	assert_ok(tdisp_req_get_report(&q, FID, 0, rep, sizeof(rep), &len));
	assert_ok(tdisp_req_stop_interface(&q, FID));
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	assert_int_equal(dd.last_old, TDISP_STATE_RUN);

	/* A nonce is good for one START only, and a new LOCK makes a new one
	 * (fresh randomness here). */
	assert_ok(tdisp_req_lock_interface(&q, FID, &lp, nonce2));
	assert_memory_not_equal(nonce, nonce2, 32);
	expect_tdisp_err(TDISP_ERR_INVALID_NONCE, tdisp_req_start_interface(&q, FID, nonce));

	/* ERROR from CONFIG_LOCKED and from RUN. */
	assert_true(tdisp_responder_tdi_error(dd.rsp, FID));
	assert_int_equal(st(&q), TDISP_STATE_ERROR);
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_start_interface(&q, FID, nonce2));
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_lock_interface(&q, FID, &lp, nonce2));
	expect_tdisp_err(TDISP_ERR_INVALID_INTERFACE_STATE,
			 tdisp_req_get_report(&q, FID, 0, rep, sizeof(rep), &len));
	assert_false(tdisp_responder_tdi_error(dd.rsp, FID));
	assert_ok(tdisp_req_stop_interface(&q, FID));
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	assert_false(tdisp_responder_tdi_error(dd.rsp, FID));
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	assert_ok(tdisp_req_lock_interface(&q, FID, &lp, nonce));
	assert_ok(tdisp_req_start_interface(&q, FID, nonce));
	assert_true(tdisp_responder_tdi_error(dd.rsp, FID));
	assert_int_equal(st(&q), TDISP_STATE_ERROR);
	assert_int_equal(dd.last_old, TDISP_STATE_RUN);
	assert_ok(tdisp_req_stop_interface(&q, FID));
	assert_errno(ENOENT, tdisp_responder_state(dd.rsp, FID + 1));
	tdisp_responder_free(dd.rsp);
}

static void test_bad_requests(void **state)
{
	const uint32_t fids[] = { FID };
	struct direct dd = { 0 };
	struct tdisp_responder_cfg cfg = { .function_ids = fids, .ntdi = 1, .ops = &fake_ops,
					   .ctx = &dd, .fixed_nonce = nonce_a };
	struct tdisp_msg m = { .version = TDISP_VERSION_10, .function_id = FID }, a;
	uint8_t b[64], out[128];
	int n;

	dd.rsp = tdisp_responder_new(&cfg);
	assert_false(IS_ERR(dd.rsp));
#define CALL(len) do {							\
		n = tdisp_responder_handle(dd.rsp, b, (len), out, sizeof(out)); \
		assert_true(n > 0);					\
		assert_ok(tdisp_decode(out, (size_t)n, &a));		\
	} while (0)
	/* Another version. */
	m.type = TDISP_GET_VERSION;
	n = tdisp_encode(&m, b, sizeof(b));
	b[1] = 0x20;
	CALL(17);
	assert_int_equal(a.type, TDISP_ERROR);
	assert_int_equal(a.error_code, TDISP_ERR_VERSION_MISMATCH);
	/* Requests TDISP defines but we do not model. */
	b[1] = 0x10;
	b[2] = TDISP_BIND_P2P_STREAM_REQ;
	CALL(17);
	assert_int_equal(a.error_code, TDISP_ERR_UNSUPPORTED_REQUEST);
	b[2] = TDISP_VDM_REQ;
	CALL(17);
	assert_int_equal(a.error_code, TDISP_ERR_UNSUPPORTED_REQUEST);
	/* A response code sent as a request; truncated; trailing byte. */
	b[2] = TDISP_STOP_INTERFACE_RSP;
	CALL(17);
	assert_int_equal(a.error_code, TDISP_ERR_INVALID_REQUEST);
	b[2] = TDISP_GET_VERSION;
	CALL(16);
	assert_int_equal(a.error_code, TDISP_ERR_INVALID_REQUEST);
	CALL(18);
	assert_int_equal(a.error_code, TDISP_ERR_INVALID_REQUEST);
	CALL(0);
	assert_int_equal(a.error_code, TDISP_ERR_INVALID_REQUEST);
	/* Locked with the fixed nonce; report requests out of range. */
	m.type = TDISP_LOCK_INTERFACE_REQ;
	n = tdisp_encode(&m, b, sizeof(b));
	CALL((size_t)n);
	assert_int_equal(a.type, TDISP_LOCK_INTERFACE_RSP);
	assert_memory_equal(a.nonce, nonce_a, 32);
	m.type = TDISP_GET_DEVICE_INTERFACE_REPORT;
	m.offset = 700;
	m.length = 10;
	n = tdisp_encode(&m, b, sizeof(b));
	CALL((size_t)n);
	assert_int_equal(a.error_code, TDISP_ERR_INVALID_REQUEST);
	m.offset = 0;
	m.length = 0;
	n = tdisp_encode(&m, b, sizeof(b));
	CALL((size_t)n);
	assert_int_equal(a.error_code, TDISP_ERR_INVALID_REQUEST);
	m.offset = 690;
	m.length = 100;
	n = tdisp_encode(&m, b, sizeof(b));
	CALL((size_t)n);
	assert_int_equal(a.type, TDISP_DEVICE_INTERFACE_REPORT);
	assert_int_equal(a.portion_len, 10);
	assert_int_equal(a.remainder_len, 0);
	/* Responses that do not fit the caller's buffer. */
	assert_errno(EMSGSIZE, tdisp_responder_handle(dd.rsp, b, (size_t)n, out, 8));
#undef CALL
	tdisp_responder_free(dd.rsp);
}

static void test_fault_injection(void **state)
{
	const uint32_t fids[] = { FID };
	struct direct dd = { 0 };
	struct tdisp_responder_cfg cfg = { .function_ids = fids, .ntdi = 1, .ops = &fake_ops,
					   .ctx = &dd };
	struct tdisp_requester q = { .t = { direct_xfer, &dd } };
	struct tdisp_lock_params lp = { 0 };
	uint8_t nonce[32];
	unsigned int n;
	int rc;

	for (n = 1;; n++) {
		fault_inject_nth(n);
		dd.rsp = tdisp_responder_new(&cfg);
		fault_inject_nth(0);
		if (!IS_ERR(dd.rsp))
			break;
		assert_int_equal(PTR_ERR(dd.rsp), -ENOMEM);
	}
	/* LOCK fails cleanly at each of its failure points. */
	for (n = 1;; n++) {
		fault_inject_nth(n);
		rc = tdisp_req_lock_interface(&q, FID, &lp, nonce);
		fault_inject_nth(0);
		if (!rc)
			break;
		assert_int_equal(rc, -EREMOTEIO);
		assert_true(q.last_error == TDISP_ERR_INSUFFICIENT_ENTROPY ||
			    q.last_error == TDISP_ERR_BUSY);
		assert_int_equal(st(&q), TDISP_STATE_CONFIG_UNLOCKED);
	}
	assert_int_equal(st(&q), TDISP_STATE_CONFIG_LOCKED);
	tdisp_responder_free(dd.rsp);
}

/* ---- the device binding ---- */

static struct hw_pcidev *tdev_new(void)
{
	struct hw_pcidev *d = calloc(1, sizeof(*d));
	struct hw_cap_pcie_cfg pcie = { .type = HW_PCIE_ENDPOINT, .flr = true };
	struct hw_cap_aer_cfg aer = { 0 };
	struct hw_cap_ide_cfg ide = { .sel_streams = 1, .addr_assoc = 1, .ide_km = true };

	assert_non_null(d);
	assert_ok(hw_pcidev_init(d, PCI_HEADER_TYPE_NORMAL, NULL, "tdi"));
	hw_pcidev_set_ids(d, 0x8086, 0x1234, 0x020000, 1);
	assert_ok(hw_pcidev_set_bar(d, 0, HW_BAR_MEM64, false, 0x4000));
	assert_ok(hw_pcidev_set_bar(d, 2, HW_BAR_MEM32, false, 0x1000));
	assert_ok(hw_cap_add_pcie(d, &pcie));
	assert_ok(hw_cap_add_aer(d, &aer));
	assert_ok(hw_cap_add_ide(d, &ide));
	assert_ok(hw_pcidev_realize(d));
	hw_pcidev_cfg_write(d, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
	hw_pcidev_cfg_write(d, PCI_BASE_ADDRESS_1, 0x1, 4);
	hw_pcidev_cfg_write(d, PCI_BASE_ADDRESS_2, 0xfd100000, 4);
	hw_pcidev_cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	return d;
}

static void tdev_free(struct hw_pcidev *d)
{
	hw_pcidev_destroy(d);
	free(d);
}

static int vdm_direct(void *ctx, const void *q, size_t qn, void *rsp, size_t cap, size_t *rn)
{
	static const uint8_t vid[2] = { 1, 0 };
	struct spdm_vendor_msg m = { .standard_id = SPDM_STD_ID_PCISIG, .vendor_id_len = 2,
				     .vendor_id = vid, .payload_len = (uint16_t)qn, .payload = q };
	int n = hw_tdisp_vdm_handler(ctx, &m, rsp, cap);

	if (n < 0)
		return n;
	*rn = (size_t)n;
	return 0;
}

static void test_cfg_lock_hook(void **state)
{
	struct hw_pcidev *d = tdev_new();
	struct hw_tdisp_dev_cfg cfg = { .function_id = FID,
					.lock_flags_supported = TDISP_LOCK_NO_FW_UPDATE };
	struct hw_tdisp_dev *t = hw_tdisp_dev_new(d, &cfg);
	struct tdisp_requester q = { .t = { vdm_direct, t } };
	struct tdisp_lock_params lp = { .flags = TDISP_LOCK_NO_FW_UPDATE,
					.mmio_reporting_offset = 0x100000000ull };
	struct tdisp_mmio_range ranges[4];
	struct tdisp_report rp;
	uint16_t exp = hw_pcidev_find_cap(d, PCI_CAP_ID_EXP);
	uint16_t aer = hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_ERR);
	uint16_t ide = hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_IDE);
	uint8_t nonce[32], rep[512];
	size_t len;
	struct {
		uint16_t off;
		unsigned int len;
	} locked[] = {
		{ PCI_COMMAND, 2 }, { PCI_BASE_ADDRESS_0, 4 }, { PCI_BASE_ADDRESS_5, 4 },
		{ PCI_ROM_ADDRESS, 4 }, { PCI_CACHE_LINE_SIZE, 1 }, { (uint16_t)(exp + PCI_EXP_DEVCTL), 2 },
		{ (uint16_t)(exp + PCI_EXP_DEVCTL2), 2 }, { (uint16_t)(ide + 0x0c + PCI_IDE_SEL_CTL), 4 },
		{ 0x04, 4 },	/* dword write covering Command */
	}, open_regs[] = {
		{ PCI_STATUS, 2 }, { (uint16_t)(exp + PCI_EXP_DEVSTA), 2 },
		{ (uint16_t)(aer + PCI_ERR_UNCOR_STATUS), 4 }, { PCI_INTERRUPT_LINE, 1 },
	};
	unsigned int i;

	assert_false(IS_ERR(t));
	/* Nothing is locked while CONFIG_UNLOCKED. */
	for (i = 0; i < ARRAY_SIZE(locked); i++)
		assert_false(hw_tdisp_cfg_write_notify(t, locked[i].off, locked[i].len));
	assert_int_equal(hw_tdisp_state(t), TDISP_STATE_CONFIG_UNLOCKED);

	/* The report names the BARs, offset by MMIO_REPORTING_OFFSET. */
	assert_ok(tdisp_req_lock_interface(&q, FID, &lp, nonce));
	assert_ok(tdisp_req_get_report(&q, FID, 32, rep, sizeof(rep), &len));
	assert_ok(tdisp_report_decode(rep, len, &rp, ranges, 4));
	assert_int_equal(rp.nranges, 2);
	assert_int_equal(ranges[0].first_page, (0x1fe000000ull + 0x100000000ull) >> 12);
	assert_int_equal(ranges[0].num_pages, 4);
	assert_int_equal(ranges[0].range_id, 0);
	assert_int_equal(ranges[1].first_page, (0xfd100000ull + 0x100000000ull) >> 12);
	assert_int_equal(ranges[1].range_id, 2);
	assert_true(rp.interface_info & TDISP_INFO_NO_FW_UPDATE);
	assert_true(rp.interface_info & TDISP_INFO_DMA_NO_PASID);

	/* Allowed writes leave the TDI alone in CONFIG_LOCKED and RUN. */
	for (i = 0; i < ARRAY_SIZE(open_regs); i++)
		assert_false(hw_tdisp_cfg_write_notify(t, open_regs[i].off, open_regs[i].len));
	assert_ok(tdisp_req_start_interface(&q, FID, nonce));
	for (i = 0; i < ARRAY_SIZE(open_regs); i++)
		assert_false(hw_tdisp_cfg_write_notify(t, open_regs[i].off, open_regs[i].len));
	assert_int_equal(hw_tdisp_state(t), TDISP_STATE_RUN);

	/* Each locked register, in RUN and in CONFIG_LOCKED, means ERROR. */
	for (i = 0; i < 2 * ARRAY_SIZE(locked); i++) {
		unsigned int k = i % ARRAY_SIZE(locked);

		assert_ok(tdisp_req_stop_interface(&q, FID));
		assert_ok(tdisp_req_lock_interface(&q, FID, &lp, nonce));
		if (i < ARRAY_SIZE(locked))
			assert_ok(tdisp_req_start_interface(&q, FID, nonce));
		assert_true(hw_tdisp_cfg_write_notify(t, locked[k].off, locked[k].len));
		assert_int_equal(hw_tdisp_state(t), TDISP_STATE_ERROR);
	}
	/* No IDE_KM responder was given: Protocol ID 00h is refused. */
	{
		uint8_t qb[4] = { 0, IDE_KM_QUERY, 0, 0 }, rb[64];

		assert_errno(EOPNOTSUPP, vdm_direct(t, qb, 4, rb, sizeof(rb), &len));
		qb[0] = 7;
		assert_errno(EOPNOTSUPP, vdm_direct(t, qb, 4, rb, sizeof(rb), &len));
	}
	hw_tdisp_dev_free(t);
	tdev_free(d);
}

/* ---- SPDM VENDOR_DEFINED (DSP0274 1.3.0 §10.23) ---- */

static void test_spdm_vendor_codec(void **state)
{
	static const uint8_t vid[2] = { 0x01, 0x00 }, pl[3] = { 0x00, 0x00, 0x07 };
	const uint8_t exp[14] = { 0x12, 0xfe, 0, 0, 0x03, 0x00, 0x02, 0x01, 0x00, 0x03, 0x00,
				  0x00, 0x00, 0x07 };
	struct spdm_vendor_msg m = { .standard_id = SPDM_STD_ID_PCISIG, .vendor_id_len = 2,
				     .vendor_id = vid, .payload_len = 3, .payload = pl };
	struct spdm_vendor_msg d;
	uint8_t b[32];
	size_t i;

	assert_int_equal(spdm_encode_vendor_req(0x12, &m, b, sizeof(b)), 14);
	assert_memory_equal(b, exp, 14);
	assert_ok(spdm_decode_vendor_req(0x12, b, 14, &d));
	assert_true(spdm_vendor_is_pcisig(&d));
	assert_int_equal(d.payload_len, 3);
	assert_memory_equal(d.payload, pl, 3);
	for (i = 0; i < 14; i++)
		assert_int_not_equal(spdm_decode_vendor_req(0x12, b, i, &d), 0);
	assert_errno(EMSGSIZE, spdm_decode_vendor_req(0x12, b, 15, &d));
	assert_errno(EPROTO, spdm_decode_vendor_rsp(0x12, b, 14, &d));
	assert_errno(EPROTO, spdm_decode_vendor_req(0x13, b, 14, &d));
	assert_errno(EMSGSIZE, spdm_encode_vendor_req(0x12, &m, b, 13));
	assert_int_equal(spdm_encode_vendor_rsp(0x13, &m, b, sizeof(b)), 14);
	assert_int_equal(b[1], SPDM_VENDOR_DEFINED_RESPONSE);
	assert_ok(spdm_decode_vendor_rsp(0x13, b, 14, &d));
	/* ReqLength beyond the message. */
	b[9] = 4;
	assert_errno(EMSGSIZE, spdm_decode_vendor_rsp(0x13, b, 14, &d));
	/* Another standards body, or another vendor, is not PCI-SIG. */
	m.standard_id = 4;
	assert_false(spdm_vendor_is_pcisig(&m));
	m.standard_id = SPDM_STD_ID_PCISIG;
	m.vendor_id_len = 1;
	assert_false(spdm_vendor_is_pcisig(&m));
	m.vendor_id_len = 0;
	m.vendor_id = NULL;
	assert_int_equal(spdm_encode_vendor_req(0x12, &m, b, sizeof(b)), 12);
	assert_ok(spdm_decode_vendor_req(0x12, b, 12, &d));
	assert_int_equal(d.vendor_id_len, 0);
}

/* ---- end to end over SPDM ---- */

struct loop {
	struct spdm_responder *rsp;
	uint8_t buf[SPDM_MAX_MSG_SIZE + 64];
	size_t len;
	bool secured;
};

static int loop_send(void *ctx, bool secured, const void *buf, size_t len)
{
	struct loop *l = ctx;
	int n = spdm_responder_handle(l->rsp, secured, buf, len, &l->secured, l->buf,
				      sizeof(l->buf));

	if (n < 0)
		return n;
	l->len = (size_t)n;
	return 0;
}

static int loop_recv(void *ctx, bool *secured, void *buf, size_t cap, size_t *len)
{
	struct loop *l = ctx;

	if (l->len > cap)
		return -EMSGSIZE;
	memcpy(buf, l->buf, l->len);
	*len = l->len;
	*secured = l->secured;
	return 0;
}

static const struct spdm_transport_ops loop_ops = { .send = loop_send, .recv = loop_recv };

#define CAPS (SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX)

static void test_e2e_ide_km_tdisp_over_spdm(void **state)
{
	time_t now = time(NULL);
	struct hw_pcidev *d = tdev_new();
	struct hw_ide_engine *dev_eng = hw_ide_engine_new(d, &(struct hw_ide_engine_cfg){
		.rid = 0x0310 });
	struct hw_ide_engine *host_eng = hw_ide_engine_new(NULL, NULL);
	struct ide_km_responder *km;
	struct hw_tdisp_dev *td;
	struct spdm_cert_set *cs;
	X509_STORE *trust;
	struct spdm_requester *req;
	struct loop loop = { 0 };
	struct ide_km_msg info;
	uint8_t regs[256], key_tx[32], key_rx[32], ifv[8] = { 0 }, status, nonce[32], rep[512];
	uint8_t tdi_state, ver, data[32];
	struct hw_ide_tlp tlp = { .hdr_len = 12, .data = data, .len = sizeof(data) };
	struct pcisig_vdm_transport vt;
	struct tdisp_requester tq;
	struct tdisp_lock_params lp = { 0 };
	size_t regs_len, len;
	uint16_t ide = hw_pcidev_find_ext_cap(d, PCI_EXT_CAP_ID_IDE);
	uint16_t blk;
	uint32_t sid;
	unsigned int s;

	assert_false(IS_ERR(dev_eng));
	assert_false(IS_ERR(host_eng));
	km = ide_km_responder_new(&(struct ide_km_responder_cfg){
		.max_port_index = 0, .max_streams = 2, .ops = &hw_ide_engine_km_ops,
		.ctx = dev_eng });
	assert_false(IS_ERR(km));
	td = hw_tdisp_dev_new(d, &(struct hw_tdisp_dev_cfg){ .function_id = FID, .ide_km = km });
	assert_false(IS_ERR(td));

	cs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "tdi", now - 60, now + 3600);
	assert_false(IS_ERR(cs));
	trust = spdm_trust_store_new(cs->root);
	loop.rsp = spdm_responder_new(&(struct spdm_responder_config){
		.versions = { 0x12 }, .nversions = 1, .caps = CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM },
		.certs = cs, .vendor_handler = hw_tdisp_vdm_handler, .vendor_ctx = td });
	assert_false(IS_ERR(loop.rsp));
	req = spdm_requester_new(&(struct spdm_requester_config){
		.versions = { 0x12 }, .nversions = 1, .caps = CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM },
		.trust = trust }, &loop_ops, &loop);
	assert_false(IS_ERR(req));
	vt = (struct pcisig_vdm_transport){ spdm_req_pcisig_vdm, req };
	tq = (struct tdisp_requester){ .t = vt };

	assert_ok(spdm_req_init_connection(req));
	assert_ok(spdm_req_get_digests(req));
	assert_ok(spdm_req_get_certificate(req, 0));
	/* IDE_KM and TDISP only travel inside a session. */
	assert_errno(ENOTCONN, ide_km_req_query(&vt, 0, &info, regs, sizeof(regs), &regs_len));
	assert_ok(spdm_req_start_session(req, 0, &sid));

	/* IDE_KM: QUERY returns the function's real IDE registers. */
	assert_ok(ide_km_req_query(&vt, 0, &info, regs, sizeof(regs), &regs_len));
	assert_int_equal(info.bus, 0x03);
	assert_int_equal(info.dev_func, 0x10);
	assert_int_equal(regs_len, 8 + 20 + 12);
	assert_int_equal(regs[0] | regs[1] << 8 | regs[2] << 16 | (uint32_t)regs[3] << 24,
			 hw_pcidev_get32(d, ide + PCI_IDE_CAP));
	assert_errno(EREMOTEIO, ide_km_req_query(&vt, 1, &info, NULL, 0, NULL));
	assert_int_equal(spdm_req_last_error(req), SPDM_ERR_INVALID_REQUEST);

	/* Program and start all six keys of Stream 4. */
	assert_ok(spdm_random(key_tx, 32));
	assert_ok(spdm_random(key_rx, 32));
	for (s = 0; s < IDE_KM_NSUB; s++) {
		assert_ok(ide_km_req_key_prog(&vt, 0, 4, ide_km_ks(false, s, 0), key_rx, ifv,
					      &status));
		assert_ok(ide_km_req_key_prog(&vt, 0, 4, ide_km_ks(true, s, 0), key_tx, ifv,
					      &status));
		assert_ok(hw_ide_key_go(host_eng, 4, ide_km_ks(true, s, 0), key_rx, ifv));
		assert_ok(hw_ide_key_go(host_eng, 4, ide_km_ks(false, s, 0), key_tx, ifv));
	}
	assert_errno(EREMOTEIO, ide_km_req_key_prog(&vt, 0, 4, 3 << IDE_KM_KS_SUB_SHIFT, key_tx,
						    ifv, &status));
	assert_int_equal(status, IDE_KM_KP_BAD_VALUE);
	for (s = 0; s < IDE_KM_NSUB; s++) {
		assert_ok(ide_km_req_key_set_go(&vt, 0, 4, ide_km_ks(false, s, 0)));
		assert_ok(ide_km_req_key_set_go(&vt, 0, 4, ide_km_ks(true, s, 0)));
	}
	/* The kernel enables the Selective stream in config space. */
	blk = (uint16_t)hw_cap_ide_stream_block(d, true, 0);
	assert_int_equal(hw_ide_stream_state(dev_eng, 4), PCI_IDE_STATE_INSECURE);
	hw_pcidev_cfg_write(d, blk + PCI_IDE_SEL_CTL, 4u << 24 | PCI_IDE_STREAM_CTL_EN, 4);
	assert_int_equal(hw_pcidev_cfg_read(d, blk + PCI_IDE_SEL_STS, 4) & 0xf,
			 PCI_IDE_STATE_SECURE);
	assert_int_equal(hw_ide_stream_state(dev_eng, 4), PCI_IDE_STATE_SECURE);
	/* TLPs both ways under the programmed keys. */
	memset(data, 0x5a, sizeof(data));
	assert_ok(hw_ide_tx(host_eng, 4, IDE_KM_SUB_PR, &tlp));
	assert_ok(hw_ide_rx(dev_eng, &tlp));
	assert_int_equal(data[31], 0x5a);
	assert_ok(hw_ide_tx(dev_eng, 4, IDE_KM_SUB_CPL, &tlp));
	assert_ok(hw_ide_rx(host_eng, &tlp));
	assert_int_equal(data[0], 0x5a);

	/* TDISP over the same session. */
	assert_ok(tdisp_req_get_version(&tq, FID, &ver));
	assert_ok(tdisp_req_lock_interface(&tq, FID, &lp, nonce));
	assert_ok(tdisp_req_get_report(&tq, FID, 24, rep, sizeof(rep), &len));
	assert_int_equal(len, 16 + 2 * 16 + 4);
	assert_ok(tdisp_req_start_interface(&tq, FID, nonce));
	assert_ok(tdisp_req_get_state(&tq, FID, &tdi_state));
	assert_int_equal(tdi_state, TDISP_STATE_RUN);
	/* The host moves a BAR under a running TDI. */
	hw_pcidev_cfg_write(d, PCI_BASE_ADDRESS_2, 0xfd200000, 4);
	assert_true(hw_tdisp_cfg_write_notify(td, PCI_BASE_ADDRESS_2, 4));
	assert_ok(tdisp_req_get_state(&tq, FID, &tdi_state));
	assert_int_equal(tdi_state, TDISP_STATE_ERROR);
	assert_errno(EREMOTEIO, tdisp_req_start_interface(&tq, FID, nonce));
	assert_int_equal(tq.last_error, TDISP_ERR_INVALID_INTERFACE_STATE);
	assert_ok(tdisp_req_stop_interface(&tq, FID));

	/* Keys come down with K_SET_STOP; the stream is Insecure again. */
	assert_ok(ide_km_req_key_set_stop(&vt, 0, 4, ide_km_ks(true, IDE_KM_SUB_PR, 0)));
	assert_false(ide_km_responder_has_key(km, 0, 4, ide_km_ks(true, IDE_KM_SUB_PR, 0)));
	assert_int_equal(hw_ide_stream_state(dev_eng, 4), PCI_IDE_STATE_INSECURE);
	assert_errno(EREMOTEIO, ide_km_req_key_set_go(&vt, 0, 4, ide_km_ks(true, IDE_KM_SUB_PR, 0)));
	assert_ok(spdm_req_end_session(req));
	assert_errno(ENOTCONN, tdisp_req_get_state(&tq, FID, &tdi_state));

	spdm_requester_free(req);
	spdm_responder_free(loop.rsp);
	X509_STORE_free(trust);
	spdm_cert_set_free(cs);
	hw_tdisp_dev_free(td);
	ide_km_responder_free(km);
	hw_ide_engine_free(dev_eng);
	hw_ide_engine_free(host_eng);
	tdev_free(d);
}

/* A responder with no vendor handler keeps answering UnsupportedRequest,
 * as before VENDOR_DEFINED support existed; the session survives. */
static void test_spdm_vendor_unsupported(void **state)
{
	time_t now = time(NULL);
	struct spdm_cert_set *cs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "d", now - 60,
							  now + 3600);
	X509_STORE *trust = spdm_trust_store_new(cs->root);
	struct loop loop = { 0 };
	struct spdm_requester *req;
	uint8_t q[4] = { 0, IDE_KM_QUERY, 0, 0 }, r[64];
	size_t rn;

	loop.rsp = spdm_responder_new(&(struct spdm_responder_config){
		.versions = { 0x13 }, .nversions = 1, .caps = CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM }, .certs = cs });
	req = spdm_requester_new(&(struct spdm_requester_config){
		.versions = { 0x13 }, .nversions = 1, .caps = CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM }, .trust = trust }, &loop_ops, &loop);
	assert_false(IS_ERR(loop.rsp));
	assert_false(IS_ERR(req));
	assert_ok(spdm_req_init_connection(req));
	assert_ok(spdm_req_get_digests(req));
	assert_ok(spdm_req_get_certificate(req, 0));
	assert_ok(spdm_req_start_session(req, 0, NULL));
	assert_errno(EREMOTEIO, spdm_req_pcisig_vdm(req, q, sizeof(q), r, sizeof(r), &rn));
	assert_int_equal(spdm_req_last_error(req), SPDM_ERR_UNSUPPORTED_REQUEST);
	/* The session still works (no HBEAT_CAP here, so no HEARTBEAT). */
	assert_ok(spdm_req_session_get_digests(req));
	assert_ok(spdm_req_end_session(req));
	spdm_requester_free(req);
	spdm_responder_free(loop.rsp);
	X509_STORE_free(trust);
	spdm_cert_set_free(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_every_message),
		cmocka_unit_test(test_report_codec),
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_cfg_lock_hook),
		cmocka_unit_test(test_spdm_vendor_codec),
		cmocka_unit_test(test_e2e_ide_km_tdisp_over_spdm),
		cmocka_unit_test(test_spdm_vendor_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
