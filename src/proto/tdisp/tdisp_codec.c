// SPDX-License-Identifier: MIT
/* TDISP message and TDI report codecs (PCIe r6.2 §11.3). */
#include <errno.h>
#include <string.h>

#include "proto/spdm/spdm_buf.h"
#include "proto/tdisp/tdisp.h"

static void put_le64(struct spdm_wbuf *w, uint64_t v)
{
	spdm_put_le32(w, (uint32_t)v);
	spdm_put_le32(w, (uint32_t)(v >> 32));
}

static uint64_t get_le64(struct spdm_rbuf *r)
{
	uint64_t lo = spdm_get_le32(r);

	return lo | (uint64_t)spdm_get_le32(r) << 32;
}

int tdisp_encode(const struct tdisp_msg *m, void *buf, size_t cap)
{
	struct spdm_wbuf w;

	spdm_wbuf_init(&w, buf, cap);
	spdm_put_u8(&w, PCISIG_VDM_PROTO_TDISP);
	spdm_put_u8(&w, m->version);
	spdm_put_u8(&w, m->type);
	spdm_put_zero(&w, 2);
	spdm_put_le32(&w, m->function_id);
	spdm_put_zero(&w, 8);
	switch (m->type) {
	case TDISP_GET_VERSION:
	case TDISP_GET_DEVICE_INTERFACE_STATE:
	case TDISP_START_INTERFACE_RSP:
	case TDISP_STOP_INTERFACE_REQ:
	case TDISP_STOP_INTERFACE_RSP:
		break;
	case TDISP_VERSION:
		if (!m->nversions || m->nversions > TDISP_MAX_VERSIONS || !m->versions)
			return -EINVAL;
		spdm_put_u8(&w, m->nversions);
		spdm_put_bytes(&w, m->versions, m->nversions);
		break;
	case TDISP_GET_CAPABILITIES:
		spdm_put_le32(&w, m->tsm_caps);
		break;
	case TDISP_CAPABILITIES:
		spdm_put_le32(&w, m->caps.dsm_caps);
		spdm_put_bytes(&w, m->caps.req_msgs_supported, 16);
		spdm_put_le16(&w, m->caps.lock_flags_supported);
		spdm_put_zero(&w, 3);
		spdm_put_u8(&w, m->caps.dev_addr_width);
		spdm_put_u8(&w, m->caps.num_req_this);
		spdm_put_u8(&w, m->caps.num_req_all);
		break;
	case TDISP_LOCK_INTERFACE_REQ:
		spdm_put_le16(&w, m->lock.flags);
		spdm_put_u8(&w, m->lock.default_stream_id);
		spdm_put_u8(&w, 0);
		put_le64(&w, m->lock.mmio_reporting_offset);
		put_le64(&w, m->lock.bind_p2p_addr_mask);
		break;
	case TDISP_LOCK_INTERFACE_RSP:
	case TDISP_START_INTERFACE_REQ:
		if (!m->nonce)
			return -EINVAL;
		spdm_put_bytes(&w, m->nonce, TDISP_NONCE_SIZE);
		break;
	case TDISP_GET_DEVICE_INTERFACE_REPORT:
		spdm_put_le16(&w, m->offset);
		spdm_put_le16(&w, m->length);
		break;
	case TDISP_DEVICE_INTERFACE_REPORT:
		if (m->portion_len && !m->portion)
			return -EINVAL;
		spdm_put_le16(&w, m->portion_len);
		spdm_put_le16(&w, m->remainder_len);
		spdm_put_bytes(&w, m->portion, m->portion_len);
		break;
	case TDISP_DEVICE_INTERFACE_STATE:
		if (m->state > TDISP_STATE_ERROR)
			return -EINVAL;
		spdm_put_u8(&w, m->state);
		break;
	case TDISP_ERROR:
		if (m->ext_len && !m->ext)
			return -EINVAL;
		spdm_put_le32(&w, m->error_code);
		spdm_put_le32(&w, m->error_data);
		spdm_put_bytes(&w, m->ext, m->ext_len);
		break;
	default:
		return -EINVAL;
	}
	return spdm_wbuf_result(&w);
}

