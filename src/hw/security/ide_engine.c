// SPDX-License-Identifier: MIT
/*
 * IDE engine: AES-256-GCM TLP protection for IDE streams (PCIe r6.2
 * §6.33.4-§6.33.6). See ide_engine.h for the model and docs/ide-tdisp.md
 * for where it simplifies the specification.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <linux/pci_regs.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "hw/pcidev/caps.h"
#include "hw/pcidev/pcidev.h"
#include "hw/security/ide_engine.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"

struct hw_ide_key {
	bool valid;
	uint8_t key[32];
	uint64_t ifv;		/* initial invocation field */
	uint64_t ctr;		/* TLPs protected so far */
};

/* One direction of one Sub-stream: both key sets and the one in use. */
struct hw_ide_sub {
	struct hw_ide_key ks[2];
	int active;		/* key set used for Tx / last K_SET_GO; -1 none */
};

struct hw_ide_stream {
	bool used;
	uint8_t id;
	bool failed;		/* integrity failure seen: Insecure until torn down */
	enum hw_ide_err err;	/* why it failed; 0 when it has not */
	struct hw_ide_sub sub[2][IDE_KM_NSUB];	/* [tx][sub] */
};

struct hw_ide_engine {
	struct hw_ide_engine *next;	/* in hw_ide_engines (dev != NULL only) */
	struct hw_pcidev *dev;
	struct hw_ide_engine_cfg cfg;
	struct hw_ide_stream streams[HW_IDE_MAX_STREAMS];
};

/* Engines bound to a function, for hw_ide_engine_of() (the link model
 * finds the device end of a stream by the function a TLP targets). The
 * simulator is single-threaded. */
static struct hw_ide_engine *hw_ide_engines;

static bool sync_state(struct hw_ide_engine *e, struct hw_ide_stream *s);

/* Software wrote a Stream Control register: Enable or the Stream ID may
 * have changed, so every stream's State is recomputed. */
static void ctl_changed(void *ctx)
{
	struct hw_ide_engine *e = ctx;
	unsigned int i;

	for (i = 0; i < HW_IDE_MAX_STREAMS; i++)
		if (e->streams[i].used)
			sync_state(e, &e->streams[i]);
}

struct hw_ide_engine *hw_ide_engine_new(struct hw_pcidev *dev, const struct hw_ide_engine_cfg *cfg)
{
	struct hw_ide_engine *e = pl_zalloc(sizeof(*e));
	int rc;

	if (!e)
		return ERR_PTR(-ENOMEM);
	e->dev = dev;
	if (cfg)
		e->cfg = *cfg;
	if (dev && hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_IDE)) {
		rc = hw_cap_ide_set_notify(dev, ctl_changed, e);	/* until free */
		if (rc)
			goto err_free_e;
	}
	if (dev) {
		e->next = hw_ide_engines;
		hw_ide_engines = e;
	}
	return e;
err_free_e:
	free(e);
	return ERR_PTR(rc);
}

