/*
 * test_fmt.c - unit tests of gateway/text/fmt.c (dates, money, names) and
 * handlers/domain/codes.c (the glossary's code lists): parsing what spreadsheets
 * contain, rendering what replies show, masking names by characters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "handlers/domain/codes.h"
#include "testutil.h"
#include "gateway/text/fmt.h"

static void date_ok(const char *in, const char *want)
{
	char out[FMT_ISO_DATE];

	if (fmt_date_parse(in, out) != 0)
		fail_msg("'%s' not parsed", in);
	assert_string_equal(out, want);
}

static void test_date_parse(void **state)
{
	static const char *const bad[] = {
		"", "2026-13-01", "2026-02-29", "2026/12-01", "26-12-01",
		"2026-12-01x", "2026年12月1", "12/01/2026", "202612011",
		"2026-1201", "abc", NULL,
	};
	char out[FMT_ISO_DATE];
	unsigned i;

	date_ok("2026-12-01", "2026-12-01");
	date_ok("2026-12-1", "2026-12-01");
	date_ok("2026/12/1", "2026-12-01");
	date_ok("2026.12.01", "2026-12-01");
	date_ok("20261201", "2026-12-01");
	date_ok(" 2026年12月1日 ", "2026-12-01");
	date_ok("2024-02-29", "2024-02-29");
	date_ok("2000-02-29", "2000-02-29");
	for (i = 0; bad[i]; i++) {
		if (fmt_date_parse(bad[i], out) != -EINVAL)
			fail_msg("'%s' parsed as %s", bad[i], out);
		assert_string_equal(out, "");
	}
	assert_int_equal(fmt_date_parse(NULL, out), -EINVAL);
	assert_false(fmt_date_valid(1900, 2, 29));
	assert_true(fmt_date_valid(2000, 2, 29));
	assert_false(fmt_date_valid(0, 1, 1));
}

static void test_date_cn(void **state)
{
	char out[FMT_CN_DATE];

	assert_int_equal(fmt_date_cn("2026-12-01", true, out, sizeof(out)), 0);
	assert_string_equal(out, "2026年12月1日");
	assert_int_equal(fmt_date_cn("2027-01-15", false, out, sizeof(out)),
			 0);
	assert_string_equal(out, "1月15日");
	assert_int_equal(fmt_date_cn("2026-12-1", true, out, sizeof(out)),
			 -EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(fmt_date_cn("", true, out, sizeof(out)), -EINVAL);
	assert_int_equal(fmt_date_cn("2026-12-01", true, out, 8), -ENOSPC);
	assert_string_equal(out, "");
}

static void test_local_date(void **state)
{
	char out[FMT_ISO_DATE];
	int64_t midnight = fmt_local_midnight_ms("2026-12-01");

	/* 2026-12-01 00:00 in Beijing is 2026-11-30 16:00 UTC */
	assert_int_equal(midnight, (int64_t)1796054400 * 1000);
	fmt_local_date(midnight, out);
	assert_string_equal(out, "2026-12-01");
	fmt_local_date(midnight - 1, out);
	assert_string_equal(out, "2026-11-30");
	fmt_local_date(0, out);
	assert_string_equal(out, "1970-01-01");
	fmt_local_date(-8 * 3600000 - 1, out);	/* before 1970 in Beijing */
	assert_string_equal(out, "1969-12-31");
	assert_int_equal(fmt_local_midnight_ms("2026-02-30"), -1);
	assert_int_equal(fmt_local_midnight_ms(NULL), -1);
}

static void test_yuan(void **state)
{
	char out[FMT_YUAN];

	fmt_yuan(150000, out, sizeof(out));
	assert_string_equal(out, "1500.00");
	fmt_yuan(5, out, sizeof(out));
	assert_string_equal(out, "0.05");
	fmt_yuan(0, out, sizeof(out));
	assert_string_equal(out, "0.00");
	fmt_yuan(-1250, out, sizeof(out));
	assert_string_equal(out, "-12.50");
	fmt_yuan(INT64_MIN, out, sizeof(out));
	assert_string_equal(out, "-92233720368547758.08");
}

static void yuan_ok(const char *in, int64_t want)
{
	int64_t fen = -1;

	if (fmt_yuan_parse(in, &fen) != 0)
		fail_msg("'%s' not parsed", in);
	assert_int_equal(fen, want);
}

