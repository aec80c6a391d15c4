/*
 * test_command.c - unit tests of handlers/sms/command.c: normalisation of what
 * phones send, the keyword table (every keyword of the command table README gives, in upper,
 * lower and full-width case, alone, with a space and glued to an
 * argument), the closest-keyword suggestion, the argument helpers, and
 * hostile input (invalid UTF-8, NUL bytes, very long text, SQL).
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

#include "handlers/sms/command.h"
#include "gateway/text/input.h"

static void parse(const char *text, struct command *c)
{
	command_parse(text, text ? strlen(text) : 0, c);
}

static void expect_cmd(const char *text, enum command_id id, const char *arg)
{
	struct command c;

	parse(text, &c);
	if (c.id != id || strcmp(c.arg, arg)) {
		print_error("'%s': got %s '%s', want %s '%s'\n", text,
			    command_name(c.id), c.arg, command_name(id), arg);
		fail();
	}
}

static void expect_near(const char *text, const char *kw, enum command_id id)
{
	struct command c;

	parse(text, &c);
	assert_int_equal(c.id, COMMAND_UNKNOWN);
	if (!kw) {
		if (c.near_keyword)
			print_error("'%s': suggested %s\n", text, c.near_keyword);
		assert_null(c.near_keyword);
		assert_int_equal(c.near, COMMAND_UNKNOWN);
		return;
	}
	if (!c.near_keyword || strcmp(c.near_keyword, kw)) {
		print_error("'%s': suggested %s, want %s\n", text,
			    c.near_keyword ? c.near_keyword : "nothing", kw);
		fail();
	}
	assert_int_equal(c.near, id);
}

static void expect_norm(const char *in, const char *want)
{
	char out[256];
	size_t n = input_normalise(in, strlen(in), out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

/* ------------------------------------------------------------------ */

static void test_normalise(void **state)
{
	expect_norm("  bm  2031 ", "BM 2031");
	expect_norm("ｂｍ　２０３１", "BM 2031");		/* full width */
	expect_norm("ＢＴ！", "BT");
	expect_norm("补贴，查询。", "补贴 查询");
	expect_norm("报名、2031；2032", "报名 2031 2032");
	expect_norm("“课程”（普宁）【电工】", "课程 普宁 电工");
	expect_norm("zc\t445281199001011234\r\n张三", "ZC 445281199001011234 张三");
	expect_norm("BM+2031", "BM 2031");
	expect_norm("帮助？", "帮助?");			/* ? stays */
	expect_norm("阿依古丽·买买提", "阿依古丽·买买提");	/* name dot stays */
	expect_norm("", "");
	expect_norm("，。、", "");
	expect_norm("\xef\xbb\xbf" "BZ", "BZ");		/* BOM */
	expect_norm("a\xc2\xa0" "b", "A B");			/* no-break space */
	expect_norm("x\xe2\x80\x8b" "y", "X Y");		/* zero width space */
}

static void test_normalise_invalid_utf8(void **state)
{
	expect_norm("\xff" "BM\xfe" "12", "BM 12");
	expect_norm("\xc0\xaf" "BT", "BT");			/* overlong '/' */
	expect_norm("\xed\xa0\x80" "BT", "BT");		/* surrogate */
	expect_norm("BT\xe4\xb8", "BT");			/* cut character */
	expect_norm("\xf4\x90\x80\x80", "");			/* > U+10FFFF */
}

static void test_normalise_bounds(void **state)
{
	char out[8];
	size_t n;

	/* cut at a character boundary: 2 CJK (6 bytes) fit in 8 with NUL */
	n = input_normalise("报名报名", strlen("报名报名"), out, sizeof(out));
	assert_int_equal(n, 6);
	assert_string_equal(out, "报名");
	n = input_normalise("abc", 3, out, 1);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_int_equal(input_normalise("abc", 3, out, 0), 0);
	n = input_normalise(NULL, 5, out, sizeof(out));
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
}

