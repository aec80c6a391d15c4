/*
 * clock.h - wall-clock time in milliseconds, shiftable for tests.
 *
 * Everything that stores or compares times (queue back-off, validity,
 * reassembly timeouts, quiet hours) asks this clock, so tests can move time
 * with the SKILLGW_CLOCK_OFFSET_MS environment variable instead of sleeping.
 */
#ifndef SGW_CLOCK_H
#define SGW_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);

/* Monotonic microseconds (not shifted): for measuring durations, e.g. the
 * time from an MO to its reply. */
int64_t clock_mono_us(void);

#endif
