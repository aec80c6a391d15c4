/*
 * notice_create.c - skillctl notice create: a campaign as a draft.
 *
 * Everything is checked before anything is written (campaign_check() of
 * handlers/notice/campaign.c, which the API shares): the text
 * (placeholders, UTF-8), the bureau's signature and opt-out hint from the
 * configuration, the audience (every value resolved against the database),
 * the times, and the length: the message as it will be sent, signature and
 * hint included, rendered with the longest values the audience can put
 * into it, must fit in notices.max_parts SMS parts, else the campaign is
 * refused with the count of characters and parts. A file of numbers is read whole and every
 * bad line reported (FILE:LINE: reason) before the campaign exists; its
 * numbers are normalised, duplicates dropped, and written in slices of
 * CTL_NT_SLICE rows, one transaction each, so the running daemon never
 * waits long for the database; should writing fail half-way, the draft is
 * deleted again.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/notice/audience.h"
#include "handlers/notice/campaign.h"
#include "handlers/domain/audit.h"
#include "gateway/text/charset.h"
#include "gateway/clock.h"
#include "handlers/data/csv.h"
#include "ctl_data.h"
#include "notice_priv.h"
#include "gateway/db.h"
#include "gateway/text/msisdn.h"
#include "handlers/notice/text.h"
#include "progress.h"
#include "gateway/queue/quiet.h"

#define CTL_NT_SLICE		10000	/* numbers per transaction */
#define CTL_NT_BAD_SHOWN	10	/* bad lines printed */
#define CTL_NT_NUMBER_COLS \
	"手机号码|手机号|手机|电话|联系电话|号码|msisdn|mobile|phone|number"

struct ctl_nt_args {
	const char *name, *text, *text_file, *numbers, *start, *end;
	const char *rate;
	struct audience_args aud;
};

/* Numbers of a file, normalised, sorted, unique. */
struct ctl_nt_numbers {
	char (*v)[MSISDN_MAX];
	size_t n, cap;
	unsigned long lines, duplicates;
};

static int ctl_nt_create_args(struct ctl_nt *c, int argc, char **argv,
			      struct ctl_nt_args *a)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "text", required_argument, NULL, 't' },
		{ "text-file", required_argument, NULL, 'T' },
		{ "region", required_argument, NULL, 'r' },
		{ "group", required_argument, NULL, 'g' },
		{ "course", required_argument, NULL, 'c' },
		{ "occupation", required_argument, NULL, 'O' },
		{ "enrolment-status", required_argument, NULL, 'e' },
		{ "enrollment-status", required_argument, NULL, 'e' },
		{ "subsidy-status", required_argument, NULL, 's' },
		{ "numbers", required_argument, NULL, 'N' },
		{ "start", required_argument, NULL, 'S' },
		{ "end", required_argument, NULL, 'E' },
		{ "rate", required_argument, NULL, 'R' },
		{ "operator", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	optind = 0;
	opterr = 0;	/* one line of our own instead */
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'n': a->name = optarg; break;
		case 't': a->text = optarg; break;
		case 'T': a->text_file = optarg; break;
		case 'r': a->aud.region = optarg; break;
		case 'g': a->aud.group = optarg; break;
		case 'c': a->aud.course = optarg; break;
		case 'O': a->aud.occupation = optarg; break;
		case 'e': a->aud.enrol_status = optarg; break;
		case 's': a->aud.subsidy_status = optarg; break;
		case 'N': a->numbers = optarg; break;
		case 'S': a->start = optarg; break;
		case 'E': a->end = optarg; break;
		case 'R': a->rate = optarg; break;
		case 'o': c->operator_name = optarg; break;
		case 'j': c->json = true; break;
		default: return -1;
		}
	}
	return optind == argc && a->name && !a->text != !a->text_file ? 0 : -1;
}

/* The text of --text-file: UTF-8, a BOM and trailing line breaks and
 * spaces dropped. Returns an exit status. */
