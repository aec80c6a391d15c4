/*
 * import.h - importing the bureau's CSV files: the roster (workers), the
 * catalogue (institutions, occupations, courses) and the back office's
 * records (subsidies, certificates, enrolments).
 *
 * skillctl: one file is one transaction. Each row is checked field by
 * field; every problem is printed as "FILE:LINE: column: reason" (column
 * as the file's header names it, the reason in English for the operator).
 * If any row is bad, nothing is imported, unless skip_bad is set: then the
 * bad rows are skipped and the good ones imported. Rows are upserted by
 * their natural key (resident ID, code, reference, certificate number,
 * worker + course), so importing the same file twice changes nothing the
 * second time; a row that changes nothing is counted as unchanged. A dry
 * run does it all and rolls back: the counts say what the file would do.
 *
 * Decisions the rows write (a subsidy approved, paid or rejected; a course
 * cancelled, closed or moved; an enrolment cancelled) are told to the
 * workers by the daemon (handlers/notice/notify.h); the result counts
 * them, and no_notify (a backfill, history) deletes them before the
 * commit so that nobody is texted.
 *
 * The API (a worker thread beside the running daemon) uses the same code
 * in bounded transactions of opts.chunk rows (fewer: a chunk ends after
 * opts.chunk_ms when the daemon waits for the lock), so the daemon gets the
 * write lock between them: first a dry run (every chunk rolled back: every
 * row checked as the import would, against the database as it is, nothing
 * kept), then, if no row was bad or skip_bad, the real run, each chunk
 * committed. What a dry run cannot see are clashes between rows of
 * different chunks that the database alone would catch (two rows filling
 * the last seat of a course): the real run then stops at that row, and
 * the chunks before it stay (r->stopped, r->applied). Problems go to
 * opts.issue instead of being printed.
 *
 * The expected columns, with the Chinese and English header names each
 * accepts, are listed in docs form by import_describe(). Files are UTF-8
 * (with or without BOM) or GBK (see csv.h).
 */
#ifndef SGW_IMPORT_H
#define SGW_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "handlers/data/csv.h"
#include "gateway/text/msisdn.h"

struct db;

enum import_kind {
	IMPORT_WORKERS,
	IMPORT_INSTITUTIONS,
	IMPORT_OCCUPATIONS,
	IMPORT_COURSES,
	IMPORT_SUBSIDIES,
	IMPORT_CERTIFICATES,
	IMPORT_ENROLMENTS,
	IMPORT_NUM_KINDS
};

/* "workers" -> IMPORT_WORKERS; -1 for an unknown name. */
int import_kind_parse(const char *name);
const char *import_kind_name(enum import_kind k);

struct import_result;

/* Called now and then (and after each chunk) with the input bytes read so
 * far, of total, and the counts so far. */
typedef void (*import_progress_cb)(void *data, uint64_t done, uint64_t total,
				   const struct import_result *r);

/* A problem with a row (column NULL: the whole row), or a warning. */
struct import_issue {
	unsigned line;
	const char *column;
	const char *reason;
	bool warning;
};
typedef void (*import_issue_cb)(void *data, const struct import_issue *is);

struct import_opts {
	enum import_kind kind;
	const char *path;		/* the CSV file */
	bool skip_bad;			/* import the good rows anyway */
	const char *operator_name;	/* for the audit log */
	const char *country_code;	/* "86": mobile numbers */
	enum msisdn_plan numbers;	/* which mobile numbers are good */
	int64_t now_ms;			/* created/updated times; today */
	FILE *err;			/* bad rows, warnings */
	import_progress_cb progress;	/* may be NULL */
	void *progress_data;
	/* the API's: */
	const char *name;		/* the file in messages (NULL: path) */
	import_issue_cb issue;		/* rows' problems, not printed */
	void *issue_data;
	unsigned chunk;			/* rows per transaction, 0: one */
	bool dry_run;			/* check only: rolled back */
	bool no_notify;			/* a backfill: its decisions are
					 * told to nobody (counted only) */
	bool (*cancelled)(void *data);	/* asked between chunks */
	void *cancel_data;
	unsigned chunk_ms;		/* a chunk ends after this long when
					 * another writer waits (0: chunk rows) */
	unsigned pause_us;		/* after a chunk another writer waited
					 * for: it (the daemon's loop) takes
					 * the lock (db_bulk_yield()) */
};

struct import_result {
	unsigned long rows;		/* data rows read (not empty ones) */
	unsigned long imported;		/* new */
	unsigned long updated;		/* changed */
	unsigned long unchanged;
	unsigned long bad;		/* skipped, or the reason for refusal */
	unsigned long warnings;		/* e.g. subsidy rows flagged */
	enum csv_enc encoding;
	unsigned long applied;		/* rows in committed chunks */
	bool stopped;			/* a real run stopped at a bad row */
	unsigned stop_line;
	unsigned fault_line;		/* the line a database error stopped
					 * it at (db_fault.h says why) */
	/* notifications the rows caused: queued (or, for a dry run or with
	 * no_notify, that would have been), and those of workers without a
	 * bound number, who get none */
	unsigned long notify, notify_nonumber;
};

/* Import o->path. 0: committed (bad rows skipped if skip_bad). -EINVAL:
 * nothing imported because of bad rows, or the file is unusable (empty,
 * wrong header, not decodable), all said on o->err. -ENOENT, -EACCES: the
 * file cannot be opened. -EBUSY: the database stayed locked. -EIO: a
 * database error. A storage fault (disk full, locked, read-only ...) is
 * not printed: db_fault_last() tells the caller, r->fault_line where. -ECANCELED: opts.cancelled said so (chunks: the
 * committed ones stay). An audit row (action "import", or
 * "import_refused", "import_stopped") records the operator, file and
 * counts; a dry run writes none. */
int import_file(struct db *db, const struct import_opts *o,
		struct import_result *r);

/* Print the columns of kind (names accepted, required or not) to out. */
void import_describe(enum import_kind kind, FILE *out);

#endif
