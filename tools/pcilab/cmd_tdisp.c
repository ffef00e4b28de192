// SPDX-License-Identifier: MIT
/*
 * pcilab tdisp: boot the world and, on each function with an IDE
 * capability (or only BDF), run the kernel TSM (kernel/pci/tsm.c): CMA-SPDM
 * authentication, a secure session, IDE_KM keys for a Selective IDE
 * stream, TDISP LOCK → report → START. Then show the configuration lock
 * (PCIe r6.2 §11.2.3): a config write to the Command register sends the
 * running TDI to ERROR. Finally STOP_INTERFACE and K_SET_STOP.
 *
 * Trust: the platform vendor's published root CA, as pcilab attest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands.h"
#include "common.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/pci.h"
#include "kernel/pci/tsm.h"
#include "proto/ide_km/ide_km.h"
#include "proto/ide_km/ide_regs.h"
#include "tdisp_report.h"

#define TDISP_DEFAULT_STREAM	1

/* What one run saw beyond the TSM result. */
struct tdisp_run {
	struct pci_tsm_result res;
	int rc;				/* pci_tsm_connect */
	bool lock_tried;
	uint8_t lock_state;		/* TDI state after the Command write */
	int stop_rc;
	struct pci_tsm_stop_result stop;
};

static void tdisp_usage(FILE *f)
{
	fprintf(f,
		"usage: pcilab tdisp [BDF] [--json] [--stream ID] [--trust PEM]\n"
		"\n"
		"Bring up IDE and TDISP on every function with an IDE capability (or only\n"
		"BDF, [DOMAIN:]BUS:DEV.FN in hex), as a TSM would: CMA-SPDM authentication,\n"
		"secure session, IDE_KM QUERY / KEY_PROG (6 keys) / K_SET_GO, Selective IDE\n"
		"stream enabled in config space, TDISP LOCK_INTERFACE, interface report,\n"
		"START_INTERFACE. Then a config write to the Command register shows the\n"
		"locked TDI going to ERROR, and STOP_INTERFACE / K_SET_STOP tear down.\n"
		"\n"
		"  --json        machine-readable report\n"
		"  --stream ID   IDE Stream ID to use (0-255, default %u)\n"
		"  --trust PEM   trust anchors (PEM certificates) instead of the\n"
		"                platform vendor's published root CA\n"
		"  -h, --help    this help\n"
		"\n"
		"Exit status: 0 every device came up and its lock tripped, 1 otherwise,\n"
		"2 bad usage.\n", TDISP_DEFAULT_STREAM);
}

static const char *ks_name(uint8_t ks)
{
	static const char *const names[] = { "Rx PR", "Tx PR", "Rx NPR", "Tx NPR", "Rx CPL",
					     "Tx CPL" };
	unsigned int sub = (ks & IDE_KM_KS_SUB_MASK) >> IDE_KM_KS_SUB_SHIFT;

	return sub < 3 ? names[2 * sub + !!(ks & IDE_KM_KS_TX)] : "?";
}

static void tdisp_run_one(struct pci_dev *dev, X509_STORE *trust, uint8_t stream,
			  struct tdisp_run *run)
{
	struct pci_tsm *t;
	uint16_t cmd;

	memset(run, 0, sizeof(*run));
	run->rc = pci_tsm_connect(dev, trust, stream, &run->res, &t);
	if (run->rc)
		return;
	/* The host rewrites Command under a running TDI (§11.2.3). */
	if (!pci_read_config_word(dev, PCI_COMMAND, &cmd) &&
	    !pci_write_config_word(dev, PCI_COMMAND, cmd) &&
	    !pci_tsm_tdi_state(t, &run->lock_state))
		run->lock_tried = true;
	run->stop_rc = pci_tsm_stop(t, &run->stop);
}

static bool tdisp_ok(const struct tdisp_run *run)
{
	return !run->rc && run->lock_tried && run->lock_state == TDISP_STATE_ERROR &&
	       !run->stop_rc;
}

