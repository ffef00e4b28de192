// SPDX-License-Identifier: MIT
/*
 * Device security end to end: the SPDM firmware (hw/security) behind a DOE
 * mailbox of the default platform's CXL-like endpoint, reached by the
 * kernel side only through config space (kernel/pci/doe.c, cma.c).
 *
 * One platform per test binary (group setup): its keys are made once.
 */
#include "test.h"

#include <stdio.h>
#include <time.h>

#include "hw/fabric/fabric_internal.h"
#include "hw/platform/desc.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/doe.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_doe.h"

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct pci_dev *dev;		/* first function with a DOE capability */
	struct hw_pcidev *hwdev;	/* the same function, hw side (taps only) */
	X509_STORE *trust;		/* vendor root, from the published PEM */
};

static struct world W;

static int world_setup(void **state)
{
	char err[256] = "";
	struct pci_dev *d;
	size_t len;
	char *pem;

	W.desc = hw_desc_default(err, sizeof(err));
	if (IS_ERR(W.desc))
		return -1;
	W.hw = hw_platform_create(W.desc, err, sizeof(err));
	if (IS_ERR(W.hw))
		return -1;
	W.pci = pci_subsys_create(W.hw);
	if (IS_ERR(W.pci))
		return -1;
	pci_for_each_dev(W.pci, d) {
		if (pci_find_ext_capability(d, PCI_EXT_CAP_ID_DOE)) {
			W.dev = d;
			break;
		}
	}
	if (!W.dev)
		return -1;
	W.hwdev = hw_platform_cfg_target(W.hw, pci_domain_nr(W.dev->bus), W.dev->bus->number,
					  W.dev->devfn);
	if (!W.hwdev || hw_platform_root_ca_pem(W.hw, &pem, &len))
		return -1;
	W.trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	return IS_ERR(W.trust) ? -1 : 0;
}

static int world_teardown(void **state)
{
	if (!IS_ERR_OR_NULL(W.trust))
		X509_STORE_free(W.trust);
	if (!IS_ERR_OR_NULL(W.pci))
		pci_subsys_destroy(W.pci);
	if (!IS_ERR_OR_NULL(W.hw))
		hw_platform_destroy(W.hw);
	if (!IS_ERR_OR_NULL(W.desc))
		hw_desc_free(W.desc);
	return 0;
}

static struct pci_doe_mb *first_mb(struct pci_doe_dev *dd)
{
	return list_first_entry(&dd->mbs, struct pci_doe_mb, node);
}

/* ------------------------------------------------------------ DOE */

static void test_doe_discovery(void **state)
{
	struct pci_doe_dev *dd = pci_doe_probe(W.dev);
	struct pci_doe_mb *mb0, *mb1;

	assert_false(IS_ERR(dd));
	/* platforms/default.yaml gives the endpoint two DOE instances. */
	assert_int_equal(dd->nr_mbs, 2);
	mb0 = first_mb(dd);
	mb1 = list_entry(mb0->node.next, struct pci_doe_mb, node);
	/* Instance 0 runs the SPDM firmware: Discovery, CMA, secured CMA. */
	assert_int_equal(mb0->nr_prots, 3);
	assert_true(pci_doe_supports_prot(mb0, 0x0001, 0x00));
	assert_true(pci_doe_supports_prot(mb0, 0x0001, 0x01));
	assert_true(pci_doe_supports_prot(mb0, 0x0001, 0x02));
	/* Instance 1 has no responder: Discovery only. */
	assert_int_equal(mb1->nr_prots, 1);
	assert_true(pci_doe_supports_prot(mb1, 0x0001, 0x00));
	assert_false(pci_doe_supports_prot(mb1, 0x0001, 0x01));
	assert_ptr_equal(pci_doe_find_mailbox(dd, 0x0001, 0x01), mb0);
	assert_null(pci_doe_find_mailbox(dd, 0x0001, 0x03));
	pci_doe_release(dd);
}

struct done_log {
	int order[4];
	int n;
};

static void note_done(struct pci_doe_task *t)
{
	struct done_log *log = t->private;

	log->order[log->n++] = t->rc;
}

