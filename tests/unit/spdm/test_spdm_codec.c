// SPDX-License-Identifier: MIT
/* SPDM library tests: codecs, crypto KATs, secured messages and
 * certificates (test_spdm_session.c runs requester <-> responder). */
#include "test.h"

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_cert.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_internal.h"
#include "proto/spdm/spdm_msg.h"
#include "proto/spdm/spdm_secured.h"

static void unhex(const char *s, uint8_t *out)
{
	while (*s) {
		unsigned int v;

		sscanf(s, "%2x", &v);
		*out++ = (uint8_t)v;
		s += 2;
	}
}

/* ---- codecs: byte exact ---- */

static void test_version_bytes(void **state)
{
	const uint8_t exp_get[] = { 0x10, 0x84, 0x00, 0x00 };
	const uint8_t exp_ver[] = { 0x10, 0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x13 };
	struct spdm_version_info v = { .count = 2, .entries = { 0x1200, 0x1300 } }, d;
	uint8_t buf[64];

	assert_int_equal(spdm_encode_get_version(buf, sizeof(buf)), 4);
	assert_memory_equal(buf, exp_get, 4);
	assert_int_equal(spdm_encode_version(&v, buf, sizeof(buf)), sizeof(exp_ver));
	assert_memory_equal(buf, exp_ver, sizeof(exp_ver));
	assert_ok(spdm_decode_version(exp_ver, sizeof(exp_ver), &d));
	assert_int_equal(d.count, 2);
	assert_int_equal(d.entries[1], 0x1300);
	/* Truncated entry list, trailing byte, zero entries. */
	assert_errno(EMSGSIZE, spdm_decode_version(exp_ver, sizeof(exp_ver) - 1, &d));
	memcpy(buf, exp_ver, sizeof(exp_ver));
	buf[sizeof(exp_ver)] = 0;
	assert_errno(EMSGSIZE, spdm_decode_version(buf, sizeof(exp_ver) + 1, &d));
	buf[5] = 0;
	assert_errno(EPROTO, spdm_decode_version(buf, 6, &d));
	assert_errno(EMSGSIZE, spdm_decode_get_version(exp_get, 3));
}

static void test_capabilities_bytes(void **state)
{
	const uint8_t exp[] = { 0x12, 0xE1, 0, 0, 0, 12, 0, 0, 0x42, 0x72, 0, 0,
				0x00, 0x04, 0, 0, 0x00, 0x10, 0, 0 };
	struct spdm_caps c = { .ct_exponent = 12, .flags = 0x7242,
			       .data_transfer_size = 0x400, .max_msg_size = 0x1000 }, d;
	uint8_t buf[64];

	assert_int_equal(spdm_encode_get_capabilities(0x12, &c, buf, sizeof(buf)), 20);
	assert_memory_equal(buf, exp, 20);
	assert_ok(spdm_decode_get_capabilities(0x12, exp, 20, &d));
	assert_int_equal(d.flags, 0x7242);
	assert_int_equal(d.max_msg_size, 0x1000);
	assert_errno(EMSGSIZE, spdm_decode_get_capabilities(0x12, exp, 19, &d));
	assert_errno(EPROTO, spdm_decode_get_capabilities(0x13, exp, 20, &d));
	assert_errno(EPROTO, spdm_decode_capabilities(0x12, exp, 20, &d));	/* wrong code */
	/* DataTransferSize below the 1.2 minimum of 42. */
	memcpy(buf, exp, 20);
	buf[12] = 41;
	buf[13] = 0;
	assert_errno(EPROTO, spdm_decode_get_capabilities(0x12, buf, 20, &d));
	assert_errno(EMSGSIZE, spdm_encode_get_capabilities(0x12, &c, buf, 19));
}