static int ctl_nt_read_text(struct ctl_nt *c, void *ctx, const char *path,
			    const char **out)
{
	char *buf = talloc_zero_size(ctx, NOTICE_INPUT_MAX + 2), *p = buf;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return ctl_nt_user(c, "%s: %s", path, strerror(errno));
	n = buf ? fread(buf, 1, NOTICE_INPUT_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return ctl_nt_sys(c, "reading the text", -ENOMEM);
	if (n > NOTICE_INPUT_MAX)
		return ctl_nt_user(c, "%s: longer than %d bytes", path,
				   NOTICE_INPUT_MAX);
	buf[n] = '\0';
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
		buf[--n] = '\0';
	*out = p;
	return CTL_NT_OK;
}

/* --start, --end, --rate into n. Returns an exit status. */
static int ctl_nt_times(struct ctl_nt *c, const struct ctl_nt_args *a,
			struct notice *n)
{
	const char *tz = c->cfg.timezone;
	char *end;
	long r;

	if (a->start && quiet_parse_time(tz, a->start, &n->start_at) < 0)
		return ctl_nt_user(c, "--start: '%s' is not a time like "
				   "2026-07-01 09:30 (%s)", a->start, tz);
	if (a->end && quiet_parse_time(tz, a->end, &n->end_at) < 0)
		return ctl_nt_user(c, "--end: '%s' is not a time like "
				   "2026-07-01 18:00 (%s)", a->end, tz);
	if (n->end_at && n->end_at <= clock_now_ms())
		return ctl_nt_user(c, "--end: %s has passed", a->end);
	if (n->end_at && n->start_at && n->end_at <= n->start_at)
		return ctl_nt_user(c, "--end must be after --start");
	if (a->rate) {
		r = strtol(a->rate, &end, 10);
		if (*end || r < 0 || r > 1000000)
			return ctl_nt_user(c, "--rate: '%s' is not a number of "
					   "messages per second", a->rate);
		n->rate = r;
	}
	return CTL_NT_OK;
}

/* ---- a file of numbers --------------------------------------------------- */

static int ctl_nt_num_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int ctl_nt_num_add(struct ctl_nt_numbers *s, void *ctx,
			  const char *msisdn)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		void *v = talloc_realloc_size(ctx, s->v, cap * MSISDN_MAX);

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	memcpy(s->v[s->n++], msisdn, MSISDN_MAX);
	return 0;
}

/* Sort and drop duplicates. */
static void ctl_nt_num_unique(struct ctl_nt_numbers *s)
{
	size_t i, o = 0;

	qsort(s->v, s->n, MSISDN_MAX, ctl_nt_num_cmp);
	for (i = 0; i < s->n; i++)
		if (!o || strcmp(s->v[o - 1], s->v[i]))
			memmove(s->v[o++], s->v[i], MSISDN_MAX);
	s->duplicates = s->n - o;
	s->n = o;
}

/* The field with the number: 0 when the first record starts with digits
 * (no header: a number, good or bad), else the header's phone column
 * (*skip: the header). */
static int ctl_nt_num_column(const struct csv_record *r, bool *skip)
{
	unsigned i;

	*skip = !strpbrk(r->field[0], "0123456789");
	if (!*skip)
		return 0;
	for (i = 0; i < r->n; i++)
		if (csv_name_match(CTL_NT_NUMBER_COLS, r->field[i]))
			return i;
	return -1;
}

/* One record: its number into s; 1 when the line is bad (printed). */
static int ctl_nt_num_record(struct ctl_nt *c, void *ctx,
			     struct ctl_nt_numbers *s, const char *path,
			     const struct csv_record *r, int col,
			     unsigned *bad)
{
	char msisdn[MSISDN_MAX];
	const char *f = csv_get(r, col), *why;

	s->lines++;
	if (msisdn_entry(f, c->cfg.numbers, msisdn, sizeof(msisdn), &why) == 0)
		return ctl_nt_num_add(s, ctx, msisdn);
	if ((*bad)++ < CTL_NT_BAD_SHOWN)
		fprintf(stderr, "%s:%u: number: '%.40s' %s\n", path, r->line,
			f, why);
	return 1;
}

