// SPDX-License-Identifier: MIT
/*
 * SPDM over the spdm-emu / QEMU socket protocol: framing against hostile
 * peers, both roles end to end (our kernel-side CMA authenticating a
 * device whose firmware is another pcilab served over a loopback socket),
 * PEM identities and the `spdm:` platform-file key.
 */
#include "test.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/pem.h>

#include "hw/fabric/fabric_internal.h"
#include "hw/platform/desc.h"
#include "hw/security/security.h"
#include "kernel/pci/cma.h"
#include "kernel/pci/doe.h"
#include "kernel/pci/pci.h"
#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_cert.h"
#include "proto/spdm/spdm_socket.h"
#include "../../../tools/pcilab/spdm_bridge.h"

/* ------------------------------------------------------------ helpers */

/* A connected loopback pair: *c client end, *s server end. */
static void tcp_pair(int *c, int *s)
{
	uint16_t port;
	char addr[32];
	int l = spdm_socket_listen(NULL, 0, &port);

	assert_true(l >= 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	*c = spdm_socket_connect(addr, 2000);
	assert_true(*c >= 0);
	*s = spdm_socket_accept(l, 2000);
	assert_true(*s >= 0);
	close(l);
}

static void raw_hdr(int fd, uint32_t cmd, uint32_t transport, uint32_t size)
{
	uint32_t h[3] = { htonl(cmd), htonl(transport), htonl(size) };

	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
}

/* ------------------------------------------------------------ framing */

static void test_parse_addr(void **state)
{
	char host[64];
	uint16_t port;

	assert_ok(spdm_socket_parse_addr("127.0.0.1:2323", host, sizeof(host), &port));
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 2323);
	assert_ok(spdm_socket_parse_addr("[::1]:7", host, sizeof(host), &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 7);
	assert_errno(EINVAL, spdm_socket_parse_addr("127.0.0.1", host, sizeof(host), &port));
	assert_errno(EINVAL, spdm_socket_parse_addr("h:0", host, sizeof(host), &port));
	assert_errno(EINVAL, spdm_socket_parse_addr("h:65536", host, sizeof(host), &port));
	assert_errno(EINVAL, spdm_socket_parse_addr(":80", host, sizeof(host), &port));
	assert_errno(EINVAL, spdm_socket_parse_addr("h:8x", host, sizeof(host), &port));
}

static void test_frame_roundtrip(void **state)
{
	uint8_t buf[16], raw[15];
	uint32_t cmd;
	size_t len;
	int c, s;

	tcp_pair(&c, &s);
	assert_ok(spdm_socket_send(c, SPDM_SOCKET_CMD_NORMAL, SPDM_SOCKET_TRANSPORT_PCI_DOE,
				   "abc", 3));
	/* The bytes on the wire: three big-endian words, then the payload. */
	assert_int_equal(read(s, raw, sizeof(raw)), 15);
	assert_memory_equal(raw, "\0\0\0\x01\0\0\0\x02\0\0\0\x03" "abc", 15);
	assert_ok(spdm_socket_send(c, SPDM_SOCKET_CMD_TEST, SPDM_SOCKET_TRANSPORT_PCI_DOE, "xy", 2));
	assert_ok(spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf, sizeof(buf), &len,
				   2000));
	assert_int_equal(cmd, SPDM_SOCKET_CMD_TEST);
	assert_int_equal(len, 2);
	assert_memory_equal(buf, "xy", 2);
	close(c);
	/* The peer closed between frames. */
	assert_errno(ECONNRESET, spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf,
						  sizeof(buf), &len, 2000));
	close(s);
}

static void test_hostile_truncated_header(void **state)
{
	uint8_t buf[16];
	uint32_t cmd;
	size_t len;
	int c, s;

	tcp_pair(&c, &s);
	assert_int_equal(write(c, "\0\0\0\x01\0", 5), 5);
	close(c);
	assert_errno(EPROTO, spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf,
					      sizeof(buf), &len, 2000));
	close(s);
}

static void test_hostile_truncated_payload(void **state)
{
	uint8_t buf[16];
	uint32_t cmd;
	size_t len;
	int c, s;

	tcp_pair(&c, &s);
	raw_hdr(c, SPDM_SOCKET_CMD_NORMAL, SPDM_SOCKET_TRANSPORT_PCI_DOE, 12);
	assert_int_equal(write(c, "1234", 4), 4);
	close(c);
	assert_errno(EPROTO, spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf,
					      sizeof(buf), &len, 2000));
	close(s);
}

