/* SPDX-License-Identifier: MIT */
/*
 * SPDM cryptography over OpenSSL 3 EVP (DSP0274 1.3.0 §12 key schedule,
 * §15 signatures; DSP0277 AEAD). Algorithms are named by their SPDM
 * selection bits (SPDM_HASH_*, SPDM_ASYM_*, SPDM_DHE_*). Every function
 * returns 0 or -errno: -EINVAL for unsupported algorithms or sizes,
 * -EBADMSG for a failed signature / MAC check, -ENOMEM / -EIO for
 * library failures.
 */
#ifndef PCILAB_PROTO_SPDM_CRYPTO_H
#define PCILAB_PROTO_SPDM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "proto/spdm/spdm_wire.h"

#define SPDM_MAX_HASH_SIZE	64
#define SPDM_MAX_SIG_SIZE	384	/* RSA-3072 */
#define SPDM_MAX_DHE_SIZE	132

/* Sizes; 0 if the algorithm is not supported by this library. */
size_t spdm_hash_size(uint32_t hash_algo);
size_t spdm_sig_size(uint32_t asym_algo);
size_t spdm_dhe_size(uint32_t dhe_group);
/* "ECDSA-P256", "ECDSA-P384", "RSASSA-3072", "RSAPSS-3072"; NULL otherwise. */
const char *spdm_asym_name(uint32_t asym_algo);
/*
 * The BaseAsymAlgo bits a key can sign with: ECDSA P-256 or P-384 for an
 * EC key on that curve, RSASSA_3072 | RSAPSS_3072 for a 3072-bit RSA
 * key, else 0.
 */
uint32_t spdm_key_asym(EVP_PKEY *key);

int spdm_random(void *buf, size_t n);
int spdm_hash(uint32_t hash_algo, const void *data, size_t n, uint8_t *out);
int spdm_hmac(uint32_t hash_algo, const uint8_t *key, size_t klen,
	      const void *data, size_t n, uint8_t *out);
/* RFC 5869: PRK = HMAC(salt, IKM); OKM = T(1) || T(2) ... */
int spdm_hkdf_extract(uint32_t hash_algo, const uint8_t *salt, size_t slen,
		      const uint8_t *ikm, size_t ilen, uint8_t *prk);
int spdm_hkdf_expand(uint32_t hash_algo, const uint8_t *prk, size_t plen,
		     const uint8_t *info, size_t ilen, uint8_t *okm, size_t olen);
/*
 * DSP0274 1.3.0 §12.5 BinConcat(Length, Version, Label, Context):
 * Length (uint16 LE) || "spdm1.X " || Label || Context. Returns the
 * number of bytes written.
 */
int spdm_bin_concat(uint8_t ver, uint16_t length, const char *label,
		    const uint8_t *context, size_t clen, uint8_t *out, size_t cap);

/* A signing key for BaseAsymAlgo (ECDSA P-256/P-384, RSA-3072 for either
 * RSA algorithm), and ECDHE keys for the DHE groups. */
EVP_PKEY *spdm_keygen_asym(uint32_t asym_algo);
EVP_PKEY *spdm_ec_keygen_dhe(uint32_t dhe_group);
/*
 * Signatures in SPDM's form (DSP0274 §15): ECDSA as raw r || s, each half
 * zero-padded to the curve size; RSASSA-PKCS1-v1_5 or RSASSA-PSS (MGF1
 * with hash_algo, salt length = hash length) as the modulus-sized big
 * endian integer. The message is hashed with hash_algo. A key that does
 * not fit asym_algo gets -EKEYREJECTED; a wrong signature -EBADMSG.
 */
int spdm_sign(EVP_PKEY *key, uint32_t asym_algo, uint32_t hash_algo,
	      const void *msg, size_t n, uint8_t *sig);
int spdm_verify(EVP_PKEY *key, uint32_t asym_algo, uint32_t hash_algo,
		const void *msg, size_t n, const uint8_t *sig, size_t sig_len);
/*
 * DSP0274 1.2+ §15: sign / verify combined_spdm_prefix || th_hash where
 * the prefix is built from the version and the context string.
 */
