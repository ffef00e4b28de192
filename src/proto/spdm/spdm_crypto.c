// SPDX-License-Identifier: MIT
/* SPDM cryptographic primitives over OpenSSL 3 EVP (see spdm_crypto.h). */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "base/compiler.h"
#include "base/fault.h"
#include "proto/spdm/spdm_crypto.h"

static const char *hash_name(uint32_t hash_algo)
{
	switch (hash_algo) {
	case SPDM_HASH_SHA256:
		return "SHA256";
	case SPDM_HASH_SHA384:
		return "SHA384";
	case SPDM_HASH_SHA512:
		return "SHA512";
	default:
		return NULL;
	}
}

size_t spdm_hash_size(uint32_t hash_algo)
{
	switch (hash_algo) {
	case SPDM_HASH_SHA256:
		return 32;
	case SPDM_HASH_SHA384:
		return 48;
	case SPDM_HASH_SHA512:
		return 64;
	default:
		return 0;
	}
}

/* Curve field size in bytes for the ECDSA algorithms we support. */
static size_t asym_coord_size(uint32_t asym_algo)
{
	switch (asym_algo) {
	case SPDM_ASYM_ECDSA_P256:
		return 32;
	case SPDM_ASYM_ECDSA_P384:
		return 48;
	default:
		return 0;
	}
}

/*
 * RSA modulus size in bytes. DSP0274 1.3.0 §10.5 Table 21 (BaseAsymAlgo):
 * TPM_ALG_RSASSA_3072 / TPM_ALG_RSAPSS_3072, whose signature is the
 * RSASSA-PKCS1-v1_5 / RSASSA-PSS output (RFC 8017 §8.2 / §8.1), a big
 * endian integer as long as the modulus.
 */
static size_t asym_rsa_size(uint32_t asym_algo)
{
	switch (asym_algo) {
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSAPSS_3072:
		return 384;
	default:
		return 0;
	}
}

size_t spdm_sig_size(uint32_t asym_algo)
{
	return asym_rsa_size(asym_algo) ? asym_rsa_size(asym_algo) : 2 * asym_coord_size(asym_algo);
}

const char *spdm_asym_name(uint32_t asym_algo)
{
	switch (asym_algo) {
	case SPDM_ASYM_ECDSA_P256:
		return "ECDSA-P256";
	case SPDM_ASYM_ECDSA_P384:
		return "ECDSA-P384";
	case SPDM_ASYM_RSASSA_3072:
		return "RSASSA-3072";
	case SPDM_ASYM_RSAPSS_3072:
		return "RSAPSS-3072";
	default:
		return NULL;
	}
}

uint32_t spdm_key_asym(EVP_PKEY *key)
{
	char group[64];
	size_t len;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &len))
			return 0;
		if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
			return SPDM_ASYM_ECDSA_P256;
		if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
			return SPDM_ASYM_ECDSA_P384;
		return 0;
	case EVP_PKEY_RSA:
		/* One RSA key signs with either padding. */
		return EVP_PKEY_get_bits(key) == 3072 ?
			       SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072 : 0;
	default:
		return 0;
	}
}

static const char *dhe_curve(uint32_t dhe_group, size_t *coord)
{
	switch (dhe_group) {
	case SPDM_DHE_SECP256R1:
		*coord = 32;
		return "P-256";
	case SPDM_DHE_SECP384R1:
		*coord = 48;
		return "P-384";
	default:
		*coord = 0;
		return NULL;
	}
}

size_t spdm_dhe_size(uint32_t dhe_group)
{
	size_t c;

	dhe_curve(dhe_group, &c);
	return 2 * c;
}

