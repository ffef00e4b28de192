// SPDX-License-Identifier: MIT
/*
 * SPDM requester (kernel side, the CMA-SPDM role): mirrors
 * spdm_responder.c and keeps the same transcripts (A, B, C, L, session T).
 *
 * Freshness: the requester remembers every nonce/random it sent and every
 * one the responder returned on this connection (up to NONCE_RING) and
 * rejects a response whose Nonce or RandomData repeats any of them
 * (-EPROTO): a responder that reuses a nonce, or reflects ours, lets an
 * attacker replay signed responses.
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

#define NONCE_RING	32

struct spdm_requester {
	struct spdm_requester_config cfg;
	const struct spdm_transport_ops *ops;
	void *ctx;
	struct spdm_params p;
	uint32_t asym, hash, dhe, aead, rsp_caps;
	uint8_t other_params;
	bool negotiated;
	uint8_t last_error;
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	bool have_digest;
	uint8_t *chain;
	size_t chain_len;
	uint8_t chain_hash[SPDM_MAX_HASH_SIZE];
	EVP_PKEY *leaf_key;
	struct spdm_tbuf a, b, c, l, t;
	struct spdm_tbuf sl;		/* the session's own L (in-session GET_MEASUREMENTS) */
	uint8_t nonces[NONCE_RING][SPDM_NONCE_SIZE];
	unsigned int nnonces;
	bool in_session, established;
	uint32_t session_id;
	uint8_t heartbeat_period;	/* from KEY_EXCHANGE_RSP (§10.15) */
	struct spdm_key_schedule ks;
	uint8_t buf[SPDM_MAX_MSG_SIZE], sbuf[SPDM_MAX_MSG_SIZE + 64];
};

struct spdm_requester *spdm_requester_new(const struct spdm_requester_config *cfg,
					  const struct spdm_transport_ops *ops, void *ctx)
{
	struct spdm_requester *r;

	if (!cfg->nversions || cfg->nversions > ARRAY_SIZE(cfg->versions) || !cfg->trust)
		return ERR_PTR(-EINVAL);
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->cfg = *cfg;
	if (!r->cfg.cert_chunk)
		r->cfg.cert_chunk = 1024;
	if (!r->cfg.data_transfer_size)
		r->cfg.data_transfer_size = SPDM_MAX_MSG_SIZE;
	r->ops = ops;
	r->ctx = ctx;
	return r;
}

static void drop_session(struct spdm_requester *r)
{
	r->in_session = r->established = false;
	spdm_tbuf_free(&r->t);
	spdm_tbuf_free(&r->sl);
	spdm_ks_clear(&r->ks);
}

void spdm_requester_free(struct spdm_requester *r)
{
	if (IS_ERR_OR_NULL(r))
		return;
	drop_session(r);
	spdm_tbuf_free(&r->a);
	spdm_tbuf_free(&r->b);
	spdm_tbuf_free(&r->c);
	spdm_tbuf_free(&r->l);
	free(r->chain);
	EVP_PKEY_free(r->leaf_key);
	free(r);
}

uint8_t spdm_req_version(const struct spdm_requester *r)
{
	return r->p.version;
}

uint32_t spdm_req_selected_asym(const struct spdm_requester *r)
{
	return r->asym;
}

uint8_t spdm_req_last_error(const struct spdm_requester *r)
{
	return r->last_error;
}

void spdm_req_selected(const struct spdm_requester *r, struct spdm_algo_support *sel)
{
	sel->asym = r->asym;
	sel->hash = r->hash;
	sel->dhe = (uint16_t)r->dhe;
	sel->aead = (uint16_t)r->aead;
}

int spdm_req_cert_chain(const struct spdm_requester *r, const uint8_t **chain, size_t *len)
{
	if (!r->chain)
		return -ENOENT;
	*chain = r->chain;
	*len = r->chain_len;
	return 0;
}

