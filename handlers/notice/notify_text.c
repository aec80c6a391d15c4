/*
 * notify_text.c - the words of a notification, from the facts its event
 * keeps: the worker's masked name, a subsidy's kind (the glossary's label)
 * and what it is for (its course, else its occupation and level),
 * the amount in yuan, dates in Chinese, the reason of a rejection, a
 * course's code, institution and dates.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "gateway/text/fmt.h"
#include "gateway/text/texts.h"
#include "handlers/domain/codes.h"
#include "handlers/domain/domain.h"
#include "notify_priv.h"

static const enum texts_id notify_texts[NOTIFY_NUM_KINDS] = {
	[NOTIFY_SUBSIDY_APPROVED] = TX_NOTIFY_SUBSIDY_APPROVED,
	[NOTIFY_SUBSIDY_PAID] = TX_NOTIFY_SUBSIDY_PAID,
	[NOTIFY_SUBSIDY_REJECTED] = TX_NOTIFY_SUBSIDY_REJECTED,
	[NOTIFY_COURSE_CANCELLED] = TX_NOTIFY_COURSE_CANCELLED,
	[NOTIFY_COURSE_CLOSED] = TX_NOTIFY_COURSE_CLOSED,
	[NOTIFY_COURSE_CHANGED] = TX_NOTIFY_COURSE_CHANGED,
	[NOTIFY_ENROL_CANCELLED] = TX_NOTIFY_ENROL_CANCELLED,
	[NOTIFY_REMINDER] = TX_NOTIFY_REMINDER,
};

struct notify_words {
	char name[DOM_NAME_MAX];
	char subject[2 * DOM_NAME_MAX + 8];
	char amount[FMT_YUAN];
	char date[FMT_CN_DATE];
	char start[FMT_CN_DATE];
	char end[FMT_CN_DATE];
};

/* What a subsidy is for, in brackets: its course, else its occupation and
 * level; "" when it names neither. */
static void notify_subject(const struct notify_ev *e, char *out, size_t cap)
{
	const char *level = e->level ? codes_level_label(e->level) : NULL;

	if (*e->course)
		snprintf(out, cap, "（%s）", e->course);
	else if (*e->occupation)
		snprintf(out, cap, "（%s%s）", e->occupation, level ? level : "");
	else if (cap)
		*out = '\0';
}

static void notify_words(const struct notify_ev *e, struct notify_words *w)
{
	if (fmt_name_mask(e->name, w->name, sizeof(w->name)) < 0)
		OSMO_STRLCPY_ARRAY(w->name, "*");
	notify_subject(e, w->subject, sizeof(w->subject));
	fmt_yuan(e->amount_fen, w->amount, sizeof(w->amount));
	/* an unknown date renders as nothing */
	fmt_date_cn(e->fact_date, true, w->date, sizeof(w->date));
	fmt_date_cn(e->fact_date, false, w->start, sizeof(w->start));
	fmt_date_cn(e->end_date, false, w->end, sizeof(w->end));
}

int notify_text(const struct texts *t, const struct notify_ev *e, char *out,
		size_t cap)
{
	struct notify_words w;
	const char *kind = codes_label(&codes_subsidy_kind, e->subsidy_kind);

	if (e->kind < 0 || e->kind >= NOTIFY_NUM_KINDS)
		return -EINVAL;
	notify_words(e, &w);
	const struct texts_val v[] = {
		{ "name", w.name }, { "kind", kind ? kind : "" },
		{ "subject", w.subject }, { "course", e->course },
		{ "amount", w.amount },
		{ "date", w.date }, { "reason", e->reason },
		{ "code", e->code }, { "start", w.start }, { "end", w.end },
		{ "institution", e->institution },
	};

	return texts_render(t, notify_texts[e->kind], v, ARRAY_SIZE(v), out,
			    cap);
}
