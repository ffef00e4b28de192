/* SPDX-License-Identifier: MIT */
/*
 * SPDM wire format: DMTF DSP0274 (SPDM) 1.2.x / 1.3.x and DSP0277 (Secured
 * Messages using SPDM). Spec-only definitions: fixed message headers as
 * packed little-endian structs, each with a size assertion, plus the codes
 * and bit fields. Variable parts are described in comments; the codecs in
 * spdm_*.c lay them out.
 *
 * All multi-byte fields are little endian (DSP0274 1.3.0 §8 "byte order").
 * The structs are only used on little-endian hosts; the codecs read fields
 * byte by byte through spdm_buf.h so alignment never matters.
 */
#ifndef PCILAB_PROTO_SPDM_WIRE_H
#define PCILAB_PROTO_SPDM_WIRE_H

#include <stdint.h>

#include "base/compiler.h"

/* DSP0274 1.3.0 §10.1 SPDMVersion field: major in bits 7:4, minor 3:0. */
#define SPDM_VERSION_10		0x10
#define SPDM_VERSION_11		0x11
#define SPDM_VERSION_12		0x12
#define SPDM_VERSION_13		0x13

/* DSP0274 1.3.0 Table 8 "VersionNumberEntry": 16-bit, Major 15:12,
 * Minor 11:8, UpdateVersionNumber 7:4, Alpha 3:0. */
#define SPDM_VER_ENTRY(v)	((uint16_t)((v) << 8))
#define SPDM_VER_ENTRY_MAJMIN(e) ((uint8_t)((e) >> 8))

/* DSP0274 1.3.0 Table 4 "SPDM request codes". */
#define SPDM_GET_DIGESTS		0x81
#define SPDM_GET_CERTIFICATE		0x82
#define SPDM_CHALLENGE			0x83
#define SPDM_GET_VERSION		0x84
#define SPDM_GET_MEASUREMENTS		0xE0
#define SPDM_GET_CAPABILITIES		0xE1
#define SPDM_NEGOTIATE_ALGORITHMS	0xE3
#define SPDM_KEY_EXCHANGE		0xE4
#define SPDM_FINISH			0xE5
#define SPDM_HEARTBEAT			0xE8
#define SPDM_KEY_UPDATE			0xE9
#define SPDM_END_SESSION		0xEC
#define SPDM_RESPOND_IF_READY		0xFF

/* DSP0274 1.3.0 Table 5 "SPDM response codes". */
#define SPDM_DIGESTS			0x01
#define SPDM_CERTIFICATE		0x02
#define SPDM_CHALLENGE_AUTH		0x03
#define SPDM_VERSION			0x04
#define SPDM_MEASUREMENTS		0x60
#define SPDM_CAPABILITIES		0x61
#define SPDM_ALGORITHMS			0x63
#define SPDM_KEY_EXCHANGE_RSP		0x64
#define SPDM_FINISH_RSP			0x65
#define SPDM_HEARTBEAT_ACK		0x68
#define SPDM_KEY_UPDATE_ACK		0x69
#define SPDM_END_SESSION_ACK		0x6C
#define SPDM_ERROR			0x7F

/* Sizes fixed by the spec. */
#define SPDM_NONCE_SIZE		32	/* §10.8 Nonce, §10.11 Nonce */
#define SPDM_RANDOM_SIZE	32	/* §10.15 RandomData */
#define SPDM_REQ_CONTEXT_SIZE	8	/* 1.3 §10.8/§10.11 RequesterContext */
#define SPDM_MAX_SLOTS		8
#define SPDM_MAX_VERSIONS	8	/* our cap on VersionNumberEntryCount */

/* DSP0274 1.3.0 §10.2 "SPDM message header" (every message). */
struct spdm_header {
	uint8_t version;
	uint8_t code;
	uint8_t param1;
	uint8_t param2;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_header) == 4, "SPDM header");

