// SPDX-License-Identifier: MIT
/*
 * SPDM responder firmware behind a DOE mailbox (see security.h).
 *
 * Request path: cap_doe.c hands over a complete data object (PCIe r6.2
 * §6.30.2, on GO); the payload DWORDs are the SPDM message bytes in little
 * endian order, padded with zeros to a DWORD (§6.31.3), so the exact
 * message length is recovered with spdm_doe_msg_len() before the strict
 * SPDM decoders see it. The responder answers synchronously; the response
 * goes back padded the same way, in an object of the same type (secured
 * responses as type 02h).
 *
 * Ownership: each firmware instance is owned by its DOE capability (freed
 * through hw_doe_ops.release when the function is destroyed) and holds a
 * reference on the per-platform struct hw_security, which holds the vendor
 * root CA. The platform only borrows hw_security (hw_platform.security):
 * it is freed with the last firmware instance, inside hw_platform_destroy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include "base/err.h"
#include "base/fault.h"
#include "base/list.h"
#include "base/log.h"
#include "hw/fabric/fabric_internal.h"
#include "hw/pcidev/doe.h"
#include "hw/platform/desc.h"
#include "hw/security/security.h"
#include "hw/security/ide_engine.h"
#include "hw/security/security_internal.h"
#include "hw/security/tdisp_dev.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_doe.h"
#include "proto/tdisp/tdisp.h"

#define HW_SPDM_ASYM		SPDM_ASYM_ECDSA_P384
#define HW_SPDM_ASYM_RSA	(SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072)
/*
 * HeartbeatPeriod in KEY_EXCHANGE_RSP (DSP0274 1.3.0 §10.15 Param1,
 * seconds; §10.19): nonzero, as devices that advertise HBEAT_CAP do, so a
 * requester keeps the session alive with HEARTBEAT. The platform file's
 * `heartbeat-period` overrides it (0: heartbeat not used).
 */
#define HW_SPDM_HEARTBEAT_PERIOD 60
#define HW_SPDM_HASH		SPDM_HASH_SHA384
#define HW_SPDM_CAPS		(SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | \
				 SPDM_CAP_MEAS_FRESH | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | \
				 SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)
#define HW_SPDM_VALID_BEFORE	(24 * 3600)
#define HW_SPDM_VALID_FOR	(10L * 365 * 24 * 3600)
/* A secured message adds SessionID, Length, and the AEAD tag. */
#define HW_SPDM_OUT_CAP		(SPDM_MAX_MSG_SIZE + 64)
#define HW_SPDM_NR_MEAS		4

struct hw_security {
	unsigned int refs;		/* one per firmware instance (+1 during init) */
	struct hw_platform *p;
	struct spdm_cert_set *vendor;	/* root CA, lazily; NULL until needed */
	struct list_head fws;		/* struct hw_spdm_fw */
};

/*
 * The configuration-lock hook (TDISP, PCIe r6.2 §11.2.3): the firmware
 * interposes on the function's model hooks so that every config write the
 * function accepts reaches hw_tdisp_cfg_write_notify() after it has been
 * applied, then goes on to the model's own cfg_write. Owned by the
 * firmware; dev->ops is restored when the firmware is released (DOE
 * capabilities are released before ops->free runs, hw_pcidev_destroy).
 */
struct hw_spdm_ops_shim {
	struct hw_pcidev_ops ops;	/* dev->ops points here */
	const struct hw_pcidev_ops *orig;
	struct hw_spdm_fw *fw;
};

