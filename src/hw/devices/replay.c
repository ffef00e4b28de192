// SPDX-License-Identifier: MIT
#include "base/err.h"
#include "hw/devices/replay.h"

/* Placeholder until the replay model lands. */
struct hw_pcidev *hw_replay_dev_create(const struct hw_desc_func *f)
{
	return ERR_PTR(-EOPNOTSUPP);
}