/* Remember a nonce; -EPROTO if it was seen before on this connection. */
static int nonce_fresh(struct spdm_requester *r, const uint8_t *n)
{
	unsigned int i, cnt = MIN(r->nnonces, NONCE_RING);

	for (i = 0; i < cnt; i++)
		if (!memcmp(r->nonces[i], n, SPDM_NONCE_SIZE))
			return -EPROTO;
	memcpy(r->nonces[r->nnonces % NONCE_RING], n, SPDM_NONCE_SIZE);
	r->nnonces++;
	return 0;
}

static int new_nonce(struct spdm_requester *r, uint8_t *n)
{
	int rc = spdm_random(n, SPDM_NONCE_SIZE);

	return rc ? rc : nonce_fresh(r, n);
}

/*
 * One exchange. Plain: the response lands in r->buf. Secured: the
 * request is sealed with the current request-direction key and the
 * response opened with the response-direction key. An ERROR response
 * records its code and yields -EREMOTEIO.
 */
static int xfer_1(struct spdm_requester *r, bool secured, const void *q, size_t qn, size_t *rn)
{
	struct spdm_traffic_keys *tx, *rx;
	struct spdm_error_msg e;
	bool rsec = false;
	size_t len;
	int rc, n;

	r->last_error = 0;
	if (!secured) {
		rc = r->ops->send(r->ctx, false, q, qn);
		if (!rc)
			rc = r->ops->recv(r->ctx, &rsec, r->buf, sizeof(r->buf), &len);
		if (rc)
			return rc;
		if (rsec)
			return -EPROTO;
	} else {
		/* The session's L covers only its contiguous GET_MEASUREMENTS. */
		if (qn < 2 || ((const uint8_t *)q)[1] != SPDM_GET_MEASUREMENTS)
			spdm_tbuf_reset(&r->sl);
		tx = r->established ? &r->ks.req_data : &r->ks.req_hs;
		rx = r->established ? &r->ks.rsp_data : &r->ks.rsp_hs;
		n = spdm_secured_encode(tx, r->session_id, r->cfg.seq_num_size, q, qn,
					r->sbuf, sizeof(r->sbuf));
		if (n < 0)
			return n;
		rc = r->ops->send(r->ctx, true, r->sbuf, (size_t)n);
		if (!rc)
			rc = r->ops->recv(r->ctx, &rsec, r->sbuf, sizeof(r->sbuf), &len);
		if (rc)
			return rc;
		if (!rsec) {
			/* A clear ERROR (e.g. DecryptError) ends the session. */
			if (!spdm_decode_error(r->p.version, r->sbuf, len, &e)) {
				r->last_error = e.code;
				drop_session(r);
				*rn = 0;	/* not in r->buf */
				return -EREMOTEIO;
			}
			return -EPROTO;
		}
		n = spdm_secured_decode(rx, r->session_id, r->cfg.seq_num_size, r->sbuf, len,
					r->buf, sizeof(r->buf));
		if (n < 0) {
			/* Sequence numbers are out of step now: the session
			 * cannot continue (DSP0277 §6). */
			drop_session(r);
			return n;
		}
		len = (size_t)n;
	}
	if (len >= 2 && r->buf[1] == SPDM_ERROR) {
		if (spdm_decode_error(r->buf[0], r->buf, len, &e))
			return -EPROTO;
		r->last_error = e.code;
		*rn = len;	/* for xfer()'s ResponseNotReady handling */
		return -EREMOTEIO;
	}
	*rn = len;
	return 0;
}

/*
 * One exchange, riding out ERROR(ResponseNotReady) (DSP0274 1.3.0
 * §10.10 Table 50, §10.9): RESPOND_IF_READY with Param1 = RequestCode and
 * Param2 = Token, at most SPDM_REQ_NOT_READY_RETRIES times. The waits
 * (RDT = 2^RDTExponent us, then up to RDT * RDTM) are virtual. Callers
 * record q and the final response in their transcripts as usual; the
 * ERROR and RESPOND_IF_READY messages never reach a transcript.
 */
