/*
 * test_ratelimit.c - unit tests of handlers/sms/ratelimit.c: the fixed window
 * per number (limit passes, the first one over is told, the rest dropped,
 * a new window starts afresh), numbers independent of each other, the
 * sweep that forgets quiet numbers, long and NULL keys, a clock that goes
 * back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/core/talloc.h>

#include "handlers/sms/ratelimit.h"

#define WINDOW_MS	60000
#define T0		1000000

static void test_window(void **state)
{
	struct ratelimit *rl = ratelimit_new(NULL, 3, WINDOW_MS);
	int64_t wait = 0;
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_check(rl, "861", T0 + i, &wait),
				 RATELIMIT_PASS);
	assert_int_equal(wait, WINDOW_MS - 2);
	assert_int_equal(ratelimit_check(rl, "861", T0 + 10, &wait),
			 RATELIMIT_TELL);
	assert_int_equal(wait, WINDOW_MS - 10);
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_check(rl, "861", T0 + 20 + i, NULL),
				 RATELIMIT_DROP);
	/* another number has its own window */
	assert_int_equal(ratelimit_check(rl, "862", T0 + 30, NULL),
			 RATELIMIT_PASS);
	/* the window ends: everything afresh, told again if need be */
	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_check(rl, "861", T0 + WINDOW_MS + i,
						 NULL), RATELIMIT_PASS);
	assert_int_equal(ratelimit_check(rl, "861", T0 + WINDOW_MS + 5, NULL),
			 RATELIMIT_TELL);
	ratelimit_free(rl);
}

static void test_sweep(void **state)
{
	struct ratelimit *rl = ratelimit_new(NULL, 10, WINDOW_MS);
	char key[24];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "86139%06d", i);
		ratelimit_check(rl, key, T0, NULL);
	}
	assert_int_equal(ratelimit_count(rl), 1000);
	/* one window later each check sweeps a few buckets: the quiet
	 * numbers are gone before long, a little at a time */
	ratelimit_check(rl, "8613800000000", T0 + WINDOW_MS, NULL);
	assert_true(ratelimit_count(rl) > 1);
	for (i = 0; i < 10000; i++)
		ratelimit_check(rl, "8613800000000", T0 + WINDOW_MS, NULL);
	assert_int_equal(ratelimit_count(rl), 1);
	ratelimit_free(rl);
}

/* A full table makes room from numbers whose window ended before it lets
 * a new number through untracked. */
static void test_full_table(void **state)
{
	struct ratelimit *rl = ratelimit_new(NULL, 2, WINDOW_MS);
	enum ratelimit_verdict v = RATELIMIT_PASS;
	char key[24];
	int i;

	for (i = 0; i < RATELIMIT_MAX_KEYS; i++) {
		snprintf(key, sizeof(key), "8613%09d", i);
		ratelimit_check(rl, key, T0, NULL);
	}
	assert_int_equal(ratelimit_count(rl), RATELIMIT_MAX_KEYS);
	/* still in their window: a newcomer is let through untracked */
	assert_int_equal(ratelimit_check(rl, "8615000000000", T0 + 1, NULL),
			 RATELIMIT_PASS);
	assert_int_equal(ratelimit_count(rl), RATELIMIT_MAX_KEYS);
	/* a window later there is room: the newcomer is counted again */
	for (i = 0; i < 3; i++)
		v = ratelimit_check(rl, "8615000000001", T0 + WINDOW_MS, NULL);
	assert_int_equal(v, RATELIMIT_TELL);
	assert_true(ratelimit_count(rl) < RATELIMIT_MAX_KEYS);
	ratelimit_free(rl);
}

static void test_odd_keys_and_clock(void **state)
{
	struct ratelimit *rl = ratelimit_new(NULL, 1, WINDOW_MS);
	char longkey[200];

	memset(longkey, '9', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(ratelimit_check(rl, longkey, T0, NULL),
			 RATELIMIT_PASS);
	assert_int_equal(ratelimit_check(rl, longkey, T0, NULL),
			 RATELIMIT_TELL);
	assert_int_equal(ratelimit_check(rl, NULL, T0, NULL), RATELIMIT_PASS);
	assert_int_equal(ratelimit_check(rl, "", T0, NULL), RATELIMIT_TELL);
	/* the clock went back (NTP step): a new window, not a negative wait */
	assert_int_equal(ratelimit_check(rl, longkey, T0 - 5000, NULL),
			 RATELIMIT_PASS);
	/* a zero window is taken as 1 ms */
	ratelimit_free(rl);
	rl = ratelimit_new(NULL, 1, 0);
	assert_int_equal(ratelimit_check(rl, "1", T0, NULL), RATELIMIT_PASS);
	assert_int_equal(ratelimit_check(rl, "1", T0 + 1, NULL),
			 RATELIMIT_PASS);
	ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_odd_keys_and_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