/* §10.3 GET_VERSION is a bare header (SPDMVersion is always 0x10). */

/* §10.3 VERSION: header, Reserved, VersionNumberEntryCount, then
 * VersionNumberEntry[count] (uint16 each). */
struct spdm_version_rsp {
	struct spdm_header hdr;
	uint8_t reserved;
	uint8_t entry_count;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_version_rsp) == 6, "VERSION");

/* §10.4 GET_CAPABILITIES / CAPABILITIES. In 1.2+ both are 20 bytes:
 * DataTransferSize and MaxSPDMmsgSize were added in 1.2. */
struct spdm_capabilities {
	struct spdm_header hdr;
	uint8_t reserved;
	uint8_t ct_exponent;
	uint16_t reserved2;
	uint32_t flags;
	uint32_t data_transfer_size;
	uint32_t max_spdm_msg_size;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_capabilities) == 20, "CAPABILITIES");

/* DSP0274 1.2+ minimum DataTransferSize (§10.4, MinDataTransferSize). */
#define SPDM_MIN_DATA_TRANSFER_SIZE	42

/* §10.4 Table 11/12 capability flags (requester and responder share bit
 * positions; some bits are only meaningful in one direction). */
#define SPDM_CAP_CACHE			BIT(0)	/* rsp */
#define SPDM_CAP_CERT			BIT(1)
#define SPDM_CAP_CHAL			BIT(2)
#define SPDM_CAP_MEAS_NO_SIG		BIT(3)	/* rsp, MEAS_CAP=01b */
#define SPDM_CAP_MEAS_SIG		BIT(4)	/* rsp, MEAS_CAP=10b */
#define SPDM_CAP_MEAS_FRESH		BIT(5)	/* rsp */
#define SPDM_CAP_ENCRYPT		BIT(6)
#define SPDM_CAP_MAC			BIT(7)
#define SPDM_CAP_MUT_AUTH		BIT(8)
#define SPDM_CAP_KEY_EX			BIT(9)
#define SPDM_CAP_PSK_MASK		(BIT(10) | BIT(11))
#define SPDM_CAP_ENCAP			BIT(12)
#define SPDM_CAP_HBEAT			BIT(13)
#define SPDM_CAP_KEY_UPD		BIT(14)
#define SPDM_CAP_HANDSHAKE_IN_CLEAR	BIT(15)
#define SPDM_CAP_PUB_KEY_ID		BIT(16)
#define SPDM_CAP_CHUNK			BIT(17)	/* 1.2 */
#define SPDM_CAP_ALIAS_CERT		BIT(18)	/* 1.2 rsp */

/* §10.5 NEGOTIATE_ALGORITHMS request fixed part (32 bytes). The 12 bytes
 * after BaseHashAlgo are reserved in 1.2/1.3; MELspecification (1.3) is
 * the last byte. Followed by ExtAsym[A'] (4 bytes each), ExtHash[E']
 * (4 bytes each), then ReqAlgStruct[param1] (struct spdm_alg_struct). */
struct spdm_negotiate_algorithms {
	struct spdm_header hdr;		/* param1 = number of AlgStructs */
	uint16_t length;		/* whole message */
	uint8_t measurement_spec;
	uint8_t other_params;		/* 1.2: OpaqueDataFmt in bits 3:0 */
	uint32_t base_asym_algo;
	uint32_t base_hash_algo;
	uint8_t reserved[12];
	uint8_t ext_asym_count;
	uint8_t ext_hash_count;
	uint8_t reserved2;
	uint8_t mel_spec;		/* 1.3 */
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_negotiate_algorithms) == 32, "NEGOTIATE_ALGORITHMS");

/* §10.5 ALGORITHMS response fixed part (36 bytes), then ExtAsymSel[A'],
 * ExtHashSel[E'], RespAlgStruct[param1]. */
