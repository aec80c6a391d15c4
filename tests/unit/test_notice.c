/*
 * test_notice.c - unit tests of notice campaigns: the text
 * (handlers/notice/text.c), the audience (handlers/notice/audience.c) and the
 * scheduler (handlers/notice/scheduler.c with handlers/notice/notice.c).
 *
 * Every test gets a fresh database file with a small roster: workers in
 * two regions with key groups, one without a bound number, one opted out,
 * two courses with enrolments in different states, two subsidies.
 * Text: placeholder checks (unknown, stray braces, empty, bad UTF-8, too
 * long), rendering (masked and plain names, Chinese dates, missing values,
 * a value that looks like a placeholder, cutting at a character), SMS
 * parts at the GSM and UCS-2 limits. Audience: resolving names, prefixes,
 * ambiguous and unknown values, labels of the code lists; counts per
 * filter and combination; samples with the course of the enrolment;
 * listing slices, repeated without duplicates. Scheduler: the queue is
 * topped up to notices.ahead in batches, every recipient gets exactly one
 * message and the campaign ends done; quiet hours and start times hold it;
 * an opt-out takes queued rows back (trigger) and skips pending ones; a
 * rate spaces the send times; pause takes rows back and resume sends them
 * once; end_at expires what is queued; a text too long for a recipient
 * makes it bad; a campaign of numbers drops duplicates.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "handlers/notice/audience.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"
#include "testutil.h"
#include "gateway/queue/mtq.h"
#include "handlers/notice/notice.h"
#include "handlers/notice/text.h"
#include "handlers/notice/scheduler.h"

#define ZH	"\xe4\xb8\xad"	/* 中 */
#define BODY	"【揭阳人社】{name}您好，{course}将于{start_date}开课。回TD退订"

static void *test_ctx;

struct fx {
	char path[64];
	struct db *db;
	struct mtq *q;
	struct audience_db *ad;
	struct notice_db *nd;
	struct config cfg;
};

static const char fixture_sql[] =
	"INSERT INTO occupation VALUES ('E01', '电工', '制造', 0, 0),"
	" ('C02', '中式烹调师', '服务', 0, 0);"
	"INSERT INTO institution VALUES ('I1', '揭阳技校', '445202', 1, 0, 0);"
	"INSERT INTO course (id, code, name, occupation, level, training_type,"
	" institution, region, start_date, end_date, enrol_deadline, capacity,"
	" subsidy_fen, created_at, updated_at) VALUES"
	" (1, '2031', '电工培训班', 'E01', 4, 'employment', 'I1', '445202',"
	"  '2026-03-05', '2026-04-05', '2026-03-01', 50, 150000, 0, 0),"
	" (2, '2032', '中式烹调师培训班', 'C02', 5, 'employment', 'I1',"
	"  '445281', '2026-04-01', '2026-05-01', '2026-03-20', 50, 100000, 0, 0);"
	"INSERT INTO worker (id, id_number, name, msisdn, region, key_groups,"
	" birth_date, opted_out, bound_by, created_at, updated_at) VALUES"
	" (1, 'A1', '张小明', '8613800000001', '445281', 'migrant', '1990-01-01', 0, 'roster', 0, 0),"
	" (2, 'A2', '欧阳小明', '8613800000002', '445281', 'migrant,poverty', '1990-01-01', 0, 'roster', 0, 0),"
	" (3, 'A3', '李四', '8613800000003', '445202', 'veteran', '1990-01-01', 0, 'roster', 0, 0),"
	" (4, 'A4', '王五', NULL, '445281', 'migrant', '1990-01-01', 0, NULL, 0, 0),"
	" (5, 'A5', '赵六', '8613800000005', '445281', 'migrant', '1990-01-01', 1, 'roster', 0, 0);"
	"WITH RECURSIVE c(i) AS (SELECT 6 UNION ALL SELECT i + 1 FROM c WHERE i < 20)"
	" INSERT INTO worker (id, id_number, name, msisdn, region, birth_date,"
	" bound_by, created_at, updated_at) SELECT i, 'A' || i, '工人' || i,"
	" printf('86138000000%02d', i), '445224', '1990-01-01', 'roster', 0, 0 FROM c;"
	"INSERT INTO enrolment (worker_id, course_id, status, channel, created_at,"
	" updated_at) VALUES (1, 1, 'enrolled', 'sms', 0, 0),"
	" (2, 2, 'completed', 'sms', 0, 0), (3, 1, 'cancelled', 'sms', 0, 0);"
	"INSERT INTO subsidy (reference, worker_id, kind, occupation, level,"
	" amount_fen, status, applied_date, paid_date, year, created_at,"
	" updated_at) VALUES ('S1', 1, 'training', 'E01', 4, 150000, 'paid',"
	" '2026-01-01', '2026-02-01', 2026, 0, 0),"
	" ('S2', 2, 'training', 'C02', 5, 100000, 'reviewing', '2026-01-01',"
	" NULL, 2026, 0, 0);";

