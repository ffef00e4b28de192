// SPDX-License-Identifier: MIT
/*
 * The client memory model of the daemon; see usermem.h and docs/daemon.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/compiler.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/log.h"
#include "uapi/usermem.h"

/*
 * One file, mapped once for the whole daemon whatever number of ranges
 * and connections use it, so that a page has one identity (kva) everywhere.
 *
 * Two kinds of file arrive (docs/daemon.md, "Pins"): the shim's memfds,
 * sealed against shrinking and growing, and the files behind a client's
 * MAP_SHARED mappings (shared anonymous memory, tmpfs or disk files,
 * hugetlbfs), which anyone may truncate. For the second kind the daemon
 * keeps the descriptor to check the size at pin time, and a SIGBUS guard
 * (below) replaces a page truncated under the daemon's mapping by a
 * private zero page instead of letting the access kill the daemon: like
 * a pinned page in Linux, the daemon's page outlives the file's.
 */
struct uapi_backing {
	struct uapi_backing *next;
	dev_t dev;
	ino_t ino;
	uint8_t *map;
	size_t size;
	unsigned int refs;	/* ranges using it */
	int fd;			/* unsealed files only, else -1 */
	bool writable;		/* mapped PROT_WRITE */
	size_t pgsize;		/* the file's page size (hugetlbfs: huge) */
	volatile sig_atomic_t lost;	/* pages the guard replaced */
};

static struct uapi_backing *uapi_backings;
static unsigned int uapi_unsealed;	/* backings with fd >= 0 */
static struct sigaction uapi_guard_old;

struct uapi_range {
	struct uapi_range *next;
	uint64_t uaddr, len;
	struct uapi_backing *b;	/* holds one ref */
	uint64_t offset;	/* of uaddr within b */
	bool writable;
};

/*
 * The pages one process has pinned in one backing. Pins are counted per
 * backing, not per range: overlapping ranges (the same buffer mapped again
 * and again) name the same pages, and an unpin names only the page (kva),
 * which lies in exactly one backing mapping. The entry holds a reference
 * on the backing, so a pinned page stays mapped whatever becomes of the
 * ranges that led to it.
 */
struct uapi_pinned {
	struct uapi_pinned *next;
	struct uapi_backing *b;		/* holds one ref */
	uint64_t pins;			/* pin_page calls not yet unpinned */
};

/* One client process, as seen through one connection. */
struct uapi_mm {
	struct uapi_mm *next;
	struct uapi_usermem *mem;	/* the connection (current request) */
	pid_t pid;
	int pidfd;			/* -1: unknown, never considered gone */
	bool exited;			/* already gone when first seen */
	struct uapi_range *ranges;	/* newest first */
	struct uapi_pinned *pinned;
	struct iommufd_user_mem_ops um;	/* .priv = this */
};

static struct uapi_usermem *um_to_mem(const struct iommufd_user_mem_ops *um)
{
	return ((struct uapi_mm *)um->priv)->mem;
}

static struct uapi_mm *um_to_mm(const struct iommufd_user_mem_ops *um)
{
	return um->priv;
}

/* The segment of the current request holding uaddr, or -1. */
static int seg_find(struct uapi_usermem *mem, uint64_t uaddr,
		    struct uapi_wire_seg *seg, uint8_t **data)
{
	unsigned int i;

	if (!mem->req)
		return -1;
	for (i = 0; i < mem->req->nr_segs; i++) {
		const uint8_t *d;

		uapi_wire_seg_get(mem->req, i, seg, &d);
		if (uaddr >= seg->uaddr && uaddr - seg->uaddr < seg->len) {
			*data = mem->req_buf + (d - mem->req->buf);
			return (int)i;
		}
	}
	return -1;
}

static bool mm_gone(const struct uapi_mm *mm);
static struct uapi_range *range_find(struct uapi_mm *mm, uint64_t uaddr);
static void backing_put(struct uapi_backing *b);

/*
 * How much of [0, want) of b is still inside the file: all of it for a
 * sealed memfd, up to the current size for a file anyone may truncate.
 */
/* A file's bytes as pages: the last partial page is mapped whole. */
static uint64_t file_span(off_t size)
{
	return ((uint64_t)size + IOMMUFD_PAGE_SIZE - 1) & ~(IOMMUFD_PAGE_SIZE - 1);
}

