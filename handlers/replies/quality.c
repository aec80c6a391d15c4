/*
 * quality.c - QD 签到 到课, PJ 评价 评分 and JY 就业: a trainee answers the
 * bureau's questions of training quality (handlers/quality/quality.h)
 * from the bound number.
 *
 * QD takes the code of the day ("QD123456"); without one it says how, or
 * that no check is open today. A number that is not bound is told to
 * register, and a code it sends is still recorded (someone else holding a
 * trainee's code). PJ takes a score 1 to 5 first ("PJ5", "PJ 4分 老师讲得
 * 好", "pj5好"), the rest of the text is the comment; a score followed by
 * another number is none ("PJ 3.5" reads "3 5" once normalised). JY takes
 * 1, 2 or 3 (or the words 已就业, 已创业, 未就业). Whatever the outcome
 * the reply is one short text of conf/messages.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handlers/quality/quality.h"
#include "handlers/replies/wording.h"

#define QR_SCORE_MAX	5
#define QR_UNIT_FEN	"\xe5\x88\x86"	/* 分 after a score */
#define QR_VS16		"\xef\xb8\x8f"	/* U+FE0F, U+20E3: "5️⃣", */
#define QR_KEYCAP	"\xe2\x83\xa3"	/* a digit as an emoji */

/* The words of a question's course for a reply. */
struct qr_words {
	char name[DOM_NAME_MAX];
	char date[FMT_CN_DATE];
	char num[HND_NUM_MAX];
	char days[HND_NUM_MAX];
};

static int qr_render(struct handler_ctx *hc, enum texts_id id,
		     const struct dom_worker *w, const struct quality_item *it,
		     char *out, size_t cap)
{
	struct qr_words q = { .name = "" };
	struct hnd_masked m;

	if (w) {
		hnd_mask(w, &m);
		memcpy(q.name, m.name, sizeof(q.name));
	}
	hnd_date(it ? it->day : "", false, q.date, sizeof(q.date));
	snprintf(q.num, sizeof(q.num), "%d", it ? it->answer : 0);
	snprintf(q.days, sizeof(q.days), "%u", hc->qa ?
		 quality_change_days(hc->qa) : 0);
	const struct texts_val v[] = {
		{ "name", q.name }, { "course", it ? it->course : "" },
		{ "code", it ? it->code : "" }, { "date", q.date },
		{ "until", it ? it->until : "" }, { "score", q.num },
		{ "days", q.days },
	};

	return hnd_render(hc, id, v, sizeof(v) / sizeof(v[0]), out, cap);
}

/* The worker behind msisdn: 0, or 1 / < 0 with the reply in out. */
static int qr_worker(struct handler_ctx *hc, const char *msisdn,
		     struct dom_worker *w, char *out, size_t cap)
{
	if (!hc->qa) {
		hnd_render(hc, TX_UNKNOWN, NULL, 0, out, cap);
		return 1;
	}
	return hnd_worker(hc, msisdn, w, TX_NOT_REGISTERED, out, cap);
}

/* ---- QD ------------------------------------------------------------------- */

static const enum texts_id qr_checkin_texts[] = {
	[QUALITY_OK] = TX_CHECKIN_OK, [QUALITY_CHANGED] = TX_CHECKIN_OK,
	[QUALITY_AGAIN] = TX_CHECKIN_AGAIN, [QUALITY_NONE] = TX_CHECKIN_NONE,
	[QUALITY_WRONG] = TX_CHECKIN_WRONG, [QUALITY_LATE] = TX_CHECKIN_LATE,
	[QUALITY_CLOSED] = TX_CHECKIN_LATE,
};

/* QD without a code: how, that today's is confirmed already, or that
 * there is nothing to confirm today. */
static int qr_checkin_usage(struct handler_ctx *hc,
			    const struct dom_worker *w, char *out, size_t cap)
{
	struct quality_item it;
	int rc = quality_open(hc->qa, QUALITY_ATTENDANCE, w->id, hnd_now(hc),
			      &it);

	if (rc < 0)
		return hnd_fail(hc, rc, "checkin", out, cap);
	if (rc == QUALITY_AGAIN)
		qr_render(hc, TX_CHECKIN_AGAIN, w, &it, out, cap);
	else
		qr_render(hc, rc == QUALITY_OK ? TX_CHECKIN_USAGE :
			  TX_CHECKIN_NONE, w, NULL, out, cap);
	return 0;
}

int checkin_reply(struct handler_ctx *hc, const char *msisdn,
		  const char *arg, char *out, size_t cap)
{
	char code[QUALITY_CODE_LEN];
	bool is_code = quality_code_parse(arg, code) == 0;
	enum dom_via via = hc->via;
	struct quality_item it = { 0 };
	struct dom_worker w;
	int rc = qr_worker(hc, msisdn, &w, out, cap);

	if (rc == 1 && hc->qa && is_code &&	/* recorded, not counted */
	    quality_checkin(hc->qa, 0, msisdn, code, via, hnd_now(hc),
			    &it) < 0)
		return hnd_fail(hc, -EIO, "checkin", out, cap);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!*arg)
		return qr_checkin_usage(hc, &w, out, cap);
	if (!is_code) {
		qr_render(hc, TX_CHECKIN_WRONG, &w, NULL, out, cap);
		return 0;
	}
	rc = quality_checkin(hc->qa, w.id, msisdn, code, via, hnd_now(hc), &it);
	if (rc < 0)
		return hnd_fail(hc, rc, "checkin", out, cap);
	qr_render(hc, qr_checkin_texts[rc], &w, &it, out, cap);
	return 0;
}

