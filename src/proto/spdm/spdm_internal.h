/* SPDX-License-Identifier: MIT */
/* Helpers shared by the requester and responder: transcripts. */
#ifndef PCILAB_PROTO_SPDM_INTERNAL_H
#define PCILAB_PROTO_SPDM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* A growable transcript buffer (message A, B, C, L, session T). */
struct spdm_tbuf {
	uint8_t *p;
	size_t len, cap;
};

int spdm_tbuf_append(struct spdm_tbuf *t, const void *d, size_t n);
void spdm_tbuf_reset(struct spdm_tbuf *t);
void spdm_tbuf_free(struct spdm_tbuf *t);
/* Hash of the concatenation of up to four buffers (NULL ends early). */
int spdm_tbuf_hash(uint32_t hash_algo, uint8_t *out, const struct spdm_tbuf *a,
		   const struct spdm_tbuf *b, const struct spdm_tbuf *c, const struct spdm_tbuf *d);
/* Highest set bit of m (strongest algorithm), or 0. */
static inline uint32_t spdm_pick_alg(uint32_t m)
{
	return m ? 1u << (31 - __builtin_clz(m)) : 0;
}
uint32_t spdm_meas_hash_for(uint32_t base_hash);

/* spdm_requester.c: one request in the established session; *rsp points
 * at the decrypted response (valid until the next call). */
struct spdm_requester;
int spdm_req_session_xfer(struct spdm_requester *r, const void *q, size_t qn,
			  const uint8_t **rsp, size_t *rn);
/* spdm_vendor.c: the responder's in-session VENDOR_DEFINED_REQUEST. */
struct spdm_responder_config;
int spdm_vendor_respond(const struct spdm_responder_config *cfg, uint8_t ver,
			const uint8_t *q, size_t qn, uint8_t *out, size_t cap);

#endif /* PCILAB_PROTO_SPDM_INTERNAL_H */
