// SPDX-License-Identifier: MIT
/* The spdm-emu / QEMU SPDM socket protocol over TCP (spdm_socket.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/log.h"
#include "proto/spdm/spdm_socket.h"

int spdm_socket_parse_addr(const char *s, char *host, size_t hostcap, uint16_t *port)
{
	const char *colon, *h = s, *hend;
	unsigned long v;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '[') {			/* [IPv6]:port */
		hend = strchr(s, ']');
		if (!hend || hend[1] != ':')
			return -EINVAL;
		h = s + 1;
		colon = hend + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;
		hend = colon;
	}
	if (hend == h || (size_t)(hend - h) >= hostcap)
		return -EINVAL;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || !v || v > 65535 || colon[1] == '-' ||
	    colon[1] == '+')
		return -EINVAL;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	*port = (uint16_t)v;
	return 0;
}

static void spdm_socket_nodelay(int fd)
{
	int one = 1;

	/* Each message is one small frame awaited by the peer: no Nagle. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int spdm_socket_listen(const char *host, uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t salen = sizeof(sa);
	int fd, one = 1, rc;

	if (inet_pton(AF_INET, host ? host : "127.0.0.1", &sa.sin_addr) != 1)
		return -EINVAL;
	if (should_fail("spdm_socket_listen"))
		return -ENOMEM;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (bound)
		*bound = ntohs(sa.sin_port);
	return fd;
}

/* Wait for fd to become readable/writable: 0, -ETIMEDOUT or -errno. */
static int spdm_socket_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	do {
		rc = poll(&pfd, 1, timeout_ms ? timeout_ms : SPDM_SOCKET_TIMEOUT_MS);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc ? 0 : -ETIMEDOUT;
}

int spdm_socket_accept(int lfd, int timeout_ms)
{
	int fd, rc;

	rc = spdm_socket_wait(lfd, POLLIN, timeout_ms);
	if (rc)
		return rc;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	spdm_socket_nodelay(fd);
	return fd;
}

int spdm_socket_connect(const char *addr, int timeout_ms)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char host[256], portstr[8];
	uint16_t port;
	int fd = -1, rc, err;
	socklen_t elen = sizeof(err);

	rc = spdm_socket_parse_addr(addr, host, sizeof(host), &port);
	if (rc)
		return rc;
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (getaddrinfo(host, portstr, &hints, &res))
		return -EINVAL;
	rc = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0) {
			rc = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
			rc = -errno;
			goto next;
		}
		rc = spdm_socket_wait(fd, POLLOUT, timeout_ms);
		if (rc)
			goto next;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err) {
			rc = err ? -err : -errno;
			goto next;
		}
		/* Blocking from here on; every read is guarded by poll(). */
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		spdm_socket_nodelay(fd);
		freeaddrinfo(res);
		return fd;
next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return rc;
}

static int spdm_socket_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes. -ECONNRESET if the peer closed before the first
 * byte and at_boundary, -EPROTO if it closed part way. */
static int spdm_socket_read_all(int fd, void *buf, size_t len, bool at_boundary, int timeout_ms)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t n;
	int rc;

	while (got < len) {
		rc = spdm_socket_wait(fd, POLLIN, timeout_ms);
		if (rc)
			return rc;
		n = recv(fd, p + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECONNRESET && at_boundary && !got ? -ECONNRESET : -errno;
		}
		if (n == 0)
			return at_boundary && !got ? -ECONNRESET : -EPROTO;
		got += (size_t)n;
	}
	return 0;
}

int spdm_socket_send(int fd, uint32_t cmd, uint32_t transport, const void *buf, size_t len)
{
	struct spdm_socket_hdr h;
	int rc;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	h.command = htonl(cmd);
	h.transport = htonl(transport);
	h.size = htonl((uint32_t)len);
	rc = spdm_socket_write_all(fd, &h, sizeof(h));
	if (rc || !len)
		return rc;
	return spdm_socket_write_all(fd, buf, len);
}

int spdm_socket_recv(int fd, uint32_t transport, uint32_t *cmd, void *buf, size_t cap,
		     size_t *len, int timeout_ms)
{
	struct spdm_socket_hdr h;
	uint32_t size;
	int rc;

	rc = spdm_socket_read_all(fd, &h, sizeof(h), true, timeout_ms);
	if (rc)
		return rc;
	size = ntohl(h.size);
	if (ntohl(h.transport) != transport) {
		pl_warn("spdm socket: transport type %u, expected %u", ntohl(h.transport),
			transport);
		return -EPROTO;
	}
	/* Check PayloadSize before reading a byte of payload. */
	if (size > cap) {
		pl_warn("spdm socket: payload of %u bytes exceeds %zu", size, cap);
		return -EMSGSIZE;
	}
	rc = spdm_socket_read_all(fd, buf, size, false, timeout_ms);
	if (rc)
		return rc;
	*cmd = ntohl(h.command);
	*len = size;
	return 0;
}

