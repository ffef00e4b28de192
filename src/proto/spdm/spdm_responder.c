// SPDX-License-Identifier: MIT
/*
 * SPDM responder (device side): DSP0274 1.2/1.3 connection setup,
 * certificate retrieval, CHALLENGE, MEASUREMENTS, and one DHE session
 * (KEY_EXCHANGE/FINISH, HEARTBEAT, KEY_UPDATE, END_SESSION, and
 * GET_DIGESTS/GET_CERTIFICATE/GET_MEASUREMENTS inside it) secured per
 * DSP0277. Every request gets exactly one response; anything malformed,
 * out of order or unsupported gets an ERROR (§10.10) and leaves the
 * state unchanged.
 *
 * Transcripts (§15 and §12): A = VCA (GET_VERSION..ALGORITHMS), B =
 * GET_DIGESTS/GET_CERTIFICATE exchanges since the last CHALLENGE, C =
 * CHALLENGE + CHALLENGE_AUTH; M1 = A||B||C. L = contiguous
 * GET_MEASUREMENTS exchanges, L1 = A||L (1.2+ prepends VCA). Session
 * transcript T = A || Hash(cert chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP
 * || FINISH || FINISH_RSP.
 *
 * Inside an established session (DSP0274 1.2/1.3: GET_DIGESTS,
 * GET_CERTIFICATE and GET_MEASUREMENTS may be sent as secured messages)
 * the exchanges belong to that session: GET_DIGESTS/GET_CERTIFICATE do
 * not enter B (M1 covers only the CHALLENGE flow outside a session), and
 * the measurement signature covers L1 = A || the session's own L, which
 * any other in-session request resets; neither touches the other's L.
 * DMTF libspdm keeps the same split (a per-session message_m).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_internal.h"
#include "proto/spdm/spdm_msg.h"
#include "proto/spdm/spdm_secured.h"
#include "proto/spdm/spdm_vendor.h"

enum rsp_state { RS_IDLE, RS_VERSION, RS_CAPS, RS_NEGOTIATED };
enum sess_state { SS_NONE, SS_HANDSHAKE, SS_ESTABLISHED };

struct spdm_responder {
	struct spdm_responder_config cfg;
	enum rsp_state state;
	struct spdm_params p;
	uint32_t asym, hash, dhe, aead;
	uint8_t other_params;
	struct spdm_caps req_caps;
	uint8_t *chain;			/* slot 0 chain in SPDM format */
	size_t chain_len;
	uint8_t chain_hash[SPDM_MAX_HASH_SIZE];
	struct spdm_tbuf a, b, c, l;
	/* The one session; T is its transcript up to FINISH_RSP. */
	enum sess_state sess;
	uint32_t session_id;
	uint8_t heartbeat_period;	/* the session's, as sent (§10.15) */
	uint64_t last_rx_ms;		/* cfg.now_ms at the session's last request */
	struct spdm_tbuf t;
	struct spdm_tbuf sl;		/* the session's own L */
	struct spdm_key_schedule ks;
	/* ResponseNotReady test hook: the held response (nr_len > 0). */
	uint8_t nr_code, nr_token;
	unsigned int nr_left;		/* ResponseNotReady replies still due */
	size_t nr_len;
	uint8_t nr_rsp[SPDM_MAX_MSG_SIZE];
};

struct spdm_responder *spdm_responder_new(const struct spdm_responder_config *cfg)
{
	struct spdm_responder *r;

	if (!cfg->nversions || cfg->nversions > ARRAY_SIZE(cfg->versions) || !cfg->certs)
		return ERR_PTR(-EINVAL);
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->cfg = *cfg;
	if (!r->cfg.data_transfer_size)
		r->cfg.data_transfer_size = SPDM_MAX_MSG_SIZE;
	return r;
}

static void end_session(struct spdm_responder *r)
{
	r->sess = SS_NONE;
	spdm_tbuf_free(&r->t);
	spdm_tbuf_free(&r->sl);
	spdm_ks_clear(&r->ks);
}

static void reset_connection(struct spdm_responder *r)
{
	end_session(r);
	r->state = RS_IDLE;
	free(r->chain);
	r->chain = NULL;
	r->chain_len = 0;
	spdm_tbuf_reset(&r->a);
	spdm_tbuf_reset(&r->b);
	spdm_tbuf_reset(&r->c);
	spdm_tbuf_reset(&r->l);
}

void spdm_responder_free(struct spdm_responder *r)
{
	if (IS_ERR_OR_NULL(r))
		return;
	reset_connection(r);
	spdm_tbuf_free(&r->a);
	spdm_tbuf_free(&r->b);
	spdm_tbuf_free(&r->c);
	spdm_tbuf_free(&r->l);
	free(r);
}

