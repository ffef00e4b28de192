/* SPDX-License-Identifier: MIT */
/*
 * Internal to pcilab lspci's verbose decoder, shared by its three files:
 * lspci_verbose.c (header, BARs, standard capabilities), lspci_express.c
 * (the PCI Express capability) and lspci_ecaps.c (extended capabilities).
 */
#ifndef PCILAB_TOOLS_LSPCI_VERBOSE_H
#define PCILAB_TOOLS_LSPCI_VERBOSE_H

#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "base/compiler.h"
#include "lspci.h"


/* Class codes (PCI Code and ID Assignment r1.15 §1.7); Linux keeps them
 * outside the uAPI. */
#define LSPCI_BASE_CLASS_BRIDGE	0x06
#define LSPCI_CLASS_BRIDGE_PCI	0x0604

#define FLAG(x, y) (((x) & (y)) ? '+' : '-')
#define BITS(x, at, w) (((x) >> (at)) & ((1u << (w)) - 1))

struct vctx {
	FILE *out;
	struct lspci_names *nm;
	const struct lspci_func *f;
	int verbose;
	bool live;		/* BAR sizes known: a live system's view */
};

static inline bool have(const struct vctx *c, unsigned int off, unsigned int len)
{
	return off + len <= c->f->cfg_len;
}

static inline uint8_t b8(const struct vctx *c, unsigned int off)
{
	return c->f->cfg[off];
}

static inline uint16_t w16(const struct vctx *c, unsigned int off)
{
	return (uint16_t)(c->f->cfg[off] | c->f->cfg[off + 1] << 8);
}

static inline uint32_t l32(const struct vctx *c, unsigned int off)
{
	const uint8_t *p = c->f->cfg + off;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define P(...) fprintf(c->out, __VA_ARGS__)

void lspci_v_show_size(const struct vctx *c, uint64_t x);
void lspci_v_show_range(const struct vctx *c, const char *prefix, uint64_t base,
			uint64_t limit, int bits, bool disabled);
#define show_size lspci_v_show_size
#define show_range lspci_v_show_range

/* lspci_express.c: decode the PCI Express capability, return its port type. */
int lspci_v_cap_express(const struct vctx *c, unsigned int where, uint16_t cap);
/* lspci_ecaps.c: walk and decode the extended capability list. */
int lspci_v_show_ext_caps(const struct vctx *c, int type);

#endif /* PCILAB_TOOLS_LSPCI_VERBOSE_H */
