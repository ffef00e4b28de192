// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "kdesc.h"

static unsigned int kd_line;

static void *kd_alloc(size_t n)
{
	void *p = calloc(1, n);

	assert_non_null(p);
	return p;
}

static void kd_loc(struct hw_desc_loc *loc)
{
	loc->file = "kdesc";
	loc->line = ++kd_line;
	loc->col = 1;
}

struct hw_desc_platform *kd_platform(void)
{
	struct hw_desc_platform *p = kd_alloc(sizeof(*p));

	kd_line = 0;
	p->name = strdup("kernel-test");
	p->file = strdup("kdesc");
	assert_non_null(p->name);
	assert_non_null(p->file);
	p->ram_size = 1u << 20;
	INIT_LIST_HEAD(&p->host_bridges);
	return p;
}

struct hw_desc_host_bridge *kd_host_bridge(struct hw_desc_platform *p, uint8_t bus_start,
					   uint8_t bus_end, uint64_t mmio, uint64_t mmio_size,
					   uint64_t pref, uint64_t pref_size, uint64_t io,
					   uint64_t io_size)
{
	struct hw_desc_host_bridge *h = kd_alloc(sizeof(*h));

	kd_loc(&h->loc);
	h->bus_start = bus_start;
	h->bus_end = bus_end;
	h->mmio = (struct hw_desc_range){ mmio, mmio_size };
	h->mmio_pref = (struct hw_desc_range){ pref, pref_size };
	h->io = (struct hw_desc_range){ io, io_size };
	INIT_LIST_HEAD(&h->devices);
	list_add_tail(&h->node, &p->host_bridges);
	return h;
}

struct hw_desc_func *kd_func(struct list_head *list, enum hw_desc_kind kind,
			     uint8_t dev, uint8_t fn)
{
	struct hw_desc_func *f = kd_alloc(sizeof(*f));

	kd_loc(&f->loc);
	f->kind = kind;
	f->dev = dev;
	f->fn = fn;
	if (kind == HW_DESC_ENDPOINT) {
		f->vendor = KD_VENDOR;
		f->device = (uint16_t)(KD_DEVICE + dev);
		f->class_code = 0x020000;	/* Ethernet controller */
	}
	INIT_LIST_HEAD(&f->children);
	list_add_tail(&f->node, list);
	return f;
}

struct hw_desc_cap *kd_cap(struct hw_desc_func *f, enum hw_desc_cap_kind kind)
{
	struct hw_desc_cap *c;

	c = realloc(f->caps, (f->nr_caps + 1) * sizeof(*c));
	assert_non_null(c);
	f->caps = c;
	c = &f->caps[f->nr_caps++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	kd_loc(&c->loc);
	return c;
}

void kd_bar(struct hw_desc_func *f, int idx, enum hw_bar_kind kind, bool pref,
	    uint64_t size)
{
	f->bars[idx].kind = kind;
	f->bars[idx].prefetchable = pref;
	f->bars[idx].size = size;
	kd_loc(&f->bars[idx].loc);
}

static void kd_free_funcs(struct list_head *list)
{
	struct hw_desc_func *f, *tmp;

	list_for_each_entry_safe(f, tmp, list, node) {
		list_del(&f->node);
		kd_free_funcs(&f->children);
		free(f->name);
		free(f->caps);
		free(f->raw_cfg);
		free(f);
	}
}

void kd_free(struct hw_desc_platform *p)
{
	struct hw_desc_host_bridge *h, *tmp;

	list_for_each_entry_safe(h, tmp, &p->host_bridges, node) {
		list_del(&h->node);
		kd_free_funcs(&h->devices);
		free(h);
	}
	free(p->name);
	free(p->file);
	free(p);
}
