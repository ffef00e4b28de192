// SPDX-License-Identifier: MIT
/*
 * CMA-SPDM requester over the DOE driver (see cma.h).
 *
 * Each SPDM request travels as one DOE exchange (PCIe r6.2 §6.31.3): the
 * message is padded with zeros to a DWORD and the response comes back
 * padded the same way; spdm_doe_msg_len() recovers its exact length from
 * the message itself before the strict SPDM decoders see it.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_doe.h"
#include "proto/spdm/spdm_msg.h"

#define CMA_RSP_CAP	(SPDM_MAX_MSG_SIZE + 128)
#define CMA_REQ_CAPS	(SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | \
			 SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)

struct cma_xport {
	struct pci_doe_mb *mb;
	struct spdm_doe_lenctx lctx;
	int rc;			/* outcome of the last exchange */
	size_t len;
	bool secured;
	uint8_t rsp[CMA_RSP_CAP];
};

static int cma_send(void *ctx, bool secured, const void *buf, size_t len)
{
	struct cma_xport *x = ctx;
	struct pci_doe_task t = {
		.vendor = SPDM_DOE_VENDOR_PCISIG,
		.type = secured ? SPDM_DOE_TYPE_SECURED_SPDM : SPDM_DOE_TYPE_SPDM,
		.request = buf, .request_sz = len,
		.response = x->rsp, .response_sz = sizeof(x->rsp),
	};
	int rc;

	if (!secured)
		spdm_doe_track(&x->lctx, buf, len);
	rc = pci_doe_submit_task(x->mb, &t);
	if (!rc) {
		while (t.rc == -EINPROGRESS && pci_doe_process(x->mb))
			;
		rc = t.rc;
	}
	x->rc = rc < 0 ? rc : 0;
	if (rc < 0)
		return 0;	/* reported by recv, after the request "went out" */
	if (t.rsp_type != SPDM_DOE_TYPE_SPDM && t.rsp_type != SPDM_DOE_TYPE_SECURED_SPDM) {
		x->rc = -EPROTO;
		return 0;
	}
	x->secured = t.rsp_type == SPDM_DOE_TYPE_SECURED_SPDM;
	x->len = spdm_doe_msg_len(&x->lctx, x->secured, x->rsp, (size_t)rc);
	if (!x->secured)
		spdm_doe_track(&x->lctx, x->rsp, x->len);
	return 0;
}

static int cma_recv(void *ctx, bool *secured, void *buf, size_t cap, size_t *len)
{
	struct cma_xport *x = ctx;

	if (x->rc)
		return x->rc;
	if (x->len > cap)
		return -EMSGSIZE;
	memcpy(buf, x->rsp, x->len);
	*len = x->len;
	*secured = x->secured;
	return 0;
}

static const struct spdm_transport_ops cma_ops = {
	.send = cma_send,
	.recv = cma_recv,
};

const char *pci_cma_status_str(enum pci_cma_status s)
{
	switch (s) {
	case PCI_CMA_NOT_RUN: return "not run";
	case PCI_CMA_AUTHENTICATED: return "authenticated";
	case PCI_CMA_FAILED: return "failed";
	case PCI_CMA_UNSUPPORTED: return "unsupported";
	}
	return "?";
}

static const char *cma_errno_str(int err)
{
	switch (err) {
	case -EKEYREJECTED: return "certificate chain does not verify to a trusted root";
	case -EKEYEXPIRED: return "certificate expired or not yet valid";
	case -EBADMSG: return "signature verification failed";
	case -EPROTO: return "malformed or inconsistent response";
	case -EMSGSIZE: return "response has the wrong length";
	case -EREMOTEIO: return "device answered with an SPDM ERROR";
	case -ETIMEDOUT: return "DOE mailbox timed out (responder stalled); exchange aborted";
	case -EIO: return "DOE mailbox error";
	case -ENOENT: return "no certificate provisioned in slot 0";
	case -ENOMEM: return "out of memory";
	}
	return strerror(-err);
}

static void cma_name(X509_NAME *n, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long len;

	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_get_mem_data(b, &data);
		if (len > 0)
			snprintf(out, cap, "%.*s", (int)len, data);
	}
	BIO_free(b);
}

