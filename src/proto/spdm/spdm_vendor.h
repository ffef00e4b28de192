/* SPDX-License-Identifier: MIT */
/*
 * VENDOR_DEFINED_REQUEST / VENDOR_DEFINED_RESPONSE (DSP0274 1.3.0 §10.23):
 * codecs and the PCI-SIG binding (PCIe r6.2 §6.31.4: StandardID 3 =
 * PCI-SIG, VendorID 0001h, first payload byte = Protocol ID).
 */
#ifndef PCILAB_PROTO_SPDM_VENDOR_H
#define PCILAB_PROTO_SPDM_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPDM_VENDOR_DEFINED_REQUEST	0xFE
#define SPDM_VENDOR_DEFINED_RESPONSE	0x7E

/* DSP0274 1.3.0 Table "Registry or standards body ID". */
#define SPDM_STD_ID_PCISIG		3
#define SPDM_VENDOR_ID_PCISIG		0x0001	/* 2-byte VendorID, LE */
#define SPDM_VENDOR_ID_MAX		255

/* Fixed part: header(4) + StandardID(2) + Len(1) + ReqLength/RespLength(2). */
#define SPDM_VENDOR_FIXED_SIZE		9

struct spdm_vendor_msg {
	uint16_t standard_id;
	uint8_t vendor_id_len;
	const uint8_t *vendor_id;	/* vendor_id_len bytes */
	uint16_t payload_len;
	const uint8_t *payload;		/* payload_len bytes */
};

/* Codec contract as in spdm_msg.h: length or -EMSGSIZE/-EINVAL; decoders
 * -EMSGSIZE (truncated/trailing) or -EPROTO; pointers into buf. */
int spdm_encode_vendor_req(uint8_t ver, const struct spdm_vendor_msg *m, void *buf, size_t cap);
int spdm_decode_vendor_req(uint8_t ver, const void *buf, size_t len, struct spdm_vendor_msg *m);
int spdm_encode_vendor_rsp(uint8_t ver, const struct spdm_vendor_msg *m, void *buf, size_t cap);
int spdm_decode_vendor_rsp(uint8_t ver, const void *buf, size_t len, struct spdm_vendor_msg *m);

/* True if m is a PCI-SIG vendor-defined message (StandardID 3, VendorID 0001h). */
bool spdm_vendor_is_pcisig(const struct spdm_vendor_msg *m);

#endif /* PCILAB_PROTO_SPDM_VENDOR_H */
