/*
 * fixture.c - the small domain database the unit tests share (see
 * fixture.h for what is in it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/text/fmt.h"
#include "handlers/domain/idcard.h"
#include "fixture.h"
#include "testutil.h"

#define FIXTURE_HOUR_MS		(3600 * 1000LL)

static const char fixture_catalogue_sql[] =
	"INSERT INTO occupation (code, name, grp, created_at, updated_at) VALUES"
	" ('E1', '电工', '制造', 0, 0), ('W1', '焊工', '制造', 0, 0),"
	" ('C1', '中式烹调师', '服务', 0, 0), ('N1', '育婴员', '服务', 0, 0),"
	" ('D1', '电子商务师', '信息', 0, 0);"
	"INSERT INTO institution (code, name, region, catalogued, created_at,"
	" updated_at) VALUES ('I1', '普宁职校', '445281', 1, 0, 0),"
	" ('I2', '揭阳技师学院', '445202', 1, 0, 0),"
	" ('I3', '揭西培训中心', '445222', 0, 0, 0);"
	"INSERT INTO course (code, name, occupation, level, training_type,"
	" institution, region, start_date, end_date, enrol_deadline, capacity,"
	" subsidy_fen, status, created_at, updated_at) VALUES"
	" ('2029', '焊工初级2025班', 'W1', 5, 'employment', 'I2', '445202',"
	"  '2025-11-03', '2025-11-28', '2025-10-25', 30, 100000, 'finished', 0, 0),"
	" ('2030', '电工初级2025班', 'E1', 5, 'employment', 'I1', '445281',"
	"  '2025-05-01', '2025-05-31', '2025-04-20', 30, 120000, 'finished', 0, 0),"
	" ('2031', '电工初级班', 'E1', 5, 'employment', 'I1', '445281',"
	"  '2026-04-01', '2026-04-30', '2026-03-25', 30, 120000, 'open', 0, 0),"
	" ('2032', '焊工中级班', 'W1', 4, 'upgrade', 'I2', '445202',"
	"  '2026-04-10', '2026-05-10', '2026-03-31', 2, 150000, 'open', 0, 0),"
	" ('2033', '育婴员班', 'N1', 5, 'employment', 'I1', '445281',"
	"  '2026-03-10', '2026-03-31', '2026-02-20', 30, 80000, 'open', 0, 0),"
	" ('2034', '电工中级提升班', 'E1', 4, 'upgrade', 'I1', '445281',"
	"  '2026-02-15', '2026-03-20', '2026-02-10', 30, 130000, 'open', 0, 0),"
	" ('2035', '焊工初级班', 'W1', 5, 'employment', 'I2', '445202',"
	"  '2026-05-01', '2026-05-30', '2026-04-20', 30, 100000, 'closed', 0, 0),"
	" ('2036', '中式烹调师班', 'C1', 5, 'employment', 'I3', '445222',"
	"  '2026-04-05', '2026-04-25', '2026-03-30', 20, 90000, 'open', 0, 0),"
	" ('2037', '电工初级夜班', 'E1', 5, 'employment', 'I2', '445202',"
	"  '2026-04-15', '2026-05-15', '2026-04-01', 10, 120000, 'open', 0, 0),"
	" ('2038', '中式烹调师中级班', 'C1', 4, 'upgrade', 'I3', '445222',"
	"  '2026-06-01', '2026-06-30', '2026-05-20', 20, 110000, 'open', 0, 0),"
	" ('2039', '电子商务班', 'D1', 5, 'employment', 'I1', '445281',"
	"  '2026-02-23', '2026-03-20', '2026-03-01', 30, 90000, 'open', 0, 0);";

/* The certificates, then the enrolments that refer to them and to the
 * courses, then the subsidies (see fixture.h). */
