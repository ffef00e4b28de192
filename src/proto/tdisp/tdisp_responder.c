// SPDX-License-Identifier: MIT
/*
 * TDISP responder: the Device Security Manager's side of PCIe r6.2 §11.
 * Each TDI (one per configured FUNCTION_ID) runs the state machine of
 * §11.2:
 *
 *   CONFIG_UNLOCKED --LOCK_INTERFACE--> CONFIG_LOCKED --START(nonce)--> RUN
 *   CONFIG_LOCKED/RUN --forbidden config change--> ERROR
 *   any state --STOP_INTERFACE--> CONFIG_UNLOCKED
 *
 * A request not allowed in the current state gets TDISP_ERROR
 * INVALID_INTERFACE_STATE and changes nothing; START with a nonce other
 * than the one LOCK_INTERFACE_RESPONSE returned gets INVALID_NONCE. The
 * nonce is single use. The report is built once, at LOCK time, and
 * served in chunks while CONFIG_LOCKED or RUN.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "proto/tdisp/tdisp.h"

#define TDISP_REPORT_MAX	(PCISIG_VDM_MAX * 4)

struct tdisp_tdi {
	uint32_t function_id;
	uint8_t state;
	bool nonce_valid;
	uint8_t nonce[TDISP_NONCE_SIZE];
	struct tdisp_lock_params lock;
	uint8_t *report;		/* built at LOCK, freed at STOP */
	size_t report_len;
};

struct tdisp_responder {
	struct tdisp_responder_cfg cfg;
	struct tdisp_tdi *tdis;		/* cfg.ntdi entries */
};

struct tdisp_responder *tdisp_responder_new(const struct tdisp_responder_cfg *cfg)
{
	struct tdisp_responder *r;
	unsigned int i;

	if (!cfg->ntdi || !cfg->function_ids || !cfg->ops || !cfg->ops->report)
		return ERR_PTR(-EINVAL);
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->tdis = pl_calloc(cfg->ntdi, sizeof(*r->tdis));
	if (!r->tdis)
		goto err_free_r;
	r->cfg = *cfg;
	r->cfg.function_ids = NULL;	/* copied into tdis */
	if (!r->cfg.max_portion)
		r->cfg.max_portion = 256;
	for (i = 0; i < cfg->ntdi; i++) {
		r->tdis[i].function_id = cfg->function_ids[i];
		r->tdis[i].state = TDISP_STATE_CONFIG_UNLOCKED;
	}
	return r;
err_free_r:
	free(r);
	return ERR_PTR(-ENOMEM);
}

static void tdi_unlock(struct tdisp_tdi *t)
{
	free(t->report);
	t->report = NULL;
	t->report_len = 0;
	OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	t->nonce_valid = false;
}

void tdisp_responder_free(struct tdisp_responder *r)
{
	unsigned int i;

	if (IS_ERR_OR_NULL(r))
		return;
	for (i = 0; i < r->cfg.ntdi; i++)
		tdi_unlock(&r->tdis[i]);
	free(r->tdis);
	free(r);
}

static struct tdisp_tdi *find_tdi(const struct tdisp_responder *r, uint32_t fid)
{
	unsigned int i;

	for (i = 0; i < r->cfg.ntdi; i++)
		if (r->tdis[i].function_id == fid)
			return &r->tdis[i];
	return NULL;
}

static void set_state(struct tdisp_responder *r, struct tdisp_tdi *t, uint8_t s)
{
	uint8_t old = t->state;

	t->state = s;
	if (old != s && r->cfg.ops->state_changed)
		r->cfg.ops->state_changed(r->cfg.ctx, t->function_id, old, s);
}

int tdisp_responder_state(const struct tdisp_responder *r, uint32_t fid)
{
	const struct tdisp_tdi *t = find_tdi(r, fid);

	return t ? t->state : -ENOENT;
}

