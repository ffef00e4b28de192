// SPDX-License-Identifier: MIT
/* KEY_EXCHANGE / KEY_EXCHANGE_RSP (DSP0274 1.3.0 §10.15) and the DSP0277
 * secured-message version negotiation carried in their OpaqueData. */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_encode_key_exchange(const struct spdm_params *p, const struct spdm_key_exchange_req *k,
			     void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (!p->dhe_size || k->slot >= SPDM_MAX_SLOTS)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_KEY_EXCHANGE, k->hash_type, k->slot);
	spdm_put_le16(&w, k->req_session_id);
	spdm_put_u8(&w, k->session_policy);
	spdm_put_u8(&w, 0);
	spdm_put_bytes(&w, k->random, SPDM_RANDOM_SIZE);
	spdm_put_bytes(&w, k->exchange, p->dhe_size);
	spdm_put_le16(&w, k->opaque_len);
	spdm_put_bytes(&w, k->opaque, k->opaque_len);
	return spdm_wbuf_result(&w);
}

int spdm_decode_key_exchange(const struct spdm_params *p, const void *buf, size_t len,
			     struct spdm_key_exchange_req *k)
{
	struct spdm_rbuf r;
	int rc;

	memset(k, 0, sizeof(*k));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_KEY_EXCHANGE, &k->hash_type, &k->slot);
	if (rc)
		return rc;
	k->req_session_id = spdm_get_le16(&r);
	k->session_policy = spdm_get_u8(&r);
	spdm_get_u8(&r);
	spdm_get_bytes(&r, k->random, SPDM_RANDOM_SIZE);
	k->exchange = spdm_get_ptr(&r, p->dhe_size);
	k->opaque_len = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	if (k->opaque_len > 1024)
		return -EPROTO;
	k->opaque = spdm_get_ptr(&r, k->opaque_len);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	if (k->slot >= SPDM_MAX_SLOTS ||
	    (k->hash_type != SPDM_MEAS_SUMMARY_NONE && k->hash_type != SPDM_MEAS_SUMMARY_TCB &&
	     k->hash_type != SPDM_MEAS_SUMMARY_ALL))
		return -EPROTO;
	return 0;
}

int spdm_encode_key_exchange_rsp(const struct spdm_params *p, uint8_t hash_type,
				 const struct spdm_key_exchange_rsp_msg *k, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (!p->dhe_size || !p->hash_size ||
	    (hash_type != SPDM_MEAS_SUMMARY_NONE && !k->meas_summary_hash) ||
	    (k->verify_data && !k->signature))
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_KEY_EXCHANGE_RSP, k->heartbeat_period, 0);
	spdm_put_le16(&w, k->rsp_session_id);
	spdm_put_u8(&w, k->mut_auth_requested);
	spdm_put_u8(&w, k->req_slot_id_param);
	spdm_put_bytes(&w, k->random, SPDM_RANDOM_SIZE);
	spdm_put_bytes(&w, k->exchange, p->dhe_size);
	if (hash_type != SPDM_MEAS_SUMMARY_NONE)
		spdm_put_bytes(&w, k->meas_summary_hash, p->hash_size);
	spdm_put_le16(&w, k->opaque_len);
	spdm_put_bytes(&w, k->opaque, k->opaque_len);
	if (k->signature)
		spdm_put_bytes(&w, k->signature, p->sig_size);
	if (k->verify_data)
		spdm_put_bytes(&w, k->verify_data, p->hash_size);
	return spdm_wbuf_result(&w);
}

int spdm_decode_key_exchange_rsp(const struct spdm_params *p, uint8_t hash_type,
				 const void *buf, size_t len, struct spdm_key_exchange_rsp_msg *k)
{
	struct spdm_rbuf r;
	int rc;

	memset(k, 0, sizeof(*k));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_KEY_EXCHANGE_RSP, &k->heartbeat_period, NULL);
	if (rc)
		return rc;
	k->rsp_session_id = spdm_get_le16(&r);
	k->mut_auth_requested = spdm_get_u8(&r);
	k->req_slot_id_param = spdm_get_u8(&r);
	k->random = spdm_get_ptr(&r, SPDM_RANDOM_SIZE);
	k->exchange = spdm_get_ptr(&r, p->dhe_size);
	if (hash_type != SPDM_MEAS_SUMMARY_NONE)
		k->meas_summary_hash = spdm_get_ptr(&r, p->hash_size);
	k->opaque_len = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	if (k->opaque_len > 1024)
		return -EPROTO;
	k->opaque = spdm_get_ptr(&r, k->opaque_len);
	k->sig_offset = r.off;
	k->signature = spdm_get_ptr(&r, p->sig_size);
	k->verify_offset = r.off;
	k->verify_data = spdm_get_ptr(&r, p->hash_size);
	return spdm_rbuf_end(&r);
}