/* Asynchronous tasks complete in submission order, from process(). */
static void test_doe_async_queue(void **state)
{
	struct pci_doe_dev *dd = pci_doe_probe(W.dev);
	struct done_log log = { .n = 0 };
	uint32_t req[2] = { 0, 1 }, rsp[2] = { 0, 0 };
	struct pci_doe_task t[2];
	struct pci_doe_mb *mb;
	int i;

	assert_false(IS_ERR(dd));
	mb = first_mb(dd);
	for (i = 0; i < 2; i++) {
		t[i] = (struct pci_doe_task){
			.vendor = 1, .type = 0, .request = &req[i], .request_sz = 4,
			.response = &rsp[i], .response_sz = 4, .complete = note_done,
			.private = &log,
		};
		assert_ok(pci_doe_submit_task(mb, &t[i]));
	}
	assert_int_equal(log.n, 0);		/* nothing ran yet */
	assert_int_equal(t[0].rc, -EINPROGRESS);
	assert_int_equal(pci_doe_process(mb), 2);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.order[0], 4);
	assert_int_equal(log.order[1], 4);
	/* Index 0 is Discovery itself, next index 1; index 1 is CMA, next 2. */
	assert_int_equal(rsp[0], 0x0001 | 0x00 << 16 | 1u << 24);
	assert_int_equal(rsp[1], 0x0001 | 0x01 << 16 | 2u << 24);
	pci_doe_release(dd);
}

static uint32_t doe_status(struct pci_doe_mb *mb)
{
	uint32_t v;

	assert_ok(pci_read_config_dword(mb->pdev, mb->cap + PCI_DOE_STATUS, &v));
	return v;
}

/* Objects whose Length disagrees with what was written: DOE Error. */
static void test_doe_malformed_objects(void **state)
{
	struct pci_doe_dev *dd = pci_doe_probe(W.dev);
	uint32_t req = 0, rsp;
	struct pci_doe_mb *mb;
	int i;

	assert_false(IS_ERR(dd));
	mb = first_mb(dd);
	/* Truncated: header says 5 DWORDs, 3 are written. */
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_WRITE, 0x0001));
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_WRITE, 5));
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_WRITE, 0));
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_CTRL, PCI_DOE_CTRL_GO));
	assert_true(doe_status(mb) & PCI_DOE_STATUS_ERROR);
	assert_false(doe_status(mb) & PCI_DOE_STATUS_DATA_OBJECT_READY);
	assert_ok(pci_doe_abort(mb));
	assert_int_equal(doe_status(mb) & (PCI_DOE_STATUS_ERROR | PCI_DOE_STATUS_BUSY), 0);

	/* Oversized: header says 3 DWORDs, 5 are written. */
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_WRITE, 0x0001));
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_WRITE, 3));
	for (i = 0; i < 3; i++)
		assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_WRITE, 0));
	assert_ok(pci_write_config_dword(W.dev, mb->cap + PCI_DOE_CTRL, PCI_DOE_CTRL_GO));
	assert_true(doe_status(mb) & PCI_DOE_STATUS_ERROR);
	/* The driver clears the leftover Error itself before the next request. */
	assert_int_equal(pci_doe(mb, 1, 0, &req, 4, &rsp, 4), 4);
	assert_int_equal(rsp & 0xffff, 0x0001);

	/* A protocol the instance does not serve: Error, reported as -EIO. */
	assert_int_equal(pci_doe(mb, 1, 0x42, &req, 4, &rsp, 4), -EIO);
	assert_int_equal(pci_doe(mb, 1, 0, &req, 4, &rsp, 4), 4);
	/* Discovery index past the end: the instance refuses it. */
	req = 7;
	assert_int_equal(pci_doe(mb, 1, 0, &req, 4, &rsp, 4), -EIO);
	/* Too large for any data object: refused before anything is written. */
	assert_int_equal(pci_doe(mb, 1, 1, &req, 4ul * PCI_DOE_MAX_DW, &rsp, 4), -E2BIG);
	assert_false(mb->dead);
	pci_doe_release(dd);
}

/* ------------------------------------------------------------ CMA */

