/*
 * test_csv.c - unit tests of handlers/data/csv.c: the RFC 4180 reader (quotes,
 * doubled quotes, commas and line breaks inside quotes, CRLF/LF/CR, empty
 * lines, physical line numbers), encodings (UTF-8 with and without BOM,
 * GBK from the fixture data/gbk.csv and from a large file converted here
 * with iconv so that characters straddle the reader's buffers, bad GBK,
 * UTF-16 refused, a pipe refused), malformed records and how reading goes
 * on after them, header mapping, and the writer read back by the reader.
 *
 * Inputs are in memory (fmemopen) unless they come from the fixture.
 */
#include <errno.h>
#include <iconv.h>
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

#include "handlers/data/csv.h"

struct mem {
	FILE *f;
	struct csv *c;
	char err[CSV_ERR_MAX + 64];
};

static void mem_open(struct mem *m, const char *data, size_t len)
{
	m->f = fmemopen((void *)data, len, "r");
	assert_non_null(m->f);
	m->c = csv_open(NULL, m->f, "t.csv", m->err, sizeof(m->err));
	if (!m->c)
		fail_msg("csv_open: %s", m->err);
}

static void mem_close(struct mem *m)
{
	csv_close(m->c);
	fclose(m->f);
}

/* The next record must start on line and have exactly the fields given
 * (NULL-terminated). */
