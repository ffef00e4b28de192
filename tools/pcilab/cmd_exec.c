// SPDX-License-Identifier: MIT
/*
 * pcilab exec: boot the world in this process, host its device files on a
 * private AF_UNIX socket and run PROGRAM with the LD_PRELOAD shim, so that
 * PROGRAM's open("/dev/iommu") and ioctls reach this world. Exits with
 * PROGRAM's status (128 + signal if it was killed); PROGRAM is killed if
 * pcilab dies first. See docs/daemon.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "uapi/daemon.h"
#include "uapi/uapi_paths.h"
#include "commands.h"
#include "common.h"

static void exec_usage(FILE *f)
{
	fprintf(f,
		"usage: pcilab [--platform FILE] exec [--] PROGRAM [ARGS...]\n"
		"\n"
		"Run PROGRAM against the simulated platform: its open(\"/dev/iommu\")\n"
		"and ioctls are served by this pcilab process (an iommufd per open),\n"
		"through the LD_PRELOAD shim libpcilab-preload.so.\n"
		"\n"
		"Environment: PCILAB_PRELOAD=PATH overrides where the shim is found.\n"
		"PROGRAM sees LD_PRELOAD and PCILAB_SOCKET (the daemon's socket).\n"
		"\n"
		"Exit status: PROGRAM's (128 + N if killed by signal N); 127 if it\n"
		"could not be run; 1 or 2 if the platform could not be booted.\n");
}

static const char *exec_shim_path(void)
{
	const char *p = getenv("PCILAB_PRELOAD");

	if (p && *p)
		return p;
	if (!access(PCILAB_PRELOAD_BUILD, R_OK))
		return PCILAB_PRELOAD_BUILD;
	return PCILAB_PRELOAD_INSTALL;
}

/* In the child: environment for PROGRAM, then exec it. Never returns. */
static void exec_child(char **prog, const char *shim, const char *sock,
		       pid_t daemon)
{
	const char *old = getenv("LD_PRELOAD");
	char *pre;

	/*
	 * PROGRAM cannot work without its daemon: if pcilab dies (killed by
	 * a test runner's timeout, say), PROGRAM goes with it.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != daemon)
		_exit(127);

	if (old && *old) {
		pre = malloc(strlen(shim) + strlen(old) + 2);
		if (!pre)
			_exit(127);
		sprintf(pre, "%s:%s", shim, old);
	} else {
		pre = (char *)shim;
	}
	if (setenv("LD_PRELOAD", pre, 1) || setenv("PCILAB_SOCKET", sock, 1))
		_exit(127);
	execvp(prog[0], prog);
	fprintf(stderr, "pcilab exec: %s: %s\n", prog[0], strerror(errno));
	_exit(127);
}

static int exec_remove_one(const char *path, const struct stat *st, int type,
			   struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;	/* best effort: go on */
}

/*
 * The directory holds the socket and what the shim made beside it: the
 * private /sys/kernel/debug of the program's fault injection (docs/
 * daemon.md, "Fault injection"). Physical walk: a symlink is removed, never
 * followed.
 */
static void exec_remove_dir(const char *dir)
{
	nftw(dir, exec_remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int cmd_exec(int argc, char **argv)
{
	char dir[PATH_MAX], sock[PATH_MAX + 16];
	const char *tmp = getenv("TMPDIR");
	struct uapi_daemon *d;
	struct tool_world w;
	int i = 1, rc, status = 0, lfd, pidfd;
	pid_t child, self;

	if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
		exec_usage(stdout);
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	else if (i < argc && argv[i][0] == '-') {
		fprintf(stderr, "pcilab exec: unknown option '%s'\n", argv[i]);
		return 2;
	}
	if (i >= argc) {
		exec_usage(stderr);
		return 2;
	}

	rc = tool_world_boot(&w);
	if (rc)
		return rc;
	rc = 1;
	snprintf(dir, sizeof(dir), "%s/pcilab-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "pcilab exec: cannot create a directory in %s: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		goto out_world;
	}
	snprintf(sock, sizeof(sock), "%s/daemon.sock", dir);
	lfd = uapi_listen(sock);
	if (lfd < 0) {
		fprintf(stderr, "pcilab exec: cannot listen on %s: %s\n", sock, strerror(-lfd));
		goto out_rmdir;
	}
	d = uapi_daemon_create(lfd);
	if (IS_ERR(d)) {
		close(lfd);
		fprintf(stderr, "pcilab exec: %s\n", strerror((int)-PTR_ERR(d)));
		goto out_unlink;
	}

	fflush(NULL);
	self = getpid();
	child = fork();
	if (child < 0) {
		fprintf(stderr, "pcilab exec: fork: %s\n", strerror(errno));
		goto out_daemon;
	}
	if (child == 0)
		exec_child(argv + i, exec_shim_path(), sock, self);

	/* Serve until PROGRAM exits: its pidfd polls readable then. */
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	for (;;) {
		int err = uapi_daemon_run(d, pidfd, pidfd >= 0 ? -1 : 50);

		if (err && err != -ETIMEDOUT) {
			fprintf(stderr, "pcilab exec: daemon: %s\n", strerror(-err));
			kill(child, SIGKILL);
		}
		if (pidfd >= 0 && !err)
			break;
		if (waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status);

out_daemon:
	uapi_daemon_destroy(d);
out_unlink:
	unlink(sock);
out_rmdir:
	exec_remove_dir(dir);
out_world:
	tool_world_shutdown(&w);
	return rc;
}
