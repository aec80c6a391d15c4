/*
 * notify.c - skillctl notify status | list: what became of the
 * notifications (handlers/notice/notify.h).
 *
 *   notify status [--since DATE]   per local day and kind: events, waiting
 *                                  to be made, queued, sent, delivered,
 *                                  failed, no bound number, opted out, no
 *                                  text (the last 30 days by default)
 *   notify list [--kind KIND] [--before ID] [--limit N]
 *                                  the newest events, the number masked
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_data.h"
#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/text/fmt.h"
#include "handlers/notice/notify.h"

#define CTL_NOTIFY_DAYS_MAX	(31 * NOTIFY_NUM_KINDS)
#define CTL_NOTIFY_LIST_MAX	1000
#define CTL_NOTIFY_LIST_DEF	50
#define CTL_NOTIFY_SINCE_DAYS	30
#define CTL_MS_PER_DAY		(86400LL * 1000)

struct ctl_notify {
	const char *verb;
	char since[FMT_ISO_DATE];
	int kind;
	long long before;
	long limit;
};

static int ctl_notify_usage(void)
{
	fprintf(stderr, "usage: skillctl notify status [--since DATE]\n"
		"       skillctl notify list [--kind KIND] [--before ID] "
		"[--limit N]\n");
	return CTL_DATA_USER;
}

static int ctl_notify_opt(struct ctl_notify *a, int o, const char *arg)
{
	char *end;

	switch (o) {
	case 's':
		if (fmt_date_parse(arg, a->since) == 0)
			return 0;
		fprintf(stderr, "skillctl notify: --since: '%s' is not a date "
			"(write 2026-12-01)\n", arg);
		return -1;
	case 'k':
		a->kind = notify_kind_parse(arg);
		if (a->kind >= 0)
			return 0;
		fprintf(stderr, "skillctl notify: --kind: '%s' is not one of "
			"subsidy_approved, subsidy_paid, subsidy_rejected, "
			"course_cancelled, course_closed, course_changed, "
			"enrolment_cancelled, reminder\n", arg);
		return -1;
	case 'b':
		a->before = strtoll(arg, &end, 10);
		if (*arg && !*end && a->before > 0)
			return 0;
		fprintf(stderr, "skillctl notify: --before: '%s' is not an event "
			"id\n", arg);
		return -1;
	case 'n':
		a->limit = strtol(arg, &end, 10);
		if (*arg && !*end && a->limit >= 1 &&
		    a->limit <= CTL_NOTIFY_LIST_MAX)
			return 0;
		fprintf(stderr, "skillctl notify: --limit: '%s' is not a number "
			"from 1 to %d\n", arg, CTL_NOTIFY_LIST_MAX);
		return -1;
	default:
		return -1;
	}
}

static int ctl_notify_args(int argc, char **argv, struct ctl_notify *a)
{
	static const struct option lo[] = {
		{ "since", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "before", required_argument, NULL, 'b' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	*a = (struct ctl_notify){ .kind = -1, .limit = CTL_NOTIFY_LIST_DEF };
	fmt_local_date(clock_now_ms() - CTL_NOTIFY_SINCE_DAYS * CTL_MS_PER_DAY,
		       a->since);
	optind = 0;	/* GNU: re-initialise, so options may follow the verb */
	while ((o = getopt_long(argc, argv, "s:k:b:n:", lo, NULL)) != -1)
		if (ctl_notify_opt(a, o, optarg) < 0)
			return -1;
	if (optind + 1 != argc)
		return -1;
	a->verb = argv[optind];
	return strcmp(a->verb, "status") && strcmp(a->verb, "list") ? -1 : 0;
}

