/* SPDX-License-Identifier: MIT */
/*
 * Canonical dumps of an iommufd context for test_fail_sweep.c: objects and
 * their references, IOAS areas, reserved and allowed ranges, domains and
 * what they map, pinned pages, locked-memory accounting, accesses, fault
 * queues. No pointers (pages are named by first appearance, addresses as
 * offsets into sweep_buf), so dumps compare across runs.
 */
#ifndef PCILAB_TESTS_IOMMUFD_FAIL_SWEEP_DUMP_H
#define PCILAB_TESTS_IOMMUFD_FAIL_SWEEP_DUMP_H

#include "iommufd_util.h"

#define PAGE ((uint64_t)IOMMUFD_PAGE_SIZE)
#define MOCK_PAGE (PAGE / 2)
/* Past IOPT_PIN_CHUNK pages, so pins span two chunks. */
#define NPAGES 1100

/* The caller's memory the sweeps map and pin (test_fail_sweep.c). */
extern uint8_t sweep_buf[NPAGES * IOMMUFD_PAGE_SIZE];

struct dump {
	char *buf;
	size_t len, cap;
	struct iopt_pages *pages[64];	/* named pages#i by first appearance */
	unsigned int nr_pages;
};

void dump_ctx(struct dump *d, struct iommufd_ctx *ictx);
void dump_free(struct dump *d);
/* Fail with both dumps when they differ. */
void dump_expect_equal(const struct dump *want, const struct dump *got,
		       const char *what);

#endif /* PCILAB_TESTS_IOMMUFD_FAIL_SWEEP_DUMP_H */
