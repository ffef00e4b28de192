// SPDX-License-Identifier: MIT
/* SPDM library tests: requester <-> responder over an in-memory transport
 * (test_spdm_codec.c has the codecs, crypto and certificates). */
#include "test.h"

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_cert.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_internal.h"
#include "proto/spdm/spdm_msg.h"
#include "proto/spdm/spdm_secured.h"

/* ---- requester <-> responder ---- */

struct loop {
	struct spdm_responder *rsp;
	uint8_t buf[SPDM_MAX_MSG_SIZE + 64];
	size_t len;
	bool secured;
	int flip_at;		/* >= 0: flip this byte of the nth response */
	int flip_msg, nmsg;
	int save_msg;		/* >= 0: copy the nth response to saved */
	uint8_t saved[64];
	size_t saved_len;
	/* Plain requests and responses of the first vca_msgs exchanges. */
	unsigned int vca_msgs;
	uint8_t vca[1024];
	size_t vca_len;
};

static int loop_send(void *ctx, bool secured, const void *buf, size_t len)
{
	struct loop *l = ctx;
	int n = spdm_responder_handle(l->rsp, secured, buf, len, &l->secured, l->buf, sizeof(l->buf));

	if (n < 0)
		return n;
	l->len = (size_t)n;
	if (!secured && l->vca_msgs && l->vca_len + len + l->len <= sizeof(l->vca)) {
		l->vca_msgs--;
		memcpy(l->vca + l->vca_len, buf, len);
		memcpy(l->vca + l->vca_len + len, l->buf, l->len);
		l->vca_len += len + l->len;
	}
	if (l->flip_at >= 0 && l->nmsg == l->flip_msg && (size_t)l->flip_at < l->len)
		l->buf[l->flip_at] ^= 0x01;	/* man in the middle */
	if (l->save_msg >= 0 && l->nmsg == l->save_msg) {
		l->saved_len = MIN(l->len, sizeof(l->saved));
		memcpy(l->saved, l->buf, l->saved_len);
	}
	l->nmsg++;
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

static const uint8_t fw[] = "firmware image v1";
static const uint8_t cfgdata[] = "hardware config";
static const struct spdm_meas_config meas[] = {
	{ .index = 1, .type = SPDM_DMTF_MEAS_MUTABLE_FW, .data = fw, .len = sizeof(fw) },
	{ .index = 2, .type = SPDM_DMTF_MEAS_HW_CONFIG, .data = cfgdata, .len = sizeof(cfgdata) },
};

#define RSP_CAPS (SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_ENCRYPT | \
		  SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)
#define REQ_CAPS (SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | \
		  SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)

/*
 * RSA-3072 key generation costs ~0.5 s, so the RSA worlds share one
 * chain (RSASSA_3072 and RSAPSS_3072 use the same key), generated on
 * first use and freed by the group teardown.
 */
static struct spdm_cert_set *rsa_chain;

static struct spdm_cert_set *world_chain(uint32_t asym)
{
	time_t now = time(NULL);
	struct spdm_cert_set *cs;

	if (!(asym & (SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072))) {
		cs = spdm_cert_set_generate(asym, "dev", now - 60, now + 3600);
		assert_false(IS_ERR(cs));
		return cs;
	}
	if (!rsa_chain) {
		rsa_chain = spdm_cert_set_generate(asym, "dev", now - 60, now + 3600);
		assert_false(IS_ERR(rsa_chain));
	}
	return rsa_chain;
}

static int free_rsa_chain(void **state)
{
	spdm_cert_set_free(rsa_chain);
	rsa_chain = NULL;
	return 0;
}

struct world {
	struct spdm_cert_set *cs, *signer;
	X509_STORE *trust;
	struct loop loop;
	struct spdm_requester *req;
};

static void world_init(struct world *w, uint8_t rsp_ver, uint8_t req_ver, uint32_t asym,
		       uint32_t hash, uint16_t dhe, bool wrong_key, const uint8_t *fixed_nonce)
{
	struct spdm_responder_config rc = {
		.versions = { rsp_ver }, .nversions = 1, .caps = RSP_CAPS,
		.algos = { asym, hash, dhe, SPDM_AEAD_AES256_GCM },
		.meas = meas, .nmeas = 2, .data_transfer_size = 512,
		.fixed_nonce = fixed_nonce, .heartbeat_period = 60,
	};
	struct spdm_requester_config qc = {
		.versions = { req_ver }, .nversions = 1, .caps = REQ_CAPS,
		.algos = { asym, hash, dhe, SPDM_AEAD_AES256_GCM },
		.cert_chunk = 200,
	};

	memset(w, 0, sizeof(*w));
	w->cs = world_chain(asym);
	w->signer = w->cs;
	if (wrong_key) {
		/* Same chain, but the device signs with an unrelated key. */
		w->signer = pl_zalloc(sizeof(*w->signer));
		*w->signer = *w->cs;
		w->signer->leaf_key = spdm_keygen_asym(asym);
	}
	rc.certs = w->signer;
	w->trust = spdm_trust_store_new(w->cs->root);
	qc.trust = w->trust;
	w->loop.rsp = spdm_responder_new(&rc);
	assert_false(IS_ERR(w->loop.rsp));
	w->loop.flip_at = -1;
	w->loop.save_msg = -1;
	w->req = spdm_requester_new(&qc, &loop_ops, &w->loop);
	assert_false(IS_ERR(w->req));
}

