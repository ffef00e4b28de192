/* SPDX-License-Identifier: MIT */
/*
 * IDE engine (PCIe r6.2 §6.33): the per-port crypto of IDE streams.
 *
 * Each stream (by Stream ID) has, per direction (Rx/Tx) and Sub-stream
 * (PR/NPR/CPL, §6.33.4), two key sets (K0/K1) installed by K_SET_GO and
 * removed by K_SET_STOP (IDE_KM, §6.33.3). Tx seals a TLP's payload with
 * AES-256-GCM and a 96-bit MAC; Rx checks and opens it. The IV follows
 * the deterministic construction of §6.33.5: a 32-bit fixed field and a
 * 64-bit invocation field that starts at the IFV from KEY_PROG and
 * advances by one per TLP of that sub-stream; it is never transmitted.
 *
 * A TLP that fails its MAC check (tampered, replayed, wrong key) makes the
 * stream Insecure (§6.33.6): the Stream Status register's State field
 * reads Insecure, AER Uncorrectable Error Status "IDE Check Failed" is
 * set when the function has AER, and the report hook is told why. An
 * Insecure stream passes no traffic until its keys are reprogrammed
 * (K_SET_STOP + KEY_PROG + K_SET_GO) and Enable is set again.
 */
#ifndef PCILAB_HW_SECURITY_IDE_ENGINE_H
#define PCILAB_HW_SECURITY_IDE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hw_pcidev;

#define HW_IDE_MAX_STREAMS	8
#define HW_IDE_MAC_SIZE		12	/* 96-bit MAC, §6.33.5 */
#define HW_IDE_PREFIX_SIZE	4
#define HW_IDE_IV_FIXED		0x80000000u	/* IV[95:64], see docs/ide-tdisp.md */
/* How far back a failed TLP is retried to tell a replay from a tamper. */
#define HW_IDE_REPLAY_WINDOW	16

enum hw_ide_err {
	HW_IDE_ERR_MAC = 1,		/* integrity check failed */
	HW_IDE_ERR_REPLAY,		/* authenticates under an earlier counter */
	HW_IDE_ERR_NO_KEY,		/* no key for the prefix's key set */
	HW_IDE_ERR_COUNTER,		/* invocation field would wrap */
};

/* A TLP as the engine sees it. The IDE TLP Prefix (model layout, see
 * docs/ide-tdisp.md) and MAC are produced by hw_ide_tx(); the payload is
 * encrypted/decrypted in place. */
struct hw_ide_tlp {
	uint8_t prefix[HW_IDE_PREFIX_SIZE];
	uint8_t hdr[16];
	size_t hdr_len;			/* 12 (3DW) or 16 (4DW) */
	uint8_t *data;
	size_t len;
	uint8_t mac[HW_IDE_MAC_SIZE];
};

/* Prefix fields (model layout). */
#define HW_IDE_PREFIX_TYPE	0x92	/* byte 0: Local TLP Prefix, IDE */
#define HW_IDE_PREFIX_M		0x80	/* byte 1: MAC present */
#define HW_IDE_PREFIX_K		0x40	/* byte 1: Key Set */
#define HW_IDE_PREFIX_T		0x20	/* byte 1: TEE-originated */
#define HW_IDE_PREFIX_SUB_MASK	0x07	/* byte 2: Sub-stream */
					/* byte 3: Stream ID */

struct hw_ide_engine_cfg {
	/* Called when a stream goes Insecure because of a received TLP. */
	void (*report)(void *ctx, uint8_t stream_id, enum hw_ide_err err);
	void *ctx;
	/* Identity QUERY_RESP reports (the device learns its bus number from
	 * enumeration; the model passes it in). 0: bus 0, dev->devfn. */
	uint16_t rid;
	uint8_t segment;
};

struct hw_ide_engine;

/* dev (may be NULL) is the function whose IDE capability mirrors the
 * stream states; its register block is the one whose Stream Control
 * names the Stream ID. The engine registers for Stream Control writes
 * (hw_cap_ide_set_notify), so one engine per function: -EBUSY for a
 * second. Free the engine before the function. */
struct hw_ide_engine *hw_ide_engine_new(struct hw_pcidev *dev, const struct hw_ide_engine_cfg *cfg);
void hw_ide_engine_free(struct hw_ide_engine *e);

/* IDE_KM K_SET_GO / K_SET_STOP with the IDE_KM Key Set/direction/
 * Sub-stream byte. -ENOSPC: no free stream; -EINVAL: bad Sub-stream;
 * stop: -ENOENT if that key is not in use. */
int hw_ide_key_go(struct hw_ide_engine *e, uint8_t stream_id, uint8_t ks,
		  const uint8_t key[32], const uint8_t ifv[8]);
int hw_ide_key_stop(struct hw_ide_engine *e, uint8_t stream_id, uint8_t ks);

/* PCI_IDE_STATE_SECURE or _INSECURE (-ENOENT: unknown stream). */
int hw_ide_stream_state(struct hw_ide_engine *e, uint8_t stream_id);

/* Seal a TLP of Sub-stream sub (IDE_KM_SUB_*) on the stream: 0, -ENOTCONN
 * if the stream is not Secure, -ERANGE on invocation-field exhaustion. */
int hw_ide_tx(struct hw_ide_engine *e, uint8_t stream_id, unsigned int sub,
	      struct hw_ide_tlp *tlp);
/* Check and open a received TLP: 0, -ENOTCONN (stream not Secure),
 * -EBADMSG (integrity failure: the stream is now Insecure). */
int hw_ide_rx(struct hw_ide_engine *e, struct hw_ide_tlp *tlp);

/*
 * For the link model (ide_link.c, docs/ide-tdisp.md "IDE on the link").
 *
 * hw_ide_engine_of: the engine bound to a function (NULL: none).
 * hw_ide_engine_link_stream: the Stream ID the function's traffic travels
 * on: a stream that is Secure, or that went Insecure through an integrity
 * failure and still holds its keys (it then passes nothing); -ENOENT when
 * none, and traffic goes in the clear.
 * hw_ide_engine_last_error: the hw_ide_err that made the stream Insecure,
 * 0 if none, -ENOENT unknown stream.
 * hw_ide_engine_mirror: make host (an engine with no function) the other
 * end of dev's stream: host Tx keys = dev Rx keys and the other way round.
 * Key sets the host already holds identically keep their counters; new
 * ones clear a past failure. -ENOENT (host's copy removed) if dev has no
 * such stream, -ENOSPC when host has no free stream.
 */
struct hw_ide_engine *hw_ide_engine_of(const struct hw_pcidev *dev);
int hw_ide_engine_link_stream(struct hw_ide_engine *e);
int hw_ide_engine_last_error(struct hw_ide_engine *e, uint8_t stream_id);
int hw_ide_engine_mirror(struct hw_ide_engine *host, struct hw_ide_engine *dev,
			 uint8_t stream_id);

/*
 * IDE_KM responder backend (ctx = the engine): QUERY returns the
 * function's IDE capability registers (from IDE Capability on), K_SET_GO
 * and K_SET_STOP install and remove keys. Port Index 0 is the function.
 */
struct ide_km_responder_ops;
extern const struct ide_km_responder_ops hw_ide_engine_km_ops;

#endif /* PCILAB_HW_SECURITY_IDE_ENGINE_H */