static int error_rsp(uint8_t ver, uint8_t code, uint8_t data, void *out, size_t cap)
{
	struct spdm_error_msg e = { .code = code, .data = data };

	return spdm_encode_error(ver, &e, out, cap);
}

static bool version_supported(const struct spdm_responder *r, uint8_t v)
{
	unsigned int i;

	for (i = 0; i < r->cfg.nversions; i++)
		if (r->cfg.versions[i] == v)
			return true;
	return false;
}

static int fresh(const struct spdm_responder *r, uint8_t *buf, size_t n)
{
	if (r->cfg.fixed_nonce) {
		memcpy(buf, r->cfg.fixed_nonce, n);
		return 0;
	}
	return spdm_random(buf, n);
}

/* Append request and response to a transcript; the response is only
 * sent if both fit. */
static int record2(struct spdm_tbuf *t, const void *q, size_t qn, const void *s, size_t sn)
{
	size_t old = t->len;
	int rc;

	rc = spdm_tbuf_append(t, q, qn);
	if (!rc)
		rc = spdm_tbuf_append(t, s, sn);
	if (rc)
		t->len = old;
	return rc;
}

static int do_get_version(struct spdm_responder *r, const uint8_t *q, size_t qn,
			  uint8_t *out, size_t cap)
{
	struct spdm_version_info v = { 0 };
	unsigned int i;
	int n;

	if (spdm_decode_get_version(q, qn))
		return error_rsp(SPDM_VERSION_10, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	/* §10.3: GET_VERSION resets the connection and every session. */
	reset_connection(r);
	v.count = (uint8_t)r->cfg.nversions;
	for (i = 0; i < r->cfg.nversions; i++)
		v.entries[i] = SPDM_VER_ENTRY(r->cfg.versions[i]);
	n = spdm_encode_version(&v, out, cap);
	if (n < 0)
		return n;
	if (record2(&r->a, q, qn, out, (size_t)n))
		return error_rsp(SPDM_VERSION_10, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	r->state = RS_VERSION;
	return n;
}

static int do_get_capabilities(struct spdm_responder *r, uint8_t ver, const uint8_t *q,
			       size_t qn, uint8_t *out, size_t cap)
{
	struct spdm_caps c;
	int n;

	if (spdm_decode_get_capabilities(ver, q, qn, &r->req_caps))
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	c = (struct spdm_caps){
		.ct_exponent = 12,
		.flags = r->cfg.caps,
		.data_transfer_size = r->cfg.data_transfer_size,
		.max_msg_size = r->cfg.data_transfer_size,
	};
	n = spdm_encode_capabilities(ver, &c, out, cap);
	if (n < 0)
		return n;
	if (record2(&r->a, q, qn, out, (size_t)n))
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	r->p.version = ver;
	r->state = RS_CAPS;
	return n;
}

static bool both_key_ex(const struct spdm_responder *r)
{
	return (r->cfg.caps & SPDM_CAP_KEY_EX) && (r->req_caps.flags & SPDM_CAP_KEY_EX);
}

static int do_negotiate(struct spdm_responder *r, uint8_t ver, const uint8_t *q, size_t qn,
			uint8_t *out, size_t cap)
{
	struct spdm_algs in, sel = { 0 };
	int n, rc;

	if (spdm_decode_negotiate_algorithms(ver, q, qn, &in))
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	sel.alg_structs = in.alg_structs;	/* §10.5: echo the requested types */
	sel.base_asym = spdm_pick_alg(in.base_asym & r->cfg.algos.asym);
	sel.base_hash = spdm_pick_alg(in.base_hash & r->cfg.algos.hash);
	sel.meas_spec = in.meas_spec & SPDM_MEAS_SPEC_DMTF;
	sel.meas_hash = spdm_meas_hash_for(sel.base_hash);
	/* 1.2 §10.5: pick OpaqueDataFmt1 when offered. */
	sel.other_params = (in.other_params & SPDM_OPAQUE_FMT_1) ? SPDM_OPAQUE_FMT_1 : 0;
	if (both_key_ex(r)) {
		sel.dhe = (uint16_t)spdm_pick_alg(in.dhe & r->cfg.algos.dhe);
		sel.aead = (uint16_t)spdm_pick_alg(in.aead & r->cfg.algos.aead);
		sel.key_schedule = in.key_schedule & SPDM_KEY_SCHEDULE_SPDM;
	}
	/* No common algorithm: the connection cannot proceed. */
	if (!sel.base_asym || !sel.base_hash || !sel.meas_spec ||
	    (both_key_ex(r) && (!sel.dhe || !sel.aead || !sel.key_schedule)))
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	n = spdm_encode_algorithms(ver, &sel, out, cap);
	if (n < 0)
		return n;
	rc = spdm_cert_chain_build(r->cfg.certs, sel.base_hash, &r->chain, &r->chain_len);
	if (rc)
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	if (spdm_hash(sel.base_hash, r->chain, r->chain_len, r->chain_hash) ||
	    record2(&r->a, q, qn, out, (size_t)n)) {
		free(r->chain);
		r->chain = NULL;
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	}
	r->asym = sel.base_asym;
	r->hash = sel.base_hash;
	r->dhe = sel.dhe;
	r->aead = sel.aead;
	r->other_params = sel.other_params;
	r->p.hash_size = (uint16_t)spdm_hash_size(r->hash);
	r->p.sig_size = (uint16_t)spdm_sig_size(r->asym);
	r->p.dhe_size = (uint16_t)spdm_dhe_size(r->dhe);
	r->state = RS_NEGOTIATED;
	return n;
}

/* b: the transcript the exchange enters (B), or NULL inside a session. */
static int do_get_digests(struct spdm_responder *r, struct spdm_tbuf *b, const uint8_t *q,
			  size_t qn, uint8_t *out, size_t cap)
{
	struct spdm_digests d = { .supported_mask = 1, .provisioned_mask = 1,
				  .digests = r->chain_hash };
	uint8_t ver = r->p.version;
	int n;

	if (!(r->cfg.caps & SPDM_CAP_CERT))
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_GET_DIGESTS, out, cap);
	if (spdm_decode_get_digests(ver, q, qn))
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	n = spdm_encode_digests(&r->p, &d, out, cap);
	if (n >= 0 && b && record2(b, q, qn, out, (size_t)n))
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	return n;
}

/* b as for do_get_digests; dts: the DataTransferSize left for the
 * CERTIFICATE message itself (less the secured-message wrapping in a
 * session). */
static int do_get_certificate(struct spdm_responder *r, struct spdm_tbuf *b, size_t dts,
			      const uint8_t *q, size_t qn, uint8_t *out, size_t cap)
{
	struct spdm_cert_portion c = { 0 };
	struct spdm_get_cert g;
	uint8_t ver = r->p.version;
	size_t max;
	int n;

	if (!(r->cfg.caps & SPDM_CAP_CERT))
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_GET_CERTIFICATE, out, cap);
	if (spdm_decode_get_certificate(ver, q, qn, &g) || g.slot != 0 || g.offset >= r->chain_len)
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	/* Portion: what was asked, what is left, what one message carries. */
	max = MIN(dts, cap);
	if (max <= sizeof(struct spdm_certificate_rsp))
		return error_rsp(ver, SPDM_ERR_RESPONSE_TOO_LARGE, 0, out, cap);
	max -= sizeof(struct spdm_certificate_rsp);
	c.portion_len = (uint16_t)MIN(MIN((size_t)g.length, r->chain_len - g.offset), max);
	c.remainder_len = (uint16_t)(r->chain_len - g.offset - c.portion_len);
	c.data = r->chain + g.offset;
	n = spdm_encode_certificate(ver, &c, out, cap);
	if (n >= 0 && b && record2(b, q, qn, out, (size_t)n))
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	return n;
}