struct spdm_algorithms_rsp {
	struct spdm_header hdr;		/* param1 = number of AlgStructs */
	uint16_t length;
	uint8_t measurement_spec_sel;
	uint8_t other_params_sel;
	uint32_t measurement_hash_algo;
	uint32_t base_asym_sel;
	uint32_t base_hash_sel;
	uint8_t reserved[11];
	uint8_t mel_spec_sel;		/* 1.3 */
	uint8_t ext_asym_sel_count;
	uint8_t ext_hash_sel_count;
	uint16_t reserved2;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_algorithms_rsp) == 36, "ALGORITHMS");

/* §10.5 Table 16 AlgStructure: AlgType, AlgCount (FixedAlgCount in bits
 * 7:4 which must be 2, ExtAlgCount in bits 3:0), AlgSupported (2 bytes),
 * then AlgExternal[ExtAlgCount] (4 bytes each). */
struct spdm_alg_struct {
	uint8_t alg_type;
	uint8_t alg_count;
	uint16_t alg_supported;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_alg_struct) == 4, "AlgStructure");

#define SPDM_ALG_COUNT_FIXED2		0x20	/* FixedAlgCount = 2 */
#define SPDM_ALG_TYPE_DHE		2
#define SPDM_ALG_TYPE_AEAD		3
#define SPDM_ALG_TYPE_REQ_BASE_ASYM	4
#define SPDM_ALG_TYPE_KEY_SCHEDULE	5
#define SPDM_MAX_ALG_STRUCTS		4
/* §10.5: the request may carry at most 128 bytes in 1.1+ and at most 20
 * extended algorithms. */
#define SPDM_NEG_ALGS_MAX_LENGTH	128
#define SPDM_NEG_ALGS_MAX_EXT		20

/* MeasurementSpecification (§10.5 Table 15). */
#define SPDM_MEAS_SPEC_DMTF		BIT(0)
/* OtherParams OpaqueDataFmt (1.2 §10.5). */
#define SPDM_OPAQUE_FMT_NONE		0x0
#define SPDM_OPAQUE_FMT_0		0x1
#define SPDM_OPAQUE_FMT_1		0x2

/* BaseAsymAlgo (Table 15). */
#define SPDM_ASYM_RSASSA_2048		BIT(0)
#define SPDM_ASYM_RSAPSS_2048		BIT(1)
#define SPDM_ASYM_RSASSA_3072		BIT(2)
#define SPDM_ASYM_RSAPSS_3072		BIT(3)
#define SPDM_ASYM_ECDSA_P256		BIT(4)
#define SPDM_ASYM_RSASSA_4096		BIT(5)
#define SPDM_ASYM_RSAPSS_4096		BIT(6)
#define SPDM_ASYM_ECDSA_P384		BIT(7)
#define SPDM_ASYM_ECDSA_P521		BIT(8)
/* BaseHashAlgo. */
#define SPDM_HASH_SHA256		BIT(0)
#define SPDM_HASH_SHA384		BIT(1)
#define SPDM_HASH_SHA512		BIT(2)
/* MeasurementHashAlgo (ALGORITHMS). */
#define SPDM_MEAS_HASH_RAW		BIT(0)
#define SPDM_MEAS_HASH_SHA256		BIT(1)
#define SPDM_MEAS_HASH_SHA384		BIT(2)
#define SPDM_MEAS_HASH_SHA512		BIT(3)
/* DHE named groups (Table 17). */
#define SPDM_DHE_FFDHE2048		BIT(0)
#define SPDM_DHE_FFDHE3072		BIT(1)
#define SPDM_DHE_FFDHE4096		BIT(2)
#define SPDM_DHE_SECP256R1		BIT(3)
#define SPDM_DHE_SECP384R1		BIT(4)
#define SPDM_DHE_SECP521R1		BIT(5)
/* AEAD cipher suites (Table 18). */
#define SPDM_AEAD_AES128_GCM		BIT(0)
#define SPDM_AEAD_AES256_GCM		BIT(1)
#define SPDM_AEAD_CHACHA20_POLY1305	BIT(2)
/* KeySchedule (Table 20). */
#define SPDM_KEY_SCHEDULE_SPDM		BIT(0)

