// SPDX-License-Identifier: MIT
/*
 * pcilab attest: boot the world and authenticate CMA-capable functions
 * with CMA-SPDM over their DOE mailboxes (kernel/pci/cma.c).
 *
 * Trust: by default the platform vendor's published root CA
 * (hw_platform_root_ca_pem(), the way a vendor publishes its root); --trust
 * FILE replaces it with the certificates in a PEM file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands.h"
#include "attest.h"
#include "common.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm_wire.h"

static void attest_usage(FILE *f)
{
	fprintf(f,
		"usage: pcilab attest [BDF] [--json] [--trust PEM]\n"
		"\n"
		"Authenticate every function that offers CMA-SPDM on a DOE mailbox (or\n"
		"only BDF, [DOMAIN:]BUS:DEV.FN in hex): SPDM version, capabilities,\n"
		"algorithms, certificate chain (slot 0), challenge, signed measurements.\n"
		"\n"
		"  --json        machine-readable report\n"
		"  --trust PEM   trust anchors (PEM certificates) instead of the\n"
		"                platform vendor's published root CA\n"
		"  -h, --help    this help\n"
		"\n"
		"Exit status: 0 all requested devices authenticated, 1 otherwise,\n"
		"2 bad usage.\n");
}

int cmd_attest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "trust", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trust_file = NULL, *bdf = NULL;
	struct pci_cma_result *res;
	unsigned int bus = 0, devfn = 0, n = 0, ok = 0;
	X509_STORE *trust;
	struct tool_world w;
	struct pci_dev *dev;
	bool json = false;
	int opt, rc, dom = 0;
	size_t len;
	char *pem;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hjt:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			attest_usage(stdout);
			return 0;
		case 'j':
			json = true;
			break;
		case 't':
			trust_file = optarg;
			break;
		default:
			attest_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		bdf = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "pcilab attest: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (bdf && tool_parse_bdf(bdf, &dom, &bus, &devfn)) {
		fprintf(stderr, "pcilab attest: bad device address '%s' ([DOMAIN:]BUS:DEV.FN)\n", bdf);
		return 2;
	}

	rc = tool_world_boot(&w);
	if (rc)
		return rc;
	if (trust_file) {
		pem = tool_read_file(trust_file, &len);
		if (!pem) {
			fprintf(stderr, "pcilab attest: %s: %s\n", trust_file, strerror(errno));
			rc = 2;
			goto out_world;
		}
	} else if (hw_platform_root_ca_pem(w.hw, &pem, &len)) {
		fprintf(stderr, "pcilab attest: the platform publishes no root CA (no device has SPDM firmware)\n");
		rc = 1;
		goto out_world;
	}
	trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	if (IS_ERR(trust)) {
		fprintf(stderr, "pcilab attest: %s: no PEM certificate found\n",
			trust_file ? trust_file : "vendor root");
		rc = trust_file ? 2 : 1;
		goto out_world;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		rc = 1;
		goto out_trust;
	}
	if (json)
		printf("[");
	pci_for_each_dev(w.pci, dev) {
		if (bdf && (pci_domain_nr(dev->bus) != dom || dev->bus->number != bus ||
			    dev->devfn != devfn))
			continue;
		if (!bdf && !pci_find_ext_capability(dev, PCI_EXT_CAP_ID_DOE))
			continue;
		rc = pci_cma_authenticate(dev, trust, res);
		if (!bdf && rc == -ENODEV)
			continue;	/* DOE without CMA: not a CMA-capable function */
		if (json)
			attest_report_json(stdout, dev, res, n == 0);
		else
			attest_report_text(stdout, dev, res);
		n++;
		ok += res->status == PCI_CMA_AUTHENTICATED;
	}
	if (json)
		printf("]\n");
	if (!n)
		fprintf(stderr, "pcilab attest: %s\n",
			bdf ? "no such device" : "no CMA-capable device found");
	rc = n && ok == n ? 0 : 1;
	free(res);
out_trust:
	X509_STORE_free(trust);
out_world:
	tool_world_shutdown(&w);
	return rc;
}
