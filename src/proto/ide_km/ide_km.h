/* SPDX-License-Identifier: MIT */
/*
 * IDE_KM (PCIe r6.2 §6.33.3): the key-management protocol for IDE
 * streams, carried in SPDM VENDOR_DEFINED messages of a secure session.
 *
 * Codecs: one decoded form for every object; the decoder treats its input
 * as hostile (exact length per object, Protocol ID 00h, QUERY_RESP
 * register dump consistent with its own IDE Capability register). Errors:
 * -EMSGSIZE (truncated, trailing bytes, or buffer too small), -EPROTO
 * (wrong Protocol ID, unknown Object ID, inconsistent register dump),
 * -EINVAL (bad encoder argument).
 */
#ifndef PCILAB_PROTO_IDE_KM_H
#define PCILAB_PROTO_IDE_KM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ide_km/ide_km_wire.h"
#include "proto/ide_km/pcisig_vdm.h"

struct ide_km_msg {
	uint8_t object_id;		/* IDE_KM_* */
	uint8_t port_index;
	uint8_t stream_id;		/* KEY_PROG, KP_ACK, K_SET_*, K_GOSTOP_ACK */
	uint8_t key_sub_stream;		/* IDE_KM_KS_* byte */
	uint8_t status;			/* KP_ACK */
	const uint8_t *key, *ifv;	/* KEY_PROG (into the buffer) */
	/* QUERY_RESP */
	uint8_t dev_func, bus, segment, max_port_index;
	const uint8_t *regs;		/* IDE registers from 04h on, LE DWORDs */
	size_t regs_len;
};

static inline uint8_t ide_km_ks(bool tx, unsigned int sub, unsigned int keyset)
{
	return (uint8_t)((tx ? IDE_KM_KS_TX : 0) | (sub << IDE_KM_KS_SUB_SHIFT) |
			 (keyset & IDE_KM_KS_KEYSET));
}

int ide_km_encode(const struct ide_km_msg *m, void *buf, size_t cap);
int ide_km_decode(const void *buf, size_t len, struct ide_km_msg *m);
/* Check a QUERY_RESP register dump (IDE Capability onwards): the block
 * counts in IDE Capability and each Selective block's Capability must add
 * up to exactly len bytes. 0 or -EPROTO. */
int ide_km_check_regs(const uint8_t *regs, size_t len);

/* ---- responder (device side, ide_km_responder.c) ---- */

/* What the device does with keys; all return 0 or -errno. */
struct ide_km_responder_ops {
	/* QUERY: fill in the function's identity and the IDE register dump
	 * for port (already checked <= max_port); return the dump length. */
	int (*query)(void *ctx, uint8_t port, struct ide_km_msg *rsp, uint8_t *regs, size_t cap);
	/* K_SET_GO: start using this programmed key for (stream, ks). */
	int (*key_go)(void *ctx, uint8_t port, uint8_t stream_id, uint8_t ks,
		      const uint8_t *key, const uint8_t *ifv);
	/* K_SET_STOP: stop using it. */
	int (*key_stop)(void *ctx, uint8_t port, uint8_t stream_id, uint8_t ks);
};

struct ide_km_responder_cfg {
	uint8_t max_port_index;
	unsigned int max_streams;	/* key slots: distinct (port, Stream ID) */
	const struct ide_km_responder_ops *ops;
	void *ctx;
};

struct ide_km_responder;
struct ide_km_responder *ide_km_responder_new(const struct ide_km_responder_cfg *cfg);
void ide_km_responder_free(struct ide_km_responder *r);
/*
 * One request payload in, one response payload out: returns its length,
 * or -errno when the request has no IDE_KM answer (malformed, or
 * K_SET_GO/STOP for a key set never programmed); the SPDM layer then
 * replies ERROR(InvalidRequest).
 */
int ide_km_responder_handle(struct ide_km_responder *r, const void *q, size_t qn, void *out,
			    size_t cap);
/* Is a key programmed in this slot (tests, debugging)? */
bool ide_km_responder_has_key(const struct ide_km_responder *r, uint8_t port, uint8_t stream_id,
			      uint8_t ks);

/* ---- requester (kernel side, ide_km_requester.c) ---- */

/* QUERY: regs (may be NULL) gets a copy of the register dump. */
int ide_km_req_query(const struct pcisig_vdm_transport *t, uint8_t port, struct ide_km_msg *info,
		     uint8_t *regs, size_t cap, size_t *regs_len);
/* KEY_PROG: -EREMOTEIO if KP_ACK's Status is not Success (*status says
 * which); -EPROTO if the ACK does not echo the request. */
int ide_km_req_key_prog(const struct pcisig_vdm_transport *t, uint8_t port, uint8_t stream_id,
			uint8_t ks, const uint8_t key[IDE_KM_KEY_SIZE],
			const uint8_t ifv[IDE_KM_IFV_SIZE], uint8_t *status);
int ide_km_req_key_set_go(const struct pcisig_vdm_transport *t, uint8_t port, uint8_t stream_id,
			  uint8_t ks);
int ide_km_req_key_set_stop(const struct pcisig_vdm_transport *t, uint8_t port,
			    uint8_t stream_id, uint8_t ks);

#endif /* PCILAB_PROTO_IDE_KM_H */
