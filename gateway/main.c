/*
 * main.c - skillgw: options, start-up order, the select loop with its group
 * commit, and orderly shutdown.
 *
 * Start-up: configuration (validated in full before anything else), logging,
 * database (schema bootstrap or upgrade), queue recovery (rows left in
 * "sending" by a crash go back to "queued"), router, links, dispatcher, VTY,
 * signals. Then the loop: one pass of osmo_select_main_ctx() handles every
 * ready socket and timer, the dispatcher hands ready MTs to the links, and
 * one COMMIT makes the iteration's work durable; the deliver_sm_resps of the
 * MOs stored in it leave after that commit (see db.h).
 *
 * SIGTERM/SIGINT: stop taking MTs, wait for the outstanding submit
 * responses (at most gateway.shutdown_timeout), unbind, commit, exit 0. A
 * second signal ends the wait. SIGHUP reopens log files.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/queue/dispatch.h"
#include "gw.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/ussd/menu.h"
#include "gateway/queue/mo.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/router.h"
#include "handlers/notice/notify.h"
#include "handlers/notice/scheduler.h"
#include "handlers/quality/quality.h"
#include "gateway/smpp/link.h"
#include "gateway/smpp/pdu.h"
#include "gateway/smpp/quarantine.h"
#include "gateway/storage.h"
#include "handlers/sms/sms.h"
#include "gateway/text/texts.h"
#include "gateway/ussd/ussd.h"
#include "handlers/domain/codes.h"
#include "handlers/domain/domain.h"
#include "handlers/ussd/screens.h"
#include "gateway/ussd/http.h"
#include "gateway/api/api.h"

#define SHUTDOWN_TICK_MS	50

struct main_opts {
	const char *config;
	bool check;
	bool dump;
};

static void main_usage(FILE *out)
{
	fprintf(out,
		"Usage: skillgw [-c FILE] [-t [-v]]\n"
		"SMS and USSD gateway (SMPP 3.4) for vocational-training services.\n\n"
		"  -c, --config FILE  configuration file (default %s/skillgw.conf)\n"
		"  -t, --test         check the configuration and exit: 0 if valid,\n"
		"                     else one line per problem as FILE:LINE: setting: reason\n"
		"  -v, --verbose      with -t: print the effective configuration\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n\n"
		"Signals: TERM/INT stop gracefully (unbind, commit), HUP reopens log files.\n"
		"Runtime state: telnet to the VTY address and port of the configuration\n"
		"(show smsc, show queue, show stats).\n", SKILLGW_SYSCONFDIR);
}

static int main_parse_opts(int argc, char **argv, struct main_opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->config = SKILLGW_SYSCONFDIR "/skillgw.conf";
	while ((c = getopt_long(argc, argv, "c:tvhV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 't': o->check = true; break;
		case 'v': o->dump = true; break;
		case 'h': main_usage(stdout); exit(0);
		case 'V': printf("skillgw %s\n", SKILLGW_VERSION); exit(0);
		default: main_usage(stderr); exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "skillgw: unexpected argument '%s'\n", argv[optind]);
		exit(1);
	}
	return 0;
}

/* The texts workers read, when commands, USSD, notifications or the
 * questions of training quality are on: every problem printed as
 * FILE:LINE: texts.KEY: reason. Returns the number of problems. */
static int main_load_texts(struct gw *gw)
{
	const struct config *c = &gw->cfg;
	struct texts_params p = {
		.signature = c->signature, .hotline = c->hotline,
		.list_parts = c->list_parts,
	};
	int n = 0;

	if (!c->cmd_enabled && !c->ussd.enabled && !c->notify.enabled &&
	    !c->quality.enabled)
		return 0;
	gw->texts = texts_load(gw, c->messages_path, &p, stderr, &n);
	return gw->texts ? 0 : (n > 0 ? n : 1);
}

/* The USSD menus, when USSD is on: every problem printed as
 * FILE:LINE: menu.SCREEN: reason. Returns the number of problems. */