static void test_algorithms_roundtrip(void **state)
{
	struct spdm_algs a = { .meas_spec = 1, .other_params = 2, .base_asym = 0x90,
			       .base_hash = 3, .dhe = 0x18, .aead = 2, .req_base_asym = 0x10,
			       .key_schedule = 1 }, d;
	uint8_t buf[128];
	int n;

	n = spdm_encode_negotiate_algorithms(0x12, &a, buf, sizeof(buf));
	assert_int_equal(n, 48);
	/* Header, Length 48, then AlgStruct DHE at offset 32: 02 20 18 00. */
	assert_int_equal(buf[2], 4);
	assert_int_equal(buf[4], 48);
	assert_int_equal(buf[32], 2);
	assert_int_equal(buf[33], 0x20);
	assert_int_equal(buf[34], 0x18);
	assert_ok(spdm_decode_negotiate_algorithms(0x12, buf, (size_t)n, &d));
	assert_int_equal(d.base_asym, 0x90);
	assert_int_equal(d.dhe, 0x18);
	assert_int_equal(d.key_schedule, 1);
	/* Length field disagreeing with the message; truncated struct. */
	assert_errno(EMSGSIZE, spdm_decode_negotiate_algorithms(0x12, buf, (size_t)n - 1, &d));
	buf[4] = 47;
	assert_errno(EMSGSIZE, spdm_decode_negotiate_algorithms(0x12, buf, 47, &d));
	buf[4] = 48;
	buf[33] = 0x30;	/* FixedAlgCount 3 */
	assert_errno(EPROTO, spdm_decode_negotiate_algorithms(0x12, buf, 48, &d));
	a.base_asym = 0x10;
	n = spdm_encode_algorithms(0x13, &a, buf, sizeof(buf));
	assert_int_equal(n, 52);
	assert_ok(spdm_decode_algorithms(0x13, buf, (size_t)n, &d));
	assert_int_equal(d.base_asym, 0x10);
	assert_int_equal(d.aead, 2);
}

/*
 * DSP0274 1.2.1/1.3.0 §10.5 Table 15 (Param1, ReqAlgStruct): an
 * AlgStructure "shall be present only if the Requester supports that
 * AlgType". A requester without mutual authentication leaves
 * ReqBaseAsymAlg out instead of sending AlgSupported 0 (found against
 * libspdm's responder, which answers that with ERROR(InvalidRequest)),
 * and one without KEY_EX sends no AlgStructure at all.
 */
static void test_algorithms_struct_presence(void **state)
{
	const uint8_t exp_neg[] = {
		0x12, 0xE3, 0x03, 0x00,		/* 1.2, NEGOTIATE_ALGORITHMS, 3 structs */
		0x2C, 0x00,			/* Length 44 */
		0x01, 0x02,			/* DMTF meas spec, OpaqueDataFmt1 */
		0x90, 0x00, 0x00, 0x00,		/* BaseAsymAlgo P-256 | P-384 */
		0x03, 0x00, 0x00, 0x00,		/* BaseHashAlgo SHA-256 | SHA-384 */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x00,		/* ExtAsym, ExtHash, reserved, MEL */
		0x02, 0x20, 0x18, 0x00,		/* DHE secp256r1 | secp384r1 */
		0x03, 0x20, 0x02, 0x00,		/* AEAD AES-256-GCM */
		0x05, 0x20, 0x01, 0x00,		/* KeySchedule SPDM */
	};
	struct spdm_algs a = { .meas_spec = 1, .other_params = 2, .base_asym = 0x90,
			       .base_hash = 3, .dhe = 0x18, .aead = 2, .key_schedule = 1 }, d;
	uint8_t buf[128];
	int n;

	n = spdm_encode_negotiate_algorithms(0x12, &a, buf, sizeof(buf));
	assert_int_equal(n, sizeof(exp_neg));
	assert_memory_equal(buf, exp_neg, sizeof(exp_neg));
	assert_ok(spdm_decode_negotiate_algorithms(0x12, exp_neg, sizeof(exp_neg), &d));
	assert_int_equal(d.alg_structs, SPDM_ALG_STRUCT_BIT(SPDM_ALG_TYPE_DHE) |
			 SPDM_ALG_STRUCT_BIT(SPDM_ALG_TYPE_AEAD) |
			 SPDM_ALG_STRUCT_BIT(SPDM_ALG_TYPE_KEY_SCHEDULE));
	assert_int_equal(d.req_base_asym, 0);

	/* The response answers the same three types, one selection each
	 * (§10.5 Table 22), and no ReqBaseAsymAlg structure. */
	d = (struct spdm_algs){ .meas_spec = 1, .other_params = 2, .meas_hash = 4,
				.base_asym = 0x80, .base_hash = 2, .dhe = 0x10, .aead = 2,
				.key_schedule = 1, .alg_structs = d.alg_structs };
	n = spdm_encode_algorithms(0x12, &d, buf, sizeof(buf));
	assert_int_equal(n, 36 + 3 * 4);
	assert_int_equal(buf[2], 3);
	assert_int_equal(buf[4], 48);
	assert_int_equal(buf[36], SPDM_ALG_TYPE_DHE);
	assert_int_equal(buf[40], SPDM_ALG_TYPE_AEAD);
	assert_int_equal(buf[44], SPDM_ALG_TYPE_KEY_SCHEDULE);

	/* No session algorithms at all: Param1 0, the 32-byte fixed part. */
	a.dhe = a.aead = a.key_schedule = 0;
	n = spdm_encode_negotiate_algorithms(0x12, &a, buf, sizeof(buf));
	assert_int_equal(n, 32);
	assert_int_equal(buf[2], 0);
	assert_int_equal(buf[4], 32);
	assert_ok(spdm_decode_negotiate_algorithms(0x12, buf, 32, &d));
	assert_int_equal(d.alg_structs, 0);
}

