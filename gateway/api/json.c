/*
 * json.c - the API's JSON writer and strict reader (see json.h).
 *
 * The reader is a recursive descent over the buffer with an explicit
 * depth limit, so its stack is bounded whatever the input; every value is
 * counted against JSON_ITEMS_MAX, so is its memory. Objects keep their
 * members in the order given, found by a linear search: request bodies
 * have a handful of keys.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/api/json.h"

#define JSON_OUT_MAX_DEFAULT	(64u * 1024 * 1024)
#define JSON_GROW_MIN		256

/* ---- writer ------------------------------------------------------------ */

struct json_w {
	char *buf;
	size_t len, cap, max;
	unsigned depth;
	bool first[JSON_DEPTH_MAX + 1];	/* no member yet at this level */
	char close[JSON_DEPTH_MAX + 1];	/* '}' or ']' of each level */
	bool after_key;
	bool failed;
};

struct json_w *json_w_new(void *ctx, size_t max)
{
	struct json_w *w = talloc_zero(ctx, struct json_w);

	if (!w)
		return NULL;
	w->max = max ? max : JSON_OUT_MAX_DEFAULT;
	w->buf = talloc_size(w, JSON_GROW_MIN);
	if (!w->buf) {
		talloc_free(w);
		return NULL;
	}
	w->cap = JSON_GROW_MIN;
	w->buf[0] = '\0';
	w->first[0] = true;
	return w;
}

bool json_w_failed(const struct json_w *w)
{
	return w->failed;
}

const char *json_w_text(const struct json_w *w)
{
	return w->buf;
}

size_t json_w_len(const struct json_w *w)
{
	return w->len;
}

