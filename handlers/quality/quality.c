/*
 * quality.c - what the files of the quality module share: the names of
 * the kinds as stored, columns read into talloc'ed strings, and date
 * arithmetic on local days.
 */
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/text/fmt.h"
#include "quality_priv.h"

static const char *const quality_kinds[QUALITY_NUM_KINDS] = {
	[QUALITY_ATTENDANCE] = "attendance",
	[QUALITY_SURVEY] = "survey",
	[QUALITY_EMPLOYMENT] = "employment",
};

const char *quality_kind_str(enum quality_kind k)
{
	return (unsigned)k < QUALITY_NUM_KINDS ? quality_kinds[k] : NULL;
}

const char *quality_col(void *ctx, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return talloc_strdup(ctx, t ? t : "");
}

void quality_add_days(const char *iso, int days, char out[FMT_ISO_DATE])
{
	int64_t ms = fmt_local_midnight_ms(iso);

	if (ms < 0) {
		out[0] = '\0';
		return;
	}
	/* noon of the day, so that the offset can never land on a border */
	fmt_local_date(ms + days * QUALITY_MS_PER_DAY + QUALITY_MS_PER_DAY / 2,
		       out);
}