/*
 * OpaqueDataFmt1 (DSP0274 1.2 §"General opaque data format") holding the
 * DSP0277 supported-version list: a requester may list several secured
 * message versions (libspdm lists 1.0, 1.1, 1.2); the responder selects
 * the one it speaks, not the first.
 */
static void test_sm_opaque_version_list(void **state)
{
	const uint8_t list[] = {
		0x01, 0x00, 0x00, 0x00,		/* TotalElements 1, reserved */
		0x00, 0x00, 0x09, 0x00,		/* ID DMTF, VendorLen 0, DataLen 9 */
		0x01, 0x01, 0x03,		/* SMDataVersion 1, SupportedList, 3 */
		0x00, 0x10, 0x00, 0x11, 0x00, 0x12,	/* 1.0, 1.1, 1.2 */
		0x00, 0x00, 0x00,		/* pad the element to 4 bytes */
	};
	const uint8_t no11[] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
		0x01, 0x01, 0x02, 0x00, 0x10, 0x00, 0x12, 0x00,
	};
	uint16_t v;

	assert_ok(spdm_decode_sm_opaque(list, sizeof(list), false, &v));
	assert_int_equal(v, 0x1100);
	assert_ok(spdm_decode_sm_opaque(no11, sizeof(no11), false, &v));
	assert_int_not_equal(SPDM_VER_ENTRY_MAJMIN(v), SPDM_SECURED_VERSION_11);
	/* A list claiming more entries than it holds. */
	assert_true(spdm_decode_sm_opaque(list, sizeof(list) - 4, false, &v) < 0);
}

