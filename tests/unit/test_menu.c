/*
 * test_menu.c - the USSD menu file and screens: loading conf/ussd_menu.conf,
 * the problems skillgw -t reports for a broken one (as FILE:LINE:
 * menu.SCREEN: reason), counting characters as the phone does (GSM 7-bit
 * with its escapes, UCS-2 with surrogate pairs), and paging at the exact
 * limits, Chinese (80 UTF-16 units) and GSM (182 septets): a page that
 * fits to the last unit stays one page, one unit more makes two. Also the
 * splitting of a dial string or an HTTP text into answers.
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
#include <osmocom/core/talloc.h>

#include "gateway/text/charset.h"
#include "gateway/ussd/menu.h"

#define MENU_CONF	"conf/ussd_menu.conf"
#define GSM_CONF	"tests/unit/conf/ussd_gsm.conf"

static void *ctx;

static const struct menu_params params = {
	.screen_gsm = 182, .screen_ucs2 = 80, .service_code = "*12333#",
	.hotline = "12333",
};

/* Load path; the problems printed go to errs (cap bytes). */
static struct menu *load(const char *path, char *errs, size_t cap, int *n)
{
	FILE *f = fmemopen(errs, cap, "w");
	struct menu *m;

	assert_non_null(f);
	memset(errs, 0, cap);
	m = menu_load(ctx, path, &params, f, n);
	fclose(f);
	return m;
}