static int64_t sql_int(struct fx *f, const char *s)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), s, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(test_ctx, struct fx);
	struct mtq_params mp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 2, .max_parts = 8 };

	f->db = testutil_db_create(f, "test_notice", f->path, sizeof(f->path));
	testutil_exec(f->db, fixture_sql);
	f->q = mtq_init(f, f->db, &mp);
	f->ad = audience_db_init(f, f->db);
	f->nd = notice_db_init(f, f->db);
	assert_true(f->q && f->ad && f->nd);
	config_defaults(&f->cfg);
	snprintf(f->cfg.quiet_start, sizeof(f->cfg.quiet_start), "00:00");
	snprintf(f->cfg.quiet_end, sizeof(f->cfg.quiet_end), "00:00");
	snprintf(f->cfg.timezone, sizeof(f->cfg.timezone), "UTC");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_commit(f->db);
	notice_db_free(f->nd);
	audience_db_free(f->ad);
	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* ---- text ----------------------------------------------------------------- */

static void test_text_check(void **state)
{
	char why[256], big[NOTICE_INPUT_MAX + 2];
	unsigned uses = 0;

	assert_int_equal(notice_text_check("{name}，{course}{start_date}{region}"
					   "{name_plain}", &uses, why,
					   sizeof(why)), 0);
	assert_int_equal(uses, 0x1f);
	assert_int_equal(notice_text_check("无占位符", &uses, why, sizeof(why)),
			 0);
	assert_int_equal(uses, 0);
	assert_int_equal(notice_text_check("你好{foo}", &uses, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "{foo}"));
	assert_non_null(strstr(why, "{name_plain}"));
	assert_int_equal(notice_text_check("a } b", &uses, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(notice_text_check("{name", &uses, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(notice_text_check("{NAME}", &uses, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(notice_text_check("", &uses, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(notice_text_check("\xff\xfe", &uses, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "UTF-8"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(notice_text_check(big, &uses, why, sizeof(why)),
			 -EINVAL);
}

static void test_text_render(void **state)
{
	struct notice_vals v = { "张小明", "电工培训班", "2026-03-05", "普宁市" };
	struct notice_vals none = { NULL, NULL, NULL, NULL };
	struct notice_vals sly = { "{name}", "{course}", "bad-date", "" };
	char out[256];

	assert_true(notice_text_render(BODY, &v, out, sizeof(out)) > 0);
	assert_string_equal(out, "【揭阳人社】张*明您好，电工培训班将于2026年3月5日"
			    "开课。回TD退订");
	assert_true(notice_text_render("{name_plain}@{region}", &v, out,
				       sizeof(out)) > 0);
	assert_string_equal(out, "张小明@普宁市");
	/* missing values render as nothing */
	assert_true(notice_text_render(BODY, &none, out, sizeof(out)) > 0);
	assert_string_equal(out, "【揭阳人社】您好，将于开课。回TD退订");
	/* values are not expanded again; a bad date is left out */
	assert_true(notice_text_render("{name_plain}|{course}|{start_date}",
				       &sly, out, sizeof(out)) > 0);
	assert_string_equal(out, "{name}|{course}|");
	/* braces that are no placeholder (from the signature) stay */
	assert_true(notice_text_render("{x}{", &v, out, sizeof(out)) > 0);
	assert_string_equal(out, "{x}{");
	/* cut at a character boundary: 3 bytes of room hold one 中 */
	assert_int_equal(notice_text_render(ZH ZH, &v, out, 5), -ENOSPC);
	assert_string_equal(out, ZH);
}

static void test_text_parts(void **state)
{
	char s[1024] = "";
	unsigned chars = 0, i;

	for (i = 0; i < 70; i++)
		strcat(s, ZH);
	assert_int_equal(notice_text_parts(s, &chars), 1);
	assert_int_equal(chars, 70);
	strcat(s, ZH);
	assert_int_equal(notice_text_parts(s, NULL), 2);
	for (i = 71; i < 134; i++)
		strcat(s, ZH);
	assert_int_equal(notice_text_parts(s, NULL), 2);
	strcat(s, ZH);
	assert_int_equal(notice_text_parts(s, NULL), 3);
	memset(s, 'a', 160);
	s[160] = '\0';
	assert_int_equal(notice_text_parts(s, NULL), 1);
	strcat(s, "a");
	assert_int_equal(notice_text_parts(s, NULL), 2);
	assert_int_equal(notice_text_parts("", NULL), -EINVAL);
}

/* ---- audience ------------------------------------------------------------- */

static int resolve(struct fx *f, struct audience_args a, struct audience *au,
		   char *why)
{
	return audience_resolve(f->ad, f, &a, au, why, 256);
}

static void test_audience_resolve(void **state)
{
	struct fx *f = *state;
	struct audience au;
	char why[256];

	assert_int_equal(resolve(f, (struct audience_args){ .region = "普宁" },
				 &au, why), 0);
	assert_string_equal(au.region, "[\"445281\"]");
	assert_int_equal(resolve(f, (struct audience_args){
		.region = "普宁市，445202", .group = "农民工、veteran",
		.subsidy_status = "已发放" }, &au, why), 0);
	assert_string_equal(au.region, "[\"445281\",\"445202\"]");
	assert_string_equal(au.group, "[\"migrant\",\"veteran\"]");
	assert_string_equal(au.subsidy_status, "[\"paid\"]");
	assert_null(au.course);
	assert_false(audience_has_course(&au));
	assert_int_equal(resolve(f, (struct audience_args){ .region = "揭" },
				 &au, why), -EINVAL);
	assert_non_null(strstr(why, "ambiguous"));
	assert_int_equal(resolve(f, (struct audience_args){ .region = "北京" },
				 &au, why), -EINVAL);
	assert_non_null(strstr(why, "--region: '北京' is not known"));
	assert_int_equal(resolve(f, (struct audience_args){ .course = "2031",
		.occupation = "电工", .enrol_status = "已报名" }, &au, why), 0);
	assert_int_equal(au.course_id, 1);
	assert_string_equal(au.occupation, "[\"E01\"]");
	assert_string_equal(au.enrol_status, "[\"enrolled\"]");
	assert_true(audience_has_course(&au));
	assert_int_equal(resolve(f, (struct audience_args){
		.course = "2031,2032" }, &au, why), 0);
	assert_int_equal(au.course_id, 0);	/* two: per recipient */
	assert_int_equal(resolve(f, (struct audience_args){ .course = "9999" },
				 &au, why), -EINVAL);
	assert_int_equal(resolve(f, (struct audience_args){ .group = "pirate" },
				 &au, why), -EINVAL);
	assert_int_equal(resolve(f, (struct audience_args){ .region = ",,," },
				 &au, why), -EINVAL);
}

static struct audience_count count(struct fx *f, struct audience_args a)
{
	struct audience au;
	struct audience_count c = { 0 };
	char why[256];

	assert_int_equal(resolve(f, a, &au, why), 0);
	assert_int_equal(audience_count(f->ad, &au, &c), 0);
	return c;
}

static void test_audience_count(void **state)
{
	struct fx *f = *state;
	struct audience_count c;

	c = count(f, (struct audience_args){ .region = "445281" });
	assert_int_equal(c.matched, 4);
	assert_int_equal(c.no_number, 1);
	assert_int_equal(c.opted_out, 1);
	assert_int_equal(c.recipients, 2);
	c = count(f, (struct audience_args){ 0 });
	assert_int_equal(c.recipients, 18);
	assert_int_equal(count(f, (struct audience_args){ .group = "veteran" })
			 .recipients, 1);
	assert_int_equal(count(f, (struct audience_args){ .group = "poverty" })
			 .recipients, 1);
	assert_int_equal(count(f, (struct audience_args){ .occupation = "E01" })
			 .recipients, 2);	/* w1 enrolled, w3 cancelled */
	assert_int_equal(count(f, (struct audience_args){ .occupation = "E01",
		.enrol_status = "enrolled" }).recipients, 1);
	assert_int_equal(count(f, (struct audience_args){
		.enrol_status = "completed" }).recipients, 1);
	assert_int_equal(count(f, (struct audience_args){
		.subsidy_status = "paid,reviewing" }).recipients, 2);
	assert_int_equal(count(f, (struct audience_args){ .region = "445224",
		.group = "migrant" }).recipients, 0);
}

static void test_audience_samples_and_list(void **state)
{
	struct fx *f = *state;
	struct audience au;
	struct audience_sample s[3];
	unsigned n = 0;
	char why[256];

	assert_int_equal(resolve(f, (struct audience_args){
		.occupation = "电工,中式烹调师" }, &au, why), 0);
	assert_int_equal(audience_samples(f->ad, &au, s, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].name, "张小明");
	assert_string_equal(s[0].course, "电工培训班");
	assert_string_equal(s[0].start_date, "2026-03-05");
	assert_string_equal(s[0].region, "普宁市");
	assert_string_equal(s[1].course, "中式烹调师培训班");
	/* listing in slices of ids, twice: no duplicate */
	testutil_exec(f->db, "INSERT INTO campaign (id, name, text, body, audience, parts,"
	    " created_by, created_at, updated_at) VALUES (9, 'n', 't', 'b',"
	    " '{}', 1, 'me', 0, 0)");
	assert_int_equal(audience_list(f->ad, 9, &au, 0, 2), 2);
	assert_int_equal(audience_list(f->ad, 9, &au, 2, 100), 1);
	assert_int_equal(audience_list(f->ad, 9, &au, 0, 100), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM campaign_recipient"
			 " WHERE course_id = 2 AND msisdn = '8613800000002'"), 1);
}

/* ---- scheduler ------------------------------------------------------------ */

/* A running campaign with the given audience and body. */
static int64_t campaign(struct fx *f, struct audience_args a,
			const char *body, unsigned rate, int64_t end_at)
{
	struct notice n = { .name = "test", .text = "t", .audience_json = "{}",
			    .parts = 1, .rate = rate, .end_at = end_at,
			    .created_by = "me" };
	char why[256];
	int64_t id = 0;

	n.body = (char *)body;
	assert_int_equal(resolve(f, a, &n.au, why), 0);
	assert_int_equal(notice_insert(f->nd, &n, clock_now_ms(), &id), 0);
	assert_int_equal(notice_set_state(f->nd, id, NOTICE_RUNNING,
					  NOTICE_BIT(NOTICE_DRAFT),
					  clock_now_ms()), 0);
	db_commit(f->db);
	return id;
}

static struct sched *sched(struct fx *f, unsigned batch, unsigned ahead)
{
	struct sched *s;

	f->cfg.notice_batch = batch;
	f->cfg.notice_ahead = ahead;
	f->cfg.notice_scan = 100;
	s = sched_init(f, &f->cfg, f->db, f->q, NULL, NULL);
	assert_non_null(s);
	return s;
}

/* Take every ready row as the links would and report it submitted. */
static unsigned drain(struct fx *f)
{
	LLIST_HEAD(out);
	struct mtq_msg *m;
	unsigned n = 0;

	mtq_fetch(f->q, f, INT64_MAX / 2, 1000, &out);
	llist_for_each_entry(m, &out, list) {
		char id[16];

		snprintf(id, sizeof(id), "%lld", (long long)m->id);
		assert_int_equal(mtq_part_submitted(f->q, m->id, "sim", 1, id,
						    clock_now_ms()), 0);
		n++;
	}
	db_commit(f->db);
	return n;
}

static int step(struct fx *f, struct sched *s)
{
	int n = sched_step(s, clock_now_ms());

	db_commit(f->db);
	return n;
}

static const char *state_of(struct fx *f, int64_t id, char *buf)
{
	struct notice *n = NULL;

	assert_int_equal(notice_get(f->nd, f, id, &n), 0);
	strcpy(buf, notice_state_str(n->state));
	talloc_free(n);
	return buf;
}

static void test_sched_tops_up_and_finishes(void **state)
{
	struct fx *f = *state;
	struct sched *s = sched(f, 3, 5);
	int64_t id = campaign(f, (struct audience_args){ 0 }, BODY, 0, 0);
	unsigned sent = 0, i;
	char st[16];

	assert_int_equal(step(f, s), 3);	/* batch */
	assert_int_equal(step(f, s), 2);	/* ahead */
	assert_int_equal(step(f, s), 0);
	for (i = 0; i < 20 && strcmp(state_of(f, id, st), "done"); i++) {
		sent += drain(f);
		step(f, s);
	}
	assert_string_equal(st, "done");
	assert_int_equal(sent, 18);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM (SELECT dst FROM mt"
				 " GROUP BY dst HAVING count(*) > 1)"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM campaign_recipient"
				 " WHERE state = 'queued' AND mt_id IS NOT NULL"), 18);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt WHERE prio = 3"
				 " AND campaign_id IS NOT NULL AND text LIKE"
				 " '【揭阳人社】%回TD退订'"), 18);
	assert_int_equal(sched_stats(s)->done, 1);
	sched_free(s);
}

static void test_sched_quiet_and_start(void **state)
{
	struct fx *f = *state;
	struct sched *s;
	int64_t id;

	/* quiet all day but one minute */
	snprintf(f->cfg.quiet_start, sizeof(f->cfg.quiet_start), "00:00");
	snprintf(f->cfg.quiet_end, sizeof(f->cfg.quiet_end), "23:59");
	s = sched(f, 10, 10);
	id = campaign(f, (struct audience_args){ 0 }, BODY, 0, 0);
	if (sched_step(s, clock_now_ms() / 86400000 * 86400000 + 3600000) != 0)
		fail_msg("queued in quiet hours");
	db_commit(f->db);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt"), 0);
	sched_free(s);
	/* a start time in the future holds it too */
	snprintf(f->cfg.quiet_end, sizeof(f->cfg.quiet_end), "00:00");
	s = sched(f, 10, 10);
	testutil_exec(f->db, "UPDATE campaign SET start_at = 9000000000000");
	assert_int_equal(step(f, s), 0);
	testutil_exec(f->db, "UPDATE campaign SET start_at = 1");
	assert_int_equal(step(f, s), 10);
	(void)id;
	sched_free(s);
}

static void test_sched_optout(void **state)
{
	struct fx *f = *state;
	struct sched *s = sched(f, 5, 5);

	/* the whole roster is listed, workers 1, 2, 3, 6, 7 are queued */
	campaign(f, (struct audience_args){ 0 }, BODY, 0, 0);
	assert_int_equal(step(f, s), 5);
	/* worker 1 is queued: the trigger takes the row back */
	testutil_exec(f->db, "UPDATE worker SET opted_out = 1 WHERE id = 1");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt WHERE dst ="
				 " '8613800000001'"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM campaign_recipient"
				 " WHERE msisdn = '8613800000001' AND state ="
				 " 'optout'"), 1);
	/* worker 20 is pending: skipped when its turn comes; so is a number
	 * recorded in notice_optout */
	testutil_exec(f->db, "UPDATE worker SET opted_out = 1 WHERE id = 20");
	assert_int_equal(notice_optout_number(f->nd, "8613800000019", true,
					      clock_now_ms()), 0);
	db_commit(f->db);
	while (drain(f) || step(f, s) > 0)
		;
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt WHERE dst IN"
				 " ('8613800000019', '8613800000020')"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt"), 15);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM campaign_recipient"
				 " WHERE state = 'optout'"), 3);
	assert_int_equal(sched_stats(s)->optout, 2);
	sched_free(s);
}

static void test_sched_rate(void **state)
{
	struct fx *f = *state;
	struct sched *s = sched(f, 10, 100);
	int64_t a, b;

	campaign(f, (struct audience_args){ 0 }, BODY, 10, 0);
	assert_int_equal(step(f, s), 10);
	a = sql_int(f, "SELECT min(next_try) FROM mt");
	b = sql_int(f, "SELECT max(next_try) FROM mt");
	assert_in_range(b - a, 899, 901);	/* 10 rows, 100 ms apart */
	assert_int_equal(step(f, s), 8);
	assert_in_range(sql_int(f, "SELECT max(next_try) FROM mt") - a,
			1699, 1701);
	sched_free(s);
}

static void test_sched_pause_resume(void **state)
{
	struct fx *f = *state;
	struct sched *s = sched(f, 6, 6);
	int64_t id = campaign(f, (struct audience_args){ 0 }, BODY, 0, 0);
	unsigned i;

	assert_int_equal(step(f, s), 6);
	assert_int_equal(drain(f), 6);
	assert_int_equal(step(f, s), 6);
	assert_int_equal(notice_set_state(f->nd, id, NOTICE_PAUSED,
					  NOTICE_BIT(NOTICE_RUNNING),
					  clock_now_ms()), 0);
	assert_int_equal(notice_hold(f->nd, id, false), 6);
	db_commit(f->db);
	assert_int_equal(step(f, s), 0);
	assert_int_equal(drain(f), 0);
	/* 6 never queued, 6 taken back */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM campaign_recipient"
				 " WHERE state = 'pending'"), 12);
	assert_int_equal(notice_set_state(f->nd, id, NOTICE_RUNNING,
					  NOTICE_BIT(NOTICE_PAUSED),
					  clock_now_ms()), 0);
	db_commit(f->db);
	for (i = 0; i < 10; i++) {
		drain(f);
		step(f, s);
	}
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt"), 18);
	assert_int_equal(sql_int(f, "SELECT count(DISTINCT dst) FROM mt"), 18);
	/* cancelling a done campaign is refused */
	assert_int_equal(notice_set_state(f->nd, id, NOTICE_CANCELLED,
					  NOTICE_BIT(NOTICE_RUNNING),
					  clock_now_ms()), -EPERM);
	assert_int_equal(notice_set_state(f->nd, 777, NOTICE_CANCELLED,
					  NOTICE_BIT(NOTICE_RUNNING),
					  clock_now_ms()), -ENOENT);
	sched_free(s);
}

