// SPDX-License-Identifier: MIT
/*
 * Fuzz the SPDM message decoders, the DOE length recovery and the device
 * firmware's request handling. The input is a sequence of records
 * [flags:1][len:2 LE][bytes:len] (flags bit 0: secured); each record is
 * fed to every decoder and, in order, to one fresh responder, so that
 * multi-message flows (VERSION → CAPABILITIES → ALGORITHMS → ...) are
 * reachable. Nothing may crash, leak, or read past a record; every request
 * must get exactly one response that fits the buffer.
 *
 * Keys are made once per process (the cert set is static); the responder
 * is per input, so each input replays deterministically.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_doe.h"
#include "proto/spdm/spdm_msg.h"
#include "fuzz.h"

static struct spdm_cert_set *certs;

static void decode_all(const uint8_t *m, size_t n)
{
	struct spdm_params p = { .hash_size = 48, .sig_size = 96, .dhe_size = 96 };
	union {
		struct spdm_version_info v;
		struct spdm_caps c;
		struct spdm_algs a;
		struct spdm_digests d;
		struct spdm_get_cert g;
		struct spdm_cert_portion cp;
		struct spdm_challenge_req cr;
		struct spdm_challenge_auth ca;
		struct spdm_get_meas gm;
		struct spdm_meas_rsp mr;
		struct spdm_key_exchange_req ke;
		struct spdm_key_exchange_rsp_msg kr;
		struct spdm_finish_req f;
		struct spdm_error_msg e;
	} u;
	struct spdm_meas_block blocks[8];
	const uint8_t *vd;
	uint8_t op, tag;
	uint16_t ver16;
	uint8_t v = n ? m[0] : SPDM_VERSION_12;

	p.version = v;
	(void)spdm_decode_get_version(m, n);
	(void)spdm_decode_version(m, n, &u.v);
	(void)spdm_decode_get_capabilities(v, m, n, &u.c);
	(void)spdm_decode_capabilities(v, m, n, &u.c);
	(void)spdm_decode_negotiate_algorithms(v, m, n, &u.a);
	(void)spdm_decode_algorithms(v, m, n, &u.a);
	(void)spdm_decode_get_digests(v, m, n);
	(void)spdm_decode_digests(&p, m, n, &u.d);
	(void)spdm_decode_get_certificate(v, m, n, &u.g);
	(void)spdm_decode_certificate(v, m, n, &u.cp);
	(void)spdm_decode_challenge(v, m, n, &u.cr);
	(void)spdm_decode_challenge_auth(&p, SPDM_MEAS_SUMMARY_ALL, m, n, &u.ca);
	(void)spdm_decode_get_measurements(v, m, n, &u.gm);
	if (!spdm_decode_measurements(&p, true, m, n, &u.mr))
		(void)spdm_parse_meas_record(u.mr.record, u.mr.record_len, u.mr.num_blocks,
					     blocks, 8);
	(void)spdm_decode_key_exchange(&p, m, n, &u.ke);
	(void)spdm_decode_key_exchange_rsp(&p, SPDM_MEAS_SUMMARY_NONE, m, n, &u.kr);
	(void)spdm_decode_sm_opaque(m, n, false, &ver16);
	(void)spdm_decode_sm_opaque(m, n, true, &ver16);
	(void)spdm_decode_finish(&p, m, n, &u.f);
	(void)spdm_decode_finish_rsp(&p, true, m, n, &vd);
	(void)spdm_decode_key_update(v, m, n, &op, &tag);
	(void)spdm_decode_end_session(v, m, n, &op);
	(void)spdm_decode_error(v, m, n, &u.e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_responder_config cfg = {
		.versions = { SPDM_VERSION_12, SPDM_VERSION_13 }, .nversions = 2,
		.caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_ENCRYPT |
			SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD,
		.algos = { SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256 | SPDM_HASH_SHA384,
			   SPDM_DHE_SECP256R1, SPDM_AEAD_AES256_GCM },
	};
	static const uint8_t fw[] = "firmware";
	struct spdm_meas_config meas = { 1, SPDM_DMTF_MEAS_MUTABLE_FW, fw, sizeof(fw) };
	static uint8_t out[SPDM_MAX_MSG_SIZE + 64];
	struct spdm_doe_lenctx lctx = { 0 };
	struct spdm_responder *rsp;
	size_t off = 0, n, exact;
	bool secured, rsp_secured;
	uint8_t *msg;
	int rc;

	if (!certs) {
		time_t now = time(NULL);

		certs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "fuzz", now - 60,
					       now + 86400);
		if (IS_ERR(certs))
			abort();
	}
	cfg.certs = certs;
	cfg.meas = &meas;
	cfg.nmeas = 1;
	rsp = spdm_responder_new(&cfg);
	if (IS_ERR_OR_NULL(rsp))
		return 0;
	while (size - off >= 3) {
		secured = data[off] & 1;
		n = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
		off += 3;
		if (n > size - off)
			n = size - off;
		/* An exact-size heap copy, so ASan catches any over-read. */
		msg = malloc(n ? n : 1);
		if (!msg)
			break;
		memcpy(msg, data + off, n);
		off += n;
		decode_all(msg, n);
		exact = spdm_doe_msg_len(&lctx, secured, msg, n);
		if (exact > n)
			abort();
		if (!secured)
			spdm_doe_track(&lctx, msg, exact);
		rc = spdm_responder_handle(rsp, secured, msg, exact, &rsp_secured, out,
					   sizeof(out));
		if (rc > (int)sizeof(out))
			abort();
		if (rc > 0 && !rsp_secured)
			spdm_doe_track(&lctx, out, (size_t)rc);
		free(msg);
	}
	spdm_responder_free(rsp);
	return 0;
}
