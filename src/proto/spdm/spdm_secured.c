// SPDX-License-Identifier: MIT
/* DSP0277 1.2 secured message encode / decode (see spdm_secured.h). */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>

#include "base/fault.h"
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_secured.h"

size_t spdm_secured_overhead(unsigned int seq_size)
{
	return 4 + seq_size + 2 + 2 + SPDM_AEAD_TAG_SIZE;
}

static void make_nonce(const struct spdm_traffic_keys *k, uint8_t nonce[SPDM_AEAD_IV_SIZE])
{
	unsigned int i;

	memcpy(nonce, k->iv, SPDM_AEAD_IV_SIZE);
	for (i = 0; i < 8; i++)
		nonce[i] ^= (uint8_t)(k->seq >> (8 * i));
}

int spdm_secured_peek_session(const void *msg, size_t len, uint32_t *session_id)
{
	struct spdm_rbuf r;

	spdm_rbuf_init(&r, msg, len);
	*session_id = spdm_get_le32(&r);
	return r.err;
}

int spdm_secured_encode(struct spdm_traffic_keys *k, uint32_t session_id, unsigned int seq_size,
			const void *app, size_t app_len, void *out, size_t cap)
{
	size_t hdr = 4 + seq_size + 2, body = 2 + app_len;
	uint8_t nonce[SPDM_AEAD_IV_SIZE], *plain;
	struct spdm_wbuf w;
	unsigned int i;
	int rc;

	if (seq_size > SPDM_MAX_SEQ_NUM_SIZE || app_len > 0xFFFF - 2 - SPDM_AEAD_TAG_SIZE)
		return -EINVAL;
	/* DSP0277 §6: a sequence number is never reused; stop before wrap. */
	if (k->seq == UINT64_MAX)
		return -EOVERFLOW;
	if (cap < hdr + body + SPDM_AEAD_TAG_SIZE)
		return -EMSGSIZE;
	plain = pl_zalloc(body);
	if (!plain)
		return -ENOMEM;
	plain[0] = (uint8_t)app_len;
	plain[1] = (uint8_t)(app_len >> 8);
	memcpy(plain + 2, app, app_len);
	spdm_wbuf_init(&w, out, cap);
	spdm_put_le32(&w, session_id);
	for (i = 0; i < seq_size; i++)
		spdm_put_u8(&w, (uint8_t)(k->seq >> (8 * i)));
	spdm_put_le16(&w, (uint16_t)(body + SPDM_AEAD_TAG_SIZE));
	make_nonce(k, nonce);
	rc = spdm_aead_encrypt(k->key, nonce, out, hdr, plain, body, (uint8_t *)out + hdr,
			       (uint8_t *)out + hdr + body);
	OPENSSL_cleanse(plain, body);
	free(plain);
	if (rc)
		return rc;
	k->seq++;
	return (int)(hdr + body + SPDM_AEAD_TAG_SIZE);
}

int spdm_secured_decode(struct spdm_traffic_keys *k, uint32_t session_id, unsigned int seq_size,
			const void *msg, size_t len, void *app, size_t cap)
{
	uint8_t nonce[SPDM_AEAD_IV_SIZE], *plain;
	const uint8_t *ct;
	struct spdm_rbuf r;
	size_t hdr = 4 + seq_size, body;
	uint16_t length, app_len;
	uint64_t seq = 0;
	unsigned int i;
	int rc;

	if (seq_size > SPDM_MAX_SEQ_NUM_SIZE)
		return -EINVAL;
	if (k->seq == UINT64_MAX)
		return -EOVERFLOW;
	spdm_rbuf_init(&r, msg, len);
	if (spdm_get_le32(&r) != session_id)
		return r.err ? r.err : -EPROTO;
	for (i = 0; i < seq_size; i++)
		seq |= (uint64_t)spdm_get_u8(&r) << (8 * i);
	length = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	hdr += 2;
	/* Length covers everything after it; it must match the transport's
	 * length exactly and hold at least the cipher header and the MAC. */
	if (length != spdm_rbuf_left(&r))
		return -EMSGSIZE;
	if (length < 2 + SPDM_AEAD_TAG_SIZE)
		return -EPROTO;
	/* An explicit sequence number must be the one we expect next. */
	if (seq_size && seq != (k->seq & (seq_size == 8 ? UINT64_MAX :
					  ((1ull << (8 * seq_size)) - 1))))
		return -EPROTO;
	body = length - SPDM_AEAD_TAG_SIZE;
	ct = (const uint8_t *)msg + hdr;
	plain = pl_zalloc(body);
	if (!plain)
		return -ENOMEM;
	make_nonce(k, nonce);
	rc = spdm_aead_decrypt(k->key, nonce, msg, hdr, ct, body, ct + body, plain);
	if (rc)
		goto out;
	app_len = (uint16_t)(plain[0] | plain[1] << 8);
	if (app_len > body - 2) {
		rc = -EPROTO;
		goto out;
	}
	if (app_len > cap) {
		rc = -EMSGSIZE;
		goto out;
	}
	memcpy(app, plain + 2, app_len);
	k->seq++;
	rc = app_len;
out:
	OPENSSL_cleanse(plain, body);
	free(plain);
	return rc;
}