/* §10.8/§10.15 MeasurementSummaryHash: Hash of every measurement block
 * (we model no non-TCB blocks, so TCB and All hash the same set). */
static int meas_record(struct spdm_responder *r, int only, uint8_t *buf, size_t cap,
		       unsigned int *count)
{
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	struct spdm_meas_block b;
	size_t off = 0;
	unsigned int i;
	int n, rc;

	*count = 0;
	for (i = 0; i < r->cfg.nmeas; i++) {
		if (only >= 0 && r->cfg.meas[i].index != only)
			continue;
		rc = spdm_hash(r->hash, r->cfg.meas[i].data, r->cfg.meas[i].len, digest);
		if (rc)
			return rc;
		b = (struct spdm_meas_block){
			.index = r->cfg.meas[i].index,
			.value_type = r->cfg.meas[i].type,
			.value_size = r->p.hash_size,
			.value = digest,
		};
		n = spdm_encode_meas_block(&b, buf + off, cap - off);
		if (n < 0)
			return n;
		off += (size_t)n;
		(*count)++;
	}
	return (int)off;
}

static int meas_summary(struct spdm_responder *r, uint8_t hash_type, uint8_t *out)
{
	uint8_t rec[1024];
	unsigned int cnt;
	int n;

	if (hash_type == SPDM_MEAS_SUMMARY_NONE)
		return 0;
	n = meas_record(r, -1, rec, sizeof(rec), &cnt);
	if (n < 0)
		return n;
	return spdm_hash(r->hash, rec, (size_t)n, out);
}