int spdm_build_sign_message(uint8_t ver, const char *context, const uint8_t *th_hash,
			    size_t hlen, uint8_t *out, size_t cap);
int spdm_sign_transcript(EVP_PKEY *key, uint8_t ver, uint32_t asym_algo, uint32_t hash_algo,
			 const char *context, const uint8_t *th_hash, uint8_t *sig);
int spdm_verify_transcript(EVP_PKEY *key, uint8_t ver, uint32_t asym_algo, uint32_t hash_algo,
			   const char *context, const uint8_t *th_hash,
			   const uint8_t *sig, size_t sig_len);
/* ECDHE ExchangeData: raw X || Y (DSP0274 §10.15 Table 71 note). */
int spdm_dhe_public(EVP_PKEY *key, uint32_t dhe_group, uint8_t *out);
/* Shared secret from our key and the peer's raw X || Y; the peer point is
 * validated (on the curve, not infinity). secret must hold the field size. */
int spdm_dhe_derive(EVP_PKEY *key, uint32_t dhe_group, const uint8_t *peer, size_t plen,
		    uint8_t *secret, size_t *slen);

/* AES-256-GCM with a 16-byte tag. */
int spdm_aead_encrypt(const uint8_t key[SPDM_AEAD_KEY_SIZE], const uint8_t iv[SPDM_AEAD_IV_SIZE],
		      const void *aad, size_t alen, const void *pt, size_t n,
		      uint8_t *ct, uint8_t tag[SPDM_AEAD_TAG_SIZE]);
int spdm_aead_decrypt(const uint8_t key[SPDM_AEAD_KEY_SIZE], const uint8_t iv[SPDM_AEAD_IV_SIZE],
		      const void *aad, size_t alen, const void *ct, size_t n,
		      const uint8_t tag[SPDM_AEAD_TAG_SIZE], uint8_t *pt);

/* ---- spdm_key_schedule.c: DSP0274 1.3.0 §12 ---- */

/* One direction's traffic secret and the AEAD key/IV derived from it. */
struct spdm_traffic_keys {
	uint8_t secret[SPDM_MAX_HASH_SIZE];
	uint8_t key[SPDM_AEAD_KEY_SIZE];
	uint8_t iv[SPDM_AEAD_IV_SIZE];
	uint64_t seq;		/* next sequence number (DSP0277 §6) */
};

struct spdm_key_schedule {
	uint8_t version;
	uint32_t hash_algo;
	size_t hash_size;
	uint8_t handshake_secret[SPDM_MAX_HASH_SIZE];
	uint8_t master_secret[SPDM_MAX_HASH_SIZE];
	uint8_t req_finished_key[SPDM_MAX_HASH_SIZE];
	uint8_t rsp_finished_key[SPDM_MAX_HASH_SIZE];
	struct spdm_traffic_keys req_hs, rsp_hs;	/* handshake phase */
	struct spdm_traffic_keys req_data, rsp_data;	/* application phase */
};

/* Handshake secrets and finished keys from the DHE secret and TH1. */
int spdm_ks_handshake(struct spdm_key_schedule *ks, uint8_t ver, uint32_t hash_algo,
		      const uint8_t *dhe_secret, size_t dlen, const uint8_t *th1_hash);
/* Master secret and application data keys from TH2. */
int spdm_ks_data(struct spdm_key_schedule *ks, const uint8_t *th2_hash);
/* §12.7 key update: next secret = HKDF-Expand(secret, "traffic upd"),
 * new key/IV, sequence number back to 0. */
int spdm_ks_update(const struct spdm_key_schedule *ks, struct spdm_traffic_keys *k);
/* VerifyData = HMAC(finished_key, th_hash). */
int spdm_ks_verify_data(const struct spdm_key_schedule *ks, bool requester,
			const uint8_t *th_hash, uint8_t *out);
/* Wipe every secret. */
void spdm_ks_clear(struct spdm_key_schedule *ks);

#endif /* PCILAB_PROTO_SPDM_CRYPTO_H */