static uint64_t backing_end(const struct uapi_backing *b, uint64_t want)
{
	struct stat st;

	if (b->fd < 0)
		return want;
	if (fstat(b->fd, &st))
		return 0;
	return MIN(want, file_span(st.st_size));
}

/*
 * Outside the request's segments, a user copy may still reach memory the
 * process made pinnable: the daemon's mapping of it is the process's own
 * memory (MAP_SHARED), as a plain copy in the owner's address space is in
 * Linux (iommufd's access_rw fast path). *avail: bytes from uaddr on.
 */
static uint8_t *range_ptr(struct uapi_mm *mm, uint64_t uaddr, bool write,
			  size_t *avail)
{
	struct uapi_range *r = range_find(mm, uaddr);
	uint64_t off, end;

	if (!r || (write && !r->writable) || mm_gone(mm))
		return NULL;
	off = r->offset + (uaddr - r->uaddr);
	end = backing_end(r->b, r->offset + r->len);
	if (off >= end)
		return NULL;	/* truncated: the process would fault too */
	*avail = (size_t)(end - off);
	return r->b->map + off;
}

static int um_copy_from_user(const struct iommufd_user_mem_ops *um, void *dst,
			     uint64_t uaddr, size_t len)
{
	struct uapi_usermem *mem = um_to_mem(um);
	uint8_t *out = dst;

	if (uaddr + len < uaddr)
		return -EFAULT;
	while (len) {
		struct uapi_wire_seg seg;
		uint8_t *data = NULL;
		size_t n;

		if (seg_find(mem, uaddr, &seg, &data) < 0) {
			size_t avail = 0;
			uint8_t *p = range_ptr(um_to_mm(um), uaddr, false, &avail);

			if (!p)
				return -EFAULT;
			n = MIN(len, avail);
			memcpy(out, p, n);
		} else {
			n = MIN(len, seg.uaddr + seg.len - uaddr);
			memcpy(out, data + (uaddr - seg.uaddr), n);
		}
		out += n;
		uaddr += n;
		len -= n;
	}
	return 0;
}

static int um_copy_to_user(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			   const void *src, size_t len)
{
	struct uapi_usermem *mem = um_to_mem(um);
	const uint8_t *in = src;
	uint64_t a = uaddr;
	size_t left = len;

	if (uaddr + len < uaddr)
		return -EFAULT;
	/* Check the whole destination first: a fault writes nothing. */
	while (left) {
		struct uapi_wire_seg seg;
		uint8_t *data = NULL;
		size_t n;

		if (seg_find(mem, a, &seg, &data) < 0) {
			size_t avail = 0;

			if (!range_ptr(um_to_mm(um), a, true, &avail))
				return -EFAULT;
			n = MIN(left, avail);
		} else {
			n = MIN(left, seg.uaddr + seg.len - a);
		}
		a += n;
		left -= n;
	}
	while (len) {
		struct uapi_wire_seg seg;
		uint8_t *data = NULL;
		uint32_t lo, hi;
		size_t n;
		int i;

		i = seg_find(mem, uaddr, &seg, &data);
		if (i < 0) {
			size_t avail = 0;
			uint8_t *p = range_ptr(um_to_mm(um), uaddr, true, &avail);

			n = MIN(len, avail);
			memcpy(p, in, n);
			in += n;
			uaddr += n;
			len -= n;
			continue;
		}
		n = MIN(len, seg.uaddr + seg.len - uaddr);
		lo = (uint32_t)(uaddr - seg.uaddr);
		hi = lo + (uint32_t)n;
		memcpy(data + lo, in, n);
		if (mem->dirty_hi[i] == mem->dirty_lo[i]) {
			mem->dirty_lo[i] = lo;
			mem->dirty_hi[i] = hi;
		} else {
			mem->dirty_lo[i] = MIN(mem->dirty_lo[i], lo);
			mem->dirty_hi[i] = MAX(mem->dirty_hi[i], hi);
		}
		in += n;
		uaddr += n;
		len -= n;
	}
	return 0;
}

static bool mm_gone(const struct uapi_mm *mm)
{
	struct pollfd p = { .fd = mm->pidfd, .events = POLLIN };

	/* A pidfd polls readable once its process has exited. */
	return mm->exited || (mm->pidfd >= 0 && poll(&p, 1, 0) == 1);
}

