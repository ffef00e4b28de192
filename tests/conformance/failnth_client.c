// SPDX-License-Identifier: MIT
/*
 * The kernel's fault-injection interface as a program sees it under
 * `pcilab exec` (tests/conformance/failnth.sh; docs/daemon.md, "Fault
 * injection"): /sys/kernel/debug's fail* knobs, the per-thread
 * /proc/.../fail-nth files with Linux's read/write semantics, and fail-nth
 * driving failures of /dev/iommu's open and ioctls, counted per thread.
 * An ordinary, uninstrumented program; prints TAP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <iommufd_test.h>

#define PAGE 4096ul
#define BUF_PAGES 64ul

static int n, failed;
static uint8_t *buffer;

static void check(int cond, const char *what)
{
	n++;
	if (!cond)
		failed++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n, what);
	if (!cond)
		printf("# errno %d (%s)\n", errno, strerror(errno));
	fflush(stdout);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc c = { .size = sizeof(c) };
	int rc = xioctl(fd, IOMMU_IOAS_ALLOC, &c);

	*id = c.out_ioas_id;
	return rc;
}

static pid_t tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* The whole text of an open fail-nth file, read at offset 0. */
static const char *nth_text(int fd)
{
	static char buf[64];
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);

	buf[r > 0 ? r : 0] = '\0';
	return buf;
}

static int nth_set(int fd, const char *s)
{
	return pwrite(fd, s, strlen(s), 0) == (ssize_t)strlen(s) ? 0 : errno;
}

static int open_nth(pid_t t)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", (int)t);
	return open(path, O_RDWR | O_CLOEXEC);
}

static int read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, cap - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	return r < 0 ? -1 : 0;
}

static void test_debugfs(void)
{
	DIR *d = opendir("/sys/kernel/debug/");
	int slab = 0, page = 0, other = 0, fd;
	struct dirent *de;
	char buf[64];

	check(d != NULL, "opendir(/sys/kernel/debug/) is the emulated debugfs");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, "failslab"))
			slab++;
		else if (!strcmp(de->d_name, "fail_page_alloc"))
			page++;
		else if (de->d_name[0] != '.')
			other++;
	}
	check(slab == 1 && page == 1 && other == 0,
	      "it holds failslab/ and fail_page_alloc/ only");
	/* What iommufd_fail_nth.c's constructor does. */
	fd = openat(dirfd(d), "failslab/ignore-gfp-wait", O_RDONLY);
	check(fd >= 0 && read(fd, buf, sizeof(buf)) == 2 && !memcmp(buf, "Y\n", 2),
	      "failslab/ignore-gfp-wait reads Linux's default Y");
	if (fd >= 0)
		close(fd);
	fd = openat(dirfd(d), "failslab/ignore-gfp-wait", O_WRONLY);
	check(fd >= 0 && write(fd, "N", 1) == 1, "...and takes a write");
	if (fd >= 0)
		close(fd);
	fd = openat(dirfd(d), "fail_page_alloc/verbose", O_WRONLY);
	check(fd >= 0 && write(fd, "0", 1) == 1, "fail_page_alloc/verbose takes a write");
	if (fd >= 0)
		close(fd);
	closedir(d);
	check(!read_file("/sys/kernel/debug/fail_page_alloc/min-order", buf, sizeof(buf)) &&
	      !strcmp(buf, "1\n"), "absolute paths under it are redirected too");
	check(!read_file("/sys/kernel/debug/failslab/ignore-gfp-wait", buf, sizeof(buf)) &&
	      !strcmp(buf, "N\n"), "what was written is read back");
}