int tdisp_decode(const void *buf, size_t len, struct tdisp_msg *m)
{
	struct spdm_rbuf r;

	memset(m, 0, sizeof(*m));
	spdm_rbuf_init(&r, buf, len);
	if (spdm_get_u8(&r) != PCISIG_VDM_PROTO_TDISP)
		return r.err ? r.err : -EPROTO;
	m->version = spdm_get_u8(&r);
	m->type = spdm_get_u8(&r);
	spdm_get_ptr(&r, 2);
	m->function_id = spdm_get_le32(&r);
	spdm_get_ptr(&r, 8);
	if (r.err)
		return r.err;
	/* §11.3.1: only TDISP 1.0 exists; the version is checked before
	 * anything else so a peer of another version learns it. */
	if (m->version != TDISP_VERSION_10)
		return -EPROTO;
	switch (m->type) {
	case TDISP_GET_VERSION:
	case TDISP_GET_DEVICE_INTERFACE_STATE:
	case TDISP_START_INTERFACE_RSP:
	case TDISP_STOP_INTERFACE_REQ:
	case TDISP_STOP_INTERFACE_RSP:
		break;
	case TDISP_VERSION:
		m->nversions = spdm_get_u8(&r);
		m->versions = spdm_get_ptr(&r, m->nversions);
		if (!r.err && (!m->nversions || m->nversions > TDISP_MAX_VERSIONS))
			return -EPROTO;
		break;
	case TDISP_GET_CAPABILITIES:
		m->tsm_caps = spdm_get_le32(&r);
		break;
	case TDISP_CAPABILITIES:
		m->caps.dsm_caps = spdm_get_le32(&r);
		spdm_get_bytes(&r, m->caps.req_msgs_supported, 16);
		m->caps.lock_flags_supported = spdm_get_le16(&r);
		spdm_get_ptr(&r, 3);
		m->caps.dev_addr_width = spdm_get_u8(&r);
		m->caps.num_req_this = spdm_get_u8(&r);
		m->caps.num_req_all = spdm_get_u8(&r);
		break;
	case TDISP_LOCK_INTERFACE_REQ:
		m->lock.flags = spdm_get_le16(&r);
		m->lock.default_stream_id = spdm_get_u8(&r);
		spdm_get_u8(&r);
		m->lock.mmio_reporting_offset = get_le64(&r);
		m->lock.bind_p2p_addr_mask = get_le64(&r);
		break;
	case TDISP_LOCK_INTERFACE_RSP:
	case TDISP_START_INTERFACE_REQ:
		m->nonce = spdm_get_ptr(&r, TDISP_NONCE_SIZE);
		break;
	case TDISP_GET_DEVICE_INTERFACE_REPORT:
		m->offset = spdm_get_le16(&r);
		m->length = spdm_get_le16(&r);
		break;
	case TDISP_DEVICE_INTERFACE_REPORT:
		m->portion_len = spdm_get_le16(&r);
		m->remainder_len = spdm_get_le16(&r);
		m->portion = spdm_get_ptr(&r, m->portion_len);
		break;
	case TDISP_DEVICE_INTERFACE_STATE:
		m->state = spdm_get_u8(&r);
		if (!r.err && m->state > TDISP_STATE_ERROR)
			return -EPROTO;
		break;
	case TDISP_ERROR:
		m->error_code = spdm_get_le32(&r);
		m->error_data = spdm_get_le32(&r);
		if (r.err)
			return r.err;
		/* Extended error data: whatever follows. */
		m->ext_len = spdm_rbuf_left(&r);
		m->ext = spdm_get_ptr(&r, m->ext_len);
		break;
	default:
		return -EPROTO;
	}
	return spdm_rbuf_end(&r);
}

int tdisp_report_encode(const struct tdisp_report *rp, void *buf, size_t cap)
{
	struct spdm_wbuf w;
	uint32_t i;

	if ((rp->nranges && !rp->ranges) || (rp->dev_info_len && !rp->dev_info))
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_le16(&w, rp->interface_info);
	spdm_put_zero(&w, 2);
	spdm_put_le16(&w, rp->msix_msg_control);
	spdm_put_le16(&w, rp->lnr_control);
	spdm_put_le32(&w, rp->tph_control);
	spdm_put_le32(&w, rp->nranges);
	for (i = 0; i < rp->nranges; i++) {
		put_le64(&w, rp->ranges[i].first_page);
		spdm_put_le32(&w, rp->ranges[i].num_pages);
		spdm_put_le16(&w, rp->ranges[i].attributes);
		spdm_put_le16(&w, rp->ranges[i].range_id);
	}
	spdm_put_le32(&w, rp->dev_info_len);
	spdm_put_bytes(&w, rp->dev_info, rp->dev_info_len);
	return spdm_wbuf_result(&w);
}

int tdisp_report_decode(const void *buf, size_t len, struct tdisp_report *rp,
			struct tdisp_mmio_range *ranges, unsigned int max)
{
	struct spdm_rbuf r;
	uint32_t i;

	memset(rp, 0, sizeof(*rp));
	spdm_rbuf_init(&r, buf, len);
	rp->interface_info = spdm_get_le16(&r);
	spdm_get_ptr(&r, 2);
	rp->msix_msg_control = spdm_get_le16(&r);
	rp->lnr_control = spdm_get_le16(&r);
	rp->tph_control = spdm_get_le32(&r);
	rp->nranges = spdm_get_le32(&r);
	if (r.err)
		return r.err;
	/* Check the count against what is there before trusting it. */
	if (rp->nranges > spdm_rbuf_left(&r) / sizeof(struct tdisp_mmio_range_wire))
		return -EMSGSIZE;
	if (rp->nranges > max)
		return -ENOSPC;
	for (i = 0; i < rp->nranges; i++) {
		ranges[i].first_page = get_le64(&r);
		ranges[i].num_pages = spdm_get_le32(&r);
		ranges[i].attributes = spdm_get_le16(&r);
		ranges[i].range_id = spdm_get_le16(&r);
	}
	rp->ranges = ranges;
	rp->dev_info_len = spdm_get_le32(&r);
	if (r.err)
		return r.err;
	if (rp->dev_info_len != spdm_rbuf_left(&r))
		return -EMSGSIZE;
	rp->dev_info = spdm_get_ptr(&r, rp->dev_info_len);
	return spdm_rbuf_end(&r);
}
