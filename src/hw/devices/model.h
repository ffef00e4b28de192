/* SPDX-License-Identifier: MIT */
/*
 * hw/devices/model: the endpoint behaviour models a platform description
 * can name (struct hw_desc_func.model; platform files say `model: NAME`).
 *
 *   generic    hw/devices/endpoint.h: passive BARs, no behaviour
 *   dma-test   hw/devices/dmatest.h: copies/fills memory by DMA
 */
#ifndef PCILAB_HW_DEVICES_MODEL_H
#define PCILAB_HW_DEVICES_MODEL_H

#include <stdint.h>

#include "hw/platform/desc.h"

/* "generic", "dma-test"; NULL for a value out of range. */
const char *hw_device_model_name(enum hw_desc_model m);
/* The model a name designates (>= 0), or -EINVAL for an unknown name. */
int hw_device_model_from_name(const char *name);

/*
 * Allocate and hw_pcidev_init() a function of model m, with whatever the
 * model itself implements (e.g. its register BAR) already set; the caller
 * configures the rest from the description and realizes it.
 * ERR_PTR(-EINVAL) for an unknown model, -ENOMEM.
 */
struct hw_pcidev *hw_device_model_create(enum hw_desc_model m, const char *name);

/* IDs a model has when the description leaves them 0: fills only those of
 * vendor, device and class_code that are 0. */
void hw_device_model_default_ids(enum hw_desc_model m, uint16_t *vendor,
				 uint16_t *device, uint32_t *class_code);

#endif /* PCILAB_HW_DEVICES_MODEL_H */