struct hw_spdm_fw {
	struct list_head node;		/* in sec->fws */
	struct hw_security *sec;	/* reference */
	struct hw_pcidev *dev;
	struct hw_doe *doe;
	struct spdm_cert_set *certs;	/* lazily, with rsp */
	struct spdm_responder *rsp;
	struct spdm_responder_config cfg;
	struct spdm_meas_config meas[HW_SPDM_NR_MEAS];
	char fw_image[96];
	uint8_t hw_ids[12];
	uint8_t fw_cfg[16];
	struct spdm_doe_lenctx lctx;
	hw_spdm_tap_fn tap;
	void *tap_arg;
	/* Options from the platform file (`spdm:`); zero: defaults. */
	uint8_t versions[4];
	unsigned int nversions;
	uint32_t asym, hash;
	int heartbeat_period;		/* seconds; -1: HW_SPDM_HEARTBEAT_PERIOD */
	char *chain_path, *key_path;	/* owned; NULL: generated identity */
	/* IDE + TDISP (docs/ide-tdisp.md): built with the responder when the
	 * function has an IDE capability; NULL otherwise. */
	struct hw_spdm_ops_shim *shim;
	struct hw_ide_engine *ide;
	struct ide_km_responder *ide_km;
	struct hw_tdisp_dev *tdi;
	uint8_t out[HW_SPDM_OUT_CAP];
};

static const struct hw_doe_protocol hw_spdm_protocols[] = {
	{ SPDM_DOE_VENDOR_PCISIG, SPDM_DOE_TYPE_SPDM },
	{ SPDM_DOE_VENDOR_PCISIG, SPDM_DOE_TYPE_SECURED_SPDM },
};

static const char hw_spdm_fw_version[] = "pcilab-spdm-fw 1.0.0";

static void hw_security_put(struct hw_security *sec)
{
	if (--sec->refs)
		return;
	if (sec->p && sec->p->security == sec)
		sec->p->security = NULL;
	spdm_cert_set_free(sec->vendor);
	free(sec);
}

static int hw_security_vendor_root(struct hw_security *sec)
{
	struct spdm_cert_set *cs;
	time_t now = time(NULL);

	if (sec->vendor)
		return 0;
	cs = spdm_cert_set_generate(HW_SPDM_ASYM, "pcilab vendor", now - HW_SPDM_VALID_BEFORE,
				    now + HW_SPDM_VALID_FOR);
	if (IS_ERR(cs))
		return (int)PTR_ERR(cs);
	sec->vendor = cs;
	return 0;
}

static void hw_spdm_fw_tdisp_free(struct hw_spdm_fw *fw)
{
	hw_tdisp_dev_free(fw->tdi);
	ide_km_responder_free(fw->ide_km);
	hw_ide_engine_free(fw->ide);
	fw->tdi = NULL;
	fw->ide_km = NULL;
	fw->ide = NULL;
}

/*
 * IDE engine, IDE_KM responder and TDISP device of a function with an IDE
 * capability (the recipe of docs/ide-tdisp.md). Built at provisioning,
 * i.e. on the first SPDM request, when enumeration has given the function
 * its bus number: QUERY_RESP and the TDI's FUNCTION_ID carry its RID.
 */
static int hw_spdm_fw_tdisp_new(struct hw_spdm_fw *fw)
{
	struct hw_pcidev *dev = fw->dev;
	uint16_t rid = hw_fabric_func_rid(dev), seg = hw_fabric_func_segment(dev);
	uint32_t idecap;
	uint16_t ide;
	int rc;

	ide = hw_pcidev_find_ext_cap(dev, PCI_EXT_CAP_ID_IDE);
	if (!ide)
		return 0;
	idecap = hw_pcidev_get32(dev, ide + PCI_IDE_CAP);
	fw->ide = hw_ide_engine_new(dev, &(struct hw_ide_engine_cfg){
		.rid = rid, .segment = (uint8_t)seg });
	if (IS_ERR(fw->ide)) {
		rc = (int)PTR_ERR(fw->ide);
		fw->ide = NULL;
		return rc;
	}
	/* One key slot per Selective stream the capability offers (§7.9.26.2),
	 * plus one for Link IDE. */
	fw->ide_km = ide_km_responder_new(&(struct ide_km_responder_cfg){
		.max_port_index = 0,
		.max_streams = MIN(HW_IDE_MAX_STREAMS,
				   ((idecap & PCI_IDE_CAP_SELECTIVE) ?
				    ((idecap & PCI_IDE_CAP_SEL_NUM_MASK) >>
				     PCI_IDE_CAP_SEL_NUM_SHIFT) + 1 : 0) +
				   ((idecap & PCI_IDE_CAP_LINK) ? 1 : 0)),
		.ops = &hw_ide_engine_km_ops, .ctx = fw->ide });
	if (IS_ERR(fw->ide_km)) {
		rc = (int)PTR_ERR(fw->ide_km);
		fw->ide_km = NULL;
		goto err;
	}
	fw->tdi = hw_tdisp_dev_new(dev, &(struct hw_tdisp_dev_cfg){
		.function_id = TDISP_FUNC_ID(rid, seg, seg != 0),
		.lock_flags_supported = TDISP_LOCK_NO_FW_UPDATE,
		.ide_km = fw->ide_km });
	if (IS_ERR(fw->tdi)) {
		rc = (int)PTR_ERR(fw->tdi);
		fw->tdi = NULL;
		goto err;
	}
	return 0;
err:
	hw_spdm_fw_tdisp_free(fw);
	return rc;
}