int spdm_random(void *buf, size_t n)
{
	if (should_fail("spdm_random"))
		return -EIO;
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

int spdm_hash(uint32_t hash_algo, const void *data, size_t n, uint8_t *out)
{
	const char *name = hash_name(hash_algo);
	unsigned int olen;

	if (!name)
		return -EINVAL;
	if (!EVP_Digest(data, n, out, &olen, EVP_get_digestbyname(name), NULL))
		return -EIO;
	return 0;
}

int spdm_hmac(uint32_t hash_algo, const uint8_t *key, size_t klen,
	      const void *data, size_t n, uint8_t *out)
{
	const char *name = hash_name(hash_algo);
	size_t olen;

	if (!name)
		return -EINVAL;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, name, NULL, key, klen, data, n, out,
		       spdm_hash_size(hash_algo), &olen))
		return -EIO;
	return 0;
}

static int hkdf(uint32_t hash_algo, int mode, const uint8_t *key, size_t klen,
		const uint8_t *salt_or_info, size_t slen, uint8_t *out, size_t olen)
{
	const char *name = hash_name(hash_algo);
	OSSL_PARAM params[5], *p = params;
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int rc = -EIO;

	if (!name)
		return -EINVAL;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		return -EIO;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return -ENOMEM;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)name, 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	/* An empty key is legal in HKDF; OpenSSL wants a non-NULL pointer. */
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)(key ? key : (const uint8_t *)""), klen);
	if (slen)
		*p++ = OSSL_PARAM_construct_octet_string(
			mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT :
								 OSSL_KDF_PARAM_INFO,
			(void *)salt_or_info, slen);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, olen, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(kctx);
	return rc;
}

int spdm_hkdf_extract(uint32_t hash_algo, const uint8_t *salt, size_t slen,
		      const uint8_t *ikm, size_t ilen, uint8_t *prk)
{
	/* HKDF-Extract is HMAC(salt, IKM) (RFC 5869 §2.2); done directly
	 * so an all-zero salt of HashLen bytes is passed exactly. */
	return spdm_hmac(hash_algo, salt, slen, ikm, ilen, prk);
}

int spdm_hkdf_expand(uint32_t hash_algo, const uint8_t *prk, size_t plen,
		     const uint8_t *info, size_t ilen, uint8_t *okm, size_t olen)
{
	return hkdf(hash_algo, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, plen, info, ilen, okm, olen);
}

int spdm_bin_concat(uint8_t ver, uint16_t length, const char *label,
		    const uint8_t *context, size_t clen, uint8_t *out, size_t cap)
{
	size_t llen = strlen(label), n = 2 + 8 + llen + clen;

	if (n > cap)
		return -EMSGSIZE;
	out[0] = (uint8_t)length;
	out[1] = (uint8_t)(length >> 8);
	/* "spdm1.2 " / "spdm1.3 ": major.minor of the negotiated version. */
	memcpy(out + 2, "spdmx.x ", 8);
	out[6] = (uint8_t)('0' + (ver >> 4));
	out[8] = (uint8_t)('0' + (ver & 0xF));
	memcpy(out + 10, label, llen);
	if (clen)
		memcpy(out + 10 + llen, context, clen);
	return (int)n;
}

EVP_PKEY *spdm_keygen_asym(uint32_t asym_algo)
{
	const char *curve = asym_algo == SPDM_ASYM_ECDSA_P256 ? "P-256" :
			    asym_algo == SPDM_ASYM_ECDSA_P384 ? "P-384" : NULL;
	size_t rsa = asym_rsa_size(asym_algo);

	if ((!curve && !rsa) || should_fail("spdm_keygen"))
		return NULL;
	/* EVP_RSA_gen uses the public exponent 65537. */
	return rsa ? EVP_RSA_gen((unsigned int)(8 * rsa)) : EVP_EC_gen(curve);
}

EVP_PKEY *spdm_ec_keygen_dhe(uint32_t dhe_group)
{
	size_t c;
	const char *curve = dhe_curve(dhe_group, &c);

	if (!curve || should_fail("spdm_keygen"))
		return NULL;
	return EVP_EC_gen(curve);
}