bool tdisp_responder_tdi_error(struct tdisp_responder *r, uint32_t fid)
{
	struct tdisp_tdi *t = find_tdi(r, fid);

	if (!t || (t->state != TDISP_STATE_CONFIG_LOCKED && t->state != TDISP_STATE_RUN))
		return false;
	pl_info("tdisp: TDI %#x: locked configuration changed, entering ERROR", fid);
	/* The nonce can no longer start the TDI; the report stays until STOP. */
	OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	t->nonce_valid = false;
	set_state(r, t, TDISP_STATE_ERROR);
	return true;
}

static int error_rsp(uint32_t fid, uint32_t code, uint32_t data, void *out, size_t cap)
{
	struct tdisp_msg e = { .version = TDISP_VERSION_10, .type = TDISP_ERROR,
			       .function_id = fid, .error_code = code, .error_data = data };

	return tdisp_encode(&e, out, cap);
}

static int do_lock(struct tdisp_responder *r, struct tdisp_tdi *t, const struct tdisp_msg *m,
		   struct tdisp_msg *a, void *out, size_t cap)
{
	uint8_t *rep;
	int n, rlen;

	if (t->state != TDISP_STATE_CONFIG_UNLOCKED)
		return error_rsp(t->function_id, TDISP_ERR_INVALID_INTERFACE_STATE, 0, out, cap);
	/* Only flags the DSM advertised (§11.3.7). */
	if (m->lock.flags & ~r->cfg.caps.lock_flags_supported)
		return error_rsp(t->function_id, TDISP_ERR_INVALID_REQUEST, 0, out, cap);
	if (r->cfg.fixed_nonce)
		memcpy(t->nonce, r->cfg.fixed_nonce, TDISP_NONCE_SIZE);
	else if (should_fail("tdisp_nonce") || RAND_bytes(t->nonce, TDISP_NONCE_SIZE) != 1)
		return error_rsp(t->function_id, TDISP_ERR_INSUFFICIENT_ENTROPY, 0, out, cap);
	rep = pl_zalloc(TDISP_REPORT_MAX);
	if (!rep)
		return error_rsp(t->function_id, TDISP_ERR_BUSY, 0, out, cap);
	rlen = r->cfg.ops->report(r->cfg.ctx, t->function_id, &m->lock, rep, TDISP_REPORT_MAX);
	if (rlen <= 0) {
		free(rep);
		return error_rsp(t->function_id, TDISP_ERR_INVALID_DEVICE_CONFIGURATION, 0, out,
				 cap);
	}
	a->type = TDISP_LOCK_INTERFACE_RSP;
	a->nonce = t->nonce;
	n = tdisp_encode(a, out, cap);
	if (n < 0) {
		free(rep);
		return n;
	}
	/* Nothing can fail any more: commit. */
	free(t->report);
	t->report = rep;
	t->report_len = (size_t)rlen;
	t->lock = m->lock;
	t->nonce_valid = true;
	set_state(r, t, TDISP_STATE_CONFIG_LOCKED);
	return n;
}

static int do_report(struct tdisp_responder *r, struct tdisp_tdi *t, const struct tdisp_msg *m,
		     struct tdisp_msg *a, void *out, size_t cap)
{
	size_t portion;

	if (t->state != TDISP_STATE_CONFIG_LOCKED && t->state != TDISP_STATE_RUN)
		return error_rsp(t->function_id, TDISP_ERR_INVALID_INTERFACE_STATE, 0, out, cap);
	if (!m->length || m->offset >= t->report_len)
		return error_rsp(t->function_id, TDISP_ERR_INVALID_REQUEST, 0, out, cap);
	portion = MIN(MIN((size_t)m->length, t->report_len - m->offset),
		      (size_t)r->cfg.max_portion);
	a->type = TDISP_DEVICE_INTERFACE_REPORT;
	a->portion_len = (uint16_t)portion;
	a->remainder_len = (uint16_t)(t->report_len - m->offset - portion);
	a->portion = t->report + m->offset;
	return tdisp_encode(a, out, cap);
}

static int do_start(struct tdisp_responder *r, struct tdisp_tdi *t, const struct tdisp_msg *m,
		    struct tdisp_msg *a, void *out, size_t cap)
{
	int n;

