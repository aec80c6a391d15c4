/*
 * test_json.c - unit tests of the API's JSON (gateway/api/json.c).
 *
 * Writer: commas and nesting, escapes (quote, backslash, control
 * characters, U+2028), bytes that are not UTF-8 written as U+FFFD, null
 * for a NULL string or a number that is not finite, no "-0", the size
 * limit and too deep nesting set the error flag. Reader: what RFC 8259
 * allows (every value kind, escapes, surrogate pairs, white space) and
 * what it does not (trailing commas, comments, leading zeros, single
 * quotes, control characters, bad UTF-8, lone surrogates, \u0000,
 * duplicate keys, text after the value, nesting deeper than 16), each
 * with an offset in its message; integers and their int64 range. The
 * body helpers: unknown members, required ones, types and bounds, lists.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "gateway/api/json.h"

static void *ctx;

/* The writer's text after fn wrote into a fresh writer. */
static const char *written(void (*fn)(struct json_w *w))
{
	struct json_w *w = json_w_new(ctx, 0);

	fn(w);
	assert_false(json_w_failed(w));
	return json_w_text(w);
}

static void w_nested(struct json_w *w)
{
	json_obj(w);
	json_kstr(w, "a", "x");
	json_key(w, "b");
	json_arr(w);
	json_int(w, 1);
	json_num(w, 2.5);
	json_bool(w, true);
	json_null(w);
	json_obj(w);
	json_end(w);
	json_end(w);
	json_ktime(w, "t", 0);
	json_kopt(w, "o", "");
	json_end(w);
}

static void w_escapes(struct json_w *w)
{
	json_str(w, "q\"b\\c\n\x01\xe2\x80\xa8z\xff\xc3");
}

static void w_numbers(struct json_w *w)
{
	json_arr(w);
	json_num(w, -0.0);
	json_num(w, 1.0 / 0.0);
	json_int(w, INT64_MIN);
	json_str(w, NULL);
	json_end(w);
}

static void test_writer(void **state)
{
	struct json_w *w;
	int i;

	assert_string_equal(written(w_nested),
			    "{\"a\":\"x\",\"b\":[1,2.5,true,null,{}],\"t\":null,"
			    "\"o\":null}");
	assert_string_equal(written(w_escapes),
			    "\"q\\\"b\\\\c\\u000a\\u0001\\u2028z\\ufffd\\ufffd\"");
	assert_string_equal(written(w_numbers),
			    "[0,null,-9223372036854775808,null]");
	w = json_w_new(ctx, 16);
	json_str(w, "0123456789abcdefghij");
	assert_true(json_w_failed(w));
	w = json_w_new(ctx, 0);
	for (i = 0; i <= JSON_DEPTH_MAX; i++)
		json_arr(w);
	assert_true(json_w_failed(w));
	w = json_w_new(ctx, 0);
	json_end(w);
	assert_true(json_w_failed(w));
}

static int parse(const char *s, struct json_val **v, char *err, size_t cap)
{
	return json_parse(ctx, s, strlen(s), v, err, cap);
}

static void test_reader_accepts(void **state)
{
	struct json_val *v;
	char err[160];

	assert_int_equal(parse(" {\"s\":\"a\\u00e9\\ud83d\\ude00\\n\", \"n\":-12,"
			       "\"f\":1.5e2,\"b\":false,\"z\":null,\"a\":[[],{}]}\r\n",
			       &v, err, sizeof(err)), 0);
	assert_int_equal(v->type, JSON_OBJ);
	assert_int_equal(v->n, 6);
	assert_string_equal(json_get(v, "s")->str, "a\xc3\xa9\xf0\x9f\x98\x80\n");
	assert_true(json_get(v, "n")->is_int);
	assert_int_equal(json_get(v, "n")->i, -12);
	assert_false(json_get(v, "f")->is_int);
	assert_true(json_get(v, "f")->num == 150);
	assert_int_equal(json_get(v, "b")->type, JSON_BOOL);
	assert_int_equal(json_get(v, "z")->type, JSON_NULL);
	assert_int_equal(json_get(v, "a")->n, 2);
	assert_null(json_get(v, "missing"));
	assert_int_equal(parse("9223372036854775807", &v, err, sizeof(err)), 0);
	assert_true(v->is_int);
	assert_int_equal(parse("9223372036854775808", &v, err, sizeof(err)), 0);
	assert_false(v->is_int);
	assert_int_equal(parse("\"\xe4\xb8\xad\xe6\x96\x87\"", &v, err,
			       sizeof(err)), 0);
	assert_int_equal(v->len, 6);
}