/*
 * The RSA padding of a digest-sign/verify context. RSASSA-PSS as SPDM
 * uses it (DSP0274 1.3.0 Table 21 names RSASSA-PSS with the negotiated
 * hash; DMTF libspdm, the reference implementation, signs and verifies
 * with MGF1 over that same hash and a salt as long as the hash): saltLen
 * = hLen is pinned on both sides, so a signature with another salt length
 * fails verification instead of being accepted by OpenSSL's "auto".
 */
static int rsa_padding(EVP_PKEY_CTX *pctx, uint32_t asym_algo, const char *md)
{
	if (asym_algo == SPDM_ASYM_RSASSA_3072)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 ? 0 : -EIO;
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
		return -EIO;
	return 0;
}

/* A key of the right type and size for asym_algo (0), else -EKEYREJECTED. */
static int key_fits(EVP_PKEY *key, uint32_t asym_algo)
{
	return (spdm_key_asym(key) & asym_algo) ? 0 : -EKEYREJECTED;
}

static int rsa_sign(EVP_PKEY *key, uint32_t asym_algo, const char *md, const void *msg,
		    size_t n, uint8_t *sig)
{
	size_t len = asym_rsa_size(asym_algo);
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *mctx;
	int rc;

	rc = key_fits(key, asym_algo);
	if (rc)
		return rc;
	mctx = EVP_MD_CTX_new();
	if (!mctx)
		return -ENOMEM;
	rc = -EIO;
	if (EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, key, NULL) != 1 ||
	    rsa_padding(pctx, asym_algo, md))
		goto err_free_md;
	/* The output is exactly the modulus length (RFC 8017 §8.1.1, §8.2.1). */
	if (EVP_DigestSign(mctx, sig, &len, msg, n) == 1 && len == asym_rsa_size(asym_algo))
		rc = 0;
err_free_md:
	EVP_MD_CTX_free(mctx);
	return rc;
}

static int rsa_verify(EVP_PKEY *key, uint32_t asym_algo, const char *md, const void *msg,
		      size_t n, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *mctx;
	int rc;

	rc = key_fits(key, asym_algo);
	if (rc)
		return rc;
	if (sig_len != asym_rsa_size(asym_algo))
		return -EBADMSG;
	mctx = EVP_MD_CTX_new();
	if (!mctx)
		return -ENOMEM;
	rc = -EIO;
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, key, NULL) != 1 ||
	    rsa_padding(pctx, asym_algo, md))
		goto err_free_md;
	rc = EVP_DigestVerify(mctx, sig, sig_len, msg, n) == 1 ? 0 : -EBADMSG;
err_free_md:
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return rc;
}

int spdm_sign(EVP_PKEY *key, uint32_t asym_algo, uint32_t hash_algo,
	      const void *msg, size_t n, uint8_t *sig)
{
	size_t coord = asym_coord_size(asym_algo), dlen = 0;
	const char *name = hash_name(hash_algo);
	const BIGNUM *r, *s;
	unsigned char *der = NULL;
	const unsigned char *dp;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *md;
	int rc = -EIO;

	if (name && asym_rsa_size(asym_algo))
		return rsa_sign(key, asym_algo, name, msg, n, sig);
	if (!coord || !name)
		return -EINVAL;
	if (key_fits(key, asym_algo))
		return -EKEYREJECTED;
	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestSignInit_ex(md, NULL, name, NULL, NULL, key, NULL) != 1 ||
	    EVP_DigestSign(md, NULL, &dlen, msg, n) != 1)
		goto err_free_md;
	der = OPENSSL_malloc(dlen);
	if (!der) {
		rc = -ENOMEM;
		goto err_free_md;
	}
	if (EVP_DigestSign(md, der, &dlen, msg, n) != 1)
		goto err_free_der;
	dp = der;
	es = d2i_ECDSA_SIG(NULL, &dp, (long)dlen);
	if (!es)
		goto err_free_der;
	ECDSA_SIG_get0(es, &r, &s);
	/* §15: r and s big endian, each left-padded to the field size. */
	if (BN_bn2binpad(r, sig, (int)coord) < 0 || BN_bn2binpad(s, sig + coord, (int)coord) < 0)
		goto err_free_sig;
	rc = 0;
