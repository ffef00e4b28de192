// SPDX-License-Identifier: MIT
/* GET_CERTIFICATE / CERTIFICATE (DSP0274 1.3.0 §10.7): the chain is read
 * in portions of at most Length bytes starting at Offset. */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_encode_get_certificate(uint8_t ver, const struct spdm_get_cert *g, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (g->slot >= SPDM_MAX_SLOTS)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_GET_CERTIFICATE, g->slot, 0);
	spdm_put_le16(&w, g->offset);
	spdm_put_le16(&w, g->length);
	return spdm_wbuf_result(&w);
}

int spdm_decode_get_certificate(uint8_t ver, const void *buf, size_t len, struct spdm_get_cert *g)
{
	struct spdm_rbuf r;
	uint8_t p1;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_GET_CERTIFICATE, &p1, NULL);
	if (rc)
		return rc;
	g->offset = spdm_get_le16(&r);
	g->length = spdm_get_le16(&r);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	/* Bits 7:4 of param1 are reserved in 1.2/1.3; slots are 0..7. */
	g->slot = p1 & SPDM_SLOT_ID_MASK;
	if (g->slot >= SPDM_MAX_SLOTS)
		return -EPROTO;
	return 0;
}

int spdm_encode_certificate(uint8_t ver, const struct spdm_cert_portion *c, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (c->slot >= SPDM_MAX_SLOTS)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_CERTIFICATE, c->slot, 0);
	spdm_put_le16(&w, c->portion_len);
	spdm_put_le16(&w, c->remainder_len);
	spdm_put_bytes(&w, c->data, c->portion_len);
	return spdm_wbuf_result(&w);
}

int spdm_decode_certificate(uint8_t ver, const void *buf, size_t len, struct spdm_cert_portion *c)
{
	struct spdm_rbuf r;
	uint8_t p1;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_CERTIFICATE, &p1, NULL);
	if (rc)
		return rc;
	c->slot = p1 & SPDM_SLOT_ID_MASK;
	c->portion_len = spdm_get_le16(&r);
	c->remainder_len = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	c->data = spdm_get_ptr(&r, c->portion_len);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	if (c->slot >= SPDM_MAX_SLOTS)
		return -EPROTO;
	return 0;
}
