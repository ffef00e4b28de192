// SPDX-License-Identifier: MIT
/*
 * The client memory model of the daemon; see usermem.h and docs/daemon.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/compiler.h"
#include "base/fault.h"
#include "base/log.h"
#include "uapi/usermem.h"

/*
 * One memfd, mapped once for the whole daemon whatever number of ranges
 * and connections use it, so that a page has one identity (kva) everywhere.
 */
struct uapi_backing {
	struct uapi_backing *next;
	dev_t dev;
	ino_t ino;
	uint8_t *map;
	size_t size;
	unsigned int refs;	/* ranges using it */
};

static struct uapi_backing *uapi_backings;

struct uapi_range {
	struct uapi_range *next;
	uint64_t uaddr, len;
	struct uapi_backing *b;	/* holds one ref */
	uint64_t offset;	/* of uaddr within b */
	bool writable;
	uint64_t pins;		/* pin_page calls not yet unpinned */
};

/* One client process, as seen through one connection. */
struct uapi_mm {
	struct uapi_mm *next;
	struct uapi_usermem *mem;	/* the connection (current request) */
	pid_t pid;
	int pidfd;			/* -1: unknown, never considered gone */
	bool exited;			/* already gone when first seen */
	struct uapi_range *ranges;	/* newest first */
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

	if (!r || (write && !r->writable) || mm_gone(mm))
		return NULL;
	*avail = (size_t)(r->len - (uaddr - r->uaddr));
	return r->b->map + r->offset + (uaddr - r->uaddr);
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

	if (!r || mm_gone(mm))
		return -EFAULT;
	if (write && !r->writable)
		return -EPERM;
	if (uaddr % IOMMUFD_PAGE_SIZE || r->len - (uaddr - r->uaddr) < IOMMUFD_PAGE_SIZE)
		return -EFAULT;
	*kva = r->b->map + r->offset + (uaddr - r->uaddr);
	r->pins++;
	return 0;
}

static void um_unpin_page(const struct iommufd_user_mem_ops *um, uint64_t uaddr,
			  void *kva)
{
	struct uapi_mm *mm = um_to_mm(um);
	struct uapi_range *r;

	/* The range that handed out kva: newer ones may cover uaddr since. */
	for (r = mm->ranges; r; r = r->next) {
		uint8_t *base = r->b->map + r->offset;

		if ((uint8_t *)kva >= base && (uint8_t *)kva < base + r->len &&
		    uaddr - r->uaddr == (uint64_t)((uint8_t *)kva - base) && r->pins) {
			r->pins--;
			return;
		}
	}
	pl_warn("uapi: unpin of a page that was not pinned (uaddr 0x%llx)",
		(unsigned long long)uaddr);
}

void uapi_usermem_init(struct uapi_usermem *mem)
{
	memset(mem, 0, sizeof(*mem));
}

static void backing_put(struct uapi_backing *b)
{
	struct uapi_backing **pp;

	if (--b->refs)
		return;
	for (pp = &uapi_backings; *pp != b; pp = &(*pp)->next)
		;
	*pp = b->next;
	munmap(b->map, b->size);
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
			if (r->pins)
				pl_warn("uapi: releasing a range with %llu pinned pages",
					(unsigned long long)r->pins);
			range_free(r);
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

/* The daemon's mapping of memfd fd, shared by every range that uses it. */
static struct uapi_backing *backing_get(int fd, const struct stat *st)
{
	struct uapi_backing *b;
	void *map;

	for (b = uapi_backings; b; b = b->next) {
		if (b->dev == st->st_dev && b->ino == st->st_ino) {
			b->refs++;
			return b;
		}
	}
	b = pl_zalloc(sizeof(*b));
	if (!b)
		return NULL;
	map = mmap(NULL, (size_t)st->st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		free(b);
		return NULL;
	}
	b->dev = st->st_dev;
	b->ino = st->st_ino;
	b->map = map;
	b->size = (size_t)st->st_size;
	b->refs = 1;
	b->next = uapi_backings;
	uapi_backings = b;
	return b;
}

int uapi_mm_add_back(struct uapi_mm *mm, const struct uapi_wire_back *wb, int fd)
{
	struct uapi_range *r, **pp;
	struct stat st;
	int seals;

	/*
	 * The memfd must be a regular file sealed against resizing: a client
	 * truncating it under our mapping would otherwise SIGBUS the daemon,
	 * and growing it would outrun the one mapping we keep of it.
	 */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EBADF;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) !=
	    (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		return -EPERM;
	if (st.st_size <= 0 || wb->offset > (uint64_t)st.st_size ||
	    wb->len > (uint64_t)st.st_size - wb->offset)
		return -EINVAL;
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		return -EBADF;

	r = pl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->b = backing_get(fd, &st);
	if (!r->b) {
		free(r);
		return -ENOMEM;
	}
	r->uaddr = wb->uaddr;
	r->len = wb->len;
	r->offset = wb->offset;
	r->writable = wb->flags & UAPI_WIRE_BACK_WRITABLE;

	/* Ranges this one fully hides and that nothing pins are dead. */
	for (pp = &mm->ranges; *pp;) {
		struct uapi_range *old = *pp;

		if (!old->pins && old->uaddr >= r->uaddr &&
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
	const struct uapi_range *r;
	const struct uapi_mm *mm;
	uint64_t n = 0;

	for (mm = mem->mms; mm; mm = mm->next)
		for (r = mm->ranges; r; r = r->next)
			n += r->pins;
	return n;
}
