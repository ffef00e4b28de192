// SPDX-License-Identifier: MIT
/* CHALLENGE / CHALLENGE_AUTH (DSP0274 1.3.0 §10.8). */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

static bool hash_type_valid(uint8_t t)
{
	return t == SPDM_MEAS_SUMMARY_NONE || t == SPDM_MEAS_SUMMARY_TCB ||
	       t == SPDM_MEAS_SUMMARY_ALL;
}

int spdm_encode_challenge(uint8_t ver, const struct spdm_challenge_req *c, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (c->slot >= SPDM_MAX_SLOTS || !hash_type_valid(c->hash_type))
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_CHALLENGE, c->slot, c->hash_type);
	spdm_put_bytes(&w, c->nonce, SPDM_NONCE_SIZE);
	if (ver >= SPDM_VERSION_13)
		spdm_put_bytes(&w, c->context, SPDM_REQ_CONTEXT_SIZE);
	return spdm_wbuf_result(&w);
}

int spdm_decode_challenge(uint8_t ver, const void *buf, size_t len, struct spdm_challenge_req *c)
{
	struct spdm_rbuf r;
	int rc;

	memset(c, 0, sizeof(*c));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_CHALLENGE, &c->slot, &c->hash_type);
	if (rc)
		return rc;
	spdm_get_bytes(&r, c->nonce, SPDM_NONCE_SIZE);
	if (ver >= SPDM_VERSION_13)
		spdm_get_bytes(&r, c->context, SPDM_REQ_CONTEXT_SIZE);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	/* 0xFF in SlotID means the provisioned public key (1.2); we only
	 * support certificate slots. */
	if (c->slot >= SPDM_MAX_SLOTS || !hash_type_valid(c->hash_type))
		return -EPROTO;
	return 0;
}

int spdm_encode_challenge_auth(const struct spdm_params *p, uint8_t hash_type,
			       const struct spdm_challenge_auth *a, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (!p->hash_size || a->slot >= SPDM_MAX_SLOTS ||
	    (hash_type != SPDM_MEAS_SUMMARY_NONE && !a->meas_summary_hash))
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_CHALLENGE_AUTH, a->slot, a->slot_mask);
	spdm_put_bytes(&w, a->cert_chain_hash, p->hash_size);
	spdm_put_bytes(&w, a->nonce, SPDM_NONCE_SIZE);
	if (hash_type != SPDM_MEAS_SUMMARY_NONE)
		spdm_put_bytes(&w, a->meas_summary_hash, p->hash_size);
	spdm_put_le16(&w, a->opaque_len);
	spdm_put_bytes(&w, a->opaque, a->opaque_len);
	if (p->version >= SPDM_VERSION_13)
		spdm_put_bytes(&w, a->context, SPDM_REQ_CONTEXT_SIZE);
	if (a->signature)
		spdm_put_bytes(&w, a->signature, p->sig_size);
	return spdm_wbuf_result(&w);
}

int spdm_decode_challenge_auth(const struct spdm_params *p, uint8_t hash_type,
			       const void *buf, size_t len, struct spdm_challenge_auth *a)
{
	struct spdm_rbuf r;
	int rc;

	memset(a, 0, sizeof(*a));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_CHALLENGE_AUTH, &a->slot, &a->slot_mask);
	if (rc)
		return rc;
	a->slot &= SPDM_SLOT_ID_MASK;
	a->cert_chain_hash = spdm_get_ptr(&r, p->hash_size);
	a->nonce = spdm_get_ptr(&r, SPDM_NONCE_SIZE);
	if (hash_type != SPDM_MEAS_SUMMARY_NONE)
		a->meas_summary_hash = spdm_get_ptr(&r, p->hash_size);
	a->opaque_len = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	/* §10.8: OpaqueDataLength shall not exceed 1024. */
	if (a->opaque_len > 1024)
		return -EPROTO;
	a->opaque = spdm_get_ptr(&r, a->opaque_len);
	if (p->version >= SPDM_VERSION_13)
		a->context = spdm_get_ptr(&r, SPDM_REQ_CONTEXT_SIZE);
	a->sig_offset = r.off;
	a->signature = spdm_get_ptr(&r, p->sig_size);
	return spdm_rbuf_end(&r);
}