err_free_sig:
	ECDSA_SIG_free(es);
err_free_der:
	OPENSSL_free(der);
err_free_md:
	EVP_MD_CTX_free(md);
	return rc;
}

int spdm_verify(EVP_PKEY *key, uint32_t asym_algo, uint32_t hash_algo,
		const void *msg, size_t n, const uint8_t *sig, size_t sig_len)
{
	size_t coord = asym_coord_size(asym_algo);
	const char *name = hash_name(hash_algo);
	unsigned char *der = NULL;
	BIGNUM *r, *s;
	ECDSA_SIG *es;
	EVP_MD_CTX *md;
	int dlen, rc = -EIO;

	if (name && asym_rsa_size(asym_algo))
		return rsa_verify(key, asym_algo, name, msg, n, sig, sig_len);
	if (!coord || !name)
		return -EINVAL;
	if (key_fits(key, asym_algo))
		return -EKEYREJECTED;
	if (sig_len != 2 * coord)
		return -EBADMSG;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, (int)coord, NULL);
	s = BN_bin2bn(sig + coord, (int)coord, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -ENOMEM;
	}
	/* es owns r and s now. */
	dlen = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);
	if (dlen <= 0)
		return -ENOMEM;
	md = EVP_MD_CTX_new();
	if (!md) {
		rc = -ENOMEM;
		goto err_free_der;
	}
	if (EVP_DigestVerifyInit_ex(md, NULL, name, NULL, NULL, key, NULL) != 1)
		goto err_free_md;
	rc = EVP_DigestVerify(md, der, (size_t)dlen, msg, n) == 1 ? 0 : -EBADMSG;
err_free_md:
	EVP_MD_CTX_free(md);
err_free_der:
	OPENSSL_free(der);
	return rc;
}

int spdm_build_sign_message(uint8_t ver, const char *context, const uint8_t *th_hash,
			    size_t hlen, uint8_t *out, size_t cap)
{
	size_t clen = strlen(context), i;

	if (clen > SPDM_SIGN_CONTEXT_SIZE || cap < SPDM_SIGN_COMBINED_SIZE + hlen)
		return -EINVAL;
	/* "dmtf-spdm-v1.X.*" four times, zero pad, context (§15). */
	for (i = 0; i < 4; i++) {
		memcpy(out + 16 * i, "dmtf-spdm-v1.2.*", 16);
		out[16 * i + 11] = (uint8_t)('0' + (ver >> 4));
		out[16 * i + 13] = (uint8_t)('0' + (ver & 0xF));
	}
	memset(out + SPDM_SIGN_PREFIX_SIZE, 0, SPDM_SIGN_CONTEXT_SIZE - clen);
	memcpy(out + SPDM_SIGN_COMBINED_SIZE - clen, context, clen);
	memcpy(out + SPDM_SIGN_COMBINED_SIZE, th_hash, hlen);
	return (int)(SPDM_SIGN_COMBINED_SIZE + hlen);
}

int spdm_sign_transcript(EVP_PKEY *key, uint8_t ver, uint32_t asym_algo, uint32_t hash_algo,
			 const char *context, const uint8_t *th_hash, uint8_t *sig)
{
	uint8_t m[SPDM_SIGN_COMBINED_SIZE + SPDM_MAX_HASH_SIZE];
	int n = spdm_build_sign_message(ver, context, th_hash, spdm_hash_size(hash_algo),
					m, sizeof(m));

	if (n < 0)
		return n;
	return spdm_sign(key, asym_algo, hash_algo, m, (size_t)n, sig);
}

int spdm_verify_transcript(EVP_PKEY *key, uint8_t ver, uint32_t asym_algo, uint32_t hash_algo,
			   const char *context, const uint8_t *th_hash,
			   const uint8_t *sig, size_t sig_len)
{
	uint8_t m[SPDM_SIGN_COMBINED_SIZE + SPDM_MAX_HASH_SIZE];
	int n = spdm_build_sign_message(ver, context, th_hash, spdm_hash_size(hash_algo),
					m, sizeof(m));

	if (n < 0)
		return n;
	return spdm_verify(key, asym_algo, hash_algo, m, (size_t)n, sig, sig_len);
}

