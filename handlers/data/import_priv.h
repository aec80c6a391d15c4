/*
 * import_priv.h - what the files of the import share (private; the public
 * interface is include/handlers/data/import.h).
 *
 * import.c is the engine: it opens the file, maps the header, loads the
 * catalogues the kind needs, runs the transaction and calls the kind's row
 * function for every record. A kind (struct imp_kind) is a column table, a
 * statement table and a row function, in import_roster.c (workers),
 * import_catalog.c (institutions, occupations, courses), import_records.c
 * (certificates, enrolments) and import_subsidy.c (subsidies and the
 * subsidy rule). import_field.c checks and converts field values and
 * reports bad ones; import_cat.c holds the catalogues in memory, so a row
 * is checked against them without a query; import_keys.c remembers the
 * natural keys seen, to catch a key given twice in one file.
 */
#ifndef SGW_IMPORT_PRIV_H
#define SGW_IMPORT_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "handlers/data/csv.h"
#include "gateway/text/fmt.h"
#include "handlers/data/import.h"

#define IMP_COLS_MAX	24
#define IMP_STMT_MAX	8
#define IMP_COLUMN_MAX	96	/* a column's name in a message */
#define IMP_REASON_MAX	320	/* a reason */

/* What a row function returns (or a negative errno: stop, roll back). */
enum imp_outcome {
	IMP_NEW = 1,
	IMP_CHANGED,
	IMP_SAME,
	IMP_BAD,
	IMP_CONSTRAINT,		/* imp_upsert(): a constraint failed */
};

/* Catalogues a kind checks its rows against. */
#define IMP_NEED_REGIONS	0x1
#define IMP_NEED_OCCUPATIONS	0x2
#define IMP_NEED_INSTITUTIONS	0x4
#define IMP_NEED_COURSES	0x8

struct imp;

struct imp_kind {
	const char *name;			/* "workers" */
	const struct csv_column *cols;
	unsigned n_cols;
	const char *const *sql;
	unsigned n_sql;
	unsigned needs;				/* IMP_NEED_* */
	int (*begin)(struct imp *im);		/* before the statements are
						 * prepared; may be NULL */
	int (*row)(struct imp *im);		/* enum imp_outcome or errno */
	int (*finish)(struct imp *im);		/* after the last row, in the
						 * transaction; may be NULL */
};

extern const struct imp_kind imp_kind_workers;
extern const struct imp_kind imp_kind_institutions;
extern const struct imp_kind imp_kind_occupations;
extern const struct imp_kind imp_kind_courses;
extern const struct imp_kind imp_kind_subsidies;
extern const struct imp_kind imp_kind_certificates;
extern const struct imp_kind imp_kind_enrolments;

/* ---- catalogues (import_cat.c) ---- */

struct imp_cat_entry {
	char *code;
	char *name;		/* regions, occupations; else NULL */
	char *occupation;	/* courses */
	int level;		/* courses */
	int capacity;		/* courses */
};

struct imp_cat_list {
	struct imp_cat_entry *e;	/* sorted by code */
	unsigned n;
};

struct imp_cat {
	struct imp_cat_list regions, occupations, institutions, courses;
};

int imp_cat_load(struct imp *im, unsigned needs);
const struct imp_cat_entry *imp_cat_find(const struct imp_cat_list *l,
					 const char *code);
/* A region by code, name, or a prefix of exactly one name. */
const struct imp_cat_entry *imp_cat_region(const struct imp_cat *c,
					   const char *text);
/* An occupation by code or exact name. */
const struct imp_cat_entry *imp_cat_occupation(const struct imp_cat *c,
					       const char *text);

/* ---- keys seen (import_keys.c) ---- */

struct imp_keys;

struct imp_keys *imp_keys_new(void *ctx);
/* Remember key as seen on line. 0 if it is new, else the line it was
 * first seen on (and nothing changes). */
unsigned imp_keys_add(struct imp_keys *k, const char *key, unsigned line);
/* The line key was seen on, 0 if never. */
unsigned imp_keys_line(const struct imp_keys *k, const char *key);

/* ---- the engine's state ---- */