/* Every keyword of the SMS commands reaches its command. */
static void test_keywords(void **state)
{
	static const struct {
		const char *kw;
		enum command_id id;
	} t[] = {
		{ "BZ", COMMAND_HELP }, { "帮助", COMMAND_HELP },
		{ "HELP", COMMAND_HELP }, { "?", COMMAND_HELP },
		{ "ZC", COMMAND_REGISTER }, { "注册", COMMAND_REGISTER },
		{ "REG", COMMAND_REGISTER },
		{ "BT", COMMAND_SUBSIDY }, { "补贴", COMMAND_SUBSIDY },
		{ "SUBSIDY", COMMAND_SUBSIDY },
		{ "KC", COMMAND_COURSES }, { "课程", COMMAND_COURSES },
		{ "COURSES", COMMAND_COURSES },
		{ "BM", COMMAND_ENROL }, { "报名", COMMAND_ENROL },
		{ "ENROLL", COMMAND_ENROL }, { "ENROL", COMMAND_ENROL },
		{ "QX", COMMAND_CANCEL }, { "取消", COMMAND_CANCEL },
		{ "CANCEL", COMMAND_CANCEL },
		{ "DA", COMMAND_RECORD }, { "档案", COMMAND_RECORD },
		{ "WD", COMMAND_RECORD }, { "我的", COMMAND_RECORD },
		{ "RECORD", COMMAND_RECORD },
		{ "TD", COMMAND_STOP }, { "T", COMMAND_STOP },
		{ "退订", COMMAND_STOP }, { "STOP", COMMAND_STOP },
		{ "DY", COMMAND_START }, { "订阅", COMMAND_START },
		{ "START", COMMAND_START },
	};
	char buf[64];
	size_t i, j;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		expect_cmd(t[i].kw, t[i].id, "");
		/* lower case */
		for (j = 0; t[i].kw[j]; j++)
			buf[j] = t[i].kw[j] >= 'A' && t[i].kw[j] <= 'Z' ?
				 t[i].kw[j] + 32 : t[i].kw[j];
		buf[j] = '\0';
		expect_cmd(buf, t[i].id, "");
		/* with an argument after a space, and trailing punctuation */
		snprintf(buf, sizeof(buf), " %s 2031。", t[i].kw);
		expect_cmd(buf, t[i].id, "2031");
	}
}

static void test_glued_argument(void **state)
{
	expect_cmd("BM2031", COMMAND_ENROL, "2031");
	expect_cmd("bm2031", COMMAND_ENROL, "2031");
	expect_cmd("报名2031", COMMAND_ENROL, "2031");
	expect_cmd("报名 2031", COMMAND_ENROL, "2031");
	expect_cmd("ｂｍ　２０３１", COMMAND_ENROL, "2031");
	expect_cmd("ＢＭ２０３１", COMMAND_ENROL, "2031");
	expect_cmd("enroll2031", COMMAND_ENROL, "2031");
	expect_cmd("QX2031", COMMAND_CANCEL, "2031");
	expect_cmd("KC普宁", COMMAND_COURSES, "普宁");
	expect_cmd("课程普宁 电工", COMMAND_COURSES, "普宁 电工");
	expect_cmd("补贴查询", COMMAND_SUBSIDY, "查询");
	expect_cmd("注册445281199001011234，张三", COMMAND_REGISTER,
		   "445281199001011234 张三");
	expect_cmd("ZC445281199001011234张三", COMMAND_REGISTER,
		   "445281199001011234张三");
	expect_cmd("BM+2031", COMMAND_ENROL, "2031");
	expect_cmd("帮助?", COMMAND_HELP, "");
	expect_cmd("？", COMMAND_HELP, "");
	expect_cmd("??", COMMAND_HELP, "");
	/* "取消订阅" is stop, not cancel + 订阅 */
	expect_cmd("取消订阅", COMMAND_STOP, "");
	expect_cmd("取消 订阅", COMMAND_CANCEL, "订阅");
	/* a Latin keyword is not glued to more letters */
	expect_cmd("BTT", COMMAND_UNKNOWN, "");
	expect_cmd("TEST", COMMAND_UNKNOWN, "");
	expect_cmd("TD退订", COMMAND_STOP, "退订");
}

static void test_closest(void **state)
{
	expect_near("BTT", "BT", COMMAND_SUBSIDY);
	expect_near("btt", "BT", COMMAND_SUBSIDY);
	expect_near("SUBSIDI", "SUBSIDY", COMMAND_SUBSIDY);
	expect_near("subsidys", "SUBSIDY", COMMAND_SUBSIDY);
	expect_near("COURSE", "COURSES", COMMAND_COURSES);
	expect_near("HLEP", "HELP", COMMAND_HELP);	/* transposition */
	expect_near("CANCLE", "CANCEL", COMMAND_CANCEL);
	expect_near("QXX", "QX", COMMAND_CANCEL);
	expect_near("REGISTER", "REG", COMMAND_REGISTER);	/* prefix */
	expect_near("我想查补贴", "补贴", COMMAND_SUBSIDY);	/* contained */
	expect_near("请问怎么报名", "报名", COMMAND_ENROL);
	/* nothing near, or two commands equally near */
	expect_near("XYZZY", NULL, COMMAND_UNKNOWN);
	expect_near("B", NULL, COMMAND_UNKNOWN);
	expect_near("X", NULL, COMMAND_UNKNOWN);
	expect_near("DD", NULL, COMMAND_UNKNOWN);	/* DA, DY, TD */
	expect_near("你好", NULL, COMMAND_UNKNOWN);
	expect_near("", NULL, COMMAND_UNKNOWN);
	expect_near("12345", NULL, COMMAND_UNKNOWN);
}

