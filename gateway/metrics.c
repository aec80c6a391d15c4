/*
 * metrics.c - the registry of counters, gauges and histograms, and today's
 * counts (see metrics.h).
 *
 * A family's series live in an array with an open-addressing index hashed
 * on the label values (FNV-1a), so counting an event is one hash and a
 * few string compares, cheap enough for every PDU. The registry is a list
 * of the families used so far; memory is a talloc tree of its own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/clock.h"
#include "gateway/metrics.h"
#include "gateway/text/fmt.h"

#define METRICS_SLOTS		(2 * METRICS_SERIES_MAX)	/* power of 2 */
#define METRICS_VALUE_MAX	96	/* octets of a label value kept */
#define METRICS_OTHER		"other"
#define METRICS_DAY_MS		(86400 * 1000LL)

struct metrics_series {
	char *val[METRICS_LABELS_MAX];
	double v;			/* counter, gauge; histogram: sum */
	uint64_t count;			/* histogram */
	uint64_t *bucket;		/* histogram: n_bounds counts */
};

struct metrics_priv {
	struct metrics_family *f;
	struct metrics_priv *next;
	unsigned n_labels;
	struct metrics_series *s;
	unsigned n;
	int16_t slot[METRICS_SLOTS];	/* index into s, -1: free */
};

static void *metrics_ctx;
static struct metrics_priv *metrics_head;

static struct metrics_day metrics_today;
static int64_t metrics_day_end_ms;	/* next local midnight */

/* ---- the registry ------------------------------------------------------ */

static struct metrics_priv *metrics_join(struct metrics_family *f)
{
	struct metrics_priv *p;
	unsigned i;

	if (!metrics_ctx)
		metrics_ctx = talloc_named_const(NULL, 0, "metrics");
	p = talloc_zero(metrics_ctx, struct metrics_priv);
	if (!p)
		return NULL;
	p->s = talloc_zero_array(p, struct metrics_series, METRICS_SERIES_MAX);
	if (!p->s) {
		talloc_free(p);
		return NULL;
	}
	p->f = f;
	for (i = 0; f->labels && f->labels[i] && i < METRICS_LABELS_MAX; i++)
		p->n_labels++;
	for (i = 0; i < METRICS_SLOTS; i++)
		p->slot[i] = -1;
	p->next = metrics_head;
	metrics_head = p;
	f->p = p;
	return p;
}

static uint32_t metrics_hash(const char *const *v, unsigned n)
{
	uint32_t h = 2166136261u;
	unsigned i;

	for (i = 0; i < n; i++) {
		const unsigned char *s = (const unsigned char *)v[i];

		for (; *s; s++)
			h = (h ^ *s) * 16777619u;
		h = (h ^ 0xff) * 16777619u;	/* separator */
	}
	return h;
}

static bool metrics_same(const struct metrics_series *s,
			 const char *const *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(s->val[i], v[i]))
			return false;
	return true;
}

/* A new series with values v, or NULL when memory is short. */
static struct metrics_series *metrics_new(struct metrics_priv *p,
					  const char *const *v)
{
	struct metrics_series *s = &p->s[p->n];
	unsigned i;

	for (i = 0; i < p->n_labels; i++) {
		s->val[i] = talloc_strndup(p, v[i], METRICS_VALUE_MAX);
		if (!s->val[i])
			return NULL;
	}
	if (p->f->type == METRICS_HISTOGRAM) {
		s->bucket = talloc_zero_array(p, uint64_t, p->f->n_bounds);
		if (!s->bucket && p->f->n_bounds)
			return NULL;
	}
	p->n++;
	return s;
}

/* The series of v, made if needed; the "other" series when the family is
 * full. NULL only when memory is short. */
static struct metrics_series *metrics_find(struct metrics_priv *p,
					   const char *const *v)
{
	static const char *const other[METRICS_LABELS_MAX] = {
		METRICS_OTHER, METRICS_OTHER, METRICS_OTHER, METRICS_OTHER };
	uint32_t h = metrics_hash(v, p->n_labels) & (METRICS_SLOTS - 1);
	struct metrics_series *s;

	for (; p->slot[h] >= 0; h = (h + 1) & (METRICS_SLOTS - 1))
		if (metrics_same(&p->s[p->slot[h]], v, p->n_labels))
			return &p->s[p->slot[h]];
	if (v != other && p->n + 1 >= METRICS_SERIES_MAX)	/* one left */
		return metrics_find(p, other);
	if (p->n >= METRICS_SERIES_MAX)
		return NULL;
	s = metrics_new(p, v);
	if (s)
		p->slot[h] = s - p->s;
	return s;
}

static struct metrics_series *metrics_series(struct metrics_family *f,
					     va_list ap)
{
	const char *v[METRICS_LABELS_MAX];
	struct metrics_priv *p = f->p ? f->p : metrics_join(f);
	unsigned i;

	if (!p)
		return NULL;
	for (i = 0; i < p->n_labels; i++) {
		v[i] = va_arg(ap, const char *);
		if (!v[i])
			v[i] = "";
	}
	return metrics_find(p, v);
}

void metrics_add(struct metrics_family *f, double v, ...)
{
	struct metrics_series *s;
	va_list ap;

	va_start(ap, v);
	s = metrics_series(f, ap);
	va_end(ap);
	if (s)
		s->v += v;
}

void metrics_set(struct metrics_family *f, double v, ...)
{
	struct metrics_series *s;
	va_list ap;

	va_start(ap, v);
	s = metrics_series(f, ap);
	va_end(ap);
	if (s)
		s->v = v;
}

