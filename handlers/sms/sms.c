/*
 * sms.c - SMS commands: rate limit, parse, answer, queue (see sms.h).
 *
 * sms_table maps each command of command.h to its reply function; every
 * function checks for itself which worker the number is bound to, so a
 * number that is not bound gets only help, the course list and
 * registration, whatever it sends. The rate limit comes first, before any
 * database work, so a flood costs a hash lookup per message. Logs name
 * the command and the number, never the text (it may hold an ID number).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "handlers/sms/command.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "handlers/domain/domain.h"
#include "handlers/quality/quality.h"
#include "handlers/replies/replies.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/queue/mtq.h"
#include "handlers/sms/ratelimit.h"
#include "handlers/sms/sms.h"
#include "gateway/text/texts.h"

#define SMS_MS_PER_MIN	60000

#define SMS_CN_CC		"86"
#define SMS_CN_MOBILE_DIGITS	11	/* 1 + 10 digits, after the 86 */

/* Commands by keyword, and MOs the rate limit held back (/metrics). */
static const char *const sms_cmd_labels[] = { "command", "keyword", NULL };
static struct metrics_family sms_commands = {
	.name = "skillgw_commands_total",
	.help = "SMS commands answered, by command and keyword (unknown: "
		"text that named no command).",
	.type = METRICS_COUNTER, .labels = sms_cmd_labels };
static struct metrics_family sms_limited_total = {
	.name = "skillgw_commands_rate_limited_total",
	.help = "SMS over the per-number rate limit (answered once, then "
		"not at all).",
	.type = METRICS_COUNTER };

struct sms {
	const struct config *cfg;
	struct mtq *q;
	struct dom *dom;
	struct quality_ans *qa;		/* QD, PJ, JY */
	struct ratelimit *rl;
	struct handler_ctx hc;
	struct sms_stats st;
};

static const handler_fn sms_table[COMMAND_NUM] = {
	[COMMAND_HELP] = help_reply,
	[COMMAND_REGISTER] = register_reply,
	[COMMAND_SUBSIDY] = subsidy_reply,
	[COMMAND_COURSES] = courses_reply,
	[COMMAND_ENROL] = enrol_reply,
	[COMMAND_CANCEL] = cancel_reply,
	[COMMAND_RECORD] = record_reply,
	[COMMAND_STOP] = optout_reply,
	[COMMAND_START] = optin_reply,
	[COMMAND_CHECKIN] = checkin_reply,
	[COMMAND_RATE] = rate_reply,
	[COMMAND_EMPLOYMENT] = employment_reply,
};

handler_fn handler_for(enum command_id id)
{
	return (unsigned)id < COMMAND_NUM ? sms_table[id] : NULL;
}

struct sms *sms_init(void *ctx, const struct config *cfg, struct db *db,
		     struct mtq *q, const struct texts *t)
{
	struct sms *s = talloc_zero(ctx, struct sms);
	struct dom_params dp = { .reg_max_failures = cfg->reg_max_failures };

	if (!s)
		return NULL;
	talloc_set_name_const(s, "sms");
	s->cfg = cfg;
	s->q = q;
	s->dom = dom_init(s, db, &dp);
	s->qa = quality_ans_init(s, db, &cfg->quality);
	s->rl = ratelimit_new(s, cfg->rate_limit,
			      (int64_t)cfg->rate_window_s * 1000);
	if (!s->dom || !s->qa || !s->rl) {
		sms_free(s);
		return NULL;
	}
	s->hc = (struct handler_ctx){
		.dom = s->dom, .qa = s->qa, .texts = t, .via = DOM_VIA_SMS,
		.list_parts = cfg->list_parts,
	};
	return s;
}

void sms_free(struct sms *s)
{
	if (!s)
		return;
	dom_free(s->dom);	/* finalizes its statements */
	s->dom = NULL;
	quality_ans_free(s->qa);
	s->qa = NULL;
	talloc_free(s);
}

const struct sms_stats *sms_stats(const struct sms *s)
{
	return &s->st;
}