static void world_fini(struct world *w)
{
	spdm_requester_free(w->req);
	spdm_responder_free(w->loop.rsp);
	if (w->signer != w->cs) {
		EVP_PKEY_free(w->signer->leaf_key);
		free(w->signer);
	}
	X509_STORE_free(w->trust);
	if (w->cs != rsa_chain)
		spdm_cert_set_free(w->cs);
}

static void full_flow(uint8_t ver, uint32_t asym, uint32_t hash, uint16_t dhe)
{
	struct world w;
	uint8_t rec[512];
	size_t len;
	unsigned int nb;
	uint32_t sid;
	struct spdm_meas_block blocks[2];

	world_init(&w, ver, ver, asym, hash, dhe, false, NULL);
	assert_ok(spdm_req_init_connection(w.req));
	assert_int_equal(spdm_req_version(w.req), ver);
	assert_int_equal(spdm_req_selected_asym(w.req), asym);
	assert_ok(spdm_req_get_digests(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_ok(spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_NONE));
	assert_ok(spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_ALL));
	assert_ok(spdm_req_get_measurements(w.req, false, NULL, 0, NULL, NULL));
	assert_ok(spdm_req_get_measurements(w.req, true, rec, sizeof(rec), &len, &nb));
	assert_int_equal(nb, 2);
	assert_ok(spdm_parse_meas_record(rec, len, nb, blocks, 2));
	assert_int_equal(blocks[1].index, 2);
	assert_int_equal(blocks[0].value_size, spdm_hash_size(hash));
	assert_ok(spdm_req_start_session(w.req, 0, &sid));
	assert_int_not_equal(sid, 0);
	assert_ok(spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_key_update(w.req, SPDM_KEY_UPDATE_OP_UPDATE_KEY));
	assert_ok(spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_key_update(w.req, SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS));
	assert_ok(spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_end_session(w.req));
	assert_errno(ENOTCONN, spdm_req_heartbeat(w.req));
	/* A second session on the same connection. */
	assert_ok(spdm_req_start_session(w.req, 0, &sid));
	assert_ok(spdm_req_end_session(w.req));
	world_fini(&w);
}

static void test_flow_12_p256(void **state)
{
	full_flow(0x12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1);
}

static void test_flow_13_p384(void **state)
{
	full_flow(0x13, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1);
}

static void test_flow_12_rsassa3072(void **state)
{
	full_flow(0x12, SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1);
}

static void test_flow_13_rsapss3072(void **state)
{
	full_flow(0x13, SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1);
}

static void test_wrong_signature(void **state)
{
	struct world w;

	world_init(&w, 0x12, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   true, NULL);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_errno(EBADMSG, spdm_req_challenge(w.req, 0, 0));
	assert_errno(EBADMSG, spdm_req_get_measurements(w.req, true, NULL, 0, NULL, NULL));
	assert_errno(EBADMSG, spdm_req_start_session(w.req, 0, NULL));
	world_fini(&w);
}

/* RSA: a responder signing with an unrelated RSA key fails every
 * signature check with -EBADMSG, as for ECDSA. */
static void test_rsa_wrong_signature(void **state)
{
	struct world w;

	world_init(&w, 0x13, 0x13, SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1,
		   true, NULL);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_errno(EBADMSG, spdm_req_challenge(w.req, 0, 0));
	assert_errno(EBADMSG, spdm_req_get_measurements(w.req, true, NULL, 0, NULL, NULL));
	assert_errno(EBADMSG, spdm_req_start_session(w.req, 0, NULL));
	world_fini(&w);
}

/*
 * Replace both ends of a world: the responder offers rsp_asym with the
 * world's chain, the requester offers req_asym and req_caps; the
 * responder has HeartbeatPeriod hb and the clock clk (may be NULL).
 */
