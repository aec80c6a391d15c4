/*
 * metrics.h - the daemon's counters for the Prometheus endpoint (/metrics,
 * gateway/api/metrics.c) and today's counts of the status endpoint.
 *
 * A family is a static struct in the module that counts (its name, HELP
 * text, type and label names); it joins the process-wide registry the
 * first time it is used, like libosmocore's rate counters. A series is
 * one combination of label values, made on first use; a family holds at
 * most METRICS_SERIES_MAX of them, and values beyond go to one series
 * whose labels are all "other" (a misbehaving SMSC cannot grow the
 * registry with invented status codes). Histograms have fixed buckets.
 *
 * Only the loop's thread may touch the registry: worker threads never
 * count here.
 *
 *	static const char *const lbl[] = { "link", "command", NULL };
 *	static struct metrics_family pdus = {
 *		.name = "skillgw_smpp_pdus_total", .help = "SMPP PDUs.",
 *		.type = METRICS_COUNTER, .labels = lbl };
 *	metrics_inc(&pdus, "cmcc", "submit_sm");
 */
#ifndef SGW_METRICS_H
#define SGW_METRICS_H

#include <stdint.h>
#include <stdio.h>

#define METRICS_LABELS_MAX	4
#define METRICS_SERIES_MAX	256

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
};

struct metrics_priv;

struct metrics_family {
	const char *name;		/* skillgw_..., counters end in _total */
	const char *help;
	enum metrics_type type;
	const char *const *labels;	/* names, NULL-terminated; NULL: none */
	const double *bounds;		/* histogram: upper bounds, ascending */
	unsigned n_bounds;
	struct metrics_priv *p;		/* the registry's: zero at start */
};

/* Add v to the series of the label values that follow (one const char *
 * per label name of f). */
void metrics_add(struct metrics_family *f, double v, ...);
#define metrics_inc(f, ...)	metrics_add((f), 1.0, ##__VA_ARGS__)
/* A gauge's value. */
void metrics_set(struct metrics_family *f, double v, ...);
/* One observation of a histogram. */
void metrics_observe(struct metrics_family *f, double v, ...);

/* Every family used so far in the text exposition format 0.0.4, sorted by
 * name, with HELP and TYPE lines. 0 or -EIO (a write error). */
int metrics_write(FILE *out);

/* Write one HELP and TYPE header; for values the caller computes at
 * scrape time (link states, queue depth). */
void metrics_write_head(FILE *out, const char *name, const char *help,
			const char *type);
/* A label value with \, " and newline escaped, in quotes. */
void metrics_write_label(FILE *out, const char *value);

/* ---- today's counts (China local day) ---- */

enum metrics_day_what {
	METRICS_DAY_MO,		/* messages from phones */
	METRICS_DAY_MT,		/* messages accepted by an SMSC */
	METRICS_DAY_DLR,	/* delivery receipts */
	METRICS_DAY_USSD,	/* USSD dialogues begun */
	METRICS_DAY_NUM
};

struct metrics_day {
	char date[11];			/* 2026-12-01 */
	int64_t since_ms;		/* local midnight, or the start */
	unsigned long n[METRICS_DAY_NUM];
	unsigned long hour[24][METRICS_DAY_NUM];	/* by local hour */
};

void metrics_day_add(enum metrics_day_what w);
void metrics_day_get(struct metrics_day *out);

/* Forget everything (tests). */
void metrics_reset(void);

#endif