/* Keys, certificates, measurements and the responder: first use. */
static int hw_spdm_fw_provision(struct hw_spdm_fw *fw)
{
	struct hw_pcidev *dev = fw->dev;
	uint16_t rid = hw_fabric_func_rid(dev);
	struct spdm_responder *rsp;
	struct spdm_cert_set *cs;
	time_t now = time(NULL);
	char name[64];
	int rc, n;

	char why[256];
	/* The generated key: P-384 if listed, else P-256, else RSA-3072
	 * (the parser keeps 'asym' to one key type). asym is then what the
	 * responder offers: what the key signs with, as listed. */
	uint32_t key_alg = !fw->asym || (fw->asym & SPDM_ASYM_ECDSA_P384) ? HW_SPDM_ASYM :
			   (fw->asym & SPDM_ASYM_ECDSA_P256) ? SPDM_ASYM_ECDSA_P256 :
							       SPDM_ASYM_RSASSA_3072;
	uint32_t asym = key_alg == SPDM_ASYM_RSASSA_3072 ? fw->asym & HW_SPDM_ASYM_RSA : key_alg;

	if (fw->chain_path) {
		/* The platform parser validated the files; they may have
		 * changed since, so check again. */
		rc = hw_spdm_load_pem(fw->chain_path, fw->key_path, &cs, &asym, why, sizeof(why));
		if (!rc && fw->asym && !(asym &= fw->asym)) {
			snprintf(why, sizeof(why), "'%s' no longer holds a key 'asym' lists",
				 fw->key_path);
			spdm_cert_set_free(cs);
			rc = -EKEYREJECTED;
		}
		if (rc) {
			pl_warn("spdm fw %s: %s", dev->name, why);
			return rc;
		}
	} else {
		rc = hw_security_vendor_root(fw->sec);
		if (rc)
			return rc;
		snprintf(name, sizeof(name), "pcilab %04x:%02x:%02x.%u",
			 hw_fabric_func_segment(dev), rid >> 8, (rid >> 3) & 0x1f, rid & 7);
		/* The vendor root is P-384 and signs a leaf of any kind. */
		cs = spdm_cert_set_generate_issued(fw->sec->vendor, key_alg, name,
						   now - HW_SPDM_VALID_BEFORE,
						   now + HW_SPDM_VALID_FOR);
		if (IS_ERR(cs))
			return (int)PTR_ERR(cs);
	}

	/* Measurement content: digests are taken by the responder. */
	n = snprintf(fw->fw_image, sizeof(fw->fw_image), "%s image for %04x:%04x '%s'",
		     hw_spdm_fw_version, hw_pcidev_get16(dev, PCI_VENDOR_ID),
		     hw_pcidev_get16(dev, PCI_DEVICE_ID), dev->name);
	/* Hardware identity: the HwInit ID registers (PCI r3.0 §6.2.1). */
	memcpy(fw->hw_ids, &dev->cfg[PCI_VENDOR_ID], 4);
	memcpy(fw->hw_ids + 4, &dev->cfg[PCI_CLASS_REVISION], 4);
	memcpy(fw->hw_ids + 8, &dev->cfg[PCI_SUBSYSTEM_VENDOR_ID], 4);
	/* Firmware configuration: what it offers on the wire. */
	memset(fw->fw_cfg, 0, sizeof(fw->fw_cfg));
	memcpy(fw->fw_cfg, &(uint32_t){ HW_SPDM_CAPS }, 4);
	memcpy(fw->fw_cfg + 4, &asym, 4);
	memcpy(fw->fw_cfg + 8, &(uint32_t){ fw->hash ? fw->hash : HW_SPDM_HASH }, 4);
	memcpy(fw->fw_cfg + 12, fw->versions, fw->nversions ? fw->nversions : 0);
	if (!fw->nversions) {
		fw->fw_cfg[12] = SPDM_VERSION_12;
		fw->fw_cfg[13] = SPDM_VERSION_13;
	}
	fw->meas[0] = (struct spdm_meas_config){ 1, SPDM_DMTF_MEAS_MUTABLE_FW,
						 (const uint8_t *)fw->fw_image, (size_t)n };
	fw->meas[1] = (struct spdm_meas_config){ 2, SPDM_DMTF_MEAS_HW_CONFIG, fw->hw_ids,
						 sizeof(fw->hw_ids) };
	fw->meas[2] = (struct spdm_meas_config){ 3, SPDM_DMTF_MEAS_FW_CONFIG, fw->fw_cfg,
						 sizeof(fw->fw_cfg) };
	fw->meas[3] = (struct spdm_meas_config){ 4, SPDM_DMTF_MEAS_VERSION,
						 (const uint8_t *)hw_spdm_fw_version,
						 sizeof(hw_spdm_fw_version) - 1 };

	fw->cfg = (struct spdm_responder_config){
		.versions = { SPDM_VERSION_12, SPDM_VERSION_13 },
		.nversions = 2,
		.caps = HW_SPDM_CAPS,
		.algos = {
			/* Only what the identity's key can sign with. */
			.asym = asym,
			.hash = fw->hash ? fw->hash : SPDM_HASH_SHA384 | SPDM_HASH_SHA256,
			.dhe = SPDM_DHE_SECP384R1 | SPDM_DHE_SECP256R1,
			.aead = SPDM_AEAD_AES256_GCM,
		},
		.certs = cs,
		.meas = fw->meas,
		.nmeas = HW_SPDM_NR_MEAS,
		.seq_num_size = 0,	/* PCIe DOE: no explicit sequence number */
		.heartbeat_period = fw->heartbeat_period >= 0 ? (uint8_t)fw->heartbeat_period :
								HW_SPDM_HEARTBEAT_PERIOD,
	};
	if (fw->nversions) {
		memcpy(fw->cfg.versions, fw->versions, sizeof(fw->versions));
		fw->cfg.nversions = fw->nversions;
	}
	rc = hw_spdm_fw_tdisp_new(fw);
	if (rc < 0) {
		spdm_cert_set_free(cs);
		return rc;
	}
	if (fw->tdi) {
		/* IDE_KM and TDISP ride in-session VENDOR_DEFINED requests. */
		fw->cfg.vendor_handler = hw_tdisp_vdm_handler;
		fw->cfg.vendor_ctx = fw->tdi;
	}
	rsp = spdm_responder_new(&fw->cfg);
	if (IS_ERR_OR_NULL(rsp)) {
		hw_spdm_fw_tdisp_free(fw);
		spdm_cert_set_free(cs);
		return rsp ? (int)PTR_ERR(rsp) : -ENOMEM;
	}
	fw->certs = cs;
	fw->rsp = rsp;
	return 0;
}

