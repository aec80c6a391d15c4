/*
 * test_ussd.c - USSD below the transports: the session key of a
 * USSD step per link configuration, the new input of an HTTP step, the
 * urlencoded form, and the menu engine walking dialogues against a fresh
 * database (the shared fixture, fixture.h, at its fixed time, 2026-03-01
 * 10:00 China time): input parsing (wrong, empty, full-width, 00, 0, 9),
 * the registration gate, the enrolment steps (the subsidy rule's warning
 * on the detail's second page) with the SMS confirmation they hand back,
 * a dial string's answers, and a database failure.
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

#include "gateway/config.h"
#include "gateway/db.h"
#include "handlers/domain/domain.h"
#include "handlers/replies/replies.h"
#include "handlers/domain/idcard.h"
#include "gateway/ussd/menu.h"
#include "gateway/queue/mtq.h"
#include "gateway/text/texts.h"
#include "fixture.h"
#include "testutil.h"
#include "gateway/ussd/ussd.h"
#include "handlers/ussd/screens.h"
#include "gateway/ussd/http.h"

#define ZHANG		FIXTURE_ZHANG	/* 张小明, bound, 普宁市 */
#define LI_PHONE	"8613700137002"	/* 李四's phone, not bound */

static void *ctx;

/* ------------------------------------------------------------------ */
/* Keys, HTTP inputs, forms                                            */

static void test_key(void **state)
{
	struct config_link_ussd c = { .key = CONFIG_USSD_KEY_MSISDN };
	struct in_msg d = { .kind = IN_USSD, .has_its = true, .its = 0x4203,
			    .has_umr = true, .umr = 77 };
	char k[USSD_KEY_MAX];

	assert_int_equal(ussd_key(&c, ZHANG, &d, k, sizeof(k)), 13);
	assert_string_equal(k, ZHANG);
	c.key = CONFIG_USSD_KEY_MSISDN_ITS;
	ussd_key(&c, ZHANG, &d, k, sizeof(k));
	assert_string_equal(k, ZHANG "-its66");	/* session 0x42 */
	d.its = 0x4205;				/* another step, same session */
	ussd_key(&c, ZHANG, &d, k, sizeof(k));
	assert_string_equal(k, ZHANG "-its66");
	d.has_its = false;			/* missing: the number alone */
	ussd_key(&c, ZHANG, &d, k, sizeof(k));
	assert_string_equal(k, ZHANG);
	c.key = CONFIG_USSD_KEY_UMR;
	ussd_key(&c, ZHANG, &d, k, sizeof(k));
	assert_string_equal(k, ZHANG "-umr77");
	assert_int_equal(ussd_key(&c, ZHANG, &d, k, 8), -ENOSPC);
}

static void test_http_input(void **state)
{
	assert_string_equal(ussd_http_input("", "1"), "1");
	assert_string_equal(ussd_http_input("1", "1*2"), "2");
	assert_string_equal(ussd_http_input("1*2", "1*2*445281199001011234"),
			    "445281199001011234");
	assert_string_equal(ussd_http_input("1*2", "1*2*"), "");
	assert_null(ussd_http_input("1*2", "1*2"));	/* asked again */
	assert_null(ussd_http_input("", ""));
	assert_string_equal(ussd_http_input("1*2", "3*4"), "4");	/* lost */
	assert_string_equal(ussd_http_input("1", "12"), "12");
}

