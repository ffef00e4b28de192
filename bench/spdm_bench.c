// SPDX-License-Identifier: MIT
/*
 * bench-spdm: what SPDM authentication and session setup cost, next to the
 * OpenSSL operations they are made of, measured in the same run.
 *
 *   auth      GET_VERSION .. signed GET_MEASUREMENTS (P-384, SHA-384):
 *             a fresh requester and responder connection each round,
 *             messages passed by function call (no DOE, no socket)
 *   session   KEY_EXCHANGE + FINISH (+ END_SESSION) on an authenticated
 *             connection
 *
 * Not a test: it prints a table and always exits 0 unless setup fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "base/err.h"
#include "base/log.h"
#include "proto/spdm/spdm.h"

struct pipe_ctx {
	struct spdm_responder *rsp;
	uint8_t out[SPDM_MAX_MSG_SIZE + 64];
	size_t len;
	bool secured;
};

static int pipe_send(void *ctx, bool secured, const void *buf, size_t len)
{
	struct pipe_ctx *p = ctx;
	int n = spdm_responder_handle(p->rsp, secured, buf, len, &p->secured, p->out,
				      sizeof(p->out));

	if (n < 0)
		return n;
	p->len = (size_t)n;
	return 0;
}

static int pipe_recv(void *ctx, bool *secured, void *buf, size_t cap, size_t *len)
{
	struct pipe_ctx *p = ctx;

	if (p->len > cap)
		return -EMSGSIZE;
	memcpy(buf, p->out, p->len);
	*len = p->len;
	*secured = p->secured;
	return 0;
}

static const struct spdm_transport_ops pipe_ops = { pipe_send, pipe_recv };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

#define CAPS (SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_FRESH | \
	      SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | \
	      SPDM_CAP_KEY_UPD)
#define ALGOS { SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1, SPDM_AEAD_AES256_GCM }

static const uint8_t meas_data[] = "bench firmware image";
static const struct spdm_meas_config meas = { 1, SPDM_DMTF_MEAS_MUTABLE_FW, meas_data,
					      sizeof(meas_data) };

/* One connection: auth always; session if asked. Returns 0 or -errno. */
static int run(const struct spdm_cert_set *cs, X509_STORE *trust, bool session, double *t_auth,
	       double *t_sess)
{
	struct spdm_responder_config rc = {
		.versions = { SPDM_VERSION_13 }, .nversions = 1, .caps = CAPS, .algos = ALGOS,
		.certs = cs, .meas = &meas, .nmeas = 1,
	};
	struct spdm_requester_config qc = {
		.versions = { SPDM_VERSION_13 }, .nversions = 1,
		.caps = CAPS & ~(SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_FRESH),
		.algos = ALGOS, .trust = trust,
	};
	struct pipe_ctx *p = calloc(1, sizeof(*p));
	struct spdm_requester *req = NULL;
	unsigned int nb;
	double t0;
	uint32_t sid;
	size_t len;
	int err = -ENOMEM;

	if (!p)
		return err;
	p->rsp = spdm_responder_new(&rc);
	if (IS_ERR_OR_NULL(p->rsp))
		goto out;
	req = spdm_requester_new(&qc, &pipe_ops, p);
	if (IS_ERR_OR_NULL(req)) {
		req = NULL;
		goto out;
	}
	t0 = now_us();
	err = spdm_req_init_connection(req);
	if (!err)
		err = spdm_req_get_digests(req);
	if (!err)
		err = spdm_req_get_certificate(req, 0);
	if (!err)
		err = spdm_req_challenge(req, 0, SPDM_MEAS_SUMMARY_NONE);
	if (!err)
		err = spdm_req_get_measurements(req, true, NULL, 0, &len, &nb);
	*t_auth = now_us() - t0;
	if (!err && session) {
		t0 = now_us();
		err = spdm_req_start_session(req, 0, &sid);
		*t_sess = now_us() - t0;
		if (!err)
			err = spdm_req_end_session(req);
	}
out:
	spdm_requester_free(req);
	if (!IS_ERR_OR_NULL(p->rsp))
		spdm_responder_free(p->rsp);
	free(p);
	return err;
}

