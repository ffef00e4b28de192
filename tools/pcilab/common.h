/* SPDX-License-Identifier: MIT */
/*
 * Shared plumbing of the pcilab subcommands: the global options and booting
 * a "world" (platform description → simulated hardware → kernel side).
 */
#ifndef PCILAB_TOOLS_COMMON_H
#define PCILAB_TOOLS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct hw_desc_platform;
struct hw_platform;
struct pci_subsys;
struct iommu_subsys;

/* Options accepted by every command, before or after the command name. */
struct tool_opts {
	const char *platform;		/* --platform FILE (YAML) */
	const char *platform_dump;	/* --platform-dump FILE (lspci -xxxx) */
	int log_level;			/* --log-level, PL_LOG_* */
	/* --attest-at-boot (or PCILAB_ATTEST_AT_BOOT=1): tool_world_boot()
	 * authenticates every CMA-capable function after enumeration and
	 * prints one line per device to stderr (docs/cma.md). */
	bool attest_at_boot;
};

extern struct tool_opts tool_opts;

struct tool_world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct iommu_subsys *iommu;	/* groups and domains over pci */
};

/*
 * Parse the platform chosen by tool_opts (the built-in default when none),
 * build the hardware, let the kernel side enumerate it and set up the IOMMU
 * core (ACS enabled, IOMMU groups formed). On failure prints
 * one message to stderr and returns the exit status to use (2: bad input
 * file, 1: anything else); 0 on success.
 */
int tool_world_boot(struct tool_world *w);
void tool_world_shutdown(struct tool_world *w);

/* Name of the platform source for messages: file name or "built-in default". */
const char *tool_platform_name(void);

/* Parse "[DOMAIN:]BUS:DEV.FN" (hex, as lspci prints it): 0 or -EINVAL. */
int tool_parse_bdf(const char *s, int *dom, unsigned int *bus, unsigned int *devfn);
/* Whole file, NUL-terminated, *len bytes (NUL not counted); NULL with errno. */
char *tool_read_file(const char *path, size_t *len);
/* Trust store holding the root CA the platform's vendor publishes; NULL
 * when no device carries SPDM firmware. Free with X509_STORE_free(). */
struct x509_store_st *tool_vendor_trust(struct tool_world *w);

#endif /* PCILAB_TOOLS_COMMON_H */