static void jw_put(struct json_w *w, const char *s, size_t n)
{
	size_t cap;
	char *b;

	if (w->failed)
		return;
	if (w->len + n + 1 > w->max) {
		w->failed = true;
		return;
	}
	if (w->len + n + 1 > w->cap) {
		for (cap = w->cap * 2; cap < w->len + n + 1; cap *= 2)
			;
		b = talloc_realloc_size(w, w->buf, cap);
		if (!b) {
			w->failed = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void jw_putc(struct json_w *w, char c)
{
	jw_put(w, &c, 1);
}

/* Before a value: the comma between members of an array. */
static void jw_sep(struct json_w *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		jw_putc(w, ',');
	w->first[w->depth] = false;
}

static void jw_open(struct json_w *w, char c)
{
	jw_sep(w);
	if (w->depth >= JSON_DEPTH_MAX) {
		w->failed = true;
		return;
	}
	jw_putc(w, c);
	w->first[++w->depth] = true;
	w->close[w->depth] = c == '{' ? '}' : ']';
}

void json_obj(struct json_w *w)
{
	jw_open(w, '{');
}

void json_arr(struct json_w *w)
{
	jw_open(w, '[');
}

void json_end(struct json_w *w)
{
	if (!w->depth) {
		w->failed = true;
		return;
	}
	jw_putc(w, w->close[w->depth--]);
}

static void jw_str_body(struct json_w *w, const char *s, size_t n);

void json_key(struct json_w *w, const char *k)
{
	jw_sep(w);
	jw_putc(w, '"');
	jw_str_body(w, k, strlen(k));
	jw_put(w, "\":", 2);
	w->after_key = true;
}

/* Length of the well-formed UTF-8 sequence at s (n left), 0 if none. */
static size_t jw_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if (s[k] < lo || s[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
	}
	return len;
}

static void jw_str_body(struct json_w *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[8];
	size_t i = 0, len;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			jw_put(w, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jw_put(w, esc, 6);
			i++;
		} else if (!(len = jw_utf8_len(s + i, n - i))) {
			jw_put(w, "\\ufffd", 6);	/* not UTF-8 */
			i++;
		} else if (len == 3 && c == 0xE2 && s[i + 1] == 0x80 &&
			   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			jw_put(w, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
			i += 3;
		} else {
			jw_put(w, str + i, len);
			i += len;
		}
	}
}

void json_strn(struct json_w *w, const char *s, size_t n)
{
	if (!s) {
		json_null(w);
		return;
	}
	jw_sep(w);
	jw_putc(w, '"');
	jw_str_body(w, s, n);
	jw_putc(w, '"');
}

void json_str(struct json_w *w, const char *s)
{
	json_strn(w, s, s ? strlen(s) : 0);
}

void json_int(struct json_w *w, int64_t v)
{
	char b[24];

	jw_sep(w);
	jw_put(w, b, snprintf(b, sizeof(b), "%lld", (long long)v));
}

void json_num(struct json_w *w, double v)
{
	char b[32];

	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	if (v == 0)
		v = 0;		/* no "-0" */
	jw_sep(w);
	jw_put(w, b, snprintf(b, sizeof(b), "%.15g", v));
}

void json_bool(struct json_w *w, bool v)
{
	jw_sep(w);
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json_w *w)
{
	jw_sep(w);
	jw_put(w, "null", 4);
}

void json_raw(struct json_w *w, const char *text)
{
	jw_sep(w);
	jw_put(w, text, strlen(text));
}

void json_kstr(struct json_w *w, const char *k, const char *s)
{
	json_key(w, k);
	json_str(w, s);
}

void json_kint(struct json_w *w, const char *k, int64_t v)
{
	json_key(w, k);
	json_int(w, v);
}

void json_knum(struct json_w *w, const char *k, double v)
{
	json_key(w, k);
	json_num(w, v);
}

void json_kbool(struct json_w *w, const char *k, bool v)
{
	json_key(w, k);
	json_bool(w, v);
}

void json_ktime(struct json_w *w, const char *k, int64_t ms)
{
	json_key(w, k);
	if (ms)
		json_int(w, ms);
	else
		json_null(w);
}

void json_kopt(struct json_w *w, const char *k, const char *s)
{
	json_key(w, k);
	if (s && *s)
		json_str(w, s);
	else
		json_null(w);
}

void json_value(struct json_w *w, const struct json_val *v)
{
	unsigned i;

	switch (v->type) {
	case JSON_NULL: json_null(w); return;
	case JSON_BOOL: json_bool(w, v->b); return;
	case JSON_NUM:
		if (v->is_int)
			json_int(w, v->i);
		else
			json_num(w, v->num);
		return;
	case JSON_STR: json_strn(w, v->str, v->len); return;
	case JSON_ARR:
	case JSON_OBJ:
		break;
	}
	if (v->type == JSON_ARR)
		json_arr(w);
	else
		json_obj(w);
	for (i = 0; i < v->n; i++) {
		if (v->type == JSON_OBJ)
			json_key(w, v->key[i]);
		json_value(w, v->item[i]);
	}
	json_end(w);
}

/* ---- reader ------------------------------------------------------------ */

#define JSON_OBJ_KEYS_MAX	256	/* members of one object */
#define JSON_NUM_MAX		64	/* characters of a number */

struct jr {
	void *ctx;
	const char *start, *p, *end;
	unsigned items;
	char *err;
	size_t cap;
	bool failed;
};

static void jr_fail(struct jr *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the first error, with where it is. */
static void jr_fail(struct jr *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return;
	r->failed = true;
	n = snprintf(r->err, r->cap, "at offset %zu: ",
		     (size_t)(r->p - r->start));
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->cap)
		vsnprintf(r->err + n, r->cap - n, fmt, ap);
	va_end(ap);
}

static void jr_ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static struct json_val *jr_new(struct jr *r, enum json_type t)
{
	struct json_val *v;

	if (++r->items > JSON_ITEMS_MAX) {
		jr_fail(r, "more than %d values", JSON_ITEMS_MAX);
		return NULL;
	}
	v = talloc_zero(r->ctx, struct json_val);
	if (!v) {
		jr_fail(r, "out of memory");
		return NULL;
	}
	v->type = t;
	return v;
}

static int jr_hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

static size_t jr_utf8_put(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xC0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3F);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xE0 | cp >> 12;
		o[1] = 0x80 | (cp >> 6 & 0x3F);
		o[2] = 0x80 | (cp & 0x3F);
		return 3;
	}
	o[0] = 0xF0 | cp >> 18;
	o[1] = 0x80 | (cp >> 12 & 0x3F);
	o[2] = 0x80 | (cp >> 6 & 0x3F);
	o[3] = 0x80 | (cp & 0x3F);
	return 4;
}

/* The code point of a \u escape at r->p (just after "\u"), with its low
 * surrogate when it is a high one; 0 on failure (U+0000 is refused). */
static unsigned long jr_escape_u(struct jr *r)
{
	int hi, lo;

	if (r->end - r->p < 4 || (hi = jr_hex4(r->p)) < 0) {
		jr_fail(r, "bad \\u escape");
		return 0;
	}
	r->p += 4;
	if (!hi || (hi >= 0xDC00 && hi <= 0xDFFF)) {
		jr_fail(r, hi ? "lone low surrogate" : "\\u0000 in a string");
		return 0;
	}
	if (hi < 0xD800 || hi > 0xDBFF)
		return hi;
	if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
	    (lo = jr_hex4(r->p + 2)) < 0xDC00 || lo > 0xDFFF) {
		jr_fail(r, "lone high surrogate");
		return 0;
	}
	r->p += 6;
	return 0x10000 + ((unsigned long)(hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* One escape at r->p (just after the backslash) into o: its length, 0 on
 * failure. */
static size_t jr_escape(struct jr *r, char *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	unsigned long cp;

	if (*r->p == 'u') {
		r->p++;
		cp = jr_escape_u(r);
		return cp ? jr_utf8_put(o, cp) : 0;
	}
	k = memchr(from, *r->p, sizeof(from) - 1);
	if (!k) {
		jr_fail(r, "bad escape");
		return 0;
	}
	r->p++;
	*o = to[k - from];
	return 1;
}

/* The raw length of the string at r->p (after its opening quote), up to
 * the closing quote; what it decodes to is never longer. */
static size_t jr_string_span(const struct jr *r)
{
	const char *q = r->p;

	while (q < r->end && *q != '"')
		q += (*q == '\\' && q + 1 < r->end) ? 2 : 1;
	return q - r->p;
}

/* A string at r->p (after the opening quote), decoded into a new buffer
 * (*len octets, NUL-terminated); NULL on failure. */
static char *jr_string(struct jr *r, size_t *len)
{
	char *out = talloc_size(r->ctx, jr_string_span(r) + 1);
	size_t o = 0, n;

	if (!out) {
		jr_fail(r, "out of memory");
		return NULL;
	}
	while (r->p < r->end && *r->p != '"') {
		if ((unsigned char)*r->p < 0x20) {
			jr_fail(r, "control character in a string");
			return NULL;
		}
		if (*r->p == '\\') {
			r->p++;
			if (r->p >= r->end || !(n = jr_escape(r, out + o)))
				break;
		} else if ((n = jw_utf8_len((const unsigned char *)r->p,
					    r->end - r->p))) {
			memcpy(out + o, r->p, n);
			r->p += n;
		} else {
			jr_fail(r, "not UTF-8");
			return NULL;
		}
		o += n;
	}
	if (r->failed)
		return NULL;
	if (r->p >= r->end) {
		jr_fail(r, "unterminated string");
		return NULL;
	}
	r->p++;
	out[o] = '\0';
	*len = o;
	return out;
}

static bool jr_digits(struct jr *r)
{
	const char *p0 = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > p0;
}

/* A number: the grammar of RFC 8259, then strtod / strtoll. */
static struct json_val *jr_number(struct jr *r)
{
	const char *p0 = r->p;
	char buf[JSON_NUM_MAX + 1];
	struct json_val *v;
	bool integral = true;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (!jr_digits(r))
		goto bad;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		integral = false;
		if (!jr_digits(r))
			goto bad;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		integral = false;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!jr_digits(r))
			goto bad;
	}
	if (r->p - p0 > JSON_NUM_MAX) {
		jr_fail(r, "number longer than %d characters", JSON_NUM_MAX);
		return NULL;
	}
	memcpy(buf, p0, r->p - p0);
	buf[r->p - p0] = '\0';
	if (!(v = jr_new(r, JSON_NUM)))
		return NULL;
	v->num = strtod(buf, NULL);
	errno = 0;
	v->i = integral ? strtoll(buf, NULL, 10) : 0;
	v->is_int = integral && errno != ERANGE;
	if (!isfinite(v->num)) {
		jr_fail(r, "number out of range");
		return NULL;
	}
	return v;
bad:
	jr_fail(r, "bad number");
	return NULL;
}

static struct json_val *jr_literal(struct jr *r)
{
	static const struct { const char *w; enum json_type t; bool b; } lit[] = {
		{ "true", JSON_BOOL, true }, { "false", JSON_BOOL, false },
		{ "null", JSON_NULL, false },
	};
	struct json_val *v;
	unsigned i;

	for (i = 0; i < sizeof(lit) / sizeof(lit[0]); i++) {
		size_t n = strlen(lit[i].w);

		if ((size_t)(r->end - r->p) >= n && !memcmp(r->p, lit[i].w, n)) {
			r->p += n;
			if ((v = jr_new(r, lit[i].t)))
				v->b = lit[i].b;
			return v;
		}
	}
	jr_fail(r, "unexpected character");
	return NULL;
}

static struct json_val *jr_value(struct jr *r, unsigned depth);

/* Append x to v's members (and its key for objects). */
static bool jr_append(struct jr *r, struct json_val *v, struct json_val *x,
		      char *key)
{
	if (!(v->n & (v->n - 1)) || !v->n) {	/* 0, 1, 2, 4, 8 ...: grow */
		unsigned cap = v->n ? 2 * v->n : 1;

		v->item = talloc_realloc(v, v->item, struct json_val *, cap);
		if (v->type == JSON_OBJ)
			v->key = talloc_realloc(v, v->key, char *, cap);
		if (!v->item || (v->type == JSON_OBJ && !v->key)) {
			jr_fail(r, "out of memory");
			return false;
		}
	}
	talloc_steal(v, x);
	if (key)
		v->key[v->n] = talloc_steal(v, key);
	v->item[v->n++] = x;
	return true;
}

/* "key": in an object at r->p; NULL on failure. */
static char *jr_key(struct jr *r, const struct json_val *obj)
{
	size_t len;
	unsigned i;
	char *k;

	jr_ws(r);
	if (r->p >= r->end || *r->p != '"') {
		jr_fail(r, "expected a member name");
		return NULL;
	}
	r->p++;
	if (!(k = jr_string(r, &len)))
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->key[i], k)) {
			jr_fail(r, "member \"%.40s\" given twice", k);
			return NULL;
		}
	jr_ws(r);
	if (r->p >= r->end || *r->p != ':') {
		jr_fail(r, "expected ':'");
		return NULL;
	}
	r->p++;
	return k;
}

