/*
 * fuzz_json.c - fuzz target for the API's JSON (gateway/api/json.c): the
 * strict reader on arbitrary bytes, and the writer on what it read and on
 * the raw input as a string.
 *
 * Contract: json_parse either fails with a message or gives a tree that
 * the writer turns into valid UTF-8 JSON which parses again to a tree that
 * is written the same (a fixed point after one round); the writer's string
 * escaping of any bytes gives a JSON string that parses, and gives back
 * the input exactly when the input was UTF-8 without a NUL.
 */
#include <errno.h>

#include <osmocom/core/talloc.h>

#include "fuzz.h"
#include "gateway/api/json.h"

#define JSON_FUZZ_ERR	160

static char *json_fuzz_write(void *ctx, const struct json_val *v)
{
	struct json_w *w = json_w_new(ctx, 0);

	assert(w);
	json_value(w, v);
	assert(!json_w_failed(w));
	assert(fuzz_utf8_valid((const uint8_t *)json_w_text(w),
			       json_w_len(w)));
	return talloc_strdup(ctx, json_w_text(w));
}

/* Parse, write, parse the output, write again: the same text. */
static void json_fuzz_round(void *ctx, const uint8_t *data, size_t size)
{
	char err[JSON_FUZZ_ERR];
	struct json_val *v, *v2;
	char *once, *twice;
	int rc = json_parse(ctx, (const char *)data, size, &v, err,
			    sizeof(err));

	if (rc < 0) {
		assert(rc == -EINVAL);
		assert(strnlen(err, sizeof(err)) < sizeof(err) && err[0]);
		return;
	}
	once = json_fuzz_write(ctx, v);
	rc = json_parse(ctx, once, strlen(once), &v2, err, sizeof(err));
	assert(rc == 0);
	twice = json_fuzz_write(ctx, v2);
	assert(!strcmp(once, twice));
}

/* The input as a string value. */
static void json_fuzz_string(void *ctx, const uint8_t *data, size_t size)
{
	struct json_w *w = json_w_new(ctx, 0);
	char err[JSON_FUZZ_ERR];
	struct json_val *v;

	json_strn(w, (const char *)data, size);
	assert(json_parse(ctx, json_w_text(w), json_w_len(w), &v, err,
			  sizeof(err)) == 0 || memchr(data, 0, size));
	if (fuzz_utf8_valid(data, size) && !memchr(data, 0, size)) {
		assert(v->type == JSON_STR && v->len == size);
		assert(!memcmp(v->str, data, size));
	}
}

FUZZ_TARGET(json)
{
	void *ctx = talloc_named_const(NULL, 0, "fuzz_json");

	json_fuzz_round(ctx, data, size);
	json_fuzz_string(ctx, data, size);
	talloc_free(ctx);
	return 0;
}
