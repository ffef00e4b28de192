/* SPDX-License-Identifier: MIT */
/* hw/security internals shared between its files. */
#ifndef PCILAB_HW_SECURITY_INTERNAL_H
#define PCILAB_HW_SECURITY_INTERNAL_H

struct hw_doe;
struct hw_pcidev;

/* Attach the forwarder to an external SPDM-socket responder at addr
 * ("HOST:PORT") to doe (spdm_ext.c): 0, -ENOMEM, or hw_doe_attach's errno.
 * The DOE capability owns it from then on. */
int hw_spdm_ext_attach(struct hw_doe *doe, struct hw_pcidev *dev, const char *addr);

#endif /* PCILAB_HW_SECURITY_INTERNAL_H */
