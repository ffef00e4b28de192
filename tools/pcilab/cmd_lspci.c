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

#include "base/err.h"
#include "commands.h"
#include "hw/fabric/fabric.h"
#include "hw/platform/desc.h"
#include "kernel/pci/pci.h"
#include "lspci.h"
#include "lspci_kernel.h"

static int lspci_boot(const struct lspci_opts *o, struct lspci_func **funcs, size_t *n)
{
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *sys;
	char err[512] = "";
	int rc;

	if (o->platform)
		desc = hw_desc_parse_file(o->platform, err, sizeof(err));
	else if (o->platform_dump)
		desc = hw_desc_parse_lspci_dump(o->platform_dump, err, sizeof(err));
	else
		desc = hw_desc_default(err, sizeof(err));
	if (IS_ERR(desc)) {
		fprintf(stderr, "pcilab lspci: %s\n", err[0] ? err : strerror((int)-PTR_ERR(desc)));
		return 2;
	}
	hw = hw_platform_create(desc, err, sizeof(err));
	if (IS_ERR(hw)) {
		fprintf(stderr, "pcilab lspci: %s\n", err[0] ? err : strerror((int)-PTR_ERR(hw)));
		rc = 2;
		goto out_desc;
	}
	sys = pci_subsys_create(hw);
	if (IS_ERR(sys)) {
		fprintf(stderr, "pcilab lspci: enumeration failed: %s\n",
			strerror((int)-PTR_ERR(sys)));
		rc = 1;
		goto out_hw;
	}
	rc = lspci_snapshot_kernel(sys, funcs, n);
	if (rc < 0) {
		fprintf(stderr, "pcilab lspci: reading config space: %s\n", strerror(-rc));
		rc = 1;
	}
	pci_subsys_destroy(sys);
out_hw:
	hw_platform_destroy(hw);
out_desc:
	hw_desc_free(desc);
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