void hw_ide_engine_free(struct hw_ide_engine *e)
{
	struct hw_ide_engine **pp;

	if (IS_ERR_OR_NULL(e))
		return;
	for (pp = &hw_ide_engines; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	if (e->dev && hw_pcidev_find_ext_cap(e->dev, PCI_EXT_CAP_ID_IDE))
		hw_cap_ide_set_notify(e->dev, NULL, NULL);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

static struct hw_ide_stream *find_stream(struct hw_ide_engine *e, uint8_t id)
{
	unsigned int i;

	for (i = 0; i < HW_IDE_MAX_STREAMS; i++)
		if (e->streams[i].used && e->streams[i].id == id)
			return &e->streams[i];
	return NULL;
}

/* The Link or Selective Stream register block whose Stream Control names
 * this Stream ID (config offset), or -ENOENT. */
static int stream_block(struct hw_ide_engine *e, uint8_t id)
{
	unsigned int sel, i;
	int off;

	if (!e->dev)
		return -ENOENT;
	for (sel = 0; sel < 2; sel++)
		for (i = 0; (off = hw_cap_ide_stream_block(e->dev, sel, i)) >= 0; i++) {
			uint16_t ctl = (uint16_t)(off + (sel ? PCI_IDE_SEL_CTL : PCI_IDE_LINK_CTL));

			if ((hw_pcidev_get32(e->dev, ctl) & PCI_IDE_STREAM_CTL_ID_MASK) >>
			    PCI_IDE_STREAM_CTL_ID_SHIFT == id)
				return sel ? off + PCI_IDE_SEL_STS : off + PCI_IDE_LINK_STS;
		}
	return -ENOENT;
}

/* Secure (§6.33.6) when every Sub-stream of both directions has a key in
 * use, no integrity failure was seen, and, on a function with an IDE
 * capability, its register block has Enable set. */
static bool stream_secure(struct hw_ide_engine *e, struct hw_ide_stream *s)
{
	unsigned int d, i;
	int sts;

	if (s->failed)
		return false;
	for (d = 0; d < 2; d++)
		for (i = 0; i < IDE_KM_NSUB; i++)
			if (s->sub[d][i].active < 0)
				return false;
	if (!e->dev)
		return true;
	sts = stream_block(e, s->id);
	/* Status sits 4 bytes after Control in both kinds of block. */
	return sts >= 0 && (hw_pcidev_get32(e->dev, (uint16_t)(sts - 4)) & PCI_IDE_STREAM_CTL_EN);
}

/* Mirror the state into Stream Status (RO State field, §7.9.26.4.2). */
static bool sync_state(struct hw_ide_engine *e, struct hw_ide_stream *s)
{
	bool secure = stream_secure(e, s);
	int sts = stream_block(e, s->id);
	uint32_t v;

	if (sts >= 0) {
		v = hw_pcidev_get32(e->dev, (uint16_t)sts) & ~PCI_IDE_STREAM_STS_STATE;
		v |= secure ? PCI_IDE_STATE_SECURE : PCI_IDE_STATE_INSECURE;
		hw_pcidev_set32(e->dev, (uint16_t)sts, v);
	}
	return secure;
}

static void stream_fail(struct hw_ide_engine *e, struct hw_ide_stream *s, enum hw_ide_err err)
{
	uint16_t aer;

	s->failed = true;
	s->err = err;
	sync_state(e, s);
	/* AER Uncorrectable Error Status, IDE Check Failed (§7.8.4.2). */
	if (e->dev && (aer = hw_pcidev_find_ext_cap(e->dev, PCI_EXT_CAP_ID_ERR)) &&
	    (err == HW_IDE_ERR_MAC || err == HW_IDE_ERR_REPLAY))
		hw_pcidev_set32(e->dev, aer + PCI_ERR_UNCOR_STATUS,
				hw_pcidev_get32(e->dev, aer + PCI_ERR_UNCOR_STATUS) |
				PCI_ERR_UNC_IDE_CHECK);
	pl_info("ide: stream %u insecure (error %d)", s->id, err);
	if (e->cfg.report)
		e->cfg.report(e->cfg.ctx, s->id, err);
}

static int ks_decode(uint8_t ks, unsigned int *tx, unsigned int *sub, unsigned int *set)
{
	*tx = !!(ks & IDE_KM_KS_TX);
	*sub = (ks & IDE_KM_KS_SUB_MASK) >> IDE_KM_KS_SUB_SHIFT;
	*set = ks & IDE_KM_KS_KEYSET;
	return *sub < IDE_KM_NSUB ? 0 : -EINVAL;
}

int hw_ide_key_go(struct hw_ide_engine *e, uint8_t stream_id, uint8_t ks,
		  const uint8_t key[32], const uint8_t ifv[8])
{
	struct hw_ide_stream *s = find_stream(e, stream_id);
	unsigned int tx, sub, set, i, d;
	struct hw_ide_key *k;

	if (ks_decode(ks, &tx, &sub, &set))
		return -EINVAL;
	for (i = 0; !s && i < HW_IDE_MAX_STREAMS; i++) {
		if (e->streams[i].used)
			continue;
		s = &e->streams[i];
		memset(s, 0, sizeof(*s));
		for (d = 0; d < 2 * IDE_KM_NSUB; d++)
			s->sub[d / IDE_KM_NSUB][d % IDE_KM_NSUB].active = -1;
		s->used = true;
		s->id = stream_id;
	}
	if (!s)
		return -ENOSPC;
	k = &s->sub[tx][sub].ks[set];
	memcpy(k->key, key, sizeof(k->key));
	/* IFV: the 2-DWORD field of KEY_PROG, taken as a LE 64-bit value. */
	k->ifv = 0;
	for (i = 0; i < 8; i++)
		k->ifv |= (uint64_t)ifv[i] << (8 * i);
	k->ctr = 0;
	k->valid = true;
	s->sub[tx][sub].active = (int)set;
	sync_state(e, s);
	return 0;
}

int hw_ide_key_stop(struct hw_ide_engine *e, uint8_t stream_id, uint8_t ks)
{
	struct hw_ide_stream *s = find_stream(e, stream_id);
	unsigned int tx, sub, set, d;
	struct hw_ide_sub *u;

	if (ks_decode(ks, &tx, &sub, &set))
		return -EINVAL;
	if (!s || !s->sub[tx][sub].ks[set].valid)
		return -ENOENT;
	u = &s->sub[tx][sub];
	OPENSSL_cleanse(&u->ks[set], sizeof(u->ks[set]));
	if (u->active == (int)set)
		u->active = u->ks[!set].valid ? (int)!set : -1;
	/* Tearing the stream down clears a past failure (§6.33.6: the
	 * stream must be re-established with new keys). */
	s->failed = false;
	s->err = 0;
	sync_state(e, s);
	for (d = 0; d < 2 * IDE_KM_NSUB; d++)
		if (s->sub[d / IDE_KM_NSUB][d % IDE_KM_NSUB].active >= 0)
			return 0;
	s->used = false;
	return 0;
}

int hw_ide_stream_state(struct hw_ide_engine *e, uint8_t stream_id)
{
	struct hw_ide_stream *s = find_stream(e, stream_id);

	if (!s)
		return -ENOENT;
	return sync_state(e, s) ? PCI_IDE_STATE_SECURE : PCI_IDE_STATE_INSECURE;
}

/* §6.33.5 IV: fixed field || invocation field (IFV + n), big endian. */
static void make_iv(const struct hw_ide_key *k, uint64_t n, uint8_t iv[12])
{
	uint64_t inv = k->ifv + n;
	unsigned int i;

	for (i = 0; i < 4; i++)
		iv[i] = (uint8_t)(HW_IDE_IV_FIXED >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(inv >> (56 - 8 * i));
}

/* AES-256-GCM with AAD = IDE prefix || TLP header and a 96-bit tag. */
static int gcm(bool enc, const struct hw_ide_key *k, uint64_t n, const struct hw_ide_tlp *t,
	       const uint8_t *in, uint8_t *out, uint8_t *mac)
{
	EVP_CIPHER_CTX *c;
	uint8_t iv[12];
	int len, ok;

	if (should_fail("ide_gcm"))
		return -ENOMEM;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return -ENOMEM;
	make_iv(k, n, iv);
	ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, k->key, iv, enc) &&
	     EVP_CipherUpdate(c, NULL, &len, t->prefix, HW_IDE_PREFIX_SIZE) &&
	     EVP_CipherUpdate(c, NULL, &len, t->hdr, (int)t->hdr_len) &&
	     (!t->len || EVP_CipherUpdate(c, out, &len, in, (int)t->len));
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, HW_IDE_MAC_SIZE, mac);
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + t->len, &len);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, HW_IDE_MAC_SIZE, mac);
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(iv, sizeof(iv));
	return ok ? 0 : -EBADMSG;
}