static void test_message_truncation(void **state)
{
	const struct spdm_params p = { .version = 0x13, .hash_size = 48, .sig_size = 96,
				       .dhe_size = 96 };
	uint8_t buf[1024], nonce[32] = { 1 }, h[48] = { 2 }, sig[96] = { 3 }, ctx[8] = { 4 };
	uint8_t pub[96] = { 5 };
	struct spdm_challenge_auth a = { .slot_mask = 1, .cert_chain_hash = h, .nonce = nonce,
					 .meas_summary_hash = h, .context = ctx, .signature = sig };
	struct spdm_key_exchange_rsp_msg k = { .random = nonce, .exchange = pub,
					       .signature = sig, .verify_data = h }, kd;
	struct spdm_challenge_auth ad;
	int n, i;

	n = spdm_encode_challenge_auth(&p, 0xFF, &a, buf, sizeof(buf));
	assert_int_equal(n, 4 + 48 + 32 + 48 + 2 + 8 + 96);
	assert_ok(spdm_decode_challenge_auth(&p, 0xFF, buf, (size_t)n, &ad));
	assert_int_equal(ad.sig_offset, (size_t)n - 96);
	assert_memory_equal(ad.signature, sig, 96);
	/* Every truncation and one extra byte are refused. */
	for (i = 0; i < n; i++)
		assert_errno(EMSGSIZE, spdm_decode_challenge_auth(&p, 0xFF, buf, (size_t)i, &ad));
	assert_errno(EMSGSIZE, spdm_decode_challenge_auth(&p, 0xFF, buf, (size_t)n + 1, &ad));
	n = spdm_encode_key_exchange_rsp(&p, 0, &k, buf, sizeof(buf));
	assert_int_equal(n, 40 + 96 + 2 + 96 + 48);
	assert_ok(spdm_decode_key_exchange_rsp(&p, 0, buf, (size_t)n, &kd));
	assert_int_equal(kd.verify_offset, (size_t)n - 48);
	for (i = 0; i < n; i++)
		assert_errno(EMSGSIZE, spdm_decode_key_exchange_rsp(&p, 0, buf, (size_t)i, &kd));
	/* Oversized OpaqueDataLength claims more than the message holds. */
	buf[40 + 96] = 0xFF;
	buf[40 + 96 + 1] = 0x03;
	assert_true(spdm_decode_key_exchange_rsp(&p, 0, buf, (size_t)n, &kd) < 0);
}

static void test_measurement_record(void **state)
{
	const uint8_t exp[] = { 0x01, 0x01, 0x07, 0x00, 0x81, 0x04, 0x00, 'a', 'b', 'c', 'd' };
	struct spdm_meas_block b = { .index = 1, .value_type = 0x81, .value_size = 4,
				     .value = (const uint8_t *)"abcd" }, out[2];
	uint8_t buf[64];

	assert_int_equal(spdm_encode_meas_block(&b, buf, sizeof(buf)), sizeof(exp));
	assert_memory_equal(buf, exp, sizeof(exp));
	assert_ok(spdm_parse_meas_record(exp, sizeof(exp), 1, out, 2));
	assert_int_equal(out[0].value_size, 4);
	assert_errno(EMSGSIZE, spdm_parse_meas_record(exp, sizeof(exp), 2, NULL, 0));
	assert_errno(EMSGSIZE, spdm_parse_meas_record(exp, sizeof(exp) - 1, 1, NULL, 0));
	memcpy(buf, exp, sizeof(exp));
	buf[5] = 5;	/* DMTF value size inconsistent with block size */
	assert_errno(EPROTO, spdm_parse_meas_record(buf, sizeof(exp), 1, NULL, 0));
}

