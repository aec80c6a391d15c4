/*
 * import_field.c - checking and converting the fields of an imported row,
 * and reporting the bad ones as "FILE:LINE: column: reason".
 *
 * Every checker reads one column of the current row, says precisely what
 * is wrong in English for the operator (quoting the value as given) and
 * returns false; the row function calls them all, so one pass reports
 * every problem of a row, then gives up on the row if there was any.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers/domain/codes.h"
#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "handlers/domain/idcard.h"
#include "import_priv.h"
#include "gateway/log.h"
#include "gateway/text/msisdn.h"

#define IMP_CODE_MAX_CHARS	32
#define IMP_IDEO_SPACE		"\xe3\x80\x80"

/* ---- reading and reporting ---- */

static bool imp_space_at(const char *p, size_t *len)
{
	if (*p == ' ' || *p == '\t') {
		*len = 1;
		return true;
	}
	*len = 3;
	return !strncmp(p, IMP_IDEO_SPACE, 3);
}

static char *imp_trim(char *s)
{
	size_t n, l;

	while (imp_space_at(s, &l))
		s += l;
	n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && !strncmp(s + n - 3, IMP_IDEO_SPACE, 3))
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

char *imp_field(struct imp *im, int col)
{
	char *s = imp_trim(csv_get(&im->rec, im->col[col]));
	size_t n = strlen(s);

	/* ="0123": how spreadsheets are told to keep a number as text */
	if (n >= 3 && s[0] == '=' && s[1] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		s = imp_trim(s + 2);
	}
	return s;
}

/* The column's name as the file has it, else the first accepted name. */
static void imp_col_name(struct imp *im, int col, char *out, size_t cap)
{
	const char *names = im->kind->cols[col].names;
	const char *bar = strchr(names, '|');

	if (im->hdr[col])
		snprintf(out, cap, "%s", im->hdr[col]);
	else
		snprintf(out, cap, "%.*s", bar ? (int)(bar - names) :
			 (int)strlen(names), names);
}

/* "FILE:LINE: column: reason" on err, or to the caller's issue callback. */
static void imp_report(struct imp *im, unsigned line, int col,
		       const char *warn, const char *fmt, va_list ap)
{
	char column[IMP_COLUMN_MAX] = "", reason[IMP_REASON_MAX];

	if (col >= 0)
		imp_col_name(im, col, column, sizeof(column));
	vsnprintf(reason, sizeof(reason), fmt, ap);
	if (im->o->issue) {
		im->o->issue(im->o->issue_data, &(struct import_issue){
			.line = line ? line : im->rec.line,
			.column = col >= 0 ? column : NULL, .reason = reason,
			.warning = *warn != '\0' });
		return;
	}
	fprintf(im->o->err, "%s:%u: %s%s%s%s\n", im->name,
		line ? line : im->rec.line, column, col >= 0 ? ": " : "",
		warn, reason);
}

int imp_bad(struct imp *im, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_report(im, 0, col, "", fmt, ap);
	va_end(ap);
	im->row_errors++;
	return IMP_BAD;
}

void imp_warn(struct imp *im, unsigned line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_report(im, line, col, "warning: ", fmt, ap);
	va_end(ap);
	im->r->warnings++;
}

/* ---- text ---- */

static bool imp_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

bool imp_opt_text(struct imp *im, int col, int max_chars, const char **out)
{
	const char *s = imp_field(im, col);
	int n = fmt_utf8_chars(s);

	*out = s;
	if (n < 0)
		return imp_bad(im, col, "is not valid UTF-8 text"), false;
	if (n > max_chars)
		return imp_bad(im, col, "is %d characters long, at most %d",
			       n, max_chars), false;
	if (imp_has_control(s))
		return imp_bad(im, col, "contains a line break or a control "
			       "character"), false;
	return true;
}

bool imp_text(struct imp *im, int col, int max_chars, const char **out)
{
	if (!imp_opt_text(im, col, max_chars, out))
		return false;
	if (!**out)
		return imp_bad(im, col, "is empty"), false;
	return true;
}