static void test_cma_authenticates(void **state)
{
	static const char fw_version[] = "pcilab-spdm-fw 1.0.0";
	uint8_t want[SPDM_MAX_HASH_SIZE];
	struct pci_cma_result res;
	unsigned int i;

	assert_ok(pci_cma_authenticate(W.dev, W.trust, &res));
	assert_int_equal(res.status, PCI_CMA_AUTHENTICATED);
	assert_int_equal(res.err, 0);
	assert_int_equal(res.version, SPDM_VERSION_13);
	assert_int_equal(res.asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(res.hash, SPDM_HASH_SHA384);
	/* root -> intermediate -> leaf, each issued by the previous one. */
	assert_int_equal(res.nr_certs, 3);
	assert_non_null(strstr(res.certs[0].subject, "pcilab vendor root CA"));
	assert_string_equal(res.certs[0].subject, res.certs[0].issuer);
	assert_string_equal(res.certs[1].issuer, res.certs[0].subject);
	assert_string_equal(res.certs[2].issuer, res.certs[1].subject);
	assert_non_null(strstr(res.certs[2].subject, pci_name(W.dev)));
	/* Four blocks, indices 1..4, SHA-384 digests. */
	assert_int_equal(res.nr_meas, 4);
	for (i = 0; i < res.nr_meas; i++) {
		assert_int_equal(res.meas[i].index, i + 1);
		assert_int_equal(res.meas[i].size, 48);
	}
	assert_int_equal(res.meas[0].type, SPDM_DMTF_MEAS_MUTABLE_FW);
	assert_int_equal(res.meas[1].type, SPDM_DMTF_MEAS_HW_CONFIG);
	/* The version block is the digest of the firmware's version string. */
	assert_int_equal(res.meas[3].type, SPDM_DMTF_MEAS_VERSION);
	assert_ok(spdm_hash(SPDM_HASH_SHA384, fw_version, strlen(fw_version), want));
	assert_memory_equal(res.meas[3].value, want, 48);
	/* Hardware identity: the ID registers as read through config space. */
	{
		uint8_t ids[12];
		uint32_t v;

		assert_ok(pci_read_config_dword(W.dev, PCI_VENDOR_ID, &v));
		memcpy(ids, &v, 4);
		assert_ok(pci_read_config_dword(W.dev, PCI_CLASS_REVISION, &v));
		memcpy(ids + 4, &v, 4);
		assert_ok(pci_read_config_dword(W.dev, PCI_SUBSYSTEM_VENDOR_ID, &v));
		memcpy(ids + 8, &v, 4);
		assert_ok(spdm_hash(SPDM_HASH_SHA384, ids, sizeof(ids), want));
		assert_memory_equal(res.meas[1].value, want, 48);
	}
}

static void test_cma_untrusted_root(void **state)
{
	time_t now = time(NULL);
	struct spdm_cert_set *other = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "other vendor",
							     now - 60, now + 3600);
	struct pci_cma_result res;
	X509_STORE *st;

	assert_false(IS_ERR(other));
	st = spdm_trust_store_new(other->root);
	assert_non_null(st);
	assert_int_equal(pci_cma_authenticate(W.dev, st, &res), -EKEYREJECTED);
	assert_int_equal(res.status, PCI_CMA_FAILED);
	assert_string_equal(res.step, "GET_CERTIFICATE");
	assert_non_null(strstr(res.reason, "trusted root"));
	assert_int_equal(res.nr_certs, 0);
	assert_int_equal(res.nr_meas, 0);
	X509_STORE_free(st);
	spdm_cert_set_free(other);
	/* The real vendor root still works. */
	assert_ok(pci_cma_authenticate(W.dev, W.trust, &res));
}

struct mitm {
	uint8_t code;		/* SPDM response code to tamper with */
	size_t byte;		/* payload byte to flip */
	unsigned int hits;
};

/* Flip one payload byte of the first chosen plain SPDM response. */
static int mitm_tap(void *arg, bool response, uint32_t *dw, size_t n)
{
	struct mitm *m = arg;

	if (!response || m->hits || ((dw[0] >> 16) & 0xff) != SPDM_DOE_TYPE_SPDM)
		return HW_SPDM_TAP_PASS;
	if (((dw[2] >> 8) & 0xff) != m->code || m->byte / 4 >= n - 2)
		return HW_SPDM_TAP_PASS;
	dw[2 + m->byte / 4] ^= 1u << (8 * (m->byte % 4));
	m->hits++;
	return HW_SPDM_TAP_PASS;
}

static void test_cma_mitm(void **state)
{
	/* A byte of the Nonce in CHALLENGE_AUTH (after header and H=48
	 * CertChainHash): covered by the signature. */
	struct mitm m = { .code = SPDM_CHALLENGE_AUTH, .byte = 4 + 48 + 5 };
	struct pci_cma_result res;

	assert_ok(hw_spdm_set_tap(W.hw, W.hwdev, mitm_tap, &m));
	assert_int_equal(pci_cma_authenticate(W.dev, W.trust, &res), -EBADMSG);
	assert_int_equal(m.hits, 1);
	assert_int_equal(res.status, PCI_CMA_FAILED);
	assert_string_equal(res.step, "CHALLENGE");

	/* A byte inside the certificate chain: the chain no longer matches
	 * the digest, or no longer verifies. */
	m = (struct mitm){ .code = SPDM_CERTIFICATE, .byte = 8 + 4 + 48 + 100 };
	assert_int_not_equal(pci_cma_authenticate(W.dev, W.trust, &res), 0);
	assert_int_equal(m.hits, 1);
	assert_string_equal(res.step, "GET_CERTIFICATE");

	/* The last byte of the MEASUREMENTS signature. */
	m = (struct mitm){ .code = SPDM_MEASUREMENTS, .byte = 8 };
	assert_int_not_equal(pci_cma_authenticate(W.dev, W.trust, &res), 0);
	assert_int_equal(m.hits, 1);
	assert_string_equal(res.step, "GET_MEASUREMENTS");

	assert_ok(hw_spdm_set_tap(W.hw, W.hwdev, NULL, NULL));
	assert_ok(pci_cma_authenticate(W.dev, W.trust, &res));
}

