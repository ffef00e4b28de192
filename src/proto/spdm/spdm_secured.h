/* SPDX-License-Identifier: MIT */
/*
 * DSP0277 1.2 secured messages (§6): SessionID (4) || SequenceNumber
 * (seq_size bytes, transport specific: 0 for PCIe DOE, 2 for MCTP) ||
 * Length (2) || AEAD(ApplicationDataLength (2) || ApplicationData) ||
 * MAC (16). AAD is the clear header; the AEAD nonce is the direction's
 * IV XOR the 64-bit sequence number, little endian in the low bytes
 * (DSP0277 §6.1, the default endianness). The sequence number advances
 * per message and is never sent twice: a replayed or reordered message
 * fails authentication.
 */
#ifndef PCILAB_PROTO_SPDM_SECURED_H
#define PCILAB_PROTO_SPDM_SECURED_H

#include <stddef.h>
#include <stdint.h>

#include "proto/spdm/spdm_crypto.h"

/* Overhead added around application data for a given seq_size. */
size_t spdm_secured_overhead(unsigned int seq_size);

/* Seal app into out; advances k->seq. Returns the message length. */
int spdm_secured_encode(struct spdm_traffic_keys *k, uint32_t session_id, unsigned int seq_size,
			const void *app, size_t app_len, void *out, size_t cap);
/*
 * Open a secured message. -EPROTO: wrong session ID / sequence number /
 * inconsistent lengths; -EBADMSG: MAC failure (tamper or replay);
 * -EMSGSIZE: truncated or app larger than cap. k->seq advances only on
 * success. Returns the application data length.
 */
int spdm_secured_decode(struct spdm_traffic_keys *k, uint32_t session_id, unsigned int seq_size,
			const void *msg, size_t len, void *app, size_t cap);
/* Session ID of a secured message (-EMSGSIZE if too short). */
int spdm_secured_peek_session(const void *msg, size_t len, uint32_t *session_id);

#endif /* PCILAB_PROTO_SPDM_SECURED_H */