static int do_challenge(struct spdm_responder *r, const uint8_t *q, size_t qn,
			uint8_t *out, size_t cap)
{
	uint8_t nonce[SPDM_NONCE_SIZE], msh[SPDM_MAX_HASH_SIZE], th[SPDM_MAX_HASH_SIZE];
	struct spdm_challenge_auth a = { 0 };
	struct spdm_challenge_req c;
	uint8_t ver = r->p.version;
	int n, rc;

	if (!(r->cfg.caps & SPDM_CAP_CHAL))
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_CHALLENGE, out, cap);
	if (spdm_decode_challenge(ver, q, qn, &c) || c.slot != 0)
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	if (fresh(r, nonce, sizeof(nonce)) || meas_summary(r, c.hash_type, msh))
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	a.slot = 0;
	a.slot_mask = 1;
	a.cert_chain_hash = r->chain_hash;
	a.nonce = nonce;
	a.meas_summary_hash = msh;
	a.context = c.context;
	n = spdm_encode_challenge_auth(&r->p, c.hash_type, &a, out, cap);
	if (n < 0 || (size_t)n + r->p.sig_size > cap)
		return error_rsp(ver, SPDM_ERR_RESPONSE_TOO_LARGE, 0, out, cap);
	/* M1 = A || B || C, C = CHALLENGE || CHALLENGE_AUTH without sig. */
	rc = record2(&r->c, q, qn, out, (size_t)n);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->a, &r->b, &r->c, NULL);
	if (!rc)
		rc = spdm_sign_transcript(r->cfg.certs->leaf_key, ver, r->asym, r->hash,
					  SPDM_CTX_CHALLENGE_AUTH, th, out + n);
	spdm_tbuf_reset(&r->b);
	spdm_tbuf_reset(&r->c);
	if (rc)
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	return n + r->p.sig_size;
}

/* l: the L transcript of the context (the connection's, or the session's). */
static int do_get_measurements(struct spdm_responder *r, struct spdm_tbuf *l, const uint8_t *q,
			       size_t qn, uint8_t *out, size_t cap)
{
	uint8_t rec[1024], nonce[SPDM_NONCE_SIZE], th[SPDM_MAX_HASH_SIZE];
	struct spdm_meas_rsp m = { 0 };
	struct spdm_get_meas g;
	uint8_t ver = r->p.version;
	unsigned int cnt = 0;
	bool sign;
	int n = 0, rc;

	if (!(r->cfg.caps & (SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_NO_SIG)))
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_GET_MEASUREMENTS, out, cap);
	if (spdm_decode_get_measurements(ver, q, qn, &g) || g.slot != 0)
		goto err_invalid;
	sign = g.attributes & SPDM_MEAS_ATTR_SIGNATURE;
	if (sign && !(r->cfg.caps & SPDM_CAP_MEAS_SIG))
		goto err_invalid;
	if (g.operation == SPDM_MEAS_OP_COUNT) {
		m.param1 = (uint8_t)r->cfg.nmeas;
	} else {
		n = meas_record(r, g.operation == SPDM_MEAS_OP_ALL ? -1 : g.operation,
				rec, sizeof(rec), &cnt);
		if (n < 0 || !cnt)
			goto err_invalid;
	}
	if (fresh(r, nonce, sizeof(nonce)))
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	m.param2 = 0;
	m.num_blocks = (uint8_t)cnt;
	m.record_len = (uint32_t)n;
	m.record = rec;
	m.nonce = nonce;
	m.context = g.context;
	n = spdm_encode_measurements(&r->p, &m, out, cap);
	if (n < 0 || (sign && (size_t)n + r->p.sig_size > cap))
		return error_rsp(ver, SPDM_ERR_RESPONSE_TOO_LARGE, 0, out, cap);
	rc = record2(l, q, qn, out, (size_t)n);
	if (rc || !sign)
		return rc ? error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap) : n;
	/* L1 = A || L (1.2+), signed, then L starts over. */
	rc = spdm_tbuf_hash(r->hash, th, &r->a, l, NULL, NULL);
	if (!rc)
		rc = spdm_sign_transcript(r->cfg.certs->leaf_key, ver, r->asym, r->hash,
					  SPDM_CTX_MEASUREMENTS, th, out + n);
	spdm_tbuf_reset(l);
	if (rc)
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	return n + r->p.sig_size;
err_invalid:
	return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
}

