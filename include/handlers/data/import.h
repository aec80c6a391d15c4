/*
 * import.h - importing the bureau's CSV files: the roster (workers), the
 * catalogue (institutions, occupations, courses) and the back office's
 * records (subsidies, certificates, enrolments).
 *
 * One file is one transaction. Each row is checked field by field; every
 * problem is printed as "FILE:LINE: column: reason" (column as the file's
 * header names it, the reason in English for the operator). If any row is
 * bad, nothing is imported, unless skip_bad is set: then the bad rows are
 * skipped and the good ones imported. Rows are upserted by their natural
 * key (resident ID, code, reference, certificate number, worker + course),
 * so importing the same file twice changes nothing the second time; a row
 * that changes nothing is counted as unchanged.
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

/* Called now and then with the input bytes read so far, of total, and the
 * rows seen. */
typedef void (*import_progress_cb)(void *data, uint64_t done, uint64_t total,
				   unsigned long rows);

struct import_opts {
	enum import_kind kind;
	const char *path;		/* the CSV file */
	bool skip_bad;			/* import the good rows anyway */
	const char *operator_name;	/* for the audit log */
	const char *country_code;	/* "86": mobile numbers */
	int64_t now_ms;			/* created/updated times; today */
	FILE *err;			/* bad rows, warnings */
	import_progress_cb progress;	/* may be NULL */
	void *progress_data;
};

struct import_result {
	unsigned long rows;		/* data rows read (not empty ones) */
	unsigned long imported;		/* new */
	unsigned long updated;		/* changed */
	unsigned long unchanged;
	unsigned long bad;		/* skipped, or the reason for refusal */
	unsigned long warnings;		/* e.g. subsidy rows flagged */
	enum csv_enc encoding;
};

/* Import o->path. 0: committed (bad rows skipped if skip_bad). -EINVAL:
 * nothing imported because of bad rows, or the file is unusable (empty,
 * wrong header, not decodable), all said on o->err. -ENOENT, -EACCES: the
 * file cannot be opened. -EBUSY: the database stayed locked. -EIO: a
 * database error. An audit row (action "import", or "import_refused")
 * records the operator, file and counts. */
int import_file(struct db *db, const struct import_opts *o,
		struct import_result *r);

/* Print the columns of kind (names accepted, required or not) to out. */
void import_describe(enum import_kind kind, FILE *out);

#endif