/*
 * OpaqueDataFmt1 (DSP0274 1.2 §10.15 / Table "General opaque data
 * format"): TotalElements (1), Reserved (3), then one element: ID 0
 * (DMTF), VendorLen 0, OpaqueElementDataLen (2), the DSP0277 SMData, and
 * padding of the element to a multiple of 4 bytes.
 */
static void put_sm_element(struct spdm_wbuf *w, const uint8_t *data, uint16_t n)
{
	spdm_put_u8(w, 1);
	spdm_put_zero(w, 3);
	spdm_put_u8(w, 0);
	spdm_put_u8(w, 0);
	spdm_put_le16(w, n);
	spdm_put_bytes(w, data, n);
	spdm_put_zero(w, (4 - (4u + n) % 4) % 4);
}

int spdm_encode_sm_opaque_supported(void *buf, size_t cap)
{
	/* SMDataVersion 1, SMDataID 1 (supported list), one version. */
	const uint8_t d[] = { SPDM_SM_DATA_VERSION, SPDM_SM_DATA_ID_SUPPORTED_LIST, 1,
			      0x00, SPDM_SECURED_VERSION_11 };
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	put_sm_element(&w, d, sizeof(d));
	return spdm_wbuf_result(&w);
}

int spdm_encode_sm_opaque_selection(uint16_t version, void *buf, size_t cap)
{
	const uint8_t d[] = { SPDM_SM_DATA_VERSION, SPDM_SM_DATA_ID_VERSION_SELECT,
			      (uint8_t)version, (uint8_t)(version >> 8) };
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	put_sm_element(&w, d, sizeof(d));
	return spdm_wbuf_result(&w);
}

int spdm_decode_sm_opaque(const void *buf, size_t len, bool selection, uint16_t *version)
{
	struct spdm_rbuf r, e;
	const uint8_t *data;
	uint16_t n, v;
	uint8_t nelem, vlen, count;
	unsigned int i;

	spdm_rbuf_init(&r, buf, len);
	nelem = spdm_get_u8(&r);
	spdm_get_ptr(&r, 3);
	if (r.err)
		return r.err;
	if (nelem != 1)
		return -EPROTO;
	if (spdm_get_u8(&r) != 0)	/* ID: DMTF */
		return r.err ? r.err : -EPROTO;
	vlen = spdm_get_u8(&r);
	n = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	if (vlen)
		return -EPROTO;
	data = spdm_get_ptr(&r, n);
	if (!data)
		return r.err;
	spdm_get_ptr(&r, (4 - (4u + n) % 4) % 4);
	if (spdm_rbuf_end(&r))
		return -EMSGSIZE;
	spdm_rbuf_init(&e, data, n);
	if (spdm_get_u8(&e) != SPDM_SM_DATA_VERSION)
		return e.err ? e.err : -EPROTO;
	if (spdm_get_u8(&e) != (selection ? SPDM_SM_DATA_ID_VERSION_SELECT :
					    SPDM_SM_DATA_ID_SUPPORTED_LIST))
		return e.err ? e.err : -EPROTO;
	if (!selection) {
		/* DSP0274 1.2/1.3 Table "Supported version list" (OpaqueDataFmt1,
		 * DSP0277 §8): VersionCount entries, in any order; a requester
		 * may list several (libspdm lists 1.0, 1.1 and 1.2). Report the
		 * one we speak, SPDM_SECURED_VERSION_11, if it is listed, else
		 * the first, for the caller to refuse. */
		count = spdm_get_u8(&e);
		if (!e.err && !count)
			return -EPROTO;
		*version = spdm_get_le16(&e);
		for (i = 1; i < count && !e.err; i++) {
			v = spdm_get_le16(&e);
			if (SPDM_VER_ENTRY_MAJMIN(v) == SPDM_SECURED_VERSION_11)
				*version = v;
		}
	} else {
		*version = spdm_get_le16(&e);
	}
	return spdm_rbuf_end(&e);
}
