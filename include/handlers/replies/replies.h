/*
 * replies.h - what a worker can ask, as functions that write the answer.
 *
 * One function per feature (one file each in handlers/replies/): it takes
 * the asking number and the argument the worker typed, does its work
 * through the domain layer (domain.h) and writes the reply text, rendered
 * from conf/messages.conf, into out. Nothing here knows the channel: the
 * SMS commands (handlers/sms) and the USSD screens (handlers/ussd) call the
 * same functions and send the text their own way.
 *
 * Every function follows one contract:
 *   int X_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
 *               char *out, size_t cap);
 * msisdn is the asking number in international digits (8613800138000) and
 * decides whose data may be shown: only the worker bound to it. arg is the
 * normalised argument (gateway/text/input.h), "" when none. Returns 0 with the reply
 * in out (always NUL-terminated), or a negative errno when the database
 * failed; then out holds the "system busy" text. Names and ID numbers in
 * replies are always masked.
 */
#ifndef SGW_REPLIES_H
#define SGW_REPLIES_H

#include <stddef.h>
#include <stdint.h>

#include "handlers/domain/domain.h"

struct quality_ans;
struct texts;

struct handler_ctx {
	struct dom *dom;
	struct quality_ans *qa;	/* answers to the questions of training
				 * quality (QD, PJ, JY); NULL: none taken */
	const struct texts *texts;
	enum dom_via via;	/* recorded with registrations, enrolments */
	unsigned list_parts;	/* SMS parts a list may take */
	/* {signature} of every reply: NULL for the configured one, "" for
	 * none (a USSD screen) */
	const char *signature;
	/* the time of the request: 0 means clock_now_ms() (tests set it) */
	int64_t now_ms;
};

typedef int (*handler_fn)(struct handler_ctx *hc, const char *msisdn,
			  const char *arg, char *out, size_t cap);

/* BZ: the command list (a shorter one for a number not bound yet). */
int help_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
	       char *out, size_t cap);
/* Input that is no command: the help text, with near_keyword (the
 * command the input is nearest to, or NULL) suggested. */
int help_unknown_reply(struct handler_ctx *hc, const char *near_keyword,
		       char *out, size_t cap);
/* ZC 身份证号 姓名: bind the number to its roster entry. */
int register_reply(struct handler_ctx *hc, const char *msisdn,
		   const char *arg, char *out, size_t cap);
/* BT: every subsidy of the worker. */
int subsidy_reply(struct handler_ctx *hc, const char *msisdn,
		  const char *arg, char *out, size_t cap);
/* KC [地区|工种]: open courses, the worker's region first. */
int courses_reply(struct handler_ctx *hc, const char *msisdn,
		  const char *arg, char *out, size_t cap);
/* BM 课程号 / QX 课程号 */
int enrol_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
		char *out, size_t cap);
int cancel_reply(struct handler_ctx *hc, const char *msisdn,
		 const char *arg, char *out, size_t cap);
/* DA: trainings, results, certificates, skill levels. */
int record_reply(struct handler_ctx *hc, const char *msisdn,
		 const char *arg, char *out, size_t cap);
/* TD / DY: stop or resume bulk notices. */
int optout_reply(struct handler_ctx *hc, const char *msisdn,
		 const char *arg, char *out, size_t cap);
int optin_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
		char *out, size_t cap);
/* QD 签到码: confirm today's attendance with the code of the day;
 * PJ 1-5 [意见]: rate the course that ended; JY 1|2|3: employed,
 * self-employed, not yet (the answers of training quality). */
int checkin_reply(struct handler_ctx *hc, const char *msisdn,
		  const char *arg, char *out, size_t cap);
int rate_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
	       char *out, size_t cap);
int employment_reply(struct handler_ctx *hc, const char *msisdn,
		     const char *arg, char *out, size_t cap);

#endif