static void test_form(void **state)
{
	const char *b = "sessionId=ATUid_1&serviceCode=%2A12333%23"
			"&phoneNumber=%2B8613800138001&text=1*2+3&empty=&bare";
	char v[32];

	assert_int_equal(ussd_http_form(b, "sessionId", v, sizeof(v)), 1);
	assert_string_equal(v, "ATUid_1");
	ussd_http_form(b, "serviceCode", v, sizeof(v));
	assert_string_equal(v, "*12333#");
	ussd_http_form(b, "phoneNumber", v, sizeof(v));
	assert_string_equal(v, "+8613800138001");
	ussd_http_form(b, "text", v, sizeof(v));
	assert_string_equal(v, "1*2 3");
	assert_int_equal(ussd_http_form(b, "empty", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(ussd_http_form(b, "bare", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(ussd_http_form(b, "sessionid", v, sizeof(v)), 0);
	assert_int_equal(ussd_http_form(b, "session", v, sizeof(v)), 0);
	assert_int_equal(ussd_http_form("text=%4", "text", v, sizeof(v)),
			 -EINVAL);
	assert_int_equal(ussd_http_form("text=%zz", "text", v, sizeof(v)),
			 -EINVAL);
	assert_int_equal(ussd_http_form("text=%E4%B8%AD", "text", v,
					sizeof(v)), 1);
	assert_string_equal(v, "中");
	assert_int_equal(ussd_http_form("text=0123456789", "text", v, 8),
			 -ENOSPC);
	assert_int_equal(ussd_http_form("", "text", v, sizeof(v)), 0);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* Load text as a configuration file; the problems into errs. */
static int conf_load(const char *text, struct config *cfg, char *errs,
		     size_t cap)
{
	char path[] = "/tmp/test_ussd_conf_XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	f = fmemopen(errs, cap, "w");
	memset(errs, 0, cap);
	rc = config_load(cfg, path, f);
	fclose(f);
	unlink(path);
	return rc;
}

#define LINK	"links = ( { name = \"a\"; host = \"h\"; password = \"p\";"

static void test_config(void **state)
{
	struct config *cfg = talloc_zero(ctx, struct config);
	char errs[2048];

	assert_int_equal(conf_load(LINK " } );", cfg, errs, sizeof(errs)), 0);
	assert_false(cfg->ussd.enabled);
	assert_int_equal(cfg->ussd.guard_s, 60);
	assert_int_equal(cfg->ussd.cap_s, 180);
	assert_int_equal(cfg->ussd.screen_gsm, 182);
	assert_int_equal(cfg->ussd.screen_ucs2, 80);
	assert_string_equal(cfg->ussd.service_code, "*12333#");
	assert_int_equal(cfg->link[0].ussd.key, CONFIG_USSD_KEY_MSISDN);
	assert_int_equal(cfg->link[0].ussd.op_begin, 1);
	assert_int_equal(cfg->link[0].ussd.op_continue, 18);
	assert_int_equal(cfg->link[0].ussd.op_show, 2);
	assert_int_equal(cfg->link[0].ussd.op_end, 17);
	assert_int_equal(cfg->link[0].ussd.n_release, 0);

	assert_int_equal(conf_load(
		"ussd: { enabled = true; guard_timeout = 30; session_max = 90;\n"
		"  http: { allow = [ \"10.0.0.0/8\", \"::1\" ]; secret = \"s\"; }; };\n"
		LINK " ussd: { session_key = \"msisdn+its\"; release_ops = [ 32, 0x21 ]; }; } );",
		cfg, errs, sizeof(errs)), 0);
	assert_true(cfg->ussd.enabled);
	assert_int_equal(cfg->ussd.n_allow, 2);
	assert_string_equal(cfg->ussd.allow[0], "10.0.0.0/8");
	assert_int_equal(cfg->link[0].ussd.key, CONFIG_USSD_KEY_MSISDN_ITS);
	assert_int_equal(cfg->link[0].ussd.n_release, 2);
	assert_int_equal(cfg->link[0].ussd.release[1], 0x21);

	assert_int_equal(conf_load(
		"ussd: { guard_timeout = 100; session_max = 90; service_code = \"12a\";\n"
		"  screen_ucs2 = 200;\n"
		"  http: { enabled = true; allow = [ \"10.0.0.300\" ]; secret_header = \"X Y\"; }; };\n"
		LINK "\n ussd: { session_key = \"imsi\"; op_continue = 1;\n"
		"  release_ops = [ 300 ]; }; } );", cfg, errs, sizeof(errs)), 9);
	assert_non_null(strstr(errs, ":3: ussd.http.enabled: true needs ussd.enabled"));
	assert_non_null(strstr(errs, ":1: ussd.guard_timeout: 100 is greater than ussd.session_max (90)"));
	assert_non_null(strstr(errs, ":1: ussd.service_code: \"12a\" is not a USSD code"));
	assert_non_null(strstr(errs, ":2: ussd.screen_ucs2: 200 is out of range 20..126"));
	assert_non_null(strstr(errs, ":3: ussd.http.allow.[0]: \"10.0.0.300\" is not an IP address"));
	assert_non_null(strstr(errs, ":3: ussd.http.secret_header: \"X Y\" is not an HTTP header name"));
	assert_non_null(strstr(errs, ":5: links.a.ussd.session_key: \"imsi\" is not one of msisdn, msisdn+its, umr"));
	assert_non_null(strstr(errs, "links.a.ussd: op_begin and op_continue are both 1"));
	assert_non_null(strstr(errs, ":6: links.a.ussd.release_ops.[0]: must be an integer 0..255"));
	talloc_free(cfg);
}

/* ------------------------------------------------------------------ */
/* The engine, against a database                                      */

struct fx {
	char path[64];
	struct db *db;
	struct mtq *q;
	struct dom *dom;
	struct screens *sc;
	struct texts *texts;
	struct menu *m;
	struct menu_env e;
	struct menu_out out;
};

static char id_li[IDCARD_LEN + 1];	/* 李四's resident ID (the fixture's) */

/* The latest notices, from the queue (screens_notices_fn). */
static int fx_notices(void *data, const char *msisdn, unsigned max,
		      void *tctx, struct screens_notice *out, unsigned *n)
{
	struct mtq_recent r[SCREENS_NOTICES_MAX];
	unsigned i;
	int rc = mtq_recent_notices(data, msisdn, max, tctx, r, n);

	for (i = 0; rc == 0 && i < *n; i++)
		out[i] = (struct screens_notice){ r[i].at_ms, r[i].text };
	return rc;
}

static int setup(void **state)
{
	struct fx *f = talloc_zero(ctx, struct fx);
	struct mtq_params qp = { .max_attempts = 3, .retry_min_s = 1,
				 .retry_max_s = 2, .max_parts = 8 };
	struct texts_params tp = { .signature = "【揭阳人社】",
				   .hotline = "12333", .list_parts = 3 };
	struct menu_params mp = { .screen_gsm = 182, .screen_ucs2 = 80,
				  .service_code = "*12333#", .hotline = "12333" };
	int64_t now = fixture_now_ms();

	f->db = testutil_db_create(f, "test_ussd", f->path, sizeof(f->path));
	fixture_load(f->db);
	f->q = mtq_init(f, f->db, &qp);
	f->dom = dom_init(f, f->db, NULL);
	f->texts = texts_load(f, "conf/messages.conf", &tp, stderr, NULL);
	f->m = menu_load(f, "conf/ussd_menu.conf", &mp, stderr, NULL);
	f->sc = screens_init(f, &(struct screens_params){ .dom = f->dom,
		.texts = f->texts, .sms_list_parts = 3,
		.notices = fx_notices, .notices_data = f->q });
	assert_true(f->q && f->dom && f->sc && f->texts && f->m);
	f->e = (struct menu_env){ .m = f->m, .act = &screens_actions,
		.data = f->sc, .now_ms = now };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	dom_free(f->dom);
	mtq_free(f->q);
	testutil_db_destroy(f->db, f->path);
	talloc_free(f);
	return 0;
}

/* One answer; returns the screen. */
static const char *step(struct fx *f, struct menu_sess *s, const char *in)
{
	assert_int_equal(menu_input(s, &f->e, in, &f->out), 0);
	return f->out.text;
}

static bool starts(const char *s, const char *prefix)
{
	if (!strncmp(s, prefix, strlen(prefix)))
		return true;
	print_error("\"%s\" does not start with \"%s\"\n", s, prefix);
	return false;
}

#define MAIN	"揭阳人社 技能培训\n1 补贴查询\n2 课程报名\n3 我的培训\n" \
		"4 最新通知\n5 通知订阅/退订\n6 签到与评价"
#define WRONG	"输入有误，请重新选择\n"

static void test_inputs(void **state)
{
	struct fx *f = *state;
	struct menu_sess *s = menu_sess_new(f, f->m, ZHANG);
	char where[64];

	assert_int_equal(menu_begin(s, &f->e, NULL, 0, &f->out), 0);
	assert_string_equal(f->out.text, MAIN);
	assert_false(f->out.end);
	assert_string_equal(step(f, s, "7"), WRONG MAIN);
	assert_string_equal(step(f, s, ""), WRONG MAIN);
	assert_string_equal(step(f, s, "  "), WRONG MAIN);
	assert_string_equal(step(f, s, "0"), WRONG MAIN);	/* no back here */
	assert_string_equal(step(f, s, "12"), WRONG MAIN);
	assert_true(starts(step(f, s, " 1 "), "张*明的补贴共3笔：\n职业培训补贴·"));
	assert_true(starts(step(f, s, "x"), WRONG "张*明的补贴共3笔"));
	assert_string_equal(step(f, s, "0"), MAIN);
	assert_true(starts(step(f, s, "５"), "培训通知订阅\n"));	/* full-width */
	menu_sess_where(s, where, sizeof(where));
	assert_string_equal(where, "screen notify");
	assert_string_equal(step(f, s, "0"), MAIN);
	step(f, s, "2");
	step(f, s, "1");
	menu_sess_where(s, where, sizeof(where));
	assert_string_equal(where, "groups 445281");
	assert_string_equal(step(f, s, "00"), MAIN);
	assert_false(f->out.end);
	talloc_free(s);
}

/* 张小明 was paid for 电工 初级工 (S1): the detail of 2031 says so first,
 * on the page that offers to confirm; the rest of the detail is paged. */
#define NOT_PAID	"本课不补贴：电工初级工已补贴过\n"

static void test_enrol(void **state)
{
	struct fx *f = *state;
	struct menu_sess *s = menu_sess_new(f, f->m, ZHANG);

	menu_begin(s, &f->e, NULL, 0, &f->out);
	assert_string_equal(f->out.sms, "");
	assert_string_equal(step(f, s, "2"), "选择培训地区：\n1 普宁市（本地）\n"
			    "2 榕城区\n3 揭东区\n4 揭西县\n5 惠来县\n0 返回");
	assert_string_equal(step(f, s, "1"),
			    "普宁市 选择工种类别：\n1 信息\n2 制造\n0 返回");
	assert_string_equal(step(f, s, "2"),
			    "制造课程（普宁市）：\n1 电工初级班 4月1日开课\n0 返回");
	assert_string_equal(step(f, s, "1"), NOT_PAID "电工初级班（初级工）\n"
			    "普宁职校\n4月1日-4月30日 余30位\n1 确认报名\n"
			    "9 下一页  0 返回");
	assert_string_equal(step(f, s, "9"), "补贴1200.00元\n1 确认报名\n0 返回");
	/* the fixture's enrolments are 1 to 3 */
	assert_true(starts(step(f, s, "1"), "报名成功！报名号4\n电工初级班 4月1日开课"));
	assert_true(f->out.end);
	/* the SMS confirmation, signed, for the dialogue to queue */
	assert_true(starts(f->out.sms, "【揭阳人社】"));
	assert_non_null(strstr(f->out.sms, "2031"));
	talloc_free(s);
	/* a second time: enrolled already, no confirm */
	s = menu_sess_new(f, f->m, ZHANG);
	const char *in[] = { "2", "1", "2" };
	menu_begin(s, &f->e, in, 3, &f->out);
	assert_true(starts(f->out.text, "制造课程（普宁市）"));
	assert_string_equal(f->out.sms, "");
	assert_string_equal(step(f, s, "1"), NOT_PAID "电工初级班（初级工）\n"
			    "普宁职校\n4月1日-4月30日 余29位\n9 下一页  0 返回");
	assert_string_equal(step(f, s, "9"), "补贴1200.00元\n您已报名本课程\n0 返回");
	assert_true(starts(step(f, s, "1"), WRONG));
	talloc_free(s);
}

static void test_register_gate(void **state)
{
	struct fx *f = *state;
	struct menu_sess *s = menu_sess_new(f, f->m, LI_PHONE);

	menu_begin(s, &f->e, NULL, 0, &f->out);
	assert_string_equal(step(f, s, "1"), "本机未绑定，请输入18位身份证号：\n0 返回");
	assert_string_equal(step(f, s, "0"), MAIN);
	step(f, s, "3");
	assert_string_equal(step(f, s, "445202198505053210"),
			    "身份证号有误，请重输\n本机未绑定，请输入18位身份证号：\n0 返回");
	assert_string_equal(step(f, s, id_li), "请输入您的姓名：\n0 返回");
	assert_string_equal(step(f, s, ""), WRONG "请输入您的姓名：\n0 返回");
	assert_string_equal(step(f, s, "李四"), "绑定成功：李*\n李*暂无培训记录。回KC查可报名课程。\n0 返回");
	talloc_free(s);
}

static void test_dial_inputs_and_failure(void **state)
{
	struct fx *f = *state;
	struct menu_sess *s = menu_sess_new(f, f->m, ZHANG);
	const char *in[] = { "1" };

	assert_int_equal(menu_begin(s, &f->e, in, 1, &f->out), 0);
	assert_true(starts(f->out.text, "张*明的补贴共3笔"));
	testutil_exec(f->db, "DROP TABLE subsidy;");
	assert_int_equal(menu_input(s, &f->e, "0", &f->out), 0);
	assert_true(menu_input(s, &f->e, "1", &f->out) < 0);
	assert_true(f->out.end);
	assert_true(f->out.failed);
	assert_string_equal(f->out.text, "系统繁忙，请稍后再拨*12333#。咨询12333");
	talloc_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_http_input),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup_teardown(test_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enrol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_gate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dial_inputs_and_failure,
						setup, teardown),
	};
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_ussd");
	testutil_glossary();
	testutil_resident_id(id_li, FIXTURE_LI_ID17);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
