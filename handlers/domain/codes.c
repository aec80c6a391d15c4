/*
 * codes.c - the code lists of the glossary with their Chinese labels, and
 * lookups in both directions (see codes.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers/domain/codes.h"

#define CODES_TABLE(name, what_, ...)					\
	static const struct codes_entry name##_e[] = { __VA_ARGS__ };	\
	const struct codes_table name = {				\
		.what = what_, .e = name##_e,				\
		.n = sizeof(name##_e) / sizeof(name##_e[0]),		\
	}

CODES_TABLE(codes_key_group, "key group",
	{ "graduate", "高校毕业生", NULL },
	{ "migrant", "农民工", "农村转移就业劳动者" },
	{ "unemployed", "失业人员", NULL },
	{ "transfer", "转岗职工", NULL },
	{ "veteran", "退役军人", NULL },
	{ "farmer", "新型职业农民", NULL },
	{ "poverty", "建档立卡贫困家庭", "贫困家庭" },
	{ "lowincome", "低保家庭", "困难职工家庭" },
	{ "disabled", "残疾人", NULL },
	{ "school_leaver", "未继续升学的初高中毕业生", "未升学初高中毕业生" },
	{ "employee", "企业在岗职工", "在岗职工" });

CODES_TABLE(codes_training_type, "training type",
	{ "employment", "就业技能培训", NULL },
	{ "upgrade", "岗位技能提升培训", NULL },
	{ "entrepreneurship", "创业创新培训", "创业培训" },
	{ "apprentice", "企业新型学徒制", "新型学徒制" },
	{ "pre_employment", "劳动预备制培训", NULL });

CODES_TABLE(codes_cert_kind, "certificate kind",
	{ "qualification", "职业资格证书", NULL },
	{ "skill_level", "职业技能等级证书", NULL },
	{ "special_ability", "专项职业能力证书", NULL },
	{ "completion", "培训合格证书", NULL });

CODES_TABLE(codes_subsidy_kind, "subsidy kind",
	{ "training", "职业培训补贴", "培训补贴" },
	{ "appraisal", "职业技能鉴定补贴", "鉴定补贴" },
	{ "living", "生活费补贴", NULL },
	{ "entrepreneurship", "创业培训补贴", NULL });

CODES_TABLE(codes_subsidy_status, "subsidy status",
	{ "received", "已受理", NULL },
	{ "reviewing", "审核中", NULL },
	{ "approved", "已批准", NULL },
	{ "paid", "已发放", NULL },
	{ "rejected", "不予补贴", NULL });

CODES_TABLE(codes_course_status, "course status",
	{ "open", "报名中", NULL },
	{ "closed", "已截止", NULL },
	{ "cancelled", "已取消", NULL },
	{ "finished", "已结束", "已结业" });

CODES_TABLE(codes_enrol_status, "enrolment status",
	{ "enrolled", "已报名", NULL },
	{ "cancelled", "已取消", NULL },
	{ "completed", "已结业", "已完成" });

CODES_TABLE(codes_result, "result",
	{ "passed", "合格", "通过" },
	{ "failed", "不合格", "未通过" });

CODES_TABLE(codes_channel, "channel",
	{ "sms", "短信", NULL },
	{ "ussd", "USSD", NULL },
	{ "import", "导入", NULL });

/* Levels are numbers, index = level; the code is the digit. */
static const struct codes_entry codes_levels[CODES_LEVEL_MAX + 1] = {
	[1] = { "1", "高级技师", "一级" },
	[2] = { "2", "技师", "二级" },
	[3] = { "3", "高级工", "三级|高级" },
	[4] = { "4", "中级工", "四级|中级" },
	[5] = { "5", "初级工", "五级|初级" },
};

/* Is text (len bytes) one of the '|'-separated labels? */
static bool codes_in_list(const char *labels, const char *text, size_t len)
{
	const char *p = labels, *bar;

	for (;;) {
		bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && !memcmp(p, text, len))
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}

/* Is text (len bytes) the label or an alias of e? */
static bool codes_is_label(const struct codes_entry *e, const char *text,
			   size_t len)
{
	return (strlen(e->label) == len && !memcmp(e->label, text, len)) ||
	       (e->aliases && codes_in_list(e->aliases, text, len));
}

/* codes_find on the first len bytes of text */
static const char *codes_find_n(const struct codes_table *t, const char *text,
				size_t len)
{
	unsigned i;

	for (i = 0; i < t->n; i++) {
		if ((strlen(t->e[i].code) == len &&
		     !strncasecmp(t->e[i].code, text, len)) ||
		    codes_is_label(&t->e[i], text, len))
			return t->e[i].code;
	}
	return NULL;
}

const char *codes_find(const struct codes_table *t, const char *text)
{
	return text ? codes_find_n(t, text, strlen(text)) : NULL;
}

const char *codes_label(const struct codes_table *t, const char *code)
{
	unsigned i;

	for (i = 0; code && i < t->n; i++)
		if (!strcmp(t->e[i].code, code))
			return t->e[i].label;
	return NULL;
}

int codes_level(const char *text)
{
	int l;

	if (!text)
		return -1;
	if (text[0] >= '1' && text[0] <= '5' && !text[1])
		return text[0] - '0';
	for (l = CODES_LEVEL_MIN; l <= CODES_LEVEL_MAX; l++)
		if (codes_is_label(&codes_levels[l], text, strlen(text)))
			return l;
	return -1;
}

const char *codes_level_label(int level)
{
	if (level < CODES_LEVEL_MIN || level > CODES_LEVEL_MAX)
		return NULL;
	return codes_levels[level].label;
}

/* Length of the separator at p (ASCII or a Chinese comma/semicolon), 0 if
 * there is none. */
static size_t codes_sep(const char *p)
{
	static const char *const wide[] = { "、", "，", "；", "　" };
	size_t i;

	if (*p && strchr(",;| \t\r\n", *p))	/* a line break: Alt+Enter */
		return 1;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (!strncmp(p, wide[i], strlen(wide[i])))
			return strlen(wide[i]);
	return 0;
}

int codes_key_groups(const char *text, char *out, size_t cap, char *bad,
		     size_t bad_cap)
{
	bool have[32] = { false };
	const char *p = text ? text : "", *code;
	size_t n, len = 0;
	unsigned i;

	while (*p) {
		if ((n = codes_sep(p))) {
			p += n;
			continue;
		}
		for (n = 0; p[n] && !codes_sep(p + n); n++)
			;
		code = codes_find_n(&codes_key_group, p, n);
		if (!code) {
			if (bad)
				snprintf(bad, bad_cap, "%.*s", (int)n, p);
			return -EINVAL;
		}
		for (i = 0; strcmp(codes_key_group.e[i].code, code); i++)
			;
		have[i] = true;
		p += n;
	}
	if (cap)
		out[0] = '\0';
	for (i = 0; i < codes_key_group.n; i++) {
		if (!have[i])
			continue;
		n = snprintf(out + len, cap - len, "%s%s", len ? "," : "",
			     codes_key_group.e[i].code);
		if (len + n >= cap)
			return -ENOSPC;
		len += n;
	}
	return 0;
}
