// SPDX-License-Identifier: MIT
/*
 * A small iommufd user run under `pcilab exec` (tests/conformance/exec.sh):
 * an ordinary, uninstrumented program that knows nothing of pcilab and
 * talks to /dev/iommu through the LD_PRELOAD shim. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <iommufd_test.h>

#define PAGE 4096ul
#define NPAGES 4ul

static int n, failed;

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

/* ioctl returning 0 or the errno it failed with. */
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

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy c = { .size = sizeof(c), .id = id };

	return xioctl(fd, IOMMU_DESTROY, &c);
}

/* Is [p, p + len) mapped from one of the shim's memfds? */
static int rebacked(const void *p)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (uintptr_t)p >= s &&
		    (uintptr_t)p < e)
			found = strstr(line, "/memfd:pcilab") != NULL;
	}
	fclose(f);
	return found;
}

/* May this process open /proc/self/map_files links (CAP_CHECKPOINT_RESTORE)? */
static int map_files_allowed(const void *p)
{
	char line[512], path[128];
	FILE *f = fopen("/proc/self/maps", "r");
	int fd = -1;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (uintptr_t)p >= s &&
		    (uintptr_t)p < e) {
			snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", s, e);
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
	}
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/*
 * DMA stays coherent with every process sharing memory, including one
 * that shared it since before the MAP, and fault fds behave as Linux's
 * under read/readv/pread/write/poll through the shim. 15 checks.
 */
