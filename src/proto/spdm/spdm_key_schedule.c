// SPDX-License-Identifier: MIT
/*
 * SPDM key schedule (DSP0274 1.3.0 §12.5-§12.7, session key derivation
 * for DHE sessions):
 *
 *   HandshakeSecret   = HKDF-Extract(Salt_0 = 0^H, DHE secret)
 *   req/rsp hs secret = HKDF-Expand(HandshakeSecret,
 *                        BinConcat(H, "req hs data"/"rsp hs data", TH1), H)
 *   Salt_1            = HKDF-Expand(HandshakeSecret, BinConcat(H, "derived"), H)
 *   MasterSecret      = HKDF-Extract(Salt_1, 0^H)
 *   req/rsp data sec. = HKDF-Expand(MasterSecret,
 *                        BinConcat(H, "req app data"/"rsp app data", TH2), H)
 *   finished_key      = HKDF-Expand(hs secret, BinConcat(H, "finished"), H)
 *   key / iv          = HKDF-Expand(secret, BinConcat(len, "key"/"iv"), len)
 *   updated secret    = HKDF-Expand(secret, BinConcat(H, "traffic upd"), H)
 */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>

#include "proto/spdm/spdm_crypto.h"

#define BIN_MAX	(2 + 8 + 16 + SPDM_MAX_HASH_SIZE)

static int expand_label(const struct spdm_key_schedule *ks, const uint8_t *secret,
			const char *label, const uint8_t *context, size_t clen,
			uint8_t *out, size_t olen)
{
	uint8_t bin[BIN_MAX];
	int n = spdm_bin_concat(ks->version, (uint16_t)olen, label, context, clen, bin, sizeof(bin));

	if (n < 0)
		return n;
	return spdm_hkdf_expand(ks->hash_algo, secret, ks->hash_size, bin, (size_t)n, out, olen);
}

static int derive_traffic(const struct spdm_key_schedule *ks, struct spdm_traffic_keys *k)
{
	int rc;

	rc = expand_label(ks, k->secret, "key", NULL, 0, k->key, SPDM_AEAD_KEY_SIZE);
	if (rc)
		return rc;
	rc = expand_label(ks, k->secret, "iv", NULL, 0, k->iv, SPDM_AEAD_IV_SIZE);
	if (rc)
		return rc;
	k->seq = 0;
	return 0;
}

int spdm_ks_handshake(struct spdm_key_schedule *ks, uint8_t ver, uint32_t hash_algo,
		      const uint8_t *dhe_secret, size_t dlen, const uint8_t *th1_hash)
{
	uint8_t salt0[SPDM_MAX_HASH_SIZE] = { 0 };
	size_t h = spdm_hash_size(hash_algo);
	int rc;

	if (!h)
		return -EINVAL;
	memset(ks, 0, sizeof(*ks));
	ks->version = ver;
	ks->hash_algo = hash_algo;
	ks->hash_size = h;
	rc = spdm_hkdf_extract(hash_algo, salt0, h, dhe_secret, dlen, ks->handshake_secret);
	if (rc)
		goto err_clear;
	rc = expand_label(ks, ks->handshake_secret, "req hs data", th1_hash, h, ks->req_hs.secret, h);
	if (rc)
		goto err_clear;
	rc = expand_label(ks, ks->handshake_secret, "rsp hs data", th1_hash, h, ks->rsp_hs.secret, h);
	if (rc)
		goto err_clear;
	rc = expand_label(ks, ks->req_hs.secret, "finished", NULL, 0, ks->req_finished_key, h);
	if (rc)
		goto err_clear;
	rc = expand_label(ks, ks->rsp_hs.secret, "finished", NULL, 0, ks->rsp_finished_key, h);
	if (rc)
		goto err_clear;
	rc = derive_traffic(ks, &ks->req_hs);
	if (rc)
		goto err_clear;
	rc = derive_traffic(ks, &ks->rsp_hs);
	if (rc)
		goto err_clear;
	return 0;
err_clear:
	spdm_ks_clear(ks);
	return rc;
}

int spdm_ks_data(struct spdm_key_schedule *ks, const uint8_t *th2_hash)
{
	uint8_t salt1[SPDM_MAX_HASH_SIZE], zero[SPDM_MAX_HASH_SIZE] = { 0 };
	size_t h = ks->hash_size;
	int rc;

	rc = expand_label(ks, ks->handshake_secret, "derived", NULL, 0, salt1, h);
	if (rc)
		goto out;
	rc = spdm_hkdf_extract(ks->hash_algo, salt1, h, zero, h, ks->master_secret);
	if (rc)
		goto out;
	rc = expand_label(ks, ks->master_secret, "req app data", th2_hash, h, ks->req_data.secret, h);
	if (rc)
		goto out;
	rc = expand_label(ks, ks->master_secret, "rsp app data", th2_hash, h, ks->rsp_data.secret, h);
	if (rc)
		goto out;
	rc = derive_traffic(ks, &ks->req_data);
	if (rc)
		goto out;
	rc = derive_traffic(ks, &ks->rsp_data);
out:
	OPENSSL_cleanse(salt1, sizeof(salt1));
	return rc;
}

int spdm_ks_update(const struct spdm_key_schedule *ks, struct spdm_traffic_keys *k)
{
	struct spdm_traffic_keys next;
	int rc;

	rc = expand_label(ks, k->secret, "traffic upd", NULL, 0, next.secret, ks->hash_size);
	if (!rc)
		rc = derive_traffic(ks, &next);
	if (!rc)
		*k = next;	/* all or nothing */
	OPENSSL_cleanse(&next, sizeof(next));
	return rc;
}

int spdm_ks_verify_data(const struct spdm_key_schedule *ks, bool requester,
			const uint8_t *th_hash, uint8_t *out)
{
	return spdm_hmac(ks->hash_algo, requester ? ks->req_finished_key : ks->rsp_finished_key,
			 ks->hash_size, th_hash, ks->hash_size, out);
}

void spdm_ks_clear(struct spdm_key_schedule *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}
