// SPDX-License-Identifier: MIT
/*
 * The kernel's fault-injection interface, emulated by the shim for a
 * program running under `pcilab exec` (docs/daemon.md, "Fault injection").
 *
 * Linux lets a task make the Nth fault-injection point it passes fail:
 * writing N to /proc/self/task/<tid>/fail-nth arms it, every point the task
 * then passes counts it down, and the one that brings it to 0 fails;
 * reading the file gives the count left ("0\n" once the failure was
 * injected). Programs such as tools/testing/selftests/iommu/
 * iommufd_fail_nth.c first check that /sys/kernel/debug/ holds the fail*
 * knobs (failslab/, fail_page_alloc/) and write a few of them.
 *
 * Here the injection points are those of the daemon's iommufd (every
 * should_fail() call, base/fault.h): each request the shim sends carries
 * the calling thread's count (uapi_wire_ext), the daemon arms
 * fault_inject_nth() around the iommufd code serving it and replies with
 * the count left, which the shim stores back. Nothing else the program
 * does counts, so a sweep covers exactly the iommufd error paths.
 *
 * - A thread's count lives in a memfd holding its text, "%u\n", exactly
 *   what Linux's read gives; an open of the thread's fail-nth file returns
 *   a fresh open file description of that memfd, so read/pread/lseek are
 *   plain file operations with Linux's offset behaviour. Writes must parse
 *   the number and replace the text (Linux ignores the offset), so pwrite
 *   is interposed and recognises these files by inode.
 * - /sys/kernel/debug is a private directory next to the daemon's socket,
 *   created once per `pcilab exec` and filled with the knobs of failslab
 *   and fail_page_alloc at Linux's defaults. They are ordinary files: they
 *   take writes and change nothing, since only fail-nth drives injection.
 *   `pcilab exec` removes the directory when the program exits.
 *
 * Only absolute paths are recognised, and only with PCILAB_SOCKET set.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "failnth.h"

#define SHIM_API __attribute__((visibility("default")))

/* Threads of this process whose fail-nth file was opened. */
#define SHIM_MAX_TASKS 256

struct shim_task {
	pid_t tid;
	int fd;		/* memfd: the count as Linux prints it, "%u\n" */
	dev_t dev;
	ino_t ino;
};

static pthread_mutex_t shim_task_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_task shim_tasks[SHIM_MAX_TASKS];	/* under shim_task_lock */
/* Also read without the lock, as a "nothing to look up" hint. */
static unsigned int shim_nr_tasks;
/* The emulated debugfs root once made ("" before), under shim_task_lock. */
static char shim_debugfs[PATH_MAX];

static int (*real_openat)(int, const char *, int, ...);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static DIR *(*real_opendir)(const char *);

/*
 * Our own hooks are what a plain call resolves to inside the shim, so
 * everything here goes through the next definitions. Resolved lazily too:
 * a hook may run before this library's constructors (another preloaded
 * library's constructor opening a file).
 */
static void shim_failnth_resolve(void)
{
	if (!real_openat)
		real_openat = dlsym(RTLD_NEXT, "openat");
	if (!real_pread)
		real_pread = dlsym(RTLD_NEXT, "pread");
	if (!real_pwrite)
		real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	if (!real_pwrite64)
		real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
	if (!real_opendir)
		real_opendir = dlsym(RTLD_NEXT, "opendir");
}

static void shim_failnth_prepare(void)
{
	pthread_mutex_lock(&shim_task_lock);
}

static void shim_failnth_unlock(void)
{
	pthread_mutex_unlock(&shim_task_lock);
}

__attribute__((constructor)) static void shim_failnth_init(void)
{
	shim_failnth_resolve();
	/* A fork must not leave the child with the lock held by a thread it lacks. */
	pthread_atfork(shim_failnth_prepare, shim_failnth_unlock, shim_failnth_unlock);
}

static pid_t shim_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- classifying paths ------------------------------------------------ */

