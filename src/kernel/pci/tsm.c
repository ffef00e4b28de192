// SPDX-License-Identifier: MIT
/*
 * TSM: IDE key management and TDISP for one function (see tsm.h).
 *
 * Transport: IDE_KM and TDISP are PCI-SIG vendor-defined payloads in SPDM
 * VENDOR_DEFINED_REQUEST messages of the secure session (PCIe r6.2
 * §6.31.4), i.e. secured CMA objects (DOE type 02h) on the same mailbox
 * the authentication used.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "kernel/pci/doe.h"
#include "kernel/pci/pci.h"
#include "kernel/pci/tsm.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_doe.h"

#define TSM_REPORT_CAP	1024
#define TSM_QUERY_CAP	256

struct pci_tsm {
	struct pci_dev *dev;
	struct pci_doe_dev *dd;
	struct pci_cma_conn *conn;
	struct pcisig_vdm_transport vt;
	struct tdisp_requester tq;
	uint32_t fid;
	uint8_t stream_id;
	uint16_t sel_block;
	bool session;
};

const char *pci_tsm_tdi_state_str(uint8_t state)
{
	switch (state) {
	case TDISP_STATE_CONFIG_UNLOCKED: return "CONFIG_UNLOCKED";
	case TDISP_STATE_CONFIG_LOCKED: return "CONFIG_LOCKED";
	case TDISP_STATE_RUN: return "RUN";
	case TDISP_STATE_ERROR: return "ERROR";
	}
	return "?";
}

static void tsm_fail(struct pci_tsm *t, struct pci_tsm_result *res, int rc)
{
	struct spdm_requester *req = t->conn ? pci_cma_conn_requester(t->conn) : NULL;

	res->err = rc;
	if (req)
		res->spdm_error = spdm_req_last_error(req);
	if (rc == -EREMOTEIO && res->tdisp_error)
		snprintf(res->reason, sizeof(res->reason), "%s: TDISP_ERROR %#x (data %#x)",
			 res->step, res->tdisp_error, t->tq.last_error_data);
	else if (rc == -EREMOTEIO && res->kp_status)
		snprintf(res->reason, sizeof(res->reason), "%s: KP_ACK status %#x", res->step,
			 res->kp_status);
	else if (rc == -EREMOTEIO)
		snprintf(res->reason, sizeof(res->reason), "%s: SPDM ERROR %#04x", res->step,
			 res->spdm_error);
	else if (!res->reason[0])
		snprintf(res->reason, sizeof(res->reason), "%s: %s", res->step, strerror(-rc));
	pl_info("%s: TSM: %s", pci_name(t->dev), res->reason);
}

/* Record the TDI state (GET_DEVICE_INTERFACE_STATE) and check it. */
static int tsm_expect_state(struct pci_tsm *t, struct pci_tsm_result *res, uint8_t want)
{
	uint8_t st;
	int rc;

	rc = tdisp_req_get_state(&t->tq, t->fid, &st);
	if (rc)
		return rc;
	if (res->nr_states < PCI_TSM_MAX_STATES)
		res->states[res->nr_states++] = st;
	if (st != want) {
		snprintf(res->reason, sizeof(res->reason), "%s: TDI is %s, expected %s", res->step,
			 pci_tsm_tdi_state_str(st), pci_tsm_tdi_state_str(want));
		return -EPROTO;
	}
	return 0;
}

/* IDE_KM QUERY, checked against what config space says (§6.33.3: the
 * register dump is the function's own IDE capability). */
static int tsm_ide_query(struct pci_tsm *t, struct pci_tsm_result *res)
{
	uint8_t regs[TSM_QUERY_CAP];
	struct ide_km_msg info;
	uint32_t v;
	size_t n;
	int rc;

	res->step = "IDE_KM QUERY";
	rc = ide_km_req_query(&t->vt, 0, &info, regs, sizeof(regs), &n);
	if (rc)
		return rc;
	v = (uint32_t)regs[0] | (uint32_t)regs[1] << 8 | (uint32_t)regs[2] << 16 |
	    (uint32_t)regs[3] << 24;
	if (n < 4 || v != res->ide_cap_reg || info.bus != t->dev->bus->number ||
	    info.dev_func != t->dev->devfn) {
		snprintf(res->reason, sizeof(res->reason),
			 "%s: QUERY_RESP (%02x:%02x IDE Capability %#x) does not match config space (%02x:%02x %#x)",
			 res->step, info.bus, info.dev_func, v, t->dev->bus->number, t->dev->devfn,
			 res->ide_cap_reg);
		return -EPROTO;
	}
	return 0;
}

