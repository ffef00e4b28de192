// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("usage: pcilab COMMAND [ARGS]\n");
		return 0;
	}
	fprintf(stderr, "pcilab: unknown command '%s'\n", argv[1]);
	return 2;
}
