/*
 * progress.h - a one-line progress bar for skillctl's long work, drawn on a
 * terminal only (a pipe or a log file gets nothing), at most ten times a
 * second, and erased when the work is done.
 */
#ifndef SGW_PROGRESS_H
#define SGW_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *f;
	const char *label;
	bool on;		/* f is a terminal */
	bool drawn;
	int64_t last_ms;
};

void progress_init(struct progress *p, FILE *f, const char *label);
/* done of total units (bytes), items (rows) so far. */
void progress_update(struct progress *p, uint64_t done, uint64_t total,
		     unsigned long items);
/* Erase the bar. */
void progress_done(struct progress *p);

#endif
