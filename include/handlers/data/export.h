/*
 * export.h - writing the bureau's files: the enrolments, for the back
 * office.
 *
 * The file is CSV (csv.h) in UTF-8 with a byte-order mark, so Excel opens
 * it as UTF-8, and CRLF line ends. Header and values are Chinese, as the
 * back office reads them; the import accepts the same file back
 * (skillctl import enrolments), so results can be filled in and returned.
 * Columns:
 *   身份证号 姓名 手机号 课程编号 课程名称 职业 等级 培训机构 区县 开课日期
 *   结课日期 状态 渠道 结果 证书编号 报名时间 更新时间 抽查次数 确认到课次数
 * (the last two: the attendance checks of training quality, questions
 * sent and confirmed)
 * One row per worker and course: the latest enrolment (a cancelled one
 * stays visible as 已取消 until the worker enrols again). Resident IDs and
 * mobile numbers are written with a leading TAB so Excel keeps all their
 * digits; mobile numbers are national (13800138000); times are China time
 * "2026-11-30 18:51:35".
 */
#ifndef SGW_EXPORT_H
#define SGW_EXPORT_H

#include <stdint.h>
#include <stdio.h>

struct db;

/* Write the enrolments changed on or after the local date since (ISO, NULL
 * for all) to out. *n gets the number of rows. 0, -EINVAL for a bad since,
 * -EIO for a database or write error. cc: the country code stripped from
 * mobile numbers. */
int export_enrolments(struct db *db, FILE *out, const char *since,
		      const char *cc, unsigned long *n);

#endif
