/* SPDX-License-Identifier: MIT */
/*
 * Interval sets over the 64-bit space: nodes [start, last] (inclusive) kept
 * in a list sorted by start. Nodes may overlap (reserved ranges do). Lookups
 * are linear in the number of nodes, which is fine for the tens to
 * thousands of ranges an IOAS holds; the API is shaped so a balanced tree
 * can replace the list without touching callers.
 */
#ifndef PCILAB_BASE_INTERVAL_TREE_H
#define PCILAB_BASE_INTERVAL_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include "base/list.h"

struct pl_itree_node {
	uint64_t start;
	uint64_t last;
	struct list_head link;	/* in pl_itree.head, sorted by start */
};

struct pl_itree {
	struct list_head head;
};

void pl_itree_init(struct pl_itree *t);
bool pl_itree_empty(const struct pl_itree *t);
/* Insert n (start/last already set). Never fails. */
void pl_itree_insert(struct pl_itree *t, struct pl_itree_node *n);
void pl_itree_remove(struct pl_itree *t, struct pl_itree_node *n);
/* Exchange the contents of two sets. */
void pl_itree_swap(struct pl_itree *a, struct pl_itree *b);

/* First node (lowest start) intersecting [start, last], or NULL. */
struct pl_itree_node *pl_itree_iter_first(struct pl_itree *t, uint64_t start,
					  uint64_t last);
/* Next node after n intersecting [start, last], or NULL. */
struct pl_itree_node *pl_itree_iter_next(struct pl_itree *t,
					 struct pl_itree_node *n,
					 uint64_t start, uint64_t last);

/*
 * Lowest hole (range covered by no node of any of the ntrees trees) that
 * lies inside [from, last]. Returns false when [from, last] is fully covered.
 */
bool pl_itree_find_hole(struct pl_itree *const *trees, unsigned int ntrees,
			uint64_t from, uint64_t last,
			uint64_t *hole_start, uint64_t *hole_last);
/*
 * Lowest used span (union of touching/overlapping nodes, clipped to
 * [from, last]) inside [from, last]. Returns false if there is none.
 */
bool pl_itree_find_used(struct pl_itree *t, uint64_t from, uint64_t last,
			uint64_t *used_start, uint64_t *used_last);

#endif /* PCILAB_BASE_INTERVAL_TREE_H */
