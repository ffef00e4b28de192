// SPDX-License-Identifier: MIT
#include "base/interval_tree.h"

void pl_itree_init(struct pl_itree *t)
{
	INIT_LIST_HEAD(&t->head);
}

bool pl_itree_empty(const struct pl_itree *t)
{
	return list_empty(&t->head);
}

void pl_itree_insert(struct pl_itree *t, struct pl_itree_node *n)
{
	struct pl_itree_node *pos;

	/* Keep the list sorted by start; insert before the first larger one. */
	list_for_each_entry(pos, &t->head, link) {
		if (pos->start > n->start) {
			list_add_tail(&n->link, &pos->link);
			return;
		}
	}
	list_add_tail(&n->link, &t->head);
}

void pl_itree_remove(struct pl_itree *t, struct pl_itree_node *n)
{
	(void)t;
	list_del(&n->link);
}

/* Move every node of src to the (reinitialised) dst. */
static void itree_move(struct list_head *dst, struct list_head *src)
{
	INIT_LIST_HEAD(dst);
	if (list_empty(src))
		return;
	dst->next = src->next;
	dst->prev = src->prev;
	dst->next->prev = dst;
	dst->prev->next = dst;
	INIT_LIST_HEAD(src);
}

void pl_itree_swap(struct pl_itree *a, struct pl_itree *b)
{
	struct pl_itree tmp;

	itree_move(&tmp.head, &a->head);
	itree_move(&a->head, &b->head);
	itree_move(&b->head, &tmp.head);
}

static struct pl_itree_node *itree_scan(struct pl_itree *t,
					struct list_head *from,
					uint64_t start, uint64_t last)
{
	struct list_head *p;

	for (p = from; p != &t->head; p = p->next) {
		struct pl_itree_node *n = list_entry(p, struct pl_itree_node, link);

		/* Sorted by start: nothing further can intersect. */
		if (n->start > last)
			return NULL;
		if (n->last >= start)
			return n;
	}
	return NULL;
}

struct pl_itree_node *pl_itree_iter_first(struct pl_itree *t, uint64_t start,
					  uint64_t last)
{
	return itree_scan(t, t->head.next, start, last);
}

struct pl_itree_node *pl_itree_iter_next(struct pl_itree *t,
					 struct pl_itree_node *n,
					 uint64_t start, uint64_t last)
{
	return itree_scan(t, n->link.next, start, last);
}

bool pl_itree_find_hole(struct pl_itree *const *trees, unsigned int ntrees,
			uint64_t from, uint64_t last,
			uint64_t *hole_start, uint64_t *hole_last)
{
	uint64_t cur = from, end = last;
	bool moved;
	unsigned int i;

	if (from > last)
		return false;
	/* Step cur past every node covering it until nothing covers it. */
	do {
		moved = false;
		for (i = 0; i < ntrees; i++) {
			struct pl_itree_node *n;

			list_for_each_entry(n, &trees[i]->head, link) {
				if (n->start > cur)
					break;
				if (n->last < cur)
					continue;
				if (n->last >= last)
					return false;
				cur = n->last + 1;
				moved = true;
			}
		}
	} while (moved);

	/* The hole ends just before the next node starting above cur. */
	for (i = 0; i < ntrees; i++) {
		struct pl_itree_node *n;

		list_for_each_entry(n, &trees[i]->head, link) {
			if (n->start > cur) {
				if (n->start - 1 < end)
					end = n->start - 1;
				break;
			}
		}
	}
	*hole_start = cur;
	*hole_last = end;
	return true;
}

bool pl_itree_find_used(struct pl_itree *t, uint64_t from, uint64_t last,
			uint64_t *used_start, uint64_t *used_last)
{
	struct pl_itree_node *n, *first = NULL;
	uint64_t s, e;

	for (n = pl_itree_iter_first(t, from, last); n;
	     n = pl_itree_iter_next(t, n, from, last)) {
		if (!first || n->start < first->start)
			first = n;
		break;	/* sorted: the first hit has the lowest start */
	}
	if (!first)
		return false;
	s = first->start < from ? from : first->start;
	e = first->last;
	/* Merge nodes that overlap or touch the span. */
	list_for_each_entry(n, &t->head, link) {
		if (e == UINT64_MAX)
			break;
		if (n->start > e + 1)
			break;
		if (n->last > e)
			e = n->last;
	}
	*used_start = s;
	*used_last = e > last ? last : e;
	return true;
}