static bool tlp_ok(const struct hw_ide_tlp *t)
{
	return (t->hdr_len == 12 || t->hdr_len == 16) && (t->data || !t->len) &&
	       t->len <= 4096;
}

int hw_ide_tx(struct hw_ide_engine *e, uint8_t stream_id, unsigned int sub,
	      struct hw_ide_tlp *tlp)
{
	struct hw_ide_stream *s = find_stream(e, stream_id);
	struct hw_ide_sub *u;
	struct hw_ide_key *k;
	int rc;

	if (sub >= IDE_KM_NSUB || !tlp_ok(tlp))
		return -EINVAL;
	if (!s || !sync_state(e, s))
		return -ENOTCONN;
	u = &s->sub[1][sub];
	k = &u->ks[u->active];
	/* The invocation field must never repeat under one key. */
	if (k->ctr == UINT64_MAX - k->ifv) {
		stream_fail(e, s, HW_IDE_ERR_COUNTER);
		return -ERANGE;
	}
	tlp->prefix[0] = HW_IDE_PREFIX_TYPE;
	tlp->prefix[1] = (uint8_t)(HW_IDE_PREFIX_M | (u->active ? HW_IDE_PREFIX_K : 0));
	tlp->prefix[2] = (uint8_t)sub;
	tlp->prefix[3] = stream_id;
	rc = gcm(true, k, k->ctr, tlp, tlp->data, tlp->data, tlp->mac);
	if (rc)
		return rc;
	k->ctr++;
	return 0;
}

