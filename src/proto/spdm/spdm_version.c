// SPDX-License-Identifier: MIT
/* GET_VERSION / VERSION (DSP0274 1.3.0 §10.3) and bare-header helpers. */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_peek_header(const void *buf, size_t len, struct spdm_header *hdr)
{
	if (len < sizeof(*hdr))
		return -EMSGSIZE;
	memcpy(hdr, buf, sizeof(*hdr));
	return 0;
}

int spdm_encode_bare(uint8_t ver, uint8_t code, uint8_t p1, uint8_t p2, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, code, p1, p2);
	return spdm_wbuf_result(&w);
}

int spdm_decode_bare(uint8_t ver, uint8_t code, const void *buf, size_t len,
		     uint8_t *p1, uint8_t *p2)
{
	struct spdm_rbuf r;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, code, p1, p2);
	if (rc)
		return rc;
	return spdm_rbuf_end(&r);
}

/* §10.3: GET_VERSION always carries SPDMVersion 1.0. */
int spdm_encode_get_version(void *buf, size_t cap)
{
	return spdm_encode_bare(SPDM_VERSION_10, SPDM_GET_VERSION, 0, 0, buf, cap);
}

int spdm_decode_get_version(const void *buf, size_t len)
{
	return spdm_decode_bare(SPDM_VERSION_10, SPDM_GET_VERSION, buf, len, NULL, NULL);
}

int spdm_encode_version(const struct spdm_version_info *v, void *buf, size_t cap)
{
	struct spdm_wbuf w;
	unsigned int i;

	if (!v->count || v->count > SPDM_MAX_VERSIONS)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, SPDM_VERSION_10, SPDM_VERSION, 0, 0);
	spdm_put_u8(&w, 0);
	spdm_put_u8(&w, v->count);
	for (i = 0; i < v->count; i++)
		spdm_put_le16(&w, v->entries[i]);
	return spdm_wbuf_result(&w);
}

int spdm_decode_version(const void *buf, size_t len, struct spdm_version_info *v)
{
	struct spdm_rbuf r;
	unsigned int i, n;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, SPDM_VERSION_10, SPDM_VERSION, NULL, NULL);
	if (rc)
		return rc;
	spdm_get_u8(&r);
	n = spdm_get_u8(&r);
	if (r.err)
		return r.err;
	if (!n)
		return -EPROTO;
	/* The count guards the entries: check the buffer holds them all. */
	if (spdm_rbuf_left(&r) != 2u * n)
		return -EMSGSIZE;
	if (n > SPDM_MAX_VERSIONS)
		return -EPROTO;
	v->count = (uint8_t)n;
	for (i = 0; i < n; i++)
		v->entries[i] = spdm_get_le16(&r);
	return spdm_rbuf_end(&r);
}
