// SPDX-License-Identifier: MIT
/* Device identities from PEM files (security.h: hw_spdm_load_pem). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/security/security.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"

static int hw_spdm_open(const char *path, BIO **bio, char *why, size_t whylen)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(why, whylen, "cannot read '%s': %s", path, strerror(errno));
		return rc;
	}
	*bio = BIO_new_fp(f, BIO_CLOSE);
	if (!*bio) {
		fclose(f);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int hw_spdm_load_pem(const char *chain_path, const char *key_path, struct spdm_cert_set **out,
		     uint32_t *asym, char *why, size_t whylen)
{
	X509 *certs[4] = { NULL };
	struct spdm_cert_set *cs;
	EVP_PKEY *key = NULL, *leaf_pub;
	unsigned int n = 0, i;
	BIO *bio = NULL;
	X509 *x;
	int rc;

	rc = hw_spdm_open(chain_path, &bio, why, whylen);
	if (rc)
		return rc;
	while (n < 4 && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		certs[n++] = x;
	BIO_free(bio);
	ERR_clear_error();
	rc = -EINVAL;
	if (n != 3) {
		snprintf(why, whylen, "'%s': %s%u PEM certificate(s), need 3 (root CA, intermediate CA, leaf)",
			 chain_path, n > 3 ? "more than " : "", n > 3 ? 3 : n);
		goto err_free_certs;
	}
	rc = hw_spdm_open(key_path, &bio, why, whylen);
	if (rc)
		goto err_free_certs;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	rc = -EINVAL;
	if (!key) {
		snprintf(why, whylen, "'%s': no PEM private key", key_path);
		goto err_free_certs;
	}
	*asym = spdm_key_asym(key);
	if (!*asym) {
		snprintf(why, whylen, "'%s': key is not ECDSA P-256 or P-384, or RSA-3072", key_path);
		goto err_free_key;
	}
	leaf_pub = X509_get0_pubkey(certs[2]);
	if (!leaf_pub || EVP_PKEY_eq(leaf_pub, key) != 1) {
		snprintf(why, whylen, "'%s': key does not match the leaf certificate of '%s'",
			 key_path, chain_path);
		rc = -EKEYREJECTED;
		goto err_free_key;
	}
	cs = pl_zalloc(sizeof(*cs));
	if (!cs) {
		snprintf(why, whylen, "out of memory");
		rc = -ENOMEM;
		goto err_free_key;
	}
	cs->root = certs[0];		/* references move to cs */
	cs->inter = certs[1];
	cs->leaf = certs[2];
	cs->leaf_key = key;
	*out = cs;
	return 0;

err_free_key:
	EVP_PKEY_free(key);
err_free_certs:
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	return rc;
}