static void test_sched_expiry(void **state)
{
	struct fx *f = *state;
	struct sched *s = sched(f, 4, 4);
	int64_t now = clock_now_ms(), id;
	char st[16];

	id = campaign(f, (struct audience_args){ 0 }, BODY, 0, now + 3600000);
	assert_int_equal(step(f, s), 4);
	assert_in_range(sql_int(f, "SELECT max(expires_at) FROM mt"),
			now + 3600000, now + 3601000);
	assert_int_equal(sched_step(s, now + 3600000), 0);
	db_commit(f->db);
	assert_string_equal(state_of(f, id, st), "expired");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM mt WHERE state = 5"),
			 4);
	sched_free(s);
}

static void test_sched_bad_text_and_numbers(void **state)
{
	struct fx *f = *state;
	struct sched *s;
	struct notice n = { .name = "nums", .text = "t", .audience_json = "{}",
			    .parts = 1, .by_numbers = true, .created_by = "me" };
	int64_t id = 0;

	f->cfg.notice_max_parts = 1;
	s = sched(f, 10, 10);
	/* 67 wide characters + the 4 of 欧阳小明 do not fit in one part */
	n.body = talloc_strdup(f, "{name_plain}");
	while (strlen(n.body) < 67 * 3 + strlen("{name_plain}"))
		n.body = talloc_strdup_append(n.body, ZH);
	assert_int_equal(notice_insert(f->nd, &n, clock_now_ms(), &id), 0);
	assert_int_equal(notice_add_number(f->nd, id, "8613800000002", 0), 1);
	assert_int_equal(notice_add_number(f->nd, id, "8613800000002", 0), 0);
	assert_int_equal(notice_add_number(f->nd, id, "8613999999999", 0), 1);
	assert_int_equal(notice_set_state(f->nd, id, NOTICE_RUNNING,
					  NOTICE_BIT(NOTICE_DRAFT),
					  clock_now_ms()), 0);
	db_commit(f->db);
	assert_int_equal(step(f, s), 1);	/* not on the roster: no name */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM campaign_recipient"
				 " WHERE state = 'bad'"), 1);
	assert_int_equal(sched_stats(s)->bad, 1);
	sched_free(s);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_check),
		cmocka_unit_test(test_text_render),
		cmocka_unit_test(test_text_parts),
		T(test_audience_resolve),
		T(test_audience_count),
		T(test_audience_samples_and_list),
		T(test_sched_tops_up_and_finishes),
		T(test_sched_quiet_and_start),
		T(test_sched_optout),
		T(test_sched_rate),
		T(test_sched_pause_resume),
		T(test_sched_expiry),
		T(test_sched_bad_text_and_numbers),
	};
#undef T
	const char *level = getenv("TEST_LOG");
	int rc;

	test_ctx = talloc_named_const(NULL, 0, "test_notice");
	sgw_log_init(test_ctx, level ? level : "fatal", NULL);
	testutil_glossary();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(test_ctx);
	return rc;
}