static void hw_spdm_fw_request(struct hw_doe *doe, void *priv, const uint32_t *dw, size_t n)
{
	struct hw_spdm_fw *fw = priv;
	bool secured = ((dw[0] >> 16) & 0xff) == SPDM_DOE_TYPE_SECURED_SPDM, rsp_secured;
	size_t i, plen = (n - 2) * 4, len, ndw;
	uint32_t *obj = NULL, *req;
	uint8_t *msg;
	int rc;

	req = pl_calloc(n, sizeof(*req));
	if (!req)
		goto err_fail;
	memcpy(req, dw, n * sizeof(*req));
	if (fw->tap)
		fw->tap(fw->tap_arg, false, req, n);
	if (!fw->rsp && hw_spdm_fw_provision(fw) < 0)
		goto err_free_req;
	/* Payload bytes: DWORD i holds bytes 4i..4i+3, little endian. */
	msg = (uint8_t *)(req + 2);
	for (i = 0; i < n - 2; i++) {
		uint32_t v = req[2 + i];

		msg[4 * i] = (uint8_t)v;
		msg[4 * i + 1] = (uint8_t)(v >> 8);
		msg[4 * i + 2] = (uint8_t)(v >> 16);
		msg[4 * i + 3] = (uint8_t)(v >> 24);
	}
	len = spdm_doe_msg_len(&fw->lctx, secured, msg, plen);
	if (!secured)
		spdm_doe_track(&fw->lctx, msg, len);
	rc = spdm_responder_handle(fw->rsp, secured, msg, len, &rsp_secured, fw->out,
				   sizeof(fw->out));
	if (rc < 0)
		goto err_free_req;
	if (!rsp_secured)
		spdm_doe_track(&fw->lctx, fw->out, (size_t)rc);
	ndw = 2 + ((size_t)rc + 3) / 4;
	obj = pl_calloc(ndw, sizeof(*obj));
	if (!obj)
		goto err_free_req;
	obj[0] = SPDM_DOE_VENDOR_PCISIG |
		 (uint32_t)(rsp_secured ? SPDM_DOE_TYPE_SECURED_SPDM : SPDM_DOE_TYPE_SPDM) << 16;
	obj[1] = (uint32_t)ndw;
	for (i = 0; i < (size_t)rc; i++)
		obj[2 + i / 4] |= (uint32_t)fw->out[i] << (8 * (i % 4));
	if (fw->tap && fw->tap(fw->tap_arg, true, obj, ndw) == HW_SPDM_TAP_DROP) {
		pl_dbg("spdm fw %s: response dropped by tap (stalled)", fw->dev->name);
		goto out;
	}
	if (hw_doe_respond(doe, obj, ndw) < 0)
		goto err_free_obj;
out:
	free(obj);
	free(req);
	return;
err_free_obj:
	free(obj);
err_free_req:
	free(req);
err_fail:
	/* No response can be produced: DOE Error (PCIe r6.2 §6.30.2). */
	hw_doe_fail(doe);
}