bool imp_code(struct imp *im, int col, const char **out)
{
	const char *s = imp_field(im, col);

	*out = s;
	if (!*s)
		return imp_bad(im, col, "is empty"), false;
	if (strlen(s) > IMP_CODE_MAX_CHARS ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789_.-/") != strlen(s))
		return imp_bad(im, col, "'%s' is not a code (letters, digits, "
			       "- _ . / and at most %d of them)", s,
			       IMP_CODE_MAX_CHARS), false;
	return true;
}

bool imp_person_name(struct imp *im, int col, const char **out)
{
	const char *s;

	if (!imp_text(im, col, 32, &s))
		return false;
	*out = s;
	if (strpbrk(s, "0123456789"))
		return imp_bad(im, col, "name '%s' contains a digit", s), false;
	return true;
}

/* ---- identity and numbers ---- */

bool imp_id_number(struct imp *im, int col, struct idcard *id)
{
	const char *s = imp_field(im, col);
	enum idcard_status st;
	char why[160];

	if (!*s)
		return imp_bad(im, col, "is empty"), false;
	st = idcard_check(s, im->today, id);
	if (st == IDCARD_OK)
		return true;
	idcard_explain(st, id, why, sizeof(why));
	if (st == IDCARD_ELEN || st == IDCARD_EDIGIT)
		return imp_bad(im, col, "'%s': %s", s, why), false;
	return imp_bad(im, col, "%s: %s", s, why), false;
}

bool imp_mobile(struct imp *im, int col, char *out, size_t cap)
{
	const char *s = imp_field(im, col), *why;

	out[0] = '\0';
	if (!*s)
		return true;
	if (msisdn_entry(s, im->o->numbers, out, cap, &why) == 0)
		return true;
	out[0] = '\0';
	return imp_bad(im, col, "mobile number '%s' %s", s, why), false;
}

/* ---- dates, money, numbers ---- */

bool imp_date(struct imp *im, int col, bool required, char out[FMT_ISO_DATE])
{
	const char *s = imp_field(im, col);

	out[0] = '\0';
	if (!*s)
		return required ? (imp_bad(im, col, "is empty"), false) : true;
	if (fmt_date_parse(s, out) < 0)
		return imp_bad(im, col, "'%s' is not a date (write 2026-12-01)",
			       s), false;
	return true;
}

bool imp_yuan(struct imp *im, int col, int64_t *fen)
{
	const char *s = imp_field(im, col);
	int rc;

	if (!*s)
		return imp_bad(im, col, "is empty"), false;
	rc = fmt_yuan_parse(s, fen);
	if (rc == -ERANGE)
		return imp_bad(im, col, "amount '%s' is too large", s), false;
	if (rc < 0)
		return imp_bad(im, col, "'%s' is not an amount in yuan (write "
			       "1500 or 1500.00)", s), false;
	return true;
}

bool imp_level(struct imp *im, int col, bool required, int *level)
{
	const char *s = imp_field(im, col);

	*level = 0;
	if (!*s)
		return required ? (imp_bad(im, col, "is empty"), false) : true;
	*level = codes_level(s);
	if (*level < 0)
		return imp_bad(im, col, "'%s' is not a skill level (1..5, or "
			       "初级工 中级工 高级工 技师 高级技师)", s), false;
	return true;
}

bool imp_int(struct imp *im, int col, int min, int max, int *v)
{
	const char *s = imp_field(im, col);
	char *end;
	long l;

	if (!*s)
		return imp_bad(im, col, "is empty"), false;
	errno = 0;
	l = strtol(s, &end, 10);
	if (*end || errno || l < min || l > max)
		return imp_bad(im, col, "'%s' is not a whole number from %d to "
			       "%d", s, min, max), false;
	*v = l;
	return true;
}

bool imp_yes_no(struct imp *im, int col, int *v)
{
	static const char *const yes[] = { "是", "Y", "yes", "true", "1", "√" };
	static const char *const no[] = { "否", "N", "no", "false", "0", "×" };
	const char *s = imp_field(im, col);
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i]))
			return *v = 1, true;
		if (!strcasecmp(s, no[i]))
			return *v = 0, true;
	}
	return imp_bad(im, col, "'%s' is neither yes nor no (是/否, Y/N, 1/0)",
		       s), false;
}