static void check_shared_and_faults(void)
{
	struct iommu_test_cmd md = { .size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_test_cmd ca = { .size = sizeof(ca), .op = IOMMU_TEST_OP_CREATE_ACCESS };
	struct iommu_test_cmd rw = { .size = sizeof(rw), .op = IOMMU_TEST_OP_ACCESS_RW };
	struct iommu_test_cmd repl = {
		.size = sizeof(repl), .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	struct iommu_test_cmd trig = { .size = sizeof(trig), .op = IOMMU_TEST_OP_TRIGGER_IOPF };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc parent = { .size = sizeof(parent) };
	struct iommu_hwpt_alloc nested = { .size = sizeof(nested) };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_ioas_map m = { .size = sizeof(m) };
	struct iommu_hwpt_pgfault pf[2];
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	struct iovec iov[2] = { { &pf[0], sizeof(pf[0]) }, { &pf[1], sizeof(pf[1]) } };
	struct pollfd pfd;
	uint8_t *sh, got = 0;
	int fd, ffd, afd, ok, status, mf, go[2];
	uint32_t ioas = 0;
	char c = 0;
	pid_t pid;

	fd = open("/dev/iommu", O_RDWR);
	sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mf = map_files_allowed(sh);
	sh[0] = 1;
	if (pipe(go))
		exit(1);
	fflush(stdout);
	pid = fork();	/* shares sh since before the MAP */
	if (pid == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		sh[0] = 0x77;
		_exit(0);
	}
	ok = fd >= 0 && ioas_alloc(fd, &ioas) == 0;
	m.ioas_id = ioas;
	m.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	m.user_va = (uintptr_t)sh;
	m.length = PAGE;
	ca.id = ioas;
	ok = ok && xioctl(fd, IOMMU_IOAS_MAP, &m) == 0 &&
	     xioctl(fd, IOMMU_TEST_CMD, &ca) == 0;
	afd = (int)ca.create_access.out_access_fd;
	ok = ok && write(go[1], &c, 1) == 1 && waitpid(pid, &status, 0) == pid;
	rw.id = (uint32_t)afd;
	rw.access_rw.iova = m.iova;
	rw.access_rw.length = 1;
	rw.access_rw.uptr = (uintptr_t)&got;
	rw.access_rw.flags = MOCK_ACCESS_RW_SLOW_PATH;
	check(ok && xioctl(fd, IOMMU_TEST_CMD, &rw) == 0 && got == (mf ? 0x77 : 1),
	      "DMA sees a write by a process sharing the memory since before the MAP");
	close(go[0]);
	close(go[1]);
	close(afd);

	/*
	 * Without the capabilities map_files needs, shared memory is re-backed
	 * part by part: mapped one page, then two, the second page is a new
	 * memfd from offset 0 although it sits at offset 4096 of its file.
	 */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
		uint8_t *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		struct iommu_ioas_map m2 = {
			.size = sizeof(m2), .ioas_id = ioas,
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)two, .length = PAGE,
		};

		if (syscall(SYS_capget, &h, d))
			_exit(1);
		d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
		d[CAP_TO_INDEX(CAP_CHECKPOINT_RESTORE)].effective &=
			~CAP_TO_MASK(CAP_CHECKPOINT_RESTORE);
		if (syscall(SYS_capset, &h, d) || map_files_allowed(two))
			_exit(2);
		if (xioctl(fd, IOMMU_IOAS_MAP, &m2))
			_exit(3);
		m2.length = 2 * PAGE;
		m2.iova = 0;
		_exit(xioctl(fd, IOMMU_IOAS_MAP, &m2) || !rebacked(two + PAGE) ? 4 : 0);
	}
	check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0,
	      "without map_files, shared memory is re-backed page range by range");

	/*
	 * A nested HWPT delivering the mock device's page faults to a queue,
	 * on an IOAS of its own (the one above has a mapping outside the mock
	 * domain's aperture, so attaching there fails with EADDRINUSE).
	 */
	ok = ioas_alloc(fd, &ioas) == 0;
	md.id = ioas;
	ok = ok && xioctl(fd, IOMMU_TEST_CMD, &md) == 0 &&
	     xioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fa) == 0;
	ffd = (int)fa.out_fault_fd;
	parent.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	parent.dev_id = md.mock_domain.out_idev_id;
	parent.pt_id = ioas;
	nested.flags = IOMMU_HWPT_FAULT_ID_VALID;
	nested.dev_id = md.mock_domain.out_idev_id;
	nested.data_type = IOMMU_HWPT_DATA_SELFTEST;
	nested.data_len = sizeof(data);
	nested.data_uptr = (uintptr_t)&data;
	nested.fault_id = fa.out_fault_id;
	ok = ok && xioctl(fd, IOMMU_HWPT_ALLOC, &parent) == 0;
	nested.pt_id = parent.out_hwpt_id;
	ok = ok && xioctl(fd, IOMMU_HWPT_ALLOC, &nested) == 0;
	repl.id = md.mock_domain.out_stdev_id;
	repl.mock_domain_replace.pt_id = nested.out_hwpt_id;
	ok = ok && xioctl(fd, IOMMU_TEST_CMD, &repl) == 0;
	check(ok && ffd >= 0 && ffd != fd && fcntl(ffd, F_GETFD) == FD_CLOEXEC &&
	      !(fcntl(ffd, F_GETFL) & O_NONBLOCK), "fault queue on a nested HWPT");
	pfd = (struct pollfd){ .fd = ffd, .events = POLLIN | POLLOUT };
	check(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT,
	      "fault fd: writable, not readable while no fault waits");
	check(read(ffd, pf, sizeof(pf)) == 0, "fault fd: read with nothing pending is 0");
	trig.trigger_iopf.dev_id = md.mock_domain.out_idev_id;
	trig.trigger_iopf.pasid = 1;
	trig.trigger_iopf.grpid = 2;
	trig.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE;
	trig.trigger_iopf.addr = 0xdeadbeaf;
	check(xioctl(fd, IOMMU_TEST_CMD, &trig) == 0 && poll(&pfd, 1, 0) == 1 &&
	      pfd.revents == (POLLIN | POLLOUT), "fault fd: POLLIN once a fault waits");
	check(read(ffd, pf, sizeof(pf[0]) - 1) == -1 && errno == ESPIPE &&
	      read(ffd, pf, 0) == -1 && errno == EINVAL,
	      "fault fd: part of a record ESPIPE, no room EINVAL");
	check(pread(ffd, pf, sizeof(pf[0]), 0) == -1 && errno == ESPIPE,
	      "fault fd: pread ESPIPE");
	memset(pf, 0, sizeof(pf));
	check(readv(ffd, iov, 2) == (ssize_t)sizeof(pf[0]) && pf[0].addr == 0xdeadbeaf &&
	      pf[0].grpid == 2 && pf[0].dev_id == md.mock_domain.out_idev_id &&
	      pf[1].addr == 0, "fault fd: readv returns the one record");
	check(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT,
	      "fault fd: not readable once read");
	resp.cookie = pf[0].cookie;
	check(write(ffd, &resp, sizeof(resp)) == (ssize_t)sizeof(resp),
	      "fault fd: write of the response");
	check(write(ffd, &resp, sizeof(resp)) == -1 && errno == EINVAL,
	      "fault fd: a response to no fault EINVAL");
	check(xioctl(fd, IOMMU_TEST_CMD, &trig) == 0 && xioctl(fd, IOMMU_TEST_CMD, &trig) == 0 &&
	      read(ffd, pf, sizeof(pf)) == (ssize_t)sizeof(pf) &&
	      pf[0].cookie != pf[1].cookie, "fault fd: two faults in one read");
	check(read(fd, pf, sizeof(pf)) == -1 && errno == EINVAL &&
	      write(fd, pf, sizeof(pf)) == -1 && errno == EINVAL,
	      "/dev/iommu has no read or write: EINVAL");
	check(close(ffd) == 0 && close(fd) == 0, "close the fault fd and the iommufd");
	munmap(sh, PAGE);
}

