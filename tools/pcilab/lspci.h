/* SPDX-License-Identifier: MIT */
/*
 * pcilab lspci: pciutils' lspci over SNAPSHOTS of config space, so the same
 * decoder runs on what the kernel side enumerated (lspci_kernel.c) and on a
 * dump file (lspci -F style). Output follows pciutils 3.9's format so that
 * real `lspci -F` and this decoder can be diffed (docs/lspci.md).
 */
#ifndef PCILAB_TOOLS_LSPCI_H
#define PCILAB_TOOLS_LSPCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LSPCI_CFG_SIZE	4096

/* What pciutils knows about a function: its address and config bytes (and,
 * on a live system, the BAR sizes the kernel found). */
struct lspci_func {
	uint16_t domain;
	uint8_t bus, dev, fn;
	uint8_t cfg[LSPCI_CFG_SIZE];
	unsigned int cfg_len;		/* readable bytes: 64, 256 or 4096 */
	uint64_t bar_size[7];		/* 0 = unknown; [6] = expansion ROM */
};

/* pciutils' -s/-d filter; -1 = any. */
struct lspci_filter {
	int domain, bus, slot, func;
	int vendor, device;
	int class_code;			/* base << 8 | sub */
	unsigned int class_mask;
	int prog_if;
};

struct lspci_opts {
	int verbose;			/* -v count */
	int numeric;			/* -n count */
	int hex;			/* -x count */
	bool tree;			/* -t */
	bool domains;			/* -D */
	bool help;			/* --help */
	bool filtered;			/* any -s/-d given */
	struct lspci_filter filter;
	const char *platform;		/* --platform FILE */
	const char *platform_dump;	/* --platform-dump FILE */
	const char *dump_file;		/* -F FILE: decode a dump, no machine */
	const char *ids_file;		/* -i FILE */
};

void lspci_filter_init(struct lspci_filter *f);
/* pciutils syntax; NULL on success or a message ("Invalid bus number"). */
const char *lspci_filter_parse_slot(struct lspci_filter *f, const char *str);
const char *lspci_filter_parse_id(struct lspci_filter *f, const char *str);
bool lspci_filter_match(const struct lspci_filter *f, const struct lspci_func *fn);

/* Parse argv (argv[0] = "lspci"). 0, or -EINVAL with a message in err. */
int lspci_parse_args(int argc, char **argv, struct lspci_opts *o, char *err, size_t errlen);
void lspci_usage(FILE *out);

/* Sort into lspci's (domain, bus, dev, fn) order. */
void lspci_sort(struct lspci_func *funcs, size_t n);

/*
 * Print the listing for o (terse, verbose, hex, tree). Names come from
 * pci.ids through libpci unless o->numeric says otherwise. Returns 0 or
 * -ENOMEM.
 */
int lspci_show(FILE *out, const struct lspci_func *funcs, size_t n,
	       const struct lspci_opts *o);

/* Load the functions of an lspci dump into snapshots (for -F). 0 or -errno
 * with "FILE:LINE: reason" in err. Free *funcs with free(). */
int lspci_load_dump(const char *path, struct lspci_func **funcs, size_t *n,
		    char *err, size_t errlen);

/* Names from pci.ids (through libpci), for other commands too. NULL when
 * out of memory; lookups then fall back to numbers. */
struct lspci_names;
struct lspci_names *lspci_names_open(bool numeric);
void lspci_names_close(struct lspci_names *nm);

/* Internal to the decoder (lspci_verbose.c). */
const char *lspci_name_class(struct lspci_names *nm, char *buf, size_t len, unsigned int cls);
const char *lspci_name_dev(struct lspci_names *nm, char *buf, size_t len,
			   unsigned int ven, unsigned int dev);
const char *lspci_name_subsys(struct lspci_names *nm, char *buf, size_t len, unsigned int ven,
			      unsigned int dev, unsigned int sven, unsigned int sdev);
/* NULL when unknown. */
const char *lspci_name_progif(struct lspci_names *nm, char *buf, size_t len,
			      unsigned int cls, unsigned int progif);
void lspci_show_verbose(FILE *out, struct lspci_names *nm, const struct lspci_func *f,
			int verbose);

#endif /* PCILAB_TOOLS_LSPCI_H */
