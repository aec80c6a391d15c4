/*
 * audience.c - the recipients of a notice campaign (see audience.h).
 *
 * The operator's lists are split into words and each word resolved to a
 * code: regions and occupations by the database (code, name, or for a
 * region the start of its name), courses by code, key groups and statuses
 * by the code lists of codes.h. Each filter becomes a JSON array of codes
 * or NULL. The statements below take them as parameters and expand the
 * arrays with json_each(), so one fixed statement serves every
 * combination: a NULL filter is "(:x IS NULL OR ...)", true at once.
 *
 * The expansion walks the roster by worker id in slices (audience_list),
 * so one call looks at a bounded number of rows whatever the filters
 * select; INSERT OR IGNORE on UNIQUE(campaign_id, msisdn) makes a slice
 * safe to repeat after a crash.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/notice/audience.h"
#include "handlers/domain/codes.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"

#define AUD_WORDS_MAX	32	/* values of one filter */
#define AUD_WORD_MAX	64	/* bytes of one value */

/* The enrolment an audience's course filters match (e, ec: its course). */
#define AUD_ENROL_MATCH \
	"e.worker_id = w.id" \
	" AND (:course IS NULL OR ec.code IN (SELECT value FROM json_each(:course)))" \
	" AND (:occupation IS NULL OR ec.occupation IN" \
	"  (SELECT value FROM json_each(:occupation)))" \
	" AND (:estatus IS NULL OR e.status IN (SELECT value FROM json_each(:estatus)))"

/* Worker w passes the filters. */
#define AUD_FILTERS \
	" (:region IS NULL OR w.region IN (SELECT value FROM json_each(:region)))" \
	" AND (:grp IS NULL OR EXISTS (SELECT 1 FROM json_each(:grp) g" \
	"  WHERE instr(',' || w.key_groups || ',', ',' || g.value || ',') > 0))" \
	" AND (:sstatus IS NULL OR EXISTS (SELECT 1 FROM subsidy s" \
	"  WHERE s.worker_id = w.id" \
	"  AND s.status IN (SELECT value FROM json_each(:sstatus))))" \
	" AND (NOT :enrol OR EXISTS (SELECT 1 FROM enrolment e" \
	"  JOIN course ec ON ec.id = e.course_id WHERE " AUD_ENROL_MATCH "))"

/* The course of {course} for worker w. */
#define AUD_COURSE_OF \
	" coalesce(:course_id, CASE WHEN :enrol THEN (SELECT e.course_id" \
	"  FROM enrolment e JOIN course ec ON ec.id = e.course_id" \
	"  WHERE " AUD_ENROL_MATCH " ORDER BY e.id DESC LIMIT 1) END)"

/* A recipient: a bound number, not opted out. */
#define AUD_REACHABLE	" w.msisdn IS NOT NULL AND w.opted_out = 0 AND"

enum aud_stmt {
	AUD_COUNT,
	AUD_SAMPLES,
	AUD_LIST,
	AUD_MAX_WORKER,
	AUD_LONGEST_COURSE,
	AUD_LONGEST_REGION,
	AUD_REGION,
	AUD_COURSE,
	AUD_OCCUPATION,
	AUD_NUM_STMT
};

