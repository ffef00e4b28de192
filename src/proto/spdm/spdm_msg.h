/* SPDX-License-Identifier: MIT */
/*
 * SPDM message codecs (DSP0274 1.2/1.3), one source file per message
 * family. Encoders write a complete message into a caller buffer and
 * return its length or -EMSGSIZE (buffer too small) / -EINVAL (bad
 * argument). Decoders treat their input as hostile: every length is
 * checked before the field it guards, trailing bytes are refused, and
 * they return 0, -EMSGSIZE (truncated or oversized), or -EPROTO (wrong
 * version/code, inconsistent length fields, reserved encodings).
 * Decoded variable-length fields point into the caller's buffer; nothing
 * is allocated.
 *
 * Messages whose tail is a signature and/or HMAC (CHALLENGE_AUTH,
 * MEASUREMENTS, KEY_EXCHANGE_RSP, FINISH) are encoded without those parts
 * when the pointer is NULL, so a signer can hash the prefix and append;
 * decoders report the offset where the signature starts (the signed
 * prefix length).
 */
#ifndef PCILAB_PROTO_SPDM_MSG_H
#define PCILAB_PROTO_SPDM_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/spdm/spdm_wire.h"

/* What the negotiated algorithms fix about message layouts. */
struct spdm_params {
	uint8_t version;	/* SPDM_VERSION_12 or _13 */
	uint16_t hash_size;	/* H: BaseHashAlgo digest size */
	uint16_t sig_size;	/* S: BaseAsymAlgo signature size */
	uint16_t dhe_size;	/* D: DHE ExchangeData size */
};

/* Peek at a header: 0, or -EMSGSIZE if shorter than 4 bytes. */
int spdm_peek_header(const void *buf, size_t len, struct spdm_header *hdr);

/* ---- spdm_version.c (§10.3) ---- */
struct spdm_version_info {
	uint8_t count;
	uint16_t entries[SPDM_MAX_VERSIONS];
};
int spdm_encode_get_version(void *buf, size_t cap);
int spdm_decode_get_version(const void *buf, size_t len);
int spdm_encode_version(const struct spdm_version_info *v, void *buf, size_t cap);
int spdm_decode_version(const void *buf, size_t len, struct spdm_version_info *v);

/* ---- spdm_capabilities.c (§10.4) ---- */
struct spdm_caps {
	uint8_t ct_exponent;
	uint32_t flags;
	uint32_t data_transfer_size;
	uint32_t max_msg_size;
};
int spdm_encode_get_capabilities(uint8_t ver, const struct spdm_caps *c, void *buf, size_t cap);
int spdm_decode_get_capabilities(uint8_t ver, const void *buf, size_t len, struct spdm_caps *c);
int spdm_encode_capabilities(uint8_t ver, const struct spdm_caps *c, void *buf, size_t cap);
int spdm_decode_capabilities(uint8_t ver, const void *buf, size_t len, struct spdm_caps *c);

/* ---- spdm_algorithms.c (§10.5) ---- */
struct spdm_algs {
	uint8_t meas_spec;
	uint8_t other_params;
	uint32_t meas_hash;	/* response only */
	uint32_t base_asym;
	uint32_t base_hash;
	uint16_t dhe;
	uint16_t aead;
	uint16_t req_base_asym;
	uint16_t key_schedule;
	uint8_t mel_spec;	/* 1.3 */
	/* Which AlgStructures the message carries: bit (AlgType - 2), see
	 * SPDM_ALG_STRUCT_BIT(). Set by the decoders. The request encoder
	 * emits exactly the structures whose AlgSupported is non-zero; the
	 * response encoder emits these plus any non-zero selection, so a
	 * responder echoes the requester's set. */
	uint8_t alg_structs;
};
#define SPDM_ALG_STRUCT_BIT(type)	((uint8_t)(1u << ((type) - SPDM_ALG_TYPE_DHE)))
int spdm_encode_negotiate_algorithms(uint8_t ver, const struct spdm_algs *a, void *buf, size_t cap);
int spdm_decode_negotiate_algorithms(uint8_t ver, const void *buf, size_t len, struct spdm_algs *a);
int spdm_encode_algorithms(uint8_t ver, const struct spdm_algs *a, void *buf, size_t cap);
int spdm_decode_algorithms(uint8_t ver, const void *buf, size_t len, struct spdm_algs *a);

/* ---- spdm_digests.c (§10.6) ---- */
struct spdm_digests {
	uint8_t supported_mask;		/* 1.3 param1; 0 in 1.2 */
	uint8_t provisioned_mask;	/* param2 */
	const uint8_t *digests;		/* popcount(provisioned) * H bytes */
};
int spdm_encode_get_digests(uint8_t ver, void *buf, size_t cap);
int spdm_decode_get_digests(uint8_t ver, const void *buf, size_t len);
int spdm_encode_digests(const struct spdm_params *p, const struct spdm_digests *d,
			void *buf, size_t cap);
int spdm_decode_digests(const struct spdm_params *p, const void *buf, size_t len,
			struct spdm_digests *d);

