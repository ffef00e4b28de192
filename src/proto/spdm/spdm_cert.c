// SPDX-License-Identifier: MIT
/* SPDM certificate chains over OpenSSL 3 (see spdm_cert.h). */
#include <errno.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "proto/spdm/spdm_cert.h"
#include "proto/spdm/spdm_crypto.h"

/*
 * DER of the SPDM extension value: SEQUENCE { SEQUENCE { OID
 * id-DMTF-hardware-identity 1.3.6.1.4.1.412.274.2 } } (DSP0274 1.3.0
 * "Definition of SPDM certificate extension": SPDMExtension ::= SEQUENCE
 * OF SPDMOIDEntry, SPDMOIDEntry ::= SEQUENCE { id OID, value OCTET
 * STRING OPTIONAL }).
 */
static const uint8_t spdm_ext_hw_identity[] = {
	0x30, 0x0E, 0x30, 0x0C, 0x06, 0x0A,
	0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0x1C, 0x82, 0x12, 0x02,
};
#define OID_DMTF_SPDM_EXTENSION "1.3.6.1.4.1.412.274.6"

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EIO;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -EIO;
}

static int add_spdm_ext(X509 *cert)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(OID_DMTF_SPDM_EXTENSION, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int rc = -EIO;

	if (!obj || !os || !ASN1_OCTET_STRING_set(os, spdm_ext_hw_identity,
						  sizeof(spdm_ext_hw_identity)))
		goto out;
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	if (ext && X509_add_ext(cert, ext, -1))
		rc = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return rc;
}

