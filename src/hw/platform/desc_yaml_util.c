// SPDX-License-Identifier: MIT
/*
 * hw/platform: generic helpers of the platform-file parser: error messages
 * with file:line:col, node type checks, key lookup against a table of
 * accepted names, and scalar conversion (numbers, sizes with binary
 * suffixes, booleans, strings). The platform grammar itself is in
 * desc_yaml.c and desc_caps.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/fault.h"
#include "hw/platform/desc_parse.h"

/* ----------------------------------------------------------- messages */

int dp_fail(struct dp_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->failed)
		return -EINVAL;
	c->failed = true;
	if (!c->err || !c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->file,
			 n->start_mark.line + 1, n->start_mark.column + 1, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->file, msg);
	return -EINVAL;
}

int dp_nomem(struct dp_ctx *c)
{
	if (!c->failed && c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
	c->failed = true;
	return -ENOMEM;
}

void dp_loc(struct dp_ctx *c, const yaml_node_t *n, struct hw_desc_loc *loc)
{
	loc->file = c->file;
	loc->line = (unsigned int)n->start_mark.line + 1;
	loc->col = (unsigned int)n->start_mark.column + 1;
}

const char *dp_show(const yaml_node_t *n, char *buf, size_t len)
{
	size_t i, max;

	if (!len)
		return "";
	if (n->type != YAML_SCALAR_NODE) {
		snprintf(buf, len, "%s", n->type == YAML_MAPPING_NODE ? "{...}" : "[...]");
		return buf;
	}
	max = MIN(n->data.scalar.length, len - 1);
	max = MIN(max, (size_t)40);
	for (i = 0; i < max; i++) {
		unsigned char ch = n->data.scalar.value[i];

		buf[i] = isprint(ch) ? (char)ch : '?';
	}
	buf[i] = '\0';
	return buf;
}

static const char *dp_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_SCALAR_NODE: return n->data.scalar.length ? "a scalar" : "nothing";
	default: return "nothing";
	}
}

/* ------------------------------------------------------------ nodes */

const yaml_node_t *dp_node(struct dp_ctx *c, int idx)
{
	return yaml_document_get_node(c->doc, idx);
}

int dp_enter(struct dp_ctx *c, const yaml_node_t *n)
{
	size_t idx = (size_t)(n - c->doc->nodes.start);

	if (idx >= c->nr_nodes)
		return dp_fail(c, n, "internal: node outside the document");
	if (c->entered[idx])
		return dp_fail(c, n, "YAML aliases of mappings or lists are not supported");
	c->entered[idx] = 1;
	return 0;
}

int dp_expect_map(struct dp_ctx *c, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE)
		return dp_fail(c, n, "%s: expected a mapping, got %s", what, dp_type_name(n));
	return dp_enter(c, n);
}

int dp_expect_seq(struct dp_ctx *c, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return dp_fail(c, n, "%s: expected a list, got %s", what, dp_type_name(n));
	return dp_enter(c, n);
}

bool dp_is(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, s, len) == 0;
}

static bool dp_is_nocase(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       strncasecmp((const char *)n->data.scalar.value, s, len) == 0 &&
	       memchr(n->data.scalar.value, '\0', len) == NULL;
}

/* "a, b, c" into buf (truncated when long). */
static const char *dp_list(const char *const *names, size_t nr, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < nr && used < len; i++) {
		int w;

		if (!names[i])
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

int dp_key(struct dp_ctx *c, const yaml_node_t *key, const char *const *names,
	   size_t nr, const char *what, uint64_t *seen)
{
	char list[320], shown[48];
	size_t i;

	if (key->type != YAML_SCALAR_NODE)
		return dp_fail(c, key, "%s: keys must be plain names, got %s", what,
			       dp_type_name(key));
	for (i = 0; i < nr; i++) {
		if (!dp_is(key, names[i]))
			continue;
		if (*seen & BIT_ULL(i))
			return dp_fail(c, key, "duplicate key '%s' in %s", names[i], what);
		*seen |= BIT_ULL(i);
		return (int)i;
	}
	return dp_fail(c, key, "unknown key '%s' in %s (accepted: %s)",
		       dp_show(key, shown, sizeof(shown)), what,
		       dp_list(names, nr, list, sizeof(list)));
}

int dp_enum(struct dp_ctx *c, const yaml_node_t *n, const char *const *names,
	    size_t nr, const char *what)
{
	char list[320], shown[48];
	size_t i;

	if (n->type != YAML_SCALAR_NODE)
		return dp_fail(c, n, "%s: expected a name, got %s", what, dp_type_name(n));
	for (i = 0; i < nr; i++)
		if (names[i] && dp_is_nocase(n, names[i]))
			return (int)i;
	return dp_fail(c, n, "unknown %s '%s' (accepted: %s)", what,
		       dp_show(n, shown, sizeof(shown)), dp_list(names, nr, list, sizeof(list)));
}

int dp_missing(struct dp_ctx *c, const yaml_node_t *n, const char *key, const char *what)
{
	return dp_fail(c, n, "missing required key '%s' in %s", key, what);
}

/*
 * Walk a mapping once: validate every key against names[] (unknown and
 * duplicate keys fail) and hand back the value nodes by key index, so the
 * caller can process them in the order it needs, whatever the file's order.
 */
int dp_collect(struct dp_ctx *c, const yaml_node_t *map, const char *const *names,
		      size_t nr, const char *what, const yaml_node_t **vals)
{
	const yaml_node_pair_t *pair;
	uint64_t seen = 0;
	size_t i;
	int rc;

	rc = dp_expect_map(c, map, what);
	if (rc < 0)
		return rc;
	for (i = 0; i < nr; i++)
		vals[i] = NULL;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = dp_node(c, pair->key), *v = dp_node(c, pair->value);

		if (!k || !v)
			return dp_fail(c, map, "internal: dangling YAML node");
		rc = dp_key(c, k, names, nr, what, &seen);
		if (rc < 0)
			return rc;
		vals[rc] = v;
	}
	return 0;
}