int main(void)
{
	struct iommu_iova_range ranges[4];
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_test_cmd md = { .size = sizeof(md), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_test_cmd chk = { .size = sizeof(chk), .op = IOMMU_TEST_OP_MD_CHECK_MAP };
	struct iommu_ioas_alloc small = { .size = 4 };
	uint32_t ioas, ioas2, child_ioas = 0, again;
	int fd, fd2, status, ok, pfd[2];
	unsigned long i;
	uint8_t *buf;
	pid_t pid;

	alarm(60);	/* a hang must fail the run, not stall it */
	printf("1..59\n");

	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open /dev/iommu");
	if (fd < 0)
		return 1;
	check(ioas_alloc(fd, &ioas) == 0 && ioas != 0, "IOMMU_IOAS_ALLOC");
	/* A mock domain: mappings are pinned as they are made. */
	md.id = ioas;
	check(xioctl(fd, IOMMU_TEST_CMD, &md) == 0 && md.mock_domain.out_stdev_id,
	      "mock domain attached");

	/* Map a private buffer: its bytes must survive re-backing. */
	buf = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < NPAGES * PAGE; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas;
	map.user_va = (uintptr_t)buf;
	map.length = NPAGES * PAGE;
	check(xioctl(fd, IOMMU_IOAS_MAP, &map) == 0 && map.iova >= MOCK_APERTURE_START,
	      "IOMMU_IOAS_MAP with an automatic IOVA (pages pinned through the memfd)");
	ok = 1;
	for (i = 0; i < NPAGES * PAGE; i++)
		ok &= buf[i] == (uint8_t)(i * 7 + 3);
	check(ok && rebacked(buf), "mapped buffer re-backed by a memfd, contents kept");

	/* IOVA_RANGES: too small an array gives the count and EMSGSIZE. */
	r.ioas_id = ioas;
	r.num_iovas = 0;
	check(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) == EMSGSIZE && r.num_iovas == 1,
	      "IOAS_IOVA_RANGES with no room: EMSGSIZE and the count copied back");
	memset(ranges, 0xa5, sizeof(ranges));
	r.num_iovas = 4;
	r.allowed_iovas = (uintptr_t)ranges;
	check(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &r) == 0 && r.num_iovas == 1 &&
	      ranges[0].start == MOCK_APERTURE_START &&
	      ranges[0].last == MOCK_APERTURE_LAST &&
	      ranges[1].start == 0xa5a5a5a5a5a5a5a5ull,
	      "IOAS_IOVA_RANGES: the mock aperture copied back, nothing past it");

	chk.id = md.mock_domain.out_hwpt_id;
	chk.check_map.iova = map.iova;
	chk.check_map.length = NPAGES * PAGE;
	chk.check_map.uptr = (uintptr_t)buf;
	check(xioctl(fd, IOMMU_TEST_CMD, &chk) == 0, "MD_CHECK_MAP: domain maps the buffer's pages");
	chk.check_map.uptr = (uintptr_t)buf + PAGE;
	check(xioctl(fd, IOMMU_TEST_CMD, &chk) != 0, "MD_CHECK_MAP against other pages fails");

	/* Errno paths. */
	check(xioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), &small) == ENOTTY, "unknown command: ENOTTY");
	check(xioctl(fd, IOMMU_IOAS_ALLOC, &small) == EINVAL, "short struct: EINVAL");
	check(xioctl(fd, IOMMU_IOAS_ALLOC, NULL) == EFAULT, "NULL argument: EFAULT");
	check(destroy(fd, ioas) == EBUSY, "IOAS in use by a domain: EBUSY");

	/* Unmap. */
	unmap.ioas_id = ioas;
	unmap.iova = map.iova;
	unmap.length = NPAGES * PAGE;
	check(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap) == 0 && unmap.length == NPAGES * PAGE,
	      "IOMMU_IOAS_UNMAP");
	check(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap) == ENOENT, "unmap again: ENOENT");

	/* A dup is the same open file: same objects. */
	fd2 = dup(fd);
	check(fd2 >= 0 && ioas_alloc(fd2, &ioas2) == 0 && ioas2 != ioas,
	      "dup()ed descriptor works");
	check(destroy(fd2, md.mock_domain.out_stdev_id) == 0 && destroy(fd2, ioas) == 0,
	      "objects made through one descriptor destroyed through its dup");

	/* A forked child shares the open file too. */
	fflush(stdout);
	if (pipe(pfd))
		return 1;
	pid = fork();
	if (pid == 0) {
		uint32_t id = 0;
		int rc = ioas_alloc(fd, &id);

		if (write(pfd[1], &id, sizeof(id)) != sizeof(id))
			_exit(3);
		/* The child's copy of a re-backed private buffer is private. */
		buf[0] = 0x11;
		_exit(rc ? 1 : 0);
	}
	close(pfd[1]);	/* a dead child then reads as EOF, not a hang */
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	      read(pfd[0], &child_ioas, sizeof(child_ioas)) == sizeof(child_ioas) &&
	      child_ioas != 0, "IOAS_ALLOC from a forked child");
	check(destroy(fd, child_ioas) == 0, "parent destroys the child's IOAS");
	check(buf[0] == 3, "child's write to re-backed private memory not seen by the parent");
	close(pfd[0]);

	/*
	 * Shared memory is mapped as the file it is (not re-backed) when the
	 * shim may open /proc/self/map_files, and stays shared with a child.
	 */
	{
		uint8_t *sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		sh[0] = 1;
		map.user_va = (uintptr_t)sh;
		map.length = PAGE;
		map.ioas_id = ioas2;
		check(xioctl(fd, IOMMU_IOAS_MAP, &map) == 0 &&
		      rebacked(sh) == !map_files_allowed(sh),
		      "MAP of shared memory keeps its file (re-backs it without map_files)");
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			sh[0] = 2;
			_exit(0);
		}
		waitpid(pid, &status, 0);
		check(sh[0] == 2, "re-backed shared memory still shared with a child");
	}

	/*
	 * Pages mapped by a child are pinned through the child (source_mm):
	 * once it has exited they cannot be pinned any more (EFAULT), while
	 * it lives they can. As the selftests' fork_gone / fork_present.
	 */
	{
		struct iommu_test_cmd md2 = { .size = sizeof(md2),
					      .op = IOMMU_TEST_OP_MOCK_DOMAIN };
		uint8_t *sh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		uint32_t gone_ioas, present_ioas;
		int up[2], down[2];	/* child → parent, parent → child */
		char c = 0;

		check(ioas_alloc(fd, &gone_ioas) == 0 && ioas_alloc(fd, &present_ioas) == 0,
		      "two more IOASes");
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct iommu_ioas_map m = {
				.size = sizeof(m), .ioas_id = gone_ioas,
				.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
				.user_va = (uintptr_t)sh, .length = 2 * PAGE,
				.iova = MOCK_APERTURE_START,
			};

			_exit(xioctl(fd, IOMMU_IOAS_MAP, &m) ? 1 : 0);
		}
		waitpid(pid, &status, 0);
		md2.id = gone_ioas;
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		      xioctl(fd, IOMMU_TEST_CMD, &md2) == EFAULT,
		      "pages mapped by an exited child cannot be pinned: EFAULT");

		if (pipe(up) || pipe(down))
			return 1;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct iommu_ioas_map m = {
				.size = sizeof(m), .ioas_id = present_ioas,
				.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
				.user_va = (uintptr_t)sh, .length = 2 * PAGE,
				.iova = MOCK_APERTURE_START,
			};
			int rc = xioctl(fd, IOMMU_IOAS_MAP, &m);

			close(up[0]);
			close(down[1]);
			if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
				_exit(3);
			_exit(rc ? 1 : 0);
		}
		close(up[1]);
		close(down[0]);
		ok = read(up[0], &c, 1) == 1;	/* EOF if the child died */
		md2.id = present_ioas;
		check(ok && xioctl(fd, IOMMU_TEST_CMD, &md2) == 0,
		      "pages mapped by a living child are pinned");
		ok = write(down[1], &c, 1) == 1;
		close(down[1]);
		waitpid(pid, &status, 0);
		check(ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		      destroy(fd, md2.mock_domain.out_stdev_id) == 0,
		      "child done; domain detached after it exited");
		close(up[0]);
	}

	/* A buffer on the stack, next to live frames, survives re-backing. */
	{
		volatile uint8_t stackbuf[3 * PAGE];
		struct iommu_ioas_map m = {
			.size = sizeof(m), .ioas_id = ioas2,
			.flags = IOMMU_IOAS_MAP_READABLE,
			.user_va = (uintptr_t)stackbuf, .length = sizeof(stackbuf),
		};

		for (i = 0; i < sizeof(stackbuf); i++)
			stackbuf[i] = (uint8_t)(i ^ 0x5c);
		ok = xioctl(fd, IOMMU_IOAS_MAP, &m) == 0;
		for (i = 0; i < sizeof(stackbuf); i++)
			ok &= stackbuf[i] == (uint8_t)(i ^ 0x5c);
		check(ok, "MAP of a stack buffer: program and bytes intact");
	}

	/* A client that crashes after sending garbage leaves the daemon alone. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int h = open("/dev/iommu", O_RDWR);
		static const char junk[] = "garbage, not a record";
		uint32_t hdr[4] = { 0x42414c50u, 1 | (2u << 16), 9999, 0 };

		if (h < 0)
			_exit(1);
		send(h, junk, sizeof(junk), MSG_NOSIGNAL);
		send(h, hdr, sizeof(hdr), MSG_NOSIGNAL);
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "hostile client crashed");
	check(ioas_alloc(fd, &again) == 0, "daemon still serves after a hostile client");

	/* Non-iommu descriptors are passed through untouched. */
	{
		int p2[2], avail = -1;

		if (pipe(p2))
			return 1;
		if (write(p2[1], "abc", 3) != 3)
			return 1;
		check(ioctl(p2[0], FIONREAD, &avail) == 0 && avail == 3,
		      "ioctl on a pipe passes through");
		close(p2[0]);
		close(p2[1]);
	}

	/* The last close releases the context: a new open starts afresh. */
	close(fd);
	close(fd2);
	fd = open("/dev/iommu", O_RDWR);
	check(fd >= 0 && ioas_alloc(fd, &ioas) == 0 && ioas == 1,
	      "after the last close a new open gets a fresh context");
	check(destroy(fd, ioas) == 0, "IOMMU_DESTROY");
	check(close(fd) == 0, "close");

	/* VFIO container ioctls: integer arguments, non-negative results. */
	fd = open("/dev/iommu", O_RDWR);
	check(fd >= 0 && ioctl(fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION &&
	      ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
	      "VFIO_GET_API_VERSION and VFIO_CHECK_EXTENSION results pass through");

	/* Access fds: a real descriptor, named by later commands. */
	{
		struct iommu_test_cmd ca = {
			.size = sizeof(ca), .op = IOMMU_TEST_OP_CREATE_ACCESS,
		};
		struct iommu_test_cmd rw = {
			.size = sizeof(rw), .op = IOMMU_TEST_OP_ACCESS_RW,
		};
		struct iommu_test_cmd da = {
			.size = sizeof(da), .op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		};
		uint8_t got[16];
		int afd, p2[2];

		ok = ioas_alloc(fd, &ioas) == 0;
		map = (struct iommu_ioas_map){
			.size = sizeof(map), .ioas_id = ioas,
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.user_va = (uintptr_t)buf, .length = NPAGES * PAGE,
		};
		ok = ok && xioctl(fd, IOMMU_IOAS_MAP, &map) == 0;
		ca.id = ioas;
		ok = ok && xioctl(fd, IOMMU_TEST_CMD, &ca) == 0;
		afd = (int)ca.create_access.out_access_fd;
		check(ok && afd > 2 && fcntl(afd, F_GETFD) == FD_CLOEXEC &&
		      afd != fd, "CREATE_ACCESS returns a new close-on-exec fd");
		memset(buf + 5, 0x5a, sizeof(got));
		memset(got, 0, sizeof(got));
		rw.id = (uint32_t)afd;
		rw.access_rw.iova = map.iova + 5;
		rw.access_rw.length = sizeof(got);
		rw.access_rw.uptr = (uintptr_t)got;
		check(xioctl(fd, IOMMU_TEST_CMD, &rw) == 0 && got[0] == 0x5a &&
		      got[sizeof(got) - 1] == 0x5a, "ACCESS_RW through the access fd");
		memset(got, 0xa5, sizeof(got));
		rw.access_rw.flags = MOCK_ACCESS_RW_WRITE;
		check(xioctl(fd, IOMMU_TEST_CMD, &rw) == 0 && buf[5] == 0xa5 &&
		      buf[5 + sizeof(got) - 1] == 0xa5 && buf[5 + sizeof(got)] != 0xa5,
		      "ACCESS_RW write reaches the program's memory");
		check(pipe(p2) == 0, "pipe");
		rw.id = (uint32_t)p2[0];
		check(xioctl(fd, IOMMU_TEST_CMD, &rw) == EBADFD,
		      "a descriptor that is not an access fd: EBADFD");
		da.id = (uint32_t)p2[0];
		check(xioctl(fd, IOMMU_TEST_CMD, &da) == EBADFD,
		      "DESTROY_ACCESS_PAGES on a pipe: EBADFD");
		close(p2[0]);
		close(p2[1]);
		/* The access holds its IOAS until the access fd is closed. */
		check(destroy(fd, ioas) == EBUSY && close(afd) == 0 &&
		      destroy(fd, ioas) == 0,
		      "closing the access fd releases it before the next ioctl");
		ok = ioas_alloc(fd, &ioas) == 0;
		ca.id = ioas;
		ok = ok && xioctl(fd, IOMMU_TEST_CMD, &ca) == 0;
		afd = (int)ca.create_access.out_access_fd;
		check(ok && afd > 2, "a second access fd");
		/*
		 * The access holds the context: closing the iommufd first and
		 * the access fd last must be served without harm.
		 */
		close(fd);
		check(close(afd) == 0, "close the access fd after the iommufd");
		fd = open("/dev/iommu", O_RDWR);
		check(fd >= 0 && ioas_alloc(fd, &again) == 0 && again == 1 &&
		      close(fd) == 0, "daemon serves a fresh context afterwards");
	}
	check_shared_and_faults();
	munmap(buf, NPAGES * PAGE);
	return failed ? 1 : 0;
}