static void row(const char *what, double us)
{
	printf("  %-44s %10.1f us\n", what, us);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 50, i;
	double a = 0, s = 0, ta = 0, ts = 0, t0;
	struct spdm_cert_set *cs;
	uint8_t *chain, md[64], sig[128], secret[64], okm[48];
	size_t chain_len, siglen, slen;
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *kctx;
	X509_STORE *trust;
	EVP_MD_CTX *mctx;
	EVP_KDF_CTX *hctx;
	EVP_KDF *kdf;
	time_t now = time(NULL);

	if (rounds < 1)
		rounds = 1;
	pl_log_set_level(PL_LOG_ERR);
	cs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P384, "bench", now - 3600, now + 86400);
	if (IS_ERR(cs) || spdm_cert_chain_build(cs, SPDM_HASH_SHA384, &chain, &chain_len))
		return 1;
	trust = spdm_trust_store_new(cs->root);
	for (i = 0; i < rounds; i++) {
		if (run(cs, trust, true, &ta, &ts)) {
			fprintf(stderr, "bench-spdm: SPDM run failed\n");
			return 1;
		}
		a += ta;
		s += ts;
	}
	printf("SPDM 1.3, ECDSA-P384, SHA-384, secp384r1, AES-256-GCM; %d rounds, mean\n", rounds);
	row("full authentication (VERSION..signed MEAS)", a / rounds);
	row("session (KEY_EXCHANGE + FINISH)", s / rounds);
	printf("OpenSSL primitives (same run):\n");

	/* ECDSA-P384 sign and verify of a SHA-384 digest input. */
	mctx = EVP_MD_CTX_new();
	t0 = now_us();
	for (i = 0; i < rounds; i++) {
		siglen = sizeof(sig);
		EVP_DigestSignInit(mctx, NULL, EVP_sha384(), NULL, cs->leaf_key);
		EVP_DigestSign(mctx, sig, &siglen, chain, 64);
	}
	row("ECDSA-P384 sign", (now_us() - t0) / rounds);
	t0 = now_us();
	for (i = 0; i < rounds; i++) {
		EVP_DigestVerifyInit(mctx, NULL, EVP_sha384(), NULL, cs->leaf_key);
		if (EVP_DigestVerify(mctx, sig, siglen, chain, 64) != 1)
			return 1;
	}
	row("ECDSA-P384 verify", (now_us() - t0) / rounds);
	EVP_MD_CTX_free(mctx);

	/* ECDHE: a fresh P-384 key pair and the shared secret. */
	peer = EVP_EC_gen("P-384");
	t0 = now_us();
	for (i = 0; i < rounds; i++) {
		EVP_PKEY *mine = EVP_EC_gen("P-384");

		kctx = EVP_PKEY_CTX_new(mine, NULL);
		slen = sizeof(secret);
		EVP_PKEY_derive_init(kctx);
		EVP_PKEY_derive_set_peer(kctx, peer);
		EVP_PKEY_derive(kctx, secret, &slen);
		EVP_PKEY_CTX_free(kctx);
		EVP_PKEY_free(mine);
	}
	row("ECDHE secp384r1 (keygen + derive)", (now_us() - t0) / rounds);
	EVP_PKEY_free(peer);

	t0 = now_us();
	for (i = 0; i < rounds; i++)
		EVP_Digest(chain, chain_len, md, NULL, EVP_sha384(), NULL);
	printf("  %-44s %10.1f us\n", "SHA-384 of the cert chain", (now_us() - t0) / rounds);
	printf("  %-44s %10zu bytes\n", "  (chain size)", chain_len);

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	t0 = now_us();
	for (i = 0; i < rounds; i++) {
		OSSL_PARAM prm[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA384", 0),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret, 48),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, md, 48),
			OSSL_PARAM_construct_end(),
		};

		hctx = EVP_KDF_CTX_new(kdf);
		EVP_KDF_derive(hctx, okm, sizeof(okm), prm);
		EVP_KDF_CTX_free(hctx);
	}
	row("HKDF-SHA384 (extract + expand, 48 bytes)", (now_us() - t0) / rounds);
	EVP_KDF_free(kdf);

	X509_STORE_free(trust);
	free(chain);
	spdm_cert_set_free(cs);
	return 0;
}
