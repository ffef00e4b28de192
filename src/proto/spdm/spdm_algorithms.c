// SPDX-License-Identifier: MIT
/* NEGOTIATE_ALGORITHMS / ALGORITHMS (DSP0274 1.3.0 §10.5). */
#include "proto/spdm/spdm_buf.h"
#include "proto/spdm/spdm_msg.h"

/* Fixed parts: 32 bytes for the request, 36 for the response. */
#define NEG_FIXED	32
#define ALGS_FIXED	36

static void alg_values(const struct spdm_algs *a, uint16_t v[SPDM_MAX_ALG_STRUCTS])
{
	v[0] = a->dhe;
	v[1] = a->aead;
	v[2] = a->req_base_asym;
	v[3] = a->key_schedule;
}

/* Bit (AlgType - 2) for every AlgStructure whose AlgSupported is non-zero. */
static uint8_t alg_nonzero(const struct spdm_algs *a)
{
	uint16_t v[SPDM_MAX_ALG_STRUCTS];
	uint8_t mask = 0;
	unsigned int i;

	alg_values(a, v);
	for (i = 0; i < SPDM_MAX_ALG_STRUCTS; i++)
		if (v[i])
			mask |= (uint8_t)(1u << i);
	return mask;
}

static unsigned int alg_count(uint8_t mask)
{
	return (unsigned int)__builtin_popcount(mask & ((1u << SPDM_MAX_ALG_STRUCTS) - 1));
}

/* §10.5: AlgStructs in increasing AlgType order, FixedAlgCount 2; only
 * the types in mask. */
static void put_alg_structs(struct spdm_wbuf *w, const struct spdm_algs *a, uint8_t mask)
{
	uint16_t v[SPDM_MAX_ALG_STRUCTS];
	unsigned int i;

	alg_values(a, v);
	for (i = 0; i < SPDM_MAX_ALG_STRUCTS; i++) {
		if (!(mask & (1u << i)))
			continue;
		spdm_put_u8(w, (uint8_t)(SPDM_ALG_TYPE_DHE + i));
		spdm_put_u8(w, SPDM_ALG_COUNT_FIXED2);
		spdm_put_le16(w, v[i]);
	}
}

/* Patch the Length field (offset 4) once the message is complete. */
static int finish_length(struct spdm_wbuf *w)
{
	if (w->err)
		return w->err;
	w->p[4] = (uint8_t)w->len;
	w->p[5] = (uint8_t)(w->len >> 8);
	return (int)w->len;
}

/*
 * Parse `count` AlgStructs into a. Types must be known, strictly
 * increasing, FixedAlgCount must be 2; AlgExternal entries are skipped
 * (we support no extended algorithms). A response may name at most one
 * external algorithm per struct (§10.5 Table 21).
 */
static int get_alg_structs(struct spdm_rbuf *r, unsigned int count, bool response,
			   struct spdm_algs *a)
{
	unsigned int i, last = 0, ext;
	uint8_t type, acount;
	uint16_t sup;

	for (i = 0; i < count; i++) {
		type = spdm_get_u8(r);
		acount = spdm_get_u8(r);
		sup = spdm_get_le16(r);
		if (r->err)
			return r->err;
		if ((acount >> 4) != 2)
			return -EPROTO;
		ext = acount & 0xF;
		if (response && ext > 1)
			return -EPROTO;
		if (!spdm_get_ptr(r, 4u * ext))
			return r->err;
		if (type < SPDM_ALG_TYPE_DHE || type > SPDM_ALG_TYPE_KEY_SCHEDULE || type <= last)
			return -EPROTO;
		last = type;
		a->alg_structs |= SPDM_ALG_STRUCT_BIT(type);
		switch (type) {
		case SPDM_ALG_TYPE_DHE:
			a->dhe = sup;
			break;
		case SPDM_ALG_TYPE_AEAD:
			a->aead = sup;
			break;
		case SPDM_ALG_TYPE_REQ_BASE_ASYM:
			a->req_base_asym = sup;
			break;
		default:
			a->key_schedule = sup;
			break;
		}
	}
	return 0;
}

/*
 * DSP0274 1.2.1/1.3.0 §10.5 Table 15 (Param1, ReqAlgStruct): an
 * AlgStructure "shall be present only if the Requester supports that
 * AlgType", so a type we offer nothing of (ReqBaseAsymAlg without mutual
 * authentication, the session types without KEY_EX) is left out rather
 * than sent with AlgSupported 0, which conforming responders reject.
 */
int spdm_encode_negotiate_algorithms(uint8_t ver, const struct spdm_algs *a, void *buf, size_t cap)
{
	uint8_t mask = alg_nonzero(a);
	struct spdm_wbuf w;

	if (ver < SPDM_VERSION_12)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_NEGOTIATE_ALGORITHMS, (uint8_t)alg_count(mask), 0);
	spdm_put_le16(&w, 0);	/* patched */
	spdm_put_u8(&w, a->meas_spec);
	spdm_put_u8(&w, a->other_params);
	spdm_put_le32(&w, a->base_asym);
	spdm_put_le32(&w, a->base_hash);
	spdm_put_zero(&w, 12);
	spdm_put_u8(&w, 0);	/* ExtAsymCount */
	spdm_put_u8(&w, 0);	/* ExtHashCount */
	spdm_put_u8(&w, 0);
	spdm_put_u8(&w, ver >= SPDM_VERSION_13 ? a->mel_spec : 0);
	put_alg_structs(&w, a, mask);
	return finish_length(&w);
}

