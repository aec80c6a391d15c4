/*
 * quality.h - training quality from the trainees' own phones: the bureau
 * judges the subsidised courses and their institutions by attendance,
 * satisfaction and whether the trainees found work, and asks the trainees
 * themselves rather than the institutions that claim the subsidy.
 *
 * Three questions, each asked once per trainee (an enrolment) and round,
 * by SMS to the worker's bound number (conf/messages.conf, group
 * texts.quality):
 *   attendance  on the class days the bureau checks (the courses import's
 *               考勤抽查: N random class days, or the days listed), during
 *               class hours (上课时间, else quality.class_hours), a code of
 *               the day for this trainee; "QD <code>" from the bound number
 *               before class ends that day confirms it;
 *   survey      when a course has ended (the day after its end date, or
 *               when its results were imported): "PJ <1-5> [comment]";
 *   employment  quality.followup_months after the end (3 and 6):
 *               "JY 1" employed, "JY 2" self-employed, "JY 3" not yet.
 * The USSD menu takes the same answers.
 *
 * The asker (ask.c) runs in the daemon's loop: it plans the check days of
 * the courses in class, and in bounded steps makes each due question a
 * row of quality_question and its message a row of the MT queue (priority
 * notify: the notifications' share of each link, quiet hours) in one unit
 * of work, so a crash can neither lose a question nor ask it twice. An
 * attendance message expires at the end of class hours: it is never sent
 * outside them. A worker without a bound number, or who opted out when
 * quality.respect_optout is set (the default: TD stops them), is not asked
 * (the row says why).
 *
 * The answers (answer.c) are taken by the SMS commands and the USSD
 * screens for the worker bound to the asking number: only that worker's
 * questions can be answered, so a code sent from any other number never
 * counts (it is recorded as a refusal: someone else holding a trainee's
 * code is what the bureau looks for).
 */
#ifndef SGW_QUALITY_H
#define SGW_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers/domain/domain.h"

struct config;
struct config_quality;
struct db;
struct mtq;
struct quality;
struct quality_ans;
struct texts;
struct vty;

enum quality_kind {
	QUALITY_ATTENDANCE,
	QUALITY_SURVEY,
	QUALITY_EMPLOYMENT,
	QUALITY_NUM_KINDS
};

/* The kind as stored ("attendance"), or NULL. */
const char *quality_kind_str(enum quality_kind k);

/* ---- check-in codes (code.c) -------------------------------------------- */

#define QUALITY_CODE_DIGITS	6
#define QUALITY_CODE_LEN	(QUALITY_CODE_DIGITS + 1)

/* A new code: QUALITY_CODE_DIGITS decimal digits, each of the 10^6 equally
 * likely, from the kernel's random source. 0, or -EIO when it fails. */
int quality_code_new(char out[QUALITY_CODE_LEN]);

/* The code a phone typed ("123456", "123 456", "１２３４５６" after
 * input_normalise(), "123456 谢谢": what follows the digits is ignored): 0
 * with the digits in out, -EINVAL when they are not QUALITY_CODE_DIGITS. */
int quality_code_parse(const char *in, char out[QUALITY_CODE_LEN]);

/* ---- the asker (ask.c): the daemon's ------------------------------------ */

struct quality_params {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;
	const struct texts *texts;
	void (*kick)(void *);		/* after messages were queued */
	void *kick_data;
};

struct quality_counters {
	unsigned long asked[QUALITY_NUM_KINDS];	/* messages made */
	unsigned long nonumber;		/* trainees without a number */
	unsigned long optout;		/* skipped: opted out */
	unsigned long bad;		/* no message could be made */
	unsigned long checks;		/* check days planned */
};

/* NULL when the statements cannot be prepared (logged). */
struct quality *quality_init(void *ctx, const struct quality_params *p);
void quality_free(struct quality *qa);

/* Once per loop iteration, inside the group-commit transaction. */
void quality_run(struct quality *qa);

/* One step at now_ms (tests): the checks planned when due, then up to
 * quality.batch questions of each kind that is due. Returns the questions
 * made, or a negative errno. */
int quality_step(struct quality *qa, int64_t now_ms);

const struct quality_counters *quality_counters(const struct quality *qa);
void quality_vty_show(struct quality *qa, struct vty *vty);

/* ---- the answers (answer.c): SMS commands and USSD screens ---------------- */

enum quality_result {
	QUALITY_OK,		/* counted */
	QUALITY_CHANGED,	/* replaced the worker's earlier answer */
	QUALITY_AGAIN,		/* attendance: confirmed already */
	QUALITY_NONE,		/* no question of that kind to answer */
	QUALITY_WRONG,		/* a code that is none of the worker's */
	QUALITY_LATE,		/* attendance: the worker's code of a day
				 * whose class hours are over */
	QUALITY_CLOSED,		/* too late to answer or to change */
};

/* A question of the worker, as the answer functions report it. */
struct quality_item {
	int64_t id;
	enum quality_kind kind;
	char course[DOM_NAME_MAX];
	char code[DOM_CODE_MAX];	/* the course's */
	char day[FMT_ISO_DATE];		/* attendance: the class day */
	char until[6];			/* attendance: the code's end, 17:30 */
	int round;			/* employment: months after the end */
	int answer;			/* 0: not answered (yet) */
};

/* The answer side on db (talloc child of ctx); c: the quality group of
 * the configuration (answer_days, change_days). NULL when its statements
 * cannot be prepared. */
struct quality_ans *quality_ans_init(void *ctx, struct db *db,
				     const struct config_quality *c);
void quality_ans_free(struct quality_ans *a);

/* QD: msisdn (the asking number) sent code at now_ms; worker_id is the
 * worker bound to it (0: none, which only records a refusal). Confirms
 * the worker's attendance question whose code it is while its class hours
 * last. An enum quality_result with *it the question (OK, AGAIN, LATE),
 * or a negative errno. A code of another worker's question is recorded as
 * a refusal of that question (reason "other") and answered as WRONG. */
int quality_checkin(struct quality_ans *a, int64_t worker_id,
		    const char *msisdn, const char *code, enum dom_via via,
		    int64_t now_ms, struct quality_item *it);

/* PJ (kind QUALITY_SURVEY, answer 1..5, comment or NULL) or JY
 * (QUALITY_EMPLOYMENT, answer 1..3): the worker's newest question of the
 * kind that is open. OK (first answer), CHANGED (a second one within
 * quality.change_days of the first), CLOSED (answered longer ago, or not
 * answered within quality.answer_days: recorded as a refusal), NONE; *it
 * the question (all but NONE), or a negative errno. */
int quality_answer(struct quality_ans *a, enum quality_kind kind,
		   int64_t worker_id, const char *msisdn, int answer,
		   const char *comment, enum dom_via via, int64_t now_ms,
		   struct quality_item *it);

/* quality.change_days: how long an answer may be changed. */
unsigned quality_change_days(const struct quality_ans *a);

/* The worker's question of the kind the next answer would go to (for a
 * USSD prompt): QUALITY_OK with *it, QUALITY_NONE, or a negative errno.
 * Attendance: one whose code is still valid and not yet confirmed;
 * QUALITY_AGAIN with *it when today's is valid and confirmed already. */
int quality_open(struct quality_ans *a, enum quality_kind kind,
		 int64_t worker_id, int64_t now_ms, struct quality_item *it);

#define QUALITY_COMMENT_CHARS	70	/* longer comments are cut */
#define QUALITY_COMMENT_MAX	(QUALITY_COMMENT_CHARS * 4 + 1)	/* bytes */

#endif
