// SPDX-License-Identifier: MIT
/*
 * Fuzz the platform-file parser (hw_desc_parse_string): any input must
 * either parse or fail with -EINVAL and a one-line "FILE:LINE:COL: reason"
 * message, never crash, leak or read past the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "hw/platform/desc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_desc_platform *p;
	char err[256];
	char *copy;

	/* An exact-size heap copy, so ASan catches any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	err[0] = '\0';
	p = hw_desc_parse_string("fuzz.yaml", copy, size, err, sizeof(err));
	if (IS_ERR(p)) {
		/* -EINVAL comes with a message naming the input; nothing else
		 * but -ENOMEM may come out of a parse. */
		if (PTR_ERR(p) == -EINVAL &&
		    (strncmp(err, "fuzz.yaml:", 10) != 0 || strchr(err, '\n')))
			abort();
		if (PTR_ERR(p) != -EINVAL && PTR_ERR(p) != -ENOMEM)
			abort();
	} else {
		if (!p || !p->name || list_empty(&p->host_bridges))
			abort();
		hw_desc_free(p);
	}
	free(copy);
	return 0;
}
