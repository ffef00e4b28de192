// SPDX-License-Identifier: MIT
/*
 * The per-function `spdm:` key of platform files (docs/platform-format.md):
 * options of the device's security firmware (hw/security). Certificate
 * files are loaded and checked here, so that a bad file is reported at
 * the line that names it rather than when a requester first asks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/compiler.h"
#include "base/fault.h"
#include "hw/platform/desc_parse.h"
#include "hw/security/security.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_socket.h"

enum { SP_EXTERNAL, SP_CHAIN, SP_KEY, SP_VERSIONS, SP_ASYM, SP_HASH, SP_HBEAT, SP_NR };
static const char *const dp_spdm_keys[SP_NR] = {
	[SP_EXTERNAL] = "external", [SP_CHAIN] = "cert-chain", [SP_KEY] = "key",
	[SP_VERSIONS] = "versions", [SP_ASYM] = "asym", [SP_HASH] = "hash",
	[SP_HBEAT] = "heartbeat-period",
};

static const char *const dp_spdm_versions[] = { "1.2", "1.3" };
static const uint8_t dp_spdm_version_vals[] = { SPDM_VERSION_12, SPDM_VERSION_13 };
static const char *const dp_spdm_asyms[] = { "p256", "p384", "rsassa3072", "rsapss3072" };
static const uint32_t dp_spdm_asym_vals[] = { SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P384,
					      SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSAPSS_3072 };
#define DP_SPDM_RSA	(SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072)
#define DP_SPDM_EC	(SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384)

/* The asym names of a mask, for messages ("p384", "rsassa3072 rsapss3072"). */
static const char *dp_spdm_asym_names(uint32_t m, char *buf, size_t cap)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(dp_spdm_asyms); i++)
		if ((m & dp_spdm_asym_vals[i]) && off < cap)
			off += (size_t)snprintf(buf + off, cap - off, "%s%s", off ? ", " : "",
						dp_spdm_asyms[i]);
	return buf;
}
static const char *const dp_spdm_hashes[] = { "sha256", "sha384" };
static const uint32_t dp_spdm_hash_vals[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384 };

/* A sequence of names from names[]: OR of vals[] (or a list of bytes). */
static int dp_spdm_list(struct dp_ctx *c, const yaml_node_t *seq, const char *const *names,
			size_t nr, const char *what, uint32_t *mask)
{
	yaml_node_item_t *it;
	const yaml_node_t *n;
	int rc;

	rc = dp_expect_seq(c, seq, what);
	if (rc < 0)
		return rc;
	*mask = 0;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		n = dp_node(c, *it);
		if (!n)
			return dp_fail(c, seq, "internal: dangling YAML node");
		rc = dp_enum(c, n, names, nr, what);
		if (rc < 0)
			return rc;
		if (*mask & BIT(rc))
			return dp_fail(c, n, "%s listed twice", what);
		*mask |= BIT(rc);
	}
	if (!*mask)
		return dp_fail(c, seq, "empty list of %s", what);
	return 0;
}

/* A path relative to the platform file's directory (as given if absolute,
 * or if the platform did not come from a file). */
static int dp_spdm_path(struct dp_ctx *c, const yaml_node_t *n, const char *what, char **out)
{
	const char *slash = c->file ? strrchr(c->file, '/') : NULL;
	char *s, *full;
	size_t dir;
	int rc;

	rc = dp_string(c, n, what, &s);
	if (rc < 0)
		return rc;
	if (s[0] == '/' || !slash) {
		*out = s;
		return 0;
	}
	dir = (size_t)(slash - c->file) + 1;
	full = pl_zalloc(dir + strlen(s) + 1);
	if (!full) {
		free(s);
		return dp_nomem(c);
	}
	memcpy(full, c->file, dir);
	strcpy(full + dir, s);
	free(s);
	*out = full;
	return 0;
}

