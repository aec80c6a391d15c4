/*
 * json.h - the API's JSON: a writer for answers and a strict reader for
 * request bodies. No library: both are small, bounded and checked by a
 * fuzz target (tests/fuzz/fuzz_json.c).
 *
 * Writer: appends to a growable talloc buffer, keeps the commas, escapes
 * strings (control characters, quote, backslash, and U+2028/U+2029), and
 * writes any byte that is not part of well-formed UTF-8 as U+FFFD, so its
 * output is always valid JSON in UTF-8. Nesting deeper than JSON_DEPTH_MAX
 * or output beyond the writer's limit sets an error flag
 * (json_w_failed()) instead of writing.
 *
 *	struct json_w *w = json_w_new(ctx, 0);
 *	json_obj(w);
 *	json_kstr(w, "user", "admin");
 *	json_kint(w, "id", 7);
 *	json_end(w);
 *	send(json_w_text(w), json_w_len(w));
 *
 * Reader (RFC 8259, strictly): one value with optional white space around
 * it; no comments, no trailing commas, no leading zeros, no control
 * characters or invalid UTF-8 in strings, no lone surrogates in \u
 * escapes, no duplicate keys in an object, at most JSON_DEPTH_MAX levels
 * and JSON_ITEMS_MAX values in all. A string may not contain U+0000 (the
 * API's strings are C strings). Numbers are kept as a double and, when
 * written without a fraction or exponent and within int64, as an integer.
 * The tree is talloc'ed under the caller's context.
 */
#ifndef SGW_API_JSON_H
#define SGW_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_DEPTH_MAX	16
#define JSON_ITEMS_MAX	200000

/* ---- writer ---- */

struct json_w;

/* max: the most octets it may write (0: 64 MiB). */
struct json_w *json_w_new(void *ctx, size_t max);
bool json_w_failed(const struct json_w *w);
const char *json_w_text(const struct json_w *w);	/* NUL-terminated */
size_t json_w_len(const struct json_w *w);

void json_obj(struct json_w *w);
void json_arr(struct json_w *w);
void json_end(struct json_w *w);		/* closes the innermost */
void json_key(struct json_w *w, const char *k);
void json_str(struct json_w *w, const char *s);	/* NULL writes null */
void json_strn(struct json_w *w, const char *s, size_t n);
void json_int(struct json_w *w, int64_t v);
void json_num(struct json_w *w, double v);	/* not finite: null */
void json_bool(struct json_w *w, bool v);
void json_null(struct json_w *w);
/* Raw JSON text of a value written elsewhere (trusted). */
void json_raw(struct json_w *w, const char *text);

/* key and value at once */
void json_kstr(struct json_w *w, const char *k, const char *s);
void json_kint(struct json_w *w, const char *k, int64_t v);
void json_knum(struct json_w *w, const char *k, double v);
void json_kbool(struct json_w *w, const char *k, bool v);
/* A time in Unix ms, or null for 0. */
void json_ktime(struct json_w *w, const char *k, int64_t ms);
/* "" writes null. */
void json_kopt(struct json_w *w, const char *k, const char *s);

/* ---- reader ---- */

struct json_val;

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUM,
	JSON_STR,
	JSON_ARR,
	JSON_OBJ,
};

struct json_val {
	enum json_type type;
	bool b;
	double num;
	bool is_int;		/* num is an integer, also in i */
	int64_t i;
	char *str;		/* JSON_STR: UTF-8, NUL-terminated */
	size_t len;
	unsigned n;		/* JSON_ARR, JSON_OBJ: members */
	struct json_val **item;
	char **key;		/* JSON_OBJ */
};

/* Parse buf (len octets). 0 with *out, or -EINVAL with what is wrong and
 * where ("at offset 12: ...") in err. */
int json_parse(void *ctx, const char *buf, size_t len, struct json_val **out,
	       char *err, size_t err_cap);

/* Write a parsed value (a round trip gives the same value). */
void json_value(struct json_w *w, const struct json_val *v);

/* The member k of an object, or NULL. */
const struct json_val *json_get(const struct json_val *obj, const char *k);

/* Checks for request bodies: each returns 0, or -EINVAL with the reason
 * ("name: must be a string") in why. A missing or null member gives
 * dflt / leaves *out unless required. */
int json_only(const struct json_val *obj, const char *const *allowed,
	      char *why, size_t cap);
int json_get_str(const struct json_val *obj, const char *k, bool required,
		 size_t max_len, const char **out, char *why, size_t cap);
int json_get_int(const struct json_val *obj, const char *k, bool required,
		 int64_t min, int64_t max, int64_t *out, char *why,
		 size_t cap);
int json_get_bool(const struct json_val *obj, const char *k, bool *out,
		  char *why, size_t cap);
/* A string, or an array of strings joined with ',' under ctx (for lists
 * such as regions); max_items in the array. */
int json_get_list(void *ctx, const struct json_val *obj, const char *k,
		  unsigned max_items, const char **out, char *why,
		  size_t cap);

#endif