static int xfer(struct spdm_requester *r, bool secured, const void *q, size_t qn, size_t *rn)
{
	const uint8_t *qb = q;
	struct spdm_error_not_ready nr;
	uint8_t rif[4];
	unsigned int tries = 0;
	int n, rc;

	rc = xfer_1(r, secured, q, qn, rn);
	while (rc == -EREMOTEIO && r->last_error == SPDM_ERR_RESPONSE_NOT_READY) {
		if (qn < 2 || spdm_decode_error_not_ready(r->buf[0], r->buf, *rn, &nr))
			return -EPROTO;
		if (nr.request_code != qb[1])
			return -EPROTO;
		if (tries++ == SPDM_REQ_NOT_READY_RETRIES) {
			pl_warn("spdm: request 0x%02x still not ready after %u retries",
				    qb[1], SPDM_REQ_NOT_READY_RETRIES);
			r->last_error = SPDM_ERR_RESPONSE_NOT_READY;
			return -ETIMEDOUT;
		}
		pl_dbg("spdm: request 0x%02x not ready, token %u, virtual wait %llu us",
			     qb[1], nr.token,
			     (unsigned long long)(1ull << MIN(nr.rdt_exponent, 63)) * nr.rdtm);
		n = spdm_encode_respond_if_ready(qb[0], nr.request_code, nr.token, rif, sizeof(rif));
		if (n < 0)
			return n;
		rc = xfer_1(r, secured, rif, (size_t)n, rn);
	}
	return rc;
}

static int record2(struct spdm_tbuf *t, const void *q, size_t qn, const void *s, size_t sn)
{
	size_t old = t->len;
	int rc = spdm_tbuf_append(t, q, qn);

	if (!rc)
		rc = spdm_tbuf_append(t, s, sn);
	if (rc)
		t->len = old;
	return rc;
}

static bool one_bit_of(uint32_t sel, uint32_t offered)
{
	return sel && !(sel & (sel - 1)) && (sel & offered);
}

