/* SPDX-License-Identifier: MIT */
/* Helpers shared by the platform-file tests. */
#ifndef PCILAB_TESTS_PLATFORM_UTIL_H
#define PCILAB_TESTS_PLATFORM_UTIL_H

#include "hw/platform/desc.h"

/* Function by name anywhere in the platform; NULL if absent. */
struct hw_desc_func *pt_find(const struct hw_desc_platform *p, const char *name);
/* The index-th child of f (0-based); fails the test if absent. */
struct hw_desc_func *pt_child(const struct hw_desc_func *f, unsigned int index);
unsigned int pt_nr_children(const struct list_head *list);
/* The first capability of a kind; NULL if absent. */
const struct hw_desc_cap *pt_cap(const struct hw_desc_func *f, enum hw_desc_cap_kind k);
unsigned int pt_nr_caps_of(const struct hw_desc_func *f, enum hw_desc_cap_kind k);
/* Count functions (all host bridges, whole trees). */
unsigned int pt_nr_funcs(const struct hw_desc_platform *p);
/* Bitmask of capability kinds present on any function. */
unsigned int pt_cap_kinds(const struct hw_desc_platform *p);
struct hw_desc_host_bridge *pt_host_bridge(const struct hw_desc_platform *p, unsigned int index);

/* Parse text; asserts success. */
struct hw_desc_platform *pt_parse(const char *text);
/* Parse text; asserts -EINVAL and returns the message in err. */
void pt_parse_err(const char *text, char *err, size_t errlen);

#endif /* PCILAB_TESTS_PLATFORM_UTIL_H */
