// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "base/compiler.h"
#include "base/err.h"
#include "hw/devices/dmatest.h"
#include "hw/devices/endpoint.h"
#include "hw/devices/model.h"

static const char *const hw_device_model_names[HW_DESC_MODEL_NR] = {
	[HW_DESC_MODEL_GENERIC] = "generic",
	[HW_DESC_MODEL_DMA_TEST] = "dma-test",
};

const char *hw_device_model_name(enum hw_desc_model m)
{
	if ((unsigned int)m >= HW_DESC_MODEL_NR)
		return NULL;
	return hw_device_model_names[m];
}

int hw_device_model_from_name(const char *name)
{
	unsigned int i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < HW_DESC_MODEL_NR; i++)
		if (!strcmp(name, hw_device_model_names[i]))
			return (int)i;
	return -EINVAL;
}

struct hw_pcidev *hw_device_model_create(enum hw_desc_model m, const char *name)
{
	switch (m) {
	case HW_DESC_MODEL_GENERIC:
		return hw_endpoint_create(name);
	case HW_DESC_MODEL_DMA_TEST:
		return hw_dmatest_create(name);
	case HW_DESC_MODEL_NR:
		break;
	}
	return ERR_PTR(-EINVAL);
}

void hw_device_model_default_ids(enum hw_desc_model m, uint16_t *vendor,
				 uint16_t *device, uint32_t *class_code)
{
	if (m != HW_DESC_MODEL_DMA_TEST)
		return;
	if (!*vendor)
		*vendor = HW_DMATEST_VENDOR;
	if (!*device)
		*device = HW_DMATEST_DEVICE;
	if (!*class_code)
		*class_code = HW_DMATEST_CLASS;
}
