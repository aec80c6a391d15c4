/*
 * test_msisdn.c - unit tests of gateway/text/msisdn.c: what operators may
 * type as a number (msisdn_entry) under gateway.numbers "cn" and "e164",
 * with the reason of each refusal, and that normalisation and masking
 * still do what the rest of the gateway relies on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/text/msisdn.h"

struct entry_case {
	const char *in;
	const char *out;	/* NULL: refused */
	const char *why;	/* the reason when refused */
};

static void check(enum msisdn_plan plan, const struct entry_case *c,
		  size_t n)
{
	char out[MSISDN_MAX];
	const char *why;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		why = NULL;
		rc = msisdn_entry(c[i].in, plan, out, sizeof(out), &why);
		if (c[i].out) {
			if (rc != 0)
				fail_msg("'%s' refused: %s", c[i].in, why);
			assert_string_equal(out, c[i].out);
		} else {
			if (rc != -EINVAL)
				fail_msg("'%s' taken as %s", c[i].in, out);
			assert_non_null(why);
			assert_string_equal(why, c[i].why);
		}
	}
}

static void test_cn(void **state)
{
	static const struct entry_case c[] = {
		{ "13800138000", "8613800138000", NULL },
		{ "8613800138000", "8613800138000", NULL },
		{ "+8613800138000", "8613800138000", NULL },
		{ "008613800138000", "8613800138000", NULL },
		{ "+86 138-0013-8000", "8613800138000", NULL },
		{ "(138) 0013.8000", "8613800138000", NULL },
		{ "19912345678", "8619912345678", NULL },
		{ "12345", NULL, "is not 11 digits" },
		{ "12345678901", NULL, "does not start with 13..19" },
		{ "10086", NULL, "is not 11 digits" },
		{ "+447911123456", NULL, "is not of country code 86" },
		{ "0044 7911 123456", NULL, "is not of country code 86" },
		{ "861380013800", NULL, "is not 11 digits" },
		{ "138001380000", NULL, "is not 11 digits" },
		{ "abc", NULL, "has characters other than digits" },
		{ "1380013800O", NULL, "has characters other than digits" },
		{ "", NULL, "is not 11 digits" },
		{ "123456789012345678901234567890", NULL, "is too long" },
	};

	check(MSISDN_PLAN_CN, c, sizeof(c) / sizeof(c[0]));
}

static void test_e164(void **state)
{
	static const char *const intl = "is neither a Chinese mobile number "
		"nor an international one (+, country code and number: 7 to "
		"15 digits)";
	const struct entry_case c[] = {
		{ "13800138000", "8613800138000", NULL },
		{ "+86 138 0013 8000", "8613800138000", NULL },
		{ "+447911123456", "447911123456", NULL },
		{ "00447911123456", "447911123456", NULL },
		{ "447911123456", "447911123456", NULL },
		{ "+1 (415) 555-2671", "14155552671", NULL },
		{ "+861012345678", "861012345678", NULL },	/* a landline */
		{ "12345", NULL, intl },
		{ "+123456", NULL, intl },
		{ "+1234567890123456", NULL, intl },
		{ "01012345678", NULL, intl },
		{ "+0447911123456", NULL, intl },
		{ "abc", NULL, "has characters other than digits" },
	};

	check(MSISDN_PLAN_E164, c, sizeof(c) / sizeof(c[0]));
}

/* The output never overruns a short buffer. */
static void test_entry_cap(void **state)
{
	char out[8];
	const char *why;

	assert_int_equal(msisdn_entry("13800138000", MSISDN_PLAN_CN, out,
				      sizeof(out), &why), -ENOSPC);
	assert_int_equal(msisdn_entry("+447911123456", MSISDN_PLAN_E164, out,
				      sizeof(out), &why), -ENOSPC);
}

/* What the router and the domain rely on is unchanged. */
static void test_normalise_mask(void **state)
{
	char out[MSISDN_MAX];

	assert_int_equal(msisdn_normalise("13800138000", "86", out,
					  sizeof(out)), 0);
	assert_string_equal(out, "8613800138000");
	assert_int_equal(msisdn_normalise("12333", "86", out, sizeof(out)), 0);
	assert_string_equal(out, "12333");
	assert_int_equal(msisdn_normalise("12x", "86", out, sizeof(out)),
			 -EINVAL);
	msisdn_mask("8613800138000", out, sizeof(out));
	assert_string_equal(out, "138****8000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cn),
		cmocka_unit_test(test_e164),
		cmocka_unit_test(test_entry_cap),
		cmocka_unit_test(test_normalise_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