static void test_hostile_oversized(void **state)
{
	uint8_t buf[16];
	uint32_t cmd;
	size_t len;
	int c, s;

	tcp_pair(&c, &s);
	raw_hdr(c, SPDM_SOCKET_CMD_NORMAL, SPDM_SOCKET_TRANSPORT_PCI_DOE, 0xfffffff0u);
	assert_errno(EMSGSIZE, spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf,
						sizeof(buf), &len, 2000));
	close(c);
	close(s);
}

static void test_hostile_wrong_transport(void **state)
{
	uint8_t buf[16];
	uint32_t cmd;
	size_t len;
	int c, s;

	tcp_pair(&c, &s);
	raw_hdr(c, SPDM_SOCKET_CMD_NORMAL, SPDM_SOCKET_TRANSPORT_MCTP, 0);
	assert_errno(EPROTO, spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf,
					      sizeof(buf), &len, 2000));
	close(c);
	close(s);
}

static void test_recv_timeout(void **state)
{
	uint8_t buf[16];
	uint32_t cmd;
	size_t len;
	int c, s;

	tcp_pair(&c, &s);
	assert_errno(ETIMEDOUT, spdm_socket_recv(s, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, buf,
						 sizeof(buf), &len, 50));
	close(c);
	close(s);
}

static int calls;

static int echo_handler(void *ctx, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			size_t *rsp_len)
{
	calls++;
	assert_true(len <= cap);
	memcpy(rsp, req, len);
	rsp[0] ^= 0xff;
	*rsp_len = len;
	return 0;
}

/* spdm-emu's server conventions: TEST echoed, unknown → UNKNOWN, SHUTDOWN
 * answered and ends the loop. Frames are queued first, then served. */
static void test_serve_commands(void **state)
{
	uint8_t buf[16];
	uint32_t cmd;
	size_t len;
	int c, s;

	calls = 0;
	tcp_pair(&c, &s);
	assert_ok(spdm_socket_send(c, SPDM_SOCKET_CMD_TEST, 2, "hi", 2));
	assert_ok(spdm_socket_send(c, 0x1234, 2, NULL, 0));
	assert_ok(spdm_socket_send(c, SPDM_SOCKET_CMD_NORMAL, 2, "\x01q", 2));
	assert_ok(spdm_socket_send(c, SPDM_SOCKET_CMD_SHUTDOWN, 2, NULL, 0));
	assert_ok(spdm_socket_serve(s, 2, echo_handler, NULL, 2000));
	assert_int_equal(calls, 1);
	assert_ok(spdm_socket_recv(c, 2, &cmd, buf, sizeof(buf), &len, 2000));
	assert_int_equal(cmd, SPDM_SOCKET_CMD_TEST);
	assert_memory_equal(buf, "hi", 2);
	assert_ok(spdm_socket_recv(c, 2, &cmd, buf, sizeof(buf), &len, 2000));
	assert_int_equal(cmd, SPDM_SOCKET_CMD_UNKNOWN);
	assert_int_equal(len, 0);
	assert_ok(spdm_socket_recv(c, 2, &cmd, buf, sizeof(buf), &len, 2000));
	assert_int_equal(cmd, SPDM_SOCKET_CMD_NORMAL);
	assert_memory_equal(buf, "\xfeq", 2);
	assert_ok(spdm_socket_recv(c, 2, &cmd, buf, sizeof(buf), &len, 2000));
	assert_int_equal(cmd, SPDM_SOCKET_CMD_SHUTDOWN);
	close(c);
	close(s);
}

static void test_serve_hostile(void **state)
{
	int c, s;

	calls = 0;
	tcp_pair(&c, &s);
	raw_hdr(c, SPDM_SOCKET_CMD_NORMAL, SPDM_SOCKET_TRANSPORT_MCTP, 4);
	assert_errno(EPROTO, spdm_socket_serve(s, 2, echo_handler, NULL, 2000));
	assert_int_equal(calls, 0);
	close(c);
	close(s);
	tcp_pair(&c, &s);
	raw_hdr(c, SPDM_SOCKET_CMD_NORMAL, 2, SPDM_SOCKET_MAX_PAYLOAD + 1);
	assert_errno(EMSGSIZE, spdm_socket_serve(s, 2, echo_handler, NULL, 2000));
	close(c);
	close(s);
}

