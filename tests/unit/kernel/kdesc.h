/* SPDX-License-Identifier: MIT */
/*
 * Build struct hw_desc_platform trees in code for the kernel/pci tests,
 * independent of the YAML parser. Plain calloc (not pl_zalloc), so a fault
 * injection sweep only hits the code under test; failures fail the test.
 */
#ifndef PCILAB_TESTS_KERNEL_KDESC_H
#define PCILAB_TESTS_KERNEL_KDESC_H

#include "hw/platform/desc.h"

#define KD_VENDOR 0x8086
#define KD_DEVICE 0x1234

struct hw_desc_platform *kd_platform(void);
/* Host bridge with the given bus range and apertures (size 0: none). */
struct hw_desc_host_bridge *kd_host_bridge(struct hw_desc_platform *p, uint8_t bus_start,
					   uint8_t bus_end, uint64_t mmio, uint64_t mmio_size,
					   uint64_t pref, uint64_t pref_size, uint64_t io,
					   uint64_t io_size);
/* Function on a list (host bridge ->devices or a bridge's ->children).
 * Endpoints get KD_VENDOR:KD_DEVICE + dev so they can be told apart. */
struct hw_desc_func *kd_func(struct list_head *list, enum hw_desc_kind kind,
			     uint8_t dev, uint8_t fn);
struct hw_desc_cap *kd_cap(struct hw_desc_func *f, enum hw_desc_cap_kind kind);
void kd_bar(struct hw_desc_func *f, int idx, enum hw_bar_kind kind, bool pref,
	    uint64_t size);
void kd_free(struct hw_desc_platform *p);

#endif /* PCILAB_TESTS_KERNEL_KDESC_H */