int spdm_socket_serve(int fd, uint32_t transport, spdm_socket_handler_fn fn, void *ctx,
		      int timeout_ms)
{
	uint8_t *req, *rsp;
	size_t len, rlen;
	uint32_t cmd;
	int rc;

	req = pl_zalloc(SPDM_SOCKET_MAX_PAYLOAD);
	if (!req)
		return -ENOMEM;
	rsp = pl_zalloc(SPDM_SOCKET_MAX_PAYLOAD);
	if (!rsp) {
		rc = -ENOMEM;
		goto out_free_req;
	}
	for (;;) {
		rc = spdm_socket_recv(fd, transport, &cmd, req, SPDM_SOCKET_MAX_PAYLOAD, &len,
				      timeout_ms);
		if (rc == -ECONNRESET) {
			rc = 0;		/* the peer hung up between frames */
			break;
		}
		if (rc)
			break;
		switch (cmd) {
		case SPDM_SOCKET_CMD_NORMAL:
			rc = fn(ctx, req, len, rsp, SPDM_SOCKET_MAX_PAYLOAD, &rlen);
			if (!rc)
				rc = spdm_socket_send(fd, cmd, transport, rsp, rlen);
			break;
		case SPDM_SOCKET_CMD_TEST:
			rc = spdm_socket_send(fd, cmd, transport, req, len);
			break;
		case SPDM_SOCKET_CMD_SHUTDOWN:
			/* Acknowledged as spdm-emu does; a peer that hung up
			 * right after asking (QEMU does) is no error. */
			(void)spdm_socket_send(fd, cmd, transport, NULL, 0);
			rc = 0;
			goto out;
		default:
			rc = spdm_socket_send(fd, SPDM_SOCKET_CMD_UNKNOWN, transport, NULL, 0);
			break;
		}
		if (rc)
			break;
	}
out:
	free(rsp);
out_free_req:
	free(req);
	return rc;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int spdm_socket_doe_check(const uint8_t *obj, size_t len, uint16_t *vendor, uint8_t *type)
{
	uint32_t dw0, ndw;

	/* PCIe r6.2 §6.30.1: whole DWORDs, a two-DWORD header, Length in
	 * DWORDs (18 bits) covering the header. */
	if (len < SPDM_SOCKET_DOE_HDR_BYTES || len % 4)
		return -EPROTO;
	dw0 = le32_at(obj);
	ndw = le32_at(obj + 4) & 0x3ffff;
	if (ndw != len / 4)
		return -EPROTO;
	if (vendor)
		*vendor = (uint16_t)dw0;
	if (type)
		*type = (uint8_t)(dw0 >> 16);
	return 0;
}

int spdm_socket_doe_wrap(uint8_t type, const void *msg, size_t len, uint8_t *out, size_t cap)
{
	size_t total = SPDM_SOCKET_DOE_HDR_BYTES + ((len + 3) & ~(size_t)3);

	if (total > cap)
		return -EMSGSIZE;
	put_le32(out, SPDM_DOE_VENDOR_PCISIG | (uint32_t)type << 16);
	put_le32(out + 4, (uint32_t)(total / 4));
	memmove(out + SPDM_SOCKET_DOE_HDR_BYTES, msg, len);	/* msg may already sit there */
	memset(out + SPDM_SOCKET_DOE_HDR_BYTES + len, 0, total - SPDM_SOCKET_DOE_HDR_BYTES - len);
	return (int)total;
}

int spdm_socket_exchange(int fd, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			 size_t *rsp_len, int timeout_ms)
{
	uint16_t vendor;
	uint32_t cmd;
	int rc;

	rc = spdm_socket_send(fd, SPDM_SOCKET_CMD_NORMAL, SPDM_SOCKET_TRANSPORT_PCI_DOE, req, len);
	if (rc)
		return rc;
	rc = spdm_socket_recv(fd, SPDM_SOCKET_TRANSPORT_PCI_DOE, &cmd, rsp, cap, rsp_len,
			      timeout_ms);
	if (rc)
		return rc;
	if (cmd != SPDM_SOCKET_CMD_NORMAL || spdm_socket_doe_check(rsp, *rsp_len, &vendor, NULL) ||
	    vendor != SPDM_DOE_VENDOR_PCISIG)
		return -EPROTO;
	return 0;
}

/* ---- requester transport ---- */

static int spdm_socket_doe_send(void *ctx, bool secured, const void *buf, size_t len)
{
	struct spdm_socket_doe *s = ctx;
	int n;

	s->have_rsp = false;
	n = spdm_socket_doe_wrap(secured ? SPDM_DOE_TYPE_SECURED_SPDM : SPDM_DOE_TYPE_SPDM, buf,
				 len, s->obj, sizeof(s->obj));
	if (n < 0)
		return n;
	if (!secured)
		spdm_doe_track(&s->lctx, buf, len);
	n = spdm_socket_exchange(s->fd, s->obj, (size_t)n, s->obj, sizeof(s->obj), &s->rsp_len,
				 s->timeout_ms);
	s->have_rsp = !n;
	return n;
}

static int spdm_socket_doe_recv(void *ctx, bool *secured, void *buf, size_t cap, size_t *len)
{
	struct spdm_socket_doe *s = ctx;
	const uint8_t *msg = s->obj + SPDM_SOCKET_DOE_HDR_BYTES;
	size_t plen, mlen;
	uint8_t type = 0;

	if (!s->have_rsp)
		return -EIO;
	s->have_rsp = false;
	(void)spdm_socket_doe_check(s->obj, s->rsp_len, NULL, &type);	/* checked on receipt */
	if (type != SPDM_DOE_TYPE_SPDM && type != SPDM_DOE_TYPE_SECURED_SPDM)
		return -EPROTO;
	*secured = type == SPDM_DOE_TYPE_SECURED_SPDM;
	plen = s->rsp_len - SPDM_SOCKET_DOE_HDR_BYTES;
	mlen = spdm_doe_msg_len(&s->lctx, *secured, msg, plen);
	if (mlen > cap)
		return -EMSGSIZE;
	memcpy(buf, msg, mlen);
	if (!*secured)
		spdm_doe_track(&s->lctx, msg, mlen);
	*len = mlen;
	return 0;
}

const struct spdm_transport_ops spdm_socket_doe_ops = {
	.send = spdm_socket_doe_send,
	.recv = spdm_socket_doe_recv,
};
