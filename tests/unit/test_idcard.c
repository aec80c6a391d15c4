/*
 * test_idcard.c - unit tests of handlers/domain/idcard.c: the GB 11643 resident ID
 * check (every kind of problem, with the exact sentence the operator
 * reads), normalisation (spaces, lower-case x) and masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/domain/idcard.h"

#define TODAY	"2026-11-30"

/* Check in and expect st; when want is given, the explanation too. */
static void expect(const char *in, enum idcard_status st, const char *want)
{
	struct idcard c;
	char why[160];
	enum idcard_status got = idcard_check(in, TODAY, &c);

	if (got != st)
		fail_msg("%s: status %d, expected %d", in, got, st);
	if (want) {
		idcard_explain(got, &c, why, sizeof(why));
		assert_string_equal(why, want);
	}
}

static void test_valid(void **state)
{
	static const char *const ok[] = {
		"11010519491231002X", "44520219900101123X",
		"445281198506154560", "445222197803020011",
		"445224200002290086",	/* born on a leap day */
		"445203199511200678",
	};
	struct idcard c;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		expect(ok[i], IDCARD_OK, "valid");
	assert_int_equal(idcard_check("445281198506154560", TODAY, &c),
			 IDCARD_OK);
	assert_string_equal(c.id, "445281198506154560");
	assert_string_equal(c.region, "445281");
	assert_string_equal(c.birth, "1985-06-15");
	assert_int_equal(c.male, 0);		/* 17th digit 6: a woman */
	assert_int_equal(idcard_check("445222197803020011", TODAY, &c),
			 IDCARD_OK);
	assert_int_equal(c.male, 1);
}

static void test_normalise(void **state)
{
	struct idcard c;

	assert_int_equal(idcard_check("  44520219900101123x ", TODAY, &c),
			 IDCARD_OK);
	assert_string_equal(c.id, "44520219900101123X");
	assert_int_equal(idcard_check("\t11010519491231002x", NULL, &c),
			 IDCARD_OK);
}

static void test_length(void **state)
{
	expect("12345", IDCARD_ELEN, "resident ID is 5 characters, not 18");
	expect("", IDCARD_ELEN, "resident ID is 0 characters, not 18");
	expect("4452021990010112345", IDCARD_ELEN,
	       "resident ID is 19 characters, not 18");
	expect("44520219900101123", IDCARD_ELEN, NULL);
}

static void test_digits(void **state)
{
	expect("4452021990O101123X", IDCARD_EDIGIT,
	       "resident ID has 'O' at position 11 (digits only, and X as "
	       "the last character)");
	expect("X45202199001011230", IDCARD_EDIGIT, NULL);
	expect("44520219900101123Y", IDCARD_EDIGIT, NULL);
	expect("4452021990-101123X", IDCARD_EDIGIT, NULL);
}

static void test_province(void **state)
{
	expect("995202199001011236", IDCARD_EPROVINCE,
	       "resident ID starts with 99, which is no province code");
	expect("165202199001011236", IDCARD_EPROVINCE, NULL);
	expect("005202199001011236", IDCARD_EPROVINCE, NULL);
	/* 81 Hong Kong (residence permits) is a province code */
	expect("810000199001011230", IDCARD_OK, NULL);
}

static void test_birth(void **state)
{
	expect("445202199013011234", IDCARD_EDATE,
	       "resident ID has birth date 19901301, which is not a date");
	expect("445202199002301234", IDCARD_EDATE, NULL);	/* Feb 30 */
	expect("445202190102291234", IDCARD_EDATE, NULL);	/* 1901 no leap */
	expect("445202189912311234", IDCARD_EDATE, NULL);	/* before 1900 */
	expect("445202202712011234", IDCARD_EFUTURE,
	       "resident ID has birth date 2027-12-01, which is in the "
	       "future");
	expect("445202202612011234", IDCARD_EFUTURE, NULL);	/* tomorrow+ */
}

static void test_checksum(void **state)
{
	expect("445202199001011230", IDCARD_ECHECK,
	       "checksum digit should be X");
	expect("445281198506154561", IDCARD_ECHECK,
	       "checksum digit should be 0");
	expect("110105194912310 2X", IDCARD_EDIGIT, NULL);	/* inner space */
	assert_int_equal(idcard_check_char("44520219900101123"), 'X');
	assert_int_equal(idcard_check_char("11010519491231002"), 'X');
	assert_int_equal(idcard_check_char("44528119850615456"), '0');
	assert_int_equal(idcard_check_char("4452811985061545a"), 0);
}

static void test_mask(void **state)
{
	char out[IDCARD_MASKED];

	idcard_mask("44520219900101123X", out);
	assert_string_equal(out, "445***********123X");
	idcard_mask("445281198506154560", out);
	assert_string_equal(out, "445***********4560");
	idcard_mask("12345", out);
	assert_string_equal(out, "******************");
	idcard_mask(NULL, out);
	assert_string_equal(out, "******************");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_province),
		cmocka_unit_test(test_birth),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
