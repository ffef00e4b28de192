// SPDX-License-Identifier: MIT
/*
 * Corpus replay driver: runs LLVMFuzzerTestOneInput over every file in the
 * directories (or files) given on the command line, in sorted order, and
 * reports each as a TAP test ("ok N - path"), ending with the plan "1..N".
 * Linked with each fuzz target so that gcc builds, and `make check` under
 * ASan/UBSan, exercise the target on its seed corpus and on every crash
 * that was ever turned into a corpus file.
 *
 * A crash, sanitizer report or abort() in the target ends the process, so
 * the runner sees a non-zero exit; the last "ok" line tells which input
 * came before the one that failed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static unsigned int nr_tests;
static unsigned int nr_failed;

static void report(bool ok, const char *path, const char *why)
{
	nr_tests++;
	if (!ok)
		nr_failed++;
	printf("%s %u - %s%s%s\n", ok ? "ok" : "not ok", nr_tests, path,
	       why ? " # " : "", why ? why : "");
	fflush(stdout);
}

static void run_file(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		report(false, path, strerror(errno));
		return;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			unsigned char *n = realloc(buf, cap ? cap * 2 : 4096);

			if (!n) {
				fclose(fp);
				free(buf);
				report(false, path, "out of memory");
				return;
			}
			buf = n;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(buf + len, 1, cap - len, fp);
		if (!got)
			break;
		len += got;
	}
	fclose(fp);
	/* Named on stderr before it runs: if it crashes, the log says which. */
	fprintf(stderr, "running %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	report(true, path, NULL);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* (No stat(): <sys/stat.h> drags in uapi headers the build overrides.) */
static void run_path(const char *path)
{
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, i;
	DIR *d = opendir(path);

	if (!d) {
		if (errno == ENOTDIR)
			run_file(path);
		else
			report(false, path, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		char **n;

		if (de->d_name[0] == '.')
			continue;
		n = realloc(names, (nr + 1) * sizeof(*names));
		if (!n)
			break;
		names = n;
		names[nr] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!names[nr])
			break;
		sprintf(names[nr], "%s/%s", path, de->d_name);
		nr++;
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_names);
	for (i = 0; i < nr; i++) {
		run_path(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		run_path(argv[i]);
	if (!nr_tests)
		report(false, "corpus", "no inputs found");
	printf("1..%u\n", nr_tests);
	return nr_failed ? 1 : 0;
}
