/* SPDX-License-Identifier: MIT */
/*
 * SPDM over the spdm-emu / QEMU "SPDM socket" (spdm_socket_wire.h) on TCP,
 * loopback by default, with TCP_NODELAY (one small frame per message, and
 * every exchange is a round trip). Both roles:
 *
 *  - serve: spdm_socket_serve() answers one connection's frames with a
 *    handler that turns a request DOE object into a response object
 *    (pcilab spdm-responder bridges it to a device's DOE mailbox);
 *  - request: spdm_socket_doe_ops is an spdm_transport_ops that carries a
 *    requester's messages as DOE objects to an external responder, and
 *    spdm_socket_exchange() forwards one raw object (hw/security's
 *    "external" firmware).
 *
 * Peer data is hostile: a frame with a truncated header, a PayloadSize
 * larger than the receiver's buffer or a different TransportType ends the
 * exchange with an error, never with an out-of-bounds access. After such
 * an error the byte stream is out of step: close the socket.
 */
#ifndef PCILAB_PROTO_SPDM_SOCKET_H
#define PCILAB_PROTO_SPDM_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/spdm/spdm.h"
#include "proto/spdm/spdm_doe.h"
#include "proto/spdm/spdm_socket_wire.h"

/* Largest payload accepted: a DOE object holding a secured message. */
#define SPDM_SOCKET_MAX_PAYLOAD	(SPDM_SOCKET_DOE_HDR_BYTES + SPDM_MAX_MSG_SIZE + 64)
/* Default I/O timeout of the helpers below (real time). */
#define SPDM_SOCKET_TIMEOUT_MS	5000

/* "HOST:PORT" (HOST a name, an IPv4 address or [IPv6]); -EINVAL. */
int spdm_socket_parse_addr(const char *s, char *host, size_t hostcap, uint16_t *port);
/*
 * Listen on host (NULL: 127.0.0.1) and port (0: any free port; the one
 * chosen is stored in *bound if non-NULL). Returns the fd or -errno.
 */
int spdm_socket_listen(const char *host, uint16_t port, uint16_t *bound);
/* Accept one connection (TCP_NODELAY set): fd, -ETIMEDOUT or -errno. */
int spdm_socket_accept(int lfd, int timeout_ms);
/* Connect to "HOST:PORT": fd, or -EINVAL (bad address), -ECONNREFUSED,
 * -ETIMEDOUT, -errno. */
int spdm_socket_connect(const char *addr, int timeout_ms);

/* Send one frame: 0 or -errno (-EMSGSIZE if len > 4 GiB - 1). */
int spdm_socket_send(int fd, uint32_t cmd, uint32_t transport, const void *buf, size_t len);
/*
 * Receive one frame into buf (cap bytes). 0 and *cmd, *len set; or
 * -ECONNRESET the peer closed at a frame boundary, -EPROTO it closed
 * inside a frame (truncated) or sent another TransportType than
 * `transport`, -EMSGSIZE PayloadSize > cap, -ETIMEDOUT, -errno.
 */
int spdm_socket_recv(int fd, uint32_t transport, uint32_t *cmd, void *buf, size_t cap,
		     size_t *len, int timeout_ms);

/*
 * Serve one connection until SHUTDOWN (answered, then 0), the peer's
 * close at a frame boundary (0) or an error (-errno, nothing more is
 * sent). NORMAL frames go to fn, which returns 0 and a response payload,
 * or -errno: the connection then ends with that error. TEST is echoed
 * with the same payload; anything else gets an empty UNKNOWN frame.
 */
typedef int (*spdm_socket_handler_fn)(void *ctx, const uint8_t *req, size_t len,
				      uint8_t *rsp, size_t cap, size_t *rsp_len);
int spdm_socket_serve(int fd, uint32_t transport, spdm_socket_handler_fn fn, void *ctx,
		      int timeout_ms);

/*
 * One NORMAL exchange of a DOE object: send req, receive the response and
 * check it is a well-formed DOE object (vendor 0001h, Length matching
 * the payload, whole DWORDs). 0, or -errno as spdm_socket_recv(); -EPROTO
 * for a malformed object or a reply that is not NORMAL.
 */
int spdm_socket_exchange(int fd, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			 size_t *rsp_len, int timeout_ms);

/* Check a DOE object's framing: 0 or -EPROTO; *type gets its type. */
int spdm_socket_doe_check(const uint8_t *obj, size_t len, uint16_t *vendor, uint8_t *type);
/* Wrap an SPDM message in a DOE object of the given type (zero padded to
 * a DWORD): its length, or -EMSGSIZE. */
int spdm_socket_doe_wrap(uint8_t type, const void *msg, size_t len, uint8_t *out, size_t cap);

/*
 * Requester transport over a connected socket (PCI_DOE framing, CMA
 * types 01h/02h): pass &struct spdm_socket_doe as the ops' ctx. The caller
 * owns fd.
 */
struct spdm_socket_doe {
	int fd;
	int timeout_ms;			/* 0: SPDM_SOCKET_TIMEOUT_MS */
	struct spdm_doe_lenctx lctx;	/* exact lengths inside padded objects */
	bool have_rsp, rsp_secured;
	size_t rsp_len;
	uint8_t obj[SPDM_SOCKET_MAX_PAYLOAD];
};
extern const struct spdm_transport_ops spdm_socket_doe_ops;

#endif /* PCILAB_PROTO_SPDM_SOCKET_H */
