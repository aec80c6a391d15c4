/*
 * vty.c - the telnet VTY: runtime show commands and link stop/start.
 *
 * The configuration file is the source of truth; the VTY shows state and
 * operates (stop or start a link, change log levels), it never writes
 * configuration. It listens on 127.0.0.1 by default. The show commands
 * need no password; "enable" (link stop/start, log levels) asks for
 * gateway.vty.enable_password when one is set, and one must be set when the
 * VTY listens on anything but loopback.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/telnet_interface.h>
#include <osmocom/vty/vty.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/storage.h"
#include "gw.h"
#include "gateway/log.h"
#include "gateway/queue/mtq.h"
#include "gateway/queue/router.h"
#include "handlers/notice/notify.h"
#include "handlers/quality/quality.h"
#include "handlers/notice/scheduler.h"
#include "gateway/smpp/link.h"
#include "gateway/ussd/ussd.h"
#include "gateway/ussd/http.h"

#define VTY_USSD_LIST_MAX	50	/* dialogues listed by show ussd */

static struct gw *vty_gw(struct vty *vty)
{
	struct telnet_connection *tc = vty->priv;

	return tc->priv;
}

static struct smpp_link *vty_find_link(struct gw *gw, const char *name)
{
	unsigned i;

	for (i = 0; i < gw->n_links; i++)
		if (!strcmp(smpp_link_name(gw->links[i]), name))
			return gw->links[i];
	return NULL;
}

DEFUN(show_smsc, show_smsc_cmd, "show smsc",
      SHOW_STR "SMPP links to the carriers' SMSCs\n")
{
	struct gw *gw = vty_gw(vty);
	unsigned i;

	for (i = 0; i < gw->n_links; i++)
		smpp_link_vty_show(gw->links[i], vty);
	return CMD_SUCCESS;
}

/* The storage under the queue: a fault (once it began), the WAL, the
 * reserve. */
static void vty_storage(struct vty *vty, const struct storage *st)
{
	struct storage_status s;
	char why[128];

	storage_status(st, &s);
	if (s.fault == DB_FAULT_NONE)
		vty_out(vty, "%-10s ok%s", "storage", VTY_NEWLINE);
	else
		vty_out(vty, "%-10s FAULT %s for %lld s, %lu failed write(s): "
			"%s%s", "storage", db_fault_words(s.fault, s.sys_errno,
							  why, sizeof(why)),
			(long long)(clock_now_ms() - s.since_ms) / 1000,
			s.errors, s.writes_ok ? "writes work, the reserve is "
			"not back yet" : "MOs are answered with a temporary "
			"error", VTY_NEWLINE);
	vty_out(vty, "%-10s %lld bytes (bound %d), truncated %lu time(s)%s",
		"wal", (long long)s.wal_bytes, DB_WAL_LIMIT, s.wal_trims,
		VTY_NEWLINE);
	vty_out(vty, "%-10s %lld of %lld bytes%s", "reserve",
		(long long)s.reserve_bytes, (long long)s.reserve_want,
		VTY_NEWLINE);
}

DEFUN(show_queue, show_queue_cmd, "show queue",
      SHOW_STR "Durable MT queue: messages by state, and its storage\n")
{
	struct gw *gw = vty_gw(vty);
	unsigned long n[MTQ_NUM_STATES];
	unsigned s;

	if (mtq_counts(gw->q, n) < 0)
		vty_out(vty, "%% cannot read the queue%s", VTY_NEWLINE);
	else
		for (s = 0; s < MTQ_NUM_STATES; s++)
			vty_out(vty, "%-10s %lu%s", mtq_state_str(s), n[s],
				VTY_NEWLINE);
	vty_storage(vty, gw->storage);
	return CMD_SUCCESS;
}

DEFUN(show_stats, show_stats_cmd, "show stats",
      SHOW_STR "Counters of the links and the router\n")
{
	struct gw *gw = vty_gw(vty);
	const struct router_stats *rs = router_stats(gw->router);
	unsigned i;

	vty_out(vty, "uptime %lld s%s",
		(long long)(clock_now_ms() - gw->started_ms) / 1000, VTY_NEWLINE);
	vty_out(vty, "router: MO %lu, MO parts %lu, incomplete MO %lu, receipts %lu, "
		"unmatched receipts %lu, database errors %lu%s", rs->mo,
		rs->mo_parts, rs->mo_partial, rs->dlr, rs->dlr_unmatched,
		rs->db_errors, VTY_NEWLINE);
	for (i = 0; i < gw->n_links; i++)
		smpp_link_vty_stats(gw->links[i], vty);
	return CMD_SUCCESS;
}