/* §10.6 GET_DIGESTS is a bare header. DIGESTS: param1 = SupportedSlotMask
 * (1.3; reserved in 1.2), param2 = ProvisionedSlotMask, then
 * Digest[popcount(param2)] of H bytes each. */

/* §10.7 GET_CERTIFICATE: param1 bits 3:0 = SlotID. */
struct spdm_get_certificate {
	struct spdm_header hdr;
	uint16_t offset;
	uint16_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_get_certificate) == 8, "GET_CERTIFICATE");

/* §10.7 CERTIFICATE: then CertChain[portion_length]. */
struct spdm_certificate_rsp {
	struct spdm_header hdr;
	uint16_t portion_length;
	uint16_t remainder_length;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_certificate_rsp) == 8, "CERTIFICATE");

#define SPDM_SLOT_ID_MASK		0x0F

/* §10.7.1 Table 33 "Certificate chain format": Length (whole chain incl.
 * this header), Reserved, RootHash[H], Certificates (DER, root first). */
struct spdm_cert_chain_hdr {
	uint16_t length;
	uint16_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_cert_chain_hdr) == 4, "cert chain header");
#define SPDM_MAX_CERT_CHAIN_SIZE	0xFFFF

/* §10.8 CHALLENGE: param1 = SlotID, param2 = MeasurementSummaryHashType,
 * Nonce[32], then (1.3) RequesterContext[8]. */
struct spdm_challenge {
	struct spdm_header hdr;
	uint8_t nonce[SPDM_NONCE_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_challenge) == 36, "CHALLENGE");

/* MeasurementSummaryHashType (§10.8 Table 36, §10.15). */
#define SPDM_MEAS_SUMMARY_NONE		0x00
#define SPDM_MEAS_SUMMARY_TCB		0x01
#define SPDM_MEAS_SUMMARY_ALL		0xFF

/* §10.8 CHALLENGE_AUTH: param1 bits 3:0 = SlotID, param2 = SlotMask, then
 * CertChainHash[H], Nonce[32], MeasurementSummaryHash[H or 0],
 * OpaqueDataLength (2), OpaqueData, RequesterContext[8] (1.3),
 * Signature[S]. Only the header is fixed. */

/* §10.11 GET_MEASUREMENTS: param1 = attributes, param2 = operation.
 * If SignatureRequested: Nonce[32], SlotIDParam (1). 1.3 always appends
 * RequesterContext[8]. */
#define SPDM_MEAS_ATTR_SIGNATURE	BIT(0)
#define SPDM_MEAS_ATTR_RAW_BITSTREAM	BIT(1)
#define SPDM_MEAS_OP_COUNT		0x00
#define SPDM_MEAS_OP_ALL		0xFF

/* §10.11 MEASUREMENTS fixed part: param1 = TotalNumberOfMeasurement (op
 * 0) else reserved, param2 = SlotID (3:0) | ContentChanged (5:4). Then
 * MeasurementRecord[len], Nonce[32], OpaqueDataLength (2), OpaqueData,
 * RequesterContext[8] (1.3), Signature[S] (if requested). */
struct spdm_measurements_rsp {
	struct spdm_header hdr;
	uint8_t number_of_blocks;
	uint8_t record_length[3];	/* 24-bit little endian */
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_measurements_rsp) == 8, "MEASUREMENTS");

/* §10.11.1 Table 54 measurement block. */
struct spdm_meas_block_hdr {
	uint8_t index;
	uint8_t measurement_spec;
	uint16_t measurement_size;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_meas_block_hdr) == 4, "measurement block");

