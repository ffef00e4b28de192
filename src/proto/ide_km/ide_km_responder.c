// SPDX-License-Identifier: MIT
/*
 * IDE_KM responder (device side, PCIe r6.2 §6.33.3). Keys live in slots
 * indexed by (Port Index, Stream ID), each with a key per direction
 * (Rx/Tx), Sub-stream (PR/NPR/CPL) and Key Set (K0/K1). KEY_PROG fills a
 * slot and is answered by KP_ACK with a Status; K_SET_GO hands the key to
 * the device (ops->key_go) and K_SET_STOP takes it back and wipes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "proto/ide_km/ide_km.h"

struct ide_km_key {
	bool programmed;
	uint8_t key[IDE_KM_KEY_SIZE];
	uint8_t ifv[IDE_KM_IFV_SIZE];
};

struct ide_km_slot {
	bool used;
	uint8_t port, stream_id;
	struct ide_km_key keys[2][IDE_KM_NSUB][2];	/* [tx][sub][keyset] */
};

struct ide_km_responder {
	struct ide_km_responder_cfg cfg;
	struct ide_km_slot *slots;	/* cfg.max_streams entries */
};

struct ide_km_responder *ide_km_responder_new(const struct ide_km_responder_cfg *cfg)
{
	struct ide_km_responder *r;

	if (!cfg->ops || !cfg->ops->query || !cfg->ops->key_go || !cfg->ops->key_stop ||
	    !cfg->max_streams || cfg->max_streams > 256)
		return ERR_PTR(-EINVAL);
	r = pl_zalloc(sizeof(*r));
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->slots = pl_calloc(cfg->max_streams, sizeof(*r->slots));
	if (!r->slots)
		goto err_free_r;
	r->cfg = *cfg;
	return r;
err_free_r:
	free(r);
	return ERR_PTR(-ENOMEM);
}

void ide_km_responder_free(struct ide_km_responder *r)
{
	if (IS_ERR_OR_NULL(r))
		return;
	OPENSSL_cleanse(r->slots, r->cfg.max_streams * sizeof(*r->slots));
	free(r->slots);
	free(r);
}

static struct ide_km_slot *find_slot(const struct ide_km_responder *r, uint8_t port,
				     uint8_t stream_id)
{
	unsigned int i;

	for (i = 0; i < r->cfg.max_streams; i++)
		if (r->slots[i].used && r->slots[i].port == port &&
		    r->slots[i].stream_id == stream_id)
			return &r->slots[i];
	return NULL;
}

static struct ide_km_key *slot_key(struct ide_km_slot *s, uint8_t ks)
{
	unsigned int sub = (ks & IDE_KM_KS_SUB_MASK) >> IDE_KM_KS_SUB_SHIFT;

	if (sub >= IDE_KM_NSUB)
		return NULL;
	return &s->keys[!!(ks & IDE_KM_KS_TX)][sub][ks & IDE_KM_KS_KEYSET];
}

bool ide_km_responder_has_key(const struct ide_km_responder *r, uint8_t port, uint8_t stream_id,
			      uint8_t ks)
{
	struct ide_km_slot *s = find_slot(r, port, stream_id);
	struct ide_km_key *k = s ? slot_key(s, ks) : NULL;

	return k && k->programmed;
}

static uint8_t key_prog(struct ide_km_responder *r, const struct ide_km_msg *m)
{
	struct ide_km_slot *s;
	struct ide_km_key *k;
	unsigned int i;

	if (m->port_index > r->cfg.max_port_index)
		return IDE_KM_KP_BAD_PORT;
	if ((m->key_sub_stream & IDE_KM_KS_SUB_MASK) >> IDE_KM_KS_SUB_SHIFT >= IDE_KM_NSUB)
		return IDE_KM_KP_BAD_VALUE;
	s = find_slot(r, m->port_index, m->stream_id);
	for (i = 0; !s && i < r->cfg.max_streams; i++) {
		if (r->slots[i].used)
			continue;
		s = &r->slots[i];
		s->used = true;
		s->port = m->port_index;
		s->stream_id = m->stream_id;
	}
	/* Out of key storage: a value (Stream ID) we cannot support. */
	if (!s)
		return IDE_KM_KP_BAD_VALUE;
	k = slot_key(s, m->key_sub_stream);
	memcpy(k->key, m->key, IDE_KM_KEY_SIZE);
	memcpy(k->ifv, m->ifv, IDE_KM_IFV_SIZE);
	k->programmed = true;
	return IDE_KM_KP_SUCCESS;
}

