// SPDX-License-Identifier: MIT
/*
 * hw/platform: lifetime of platform descriptions, reading platform files
 * and the built-in default platform (platforms/default.yaml, compiled in
 * as hw_desc_default_yaml by scripts/embed-yaml.py).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/platform/desc.h"

/* Platform files are small; this bounds what a typo'd path can load. */
#define HW_DESC_MAX_FILE	(16u << 20)

static void hw_desc_free_funcs(struct list_head *list)
{
	struct hw_desc_func *f, *n;

	list_for_each_entry_safe(f, n, list, node) {
		hw_desc_free_funcs(&f->children);
		list_del(&f->node);
		free(f->name);
		free(f->caps);
		free(f->raw_cfg);
		if (f->spdm) {
			free(f->spdm->external);
			free(f->spdm->cert_chain);
			free(f->spdm->key);
			free(f->spdm);
		}
		free(f);
	}
}

void hw_desc_free(struct hw_desc_platform *p)
{
	struct hw_desc_host_bridge *h, *n;

	if (IS_ERR_OR_NULL(p))
		return;
	list_for_each_entry_safe(h, n, &p->host_bridges, node) {
		hw_desc_free_funcs(&h->devices);
		list_del(&h->node);
		free(h);
	}
	free(p->name);
	free(p->file);
	free(p);
}

static void hw_desc_err(char *err, size_t errlen, const char *path, int rc, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-rc));
}

struct hw_desc_platform *hw_desc_parse_file(const char *path, char *err, size_t errlen)
{
	struct hw_desc_platform *p;
	size_t len = 0, cap = 4096;
	char *buf, *nbuf;
	FILE *fp;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	errno = 0;
	fp = fopen(path, "rb");
	if (!fp) {
		rc = -errno;
		hw_desc_err(err, errlen, path, rc, "cannot open");
		return ERR_PTR(rc);
	}
	buf = pl_zalloc(cap);
	if (!buf) {
		rc = -ENOMEM;
		hw_desc_err(err, errlen, path, rc, "cannot read");
		goto err_close;
	}
	for (;;) {
		size_t got = fread(buf + len, 1, cap - len, fp);

		len += got;
		if (got == 0)
			break;
		if (len < cap)
			continue;
		if (cap >= HW_DESC_MAX_FILE) {
			rc = -EFBIG;
			hw_desc_err(err, errlen, path, rc, "cannot read");
			goto err_free_buf;
		}
		nbuf = pl_realloc(buf, cap * 2);
		if (!nbuf) {
			rc = -ENOMEM;
			hw_desc_err(err, errlen, path, rc, "cannot read");
			goto err_free_buf;
		}
		buf = nbuf;
		cap *= 2;
	}
	if (ferror(fp)) {
		rc = errno ? -errno : -EIO;
		hw_desc_err(err, errlen, path, rc, "cannot read");
		goto err_free_buf;
	}
	fclose(fp);
	p = hw_desc_parse_string(path, buf, len, err, errlen);
	free(buf);
	return p;

err_free_buf:
	free(buf);
err_close:
	fclose(fp);
	return ERR_PTR(rc);
}

struct hw_desc_platform *hw_desc_default(char *err, size_t errlen)
{
	return hw_desc_parse_string("<built-in>", hw_desc_default_yaml,
				    strlen(hw_desc_default_yaml), err, errlen);
}