static int stall_tap(void *arg, bool response, uint32_t *dw, size_t n)
{
	unsigned int *stalls = arg;

	if (!response)
		return HW_SPDM_TAP_PASS;
	(*stalls)++;
	return HW_SPDM_TAP_DROP;
}

static void test_cma_stalled_responder(void **state)
{
	struct pci_doe_dev *dd = pci_doe_probe(W.dev);
	struct pci_cma_result res;
	unsigned int stalls = 0;
	struct pci_doe_mb *mb;
	uint64_t t0;

	assert_false(IS_ERR(dd));
	mb = pci_doe_find_mailbox(dd, 1, 1);
	assert_non_null(mb);
	t0 = mb->clock_us;
	assert_ok(hw_spdm_set_tap(W.hw, W.hwdev, stall_tap, &stalls));
	assert_int_equal(pci_cma_authenticate_mb(mb, W.trust, &res), -ETIMEDOUT);
	assert_int_equal(stalls, 1);
	assert_int_equal(mb->nr_timeouts, 1);
	assert_true(mb->clock_us - t0 >= PCI_DOE_TIMEOUT_US);
	assert_false(mb->dead);
	assert_non_null(strstr(res.reason, "timed out"));
	/* Aborted cleanly: idle, and the same mailbox works again. */
	assert_int_equal(doe_status(mb) & (PCI_DOE_STATUS_BUSY | PCI_DOE_STATUS_ERROR), 0);
	assert_ok(hw_spdm_set_tap(W.hw, W.hwdev, NULL, NULL));
	assert_ok(pci_cma_authenticate_mb(mb, W.trust, &res));
	pci_doe_release(dd);
}

/* A function without DOE is reported unsupported, not failed. */
static void test_cma_no_doe(void **state)
{
	struct pci_cma_result res;
	struct pci_dev *d, *plain = NULL;

	pci_for_each_dev(W.pci, d) {
		if (!pci_find_ext_capability(d, PCI_EXT_CAP_ID_DOE)) {
			plain = d;
			break;
		}
	}
	assert_non_null(plain);
	assert_int_equal(pci_cma_authenticate(plain, W.trust, &res), -ENODEV);
	assert_int_equal(res.status, PCI_CMA_UNSUPPORTED);
}

static void test_trust_from_pem_errors(void **state)
{
	assert_err_ptr(EINVAL, pci_cma_trust_from_pem("", 0));
	assert_err_ptr(EINVAL, pci_cma_trust_from_pem("not a certificate\n", 18));
}

/* DOE padding: exact lengths recovered only over zero padding. */
static void test_doe_padding(void **state)
{
	struct spdm_doe_lenctx c = { 0 };
	uint8_t ver[12] = { 0x10, SPDM_VERSION, 0, 0, 0, 2, 0x00, 0x12, 0x00, 0x13, 0, 0 };

	assert_int_equal(spdm_doe_msg_len(&c, false, ver, 12), 10);
	ver[11] = 1;	/* non-zero tail: not padding, left to the decoder */
	assert_int_equal(spdm_doe_msg_len(&c, false, ver, 12), 12);
	assert_int_equal(spdm_doe_msg_len(&c, false, ver, 3), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doe_padding),
		cmocka_unit_test(test_trust_from_pem_errors),
		cmocka_unit_test(test_doe_discovery),
		cmocka_unit_test(test_doe_async_queue),
		cmocka_unit_test(test_doe_malformed_objects),
		cmocka_unit_test(test_cma_authenticates),
		cmocka_unit_test(test_cma_untrusted_root),
		cmocka_unit_test(test_cma_mitm),
		cmocka_unit_test(test_cma_stalled_responder),
		cmocka_unit_test(test_cma_no_doe),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