/* ---- spdm_certificate.c (§10.7) ---- */
struct spdm_get_cert {
	uint8_t slot;
	uint16_t offset;
	uint16_t length;
};
struct spdm_cert_portion {
	uint8_t slot;
	uint16_t portion_len;
	uint16_t remainder_len;
	const uint8_t *data;
};
int spdm_encode_get_certificate(uint8_t ver, const struct spdm_get_cert *g, void *buf, size_t cap);
int spdm_decode_get_certificate(uint8_t ver, const void *buf, size_t len, struct spdm_get_cert *g);
int spdm_encode_certificate(uint8_t ver, const struct spdm_cert_portion *c, void *buf, size_t cap);
int spdm_decode_certificate(uint8_t ver, const void *buf, size_t len, struct spdm_cert_portion *c);

/* ---- spdm_challenge.c (§10.8) ---- */
struct spdm_challenge_req {
	uint8_t slot;
	uint8_t hash_type;
	uint8_t nonce[SPDM_NONCE_SIZE];
	uint8_t context[SPDM_REQ_CONTEXT_SIZE];	/* 1.3 */
};
struct spdm_challenge_auth {
	uint8_t slot;
	uint8_t slot_mask;
	const uint8_t *cert_chain_hash;		/* H */
	const uint8_t *nonce;			/* 32 */
	const uint8_t *meas_summary_hash;	/* H, NULL if hash_type == 0 */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *context;			/* 8, 1.3 only */
	const uint8_t *signature;		/* S; NULL: encode without */
	size_t sig_offset;			/* decode: signed prefix length */
};
int spdm_encode_challenge(uint8_t ver, const struct spdm_challenge_req *c, void *buf, size_t cap);
int spdm_decode_challenge(uint8_t ver, const void *buf, size_t len, struct spdm_challenge_req *c);
int spdm_encode_challenge_auth(const struct spdm_params *p, uint8_t hash_type,
			       const struct spdm_challenge_auth *a, void *buf, size_t cap);
int spdm_decode_challenge_auth(const struct spdm_params *p, uint8_t hash_type,
			       const void *buf, size_t len, struct spdm_challenge_auth *a);

/* ---- spdm_measurements.c (§10.11) ---- */
struct spdm_get_meas {
	uint8_t attributes;
	uint8_t operation;
	uint8_t slot;				/* if signature requested */
	uint8_t nonce[SPDM_NONCE_SIZE];		/* if signature requested */
	uint8_t context[SPDM_REQ_CONTEXT_SIZE];	/* 1.3 */
};
struct spdm_meas_rsp {
	uint8_t param1;			/* TotalNumberOfMeasurement for op 0 */
	uint8_t param2;			/* SlotID | ContentChanged */
	uint8_t num_blocks;
	uint32_t record_len;
	const uint8_t *record;
	const uint8_t *nonce;
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *context;		/* 1.3 */
	const uint8_t *signature;	/* NULL: encode without / not present */
	size_t sig_offset;
};
/* One parsed measurement block (DMTF format only). */
struct spdm_meas_block {
	uint8_t index;
	uint8_t spec;
	uint8_t value_type;
	uint16_t value_size;
	const uint8_t *value;
};
int spdm_encode_get_measurements(uint8_t ver, const struct spdm_get_meas *g, void *buf, size_t cap);
int spdm_decode_get_measurements(uint8_t ver, const void *buf, size_t len, struct spdm_get_meas *g);
int spdm_encode_measurements(const struct spdm_params *p, const struct spdm_meas_rsp *m,
			     void *buf, size_t cap);
int spdm_decode_measurements(const struct spdm_params *p, bool signature_expected,
			     const void *buf, size_t len, struct spdm_meas_rsp *m);
/* Append one DMTF measurement block; returns bytes written or -errno. */
int spdm_encode_meas_block(const struct spdm_meas_block *b, void *buf, size_t cap);
/*
 * Walk a MeasurementRecord: validates that it holds exactly `count`
 * well-formed DMTF blocks; with `out` non-NULL stores up to `max` of them.
 */
int spdm_parse_meas_record(const uint8_t *rec, size_t len, unsigned int count,
			   struct spdm_meas_block *out, unsigned int max);

/* ---- spdm_key_exchange.c (§10.15) ---- */
struct spdm_key_exchange_req {
	uint8_t hash_type;
	uint8_t slot;
	uint16_t req_session_id;
	uint8_t session_policy;
	uint8_t random[SPDM_RANDOM_SIZE];
	const uint8_t *exchange;	/* D bytes */
	uint16_t opaque_len;
	const uint8_t *opaque;
};
struct spdm_key_exchange_rsp_msg {
	uint8_t heartbeat_period;
	uint16_t rsp_session_id;
	uint8_t mut_auth_requested;
	uint8_t req_slot_id_param;
	const uint8_t *random;		/* 32 */
	const uint8_t *exchange;	/* D */
	const uint8_t *meas_summary_hash;	/* H, NULL if hash_type == 0 */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *signature;	/* S */
	size_t sig_offset;
	const uint8_t *verify_data;	/* H */
	size_t verify_offset;
};
int spdm_encode_key_exchange(const struct spdm_params *p, const struct spdm_key_exchange_req *k,
			     void *buf, size_t cap);
