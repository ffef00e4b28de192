/* SPDX-License-Identifier: MIT */
/*
 * SPDM over PCIe DOE (the CMA-SPDM binding, PCIe r6.2 §6.31.3): a DOE data
 * object is a whole number of DWORDs (§6.30.1), so an SPDM message whose
 * length is not a multiple of 4 travels with up to 3 zero bytes of padding
 * after it. The SPDM codecs are exact (they refuse trailing bytes), so both
 * ends of the mailbox recover the exact length from the message itself:
 * its length fields, plus what the connection has fixed so far (hash,
 * signature and DHE sizes from ALGORITHMS, the summary-hash type and
 * signature request of the outstanding request). A DSP0277 secured message
 * carries its own Length. Each side feeds every message it sends and
 * receives to spdm_doe_track() and asks spdm_doe_msg_len() on receipt.
 */
#ifndef PCILAB_PROTO_SPDM_DOE_H
#define PCILAB_PROTO_SPDM_DOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DOE data object types of the CMA binding (vendor 0001h, PCIe r6.2 §6.31.3). */
#define SPDM_DOE_VENDOR_PCISIG		0x0001
#define SPDM_DOE_TYPE_SPDM		0x01
#define SPDM_DOE_TYPE_SECURED_SPDM	0x02

struct spdm_doe_lenctx {
	uint16_t hash_size, sig_size, dhe_size;	/* 0 until ALGORITHMS */
	uint8_t hash_type;	/* MeasurementSummaryHashType of the last
				 * CHALLENGE / KEY_EXCHANGE */
	bool meas_signed;	/* last GET_MEASUREMENTS asked for a signature */
	unsigned int seq_num_size;	/* DSP0277 explicit sequence number (0 for DOE) */
};

/* Learn from one plain (unsecured) message, request or response, of exact length. */
void spdm_doe_track(struct spdm_doe_lenctx *c, const void *msg, size_t len);
/*
 * Exact length of the message at the start of a padded payload: a value in
 * [padded - 3, padded] whose cut-off bytes are all zero. When the length
 * cannot be told (unknown code, inconsistent fields), padded is returned
 * unchanged and the decoder judges the message.
 */
size_t spdm_doe_msg_len(const struct spdm_doe_lenctx *c, bool secured, const void *msg,
			size_t padded);

#endif /* PCILAB_PROTO_SPDM_DOE_H */