static int do_key_exchange(struct spdm_responder *r, const uint8_t *q, size_t qn,
			   uint8_t *out, size_t cap)
{
	uint8_t pub[SPDM_MAX_DHE_SIZE], secret[SPDM_MAX_DHE_SIZE], th[SPDM_MAX_HASH_SIZE];
	uint8_t random[SPDM_RANDOM_SIZE], msh[SPDM_MAX_HASH_SIZE], opaque[16];
	uint8_t verify[SPDM_MAX_HASH_SIZE];
	struct spdm_key_exchange_rsp_msg k = { 0 };
	struct spdm_key_exchange_req ke;
	uint8_t ver = r->p.version;
	size_t slen;
	uint16_t smver, rsp_id;
	EVP_PKEY *dhe;
	int n, on = 0, rc;

	if (!both_key_ex(r))
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, SPDM_KEY_EXCHANGE, out, cap);
	if (r->sess != SS_NONE)
		return error_rsp(ver, SPDM_ERR_SESSION_LIMIT_EXCEEDED, 0, out, cap);
	if (spdm_decode_key_exchange(&r->p, q, qn, &ke) || ke.slot != 0)
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	/* DSP0277 version negotiation in OpaqueData (OpaqueDataFmt1). */
	if (r->other_params == SPDM_OPAQUE_FMT_1 && ke.opaque_len) {
		if (spdm_decode_sm_opaque(ke.opaque, ke.opaque_len, false, &smver) ||
		    SPDM_VER_ENTRY_MAJMIN(smver) != SPDM_SECURED_VERSION_11)
			return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
		on = spdm_encode_sm_opaque_selection(SPDM_VER_ENTRY(SPDM_SECURED_VERSION_11),
						     opaque, sizeof(opaque));
		if (on < 0)
			return on;
	}
	dhe = spdm_ec_keygen_dhe(r->dhe);
	if (!dhe)
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	rc = spdm_dhe_public(dhe, r->dhe, pub);
	if (!rc)
		rc = spdm_dhe_derive(dhe, r->dhe, ke.exchange, r->p.dhe_size, secret, &slen);
	EVP_PKEY_free(dhe);
	if (rc)
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	if (fresh(r, random, sizeof(random)) || spdm_random(&rsp_id, sizeof(rsp_id)) ||
	    meas_summary(r, ke.hash_type, msh)) {
		rc = -EIO;
		goto err_wipe;
	}
	/* §10.15: HeartbeatPeriod is 0 unless both sides have HBEAT_CAP. */
	k.heartbeat_period = (r->cfg.caps & SPDM_CAP_HBEAT) && (r->req_caps.flags & SPDM_CAP_HBEAT) ?
				     r->cfg.heartbeat_period : 0;
	k.rsp_session_id = rsp_id | 1;	/* never 0 */
	k.random = random;
	k.exchange = pub;
	k.meas_summary_hash = msh;
	k.opaque_len = (uint16_t)on;
	k.opaque = opaque;
	n = spdm_encode_key_exchange_rsp(&r->p, ke.hash_type, &k, out, cap);
	if (n < 0 || (size_t)n + r->p.sig_size + r->p.hash_size > cap) {
		rc = -EMSGSIZE;
		goto err_wipe;
	}
	/* T = A || Hash(chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP... */
	spdm_tbuf_reset(&r->t);
	rc = spdm_tbuf_append(&r->t, r->a.p, r->a.len);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, r->chain_hash, r->p.hash_size);
	if (!rc)
		rc = record2(&r->t, q, qn, out, (size_t)n);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_sign_transcript(r->cfg.certs->leaf_key, ver, r->asym, r->hash,
					  SPDM_CTX_KEY_EXCHANGE_RSP, th, out + n);
	/* TH1 includes the signature (§12.5). */
	if (!rc)
		rc = spdm_tbuf_append(&r->t, out + n, r->p.sig_size);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_ks_handshake(&r->ks, ver, r->hash, secret, slen, th);
	if (!rc)
		rc = spdm_ks_verify_data(&r->ks, false, th, verify);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, verify, r->p.hash_size);
	if (rc)
		goto err_wipe;
	memcpy(out + n + r->p.sig_size, verify, r->p.hash_size);
	r->session_id = (uint32_t)ke.req_session_id | (uint32_t)k.rsp_session_id << 16;
	r->heartbeat_period = k.heartbeat_period;
	r->sess = SS_HANDSHAKE;
	OPENSSL_cleanse(secret, sizeof(secret));
	return n + r->p.sig_size + r->p.hash_size;
err_wipe:
	OPENSSL_cleanse(secret, sizeof(secret));
	end_session(r);
	return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
}

static bool not_ready_for(const struct spdm_responder *r, uint8_t code)
{
	unsigned int i;

	if (!r->cfg.not_ready_count)
		return false;
	for (i = 0; i < ARRAY_SIZE(r->cfg.not_ready_codes); i++)
		if (r->cfg.not_ready_codes[i] && r->cfg.not_ready_codes[i] == code)
			return true;
	return false;
}