static void test_closest_direct(void **state)
{
	enum command_id id = COMMAND_HELP;

	assert_string_equal(command_closest("STPO", &id), "STOP");
	assert_int_equal(id, COMMAND_STOP);
	assert_null(command_closest("", &id));
	assert_int_equal(id, COMMAND_UNKNOWN);
	assert_null(command_closest("ABCDEFGHIJKLMNOPQRSTUVWXYZ", NULL));
}

static void test_names(void **state)
{
	assert_string_equal(command_name(COMMAND_SUBSIDY), "subsidy");
	assert_string_equal(command_name(COMMAND_NUM), "unknown");
	assert_string_equal(command_name((enum command_id)-1), "unknown");
	assert_string_equal(command_keyword(COMMAND_ENROL), "BM");
	assert_string_equal(command_keyword(COMMAND_NUM), "");
}

static void test_hostile(void **state)
{
	static const char nul[] = "BM\0" "2031";
	struct command c;
	char big[1001 * 3 + 8];
	size_t i;

	/* SQL stays text */
	expect_cmd("BM 2031'; DROP TABLE worker;--", COMMAND_ENROL,
		   "2031 DROP TABLE WORKER");
	expect_near("' OR '1'='1", NULL, COMMAND_UNKNOWN);
	/* an embedded NUL is a separator */
	command_parse(nul, sizeof(nul) - 1, &c);
	assert_int_equal(c.id, COMMAND_ENROL);
	assert_string_equal(c.arg, "2031");
	/* 1,000 Chinese characters: the argument is cut, whole characters */
	strcpy(big, "KC ");
	for (i = 0; i < 1000; i++)
		strcat(big, "电");
	parse(big, &c);
	assert_int_equal(c.id, COMMAND_COURSES);
	assert_true(strlen(c.arg) < COMMAND_ARG_MAX);
	assert_int_equal(strlen(c.arg) % 3, 0);
	/* one 1,000-letter word */
	memset(big, 'A', 1000);
	big[1000] = '\0';
	parse(big, &c);
	assert_int_equal(c.id, COMMAND_UNKNOWN);
	assert_int_equal(strlen(c.word), COMMAND_WORD_MAX - 1);
	assert_null(c.near_keyword);
	/* NULL text */
	command_parse(NULL, 10, &c);
	assert_int_equal(c.id, COMMAND_UNKNOWN);
	assert_string_equal(c.word, "");
}

static void test_arg_digits(void **state)
{
	char code[8];

	assert_int_equal(input_digits("2031", code, sizeof(code)), 0);
	assert_string_equal(code, "2031");
	assert_int_equal(input_digits("课程 2031 2032", code,
					    sizeof(code)), 0);
	assert_string_equal(code, "2031");
	assert_int_equal(input_digits("电工", code, sizeof(code)),
			 -ENOENT);
	assert_string_equal(code, "");
	assert_int_equal(input_digits("12345678", code, sizeof(code)),
			 -EINVAL);
	assert_int_equal(input_digits("", code, sizeof(code)), -ENOENT);
}

static void test_arg_id_name(void **state)
{
	char id[24], name[32];

	assert_int_equal(input_id_name("445281199001011234 张三", id,
					     sizeof(id), name, sizeof(name)), 0);
	assert_string_equal(id, "445281199001011234");
	assert_string_equal(name, "张三");
	/* name first, glued, X check character */
	assert_int_equal(input_id_name("张三44528119900101123X", id,
					     sizeof(id), name, sizeof(name)), 0);
	assert_string_equal(id, "44528119900101123X");
	assert_string_equal(name, "张三");
	assert_int_equal(input_id_name("阿依古丽·买买提 445281199001011234",
					     id, sizeof(id), name,
					     sizeof(name)), 0);
	assert_string_equal(name, "阿依古丽·买买提");
	/* refusals */
	assert_int_equal(input_id_name("张三", id, sizeof(id), name,
					     sizeof(name)), -ENOENT);
	assert_int_equal(input_id_name("4452811990 张三", id, sizeof(id),
					     name, sizeof(name)), -EINVAL);
	assert_int_equal(input_id_name("4452811990010112345 张三", id,
					     sizeof(id), name, sizeof(name)),
			 -EINVAL);
	assert_int_equal(input_id_name("445281199001011234", id,
					     sizeof(id), name, sizeof(name)),
			 -ENODATA);
	assert_int_equal(input_id_name("445281199001011234 张三李四王五赵六",
					     id, sizeof(id), name, 8),
			 -EMSGSIZE);
	assert_int_equal(input_id_name("445281199001011234 张三", id, 10,
					     name, sizeof(name)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_normalise_invalid_utf8),
		cmocka_unit_test(test_normalise_bounds),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_glued_argument),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_closest_direct),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_arg_digits),
		cmocka_unit_test(test_arg_id_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