static void world_respawn(struct world *w, uint8_t ver, uint32_t rsp_asym, uint32_t req_asym,
			  uint32_t hash, uint16_t dhe, uint32_t req_caps, uint8_t hb,
			  uint64_t (*clk)(void *), void *clk_ctx)
{
	struct spdm_responder_config rc = {
		.versions = { ver }, .nversions = 1, .caps = RSP_CAPS,
		.algos = { rsp_asym, hash, dhe, SPDM_AEAD_AES256_GCM },
		.meas = meas, .nmeas = 2, .data_transfer_size = 512, .certs = w->signer,
		.heartbeat_period = hb, .now_ms = clk, .clock_ctx = clk_ctx,
	};
	struct spdm_requester_config qc = {
		.versions = { ver }, .nversions = 1, .caps = req_caps,
		.algos = { req_asym, hash, dhe, SPDM_AEAD_AES256_GCM },
		.cert_chunk = 200, .trust = w->trust,
	};

	spdm_responder_free(w->loop.rsp);
	spdm_requester_free(w->req);
	w->loop.rsp = spdm_responder_new(&rc);
	assert_false(IS_ERR(w->loop.rsp));
	w->req = spdm_requester_new(&qc, &loop_ops, &w->loop);
	assert_false(IS_ERR(w->req));
}

/*
 * Negotiation bytes (DSP0274 1.3.0 §10.5): a requester offering ECDSA
 * P-256/P-384 and both RSA-3072 algorithms sends BaseAsymAlgo 0x0000009C
 * (bits 2, 3, 4, 7); a responder with an RSA-3072 key selects the one it
 * may use: RSAPSS_3072 (0x08) if it offers both paddings, else
 * RSASSA_3072 (0x04). A leaf of another kind than the selection is
 * refused by the requester (-EKEYREJECTED).
 */
static void test_rsa_negotiation_bytes(void **state)
{
	const uint32_t all = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 |
			     SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072;
	const uint32_t rsp[] = { SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072,
				 SPDM_ASYM_RSASSA_3072 };
	const uint8_t sel[] = { 0x08, 0x04 };
	struct world w;
	unsigned int i;
	size_t neg, alg;

	world_init(&w, 0x13, 0x13, SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1,
		   false, NULL);
	for (i = 0; i < 2; i++) {
		world_respawn(&w, 0x13, rsp[i], all, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1,
			      REQ_CAPS, 60, NULL, NULL);
		w.loop.vca_msgs = 3;
		w.loop.vca_len = 0;
		assert_ok(spdm_req_init_connection(w.req));
		/* GET_VERSION 4, VERSION 8 (one entry), GET_CAPABILITIES 20,
		 * CAPABILITIES 20, then NEGOTIATE_ALGORITHMS and ALGORITHMS. */
		neg = 4 + 8 + 20 + 20;
		assert_int_equal(w.loop.vca[neg + 1], SPDM_NEGOTIATE_ALGORITHMS);
		assert_int_equal(w.loop.vca[neg + 8], 0x9C);
		assert_int_equal(w.loop.vca[neg + 9] | w.loop.vca[neg + 10] | w.loop.vca[neg + 11], 0);
		alg = neg + (w.loop.vca[neg + 4] | (size_t)w.loop.vca[neg + 5] << 8);
		assert_int_equal(w.loop.vca[alg + 1], SPDM_ALGORITHMS);
		assert_int_equal(w.loop.vca[alg + 12], sel[i]);
		assert_int_equal(w.loop.vca[alg + 13] | w.loop.vca[alg + 14] | w.loop.vca[alg + 15], 0);
		assert_int_equal(spdm_req_selected_asym(w.req), sel[i]);
		assert_ok(spdm_req_get_certificate(w.req, 0));
		assert_ok(spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_NONE));
		assert_ok(spdm_req_start_session(w.req, 0, NULL));
		assert_ok(spdm_req_end_session(w.req));
	}
	/* The responder claims ECDSA-P384 with this RSA chain: refused. */
	world_respawn(&w, 0x13, SPDM_ASYM_ECDSA_P384, all, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1,
		      REQ_CAPS, 60, NULL, NULL);
	assert_ok(spdm_req_init_connection(w.req));
	assert_errno(EKEYREJECTED, spdm_req_get_certificate(w.req, 0));
	world_fini(&w);
}

/* A virtual clock for the responder's session watchdog. */
static uint64_t test_clock(void *ctx)
{
	return *(uint64_t *)ctx;
}