static int not_ready_rsp(struct spdm_responder *r, uint8_t *out, size_t cap)
{
	/* RDT = 2^10 us, WT = RDT * 2: virtual, nothing sleeps. */
	struct spdm_error_not_ready nr = {
		.rdt_exponent = 10, .request_code = r->nr_code, .token = r->nr_token, .rdtm = 2,
	};

	r->nr_left--;
	return spdm_encode_error_not_ready(r->p.version, &nr, out, cap);
}

/*
 * §10.9 RESPOND_IF_READY: only valid while a response is held back, and
 * only with the RequestCode and Token of the ResponseNotReady; anything
 * else gets ERROR(InvalidRequest) (the held response stays).
 */
static int do_respond_if_ready(struct spdm_responder *r, const uint8_t *q, size_t qn,
			       uint8_t *out, size_t cap)
{
	uint8_t code, token;

	if (!r->nr_len)
		return error_rsp(r->p.version, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
	if (spdm_decode_respond_if_ready(r->p.version, q, qn, &code, &token) ||
	    code != r->nr_code || token != r->nr_token)
		return error_rsp(r->p.version, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	if (r->nr_left)
		return not_ready_rsp(r, out, cap);
	if (r->nr_len > cap)
		return -EMSGSIZE;
	memcpy(out, r->nr_rsp, r->nr_len);
	qn = r->nr_len;
	r->nr_len = 0;
	return (int)qn;
}

static int handle_plain_1(struct spdm_responder *r, const uint8_t *q, size_t qn, uint8_t *out,
			  size_t cap);

/*
 * The not-ready hook wraps the real handler: the request is processed
 * (and enters the transcripts) at once, as §10.9 has the eventual
 * response answer the original request; only its delivery is deferred.
 */
static int handle_plain(struct spdm_responder *r, const uint8_t *q, size_t qn, uint8_t *out,
			size_t cap)
{
	int n;

	if (qn >= 2 && q[1] == SPDM_RESPOND_IF_READY && r->state == RS_NEGOTIATED &&
	    q[0] == r->p.version)
		return do_respond_if_ready(r, q, qn, out, cap);
	/* Any other request abandons a held response. */
	r->nr_len = 0;
	n = handle_plain_1(r, q, qn, out, cap);
	if (n <= 0 || r->state != RS_NEGOTIATED || qn < 2 || !not_ready_for(r, q[1]) ||
	    out[1] == SPDM_ERROR || (size_t)n > sizeof(r->nr_rsp))
		return n;
	memcpy(r->nr_rsp, out, (size_t)n);
	r->nr_len = (size_t)n;
	r->nr_code = q[1];
	r->nr_token++;
	r->nr_left = r->cfg.not_ready_count;
	return not_ready_rsp(r, out, cap);
}

static int handle_plain_1(struct spdm_responder *r, const uint8_t *q, size_t qn, uint8_t *out,
			  size_t cap)
{
	struct spdm_header h;
	uint8_t ver = r->state >= RS_CAPS ? r->p.version : SPDM_VERSION_10;

	if (spdm_peek_header(q, qn, &h))
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	if (h.code == SPDM_GET_VERSION)
		return do_get_version(r, q, qn, out, cap);
	if (r->state == RS_IDLE)
		return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
	if (h.code == SPDM_GET_CAPABILITIES && r->state == RS_VERSION) {
		/* §10.4: the version named here is the negotiated one. */
		if (!version_supported(r, h.version))
			return error_rsp(SPDM_VERSION_10, SPDM_ERR_VERSION_MISMATCH, 0, out, cap);
		return do_get_capabilities(r, h.version, q, qn, out, cap);
	}
	if (r->state == RS_VERSION)
		return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
	if (h.version != r->p.version)
		return error_rsp(ver, SPDM_ERR_VERSION_MISMATCH, 0, out, cap);
	if (h.code == SPDM_NEGOTIATE_ALGORITHMS && r->state == RS_CAPS)
		return do_negotiate(r, h.version, q, qn, out, cap);
	if (r->state != RS_NEGOTIATED)
		return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
	/* L covers only contiguous GET_MEASUREMENTS exchanges. */
	if (h.code != SPDM_GET_MEASUREMENTS)
		spdm_tbuf_reset(&r->l);
	switch (h.code) {
	case SPDM_GET_DIGESTS:
		return do_get_digests(r, &r->b, q, qn, out, cap);
	case SPDM_GET_CERTIFICATE:
		return do_get_certificate(r, &r->b, r->cfg.data_transfer_size, q, qn, out, cap);
	case SPDM_CHALLENGE:
		return do_challenge(r, q, qn, out, cap);
	case SPDM_GET_MEASUREMENTS:
		return do_get_measurements(r, &r->l, q, qn, out, cap);
	case SPDM_KEY_EXCHANGE:
		return do_key_exchange(r, q, qn, out, cap);
	case SPDM_GET_CAPABILITIES:
	case SPDM_NEGOTIATE_ALGORITHMS:
	case SPDM_FINISH:
	case SPDM_HEARTBEAT:
	case SPDM_KEY_UPDATE:
	case SPDM_END_SESSION:
		return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
	default:
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, h.code, out, cap);
	}
}

static int do_finish(struct spdm_responder *r, const uint8_t *q, size_t qn, uint8_t *out,
		     size_t cap)
{
	uint8_t th[SPDM_MAX_HASH_SIZE], verify[SPDM_MAX_HASH_SIZE];
	struct spdm_finish_req f;
	uint8_t ver = r->p.version;
	size_t old = r->t.len;
	int n, rc;

	if (spdm_decode_finish(&r->p, q, qn, &f) || f.attributes)
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	/* RequesterVerifyData = HMAC(req finished key, Hash(T || FINISH hdr)). */
	rc = spdm_tbuf_append(&r->t, q, f.verify_offset);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_ks_verify_data(&r->ks, true, th, verify);
	if (rc) {
		r->t.len = old;
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	}
	if (CRYPTO_memcmp(verify, f.verify_data, r->p.hash_size)) {
		/* §10.16: a bad RequesterVerifyData ends the handshake. */
		end_session(r);
		return error_rsp(ver, SPDM_ERR_DECRYPT_ERROR, 0, out, cap);
	}
	n = spdm_encode_finish_rsp(&r->p, NULL, out, cap);
	if (n < 0)
		return n;
	rc = spdm_tbuf_append(&r->t, f.verify_data, r->p.hash_size);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, out, (size_t)n);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (rc) {
		end_session(r);
		return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
	}
	/* The application keys (from TH2) take over once FINISH_RSP is out;
	 * the caller seals FINISH_RSP with the handshake key first. */
	return n;
}