int spdm_decode_negotiate_algorithms(uint8_t ver, const void *buf, size_t len, struct spdm_algs *a)
{
	struct spdm_rbuf r;
	uint8_t nstruct, next_asym, next_hash;
	uint16_t length;
	int rc;

	memset(a, 0, sizeof(*a));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_NEGOTIATE_ALGORITHMS, &nstruct, NULL);
	if (rc)
		return rc;
	length = spdm_get_le16(&r);
	a->meas_spec = spdm_get_u8(&r);
	a->other_params = spdm_get_u8(&r);
	a->base_asym = spdm_get_le32(&r);
	a->base_hash = spdm_get_le32(&r);
	spdm_get_ptr(&r, 12);
	next_asym = spdm_get_u8(&r);
	next_hash = spdm_get_u8(&r);
	spdm_get_u8(&r);
	a->mel_spec = spdm_get_u8(&r);
	if (r.err)
		return r.err;
	/* §10.5: Length is the whole message, at most 128 bytes, and at most
	 * 20 extended algorithms in all. */
	if (length != len || len > SPDM_NEG_ALGS_MAX_LENGTH)
		return -EMSGSIZE;
	if (next_asym + next_hash > SPDM_NEG_ALGS_MAX_EXT || nstruct > SPDM_MAX_ALG_STRUCTS)
		return -EPROTO;
	if (ver < SPDM_VERSION_13)
		a->mel_spec = 0;
	if (!spdm_get_ptr(&r, 4u * (next_asym + next_hash)))
		return r.err;
	rc = get_alg_structs(&r, nstruct, false, a);
	if (rc)
		return rc;
	return spdm_rbuf_end(&r);
}

/*
 * §10.5 Table 22 (RespAlgStruct): each selection is one "Requester-
 * supported, Responder-selected" algorithm, so the response carries an
 * AlgStructure for each type the request carried (a->alg_structs, the
 * selection possibly 0), and none for a type the Requester left out.
 */
int spdm_encode_algorithms(uint8_t ver, const struct spdm_algs *a, void *buf, size_t cap)
{
	uint8_t mask = (uint8_t)(a->alg_structs | alg_nonzero(a));
	struct spdm_wbuf w;

	if (ver < SPDM_VERSION_12)
		return -EINVAL;
	spdm_wbuf_init(&w, buf, cap);
	spdm_put_hdr(&w, ver, SPDM_ALGORITHMS, (uint8_t)alg_count(mask), 0);
	spdm_put_le16(&w, 0);	/* patched */
	spdm_put_u8(&w, a->meas_spec);
	spdm_put_u8(&w, a->other_params);
	spdm_put_le32(&w, a->meas_hash);
	spdm_put_le32(&w, a->base_asym);
	spdm_put_le32(&w, a->base_hash);
	spdm_put_zero(&w, 11);
	spdm_put_u8(&w, ver >= SPDM_VERSION_13 ? a->mel_spec : 0);
	spdm_put_u8(&w, 0);	/* ExtAsymSelCount */
	spdm_put_u8(&w, 0);	/* ExtHashSelCount */
	spdm_put_le16(&w, 0);
	put_alg_structs(&w, a, mask);
	return finish_length(&w);
}

int spdm_decode_algorithms(uint8_t ver, const void *buf, size_t len, struct spdm_algs *a)
{
	struct spdm_rbuf r;
	uint8_t nstruct, next_asym, next_hash;
	uint16_t length;
	int rc;

	memset(a, 0, sizeof(*a));
	spdm_rbuf_init(&r, buf, len);
	rc = spdm_get_hdr(&r, ver, SPDM_ALGORITHMS, &nstruct, NULL);
	if (rc)
		return rc;
	length = spdm_get_le16(&r);
	a->meas_spec = spdm_get_u8(&r);
	a->other_params = spdm_get_u8(&r);
	a->meas_hash = spdm_get_le32(&r);
	a->base_asym = spdm_get_le32(&r);
	a->base_hash = spdm_get_le32(&r);
	spdm_get_ptr(&r, 11);
	a->mel_spec = spdm_get_u8(&r);
	next_asym = spdm_get_u8(&r);
	next_hash = spdm_get_u8(&r);
	spdm_get_le16(&r);
	if (r.err)
		return r.err;
	if (length != len)
		return -EMSGSIZE;
	/* §10.5: a response selects at most one extended algorithm each. */
	if (next_asym > 1 || next_hash > 1 || nstruct > SPDM_MAX_ALG_STRUCTS)
		return -EPROTO;
	if (ver < SPDM_VERSION_13)
		a->mel_spec = 0;
	if (!spdm_get_ptr(&r, 4u * (next_asym + next_hash)))
		return r.err;
	rc = get_alg_structs(&r, nstruct, true, a);
	if (rc)
		return rc;
	return spdm_rbuf_end(&r);
}
