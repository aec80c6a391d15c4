/*
 * clock.c - wall-clock milliseconds with an optional test offset, and
 * monotonic microseconds for durations.
 */
#include <stdlib.h>
#include <time.h>

#include "gateway/clock.h"

int64_t clock_now_ms(void)
{
	static int64_t offset;
	static int read_env;
	struct timespec ts;

	if (!read_env) {
		const char *s = getenv("SKILLGW_CLOCK_OFFSET_MS");

		offset = s ? strtoll(s, NULL, 10) : 0;
		read_env = 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset;
}

int64_t clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