struct imp {
	struct db *db;
	sqlite3 *h;
	const struct import_opts *o;
	struct import_result *r;
	const struct imp_kind *kind;
	struct csv_record rec;			/* the row being imported */
	int col[IMP_COLS_MAX];			/* field index per column */
	char *hdr[IMP_COLS_MAX];		/* column names in the file */
	unsigned n_hdr;				/* fields of the header */
	unsigned row_errors;			/* problems in this row */
	char today[FMT_ISO_DATE];
	sqlite3_stmt *st[IMP_STMT_MAX];		/* the kind's statements */
	struct imp_cat cat;
	struct imp_keys *keys;
	int ext_rc;				/* IMP_CONSTRAINT: which */
	int64_t now;				/* created_at, updated_at */
	const char *name;			/* the file in messages */
	unsigned long chunk_rows, chunk_bad;	/* rows of this chunk */
	int64_t chunk_end_us;			/* may end early from then */
	int64_t notify_mark;			/* last event before this
						 * transaction */
};

/* ---- notifications (import_notify.c) ---- */

/* After a BEGIN: note where this transaction's events will start. */
int imp_notify_mark(struct imp *im);
/* Before its end: count them into r->notify, r->notify_nonumber; delete
 * them unless keep (--no-notify). 0 or a negative errno. */
int imp_notify_tally(struct imp *im, bool keep);

/* ---- fields (import_field.c) ---- */

/* The trimmed value of column col in the current row ("" if the file has
 * no such column): spaces, tabs and ideographic spaces around it and
 * Excel's ="..." wrapper removed. */
char *imp_field(struct imp *im, int col);

/* Report a problem with column col (-1: the row) of the current row as
 * "FILE:LINE: column: reason", count it, return IMP_BAD. */
int imp_bad(struct imp *im, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same as a warning (counted in r->warnings, the row stays good).
 * line 0: the current row's. */
void imp_warn(struct imp *im, unsigned line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Checkers: each reads column col, reports what is wrong with imp_bad()
 * and returns false then; true with the value set otherwise. "Optional"
 * ones accept an empty field and give "" / 0 / the default. */
bool imp_text(struct imp *im, int col, int max_chars, const char **out);
bool imp_opt_text(struct imp *im, int col, int max_chars, const char **out);
bool imp_code(struct imp *im, int col, const char **out);
bool imp_person_name(struct imp *im, int col, const char **out);
struct idcard;
bool imp_id_number(struct imp *im, int col, struct idcard *id);
bool imp_mobile(struct imp *im, int col, char *out, size_t cap);
bool imp_date(struct imp *im, int col, bool required, char out[FMT_ISO_DATE]);
bool imp_yuan(struct imp *im, int col, int64_t *fen);
bool imp_level(struct imp *im, int col, bool required, int *level);
bool imp_int(struct imp *im, int col, int min, int max, int *v);
bool imp_yes_no(struct imp *im, int col, int *v);
struct codes_table;
bool imp_enum(struct imp *im, int col, const struct codes_table *t,
	      const char *dflt, const char **code);
bool imp_region(struct imp *im, int col, const char **code);
bool imp_occupation(struct imp *im, int col, bool required,
		    const char **code);
bool imp_course(struct imp *im, int col, bool required,
		const struct imp_cat_entry **course);

/* Remember the row's natural key; report a repeat on the key's column. */
bool imp_key(struct imp *im, int col, const char *key);

/* Step an INSERT ... ON CONFLICT DO UPDATE ... WHERE <something differs>
 * (or a plain INSERT or UPDATE): IMP_NEW (a row was inserted), IMP_CHANGED
 * (updated), IMP_SAME (nothing changed: the WHERE found no difference),
 * IMP_CONSTRAINT (the extended code in im->ext_rc, for the kind to
 * explain), or -EIO (logged). No RETURNING is needed, and a statement with
 * one is left on its row for the caller to read. The caller resets it. */
int imp_upsert(struct imp *im, sqlite3_stmt *st);

/* A database error that no row explains: log, return -EIO. */
int imp_db_err(struct imp *im, sqlite3_stmt *st);

#endif
