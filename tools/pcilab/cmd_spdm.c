// SPDX-License-Identifier: MIT
/*
 * pcilab spdm-responder / spdm-requester: the SPDM socket protocol of DMTF
 * spdm-emu and QEMU's spdm-socket backend (proto/spdm/spdm_socket.h),
 * over TCP on loopback.
 *
 *  spdm-responder  serves a function's DOE mailbox (its SPDM firmware) to
 *                  external requesters: spdm_requester_emu, QEMU, or
 *                  spdm-requester below (spdm_bridge.c).
 *  spdm-requester  authenticates an external responder (spdm_responder_emu,
 *                  or a pcilab spdm-responder) with our SPDM requester.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "commands.h"
#include "common.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/doe.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_crypto.h"
#include "proto/spdm/spdm_socket.h"
#include "spdm_bridge.h"

static void responder_usage(FILE *f)
{
	fprintf(f,
		"usage: pcilab spdm-responder [--port N] [--once] [--timeout SEC] [BDF]\n"
		"\n"
		"Serve the SPDM firmware behind DOE mailbox 0 of BDF ([DOMAIN:]BUS:DEV.FN,\n"
		"default: the first function with one) over the spdm-emu socket protocol\n"
		"(TransportType PCI_DOE) on 127.0.0.1. Prints the address it listens on.\n"
		"\n"
		"  --port N        TCP port (default 2323; 0: any free port)\n"
		"  --once          exit after the first connection ends\n"
		"  --timeout SEC   give up on an idle peer after SEC seconds (default 60)\n"
		"\n"
		"A SHUTDOWN frame from the peer ends the server. Exit status: 0 clean\n"
		"shutdown, 1 failure, 2 bad usage.\n");
}

int cmd_spdm_responder(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "once", no_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long port = SPDM_SOCKET_DEFAULT_PORT, tmo = 60;
	unsigned int bus = 0, devfn = 0;
	struct pci_doe_mb *mb = NULL;
	struct pci_dev *dev, *found = NULL;
	const char *bdf = NULL;
	struct tool_world w;
	bool once = false;
	int opt, rc, dom = 0, lfd, fd;
	uint16_t bound, cap = 0;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hp:ot:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			responder_usage(stdout);
			return 0;
		case 'p':
			port = strtoul(optarg, &end, 0);
			if (*end || !*optarg || port > 65535) {
				fprintf(stderr, "pcilab spdm-responder: bad port '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			once = true;
			break;
		case 't':
			tmo = strtoul(optarg, &end, 0);
			if (*end || !*optarg || !tmo || tmo > 86400) {
				fprintf(stderr, "pcilab spdm-responder: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		default:
			responder_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		bdf = argv[optind++];
	if (optind < argc || (bdf && tool_parse_bdf(bdf, &dom, &bus, &devfn))) {
		responder_usage(stderr);
		return 2;
	}
	rc = tool_world_boot(&w);
	if (rc)
		return rc;
	pci_for_each_dev(w.pci, dev) {
		if (bdf && (pci_domain_nr(dev->bus) != dom || dev->bus->number != bus ||
			    dev->devfn != devfn))
			continue;
		cap = pci_find_ext_capability(dev, PCI_EXT_CAP_ID_DOE);
		if (cap) {
			found = dev;
			break;
		}
	}
	rc = 1;
	if (!found) {
		fprintf(stderr, "pcilab spdm-responder: %s\n",
			bdf ? "no such function with a DOE mailbox" : "no function has a DOE mailbox");
		goto out_world;
	}
	mb = pci_doe_create_mb(found, cap);
	if (IS_ERR_OR_NULL(mb)) {
		fprintf(stderr, "pcilab spdm-responder: %s: DOE mailbox @%#x unusable\n",
			pci_name(found), cap);
		goto out_world;
	}
	lfd = spdm_socket_listen(NULL, (uint16_t)port, &bound);
	if (lfd < 0) {
		fprintf(stderr, "pcilab spdm-responder: listen on 127.0.0.1:%lu: %s\n", port,
			strerror(-lfd));
		goto out_mb;
	}
	printf("pcilab spdm-responder: serving %s (DOE @%#x) on 127.0.0.1:%u\n",
	       pci_name(found), cap, bound);
	fflush(stdout);
	for (;;) {
		fd = spdm_socket_accept(lfd, (int)tmo * 1000);
		if (fd < 0) {
			fprintf(stderr, "pcilab spdm-responder: accept: %s\n", strerror(-fd));
			break;
		}
		rc = spdm_socket_serve(fd, SPDM_SOCKET_TRANSPORT_PCI_DOE, spdm_bridge_handle, mb,
				       (int)tmo * 1000);
		close(fd);
		if (rc)
			fprintf(stderr, "pcilab spdm-responder: connection ended: %s\n",
				strerror(-rc));
		if (once || !rc) {
			/* !rc: SHUTDOWN or the peer closed; only SHUTDOWN ends us
			 * unless --once, but both are clean. */
			rc = rc ? 1 : 0;
			if (once || rc == 0)
				break;
		}
	}
	close(lfd);
