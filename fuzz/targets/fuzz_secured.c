// SPDX-License-Identifier: MIT
/*
 * Fuzz the DSP0277 secured-message parser (proto/spdm/spdm_secured.h)
 * with a fixed session key schedule (SPDM 1.2, SHA-256, DHE secret and
 * transcript hashes constants), so valid records in the seed corpus open
 * and mutations of them reach the AEAD and length checks.
 *
 * Input: byte 0 selects the traffic keys (bits 1:0: request/response,
 * handshake/data), the transport's sequence-number size (bit 2: 0 for
 * PCIe DOE, 2 for MCTP) and the starting sequence number (bits 7:3); the
 * rest is a sequence of records [len:2 LE][bytes:len], each decoded in
 * order with the same keys. Properties: a decode that succeeds returns
 * no more than the capacity and advances the sequence number by exactly
 * one, and sealing the returned application data with the keys as they
 * were before must reproduce the record byte for byte (AES-GCM is
 * deterministic for a given key, nonce and AAD); a failed decode must not
 * advance the sequence number.
 *
 * Seed corpus: built with -DFUZZ_SECURED_SEEDGEN this file is a program
 * that writes valid records made by spdm_secured_encode() into the
 * directory given as its argument (fuzz/corpus/secured).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_secured.h"
#include "proto/spdm/spdm_wire.h"
#include "fuzz.h"

#define SESSION_ID	0xfffe0001u
#define APP_CAP		4096

static struct spdm_key_schedule ks;
static bool ks_ready;

static void ks_init(void)
{
	uint8_t dhe[32], th1[32], th2[32];
	unsigned int i;

	if (ks_ready)
		return;
	for (i = 0; i < sizeof(dhe); i++)
		dhe[i] = (uint8_t)(0xa0 + i);
	if (spdm_hash(SPDM_HASH_SHA256, "fuzz-th1", 8, th1) ||
	    spdm_hash(SPDM_HASH_SHA256, "fuzz-th2", 8, th2) ||
	    spdm_ks_handshake(&ks, SPDM_VERSION_12, SPDM_HASH_SHA256, dhe, sizeof(dhe), th1) ||
	    spdm_ks_data(&ks, th2))
		abort();
	ks_ready = true;
}

static struct spdm_traffic_keys *pick_keys(unsigned int sel)
{
	switch (sel & 3) {
	case 0: return &ks.req_hs;
	case 1: return &ks.rsp_hs;
	case 2: return &ks.req_data;
	default: return &ks.rsp_data;
	}
}

static void one_record(struct spdm_traffic_keys *k, unsigned int seq_size,
		       const uint8_t *m, size_t n)
{
	static uint8_t app[APP_CAP], again[APP_CAP + 64];
	struct spdm_traffic_keys before = *k;
	uint32_t sid;
	int len, len2;

	if (!spdm_secured_peek_session(m, n, &sid) && n >= 4 &&
	    sid != ((uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 |
		    (uint32_t)m[3] << 24))
		abort();
	len = spdm_secured_decode(k, SESSION_ID, seq_size, m, n, app, sizeof(app));
	if (len < 0) {
		if (k->seq != before.seq)
			abort();
		return;
	}
	if ((size_t)len > sizeof(app) || k->seq != before.seq + 1)
		abort();
	len2 = spdm_secured_encode(&before, SESSION_ID, seq_size, app, (size_t)len,
				   again, sizeof(again));
	if (len2 < 0 || (size_t)len2 != n || memcmp(again, m, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_traffic_keys k;
	unsigned int seq_size;

	if (size < 1)
		return 0;
	ks_init();
	k = *pick_keys(data[0]);
	seq_size = (data[0] & 4) ? 2 : 0;
	k.seq = data[0] >> 3;
	data++;
	size--;
	while (size >= 2) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		one_record(&k, seq_size, data, n);
		data += n;
		size -= n;
	}
	return 0;
}

#ifdef FUZZ_SECURED_SEEDGEN
/* cc -DFUZZ_SECURED_SEEDGEN -Isrc -Ifuzz fuzz/targets/fuzz_secured.c
 *    BUILD/libpcilab.a -lcrypto -lssl -lyaml -lpci -o gen && ./gen fuzz/corpus/secured */
int main(int argc, char **argv);

static void put_rec(uint8_t *out, size_t *at, const uint8_t *rec, size_t n)
{
	out[(*at)++] = (uint8_t)n;
	out[(*at)++] = (uint8_t)(n >> 8);
	memcpy(out + *at, rec, n);
	*at += n;
}

int main(int argc, char **argv)
{
	/* Application data as SPDM would carry it: a GET_VERSION-like
	 * request, a longer response, an empty message, a large one. */
	static const size_t app_lens[] = { 4, 0, 37, 512 };
	static uint8_t app[512], rec[1024], out[8192];
	unsigned int sel, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	ks_init();
	for (i = 0; i < sizeof(app); i++)
		app[i] = (uint8_t)(i * 13 + 5);
	app[0] = SPDM_VERSION_12;
	for (sel = 0; sel < 8; sel++) {
		unsigned int start = sel * 3;	/* starting sequence number */
		struct spdm_traffic_keys k = *pick_keys(sel);
		unsigned int seq_size = (sel & 4) ? 2 : 0;
		size_t at = 0;
		char path[512];
		FILE *f;

		k.seq = start;
		out[at++] = (uint8_t)(sel | start << 3);
		for (i = 0; i < sizeof(app_lens) / sizeof(app_lens[0]); i++) {
			int n = spdm_secured_encode(&k, SESSION_ID, seq_size, app, app_lens[i],
						    rec, sizeof(rec));

			if (n < 0)
				return 1;
			put_rec(out, &at, rec, (size_t)n);
		}
		snprintf(path, sizeof(path), "%s/keys%u-seq%u-%s", argv[1], sel & 3, start,
			 seq_size ? "mctp" : "doe");
		f = fopen(path, "wb");
		if (!f || fwrite(out, 1, at, f) != at || fclose(f))
			return 1;
	}
	return 0;
}
#endif