/*
 * HEARTBEAT and HeartbeatPeriod (DSP0274 1.3.0 §10.15 Param1, §10.19):
 * the period goes out only when both sides set HBEAT_CAP; with period 0
 * the requester sends nothing (-EOPNOTSUPP) and the responder answers a
 * HEARTBEAT with ERROR(UnexpectedRequest); with a clock, a session idle
 * for more than 2 * HeartbeatPeriod is terminated.
 */
static void test_heartbeat_period(void **state)
{
	uint8_t q[4] = { 0x12, SPDM_HEARTBEAT, 0, 0 };
	const uint8_t *rsp = NULL;
	uint64_t now = 1000;
	struct world w;
	size_t rn = 0;
	int nmsg;

	world_init(&w, 0x12, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   false, NULL);

	/* Period 0: heartbeat not used. */
	world_respawn(&w, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
		      SPDM_DHE_SECP256R1, REQ_CAPS, 0, NULL, NULL);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	w.loop.save_msg = w.loop.nmsg;
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	assert_int_equal(w.loop.saved[1], SPDM_KEY_EXCHANGE_RSP);
	assert_int_equal(w.loop.saved[2], 0);
	assert_int_equal(spdm_req_heartbeat_period(w.req), 0);
	nmsg = w.loop.nmsg;
	assert_errno(EOPNOTSUPP, spdm_req_heartbeat(w.req));
	assert_int_equal(w.loop.nmsg, nmsg);		/* nothing sent */
	assert_errno(EREMOTEIO, spdm_req_session_xfer(w.req, q, sizeof(q), &rsp, &rn));
	assert_int_equal(spdm_req_last_error(w.req), SPDM_ERR_UNEXPECTED_REQUEST);
	assert_ok(spdm_req_session_get_digests(w.req));	/* the session lives on */
	assert_ok(spdm_req_end_session(w.req));

	/* Period 30, but the requester has no HBEAT_CAP: 0 on the wire. */
	world_respawn(&w, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
		      SPDM_DHE_SECP256R1, REQ_CAPS & ~SPDM_CAP_HBEAT, 30, NULL, NULL);
	w.loop.save_msg = -1;
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	w.loop.save_msg = w.loop.nmsg;
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	assert_int_equal(w.loop.saved[2], 0);
	assert_errno(EOPNOTSUPP, spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_end_session(w.req));

	/* Period 30 with a clock: alive at exactly 2 * 30 s of silence,
	 * terminated after more. */
	world_respawn(&w, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
		      SPDM_DHE_SECP256R1, REQ_CAPS, 30, test_clock, &now);
	w.loop.save_msg = -1;
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	w.loop.save_msg = w.loop.nmsg;
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	assert_int_equal(w.loop.saved[2], 30);
	assert_int_equal(spdm_req_heartbeat_period(w.req), 30);
	now += 60000;
	assert_ok(spdm_req_heartbeat(w.req));
	now += 59999;
	assert_ok(spdm_req_session_get_digests(w.req));	/* any request counts */
	now += 60001;
	assert_errno(EREMOTEIO, spdm_req_heartbeat(w.req));
	assert_int_equal(spdm_req_last_error(w.req), SPDM_ERR_SESSION_REQUIRED);
	assert_errno(ENOTCONN, spdm_req_heartbeat(w.req));
	/* A new session starts a new period. */
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	now += 1000;
	assert_ok(spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_end_session(w.req));
	world_fini(&w);
}

static void test_nonce_reuse(void **state)
{
	static const uint8_t fixed[32] = { 0xAB, 0xCD };
	struct world w;

	/* The responder signs correctly but returns the same nonce twice:
	 * the requester accepts the first and refuses the repeat. */
	world_init(&w, 0x13, 0x13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   false, fixed);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_ok(spdm_req_challenge(w.req, 0, 0));
	assert_errno(EPROTO, spdm_req_challenge(w.req, 0, 0));
	assert_errno(EPROTO, spdm_req_get_measurements(w.req, true, NULL, 0, NULL, NULL));
	world_fini(&w);
}

