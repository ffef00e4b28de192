/* SPDX-License-Identifier: MIT */
/*
 * SPDM requester and responder state machines (DSP0274 1.2/1.3, DSP0277
 * secured sessions) over an abstract transport. The transport carries
 * whole SPDM messages and says whether a message is a secured one (for
 * PCIe DOE: data object type 1 "CMA/SPDM" vs 2 "Secured CMA/SPDM").
 */
#ifndef PCILAB_PROTO_SPDM_H
#define PCILAB_PROTO_SPDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "proto/spdm/spdm_cert.h"
#include "proto/spdm/spdm_wire.h"

#define SPDM_MAX_MSG_SIZE	4096

struct spdm_transport_ops {
	/* Deliver one request; 0 or -errno. */
	int (*send)(void *ctx, bool secured, const void *buf, size_t len);
	/* Collect the response to the last request; 0 or -errno. */
	int (*recv)(void *ctx, bool *secured, void *buf, size_t cap, size_t *len);
};

/* What both sides offer (SPDM selection bit masks). */
struct spdm_algo_support {
	uint32_t asym;		/* SPDM_ASYM_ECDSA_P256 | _P384 */
	uint32_t hash;		/* SPDM_HASH_SHA256 | _SHA384 */
	uint16_t dhe;		/* SPDM_DHE_SECP256R1 | _SECP384R1 */
	uint16_t aead;		/* SPDM_AEAD_AES256_GCM */
};

/* ---- responder (spdm_responder.c) ---- */

struct spdm_vendor_msg;		/* proto/spdm/spdm_vendor.h */

struct spdm_meas_config {
	uint8_t index;		/* 1..0xEF */
	uint8_t type;		/* SPDM_DMTF_MEAS_* */
	const uint8_t *data;	/* measured content; sent as its digest */
	size_t len;
};

struct spdm_responder_config {
	uint8_t versions[4];	/* e.g. { 0x12, 0x13 } */
	unsigned int nversions;
	uint32_t caps;		/* SPDM_CAP_* */
	struct spdm_algo_support algos;
	const struct spdm_cert_set *certs;	/* slot 0; certs->leaf_key signs */
	const struct spdm_meas_config *meas;
	unsigned int nmeas;
	uint32_t data_transfer_size;	/* 0: SPDM_MAX_MSG_SIZE */
	unsigned int seq_num_size;	/* DSP0277 transport binding; 0 for DOE */
	/*
	 * HeartbeatPeriod (DSP0274 1.3.0 §10.15 KEY_EXCHANGE_RSP Param1,
	 * §10.19 HEARTBEAT), in seconds; sent only when both sides set
	 * HBEAT_CAP, else 0. A session whose period is 0 answers HEARTBEAT
	 * with ERROR(UnexpectedRequest).
	 */
	uint8_t heartbeat_period;
	/*
	 * Optional clock (milliseconds, any origin; NULL: no timeouts).
	 * With it, an established session that has seen no request for
	 * more than 2 * HeartbeatPeriod is terminated (§10.19) when the next
	 * request arrives, which then gets ERROR(SessionRequired).
	 */
	uint64_t (*now_ms)(void *ctx);
	void *clock_ctx;
	/* Test hook: use this nonce/random instead of fresh randomness. */
	const uint8_t *fixed_nonce;
	/*
	 * In-session VENDOR_DEFINED_REQUEST (DSP0274 1.3.0 §10.23) handler;
	 * NULL keeps the request unsupported. It writes the response payload
	 * (StandardID and VendorID are echoed) into rsp and returns its
	 * length, or -errno for an ERROR(InvalidRequest) reply.
	 */
	int (*vendor_handler)(void *ctx, const struct spdm_vendor_msg *req, uint8_t *rsp,
			      size_t cap);
	void *vendor_ctx;
	/*
	 * Test hook (DSP0274 1.3.0 §10.10 ResponseNotReady, §10.9
	 * RESPOND_IF_READY): every plain request whose code is listed in
	 * not_ready_codes (0 entries unused) is processed at once, but its
	 * response is held back: the request and the next
	 * not_ready_count - 1 matching RESPOND_IF_READY requests get
	 * ERROR(ResponseNotReady), and the following RESPOND_IF_READY gets
	 * the held response. 0 disables the hook.
	 */
	uint8_t not_ready_codes[4];
	unsigned int not_ready_count;
};

struct spdm_responder;

struct spdm_responder *spdm_responder_new(const struct spdm_responder_config *cfg);
void spdm_responder_free(struct spdm_responder *rsp);
/*
 * Handle one request and produce exactly one response (an ERROR response
 * for anything malformed, unexpected or unsupported). Returns the
 * response length, or -errno only if no response can be produced at all.
 */
int spdm_responder_handle(struct spdm_responder *rsp, bool secured, const void *req, size_t len,
			  bool *rsp_secured, void *out, size_t cap);

/* ---- requester (spdm_requester.c) ---- */