/* Subjects and issuers of an SPDM-format chain (already verified). */
static void cma_chain_info(struct spdm_requester *req, struct pci_cma_result *res)
{
	const uint8_t *chain, *p;
	size_t len, off;
	X509 *c;

	if (spdm_req_cert_chain(req, &chain, &len))
		return;
	off = 4 + spdm_hash_size(res->hash);
	while (off < len && res->nr_certs < PCI_CMA_MAX_CERTS) {
		p = chain + off;
		c = d2i_X509(NULL, &p, (long)(len - off));
		if (!c)
			break;
		cma_name(X509_get_subject_name(c), res->certs[res->nr_certs].subject,
			 sizeof(res->certs[0].subject));
		cma_name(X509_get_issuer_name(c), res->certs[res->nr_certs].issuer,
			 sizeof(res->certs[0].issuer));
		res->nr_certs++;
		off = (size_t)(p - chain);
		X509_free(c);
	}
}

static int cma_meas(struct spdm_requester *req, struct pci_cma_result *res)
{
	struct spdm_meas_block blocks[PCI_CMA_MAX_MEAS];
	unsigned int nblocks, i;
	uint8_t *rec;
	size_t len;
	int rc;

	rec = pl_zalloc(SPDM_MAX_MSG_SIZE);
	if (!rec)
		return -ENOMEM;
	rc = spdm_req_get_measurements(req, true, rec, SPDM_MAX_MSG_SIZE, &len, &nblocks);
	if (!rc && nblocks > PCI_CMA_MAX_MEAS)
		rc = -E2BIG;
	if (!rc)
		rc = spdm_parse_meas_record(rec, len, nblocks, blocks, PCI_CMA_MAX_MEAS);
	if (rc < 0)
		goto out;
	rc = 0;
	for (i = 0; i < nblocks; i++) {
		struct pci_cma_meas *m = &res->meas[i];

		m->index = blocks[i].index;
		m->spec = blocks[i].spec;
		m->type = blocks[i].value_type;
		m->value_size = blocks[i].value_size;
		m->size = MIN(blocks[i].value_size, PCI_CMA_MAX_DIGEST);
		memcpy(m->value, blocks[i].value, m->size);
	}
	res->nr_meas = nblocks;
out:
	free(rec);
	return rc;
}

struct pci_cma_conn {
	struct spdm_requester *req;
	struct cma_xport *x;
};

/* The whole authentication; with keep, a successful connection stays open
 * and is handed over in *keep. */
static int cma_authenticate(struct pci_doe_mb *mb, X509_STORE *trust,
			    struct pci_cma_result *res, struct pci_cma_conn **keep)
{
	struct spdm_requester_config cfg = {
		.versions = { SPDM_VERSION_12, SPDM_VERSION_13 },
		.nversions = 2,
		.caps = CMA_REQ_CAPS,
		.algos = {
			.asym = SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P256 |
				SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072,
			.hash = SPDM_HASH_SHA384 | SPDM_HASH_SHA256,
			.dhe = SPDM_DHE_SECP384R1 | SPDM_DHE_SECP256R1,
			.aead = SPDM_AEAD_AES256_GCM,
		},
		.trust = trust,
		.seq_num_size = 0,	/* PCIe DOE binding */
	};
	struct spdm_algo_support sel;
	struct spdm_requester *req;
	struct cma_xport *x;
	int rc;