static void hw_spdm_fw_release(void *priv)
{
	struct hw_spdm_fw *fw = priv;

	list_del(&fw->node);
	if (fw->shim) {
		fw->dev->ops = fw->shim->orig;
		free(fw->shim);
	}
	spdm_responder_free(fw->rsp);
	hw_spdm_fw_tdisp_free(fw);
	spdm_cert_set_free(fw->certs);
	free(fw->chain_path);
	free(fw->key_path);
	hw_security_put(fw->sec);	/* the firmware's reference */
	free(fw);
}

static const struct hw_doe_ops hw_spdm_fw_ops = {
	.protocols = hw_spdm_protocols,
	.nr_protocols = ARRAY_SIZE(hw_spdm_protocols),
	.request = hw_spdm_fw_request,
	.release = hw_spdm_fw_release,
};

/* The shim's hooks: the lock check, then the model's own. */
static void hw_spdm_shim_cfg_write(struct hw_pcidev *dev, uint16_t off, uint32_t val,
				   uint32_t old, unsigned int len)
{
	struct hw_spdm_ops_shim *sh = container_of(dev->ops, struct hw_spdm_ops_shim, ops);

	if (sh->fw->tdi && hw_tdisp_cfg_write_notify(sh->fw->tdi, off, len))
		pl_info("%s: TDI config locked: write at %#x → TDISP ERROR", dev->name, off);
	if (sh->orig && sh->orig->cfg_write)
		sh->orig->cfg_write(dev, off, val, old, len);
}