static void test_error_and_session_msgs(void **state)
{
	const uint8_t exp[] = { 0x12, 0x7F, 0x42, 0x00, 0x0A, 0xE0, 0x07, 0x03 };
	struct spdm_error_not_ready nr = { 10, 0xE0, 7, 3 }, d;
	uint8_t buf[64], op, tag;

	assert_int_equal(spdm_encode_error_not_ready(0x12, &nr, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, exp, 8);
	assert_ok(spdm_decode_error_not_ready(0x12, exp, 8, &d));
	assert_int_equal(d.token, 7);
	assert_errno(EMSGSIZE, spdm_decode_error_not_ready(0x12, exp, 7, &d));
	assert_int_equal(spdm_encode_key_update(0x13, 1, 0x55, buf, sizeof(buf)), 4);
	assert_ok(spdm_decode_key_update(0x13, buf, 4, &op, &tag));
	assert_int_equal(tag, 0x55);
	buf[2] = 9;
	assert_errno(EPROTO, spdm_decode_key_update(0x13, buf, 4, &op, &tag));
	assert_int_equal(spdm_encode_respond_if_ready(0x12, 0xE0, 7, buf, sizeof(buf)), 4);
	assert_int_equal(buf[1], 0xFF);
	assert_int_equal(spdm_encode_heartbeat(0x12, buf, sizeof(buf)), 4);
	assert_ok(spdm_decode_heartbeat(0x12, buf, 4));
	assert_errno(EMSGSIZE, spdm_decode_heartbeat(0x12, buf, 5));
	assert_errno(EPROTO, spdm_decode_heartbeat_ack(0x12, buf, 4));
}

/* ---- crypto KATs ---- */

static void test_hkdf_rfc5869(void **state)
{
	/* RFC 5869 Appendix A.1. */
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42], exp_prk[32], exp_okm[42];
	unsigned int i;

	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < 10; i++)
		info[i] = (uint8_t)(0xf0 + i);
	unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", exp_prk);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	      "34007208d5b887185865", exp_okm);
	assert_ok(spdm_hkdf_extract(SPDM_HASH_SHA256, salt, 13, ikm, 22, prk));
	assert_memory_equal(prk, exp_prk, 32);
	assert_ok(spdm_hkdf_expand(SPDM_HASH_SHA256, prk, 32, info, 10, okm, 42));
	assert_memory_equal(okm, exp_okm, 42);
}

static void test_key_schedule_kat(void **state)
{
	/* Vectors computed independently with Python hmac/hashlib from the
	 * DSP0274 §12 formulas: DHE secret 00..1f, TH1 = SHA256("th1"),
	 * TH2 = SHA256("th2"), SPDM 1.2, SHA-256. */
	uint8_t dhe[32], th1[32], th2[32], exp[32];
	struct spdm_key_schedule ks;
	unsigned int i;

	for (i = 0; i < 32; i++)
		dhe[i] = (uint8_t)i;
	assert_ok(spdm_hash(SPDM_HASH_SHA256, "th1", 3, th1));
	assert_ok(spdm_hash(SPDM_HASH_SHA256, "th2", 3, th2));
	assert_ok(spdm_ks_handshake(&ks, 0x12, SPDM_HASH_SHA256, dhe, 32, th1));
	unhex("6d3d519bea087dd4fedf56742c0b98e1e7752769a78b1276b0409c99762e09c6", exp);
	assert_memory_equal(ks.req_hs.key, exp, 32);
	unhex("d3bb173aed588ea742145fc5", exp);
	assert_memory_equal(ks.rsp_hs.iv, exp, 12);
	unhex("d4e4e315331b49d424251c03e38ed130abc87455f654b0fcbbc8198014528ee4", exp);
	assert_memory_equal(ks.req_finished_key, exp, 32);
	assert_ok(spdm_ks_data(&ks, th2));
	unhex("c6a36f67365909c17cd27183dd9afab9d4434193556e1c6315d5759a90783a1a", exp);
	assert_memory_equal(ks.req_data.key, exp, 32);
	ks.req_data.seq = 5;
	assert_ok(spdm_ks_update(&ks, &ks.req_data));
	unhex("c56e33c6f0572149f7fb60fcdee2d216666be736d2e12673aa4ebb8d04700435", exp);
	assert_memory_equal(ks.req_data.key, exp, 32);
	assert_int_equal(ks.req_data.seq, 0);
	spdm_ks_clear(&ks);
}

