// SPDX-License-Identifier: MIT
/*
 * VENDOR_DEFINED_REQUEST / VENDOR_DEFINED_RESPONSE (DSP0274 1.3.0 §10.23)
 * and their use inside a secured session. Layout of both:
 *
 *   SPDMVersion, Code (FEh/7Eh), Param1, Param2 (reserved)
 *   StandardID (2, LE), Len (1), VendorID (Len bytes),
 *   ReqLength/RespLength (2, LE), payload (that many bytes)
 *
 * PCIe r6.2 §6.31.4 binds IDE_KM and TDISP here with StandardID PCI-SIG
 * (3) and VendorID 0001h; the payload starts with the Protocol ID.
 */
#include <errno.h>
#include <string.h>

#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_internal.h"
#include "proto/spdm/spdm_msg.h"
#include "proto/spdm/spdm_vendor.h"

/* Everything up to and including ReqLength/RespLength. */
static void put_fixed(struct spdm_wbuf *w, uint8_t ver, uint8_t code,
		      const struct spdm_vendor_msg *m)
{
	spdm_put_hdr(w, ver, code, 0, 0);
	spdm_put_le16(w, m->standard_id);
	spdm_put_u8(w, m->vendor_id_len);
	spdm_put_bytes(w, m->vendor_id, m->vendor_id_len);
	spdm_put_le16(w, m->payload_len);
}

static int encode_vendor(uint8_t ver, uint8_t code, const struct spdm_vendor_msg *m, void *buf,
			 size_t cap)
{
	struct spdm_wbuf w;

	if (m->vendor_id_len && !m->vendor_id)
		return -EINVAL;
	if (m->payload_len && !m->payload)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	put_fixed(&w, ver, code, m);
	spdm_put_bytes(&w, m->payload, m->payload_len);
	return spdm_wbuf_result(&w);
}

static int decode_vendor(uint8_t ver, uint8_t code, const void *buf, size_t len,
			 struct spdm_vendor_msg *m)
{
	struct spdm_rbuf r;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, code, NULL, NULL);
	if (rc)
		return rc;
	m->standard_id = spdm_get_le16(&r);
	m->vendor_id_len = spdm_get_u8(&r);
	/* Each length is checked by the get that consumes what it guards. */
	m->vendor_id = spdm_get_ptr(&r, m->vendor_id_len);
	m->payload_len = spdm_get_le16(&r);
	m->payload = spdm_get_ptr(&r, m->payload_len);
	return spdm_rbuf_end(&r);
}

int spdm_encode_vendor_req(uint8_t ver, const struct spdm_vendor_msg *m, void *buf, size_t cap)
{
	return encode_vendor(ver, SPDM_VENDOR_DEFINED_REQUEST, m, buf, cap);
}

int spdm_decode_vendor_req(uint8_t ver, const void *buf, size_t len, struct spdm_vendor_msg *m)
{
	return decode_vendor(ver, SPDM_VENDOR_DEFINED_REQUEST, buf, len, m);
}

int spdm_encode_vendor_rsp(uint8_t ver, const struct spdm_vendor_msg *m, void *buf, size_t cap)
{
	return encode_vendor(ver, SPDM_VENDOR_DEFINED_RESPONSE, m, buf, cap);
}

int spdm_decode_vendor_rsp(uint8_t ver, const void *buf, size_t len, struct spdm_vendor_msg *m)
{
	return decode_vendor(ver, SPDM_VENDOR_DEFINED_RESPONSE, buf, len, m);
}

bool spdm_vendor_is_pcisig(const struct spdm_vendor_msg *m)
{
	return m->standard_id == SPDM_STD_ID_PCISIG && m->vendor_id_len == 2 &&
	       m->vendor_id[0] == (SPDM_VENDOR_ID_PCISIG & 0xff) &&
	       m->vendor_id[1] == SPDM_VENDOR_ID_PCISIG >> 8;
}

/* Responder: decode, hand the payload to the configured handler, and wrap
 * its answer with the same StandardID/VendorID. */
int spdm_vendor_respond(const struct spdm_responder_config *cfg, uint8_t ver,
			const uint8_t *q, size_t qn, uint8_t *out, size_t cap)
{
	struct spdm_error_msg e = { .code = SPDM_ERR_INVALID_REQUEST };
	struct spdm_vendor_msg m;
	struct spdm_wbuf w;
	size_t hdr;
	int n;

	if (decode_vendor(ver, SPDM_VENDOR_DEFINED_REQUEST, q, qn, &m))
		return spdm_encode_error(ver, &e, out, cap);
	hdr = SPDM_VENDOR_FIXED_SIZE + m.vendor_id_len;
	if (cap < hdr)
		return -EMSGSIZE;
	/* The handler writes its payload in place, after the fixed part. */
	n = cfg->vendor_handler(cfg->vendor_ctx, &m, out + hdr, MIN(cap - hdr, (size_t)UINT16_MAX));
	if (n < 0)
		return spdm_encode_error(ver, &e, out, cap);
	/* The fixed part goes in front of the payload; m.vendor_id points
	 * into q, which does not alias out. */
	m.payload_len = (uint16_t)n;
	spdm_wbuf_init(&w, out, hdr);
	put_fixed(&w, ver, SPDM_VENDOR_DEFINED_RESPONSE, &m);
	if (spdm_wbuf_result(&w) < 0)
		return -EMSGSIZE;
	return (int)hdr + n;
}

int spdm_req_vendor_defined(struct spdm_requester *req, const struct spdm_vendor_msg *q,
			    void *rsp, size_t cap, size_t *rsp_len)
{
	uint8_t buf[SPDM_MAX_MSG_SIZE];
	struct spdm_vendor_msg rm;
	const uint8_t *r;
	size_t rn;
	int n, rc;

	n = spdm_encode_vendor_req(spdm_req_version(req), q, buf, sizeof(buf));
	if (n < 0)
		return n;
	rc = spdm_req_session_xfer(req, buf, (size_t)n, &r, &rn);
	if (rc)
		return rc;
	rc = spdm_decode_vendor_rsp(spdm_req_version(req), r, rn, &rm);
	if (rc)
		return rc;
	if (rm.standard_id != q->standard_id || rm.vendor_id_len != q->vendor_id_len ||
	    memcmp(rm.vendor_id, q->vendor_id, q->vendor_id_len))
		return -EPROTO;
	if (rm.payload_len > cap)
		return -EMSGSIZE;
	memcpy(rsp, rm.payload, rm.payload_len);
	*rsp_len = rm.payload_len;
	return 0;
}

int spdm_req_pcisig_vdm(void *ctx, const void *q, size_t qn, void *rsp, size_t cap,
			size_t *rsp_len)
{
	static const uint8_t vid[2] = { SPDM_VENDOR_ID_PCISIG & 0xff, SPDM_VENDOR_ID_PCISIG >> 8 };
	struct spdm_vendor_msg m = {
		.standard_id = SPDM_STD_ID_PCISIG, .vendor_id_len = 2, .vendor_id = vid,
		.payload_len = (uint16_t)qn, .payload = q,
	};

	if (qn > UINT16_MAX)
		return -EINVAL;
	return spdm_req_vendor_defined(ctx, &m, rsp, cap, rsp_len);
}