/* The one answer about the limit: {minutes} until the window ends. */
static void sms_limited(struct sms *s, int64_t wait_ms, char *out, size_t cap)
{
	char minutes[24];
	struct texts_val v = { "minutes", minutes };

	snprintf(minutes, sizeof(minutes), "%lld", (long long)
		 ((wait_ms + SMS_MS_PER_MIN - 1) / SMS_MS_PER_MIN ?: 1));
	texts_render(s->hc.texts, TX_RATE_LIMITED, &v, 1, out, cap);
}

int sms_answer(struct sms *s, const char *msisdn, const char *text,
	       size_t len, int64_t now_ms, char *out, size_t cap)
{
	struct command c;
	handler_fn fn;
	int64_t wait_ms = 0;
	int rc;

	switch (ratelimit_check(s->rl, msisdn, now_ms, &wait_ms)) {
	case RATELIMIT_PASS:
		break;
	case RATELIMIT_TELL:
		s->st.limited++;
		metrics_inc(&sms_limited_total);
		LOGP(DHAND, LOGL_NOTICE, "%s: over the rate limit, told once\n",
		     log_num(msisdn));
		sms_limited(s, wait_ms, out, cap);
		return 1;
	case RATELIMIT_DROP:
		s->st.limited++;
		metrics_inc(&sms_limited_total);
		return 0;
	}
	s->st.commands++;
	command_parse(text, len, &c);
	metrics_inc(&sms_commands, command_name(c.id), command_keyword(c.id));
	fn = handler_for(c.id);
	s->hc.now_ms = now_ms;
	if (fn) {
		rc = fn(&s->hc, msisdn, c.arg, out, cap);
	} else {
		s->st.unknown++;
		rc = help_unknown_reply(&s->hc, c.near_keyword, out, cap);
	}
	s->hc.now_ms = 0;
	if (rc < 0)
		s->st.errors++;
	LOGP(DHAND, LOGL_INFO, "%s: %s%s\n", log_num(msisdn), command_name(c.id),
	     rc < 0 ? " (failed, told to retry)" : "");
	return 1;
}

/* Whether a reply may go to src. In China only mobile numbers (86, then 1
 * and 3..9, 11 digits) are answered: service numbers (10086, 106...) and
 * other gateways may answer automatically, and two machines answering each
 * other would loop for ever at the rate limit. */
static bool sms_answerable(const struct sms *s, const char *src)
{
	const char *cc = s->cfg->country_code;
	size_t lc = strlen(cc);

	if (src[strspn(src, "0123456789")])
		return false;
	if (strcmp(cc, SMS_CN_CC))
		return true;
	return strlen(src) == lc + SMS_CN_MOBILE_DIGITS &&
	       !strncmp(src, cc, lc) && src[lc] == '1' &&
	       src[lc + 1] >= '3' && src[lc + 1] <= '9';
}

int sms_mo(void *data, const struct mo_msg *m)
{
	struct sms *s = data;
	char reply[TEXTS_MAX];
	int rc;

	if (!m->src || !*m->src || !m->text)
		return 0;
	if (!sms_answerable(s, m->src)) {
		LOGP(DHAND, LOGL_INFO, "%s: not a mobile number, not answered\n",
		     log_num(m->src));
		return 0;
	}
	if (!sms_answer(s, m->src, m->text, strlen(m->text), clock_now_ms(),
			reply, sizeof(reply)) || !*reply)
		return 0;
	rc = mtq_enqueue(s->q, &(struct mtq_new){
		.dst = m->src, .text = reply, .prio = MTQ_PRIO_REPLY,
		.answers_us = m->rx_us }, NULL);
	if (rc < 0) {
		s->st.errors++;
		LOGP(DHAND, db_fail_level(), "%s: cannot queue the reply to mo %lld: %s\n",
		     log_num(m->src), (long long)m->id, strerror(-rc));
		return rc;
	}
	s->st.replies++;
	return 0;
}