static void ctl_notify_day(const struct notify_day *d, bool json, bool first)
{
	if (json) {
		printf("%s{\"day\":\"%s\",\"kind\":\"%s\",\"events\":%lu,"
		       "\"pending\":%lu,\"queued\":%lu,\"sent\":%lu,"
		       "\"delivered\":%lu,\"failed\":%lu,\"nonumber\":%lu,"
		       "\"optout\":%lu,\"bad\":%lu}", first ? "" : ",", d->day,
		       notify_kind_str(d->kind), d->events, d->pending,
		       d->queued, d->sent, d->delivered, d->failed,
		       d->nonumber, d->optout, d->bad);
		return;
	}
	printf("%-10s %-19s %7lu %7lu %7lu %7lu %9lu %7lu %8lu %7lu %5lu\n",
	       d->day, notify_kind_str(d->kind), d->events, d->pending,
	       d->queued, d->sent, d->delivered, d->failed, d->nonumber,
	       d->optout, d->bad);
}

static int ctl_notify_status(struct db *db, const struct ctl_notify *a,
			     bool json)
{
	static struct notify_day d[CTL_NOTIFY_DAYS_MAX];
	unsigned n, i;

	if (notify_days(db, a->since, d, CTL_NOTIFY_DAYS_MAX, &n) < 0) {
		fprintf(stderr, "skillctl notify status: cannot read the "
			"notifications\n");
		return CTL_DATA_SYS;
	}
	if (!json)
		printf("%-10s %-19s %7s %7s %7s %7s %9s %7s %8s %7s %5s\n", "day",
		       "kind", "events", "pending", "queued", "sent",
		       "delivered", "failed", "nonumber", "optout", "bad");
	else
		printf("[");
	for (i = 0; i < n; i++)
		ctl_notify_day(&d[i], json, i == 0);
	if (json)
		printf("]\n");
	else if (n == 0)
		printf("no notification since %s\n", a->since);
	return CTL_DATA_OK;
}

static void ctl_notify_item(const struct notify_item *it, bool json,
			    bool first)
{
	if (json) {
		printf("%s{\"id\":%lld,\"kind\":\"%s\",\"msisdn\":\"%s\","
		       "\"state\":\"%s\",\"message\":\"%s\",\"created_at\":%lld,"
		       "\"handled_at\":%lld}", first ? "" : ",",
		       (long long)it->id, notify_kind_str(it->kind), it->msisdn,
		       it->state, it->mt_state, (long long)it->created_ms,
		       (long long)it->handled_ms);
		return;
	}
	printf("%-8lld %-19s %-13s %-9s %s\n", (long long)it->id,
	       notify_kind_str(it->kind), *it->msisdn ? it->msisdn : "-",
	       it->state, *it->mt_state ? it->mt_state : "-");
}

static int ctl_notify_list(struct db *db, const struct ctl_notify *a,
			   bool json)
{
	static struct notify_item it[CTL_NOTIFY_LIST_MAX];
	unsigned n, i;

	if (notify_list(db, a->kind, a->before, it, a->limit, &n) < 0) {
		fprintf(stderr, "skillctl notify list: cannot read the "
			"notifications\n");
		return CTL_DATA_SYS;
	}
	if (!json)
		printf("%-8s %-19s %-13s %-9s %s\n", "id", "kind", "number",
		       "state", "message");
	else
		printf("[");
	for (i = 0; i < n; i++)
		ctl_notify_item(&it[i], json, i == 0);
	if (json)
		printf("]\n");
	return CTL_DATA_OK;
}

int ctl_notify_run(void *ctx, const char *config, bool json, int argc,
		   char **argv)
{
	struct ctl_notify a;
	struct config cfg;
	struct db *db;
	int rc;

	if (ctl_notify_args(argc, argv, &a) < 0)
		return ctl_notify_usage();
	rc = ctl_data_open(ctx, config, &cfg, &db);
	if (rc != CTL_DATA_OK)
		return rc;
	rc = !strcmp(a.verb, "status") ? ctl_notify_status(db, &a, json) :
	     ctl_notify_list(db, &a, json);
	db_close(db);
	return rc;
}