int spdm_req_init_connection(struct spdm_requester *r)
{
	uint8_t q[128];
	struct spdm_version_info v;
	struct spdm_caps c = {
		.ct_exponent = 12,
		.flags = r->cfg.caps,
		.data_transfer_size = r->cfg.data_transfer_size,
		.max_msg_size = r->cfg.data_transfer_size,
	};
	struct spdm_algs algs = {
		.meas_spec = SPDM_MEAS_SPEC_DMTF,
		.other_params = SPDM_OPAQUE_FMT_1,
		.base_asym = r->cfg.algos.asym,
		.base_hash = r->cfg.algos.hash,
		.dhe = r->cfg.algos.dhe,
		.aead = r->cfg.algos.aead,
		.key_schedule = SPDM_KEY_SCHEDULE_SPDM,
	}, sel;
	unsigned int i, j;
	size_t rn;
	uint8_t best = 0;
	int n, rc;

	drop_session(r);
	r->negotiated = false;
	r->have_digest = false;
	r->nnonces = 0;
	spdm_tbuf_reset(&r->a);
	spdm_tbuf_reset(&r->b);
	spdm_tbuf_reset(&r->c);
	spdm_tbuf_reset(&r->l);

	n = spdm_encode_get_version(q, sizeof(q));
	rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
	if (rc)
		return rc;
	rc = spdm_decode_version(r->buf, rn, &v);
	if (rc)
		return rc;
	/* Highest version both sides speak (§10.3). */
	for (i = 0; i < v.count; i++)
		for (j = 0; j < r->cfg.nversions; j++)
			if (SPDM_VER_ENTRY_MAJMIN(v.entries[i]) == r->cfg.versions[j] &&
			    r->cfg.versions[j] > best)
				best = r->cfg.versions[j];
	if (!best)
		return -EPROTONOSUPPORT;
	if ((rc = record2(&r->a, q, (size_t)n, r->buf, rn)))
		return rc;
	r->p.version = best;

	n = spdm_encode_get_capabilities(best, &c, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
	if (rc)
		return rc;
	rc = spdm_decode_capabilities(best, r->buf, rn, &c);
	if (rc)
		return rc;
	if ((rc = record2(&r->a, q, (size_t)n, r->buf, rn)))
		return rc;
	r->rsp_caps = c.flags;

	n = spdm_encode_negotiate_algorithms(best, &algs, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
	if (rc)
		return rc;
	rc = spdm_decode_algorithms(best, r->buf, rn, &sel);
	if (rc)
		return rc;
	/* Each selection must be exactly one of the algorithms offered. */
	if (!one_bit_of(sel.base_asym, algs.base_asym) || !one_bit_of(sel.base_hash, algs.base_hash) ||
	    !spdm_sig_size(sel.base_asym) || !spdm_hash_size(sel.base_hash))
		return -EPROTO;
	if ((r->rsp_caps & SPDM_CAP_KEY_EX) && (r->cfg.caps & SPDM_CAP_KEY_EX) &&
	    (!one_bit_of(sel.dhe, algs.dhe) || !one_bit_of(sel.aead, algs.aead) ||
	     sel.key_schedule != SPDM_KEY_SCHEDULE_SPDM))
		return -EPROTO;
	if ((rc = record2(&r->a, q, (size_t)n, r->buf, rn)))
		return rc;
	r->asym = sel.base_asym;
	r->hash = sel.base_hash;
	r->dhe = sel.dhe;
	r->aead = sel.aead;
	r->other_params = sel.other_params;
	r->p.hash_size = (uint16_t)spdm_hash_size(r->hash);
	r->p.sig_size = (uint16_t)spdm_sig_size(r->asym);
	r->p.dhe_size = (uint16_t)spdm_dhe_size(r->dhe);
	r->negotiated = true;
	return 0;
}

int spdm_req_get_digests(struct spdm_requester *r)
{
	struct spdm_digests d;
	uint8_t q[8];
	size_t rn;
	int n, rc;

	if (!r->negotiated)
		return -ENOTCONN;
	spdm_tbuf_reset(&r->l);
	n = spdm_encode_get_digests(r->p.version, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
	if (rc)
		return rc;
	rc = spdm_decode_digests(&r->p, r->buf, rn, &d);
	if (rc)
		return rc;
	if (!(d.provisioned_mask & 1))
		return -ENOENT;
	memcpy(r->digest, d.digests, r->p.hash_size);
	r->have_digest = true;
	return record2(&r->b, q, (size_t)n, r->buf, rn);
}

int spdm_req_get_certificate(struct spdm_requester *r, uint8_t slot)
{
	struct spdm_get_cert g = { .slot = slot };
	struct spdm_cert_portion c;
	uint8_t q[16], *chain = NULL, *nc;
	size_t len = 0, rn;
	EVP_PKEY *key = NULL;
	int n, rc;

	if (!r->negotiated)
		return -ENOTCONN;
	spdm_tbuf_reset(&r->l);
	for (;;) {
		g.offset = (uint16_t)len;
		g.length = r->cfg.cert_chunk;
		n = spdm_encode_get_certificate(r->p.version, &g, q, sizeof(q));
		rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
		if (rc)
			goto err_free;
		rc = spdm_decode_certificate(r->p.version, r->buf, rn, &c);
		if (rc)
			goto err_free;
		/* A portion is never empty or longer than asked, and the
		 * chain never exceeds 64 KiB (§10.7). */
		rc = -EPROTO;
		if (c.slot != slot || !c.portion_len || c.portion_len > g.length ||
		    len + c.portion_len + c.remainder_len > SPDM_MAX_CERT_CHAIN_SIZE)
			goto err_free;
		nc = pl_realloc(chain, len + c.portion_len);
		if (!nc) {
			rc = -ENOMEM;
			goto err_free;
		}
		chain = nc;
		memcpy(chain + len, c.data, c.portion_len);
		len += c.portion_len;
		rc = record2(&r->b, q, (size_t)n, r->buf, rn);
		if (rc)
			goto err_free;
		if (!c.remainder_len)
			break;
	}
	rc = spdm_hash(r->hash, chain, len, r->chain_hash);
	if (rc)
		goto err_free;
	/* The chain must be the one DIGESTS announced. */
	if (r->have_digest && memcmp(r->chain_hash, r->digest, r->p.hash_size)) {
		rc = -EPROTO;
		goto err_free;
	}
	rc = spdm_cert_chain_verify(chain, len, r->hash, r->cfg.trust,
				    r->cfg.now ? r->cfg.now : time(NULL), &key);
	if (rc)
		goto err_free;
	if (!(spdm_key_asym(key) & r->asym)) {
		/* The leaf key must match BaseAsymAlgo (type and size). */
		EVP_PKEY_free(key);
		rc = -EKEYREJECTED;
		goto err_free;
	}
	free(r->chain);
	EVP_PKEY_free(r->leaf_key);
	r->chain = chain;
	r->chain_len = len;
	r->leaf_key = key;	/* reference from spdm_cert_chain_verify */
	return 0;
err_free:
	free(chain);
	return rc;
}

int spdm_req_challenge(struct spdm_requester *r, uint8_t slot, uint8_t hash_type)
{
	struct spdm_challenge_req c = { .slot = slot, .hash_type = hash_type };
	uint8_t q[64], th[SPDM_MAX_HASH_SIZE];
	struct spdm_challenge_auth a;
	size_t rn;
	int n, rc;

	if (!r->leaf_key)
		return -ENOKEY;
	spdm_tbuf_reset(&r->l);
	rc = new_nonce(r, c.nonce);
	if (!rc)
		rc = spdm_random(c.context, sizeof(c.context));
	if (rc)
		return rc;
	n = spdm_encode_challenge(r->p.version, &c, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
	if (rc)
		goto out;
	rc = spdm_decode_challenge_auth(&r->p, hash_type, r->buf, rn, &a);
	if (rc)
		goto out;
	rc = -EPROTO;
	if (a.slot != slot || memcmp(a.cert_chain_hash, r->chain_hash, r->p.hash_size) ||
	    (a.context && memcmp(a.context, c.context, sizeof(c.context))))
		goto out;
	rc = nonce_fresh(r, a.nonce);
	if (rc)
		goto out;
	rc = record2(&r->c, q, (size_t)n, r->buf, a.sig_offset);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->a, &r->b, &r->c, NULL);
	if (!rc)
		rc = spdm_verify_transcript(r->leaf_key, r->p.version, r->asym, r->hash,
					    SPDM_CTX_CHALLENGE_AUTH, th, a.signature, r->p.sig_size);
out:
	spdm_tbuf_reset(&r->b);
	spdm_tbuf_reset(&r->c);
	return rc;
}

/*
 * secured: inside the established session, where the exchange enters the
 * session's own L (L1 = A || that L, DSP0274 1.2+), not the connection's.
 */
static int get_measurements(struct spdm_requester *r, bool secured, bool sign, uint8_t *record,
			    size_t cap, size_t *len, unsigned int *nblocks)
{
	struct spdm_get_meas g = { .operation = SPDM_MEAS_OP_ALL };
	struct spdm_tbuf *l = secured ? &r->sl : &r->l;
	uint8_t q[64], th[SPDM_MAX_HASH_SIZE];
	struct spdm_meas_rsp m;
	size_t rn;
	int n, rc;

	if (!r->negotiated || (secured && !r->established))
		return -ENOTCONN;
	if (sign && !r->leaf_key)
		return -ENOKEY;
	if (sign) {
		g.attributes = SPDM_MEAS_ATTR_SIGNATURE;
		rc = new_nonce(r, g.nonce);
		if (rc)
			return rc;
	}
	rc = spdm_random(g.context, sizeof(g.context));
	if (rc)
		return rc;
	n = spdm_encode_get_measurements(r->p.version, &g, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, secured, q, (size_t)n, &rn);
	if (rc)
		goto err_reset;
	rc = spdm_decode_measurements(&r->p, sign, r->buf, rn, &m);
	if (rc)
		goto err_reset;
	rc = -EPROTO;
	if (m.context && memcmp(m.context, g.context, sizeof(g.context)))
		goto err_reset;
	if (sign && (rc = nonce_fresh(r, m.nonce)))
		goto err_reset;
	rc = record2(l, q, (size_t)n, r->buf, sign ? m.sig_offset : rn);
	if (rc)
		goto err_reset;
	if (sign) {
		/* L1 = A || L (DSP0274 1.2+). */
		rc = spdm_tbuf_hash(r->hash, th, &r->a, l, NULL, NULL);
		if (!rc)
			rc = spdm_verify_transcript(r->leaf_key, r->p.version, r->asym, r->hash,
						    SPDM_CTX_MEASUREMENTS, th, m.signature,
						    r->p.sig_size);
		spdm_tbuf_reset(l);
		if (rc)
			return rc;
	}
	if (record) {
		if (m.record_len > cap)
			return -EMSGSIZE;
		memcpy(record, m.record, m.record_len);
	}
	if (len)
		*len = m.record_len;
	if (nblocks)
		*nblocks = m.num_blocks;
	return 0;
err_reset:
	spdm_tbuf_reset(l);
	return rc;
}

int spdm_req_get_measurements(struct spdm_requester *r, bool sign, uint8_t *record,
			      size_t cap, size_t *len, unsigned int *nblocks)
{
	return get_measurements(r, false, sign, record, cap, len, nblocks);
}

int spdm_req_session_get_measurements(struct spdm_requester *r, bool sign, uint8_t *record,
				      size_t cap, size_t *len, unsigned int *nblocks)
{
	return get_measurements(r, true, sign, record, cap, len, nblocks);
}

int spdm_req_session_get_digests(struct spdm_requester *r)
{
	struct spdm_digests d;
	uint8_t q[8];
	size_t rn;
	int n, rc;

	if (!r->established)
		return -ENOTCONN;
	n = spdm_encode_get_digests(r->p.version, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, true, q, (size_t)n, &rn);
	if (rc)
		return rc;
	rc = spdm_decode_digests(&r->p, r->buf, rn, &d);
	if (rc)
		return rc;
	/* Slot 0 must still hold the chain the session was keyed to. */
	if (!(d.provisioned_mask & 1))
		return -ENOENT;
	if (r->chain && memcmp(d.digests, r->chain_hash, r->p.hash_size))
		return -EPROTO;
	return 0;
}

int spdm_req_start_session(struct spdm_requester *r, uint8_t slot, uint32_t *session_id)
{
	uint8_t pub[SPDM_MAX_DHE_SIZE], secret[SPDM_MAX_DHE_SIZE], th[SPDM_MAX_HASH_SIZE];
	uint8_t verify[SPDM_MAX_HASH_SIZE], opaque[16], q[512];
	struct spdm_key_exchange_req ke = { .slot = slot, .hash_type = SPDM_MEAS_SUMMARY_NONE };
	struct spdm_key_exchange_rsp_msg k;
	struct spdm_finish_req f = { 0 };
	const uint8_t *rv;
	uint16_t smver;
	size_t rn, slen = 0;
	EVP_PKEY *dhe;
	int n, on = 0, rc;

	if (!r->leaf_key || !r->p.dhe_size)
		return -ENOKEY;
	drop_session(r);
	spdm_tbuf_reset(&r->l);
	if (r->other_params == SPDM_OPAQUE_FMT_1) {
		on = spdm_encode_sm_opaque_supported(opaque, sizeof(opaque));
		if (on < 0)
			return on;
	}
	dhe = spdm_ec_keygen_dhe(r->dhe);
	if (!dhe)
		return -ENOMEM;
	rc = spdm_dhe_public(dhe, r->dhe, pub);
	if (!rc)
		rc = new_nonce(r, ke.random);
	if (!rc)
		rc = spdm_random(&ke.req_session_id, sizeof(ke.req_session_id));
	if (rc)
		goto err_free_dhe;
	ke.req_session_id |= 1;
	ke.exchange = pub;
	ke.opaque_len = (uint16_t)on;
	ke.opaque = opaque;
	n = spdm_encode_key_exchange(&r->p, &ke, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, false, q, (size_t)n, &rn);
	if (rc)
		goto err_free_dhe;
	rc = spdm_decode_key_exchange_rsp(&r->p, ke.hash_type, r->buf, rn, &k);
	if (rc)
		goto err_free_dhe;
	rc = nonce_fresh(r, k.random);
	if (rc)
		goto err_free_dhe;
	if (on && (spdm_decode_sm_opaque(k.opaque, k.opaque_len, true, &smver) ||
		   SPDM_VER_ENTRY_MAJMIN(smver) != SPDM_SECURED_VERSION_11)) {
		rc = -EPROTO;
		goto err_free_dhe;
	}
	/* T = A || Hash(chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP. */
	rc = spdm_tbuf_append(&r->t, r->a.p, r->a.len);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, r->chain_hash, r->p.hash_size);
	if (!rc)
		rc = record2(&r->t, q, (size_t)n, r->buf, k.sig_offset);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_verify_transcript(r->leaf_key, r->p.version, r->asym, r->hash,
					    SPDM_CTX_KEY_EXCHANGE_RSP, th, k.signature,
					    r->p.sig_size);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, k.signature, r->p.sig_size);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_dhe_derive(dhe, r->dhe, k.exchange, r->p.dhe_size, secret, &slen);
	if (!rc)
		rc = spdm_ks_handshake(&r->ks, r->p.version, r->hash, secret, slen, th);
	if (!rc)
		rc = spdm_ks_verify_data(&r->ks, false, th, verify);
	if (rc)
		goto err_drop;
	if (CRYPTO_memcmp(verify, k.verify_data, r->p.hash_size)) {
		rc = -EBADMSG;
		goto err_drop;
	}
	rc = spdm_tbuf_append(&r->t, k.verify_data, r->p.hash_size);
	if (rc)
		goto err_drop;
	r->session_id = (uint32_t)ke.req_session_id | (uint32_t)k.rsp_session_id << 16;
	/* §10.15: a period is meaningful only if both sides set HBEAT_CAP. */
	r->heartbeat_period = (r->cfg.caps & SPDM_CAP_HBEAT) && (r->rsp_caps & SPDM_CAP_HBEAT) ?
				      k.heartbeat_period : 0;
	r->in_session = true;

	/* FINISH: RequesterVerifyData = HMAC(req finished key, Hash(T || hdr)). */
	n = spdm_encode_finish(&r->p, &f, q, sizeof(q));
	if (n < 0 || (rc = spdm_tbuf_append(&r->t, q, (size_t)n)))
		goto err_drop_n;
	rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_ks_verify_data(&r->ks, true, th, q + n);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, q + n, r->p.hash_size);
	if (rc)
		goto err_drop;
	n += r->p.hash_size;
	rc = xfer(r, true, q, (size_t)n, &rn);
	if (!rc)
		rc = spdm_decode_finish_rsp(&r->p, false, r->buf, rn, &rv);
	if (!rc)
		rc = spdm_tbuf_append(&r->t, r->buf, rn);
	if (!rc)
		rc = spdm_tbuf_hash(r->hash, th, &r->t, NULL, NULL, NULL);
	if (!rc)
		rc = spdm_ks_data(&r->ks, th);
	if (rc)
		goto err_drop;
	spdm_tbuf_free(&r->t);
	r->established = true;
	if (session_id)
		*session_id = r->session_id;
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(dhe);
	return 0;
err_drop_n:
	if (n < 0)
		rc = n;
err_drop:
	drop_session(r);
err_free_dhe:
	spdm_tbuf_free(&r->t);
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(dhe);
	return rc;
}