static struct uapi_range *range_find(struct uapi_mm *mm, uint64_t uaddr)
{
	struct uapi_range *r;

	for (r = mm->ranges; r; r = r->next)
		if (uaddr >= r->uaddr && uaddr - r->uaddr < r->len)
			return r;
	return NULL;
}

static int um_pin_page(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
		       bool write, void **kva)
{
	struct uapi_mm *mm = um_to_mm(um);
	struct uapi_range *r = range_find(mm, uaddr);
	struct uapi_pinned *p;

	if (!r || mm_gone(mm))
		return -EFAULT;
	if (write && !r->writable)
		return -EPERM;
	if (uaddr % IOMMUFD_PAGE_SIZE || r->len - (uaddr - r->uaddr) < IOMMUFD_PAGE_SIZE)
		return -EFAULT;
	/* A page past the end of a truncated file: the process would fault. */
	if (backing_end(r->b, r->offset + (uaddr - r->uaddr) + IOMMUFD_PAGE_SIZE) <
	    r->offset + (uaddr - r->uaddr) + IOMMUFD_PAGE_SIZE)
		return -EFAULT;
	for (p = mm->pinned; p && p->b != r->b; p = p->next)
		;
	if (!p) {
		/*
		 * Daemon bookkeeping, not a failure point of Linux's pin: plain
		 * calloc, out of reach of fault injection.
		 */
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->b = r->b;
		r->b->refs++;	/* the entry's reference */
		p->next = mm->pinned;
		mm->pinned = p;
	}
	p->pins++;
	*kva = r->b->map + r->offset + (uaddr - r->uaddr);
	return 0;
}

static bool um_mm_alive(const struct iommufd_user_mem_ops *um)
{
	return !mm_gone(um_to_mm(um));
}

static void um_unpin_page(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			  void *kva)
{
	struct uapi_mm *mm = um_to_mm(um);
	struct uapi_pinned **pp;

	/* The backing whose mapping holds kva. */
	for (pp = &mm->pinned; *pp; pp = &(*pp)->next) {
		struct uapi_pinned *p = *pp;

		if ((uint8_t *)kva < p->b->map || (uint8_t *)kva >= p->b->map + p->b->size)
			continue;
		if (--p->pins)
			return;
		*pp = p->next;
		backing_put(p->b);
		free(p);
		return;
	}
	pl_warn("uapi: unpin of a page that was not pinned (uaddr 0x%llx)",
		(unsigned long long)uaddr);
}

void uapi_usermem_init(struct uapi_usermem *mem)
{
	memset(mem, 0, sizeof(*mem));
}

/*
 * The SIGBUS guard. A file someone truncated faults (SIGBUS) where the
 * daemon's mapping of it reaches past the new end. The handler gives the
 * page a private zero page instead and returns, so the access completes;
 * a SIGBUS anywhere else goes to whatever handled it before. Installed
 * while an unsealed file is mapped. Async-signal-safe: it only walks the
 * backing list (never changed by a signal) and calls mmap/sigaction.
 */
static void uapi_guard(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	struct uapi_backing *b;

	for (b = uapi_backings; b; b = b->next) {
		uintptr_t page;

		if (b->fd < 0 || a < (uintptr_t)b->map ||
		    a - (uintptr_t)b->map >= b->size)
			continue;
		page = a & ~(uintptr_t)(b->pgsize - 1);
		if (mmap((void *)page, b->pgsize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			b->lost++;
			return;
		}
		break;
	}
	if (uapi_guard_old.sa_flags & SA_SIGINFO) {
		uapi_guard_old.sa_sigaction(sig, si, uc);
	} else if (uapi_guard_old.sa_handler != SIG_DFL &&
		   uapi_guard_old.sa_handler != SIG_IGN) {
		uapi_guard_old.sa_handler(sig);
	} else {
		/* Returning re-runs the access, which now kills as it would have. */
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		sigaction(SIGBUS, &dfl, NULL);
	}
}

static int uapi_guard_get(void)
{
	struct sigaction sa = { .sa_sigaction = uapi_guard, .sa_flags = SA_SIGINFO };

	if (uapi_unsealed++)
		return 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &uapi_guard_old)) {
		uapi_unsealed--;
		return -errno;
	}
	return 0;
}