int spdm_decode_key_exchange(const struct spdm_params *p, const void *buf, size_t len,
			     struct spdm_key_exchange_req *k);
int spdm_encode_key_exchange_rsp(const struct spdm_params *p, uint8_t hash_type,
				 const struct spdm_key_exchange_rsp_msg *k, void *buf, size_t cap);
int spdm_decode_key_exchange_rsp(const struct spdm_params *p, uint8_t hash_type,
				 const void *buf, size_t len, struct spdm_key_exchange_rsp_msg *k);
/* DSP0277 secured-message version opaque data (OpaqueDataFmt1, §10.15). */
int spdm_encode_sm_opaque_supported(void *buf, size_t cap);
int spdm_encode_sm_opaque_selection(uint16_t version, void *buf, size_t cap);
/* Parse either form: the selected version, or from a supported list the
 * SPDM_SECURED_VERSION_11 entry if listed, else the first. */
int spdm_decode_sm_opaque(const void *buf, size_t len, bool selection, uint16_t *version);

/* ---- spdm_finish.c (§10.16) ---- */
struct spdm_finish_req {
	uint8_t attributes;
	uint8_t req_slot;
	const uint8_t *signature;	/* S, present iff attributes bit 0 */
	const uint8_t *verify_data;	/* H; NULL: encode without */
	size_t verify_offset;
};
int spdm_encode_finish(const struct spdm_params *p, const struct spdm_finish_req *f,
		       void *buf, size_t cap);
int spdm_decode_finish(const struct spdm_params *p, const void *buf, size_t len,
		       struct spdm_finish_req *f);
/* FINISH_RSP carries ResponderVerifyData only for handshake in the clear. */
int spdm_encode_finish_rsp(const struct spdm_params *p, const uint8_t *verify_data,
			   void *buf, size_t cap);
int spdm_decode_finish_rsp(const struct spdm_params *p, bool verify_expected,
			   const void *buf, size_t len, const uint8_t **verify_data);

/* ---- spdm_session_msgs.c (§10.19, §10.20, §10.22) ---- */
int spdm_encode_heartbeat(uint8_t ver, void *buf, size_t cap);
int spdm_decode_heartbeat(uint8_t ver, const void *buf, size_t len);
int spdm_encode_heartbeat_ack(uint8_t ver, void *buf, size_t cap);
int spdm_decode_heartbeat_ack(uint8_t ver, const void *buf, size_t len);
int spdm_encode_key_update(uint8_t ver, uint8_t op, uint8_t tag, void *buf, size_t cap);
int spdm_decode_key_update(uint8_t ver, const void *buf, size_t len, uint8_t *op, uint8_t *tag);
int spdm_encode_key_update_ack(uint8_t ver, uint8_t op, uint8_t tag, void *buf, size_t cap);
int spdm_decode_key_update_ack(uint8_t ver, const void *buf, size_t len, uint8_t *op, uint8_t *tag);
int spdm_encode_end_session(uint8_t ver, uint8_t attrs, void *buf, size_t cap);
int spdm_decode_end_session(uint8_t ver, const void *buf, size_t len, uint8_t *attrs);
int spdm_encode_end_session_ack(uint8_t ver, void *buf, size_t cap);
int spdm_decode_end_session_ack(uint8_t ver, const void *buf, size_t len);

/* ---- spdm_error.c (§10.9, §10.10) ---- */
struct spdm_error_msg {
	uint8_t code;
	uint8_t data;
	uint8_t ext_len;
	uint8_t ext[SPDM_ERR_MAX_EXT_DATA];
};
int spdm_encode_error(uint8_t ver, const struct spdm_error_msg *e, void *buf, size_t cap);
int spdm_decode_error(uint8_t ver, const void *buf, size_t len, struct spdm_error_msg *e);
int spdm_encode_error_not_ready(uint8_t ver, const struct spdm_error_not_ready *nr,
				void *buf, size_t cap);
/* Decode ERROR(ResponseNotReady); -EPROTO if another error code. */
int spdm_decode_error_not_ready(uint8_t ver, const void *buf, size_t len,
				struct spdm_error_not_ready *nr);
int spdm_encode_respond_if_ready(uint8_t ver, uint8_t req_code, uint8_t token, void *buf, size_t cap);
int spdm_decode_respond_if_ready(uint8_t ver, const void *buf, size_t len,
				 uint8_t *req_code, uint8_t *token);

/* Shared by the codecs (spdm_version.c). */
int spdm_encode_bare(uint8_t ver, uint8_t code, uint8_t p1, uint8_t p2, void *buf, size_t cap);
int spdm_decode_bare(uint8_t ver, uint8_t code, const void *buf, size_t len,
		     uint8_t *p1, uint8_t *p2);

#endif /* PCILAB_PROTO_SPDM_MSG_H */