static int main_load_menu(struct gw *gw)
{
	const struct config *c = &gw->cfg;
	struct menu_params p = {
		.screen_gsm = c->ussd.screen_gsm,
		.screen_ucs2 = c->ussd.screen_ucs2,
		.service_code = c->ussd.service_code, .hotline = c->hotline,
	};
	int n = 0;

	if (!c->ussd.enabled)
		return 0;
	gw->menu = menu_load(gw, c->ussd.menu_path, &p, stderr, &n);
	return gw->menu ? 0 : (n > 0 ? n : 1);
}

/* Load and validate; prints every problem. 0 when usable. */
static int main_load_config(struct gw *gw, const struct main_opts *o)
{
	int rc = config_load(&gw->cfg, o->config, stderr);

	if (rc == 0 && gw->cfg.n_links == 0) {
		fprintf(stderr, "%s: links: at least one SMPP link is needed\n",
			o->config);
		rc = 1;
	}
	if (rc == 0)
		rc = codes_load(gw->cfg.glossary_path, stderr);
	if (rc == 0)
		rc = main_load_texts(gw);
	if (rc == 0)
		rc = main_load_menu(gw);
	return rc;
}

static void main_begin_shutdown(struct gw *gw)
{
	unsigned i;

	if (gw->shutting_down) {
		gw->deadline_ms = 0;	/* second signal: stop waiting */
		return;
	}
	LOGP(DMAIN, LOGL_NOTICE, "shutting down: waiting up to %u s for outstanding responses\n",
	     gw->cfg.shutdown_timeout_s);
	gw->shutting_down = true;
	gw->deadline_ms = clock_now_ms() + gw->cfg.shutdown_timeout_s * 1000LL;
	dispatch_stop(gw->dispatch);
	for (i = 0; i < gw->n_links; i++)
		smpp_link_stop(gw->links[i]);
}

static void main_signal_cb(struct osmo_signalfd *osfd,
			   const struct signalfd_siginfo *si)
{
	struct gw *gw = osfd->data;

	switch (si->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		main_begin_shutdown(gw);
		break;
	case SIGHUP:
		log_targets_reopen();
		break;
	}
}

static int main_signals(struct gw *gw)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return osmo_signalfd_setup(gw, set, main_signal_cb, gw) ? 0 : -EIO;
}

static int main_open_db(struct gw *gw)
{
	const struct config *c = &gw->cfg;
	struct mtq_params p = {
		.max_attempts = c->max_attempts,
		.retry_min_s = c->retry_min_s,
		.retry_max_s = c->retry_max_s,
		.validity_s = c->validity_s,
		.max_parts = c->max_parts,
	};
	int n;

	gw->db = db_open(gw, c->db_path, true);
	if (!gw->db || db_set_durability(gw->db, c->durable_fsync) < 0 ||
	    db_set_loop_cache(gw->db) < 0)
		return -EIO;
	gw->q = mtq_init(gw, gw->db, &p);
	gw->mo = mo_init(gw, gw->db);
	gw->quar = smpp_quar_open(gw, gw->db, c->db_path);
	if (!gw->q || !gw->mo || !gw->quar)
		return -EIO;
	n = mtq_recover(gw->q);
	if (n < 0 || db_commit(gw->db) < 0)
		return -EIO;
	if (n > 0)
		LOGP(DMAIN, LOGL_NOTICE, "%d message(s) left in sending by the last run go back to the queue\n", n);
	gw->storage = storage_init(gw, gw->db, c->storage_reserve_mb);
	return gw->storage ? 0 : -EIO;
}

/* Writes work again after a storage fault: a row whose failure or retry a
 * failed commit rolled back still says sending though no link holds it;
 * it goes back to the queue, as rows left sending by a crash do. */