static void uapi_guard_put(void)
{
	struct sigaction cur;

	if (--uapi_unsealed)
		return;
	/* Put back what was there, unless someone replaced us meanwhile. */
	if (!sigaction(SIGBUS, NULL, &cur) && (cur.sa_flags & SA_SIGINFO) &&
	    cur.sa_sigaction == uapi_guard)
		sigaction(SIGBUS, &uapi_guard_old, NULL);
}

static void backing_put(struct uapi_backing *b)
{
	struct uapi_backing **pp;

	if (--b->refs)
		return;
	for (pp = &uapi_backings; *pp != b; pp = &(*pp)->next)
		;
	*pp = b->next;
	if (b->lost)
		pl_warn("uapi: %d page(s) of a shared file were truncated while the daemon held them",
			(int)b->lost);
	munmap(b->map, b->size);
	if (b->fd >= 0) {
		close(b->fd);
		uapi_guard_put();
	}
	free(b);
}

static void range_free(struct uapi_range *r)
{
	backing_put(r->b);
	free(r);
}

void uapi_usermem_release(struct uapi_usermem *mem)
{
	struct uapi_mm *mm, *next_mm;

	for (mm = mem->mms; mm; mm = next_mm) {
		struct uapi_range *r, *next;

		next_mm = mm->next;
		for (r = mm->ranges; r; r = next) {
			next = r->next;
			range_free(r);
		}
		while (mm->pinned) {
			struct uapi_pinned *p = mm->pinned;

			pl_warn("uapi: releasing %llu pinned pages of a process",
				(unsigned long long)p->pins);
			mm->pinned = p->next;
			backing_put(p->b);
			free(p);
		}
		if (mm->pidfd >= 0)
			close(mm->pidfd);
		free(mm);
	}
	mem->mms = NULL;
}

struct uapi_mm *uapi_usermem_mm(struct uapi_usermem *mem, pid_t pid)
{
	struct uapi_mm *mm, **pp;

	for (mm = mem->mms; mm; mm = mm->next)
		if (mm->pid == pid && !mm_gone(mm))
			return mm;
	mm = pl_zalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->mem = mem;
	mm->pid = pid;
	mm->pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (mm->pidfd < 0) {
		/* ESRCH: it exited (and was reaped) before we looked. */
		mm->exited = pid > 0 && errno == ESRCH;
		mm->pidfd = -1;
	}
	mm->um.copy_from_user = um_copy_from_user;
	mm->um.copy_to_user = um_copy_to_user;
	mm->um.pin_page = um_pin_page;
	mm->um.unpin_page = um_unpin_page;
	mm->um.mm_alive = um_mm_alive;
	mm->um.priv = mm;
	/* Kept until the connection ends: iommufd pages may still point here. */
	for (pp = &mem->mms; *pp; pp = &(*pp)->next)
		;
	*pp = mm;
	return mm;
}

const struct iommufd_user_mem_ops *uapi_mm_ops(struct uapi_mm *mm)
{
	return &mm->um;
}

/*
 * Give b a PROT_WRITE mapping of the same file at the same address: map it
 * elsewhere, then move it over the old one in one step (mremap), so that
 * no pointer into b ever sees a hole.
 */
static int backing_make_writable(struct uapi_backing *b, int fd)
{
	void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	if (mremap(p, b->size, b->size, MREMAP_MAYMOVE | MREMAP_FIXED, b->map) ==
	    MAP_FAILED) {
		int rc = -errno;

		munmap(p, b->size);
		return rc;
	}
	b->writable = true;
	return 0;
}

/*
 * The daemon's mapping of file fd (opened with mode), shared by every range
 * that uses it. need: bytes of the file the new range reaches; an unsealed
 * file may have grown since it was first mapped.
 */
