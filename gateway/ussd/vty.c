/*
 * vty.c - the USSD dialogues in the VTY: "show ussd sessions" prints the
 * counters and the open dialogues: hash, masked number, and what of the
 * session key is not the number ("its1", "umr77", "http-SESSIONID").
 */
#include <string.h>

#include <osmocom/vty/vty.h>

#include "gateway/clock.h"
#include "ussd_priv.h"

/* The key without the subscriber's number in front of it. */
static const char *ussd_vty_session(const struct ussd_sess *s)
{
	size_t n = strlen(s->peer.dst);

	if (n && !strncmp(s->key, s->peer.dst, n))
		return s->key[n] == '-' ? s->key + n + 1 : s->key + n;
	return s->key;
}

void ussd_vty_show(const struct ussd *u, struct vty *vty, unsigned max)
{
	const struct ussd_stats *st = &u->st;
	int64_t now = clock_now_ms();
	const struct ussd_sess *s;
	char where[64];
	unsigned k = 0;

	vty_out(vty, "USSD: %u open (max %u); begun %lu, answers %lu, final "
		"screens %lu, aborts %lu, timeouts %lu, gone %lu, busy %lu, "
		"failures %lu, dropped %lu%s", u->n_sess,
		u->cfg->ussd.max_sessions, st->begins, st->steps, st->ends,
		st->aborts, st->timeouts, st->unknown, st->busy, st->failures,
		st->dropped, VTY_NEWLINE);
	llist_for_each_entry(s, &u->all, list) {
		if (k++ == max) {
			vty_out(vty, "  ... %u more%s", u->n_sess - max,
				VTY_NEWLINE);
			break;
		}
		menu_sess_where(s->ms, where, sizeof(where));
		vty_out(vty, "  %08x %-12s %-10s %-5s %4lld s, %2u step(s), %s%s",
			s->hash, log_num(s->peer.dst), ussd_vty_session(s),
			s->peer.tr == UT_SMPP ? "smpp" : "http",
			(long long)(now - s->started_ms) / 1000, s->steps,
			where, VTY_NEWLINE);
	}
}
