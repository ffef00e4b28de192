// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "test.h"
#include "platform/platform_util.h"

static struct hw_desc_func *pt_find_in(const struct list_head *list, const char *name)
{
	struct hw_desc_func *f, *r;

	list_for_each_entry(f, list, node) {
		if (f->name && strcmp(f->name, name) == 0)
			return f;
		r = pt_find_in(&f->children, name);
		if (r)
			return r;
	}
	return NULL;
}

struct hw_desc_func *pt_find(const struct hw_desc_platform *p, const char *name)
{
	struct hw_desc_host_bridge *h;
	struct hw_desc_func *f;

	list_for_each_entry(h, &p->host_bridges, node) {
		f = pt_find_in(&h->devices, name);
		if (f)
			return f;
	}
	return NULL;
}

unsigned int pt_nr_children(const struct list_head *list)
{
	const struct hw_desc_func *f;
	unsigned int n = 0;

	list_for_each_entry(f, list, node)
		n++;
	return n;
}

struct hw_desc_func *pt_child(const struct hw_desc_func *f, unsigned int index)
{
	struct hw_desc_func *c;

	list_for_each_entry(c, &f->children, node)
		if (index-- == 0)
			return c;
	fail_msg("%s has no child %u", f->name ? f->name : "?", index);
	return NULL;
}

const struct hw_desc_cap *pt_cap(const struct hw_desc_func *f, enum hw_desc_cap_kind k)
{
	unsigned int i;

	for (i = 0; i < f->nr_caps; i++)
		if (f->caps[i].kind == k)
			return &f->caps[i];
	return NULL;
}

unsigned int pt_nr_caps_of(const struct hw_desc_func *f, enum hw_desc_cap_kind k)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nr_caps; i++)
		n += f->caps[i].kind == k;
	return n;
}

static unsigned int pt_count(const struct list_head *list, unsigned int *kinds)
{
	const struct hw_desc_func *f;
	unsigned int n = 0, i;

	list_for_each_entry(f, list, node) {
		n += 1 + pt_count(&f->children, kinds);
		for (i = 0; i < f->nr_caps; i++)
			*kinds |= 1u << f->caps[i].kind;
	}
	return n;
}

unsigned int pt_nr_funcs(const struct hw_desc_platform *p)
{
	const struct hw_desc_host_bridge *h;
	unsigned int n = 0, kinds = 0;

	list_for_each_entry(h, &p->host_bridges, node)
		n += pt_count(&h->devices, &kinds);
	return n;
}

unsigned int pt_cap_kinds(const struct hw_desc_platform *p)
{
	const struct hw_desc_host_bridge *h;
	unsigned int kinds = 0;

	list_for_each_entry(h, &p->host_bridges, node)
		pt_count(&h->devices, &kinds);
	return kinds;
}

struct hw_desc_host_bridge *pt_host_bridge(const struct hw_desc_platform *p, unsigned int index)
{
	struct hw_desc_host_bridge *h;

	list_for_each_entry(h, &p->host_bridges, node)
		if (index-- == 0)
			return h;
	fail_msg("no host bridge %u", index);
	return NULL;
}

struct hw_desc_platform *pt_parse(const char *text)
{
	char err[512] = "";
	struct hw_desc_platform *p;

	p = hw_desc_parse_string("t.yaml", text, strlen(text), err, sizeof(err));
	if (IS_ERR(p))
		fail_msg("parse failed (%ld): %s", PTR_ERR(p), err);
	return p;
}

void pt_parse_err(const char *text, char *err, size_t errlen)
{
	struct hw_desc_platform *p;

	err[0] = '\0';
	p = hw_desc_parse_string("t.yaml", text, strlen(text), err, errlen);
	if (!IS_ERR(p)) {
		hw_desc_free(p);
		fail_msg("parse succeeded, expected -EINVAL");
	}
	assert_int_equal(PTR_ERR(p), -EINVAL);
}