static const char *const aud_sql[] = {
	[AUD_COUNT] =
		"SELECT count(*), coalesce(sum(w.msisdn IS NULL), 0),"
		" coalesce(sum(w.msisdn IS NOT NULL AND w.opted_out <> 0), 0)"
		" FROM worker w WHERE" AUD_FILTERS,
	[AUD_SAMPLES] =
		"SELECT w.msisdn, w.name, g.name, c.name, c.start_date"
		" FROM worker w LEFT JOIN region g ON g.code = w.region"
		" LEFT JOIN course c ON c.id =" AUD_COURSE_OF
		" WHERE" AUD_REACHABLE AUD_FILTERS " ORDER BY w.id LIMIT :n",
	[AUD_LIST] =
		"INSERT OR IGNORE INTO campaign_recipient"
		" (campaign_id, msisdn, worker_id, course_id, state)"
		" SELECT :id, w.msisdn, w.id," AUD_COURSE_OF ", 'pending'"
		" FROM worker w WHERE w.id > :from AND w.id <= :to AND"
		AUD_REACHABLE AUD_FILTERS " ORDER BY w.id",
	[AUD_MAX_WORKER] =
		"SELECT coalesce(max(id), 0) FROM worker",
	[AUD_LONGEST_COURSE] =
		"SELECT coalesce(max(length(name)), 0) FROM course"
		" WHERE :course IS NULL OR code IN"
		" (SELECT value FROM json_each(:course))",
	[AUD_LONGEST_REGION] =
		"SELECT coalesce(max(length(name)), 0) FROM region",
	/* Exact matches first; a second row means the start of a name was
	 * ambiguous. */
	[AUD_REGION] =
		"SELECT code, code = :w OR name = :w AS exact FROM region"
		" WHERE code = :w OR name = :w OR substr(name, 1, length(:w)) = :w"
		" ORDER BY exact DESC LIMIT 2",
	[AUD_COURSE] =
		"SELECT id, code FROM course WHERE code = :w",
	[AUD_OCCUPATION] =
		"SELECT code FROM occupation WHERE code = :w OR name = :w LIMIT 1",
};

struct audience_db {
	struct db *db;
	sqlite3_stmt *st[AUD_NUM_STMT];
};

struct audience_db *audience_db_init(void *ctx, struct db *db)
{
	struct audience_db *a = talloc_zero(ctx, struct audience_db);

	if (!a)
		return NULL;
	a->db = db;
	if (db_prepare(db, aud_sql, AUD_NUM_STMT, a->st)) {
		talloc_free(a);
		return NULL;
	}
	return a;
}

void audience_db_free(struct audience_db *a)
{
	if (!a)
		return;
	db_finalize(a->st, AUD_NUM_STMT);
	talloc_free(a);
}

/* ---- JSON ---------------------------------------------------------------- */

char *audience_json_str(void *ctx, const char *s)
{
	char *out = talloc_strdup(ctx, "\"");

	for (; out && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			out = talloc_asprintf_append(out, "\\%c", c);
		else if (c < 0x20)
			out = talloc_asprintf_append(out, "\\u%04x", c);
		else
			out = talloc_asprintf_append(out, "%c", c);
	}
	return out ? talloc_strdup_append(out, "\"") : NULL;
}

char *audience_json_array(void *ctx, const char *const *v, unsigned n)
{
	char *out = talloc_strdup(ctx, "[");
	unsigned i;

	for (i = 0; out && i < n; i++) {
		char *q = audience_json_str(out, v[i]);

		out = q ? talloc_asprintf_append(out, "%s%s", i ? "," : "", q) :
			  NULL;
	}
	return out ? talloc_strdup_append(out, "]") : NULL;
}

/* ---- resolving ----------------------------------------------------------- */

/* Length of the separator at s (, ; space tab 、 ， ； full-width space),
 * 0 when s is not one. */
static size_t aud_sep(const char *s)
{
	static const char *const wide[] = {
		"\xe3\x80\x81", "\xef\xbc\x8c", "\xef\xbc\x9b", "\xe3\x80\x80",
	};
	unsigned i;

	if (*s && strchr(",; \t", *s))
		return 1;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (!strncmp(s, wide[i], 3))
			return 3;
	return 0;
}

/* Split s into words. -EINVAL when there are too many or one is too long. */
static int aud_split(const char *s, char w[][AUD_WORD_MAX], unsigned *n)
{
	size_t k;

	*n = 0;
	while (*s) {
		if ((k = aud_sep(s))) {
			s += k;
			continue;
		}
		if (*n == AUD_WORDS_MAX)
			return -EINVAL;
		for (k = 0; s[k] && !aud_sep(s + k); k++)
			;
		if (k >= AUD_WORD_MAX)
			return -EINVAL;
		memcpy(w[*n], s, k);
		w[(*n)++][k] = '\0';
		s += k;
	}
	return 0;
}

/* A resolver: the code of word into code; 0 found, 1 not found, 2
 * ambiguous, negative errno. *id: a row id where it has one. */
typedef int (*aud_resolver)(struct audience_db *a, const char *word,
			    char *code, size_t cap, int64_t *id);

static int aud_by_table(const struct codes_table *t, const char *word,
			char *code, size_t cap)
{
	const char *c = codes_find(t, word);

	if (!c)
		return 1;
	snprintf(code, cap, "%s", c);
	return 0;
}

