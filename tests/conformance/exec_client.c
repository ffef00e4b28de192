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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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
	printf("1..44\n");

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

	/* Shared memory stays shared with a child after re-backing. */
	{
		uint8_t *sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		sh[0] = 1;
		map.user_va = (uintptr_t)sh;
		map.length = PAGE;
		map.ioas_id = ioas2;
		check(xioctl(fd, IOMMU_IOAS_MAP, &map) == 0 && rebacked(sh),
		      "MAP of shared memory re-backs it");
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
	munmap(buf, NPAGES * PAGE);
	return failed ? 1 : 0;
}