static void main_storage_resumed(void *data)
{
	struct gw *gw = data;
	void *tmp = talloc_new(gw);
	int64_t *held = NULL;
	size_t n = 0;
	unsigned i;
	int rc = tmp ? 0 : -ENOMEM;

	for (i = 0; rc == 0 && i < gw->n_links; i++)
		rc = smpp_link_held(gw->links[i], tmp, &held, &n);
	if (rc == 0 && mtq_recover_unheld(gw->q, held, n) > 0)
		dispatch_kick(gw->dispatch);
	db_commit(gw->db);
	talloc_free(tmp);
}

/* The latest campaign notices of a number, from the queue, for the USSD
 * screen "最新通知" (screens_notices_fn). */
static int main_recent_notices(void *data, const char *msisdn, unsigned max,
			       void *ctx, struct screens_notice *out,
			       unsigned *n)
{
	struct mtq_recent r[SCREENS_NOTICES_MAX];
	unsigned i;
	int rc;

	if (max > SCREENS_NOTICES_MAX)
		max = SCREENS_NOTICES_MAX;
	rc = mtq_recent_notices(data, msisdn, max, ctx, r, n);
	for (i = 0; rc == 0 && i < *n; i++)
		out[i] = (struct screens_notice){ r[i].at_ms, r[i].text };
	return rc;
}

/* The USSD screens: the domain and the reply texts, registered with the
 * menu engine as its actions. */
static int main_start_screens(struct gw *gw)
{
	struct dom_params dp = { .reg_max_failures = gw->cfg.reg_max_failures };

	gw->dom = dom_init(gw, gw->db, &dp);
	gw->qa = quality_ans_init(gw, gw->db, &gw->cfg.quality);
	if (!gw->dom || !gw->qa)
		return -EIO;
	gw->screens = screens_init(gw, &(struct screens_params){
		.dom = gw->dom, .qa = gw->qa, .texts = gw->texts,
		.sms_list_parts = gw->cfg.list_parts,
		.notices = main_recent_notices, .notices_data = gw->q });
	return gw->screens ? 0 : -ENOMEM;
}

/* USSD dialogues (SMPP steps through the router) and their HTTP
 * callback, when they are on. */
static int main_start_ussd(struct gw *gw)
{
	const struct config_ussd *c = &gw->cfg.ussd;

	if (!gw->menu)
		return 0;
	if (main_start_screens(gw) < 0)
		return -EIO;
	gw->ussd = ussd_init(gw, &(struct ussd_params){
		.cfg = &gw->cfg, .db = gw->db, .q = gw->q,
		.disp = gw->dispatch, .menu = gw->menu,
		.act = &screens_actions, .act_data = gw->screens });
	if (!gw->ussd)
		return -EIO;
	router_set_ussd_handler(gw->router, ussd_smpp_rx, gw->ussd);
	LOGP(DMAIN, LOGL_NOTICE, "USSD on (%s), menus from %s\n",
	     c->service_code, c->menu_path);
	if (!c->http_enabled)
		return 0;
	gw->ussd_http = ussd_http_init(gw, &gw->cfg, gw->ussd);
	if (!gw->ussd_http)
		return -EIO;
	LOGP(DMAIN, LOGL_NOTICE, "USSD over HTTP on %s:%u\n", c->http_addr,
	     c->http_port);
	return 0;
}

/* The questions of training quality, when they are on and something
 * takes their answers (SMS commands, USSD). */
static int main_start_quality(struct gw *gw)
{
	const struct config *c = &gw->cfg;

	if (!c->quality.enabled)
		return 0;
	if (!c->cmd_enabled && !c->ussd.enabled) {
		LOGP(DMAIN, LOGL_NOTICE, "training quality asks nothing: neither "
		     "commands nor USSD is on to take the answers\n");
		return 0;
	}
	gw->quality = quality_init(gw, &(struct quality_params){
		.cfg = c, .db = gw->db, .q = gw->q, .texts = gw->texts,
		.kick = dispatch_kick, .kick_data = gw->dispatch });
	return gw->quality ? 0 : -EIO;
}