/* Handle one decrypted in-session request; *after is set to what must
 * happen once the response has been sealed with the current keys. */
enum after { AFTER_NONE, AFTER_DATA_KEYS, AFTER_END };

static int handle_session(struct spdm_responder *r, const uint8_t *q, size_t qn, uint8_t *out,
			  size_t cap, enum after *after)
{
	uint8_t ver = r->p.version, op, tag, attrs;
	struct spdm_header h;
	size_t dts, ovh;
	int n;

	*after = AFTER_NONE;
	if (spdm_peek_header(q, qn, &h))
		return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
	if (h.version != ver)
		return error_rsp(ver, SPDM_ERR_VERSION_MISMATCH, 0, out, cap);
	if (r->sess == SS_HANDSHAKE) {
		if (h.code != SPDM_FINISH)
			return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
		n = do_finish(r, q, qn, out, cap);
		if (n > 0 && out[1] == SPDM_FINISH_RSP)
			*after = AFTER_DATA_KEYS;
		return n;
	}
	/* The session's L covers only its contiguous GET_MEASUREMENTS. */
	if (h.code != SPDM_GET_MEASUREMENTS)
		spdm_tbuf_reset(&r->sl);
	switch (h.code) {
	case SPDM_GET_DIGESTS:
		return do_get_digests(r, NULL, q, qn, out, cap);
	case SPDM_GET_CERTIFICATE:
		dts = r->cfg.data_transfer_size;
		ovh = spdm_secured_overhead(r->cfg.seq_num_size);
		return do_get_certificate(r, NULL, dts > ovh ? dts - ovh : 0, q, qn, out, cap);
	case SPDM_GET_MEASUREMENTS:
		return do_get_measurements(r, &r->sl, q, qn, out, cap);
	case SPDM_HEARTBEAT:
		if (spdm_decode_heartbeat(ver, q, qn))
			break;
		/* §10.19: HeartbeatPeriod 0 means heartbeat is not used in
		 * this session (libspdm answers the same way). */
		if (!r->heartbeat_period)
			return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
		return spdm_encode_heartbeat_ack(ver, out, cap);
	case SPDM_KEY_UPDATE:
		if (spdm_decode_key_update(ver, q, qn, &op, &tag))
			break;
		/* The request came under the old request key; the new one
		 * is used from the next request on. DSP0274 "Session key
		 * update synchronization" (1.1.1 §10.21.1, kept in 1.2/1.3):
		 * the ACK to UpdateAllKeys already goes out under the new
		 * response key, so roll it before the caller seals the ACK. */
		if (op != SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY &&
		    spdm_ks_update(&r->ks, &r->ks.req_data))
			return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
		if (op == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS &&
		    spdm_ks_update(&r->ks, &r->ks.rsp_data)) {
			*after = AFTER_END;	/* the keys are out of step now */
			return error_rsp(ver, SPDM_ERR_UNSPECIFIED, 0, out, cap);
		}
		return spdm_encode_key_update_ack(ver, op, tag, out, cap);
	case SPDM_END_SESSION:
		if (spdm_decode_end_session(ver, q, qn, &attrs))
			break;
		*after = AFTER_END;
		return spdm_encode_end_session_ack(ver, out, cap);
	case SPDM_FINISH:
		return error_rsp(ver, SPDM_ERR_UNEXPECTED_REQUEST, 0, out, cap);
	case SPDM_VENDOR_DEFINED_REQUEST:
		if (!r->cfg.vendor_handler)
			return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, h.code, out, cap);
		return spdm_vendor_respond(&r->cfg, ver, q, qn, out, cap);
	default:
		return error_rsp(ver, SPDM_ERR_UNSUPPORTED_REQUEST, h.code, out, cap);
	}
	return error_rsp(ver, SPDM_ERR_INVALID_REQUEST, 0, out, cap);
}

