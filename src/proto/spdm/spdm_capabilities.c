// SPDX-License-Identifier: MIT
/* GET_CAPABILITIES / CAPABILITIES (DSP0274 1.3.0 §10.4). Only the 1.2+
 * 20-byte layout is produced and accepted. */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

static int caps_encode(uint8_t ver, uint8_t code, const struct spdm_caps *c, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (ver < SPDM_VERSION_12)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, code, 0, 0);
	spdm_put_u8(&w, 0);
	spdm_put_u8(&w, c->ct_exponent);
	spdm_put_le16(&w, 0);
	spdm_put_le32(&w, c->flags);
	spdm_put_le32(&w, c->data_transfer_size);
	spdm_put_le32(&w, c->max_msg_size);
	return spdm_wbuf_result(&w);
}

static int caps_decode(uint8_t ver, uint8_t code, const void *buf, size_t len, struct spdm_caps *c)
{
	struct spdm_rbuf r;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, code, NULL, NULL);
	if (rc)
		return rc;
	spdm_get_u8(&r);
	c->ct_exponent = spdm_get_u8(&r);
	spdm_get_le16(&r);
	c->flags = spdm_get_le32(&r);
	c->data_transfer_size = spdm_get_le32(&r);
	c->max_msg_size = spdm_get_le32(&r);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	/* §10.4: DataTransferSize >= MinDataTransferSize and
	 * MaxSPDMmsgSize >= DataTransferSize. */
	if (c->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE ||
	    c->max_msg_size < c->data_transfer_size)
		return -EPROTO;
	return 0;
}

int spdm_encode_get_capabilities(uint8_t ver, const struct spdm_caps *c, void *buf, size_t cap)
{
	return caps_encode(ver, SPDM_GET_CAPABILITIES, c, buf, cap);
}

int spdm_decode_get_capabilities(uint8_t ver, const void *buf, size_t len, struct spdm_caps *c)
{
	return caps_decode(ver, SPDM_GET_CAPABILITIES, buf, len, c);
}

int spdm_encode_capabilities(uint8_t ver, const struct spdm_caps *c, void *buf, size_t cap)
{
	return caps_encode(ver, SPDM_CAPABILITIES, c, buf, cap);
}

int spdm_decode_capabilities(uint8_t ver, const void *buf, size_t len, struct spdm_caps *c)
{
	return caps_decode(ver, SPDM_CAPABILITIES, buf, len, c);
}
