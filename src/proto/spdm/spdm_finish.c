// SPDX-License-Identifier: MIT
/* FINISH / FINISH_RSP (DSP0274 1.3.0 §10.16). */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

int spdm_encode_finish(const struct spdm_params *p, const struct spdm_finish_req *f,
		       void *buf, size_t cap)
{
	struct spdm_wbuf w;
	bool sig = f->attributes & SPDM_FINISH_SIG_INCLUDED;

	if (!p->hash_size || (sig && !f->signature))
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_FINISH, f->attributes, f->req_slot);
	if (sig)
		spdm_put_bytes(&w, f->signature, p->sig_size);
	if (f->verify_data)
		spdm_put_bytes(&w, f->verify_data, p->hash_size);
	return spdm_wbuf_result(&w);
}

int spdm_decode_finish(const struct spdm_params *p, const void *buf, size_t len,
		       struct spdm_finish_req *f)
{
	struct spdm_rbuf r;
	int rc;

	memset(f, 0, sizeof(*f));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_FINISH, &f->attributes, &f->req_slot);
	if (rc)
		return rc;
	if (f->attributes & ~SPDM_FINISH_SIG_INCLUDED)
		return -EPROTO;
	if (f->attributes & SPDM_FINISH_SIG_INCLUDED)
		f->signature = spdm_get_ptr(&r, p->sig_size);
	f->verify_offset = r.off;
	f->verify_data = spdm_get_ptr(&r, p->hash_size);
	return spdm_rbuf_end(&r);
}

int spdm_encode_finish_rsp(const struct spdm_params *p, const uint8_t *verify_data,
			   void *buf, size_t cap)
{
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, p->version, SPDM_FINISH_RSP, 0, 0);
	if (verify_data)
		spdm_put_bytes(&w, verify_data, p->hash_size);
	return spdm_wbuf_result(&w);
}

int spdm_decode_finish_rsp(const struct spdm_params *p, bool verify_expected,
			   const void *buf, size_t len, const uint8_t **verify_data)
{
	struct spdm_rbuf r;
	int rc;

	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, p->version, SPDM_FINISH_RSP, NULL, NULL);
	if (rc)
		return rc;
	*verify_data = verify_expected ? spdm_get_ptr(&r, p->hash_size) : NULL;
	return spdm_rbuf_end(&r);
}
