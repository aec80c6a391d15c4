/*
 * courses.c - KC 课程 [地区|工种]: courses open for enrolment now (open, the
 * deadline not passed, a seat left), the asking worker's region first, each
 * with the code to send after BM. Anyone may ask, bound or not.
 *
 * Each word after KC that names a region ("普宁"), an occupation group or
 * an occupation ("电工") narrows the list (dom_course_word); other words
 * ("查询") are ignored, so "课程查询" lists everything. The head names the
 * words that filtered, which are therefore names from the catalogue and
 * never free text. The list is cut to commands.list_parts SMS, with a hint
 * to narrow it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/text/fmt.h"
#include "handlers/replies/wording.h"

#define COURSES_WORDS_MAX	3	/* filter words looked at */
#define COURSES_LABEL_MAX	(COURSES_WORDS_MAX * DOM_NAME_MAX)

/* Narrow f by the words of arg; the recognised ones go into label. */
static int courses_filter(const struct handler_ctx *hc, const char *arg,
			  struct dom_course_filter *f, char *label,
			  size_t cap)
{
	char word[DOM_NAME_MAX];
	unsigned k = 0;
	size_t used = 0;

	label[0] = '\0';
	while (arg && *arg && k++ < COURSES_WORDS_MAX) {
		size_t n = strcspn(arg, " ");
		int rc;

		snprintf(word, sizeof(word), "%.*s", (int)n, arg);
		arg += n + (arg[n] == ' ');
		if (n >= sizeof(word))
			continue;
		rc = dom_course_word(hc->dom, word, f);
		if (rc < 0)
			return rc;
		if (rc == DOM_OK && used < cap)
			used += snprintf(label + used, cap - used, "%s", word);
	}
	return 0;
}

static void courses_line(const struct handler_ctx *hc,
			 const struct dom_course *c, char *out, size_t cap)
{
	char start[FMT_CN_DATE], end[FMT_CN_DATE], seats[HND_NUM_MAX],
	     amount[FMT_YUAN];
	struct texts_val v[] = {
		{ "code", c->code }, { "course", c->name },
		{ "level", hnd_level(hc, c->level) },
		{ "region", c->region_name },
		{ "institution", c->institution_name },
		{ "start", start }, { "end", end }, { "seats", seats },
		{ "amount", amount },
	};

	hnd_date(c->start_date, false, start, sizeof(start));
	hnd_date(c->end_date, false, end, sizeof(end));
	snprintf(seats, sizeof(seats), "%u", c->capacity > c->seats_taken ?
		 c->capacity - c->seats_taken : 0);
	fmt_yuan(c->subsidy_fen, amount, sizeof(amount));
	texts_render(hc->texts, TX_COURSE_ITEM, v, sizeof(v) / sizeof(v[0]),
		     out, cap);
}

static int courses_list(const struct handler_ctx *hc, const char *label,
			const struct dom_course *c, unsigned n, bool more,
			char *out, size_t cap)
{
	struct hnd_lines *l = hnd_lines_new(NULL, n);
	char head[TEXTS_MAX];
	unsigned i;

	if (!l)
		return hnd_fail(hc, -ENOMEM, "course list", out, cap);
	hnd_render(hc, TX_COURSES_HEAD, (struct texts_val[]){
		{ "filter", label } }, 1, head, sizeof(head));
	for (i = 0; i < n; i++)
		courses_line(hc, &c[i], l->line[i], HND_LINE_MAX);
	hnd_list(hc, head, (const char *const *)l->line, n, n + more,
		 TX_COURSES_MORE, out, cap);
	talloc_free(l);
	return 0;
}

int courses_reply(struct handler_ctx *hc, const char *msisdn,
		  const char *arg, char *out, size_t cap)
{
	struct dom_course_filter f = { 0 };
	struct dom_course *c = NULL;
	char label[COURSES_LABEL_MAX];
	struct dom_worker w;
	unsigned n = 0;
	bool more = false;
	int rc;

	rc = dom_worker_by_msisdn(hc->dom, msisdn ? msisdn : "", &w);
	if (rc < 0)
		return hnd_fail(hc, rc, "worker by number", out, cap);
	if (rc == DOM_OK)
		snprintf(f.home_region, sizeof(f.home_region), "%s", w.region);
	rc = courses_filter(hc, arg, &f, label, sizeof(label));
	if (rc == 0)
		rc = dom_courses_open(hc->dom, NULL, &f, hnd_now(hc), 0,
				      DOM_LIST_MAX, &c, &n, &more);
	if (rc != DOM_OK) {
		talloc_free(c);
		return hnd_fail(hc, rc, "open courses", out, cap);
	}
	if (n == 0)
		hnd_render(hc, TX_COURSES_NONE, (struct texts_val[]){
			{ "filter", label } }, 1, out, cap);
	else
		rc = courses_list(hc, label, c, n, more, out, cap);
	talloc_free(c);
	return rc;
}