static void test_ecdsa_ecdhe(void **state)
{
	const uint32_t algs[] = { SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P384 };
	const uint32_t dhes[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1 };
	uint8_t sig[96], pa[96], pb[96], sa[48], sb[48];
	size_t la, lb;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		EVP_PKEY *k = spdm_keygen_asym(algs[i]), *a, *b;
		size_t s = spdm_sig_size(algs[i]);

		assert_non_null(k);
		assert_ok(spdm_sign(k, algs[i], SPDM_HASH_SHA256, "msg", 3, sig));
		assert_ok(spdm_verify(k, algs[i], SPDM_HASH_SHA256, "msg", 3, sig, s));
		sig[5] ^= 1;
		assert_errno(EBADMSG, spdm_verify(k, algs[i], SPDM_HASH_SHA256, "msg", 3, sig, s));
		EVP_PKEY_free(k);

		a = spdm_ec_keygen_dhe(dhes[i]);
		b = spdm_ec_keygen_dhe(dhes[i]);
		assert_ok(spdm_dhe_public(a, dhes[i], pa));
		assert_ok(spdm_dhe_public(b, dhes[i], pb));
		assert_ok(spdm_dhe_derive(a, dhes[i], pb, s, sa, &la));
		assert_ok(spdm_dhe_derive(b, dhes[i], pa, s, sb, &lb));
		assert_int_equal(la, s / 2);
		assert_memory_equal(sa, sb, la);
		/* A point off the curve is refused. */
		pb[s - 1] ^= 1;
		assert_errno(EPROTO, spdm_dhe_derive(a, dhes[i], pb, s, sa, &la));
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
	}
}

/* ---- secured messages ---- */

/*
 * RSASSA-3072 / RSAPSS-3072 (DSP0274 1.3.0 Table 21): a 384-byte big
 * endian signature; PKCS#1 v1.5 is deterministic, PSS randomised with
 * MGF1(hash) and a salt of the hash length, checked here against
 * OpenSSL directly.
 */
static int pss_verify_openssl(EVP_PKEY *k, const char *md, int saltlen, const uint8_t *sig)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *p;
	int ok;

	assert_int_equal(EVP_DigestVerifyInit_ex(m, &p, md, NULL, NULL, k, NULL), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md_name(p, md, NULL), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(p, saltlen), 1);
	ok = EVP_DigestVerify(m, sig, 384, (const uint8_t *)"msg", 3);
	EVP_MD_CTX_free(m);
	return ok;
}

