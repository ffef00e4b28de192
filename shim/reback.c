// SPDX-License-Identifier: MIT
/*
 * libpcilab-preload.so: re-backing the memory an ioctl pins (see
 * preload.c's header and docs/daemon.md). A MAP_SHARED mapping is passed
 * as the file behind it (/proc/self/map_files); private memory is moved
 * onto a sealed MAP_SHARED memfd holding the same bytes at the same
 * address. The pthread_atfork child handler gives a forked child private
 * copies of privately mapped re-backed ranges, as Linux's fork copies
 * pinned anonymous pages.
 */
#include "shim.h"

/*
 * memfds this process made to re-back memory. Kept open so that a range
 * mapped again (or through another /dev/iommu descriptor) is sent with the
 * same memfd: the same page must stay the same page for the daemon.
 */
struct shim_backing {
	int fd;
	ino_t ino;
	bool shared;	/* the original mapping was MAP_SHARED */
	bool seen;	/* scratch: still mapped (garbage collection) */
};

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_backing *shim_backings;	/* under shim_lock */
static size_t shim_nr_backings;

struct shim_vma {
	uint64_t start, end;	/* the part inside the range asked for */
	uint64_t vm_start, vm_end;	/* the whole mapping */
	uint64_t offset;	/* file offset of start */
	char perms[5];
	ino_t ino;
	bool memfd_ours;	/* maps one of shim_backings */
	bool special;		/* [vdso], [vvar], [vsyscall]: leave alone */
	bool stack;		/* the main thread's [stack] */
};

static struct shim_backing *shim_backing_by_ino(ino_t ino)
{
	size_t i;

	for (i = 0; i < shim_nr_backings; i++)
		if (shim_backings[i].ino == ino)
			return &shim_backings[i];
	return NULL;
}

/*
 * The mappings intersecting [s, e), clipped to it, in address order; also
 * marks which of our memfds are still mapped anywhere. Returns how many
 * (at most max), or -errno.
 */
static int shim_read_maps(uint64_t s, uint64_t e, struct shim_vma *out, int max)
{
	char line[4096];
	FILE *f;
	int n = 0;
	size_t i;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	for (i = 0; i < shim_nr_backings; i++)
		shim_backings[i].seen = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long vs, ve, off, ino;
		char perms[5] = "";
		unsigned int maj, min;
		struct shim_backing *b;
		const char *name;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &vs, &ve, perms,
			   &off, &maj, &min, &ino, &pos) < 7)
			continue;
		name = line + pos;
		b = NULL;
		if (ino && !strncmp(name, "/memfd:pcilab", 13)) {
			b = shim_backing_by_ino((ino_t)ino);
			if (b)
				b->seen = true;
		}
		if (ve <= s || vs >= e || n >= max)
			continue;
		out[n].start = vs > s ? vs : s;
		out[n].end = ve < e ? ve : e;
		out[n].vm_start = vs;
		out[n].vm_end = ve;
		out[n].offset = off + (out[n].start - vs);
		memcpy(out[n].perms, perms, sizeof(perms));
		out[n].ino = (ino_t)ino;
		out[n].memfd_ours = b != NULL;
		out[n].special = !strncmp(name, "[v", 2);
		out[n].stack = !strncmp(name, "[stack]", 7);
		n++;
	}
	fclose(f);
	return n;
}

static int shim_prot(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

/* Drop memfds no longer mapped: nothing can ask to pin them again. */
static void shim_backings_gc(void)
{
	size_t i = 0;

	while (i < shim_nr_backings) {
		if (shim_backings[i].seen) {
			i++;
			continue;
		}
		close(shim_backings[i].fd);
		shim_backings[i] = shim_backings[--shim_nr_backings];
	}
}

/* Replace [v->start, v->end) by a sealed memfd with the same bytes. */
static struct shim_backing *shim_reback_vma(const struct shim_vma *v)
{
	size_t len = v->end - v->start;
	struct shim_backing *nb;
	struct stat st;
	void *p;
	int fd;

	nb = realloc(shim_backings, (shim_nr_backings + 1) * sizeof(*nb));
	if (!nb)
		return NULL;
	shim_backings = nb;
	fd = memfd_create("pcilab", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)len) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) ||
	    fstat(fd, &st))
		goto err_close;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto err_close;
	memcpy(p, (void *)(uintptr_t)v->start, len);
	/* Atomically replaces the old pages at the same address. */
	if (mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)(uintptr_t)v->start) == MAP_FAILED) {
		munmap(p, len);
		goto err_close;
	}
	if (shim_prot(v->perms) != (PROT_READ | PROT_WRITE))
		mprotect((void *)(uintptr_t)v->start, len, shim_prot(v->perms));
	nb = &shim_backings[shim_nr_backings++];
	nb->fd = fd;
	nb->ino = st.st_ino;
	nb->shared = v->perms[3] == 's';
	nb->seen = true;
	return nb;

err_close:
	close(fd);
	return NULL;
}