	if (t->state != TDISP_STATE_CONFIG_LOCKED)
		return error_rsp(t->function_id, TDISP_ERR_INVALID_INTERFACE_STATE, 0, out, cap);
	if (!t->nonce_valid || CRYPTO_memcmp(m->nonce, t->nonce, TDISP_NONCE_SIZE))
		return error_rsp(t->function_id, TDISP_ERR_INVALID_NONCE, 0, out, cap);
	a->type = TDISP_START_INTERFACE_RSP;
	n = tdisp_encode(a, out, cap);
	if (n < 0)
		return n;
	OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	t->nonce_valid = false;
	set_state(r, t, TDISP_STATE_RUN);
	return n;
}

int tdisp_responder_handle(struct tdisp_responder *r, const void *q, size_t qn, void *out,
			   size_t cap)
{
	static const uint8_t versions[] = { TDISP_VERSION_10 };
	const uint8_t *b = q;
	struct tdisp_msg m, a;
	struct tdisp_tdi *t;
	uint32_t fid = 0;
	int rc, n;

	if (qn >= 9)
		fid = (uint32_t)b[5] | (uint32_t)b[6] << 8 | (uint32_t)b[7] << 16 |
		      (uint32_t)b[8] << 24;
	rc = tdisp_decode(q, qn, &m);
	if (rc) {
		/* §11.3.1: a request of another TDISP version. */
		if (qn >= 3 && b[0] == PCISIG_VDM_PROTO_TDISP && b[1] != TDISP_VERSION_10)
			return error_rsp(fid, TDISP_ERR_VERSION_MISMATCH, 0, out, cap);
		if (qn >= 3 && b[0] == PCISIG_VDM_PROTO_TDISP && (b[2] & 0x80) &&
		    b[2] > TDISP_STOP_INTERFACE_REQ)
			return error_rsp(fid, TDISP_ERR_UNSUPPORTED_REQUEST, b[2], out, cap);
		return error_rsp(fid, TDISP_ERR_INVALID_REQUEST, 0, out, cap);
	}
	if (!(m.type & 0x80))
		return error_rsp(fid, TDISP_ERR_INVALID_REQUEST, 0, out, cap);
	t = find_tdi(r, m.function_id);
	if (!t)
		return error_rsp(fid, TDISP_ERR_INVALID_INTERFACE, 0, out, cap);
	a = (struct tdisp_msg){ .version = TDISP_VERSION_10, .function_id = m.function_id };
	switch (m.type) {
	case TDISP_GET_VERSION:
		a.type = TDISP_VERSION;
		a.nversions = 1;
		a.versions = versions;
		break;
	case TDISP_GET_CAPABILITIES:
		a.type = TDISP_CAPABILITIES;
		a.caps = r->cfg.caps;
		break;
	case TDISP_LOCK_INTERFACE_REQ:
		return do_lock(r, t, &m, &a, out, cap);
	case TDISP_GET_DEVICE_INTERFACE_REPORT:
		return do_report(r, t, &m, &a, out, cap);
	case TDISP_GET_DEVICE_INTERFACE_STATE:
		a.type = TDISP_DEVICE_INTERFACE_STATE;
		a.state = t->state;
		break;
	case TDISP_START_INTERFACE_REQ:
		return do_start(r, t, &m, &a, out, cap);
	case TDISP_STOP_INTERFACE_REQ:
		a.type = TDISP_STOP_INTERFACE_RSP;
		n = tdisp_encode(&a, out, cap);
		if (n < 0)
			return n;
		/* §11.2: STOP from any state returns the TDI to
		 * CONFIG_UNLOCKED; the device scrubs TDI state. */
		tdi_unlock(t);
		set_state(r, t, TDISP_STATE_CONFIG_UNLOCKED);
		return n;
	default:
		/* P2P binding, MMIO attributes, VDM: not modelled. */
		return error_rsp(m.function_id, TDISP_ERR_UNSUPPORTED_REQUEST, m.type, out, cap);
	}
	return tdisp_encode(&a, out, cap);
}