/* Read every record of an opened reader. Returns an exit status. */
static int ctl_nt_num_records(struct ctl_nt *c, void *ctx, struct csv *csv,
			      const char *path, struct ctl_nt_numbers *s)
{
	struct csv_record r;
	unsigned bad = 0;
	int col = -1, rc;
	bool skip = false;

	while ((rc = csv_next(csv, &r)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "%s:%u: %s\n", path, r.line,
				csv_error(csv));
			bad++;
			if (rc != -EINVAL)
				break;
			continue;
		}
		if (col < 0 && (col = ctl_nt_num_column(&r, &skip)) < 0)
			return ctl_nt_user(c, "%s:%u: no column of phone "
					   "numbers (手机号码, msisdn ...)",
					   path, r.line);
		if (skip) {
			skip = false;
			continue;
		}
		if (ctl_nt_num_record(c, ctx, s, path, &r, col, &bad) < 0)
			return ctl_nt_sys(c, "reading the numbers", -ENOMEM);
	}
	if (bad)
		return ctl_nt_user(c, "%s: %u bad line(s), nothing created",
				   path, bad);
	if (!s->n)
		return ctl_nt_user(c, "%s: no numbers in it", path);
	ctl_nt_num_unique(s);
	return CTL_NT_OK;
}

static int ctl_nt_num_read(struct ctl_nt *c, void *ctx, const char *path,
			   struct ctl_nt_numbers *s)
{
	char err[CSV_ERR_MAX];
	FILE *f = fopen(path, "r");
	struct csv *csv;
	int rc;

	if (!f)
		return ctl_nt_user(c, "%s: %s", path, strerror(errno));
	csv = csv_open(ctx, f, path, err, sizeof(err));
	if (!csv) {
		fclose(f);
		return ctl_nt_user(c, "%s: %s", path, err);
	}
	rc = ctl_nt_num_records(c, ctx, csv, path, s);
	csv_close(csv);
	fclose(f);
	return rc;
}

/* ---- writing ------------------------------------------------------------- */

/* The numbers of s, committed every CTL_NT_SLICE rows (the first slice
 * with the campaign row). Returns 0 or a negative errno. */
static int ctl_nt_num_insert(struct ctl_nt *c, const struct notice *n,
			     const struct ctl_nt_numbers *s)
{
	struct progress p;
	size_t i;
	int rc = 0;

	progress_init(&p, stderr, "numbers");
	for (i = 0; !rc && i < s->n; i++) {
		rc = notice_add_number(c->nd, n->id, s->v[i], n->au.course_id);
		if (rc > 0)	/* added (0: there already) */
			rc = 0;
		if (rc == 0 && (i + 1) % CTL_NT_SLICE == 0) {
			rc = db_commit(c->db);
			progress_update(&p, i + 1, s->n, i + 1);
		}
	}
	progress_done(&p);
	return rc < 0 ? rc : 0;
}

/* A failed create: the slices of numbers it committed are deleted with
 * the campaign. 0 when nothing of it is left. */
static int ctl_nt_undo(struct ctl_nt *c, const struct notice *n)
{
	struct notice *left = NULL;
	int rc;

	if (!n->id || notice_get(c->nd, c, n->id, &left) == -ENOENT)
		return 0;	/* its first slice was never committed */
	rc = notice_delete(c->nd, n->id);
	return rc ? rc : db_commit(c->db);
}

