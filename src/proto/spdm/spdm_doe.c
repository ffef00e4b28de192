// SPDX-License-Identifier: MIT
/* Exact SPDM message lengths inside DWORD-padded DOE objects (spdm_doe.h). */
#include <string.h>

#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_doe.h"
#include "proto/spdm/spdm_msg.h"

static size_t le16_at(const uint8_t *p, size_t off)
{
	return (size_t)p[off] | (size_t)p[off + 1] << 8;
}

void spdm_doe_track(struct spdm_doe_lenctx *c, const void *msg, size_t len)
{
	const uint8_t *m = msg;
	struct spdm_algs a;

	if (len < 4)
		return;
	switch (m[1]) {
	case SPDM_GET_VERSION:
		/* A new connection: nothing negotiated any more (§10.3). */
		c->hash_size = c->sig_size = c->dhe_size = 0;
		c->hash_type = 0;
		c->meas_signed = false;
		break;
	case SPDM_ALGORITHMS:
		if (!spdm_decode_algorithms(m[0], m, len, &a)) {
			c->hash_size = (uint16_t)spdm_hash_size(a.base_hash);
			c->sig_size = (uint16_t)spdm_sig_size(a.base_asym);
			c->dhe_size = (uint16_t)spdm_dhe_size(a.dhe);
		}
		break;
	case SPDM_CHALLENGE:		/* param2: MeasurementSummaryHashType */
		c->hash_type = m[3];
		break;
	case SPDM_KEY_EXCHANGE:		/* param1: MeasurementSummaryHashType */
		c->hash_type = m[2];
		break;
	case SPDM_GET_MEASUREMENTS:	/* param1 bit 0: signature requested */
		c->meas_signed = m[2] & SPDM_MEAS_ATTR_SIGNATURE;
		break;
	}
}

/* Length implied by the fixed layout and length fields, or 0 if unknown.
 * Reads only within the first `n` bytes. */
static size_t spdm_doe_implied(const struct spdm_doe_lenctx *c, const uint8_t *m, size_t n)
{
	size_t h = c->hash_size, s = c->sig_size, d = c->dhe_size, off, mh;
	bool v13 = m[0] >= SPDM_VERSION_13;

	mh = c->hash_type ? h : 0;
	switch (m[1]) {
	case SPDM_GET_VERSION:
	case SPDM_GET_DIGESTS:
	case SPDM_RESPOND_IF_READY:
		return 4;
	case SPDM_GET_CERTIFICATE:
		return 8;
	case SPDM_GET_CAPABILITIES:
		return m[0] >= SPDM_VERSION_12 ? 20 : (m[0] == SPDM_VERSION_11 ? 12 : 4);
	case SPDM_CAPABILITIES:
		return m[0] >= SPDM_VERSION_12 ? 20 : 12;
	case SPDM_NEGOTIATE_ALGORITHMS:
	case SPDM_ALGORITHMS:
		return n >= 6 ? le16_at(m, 4) : 0;
	case SPDM_CHALLENGE:
		return 4 + SPDM_NONCE_SIZE + (v13 ? SPDM_REQ_CONTEXT_SIZE : 0);
	case SPDM_GET_MEASUREMENTS:
		return 4 + ((m[2] & SPDM_MEAS_ATTR_SIGNATURE) ? SPDM_NONCE_SIZE + 1 : 0) +
		       (v13 ? SPDM_REQ_CONTEXT_SIZE : 0);
	case SPDM_VERSION:
		return n >= 6 ? 6 + 2 * (size_t)m[5] : 0;
	case SPDM_DIGESTS:
		return h ? 4 + (size_t)__builtin_popcount(m[3]) * h : 0;
	case SPDM_CERTIFICATE:
		return n >= 8 ? 8 + le16_at(m, 4) : 0;
	case SPDM_CHALLENGE_AUTH:
		if (!h || !s)
			return 0;
		off = 4 + h + SPDM_NONCE_SIZE + mh;
		return n >= off + 2 ? off + 2 + le16_at(m, off) +
				      (v13 ? SPDM_REQ_CONTEXT_SIZE : 0) + s : 0;
	case SPDM_MEASUREMENTS:
		if (n < 8)
			return 0;
		off = 8 + ((size_t)m[5] | (size_t)m[6] << 8 | (size_t)m[7] << 16) + SPDM_NONCE_SIZE;
		return n >= off + 2 ? off + 2 + le16_at(m, off) +
				      (v13 ? SPDM_REQ_CONTEXT_SIZE : 0) +
				      (c->meas_signed ? s : 0) : 0;
	case SPDM_KEY_EXCHANGE:
		if (!d)
			return 0;
		off = 40 + d;
		return n >= off + 2 ? off + 2 + le16_at(m, off) : 0;
	case SPDM_KEY_EXCHANGE_RSP:
		if (!h || !s || !d)
			return 0;
		off = 40 + d + mh;
		return n >= off + 2 ? off + 2 + le16_at(m, off) + s + h : 0;
	case SPDM_ERROR:
		/* §10.9: only these codes carry ExtendedErrorData of a fixed size. */
		if (m[2] == SPDM_ERR_RESPONSE_NOT_READY)
			return 8;
		if (m[2] == SPDM_ERR_LARGE_RESPONSE)
			return 5;
		return m[2] == 0xFF ? 0 : 4;
	}
	return 0;
}

static bool zero_tail(const uint8_t *m, size_t from, size_t to)
{
	for (; from < to; from++)
		if (m[from])
			return false;
	return true;
}

size_t spdm_doe_msg_len(const struct spdm_doe_lenctx *c, bool secured, const void *msg,
			size_t padded)
{
	const uint8_t *m = msg;
	size_t want, off;

	if (secured) {
		/* DSP0277 §6.2: SessionID, [SequenceNumber], Length, then Length bytes. */
		off = 4 + c->seq_num_size;
		if (padded < off + 2)
			return padded;
		want = off + 2 + le16_at(m, off);
	} else {
		if (padded < 4)
			return padded;
		want = spdm_doe_implied(c, m, padded);
	}
	if (!want || want > padded || padded - want > 3 || !zero_tail(m, want, padded))
		return padded;
	return want;
}