/* The real menu with from replaced by to, written to a temporary file. */
static char *variant(const char *from, const char *to)
{
	static char path[64];
	char *text, *at;
	FILE *f = fopen(MENU_CONF, "r");
	long len;
	int fd;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = talloc_zero_size(ctx, len + 1);
	assert_int_equal(fread(text, 1, len, f), len);
	fclose(f);
	at = strstr(text, from);
	assert_non_null(at);
	snprintf(path, sizeof(path), "/tmp/test_menu_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	fclose(f);
	talloc_free(text);
	return path;
}

static unsigned units(const struct menu *m, const char *s)
{
	unsigned limit;

	return menu_units(m, s, &limit);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void test_load_conf(void **state)
{
	char errs[2048];
	struct menu *m;
	const struct menu_screen *root;
	char buf[MENU_SCREEN_MAX];
	int n = -1;

	m = load(MENU_CONF, errs, sizeof(errs), &n);
	assert_string_equal(errs, "");
	assert_int_equal(n, 0);
	assert_non_null(m);
	root = menu_root(m);
	assert_string_equal(root->name, "main");
	assert_int_equal(root->n_items, 6);
	assert_string_equal(root->item[0].action, "subsidy");
	assert_null(root->item[4].action);
	assert_string_equal(root->item[4].screen->name, "notify");
	menu_screen_text(m, root, false, buf, sizeof(buf));
	assert_string_equal(buf, "揭阳人社 技能培训\n1 补贴查询\n2 课程报名\n"
			    "3 我的培训\n4 最新通知\n5 通知订阅/退订\n"
			    "6 签到与评价");
	menu_screen_text(m, root->item[5].screen, true, buf, sizeof(buf));
	assert_string_equal(buf, "培训签到与评价\n1 今日到课签到\n2 课程评价\n"
			    "3 就业情况回访\n0 返回");
	menu_screen_text(m, root->item[4].screen, true, buf, sizeof(buf));
	assert_string_equal(buf, "培训通知订阅\n1 退订通知\n2 恢复接收通知\n0 返回");
	menu_render(m, MX_ENDED, NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "会话已结束，请重新拨打*12333#");
	menu_render(m, MX_GROUPS, (struct texts_val[]){
		{ "region", "普宁市" } }, 1, buf, sizeof(buf));
	assert_string_equal(buf, "普宁市 选择工种类别：");
	menu_free(m);
}

/* One broken variant: the problem reported, as FILE:LINE: path: reason. */
static void expect_problem(const char *from, const char *to, const char *want)
{
	char errs[4096], line[512];
	const char *path = variant(from, to);
	struct menu *m;
	int n = 0;

	m = load(path, errs, sizeof(errs), &n);
	unlink(path);
	if (m || !strstr(errs, want)) {
		print_error("replacing %s by %s: want \"%s\" in:\n%s\n", from, to,
			    want, errs);
		fail();
	}
	snprintf(line, sizeof(line), "%s:", path);
	assert_memory_equal(errs, line, strlen(line));	/* FILE:LINE: */
	assert_true(n >= 1);
}

static void test_load_problems(void **state)
{
	expect_problem("action = \"record\"", "action = \"recrod\"",
		       ": menu.main.items.[2].action: unknown action \"recrod\" "
		       "(known: subsidy enrol record notices optout optin checkin rate employment)");
	expect_problem("screen = \"notify\"", "screen = \"notfy\"",
		       ": menu.main.items.[4].screen: no screen named \"notfy\"");
	expect_problem("  main: {", "  mainx: {",
		       ": menu.main: missing (the main menu)");
	expect_problem("action = \"optout\"; }",
		       "action = \"optout\"; screen = \"main\"; }",
		       ": menu.notify.items.[0]: needs action or screen");
	expect_problem("{ label = \"补贴查询\"; action = \"subsidy\"; },",
		       "{ label = \"补贴查询\"; action = \"subsidy\"; },"
		       "{ label = \"a\"; action = \"subsidy\"; },"
		       "{ label = \"b\"; action = \"subsidy\"; },"
		       "{ label = \"c\"; action = \"subsidy\"; },"
		       "{ label = \"d\"; action = \"subsidy\"; },",
		       ": menu.main.items: more than 8 items");
	expect_problem("title = \"培训通知订阅\";",
		       "title = \"培训通知订阅培训通知订阅培训通知订阅培训通知"
		       "订阅培训通知订阅培训通知订阅培训通知订阅培训通知订阅"
		       "培训通知订阅\";",
		       ": menu.notify: 86 characters with a one-line error above "
		       "it, over the screen limit of 80");
	/* 80 to the last character is fine */
	{
		char errs[2048];
		const char *p = variant("title = \"培训通知订阅\";",
			"title = \"培训通知订阅培训通知订阅培训通知订阅培训通知"
			"订阅培训通知订阅培训通知订阅培训通知订阅培训通知订阅\";");
		struct menu *m = load(p, errs, sizeof(errs), NULL);

		unlink(p);
		assert_non_null(m);
		menu_free(m);
	}
	expect_problem("title = \"培训通知订阅\";", "title = \"\";",
		       ": menu.notify.title: must be a non-empty string");
	expect_problem("title = \"培训通知订阅\";", "title = \"x\"; colour = 1;",
		       ": menu.notify.colour: unknown setting (allowed: title "
		       "items)");
	expect_problem("  back = \"0 返回\";\n", "",
		       ": texts.back: missing");
	expect_problem("more = \"9 下一页\";", "more = \"9 下一页{page}\";",
		       ": texts.more: unknown placeholder {page} (allowed: none)");
	expect_problem("groups = \"{region} 选择工种类别：\";",
		       "groups = \"{region 选择工种类别：\";",
		       ": texts.groups: stray brace");
	expect_problem("invalid = \"输入有误，请重新选择\";",
		       "invalid = \"输入有误\n请重新选择\";",
		       ": texts.invalid: must be one line");
	expect_problem("  ended = \"会话已结束，请重新拨打{code}\";",
		       "  ended = \"会话已结束，请重新拨打{code}会话已结束，请重新"
		       "拨打{code}会话已结束，请重新拨打{code}会话已结束，请重"
		       "新拨打{code}会话已结束，请重新拨打{code}\";",
		       ": texts.ended: 90 characters, over the screen limit of 80");
	expect_problem("menu: {", "menu: { x = 1; y = {",
		       ": syntax: ");
}

static void test_load_all_problems(void **state)
{
	char errs[4096];
	const char *path;
	int n = 0;

	/* two problems in one file: both reported, in file order */
	path = variant("action = \"record\"; },\n      { label = \"最新通知\"; "
		       "action = \"notices\"; },\n      { label = \"通知订阅/退订\"; "
		       "screen = \"notify\"; }",
		       "action = \"recrod\"; },\n      { label = \"最新通知\"; "
		       "action = \"notices\"; },\n      { label = \"通知订阅/退订\"; "
		       "screen = \"notfy\"; }");
	assert_null(load(path, errs, sizeof(errs), &n));
	unlink(path);
	assert_int_equal(n, 2);
	assert_true(strstr(errs, "recrod") < strstr(errs, "notfy"));
	assert_null(load("/nonexistent/menu.conf", errs, sizeof(errs), &n));
	assert_non_null(strstr(errs, "/nonexistent/menu.conf: cannot read"));
}

/* ------------------------------------------------------------------ */
/* Counting as the phone does                                          */

static void test_units(void **state)
{
	char errs[1024];
	struct menu *m = load(MENU_CONF, errs, sizeof(errs), NULL);
	unsigned limit;

	assert_non_null(m);
	assert_int_equal(menu_units(m, "abc", &limit), 3);
	assert_int_equal(limit, 182);
	assert_int_equal(menu_units(m, "a{b}€", &limit), 8);	/* escapes: 2 */
	assert_int_equal(limit, 182);
	assert_int_equal(menu_units(m, "中a", &limit), 2);
	assert_int_equal(limit, 80);
	assert_int_equal(menu_units(m, "😀中", &limit), 3);	/* surrogate pair */
	assert_int_equal(limit, 80);
	assert_string_equal(menu_reserve_line(m), "输入有误，请重新选择");
	menu_free(m);
}

/* n copies of the UTF-8 character c. */
static char *rep(const char *c, unsigned n)
{
	char *s = talloc_strdup(ctx, "");
	unsigned i;

	for (i = 0; i < n; i++)
		s = talloc_strdup_append(s, c);
	return s;
}

/* A page of lines from first; returns the lines taken. */
static unsigned page(const struct menu *m, const char *const *lines,
		     unsigned n, unsigned first, bool number, char *out,
		     bool *more)
{
	return menu_page(m, NULL, NULL, lines, n, first, number, false,
			 menu_text_get(m, MX_MORE_BACK),
			 menu_text_get(m, MX_BACK), out, MENU_SCREEN_MAX, more);
}

/* Chinese: 80 UTF-16 units, of which the error line above (10 + '\n')
 * and the footer ('\n' + "0 返回" 4, or "9 下一页  0 返回" 11) are kept:
 * 64 for the lines of a last page. */
static void test_page_ucs2_exact(void **state)
{
	char errs[1024], out[MENU_SCREEN_MAX], top[2 * MENU_SCREEN_MAX + 8];
	struct menu *m = load(MENU_CONF, errs, sizeof(errs), NULL);
	const char *lines[3];
	bool more;

	lines[0] = rep("中", 64);
	assert_int_equal(page(m, lines, 1, 0, false, out, &more), 1);
	assert_false(more);
	assert_int_equal(units(m, out), 64 + 1 + 4);
	snprintf(top, sizeof(top), "%s\n%s", menu_reserve_line(m), out);
	assert_int_equal(units(m, top), 80);	/* to the last unit */
	assert_true(menu_fits(m, top));

	lines[0] = rep("中", 30);
	lines[1] = rep("文", 33);		/* 30 + '\n' + 33 = 64 */
	assert_int_equal(page(m, lines, 2, 0, false, out, &more), 2);
	assert_false(more);
	lines[1] = rep("文", 34);		/* one unit more: two pages */
	assert_int_equal(page(m, lines, 2, 0, false, out, &more), 1);
	assert_true(more);
	assert_string_equal(out + strlen(out) - strlen("9 下一页  0 返回"),
			    "9 下一页  0 返回");
	assert_int_equal(page(m, lines, 2, 1, false, out, &more), 1);
	assert_false(more);
	assert_int_equal(units(m, out), 34 + 1 + 4);

	/* a character outside the BMP is two units */
	lines[0] = talloc_asprintf(ctx, "%s😀", rep("中", 62));
	assert_int_equal(page(m, lines, 1, 0, false, out, &more), 1);
	assert_false(more);
	lines[0] = talloc_asprintf(ctx, "%s😀", rep("中", 63));
	lines[1] = "x";
	assert_int_equal(page(m, lines, 2, 0, false, out, &more), 1);
	assert_true(more);
	menu_free(m);
}

/* GSM: 182 septets; "Wrong choice" (12) and '\n' above, '\n' and "0 Back"
 * (6) below: 162 for the lines of a last page, '{' counting two. */
static void test_page_gsm_exact(void **state)
{
	char errs[1024], out[MENU_SCREEN_MAX], top[2 * MENU_SCREEN_MAX + 8];
	struct menu *m = load(GSM_CONF, errs, sizeof(errs), NULL);
	const char *lines[2];
	unsigned limit;
	bool more;

	assert_non_null(m);
	lines[0] = rep("{", 81);		/* 162 septets */
	assert_int_equal(page(m, lines, 1, 0, false, out, &more), 1);
	assert_false(more);
	snprintf(top, sizeof(top), "%s\n%s", menu_reserve_line(m), out);
	assert_int_equal(menu_units(m, top, &limit), 182);
	assert_int_equal(limit, 182);
	lines[0] = rep("{", 40);		/* 80 + '\n' + 81 = 162 */
	lines[1] = rep("a", 81);
	assert_int_equal(page(m, lines, 2, 0, false, out, &more), 2);
	assert_false(more);
	lines[1] = rep("a", 82);		/* one septet more: two pages */
	assert_int_equal(page(m, lines, 2, 0, false, out, &more), 1);
	assert_true(more);
	assert_int_equal(menu_units(m, out, &limit),
			 80 + 1 + strlen("9 Next 0 Back"));
	/* a Chinese character turns the page into UCS-2: 80 then */
	lines[0] = talloc_asprintf(ctx, "%s中", rep("a", 66));
	assert_int_equal(page(m, lines, 1, 0, false, out, &more), 1);
	assert_false(more);
	lines[0] = talloc_asprintf(ctx, "%s中", rep("a", 67));
	lines[1] = "b";
	assert_int_equal(page(m, lines, 2, 0, false, out, &more), 1);
	assert_true(more);
	menu_free(m);
}

/* Numbered lists: keys restart at 1 on each page, at most 8 a page. */
static void test_page_numbered(void **state)
{
	char errs[1024], out[MENU_SCREEN_MAX];
	struct menu *m = load(GSM_CONF, errs, sizeof(errs), NULL);
	const char *lines[12] = { "a", "b", "c", "d", "e", "f", "g", "h", "i",
				  "j", "k", "l" };
	unsigned k;
	bool more;

	k = page(m, lines, 12, 0, true, out, &more);
	assert_int_equal(k, 8);
	assert_true(more);
	assert_string_equal(out, "1 a\n2 b\n3 c\n4 d\n5 e\n6 f\n7 g\n8 h\n"
			    "9 Next 0 Back");
	k = page(m, lines, 12, 8, true, out, &more);
	assert_int_equal(k, 4);
	assert_false(more);
	assert_string_equal(out, "1 i\n2 j\n3 k\n4 l\n0 Back");
	k = menu_page(m, "Wrong choice", "Region:", lines, 2, 0, true, true,
		      "9 Next 0 Back", "0 Back", out, sizeof(out), &more);
	assert_true(more);	/* the caller knows of more */
	assert_string_equal(out, "Wrong choice\nRegion:\n1 a\n2 b\n9 Next 0 Back");
	menu_free(m);
}

/* A line too long for a page is cut at character boundaries, each piece
 * fitting a page with the error line and the longest footer. */
static void test_split(void **state)
{
	char errs[1024], joined[4096] = "";
	struct menu *m = load(MENU_CONF, errs, sizeof(errs), NULL);
	char *text = talloc_asprintf(ctx, "头\n%s😀%s\n\n尾", rep("长", 100),
				     rep("句", 40));
	char **v;
	unsigned n, i;

	v = menu_split(m, ctx, text, &n);
	assert_non_null(v);
	assert_int_equal(n, 6);	/* 头, 57 + 57 units + rest, "", 尾 */
	assert_string_equal(v[0], "头");
	assert_int_equal(units(m, v[1]), 57);	/* 80 - 11 - 12 */
	assert_string_equal(v[4], "");
	assert_string_equal(v[5], "尾");
	assert_null(v[6]);
	for (i = 1; i < 4; i++) {
		char top[3 * MENU_SCREEN_MAX];

		snprintf(top, sizeof(top), "%s\n%s\n%s", menu_reserve_line(m),
			 v[i], menu_text_get(m, MX_MORE_BACK));
		assert_true(menu_fits(m, top));
		strcat(joined, v[i]);
	}
	assert_string_equal(joined, talloc_asprintf(ctx, "%s😀%s",
						    rep("长", 100), rep("句", 40)));
	talloc_free(v);
	menu_free(m);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

static void test_split_inputs(void **state)
{
	const char *p[8];
	char buf[64];

	assert_int_equal(menu_split_inputs("12333*1*2#", buf, sizeof(buf), p, 8),
			 3);
	assert_string_equal(p[0], "12333");
	assert_string_equal(p[1], "1");
	assert_string_equal(p[2], "2");
	assert_int_equal(menu_split_inputs("1**2", buf, sizeof(buf), p, 8), 3);
	assert_string_equal(p[1], "");
	assert_int_equal(menu_split_inputs("", buf, sizeof(buf), p, 8), 0);
	assert_int_equal(menu_split_inputs("12333#", buf, sizeof(buf), p, 8),
			 1);
	assert_string_equal(p[0], "12333");
	assert_int_equal(menu_split_inputs("1*2*3*4", buf, sizeof(buf), p, 2),
			 2);
	assert_string_equal(p[1], "2*3*4");
}

static void test_actions(void **state)
{
	assert_true(menu_action_known("subsidy"));
	assert_true(menu_action_known("enrol"));
	assert_false(menu_action_known("Subsidy"));
	assert_false(menu_action_known(""));
	assert_false(menu_action_known(NULL));
	assert_true(menu_action_known("checkin"));
	assert_string_equal(menu_action_names(),
			    "subsidy enrol record notices optout optin checkin "
			    "rate employment");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_conf),
		cmocka_unit_test(test_load_problems),
		cmocka_unit_test(test_load_all_problems),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_page_ucs2_exact),
		cmocka_unit_test(test_page_gsm_exact),
		cmocka_unit_test(test_page_numbered),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_inputs),
		cmocka_unit_test(test_actions),
	};
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_menu");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
