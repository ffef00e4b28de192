/* SPDX-License-Identifier: MIT */
/*
 * X.509 for SPDM (DSP0274 1.3.0 §10.7.1 certificate chain format and the
 * "SPDM certificate requirements and recommendations" annex): generate a
 * root CA -> intermediate CA -> device leaf chain, serialise it in the
 * SPDM chain format, and verify a received chain against a trust store.
 */
#ifndef PCILAB_PROTO_SPDM_CERT_H
#define PCILAB_PROTO_SPDM_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

struct spdm_cert_set {
	EVP_PKEY *root_key, *inter_key, *leaf_key;
	X509 *root, *inter, *leaf;
};

/*
 * Generate a fresh chain for BaseAsymAlgo P-256, P-384 or RSA-3072
 * (RSASSA_3072 and RSAPSS_3072 both name a 3072-bit RSA key), valid from
 * not_before to not_after (seconds since the epoch). The leaf carries
 * basicConstraints CA:FALSE, keyUsage digitalSignature, and the DMTF SPDM
 * extension (OID 1.3.6.1.4.1.412.274.6) naming id-DMTF-hardware-identity
 * (1.3.6.1.4.1.412.274.2). Returns ERR_PTR on failure.
 */
struct spdm_cert_set *spdm_cert_set_generate(uint32_t asym_algo, const char *name,
					     time_t not_before, time_t not_after);
void spdm_cert_set_free(struct spdm_cert_set *cs);
/*
 * Same, but below an existing root CA: ca->root and ca->root_key are
 * shared (new references are taken) and only the intermediate and leaf
 * are generated, so that many devices chain to one vendor root.
 */
struct spdm_cert_set *spdm_cert_set_generate_issued(const struct spdm_cert_set *ca,
						    uint32_t asym_algo, const char *name,
						    time_t not_before, time_t not_after);

/* SPDM chain: Length, Reserved, RootHash[H], root || inter || leaf DER.
 * *out is allocated with pl_zalloc (free with free()). */
int spdm_cert_chain_build(const struct spdm_cert_set *cs, uint32_t hash_algo,
			  uint8_t **out, size_t *len);

/* A trust store holding only `root` (a new reference is taken). */
X509_STORE *spdm_trust_store_new(X509 *root);

/*
 * Verify an SPDM-format chain: header length, RootHash matches the first
 * certificate, every certificate parses within bounds, and the chain
 * verifies to an anchor in `trust` at time `now` (expiry included); the
 * leaf must not be a CA. On success *leaf_key (if non-NULL) gets a new
 * reference to the leaf public key. -EPROTO malformed, -EKEYREJECTED
 * untrusted/invalid, -EKEYEXPIRED expired or not yet valid.
 */
int spdm_cert_chain_verify(const uint8_t *chain, size_t len, uint32_t hash_algo,
			   X509_STORE *trust, time_t now, EVP_PKEY **leaf_key);

#endif /* PCILAB_PROTO_SPDM_CERT_H */