int spdm_dhe_public(EVP_PKEY *key, uint32_t dhe_group, uint8_t *out)
{
	uint8_t pt[1 + SPDM_MAX_DHE_SIZE];
	size_t coord, len = 0;

	if (!dhe_curve(dhe_group, &coord))
		return -EINVAL;
	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					    pt, sizeof(pt), &len) != 1)
		return -EIO;
	/* Uncompressed SEC1 point 0x04 || X || Y; SPDM sends X || Y. */
	if (len != 1 + 2 * coord || pt[0] != 0x04)
		return -EIO;
	memcpy(out, pt + 1, 2 * coord);
	return 0;
}

int spdm_dhe_derive(EVP_PKEY *key, uint32_t dhe_group, const uint8_t *peer, size_t plen,
		    uint8_t *secret, size_t *slen)
{
	uint8_t pt[1 + SPDM_MAX_DHE_SIZE];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *pctx = NULL, *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t coord, n;
	const char *curve = dhe_curve(dhe_group, &coord);
	int rc = -EIO;

	if (!curve)
		return -EINVAL;
	if (plen != 2 * coord)
		return -EPROTO;
	pt[0] = 0x04;
	memcpy(pt + 1, peer, plen);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, plen + 1);
	params[2] = OSSL_PARAM_construct_end();
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!pctx)
		return -ENOMEM;
	/* Decoding the point checks it lies on the curve. */
	if (EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		rc = -EPROTO;
		goto err_free_pctx;
	}
	dctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!dctx) {
		rc = -ENOMEM;
		goto err_free_pkey;
	}
	n = coord;
	if (EVP_PKEY_derive_init(dctx) != 1)
		goto err_free_dctx;
	if (EVP_PKEY_derive_set_peer(dctx, pkey) != 1) {
		rc = -EPROTO;
		goto err_free_dctx;
	}
	if (EVP_PKEY_derive(dctx, secret, &n) != 1 || n != coord)
		goto err_free_dctx;
	*slen = n;
	rc = 0;
err_free_dctx:
	EVP_PKEY_CTX_free(dctx);
err_free_pkey:
	EVP_PKEY_free(pkey);
err_free_pctx:
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

static int aead(bool enc, const uint8_t *key, const uint8_t *iv, const void *aad, size_t alen,
		const void *in, size_t n, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c;
	int len, rc = -EIO;

	if (n > INT32_MAX || alen > INT32_MAX)
		return -EINVAL;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return -ENOMEM;
	if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SPDM_AEAD_IV_SIZE, NULL) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) != 1)
		goto out;
	if (alen && EVP_CipherUpdate(c, NULL, &len, aad, (int)alen) != 1)
		goto out;
	if (n && EVP_CipherUpdate(c, out, &len, in, (int)n) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + n, &len) != 1) {
		rc = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int spdm_aead_encrypt(const uint8_t key[SPDM_AEAD_KEY_SIZE], const uint8_t iv[SPDM_AEAD_IV_SIZE],
		      const void *aad, size_t alen, const void *pt, size_t n,
		      uint8_t *ct, uint8_t tag[SPDM_AEAD_TAG_SIZE])
{
	return aead(true, key, iv, aad, alen, pt, n, ct, tag);
}

int spdm_aead_decrypt(const uint8_t key[SPDM_AEAD_KEY_SIZE], const uint8_t iv[SPDM_AEAD_IV_SIZE],
		      const void *aad, size_t alen, const void *ct, size_t n,
		      const uint8_t tag[SPDM_AEAD_TAG_SIZE], uint8_t *pt)
{
	return aead(false, key, iv, aad, alen, ct, n, pt, (uint8_t *)tag);
}
