// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/devices/endpoint.h"

struct hw_endpoint {
	struct hw_pcidev dev;
};

static void hw_endpoint_free(struct hw_pcidev *dev)
{
	free(container_of(dev, struct hw_endpoint, dev));
}

static const struct hw_pcidev_ops hw_endpoint_ops = {
	.name = "endpoint",
	.free = hw_endpoint_free,
};

struct hw_pcidev *hw_endpoint_create(const char *name)
{
	struct hw_endpoint *ep;
	int rc;

	ep = pl_zalloc(sizeof(*ep));
	if (!ep)
		return ERR_PTR(-ENOMEM);
	rc = hw_pcidev_init(&ep->dev, PCI_HEADER_TYPE_NORMAL, &hw_endpoint_ops, name);
	if (rc < 0)
		goto err_free_ep;
	return &ep->dev;

err_free_ep:
	free(ep);
	return ERR_PTR(rc);
}
