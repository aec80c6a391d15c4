/*
 * test_tmpl.c - unit tests of gateway/text/tmpl.c, the renderer behind texts,
 * menu texts and notices: placeholder names, values never expanded again,
 * braces left as they are when the lookup refuses a name, cutting at a
 * character boundary with -ENOSPC; and the problem list of the loaders,
 * printed in line order, then in the order found.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/text/tmpl.h"

/* "who" and "x" have values; "{x}" expands to a placeholder; any other
 * name is refused (NULL), so its braces stay. */
static const char *lookup(void *arg, const char *name, size_t len)
{
	int *calls = arg;

	++*calls;
	if (len == 3 && !strncmp(name, "who", len))
		return "张三";
	if (len == 1 && !strncmp(name, "x", len))
		return "{who}";
	return NULL;
}

static void test_names(void **state)
{
	assert_int_equal(tmpl_name_len("name}"), 4);
	assert_int_equal(tmpl_name_len("start_date}x"), 10);
	assert_int_equal(tmpl_name_len("a1}"), 2);
	assert_int_equal(tmpl_name_len("}"), 0);
	assert_int_equal(tmpl_name_len("Name}"), 0);
	assert_int_equal(tmpl_name_len("name"), 0);
	assert_int_equal(tmpl_name_len("na me}"), 0);
	assert_int_equal(tmpl_name_len("abcdefghijklmnopqrstuvw}"), 23);
	assert_int_equal(tmpl_name_len("abcdefghijklmnopqrstuvwx}"), 0);
	assert_true(tmpl_allowed("signature hotline name", "hotline", 7));
	assert_true(tmpl_allowed("signature hotline name", "name", 4));
	assert_false(tmpl_allowed("signature hotline name", "hot", 3));
	assert_false(tmpl_allowed("", "name", 4));
}

static void test_render(void **state)
{
	char out[64];
	int calls = 0, rc;

	rc = tmpl_render("你好{who}，{x}", lookup, &calls, out, sizeof(out));
	assert_string_equal(out, "你好张三，{who}");
	assert_int_equal(rc, (int)strlen(out));
	assert_int_equal(calls, 2);
	/* refused, malformed and stray braces are copied */
	tmpl_render("{nope} {A} {who {} }", lookup, &calls, out, sizeof(out));
	assert_string_equal(out, "{nope} {A} {who {} }");
	assert_int_equal(tmpl_render(NULL, lookup, &calls, out, sizeof(out)),
			 0);
	assert_string_equal(out, "");
}

static void test_cut(void **state)
{
	char out[8];
	int calls = 0;

	/* 2 + 3 + 3 bytes do not fit in 7: the last character goes whole */
	assert_int_equal(tmpl_render("ab{who}", lookup, &calls, out,
				     sizeof(out)), -ENOSPC);
	assert_string_equal(out, "ab张");
	assert_int_equal(tmpl_render("ab", lookup, &calls, out, 0), -ENOSPC);
	assert_int_equal(tmpl_render("abcdefg", lookup, &calls, out,
				     sizeof(out)), 7);
}

static void test_out(void **state)
{
	char buf[6];
	struct tmpl_out o;

	tmpl_out_init(&o, buf, sizeof(buf));
	assert_string_equal(buf, "");
	tmpl_put(&o, "ab", 2);
	tmpl_put(&o, "\xc3\xa9\xc3\xa9", 4);	/* éé: only one fits */
	assert_true(o.cut);
	assert_string_equal(buf, "ab\xc3\xa9");
	tmpl_put(&o, "c", 1);			/* nothing after a cut */
	assert_string_equal(buf, "ab\xc3\xa9");
	tmpl_out_init(&o, NULL, 0);
	tmpl_put(&o, "ab", 2);
	assert_int_equal(o.len, 0);
}

static void test_problems(void **state)
{
	struct tmpl_problems pr = { .file = "t.conf" };
	config_t cf;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	config_init(&cf);
	assert_int_equal(config_read_string(&cf, "a = 1;\nb = 2;\nc = 3;\n"),
			 CONFIG_TRUE);
	tmpl_report(&pr, config_lookup(&cf, "c"), "c: %s", "third");
	tmpl_report(&pr, config_lookup(&cf, "a"), "a: first");
	tmpl_report(&pr, config_lookup(&cf, "c"), "c: again");
	tmpl_report(&pr, NULL, "nowhere");
	assert_int_equal(pr.n, 4);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	tmpl_flush(&pr, f);
	fclose(f);
	assert_string_equal(text, "t.conf:0: nowhere\n"
				  "t.conf:1: a: first\n"
				  "t.conf:3: c: third\n"
				  "t.conf:3: c: again\n");
	assert_int_equal(pr.n, 4);
	assert_null(pr.v);
	free(text);
	config_destroy(&cf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_out),
		cmocka_unit_test(test_problems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
