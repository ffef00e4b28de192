// SPDX-License-Identifier: MIT
/* GET_DIGESTS / DIGESTS (DSP0274 1.3.0 §10.6). The 1.3 multi-key fields
 * (KeyPairID etc.) are present only with MULTI_KEY_CONN, which we never
 * negotiate, so DIGESTS is header + Digest[n]. */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_encode_get_digests(uint8_t ver, void *buf, size_t cap)
{
	return spdm_encode_bare(ver, SPDM_GET_DIGESTS, 0, 0, buf, cap);
}

int spdm_decode_get_digests(uint8_t ver, const void *buf, size_t len)
{
	return spdm_decode_bare(ver, SPDM_GET_DIGESTS, buf, len, NULL, NULL);
}

int spdm_encode_digests(const struct spdm_params *p, const struct spdm_digests *d,
			void *buf, size_t cap)
{
	struct spdm_wbuf w;
	unsigned int n = (unsigned int)__builtin_popcount(d->provisioned_mask);

	if (!p->hash_size)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_DIGESTS,
		     p->version >= SPDM_VERSION_13 ? d->supported_mask : 0, d->provisioned_mask);
	spdm_put_bytes(&w, d->digests, (size_t)n * p->hash_size);
	return spdm_wbuf_result(&w);
}

int spdm_decode_digests(const struct spdm_params *p, const void *buf, size_t len,
			struct spdm_digests *d)
{
	struct spdm_rbuf r;
	uint8_t p1, p2;
	unsigned int n;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_DIGESTS, &p1, &p2);
	if (rc)
		return rc;
	/* 1.3: a provisioned slot must also be a supported one. */
	if (p->version >= SPDM_VERSION_13 && (p2 & ~p1))
		return -EPROTO;
	n = (unsigned int)__builtin_popcount(p2);
	d->supported_mask = p->version >= SPDM_VERSION_13 ? p1 : 0;
	d->provisioned_mask = p2;
	d->digests = spdm_get_ptr(&r, (size_t)n * p->hash_size);
	return spdm_rbuf_end(&r);
}
