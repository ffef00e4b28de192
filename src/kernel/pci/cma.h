/* SPDX-License-Identifier: MIT */
/*
 * CMA-SPDM (PCIe r6.2 §6.31): authenticate a function's identity and
 * measurements with SPDM (DSP0274) over its DOE mailbox (doe.h), the
 * kernel side of Linux's drivers/pci/cma.c. The transport is the CMA
 * binding: DOE Vendor 0001h, type 01h for SPDM, 02h for secured SPDM.
 *
 * The trust store is configuration, not hardware: the caller passes the
 * anchors (pci_cma_trust_from_pem() builds a store from a PEM blob, e.g.
 * the root CA a vendor publishes). See docs/cma.md.
 */
#ifndef PCILAB_KERNEL_PCI_CMA_H
#define PCILAB_KERNEL_PCI_CMA_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "kernel/pci/doe.h"

struct pci_dev;

enum pci_cma_status {
	PCI_CMA_NOT_RUN,
	PCI_CMA_AUTHENTICATED,
	PCI_CMA_FAILED,
	PCI_CMA_UNSUPPORTED,		/* no DOE mailbox lists CMA-SPDM */
};

#define PCI_CMA_MAX_CERTS	8
#define PCI_CMA_MAX_MEAS	32
#define PCI_CMA_MAX_DIGEST	64

struct pci_cma_cert {
	char subject[192];		/* RFC 2253 form, e.g. "CN=...,O=pcilab" */
	char issuer[192];
};

struct pci_cma_meas {
	uint8_t index;
	uint8_t spec;			/* MeasurementSpecification (1: DMTF) */
	uint8_t type;			/* DMTFSpecMeasurementValueType; bit 7
					 * (SPDM_DMTF_MEAS_RAW): value is a raw
					 * bit stream, else a digest */
	uint16_t value_size;		/* DMTFSpecMeasurementValueSize */
	uint16_t size;			/* bytes stored in value (capped) */
	uint8_t value[PCI_CMA_MAX_DIGEST];
};

struct pci_cma_result {
	enum pci_cma_status status;
	int err;			/* 0 or the -errno of the failing step */
	const char *step;		/* SPDM step that failed, or NULL */
	char reason[256];		/* human-readable failure reason */
	uint8_t spdm_error;		/* ErrorCode of an SPDM ERROR, else 0 */
	uint16_t doe_cap;		/* offset of the mailbox used */
	uint8_t version;		/* negotiated SPDMVersion (0x12, 0x13) */
	uint32_t asym, hash;		/* BaseAsymSel, BaseHashSel */
	uint16_t dhe, aead;		/* DHE and AEAD selections */
	unsigned int nr_certs;		/* slot 0 chain, root first */
	struct pci_cma_cert certs[PCI_CMA_MAX_CERTS];
	unsigned int nr_meas;
	struct pci_cma_meas meas[PCI_CMA_MAX_MEAS];
};

/*
 * GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS,
 * GET_CERTIFICATE (slot 0, verified against trust), CHALLENGE, signed
 * GET_MEASUREMENTS (all blocks). res is filled in either way. 0 when the
 * device authenticated; -ENODEV (no CMA mailbox), or the failing step's
 * -errno: -EKEYREJECTED untrusted chain, -EKEYEXPIRED, -EBADMSG bad
 * signature, -EPROTO malformed/inconsistent response, -EREMOTEIO SPDM
 * ERROR, -ETIMEDOUT stalled responder (mailbox aborted), -EIO DOE error.
 */
int pci_cma_authenticate(struct pci_dev *dev, X509_STORE *trust, struct pci_cma_result *res);
/* Same over a given mailbox (must list CMA-SPDM). */
int pci_cma_authenticate_mb(struct pci_doe_mb *mb, X509_STORE *trust,
			    struct pci_cma_result *res);

/*
 * Authenticate as pci_cma_authenticate_mb() and keep the SPDM connection
 * open for later use (secure sessions, IDE_KM and TDISP: kernel/pci/tsm.c).
 * On success *conn owns it; the mailbox is borrowed and must outlive it.
 * On failure *conn is NULL.
 */
struct pci_cma_conn;
struct spdm_requester;
int pci_cma_connect_mb(struct pci_doe_mb *mb, X509_STORE *trust, struct pci_cma_result *res,
		       struct pci_cma_conn **conn);
struct spdm_requester *pci_cma_conn_requester(struct pci_cma_conn *c);
void pci_cma_conn_close(struct pci_cma_conn *c);

/* A trust store of every certificate in a PEM blob. ERR_PTR(-EINVAL) if
 * there is none or the blob does not parse, -ENOMEM. */
X509_STORE *pci_cma_trust_from_pem(const char *pem, size_t len);

const char *pci_cma_status_str(enum pci_cma_status s);

#endif /* PCILAB_KERNEL_PCI_CMA_H */