static void test_unsupported_version_and_alg(void **state)
{
	struct world w;
	uint8_t q[64], out[128];
	struct spdm_caps c = { .data_transfer_size = 64, .max_msg_size = 64 };
	struct spdm_error_msg e;
	bool sec;
	int n;

	/* No common version: the requester gives up after VERSION. */
	world_init(&w, 0x12, 0x13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   false, NULL);
	assert_errno(EPROTONOSUPPORT, spdm_req_init_connection(w.req));
	/* A GET_CAPABILITIES naming 1.3 to a 1.2-only responder: ERROR. */
	n = spdm_encode_get_capabilities(0x13, &c, q, sizeof(q));
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_ok(spdm_decode_error(0x10, out, (size_t)n, &e));
	assert_int_equal(e.code, SPDM_ERR_VERSION_MISMATCH);
	/* Out of order: DIGESTS before negotiation. */
	n = spdm_encode_get_digests(0x12, q, sizeof(q));
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_int_equal(out[1], SPDM_ERROR);
	assert_int_equal(out[2], SPDM_ERR_UNEXPECTED_REQUEST);
	world_fini(&w);

	/* No common asym algorithm: ERROR(InvalidRequest) to ALGORITHMS. */
	world_init(&w, 0x12, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   false, NULL);
	spdm_requester_free(w.req);
	{
		struct spdm_requester_config qc = {
			.versions = { 0x12 }, .nversions = 1, .caps = REQ_CAPS,
			.algos = { SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
				   SPDM_AEAD_AES256_GCM },
			.trust = w.trust,
		};

		w.req = spdm_requester_new(&qc, &loop_ops, &w.loop);
	}
	assert_errno(EREMOTEIO, spdm_req_init_connection(w.req));
	assert_int_equal(spdm_req_last_error(w.req), SPDM_ERR_INVALID_REQUEST);
	world_fini(&w);
}

static void test_mitm_flip(void **state)
{
	struct world w;
	int rc;

	/* Flip one byte of the CHALLENGE_AUTH Nonce: signature fails. */
	world_init(&w, 0x12, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   false, NULL);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	w.loop.flip_msg = w.loop.nmsg;
	w.loop.flip_at = 4 + 32 + 5;	/* inside Nonce */
	assert_errno(EBADMSG, spdm_req_challenge(w.req, 0, 0));
	/* Flip inside a secured response: MAC failure. */
	w.loop.flip_at = -1;
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	w.loop.flip_msg = w.loop.nmsg;
	w.loop.flip_at = 10;
	rc = spdm_req_heartbeat(w.req);
	assert_int_equal(rc, -EBADMSG);
	/* The requester dropped the session; the responder still holds it
	 * until the connection is reset. */
	w.loop.flip_at = -1;
	assert_errno(ENOTCONN, spdm_req_heartbeat(w.req));
	assert_errno(EREMOTEIO, spdm_req_start_session(w.req, 0, NULL));
	assert_int_equal(spdm_req_last_error(w.req), SPDM_ERR_SESSION_LIMIT_EXCEEDED);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	assert_ok(spdm_req_heartbeat(w.req));
	world_fini(&w);
}

/* A fresh responder with the ResponseNotReady hook on CHALLENGE and
 * GET_MEASUREMENTS (replaces the one world_init made). */
static void rnr_responder(struct world *w, unsigned int count)
{
	struct spdm_responder_config rc = {
		.versions = { 0x12 }, .nversions = 1, .caps = RSP_CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM },
		.meas = meas, .nmeas = 2, .data_transfer_size = 512, .certs = w->signer,
		.not_ready_codes = { SPDM_CHALLENGE, SPDM_GET_MEASUREMENTS },
		.not_ready_count = count, .heartbeat_period = 60,
	};

	spdm_responder_free(w->loop.rsp);
	w->loop.rsp = spdm_responder_new(&rc);
	assert_false(IS_ERR(w->loop.rsp));
}

