/* SPDX-License-Identifier: MIT */
/*
 * TDISP (PCIe r6.2 §11): codecs, the device-side TDI state machine and
 * the requester (TSM) API, over the PCI-SIG vendor-defined transport of
 * proto/ide_km/pcisig_vdm.h (Protocol ID 01h).
 *
 * Codec contract: encoders return the length written (Protocol ID byte
 * included), -EMSGSIZE or -EINVAL; decoders treat input as hostile and
 * return -EMSGSIZE (truncated/trailing bytes) or -EPROTO (wrong Protocol
 * ID or version, unknown message, inconsistent lengths). Variable fields
 * point into the caller's buffer.
 */
#ifndef PCILAB_PROTO_TDISP_H
#define PCILAB_PROTO_TDISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ide_km/pcisig_vdm.h"
#include "proto/tdisp/tdisp_wire.h"

#define TDISP_MAX_VERSIONS	8

struct tdisp_caps {
	uint32_t dsm_caps;
	uint8_t req_msgs_supported[16];	/* bit n: request code 0x80 + n */
	uint16_t lock_flags_supported;
	uint8_t dev_addr_width;
	uint8_t num_req_this, num_req_all;
};

struct tdisp_lock_params {
	uint16_t flags;			/* TDISP_LOCK_* */
	uint8_t default_stream_id;
	uint64_t mmio_reporting_offset;
	uint64_t bind_p2p_addr_mask;
};

/* One decoded message; which fields mean something depends on type. */
struct tdisp_msg {
	uint8_t version;
	uint8_t type;
	uint32_t function_id;
	uint32_t tsm_caps;			/* GET_CAPABILITIES */
	struct tdisp_caps caps;			/* CAPABILITIES */
	struct tdisp_lock_params lock;		/* LOCK_INTERFACE_REQUEST */
	const uint8_t *nonce;			/* LOCK_INTERFACE_RSP, START_INTERFACE_REQ */
	uint16_t offset, length;		/* GET_DEVICE_INTERFACE_REPORT */
	uint16_t portion_len, remainder_len;	/* DEVICE_INTERFACE_REPORT */
	const uint8_t *portion;
	uint8_t state;				/* DEVICE_INTERFACE_STATE */
	uint8_t nversions;			/* VERSION */
	const uint8_t *versions;
	uint32_t error_code, error_data;	/* ERROR */
	const uint8_t *ext;			/* ERROR extended data */
	size_t ext_len;
};

int tdisp_encode(const struct tdisp_msg *m, void *buf, size_t cap);
int tdisp_decode(const void *buf, size_t len, struct tdisp_msg *m);

/* ---- TDI report (§11.3.11) ---- */

struct tdisp_mmio_range {
	uint64_t first_page;
	uint32_t num_pages;
	uint16_t attributes;		/* TDISP_RANGE_* */
	uint16_t range_id;
};

struct tdisp_report {
	uint16_t interface_info;
	uint16_t msix_msg_control;
	uint16_t lnr_control;
	uint32_t tph_control;
	uint32_t nranges;
	const struct tdisp_mmio_range *ranges;	/* encode: nranges entries */
	uint32_t dev_info_len;
	const uint8_t *dev_info;
};

int tdisp_report_encode(const struct tdisp_report *r, void *buf, size_t cap);
/* ranges receives up to max entries (r->ranges is set to it); -ENOSPC if
 * the report has more. */
int tdisp_report_decode(const void *buf, size_t len, struct tdisp_report *r,
			struct tdisp_mmio_range *ranges, unsigned int max);

/* ---- responder (device side, tdisp_responder.c) ---- */

struct tdisp_responder_ops {
	/* Build the TDI report at LOCK time with the requested MMIO
	 * reporting offset; returns its length or -errno. */
	int (*report)(void *ctx, uint32_t function_id, const struct tdisp_lock_params *lock,
		      uint8_t *buf, size_t cap);
	/* Optional: a TDI changed state (old → new). */
	void (*state_changed)(void *ctx, uint32_t function_id, uint8_t old_state,
			      uint8_t new_state);
};

struct tdisp_responder_cfg {
	const uint32_t *function_ids;	/* the TDIs this DSM manages */
	unsigned int ntdi;
	struct tdisp_caps caps;		/* advertised in TDISP_CAPABILITIES */
	uint16_t max_portion;		/* report bytes per response; 0: 256 */
	const struct tdisp_responder_ops *ops;
	void *ctx;
	const uint8_t *fixed_nonce;	/* tests: START_INTERFACE_NONCE */
};

struct tdisp_responder;
struct tdisp_responder *tdisp_responder_new(const struct tdisp_responder_cfg *cfg);
void tdisp_responder_free(struct tdisp_responder *r);
/* One request payload in (Protocol ID first), one response out: always a
 * response (TDISP_ERROR for anything wrong); returns its length, or
 * -errno only if none fits in cap. */
int tdisp_responder_handle(struct tdisp_responder *r, const void *q, size_t qn, void *out,
			   size_t cap);
/* TDI_STATE, or -ENOENT for an unknown function. */
int tdisp_responder_state(const struct tdisp_responder *r, uint32_t function_id);
/* A configuration change the TDI must not see while CONFIG_LOCKED or RUN
 * (§11.2.3): the TDI goes to ERROR. Returns true if it did. */
bool tdisp_responder_tdi_error(struct tdisp_responder *r, uint32_t function_id);

/* ---- requester (TSM side, tdisp_requester.c) ---- */

struct tdisp_requester {
	struct pcisig_vdm_transport t;
	uint32_t last_error;		/* ERROR_CODE of the last TDISP_ERROR */
	uint32_t last_error_data;
};

/* Every call returns 0, -EREMOTEIO for a TDISP_ERROR (see last_error),
 * -EPROTO for a malformed or mismatched response, or the transport's
 * error. */
int tdisp_req_get_version(struct tdisp_requester *q, uint32_t fid, uint8_t *version);
int tdisp_req_get_capabilities(struct tdisp_requester *q, uint32_t fid, uint32_t tsm_caps,
			       struct tdisp_caps *caps);
int tdisp_req_lock_interface(struct tdisp_requester *q, uint32_t fid,
			     const struct tdisp_lock_params *p, uint8_t nonce[TDISP_NONCE_SIZE]);
/* Fetch the whole report in chunks of at most `chunk` bytes (0: 256). */
int tdisp_req_get_report(struct tdisp_requester *q, uint32_t fid, uint16_t chunk, uint8_t *buf,
			 size_t cap, size_t *len);
int tdisp_req_get_state(struct tdisp_requester *q, uint32_t fid, uint8_t *state);
int tdisp_req_start_interface(struct tdisp_requester *q, uint32_t fid,
			      const uint8_t nonce[TDISP_NONCE_SIZE]);
int tdisp_req_stop_interface(struct tdisp_requester *q, uint32_t fid);

#endif /* PCILAB_PROTO_TDISP_H */