/* Install the shim on a function with an IDE capability. */
static int hw_spdm_fw_shim(struct hw_spdm_fw *fw)
{
	struct hw_spdm_ops_shim *sh;

	if (!hw_pcidev_find_ext_cap(fw->dev, PCI_EXT_CAP_ID_IDE))
		return 0;
	sh = pl_zalloc(sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	sh->orig = fw->dev->ops;
	if (sh->orig)
		sh->ops = *sh->orig;
	else
		sh->ops.name = "generic";
	sh->ops.cfg_write = hw_spdm_shim_cfg_write;
	sh->fw = fw;
	fw->shim = sh;
	return 0;
}

/* A function's `spdm:` options, matched to its hw_pcidev. */
struct hw_security_opt {
	struct hw_pcidev *dev;
	const struct hw_desc_spdm *spdm;
};

struct hw_security_init {
	struct hw_security *sec;
	struct hw_security_opt *opts;
	unsigned int nr_opts, cap_opts;
};

/*
 * Pair each described function carrying `spdm:` with the function the
 * fabric built for it: the same host bridge (desc order), the same devfn
 * on that bus, a bridge's children on its secondary bus.
 */
static int hw_security_match(struct hw_security_init *in, struct hw_fabric_bus *bus,
			     const struct list_head *funcs)
{
	const struct hw_desc_func *f;
	struct hw_security_opt *o;
	struct hw_pcidev *dev;
	int rc;

	list_for_each_entry(f, funcs, node) {
		dev = bus ? bus->slots[((unsigned int)f->dev << 3 | f->fn) & 0xff] : NULL;
		if (f->spdm && dev) {
			if (in->nr_opts == in->cap_opts) {
				unsigned int ncap = in->cap_opts ? 2 * in->cap_opts : 8;

				o = pl_calloc(ncap, sizeof(*o));
				if (!o)
					return -ENOMEM;
				if (in->nr_opts)
					memcpy(o, in->opts, in->nr_opts * sizeof(*o));
				free(in->opts);
				in->opts = o;
				in->cap_opts = ncap;
			}
			in->opts[in->nr_opts++] = (struct hw_security_opt){ dev, f->spdm };
		}
		rc = hw_security_match(in, dev ? dev->secondary : NULL, &f->children);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct hw_desc_spdm *hw_security_opts_of(struct hw_security_init *in,
						      const struct hw_pcidev *dev)
{
	unsigned int i;

	for (i = 0; i < in->nr_opts; i++)
		if (in->opts[i].dev == dev)
			return in->opts[i].spdm;
	return NULL;
}

static int hw_spdm_fw_set_opts(struct hw_spdm_fw *fw, const struct hw_desc_spdm *o)
{
	fw->heartbeat_period = -1;
	if (!o)
		return 0;
	if (o->heartbeat_set)
		fw->heartbeat_period = o->heartbeat_period;
	memcpy(fw->versions, o->versions, sizeof(fw->versions));
	fw->nversions = o->nversions;
	fw->asym = o->asym;
	fw->hash = o->hash;
	if (o->cert_chain && o->key) {
		fw->chain_path = pl_strdup(o->cert_chain);
		fw->key_path = pl_strdup(o->key);
		if (!fw->chain_path || !fw->key_path) {
			free(fw->chain_path);
			free(fw->key_path);
			return -ENOMEM;
		}
	}
	return 0;
}

static int hw_security_attach_one(struct hw_pcidev *dev, void *arg)
{
	struct hw_security_init *in = arg;
	struct hw_doe *doe = hw_doe_get(dev, 0);
	const struct hw_desc_spdm *o;
	struct hw_spdm_fw *fw;
	int rc;

	if (!doe)
		return 0;
	o = hw_security_opts_of(in, dev);
	if (o && o->external)
		return hw_spdm_ext_attach(doe, dev, o->external);
	fw = pl_zalloc(sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	fw->dev = dev;
	fw->doe = doe;
	fw->sec = in->sec;
	rc = hw_spdm_fw_set_opts(fw, o);
	if (rc < 0) {
		free(fw);
		return rc;
	}
	rc = hw_spdm_fw_shim(fw);
	if (rc < 0)
		goto err_free_paths;
	rc = hw_doe_attach(doe, &hw_spdm_fw_ops, fw);
	if (rc < 0)
		goto err_free_shim;
	/* Nothing fails from here: the DOE capability owns fw. */
	if (fw->shim)
		dev->ops = &fw->shim->ops;
	in->sec->refs++;		/* fw's reference */
	list_add_tail(&fw->node, &in->sec->fws);
	return 0;
err_free_shim:
	free(fw->shim);
err_free_paths:
	free(fw->chain_path);
	free(fw->key_path);
	free(fw);
	return rc;
}

int hw_security_platform_init(struct hw_platform *p)
{
	return hw_security_platform_init_desc(p, NULL);
}

int hw_security_platform_init_desc(struct hw_platform *p, const struct hw_desc_platform *desc)
{
	const struct hw_desc_host_bridge *h;
	struct hw_security_init in = { 0 };
	struct hw_security *sec;
	unsigned int i = 0;
	int rc = 0;

	if (desc) {
		list_for_each_entry(h, &desc->host_bridges, node) {
			if (i >= p->nr_host_bridges)
				break;
			rc = hw_security_match(&in, p->host_bridges[i++].root, &h->devices);
			if (rc)
				goto out_free_opts;
		}
	}
	rc = -ENOMEM;
	sec = pl_zalloc(sizeof(*sec));
	if (!sec)
		goto out_free_opts;
	sec->refs = 1;			/* ours, until the walk is done */
	sec->p = p;
	INIT_LIST_HEAD(&sec->fws);
	in.sec = sec;
	rc = hw_platform_for_each_func(p, hw_security_attach_one, &in);
	/* Published only if some firmware holds it; borrowed by p. */
	if (sec->refs > 1)
		p->security = sec;
	hw_security_put(sec);
out_free_opts:
	free(in.opts);
	return rc;
}

int hw_platform_root_ca_pem(struct hw_platform *p, char **pem, size_t *len)
{
	struct hw_security *sec = p->security;
	char *data, *out;
	BIO *bio;
	long n;
	int rc;

	if (!sec)
		return -ENODEV;
	rc = hw_security_vendor_root(sec);
	if (rc)
		return rc;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	rc = -EIO;
	if (!PEM_write_bio_X509(bio, sec->vendor->root))
		goto out;
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		goto out;
	rc = -ENOMEM;
	out = pl_zalloc((size_t)n + 1);
	if (!out)
		goto out;
	memcpy(out, data, (size_t)n);
	*pem = out;
	*len = (size_t)n;
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

int hw_spdm_set_tap(struct hw_platform *p, struct hw_pcidev *dev, hw_spdm_tap_fn fn, void *arg)
{
	struct hw_spdm_fw *fw;

	if (!p->security)
		return -ENODEV;
	list_for_each_entry(fw, &p->security->fws, node) {
		if (fw->dev == dev) {
			fw->tap = fn;
			fw->tap_arg = arg;
			return 0;
		}
	}
	return -ENODEV;
}

int hw_spdm_tdisp_state(struct hw_platform *p, struct hw_pcidev *dev)
{
	struct hw_spdm_fw *fw;

	if (!p->security)
		return -ENODEV;
	list_for_each_entry(fw, &p->security->fws, node)
		if (fw->dev == dev)
			return fw->tdi ? hw_tdisp_state(fw->tdi) : -ENODEV;
	return -ENODEV;
}

int hw_spdm_ide_stream_state(struct hw_platform *p, struct hw_pcidev *dev, uint8_t stream_id)
{
	struct hw_spdm_fw *fw;

	if (!p->security)
		return -ENODEV;
	list_for_each_entry(fw, &p->security->fws, node)
		if (fw->dev == dev)
			return fw->ide ? hw_ide_stream_state(fw->ide, stream_id) : -ENODEV;
	return -ENODEV;
}
