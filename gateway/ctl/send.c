/*
 * send.c - skillctl send: queue an SMS to one number (--to) or to every
 * number of a file (--file: one a line, # starts a comment); the daemon
 * picks them up within queue.poll_ms.
 *
 * The numbers are checked first, against gateway.numbers (Chinese mobile
 * numbers, or any E.164 number too: msisdn_entry()). Every bad line is
 * listed as FILE:LINE: number: 'TEXT' reason and, with any, nothing is
 * queued (exit 1). Then every number is queued in one transaction: all or
 * nothing. The first database error stops it: one line says what the
 * storage did (fault.h: disk full, locked, read-only ...) and that nothing
 * was queued (exit 2), instead of one line per number left.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "ctl_data.h"
#include "fault.h"
#include "gateway/db.h"
#include "gateway/db_fault.h"
#include "gateway/queue/mtq.h"
#include "gateway/text/msisdn.h"

#define CTL_SEND_LINE_MAX	256

struct ctl_send {
	const char *to, *file, *text, *from;
	enum mtq_prio prio;
	unsigned validity;
	bool json;
	struct config cfg;
	struct db *db;
	struct mtq *q;
	unsigned long queued, bad;
	int64_t first_id, last_id;
	char where[CONFIG_PATH_MAX + 16];	/* FILE:LINE or --to */
};

static int ctl_send_args(int argc, char **argv, struct ctl_send *s)
{
	static const struct option lo[] = {
		{ "to", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "text", required_argument, NULL, 'x' },
		{ "from", required_argument, NULL, 's' },
		{ "prio", required_argument, NULL, 'p' },
		{ "validity", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	s->prio = MTQ_PRIO_REPLY;
	optind = 1;
	while ((o = getopt_long(argc, argv, "t:f:x:s:p:v:", lo, NULL)) != -1) {
		switch (o) {
		case 't': s->to = optarg; break;
		case 'f': s->file = optarg; break;
		case 'x': s->text = optarg; break;
		case 's': s->from = optarg; break;
		case 'v': s->validity = strtoul(optarg, NULL, 10); break;
		case 'p':
			if (!strcmp(optarg, "bulk"))
				s->prio = MTQ_PRIO_BULK;
			else if (strcmp(optarg, "reply"))
				return -1;
			break;
		default: return -1;
		}
	}
	return (!s->text || (!s->to == !s->file)) ? -1 : 0;
}

static int ctl_send_open(void *ctx, struct ctl_send *s, const char *config)
{
	struct mtq_params p;

	config_defaults(&s->cfg);
	if (config_load(&s->cfg, config, stderr) != 0)
		return CTL_DATA_USER;
	s->db = db_open(ctx, s->cfg.db_path, true);
	if (!s->db)
		return ctl_fault("send", s->cfg.db_path, 0, NULL,
				 "nothing queued");
	p = (struct mtq_params){
		.max_attempts = s->cfg.max_attempts,
		.retry_min_s = s->cfg.retry_min_s,
		.retry_max_s = s->cfg.retry_max_s,
		.validity_s = s->cfg.validity_s,
		.max_parts = s->cfg.max_parts,
	};
	s->q = mtq_init(ctx, s->db, &p);
	return s->q ? CTL_DATA_OK : ctl_fault("send", s->cfg.db_path, 0, NULL,
					       "nothing queued");
}

/* The number of a line (or of --to) into dst; a bad one is listed. */
static bool ctl_send_number(struct ctl_send *s, const char *in, char *dst)
{
	const char *why;

	if (msisdn_entry(in, s->cfg.numbers, dst, MSISDN_MAX, &why) == 0)
		return true;
	fprintf(stderr, "%s: number: '%.40s' %s\n", s->where, in, why);
	s->bad++;
	return false;
}

/* Queue one: 0, or an exit status after saying why. */
static int ctl_send_one(struct ctl_send *s, const char *dst,
			unsigned long seq)
{
	struct mtq_new m = {
		.dst = dst, .src = s->from, .text = s->text,
		.prio = s->prio, .validity_s = s->validity,
	};
	int64_t id;
	int rc = mtq_enqueue(s->q, &m, &id);

	if (rc == -EMSGSIZE) {
		fprintf(stderr, "skillctl send: text: longer than %u SMS "
			"parts; nothing queued\n", s->cfg.max_parts);
		return CTL_DATA_USER;
	}
	if (rc == -EINVAL) {
		fprintf(stderr, "skillctl send: text: empty or not valid "
			"UTF-8; nothing queued\n");
		return CTL_DATA_USER;
	}
	if (rc < 0)
		return ctl_fault("send", s->cfg.db_path, seq, s->file ?
				 s->where : NULL, "nothing queued");
	if (!s->queued++)
		s->first_id = id;
	s->last_id = id;
	return CTL_DATA_OK;
}

static char *ctl_send_trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return p;
}

/* Each number of the file: checked (queue false), or queued until the
 * first error. Returns an exit status. */
static int ctl_send_lines(struct ctl_send *s, FILE *f, bool queue,
			  unsigned long seq)
{
	char line[CTL_SEND_LINE_MAX], dst[MSISDN_MAX];
	unsigned lineno = 0;
	int rc = CTL_DATA_OK;

	rewind(f);
	while (rc == CTL_DATA_OK && fgets(line, sizeof(line), f)) {
		char *p = ctl_send_trim(line);

		lineno++;
		if (!*p || *p == '#')
			continue;
		snprintf(s->where, sizeof(s->where), "%s:%u", s->file, lineno);
		if (ctl_send_number(s, p, dst) && queue)
			rc = ctl_send_one(s, dst, seq);
	}
	return rc;
}

/* --file: every line checked, then every number queued. */
static int ctl_send_file(struct ctl_send *s, unsigned long seq)
{
	FILE *f = fopen(s->file, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "skillctl send: %s: %s\n", s->file,
			strerror(errno));
		return CTL_DATA_USER;
	}
	rc = ctl_send_lines(s, f, false, seq);
	if (s->bad) {
		fprintf(stderr, "skillctl send: %s: %lu bad line%s; nothing "
			"queued\n", s->file, s->bad, s->bad == 1 ? "" : "s");
		rc = CTL_DATA_USER;
	}
	if (rc == CTL_DATA_OK)
		rc = ctl_send_lines(s, f, true, seq);
	fclose(f);
	return rc;
}