int hw_ide_rx(struct hw_ide_engine *e, struct hw_ide_tlp *tlp)
{
	struct hw_ide_stream *s;
	struct hw_ide_key *k;
	uint8_t *pt = NULL;
	unsigned int sub, back;
	int rc;

	if (!tlp_ok(tlp) || tlp->prefix[0] != HW_IDE_PREFIX_TYPE)
		return -EINVAL;
	s = find_stream(e, tlp->prefix[3]);
	if (!s || !sync_state(e, s))
		return -ENOTCONN;
	sub = tlp->prefix[2] & HW_IDE_PREFIX_SUB_MASK;
	if (sub >= IDE_KM_NSUB || !(tlp->prefix[1] & HW_IDE_PREFIX_M)) {
		stream_fail(e, s, HW_IDE_ERR_MAC);
		return -EBADMSG;
	}
	k = &s->sub[0][sub].ks[!!(tlp->prefix[1] & HW_IDE_PREFIX_K)];
	if (!k->valid) {
		stream_fail(e, s, HW_IDE_ERR_NO_KEY);
		return -EBADMSG;
	}
	if (k->ctr == UINT64_MAX - k->ifv) {
		stream_fail(e, s, HW_IDE_ERR_COUNTER);
		return -EBADMSG;
	}
	/* Open into a scratch buffer: a failing TLP leaves data untouched. */
	pt = pl_zalloc(tlp->len + 16);
	if (!pt)
		return -ENOMEM;
	rc = gcm(false, k, k->ctr, tlp, tlp->data, pt, tlp->mac);
	if (rc == -ENOMEM)
		goto out_free;
	if (!rc) {
		if (tlp->len)	/* header-only TLPs (read requests) have no data */
			memcpy(tlp->data, pt, tlp->len);
		k->ctr++;
		goto out_free;
	}
	/* Diagnose: does it authenticate under a counter already used? */
	for (back = 1; back <= HW_IDE_REPLAY_WINDOW && back <= k->ctr; back++)
		if (!gcm(false, k, k->ctr - back, tlp, tlp->data, pt, tlp->mac))
			break;
	stream_fail(e, s, back <= HW_IDE_REPLAY_WINDOW && back <= k->ctr ?
			  HW_IDE_ERR_REPLAY : HW_IDE_ERR_MAC);
	rc = -EBADMSG;
out_free:
	OPENSSL_cleanse(pt, tlp->len + 16);
	free(pt);
	return rc;
}

/* ---- the link model's view (ide_link.c) ---- */

struct hw_ide_engine *hw_ide_engine_of(const struct hw_pcidev *dev)
{
	struct hw_ide_engine *e;

	for (e = hw_ide_engines; e; e = e->next)
		if (e->dev == dev)
			return e;
	return NULL;
}

int hw_ide_engine_link_stream(struct hw_ide_engine *e)
{
	unsigned int i;

	for (i = 0; i < HW_IDE_MAX_STREAMS; i++) {
		struct hw_ide_stream *s = &e->streams[i];

		if (s->used && (s->failed || sync_state(e, s)))
			return s->id;
	}
	return -ENOENT;
}