static void test_response_not_ready(void **state)
{
	uint8_t q[64], out[SPDM_MAX_MSG_SIZE];
	struct spdm_error_not_ready nr;
	struct spdm_error_msg e;
	unsigned int nb, n0;
	struct world w;
	bool sec;
	int n;

	/* Once not ready: the retry is transparent, signatures (over
	 * transcripts without the ERROR/RESPOND_IF_READY) verify. */
	world_init(&w, 0x12, 0x12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
		   false, NULL);
	rnr_responder(&w, 1);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_digests(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	n0 = (unsigned int)w.loop.nmsg;
	assert_ok(spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_ALL));
	assert_int_equal(w.loop.nmsg - (int)n0, 2);	/* CHALLENGE + RESPOND_IF_READY */
	assert_ok(spdm_req_get_measurements(w.req, false, NULL, 0, NULL, NULL));
	assert_ok(spdm_req_get_measurements(w.req, true, NULL, 0, NULL, &nb));
	assert_int_equal(nb, 2);
	assert_int_equal(spdm_req_last_error(w.req), 0);
	assert_ok(spdm_req_start_session(w.req, 0, NULL));
	assert_ok(spdm_req_end_session(w.req));

	/* Exactly at the bound: still succeeds. */
	rnr_responder(&w, SPDM_REQ_NOT_READY_RETRIES);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	n0 = (unsigned int)w.loop.nmsg;
	assert_ok(spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_NONE));
	assert_int_equal(w.loop.nmsg - (int)n0, 1 + SPDM_REQ_NOT_READY_RETRIES);

	/* One past the bound: -ETIMEDOUT, nothing leaks (ASan), and the
	 * connection is still usable. */
	rnr_responder(&w, SPDM_REQ_NOT_READY_RETRIES + 1);
	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	n0 = (unsigned int)w.loop.nmsg;
	assert_errno(ETIMEDOUT, spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_NONE));
	assert_int_equal(w.loop.nmsg - (int)n0, 1 + SPDM_REQ_NOT_READY_RETRIES);
	assert_int_equal(spdm_req_last_error(w.req), SPDM_ERR_RESPONSE_NOT_READY);
	assert_errno(ETIMEDOUT, spdm_req_get_measurements(w.req, true, NULL, 0, NULL, NULL));
	assert_ok(spdm_req_get_digests(w.req));

	/* Raw: a RESPOND_IF_READY with the wrong token (or code) is refused
	 * with ERROR(InvalidRequest); the right one gets the response. */
	rnr_responder(&w, 1);
	assert_ok(spdm_req_init_connection(w.req));
	n = spdm_encode_get_measurements(0x12, &(struct spdm_get_meas){
		.operation = SPDM_MEAS_OP_ALL }, q, sizeof(q));
	assert_true(n > 0);
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_true(n > 0);
	assert_ok(spdm_decode_error_not_ready(0x12, out, (size_t)n, &nr));
	assert_int_equal(nr.request_code, SPDM_GET_MEASUREMENTS);
	n = spdm_encode_respond_if_ready(0x12, SPDM_GET_MEASUREMENTS, (uint8_t)(nr.token + 1),
					 q, sizeof(q));
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_ok(spdm_decode_error(0x12, out, (size_t)n, &e));
	assert_int_equal(e.code, SPDM_ERR_INVALID_REQUEST);
	n = spdm_encode_respond_if_ready(0x12, SPDM_CHALLENGE, nr.token, q, sizeof(q));
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_ok(spdm_decode_error(0x12, out, (size_t)n, &e));
	assert_int_equal(e.code, SPDM_ERR_INVALID_REQUEST);
	n = spdm_encode_respond_if_ready(0x12, SPDM_GET_MEASUREMENTS, nr.token, q, sizeof(q));
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_true(n > 4);
	assert_int_equal(out[1], SPDM_MEASUREMENTS);
	/* Served once: a second RESPOND_IF_READY is unexpected. */
	n = spdm_encode_respond_if_ready(0x12, SPDM_GET_MEASUREMENTS, nr.token, q, sizeof(q));
	n = spdm_responder_handle(w.loop.rsp, false, q, (size_t)n, &sec, out, sizeof(out));
	assert_ok(spdm_decode_error(0x12, out, (size_t)n, &e));
	assert_int_equal(e.code, SPDM_ERR_UNEXPECTED_REQUEST);
	world_fini(&w);
}

/*
 * DSP0274 "Session key update synchronization" (1.1.1 §10.21.1, kept in
 * 1.2/1.3): the KEY_UPDATE_ACK to UpdateAllKeys already travels under the
 * responder's new key, while the ACK to UpdateKey (only the request
 * direction changes) stays under the old one. With an explicit 2-byte
 * DSP0277 sequence number (the MCTP binding) this is visible on the wire:
 * a new key starts again at sequence number 0 (DSP0274 §12 key update).
 * libspdm's requester tried the new key first and only fell back to the
 * old one when our responder sealed that ACK under the old key.
 */
static void key_update_seq(struct world *w, uint8_t op, uint16_t exp_seq, uint32_t sid)
{
	w->loop.save_msg = w->loop.nmsg;	/* the ACK to op, not VerifyNewKey's */
	assert_ok(spdm_req_key_update(w->req, op));
	assert_true(w->loop.saved_len > 6);
	/* SessionID (4, LE), SequenceNumber (2, LE), Length, ... */
	assert_int_equal(w->loop.saved[0] | w->loop.saved[1] << 8 | w->loop.saved[2] << 16 |
			 (uint32_t)w->loop.saved[3] << 24, sid);
	assert_int_equal(w->loop.saved[4] | w->loop.saved[5] << 8, exp_seq);
}