static int aud_group(struct audience_db *a, const char *word, char *code,
		     size_t cap, int64_t *id)
{
	return aud_by_table(&codes_key_group, word, code, cap);
}

static int aud_estatus(struct audience_db *a, const char *word, char *code,
		       size_t cap, int64_t *id)
{
	return aud_by_table(&codes_enrol_status, word, code, cap);
}

static int aud_sstatus(struct audience_db *a, const char *word, char *code,
		       size_t cap, int64_t *id)
{
	return aud_by_table(&codes_subsidy_status, word, code, cap);
}

/* Look word (:w) up with st and step to the first row: 0 on a row, 1
 * when there is none, else a negative errno. */
static int aud_first_row(struct audience_db *a, sqlite3_stmt *st,
			 const char *word)
{
	int rc;

	db_bind_text(st, ":w", word);
	rc = db_step_row(a->db, st, DSCHED);
	return rc == -ENOENT ? 1 : rc;
}

static int aud_region(struct audience_db *a, const char *word, char *code,
		      size_t cap, int64_t *id)
{
	DB_STMT(st, a->st[AUD_REGION]);
	int rc = aud_first_row(a, st, word), exact;

	if (rc)
		return rc;
	db_col_text(st, 0, code, cap);
	exact = sqlite3_column_int(st, 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !exact)
		return 2;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	       db_step_error(a->db, st, rc, DSCHED);
}

static int aud_course(struct audience_db *a, const char *word, char *code,
		      size_t cap, int64_t *id)
{
	DB_STMT(st, a->st[AUD_COURSE]);
	int rc = aud_first_row(a, st, word);

	if (rc)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, code, cap);
	return 0;
}

static int aud_occupation(struct audience_db *a, const char *word,
			  char *code, size_t cap, int64_t *id)
{
	DB_STMT(st, a->st[AUD_OCCUPATION]);
	int rc = aud_first_row(a, st, word);

	if (rc)
		return rc;
	db_col_text(st, 0, code, cap);
	return 0;
}

/* One filter: in (may be NULL or empty: no filter) resolved into *out
 * (NULL or a JSON array). *single (may be NULL) gets the row id when the
 * list has exactly one value. */
static int aud_filter(struct audience_db *a, void *ctx, const char *in,
		      const char *what, aud_resolver fn, char **out,
		      int64_t *single, char *why, size_t cap)
{
	char w[AUD_WORDS_MAX][AUD_WORD_MAX], codes[AUD_WORDS_MAX][AUD_WORD_MAX];
	const char *v[AUD_WORDS_MAX];
	int64_t id = 0;
	unsigned n, i;
	int rc;

	*out = NULL;
	if (!in || !*in)
		return 0;
	if (aud_split(in, w, &n) < 0 || n == 0) {
		snprintf(why, cap, "--%s: give 1 to %d values of up to %d "
			 "bytes, separated by commas", what, AUD_WORDS_MAX,
			 AUD_WORD_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		rc = fn(a, w[i], codes[i], sizeof(codes[i]), &id);
		if (rc < 0)
			return rc;
		if (rc) {
			snprintf(why, cap, "--%s: '%s' %s", what, w[i], rc == 2 ?
				 "is ambiguous: give more of the name or the "
				 "code" : "is not known");
			return -EINVAL;
		}
		v[i] = codes[i];
	}
	if (single)
		*single = n == 1 ? id : 0;
	*out = audience_json_array(ctx, v, n);
	return *out ? 0 : -ENOMEM;
}

int audience_resolve(struct audience_db *a, void *ctx,
		     const struct audience_args *in, struct audience *out,
		     char *why, size_t cap)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = aud_filter(a, ctx, in->region, "region", aud_region,
			&out->region, NULL, why, cap);
	if (!rc)
		rc = aud_filter(a, ctx, in->group, "group", aud_group,
				&out->group, NULL, why, cap);
	if (!rc)
		rc = aud_filter(a, ctx, in->course, "course", aud_course,
				&out->course, &out->course_id, why, cap);
	if (!rc)
		rc = aud_filter(a, ctx, in->occupation, "occupation",
				aud_occupation, &out->occupation, NULL, why, cap);
	if (!rc)
		rc = aud_filter(a, ctx, in->enrol_status, "enrolment-status",
				aud_estatus, &out->enrol_status, NULL, why, cap);
	if (!rc)
		rc = aud_filter(a, ctx, in->subsidy_status, "subsidy-status",
				aud_sstatus, &out->subsidy_status, NULL, why,
				cap);
	return rc;
}

