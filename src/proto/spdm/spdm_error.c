// SPDX-License-Identifier: MIT
/* ERROR (DSP0274 1.3.0 §10.10) and RESPOND_IF_READY (§10.9). */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_encode_error(uint8_t ver, const struct spdm_error_msg *e, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (e->ext_len > SPDM_ERR_MAX_EXT_DATA)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_ERROR, e->code, e->data);
	spdm_put_bytes(&w, e->ext, e->ext_len);
	return spdm_wbuf_result(&w);
}

int spdm_decode_error(uint8_t ver, const void *buf, size_t len, struct spdm_error_msg *e)
{
	struct spdm_rbuf r;
	int rc;

	memset(e, 0, sizeof(*e));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_ERROR, &e->code, &e->data);
	if (rc)
		return rc;
	if (spdm_rbuf_left(&r) > SPDM_ERR_MAX_EXT_DATA)
		return -EMSGSIZE;
	e->ext_len = (uint8_t)spdm_rbuf_left(&r);
	spdm_get_bytes(&r, e->ext, e->ext_len);
	return spdm_rbuf_end(&r);
}

int spdm_encode_error_not_ready(uint8_t ver, const struct spdm_error_not_ready *nr,
				void *buf, size_t cap)
{
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_ERROR, SPDM_ERR_RESPONSE_NOT_READY, 0);
	spdm_put_u8(&w, nr->rdt_exponent);
	spdm_put_u8(&w, nr->request_code);
	spdm_put_u8(&w, nr->token);
	spdm_put_u8(&w, nr->rdtm);
	return spdm_wbuf_result(&w);
}

int spdm_decode_error_not_ready(uint8_t ver, const void *buf, size_t len,
				struct spdm_error_not_ready *nr)
{
	struct spdm_rbuf r;
	uint8_t code;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_ERROR, &code, NULL);
	if (rc)
		return rc;
	if (code != SPDM_ERR_RESPONSE_NOT_READY)
		return -EPROTO;
	nr->rdt_exponent = spdm_get_u8(&r);
	nr->request_code = spdm_get_u8(&r);
	nr->token = spdm_get_u8(&r);
	nr->rdtm = spdm_get_u8(&r);
	return spdm_rbuf_end(&r);
}

int spdm_encode_respond_if_ready(uint8_t ver, uint8_t req_code, uint8_t token, void *buf, size_t cap)
{
	return spdm_encode_bare(ver, SPDM_RESPOND_IF_READY, req_code, token, buf, cap);
}

int spdm_decode_respond_if_ready(uint8_t ver, const void *buf, size_t len,
				 uint8_t *req_code, uint8_t *token)
{
	return spdm_decode_bare(ver, SPDM_RESPOND_IF_READY, buf, len, req_code, token);
}
