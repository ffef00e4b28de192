// SPDX-License-Identifier: MIT
/*
 * IDE_KM requester (kernel side, PCIe r6.2 §6.33.3): the root port / TSM
 * role that queries a device's IDE registers and programs its keys. Each
 * call is one request/response over the secure-session transport; a
 * response that does not echo the request's Stream ID, Key Set/Sub-stream
 * and Port Index is rejected (-EPROTO).
 */
#include <errno.h>
#include <string.h>

#include "proto/ide_km/ide_km.h"

static int exchange(const struct pcisig_vdm_transport *t, const struct ide_km_msg *q,
		    uint8_t expect, uint8_t *rsp, size_t cap, struct ide_km_msg *a)
{
	uint8_t req[sizeof(struct ide_km_key_prog_wire)];
	size_t rn;
	int n, rc;

	n = ide_km_encode(q, req, sizeof(req));
	if (n < 0)
		return n;
	rc = t->xfer(t->ctx, req, (size_t)n, rsp, cap, &rn);
	if (rc)
		return rc;
	rc = ide_km_decode(rsp, rn, a);
	if (rc)
		return rc;
	if (a->object_id != expect || a->port_index != q->port_index)
		return -EPROTO;
	if (expect != IDE_KM_QUERY_RESP &&
	    (a->stream_id != q->stream_id || a->key_sub_stream != q->key_sub_stream))
		return -EPROTO;
	return 0;
}

int ide_km_req_query(const struct pcisig_vdm_transport *t, uint8_t port, struct ide_km_msg *info,
		     uint8_t *regs, size_t cap, size_t *regs_len)
{
	struct ide_km_msg q = { .object_id = IDE_KM_QUERY, .port_index = port };
	uint8_t rsp[PCISIG_VDM_MAX];
	int rc;

	rc = exchange(t, &q, IDE_KM_QUERY_RESP, rsp, sizeof(rsp), info);
	if (rc)
		return rc;
	if (regs) {
		if (info->regs_len > cap)
			return -EMSGSIZE;
		memcpy(regs, info->regs, info->regs_len);
	}
	if (regs_len)
		*regs_len = info->regs_len;
	info->regs = NULL;	/* pointed into our stack buffer */
	return 0;
}

int ide_km_req_key_prog(const struct pcisig_vdm_transport *t, uint8_t port, uint8_t stream_id,
			uint8_t ks, const uint8_t key[IDE_KM_KEY_SIZE],
			const uint8_t ifv[IDE_KM_IFV_SIZE], uint8_t *status)
{
	struct ide_km_msg q = { .object_id = IDE_KM_KEY_PROG, .port_index = port,
				.stream_id = stream_id, .key_sub_stream = ks, .key = key,
				.ifv = ifv };
	struct ide_km_msg a;
	uint8_t rsp[64];
	int rc;

	rc = exchange(t, &q, IDE_KM_KP_ACK, rsp, sizeof(rsp), &a);
	if (rc)
		return rc;
	if (status)
		*status = a.status;
	return a.status == IDE_KM_KP_SUCCESS ? 0 : -EREMOTEIO;
}

static int k_set(const struct pcisig_vdm_transport *t, uint8_t obj, uint8_t port,
		 uint8_t stream_id, uint8_t ks)
{
	struct ide_km_msg q = { .object_id = obj, .port_index = port, .stream_id = stream_id,
				.key_sub_stream = ks };
	struct ide_km_msg a;
	uint8_t rsp[64];

	return exchange(t, &q, IDE_KM_K_GOSTOP_ACK, rsp, sizeof(rsp), &a);
}

int ide_km_req_key_set_go(const struct pcisig_vdm_transport *t, uint8_t port, uint8_t stream_id,
			  uint8_t ks)
{
	return k_set(t, IDE_KM_K_SET_GO, port, stream_id, ks);
}

int ide_km_req_key_set_stop(const struct pcisig_vdm_transport *t, uint8_t port,
			    uint8_t stream_id, uint8_t ks)
{
	return k_set(t, IDE_KM_K_SET_STOP, port, stream_id, ks);
}
