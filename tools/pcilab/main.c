// SPDX-License-Identifier: MIT
/*
 * pcilab: command-line front end. Global options may stand before or after
 * the command name; everything else is the command's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "commands.h"
#include "common.h"

struct tool_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct tool_cmd tool_cmds[] = {
	{ "demo", cmd_demo, "boot a platform, enumerate it, show what the kernel side found" },
	{ "lspci", cmd_lspci, "list PCI functions like pciutils' lspci (-t -v -n -s -d -x -D ...)" },
	{ "exec", cmd_exec, "run a program against the platform's /dev/iommu (LD_PRELOAD shim)" },
	{ "attest", cmd_attest, "authenticate devices with CMA-SPDM over DOE (certificates, measurements)" },
	{ "tdisp", cmd_tdisp, "bring up IDE (IDE_KM) and TDISP on a device, show the config lock" },
	{ "spdm-responder", cmd_spdm_responder, "serve a device's SPDM firmware on the spdm-emu/QEMU socket" },
	{ "spdm-requester", cmd_spdm_requester, "authenticate an external SPDM responder (spdm-emu socket)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: pcilab [GLOBAL OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Simulated PCIe platform with a Linux-like PCI/IOMMU/VFIO kernel side.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(tool_cmds); i++)
		fprintf(f, "  %-8s %s\n", tool_cmds[i].name, tool_cmds[i].summary);
	fprintf(f,
		"\n"
		"Global options (before or after COMMAND):\n"
		"  --platform FILE       platform description (YAML, see docs/platform-format.md);\n"
		"                        default: the built-in platform\n"
		"  --platform-dump FILE  replay a real machine from an `lspci -xxxx` dump\n"
		"  --log-level LEVEL     error, warning (default), info or debug\n"
		"  --attest-at-boot      CMA-authenticate every capable device at boot\n"
		"  -h, --help            this help; `pcilab COMMAND --help` for a command's\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad usage or bad input file.\n");
}

static int parse_log_level(const char *s)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/*
 * Take the global options out of argv (in place), stopping at "--".
 * Returns 0, or 2 after printing a message for a malformed option.
 */
static int take_global_opts(int *argc, char **argv)
{
	int i, out = 1;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i], **dst = NULL, *val = NULL;
		const char *key = NULL;

		if (!strcmp(a, "--attest-at-boot")) {
			tool_opts.attest_at_boot = true;
			continue;
		}
		if (!strcmp(a, "--")) {
			/* Everything after belongs to the command (e.g. exec). */
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--platform-dump", 15)) {
			dst = &tool_opts.platform_dump;
			key = "--platform-dump";
		} else if (!strncmp(a, "--platform", 10)) {
			dst = &tool_opts.platform;
			key = "--platform";
		} else if (!strncmp(a, "--log-level", 11)) {
			key = "--log-level";
		}
		if (!key || (a[strlen(key)] != '\0' && a[strlen(key)] != '=')) {
			argv[out++] = argv[i];
			continue;
		}
		if (a[strlen(key)] == '=') {
			val = a + strlen(key) + 1;
		} else if (i + 1 < *argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "pcilab: %s needs an argument\n", key);
			return 2;
		}
		if (dst) {
			*dst = val;
		} else {
			int lvl = parse_log_level(val);

			if (lvl < 0) {
				fprintf(stderr, "pcilab: --log-level: '%s' is not one of error, warning, info, debug\n", val);
				return 2;
			}
			tool_opts.log_level = lvl;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;
	int rc;

	rc = take_global_opts(&argc, argv);
	if (rc)
		return rc;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(tool_cmds); i++)
		if (!strcmp(argv[1], tool_cmds[i].name))
			return tool_cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pcilab: unknown command '%s' (see pcilab --help)\n", argv[1]);
	return 2;
}