static void test_reader_refuses(void **state)
{
	static const char *const bad[] = {
		"", " ", "[1,]", "{\"a\":1,}", "// x\n1", "01", "-", "1.", ".5",
		"1e", "'a'", "\"a\x01\"", "\"\xff\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\u0000\"", "\"\\x\"", "{\"a\":1,\"a\":2}",
		"1 2", "[1] x", "tru", "nul", "{a:1}", "\"abc", "[1",
		"[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "1e999", "{\"a\"}",
	};
	struct json_val *v;
	char err[160];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i], &v, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strncmp(err, "at offset ", 10) == 0);
	}
	assert_int_equal(parse("{\"a\":1,\"a\":2}", &v, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "given twice"));
}

static void test_body_helpers(void **state)
{
	static const char *const keys[] = { "name", "n", "ok", "list", NULL };
	struct json_val *v;
	const char *s = NULL;
	char why[160];
	int64_t n = 0;
	bool b = false;

	assert_int_equal(parse("{\"name\":\"x\",\"n\":7,\"ok\":true,"
			       "\"list\":[\"a\",\"b\"]}", &v, why, sizeof(why)), 0);
	assert_int_equal(json_only(v, keys, why, sizeof(why)), 0);
	assert_int_equal(json_get_str(v, "name", true, 8, &s, why,
				      sizeof(why)), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_get_int(v, "n", true, 1, 10, &n, why,
				      sizeof(why)), 0);
	assert_int_equal(n, 7);
	assert_int_equal(json_get_bool(v, "ok", &b, why, sizeof(why)), 0);
	assert_true(b);
	assert_int_equal(json_get_list(ctx, v, "list", 4, &s, why, sizeof(why)),
			 0);
	assert_string_equal(s, "a,b");
	assert_int_equal(json_get_int(v, "n", true, 8, 10, &n, why,
				      sizeof(why)), -EINVAL);
	assert_string_equal(why, "n: must be an integer 8..10");
	assert_int_equal(json_get_str(v, "n", true, 8, &s, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "n: must be a string");
	assert_int_equal(json_get_str(v, "other", true, 8, &s, why,
				      sizeof(why)), -EINVAL);
	assert_string_equal(why, "other: is required");
	assert_int_equal(json_get_str(v, "name", true, 0, &s, why, sizeof(why)),
			 0);
	assert_int_equal(parse("{\"name\":\"x\",\"zz\":1}", &v, why,
			       sizeof(why)), 0);
	assert_int_equal(json_only(v, keys, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "zz: unknown member");
	assert_int_equal(parse("[1]", &v, why, sizeof(why)), 0);
	assert_int_equal(json_only(v, keys, why, sizeof(why)), -EINVAL);
	assert_int_equal(parse("{\"list\":[\"a,b\"]}", &v, why, sizeof(why)), 0);
	assert_int_equal(json_get_list(ctx, v, "list", 4, &s, why, sizeof(why)),
			 -EINVAL);
}

/* What the reader takes, the writer gives back the same. */
static void test_round_trip(void **state)
{
	const char *in = "{\"a\":[1,-2,3.25,\"\\u2028\xe4\xb8\xad\",{\"b\":null}],"
			 "\"c\":true}";
	struct json_w *w = json_w_new(ctx, 0);
	struct json_val *v;
	char err[160];

	assert_int_equal(parse(in, &v, err, sizeof(err)), 0);
	json_value(w, v);
	assert_string_equal(json_w_text(w), "{\"a\":[1,-2,3.25,"
			    "\"\\u2028\xe4\xb8\xad\",{\"b\":null}],\"c\":true}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_reader_accepts),
		cmocka_unit_test(test_reader_refuses),
		cmocka_unit_test(test_body_helpers),
		cmocka_unit_test(test_round_trip),
	};
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_json");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