static void tdisp_text(const struct pci_dev *dev, const struct tdisp_run *run)
{
	const struct pci_tsm_result *r = &run->res;
	unsigned int i;

	printf("%s [%04x:%04x]\n", pci_name(dev), dev->vendor, dev->device);
	if (r->cma.version)
		printf("  authentication  %s (SPDM %u.%u)\n", pci_cma_status_str(r->cma.status),
		       r->cma.version >> 4, r->cma.version & 0xf);
	if (r->session)
		printf("  secure session  %#010x (KEY_EXCHANGE/FINISH)\n", r->session_id);
	if (r->ide_cap)
		printf("  IDE capability  @%#x, IDE Capability %#010x\n", r->ide_cap,
		       r->ide_cap_reg);
	if (r->keys_programmed || r->keys_started) {
		printf("  IDE stream      id %u, Selective block @%#x\n", r->stream_id,
		       r->sel_block);
		printf("  key slots       %u/%u programmed, %u/%u started (key set 0:",
		       r->keys_programmed, PCI_TSM_NR_KEYS, r->keys_started, PCI_TSM_NR_KEYS);
		for (i = 0; i < r->keys_programmed; i++)
			printf(" %s", ks_name(r->key_ks[i]));
		printf(")\n");
	}
	if (r->stream_state || (!run->rc))
		printf("  stream state    %s\n",
		       r->stream_state == PCI_IDE_STATE_SECURE ? "Secure" : "Insecure");
	if (r->tdisp_version)
		printf("  TDISP           version %u.%u, function id %#x\n",
		       r->tdisp_version >> 4, r->tdisp_version & 0xf, r->function_id);
	if (r->nr_states) {
		printf("  TDI             ");
		for (i = 0; i < r->nr_states; i++)
			printf("%s%s", i ? " -> " : "", pci_tsm_tdi_state_str(r->states[i]));
		printf("\n");
	}
	if (r->report_len) {
		printf("  report          %zu bytes, interface info %#06x, %u MMIO range(s)\n",
		       r->report_len, r->interface_info, r->nr_ranges);
		for (i = 0; i < r->nr_ranges && i < PCI_TSM_MAX_RANGES; i++)
			printf("    range %u       BAR%u, first page %#llx, %u page(s), attributes 0x%04x\n",
			       i, r->ranges[i].range_id, (unsigned long long)r->ranges[i].first_page,
			       r->ranges[i].num_pages, r->ranges[i].attributes);
	}
	if (run->lock_tried)
		printf("  config lock     write Command (%#04x) while RUN -> TDI %s\n", PCI_COMMAND,
		       pci_tsm_tdi_state_str(run->lock_state));
	if (!run->rc)
		printf("  teardown        STOP_INTERFACE -> %s, %u key(s) stopped, stream %s%s\n",
		       pci_tsm_tdi_state_str(run->stop.tdi_state), run->stop.keys_stopped,
		       run->stop.stream_state == PCI_IDE_STATE_SECURE ? "Secure" : "Insecure",
		       run->stop_rc ? " (incomplete)" : "");
	if (tdisp_ok(run))
		printf("  verdict         OK: IDE stream Secure, TDI locked and started\n");
	else if (run->rc)
		printf("  verdict         FAILED: %s\n", r->reason);
	else
		printf("  verdict         FAILED: the configuration lock did not trip\n");
}

/* JSON string body: escape quotes, backslashes and control characters. */
static void jstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void tdisp_json(const struct pci_dev *dev, const struct tdisp_run *run, bool first)
{
	const struct pci_tsm_result *r = &run->res;
	unsigned int i;

	printf("%s{\"device\":", first ? "" : ",\n");
	jstr(pci_name(dev));
	printf(",\"ok\":%s,\"error\":%d,\"step\":", tdisp_ok(run) ? "true" : "false", run->rc);
	if (r->step)
		jstr(r->step);
	else
		printf("null");
	printf(",\"reason\":");
	jstr(r->reason);
	printf(",\"authenticated\":%s,\"session\":%s,\"session_id\":%u",
	       r->cma.status == PCI_CMA_AUTHENTICATED ? "true" : "false",
	       r->session ? "true" : "false", r->session_id);
	printf(",\"ide_cap\":%u,\"stream_id\":%u,\"keys_programmed\":%u,\"keys_started\":%u",
	       r->ide_cap, r->stream_id, r->keys_programmed, r->keys_started);
	printf(",\"stream_state\":\"%s\",\"function_id\":%u,\"tdi_states\":[",
	       r->stream_state == PCI_IDE_STATE_SECURE ? "Secure" : "Insecure", r->function_id);
	for (i = 0; i < r->nr_states; i++)
		printf("%s\"%s\"", i ? "," : "", pci_tsm_tdi_state_str(r->states[i]));
	printf("],\"report_len\":%zu,\"interface_info\":%u,\"ranges\":[", r->report_len,
	       r->interface_info);
	for (i = 0; i < r->nr_ranges && i < PCI_TSM_MAX_RANGES; i++)
		printf("%s{\"range_id\":%u,\"first_page\":%llu,\"pages\":%u,\"attributes\":%u}",
		       i ? "," : "", r->ranges[i].range_id,
		       (unsigned long long)r->ranges[i].first_page, r->ranges[i].num_pages,
		       r->ranges[i].attributes);
	printf("],\"lock_write_state\":");
	if (run->lock_tried)
		printf("\"%s\"", pci_tsm_tdi_state_str(run->lock_state));
	else
		printf("null");
	printf(",\"stop\":{\"error\":%d,\"tdi_state\":\"%s\",\"keys_stopped\":%u,"
	       "\"stream_state\":\"%s\"}}", run->stop_rc,
	       pci_tsm_tdi_state_str(run->stop.tdi_state), run->stop.keys_stopped,
	       run->stop.stream_state == PCI_IDE_STATE_SECURE ? "Secure" : "Insecure");
}

