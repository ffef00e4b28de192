// SPDX-License-Identifier: MIT
/* HEARTBEAT (§10.19), KEY_UPDATE (§10.20) and END_SESSION (§10.22) with
 * their acknowledgements (DSP0274 1.3.0): all bare headers. */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

static bool key_op_valid(uint8_t op)
{
	return op >= SPDM_KEY_UPDATE_OP_UPDATE_KEY && op <= SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY;
}

int spdm_encode_heartbeat(uint8_t ver, void *buf, size_t cap)
{
	return spdm_encode_bare(ver, SPDM_HEARTBEAT, 0, 0, buf, cap);
}

int spdm_decode_heartbeat(uint8_t ver, const void *buf, size_t len)
{
	return spdm_decode_bare(ver, SPDM_HEARTBEAT, buf, len, NULL, NULL);
}

int spdm_encode_heartbeat_ack(uint8_t ver, void *buf, size_t cap)
{
	return spdm_encode_bare(ver, SPDM_HEARTBEAT_ACK, 0, 0, buf, cap);
}

int spdm_decode_heartbeat_ack(uint8_t ver, const void *buf, size_t len)
{
	return spdm_decode_bare(ver, SPDM_HEARTBEAT_ACK, buf, len, NULL, NULL);
}

int spdm_encode_key_update(uint8_t ver, uint8_t op, uint8_t tag, void *buf, size_t cap)
{
	if (!key_op_valid(op))
		return -EINVAL;
	return spdm_encode_bare(ver, SPDM_KEY_UPDATE, op, tag, buf, cap);
}

int spdm_decode_key_update(uint8_t ver, const void *buf, size_t len, uint8_t *op, uint8_t *tag)
{
	int rc = spdm_decode_bare(ver, SPDM_KEY_UPDATE, buf, len, op, tag);

	if (!rc && !key_op_valid(*op))
		return -EPROTO;
	return rc;
}

int spdm_encode_key_update_ack(uint8_t ver, uint8_t op, uint8_t tag, void *buf, size_t cap)
{
	if (!key_op_valid(op))
		return -EINVAL;
	return spdm_encode_bare(ver, SPDM_KEY_UPDATE_ACK, op, tag, buf, cap);
}

int spdm_decode_key_update_ack(uint8_t ver, const void *buf, size_t len, uint8_t *op, uint8_t *tag)
{
	int rc = spdm_decode_bare(ver, SPDM_KEY_UPDATE_ACK, buf, len, op, tag);

	if (!rc && !key_op_valid(*op))
		return -EPROTO;
	return rc;
}

int spdm_encode_end_session(uint8_t ver, uint8_t attrs, void *buf, size_t cap)
{
	return spdm_encode_bare(ver, SPDM_END_SESSION, attrs, 0, buf, cap);
}

int spdm_decode_end_session(uint8_t ver, const void *buf, size_t len, uint8_t *attrs)
{
	return spdm_decode_bare(ver, SPDM_END_SESSION, buf, len, attrs, NULL);
}

int spdm_encode_end_session_ack(uint8_t ver, void *buf, size_t cap)
{
	return spdm_encode_bare(ver, SPDM_END_SESSION_ACK, 0, 0, buf, cap);
}

int spdm_decode_end_session_ack(uint8_t ver, const void *buf, size_t len)
{
	return spdm_decode_bare(ver, SPDM_END_SESSION_ACK, buf, len, NULL, NULL);
}
