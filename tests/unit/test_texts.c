/*
 * test_texts.c - unit tests of gateway/text/texts.c: the project's
 * conf/messages.conf loads cleanly; rendering (placeholders, missing
 * values, values never expanded, signature override, cutting at a
 * character boundary); SMS part counting; list capping; and every kind of
 * problem loading reports, as the exact line "FILE:LINE: texts.KEY: reason".
 *
 * The broken files are the project's messages.conf with one change each,
 * written to a temporary file, so they stay complete as texts are added;
 * the expected line number is where the change landed.
 */
#include <errno.h>
#include <limits.h>
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
#include "gateway/text/texts.h"
#include "handlers/domain/codes.h"
#include "testutil.h"

#define SIG	"【揭阳人社】"

static char conf_path[PATH_MAX];
static char *conf_text;		/* the project's messages.conf */

static const struct texts_params params = {
	.signature = SIG, .hotline = "12333", .list_parts = 3,
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup_all(void **state)
{
	const char *slash = strrchr(__FILE__, '/');
	char cand[3][PATH_MAX];
	int i;

	snprintf(cand[0], PATH_MAX, "conf/messages.conf");
	snprintf(cand[1], PATH_MAX, "%.*s/../../conf/messages.conf",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	snprintf(cand[2], PATH_MAX, "%s/conf/messages.conf",
		 getenv("SRCDIR") ? getenv("SRCDIR") : ".");
	for (i = 0; i < 3; i++) {
		if (access(cand[i], R_OK) == 0) {
			memcpy(conf_path, cand[i], sizeof(conf_path));
			conf_text = slurp(conf_path);
			return conf_text ? 0 : -1;
		}
	}
	fprintf(stderr, "test_texts: conf/messages.conf not found\n");
	return -1;
}

static int teardown_all(void **state)
{
	free(conf_text);
	return 0;
}

/* Load path; the error output goes to *out (malloc'ed). */
static struct texts *load(const char *path, const struct texts_params *p,
			  char **out, int *n_err)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	struct texts *t = texts_load(NULL, path, p, f, n_err);

	fclose(f);
	return t;
}

/* The project's file with `from` replaced by `to` (from must occur once)
 * in a temporary file; *line gets the line where the change is. */
static void variant(const char *from, const char *to, char *path, int *line)
{
	const char *at = strstr(conf_text, from);
	const char *p;
	FILE *f;
	int fd;

	assert_non_null(at);
	assert_null(strstr(at + 1, from));
	strcpy(path, "/tmp/test_texts.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "%.*s%s%s", (int)(at - conf_text), conf_text, to,
		at + strlen(from));
	fclose(f);
	*line = 1;
	for (p = conf_text; p < at; p++)
		*line += *p == '\n';
}

/* Load the variant and expect exactly one error line ending in msg at
 * the line of the change plus delta. */
static void expect_error(const char *from, const char *to, int delta,
			 const char *msg)
{
	char path[64], want[512], *out;
	struct texts *t;
	int line, n = -1;

	variant(from, to, path, &line);
	t = load(path, &params, &out, &n);
	unlink(path);
	snprintf(want, sizeof(want), "%s:%d: %s\n", path, line + delta, msg);
	if (strcmp(out, want))
		print_error("got:  %swant: %s", out, want);
	assert_string_equal(out, want);
	assert_null(t);
	assert_int_equal(n, 1);
	free(out);
}

/* ------------------------------------------------------------------ */

static void test_project_file(void **state)
{
	char *out, buf[TEXTS_MAX];
	struct texts *t;
	int n = -1;

	t = load(conf_path, &params, &out, &n);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_non_null(t);
	texts_render(t, TX_REG_OK, (struct texts_val[]){
		{ "name", "张*明" }, { "id", "445***********123X" } }, 2,
		buf, sizeof(buf));
	assert_string_equal(buf, SIG "绑定成功：张*明（445***********123X）。"
			    "回BT查补贴，KC查课程，BZ查看全部指令。");
	/* the words filled in are the glossary's */
	assert_string_equal(codes_level_label(5), "初级工");
	assert_string_equal(codes_level_label(1), "高级技师");
	assert_string_equal(codes_label(&codes_subsidy_status, "paid"), "已发放");
	assert_string_equal(texts_key(TX_REG_OK), "reg_ok");
	assert_string_equal(texts_key(TX_NUM), "");
	assert_string_equal(texts_get(t, TX_NUM), "");
	assert_string_equal(texts_get(NULL, TX_HELP), "");
	free(out);
	texts_free(t);
}

/* Every whole reply of the project's file, rendered with no values, is
 * Chinese, carries the signature first and fits in 2 parts. */
static void test_project_replies(void **state)
{
	char *out, buf[TEXTS_MAX];
	struct texts *t = load(conf_path, &params, &out, NULL);
	int id;

	assert_non_null(t);
	for (id = TX_HELP; id <= TX_OPT_UNBOUND; id++) {
		texts_render(t, id, NULL, 0, buf, sizeof(buf));
		assert_true(texts_parts(buf) <= TEXTS_REPLY_PARTS);
		assert_memory_equal(buf, SIG, strlen(SIG));
	}
	free(out);
	texts_free(t);
}

static void test_render(void **state)
{
	char *out, buf[TEXTS_MAX];
	struct texts *t = load(conf_path, &params, &out, NULL);
	int n;

	assert_non_null(t);
	/* missing values are empty; NULL values too */
	texts_render(t, TX_ENROL_FULL, (struct texts_val[]){
		{ "course", NULL } }, 1, buf, sizeof(buf));
	assert_string_equal(buf, SIG "（）名额已满。回KC查看其他课程。");
	/* a value is never expanded again */
	texts_render(t, TX_CANCEL_OK, (struct texts_val[]){
		{ "course", "{hotline}{code}" }, { "code", "2031" } }, 2,
		buf, sizeof(buf));
	assert_string_equal(buf, SIG "已取消{hotline}{code}（2031）的报名。");
	/* the signature can be given (a USSD screen gives none) */
	texts_render(t, TX_OPTIN_OK, (struct texts_val[]){
		{ "signature", "" } }, 1, buf, sizeof(buf));
	assert_string_equal(buf, "您已恢复接收培训通知。回TD可退订。");
	/* the hotline comes from the parameters */
	texts_render(t, TX_ERROR, NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, SIG "系统繁忙，请稍后再试。咨询12333");
	/* cut at a character boundary */
	n = texts_render(t, TX_ERROR, NULL, 0, buf, 8);
	assert_int_equal(n, -ENOSPC);
	assert_string_equal(buf, "【揭");
	n = texts_render(t, TX_ERROR, NULL, 0, buf, 1);
	assert_int_equal(n, -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(texts_render(t, TX_ERROR, NULL, 0, buf, 0), -ENOSPC);
	free(out);
	texts_free(t);
}

static void test_parts(void **state)
{
	char buf[(CHARSET_MAX_PARTS * CHARSET_UCS2_PART + 2) * 3];
	int i;

	memset(buf, 'a', 160);
	buf[160] = '\0';
	assert_int_equal(texts_parts(buf), 1);
	strcat(buf, "a");
	assert_int_equal(texts_parts(buf), 2);
	buf[0] = '\0';
	for (i = 0; i < 70; i++)
		strcat(buf, "中");
	assert_int_equal(texts_parts(buf), 1);
	strcat(buf, "中");
	assert_int_equal(texts_parts(buf), 2);
	assert_int_equal(texts_parts(""), 1);
	buf[0] = '\0';
	for (i = 0; i < 16 * 67 + 1; i++)
		strcat(buf, "中");
	assert_int_equal(texts_parts(buf), CHARSET_MAX_PARTS + 1);
}

/* Build n list lines of `chars` Chinese characters each. */
static void make_lines(char (*l)[256], const char **p, int n, int chars)
{
	int i, j;

	for (i = 0; i < n; i++) {
		l[i][0] = '\0';
		for (j = 0; j < chars; j++)
			strcat(l[i], "课");
		p[i] = l[i];
	}
}

static void test_list(void **state)
{
	char *out, buf[TEXTS_MAX], lines[10][256];
	const char *p[10];
	struct texts *t = load(conf_path, &params, &out, NULL);
	unsigned k;

	assert_non_null(t);
	make_lines(lines, p, 10, 30);
	/* everything fits */
	k = texts_list(t, "头", p, 2, 2, TX_LIST_MORE, 3, buf, sizeof(buf));
	assert_int_equal(k, 2);
	assert_int_equal(strncmp(buf, "头\n课", strlen("头\n课")), 0);
	assert_null(strstr(buf, "另有"));
	/* 10 lines of 30 characters (31 with the newline), a head of one
	 * and the note of 10: 6 lines fit in 3 parts (201 characters) */
	k = texts_list(t, "头", p, 10, 10, TX_LIST_MORE, 3, buf, sizeof(buf));
	assert_int_equal(k, 6);
	assert_int_equal(texts_parts(buf), 3);
	assert_non_null(strstr(buf, "\n……另有4条未显示"));
	/* total beyond the lines given */
	k = texts_list(t, "头", p, 1, 40, TX_LIST_MORE, 3, buf, sizeof(buf));
	assert_int_equal(k, 1);
	assert_non_null(strstr(buf, "另有39条"));
	/* a line that never fits: the head and the note */
	make_lines(lines, p, 1, 200);
	k = texts_list(t, "头", p, 1, 1, TX_COURSES_MORE, 2, buf, sizeof(buf));
	assert_int_equal(k, 0);
	assert_string_equal(buf, "头\n……更多课程请回KC加地区或工种查询");
	/* nothing */
	k = texts_list(t, "头", NULL, 0, 0, TX_LIST_MORE, 1, buf, sizeof(buf));
	assert_int_equal(k, 0);
	assert_string_equal(buf, "头");
	free(out);
	texts_free(t);
}

/* ---- problems ---------------------------------------------------- */

static void test_unknown_placeholder(void **state)
{
	expect_error("绑定成功：{name}", "绑定成功：{nmae}", 0,
		     "texts.reg_ok: unknown placeholder {nmae}; this text may "
		     "use: signature hotline name id");
}

static void test_braces(void **state)
{
	expect_error("cancel_ok = \"{signature}已取消",
		     "cancel_ok = \"{signature}}已取消", 0,
		     "texts.cancel_ok: '}' without '{'");
	expect_error("cancel_ok = \"{signature}已取消",
		     "cancel_ok = \"{signature}{已取消", 0,
		     "texts.cancel_ok: '{' does not start a placeholder like "
		     "{name}");
}

static void test_missing(void **state)
{
	char path[64], want[256], *out;
	int line, n;
	struct texts *t;

	/* reported at the line of the group that should hold it */
	variant("  error = \"{signature}系统繁忙，请稍后再试。咨询{hotline}\";\n",
		"", path, &line);
	t = load(path, &params, &out, &n);
	unlink(path);
	line = 1;
	for (const char *p = conf_text; p < strstr(conf_text, "texts: {"); p++)
		line += *p == '\n';
	snprintf(want, sizeof(want), "%s:%d: texts.error: missing text\n",
		 path, line);
	assert_string_equal(out, want);
	assert_null(t);
	free(out);
}

static void test_unknown_and_types(void **state)
{
	expect_error("  list_more =", "  list_mroe = \"x\";\n  list_more =", 0,
		     "texts.list_mroe: unknown text");
	expect_error("texts: {", "colour = \"blue\";\ntexts: {", 0,
		     "colour: unknown setting");
	expect_error("optin_ok = \"{signature}您已恢复接收培训通知。回TD可退订。\"",
		     "optin_ok = \"\"", 0, "texts.optin_ok: must not be empty");
	expect_error("optin_ok = \"{signature}", "optin_ok = \"\xff{signature}",
		     0, "texts.optin_ok: is not valid UTF-8");
}

static void test_wrong_type(void **state)
{
	char path[64], *out;
	int line, n;
	struct texts *t;

	/* error = 5 (and the rest of the old line becomes x = "..."):
	 * two problems on one line */
	variant("  error = \"{signature}", "  error = 5; x = \"{signature}",
		path, &line);
	t = load(path, &params, &out, &n);
	unlink(path);
	assert_null(t);
	assert_int_equal(n, 2);
	assert_non_null(strstr(out, "texts.error: must be a string in double "
			       "quotes\n"));
	assert_non_null(strstr(out, "texts.x: unknown text\n"));
	free(out);
}

static void test_lengths(void **state)
{
	expect_error("  error = \"{signature}系统繁忙，请稍后再试。",
		     "  error = \"{signature}系统繁忙，请稍后再试。"
		     "系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙"
		     "系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙"
		     "系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙"
		     "系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙"
		     "系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙"
		     "系统繁忙系统繁忙系统繁忙系统繁忙系统繁忙", 0,
		     "texts.error: needs 3 SMS parts with long values, at most 2");
	expect_error("list_more = \"……另有{more}条未显示\"",
		     "list_more = \"……另有{more}条未显示……另有条未显示……另有条未"
		     "显示……另有条未显示……另有条未显示……另有条未显示……另有条未"
		     "显示……另有条未显示……另有条未显示\"", 0,
		     "texts.list_more: needs 2 SMS parts with long values, at most 1");
}

static void test_list_parts(void **state)
{
	struct texts_params p = params;
	char *out;
	struct texts *t;
	int n;

	p.list_parts = 1;
	t = load(conf_path, &p, &out, &n);
	assert_null(t);
	assert_true(n >= 1);
	assert_non_null(strstr(out, "texts.subsidy_head: with one line of "
			       "subsidy_item_rejected and list_more the list "
			       "does not fit in commands.list_parts (1) SMS "
			       "parts\n"));
	free(out);
}

static void test_file_problems(void **state)
{
	char path[64], want[256], *out;
	struct texts *t;
	int line, n;

	t = load("/nonexistent/messages.conf", &params, &out, &n);
	assert_null(t);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "/nonexistent/messages.conf: cannot read"));
	free(out);

	variant("texts: {", "texts: {{", path, &line);
	t = load(path, &params, &out, &n);
	unlink(path);
	assert_null(t);
	assert_int_equal(n, 1);
	snprintf(want, sizeof(want), "%s:%d: syntax: ", path, line);
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	free(out);

	/* no error stream: still counted */
	variant("texts: {", "x = 1;\ntexts: {", path, &line);
	t = texts_load(NULL, path, &params, NULL, &n);
	unlink(path);
	assert_null(t);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_file),
		cmocka_unit_test(test_project_replies),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_unknown_placeholder),
		cmocka_unit_test(test_braces),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_unknown_and_types),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_list_parts),
		cmocka_unit_test(test_file_problems),
	};

	testutil_glossary();
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