void metrics_observe(struct metrics_family *f, double v, ...)
{
	struct metrics_series *s;
	unsigned i;
	va_list ap;

	va_start(ap, v);
	s = metrics_series(f, ap);
	va_end(ap);
	if (!s)
		return;
	s->v += v;
	s->count++;
	for (i = 0; i < f->n_bounds; i++)
		if (v <= f->bounds[i])
			s->bucket[i]++;
}

/* ---- the exposition format --------------------------------------------- */

void metrics_write_label(FILE *out, const char *value)
{
	fputc('"', out);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(out, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

void metrics_write_head(FILE *out, const char *name, const char *help,
			const char *type)
{
	fprintf(out, "# HELP %s ", name);
	for (; *help; help++) {
		if (*help == '\\')
			fputs("\\\\", out);
		else if (*help == '\n')
			fputs("\\n", out);
		else
			fputc(*help, out);
	}
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* {a="x",b="y"} with an extra label (le) when given. */
static void metrics_write_labels(FILE *out, const struct metrics_priv *p,
				 const struct metrics_series *s,
				 const char *extra, const char *extra_val)
{
	unsigned i;

	if (!p->n_labels && !extra)
		return;
	fputc('{', out);
	for (i = 0; i < p->n_labels; i++) {
		fprintf(out, "%s%s=", i ? "," : "", p->f->labels[i]);
		metrics_write_label(out, s->val[i]);
	}
	if (extra) {
		fprintf(out, "%s%s=", p->n_labels ? "," : "", extra);
		metrics_write_label(out, extra_val);
	}
	fputc('}', out);
}

static void metrics_write_hist(FILE *out, const struct metrics_priv *p,
			       const struct metrics_series *s)
{
	const struct metrics_family *f = p->f;
	char le[32];
	unsigned i;

	for (i = 0; i < f->n_bounds; i++) {
		snprintf(le, sizeof(le), "%g", f->bounds[i]);
		fprintf(out, "%s_bucket", f->name);
		metrics_write_labels(out, p, s, "le", le);
		fprintf(out, " %llu\n", (unsigned long long)s->bucket[i]);
	}
	fprintf(out, "%s_bucket", f->name);
	metrics_write_labels(out, p, s, "le", "+Inf");
	fprintf(out, " %llu\n%s_sum", (unsigned long long)s->count, f->name);
	metrics_write_labels(out, p, s, NULL, NULL);
	fprintf(out, " %.9g\n%s_count", s->v, f->name);
	metrics_write_labels(out, p, s, NULL, NULL);
	fprintf(out, " %llu\n", (unsigned long long)s->count);
}

static void metrics_write_family(FILE *out, const struct metrics_priv *p)
{
	static const char *const types[] = {
		[METRICS_COUNTER] = "counter", [METRICS_GAUGE] = "gauge",
		[METRICS_HISTOGRAM] = "histogram" };
	unsigned i;

	metrics_write_head(out, p->f->name, p->f->help, types[p->f->type]);
	for (i = 0; i < p->n; i++) {
		if (p->f->type == METRICS_HISTOGRAM) {
			metrics_write_hist(out, p, &p->s[i]);
			continue;
		}
		fputs(p->f->name, out);
		metrics_write_labels(out, p, &p->s[i], NULL, NULL);
		fprintf(out, " %.17g\n", p->s[i].v);
	}
}

static int metrics_cmp(const void *a, const void *b)
{
	const struct metrics_priv *x = *(const struct metrics_priv *const *)a;
	const struct metrics_priv *y = *(const struct metrics_priv *const *)b;

	return strcmp(x->f->name, y->f->name);
}

int metrics_write(FILE *out)
{
	struct metrics_priv *p, **v;
	unsigned n = 0, i;

	for (p = metrics_head; p; p = p->next)
		n++;
	v = talloc_array(NULL, struct metrics_priv *, n ? n : 1);
	if (!v)
		return -ENOMEM;
	for (n = 0, p = metrics_head; p; p = p->next)
		v[n++] = p;
	qsort(v, n, sizeof(*v), metrics_cmp);
	for (i = 0; i < n; i++)
		metrics_write_family(out, v[i]);
	talloc_free(v);
	return ferror(out) ? -EIO : 0;
}

/* ---- today's counts ---------------------------------------------------- */

/* A new local day (or the first count): start from zero. */
static void metrics_day_roll(int64_t now)
{
	int64_t local = now + FMT_CN_UTC_OFFSET_S * 1000LL;
	int64_t midnight = local - ((local % METRICS_DAY_MS) + METRICS_DAY_MS)
			   % METRICS_DAY_MS - FMT_CN_UTC_OFFSET_S * 1000LL;

	memset(&metrics_today, 0, sizeof(metrics_today));
	fmt_local_date(now, metrics_today.date);
	metrics_today.since_ms = metrics_day_end_ms ? midnight : now;
	metrics_day_end_ms = midnight + METRICS_DAY_MS;
}

void metrics_day_add(enum metrics_day_what w)
{
	int64_t now = clock_now_ms();
	int64_t hour = (now + FMT_CN_UTC_OFFSET_S * 1000LL) / 3600000 % 24;

	if (now >= metrics_day_end_ms)
		metrics_day_roll(now);
	metrics_today.n[w]++;
	metrics_today.hour[hour < 0 ? hour + 24 : hour][w]++;
}

void metrics_day_get(struct metrics_day *out)
{
	int64_t now = clock_now_ms();

	if (now >= metrics_day_end_ms)
		metrics_day_roll(now);
	*out = metrics_today;
}

void metrics_reset(void)
{
	struct metrics_priv *p;

	for (p = metrics_head; p; p = p->next)
		p->f->p = NULL;
	metrics_head = NULL;
	talloc_free(metrics_ctx);
	metrics_ctx = NULL;
	metrics_day_end_ms = 0;
}
