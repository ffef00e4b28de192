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

static const char *asym_name(uint32_t a)
{
	return a == SPDM_ASYM_ECDSA_P384 ? "ECDSA-P384" :
	       a == SPDM_ASYM_ECDSA_P256 ? "ECDSA-P256" : "none";
}

static const char *hash_name(uint32_t h)
{
	return h == SPDM_HASH_SHA384 ? "SHA-384" : h == SPDM_HASH_SHA256 ? "SHA-256" : "none";
}

static const char *dhe_name(uint16_t d)
{
	return d == SPDM_DHE_SECP384R1 ? "secp384r1" : d == SPDM_DHE_SECP256R1 ? "secp256r1" :
	       "none";
}

static const char *meas_type_name(uint8_t t)
{
	switch (t & 0x7f) {
	case SPDM_DMTF_MEAS_IMMUTABLE_ROM: return "immutable ROM";
	case SPDM_DMTF_MEAS_MUTABLE_FW: return "mutable firmware";
	case SPDM_DMTF_MEAS_HW_CONFIG: return "hardware configuration";
	case SPDM_DMTF_MEAS_FW_CONFIG: return "firmware configuration";
	case SPDM_DMTF_MEAS_VERSION: return "firmware version";
	}
	return "other";
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* JSON string body: escape quotes, backslashes and control characters. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void attest_report_text(const struct pci_dev *dev, const struct pci_cma_result *r)
{
	unsigned int i;

	printf("%s [%04x:%04x] DOE @%#x\n", pci_name(dev), dev->vendor, dev->device, r->doe_cap);
	if (r->version) {
		printf("  SPDM version   %u.%u\n", r->version >> 4, r->version & 0xf);
		printf("  algorithms     %s, %s, DHE %s, AEAD %s\n", asym_name(r->asym),
		       hash_name(r->hash), dhe_name(r->dhe),
		       r->aead == SPDM_AEAD_AES256_GCM ? "AES-256-GCM" : "none");
	}
	for (i = 0; i < r->nr_certs; i++)
		printf("  certificate %u  subject %s\n                 issuer  %s\n", i,
		       r->certs[i].subject, r->certs[i].issuer);
	for (i = 0; i < r->nr_meas; i++) {
		printf("  measurement %-3u type %u (%s), digest ", r->meas[i].index,
		       r->meas[i].type, meas_type_name(r->meas[i].type));
		hex(stdout, r->meas[i].value, r->meas[i].size);
		printf("\n");
	}
	if (r->status == PCI_CMA_AUTHENTICATED)
		printf("  verdict        AUTHENTICATED\n");
	else
		printf("  verdict        %s: %s\n",
		       r->status == PCI_CMA_UNSUPPORTED ? "UNSUPPORTED" : "FAILED", r->reason);
}

static void report_json(const struct pci_dev *dev, const struct pci_cma_result *r, bool first)
{
	unsigned int i;

	printf("%s{\"device\":", first ? "" : ",\n");
	jstr(stdout, pci_name(dev));
	printf(",\"vendor\":\"%04x\",\"device_id\":\"%04x\",\"doe_cap\":%u,\"status\":",
	       dev->vendor, dev->device, r->doe_cap);
	jstr(stdout, pci_cma_status_str(r->status));
	printf(",\"spdm_version\":\"%u.%u\",\"asym\":\"%s\",\"hash\":\"%s\",\"dhe\":\"%s\"",
	       r->version >> 4, r->version & 0xf, asym_name(r->asym), hash_name(r->hash),
	       dhe_name(r->dhe));
	printf(",\"certificates\":[");
	for (i = 0; i < r->nr_certs; i++) {
		printf("%s{\"subject\":", i ? "," : "");
		jstr(stdout, r->certs[i].subject);
		printf(",\"issuer\":");
		jstr(stdout, r->certs[i].issuer);
		printf("}");
	}
	printf("],\"measurements\":[");
	for (i = 0; i < r->nr_meas; i++) {
		printf("%s{\"index\":%u,\"type\":%u,\"digest\":\"", i ? "," : "",
		       r->meas[i].index, r->meas[i].type);
		hex(stdout, r->meas[i].value, r->meas[i].size);
		printf("\"}");
	}
	printf("],\"error\":%d,\"reason\":", r->err);
	jstr(stdout, r->reason);
	printf("}");
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
			report_json(dev, res, n == 0);
		else
			attest_report_text(dev, res);
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