/* --to: the number checked, then queued. */
static int ctl_send_to(struct ctl_send *s, unsigned long seq)
{
	char dst[MSISDN_MAX];

	snprintf(s->where, sizeof(s->where), "--to");
	if (!ctl_send_number(s, s->to, dst)) {
		fprintf(stderr, "skillctl send: nothing queued\n");
		return CTL_DATA_USER;
	}
	return ctl_send_one(s, dst, seq);
}

static void ctl_send_done(const struct ctl_send *s)
{
	if (s->json)
		printf("{\"queued\":%lu,\"first_id\":%lld,\"last_id\":%lld}\n",
		       s->queued, (long long)s->first_id,
		       (long long)s->last_id);
	else if (s->queued == 1)
		printf("queued message %lld\n", (long long)s->first_id);
	else
		printf("queued %lu messages (%lld..%lld)\n", s->queued,
		       (long long)s->first_id, (long long)s->last_id);
}

/* Everything in one transaction, committed or not at all. */
static int ctl_send_do(struct ctl_send *s)
{
	unsigned long seq = db_fault_seq();
	int rc = db_begin(s->db);

	if (rc < 0)
		return ctl_fault("send", s->cfg.db_path, seq, NULL,
				 "nothing queued");
	rc = s->file ? ctl_send_file(s, seq) : ctl_send_to(s, seq);
	if (rc != CTL_DATA_OK) {
		db_rollback(s->db);
		return rc;
	}
	if (db_commit(s->db) < 0)
		return ctl_fault("send", s->cfg.db_path, seq, NULL,
				 "nothing queued");
	ctl_send_done(s);
	return CTL_DATA_OK;
}

int ctl_send_run(const char *config, bool json, int argc, char **argv)
{
	void *ctx = talloc_named_const(NULL, 0, "ctl_send");
	struct ctl_send *s = talloc_zero(ctx, struct ctl_send);
	int rc;

	if (!s || ctl_send_args(argc, argv, s) < 0) {
		fprintf(stderr, "skillctl send: give --text and either --to "
			"NUMBER or --file NUMBERS (see skillctl --help)\n");
		talloc_free(ctx);
		return CTL_DATA_USER;
	}
	s->json = json;
	rc = ctl_send_open(s, s, config);
	if (rc == CTL_DATA_OK)
		rc = ctl_send_do(s);
	mtq_free(s->q);
	db_close(s->db);
	talloc_free(ctx);
	return rc;
}
