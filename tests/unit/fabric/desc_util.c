// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "desc_util.h"

static unsigned int td_line;

static void *td_alloc(size_t n)
{
	void *p = calloc(1, n);

	assert_non_null(p);
	return p;
}

static void td_loc(struct hw_desc_platform *p, struct hw_desc_loc *loc)
{
	loc->file = p ? p->file : TD_FILE;
	loc->line = ++td_line;
	loc->col = 1;
}

struct hw_desc_platform *td_platform(void)
{
	struct hw_desc_platform *p = td_alloc(sizeof(*p));

	td_line = 0;
	p->name = strdup("test");
	p->file = strdup(TD_FILE);
	assert_non_null(p->name);
	assert_non_null(p->file);
	p->ram_size = 1u << 20;
	INIT_LIST_HEAD(&p->host_bridges);
	return p;
}

struct hw_desc_host_bridge *td_host_bridge(struct hw_desc_platform *p, uint16_t seg,
					   uint8_t bus_start, uint8_t bus_end)
{
	struct hw_desc_host_bridge *h = td_alloc(sizeof(*h));

	td_loc(p, &h->loc);
	h->segment = seg;
	h->bus_start = bus_start;
	h->bus_end = bus_end;
	INIT_LIST_HEAD(&h->devices);
	list_add_tail(&h->node, &p->host_bridges);
	return h;
}

struct hw_desc_func *td_func(struct list_head *list, enum hw_desc_kind kind,
			     uint8_t dev, uint8_t fn, const char *name)
{
	struct hw_desc_func *f = td_alloc(sizeof(*f));

	td_loc(NULL, &f->loc);
	f->kind = kind;
	f->dev = dev;
	f->fn = fn;
	if (name) {
		f->name = strdup(name);
		assert_non_null(f->name);
	}
	if (kind == HW_DESC_ENDPOINT) {
		f->vendor = TD_VENDOR;
		f->device = TD_DEVICE;
		f->class_code = 0x010802;	/* NVMe */
	}
	INIT_LIST_HEAD(&f->children);
	list_add_tail(&f->node, list);
	return f;
}

struct hw_desc_cap *td_cap(struct hw_desc_func *f, enum hw_desc_cap_kind kind)
{
	struct hw_desc_cap *c;

	c = realloc(f->caps, (f->nr_caps + 1) * sizeof(*c));
	assert_non_null(c);
	f->caps = c;
	c = &f->caps[f->nr_caps++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	td_loc(NULL, &c->loc);
	return c;
}

struct hw_desc_func *td_dmatest(struct list_head *list, uint8_t dev, uint8_t fn,
				const char *name)
{
	struct hw_desc_func *f = td_func(list, HW_DESC_ENDPOINT, dev, fn, name);

	/* IDs and class left 0: the model's defaults apply. */
	f->vendor = f->device = 0;
	f->class_code = 0;
	f->model = HW_DESC_MODEL_DMA_TEST;
	return f;
}

void td_bar(struct hw_desc_func *f, int idx, enum hw_bar_kind kind, bool pref,
	    uint64_t size)
{
	f->bars[idx].kind = kind;
	f->bars[idx].prefetchable = pref;
	f->bars[idx].size = size;
	td_loc(NULL, &f->bars[idx].loc);
}

static void td_free_funcs(struct list_head *list)
{
	struct hw_desc_func *f, *n;

	list_for_each_entry_safe(f, n, list, node) {
		td_free_funcs(&f->children);
		list_del(&f->node);
		free(f->name);
		free(f->caps);
		free(f->raw_cfg);
		free(f);
	}
}

void td_free(struct hw_desc_platform *p)
{
	struct hw_desc_host_bridge *h, *n;

	list_for_each_entry_safe(h, n, &p->host_bridges, node) {
		td_free_funcs(&h->devices);
		list_del(&h->node);
		free(h);
	}
	free(p->name);
	free(p->file);
	free(p);
}
