/*
 * ussd_priv.h - what the files of the USSD dialogues share: the dialogue,
 * where its screens go (struct ussd_peer), the screens waiting for the
 * group commit, and the functions one file calls in another.
 *
 *   dialogue.c  the table of dialogues, their osmo_fsm, one step each
 *   reply.c     screens out: at once, or after the commit that kept the
 *               step's writes
 *   smpp.c      the SMPP transport (ussd_service_op, its_session_info)
 *   http_step.c the HTTP callback's steps (ussd_http_step)
 *   vty.c       show ussd sessions
 */
#ifndef SGW_USSD_PRIV_H
#define SGW_USSD_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/hashtable.h>
#include <osmocom/core/linuxlist.h>

#include "gateway/config.h"
#include "gateway/log.h"
#include "gateway/queue/inbound.h"
#include "gateway/text/msisdn.h"
#include "gateway/ussd/menu.h"
#include "gateway/ussd/ussd.h"

#define USSD_HASH_BITS		14
#define USSD_ITS_END		0x0001	/* its_session_info: end of session */

enum ussd_tr { UT_SMPP, UT_HTTP };

/* Where and how a dialogue's screens go. */
struct ussd_peer {
	enum ussd_tr tr;
	char link[CONFIG_NAME_MAX];	/* SMPP: the link it came on */
	uint8_t op_show, op_end;
	char dst[MSISDN_MAX];		/* the subscriber */
	char src[IN_ADDR_MAX];		/* the code dialled: our address */
	bool has_its;
	uint16_t its;
	struct ussd_wait *wait;		/* HTTP: the request waiting */
};

struct ussd_sess {
	struct hlist_node node;
	struct llist_head list;
	uint32_t hash;
	char key[USSD_KEY_MAX];
	struct ussd *u;
	struct osmo_fsm_inst *fi;
	struct menu_sess *ms;
	struct ussd_peer peer;
	char *http_text;		/* HTTP: the inputs seen so far */
	char *last;			/* HTTP: the last screen, for repeats */
	int64_t started_ms;
	unsigned steps;
};

/* A screen waiting for the commit. */
struct ussd_out {
	struct llist_head list;
	struct ussd_peer peer;
	char key[USSD_KEY_MAX];		/* "" when there is no dialogue */
	char *text;			/* talloc child */
	bool end;
};

/* An HTTP request waiting for its reply. */
struct ussd_wait {
	struct llist_head list;
	ussd_reply_cb cb;
	void *data;
};

/* The after-commit hook's data: a small object of its own, owned by the
 * database, so that a hook still registered when the dialogues are freed
 * (at shutdown) finds u == NULL instead of freed memory. */
struct ussd_hook {
	struct ussd *u;
};

struct ussd {
	const struct config *cfg;
	struct db *db;
	struct mtq *q;			/* SMS sent along with a step */
	struct dispatch *disp;		/* SMPP screens to their link */
	const struct menu *m;
	const struct menu_actions *act;
	void *act_data;
	DECLARE_HASHTABLE(sessions, USSD_HASH_BITS);
	struct llist_head all;
	unsigned n_sess;
	struct llist_head out;		/* screens waiting for the commit */
	struct ussd_hook *hook;		/* db_after_commit registered */
	struct llist_head waits;	/* HTTP requests waiting */
	struct ussd_stats st;
};

/* a dialogue by its hash (its key holds the number) and masked number */
#define LOGUS(s, lvl, fmt, args...) \
	LOGP(DUSSD, lvl, "ussd %08x (%s): " fmt, (s)->hash, \
	     log_num((s)->peer.dst), ## args)

/* dialogue.c */
struct ussd_sess *ussd_find(struct ussd *u, const char *key);
void ussd_begin(struct ussd *u, struct ussd_sess *old, const char *key,
		const struct ussd_peer *p, const char *const *inputs,
		unsigned n);
void ussd_continue(struct ussd *u, struct ussd_sess *s,
		   const struct ussd_peer *p, const char *input);
void ussd_abort(struct ussd *u, struct ussd_sess *s);

/* reply.c */
void ussd_reply(struct ussd_sess *s, const char *text, bool end, bool wait);
void ussd_queue_text(struct ussd *u, const struct ussd_peer *p,
		     enum menu_text id);
void ussd_out_drop(struct ussd *u);

#endif
