/* SPDX-License-Identifier: MIT */
/*
 * Build struct hw_desc_platform trees in code, independently of the YAML
 * parser. Allocation uses plain calloc (not pl_zalloc) so that a fault
 * injection sweep only hits the code under test; failures abort the test.
 */
#ifndef PCILAB_TESTS_FABRIC_DESC_UTIL_H
#define PCILAB_TESTS_FABRIC_DESC_UTIL_H

#include "hw/platform/desc.h"

#define TD_FILE "test.yaml"
#define TD_VENDOR 0x1af4	/* endpoints get this vendor and device TD_DEVICE */
#define TD_DEVICE 0x10f0

struct hw_desc_platform *td_platform(void);
/* Adds a host bridge; every range may be size 0. */
struct hw_desc_host_bridge *td_host_bridge(struct hw_desc_platform *p, uint16_t seg,
					   uint8_t bus_start, uint8_t bus_end);
/* Adds a function to a list (host bridge ->devices or a parent's ->children).
 * Line numbers count up from 1 in creation order. */
struct hw_desc_func *td_func(struct list_head *list, enum hw_desc_kind kind,
			     uint8_t dev, uint8_t fn, const char *name);
/* An endpoint running the DMA test device model (IDs left to the model). */
struct hw_desc_func *td_dmatest(struct list_head *list, uint8_t dev, uint8_t fn,
				const char *name);
struct hw_desc_cap *td_cap(struct hw_desc_func *f, enum hw_desc_cap_kind kind);
void td_bar(struct hw_desc_func *f, int idx, enum hw_bar_kind kind, bool pref,
	    uint64_t size);
void td_free(struct hw_desc_platform *p);

#endif /* PCILAB_TESTS_FABRIC_DESC_UTIL_H */