int spdm_req_heartbeat(struct spdm_requester *r)
{
	uint8_t q[8];
	size_t rn;
	int n, rc;

	if (!r->established)
		return -ENOTCONN;
	/* §10.19: HeartbeatPeriod 0, heartbeat is not used in the session. */
	if (!r->heartbeat_period)
		return -EOPNOTSUPP;
	n = spdm_encode_heartbeat(r->p.version, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, true, q, (size_t)n, &rn);
	return rc ? rc : spdm_decode_heartbeat_ack(r->p.version, r->buf, rn);
}

unsigned int spdm_req_heartbeat_period(const struct spdm_requester *r)
{
	return r->established ? r->heartbeat_period : 0;
}

static int key_update_1(struct spdm_requester *r, uint8_t op, uint8_t tag)
{
	uint8_t q[8], aop, atag;
	size_t rn;
	int n, rc;

	n = spdm_encode_key_update(r->p.version, op, tag, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, true, q, (size_t)n, &rn);
	if (!rc)
		rc = spdm_decode_key_update_ack(r->p.version, r->buf, rn, &aop, &atag);
	if (!rc && (aop != op || atag != tag))
		rc = -EPROTO;
	return rc;
}

int spdm_req_key_update(struct spdm_requester *r, uint8_t op)
{
	uint8_t tag;
	int rc;

	if (!r->established)
		return -ENOTCONN;
	if (op != SPDM_KEY_UPDATE_OP_UPDATE_KEY && op != SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS)
		return -EINVAL;
	rc = spdm_random(&tag, 1);
	/* DSP0274 "Session key update synchronization" (1.1.1 §10.21.1,
	 * kept in 1.2/1.3): the request goes out under the old request key,
	 * and the responder answers UpdateAllKeys under its new response
	 * key, so that one rolls before the ACK is opened. The request key
	 * rolls once the ACK is in. */
	if (!rc && op == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS)
		rc = spdm_ks_update(&r->ks, &r->ks.rsp_data);
	if (!rc)
		rc = key_update_1(r, op, tag);
	if (!rc)
		rc = spdm_ks_update(&r->ks, &r->ks.req_data);
	/* Prove the new keys work (VerifyNewKey). */
	if (!rc)
		rc = key_update_1(r, SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY, (uint8_t)(tag + 1));
	if (rc)
		drop_session(r);
	return rc;
}

int spdm_req_session_xfer(struct spdm_requester *r, const void *q, size_t qn,
			  const uint8_t **rsp, size_t *rn)
{
	int rc;

	if (!r->established)
		return -ENOTCONN;
	rc = xfer(r, true, q, qn, rn);
	if (!rc)
		*rsp = r->buf;
	return rc;
}

int spdm_req_end_session(struct spdm_requester *r)
{
	uint8_t q[8];
	size_t rn;
	int n, rc;

	if (!r->established)
		return -ENOTCONN;
	n = spdm_encode_end_session(r->p.version, 0, q, sizeof(q));
	rc = n < 0 ? n : xfer(r, true, q, (size_t)n, &rn);
	if (!rc)
		rc = spdm_decode_end_session_ack(r->p.version, r->buf, rn);
	drop_session(r);
	return rc;
}