/* ----------------------------------------------------------- scalars */

int dp_scalar(struct dp_ctx *c, const yaml_node_t *n, const char *what,
		     const char **s, size_t *len)
{
	if (n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return dp_fail(c, n, "expected %s, got %s", what, dp_type_name(n));
	*s = (const char *)n->data.scalar.value;
	*len = n->data.scalar.length;
	return 0;
}

/* Digits of s[0..len) as decimal or 0x hex; *used gets the bytes consumed. */
bool dp_digits(const char *s, size_t len, uint64_t *out, size_t *used)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0, start;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	start = i;
	for (; i < len; i++) {
		unsigned int d;

		if (isdigit((unsigned char)s[i]))
			d = (unsigned int)(s[i] - '0');
		else if (base == 16 && isxdigit((unsigned char)s[i]))
			d = (unsigned int)(tolower((unsigned char)s[i]) - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (i == start)
		return false;
	*out = v;
	*used = i;
	return true;
}

static int dp_range(struct dp_ctx *c, const yaml_node_t *n, uint64_t v, uint64_t lo,
		    uint64_t hi)
{
	if (v < lo || v > hi) {
		if (hi <= 0xffff)
			return dp_fail(c, n, "value %llu out of range %llu..%llu",
				       (unsigned long long)v, (unsigned long long)lo,
				       (unsigned long long)hi);
		return dp_fail(c, n, "value 0x%llx out of range 0x%llx..0x%llx",
			       (unsigned long long)v, (unsigned long long)lo,
			       (unsigned long long)hi);
	}
	return 0;
}

int dp_uint(struct dp_ctx *c, const yaml_node_t *n, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char shown[48];
	const char *s = NULL;
	size_t len = 0, used;
	uint64_t v;
	int rc;

	rc = dp_scalar(c, n, "a number", &s, &len);
	if (rc < 0)
		return rc;
	if (!dp_digits(s, len, &v, &used) || used != len)
		return dp_fail(c, n, "expected a number (decimal or 0x hex), got '%s'",
			       dp_show(n, shown, sizeof(shown)));
	rc = dp_range(c, n, v, lo, hi);
	if (rc < 0)
		return rc;
	*out = v;
	return 0;
}

int dp_size(struct dp_ctx *c, const yaml_node_t *n, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char shown[48];
	const char *s = NULL;
	size_t len = 0, used;
	unsigned int shift = 0;
	uint64_t v;
	int rc;

	rc = dp_scalar(c, n, "a size", &s, &len);
	if (rc < 0)
		return rc;
	if (!dp_digits(s, len, &v, &used))
		goto bad;
	if (used + 1 == len) {
		switch (s[used]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default: goto bad;
		}
	} else if (used != len) {
		goto bad;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return dp_fail(c, n, "size '%s' does not fit in 64 bits",
			       dp_show(n, shown, sizeof(shown)));
	v <<= shift;
	rc = dp_range(c, n, v, lo, hi);
	if (rc < 0)
		return rc;
	*out = v;
	return 0;
bad:
	return dp_fail(c, n, "expected a size (number with optional K, M, G or T suffix), got '%s'",
		       dp_show(n, shown, sizeof(shown)));
}

int dp_bool(struct dp_ctx *c, const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	char shown[48];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (dp_is_nocase(n, yes[i])) {
			*out = true;
			return 0;
		}
		if (dp_is_nocase(n, no[i])) {
			*out = false;
			return 0;
		}
	}
	if (n->type != YAML_SCALAR_NODE)
		return dp_fail(c, n, "expected true or false, got %s", dp_type_name(n));
	return dp_fail(c, n, "expected true or false, got '%s'", dp_show(n, shown, sizeof(shown)));
}

int dp_string(struct dp_ctx *c, const yaml_node_t *n, const char *what, char **out)
{
	const char *s = NULL;
	size_t len = 0;
	int rc;

	rc = dp_scalar(c, n, what, &s, &len);
	if (rc < 0)
		return rc;
	if (memchr(s, '\0', len))
		return dp_fail(c, n, "%s must not contain NUL characters", what);
	if (len > 255)
		return dp_fail(c, n, "%s longer than 255 characters", what);
	*out = pl_strndup(s, len);
	if (!*out)
		return dp_nomem(c);
	return 0;
}