/* ---- codes and catalogues ---- */

bool imp_enum(struct imp *im, int col, const struct codes_table *t,
	      const char *dflt, const char **code)
{
	const char *s = imp_field(im, col);
	char list[256];
	size_t n = 0;
	unsigned i;

	*code = *s ? codes_find(t, s) : dflt;
	if (*code)
		return true;
	if (!*s)
		return imp_bad(im, col, "is empty"), false;
	for (i = 0; i < t->n && n < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
			      t->e[i].code);
	return imp_bad(im, col, "'%s' is not a %s (%s, or the Chinese term)",
		       s, t->what, list), false;
}

bool imp_region(struct imp *im, int col, const char **code)
{
	const char *s = imp_field(im, col);
	const struct imp_cat_entry *e;

	if (!*s)
		return imp_bad(im, col, "is empty"), false;
	e = imp_cat_region(&im->cat, s);
	if (!e)
		return imp_bad(im, col, "unknown region %s", s), false;
	*code = e->code;
	return true;
}

bool imp_occupation(struct imp *im, int col, bool required,
		    const char **code)
{
	const char *s = imp_field(im, col);
	const struct imp_cat_entry *e;

	*code = NULL;
	if (!*s)
		return required ? (imp_bad(im, col, "is empty"), false) : true;
	e = imp_cat_occupation(&im->cat, s);
	if (!e)
		return imp_bad(im, col, "unknown occupation '%s' (import "
			       "occupations first)", s), false;
	*code = e->code;
	return true;
}

bool imp_course(struct imp *im, int col, bool required,
		const struct imp_cat_entry **course)
{
	const char *s = imp_field(im, col);

	*course = NULL;
	if (!*s)
		return required ? (imp_bad(im, col, "is empty"), false) : true;
	*course = imp_cat_find(&im->cat.courses, s);
	if (!*course)
		return imp_bad(im, col, "unknown course %s", s), false;
	return true;
}

bool imp_key(struct imp *im, int col, const char *key)
{
	unsigned first = imp_keys_add(im->keys, key, im->rec.line);

	if (first)
		return imp_bad(im, col, "%s is also on line %u", key, first),
		       false;
	return true;
}

/* ---- statements ---- */

int imp_db_err(struct imp *im, sqlite3_stmt *st)
{
	int rc = sqlite3_extended_errcode(im->h);

	LOGP(DHAND, db_log_level(rc), "import %s: %s (in: %.60s)\n",
	     im->name, sqlite3_errmsg(im->h), sqlite3_sql(st));
	db_fault_note(rc, sqlite3_system_errno(im->h));
	/* a storage fault: the caller says it, once */
	if (db_fault_of(rc, 0) == DB_FAULT_NONE)
		fprintf(im->o->err, "%s:%u: database error: %s\n", im->name,
			im->rec.line, sqlite3_errmsg(im->h));
	if (!im->r->fault_line)
		im->r->fault_line = im->rec.line;
	return db_errno(rc) == -EBUSY ? -EBUSY : -EIO;
}

int imp_upsert(struct imp *im, sqlite3_stmt *st)
{
	int rc;

	/* an INSERT sets it (rowids start at 1), an UPDATE does not, and a
	 * trigger's inserts are undone when the trigger ends */
	sqlite3_set_last_insert_rowid(im->h, 0);
	rc = sqlite3_step(st);
	/* a RETURNING row is a changed row; sqlite3_changes() would only
	 * count it once the statement completes */
	if (rc == SQLITE_DONE && !sqlite3_changes(im->h))
		return IMP_SAME;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return sqlite3_last_insert_rowid(im->h) ? IMP_NEW : IMP_CHANGED;
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		im->ext_rc = rc;
		return IMP_CONSTRAINT;
	}
	return imp_db_err(im, st);
}
