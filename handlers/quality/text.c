/*
 * text.c - the words of a question (conf/messages.conf, group
 * texts.quality): the trainee's masked name, the course (name, code,
 * institution, dates without the year), and for an attendance check the
 * day with its year, the end of class hours and the code; for a
 * follow-up the months since the course ended.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <osmocom/core/utils.h>

#include "gateway/text/fmt.h"
#include "gateway/text/texts.h"
#include "quality_priv.h"

static const enum texts_id quality_texts[QUALITY_NUM_KINDS] = {
	[QUALITY_ATTENDANCE] = TX_QUALITY_ATTENDANCE,
	[QUALITY_SURVEY] = TX_QUALITY_SURVEY,
	[QUALITY_EMPLOYMENT] = TX_QUALITY_EMPLOYMENT,
};

void quality_hhmm(int64_t ms, char out[6])
{
	time_t t = (time_t)(ms / 1000 + FMT_CN_UTC_OFFSET_S);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 6, "%02u:%02u", (unsigned)tm.tm_hour % 100,
		 (unsigned)tm.tm_min % 100);
}

int quality_text(const struct texts *t, const struct quality_cand *c,
		 const char *checkcode, char *out, size_t cap)
{
	char name[DOM_NAME_MAX], date[FMT_CN_DATE], start[FMT_CN_DATE];
	char end[FMT_CN_DATE], until[6] = "", months[12];

	if ((unsigned)c->kind >= QUALITY_NUM_KINDS)
		return -EINVAL;
	if (fmt_name_mask(c->name, name, sizeof(name)) < 0)
		OSMO_STRLCPY_ARRAY(name, "*");
	/* an unknown date renders as nothing */
	fmt_date_cn(c->day, true, date, sizeof(date));
	fmt_date_cn(c->start, false, start, sizeof(start));
	fmt_date_cn(c->end, false, end, sizeof(end));
	if (c->until_ms)
		quality_hhmm(c->until_ms, until);
	snprintf(months, sizeof(months), "%d", c->round);
	const struct texts_val v[] = {
		{ "name", name }, { "course", c->course }, { "code", c->code },
		{ "institution", c->institution }, { "start", start },
		{ "end", end }, { "date", date }, { "until", until },
		{ "checkcode", checkcode }, { "months", months },
	};

	return texts_render(t, quality_texts[c->kind], v, ARRAY_SIZE(v), out,
			    cap);
}