static int main_start_links(struct gw *gw)
{
	unsigned i;

	gw->router = router_init(gw, &gw->cfg, gw->db, gw->q, gw->mo);
	if (!gw->router)
		return -ENOMEM;
	if (gw->texts && gw->cfg.cmd_enabled) {
		gw->sms = sms_init(gw, &gw->cfg, gw->db, gw->q, gw->texts);
		if (!gw->sms)
			return -EIO;
		router_set_handler(gw->router, sms_mo, gw->sms);
		LOGP(DMAIN, LOGL_NOTICE, "SMS commands on, texts from %s\n",
		     gw->cfg.messages_path);
	}
	/* the dispatcher is given the array now and sees the links below */
	gw->n_links = gw->cfg.n_links;
	gw->dispatch = dispatch_init(gw, &gw->cfg, gw->db, gw->q, gw->links,
				     gw->n_links);
	if (!gw->dispatch)
		return -ENOMEM;
	mtq_set_enqueue_cb(gw->q, dispatch_kick, gw->dispatch);
	/* notice campaigns: bounded slices per tick, before the dispatcher */
	gw->sched = sched_init(gw, &gw->cfg, gw->db, gw->q, dispatch_kick,
			       gw->dispatch);
	if (!gw->sched)
		return -EIO;
	if (gw->cfg.notify.enabled) {
		gw->notify = notify_init(gw, &(struct notify_params){
			.cfg = &gw->cfg, .db = gw->db, .q = gw->q,
			.texts = gw->texts, .kick = dispatch_kick,
			.kick_data = gw->dispatch });
		if (!gw->notify)
			return -EIO;
	}
	if (main_start_quality(gw) < 0)
		return -EIO;
	for (i = 0; i < gw->n_links; i++) {
		const struct config_link *lc = &gw->cfg.link[i];

		gw->links[i] = smpp_link_alloc(gw, lc, gw->db, gw->q,
					       router_rx, gw->router,
					       dispatch_kick, gw->dispatch);
		if (!gw->links[i])
			return -ENOMEM;
		smpp_link_set_quarantine(gw->links[i], gw->quar);
		LOGP(DMAIN, LOGL_NOTICE, "link %s: %s:%u as %s%s\n", lc->name,
		     lc->host, lc->port, lc->system_id, lc->is_default ? " (default)" : "");
	}
	return main_start_ussd(gw);
}

static bool main_links_idle(struct gw *gw)
{
	unsigned i;

	for (i = 0; i < gw->n_links; i++)
		if (!smpp_link_idle(gw->links[i]))
			return false;
	return true;
}

/* The shutdown tick only wakes the loop up; main_loop looks at the links. */
static void main_tick_cb(void *data)
{
}

/* The loop; returns when a shutdown has completed. */
static void main_loop(struct gw *gw)
{
	struct osmo_timer_list tick = {};

	osmo_timer_setup(&tick, main_tick_cb, NULL);
	for (;;) {
		osmo_select_main_ctx(0);
		if (!gw->shutting_down) {
			notify_run(gw->notify);
			quality_run(gw->quality);
			sched_run(gw->sched);
		}
		dispatch_run(gw->dispatch);
		db_commit(gw->db);
		storage_after_commit(gw->storage);
		if (!gw->shutting_down)
			continue;
		if (main_links_idle(gw) || clock_now_ms() >= gw->deadline_ms)
			break;
		if (!osmo_timer_pending(&tick))	/* wake up to look again */
			osmo_timer_schedule(&tick, 0, SHUTDOWN_TICK_MS * 1000);
	}
	osmo_timer_del(&tick);
}