/* ---- PJ, JY --------------------------------------------------------------- */

/* s past word when it starts with it. */
static const char *qr_skip(const char *s, const char *word)
{
	return strncmp(s, word, strlen(word)) ? s : s + strlen(word);
}

/* What an answer of kind says: the number (1..max), and for a survey the
 * comment after it. 0 when arg holds no answer. */
static int qr_parse(enum quality_kind kind, const char *arg,
		    const char **comment)
{
	static const char *const words[] = {	/* JY's, in order */
		"\xe5\xb7\xb2\xe5\xb0\xb1\xe4\xb8\x9a",	/* 已就业 */
		"\xe5\xb7\xb2\xe5\x88\x9b\xe4\xb8\x9a",	/* 已创业 */
		"\xe6\x9c\xaa\xe5\xb0\xb1\xe4\xb8\x9a",	/* 未就业 */
	};
	int max = kind == QUALITY_SURVEY ? QR_SCORE_MAX : 3, n, i;

	*comment = NULL;
	if (arg[0] >= '1' && arg[0] <= '0' + max) {
		n = arg[0] - '0';
		arg = qr_skip(qr_skip(arg + 1, QR_VS16), QR_KEYCAP);
		if ((unsigned char)*arg < 0x80 && *arg && *arg != ' ')
			return 0;	/* "12", "5a": no score */
		arg = qr_skip(arg + strspn(arg, " "), QR_UNIT_FEN);
		arg += strspn(arg, " ");	/* "5分", "5 分 好" */
		if (*arg >= '0' && *arg <= '9')
			return 0;	/* "3.5", "4,5" read as "3 5" */
		*comment = arg;
		return n;
	}
	for (i = 0; kind == QUALITY_EMPLOYMENT && i < 3; i++)
		if (!strncmp(arg, words[i], strlen(words[i])))
			return i + 1;
	return 0;
}

static enum texts_id qr_answer_text(enum quality_kind kind, int rc,
				    int answer)
{
	static const enum texts_id employed[] = {
		TX_EMPLOYMENT_USAGE, TX_EMPLOYMENT_EMPLOYED,
		TX_EMPLOYMENT_BUSINESS, TX_EMPLOYMENT_SEEKING,
	};
	bool survey = kind == QUALITY_SURVEY;

	switch (rc) {
	case QUALITY_OK:
		return survey ? TX_RATE_OK : employed[answer];
	case QUALITY_CHANGED:
		return survey ? TX_RATE_CHANGED : employed[answer];
	case QUALITY_CLOSED:
		return survey ? TX_RATE_CLOSED : TX_EMPLOYMENT_CLOSED;
	default:
		return survey ? TX_RATE_NONE : TX_EMPLOYMENT_NONE;
	}
}

/* Nothing to answer with: how (naming the open question), or none. */
static int qr_answer_usage(struct handler_ctx *hc, enum quality_kind kind,
			   const struct dom_worker *w, char *out, size_t cap)
{
	struct quality_item it;
	int rc = quality_open(hc->qa, kind, w->id, hnd_now(hc), &it);

	if (rc < 0)
		return hnd_fail(hc, rc, quality_kind_str(kind), out, cap);
	if (rc != QUALITY_OK)
		qr_render(hc, qr_answer_text(kind, QUALITY_NONE, 0), w, NULL,
			  out, cap);
	else
		qr_render(hc, kind == QUALITY_SURVEY ? TX_RATE_USAGE :
			  TX_EMPLOYMENT_USAGE, w, &it, out, cap);
	return 0;
}

static int qr_answer(struct handler_ctx *hc, enum quality_kind kind,
		     const char *msisdn, const char *arg, char *out,
		     size_t cap)
{
	struct quality_item it = { 0 };		/* NONE leaves it as it is */
	struct dom_worker w;
	const char *comment;
	int n, rc = qr_worker(hc, msisdn, &w, out, cap);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	n = qr_parse(kind, arg, &comment);
	if (!n)
		return qr_answer_usage(hc, kind, &w, out, cap);
	rc = quality_answer(hc->qa, kind, w.id, msisdn, n, comment, hc->via,
			    hnd_now(hc), &it);
	if (rc < 0)
		return hnd_fail(hc, rc, quality_kind_str(kind), out, cap);
	qr_render(hc, qr_answer_text(kind, rc, n), &w, &it, out, cap);
	return 0;
}

int rate_reply(struct handler_ctx *hc, const char *msisdn, const char *arg,
	       char *out, size_t cap)
{
	return qr_answer(hc, QUALITY_SURVEY, msisdn, arg, out, cap);
}

int employment_reply(struct handler_ctx *hc, const char *msisdn,
		     const char *arg, char *out, size_t cap)
{
	return qr_answer(hc, QUALITY_EMPLOYMENT, msisdn, arg, out, cap);
}