static const char fixture_records_sql[] =
	"INSERT INTO certificate (id, number, worker_id, kind, occupation,"
	" level, issued_date, created_at, updated_at) VALUES"
	" (1, 'Z2025-0001', 1, 'skill_level', 'E1', 5, '2025-06-10', 0, 0),"
	" (2, 'Z2025-0002', 3, 'completion', 'W1', 5, '2025-11-28', 0, 0),"
	" (3, 'Z2026-0001', 3, 'skill_level', 'W1', 4, '2026-02-10', 0, 0),"
	" (4, 'Z2025-0003', 3, 'skill_level', 'N1', 5, '2025-12-20', 0, 0);"
	"INSERT INTO enrolment (worker_id, course_id, status, channel, result,"
	" certificate_id, created_at, updated_at) VALUES"
	" (1, (SELECT id FROM course WHERE code = '2030'), 'completed',"
	"  'import', 'passed', 1, 0, 0),"
	" (1, (SELECT id FROM course WHERE code = '2034'), 'enrolled',"
	"  'import', NULL, NULL, 0, 0),"
	" (3, (SELECT id FROM course WHERE code = '2029'), 'completed',"
	"  'import', 'passed', 2, 0, 0);"
	"INSERT INTO subsidy (reference, worker_id, kind, course_id, occupation,"
	" level, amount_fen, status, reason, applied_date, decided_date,"
	" paid_date, year, created_at, updated_at) VALUES"
	" ('S1', 1, 'training', NULL, 'E1', 5, 150000, 'paid', NULL,"
	"  '2025-06-01', '2025-06-20', '2025-07-01', 2025, 0, 0),"
	" ('S2', 1, 'appraisal', NULL, 'W1', 5, 30000, 'rejected', '材料不全',"
	"  '2025-08-01', '2025-08-15', NULL, 2025, 0, 0),"
	" ('S3', 1, 'training', NULL, 'W1', 4, 100000, 'reviewing', NULL,"
	"  '2026-02-01', NULL, NULL, 2026, 0, 0),"
	" ('S4', 3, 'training', NULL, 'N1', 5, 80000, 'approved', NULL,"
	"  '2026-01-05', '2026-01-20', NULL, 2026, 0, 0),"
	" ('S5', 3, 'training', (SELECT id FROM course WHERE code = '2029'),"
	"  'W1', 5, 100000, 'paid', NULL, '2026-01-10', '2026-02-01',"
	"  '2026-02-10', 2026, 0, 0),"
	" ('S6', 3, 'training', NULL, 'E1', 4, 130000, 'reviewing', NULL,"
	"  '2026-02-10', NULL, NULL, 2026, 0, 0),"
	" ('S7', 3, 'training', NULL, 'C1', 4, 110000, 'paid', NULL,"
	"  '2025-03-01', '2025-03-20', '2025-04-01', 2025, 0, 0),"
	" ('S8', 3, 'training', NULL, 'N1', 4, 100000, 'rejected',"
	"  '未取得培训合格证书', '2026-02-20', '2026-02-27', NULL, 2026, 0, 0);";

void fixture_catalogue(struct db *db)
{
	testutil_exec(db, fixture_catalogue_sql);
}

/* 张小明, 李四, 王五, 赵六 and 陈七, with the check characters of their
 * resident IDs. */
static void fixture_named(struct db *db)
{
	char sql[2048], zhang[IDCARD_LEN + 1], li[IDCARD_LEN + 1],
	     wang[IDCARD_LEN + 1], zhao[IDCARD_LEN + 1], chen[IDCARD_LEN + 1];

	testutil_resident_id(zhang, FIXTURE_ZHANG_ID17);
	testutil_resident_id(li, FIXTURE_LI_ID17);
	testutil_resident_id(wang, FIXTURE_WANG_ID17);
	testutil_resident_id(zhao, FIXTURE_ZHAO_ID17);
	testutil_resident_id(chen, FIXTURE_CHEN_ID17);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO worker (id, id_number, name, msisdn, region,"
		 " key_groups, birth_date, bound_by, created_at, updated_at)"
		 " VALUES"
		 " (1, '%s', '张小明', '" FIXTURE_ZHANG "', '445281', 'migrant',"
		 "  '1990-01-01', 'roster', 0, 0),"
		 " (2, '%s', '李四', NULL, '445202', '', '1985-05-05', NULL,"
		 "  0, 0),"
		 " (3, '%s', '王五', '" FIXTURE_WANG "', '445222', '',"
		 "  '1992-02-02', 'roster', 0, 0),"
		 " (4, '%s', '赵六', NULL, '445202', '', '2002-03-15', NULL,"
		 "  0, 0),"
		 " (5, '%s', '陈七', '" FIXTURE_CHEN "', '445224', '',"
		 "  '1988-08-08', 'roster', 0, 0);",
		 zhang, li, wang, zhao, chen);
	testutil_exec(db, sql);
}

void fixture_crowd_number(char *out, size_t cap, unsigned i)
{
	snprintf(out, cap, "86139000001%02u", i);
}

void fixture_roster(struct db *db)
{
	char sql[512], first[32], id[IDCARD_LEN + 1], number[16];
	unsigned i;

	fixture_named(db);
	for (i = 0; i < FIXTURE_CROWD; i++) {
		snprintf(first, sizeof(first), "44528119950101%03u", i);
		testutil_resident_id(id, first);
		fixture_crowd_number(number, sizeof(number), i);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO worker (id, id_number, name, msisdn,"
			 " region, birth_date, bound_by, created_at,"
			 " updated_at) VALUES (%u, '%s', '工人%u', '%s',"
			 " '445281', '1995-01-01', 'roster', 0, 0)",
			 FIXTURE_CROWD_WORKER + i, id, i, number);
		testutil_exec(db, sql);
	}
}

void fixture_records(struct db *db)
{
	testutil_exec(db, fixture_records_sql);
}

void fixture_load(struct db *db)
{
	fixture_catalogue(db);
	fixture_roster(db);
	fixture_records(db);
}

int64_t fixture_now_ms(void)
{
	return fmt_local_midnight_ms(FIXTURE_DAY) + 10 * FIXTURE_HOUR_MS;
}