struct spdm_requester_config {
	uint8_t versions[4];
	unsigned int nversions;
	uint32_t caps;
	struct spdm_algo_support algos;
	X509_STORE *trust;		/* anchors for the device chain */
	time_t now;			/* verification time; 0: time(NULL) */
	uint16_t cert_chunk;		/* GET_CERTIFICATE Length; 0: 1024 */
	uint32_t data_transfer_size;	/* 0: SPDM_MAX_MSG_SIZE */
	unsigned int seq_num_size;
};

/*
 * ERROR(ResponseNotReady) handling (DSP0274 1.3.0 §10.10, §10.9): the
 * requester answers it with RESPOND_IF_READY (Param1 = the original
 * RequestCode, Param2 = Token) at most this many times, and treats the
 * eventual response as the response to the original request (only the
 * original request and that response enter the transcripts). There is
 * no real time here, so the wait of RDT * RDTM is virtual. A responder
 * still not ready after the last retry fails the call with -ETIMEDOUT
 * (spdm_req_last_error() is then SPDM_ERR_RESPONSE_NOT_READY); a
 * ResponseNotReady naming another RequestCode fails it with -EPROTO.
 */
#define SPDM_REQ_NOT_READY_RETRIES	3

struct spdm_requester;

struct spdm_requester *spdm_requester_new(const struct spdm_requester_config *cfg,
					  const struct spdm_transport_ops *ops, void *ctx);
void spdm_requester_free(struct spdm_requester *req);

/* GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS. */
int spdm_req_init_connection(struct spdm_requester *req);
int spdm_req_get_digests(struct spdm_requester *req);
/* Fetch the slot's chain in chunks and verify it against the trust store. */
int spdm_req_get_certificate(struct spdm_requester *req, uint8_t slot);
int spdm_req_challenge(struct spdm_requester *req, uint8_t slot, uint8_t hash_type);
/* All measurement blocks; with `sign`, verified against the leaf key.
 * record (may be NULL) receives the MeasurementRecord. */
int spdm_req_get_measurements(struct spdm_requester *req, bool sign, uint8_t *record,
			      size_t cap, size_t *len, unsigned int *nblocks);
/*
 * The same inside the established session (secured messages; -ENOTCONN
 * without one). The signature covers VCA and the session's own
 * GET_MEASUREMENTS exchanges, never those outside it (DSP0274 1.2+).
 */
int spdm_req_session_get_measurements(struct spdm_requester *req, bool sign, uint8_t *record,
				      size_t cap, size_t *len, unsigned int *nblocks);
/* GET_DIGESTS inside the session: slot 0 must be provisioned and, once
 * a chain was fetched, still hash to it (-EPROTO otherwise). No
 * transcript takes it. */
int spdm_req_session_get_digests(struct spdm_requester *req);
/* KEY_EXCHANGE + FINISH: establishes a secured session. */
int spdm_req_start_session(struct spdm_requester *req, uint8_t slot, uint32_t *session_id);
/*
 * HEARTBEAT (DSP0274 1.3.0 §10.19): -EOPNOTSUPP when the session's
 * HeartbeatPeriod is 0 (heartbeat not used, nothing is sent), -ENOTCONN
 * without an established session.
 */
int spdm_req_heartbeat(struct spdm_requester *req);
/* HeartbeatPeriod of the established session in seconds (0: not used). */
unsigned int spdm_req_heartbeat_period(const struct spdm_requester *req);
int spdm_req_key_update(struct spdm_requester *req, uint8_t op);
int spdm_req_end_session(struct spdm_requester *req);

/*
 * VENDOR_DEFINED_REQUEST inside the established session (spdm_vendor.c);
 * the response payload is copied to rsp. -ENOTCONN without a session,
 * -EPROTO if the response names another standard/vendor, -EMSGSIZE if
 * it does not fit cap.
 */
int spdm_req_vendor_defined(struct spdm_requester *req, const struct spdm_vendor_msg *q,
			    void *rsp, size_t cap, size_t *rsp_len);
/* The PCI-SIG binding (StandardID 3, VendorID 0001h) in the shape of the
 * IDE_KM/TDISP transport callback; ctx is the struct spdm_requester. */
int spdm_req_pcisig_vdm(void *ctx, const void *q, size_t qn, void *rsp, size_t cap,
			size_t *rsp_len);

uint8_t spdm_req_version(const struct spdm_requester *req);
uint32_t spdm_req_selected_asym(const struct spdm_requester *req);
/* ErrorCode of the last ERROR response (0 if none); calls that got one
 * return -EREMOTEIO. */
uint8_t spdm_req_last_error(const struct spdm_requester *req);
/* The negotiated selections (one bit each; zero before ALGORITHMS). */
void spdm_req_selected(const struct spdm_requester *req, struct spdm_algo_support *sel);
/* The SPDM-format chain spdm_req_get_certificate() fetched and verified:
 * borrowed, valid until the next call on req; -ENOENT if none yet. */
int spdm_req_cert_chain(const struct spdm_requester *req, const uint8_t **chain, size_t *len);

#endif /* PCILAB_PROTO_SPDM_H */