/* An array or object at r->p (after its opening bracket). */
static struct json_val *jr_container(struct jr *r, enum json_type t,
				     unsigned depth)
{
	char close = t == JSON_OBJ ? '}' : ']';
	struct json_val *v = jr_new(r, t), *x;
	char *key = NULL;

	if (!v)
		return NULL;
	jr_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return v;
	}
	for (;;) {
		if (t == JSON_OBJ && v->n >= JSON_OBJ_KEYS_MAX) {
			jr_fail(r, "more than %d members", JSON_OBJ_KEYS_MAX);
			return NULL;
		}
		if ((t == JSON_OBJ && !(key = jr_key(r, v))) ||
		    !(x = jr_value(r, depth + 1)) || !jr_append(r, v, x, key))
			return NULL;
		jr_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return v;
		}
		jr_fail(r, "expected ',' or '%c'", close);
		return NULL;
	}
}

static struct json_val *jr_value(struct jr *r, unsigned depth)
{
	struct json_val *v;
	char c;

	jr_ws(r);
	if (r->p >= r->end) {
		jr_fail(r, "unexpected end");
		return NULL;
	}
	c = *r->p;
	if ((c == '{' || c == '[') && depth >= JSON_DEPTH_MAX) {
		jr_fail(r, "nested deeper than %d", JSON_DEPTH_MAX);
		return NULL;
	}
	if (c == '{' || c == '[') {
		r->p++;
		return jr_container(r, c == '{' ? JSON_OBJ : JSON_ARR, depth);
	}
	if (c == '"') {
		r->p++;
		if (!(v = jr_new(r, JSON_STR)) ||
		    !(v->str = jr_string(r, &v->len)))
			return NULL;
		talloc_steal(v, v->str);
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return jr_number(r);
	return jr_literal(r);
}

int json_parse(void *ctx, const char *buf, size_t len, struct json_val **out,
	       char *err, size_t err_cap)
{
	void *tmp = talloc_named_const(ctx, 0, "json");
	struct jr r = { .ctx = tmp, .start = buf, .p = buf, .end = buf + len,
			.err = err, .cap = err_cap };
	struct json_val *v;

	if (!tmp)
		return -ENOMEM;
	if (err_cap)
		err[0] = '\0';
	v = jr_value(&r, 0);
	if (v) {
		jr_ws(&r);
		if (r.p < r.end)
			jr_fail(&r, "text after the value");
	}
	if (!v || r.failed) {
		if (!r.failed)
			jr_fail(&r, "not JSON");
		talloc_free(tmp);
		return -EINVAL;
	}
	talloc_steal(ctx, v);
	talloc_steal(v, tmp);	/* what the tree did not take goes with it */
	*out = v;
	return 0;
}

/* ---- reading request bodies -------------------------------------------- */

const struct json_val *json_get(const struct json_val *obj, const char *k)
{
	unsigned i;

	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->key[i], k))
			return obj->item[i];
	return NULL;
}