void demo_tdisp(struct tool_world *w)
{
	struct tdisp_run *run;
	X509_STORE *trust;
	struct pci_dev *dev;
	unsigned int n = 0;

	printf("\nIDE and TDISP (PCIe r6.2 §6.33, §11), over an SPDM secure session:\n");
	trust = tool_vendor_trust(w);
	if (!trust) {
		printf("    no device carries SPDM firmware\n");
		return;
	}
	run = calloc(1, sizeof(*run));
	if (!run)
		goto out;
	pci_for_each_dev(w->pci, dev) {
		if (!pci_find_ext_capability(dev, PCI_EXT_CAP_ID_IDE))
			continue;
		tdisp_run_one(dev, trust, TDISP_DEFAULT_STREAM, run);
		tdisp_text(dev, run);
		n++;
	}
	if (!n)
		printf("    no function has an IDE capability\n");
	free(run);
out:
	X509_STORE_free(trust);
}

int cmd_tdisp(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "stream", required_argument, NULL, 's' },
		{ "trust", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int bus = 0, devfn = 0, n = 0, ok = 0;
	unsigned long stream = TDISP_DEFAULT_STREAM;
	const char *bdf = NULL, *trust_file = NULL;
	struct tdisp_run *run;
	struct tool_world w;
	X509_STORE *trust;
	struct pci_dev *dev;
	bool json = false;
	int opt, rc, dom = 0;
	char *end, *pem;
	size_t len;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hjs:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			tdisp_usage(stdout);
			return 0;
		case 'j':
			json = true;
			break;
		case 's':
			errno = 0;
			stream = strtoul(optarg, &end, 0);
			if (errno || *end || !*optarg || stream > 255) {
				fprintf(stderr, "pcilab tdisp: bad stream id '%s' (0-255)\n", optarg);
				return 2;
			}
			break;
		case 't':
			trust_file = optarg;
			break;
		default:
			tdisp_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		bdf = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "pcilab tdisp: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (bdf && tool_parse_bdf(bdf, &dom, &bus, &devfn)) {
		fprintf(stderr, "pcilab tdisp: bad device address '%s' ([DOMAIN:]BUS:DEV.FN)\n", bdf);
		return 2;
	}
	rc = tool_world_boot(&w);
	if (rc)
		return rc;
	if (trust_file) {
		/* A device with its own identity (spdm: cert-chain, or an
		 * external responder) chains to its own root. */
		pem = tool_read_file(trust_file, &len);
		if (!pem) {
			fprintf(stderr, "pcilab tdisp: %s: %s\n", trust_file, strerror(errno));
			rc = 2;
			goto out_world;
		}
		trust = pci_cma_trust_from_pem(pem, len);
		free(pem);
		if (IS_ERR(trust)) {
			fprintf(stderr, "pcilab tdisp: %s: no PEM certificate found\n", trust_file);
			rc = 2;
			goto out_world;
		}
	} else {
		trust = tool_vendor_trust(&w);
		if (!trust) {
			fprintf(stderr, "pcilab tdisp: the platform publishes no root CA (no device has SPDM firmware)\n");
			rc = 1;
			goto out_world;
		}
	}
	run = malloc(sizeof(*run));
	if (!run) {
		rc = 1;
		goto out_trust;
	}
	if (json)
		printf("[");
	pci_for_each_dev(w.pci, dev) {
		if (bdf && (pci_domain_nr(dev->bus) != dom || dev->bus->number != bus ||
			    dev->devfn != devfn))
			continue;
		if (!bdf && !pci_find_ext_capability(dev, PCI_EXT_CAP_ID_IDE))
			continue;
		tdisp_run_one(dev, trust, (uint8_t)stream, run);
		if (json)
			tdisp_json(dev, run, n == 0);
		else
			tdisp_text(dev, run);
		n++;
		ok += tdisp_ok(run);
	}
	if (json)
		printf("]\n");
	if (!n)
		fprintf(stderr, "pcilab tdisp: %s\n",
			bdf ? "no such device" : "no function has an IDE capability");
	rc = n && ok == n ? 0 : 1;
	free(run);
out_trust:
	X509_STORE_free(trust);
out_world:
	tool_world_shutdown(&w);
	return rc;
}