/* KEY_PROG + K_SET_GO of the six keys of key set 0 (§6.33.3). */
static int tsm_ide_keys(struct pci_tsm *t, struct pci_tsm_result *res)
{
	uint8_t key[IDE_KM_KEY_SIZE], ifv[IDE_KM_IFV_SIZE] = { 0 };
	unsigned int i;
	int rc = 0;

	for (i = 0; i < PCI_TSM_NR_KEYS; i++)
		res->key_ks[i] = ide_km_ks(i & 1, i / 2, 0);
	res->step = "IDE_KM KEY_PROG";
	for (i = 0; i < PCI_TSM_NR_KEYS; i++) {
		/* A fresh key per direction and sub-stream; the host's half of
		 * the stream would get the same keys (its Tx is our Rx). */
		rc = spdm_random(key, sizeof(key));
		if (rc)
			break;
		rc = ide_km_req_key_prog(&t->vt, 0, t->stream_id, res->key_ks[i], key, ifv,
					 &res->kp_status);
		if (rc)
			break;
		res->kp_status = 0;
		res->keys_programmed++;
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (rc)
		return rc;
	res->step = "IDE_KM K_SET_GO";
	for (i = 0; i < PCI_TSM_NR_KEYS; i++) {
		rc = ide_km_req_key_set_go(&t->vt, 0, t->stream_id, res->key_ks[i]);
		if (rc)
			return rc;
		res->keys_started++;
	}
	return 0;
}

/* Selective IDE Stream block 0 (§7.9.26.5): associate the host side (RID
 * 00:00.0 of the segment), then Stream ID + Enable; the stream must read
 * Secure once its keys are in place. */
static int tsm_ide_enable(struct pci_tsm *t, struct pci_tsm_result *res)
{
	uint16_t blk = t->sel_block;
	uint32_t sts;
	int rc;

	res->step = "IDE stream enable";
	rc = pci_write_config_dword(t->dev, blk + PCI_IDE_SEL_RID_1, 0);
	if (!rc)
		rc = pci_write_config_dword(t->dev, blk + PCI_IDE_SEL_RID_2,
					    PCI_IDE_SEL_RID_2_VALID |
					    (uint32_t)pci_domain_nr(t->dev->bus) << 24);
	if (!rc)
		rc = pci_write_config_dword(t->dev, blk + PCI_IDE_SEL_CTL,
					    (uint32_t)t->stream_id << PCI_IDE_STREAM_CTL_ID_SHIFT |
					    PCI_IDE_STREAM_CTL_EN);
	if (!rc)
		rc = pci_read_config_dword(t->dev, blk + PCI_IDE_SEL_STS, &sts);
	if (rc)
		return rc;
	res->stream_state = sts & PCI_IDE_STREAM_STS_STATE;
	if (res->stream_state != PCI_IDE_STATE_SECURE) {
		snprintf(res->reason, sizeof(res->reason),
			 "%s: Stream Status State is %#x, not Secure", res->step,
			 res->stream_state);
		return -EIO;
	}
	return 0;
}

static int tsm_tdisp(struct pci_tsm *t, struct pci_tsm_result *res)
{
	struct tdisp_lock_params lp = {
		.flags = TDISP_LOCK_NO_FW_UPDATE,
		.default_stream_id = t->stream_id,
	};
	uint8_t nonce[TDISP_NONCE_SIZE], *rep;
	struct tdisp_report r;
	int rc;

	res->step = "TDISP GET_VERSION";
	rc = tdisp_req_get_version(&t->tq, t->fid, &res->tdisp_version);
	if (rc)
		return rc;
	res->step = "TDISP GET_CAPABILITIES";
	rc = tdisp_req_get_capabilities(&t->tq, t->fid, 0, &res->tdisp_caps);
	if (rc)
		return rc;
	lp.flags &= res->tdisp_caps.lock_flags_supported;
	res->step = "TDISP GET_DEVICE_INTERFACE_STATE";
	rc = tsm_expect_state(t, res, TDISP_STATE_CONFIG_UNLOCKED);
	if (rc)
		return rc;
	res->step = "TDISP LOCK_INTERFACE";
	rc = tdisp_req_lock_interface(&t->tq, t->fid, &lp, nonce);
	if (!rc)
		rc = tsm_expect_state(t, res, TDISP_STATE_CONFIG_LOCKED);
	if (rc)
		goto out;
	res->step = "TDISP GET_DEVICE_INTERFACE_REPORT";
	rep = pl_zalloc(TSM_REPORT_CAP);
	if (!rep) {
		rc = -ENOMEM;
		goto out;
	}
	rc = tdisp_req_get_report(&t->tq, t->fid, 0, rep, TSM_REPORT_CAP, &res->report_len);
	if (!rc)
		rc = tdisp_report_decode(rep, res->report_len, &r, res->ranges,
					 PCI_TSM_MAX_RANGES);
	free(rep);
	if (rc)
		goto out;
	res->interface_info = r.interface_info;
	res->nr_ranges = r.nranges;
	res->step = "TDISP START_INTERFACE";
	rc = tdisp_req_start_interface(&t->tq, t->fid, nonce);
	if (!rc)
		rc = tsm_expect_state(t, res, TDISP_STATE_RUN);
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return rc;
}

static void tsm_free(struct pci_tsm *t)
{
	pci_cma_conn_close(t->conn);
	pci_doe_release(t->dd);
	free(t);
}

int pci_tsm_connect(struct pci_dev *dev, X509_STORE *trust, uint8_t stream_id,
		    struct pci_tsm_result *res, struct pci_tsm **out)
{
	struct spdm_requester *req;
	struct pci_doe_mb *mb;
	struct pci_tsm *t;
	int rc, blk;

	*out = NULL;
	memset(res, 0, sizeof(*res));
	res->stream_id = stream_id;
	t = pl_zalloc(sizeof(*t));
	if (!t) {
		res->err = -ENOMEM;
		res->step = "setup";
		snprintf(res->reason, sizeof(res->reason), "setup: out of memory");
		return -ENOMEM;
	}
	t->dev = dev;
	t->stream_id = stream_id;
	t->fid = TDISP_FUNC_ID((uint16_t)(dev->bus->number << 8 | dev->devfn),
			       pci_domain_nr(dev->bus), pci_domain_nr(dev->bus) != 0);
	res->function_id = t->fid;

	/* IDE capability (§7.9.26): Selective streams keyed by IDE_KM. */
	res->step = "IDE capability";
	res->ide_cap = pci_find_ext_capability(dev, PCI_EXT_CAP_ID_IDE);
	if (!res->ide_cap) {
		rc = -ENODEV;
		snprintf(res->reason, sizeof(res->reason), "%s: the function has none",
			 res->step);
		goto err;
	}
	rc = pci_read_config_dword(dev, res->ide_cap + PCI_IDE_CAP, &res->ide_cap_reg);
	if (rc)
		goto err;
	if (!(res->ide_cap_reg & PCI_IDE_CAP_IDE_KM) ||
	    !(res->ide_cap_reg & PCI_IDE_CAP_SELECTIVE)) {
		rc = -EOPNOTSUPP;
		snprintf(res->reason, sizeof(res->reason),
			 "%s: no IDE_KM or no Selective IDE Streams (%#x)", res->step,
			 res->ide_cap_reg);
		goto err;
	}
	/* Selective blocks follow the Link blocks (one per TC), §7.9.26.1. */
	blk = res->ide_cap + PCI_IDE_LINK_STREAM_0;
	if (res->ide_cap_reg & PCI_IDE_CAP_LINK)
		blk += PCI_IDE_LINK_BLOCK_SIZE *
		       (int)(((res->ide_cap_reg & PCI_IDE_CAP_LINK_TC_MASK) >>
			      PCI_IDE_CAP_LINK_TC_SHIFT) + 1);
	t->sel_block = res->sel_block = (uint16_t)blk;

	res->step = "DOE probe";
	t->dd = pci_doe_probe(dev);
	if (IS_ERR(t->dd)) {
		rc = (int)PTR_ERR(t->dd);
		t->dd = NULL;
		goto err;
	}
	mb = pci_doe_find_mailbox(t->dd, SPDM_DOE_VENDOR_PCISIG, SPDM_DOE_TYPE_SPDM);
	if (!mb) {
		rc = -ENODEV;
		snprintf(res->reason, sizeof(res->reason), "%s: no DOE mailbox supports CMA-SPDM",
			 res->step);
		goto err;
	}
	res->step = "CMA-SPDM authentication";
	rc = pci_cma_connect_mb(mb, trust, &res->cma, &t->conn);
	if (rc) {
		snprintf(res->reason, sizeof(res->reason), "%s", res->cma.reason);
		goto err;
	}
	req = pci_cma_conn_requester(t->conn);
	t->vt = (struct pcisig_vdm_transport){ spdm_req_pcisig_vdm, req };
	t->tq = (struct tdisp_requester){ .t = t->vt };

	res->step = "KEY_EXCHANGE/FINISH";
	rc = spdm_req_start_session(req, 0, &res->session_id);
	if (rc)
		goto err;
	t->session = res->session = true;

	rc = tsm_ide_query(t, res);
	if (!rc)
		rc = tsm_ide_keys(t, res);
	if (!rc)
		rc = tsm_ide_enable(t, res);
	if (!rc)
		rc = tsm_tdisp(t, res);
	if (rc)
		goto err;
	res->step = NULL;
	*out = t;
	return 0;
err:
	res->tdisp_error = t->tq.last_error;
	tsm_fail(t, res, rc);
	if (t->session) {
		/* Leave the device as we found it, as far as it lets us. */
		struct pci_tsm_stop_result sr;

		pci_tsm_stop(t, &sr);
		return rc;
	}
	tsm_free(t);
	return rc;
}

int pci_tsm_tdi_state(struct pci_tsm *t, uint8_t *state)
{
	return tdisp_req_get_state(&t->tq, t->fid, state);
}

int pci_tsm_stop(struct pci_tsm *t, struct pci_tsm_stop_result *sr)
{
	unsigned int i;
	uint32_t ctl, sts;
	int rc, first = 0;

	memset(sr, 0, sizeof(*sr));
	if (!t)
		return 0;
	if (!t->session)
		goto out;
	/* STOP_INTERFACE: any state → CONFIG_UNLOCKED (§11.3.15). */
	rc = tdisp_req_stop_interface(&t->tq, t->fid);
	if (!rc)
		rc = tdisp_req_get_state(&t->tq, t->fid, &sr->tdi_state);
	first = rc;
	/* Keys down (K_SET_STOP, §6.33.3); a key never started is refused. */
	for (i = 0; i < PCI_TSM_NR_KEYS; i++) {
		rc = ide_km_req_key_set_stop(&t->vt, 0, t->stream_id, ide_km_ks(i & 1, i / 2, 0));
		if (!rc)
			sr->keys_stopped++;
	}
	/* Stream Enable off: the stream is Insecure (§7.9.26.5.2). */
	rc = pci_read_config_dword(t->dev, t->sel_block + PCI_IDE_SEL_CTL, &ctl);
	if (!rc)
		rc = pci_write_config_dword(t->dev, t->sel_block + PCI_IDE_SEL_CTL,
					    ctl & ~(uint32_t)PCI_IDE_STREAM_CTL_EN);
	if (!rc)
		rc = pci_read_config_dword(t->dev, t->sel_block + PCI_IDE_SEL_STS, &sts);
	if (!rc)
		sr->stream_state = sts & PCI_IDE_STREAM_STS_STATE;
	if (!first)
		first = rc;
	rc = spdm_req_end_session(pci_cma_conn_requester(t->conn));
	if (!first)
		first = rc;
out:
	tsm_free(t);
	return first;
}