int hw_ide_engine_last_error(struct hw_ide_engine *e, uint8_t stream_id)
{
	struct hw_ide_stream *s = find_stream(e, stream_id);

	return s ? (int)s->err : -ENOENT;
}

static bool key_same(const struct hw_ide_key *a, const struct hw_ide_key *b)
{
	return a->valid == b->valid && a->ifv == b->ifv &&
	       !CRYPTO_memcmp(a->key, b->key, sizeof(a->key));
}

int hw_ide_engine_mirror(struct hw_ide_engine *host, struct hw_ide_engine *dev,
			 uint8_t stream_id)
{
	struct hw_ide_stream *ds = find_stream(dev, stream_id);
	struct hw_ide_stream *hs = find_stream(host, stream_id);
	bool changed = false;
	unsigned int i, d, sub;

	if (!ds) {
		if (hs)
			OPENSSL_cleanse(hs, sizeof(*hs));
		return -ENOENT;
	}
	for (i = 0; !hs && i < HW_IDE_MAX_STREAMS; i++) {
		if (host->streams[i].used)
			continue;
		hs = &host->streams[i];
		memset(hs, 0, sizeof(*hs));
		hs->used = true;
		hs->id = stream_id;
		changed = true;
	}
	if (!hs)
		return -ENOSPC;
	/* The host's Tx is the device's Rx and the other way round. A key
	 * set the device does not hold the same way is copied with its
	 * counter; an unchanged one keeps the host's own counter, which
	 * advances in step with the device's as TLPs cross the link. */
	for (d = 0; d < 2; d++)
		for (sub = 0; sub < IDE_KM_NSUB; sub++) {
			struct hw_ide_sub *h = &hs->sub[d][sub], *x = &ds->sub[!d][sub];

			for (i = 0; i < 2; i++)
				if (!key_same(&h->ks[i], &x->ks[i])) {
					h->ks[i] = x->ks[i];
					changed = true;
				}
			h->active = x->active;
		}
	/* New keys re-establish the stream (§6.33.6). */
	if (changed) {
		hs->failed = false;
		hs->err = 0;
	}
	return 0;
}

/* ---- IDE_KM backend ---- */

static int km_query(void *ctx, uint8_t port, struct ide_km_msg *rsp, uint8_t *regs, size_t cap)
{
	struct hw_ide_engine *e = ctx;
	uint16_t pos, len, i;
	struct hw_pcicap *c;
	uint32_t v;

	if (!e->dev || !(pos = hw_pcidev_find_ext_cap(e->dev, PCI_EXT_CAP_ID_IDE)))
		return -ENODEV;
	c = hw_pcidev_get_pcicap(e->dev, true, PCI_EXT_CAP_ID_IDE, 0);
	len = (uint16_t)(c->len - PCI_IDE_CAP);
	if (len > cap)
		return -EMSGSIZE;
	for (i = 0; i < len; i += 4) {
		v = hw_pcidev_get32(e->dev, (uint16_t)(pos + PCI_IDE_CAP + i));
		regs[i] = (uint8_t)v;
		regs[i + 1] = (uint8_t)(v >> 8);
		regs[i + 2] = (uint8_t)(v >> 16);
		regs[i + 3] = (uint8_t)(v >> 24);
	}
	rsp->dev_func = e->cfg.rid ? (uint8_t)e->cfg.rid : e->dev->devfn;
	rsp->bus = (uint8_t)(e->cfg.rid >> 8);
	rsp->segment = e->cfg.segment;
	return len;
}

static int km_go(void *ctx, uint8_t port, uint8_t stream_id, uint8_t ks, const uint8_t *key,
		 const uint8_t *ifv)
{
	return hw_ide_key_go(ctx, stream_id, ks, key, ifv);
}

static int km_stop(void *ctx, uint8_t port, uint8_t stream_id, uint8_t ks)
{
	return hw_ide_key_stop(ctx, stream_id, ks);
}

const struct ide_km_responder_ops hw_ide_engine_km_ops = {
	.query = km_query,
	.key_go = km_go,
	.key_stop = km_stop,
};
