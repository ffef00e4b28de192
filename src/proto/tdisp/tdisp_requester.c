// SPDX-License-Identifier: MIT
/*
 * TDISP requester (the TSM's side, PCIe r6.2 §11.3): one call per
 * request/response pair. A response must be the one that answers the
 * request (code, TDISP version and INTERFACE_ID echoed), else -EPROTO.
 */
#include <errno.h>
#include <string.h>

#include "base/compiler.h"
#include "proto/tdisp/tdisp.h"

static int exchange(struct tdisp_requester *q, const struct tdisp_msg *m, uint8_t expect,
		    uint8_t *rsp, size_t cap, struct tdisp_msg *a)
{
	uint8_t req[64];
	size_t rn;
	int n, rc;

	q->last_error = q->last_error_data = 0;
	n = tdisp_encode(m, req, sizeof(req));
	if (n < 0)
		return n;
	rc = q->t.xfer(q->t.ctx, req, (size_t)n, rsp, cap, &rn);
	if (rc)
		return rc;
	rc = tdisp_decode(rsp, rn, a);
	if (rc)
		return rc;
	if (a->function_id != m->function_id)
		return -EPROTO;
	if (a->type == TDISP_ERROR) {
		q->last_error = a->error_code;
		q->last_error_data = a->error_data;
		return -EREMOTEIO;
	}
	return a->type == expect ? 0 : -EPROTO;
}

#define REQ(t, fid) { .version = TDISP_VERSION_10, .type = (t), .function_id = (fid) }

int tdisp_req_get_version(struct tdisp_requester *q, uint32_t fid, uint8_t *version)
{
	struct tdisp_msg m = REQ(TDISP_GET_VERSION, fid), a;
	uint8_t rsp[64];
	unsigned int i;
	int rc;

	rc = exchange(q, &m, TDISP_VERSION, rsp, sizeof(rsp), &a);
	if (rc)
		return rc;
	for (i = 0; i < a.nversions; i++)
		if (a.versions[i] == TDISP_VERSION_10) {
			*version = TDISP_VERSION_10;
			return 0;
		}
	return -EPROTO;		/* no common version */
}

int tdisp_req_get_capabilities(struct tdisp_requester *q, uint32_t fid, uint32_t tsm_caps,
			       struct tdisp_caps *caps)
{
	struct tdisp_msg m = REQ(TDISP_GET_CAPABILITIES, fid), a;
	uint8_t rsp[64];
	int rc;

	m.tsm_caps = tsm_caps;
	rc = exchange(q, &m, TDISP_CAPABILITIES, rsp, sizeof(rsp), &a);
	if (!rc)
		*caps = a.caps;
	return rc;
}

int tdisp_req_lock_interface(struct tdisp_requester *q, uint32_t fid,
			     const struct tdisp_lock_params *p, uint8_t nonce[TDISP_NONCE_SIZE])
{
	struct tdisp_msg m = REQ(TDISP_LOCK_INTERFACE_REQ, fid), a;
	uint8_t rsp[64];
	int rc;

	m.lock = *p;
	rc = exchange(q, &m, TDISP_LOCK_INTERFACE_RSP, rsp, sizeof(rsp), &a);
	if (!rc)
		memcpy(nonce, a.nonce, TDISP_NONCE_SIZE);
	return rc;
}

int tdisp_req_get_report(struct tdisp_requester *q, uint32_t fid, uint16_t chunk, uint8_t *buf,
			 size_t cap, size_t *len)
{
	struct tdisp_msg m = REQ(TDISP_GET_DEVICE_INTERFACE_REPORT, fid), a;
	uint8_t rsp[PCISIG_VDM_MAX];
	size_t off = 0, total = 0;
	int rc;

	if (!chunk)
		chunk = 256;
	chunk = (uint16_t)MIN((size_t)chunk, sizeof(rsp) - 32);
	do {
		m.offset = (uint16_t)off;
		m.length = chunk;
		rc = exchange(q, &m, TDISP_DEVICE_INTERFACE_REPORT, rsp, sizeof(rsp), &a);
		if (rc)
			return rc;
		/* The device may shorten a portion but never lengthen it, and
		 * the total must stay what the first answer said. */
		if (!a.portion_len || a.portion_len > chunk)
			return -EPROTO;
		if (!off)
			total = (size_t)a.portion_len + a.remainder_len;
		else if (off + a.portion_len + a.remainder_len != total)
			return -EPROTO;
		if (total > cap || total > UINT16_MAX)
			return -EMSGSIZE;
		memcpy(buf + off, a.portion, a.portion_len);
		off += a.portion_len;
	} while (a.remainder_len);
	*len = off;
	return 0;
}

int tdisp_req_get_state(struct tdisp_requester *q, uint32_t fid, uint8_t *state)
{
	struct tdisp_msg m = REQ(TDISP_GET_DEVICE_INTERFACE_STATE, fid), a;
	uint8_t rsp[64];
	int rc;

	rc = exchange(q, &m, TDISP_DEVICE_INTERFACE_STATE, rsp, sizeof(rsp), &a);
	if (!rc)
		*state = a.state;
	return rc;
}

int tdisp_req_start_interface(struct tdisp_requester *q, uint32_t fid,
			      const uint8_t nonce[TDISP_NONCE_SIZE])
{
	struct tdisp_msg m = REQ(TDISP_START_INTERFACE_REQ, fid), a;
	uint8_t rsp[64];

	m.nonce = nonce;
	return exchange(q, &m, TDISP_START_INTERFACE_RSP, rsp, sizeof(rsp), &a);
}

int tdisp_req_stop_interface(struct tdisp_requester *q, uint32_t fid)
{
	struct tdisp_msg m = REQ(TDISP_STOP_INTERFACE_REQ, fid), a;
	uint8_t rsp[64];

	return exchange(q, &m, TDISP_STOP_INTERFACE_RSP, rsp, sizeof(rsp), &a);
}