out_mb:
	pci_doe_destroy_mb(mb);
out_world:
	tool_world_shutdown(&w);
	return rc;
}

static void requester_usage(FILE *f)
{
	fprintf(f,
		"usage: pcilab spdm-requester HOST:PORT --trust PEM [--session] [--shutdown]\n"
		"\n"
		"Authenticate an external SPDM responder over the spdm-emu socket protocol\n"
		"(TransportType PCI_DOE): version, capabilities, algorithms, digests,\n"
		"certificate chain (slot 0, verified against PEM), challenge, signed\n"
		"measurements; with --session also KEY_EXCHANGE/FINISH, HEARTBEAT,\n"
		"GET_DIGESTS and signed GET_MEASUREMENTS inside the session,\n"
		"KEY_UPDATE (UpdateKey, UpdateAllKeys) and END_SESSION. --shutdown\n"
		"sends SHUTDOWN at the end (stops spdm-emu's responder and pcilab\n"
		"spdm-responder).\n");
}

int cmd_spdm_requester(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "trust", required_argument, NULL, 't' },
		{ "session", no_argument, NULL, 's' },
		{ "shutdown", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct spdm_requester_config cfg = {
		.versions = { SPDM_VERSION_12, SPDM_VERSION_13 }, .nversions = 2,
		.caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC |
			SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD,
		.algos = {
			.asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 |
				SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072,
			.hash = SPDM_HASH_SHA256 | SPDM_HASH_SHA384,
			.dhe = SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1,
			.aead = SPDM_AEAD_AES256_GCM,
		},
	};
	const char *trust_file = NULL, *addr, *step = "connect";
	struct spdm_socket_doe *s = NULL;
	struct spdm_requester *req = NULL;
	bool session = false, shutdown_peer = false;
	unsigned int nblocks = 0;
	uint32_t sid;
	size_t len, mlen;
	int opt, rc, fd;
	char *pem;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "ht:sS", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			requester_usage(stdout);
			return 0;
		case 't':
			trust_file = optarg;
			break;
		case 's':
			session = true;
			break;
		case 'S':
			shutdown_peer = true;
			break;
		default:
			requester_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc || !trust_file) {
		requester_usage(stderr);
		return 2;
	}
	addr = argv[optind];
	pem = tool_read_file(trust_file, &len);
	if (!pem) {
		fprintf(stderr, "pcilab spdm-requester: %s: %s\n", trust_file, strerror(errno));
		return 2;
	}
	cfg.trust = pci_cma_trust_from_pem(pem, len);
	free(pem);
	if (IS_ERR(cfg.trust)) {
		fprintf(stderr, "pcilab spdm-requester: %s: no PEM certificate found\n", trust_file);
		return 2;
	}
	fd = spdm_socket_connect(addr, SPDM_SOCKET_TIMEOUT_MS);
	if (fd < 0) {
		fprintf(stderr, "pcilab spdm-requester: %s: %s\n", addr, strerror(-fd));
		rc = fd == -EINVAL ? 2 : 1;
		goto out_trust;
	}
	rc = -ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out;
	s->fd = fd;
	req = spdm_requester_new(&cfg, &spdm_socket_doe_ops, s);
	if (IS_ERR_OR_NULL(req)) {
		rc = req ? (int)PTR_ERR(req) : -ENOMEM;
		req = NULL;
		goto out;
	}
	step = "GET_VERSION/CAPABILITIES/ALGORITHMS";
	rc = spdm_req_init_connection(req);
	if (rc)
		goto out;
	printf("SPDM version %u.%u, %s\n", spdm_req_version(req) >> 4, spdm_req_version(req) & 0xf,
	       spdm_asym_name(spdm_req_selected_asym(req)));
	step = "GET_DIGESTS";
	rc = spdm_req_get_digests(req);
	if (rc)
		goto out;
	step = "GET_CERTIFICATE";
	rc = spdm_req_get_certificate(req, 0);
	if (rc)
		goto out;
	printf("certificate chain (slot 0) verified\n");
	step = "CHALLENGE";
	rc = spdm_req_challenge(req, 0, SPDM_MEAS_SUMMARY_NONE);
	if (rc)
		goto out;
	printf("challenge signature verified\n");
	step = "GET_MEASUREMENTS";
	rc = spdm_req_get_measurements(req, true, NULL, 0, &mlen, &nblocks);
	if (rc)
		goto out;
	printf("%u signed measurement block(s) verified\n", nblocks);
	if (session) {
		step = "KEY_EXCHANGE/FINISH";
		rc = spdm_req_start_session(req, 0, &sid);
		if (rc)
			goto out;
		printf("secured session %#010x established\n", sid);
		step = "HEARTBEAT";
		rc = spdm_req_heartbeat(req);
		if (rc == -EOPNOTSUPP)
			printf("HEARTBEAT not used (HeartbeatPeriod 0)\n");
		else if (rc)
			goto out;
		else
			printf("HEARTBEAT acknowledged (HeartbeatPeriod %u s)\n",
			       spdm_req_heartbeat_period(req));
		step = "GET_DIGESTS in session";
		rc = spdm_req_session_get_digests(req);
		if (rc)
			goto out;
		step = "GET_MEASUREMENTS in session";
		rc = spdm_req_session_get_measurements(req, true, NULL, 0, &mlen, &nblocks);
		if (rc)
			goto out;
		printf("%u signed measurement block(s) verified inside the session\n", nblocks);
		step = "KEY_UPDATE(UpdateKey)";
		rc = spdm_req_key_update(req, SPDM_KEY_UPDATE_OP_UPDATE_KEY);
		if (rc)
			goto out;
		step = "KEY_UPDATE(UpdateAllKeys)";
		rc = spdm_req_key_update(req, SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS);
		if (rc)
			goto out;
		printf("session keys updated (UpdateKey, UpdateAllKeys, VerifyNewKey)\n");
		step = "HEARTBEAT after KEY_UPDATE";
		rc = spdm_req_heartbeat(req);
		if (rc && rc != -EOPNOTSUPP)
			goto out;
		step = "END_SESSION";
		rc = spdm_req_end_session(req);
		if (rc)
			goto out;
		printf("session ended\n");
	}
	printf("verdict AUTHENTICATED\n");
out:
	if (rc)
		fprintf(stderr, "pcilab spdm-requester: %s: %s\n", step, strerror(-rc));
	if (shutdown_peer) {
		uint32_t cmd;
		uint8_t b[64];

		if (!spdm_socket_send(fd, SPDM_SOCKET_CMD_SHUTDOWN, SPDM_SOCKET_TRANSPORT_PCI_DOE,
				      NULL, 0))
			(void)spdm_socket_recv(fd, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, b, sizeof(b),
					       &len, 1000);
	}
	spdm_requester_free(req);
	free(s);
	close(fd);
	rc = rc ? 1 : 0;
out_trust:
	X509_STORE_free(cfg.trust);
	return rc;
}