static void main_stop(struct gw *gw)
{
	unsigned i;

	for (i = 0; i < gw->n_links; i++)
		if (!smpp_link_idle(gw->links[i])) {
			LOGP(DMAIN, LOGL_NOTICE, "link %s: no answer in time, its window goes back to the queue\n",
			     smpp_link_name(gw->links[i]));
			smpp_link_abort(gw->links[i]);
		}
	/* flush the unbinds written by the aborts */
	osmo_select_main_ctx(1);
	db_commit(gw->db);
	/* the API first: its worker threads stop, its answers are sent */
	api_free(gw->api);
	/* USSD before the links: its screens wait for a commit, not them */
	ussd_http_free(gw->ussd_http);
	ussd_free(gw->ussd);
	dom_free(gw->dom);
	quality_ans_free(gw->qa);
	for (i = 0; i < gw->n_links; i++)
		smpp_link_free(gw->links[i]);
	notify_free(gw->notify);
	quality_free(gw->quality);
	sched_free(gw->sched);
	dispatch_free(gw->dispatch);
	router_free(gw->router);
	sms_free(gw->sms);
	db_commit(gw->db);
	storage_free(gw->storage);
	mtq_free(gw->q);
	mo_free(gw->mo);
	smpp_quar_free(gw->quar);
	db_close(gw->db);
	LOGP(DMAIN, LOGL_NOTICE, "stopped\n");
}

/* The bureau's API and console, when they are on. */
static int main_start_api(struct gw *gw)
{
	if (!gw->cfg.api.enabled)
		return 0;
	gw->api = api_init(gw, &(struct api_params){
		.cfg = &gw->cfg, .db = gw->db, .q = gw->q,
		.router = gw->router, .ussd = gw->ussd,
		.links = gw->links, .n_links = gw->n_links,
		.started_ms = gw->started_ms });
	return gw->api ? 0 : -EIO;
}

static int main_start(struct gw *gw, const char *config)
{
	unsigned i;

	LOGP(DMAIN, LOGL_NOTICE, "skillgw %s starting: config %s, database %s\n",
	     SKILLGW_VERSION, config, gw->cfg.db_path);
	if (main_open_db(gw) < 0) {
		LOGP(DMAIN, LOGL_FATAL, "cannot open the database %s\n", gw->cfg.db_path);
		return -EIO;
	}
	if (main_start_links(gw) < 0 || main_signals(gw) < 0 ||
	    main_start_api(gw) < 0)
		return -EIO;
	storage_on_resume(gw->storage, main_storage_resumed, gw);
	if (gw_vty_init(gw) < 0) {
		LOGP(DMAIN, LOGL_FATAL, "cannot open the VTY on %s:%u\n",
		     gw->cfg.vty_addr, gw->cfg.vty_port);
		return -EIO;
	}
	for (i = 0; i < gw->n_links; i++)
		smpp_link_start(gw->links[i]);
	return 0;
}

int main(int argc, char **argv)
{
	struct main_opts o = {};
	void *root = talloc_named_const(NULL, 0, "skillgw");
	struct gw *gw = talloc_zero(root, struct gw);
	int rc;

	/* SQLite's memory statistics take a global mutex per allocation, a
	 * few of them per statement, and nothing reads them: off before
	 * SQLite is initialised (the first db_open). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	main_parse_opts(argc, argv, &o);
	config_defaults(&gw->cfg);
	rc = main_load_config(gw, &o);
	if (o.check) {
		if (rc == 0 && o.dump)
			config_dump(&gw->cfg, stdout);
		if (rc == 0)
			printf("%s: configuration OK (%u link(s))\n", o.config, gw->cfg.n_links);
		talloc_free(root);
		return rc == 0 ? 0 : 1;
	}
	if (rc != 0) {
		talloc_free(root);
		return 1;
	}
	osmo_select_init();
	if (sgw_log_init(root, gw->cfg.log_level, gw->cfg.log_file) < 0) {
		fprintf(stderr, "skillgw: cannot open the log file %s\n", gw->cfg.log_file);
		talloc_free(root);
		return 2;
	}
	sgw_log_set_numbers(gw->cfg.log_numbers);
	sgw_log_enable_threads();	/* the API's worker threads may log */
	smpp_pdu_init(root);
	gw->started_ms = clock_now_ms();
	metrics_day_get(&(struct metrics_day){ 0 });	/* today's counts from now */
	if (main_start(gw, o.config) < 0)
		return 2;
	main_loop(gw);
	main_stop(gw);
	talloc_free(root);
	return 0;
}