/* §10.11.1.1 Table 55 DMTF measurement specification format. */
struct spdm_dmtf_meas_hdr {
	uint8_t value_type;	/* bit 7: raw bit stream */
	uint16_t value_size;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_dmtf_meas_hdr) == 3, "DMTF measurement");

#define SPDM_DMTF_MEAS_RAW		BIT(7)
#define SPDM_DMTF_MEAS_IMMUTABLE_ROM	0
#define SPDM_DMTF_MEAS_MUTABLE_FW	1
#define SPDM_DMTF_MEAS_HW_CONFIG	2
#define SPDM_DMTF_MEAS_FW_CONFIG	3
#define SPDM_DMTF_MEAS_MANIFEST		4	/* freeform measurement manifest */
#define SPDM_DMTF_MEAS_DEVICE_MODE	5	/* structured debug and device mode */
#define SPDM_DMTF_MEAS_VERSION		6
#define SPDM_DMTF_MEAS_SVN		7	/* mutable firmware's security version */
#define SPDM_DMTF_MEAS_HASH_EXTENDED	8	/* 1.3 */
#define SPDM_DMTF_MEAS_INFORMATIONAL	9	/* 1.3 */
#define SPDM_DMTF_MEAS_STRUCT_MANIFEST	10	/* 1.3 */

/* §10.15 KEY_EXCHANGE: param1 = MeasurementSummaryHashType, param2 =
 * SlotID, then ExchangeData[D], OpaqueDataLength (2), OpaqueData. */
struct spdm_key_exchange {
	struct spdm_header hdr;
	uint16_t req_session_id;
	uint8_t session_policy;		/* 1.2 */
	uint8_t reserved;
	uint8_t random[SPDM_RANDOM_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_key_exchange) == 40, "KEY_EXCHANGE");

/* §10.15 KEY_EXCHANGE_RSP: param1 = HeartbeatPeriod, then
 * ExchangeData[D], MeasurementSummaryHash[H or 0], OpaqueDataLength (2),
 * OpaqueData, Signature[S], ResponderVerifyData[H] (absent only for
 * handshake in the clear). */
struct spdm_key_exchange_rsp {
	struct spdm_header hdr;
	uint16_t rsp_session_id;
	uint8_t mut_auth_requested;
	uint8_t req_slot_id_param;
	uint8_t random[SPDM_RANDOM_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_key_exchange_rsp) == 40, "KEY_EXCHANGE_RSP");

/* §10.16 FINISH: param1 bit 0 = signature included, param2 = ReqSlotID,
 * then Signature[S] (if included), RequesterVerifyData[H].
 * FINISH_RSP: header, then ResponderVerifyData[H] only for handshake in
 * the clear. */
#define SPDM_FINISH_SIG_INCLUDED	BIT(0)

/* §10.19 HEARTBEAT / HEARTBEAT_ACK: bare headers.
 * §10.20 KEY_UPDATE / KEY_UPDATE_ACK: param1 = KeyOperation, param2 = Tag. */
#define SPDM_KEY_UPDATE_OP_UPDATE_KEY		1
#define SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS	2
#define SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY	3

/* §10.22 END_SESSION: param1 bit 0 = NegotiatedStateClearingIndicator.
 * END_SESSION_ACK: bare header. */
#define SPDM_END_SESSION_PRESERVE_STATE_CLEAR	BIT(0)

/* §10.10 ERROR: param1 = ErrorCode, param2 = ErrorData, then
 * ExtendedErrorData (0..32 bytes). */