static X509 *make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *cn,
		       long serial, bool ca, bool leaf, time_t nb, time_t na, const char *md)
{
	X509 *c = X509_new();
	X509_NAME *n;

	if (!c)
		return NULL;
	if (!X509_set_version(c, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(c), serial) ||
	    !ASN1_TIME_set(X509_getm_notBefore(c), nb) || !ASN1_TIME_set(X509_getm_notAfter(c), na) ||
	    !X509_set_pubkey(c, key))
		goto err;
	n = X509_get_subject_name(c);
	if (!X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"pcilab", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0))
		goto err;
	if (!X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : n))
		goto err;
	/* DSP0274 annex "SPDM certificate requirements": CA certs carry
	 * basicConstraints CA:TRUE and keyCertSign; the leaf CA:FALSE,
	 * digitalSignature, and the SPDM extension. */
	if (add_ext(c, issuer ? issuer : c, NID_basic_constraints,
		    ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    add_ext(c, issuer ? issuer : c, NID_key_usage,
		    ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyAgreement") ||
	    add_ext(c, issuer ? issuer : c, NID_subject_key_identifier, "hash"))
		goto err;
	if (issuer && add_ext(c, issuer, NID_authority_key_identifier, "keyid:always"))
		goto err;
	if (leaf && add_spdm_ext(c))
		goto err;
	if (!X509_sign(c, issuer_key ? issuer_key : key, EVP_get_digestbyname(md)))
		goto err;
	return c;
err:
	X509_free(c);
	return NULL;
}

/* The certificate signature hash: SHA-384 for P-384 and RSA-3072 keys
 * (128-bit and 192-bit strength alike: no weaker than the key), SHA-256
 * for P-256. */
static const char *cert_md(uint32_t asym_algo)
{
	return asym_algo == SPDM_ASYM_ECDSA_P256 ? "SHA256" : "SHA384";
}

void spdm_cert_set_free(struct spdm_cert_set *cs)
{
	if (IS_ERR_OR_NULL(cs))
		return;
	X509_free(cs->leaf);
	X509_free(cs->inter);
	X509_free(cs->root);
	EVP_PKEY_free(cs->leaf_key);
	EVP_PKEY_free(cs->inter_key);
	EVP_PKEY_free(cs->root_key);
	free(cs);
}

struct spdm_cert_set *spdm_cert_set_generate(uint32_t asym_algo, const char *name,
					     time_t not_before, time_t not_after)
{
	const char *md = cert_md(asym_algo);
	struct spdm_cert_set *cs;
	char cn[128];

	if (!spdm_sig_size(asym_algo))
		return ERR_PTR(-EINVAL);
	cs = pl_zalloc(sizeof(*cs));
	if (!cs)
		return ERR_PTR(-ENOMEM);
	cs->root_key = spdm_keygen_asym(asym_algo);
	cs->inter_key = spdm_keygen_asym(asym_algo);
	cs->leaf_key = spdm_keygen_asym(asym_algo);
	if (!cs->root_key || !cs->inter_key || !cs->leaf_key)
		goto err_free;
	snprintf(cn, sizeof(cn), "%s root CA", name);
	cs->root = make_cert(cs->root_key, NULL, NULL, cn, 1, true, false, not_before, not_after, md);
	if (!cs->root)
		goto err_free;
	snprintf(cn, sizeof(cn), "%s intermediate CA", name);
	cs->inter = make_cert(cs->inter_key, cs->root, cs->root_key, cn, 2, true, false,
			      not_before, not_after, md);
	if (!cs->inter)
		goto err_free;
	snprintf(cn, sizeof(cn), "%s device", name);
	cs->leaf = make_cert(cs->leaf_key, cs->inter, cs->inter_key, cn, 3, false, true,
			     not_before, not_after, md);
	if (!cs->leaf)
		goto err_free;
	return cs;
err_free:
	spdm_cert_set_free(cs);
	return ERR_PTR(-EIO);
}

struct spdm_cert_set *spdm_cert_set_generate_issued(const struct spdm_cert_set *ca,
						    uint32_t asym_algo, const char *name,
						    time_t not_before, time_t not_after)
{
	const char *md = cert_md(asym_algo);
	struct spdm_cert_set *cs;
	char cn[128];

	if (!spdm_sig_size(asym_algo) || !ca || !ca->root || !ca->root_key)
		return ERR_PTR(-EINVAL);
	cs = pl_zalloc(sizeof(*cs));
	if (!cs)
		return ERR_PTR(-ENOMEM);
	if (!X509_up_ref(ca->root))
		goto err_free;
	cs->root = ca->root;		/* reference taken above */
	if (!EVP_PKEY_up_ref(ca->root_key))
		goto err_free;
	cs->root_key = ca->root_key;	/* reference taken above */
	cs->inter_key = spdm_keygen_asym(asym_algo);
	cs->leaf_key = spdm_keygen_asym(asym_algo);
	if (!cs->inter_key || !cs->leaf_key)
		goto err_free;
	snprintf(cn, sizeof(cn), "%s intermediate CA", name);
	cs->inter = make_cert(cs->inter_key, cs->root, cs->root_key, cn, 2, true, false,
			      not_before, not_after, md);
	if (!cs->inter)
		goto err_free;
	snprintf(cn, sizeof(cn), "%s device", name);
	cs->leaf = make_cert(cs->leaf_key, cs->inter, cs->inter_key, cn, 3, false, true,
			     not_before, not_after, md);
	if (!cs->leaf)
		goto err_free;
	return cs;
err_free:
	spdm_cert_set_free(cs);
	return ERR_PTR(-EIO);
}

int spdm_cert_chain_build(const struct spdm_cert_set *cs, uint32_t hash_algo,
			  uint8_t **out, size_t *len)
{
	X509 *const certs[3] = { cs->root, cs->inter, cs->leaf };
	size_t h = spdm_hash_size(hash_algo), total, off;
	int dlen[3], i, rc;
	uint8_t *buf, *p;

	if (!h)
		return -EINVAL;
	total = 4 + h;
	for (i = 0; i < 3; i++) {
		dlen[i] = i2d_X509(certs[i], NULL);
		if (dlen[i] <= 0)
			return -EIO;
		total += (size_t)dlen[i];
	}
	if (total > SPDM_MAX_CERT_CHAIN_SIZE)
		return -E2BIG;
	buf = pl_zalloc(total);
	if (!buf)
		return -ENOMEM;
	/* §10.7.1 Table 33: Length includes the header and RootHash. */
	buf[0] = (uint8_t)total;
	buf[1] = (uint8_t)(total >> 8);
	off = 4 + h;
	for (i = 0; i < 3; i++) {
		p = buf + off;
		i2d_X509(certs[i], &p);
		off += (size_t)dlen[i];
	}
	rc = spdm_hash(hash_algo, buf + 4 + h, (size_t)dlen[0], buf + 4);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = total;
	return 0;
}

X509_STORE *spdm_trust_store_new(X509 *root)
{
	X509_STORE *st = X509_STORE_new();

	if (!st)
		return NULL;
	if (!X509_STORE_add_cert(st, root)) {
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

static int verify_err_to_errno(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return -EKEYEXPIRED;
	default:
		return -EKEYREJECTED;
	}
}

int spdm_cert_chain_verify(const uint8_t *chain, size_t len, uint32_t hash_algo,
			   X509_STORE *trust, time_t now, EVP_PKEY **leaf_key)
{
	size_t h = spdm_hash_size(hash_algo), off;
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	STACK_OF(X509) *untrusted;
	X509_STORE_CTX *ctx = NULL;
	X509 *cert, *leaf = NULL, *first = NULL;
	const unsigned char *p;
	int rc = -EPROTO, n = 0;

	if (!h)
		return -EINVAL;
	if (len < 4 + h || (size_t)(chain[0] | chain[1] << 8) != len)
		return -EPROTO;
	untrusted = sk_X509_new_null();
	if (!untrusted)
		return -ENOMEM;
	/* Parse certificates back to back; each must end inside the chain. */
	for (off = 4 + h; off < len; off = (size_t)(p - chain)) {
		p = chain + off;
		cert = d2i_X509(NULL, &p, (long)(len - off));
		if (!cert)
			goto err_free;
		if (!n) {
			rc = spdm_hash(hash_algo, chain + off, (size_t)(p - chain) - off, digest);
			if (rc) {
				X509_free(cert);
				goto err_free;
			}
			rc = -EPROTO;
			/* RootHash is the digest of the first certificate. */
			if (memcmp(digest, chain + 4, h)) {
				X509_free(cert);
				goto err_free;
			}
			first = cert;
		}
		if (!sk_X509_push(untrusted, cert)) {
			X509_free(cert);
			rc = -ENOMEM;
			goto err_free;
		}
		n++;
		leaf = cert;
	}
	if (!n)
		goto err_free;
	(void)first;
	ctx = X509_STORE_CTX_new();
	if (!ctx) {
		rc = -ENOMEM;
		goto err_free;
	}
	if (!X509_STORE_CTX_init(ctx, trust, leaf, untrusted)) {
		rc = -ENOMEM;
		goto err_free_ctx;
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
	if (X509_verify_cert(ctx) != 1) {
		rc = verify_err_to_errno(X509_STORE_CTX_get_error(ctx));
		pl_dbg("spdm: cert chain rejected: %s",
		       X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto err_free_ctx;
	}
	/* The leaf is the device, never a CA (DSP0274 cert requirements). */
	if (X509_check_ca(leaf)) {
		rc = -EKEYREJECTED;
		goto err_free_ctx;
	}
	if (leaf_key) {
		*leaf_key = X509_get_pubkey(leaf);
		if (!*leaf_key) {
			rc = -EPROTO;
			goto err_free_ctx;
		}
	}
	rc = 0;
err_free_ctx:
	X509_STORE_CTX_free(ctx);
err_free:
	sk_X509_pop_free(untrusted, X509_free);
	return rc;
}