static void test_doe_objects(void **state)
{
	uint8_t obj[32];
	uint16_t vendor;
	uint8_t type;

	/* 5 message bytes → 2 DWORDs of data, 3 zero pad bytes, Length 4. */
	assert_int_equal(spdm_socket_doe_wrap(2, "\x12\x84\0\0\x55", 5, obj, sizeof(obj)), 16);
	assert_memory_equal(obj, "\x01\0\x02\0\x04\0\0\0\x12\x84\0\0\x55\0\0\0", 16);
	assert_ok(spdm_socket_doe_check(obj, 16, &vendor, &type));
	assert_int_equal(vendor, 1);
	assert_int_equal(type, 2);
	assert_errno(EPROTO, spdm_socket_doe_check(obj, 15, NULL, NULL));
	assert_errno(EPROTO, spdm_socket_doe_check(obj, 12, NULL, NULL));	/* Length says 4 */
	assert_errno(EPROTO, spdm_socket_doe_check(obj, 4, NULL, NULL));
	assert_errno(EMSGSIZE, spdm_socket_doe_wrap(1, obj, 30, obj, sizeof(obj)));
}

/* ------------------------------------------------------------ PEM files */

static char tmpdir[64];

static void write_pem(const char *name, const struct spdm_cert_set *cs, bool chain, bool key)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	if (chain) {
		assert_true(PEM_write_X509(f, cs->root));
		assert_true(PEM_write_X509(f, cs->inter));
		assert_true(PEM_write_X509(f, cs->leaf));
	}
	if (key)
		assert_true(PEM_write_PrivateKey(f, cs->leaf_key, NULL, NULL, 0, NULL, NULL));
	fclose(f);
}

static struct spdm_cert_set *ident, *other;

static int pem_setup(void **state)
{
	time_t now = time(NULL);

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pcilab-spdm2-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	ident = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P384, "spdm2 file device", now - 3600,
				       now + 86400);
	other = spdm_cert_set_generate(SPDM_ASYM_ECDSA_P256, "spdm2 other", now - 3600,
				       now + 86400);
	if (IS_ERR(ident) || IS_ERR(other))
		return -1;
	write_pem("chain.pem", ident, true, false);
	write_pem("key.pem", ident, false, true);
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/root.pem", tmpdir);
		f = fopen(path, "w");
		if (!f || !PEM_write_X509(f, ident->root))
			return -1;
		fclose(f);
	}
	write_pem("other-key.pem", other, false, true);
	write_pem("short.pem", &(struct spdm_cert_set){ 0 }, false, false);
	return 0;
}