static struct uapi_backing *backing_get(int fd, const struct stat *st,
					bool sealed, bool write, uint64_t need)
{
	struct uapi_backing *b;
	struct statfs sfs;
	void *map;

	for (b = uapi_backings; b; b = b->next) {
		if (b->dev != st->st_dev || b->ino != st->st_ino)
			continue;
		if (need > b->size) {
			/* Grow in place only: pointers into b must not move. */
			map = mremap(b->map, b->size, (size_t)need, 0);
			if (map == MAP_FAILED)
				return ERR_PTR(-ENOMEM);
			b->size = (size_t)need;
		}
		if (write && !b->writable) {
			int rc = backing_make_writable(b, fd);

			if (rc)
				return ERR_PTR(rc);
		}
		b->refs++;
		return b;
	}
	b = pl_zalloc(sizeof(*b));
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->fd = -1;
	b->pgsize = IOMMUFD_PAGE_SIZE;
	if (!sealed) {
		/* hugetlbfs pages can only be replaced whole (st_blksize). */
		if (!fstatfs(fd, &sfs) && sfs.f_type == 0x958458f6 /* HUGETLBFS_MAGIC */ &&
		    st->st_blksize > 0 && !(st->st_blksize & (st->st_blksize - 1)))
			b->pgsize = (size_t)st->st_blksize;
		b->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (b->fd < 0)
			goto err_free;
		if (uapi_guard_get())
			goto err_close;
	}
	b->writable = write || (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	map = mmap(NULL, (size_t)file_span(st->st_size),
		   PROT_READ | (b->writable ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto err_guard;
	b->dev = st->st_dev;
	b->ino = st->st_ino;
	b->map = map;
	b->size = (size_t)file_span(st->st_size);
	b->refs = 1;
	b->next = uapi_backings;	/* published: nothing can fail any more */
	uapi_backings = b;
	return b;

err_guard:
	if (b->fd >= 0)
		uapi_guard_put();
err_close:
	if (b->fd >= 0)
		close(b->fd);
err_free:
	free(b);
	return ERR_PTR(-ENOMEM);
}

int uapi_mm_add_back(struct uapi_mm *mm, const struct uapi_wire_back *wb, int fd)
{
	bool write = wb->flags & UAPI_WIRE_BACK_WRITABLE;
	struct uapi_range *r, **pp;
	struct uapi_backing *b;
	bool sealed;
	struct stat st;
	int seals, mode;

	/*
	 * A regular file (never a device: Linux cannot pin VM_IO/VM_PFNMAP
	 * memory either), readable, and writable if the range is. The shim's
	 * memfds are sealed against resizing; a client's shared file is not,
	 * and is checked against its current size at each pin instead.
	 */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EBADF;
	mode = fcntl(fd, F_GETFL) & O_ACCMODE;
	if (mode == O_WRONLY || (write && mode != O_RDWR))
		return -EBADF;
	seals = fcntl(fd, F_GET_SEALS);
	sealed = seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) ==
			       (F_SEAL_SHRINK | F_SEAL_GROW);
	if (st.st_size <= 0 || wb->offset > file_span(st.st_size) ||
	    wb->len > file_span(st.st_size) - wb->offset)
		return -EINVAL;

	r = pl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	b = backing_get(fd, &st, sealed, write, wb->offset + wb->len);
	if (IS_ERR(b)) {
		free(r);
		return (int)PTR_ERR(b);
	}
	r->b = b;
	r->uaddr = wb->uaddr;
	r->len = wb->len;
	r->offset = wb->offset;
	r->writable = write;

	/*
	 * Ranges this one fully hides are dead: no address finds them any
	 * more, and pins hold their backings themselves.
	 */
	for (pp = &mm->ranges; *pp;) {
		struct uapi_range *old = *pp;

		if (old->uaddr >= r->uaddr &&
		    old->uaddr + old->len <= r->uaddr + r->len) {
			*pp = old->next;
			range_free(old);
			continue;
		}
		pp = &old->next;
	}
	r->next = mm->ranges;	/* published: nothing can fail any more */
	mm->ranges = r;
	return 0;
}

void uapi_usermem_begin(struct uapi_usermem *mem, struct uapi_wire_msg *req,
			uint8_t *buf)
{
	mem->req = req;
	mem->req_buf = buf;
	memset(mem->dirty_lo, 0, sizeof(mem->dirty_lo));
	memset(mem->dirty_hi, 0, sizeof(mem->dirty_hi));
}

void uapi_usermem_end(struct uapi_usermem *mem)
{
	mem->req = NULL;
	mem->req_buf = NULL;
}

uint64_t uapi_usermem_pins(const struct uapi_usermem *mem)
{
	const struct uapi_pinned *p;
	const struct uapi_mm *mm;
	uint64_t n = 0;

	for (mm = mem->mms; mm; mm = mm->next)
		for (p = mm->pinned; p; p = p->next)
			n += p->pins;
	return n;
}