static void slot_release_if_empty(struct ide_km_slot *s)
{
	const struct ide_km_key *k = &s->keys[0][0][0];
	size_t i, n = sizeof(s->keys) / sizeof(*k);

	for (i = 0; i < n; i++)
		if (k[i].programmed)
			return;
	s->used = false;
}

static int k_set(struct ide_km_responder *r, const struct ide_km_msg *m)
{
	struct ide_km_slot *s;
	struct ide_km_key *k;
	int rc;

	if (m->port_index > r->cfg.max_port_index)
		return -EINVAL;
	s = find_slot(r, m->port_index, m->stream_id);
	k = s ? slot_key(s, m->key_sub_stream) : NULL;
	if (!k || !k->programmed)
		return -ENOKEY;
	if (m->object_id == IDE_KM_K_SET_GO)
		return r->cfg.ops->key_go(r->cfg.ctx, m->port_index, m->stream_id,
					  m->key_sub_stream, k->key, k->ifv);
	rc = r->cfg.ops->key_stop(r->cfg.ctx, m->port_index, m->stream_id, m->key_sub_stream);
	if (rc)
		return rc;
	OPENSSL_cleanse(k, sizeof(*k));
	slot_release_if_empty(s);
	return 0;
}

int ide_km_responder_handle(struct ide_km_responder *r, const void *q, size_t qn, void *out,
			    size_t cap)
{
	const uint8_t *b = q;
	struct ide_km_msg m, a = { 0 };
	uint8_t regs[PCISIG_VDM_MAX];
	int rc, n;

	rc = ide_km_decode(q, qn, &m);
	/* A KEY_PROG of the wrong length still gets its KP_ACK (Incorrect
	 * Length), echoing what its fixed header says. */
	if (rc == -EMSGSIZE && qn >= sizeof(struct ide_km_kp_ack_wire) &&
	    b[0] == PCISIG_VDM_PROTO_IDE_KM && b[1] == IDE_KM_KEY_PROG) {
		a = (struct ide_km_msg){ .object_id = IDE_KM_KP_ACK, .stream_id = b[4],
					 .key_sub_stream = b[6], .port_index = b[7],
					 .status = IDE_KM_KP_BAD_LENGTH };
		return ide_km_encode(&a, out, cap);
	}
	if (rc)
		return rc;
	switch (m.object_id) {
	case IDE_KM_QUERY:
		if (m.port_index > r->cfg.max_port_index)
			return -EINVAL;
		a.object_id = IDE_KM_QUERY_RESP;
		a.port_index = m.port_index;
		a.max_port_index = r->cfg.max_port_index;
		n = r->cfg.ops->query(r->cfg.ctx, m.port_index, &a, regs, sizeof(regs));
		if (n < 0)
			return n;
		a.object_id = IDE_KM_QUERY_RESP;
		a.regs = regs;
		a.regs_len = (size_t)n;
		return ide_km_encode(&a, out, cap);
	case IDE_KM_KEY_PROG:
		a = (struct ide_km_msg){ .object_id = IDE_KM_KP_ACK, .stream_id = m.stream_id,
					 .key_sub_stream = m.key_sub_stream,
					 .port_index = m.port_index, .status = key_prog(r, &m) };
		return ide_km_encode(&a, out, cap);
	case IDE_KM_K_SET_GO:
	case IDE_KM_K_SET_STOP:
		rc = k_set(r, &m);
		if (rc) {
			pl_dbg("ide_km: K_SET_%s stream %u ks %#x: %d",
				     m.object_id == IDE_KM_K_SET_GO ? "GO" : "STOP",
			       m.stream_id, m.key_sub_stream, rc);
			return rc;
		}
		a = m;
		a.object_id = IDE_KM_K_GOSTOP_ACK;
		return ide_km_encode(&a, out, cap);
	default:
		/* A response object sent as a request. */
		return -EPROTO;
	}
}