int dp_parse_spdm(struct dp_ctx *c, struct hw_desc_func *f, const yaml_node_t *map)
{
	const yaml_node_t *v[SP_NR];
	struct spdm_cert_set *cs;
	struct hw_desc_spdm *o;
	uint32_t m, key_asym;
	char host[256], why[512], names[64];
	uint64_t hb;
	unsigned int i;
	uint16_t port;
	int rc;

	rc = dp_collect(c, map, dp_spdm_keys, SP_NR, "spdm", v);
	if (rc < 0)
		return rc;
	for (i = 0; i < f->nr_caps && f->caps[i].kind != HW_DESC_CAP_DOE; i++)
		;
	if (i == f->nr_caps)
		return dp_fail(c, map, "spdm needs a DOE capability on this function (the SPDM responder sits behind DOE mailbox 0)");
	/* Linked at once: hw_desc_free() frees it on any error below. */
	o = pl_zalloc(sizeof(*o));
	if (!o)
		return dp_nomem(c);
	f->spdm = o;
	dp_loc(c, map, &o->loc);

	if (v[SP_EXTERNAL]) {
		for (i = 0; i < SP_NR; i++)
			if (i != SP_EXTERNAL && v[i])
				return dp_fail(c, v[i], "'%s' does not apply to an external responder",
					       dp_spdm_keys[i]);
		rc = dp_string(c, v[SP_EXTERNAL], "an external responder address", &o->external);
		if (rc < 0)
			return rc;
		if (spdm_socket_parse_addr(o->external, host, sizeof(host), &port))
			return dp_fail(c, v[SP_EXTERNAL],
				       "external responder '%s' is not HOST:PORT", o->external);
		return 0;
	}
	if (v[SP_VERSIONS]) {
		rc = dp_spdm_list(c, v[SP_VERSIONS], dp_spdm_versions,
				  ARRAY_SIZE(dp_spdm_versions), "SPDM version", &m);
		if (rc < 0)
			return rc;
		for (i = 0; i < ARRAY_SIZE(dp_spdm_versions); i++)
			if (m & BIT(i))
				o->versions[o->nversions++] = dp_spdm_version_vals[i];
	}
	if (v[SP_ASYM]) {
		rc = dp_spdm_list(c, v[SP_ASYM], dp_spdm_asyms, ARRAY_SIZE(dp_spdm_asyms),
				  "asymmetric algorithm", &m);
		if (rc < 0)
			return rc;
		for (i = 0; i < ARRAY_SIZE(dp_spdm_asyms); i++)
			if (m & BIT(i))
				o->asym |= dp_spdm_asym_vals[i];
		/* One identity, one key: an EC curve or RSA-3072. */
		if ((o->asym & DP_SPDM_RSA) && (o->asym & DP_SPDM_EC))
			return dp_fail(c, v[SP_ASYM],
				       "'asym' mixes ECDSA and RSA; the device has one key, list the algorithms of one key type");
	}
	/* DSP0274 1.3.0 §10.15 KEY_EXCHANGE_RSP Param1 HeartbeatPeriod, in
	 * seconds; 0: heartbeat not used. */
	if (v[SP_HBEAT]) {
		rc = dp_uint(c, v[SP_HBEAT], 0, 255, &hb);
		if (rc < 0)
			return rc;
		o->heartbeat_set = true;
		o->heartbeat_period = (uint8_t)hb;
	}
	if (v[SP_HASH]) {
		rc = dp_spdm_list(c, v[SP_HASH], dp_spdm_hashes, ARRAY_SIZE(dp_spdm_hashes),
				  "hash algorithm", &m);
		if (rc < 0)
			return rc;
		for (i = 0; i < ARRAY_SIZE(dp_spdm_hashes); i++)
			if (m & BIT(i))
				o->hash |= dp_spdm_hash_vals[i];
	}
	if (!v[SP_CHAIN] != !v[SP_KEY])
		return dp_missing(c, map, v[SP_CHAIN] ? "key" : "cert-chain", "spdm");
	if (!v[SP_CHAIN])
		return 0;
	rc = dp_spdm_path(c, v[SP_CHAIN], "a certificate chain file", &o->cert_chain);
	if (rc < 0)
		return rc;
	rc = dp_spdm_path(c, v[SP_KEY], "a private key file", &o->key);
	if (rc < 0)
		return rc;
	rc = hw_spdm_load_pem(o->cert_chain, o->key, &cs, &key_asym, why, sizeof(why));
	if (rc == -ENOMEM)
		return dp_nomem(c);
	if (rc < 0) {
		/* Point at the key when the key is what is wrong. */
		bool key_fault = rc == -EKEYREJECTED ||
				 (strstr(why, o->key) && !strstr(why, o->cert_chain));

		return dp_fail(c, key_fault ? v[SP_KEY] : v[SP_CHAIN], "%s", why);
	}
	spdm_cert_set_free(cs);
	if (o->asym && !(o->asym & key_asym))
		return dp_fail(c, v[SP_KEY], "the key signs with %s, which 'asym' does not list",
			       dp_spdm_asym_names(key_asym, names, sizeof(names)));
	/* The listed algorithms the key can sign with (all of them if none
	 * is listed): an RSA key may be limited to one padding. */
	o->asym = o->asym ? o->asym & key_asym : key_asym;
	return 0;
}
