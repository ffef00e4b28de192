// SPDX-License-Identifier: MIT
/* Transcript buffers shared by requester and responder. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "base/fault.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_internal.h"

int spdm_tbuf_append(struct spdm_tbuf *t, const void *d, size_t n)
{
	size_t ncap;
	uint8_t *p;

	if (t->len + n > t->cap) {
		ncap = t->cap ? t->cap : 512;
		while (ncap < t->len + n)
			ncap *= 2;
		p = pl_realloc(t->p, ncap);
		if (!p)
			return -ENOMEM;
		t->p = p;
		t->cap = ncap;
	}
	if (n)
		memcpy(t->p + t->len, d, n);
	t->len += n;
	return 0;
}

void spdm_tbuf_reset(struct spdm_tbuf *t)
{
	t->len = 0;
}

void spdm_tbuf_free(struct spdm_tbuf *t)
{
	free(t->p);
	t->p = NULL;
	t->len = t->cap = 0;
}

int spdm_tbuf_hash(uint32_t hash_algo, uint8_t *out, const struct spdm_tbuf *a,
		   const struct spdm_tbuf *b, const struct spdm_tbuf *c, const struct spdm_tbuf *d)
{
	const struct spdm_tbuf *v[4] = { a, b, c, d };
	const char *name = hash_algo == SPDM_HASH_SHA256 ? "SHA256" :
			   hash_algo == SPDM_HASH_SHA384 ? "SHA384" :
			   hash_algo == SPDM_HASH_SHA512 ? "SHA512" : NULL;
	EVP_MD_CTX *md;
	int i, rc = -EIO;

	if (!name)
		return -EINVAL;
	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestInit_ex(md, EVP_get_digestbyname(name), NULL) != 1)
		goto out;
	for (i = 0; i < 4 && v[i]; i++)
		if (v[i]->len && EVP_DigestUpdate(md, v[i]->p, v[i]->len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(md, out, NULL) == 1)
		rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

uint32_t spdm_meas_hash_for(uint32_t base_hash)
{
	switch (base_hash) {
	case SPDM_HASH_SHA256:
		return SPDM_MEAS_HASH_SHA256;
	case SPDM_HASH_SHA384:
		return SPDM_MEAS_HASH_SHA384;
	case SPDM_HASH_SHA512:
		return SPDM_MEAS_HASH_SHA512;
	default:
		return 0;
	}
}