static void expect_rec(struct mem *m, unsigned line, ...)
{
	struct csv_record r;
	const char *want;
	unsigned i = 0;
	va_list ap;
	int rc = csv_next(m->c, &r);

	if (rc != 1)
		fail_msg("csv_next %d (%s), expected a record", rc,
			 csv_error(m->c));
	assert_int_equal(r.line, line);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *))) {
		if (i >= r.n)
			fail_msg("line %u: %u fields, wanted more", line, r.n);
		assert_string_equal(r.field[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(r.n, i);
}

static void expect_bad(struct mem *m, int rc_want, const char *err)
{
	struct csv_record r;
	int rc = csv_next(m->c, &r);

	if (rc != rc_want)
		fail_msg("csv_next %d, expected %d", rc, rc_want);
	assert_string_equal(csv_error(m->c), err);
}

static void expect_end(struct mem *m)
{
	struct csv_record r;

	assert_int_equal(csv_next(m->c, &r), 0);
	assert_int_equal(csv_next(m->c, &r), 0);
}

#define STR(s)	(s), sizeof(s) - 1

static void test_plain(void **state)
{
	struct mem m;

	mem_open(&m, STR("a,b,c\n1,2,3\n,,\nx\n"));
	assert_int_equal(csv_encoding(m.c), CSV_ENC_UTF8);
	expect_rec(&m, 1, "a", "b", "c", NULL);
	expect_rec(&m, 2, "1", "2", "3", NULL);
	expect_rec(&m, 3, "", "", "", NULL);
	expect_rec(&m, 4, "x", NULL);
	expect_end(&m);
	assert_int_equal(csv_size(m.c), 17);
	assert_int_equal(csv_pos(m.c), 17);
	mem_close(&m);
}

static void test_quotes(void **state)
{
	struct mem m;

	mem_open(&m, STR("name,note\r\n"
			 "\"张,小明\",\"他说\"\"你好\"\"\"\r\n"
			 "\"two\r\nlines\",\"three\nlines\r\nhere\"\r\n"
			 "\"\",\"\"\"\"\r\n"
			 "last,\"no newline at the end\""));
	expect_rec(&m, 1, "name", "note", NULL);
	expect_rec(&m, 2, "张,小明", "他说\"你好\"", NULL);
	expect_rec(&m, 3, "two\nlines", "three\nlines\nhere", NULL);
	expect_rec(&m, 7, "", "\"", NULL);
	expect_rec(&m, 8, "last", "no newline at the end", NULL);
	expect_end(&m);
	mem_close(&m);
}

static void test_line_ends(void **state)
{
	struct mem m;

	/* CR alone (old Mac), CRLF, LF, and empty lines of each kind */
	mem_open(&m, STR("a\rb\r\n\r\n\nc\n\r\rd"));
	expect_rec(&m, 1, "a", NULL);
	expect_rec(&m, 2, "b", NULL);
	expect_rec(&m, 5, "c", NULL);
	expect_rec(&m, 8, "d", NULL);
	expect_end(&m);
	mem_close(&m);
}

static void test_bom(void **state)
{
	struct mem m;

	mem_open(&m, STR("\xef\xbb\xbf身份证号,name\n1,2\n"));
	expect_rec(&m, 1, "身份证号", "name", NULL);
	assert_int_equal(csv_encoding(m.c), CSV_ENC_UTF8_BOM);
	expect_rec(&m, 2, "1", "2", NULL);
	expect_end(&m);
	mem_close(&m);
	/* a BOM and nothing else */
	mem_open(&m, STR("\xef\xbb\xbf"));
	expect_end(&m);
	mem_close(&m);
	assert_string_equal(csv_encoding_name(CSV_ENC_UTF8_BOM),
			    "UTF-8 with BOM");
}

/* The directory of the fixtures: $SRCDIR, next to this file, or ./ */
static const char *data_dir(void)
{
	static char dir[PATH_MAX];
	const char *src = getenv("SRCDIR");
	const char *tries[] = { "tests/unit/data", "data" };
	unsigned i;

	if (src) {
		snprintf(dir, sizeof(dir), "%s/tests/unit/data", src);
		if (access(dir, R_OK) == 0)
			return dir;
	}
	for (i = 0; i < 2; i++)
		if (access(tries[i], R_OK) == 0)
			return tries[i];
	snprintf(dir, sizeof(dir), "%.*s/data",
		 (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
	return dir;
}

static void test_gbk_fixture(void **state)
{
	char path[PATH_MAX + 16];
	struct mem m;

	snprintf(path, sizeof(path), "%s/gbk.csv", data_dir());
	m.f = fopen(path, "rb");
	assert_non_null(m.f);
	m.c = csv_open(NULL, m.f, "gbk.csv", m.err, sizeof(m.err));
	assert_non_null(m.c);
	assert_int_equal(csv_encoding(m.c), CSV_ENC_GB18030);
	expect_rec(&m, 1, "姓名", "区县", "备注", NULL);
	expect_rec(&m, 2, "张小明", "普宁市", "说明，含逗号", NULL);
	expect_rec(&m, 3, "欧阳娜", "榕城区", "第一行\n第二行", NULL);
	expect_end(&m);
	mem_close(&m);
}

/* Convert UTF-8 to GBK with iconv(3). */
static char *to_gbk(const char *utf8, size_t *len)
{
	iconv_t cd = iconv_open("GBK", "UTF-8");
	size_t in_left = strlen(utf8), out_left = in_left + 16;
	char *out = malloc(out_left), *o = out, *in = (char *)utf8;

	assert_true(cd != (iconv_t)-1);
	assert_int_not_equal(iconv(cd, &in, &in_left, &o, &out_left),
			     (size_t)-1);
	iconv_close(cd);
	*len = o - out;
	return out;
}

/* 20000 rows of Chinese (>300 KB in GBK): many characters straddle the
 * 64 KB input buffer and the 256 KB output buffer of the reader. */
static void test_gbk_large(void **state)
{
	const unsigned rows = 20000;
	size_t cap = rows * 40, n = 0, len;
	char *utf8 = malloc(cap), *gbk;
	struct mem m;
	unsigned i;

	n += snprintf(utf8 + n, cap - n, "序号,姓名\n");
	for (i = 0; i < rows; i++)
		n += snprintf(utf8 + n, cap - n, "%u,陈%s明\n", i,
			      i % 2 ? "小" : "");
	gbk = to_gbk(utf8, &len);
	mem_open(&m, gbk, len);
	assert_int_equal(csv_encoding(m.c), CSV_ENC_GB18030);
	expect_rec(&m, 1, "序号", "姓名", NULL);
	for (i = 0; i < rows; i++) {
		char num[16];

		snprintf(num, sizeof(num), "%u", i);
		expect_rec(&m, i + 2, num, i % 2 ? "陈小明" : "陈明", NULL);
	}
	expect_end(&m);
	assert_int_equal(csv_pos(m.c), len);
	mem_close(&m);
	free(gbk);
	free(utf8);
}

static void test_bad_gbk(void **state)
{
	/* "ok" rows, then 0x81 0x20: a GBK lead byte with no valid trail */
	static const char data[] = "a,b\n\xd5\xc5,1\n2,\x81\x20x\n";
	struct mem m;

	mem_open(&m, data, sizeof(data) - 1);
	assert_int_equal(csv_encoding(m.c), CSV_ENC_GB18030);
	expect_rec(&m, 1, "a", "b", NULL);
	expect_rec(&m, 2, "张", "1", NULL);
	expect_bad(&m, -EILSEQ, "t.csv:3: text is neither UTF-8 nor "
		   "GBK/GB18030");
	mem_close(&m);
}

static void test_utf16_refused(void **state)
{
	static const char data[] = "\xff\xfe" "a\0,\0b\0";
	char err[CSV_ERR_MAX + 64];
	FILE *f = fmemopen((void *)data, sizeof(data) - 1, "r");

	assert_null(csv_open(NULL, f, "u.csv", err, sizeof(err)));
	assert_string_equal(err, "u.csv: is UTF-16 (Excel \"Unicode Text\"); "
			    "save it as \"CSV UTF-8\" or \"CSV\"");
	fclose(f);
}

static void test_pipe_refused(void **state)
{
	char err[CSV_ERR_MAX + 64];
	int fds[2];
	FILE *f;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "a,b\n", 4), 4);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_null(csv_open(NULL, f, "-", err, sizeof(err)));
	assert_non_null(strstr(err, "-: cannot read it twice ("));
	assert_non_null(strstr(err, "give a file, not a pipe"));
	fclose(f);
}

static void test_malformed(void **state)
{
	struct mem m;

	mem_open(&m, STR("a,b\n"
			 "\"x\"y,2\n"			/* text after a quote */
			 "ok,1\n"
			 "nul\0here,3\n"
			 "\"open,4\n"
			 "still open\n"));
	expect_rec(&m, 1, "a", "b", NULL);
	expect_bad(&m, -EINVAL, "t.csv:2: text after the closing quote of a "
		   "field");
	expect_rec(&m, 3, "ok", "1", NULL);
	expect_bad(&m, -EINVAL, "t.csv:4: contains a NUL byte");
	expect_bad(&m, -EINVAL, "t.csv:5: the quote opened on line 5 is "
		   "never closed");
	expect_end(&m);
	mem_close(&m);
}

static void test_limits(void **state)
{
	size_t big = CSV_RECORD_MAX + 10, n = 0;
	char *data = malloc(big + 2000);
	struct mem m;
	unsigned i;

	memset(data, 'x', big);		/* one field too long */
	n = big;
	data[n++] = '\n';
	for (i = 0; i < CSV_FIELDS_MAX; i++)	/* 257 fields */
		data[n++] = ',';
	data[n++] = '\n';
	n += snprintf(data + n, 32, "fine,1\n");
	mem_open(&m, data, n);
	expect_bad(&m, -EINVAL, "t.csv:1: record is longer than 65536 bytes");
	expect_bad(&m, -EINVAL, "t.csv:2: record has more than 256 fields");
	expect_rec(&m, 3, "fine", "1", NULL);
	expect_end(&m);
	mem_close(&m);
	free(data);
}

static const struct csv_column cols[] = {
	{ "身份证号|id_number", CSV_COL_REQUIRED },
	{ "姓名|name", CSV_COL_REQUIRED },
	{ "手机号|mobile", 0 },
	{ "补贴金额（元）|amount_yuan", 0 },
	{ "课程名称|course_name|职业|occupation", CSV_COL_IGNORED },
};

/* Map the header line hdr; the messages printed go to out. */
static int map(const char *hdr, int *idx, char *out, size_t cap)
{
	FILE *err = fmemopen(out, cap, "w");
	struct csv_record r;
	struct mem m;
	int rc;

	mem_open(&m, hdr, strlen(hdr));
	assert_int_equal(csv_next(m.c, &r), 1);
	rc = csv_map_header(&r, cols, 5, idx, err, "h.csv");
	fclose(err);
	mem_close(&m);
	return rc;
}

static void test_header(void **state)
{
	char out[1024];
	int idx[5];

	assert_int_equal(map("Name,ID_NUMBER,备注,补贴金额(元),职业,课程名称,\n",
			     idx, out, sizeof(out)), 0);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0);
	assert_int_equal(idx[2], -1);
	assert_int_equal(idx[3], 3);
	assert_string_equal(out, "h.csv:1: 备注: warning: unknown column, "
			    "ignored\n");
	assert_int_equal(map(" 身份证号 ,mobile,手机号\n", idx, out,
			     sizeof(out)), -EINVAL);
	assert_string_equal(out,
		"h.csv:1: 手机号: column appears twice (fields 2 and 3)\n"
		"h.csv:1: 姓名: missing column (accepted names: 姓名, name)\n");
}

static void test_writer(void **state)
{
	static const char *const fields[] = {
		"445202199001011234", "张,小明", "他说\"好\"", "=SUM(A1)",
		"two\nlines", "", "-5",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mem m;
	unsigned i;

	csv_put_bom(f);
	for (i = 0; i < 7; i++)
		csv_put(f, fields[i], (i ? 0 : CSV_PUT_FIRST) |
			(i == 0 ? CSV_PUT_TEXT : 0));
	csv_put_end(f);
	fclose(f);
	assert_string_equal(buf, "\xef\xbb\xbf\t445202199001011234,\"张,小明\","
			    "\"他说\"\"好\"\"\",\t=SUM(A1),\"two\nlines\",,"
			    "\t-5\r\n");
	mem_open(&m, buf, len);
	expect_rec(&m, 1, "\t445202199001011234", "张,小明", "他说\"好\"",
		   "\t=SUM(A1)", "two\nlines", "", "\t-5", NULL);
	expect_end(&m);
	mem_close(&m);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_gbk_fixture),
		cmocka_unit_test(test_gbk_large),
		cmocka_unit_test(test_bad_gbk),
		cmocka_unit_test(test_utf16_refused),
		cmocka_unit_test(test_pipe_refused),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