bool audience_has_course(const struct audience *au)
{
	return au->course || au->occupation || au->enrol_status;
}

/* ---- queries ------------------------------------------------------------- */

static void aud_bind(sqlite3_stmt *st, const struct audience *au)
{
	db_bind_text(st, ":region", au->region);
	db_bind_text(st, ":grp", au->group);
	db_bind_text(st, ":course", au->course);
	db_bind_text(st, ":occupation", au->occupation);
	db_bind_text(st, ":estatus", au->enrol_status);
	db_bind_text(st, ":sstatus", au->subsidy_status);
	db_bind_int(st, ":enrol", audience_has_course(au));
}

int audience_count(struct audience_db *a, const struct audience *au,
		   struct audience_count *c)
{
	DB_STMT(st, a->st[AUD_COUNT]);
	int rc;

	aud_bind(st, au);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return db_step_error(a->db, st, rc, DSCHED);
	c->matched = sqlite3_column_int64(st, 0);
	c->no_number = sqlite3_column_int64(st, 1);
	c->opted_out = sqlite3_column_int64(st, 2);
	c->recipients = c->matched - c->no_number - c->opted_out;
	return 0;
}

int audience_samples(struct audience_db *a, const struct audience *au,
		     struct audience_sample *s, unsigned max, unsigned *n)
{
	DB_STMT(st, a->st[AUD_SAMPLES]);
	int rc = SQLITE_DONE;

	aud_bind(st, au);
	db_bind_id(st, ":course_id", au->course_id);
	db_bind_int(st, ":n", max);
	for (*n = 0; *n < max && (rc = sqlite3_step(st)) == SQLITE_ROW; (*n)++) {
		db_col_text(st, 0, s[*n].msisdn, sizeof(s[*n].msisdn));
		db_col_text(st, 1, s[*n].name, sizeof(s[*n].name));
		db_col_text(st, 2, s[*n].region, sizeof(s[*n].region));
		db_col_text(st, 3, s[*n].course, sizeof(s[*n].course));
		db_col_text(st, 4, s[*n].start_date, sizeof(s[*n].start_date));
	}
	if (*n < max && rc != SQLITE_DONE)
		return db_step_error(a->db, st, rc, DSCHED);
	return 0;
}

int audience_list(struct audience_db *a, int64_t campaign_id,
		  const struct audience *au, int64_t from, int64_t to)
{
	DB_STMT(st, a->st[AUD_LIST]);
	int rc = db_begin(a->db);

	if (rc)
		return rc;
	aud_bind(st, au);
	db_bind_id(st, ":course_id", au->course_id);
	db_bind_int(st, ":id", campaign_id);
	db_bind_int(st, ":from", from);
	db_bind_int(st, ":to", to);
	return db_step_changes(a->db, st, DSCHED);
}

/* A single integer from statement idx after binding nothing or :course. */
static int aud_int(struct audience_db *a, enum aud_stmt idx,
		   const char *course, int64_t *out)
{
	DB_STMT(st, a->st[idx]);
	int rc;

	if (course || idx == AUD_LONGEST_COURSE)
		db_bind_text(st, ":course", course);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return db_step_error(a->db, st, rc, DSCHED);
	*out = sqlite3_column_int64(st, 0);
	return 0;
}

int audience_max_worker(struct audience_db *a, int64_t *max)
{
	return aud_int(a, AUD_MAX_WORKER, NULL, max);
}

int audience_longest(struct audience_db *a, const struct audience *au,
		     unsigned *course_chars, unsigned *region_chars)
{
	int64_t c = 0, r = 0;
	int rc = aud_int(a, AUD_LONGEST_COURSE, au->course, &c);

	if (!rc)
		rc = aud_int(a, AUD_LONGEST_REGION, NULL, &r);
	*course_chars = c;
	*region_chars = r;
	return rc;
}