/* Insert the draft, its audit row and its numbers. Exit status. */
static int ctl_nt_insert(struct ctl_nt *c, struct notice *n,
			 const struct ctl_nt_numbers *s)
{
	int64_t now = clock_now_ms();
	int rc = notice_insert(c->nd, n, now, &n->id);

	if (!rc)
		rc = audit_log(c->audit, now, n->created_by, "notice_create",
			       "campaign %lld \"%s\" audience %s", (long long)n->id,
			       n->name, n->audience_json);
	if (!rc && n->by_numbers)
		rc = ctl_nt_num_insert(c, n, s);
	n->listed = true;	/* all numbers written: it may start */
	if (!rc && n->by_numbers)
		rc = notice_save_progress(c->nd, n, now);
	if (!rc)
		rc = db_commit(c->db);
	if (!rc)
		return CTL_NT_OK;
	db_rollback(c->db);
	if (ctl_nt_undo(c, n) < 0)
		return ctl_nt_fault(c, "an incomplete draft campaign was left: "
				    "it cannot start; cancel it");
	return ctl_nt_sys(c, "writing the campaign", rc);
}

/* ---- the verb ------------------------------------------------------------ */

/* Check the text and the audience, fill n (handlers/notice/campaign.c).
 * Exit status. */
static int ctl_nt_prepare(struct ctl_nt *c, void *ctx,
			  const struct ctl_nt_args *a, struct notice *n)
{
	char why[320];
	int rc = ctl_nt_times(c, a, n);

	if (rc != CTL_NT_OK)
		return rc;
	rc = campaign_check(c->ad, ctx, &c->cfg, &a->aud, clock_now_ms(), n,
			    why, sizeof(why));
	if (rc == -EINVAL)
		return ctl_nt_user(c, "%s", why);
	return rc < 0 ? ctl_nt_sys(c, "reading the roster", rc) : CTL_NT_OK;
}

static unsigned long ctl_nt_recipients(struct ctl_nt *c, struct notice *n,
				       const struct ctl_nt_numbers *s)
{
	struct audience_count cnt = { 0 };

	if (n->by_numbers)
		return s->n;
	return audience_count(c->ad, &n->au, &cnt) < 0 ? 0 : cnt.recipients;
}

static void ctl_nt_created(const struct ctl_nt *c, const struct notice *n,
			   unsigned long recipients)
{
	if (c->json) {
		printf("{\"id\":%lld,\"state\":\"draft\",\"recipients\":%lu,"
		       "\"parts\":%u}\n", (long long)n->id, recipients,
		       n->parts);
		return;
	}
	printf("campaign %lld \"%s\" created (draft): %lu recipients, up to %u"
	       " SMS part(s) each\nnext: skillctl notice preview %lld, then "
	       "skillctl notice start %lld\n", (long long)n->id, n->name,
	       recipients, n->parts, (long long)n->id, (long long)n->id);
}

int ctl_nt_create(struct ctl_nt *c, int argc, char **argv)
{
	struct ctl_nt_args a = { 0 };
	struct ctl_nt_numbers nums = { 0 };
	struct notice *n = talloc_zero(c, struct notice);
	unsigned long recipients;
	int rc;

	if (!n || ctl_nt_create_args(c, argc, argv, &a) < 0)
		return ctl_nt_user(c, "give --name and one of --text or "
				   "--text-file; the audience options are "
				   "optional (see skillctl --help)");
	rc = ctl_nt_open(c, c);
	if (rc == CTL_NT_OK && a.text_file)
		rc = ctl_nt_read_text(c, n, a.text_file, &a.text);
	if (rc != CTL_NT_OK)
		return rc;
	n->name = (char *)a.name;
	n->text = (char *)a.text;
	n->by_numbers = a.numbers != NULL;
	n->created_by = (char *)ctl_data_operator(c->operator_name);
	rc = ctl_nt_prepare(c, n, &a, n);
	if (rc == CTL_NT_OK && a.numbers)
		rc = ctl_nt_num_read(c, n, a.numbers, &nums);
	if (rc != CTL_NT_OK)
		return rc;
	n->audience_json = campaign_audience_json(n, &a.aud, a.numbers,
						  nums.lines, nums.duplicates);
	if (!n->audience_json || !n->body)
		return ctl_nt_sys(c, "building the campaign", -ENOMEM);
	recipients = ctl_nt_recipients(c, n, &nums);
	rc = ctl_nt_insert(c, n, &nums);
	if (rc == CTL_NT_OK)
		ctl_nt_created(c, n, recipients);
	return rc;
}