#define SPDM_ERR_INVALID_REQUEST	0x01
#define SPDM_ERR_BUSY			0x03
#define SPDM_ERR_UNEXPECTED_REQUEST	0x04
#define SPDM_ERR_UNSPECIFIED		0x05
#define SPDM_ERR_DECRYPT_ERROR		0x06
#define SPDM_ERR_UNSUPPORTED_REQUEST	0x07
#define SPDM_ERR_REQUEST_IN_FLIGHT	0x08
#define SPDM_ERR_INVALID_RESPONSE_CODE	0x09
#define SPDM_ERR_SESSION_LIMIT_EXCEEDED	0x0A
#define SPDM_ERR_SESSION_REQUIRED	0x0B
#define SPDM_ERR_RESET_REQUIRED		0x0C
#define SPDM_ERR_RESPONSE_TOO_LARGE	0x0D
#define SPDM_ERR_REQUEST_TOO_LARGE	0x0E
#define SPDM_ERR_LARGE_RESPONSE		0x0F
#define SPDM_ERR_MESSAGE_LOST		0x10
#define SPDM_ERR_VERSION_MISMATCH	0x41
#define SPDM_ERR_RESPONSE_NOT_READY	0x42
#define SPDM_ERR_REQUEST_RESYNCH	0x43
#define SPDM_ERR_MAX_EXT_DATA		32

/* §10.10 Table 50 ResponseNotReady extended error data. */
struct spdm_error_not_ready {
	uint8_t rdt_exponent;
	uint8_t request_code;
	uint8_t token;
	uint8_t rdtm;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_error_not_ready) == 4, "ResponseNotReady");

/* §10.9 RESPOND_IF_READY: param1 = original RequestCode, param2 = Token
 * (bare header). */

/* Signing (DSP0274 1.2+ §15 "Signature generation"): the signed message
 * is combined_spdm_prefix || Hash(transcript), where the prefix is
 * "dmtf-spdm-v1.X.*" four times, zero padding and the context string,
 * 100 bytes in all. */
#define SPDM_SIGN_PREFIX_SIZE		64
#define SPDM_SIGN_CONTEXT_SIZE		36
#define SPDM_SIGN_COMBINED_SIZE		(SPDM_SIGN_PREFIX_SIZE + SPDM_SIGN_CONTEXT_SIZE)
#define SPDM_CTX_CHALLENGE_AUTH		"responder-challenge_auth signing"
#define SPDM_CTX_MEASUREMENTS		"responder-measurements signing"
#define SPDM_CTX_KEY_EXCHANGE_RSP	"responder-key_exchange_rsp signing"
#define SPDM_CTX_FINISH			"requester-finish signing"

/*
 * DSP0277 1.2 §6 secured message: SessionID (4), SequenceNumber (0..8,
 * transport specific: 0 for PCIe DOE per the PCI-SIG CMA binding, 2 for
 * MCTP DSP0275), Length (2: everything after it incl. MAC), then the
 * encrypted ApplicationDataLength (2), ApplicationData, RandomData and
 * the 16-byte MAC. AAD = SessionID || SequenceNumber || Length.
 */
struct spdm_secured_hdr1 {
	uint32_t session_id;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_secured_hdr1) == 4, "secured msg session id");

struct spdm_secured_hdr2 {
	uint16_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_secured_hdr2) == 2, "secured msg length");

struct spdm_secured_cipher_hdr {
	uint16_t app_data_length;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_secured_cipher_hdr) == 2, "secured msg app length");

#define SPDM_AEAD_TAG_SIZE	16
#define SPDM_AEAD_IV_SIZE	12
#define SPDM_AEAD_KEY_SIZE	32	/* AES-256-GCM */
#define SPDM_MAX_SEQ_NUM_SIZE	8

/* DSP0277 1.2 §8.2 / DSP0274 1.2 §10.15: secured-message opaque data
 * (general opaque data format 1) negotiating the DSP0277 version. */
#define SPDM_SM_OPAQUE_SPEC_ID		0x444D5446	/* "DMTF" */
#define SPDM_SM_DATA_VERSION		1
#define SPDM_SM_DATA_ID_VERSION_SELECT	0
#define SPDM_SM_DATA_ID_SUPPORTED_LIST	1
#define SPDM_SECURED_VERSION_11		0x11

#endif /* PCILAB_PROTO_SPDM_WIRE_H */
