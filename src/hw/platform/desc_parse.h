/* SPDX-License-Identifier: MIT */
/*
 * hw/platform: internals of the platform-file parser (desc_yaml.c for the
 * document, the host bridges and the function tree; desc_caps.c for the
 * capability tables). The format is documented in docs/platform-format.md.
 *
 * The parser loads the whole YAML document with libyaml's document API and
 * then walks it. Every error is reported once, as "FILE:LINE:COL: reason",
 * by dp_fail(); the first error wins and all later ones are dropped, so a
 * caller can simply propagate the return code.
 */
#ifndef PCILAB_HW_PLATFORM_DESC_PARSE_H
#define PCILAB_HW_PLATFORM_DESC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "base/compiler.h"
#include "hw/platform/desc.h"

/* What kind of bus a function sits on; decides which kinds may sit there
 * and which PCI Express Device/Port Type a function gets. */
enum dp_bus {
	DP_BUS_ROOT,		/* a host bridge's root bus */
	DP_BUS_LINK,		/* below a root port or switch downstream port */
	DP_BUS_INTERNAL,	/* a switch's internal bus (downstream ports) */
	DP_BUS_CONV,		/* conventional PCI, below a (PCIe-to-)PCI bridge */
};

struct dp_ctx {
	const char *file;		/* name used in messages (platform->file) */
	char *err;
	size_t errlen;
	bool failed;			/* an error message has been written */
	yaml_document_t *doc;
	uint8_t *entered;		/* per node: collection already walked */
	size_t nr_nodes;
	struct hw_desc_platform *p;
};

/* Write "FILE:LINE:COL: reason" (first error only); returns -EINVAL. */
int dp_fail(struct dp_ctx *c, const yaml_node_t *n, const char *fmt, ...) __printf(3, 4);
/* Report -ENOMEM ("FILE: out of memory"). */
int dp_nomem(struct dp_ctx *c);

const yaml_node_t *dp_node(struct dp_ctx *c, int idx);
/* Mark a mapping or sequence as walked; fails on a second walk (an alias),
 * which keeps a hostile file from blowing up the walk exponentially. */
int dp_enter(struct dp_ctx *c, const yaml_node_t *n);
int dp_expect_map(struct dp_ctx *c, const yaml_node_t *n, const char *what);
int dp_expect_seq(struct dp_ctx *c, const yaml_node_t *n, const char *what);

/* Scalar value equals s (whole value, case-sensitive). */
bool dp_is(const yaml_node_t *n, const char *s);
/* Copy a scalar for a message: at most 40 bytes, non-printables as '?'. */
const char *dp_show(const yaml_node_t *n, char *buf, size_t len);

/*
 * Look a mapping key up in names[]: returns its index, or fails with
 * "unknown key" (listing the accepted keys) or "duplicate key". *seen
 * tracks keys already met in this mapping (at most 64 names).
 */
int dp_key(struct dp_ctx *c, const yaml_node_t *key, const char *const *names,
	   size_t nr, const char *what, uint64_t *seen);
/* Look a scalar value up in names[] ("unknown WHAT 'x' (accepted: ...)"). */
int dp_enum(struct dp_ctx *c, const yaml_node_t *n, const char *const *names,
	    size_t nr, const char *what);
/* Fail with "missing required key 'k' in WHAT" at mapping n. */
int dp_missing(struct dp_ctx *c, const yaml_node_t *n, const char *key, const char *what);

/* Numbers: decimal or 0x hex, in [lo, hi]. */
int dp_uint(struct dp_ctx *c, const yaml_node_t *n, uint64_t lo, uint64_t hi, uint64_t *out);
/* Sizes: a number with an optional binary suffix K, M, G or T. */
int dp_size(struct dp_ctx *c, const yaml_node_t *n, uint64_t lo, uint64_t hi, uint64_t *out);
int dp_bool(struct dp_ctx *c, const yaml_node_t *n, bool *out);

/*
 * Parse one BAR mapping {index, type, prefetchable, size} into bars[]
 * (nr_slots slots). *next is the slot after the previous BAR and is used
 * when index is omitted; updated on success. vf: SR-IOV VF BAR (memory
 * only).
 */
int dp_bar(struct dp_ctx *c, const yaml_node_t *n, unsigned int nr_slots, bool vf,
	   enum hw_bar_kind *kinds, bool *pref, uint64_t *sizes,
	   struct hw_desc_loc *locs, unsigned int *next);

void dp_loc(struct dp_ctx *c, const yaml_node_t *n, struct hw_desc_loc *loc);

/* Generic node helpers shared by desc_yaml.c and desc_caps.c (desc_yaml_util.c). */
int dp_collect(struct dp_ctx *c, const yaml_node_t *map, const char *const *names,
		      size_t nr, const char *what, const yaml_node_t **vals);
int dp_scalar(struct dp_ctx *c, const yaml_node_t *n, const char *what,
		     const char **s, size_t *len);
bool dp_digits(const char *s, size_t len, uint64_t *out, size_t *used);
int dp_string(struct dp_ctx *c, const yaml_node_t *n, const char *what, char **out);

/* Where a function sits, for capability checks. */
struct dp_place {
	enum dp_bus bus;
	bool pcie;			/* has (or gets) a PCI Express capability */
	bool port;			/* root port or switch downstream port */
};

/* Parse the "capabilities" sequence of function f (desc_caps.c). */
int dp_parse_caps(struct dp_ctx *c, struct hw_desc_func *f, const yaml_node_t *seq,
		  const struct dp_place *where);
/* Parse the "spdm" mapping of function f, after its capabilities (desc_spdm.c). */
int dp_parse_spdm(struct dp_ctx *c, struct hw_desc_func *f, const yaml_node_t *map);
/* Name of a node kind as written in files. */
const char *dp_kind_name(enum hw_desc_kind k);

#endif /* PCILAB_HW_PLATFORM_DESC_PARSE_H */
