/* SPDX-License-Identifier: MIT */
/*
 * hw/platform/dump: reader of the text dumps pciutils writes with
 * `lspci -x`, `-xxx`, `-xxxx`, optionally with `-D` and `-v`/`-vv`/`-vvv`
 * (docs/lspci.md, "Dump format"). hw_dump_parse() only turns the text into
 * per-function records; hw_desc_parse_lspci_dump() (desc.h) arranges them
 * into a platform description of HW_DESC_REPLAY nodes.
 */
#ifndef PCILAB_HW_PLATFORM_DUMP_H
#define PCILAB_HW_PLATFORM_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "hw/pcidev/pcidev.h"

/* One function of the dump, as pciutils would have read it. */
struct hw_dump_func {
	uint16_t domain;
	uint8_t bus, dev, fn;
	uint8_t cfg[HW_PCI_CFG_SIZE];		/* bytes past cfg_len are 0 */
	unsigned int cfg_len;			/* 64, 128, 256 or 4096 */
	/* From "Region N: ... [size=...]" / "Expansion ROM at ... [size=...]"
	 * lines of a verbose dump; 0 = unknown. [6] is the expansion ROM. */
	uint64_t bar_size[HW_PCI_NUM_BARS + 1];
	unsigned int line;			/* line of the device header */
};

struct hw_dump {
	struct hw_dump_func *funcs;		/* in file order */
	size_t nr;
};

/*
 * Parse dump text. name is used in messages. On error returns -EINVAL and
 * writes "NAME:LINE: reason" into err (if not NULL); -ENOMEM. On success
 * the caller frees the result with hw_dump_free().
 */
int hw_dump_parse(const char *name, const char *text, size_t len,
		  struct hw_dump *out, char *err, size_t errlen);
/* Read a file and parse it; -ENOENT/-EACCES/... when it cannot be read. */
int hw_dump_parse_file(const char *path, struct hw_dump *out, char *err, size_t errlen);
void hw_dump_free(struct hw_dump *d);

/* Parse the number of an lspci "[size=...]" tag ("512K", "4", "16G");
 * 0 on malformed input. */
uint64_t hw_dump_parse_size(const char *s, const char **end);

#endif /* PCILAB_HW_PLATFORM_DUMP_H */