static void test_yuan_parse(void **state)
{
	static const char *const bad[] = {
		"", "-5", "1.234", "1.", ".5", "abc", "1,5 00", "15 00",
		"1500元元", "$1500", ",100", NULL,
	};
	int64_t fen;
	unsigned i;

	yuan_ok("1500", 150000);
	yuan_ok("1500.5", 150050);
	yuan_ok("1500.05", 150005);
	yuan_ok("1,500.00", 150000);
	yuan_ok(" 1500元 ", 150000);
	yuan_ok("¥800", 80000);
	yuan_ok("￥1,200.5元", 120050);
	yuan_ok("0", 0);
	for (i = 0; bad[i]; i++)
		if (fmt_yuan_parse(bad[i], &fen) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
	assert_int_equal(fmt_yuan_parse("100000000.01", &fen), -ERANGE);
	assert_int_equal(fmt_yuan_parse("99999999999999999999", &fen),
			 -ERANGE);
	yuan_ok("100000000", FMT_YUAN_MAX_FEN);
}

static void mask_ok(const char *in, const char *want)
{
	char out[64];

	assert_int_equal(fmt_name_mask(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_name_mask(void **state)
{
	char out[8];

	mask_ok("张明", "张*");
	mask_ok("张小明", "张*明");
	mask_ok("欧阳小明", "欧**明");
	mask_ok("李", "*");
	mask_ok("阿依古丽·买买提", "阿******提");
	mask_ok("Tom", "T*m");
	assert_int_equal(fmt_name_mask("", out, sizeof(out)), -EINVAL);
	assert_string_equal(out, "*");
	assert_int_equal(fmt_name_mask("\xff\xfe", out, sizeof(out)), -EINVAL);
	assert_int_equal(fmt_name_mask(NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(fmt_name_mask("张小明", out, 7), -ENOSPC);
	assert_int_equal(fmt_name_mask("张小明", out, 8), 0);
	assert_int_equal(fmt_utf8_chars("欧阳小明"), 4);
	assert_int_equal(fmt_utf8_chars("\xed\xa0\x80"), -1);	/* surrogate */
	assert_int_equal(fmt_utf8_chars("\xc0\xaf"), -1);	/* overlong */
}

static void test_codes(void **state)
{
	char out[CODES_GROUPS_MAX], bad[32];

	assert_string_equal(codes_find(&codes_key_group, "农民工"), "migrant");
	assert_string_equal(codes_find(&codes_key_group, "农村转移就业劳动者"),
			    "migrant");
	assert_string_equal(codes_find(&codes_key_group, "Migrant"), "migrant");
	assert_null(codes_find(&codes_key_group, "migrants"));
	assert_null(codes_find(&codes_key_group, NULL));
	assert_string_equal(codes_find(&codes_subsidy_status, "不予补贴"),
			    "rejected");
	assert_string_equal(codes_label(&codes_subsidy_status, "paid"),
			    "已发放");
	assert_string_equal(codes_label(&codes_enrol_status, "completed"),
			    "已结业");
	assert_null(codes_label(&codes_result, "maybe"));
	assert_int_equal(codes_level("5"), 5);
	assert_int_equal(codes_level("高级技师"), 1);
	assert_int_equal(codes_level("中级"), 4);
	assert_int_equal(codes_level("6"), -1);
	assert_int_equal(codes_level("55"), -1);
	assert_string_equal(codes_level_label(3), "高级工");
	assert_null(codes_level_label(0));

	assert_int_equal(codes_key_groups("退役军人、农民工，migrant; poverty",
					  out, sizeof(out), bad, sizeof(bad)),
			 0);
	assert_string_equal(out, "migrant,veteran,poverty");
	assert_int_equal(codes_key_groups("", out, sizeof(out), NULL, 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(codes_key_groups("农民工 学生", out, sizeof(out), bad,
					  sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "学生");
}

/* Write text to a temporary file; its path in path. */
static void tmp_file(const char *text, char *path, size_t cap)
{
	int fd;

	snprintf(path, cap, "/tmp/test_glossary_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void *fmt_ctx;

/* Replace the first from in buf (cap bytes) by to. */
static void replace(char *buf, size_t cap, const char *from, const char *to)
{
	char *p = strstr(buf, from), tail[16384];

	assert_non_null(p);
	snprintf(tail, sizeof(tail), "%s", p + strlen(from));
	snprintf(p, cap - (p - buf), "%s%s", to, tail);
}

/* A broken glossary: every problem with its line, and nothing loaded. */
static void test_glossary_errors(void **state)
{
	FILE *src = fopen("conf/glossary.conf", "r");
	char buf[16384], path[64], errs[4096];
	size_t n;
	FILE *err;
	int rc;

	assert_non_null(src);
	n = fread(buf, 1, sizeof(buf) - 1, src);
	fclose(src);
	buf[n] = '\0';
	/* an unknown code (and so "farmer" without a label), a label that is
	 * another entry's, a label too long */
	replace(buf, sizeof(buf), "[ \"farmer\",", "[ \"farmex\",");
	replace(buf, sizeof(buf), "[ \"living\", \"生活费补贴\" ]",
		"[ \"living\", \"职业培训补贴\" ]");
	replace(buf, sizeof(buf), "[ \"2\", \"技师\"",
		"[ \"2\", \"技师技师技师技师技师技师技师\"");
	tmp_file(buf, path, sizeof(path));
	err = fmemopen(errs, sizeof(errs), "w");
	memset(errs, 0, sizeof(errs));
	rc = codes_load(path, err);
	fclose(err);
	unlink(path);
	print_message("%s", errs);
	assert_int_equal(rc, 4);
	assert_non_null(strstr(errs, "glossary.key_group: unknown code 'farmex'"));
	assert_non_null(strstr(errs, "glossary.key_group.farmer: no label"));
	assert_non_null(strstr(errs, "glossary.subsidy_kind.living: label is "
				     "already a word of another entry"));
	assert_non_null(strstr(errs, "glossary.level.2: label is longer than "
				     "12 characters"));
	/* each with the line of its entry */
	assert_non_null(strstr(errs, path));
	/* nothing is half loaded */
	assert_null(codes_label(&codes_key_group, "migrant"));
	assert_int_equal(codes_load("/nonexistent/glossary.conf",
				    NULL), 1);
	/* and the shipped file loads again */
	assert_int_equal(codes_load("conf/glossary.conf", NULL), 0);
	assert_string_equal(codes_label(&codes_key_group, "migrant"), "农民工");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_cn),
		cmocka_unit_test(test_local_date),
		cmocka_unit_test(test_yuan),
		cmocka_unit_test(test_yuan_parse),
		cmocka_unit_test(test_name_mask),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_glossary_errors),
	};

	int rc;

	fmt_ctx = talloc_named_const(NULL, 0, "test_fmt");
	testutil_glossary();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	codes_unload();
	talloc_free(fmt_ctx);
	return rc;
}
