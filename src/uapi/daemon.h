/* SPDX-License-Identifier: MIT */
/*
 * The daemon side of the shim protocol (uapi_wire.h): hosts device files
 * (/dev/iommu → one iommufd context per connection) for client processes
 * running with the LD_PRELOAD shim. Single-threaded: the caller drives it
 * with uapi_daemon_run(), one request at a time, so runs are
 * deterministic. See docs/daemon.md.
 */
#ifndef PCILAB_UAPI_DAEMON_H
#define PCILAB_UAPI_DAEMON_H

struct uapi_daemon;

/*
 * Create a listening AF_UNIX SOCK_SEQPACKET socket at path (which must not
 * exist). Returns the fd or -errno.
 */
int uapi_listen(const char *path);

/* Serve the connections arriving on listen_fd (the daemon owns it). */
struct uapi_daemon *uapi_daemon_create(int listen_fd);
/* Closes every connection (destroying its context) and frees the daemon. */
void uapi_daemon_destroy(struct uapi_daemon *d);

/*
 * Serve requests until stop_fd (for instance a pidfd of the client) polls
 * readable. timeout_ms < 0: no limit; otherwise returns -ETIMEDOUT when it
 * passes. Returns 0 when stop_fd fired, or -errno if poll itself fails.
 */
int uapi_daemon_run(struct uapi_daemon *d, int stop_fd, int timeout_ms);

/* Live connections (open files), for tests and leak checks. */
unsigned int uapi_daemon_nr_clients(const struct uapi_daemon *d);

#endif /* PCILAB_UAPI_DAEMON_H */