int json_only(const struct json_val *obj, const char *const *allowed,
	      char *why, size_t cap)
{
	unsigned i, k;

	if (!obj || obj->type != JSON_OBJ) {
		snprintf(why, cap, "the body must be a JSON object");
		return -EINVAL;
	}
	for (i = 0; i < obj->n; i++) {
		for (k = 0; allowed[k] && strcmp(allowed[k], obj->key[i]); k++)
			;
		if (!allowed[k]) {
			snprintf(why, cap, "%.64s: unknown member", obj->key[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* The member k; NULL when missing or null (an error when required). */
static const struct json_val *json_member(const struct json_val *obj,
					  const char *k, bool required,
					  char *why, size_t cap, int *rc)
{
	const struct json_val *v = json_get(obj, k);

	*rc = 0;
	if (v && v->type != JSON_NULL)
		return v;
	if (required) {
		snprintf(why, cap, "%s: is required", k);
		*rc = -EINVAL;
	}
	return NULL;
}

int json_get_str(const struct json_val *obj, const char *k, bool required,
		 size_t max_len, const char **out, char *why, size_t cap)
{
	int rc;
	const struct json_val *v = json_member(obj, k, required, why, cap, &rc);

	if (!v)
		return rc;
	if (v->type != JSON_STR) {
		snprintf(why, cap, "%s: must be a string", k);
		return -EINVAL;
	}
	if (max_len && v->len > max_len) {
		snprintf(why, cap, "%s: longer than %zu octets", k, max_len);
		return -EINVAL;
	}
	*out = v->str;
	return 0;
}

int json_get_int(const struct json_val *obj, const char *k, bool required,
		 int64_t min, int64_t max, int64_t *out, char *why,
		 size_t cap)
{
	int rc;
	const struct json_val *v = json_member(obj, k, required, why, cap, &rc);

	if (!v)
		return rc;
	if (v->type != JSON_NUM || !v->is_int || v->i < min || v->i > max) {
		snprintf(why, cap, "%s: must be an integer %lld..%lld", k,
			 (long long)min, (long long)max);
		return -EINVAL;
	}
	*out = v->i;
	return 0;
}

int json_get_bool(const struct json_val *obj, const char *k, bool *out,
		  char *why, size_t cap)
{
	int rc;
	const struct json_val *v = json_member(obj, k, false, why, cap, &rc);

	if (!v)
		return rc;
	if (v->type != JSON_BOOL) {
		snprintf(why, cap, "%s: must be true or false", k);
		return -EINVAL;
	}
	*out = v->b;
	return 0;
}

int json_get_list(void *ctx, const struct json_val *obj, const char *k,
		  unsigned max_items, const char **out, char *why,
		  size_t cap)
{
	int rc;
	const struct json_val *v = json_member(obj, k, false, why, cap, &rc);
	char *s;
	unsigned i;

	if (!v || v->type == JSON_STR) {
		if (v)
			*out = v->str;
		return rc;
	}
	if (v->type != JSON_ARR || v->n > max_items) {
		snprintf(why, cap, "%s: must be a string or an array of at "
			 "most %u strings", k, max_items);
		return -EINVAL;
	}
	s = talloc_strdup(ctx, "");
	for (i = 0; s && i < v->n; i++) {
		if (v->item[i]->type != JSON_STR || strchr(v->item[i]->str, ',')) {
			snprintf(why, cap, "%s: item %u must be a string "
				 "without ','", k, i);
			return -EINVAL;
		}
		s = talloc_asprintf_append(s, "%s%s", i ? "," : "",
					   v->item[i]->str);
	}
	if (!s) {
		snprintf(why, cap, "%s: out of memory", k);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}