/*
 * DSP0274 1.3.0 §10.19: a Responder that sees no request in an
 * established session for 2 * HeartbeatPeriod terminates the session.
 * Without a clock there is no timeout; the check runs when the next
 * secured message arrives (any request restarts the period).
 */
static void session_watchdog(struct spdm_responder *r)
{
	uint64_t now;

	if (!r->cfg.now_ms || r->sess == SS_NONE)
		return;
	now = r->cfg.now_ms(r->cfg.clock_ctx);
	if (r->sess == SS_ESTABLISHED && r->heartbeat_period &&
	    now - r->last_rx_ms > 2000ull * r->heartbeat_period) {
		pl_info("spdm: session %#x timed out (HeartbeatPeriod %u s)", r->session_id,
			r->heartbeat_period);
		end_session(r);
		return;
	}
	r->last_rx_ms = now;
}

static int handle_secured(struct spdm_responder *r, const uint8_t *q, size_t qn,
			  bool *rsp_secured, uint8_t *out, size_t cap)
{
	uint8_t *app, *rsp;
	struct spdm_traffic_keys *rx, *tx;
	uint8_t th[SPDM_MAX_HASH_SIZE];
	uint32_t sid;
	enum after after;
	size_t ovh;
	int n, rc;

	session_watchdog(r);
	if (r->sess == SS_NONE || spdm_secured_peek_session(q, qn, &sid) || sid != r->session_id)
		return error_rsp(r->p.version ? r->p.version : SPDM_VERSION_10,
				 SPDM_ERR_SESSION_REQUIRED, 0, out, cap);
	rx = r->sess == SS_HANDSHAKE ? &r->ks.req_hs : &r->ks.req_data;
	tx = r->sess == SS_HANDSHAKE ? &r->ks.rsp_hs : &r->ks.rsp_data;
	app = pl_zalloc(2 * SPDM_MAX_MSG_SIZE);
	if (!app)
		return -ENOMEM;
	rsp = app + SPDM_MAX_MSG_SIZE;
	n = spdm_secured_decode(rx, sid, r->cfg.seq_num_size, q, qn, app, SPDM_MAX_MSG_SIZE);
	if (n < 0) {
		/* DSP0277 §6: an unauthenticated message ends the session;
		 * tell the requester in the clear. */
		end_session(r);
		free(app);
		return error_rsp(r->p.version, SPDM_ERR_DECRYPT_ERROR, 0, out, cap);
	}
	/* The response must still fit out once sealed. */
	ovh = spdm_secured_overhead(r->cfg.seq_num_size);
	n = handle_session(r, app, (size_t)n, rsp,
			   MIN((size_t)SPDM_MAX_MSG_SIZE, cap > ovh ? cap - ovh : 0), &after);
	if (n < 0)
		goto out;
	n = spdm_secured_encode(tx, sid, r->cfg.seq_num_size, rsp, (size_t)n, out, cap);
	if (n < 0)
		goto out;
	*rsp_secured = true;
	switch (after) {
	case AFTER_DATA_KEYS:
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
		if (!rc)
			rc = spdm_ks_data(&r->ks, th);
		if (rc) {
			end_session(r);
			n = rc;
			break;
		}
		spdm_tbuf_free(&r->t);
		r->sess = SS_ESTABLISHED;
		break;
	case AFTER_END:
		end_session(r);
		break;
	case AFTER_NONE:
		break;
	}
out:
	OPENSSL_cleanse(app, 2 * SPDM_MAX_MSG_SIZE);
	free(app);
	return n;
}

int spdm_responder_handle(struct spdm_responder *r, bool secured, const void *req, size_t len,
			  bool *rsp_secured, void *out, size_t cap)
{
	*rsp_secured = false;
	if (cap < 4 + SPDM_ERR_MAX_EXT_DATA)
		return -EMSGSIZE;
	if (secured)
		return handle_secured(r, req, len, rsp_secured, out, cap);
	return handle_plain(r, req, len, out, cap);
}