enum shim_emul {
	SHIM_EMUL_NONE,
	SHIM_EMUL_DEBUGFS,	/* redirected into the private debugfs */
	SHIM_EMUL_FAILNTH,	/* a fail-nth file of one of our threads */
};

#define SHIM_MAX_COMPS 8

/*
 * Split an absolute path into its components (empty ones dropped). A path
 * with "." or ".." components, or deeper than SHIM_MAX_COMPS, is never one
 * we emulate: returns -1 for it.
 */
static int shim_split(const char *path, char *buf, size_t cap,
		      const char *comp[SHIM_MAX_COMPS])
{
	char *p, *save = NULL;
	int n = 0;

	if (strlen(path) >= cap)
		return -1;
	strcpy(buf, path);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, ".") || !strcmp(p, "..") || n == SHIM_MAX_COMPS)
			return -1;
		comp[n++] = p;
	}
	return n;
}

/* A decimal pid as /proc names it, or 0. */
static pid_t shim_pid(const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/* Is tid a thread of this process? */
static bool shim_thread_exists(pid_t tid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	return !stat(path, &st);
}

static bool shim_pid_exists(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return !stat(path, &st);
}

/*
 * The fail-nth files: /proc/{self,thread-self,<pid>}/fail-nth and
 * /proc/{self,<pid>}/task/<tid>/fail-nth. Sets *tid and returns
 * SHIM_EMUL_FAILNTH for a thread of this process; -EACCES for another
 * process's (its count lives in that process's shim), -ENOENT for a thread
 * that does not exist; SHIM_EMUL_NONE for any other path.
 */
static int shim_classify_proc(const char **comp, int n, pid_t *tid)
{
	pid_t self = getpid(), pid;

	if (n < 3 || strcmp(comp[0], "proc") || strcmp(comp[n - 1], "fail-nth"))
		return SHIM_EMUL_NONE;
	if (n == 3 && !strcmp(comp[1], "thread-self")) {
		*tid = shim_gettid();
		return SHIM_EMUL_FAILNTH;
	}
	pid = !strcmp(comp[1], "self") ? self : shim_pid(comp[1]);
	if (!pid || (n != 3 && (n != 5 || strcmp(comp[2], "task"))))
		return SHIM_EMUL_NONE;
	/* Linux resolves /proc/<tid> of any of our threads, not only the leader's. */
	if (pid != self && !shim_thread_exists(pid))
		return shim_pid_exists(pid) ? -EACCES : -ENOENT;
	/* /proc/<pid>/fail-nth is the task pid itself (the leader for getpid()). */
	*tid = n == 3 ? pid : shim_pid(comp[3]);
	if (!*tid || !shim_thread_exists(*tid))
		return -ENOENT;
	return SHIM_EMUL_FAILNTH;
}

static int shim_debugfs_root(void);

/* The fault-injection directories the private debugfs holds. */
static const char *const shim_fail_dirs[] = { "failslab", "fail_page_alloc" };

/*
 * /sys/kernel/debug itself and what lies under its fail* directories go to
 * the private copy (written to out); the rest of debugfs is left alone.
 */
static int shim_classify_debugfs(const char **comp, int n, char *out, size_t cap)
{
	size_t i, len;
	int k, rc;

	if (n < 3 || strcmp(comp[0], "sys") || strcmp(comp[1], "kernel") ||
	    strcmp(comp[2], "debug"))
		return SHIM_EMUL_NONE;
	if (n > 3) {
		for (i = 0; i < sizeof(shim_fail_dirs) / sizeof(shim_fail_dirs[0]); i++)
			if (!strcmp(comp[3], shim_fail_dirs[i]))
				break;
		if (i == sizeof(shim_fail_dirs) / sizeof(shim_fail_dirs[0]))
			return SHIM_EMUL_NONE;
	}
	rc = shim_debugfs_root();
	if (rc)
		return rc;
	len = strlen(shim_debugfs);
	if (len >= cap)
		return -ENAMETOOLONG;
	memcpy(out, shim_debugfs, len + 1);
	for (k = 3; k < n; k++) {
		size_t cl = strlen(comp[k]);

		if (len + 1 + cl >= cap)
			return -ENAMETOOLONG;
		out[len++] = '/';
		memcpy(out + len, comp[k], cl + 1);
		len += cl;
	}
	return SHIM_EMUL_DEBUGFS;
}

/* Which emulation path falls under, if any (SHIM_EMUL_*), or -errno. */
static int shim_classify(const char *path, char *out, size_t cap, pid_t *tid)
{
	const char *comp[SHIM_MAX_COMPS];
	char buf[PATH_MAX];
	int n;

	/* Cheap enough for every open() a program makes. */
	if (!path || path[0] != '/' || (path[1] != 's' && path[1] != 'p') ||
	    (strncmp(path, "/sys/", 5) && strncmp(path, "/proc/", 6)) ||
	    !getenv("PCILAB_SOCKET"))
		return SHIM_EMUL_NONE;
	n = shim_split(path, buf, sizeof(buf), comp);
	if (n < 0)
		return SHIM_EMUL_NONE;
	if (path[1] == 'p')
		return shim_classify_proc(comp, n, tid);
	return shim_classify_debugfs(comp, n, out, cap);
}

/* ---- the private debugfs ---------------------------------------------- */

struct shim_knob {
	const char *name;
	const char *value;	/* as Linux prints the default */
};

/* Every fault_attr's files (Linux lib/fault-inject.c), FAULT_ATTR_INITIALIZER. */
static const struct shim_knob shim_attr_knobs[] = {
	{ "probability", "0\n" },
	{ "interval", "1\n" },
	{ "times", "1\n" },
	{ "space", "0\n" },
	{ "verbose", "2\n" },
	{ "verbose_ratelimit_interval_ms", "0\n" },
	{ "verbose_ratelimit_burst", "10\n" },
	{ "task-filter", "N\n" },
};

/* Per capability (Linux mm/failslab.c, mm/fail_page_alloc.c). */
static const struct shim_knob shim_failslab_knobs[] = {
	{ "ignore-gfp-wait", "Y\n" },
	{ "cache-filter", "N\n" },
};

static const struct shim_knob shim_fail_page_alloc_knobs[] = {
	{ "ignore-gfp-wait", "Y\n" },
	{ "ignore-gfp-highmem", "Y\n" },
	{ "min-order", "1\n" },
};

static int shim_write_knobs(int dfd, const struct shim_knob *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(k[i].value);
		int fd;

		/* 0600, like debugfs's fault attributes. */
		fd = real_openat(dfd, k[i].name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				 0600);
		if (fd < 0)
			return -errno;
		if (real_pwrite(fd, k[i].value, len, 0) != (ssize_t)len) {
			close(fd);
			return -EIO;
		}
		close(fd);
	}
	return 0;
}

