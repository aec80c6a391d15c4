/*
 * domain_priv.h - what the files of the domain layer share (private; the
 * public interface is include/handlers/domain/domain.h).
 *
 * The layer is cut by feature: domain.c (set-up, savepoints), worker.c
 * (workers, registration, opt-out), course.c (catalogue), enrol.c
 * (enrolment, cancellation, the record), subsidy.c (subsidies and the
 * rule). Each file keeps its SQL in its own table indexed by its own enum,
 * prepared once by dom_init().
 */
#ifndef SGW_DOMAIN_PRIV_H
#define SGW_DOMAIN_PRIV_H

#include <sqlite3.h>

#include "handlers/domain/domain.h"

enum dom_tx_stmt { DT_SAVEPOINT, DT_RELEASE, DT_ROLLBACK_TO, DT_NUM };

enum dom_worker_stmt {
	DW_BY_MSISDN, DW_BY_ID_NUMBER, DW_BIND, DW_FAIL_GET, DW_FAIL_ADD,
	DW_OPTOUT, DW_EXISTS, DW_BY_ID, DW_NUM
};

enum dom_course_stmt {
	DC_GET, DC_OPEN, DC_REGIONS, DC_GROUPS, DC_WORD_REGION, DC_WORD_GROUP,
	DC_WORD_OCC, DC_WORD_OCC_IN, DC_NUM
};

enum dom_enrol_stmt {
	DE_ENROL, DE_ACTIVE, DE_ID, DE_CANCEL, DE_TRAININGS, DE_CERTS,
	DE_SKILLS, DE_ALL, DE_NUM
};

enum dom_subsidy_stmt { DS_LIST, DS_RULE, DS_GET, DS_SET, DS_FLAG, DS_UNFLAG,
			DS_NUM };

extern const char *const dom_tx_sql[DT_NUM];
extern const char *const dom_worker_sql[DW_NUM];
extern const char *const dom_course_sql[DC_NUM];
extern const char *const dom_enrol_sql[DE_NUM];
extern const char *const dom_subsidy_sql[DS_NUM];

struct dom {
	struct db *db;
	struct dom_params p;
	struct audit *audit;
	sqlite3_stmt *tx[DT_NUM];
	sqlite3_stmt *w[DW_NUM];
	sqlite3_stmt *c[DC_NUM];
	sqlite3_stmt *e[DE_NUM];
	sqlite3_stmt *s[DS_NUM];
};

/* Start a write: the group-commit transaction (or the caller's) and a
 * savepoint. 0 or -EIO. Every dom_write_begin() is paired with one
 * dom_write_end(rc), which releases the savepoint when rc >= 0 and rolls
 * it back otherwise, and returns rc (or -EIO if that failed). */
int dom_write_begin(struct dom *d);
int dom_write_end(struct dom *d, int rc);

/* Log a failed step of st and turn rc into a negative errno (db_step_error
 * in the category of the handlers). */
int dom_err(struct dom *d, sqlite3_stmt *st, int rc);

/* Run list, a statement of the worker's rows (:worker_id, :limit), into a
 * talloc'ed array of DOM_LIST_MAX items of elem bytes under ctx: row()
 * fills one zeroed item from each row, *n counts them (the items after
 * them are not initialised). DOM_OK or errno. */
int dom_list(struct dom *d, sqlite3_stmt *list, void *ctx, int64_t worker_id,
	     size_t elem, void **out, unsigned *n,
	     void (*row)(sqlite3_stmt *st, void *item));

/* The China local date and its year for now_ms. */
void dom_today(int64_t now_ms, char today[FMT_ISO_DATE]);

/* Read a course row of DOM_COURSE_COLS (course.c) into *c. */
void dom_course_row(sqlite3_stmt *st, struct dom_course *c);

/* The columns dom_course_row() reads, with the FROM clause. */
#define DOM_COURSE_SELECT						\
	"SELECT c.id, c.code, c.name, c.occupation, o.name, o.grp,"	\
	" c.level, c.training_type, c.institution, i.name,"		\
	" i.catalogued, c.region, r.name, c.start_date, c.end_date,"	\
	" c.enrol_deadline, c.capacity, c.seats_taken, c.subsidy_fen,"	\
	" c.status FROM course c"					\
	" JOIN occupation o ON o.code = c.occupation"			\
	" JOIN institution i ON i.code = c.institution"			\
	" JOIN region r ON r.code = c.region"

#endif