static void test_key_update_all_keys_ack_under_new_key(void **state)
{
	time_t now = time(NULL);
	struct spdm_responder_config rc = {
		.versions = { 0x13 }, .nversions = 1, .caps = RSP_CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM },
		.meas = meas, .nmeas = 2, .seq_num_size = 2, .heartbeat_period = 60,
	};
	struct spdm_requester_config qc = {
		.versions = { 0x13 }, .nversions = 1, .caps = REQ_CAPS,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_DHE_SECP256R1,
			   SPDM_AEAD_AES256_GCM },
		.seq_num_size = 2,
	};
	struct world w = { 0 };
	uint32_t sid;

	w.cs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "dev", now - 60, now + 3600);
	assert_false(IS_ERR(w.cs));
	w.signer = w.cs;
	rc.certs = w.cs;
	w.trust = spdm_trust_store_new(w.cs->root);
	qc.trust = w.trust;
	w.loop.rsp = spdm_responder_new(&rc);
	assert_false(IS_ERR(w.loop.rsp));
	w.loop.flip_at = -1;
	w.loop.save_msg = -1;
	w.req = spdm_requester_new(&qc, &loop_ops, &w.loop);
	assert_false(IS_ERR(w.req));

	assert_ok(spdm_req_init_connection(w.req));
	assert_ok(spdm_req_get_digests(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_ok(spdm_req_start_session(w.req, 0, &sid));
	assert_ok(spdm_req_heartbeat(w.req));		/* response seq 0 */
	/* UpdateKey: the response key is unchanged, its count goes on. */
	key_update_seq(&w, SPDM_KEY_UPDATE_OP_UPDATE_KEY, 1, sid);
	/* (VerifyNewKey's ACK was seq 2.) UpdateAllKeys: new key, seq 0. */
	key_update_seq(&w, SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS, 0, sid);
	assert_ok(spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_end_session(w.req));
	world_fini(&w);
}

/*
 * GET_DIGESTS, GET_CERTIFICATE and GET_MEASUREMENTS inside a secured
 * session (DSP0274 1.2/1.3 with DSP0277). The measurement signature
 * there covers L1 = VCA || the session's own GET_MEASUREMENTS exchanges
 * (DSP0274 1.2+ L1/L2; DMTF libspdm keeps a per-session message_m), so:
 * - the signature is checked here independently of the requester, over
 *   the VCA bytes seen on the wire and the decrypted exchange;
 * - an unsigned plain GET_MEASUREMENTS before it does not enter it, and
 *   the in-session exchanges do not disturb the connection's L (a plain
 *   signed GET_MEASUREMENTS after them still verifies);
 * - in-session GET_DIGESTS/GET_CERTIFICATE do not enter B (CHALLENGE
 *   afterwards still verifies);
 * - an in-session CERTIFICATE portion leaves room for the DSP0277
 *   wrapping within DataTransferSize (512 here, 24 bytes of wrapping for
 *   DOE: SessionID 4, Length 2, ApplicationDataLength 2, MAC 16).
 */
static void test_in_session_requests(void **state)
{
	struct spdm_get_meas g = { .attributes = SPDM_MEAS_ATTR_SIGNATURE,
				   .operation = SPDM_MEAS_OP_ALL };
	struct spdm_get_cert gc = { .slot = 0, .offset = 0, .length = 0xffff };
	struct spdm_params p = { .version = 0x13, .hash_size = 48, .sig_size = 96 };
	uint8_t q[64], rsp[SPDM_MAX_MSG_SIZE], th[SPDM_MAX_HASH_SIZE];
	struct spdm_tbuf a = { 0 }, l = { 0 };
	struct spdm_cert_portion cp;
	struct spdm_meas_rsp m;
	const uint8_t *r;
	struct world w;
	unsigned int nb;
	size_t rn, len;
	uint32_t sid;
	int n;

	world_init(&w, 0x13, 0x13, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1,
		   false, NULL);
	w.loop.vca_msgs = 3;
	assert_ok(spdm_req_init_connection(w.req));
	assert_int_equal(w.loop.vca_msgs, 0);
	/* No session yet: the in-session calls refuse. */
	assert_errno(ENOTCONN, spdm_req_session_get_measurements(w.req, true, NULL, 0, NULL, NULL));
	assert_errno(ENOTCONN, spdm_req_session_get_digests(w.req));
	assert_ok(spdm_req_get_digests(w.req));
	assert_ok(spdm_req_get_certificate(w.req, 0));
	assert_ok(spdm_req_start_session(w.req, 0, &sid));
	/* Plain, unsigned: enters the connection's L only. */
	assert_ok(spdm_req_get_measurements(w.req, false, NULL, 0, NULL, NULL));

	/* In-session signed GET_MEASUREMENTS, checked independently. */
	memset(g.nonce, 0x5a, sizeof(g.nonce));
	memset(g.context, 0xc3, sizeof(g.context));
	n = spdm_encode_get_measurements(0x13, &g, q, sizeof(q));
	assert_true(n > 0);
	assert_ok(spdm_req_session_xfer(w.req, q, (size_t)n, &r, &rn));
	memcpy(rsp, r, rn);
	assert_ok(spdm_decode_measurements(&p, true, rsp, rn, &m));
	assert_int_equal(m.num_blocks, 2);
	assert_ok(spdm_tbuf_append(&a, w.loop.vca, w.loop.vca_len));
	assert_ok(spdm_tbuf_append(&l, q, (size_t)n));
	assert_ok(spdm_tbuf_append(&l, rsp, m.sig_offset));
	assert_ok(spdm_tbuf_hash(SPDM_HASH_SHA384, th, &a, &l, NULL, NULL));
	assert_ok(spdm_verify_transcript(w.cs->leaf_key, 0x13, SPDM_ASYM_ECDSA_P384,
					 SPDM_HASH_SHA384, SPDM_CTX_MEASUREMENTS, th, m.signature,
					 p.sig_size));
	/* The same request again: the session's L restarted after signing. */
	assert_ok(spdm_req_session_xfer(w.req, q, (size_t)n, &r, &rn));
	memcpy(rsp, r, rn);
	assert_ok(spdm_decode_measurements(&p, true, rsp, rn, &m));
	spdm_tbuf_reset(&l);
	assert_ok(spdm_tbuf_append(&l, q, (size_t)n));
	assert_ok(spdm_tbuf_append(&l, rsp, m.sig_offset));
	assert_ok(spdm_tbuf_hash(SPDM_HASH_SHA384, th, &a, &l, NULL, NULL));
	assert_ok(spdm_verify_transcript(w.cs->leaf_key, 0x13, SPDM_ASYM_ECDSA_P384,
					 SPDM_HASH_SHA384, SPDM_CTX_MEASUREMENTS, th, m.signature,
					 p.sig_size));

	/* Through the requester API: unsigned then signed (both in L). */
	assert_ok(spdm_req_session_get_measurements(w.req, false, NULL, 0, NULL, NULL));
	assert_ok(spdm_req_session_get_measurements(w.req, true, NULL, 0, &len, &nb));
	assert_int_equal(nb, 2);
	/* A HEARTBEAT in between resets the session's L on both sides. */
	assert_ok(spdm_req_session_get_measurements(w.req, false, NULL, 0, NULL, NULL));
	assert_ok(spdm_req_heartbeat(w.req));
	assert_ok(spdm_req_session_get_measurements(w.req, true, NULL, 0, NULL, NULL));

	/* In-session GET_DIGESTS and a whole-chain GET_CERTIFICATE. */
	assert_ok(spdm_req_session_get_digests(w.req));
	n = spdm_encode_get_certificate(0x13, &gc, q, sizeof(q));
	assert_true(n > 0);
	assert_ok(spdm_req_session_xfer(w.req, q, (size_t)n, &r, &rn));
	assert_ok(spdm_decode_certificate(0x13, r, rn, &cp));
	assert_int_equal(cp.portion_len, 512 - 24 - 8);
	assert_int_equal(rn, 512 - 24);

	/* The connection's L still holds the unsigned plain exchange. */
	assert_ok(spdm_req_get_measurements(w.req, true, NULL, 0, NULL, NULL));
	/* B took no in-session exchange. */
	assert_ok(spdm_req_challenge(w.req, 0, SPDM_MEAS_SUMMARY_NONE));
	assert_ok(spdm_req_end_session(w.req));
	assert_errno(ENOTCONN, spdm_req_session_get_measurements(w.req, false, NULL, 0, NULL, NULL));
	spdm_tbuf_free(&a);
	spdm_tbuf_free(&l);
	world_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_12_p256),
		cmocka_unit_test(test_flow_13_p384),
		cmocka_unit_test(test_wrong_signature),
		cmocka_unit_test(test_nonce_reuse),
		cmocka_unit_test(test_unsupported_version_and_alg),
		cmocka_unit_test(test_mitm_flip),
		cmocka_unit_test(test_response_not_ready),
		cmocka_unit_test(test_key_update_all_keys_ack_under_new_key),
		cmocka_unit_test(test_in_session_requests),
		cmocka_unit_test(test_flow_12_rsassa3072),
		cmocka_unit_test(test_flow_13_rsapss3072),
		cmocka_unit_test(test_rsa_wrong_signature),
		cmocka_unit_test(test_rsa_negotiation_bytes),
		cmocka_unit_test(test_heartbeat_period),
	};

	return cmocka_run_group_tests(tests, NULL, free_rsa_chain);
}