static void test_file_semantics(void)
{
	/* The first page is never mapped. */
	const void *volatile unmapped = (const void *)(uintptr_t)64;
	char path[64], buf[8];
	int fd = open_nth(tid()), fd2;

	check(fd >= 0, "open /proc/self/task/<tid>/fail-nth O_RDWR");
	if (fd < 0)
		return;
	check(!strcmp(nth_text(fd), "0\n"), "a new task's count reads \"0\\n\"");
	check(!nth_set(fd, "3") && !strcmp(nth_text(fd), "3\n"), "write 3, read \"3\\n\"");
	/* read() moves the file offset, as Linux's simple_read_from_buffer does. */
	lseek(fd, 0, SEEK_SET);
	check(read(fd, buf, 1) == 1 && buf[0] == '3' && read(fd, buf, 8) == 1 &&
	      buf[0] == '\n' && read(fd, buf, 8) == 0, "read() is sequential, then EOF");
	/* Writes parse like kstrtouint(s, 0) and ignore the offset. */
	check(pwrite(fd, "+0x10\n", 6, 100) == 6 && !strcmp(nth_text(fd), "16\n"),
	      "\"+0x10\\n\" at offset 100 is 16");
	check(write(fd, "010", 3) == 3 && !strcmp(nth_text(fd), "8\n"),
	      "write() of \"010\" is octal 8");
	errno = 0;
	check(pwrite(fd, "abc", 3, 0) < 0 && errno == EINVAL, "\"abc\": EINVAL");
	errno = 0;
	check(pwrite(fd, "5 ", 2, 0) < 0 && errno == EINVAL, "\"5 \": EINVAL");
	errno = 0;
	check(pwrite(fd, "-1", 2, 0) < 0 && errno == EINVAL, "\"-1\": EINVAL");
	errno = 0;
	check(pwrite(fd, "", 0, 0) < 0 && errno == EINVAL, "an empty write: EINVAL");
	errno = 0;
	check(pwrite(fd, "4294967296", 10, 0) < 0 && errno == ERANGE,
	      "2^32: ERANGE");
	errno = 0;
	check(pwrite(fd, unmapped, 4, 0) < 0 && errno == EFAULT,
	      "an unreadable buffer: EFAULT");
	check(!strcmp(nth_text(fd), "8\n"), "failed writes changed nothing");
	/* Every name of the main thread's file is the same file. */
	fd2 = open("/proc/self/fail-nth", O_RDONLY);
	check(fd2 >= 0 && !strcmp(nth_text(fd2), "8\n"), "/proc/self/fail-nth is the same count");
	if (fd2 >= 0)
		close(fd2);
	fd2 = open("/proc/thread-self/fail-nth", O_RDONLY);
	check(fd2 >= 0 && !strcmp(nth_text(fd2), "8\n"), "/proc/thread-self/fail-nth too");
	if (fd2 >= 0)
		close(fd2);
	fd2 = dup(fd);
	check(fd2 >= 0 && !nth_set(fd2, "0") && !strcmp(nth_text(fd), "0\n"),
	      "a dup'ed descriptor writes the same count; 0 disarms");
	if (fd2 >= 0)
		close(fd2);
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", (int)tid());
	errno = 0;
	check(open(path, O_RDWR | O_CREAT | O_EXCL, 0600) < 0 && errno == EEXIST,
	      "O_CREAT|O_EXCL: EEXIST");
	errno = 0;
	check(opendir(path) == NULL && errno == ENOTDIR, "opendir of it: ENOTDIR");
	errno = 0;
	check(open("/proc/self/task/2147483647/fail-nth", O_RDWR) < 0 && errno == ENOENT,
	      "a thread that does not exist: ENOENT");
	/* pcilab itself is another process that surely exists. */
	snprintf(path, sizeof(path), "/proc/%d/fail-nth", (int)getppid());
	errno = 0;
	check(open(path, O_RDWR) < 0 && errno == EACCES,
	      "another process's count is out of reach: EACCES");
	close(fd);
}

static void test_injection(void)
{
	int nfd = open_nth(tid()), fd;
	uint32_t id;
	unsigned long left;

	fd = open("/dev/iommu", O_RDWR);
	check(fd >= 0 && nfd >= 0, "open /dev/iommu and this thread's fail-nth");
	check(!nth_set(nfd, "1") && ioas_alloc(fd, &id) == ENOMEM,
	      "fail-nth 1: IOMMU_IOAS_ALLOC fails with ENOMEM");
	check(!strcmp(nth_text(nfd), "0\n"), "and the count reads \"0\\n\": injected");
	check(!ioas_alloc(fd, &id) && id == 1, "the next one is not armed (and got ID 1)");
	check(!nth_set(nfd, "1000") && !ioas_alloc(fd, &id), "fail-nth 1000: the command passes");
	left = strtoul(nth_text(nfd), NULL, 10);
	check(left > 990 && left < 1000, "the count went down by the points it passed");
	check(!nth_set(nfd, "0"), "disarm");
	close(fd);
	check(!nth_set(nfd, "1") && open("/dev/iommu", O_RDWR) < 0 && errno == ENOMEM,
	      "fail-nth 1: open(/dev/iommu) fails with ENOMEM");
	check(!strcmp(nth_text(nfd), "0\n"), "...injected");
	close(nfd);
}

