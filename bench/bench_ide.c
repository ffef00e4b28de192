// SPDX-License-Identifier: MIT
/*
 * IDE stream encryption benchmark (`make bench`, not a test): the IDE
 * engine's Tx path (PCIe r6.2 §6.33.5: AES-256-GCM over the TLP payload,
 * header as AAD, 96-bit MAC, IV from the per-sub-stream invocation
 * counter) sealing TLP payloads of 64 B, 256 B and 4 KiB, next to raw
 * OpenSSL EVP AES-256-GCM encryption of the same number of bytes with the
 * same AAD, measured in the same run, reported as GiB/s and ratio.
 *
 * Each figure is the best of several trials; engine and EVP trials are
 * interleaved so that load changes on a shared machine hit both alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "base/compiler.h"
#include "base/err.h"
#include "hw/security/ide_engine.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_km_wire.h"

#define TRIALS		11
#define STREAM_ID	3
#define BATCH_BYTES	(4u << 20)	/* bytes sealed per trial */

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench-ide: %s failed: %d\n", what, rc);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double gibs(size_t bytes, double ns)
{
	return (double)bytes / ns * 1e9 / (double)(1u << 30);
}

/* One trial of the engine: seal n TLPs of len bytes in place. */
static double trial_engine(struct hw_ide_engine *e, uint8_t *buf, size_t len, unsigned int n)
{
	struct hw_ide_tlp t;
	double t0;
	unsigned int i;
	int rc;

	memset(&t, 0, sizeof(t));
	t.hdr[0] = 0x60;	/* MWr, 4DW header */
	t.hdr_len = 16;
	t.data = buf;
	t.len = len;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		t.hdr[3] = (uint8_t)(len / 4);
		rc = hw_ide_tx(e, STREAM_ID, IDE_KM_SUB_PR, &t);
		if (rc)
			die("hw_ide_tx", rc);
	}
	return now_ns() - t0;
}

/* One trial of EVP AES-256-GCM: init with a fresh IV, header as AAD,
 * encrypt in place, final, tag. The same work per TLP as the engine. */
static double trial_evp(EVP_CIPHER_CTX *c, const uint8_t key[32], uint8_t *buf,
			size_t len, unsigned int n)
{
	uint8_t iv[12] = { 0x80 }, hdr[16] = { 0x60 }, tag[16];
	uint64_t ctr = 1;
	double t0;
	unsigned int i;
	int out;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		memcpy(iv + 4, &ctr, 8);
		ctr++;
		if (EVP_EncryptInit_ex(c, NULL, NULL, key, iv) != 1 ||
		    EVP_EncryptUpdate(c, NULL, &out, hdr, sizeof(hdr)) != 1 ||
		    EVP_EncryptUpdate(c, buf, &out, buf, (int)len) != 1 ||
		    EVP_EncryptFinal_ex(c, buf + len, &out) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, HW_IDE_MAC_SIZE, tag) != 1)
			die("EVP AES-256-GCM", -EIO);
	}
	return now_ns() - t0;
}

int main(void)
{
	static const size_t sizes[] = { 64, 256, 4096 };
	uint8_t key[32], ifv[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	struct hw_ide_engine *e;
	EVP_CIPHER_CTX *c;
	uint8_t *buf;
	unsigned int s, i;
	int rc;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	e = hw_ide_engine_new(NULL, NULL);
	if (IS_ERR(e))
		die("hw_ide_engine_new", (int)PTR_ERR(e));
	for (s = 0; s < IDE_KM_NSUB; s++) {
		rc = hw_ide_key_go(e, STREAM_ID, ide_km_ks(true, s, 0), key, ifv);
		if (!rc)
			rc = hw_ide_key_go(e, STREAM_ID, ide_km_ks(false, s, 0), key, ifv);
		if (rc)
			die("hw_ide_key_go", rc);
	}
	c = EVP_CIPHER_CTX_new();
	if (!c || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1)
		die("EVP_CIPHER_CTX_new", -ENOMEM);
	buf = malloc(4096 + 64);
	if (!buf)
		die("malloc", -ENOMEM);
	memset(buf, 0xa5, 4096 + 64);

	printf("== IDE stream encryption (PCIe r6.2 §6.33, AES-256-GCM, 96-bit MAC) ==\n");
	printf("%-8s | %-22s %10s | %-22s %10s | %6s\n", "payload", "hw_ide_tx (engine)",
	       "TLP/s", "EVP AES-256-GCM", "op/s", "ratio");
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int n = (unsigned int)(BATCH_BYTES / sizes[s]);
		double be = 1e300, bv = 1e300, ge, gv;
		char sz[32];

		trial_engine(e, buf, sizes[s], n / 4);	/* warm up */
		trial_evp(c, key, buf, sizes[s], n / 4);
		for (i = 0; i < TRIALS; i++) {
			double te = trial_engine(e, buf, sizes[s], n);
			double tv = trial_evp(c, key, buf, sizes[s], n);

			be = te < be ? te : be;
			bv = tv < bv ? tv : bv;
		}
		ge = gibs((size_t)n * sizes[s], be);
		gv = gibs((size_t)n * sizes[s], bv);
		if (sizes[s] >= 1024)
			snprintf(sz, sizeof(sz), "%zu KiB", sizes[s] >> 10);
		else
			snprintf(sz, sizeof(sz), "%zu B", sizes[s]);
		printf("%-8s | %10.3f GiB/s      %10.0f | %10.3f GiB/s      %10.0f | %6.3f\n",
		       sz, ge, n / be * 1e9, gv, n / bv * 1e9, ge / gv);
	}
	printf("(payload bytes only; ratio = engine / EVP in the same run; best of %d trials\n"
	       " of %u MiB each; EVP does init+AAD+update+final+tag per TLP like the engine)\n",
	       TRIALS, BATCH_BYTES >> 20);
	free(buf);
	EVP_CIPHER_CTX_free(c);
	hw_ide_engine_free(e);
	return 0;
}