	memset(res, 0, sizeof(*res));
	res->doe_cap = mb->cap;
	res->status = PCI_CMA_FAILED;
	if (!trust) {
		rc = -EINVAL;
		res->step = "setup";
		goto out_reason;
	}
	x = pl_zalloc(sizeof(*x));
	if (!x) {
		rc = -ENOMEM;
		res->step = "setup";
		goto out_reason;
	}
	x->mb = mb;
	req = spdm_requester_new(&cfg, &cma_ops, x);
	if (IS_ERR_OR_NULL(req)) {
		rc = req ? (int)PTR_ERR(req) : -ENOMEM;
		res->step = "setup";
		goto err_free_x;
	}
	res->step = "GET_VERSION/GET_CAPABILITIES/NEGOTIATE_ALGORITHMS";
	rc = spdm_req_init_connection(req);
	if (rc)
		goto err_free_req;
	res->version = spdm_req_version(req);
	spdm_req_selected(req, &sel);
	res->asym = sel.asym;
	res->hash = sel.hash;
	res->dhe = sel.dhe;
	res->aead = sel.aead;
	res->step = "GET_DIGESTS";
	rc = spdm_req_get_digests(req);
	if (rc)
		goto err_free_req;
	res->step = "GET_CERTIFICATE";
	rc = spdm_req_get_certificate(req, 0);
	if (rc)
		goto err_free_req;
	cma_chain_info(req, res);
	res->step = "CHALLENGE";
	rc = spdm_req_challenge(req, 0, SPDM_MEAS_SUMMARY_NONE);
	if (rc)
		goto err_free_req;
	res->step = "GET_MEASUREMENTS";
	rc = cma_meas(req, res);
	if (rc)
		goto err_free_req;
	res->step = NULL;
	res->status = PCI_CMA_AUTHENTICATED;
	if (keep) {
		*keep = pl_zalloc(sizeof(**keep));
		if (!*keep) {
			rc = -ENOMEM;
			res->step = "setup";
			goto err_free_req;
		}
		(*keep)->req = req;
		(*keep)->x = x;
		return 0;
	}
err_free_req:
	res->spdm_error = spdm_req_last_error(req);
	spdm_requester_free(req);
err_free_x:
	free(x);
out_reason:
	res->err = rc;
	if (rc) {
		res->status = PCI_CMA_FAILED;
		if (rc == -EREMOTEIO)
			snprintf(res->reason, sizeof(res->reason),
				 "%s: device answered with SPDM ERROR %#04x", res->step,
				 res->spdm_error);
		else
			snprintf(res->reason, sizeof(res->reason), "%s: %s", res->step,
				 cma_errno_str(rc));
		pl_info("%s: CMA-SPDM authentication failed: %s", mb->pdev->name, res->reason);
	}
	return rc;
}

int pci_cma_authenticate_mb(struct pci_doe_mb *mb, X509_STORE *trust,
			    struct pci_cma_result *res)
{
	return cma_authenticate(mb, trust, res, NULL);
}

int pci_cma_connect_mb(struct pci_doe_mb *mb, X509_STORE *trust, struct pci_cma_result *res,
		       struct pci_cma_conn **conn)
{
	*conn = NULL;
	return cma_authenticate(mb, trust, res, conn);
}

struct spdm_requester *pci_cma_conn_requester(struct pci_cma_conn *c)
{
	return c->req;
}

void pci_cma_conn_close(struct pci_cma_conn *c)
{
	if (!c)
		return;
	spdm_requester_free(c->req);
	free(c->x);
	free(c);
}

int pci_cma_authenticate(struct pci_dev *dev, X509_STORE *trust, struct pci_cma_result *res)
{
	struct pci_doe_dev *dd;
	struct pci_doe_mb *mb;
	int rc;

	memset(res, 0, sizeof(*res));
	dd = pci_doe_probe(dev);
	if (IS_ERR(dd)) {
		res->status = PCI_CMA_FAILED;
		res->err = (int)PTR_ERR(dd);
		snprintf(res->reason, sizeof(res->reason), "DOE probe: %s", strerror(-res->err));
		return res->err;
	}
	mb = pci_doe_find_mailbox(dd, SPDM_DOE_VENDOR_PCISIG, SPDM_DOE_TYPE_SPDM);
	if (!mb) {
		res->status = PCI_CMA_UNSUPPORTED;
		res->err = -ENODEV;
		snprintf(res->reason, sizeof(res->reason), "no DOE mailbox supports CMA-SPDM");
		pci_doe_release(dd);
		return -ENODEV;
	}
	rc = pci_cma_authenticate_mb(mb, trust, res);
	pci_doe_release(dd);
	return rc;
}

X509_STORE *pci_cma_trust_from_pem(const char *pem, size_t len)
{
	X509_STORE *st;
	unsigned int n = 0;
	BIO *b;
	X509 *c;

	if (!pem || !len || len > INT32_MAX)
		return ERR_PTR(-EINVAL);
	b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return ERR_PTR(-ENOMEM);
	st = X509_STORE_new();
	if (!st) {
		BIO_free(b);
		return ERR_PTR(-ENOMEM);
	}
	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		if (!X509_STORE_add_cert(st, c)) {
			X509_free(c);
			n = 0;
			break;
		}
		X509_free(c);
		n++;
	}
	BIO_free(b);
	ERR_clear_error();	/* the PEM reader reports end of input as an error */
	if (!n) {
		X509_STORE_free(st);
		return ERR_PTR(-EINVAL);
	}
	return st;
}
