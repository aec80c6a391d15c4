/*
 * metrics.c - GET /metrics in Prometheus' text exposition format 0.0.4,
 * every name prefixed skillgw_, with HELP and TYPE lines.
 *
 * Access: a bearer token of any role, or a client on a loopback address
 * without credentials (a Prometheus on the same host); not under /api.
 *
 * The counters the modules keep in the frame's registry (gateway/metrics.h:
 * PDUs by command and status, receipts, SMS commands by keyword, the
 * MO-to-reply latency histogram) are written as they are; link states,
 * the router's and USSD's counters are read from their objects at scrape
 * time; the queue's depth by state is counted in a worker thread on its
 * own connection (it walks an index), and the answer is finished then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "api_priv.h"
#include "gateway/metrics.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/router.h"
#include "gateway/smpp/link.h"
#include "gateway/ussd/ussd.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct metrics_job {
	char *text;		/* what the loop wrote */
	size_t len;
	unsigned long q[MTQ_NUM_STATES];
};

/* One sample: name{label="value"} v (label NULL: none). */
static void mx_sample(FILE *f, const char *name, const char *label,
		      const char *value, double v)
{
	fputs(name, f);
	if (label) {
		fprintf(f, "{%s=", label);
		metrics_write_label(f, value);
		fputc('}', f);
	}
	fprintf(f, " %.17g\n", v);
}

static void mx_links(FILE *f, const struct api_params *p)
{
	static const struct {
		const char *name, *help, *type;
	} g[] = {
		{ "skillgw_link_up", "1 when the link takes messages.", "gauge" },
		{ "skillgw_link_window", "submit_sm outstanding.", "gauge" },
		{ "skillgw_link_window_size", "submit_sm allowed outstanding.",
		  "gauge" },
		{ "skillgw_link_backlog", "messages taken, parts not yet sent.",
		  "gauge" },
		{ "skillgw_link_throttled", "1 while paused after throttling.",
		  "gauge" },
		{ "skillgw_link_max_tps", "submit_sm per second allowed, 0: no cap.",
		  "gauge" },
	};
	struct smpp_link_status st;
	unsigned k, i;

	for (k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		metrics_write_head(f, g[k].name, g[k].help, g[k].type);
		for (i = 0; i < p->n_links; i++) {
			double v[] = { 0, 0, 0, 0, 0, 0 };

			smpp_link_status(p->links[i], &st);
			v[0] = st.up;
			v[1] = st.window;
			v[2] = st.window_size;
			v[3] = st.backlog;
			v[4] = st.throttled;
			v[5] = st.max_tps;
			mx_sample(f, g[k].name, "link", st.name, v[k]);
		}
	}
}

static void mx_router(FILE *f, const struct router *rt)
{
	const struct router_stats *st = router_stats(rt);

	metrics_write_head(f, "skillgw_mo_total", "Messages from phones "
			   "(complete, after reassembly).", "counter");
	mx_sample(f, "skillgw_mo_total", NULL, NULL, st->mo);
	metrics_write_head(f, "skillgw_mo_parts_total", "Parts of "
			   "concatenated messages from phones.", "counter");
	mx_sample(f, "skillgw_mo_parts_total", NULL, NULL, st->mo_parts);
	metrics_write_head(f, "skillgw_router_errors_total", "Messages the "
			   "database or the handler refused (answered with a "
			   "temporary error).", "counter");
	mx_sample(f, "skillgw_router_errors_total", "kind", "database",
		  st->db_errors);
	mx_sample(f, "skillgw_router_errors_total", "kind", "handler",
		  st->handler_errors);
}

static void mx_ussd(FILE *f, const struct ussd *u)
{
	const struct ussd_stats *st = ussd_stats(u);
	const char *ev[] = { "begin", "step", "end", "abort", "timeout",
			     "unknown", "busy", "failure" };
	unsigned long v[] = { st->begins, st->steps, st->ends, st->aborts,
			      st->timeouts, st->unknown, st->busy,
			      st->failures };
	unsigned i;

	metrics_write_head(f, "skillgw_ussd_dialogues_total", "USSD dialogue "
			   "events: begun, steps, final screens, user aborts, "
			   "timeouts, steps of unknown dialogues, refused as "
			   "busy, database failures.", "counter");
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		mx_sample(f, "skillgw_ussd_dialogues_total", "event", ev[i],
			  v[i]);
	metrics_write_head(f, "skillgw_ussd_dialogues_open", "USSD dialogues "
			   "open now.", "gauge");
	mx_sample(f, "skillgw_ussd_dialogues_open", NULL, NULL,
		  ussd_open_dialogues(u));
}

/* Everything but the queue, into a string under ctx. */
static int mx_loop_part(void *ctx, const struct api_params *p, char **text,
			size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (!f)
		return -ENOMEM;
	metrics_write_head(f, "skillgw_build_info", "The running version.",
			   "gauge");
	mx_sample(f, "skillgw_build_info", "version", SKILLGW_VERSION, 1);
	metrics_write_head(f, "skillgw_start_time_seconds", "When the daemon "
			   "started (Unix time).", "gauge");
	mx_sample(f, "skillgw_start_time_seconds", NULL, NULL,
		  p->started_ms / 1000.0);
	mx_links(f, p);
	mx_router(f, p->router);
	if (p->ussd)
		mx_ussd(f, p->ussd);
	rc = metrics_write(f);
	if (fclose(f) || rc < 0) {
		free(buf);
		return -EIO;
	}
	*text = talloc_memdup(ctx, buf, n + 1);
	*len = n;
	free(buf);
	return *text ? 0 : -ENOMEM;
}

static int metrics_work(struct api_task *t, struct db *db)
{
	struct metrics_job *j = api_task_data(t);

	return mtq_counts_db(db, j->q);
}

static void metrics_done(struct api_task *t)
{
	struct metrics_job *j = api_task_data(t);
	struct api_req *r = api_task_req(t);
	char *out;
	unsigned i;

	if (!r)
		return;
	out = talloc_asprintf(r, "%s# HELP skillgw_queue_messages Messages "
			      "in the queue by state.\n# TYPE "
			      "skillgw_queue_messages gauge\n", j->text);
	for (i = 0; out && api_task_rc(t) == 0 && i < MTQ_NUM_STATES; i++)
		out = talloc_asprintf_append(out, "skillgw_queue_messages"
					     "{state=\"%s\"} %lu\n",
					     mtq_state_str(i), j->q[i]);
	if (!out) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	api_reply(r, 200, api_text_response(r, out, METRICS_TYPE));
}

void api_metrics(struct api_req *r)
{
	struct metrics_job *j = talloc_zero(r, struct metrics_job);
	struct api_task *t;

	if (!j || mx_loop_part(j, &r->s->p, &j->text, &j->len) < 0) {
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	t = api_task_new(r->s, API_TASK_READ, r, true, metrics_work,
			 metrics_done, j);
	if (!t || api_task_start(t) < 0)
		api_error(r, API_E_BUSY, "too much at once: try again");
}