static int pem_teardown(void **state)
{
	static const char *const names[] = { "chain.pem", "key.pem", "root.pem",
					     "other-key.pem", "short.pem", "p.yaml",
					     "child.yaml" };
	char path[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	spdm_cert_set_free(ident);
	spdm_cert_set_free(other);
	return 0;
}

static void test_load_pem(void **state)
{
	char chain[128], key[128], okey[128], why[512];
	struct spdm_cert_set *cs;
	uint32_t asym = 0;

	snprintf(chain, sizeof(chain), "%s/chain.pem", tmpdir);
	snprintf(key, sizeof(key), "%s/key.pem", tmpdir);
	snprintf(okey, sizeof(okey), "%s/other-key.pem", tmpdir);
	assert_ok(hw_spdm_load_pem(chain, key, &cs, &asym, why, sizeof(why)));
	assert_int_equal(asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(X509_cmp(cs->leaf, ident->leaf), 0);
	spdm_cert_set_free(cs);
	assert_errno(EKEYREJECTED, hw_spdm_load_pem(chain, okey, &cs, &asym, why, sizeof(why)));
	assert_non_null(strstr(why, "does not match the leaf"));
	assert_errno(EINVAL, hw_spdm_load_pem(key, key, &cs, &asym, why, sizeof(why)));
	assert_non_null(strstr(why, "0 PEM certificate(s), need 3"));
	assert_errno(ENOENT, hw_spdm_load_pem("/nonexistent/c.pem", key, &cs, &asym, why,
					      sizeof(why)));
}

/* ------------------------------------------------------------ platforms */

static const char plat_fmt[] =
	"host-bridges:\n"
	"  - mmio: { base: 0xc0000000, size: 256M }\n"
	"    devices:\n"
	"      - address: 01.0\n"
	"        kind: endpoint\n"
	"        vendor: 0x1234\n"
	"        device: 0x5678\n"
	"        class: 0x120000\n"
	"        capabilities:\n"
	"          - type: doe\n"
	"        spdm: %s\n";		/* line 11 */

/*
 * Write the platform file `name` in tmpdir (path gets its path): 0 or -1.
 * No cmocka assertion, so a forked child can use it too. Each process
 * must use its own name: a parent and a serving child sharing one file
 * would read each other's `spdm:` line (or a half-written file).
 */
static int write_plat(const char *name, const char *spdm, char *path, size_t cap)
{
	FILE *f;
	int rc;

	snprintf(path, cap, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	rc = fprintf(f, plat_fmt, spdm) < 0;
	return fclose(f) || rc ? -1 : 0;
}

static struct hw_desc_platform *parse_plat(const char *spdm, char *err, size_t errlen)
{
	char path[128];

	assert_ok(write_plat("p.yaml", spdm, path, sizeof(path)));
	return hw_desc_parse_file(path, err, errlen);
}

static void parse_err(const char *spdm, unsigned int col, const char *why)
{
	struct hw_desc_platform *d;
	char err[512] = "", want[256];

	d = parse_plat(spdm, err, sizeof(err));
	if (!IS_ERR(d)) {
		hw_desc_free(d);
		fail_msg("'%s' parsed", spdm);
	}
	snprintf(want, sizeof(want), "%s/p.yaml:11:%u: ", tmpdir, col);
	if (strncmp(err, want, strlen(want)) || !strstr(err, why))
		fail_msg("got '%s', want '%s...%s'", err, want, why);
}

static void test_desc_spdm_ok(void **state)
{
	struct hw_desc_platform *d;
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *f;
	char err[512] = "", want[128];

	d = parse_plat("{ cert-chain: chain.pem, key: key.pem, versions: [1.2], hash: [sha256] }",
		       err, sizeof(err));
	if (IS_ERR(d))
		fail_msg("%s", err);
	h = list_first_entry(&d->host_bridges, struct hw_desc_host_bridge, node);
	f = list_first_entry(&h->devices, struct hw_desc_func, node);
	assert_non_null(f->spdm);
	/* Relative to the platform file's directory. */
	snprintf(want, sizeof(want), "%s/chain.pem", tmpdir);
	assert_string_equal(f->spdm->cert_chain, want);
	assert_int_equal(f->spdm->nversions, 1);
	assert_int_equal(f->spdm->versions[0], SPDM_VERSION_12);
	assert_int_equal(f->spdm->hash, SPDM_HASH_SHA256);
	assert_int_equal(f->spdm->asym, SPDM_ASYM_ECDSA_P384);	/* from the key */
	assert_null(f->spdm->external);
	hw_desc_free(d);

	d = parse_plat("{ external: \"127.0.0.1:2323\" }", err, sizeof(err));
	if (IS_ERR(d))
		fail_msg("%s", err);
	h = list_first_entry(&d->host_bridges, struct hw_desc_host_bridge, node);
	f = list_first_entry(&h->devices, struct hw_desc_func, node);
	assert_string_equal(f->spdm->external, "127.0.0.1:2323");
	hw_desc_free(d);
}

static void test_desc_spdm_errors(void **state)
{
	/* Columns: the value starts at 15; "{ " puts the first key at 17. */
	parse_err("{ cert-chain: missing.pem, key: key.pem }", 29, "cannot read");
	parse_err("{ cert-chain: chain.pem, key: other-key.pem }", 45,
		  "does not match the leaf certificate");
	parse_err("{ cert-chain: key.pem, key: key.pem }", 29, "need 3");
	parse_err("{ cert-chain: chain.pem }", 15, "missing required key 'key'");
	parse_err("{ cert-chain: chain.pem, key: key.pem, asym: [p256] }", 45, "p384");
	parse_err("{ external: \"127.0.0.1:2323\", key: key.pem }", 50, "does not apply");
	parse_err("{ external: nope }", 27, "not HOST:PORT");
	parse_err("{ versions: [1.1] }", 28, "unknown SPDM version");
	parse_err("{ hash: [sha256, sha256] }", 32, "listed twice");
	parse_err("{ bogus: 1 }", 17, "unknown key");
	/* One key: ECDSA and RSA algorithms do not mix; an EC key is not
	 * an RSA identity; HeartbeatPeriod is one byte of seconds. */
	parse_err("{ asym: [p384, rsassa3072] }", 23, "mixes ECDSA and RSA");
	parse_err("{ cert-chain: chain.pem, key: key.pem, asym: [rsapss3072] }", 45,
		  "signs with p384");
	parse_err("{ heartbeat-period: 256 }", 35, "");
}

/* RSA-3072 names and the heartbeat period in the `spdm:` mapping. */
static void test_desc_spdm_rsa_heartbeat(void **state)
{
	struct hw_desc_platform *d;
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *f;
	char err[512] = "";

	d = parse_plat("{ asym: [rsapss3072, rsassa3072], heartbeat-period: 0 }", err, sizeof(err));
	if (IS_ERR(d))
		fail_msg("%s", err);
	h = list_first_entry(&d->host_bridges, struct hw_desc_host_bridge, node);
	f = list_first_entry(&h->devices, struct hw_desc_func, node);
	assert_int_equal(f->spdm->asym, SPDM_ASYM_RSASSA_3072 | SPDM_ASYM_RSAPSS_3072);
	assert_true(f->spdm->heartbeat_set);
	assert_int_equal(f->spdm->heartbeat_period, 0);
	hw_desc_free(d);

	d = parse_plat("{ hash: [sha384] }", err, sizeof(err));
	if (IS_ERR(d))
		fail_msg("%s", err);
	h = list_first_entry(&d->host_bridges, struct hw_desc_host_bridge, node);
	f = list_first_entry(&h->devices, struct hw_desc_func, node);
	assert_false(f->spdm->heartbeat_set);	/* the firmware's default */
	hw_desc_free(d);
}

/* ------------------------------------------------------------ end to end */

struct world {
	struct hw_desc_platform *desc;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	struct pci_dev *dev;
};

static void world_boot(struct world *w, const char *spdm)
{
	char err[512] = "";
	struct pci_dev *d;

	w->desc = parse_plat(spdm, err, sizeof(err));
	if (IS_ERR(w->desc))
		fail_msg("%s", err);
	w->hw = hw_platform_create(w->desc, err, sizeof(err));
	if (IS_ERR(w->hw))
		fail_msg("%s", err);
	w->pci = pci_subsys_create(w->hw);
	assert_false(IS_ERR(w->pci));
	w->dev = NULL;
	pci_for_each_dev(w->pci, d)
		if (pci_find_ext_capability(d, PCI_EXT_CAP_ID_DOE))
			w->dev = d;
	assert_non_null(w->dev);
}

static void world_down(struct world *w)
{
	pci_subsys_destroy(w->pci);
	hw_platform_destroy(w->hw);
	hw_desc_free(w->desc);
}

static X509_STORE *file_trust(void)
{
	char path[128], *pem;
	X509_STORE *st;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/root.pem", tmpdir);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	pem = malloc((size_t)n);
	assert_int_equal(fread(pem, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	st = pci_cma_trust_from_pem(pem, (size_t)n);
	free(pem);
	assert_false(IS_ERR(st));
	return st;
}

/* Built-in firmware with a PEM identity and restricted versions/hash. */
static void test_file_identity_cma(void **state)
{
	struct pci_cma_result *res = calloc(1, sizeof(*res));
	X509_STORE *trust = file_trust();
	struct world w;

	world_boot(&w, "{ cert-chain: chain.pem, key: key.pem, versions: [1.2], hash: [sha256] }");
	assert_ok(pci_cma_authenticate(w.dev, trust, res));
	assert_int_equal(res->status, PCI_CMA_AUTHENTICATED);
	assert_int_equal(res->version, SPDM_VERSION_12);
	assert_int_equal(res->hash, SPDM_HASH_SHA256);
	assert_int_equal(res->asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(res->nr_certs, 3);
	assert_non_null(strstr(res->certs[2].subject, "spdm2 file device"));
	world_down(&w);
	X509_STORE_free(trust);
	free(res);
}

/*
 * The serving end, in a forked child (what `pcilab spdm-responder` does):
 * boot a platform whose device has the PEM identity, accept one
 * connection on lfd and bridge its frames to the device's DOE mailbox
 * until SHUTDOWN. Never returns: a cmocka assertion here would longjmp
 * into the parent's copy of the test runner and go on running the
 * remaining tests in a second process, so failures are exit codes.
 */
static _Noreturn void serve_child(int lfd)
{
	struct hw_desc_platform *desc;
	struct pci_doe_mb *mb = NULL;
	struct hw_platform *hw;
	struct pci_subsys *pci;
	char err[512] = "", path[128];
	struct pci_dev *d, *dev = NULL;
	int fd, rc;

	alarm(20);	/* bounded, whatever happens to the parent */
	if (write_plat("child.yaml", "{ cert-chain: chain.pem, key: key.pem }", path,
		       sizeof(path)))
		_exit(11);
	desc = hw_desc_parse_file(path, err, sizeof(err));
	if (IS_ERR(desc)) {
		dprintf(2, "serving child: %s\n", err);
		_exit(12);
	}
	hw = hw_platform_create(desc, err, sizeof(err));
	if (IS_ERR(hw)) {
		dprintf(2, "serving child: %s\n", err);
		_exit(13);
	}
	pci = pci_subsys_create(hw);
	if (IS_ERR(pci))
		_exit(14);
	pci_for_each_dev(pci, d)
		if (pci_find_ext_capability(d, PCI_EXT_CAP_ID_DOE))
			dev = d;
	if (dev)
		mb = pci_doe_create_mb(dev, pci_find_ext_capability(dev, PCI_EXT_CAP_ID_DOE));
	if (IS_ERR_OR_NULL(mb))
		_exit(15);
	fd = spdm_socket_accept(lfd, 10000);
	close(lfd);
	if (fd < 0) {
		dprintf(2, "serving child: accept: %d\n", fd);
		_exit(16);
	}
	rc = spdm_socket_serve(fd, SPDM_SOCKET_TRANSPORT_PCI_DOE, spdm_bridge_handle, mb, 10000);
	if (rc)
		dprintf(2, "serving child: serve: %d\n", rc);
	close(fd);
	pci_doe_destroy_mb(mb);
	pci_subsys_destroy(pci);
	hw_platform_destroy(hw);
	hw_desc_free(desc);
	_exit(rc ? 10 : 0);
}

/*
 * Both directions at once: a child process boots a platform whose device
 * has the PEM identity and serves its DOE mailbox on a loopback socket
 * (what `pcilab spdm-responder` does); the parent's device forwards its
 * DOE mailbox to that socket (`spdm: {external: ...}`) and the parent's
 * kernel side authenticates it. Bytes travel kernel → DOE → socket →
 * child's kernel DOE driver → child's device firmware and back.
 */
static void test_external_cma(void **state)
{
	struct pci_cma_result *res = calloc(1, sizeof(*res));
	X509_STORE *trust = file_trust();
	char spdm[64];
	struct world w;
	uint16_t port;
	int lfd, st, i;
	pid_t pid;

	lfd = spdm_socket_listen(NULL, 0, &port);
	assert_true(lfd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		serve_child(lfd);
	close(lfd);
	snprintf(spdm, sizeof(spdm), "{ external: \"127.0.0.1:%u\" }", port);
	world_boot(&w, spdm);
	/* The parent's device is the forwarder, not a built-in responder. */
	{
		struct hw_desc_host_bridge *h =
			list_first_entry(&w.desc->host_bridges, struct hw_desc_host_bridge, node);
		struct hw_desc_func *f = list_first_entry(&h->devices, struct hw_desc_func, node);

		assert_non_null(f->spdm);
		assert_non_null(f->spdm->external);
		assert_null(f->spdm->cert_chain);
	}
	assert_ok(pci_cma_authenticate(w.dev, trust, res));
	assert_int_equal(res->status, PCI_CMA_AUTHENTICATED);
	assert_int_equal(res->nr_certs, 3);
	assert_non_null(strstr(res->certs[2].subject, "spdm2 file device"));
	assert_true(res->nr_meas >= 1);
	/* Destroying the device sends SHUTDOWN: the child ends cleanly. */
	world_down(&w);
	for (i = 0; i < 200 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(50000);
	if (i == 200) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail_msg("serving child did not exit");
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	X509_STORE_free(trust);
	free(res);
}

/* No responder at the address: the mailbox reports DOE Error and CMA fails
 * cleanly (-EIO), nothing hangs. */
static void test_external_refused(void **state)
{
	struct pci_cma_result *res = calloc(1, sizeof(*res));
	X509_STORE *trust = file_trust();
	uint16_t port;
	char spdm[64];
	struct world w;
	int lfd;

	/* A port that was just free: bind, note it, close. */
	lfd = spdm_socket_listen(NULL, 0, &port);
	assert_true(lfd >= 0);
	close(lfd);
	snprintf(spdm, sizeof(spdm), "{ external: \"127.0.0.1:%u\" }", port);
	world_boot(&w, spdm);
	assert_true(pci_cma_authenticate(w.dev, trust, res) < 0);
	assert_int_equal(res->status, PCI_CMA_FAILED);
	world_down(&w);
	X509_STORE_free(trust);
	free(res);
}

/* The requester transport over the socket, against a proto-level responder
 * served by the bridge: a secured session (KEY_EXCHANGE/FINISH) too. */
static void test_socket_requester_session(void **state)
{
	struct spdm_requester_config cfg = {
		.versions = { SPDM_VERSION_13 }, .nversions = 1,
		.caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT | SPDM_CAP_MAC |
			SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD,
		.algos = { SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, SPDM_DHE_SECP384R1,
			   SPDM_AEAD_AES256_GCM },
	};
	struct spdm_socket_doe *s = calloc(1, sizeof(*s));
	struct spdm_requester *req;
	unsigned int nblocks;
	char addr[32];
	uint16_t port;
	uint32_t sid;
	int lfd, st;
	size_t len;
	pid_t pid;

	lfd = spdm_socket_listen(NULL, 0, &port);
	assert_true(lfd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		serve_child(lfd);
	close(lfd);
	cfg.trust = file_trust();
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	s->fd = spdm_socket_connect(addr, 2000);
	assert_true(s->fd >= 0);
	req = spdm_requester_new(&cfg, &spdm_socket_doe_ops, s);
	assert_false(IS_ERR_OR_NULL(req));
	assert_ok(spdm_req_init_connection(req));
	assert_int_equal(spdm_req_version(req), SPDM_VERSION_13);
	assert_ok(spdm_req_get_digests(req));
	assert_ok(spdm_req_get_certificate(req, 0));
	assert_ok(spdm_req_challenge(req, 0, SPDM_MEAS_SUMMARY_NONE));
	assert_ok(spdm_req_get_measurements(req, true, NULL, 0, &len, &nblocks));
	assert_true(nblocks >= 1);
	assert_ok(spdm_req_start_session(req, 0, &sid));
	assert_ok(spdm_req_heartbeat(req));
	assert_ok(spdm_req_end_session(req));
	spdm_requester_free(req);
	assert_ok(spdm_socket_send(s->fd, SPDM_SOCKET_CMD_SHUTDOWN, 2, NULL, 0));
	assert_true(waitpid(pid, &st, 0) == pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	close(s->fd);
	free(s);
	X509_STORE_free(cfg.trust);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_frame_roundtrip),
		cmocka_unit_test(test_hostile_truncated_header),
		cmocka_unit_test(test_hostile_truncated_payload),
		cmocka_unit_test(test_hostile_oversized),
		cmocka_unit_test(test_hostile_wrong_transport),
		cmocka_unit_test(test_recv_timeout),
		cmocka_unit_test(test_serve_commands),
		cmocka_unit_test(test_serve_hostile),
		cmocka_unit_test(test_doe_objects),
		cmocka_unit_test(test_load_pem),
		cmocka_unit_test(test_desc_spdm_ok),
		cmocka_unit_test(test_desc_spdm_errors),
		cmocka_unit_test(test_desc_spdm_rsa_heartbeat),
		cmocka_unit_test(test_file_identity_cma),
		cmocka_unit_test(test_external_cma),
		cmocka_unit_test(test_external_refused),
		cmocka_unit_test(test_socket_requester_session),
	};

	pl_log_set_level(PL_LOG_ERR);
	return cmocka_run_group_tests(tests, pem_setup, pem_teardown);
}