static void test_rsa_sign_verify(void **state)
{
	const uint32_t algs[] = { SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSAPSS_3072 };
	const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384 };
	EVP_PKEY *k = spdm_keygen_asym(SPDM_ASYM_RSAPSS_3072);
	EVP_PKEY *ec = spdm_keygen_asym(SPDM_ASYM_ECDSA_P384);
	uint8_t sig[SPDM_MAX_SIG_SIZE], sig2[SPDM_MAX_SIG_SIZE], big[1024];
	EVP_PKEY_CTX *p;
	EVP_MD_CTX *m;
	unsigned int i, j;
	size_t n;

	assert_non_null(k);
	assert_non_null(ec);
	assert_int_equal(EVP_PKEY_get_bits(k), 3072);
	assert_int_equal(spdm_key_asym(k), SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072);
	assert_int_equal(spdm_key_asym(ec), SPDM_ASYM_ECDSA_P384);
	assert_int_equal(SPDM_MAX_SIG_SIZE, 384);
	for (i = 0; i < 2; i++) {
		assert_int_equal(spdm_sig_size(algs[i]), 384);
		for (j = 0; j < 2; j++) {
			size_t h = spdm_hash_size(hashes[j]);
			const char *md = h == 32 ? "SHA256" : "SHA384";

			assert_ok(spdm_sign(k, algs[i], hashes[j], "msg", 3, sig));
			assert_ok(spdm_verify(k, algs[i], hashes[j], "msg", 3, sig, 384));
			assert_ok(spdm_sign(k, algs[i], hashes[j], "msg", 3, sig2));
			/* PKCS#1 v1.5 is deterministic; PSS has a random salt. */
			assert_int_equal(!memcmp(sig, sig2, 384), algs[i] == SPDM_ASYM_RSASSA_3072);
			if (algs[i] == SPDM_ASYM_RSAPSS_3072) {
				assert_int_equal(pss_verify_openssl(k, md, (int)h, sig), 1);
				assert_int_not_equal(pss_verify_openssl(k, md, (int)h + 1, sig), 1);
			}
			/* The other padding, the other hash, a flipped bit, a
			 * short signature: all -EBADMSG. */
			assert_errno(EBADMSG, spdm_verify(k, algs[!i], hashes[j], "msg", 3, sig, 384));
			assert_errno(EBADMSG, spdm_verify(k, algs[i], hashes[!j], "msg", 3, sig, 384));
			assert_errno(EBADMSG, spdm_verify(k, algs[i], hashes[j], "msG", 3, sig, 384));
			sig[100] ^= 0x10;
			assert_errno(EBADMSG, spdm_verify(k, algs[i], hashes[j], "msg", 3, sig, 384));
			sig[100] ^= 0x10;
			assert_errno(EBADMSG, spdm_verify(k, algs[i], hashes[j], "msg", 3, sig, 383));
			/* A key of another type is refused before any math. */
			assert_errno(EKEYREJECTED, spdm_sign(ec, algs[i], hashes[j], "msg", 3, sig2));
			assert_errno(EKEYREJECTED,
				     spdm_verify(ec, algs[i], hashes[j], "msg", 3, sig, 384));
		}
	}
	/* A PSS signature with OpenSSL's maximum salt is valid RSA-PSS but
	 * not SPDM's encoding (salt = hash length): refused. */
	m = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit_ex(m, &p, "SHA384", NULL, NULL, k, NULL), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(p, RSA_PSS_SALTLEN_MAX), 1);
	n = sizeof(big);
	assert_int_equal(EVP_DigestSign(m, big, &n, (const uint8_t *)"msg", 3), 1);
	EVP_MD_CTX_free(m);
	assert_int_equal(n, 384);
	assert_errno(EBADMSG, spdm_verify(k, SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA384, "msg", 3,
					  big, 384));
	/* An RSA key may not sign or verify ECDSA either. */
	assert_errno(EKEYREJECTED, spdm_sign(k, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "m", 1, sig));
	assert_errno(EKEYREJECTED,
		     spdm_verify(k, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, "m", 1, sig, 96));
	assert_string_equal(spdm_asym_name(SPDM_ASYM_RSAPSS_3072), "RSAPSS-3072");
	EVP_PKEY_free(ec);
	EVP_PKEY_free(k);
}

static void test_secured_tamper_replay(void **state)
{
	struct spdm_traffic_keys tx = { 0 }, rx;
	uint8_t msg[128], first[128], app[64];
	int n, n1, i;

	for (i = 0; i < 32; i++)
		tx.key[i] = (uint8_t)i;
	memset(tx.iv, 0xA5, sizeof(tx.iv));
	rx = tx;
	n1 = spdm_secured_encode(&tx, 0x12345678, 2, "\x12\xE8\x00\x00", 4, first, sizeof(first));
	assert_int_equal(n1, 4 + 2 + 2 + 2 + 4 + 16);
	assert_int_equal(first[0], 0x78);	/* session ID little endian */
	assert_int_equal(spdm_secured_decode(&rx, 0x12345678, 2, first, (size_t)n1, app, sizeof(app)), 4);
	assert_memory_equal(app, "\x12\xE8\x00\x00", 4);
	/* Replay of the first message. */
	assert_errno(EPROTO, spdm_secured_decode(&rx, 0x12345678, 2, first, (size_t)n1, app, sizeof(app)));
	n = spdm_secured_encode(&tx, 0x12345678, 2, "\x12\xE8\x00\x00", 4, msg, sizeof(msg));
	/* Without an explicit sequence number, replay fails the MAC. */
	{
		struct spdm_traffic_keys t0 = tx, r0 = tx;
		uint8_t m0[128];
		int k;

		t0.seq = r0.seq = 0;
		k = spdm_secured_encode(&t0, 1, 0, "abc", 3, m0, sizeof(m0));
		assert_int_equal(spdm_secured_decode(&r0, 1, 0, m0, (size_t)k, app, sizeof(app)), 3);
		assert_errno(EBADMSG, spdm_secured_decode(&r0, 1, 0, m0, (size_t)k, app, sizeof(app)));
	}
	/* Flip each byte of the ciphertext or MAC: MAC failure, state kept. */
	for (i = 8; i < n; i++) {
		msg[i] ^= 0x40;
		assert_errno(EBADMSG, spdm_secured_decode(&rx, 0x12345678, 2, msg, (size_t)n, app, sizeof(app)));
		msg[i] ^= 0x40;
	}
	msg[0] ^= 1;
	assert_errno(EPROTO, spdm_secured_decode(&rx, 0x12345678, 2, msg, (size_t)n, app, sizeof(app)));
	msg[0] ^= 1;
	assert_errno(EMSGSIZE, spdm_secured_decode(&rx, 0x12345678, 2, msg, (size_t)n - 1, app, sizeof(app)));
	assert_int_equal(spdm_secured_decode(&rx, 0x12345678, 2, msg, (size_t)n, app, sizeof(app)), 4);
}

