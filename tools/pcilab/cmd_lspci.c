// SPDX-License-Identifier: MIT
/*
 * `pcilab lspci`: boot a machine (the default platform, --platform FILE or
 * --platform-dump FILE), let the kernel side enumerate it, and list what
 * it found the way pciutils' lspci does. -F FILE decodes a dump without
 * booting anything, like `lspci -F`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "lspci.h"
#include "lspci_kernel.h"

/* Boot the world (global --platform / --platform-dump, see common.h; the
 * same options given after "lspci" override them) and snapshot it. */
static int lspci_boot(const struct lspci_opts *o, struct lspci_func **funcs, size_t *n)
{
	struct tool_world w;
	int rc;

	if (o->platform)
		tool_opts.platform = o->platform;
	if (o->platform_dump)
		tool_opts.platform_dump = o->platform_dump;
	rc = tool_world_boot(&w);
	if (rc)
		return rc;
	rc = lspci_snapshot_kernel(w.pci, funcs, n);
	if (rc < 0) {
		fprintf(stderr, "pcilab lspci: reading config space: %s\n", strerror(-rc));
		rc = 1;
	}
	tool_world_shutdown(&w);
	return rc;
}

int cmd_lspci(int argc, char **argv)
{
	struct lspci_opts o;
	struct lspci_func *funcs = NULL;
	size_t n = 0;
	char err[512];
	int rc;

	rc = lspci_parse_args(argc, argv, &o, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pcilab lspci: %s\n", err);
		lspci_usage(stderr);
		return 2;
	}
	if (o.help) {
		lspci_usage(stdout);
		return 0;
	}
	if (o.dump_file) {
		rc = lspci_load_dump(o.dump_file, &funcs, &n, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "pcilab lspci: %s\n", err);
			return 2;
		}
	} else {
		rc = lspci_boot(&o, &funcs, &n);
		if (rc)
			return rc;
	}
	rc = lspci_show(stdout, funcs, n, &o);
	free(funcs);
	if (rc < 0) {
		fprintf(stderr, "pcilab lspci: %s\n", strerror(-rc));
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
