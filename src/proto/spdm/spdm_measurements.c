// SPDX-License-Identifier: MIT
/* GET_MEASUREMENTS / MEASUREMENTS and measurement blocks (DSP0274 1.3.0
 * §10.11, §10.11.1). */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_encode_get_measurements(uint8_t ver, const struct spdm_get_meas *g, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_GET_MEASUREMENTS, g->attributes, g->operation);
	if (g->attributes & SPDM_MEAS_ATTR_SIGNATURE) {
		if (g->slot >= SPDM_MAX_SLOTS)
			return -EINVAL;
		spdm_put_bytes(&w, g->nonce, SPDM_NONCE_SIZE);
		spdm_put_u8(&w, g->slot);
	}
	if (ver >= SPDM_VERSION_13)
		spdm_put_bytes(&w, g->context, SPDM_REQ_CONTEXT_SIZE);
	return spdm_wbuf_result(&w);
}

int spdm_decode_get_measurements(uint8_t ver, const void *buf, size_t len, struct spdm_get_meas *g)
{
	struct spdm_rbuf r;
	int rc;

	memset(g, 0, sizeof(*g));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_GET_MEASUREMENTS, &g->attributes, &g->operation);
	if (rc)
		return rc;
	if (g->attributes & SPDM_MEAS_ATTR_SIGNATURE) {
		spdm_get_bytes(&r, g->nonce, SPDM_NONCE_SIZE);
		g->slot = spdm_get_u8(&r) & SPDM_SLOT_ID_MASK;
	}
	if (ver >= SPDM_VERSION_13)
		spdm_get_bytes(&r, g->context, SPDM_REQ_CONTEXT_SIZE);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	if (g->slot >= SPDM_MAX_SLOTS)
		return -EPROTO;
	return 0;
}

int spdm_encode_measurements(const struct spdm_params *p, const struct spdm_meas_rsp *m,
			     void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (m->record_len > 0xFFFFFF)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_MEASUREMENTS, m->param1, m->param2);
	spdm_put_u8(&w, m->num_blocks);
	spdm_put_le24(&w, m->record_len);
	spdm_put_bytes(&w, m->record, m->record_len);
	spdm_put_bytes(&w, m->nonce, SPDM_NONCE_SIZE);
	spdm_put_le16(&w, m->opaque_len);
	spdm_put_bytes(&w, m->opaque, m->opaque_len);
	if (p->version >= SPDM_VERSION_13)
		spdm_put_bytes(&w, m->context, SPDM_REQ_CONTEXT_SIZE);
	if (m->signature)
		spdm_put_bytes(&w, m->signature, p->sig_size);
	return spdm_wbuf_result(&w);
}

int spdm_decode_measurements(const struct spdm_params *p, bool signature_expected,
			     const void *buf, size_t len, struct spdm_meas_rsp *m)
{
	struct spdm_rbuf r;
	int rc;

	memset(m, 0, sizeof(*m));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_MEASUREMENTS, &m->param1, &m->param2);
	if (rc)
		return rc;
	m->num_blocks = spdm_get_u8(&r);
	m->record_len = spdm_get_le24(&r);
	if (r.err)
		return r.err;
	m->record = spdm_get_ptr(&r, m->record_len);
	m->nonce = spdm_get_ptr(&r, SPDM_NONCE_SIZE);
	m->opaque_len = spdm_get_le16(&r);
	if (r.err)
		return r.err;
	if (m->opaque_len > 1024)
		return -EPROTO;
	m->opaque = spdm_get_ptr(&r, m->opaque_len);
	if (p->version >= SPDM_VERSION_13)
		m->context = spdm_get_ptr(&r, SPDM_REQ_CONTEXT_SIZE);
	m->sig_offset = r.off;
	if (signature_expected)
		m->signature = spdm_get_ptr(&r, p->sig_size);
	rc = spdm_rbuf_end(&r);
	if (rc)
		return rc;
	/* The record must hold exactly NumberOfBlocks well-formed blocks. */
	return spdm_parse_meas_record(m->record, m->record_len, m->num_blocks, NULL, 0);
}

int spdm_encode_meas_block(const struct spdm_meas_block *b, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	if (b->value_size > 0xFFFF - sizeof(struct spdm_dmtf_meas_hdr))
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_u8(&w, b->index);
	spdm_put_u8(&w, SPDM_MEAS_SPEC_DMTF);
	spdm_put_le16(&w, (uint16_t)(b->value_size + sizeof(struct spdm_dmtf_meas_hdr)));
	spdm_put_u8(&w, b->value_type);
	spdm_put_le16(&w, b->value_size);
	spdm_put_bytes(&w, b->value, b->value_size);
	return spdm_wbuf_result(&w);
}

int spdm_parse_meas_record(const uint8_t *rec, size_t len, unsigned int count,
			   struct spdm_meas_block *out, unsigned int max)
{
	struct spdm_rbuf r, body;
	struct spdm_meas_block b;
	const uint8_t *q;
	uint16_t msize;
	unsigned int i;

	spdm_rbuf_init(&r, rec, len);
	for (i = 0; i < count; i++) {
		b.index = spdm_get_u8(&r);
		b.spec = spdm_get_u8(&r);
		msize = spdm_get_le16(&r);
		if (r.err)
			return r.err;
		q = spdm_get_ptr(&r, msize);
		if (!q)
			return r.err;
		/* §10.11.1: Index 0 is reserved; only the DMTF format is
		 * understood (exactly one MeasurementSpecification bit). */
		if (!b.index || b.spec != SPDM_MEAS_SPEC_DMTF)
			return -EPROTO;
		spdm_rbuf_init(&body, q, msize);
		b.value_type = spdm_get_u8(&body);
		b.value_size = spdm_get_le16(&body);
		if (body.err)
			return -EPROTO;
		b.value = spdm_get_ptr(&body, b.value_size);
		if (spdm_rbuf_end(&body))
			return -EPROTO;
		if (out && i < max)
			out[i] = b;
	}
	return spdm_rbuf_end(&r);
}