/* The iommufd_fail_nth.c loop over MOCK_DOMAIN + IOAS_MAP + unmap. */
static int sweep_once(int nfd, unsigned int nth)
{
	struct iommu_test_cmd md = { .size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_ioas_map map = {
		.size = sizeof(map), .user_va = (uintptr_t)buffer,
		.length = BUF_PAGES * PAGE,
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
	};
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	char num[16];
	uint32_t ioas;
	int fd, rc = -1;

	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0 || ioas_alloc(fd, &ioas))
		goto out;
	snprintf(num, sizeof(num), "%u", nth);
	if (nth_set(nfd, num))
		goto out;
	md.id = map.ioas_id = unmap.ioas_id = ioas;
	if (xioctl(fd, IOMMU_TEST_CMD, &md) || xioctl(fd, IOMMU_IOAS_MAP, &map))
		goto out;
	unmap.iova = map.iova;
	unmap.length = map.length;
	if (xioctl(fd, IOMMU_IOAS_UNMAP, &unmap))
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int no_pins_left(void)
{
	struct iommu_test_cmd c = {
		.size = sizeof(c), .op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = BUF_PAGES * PAGE, .uptr = (uintptr_t)buffer },
	};
	int fd = open("/dev/iommu", O_RDWR), rc;

	rc = fd >= 0 ? xioctl(fd, IOMMU_TEST_CMD, &c) : errno;
	if (fd >= 0)
		close(fd);
	return rc == 0;
}

static void test_sweep(void)
{
	int nfd = open_nth(tid()), rc, clean = 1;
	unsigned int nth;

	for (nth = 1; nth < 400; nth++) {
		rc = sweep_once(nfd, nth);
		if (strcmp(nth_text(nfd), "0\n"))
			break;	/* the failure was not reached: done */
		nth_set(nfd, "0");
		clean &= no_pins_left();
	}
	nth_set(nfd, "0");
	check(nth > 5 && nth < 400 && rc == 0,
	      "sweep: each point fails in turn, then the sequence passes");
	check(clean && no_pins_left(), "sweep: nothing stays pinned after any failure");
	close(nfd);
}

static void *thread_fn(void *arg)
{
	int fd = *(int *)arg, nfd = open_nth(tid());
	uint32_t id;
	intptr_t ok;

	ok = nfd >= 0 && !nth_set(nfd, "1") && ioas_alloc(fd, &id) == ENOMEM &&
	     !strcmp(nth_text(nfd), "0\n");
	if (nfd >= 0)
		close(nfd);
	return (void *)ok;
}

static void test_threads_fork(void)
{
	int fd = open("/dev/iommu", O_RDWR), nfd = open_nth(tid()), status = -1;
	pthread_t t;
	void *ok = NULL;
	uint32_t id;
	pid_t child;

	check(!pthread_create(&t, NULL, thread_fn, &fd) && !pthread_join(t, &ok) &&
	      ok, "another thread's count is its own: armed there, it fails there");
	check(!ioas_alloc(fd, &id), "...and this thread's commands are not armed");
	check(!nth_set(nfd, "5"), "arm this thread with 5");
	child = fork();
	if (child == 0) {
		int cfd = open("/proc/self/fail-nth", O_RDONLY);

		_exit(cfd >= 0 && !strcmp(nth_text(cfd), "0\n") && !ioas_alloc(fd, &id) ?
		      0 : 1);
	}
	check(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0,
	      "a forked child starts at 0, and its commands are not armed");
	check(!strcmp(nth_text(nfd), "5\n"), "the parent's count is untouched");
	nth_set(nfd, "0");
	close(nfd);
	close(fd);
}

int main(void)
{
	printf("1..43\n");
	buffer = mmap(NULL, BUF_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buffer == MAP_FAILED)
		return 1;
	memset(buffer, 0x5a, BUF_PAGES * PAGE);
	test_debugfs();
	test_file_semantics();
	test_injection();
	test_sweep();
	test_threads_fork();
	printf("# %d checks, %d failed\n", n, failed);
	return failed ? 1 : 0;
}