/* ---- certificates ---- */

static void test_cert_chain(void **state)
{
	time_t now = time(NULL);
	struct spdm_cert_set *cs = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P384, "dev", now - 3600,
							  now + 86400);
	struct spdm_cert_set *other = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "evil",
							     now - 3600, now + 86400);
	X509_STORE *trust, *wrong;
	EVP_PKEY *leaf = NULL;
	uint8_t *chain;
	size_t len;

	assert_false(IS_ERR(cs));
	assert_false(IS_ERR(other));
	trust = spdm_trust_store_new(cs->root);
	wrong = spdm_trust_store_new(other->root);
	assert_ok(spdm_cert_chain_build(cs, SPDM_HASH_SHA384, &chain, &len));
	assert_int_equal(chain[0] | chain[1] << 8, len);
	assert_ok(spdm_cert_chain_verify(chain, len, SPDM_HASH_SHA384, trust, now, &leaf));
	assert_int_equal(EVP_PKEY_eq(leaf, cs->leaf_key), 1);
	EVP_PKEY_free(leaf);
	/* The leaf carries the DMTF SPDM extension (OID ...412.274.6). */
	{
		ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.4.1.412.274.6", 1);

		assert_true(X509_get_ext_by_OBJ(cs->leaf, o, -1) >= 0);
		ASN1_OBJECT_free(o);
	}
	assert_errno(EKEYREJECTED, spdm_cert_chain_verify(chain, len, SPDM_HASH_SHA384, wrong, now, NULL));
	assert_errno(EKEYEXPIRED, spdm_cert_chain_verify(chain, len, SPDM_HASH_SHA384, trust,
							  now + 30 * 86400, NULL));
	assert_errno(EPROTO, spdm_cert_chain_verify(chain, len - 1, SPDM_HASH_SHA384, trust, now, NULL));
	chain[10] ^= 1;	/* RootHash */
	assert_errno(EPROTO, spdm_cert_chain_verify(chain, len, SPDM_HASH_SHA384, trust, now, NULL));
	free(chain);
	X509_STORE_free(trust);
	X509_STORE_free(wrong);
	spdm_cert_set_free(cs);
	spdm_cert_set_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_bytes),
		cmocka_unit_test(test_capabilities_bytes),
		cmocka_unit_test(test_algorithms_roundtrip),
		cmocka_unit_test(test_algorithms_struct_presence),
		cmocka_unit_test(test_sm_opaque_version_list),
		cmocka_unit_test(test_message_truncation),
		cmocka_unit_test(test_measurement_record),
		cmocka_unit_test(test_error_and_session_msgs),
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_key_schedule_kat),
		cmocka_unit_test(test_ecdsa_ecdhe),
		cmocka_unit_test(test_secured_tamper_replay),
		cmocka_unit_test(test_cert_chain),
		cmocka_unit_test(test_rsa_sign_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
