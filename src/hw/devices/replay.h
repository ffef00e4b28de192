/* SPDX-License-Identifier: MIT */
/*
 * hw/devices/replay: a function whose config space is replayed from a real
 * machine's `lspci -xxxx` dump. It is read-only except for the registers
 * the kernel side must write during enumeration (see replay.c).
 */
#ifndef PCILAB_HW_DEVICES_REPLAY_H
#define PCILAB_HW_DEVICES_REPLAY_H

#include "hw/pcidev/pcidev.h"
#include "hw/platform/desc.h"

/* Create and realize a replay function from a HW_DESC_REPLAY node.
 * ERR_PTR(-EINVAL) for a malformed node, -ENOMEM. Free with
 * hw_pcidev_destroy(). */
struct hw_pcidev *hw_replay_dev_create(const struct hw_desc_func *f);

#endif /* PCILAB_HW_DEVICES_REPLAY_H */