DEFUN(show_campaigns, show_campaigns_cmd, "show campaigns",
      SHOW_STR "Notice campaigns: running and paused, quiet hours\n")
{
	sched_vty_show(vty_gw(vty)->sched, vty);
	return CMD_SUCCESS;
}

DEFUN(show_notifications, show_notifications_cmd, "show notifications",
      SHOW_STR "Notifications: pending events, counters, reminders\n")
{
	struct gw *gw = vty_gw(vty);

	if (!gw->notify) {
		vty_out(vty, "%% notifications are off (notify.enabled)%s",
			VTY_NEWLINE);
		return CMD_WARNING;
	}
	notify_vty_show(gw->notify, vty);
	return CMD_SUCCESS;
}

DEFUN(show_quality, show_quality_cmd, "show quality",
      SHOW_STR "Training quality: check days, questions asked\n")
{
	struct gw *gw = vty_gw(vty);

	if (!gw->quality) {
		vty_out(vty, "%% training quality is off (quality.enabled)%s",
			VTY_NEWLINE);
		return CMD_WARNING;
	}
	quality_vty_show(gw->quality, vty);
	return CMD_SUCCESS;
}

DEFUN(show_ussd, show_ussd_cmd, "show ussd sessions",
      SHOW_STR "USSD dialogues\n" "Counters and the open dialogues\n")
{
	struct gw *gw = vty_gw(vty);

	if (!gw->ussd) {
		vty_out(vty, "%% USSD is off (ussd.enabled)%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	ussd_vty_show(gw->ussd, vty, VTY_USSD_LIST_MAX);
	if (gw->ussd_http)
		ussd_http_vty_show(gw->ussd_http, vty);
	return CMD_SUCCESS;
}

DEFUN(link_stop, link_stop_cmd, "link NAME (stop|start)",
      "Operate an SMPP link\n" "Link name from the configuration\n"
      "Unbind after outstanding responses and stay down\n"
      "Connect and bind again\n")
{
	struct gw *gw = vty_gw(vty);
	struct smpp_link *l = vty_find_link(gw, argv[0]);

	if (!l) {
		vty_out(vty, "%% no link named %s%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (gw->shutting_down) {
		vty_out(vty, "%% shutting down%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (!strcmp(argv[1], "stop"))
		smpp_link_stop(l);
	else
		smpp_link_start(l);
	return CMD_SUCCESS;
}

static struct vty_app_info gw_vty_info = {
	.name = "skillgw",
	.version = SKILLGW_VERSION,
	.copyright = "skillgw - SMS and USSD gateway for vocational-training services\r\n",
};

/* libosmocore keeps the enable password in its host structure and sets it
 * from its own configuration syntax: feed it that one line, in memory (the
 * configuration file stays the one source of truth). */
static int gw_vty_set_enable_password(const char *password)
{
	char line[sizeof(((struct config *)0)->vty_enable_password) + 32];
	FILE *f;
	int rc;

	snprintf(line, sizeof(line), "enable password %s\n", password);
	f = fmemopen(line, strlen(line), "r");
	if (!f)
		return -ENOMEM;
	rc = vty_read_config_filep(f, NULL);
	fclose(f);
	explicit_bzero(line, sizeof(line));
	return rc < 0 ? -EINVAL : 0;
}

int gw_vty_init(struct gw *gw)
{
	void *ctx = talloc_named_const(gw, 0, "vty");

	gw_vty_info.tall_ctx = ctx;
	vty_init(&gw_vty_info);
	logging_vty_add_cmds();
	install_element_ve(&show_smsc_cmd);
	install_element_ve(&show_queue_cmd);
	install_element_ve(&show_stats_cmd);
	install_element_ve(&show_ussd_cmd);
	install_element_ve(&show_campaigns_cmd);
	install_element_ve(&show_notifications_cmd);
	install_element_ve(&show_quality_cmd);
	install_element(ENABLE_NODE, &link_stop_cmd);
	if (gw->cfg.vty_enable_password[0] &&
	    gw_vty_set_enable_password(gw->cfg.vty_enable_password) < 0)
		return -EINVAL;
	if (gw->cfg.vty_port == 0)
		return 0;
	return telnet_init_dynif(ctx, gw, gw->cfg.vty_addr, gw->cfg.vty_port);
}
