/*
 * fixture.h - the one small domain database the unit tests share
 * (tests/unit/fixture.c is linked into every test program).
 *
 * The tests of the domain layer, the SMS commands and the USSD menus ask
 * about the same people and courses, at the same fixed time: FIXTURE_DAY,
 * 10:00 China time (fixture_now_ms()). Load it into a database of the
 * test's own:
 *
 *	f->db = testutil_db_create(f, "test_x", f->path, sizeof(f->path));
 *	fixture_load(f->db);
 *
 * or only the pieces a test needs, in this order: fixture_catalogue() (the
 * occupations, institutions and courses), fixture_roster() (the workers),
 * fixture_records() (their certificates, enrolments and subsidies).
 * A test that needs a row for one case inserts it itself.
 *
 * The catalogue on FIXTURE_DAY (region, occupation, level, dates, seats):
 *	2029 焊工初级2025班	榕城区 焊工 初级 2025-11, finished (王五 passed)
 *	2030 电工初级2025班	普宁市 电工 初级 2025-05, finished (张小明 passed)
 *	2031 电工初级班		普宁市 电工 初级 04-01..04-30, deadline 03-25, 30
 *	2032 焊工中级班		榕城区 焊工 中级 from 04-10, 2 seats
 *	2033 育婴员班		普宁市 open, but its deadline (02-20) has passed
 *	2034 电工中级提升班	普宁市 started 02-15, deadline passed; 张小明 in it
 *	2035 焊工初级班		榕城区 closed
 *	2036 中式烹调师班	揭西县 初级 from 04-05, 20 seats, not catalogued
 *	2037 电工初级夜班	榕城区 初级 from 04-15, 10 seats (the race)
 *	2038 中式烹调师中级班	揭西县 中级 from 06-01
 *	2039 电子商务班		普宁市 信息 started 02-23, deadline today
 * Open for enrolment on FIXTURE_DAY: 2031, 2032, 2036, 2037, 2038, 2039;
 * nothing in 揭东区 or 惠来县.
 *
 * The subsidies (S1..S8), for the rule "3 training subsidies a year, never
 * twice for the same occupation and level; rejected ones do not count":
 *	张小明	S1 training 电工 初级 paid 2025; S2 appraisal 焊工 初级
 *		rejected (材料不全) 2025; S3 training 焊工 中级 reviewing 2026
 *	王五	S4 育婴员 初级 approved, S5 焊工 初级 paid (course 2029), S6
 *		电工 中级 reviewing: 3 in 2026; S7 中式烹调师 中级 paid 2025;
 *		S8 育婴员 中级 rejected 2026
 */
#ifndef SGW_FIXTURE_H
#define SGW_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

struct db;

#define FIXTURE_DAY		"2026-03-01"	/* now: 10:00 that day */

/* The named workers: the number each is bound to (none: not bound), the
 * row id, the first 17 digits of the resident ID (testutil_resident_id()
 * adds the check character). */

/* 张小明, 普宁市, 农民工, bound by the roster: a training passed (2030,
 * certificate Z2025-0001), one under way (2034), S1..S3 */
#define FIXTURE_ZHANG		"8613800138001"
#define FIXTURE_ZHANG_WORKER	1
#define FIXTURE_ZHANG_ID17	"44528119900101123"
/* 李四, 榕城区, not bound, nothing on record */
#define FIXTURE_LI_WORKER	2
#define FIXTURE_LI_ID17		"44520219850505321"
/* 王五, 揭西县, bound by the roster: 2029 passed, certificates Z2025-0002
 * (completion), Z2026-0001 (焊工 中级), Z2025-0003 (育婴员 初级); S4..S8 */
#define FIXTURE_WANG		"8613800138003"
#define FIXTURE_WANG_WORKER	3
#define FIXTURE_WANG_ID17	"44522219920202456"
/* 赵六, 榕城区, not bound; his ID ends in X */
#define FIXTURE_ZHAO_WORKER	4
#define FIXTURE_ZHAO_ID17	"44520220020315009"
/* 陈七, 惠来县, bound by the roster, nothing on record */
#define FIXTURE_CHEN		"8613800138005"
#define FIXTURE_CHEN_WORKER	5
#define FIXTURE_CHEN_ID17	"44522419880808789"

/* The crowd: FIXTURE_CROWD workers of 普宁市, bound by the roster, rows
 * FIXTURE_CROWD_WORKER + i, numbers from fixture_crowd_number(). */
#define FIXTURE_CROWD		50
#define FIXTURE_CROWD_WORKER	100

/* Everything below, in order. */
void fixture_load(struct db *db);

/* Occupations, institutions, courses. */
void fixture_catalogue(struct db *db);

/* The named workers and the crowd. */
void fixture_roster(struct db *db);

/* Certificates, enrolments, subsidies (after the two above). */
void fixture_records(struct db *db);

/* FIXTURE_DAY 10:00 China time, Unix milliseconds. */
int64_t fixture_now_ms(void);

/* The number of the crowd's worker i (0 .. FIXTURE_CROWD - 1). */
void fixture_crowd_number(char *out, size_t cap, unsigned i);

#endif