/*
 * The file behind a MAP_SHARED mapping (shared anonymous memory is a shmem
 * file too), opened through /proc/self/map_files: passing it lets the
 * daemon map the very pages every process sharing them sees, where a
 * re-back would split the program from them. Linux lets a process open
 * these links only with CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: returns
 * -EPERM (or another -errno) when that fails, and the caller falls back
 * to re-backing. -ENODEV: not a regular file (a device mapping, which
 * Linux cannot pin either); it gets no backing.
 */
static int shim_open_shared(const struct shim_vma *v)
{
	char path[80];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx",
		 (unsigned long long)v->vm_start, (unsigned long long)v->vm_end);
	fd = real_open(path, (v->perms[1] == 'w' ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/*
 * Make [uaddr, uaddr + len) pinnable: describe it as file backings. A
 * MAP_SHARED part is described by the file it maps; a private part is
 * re-backed by one of our memfds unless it already is. Unreadable or
 * unmapped parts get no backing (the daemon then fails to pin them with
 * EFAULT, as Linux would). owned[i] says fds[i] is to be closed once the
 * request is sent.
 */
void shim_reback(uint64_t uaddr, uint64_t len, struct uapi_wire_back *backs,
		 int *fds, bool *owned, unsigned int *nr)
{
	struct shim_vma v[UAPI_WIRE_MAX_BACKS];
	/*
	 * Stack pages holding our own frames must not be re-backed: the
	 * frames below this one change between the copy and the mremap, and
	 * the mremap would roll them back. Everything above the page after
	 * this frame belongs to callers, which do not run meanwhile.
	 */
	uint64_t guard = ((uintptr_t)__builtin_frame_address(0) + 2 * SHIM_PAGE) &
			 ~(SHIM_PAGE - 1);
	uint64_t s, e;
	int n, i;

	if (!len || uaddr + len < uaddr)
		return;
	s = uaddr & ~(SHIM_PAGE - 1);
	e = (uaddr + len + SHIM_PAGE - 1) & ~(SHIM_PAGE - 1);
	if (e < s)
		return;
	pthread_mutex_lock(&shim_lock);
	n = shim_read_maps(s, e, v, (int)(UAPI_WIRE_MAX_BACKS - *nr));
	if (n >= 0)
		shim_backings_gc();
	for (i = 0; i < n; i++) {
		struct shim_backing *b = NULL;
		uint64_t off = 0;
		int fd = -1;

		if (v[i].stack && v[i].start < guard) {
			if (v[i].end <= guard)
				continue;
			v[i].offset += guard - v[i].start;
			v[i].start = guard;
		}
		if (v[i].memfd_ours) {
			b = shim_backing_by_ino(v[i].ino);
			off = v[i].offset;
		} else if (v[i].perms[0] == 'r' && !v[i].special) {
			if (v[i].perms[3] == 's') {
				fd = shim_open_shared(&v[i]);
				if (fd == -ENODEV)
					continue;
			}
			if (fd >= 0)
				off = v[i].offset;	/* the mapping's own file */
			else
				b = shim_reback_vma(&v[i]);	/* a new memfd, from 0 */
		}
		if (!b && fd < 0)
			continue;
		backs[*nr] = (struct uapi_wire_back){
			.uaddr = v[i].start,
			.len = v[i].end - v[i].start,
			.offset = off,
			.fd_index = *nr + 1,
			.flags = v[i].perms[1] == 'w' ? UAPI_WIRE_BACK_WRITABLE : 0,
		};
		fds[*nr] = fd >= 0 ? fd : b->fd;
		owned[*nr] = fd >= 0;
		(*nr)++;
	}
	pthread_mutex_unlock(&shim_lock);
}

void shim_atfork_prepare(void)
{
	pthread_mutex_lock(&shim_lock);
}

void shim_atfork_parent(void)
{
	pthread_mutex_unlock(&shim_lock);
}

/*
 * In a forked child, privately mapped memory the parent re-backed must not
 * stay shared with the parent (Linux copies pinned anonymous pages for the
 * child at fork): give the child private copies. Re-backed MAP_SHARED
 * memory stays shared, as it was before re-backing.
 */
void shim_atfork_child(void)
{
	struct shim_vma v[256];
	int n, i;
	size_t k;

	n = shim_read_maps(0, UINT64_MAX & ~(SHIM_PAGE - 1), v, 256);
	for (i = 0; i < n; i++) {
		struct shim_backing *b;
		size_t len = v[i].end - v[i].start;
		void *p;

		if (!v[i].memfd_ours)
			continue;
		b = shim_backing_by_ino(v[i].ino);
		if (!b || b->shared)
			continue;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		memcpy(p, (void *)(uintptr_t)v[i].start, len);
		if (mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)(uintptr_t)v[i].start) == MAP_FAILED) {
			munmap(p, len);
			continue;
		}
		mprotect((void *)(uintptr_t)v[i].start, len, shim_prot(v[i].perms));
	}
	for (k = 0; k < shim_nr_backings;) {
		if (shim_backings[k].shared) {
			k++;
			continue;
		}
		close(shim_backings[k].fd);
		shim_backings[k] = shim_backings[--shim_nr_backings];
	}
	pthread_mutex_unlock(&shim_lock);
}