/* Remove a directory made by shim_make_debugfs() (best effort). */
static void shim_remove_debugfs(const char *root)
{
	size_t d;
	int rfd;

	rfd = real_openat(AT_FDCWD, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd >= 0) {
		for (d = 0; d < sizeof(shim_fail_dirs) / sizeof(shim_fail_dirs[0]); d++) {
			int dfd = real_openat(rfd, shim_fail_dirs[d],
					      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			DIR *dir;
			struct dirent *de;

			if (dfd < 0)
				continue;
			dir = fdopendir(dfd);
			if (!dir) {
				close(dfd);
				continue;
			}
			while ((de = readdir(dir)))
				if (de->d_name[0] != '.')
					unlinkat(dfd, de->d_name, 0);
			closedir(dir);
			unlinkat(rfd, shim_fail_dirs[d], AT_REMOVEDIR);
		}
		close(rfd);
	}
	rmdir(root);
}

/* Fill root (an empty directory of ours) with the knobs. */
static int shim_fill_debugfs(const char *root)
{
	static const struct {
		const struct shim_knob *knobs;
		size_t n;
	} extra[] = {
		{ shim_failslab_knobs,
		  sizeof(shim_failslab_knobs) / sizeof(shim_failslab_knobs[0]) },
		{ shim_fail_page_alloc_knobs,
		  sizeof(shim_fail_page_alloc_knobs) / sizeof(shim_fail_page_alloc_knobs[0]) },
	};
	int rfd, dfd, rc = 0;
	size_t d;

	_Static_assert(sizeof(extra) / sizeof(extra[0]) ==
		       sizeof(shim_fail_dirs) / sizeof(shim_fail_dirs[0]),
		       "knobs for every fail directory");
	rfd = real_openat(AT_FDCWD, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	for (d = 0; d < sizeof(extra) / sizeof(extra[0]) && !rc; d++) {
		if (mkdirat(rfd, shim_fail_dirs[d], 0700)) {
			rc = -errno;
			break;
		}
		dfd = real_openat(rfd, shim_fail_dirs[d], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			rc = -errno;
			break;
		}
		rc = shim_write_knobs(dfd, shim_attr_knobs,
				      sizeof(shim_attr_knobs) / sizeof(shim_attr_knobs[0]));
		if (!rc)
			rc = shim_write_knobs(dfd, extra[d].knobs, extra[d].n);
		close(dfd);
	}
	close(rfd);
	return rc;
}

/*
 * Make shim_debugfs name "<socket's directory>/debugfs", creating it if
 * no process of this `pcilab exec` has yet. Several may race: each fills a
 * directory of its own and renames it into place; a loser (the name exists
 * and is not empty) removes its copy and uses the winner's.
 */
static int shim_make_debugfs(void)
{
	const char *sock = getenv("PCILAB_SOCKET");
	char root[PATH_MAX], tmp[PATH_MAX];
	const char *slash;
	struct stat st;
	int n, rc;

	if (!sock || !(slash = strrchr(sock, '/')))
		return -ENOENT;
	n = snprintf(root, sizeof(root), "%.*s/debugfs", (int)(slash - sock), sock);
	if (n < 0 || (size_t)n >= sizeof(root) - 8)
		return -ENAMETOOLONG;
	if (!stat(root, &st) && S_ISDIR(st.st_mode))
		goto done;
	memcpy(tmp, root, (size_t)n);
	memcpy(tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	if (!mkdtemp(tmp))
		return -errno;
	rc = shim_fill_debugfs(tmp);
	if (!rc && rename(tmp, root) && errno != EEXIST && errno != ENOTEMPTY)
		rc = -errno;
	if (rc || !stat(tmp, &st))
		shim_remove_debugfs(tmp);
	if (rc)
		return rc;
done:
	memcpy(shim_debugfs, root, (size_t)n + 1);
	return 0;
}

static int shim_debugfs_root(void)
{
	int rc = 0;

	pthread_mutex_lock(&shim_task_lock);
	if (!shim_debugfs[0])
		rc = shim_make_debugfs();
	pthread_mutex_unlock(&shim_task_lock);
	return rc;
}

/* ---- per-thread counts ------------------------------------------------ */

static struct shim_task *shim_task_find(pid_t tid)
{
	unsigned int i;

	for (i = 0; i < shim_nr_tasks; i++)
		if (shim_tasks[i].tid == tid)
			return &shim_tasks[i];
	return NULL;
}

/* Drop the entries of threads that have exited, to make room. */
static void shim_task_prune(void)
{
	unsigned int i = 0;

	while (i < shim_nr_tasks) {
		if (shim_thread_exists(shim_tasks[i].tid)) {
			i++;
			continue;
		}
		close(shim_tasks[i].fd);
		shim_tasks[i] = shim_tasks[--shim_nr_tasks];
	}
}

static void shim_task_store(const struct shim_task *t, uint32_t count)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u\n", count);

	/* Write first, then cut: a reader never sees an empty file. */
	if (real_pwrite(t->fd, buf, (size_t)n, 0) == n)
		(void)!ftruncate(t->fd, n);
}

static uint32_t shim_task_load(const struct shim_task *t)
{
	char buf[16];
	ssize_t n = real_pread(t->fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (uint32_t)strtoul(buf, NULL, 10);
}

/* The entry of thread tid, made on first use: a new task's count is 0. */
static struct shim_task *shim_task_get(pid_t tid, int *err)
{
	struct shim_task *t = shim_task_find(tid);
	struct stat st;
	int fd;

	if (t)
		return t;
	if (shim_nr_tasks == SHIM_MAX_TASKS)
		shim_task_prune();
	if (shim_nr_tasks == SHIM_MAX_TASKS) {
		*err = -ENOMEM;
		return NULL;
	}
	fd = memfd_create("pcilab-fail-nth", MFD_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		*err = -errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	t = &shim_tasks[shim_nr_tasks];
	*t = (struct shim_task){ .tid = tid, .fd = fd, .dev = st.st_dev, .ino = st.st_ino };
	shim_task_store(t, 0);
	__atomic_store_n(&shim_nr_tasks, shim_nr_tasks + 1, __ATOMIC_RELEASE);
	return t;
}

/* The entry whose file fd is open on, if any. */
static struct shim_task *shim_task_by_fd(int fd)
{
	struct stat st;
	unsigned int i;
	int saved = errno;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		errno = saved;
		return NULL;
	}
	for (i = 0; i < shim_nr_tasks; i++)
		if (shim_tasks[i].dev == st.st_dev && shim_tasks[i].ino == st.st_ino)
			return &shim_tasks[i];
	return NULL;
}

/* A new open file description of thread tid's fail-nth file. */
static int shim_open_failnth(pid_t tid, int flags)
{
	struct shim_task *t;
	char path[64];
	int fd, err = 0;

	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	pthread_mutex_lock(&shim_task_lock);
	t = shim_task_get(tid, &err);
	if (!t) {
		pthread_mutex_unlock(&shim_task_lock);
		return err;
	}
	/*
	 * Reopening through /proc gives the caller its own offset, as a new
	 * open of the proc file would. O_TRUNC is dropped: the text is ours,
	 * and Linux ignores it on this file too.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", t->fd);
	fd = real_openat(AT_FDCWD, path,
			 flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
	if (fd < 0)
		err = -errno;
	pthread_mutex_unlock(&shim_task_lock);
	return fd < 0 ? err : fd;
}

/*
 * Linux's kstrtouint(s, 0, &v): an optional '+', the radix from the prefix
 * ("0x" and a hex digit: 16, "0": 8, else 10), at least one digit, at most
 * one '\n', then the end. -EINVAL or -ERANGE otherwise.
 */
static int shim_parse_uint(const char *s, uint32_t *v)
{
	unsigned int base = 10;
	unsigned long long acc = 0;
	bool overflow = false;
	const char *p;

	if (*s == '+')
		s++;
	if (s[0] == '0') {
		char x = (char)(s[1] | 0x20);
		char h = (char)(s[2] | 0x20);

		if (x == 'x' && ((s[2] >= '0' && s[2] <= '9') || (h >= 'a' && h <= 'f'))) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	}
	for (p = s;; p++) {
		unsigned int c = (unsigned char)*p, lc = c | 0x20, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (lc >= 'a' && lc <= 'f')
			d = lc - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (acc > (ULLONG_MAX - d) / base)
			overflow = true;
		else
			acc = acc * base + d;
	}
	if (overflow)
		return -ERANGE;
	if (p == s)
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	if (acc > UINT32_MAX)
		return -ERANGE;
	*v = (uint32_t)acc;
	return 0;
}

/*
 * A write to a fail-nth file: Linux takes at most 34 bytes (what its
 * kstrtouint_from_user() buffer holds), parses them whatever the offset
 * and, on success, reports the whole count written; the file offset does
 * not move.
 */
bool shim_failnth_write(int fd, const void *ubuf, size_t count, ssize_t *ret)
{
	char buf[1 + 32 + 1 + 1];
	size_t n = count < sizeof(buf) - 1 ? count : sizeof(buf) - 1;
	struct iovec l = { buf, n }, r = { (void *)ubuf, n };
	struct shim_task *t;
	uint32_t v;
	int rc;

	if (!__atomic_load_n(&shim_nr_tasks, __ATOMIC_ACQUIRE))
		return false;
	shim_failnth_resolve();
	pthread_mutex_lock(&shim_task_lock);
	t = shim_task_by_fd(fd);
	if (!t) {
		pthread_mutex_unlock(&shim_task_lock);
		return false;
	}
	/* Linux copies from the caller: an unreadable buffer is EFAULT. */
	if (n && process_vm_readv(getpid(), &l, 1, &r, 1, 0) != (ssize_t)n)
		rc = -EFAULT;
	else {
		buf[n] = '\0';
		rc = shim_parse_uint(buf, &v);
	}
	if (!rc)
		shim_task_store(t, v);
	pthread_mutex_unlock(&shim_task_lock);
	if (rc) {
		errno = -rc;
		*ret = -1;
	} else {
		*ret = (ssize_t)count;
	}
	return true;
}

/* ---- hooks -------------------------------------------------------------- */

bool shim_emul_open(const char *path, int flags, mode_t mode, int *ret)
{
	char out[PATH_MAX];
	pid_t tid = 0;
	int k, saved = errno;

	k = shim_classify(path, out, sizeof(out), &tid);
	if (k == SHIM_EMUL_NONE) {
		errno = saved;
		return false;
	}
	shim_failnth_resolve();
	if (k == SHIM_EMUL_DEBUGFS) {
		*ret = real_openat(AT_FDCWD, out, flags, mode);
		return true;
	}
	if (k == SHIM_EMUL_FAILNTH)
		k = shim_open_failnth(tid, flags);
	if (k < 0) {
		errno = -k;
		*ret = -1;
	} else {
		errno = saved;
		*ret = k;
	}
	return true;
}

SHIM_API DIR *opendir(const char *name)
{
	char out[PATH_MAX];
	pid_t tid = 0;
	int k, saved = errno;

	shim_failnth_resolve();
	k = shim_classify(name, out, sizeof(out), &tid);
	if (k < 0 || k == SHIM_EMUL_FAILNTH) {
		errno = k < 0 ? -k : ENOTDIR;
		return NULL;
	}
	errno = saved;
	return real_opendir(k == SHIM_EMUL_DEBUGFS ? out : name);
}

SHIM_API ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	ssize_t ret;

	shim_failnth_resolve();
	if (shim_failnth_write(fd, buf, count, &ret))
		return ret;
	return real_pwrite(fd, buf, count, offset);
}

SHIM_API ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
	ssize_t ret;

	shim_failnth_resolve();
	if (shim_failnth_write(fd, buf, count, &ret))
		return ret;
	return real_pwrite64(fd, buf, count, offset);
}

/* ---- around requests ----------------------------------------------------- */

uint32_t shim_failnth_arm(struct uapi_wire_enc *e)
{
	struct uapi_wire_ext x = { 0 };
	struct shim_task *t;

	if (!__atomic_load_n(&shim_nr_tasks, __ATOMIC_ACQUIRE))
		return 0;
	shim_failnth_resolve();
	pthread_mutex_lock(&shim_task_lock);
	t = shim_task_find(shim_gettid());
	if (t)
		x.fail_nth = shim_task_load(t);
	pthread_mutex_unlock(&shim_task_lock);
	/* Unarmed: a version-1 record, which any daemon understands. */
	if (x.fail_nth)
		uapi_wire_add_ext(e, &x);
	return x.fail_nth;
}

void shim_failnth_update(uint32_t armed, const struct uapi_wire_msg *reply)
{
	struct shim_task *t;

	if (!armed || reply->hdr.version < UAPI_WIRE_VERSION_2)
		return;
	pthread_mutex_lock(&shim_task_lock);
	t = shim_task_find(shim_gettid());
	if (t)
		shim_task_store(t, reply->ext.fail_nth);
	pthread_mutex_unlock(&shim_task_lock);
}
