/*
 * smpp.c - USSD over SMPP: a step arrives from the router as an in_msg
 * whose ussd_service_op the link's configuration reads (op_begin,
 * op_continue, the release ops); the dialogue is found by the key the link
 * is configured with; its screens go back on the same link with op_show or
 * op_end and its_session_info echoed (the end bit set on the last).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/utils.h>

#include "gateway/text/charset.h"
#include "ussd_priv.h"

#define USSD_INPUTS_MAX		16	/* answers carried by a dial string */
#define USSD_TEXT_IN_MAX	4096	/* a decoded step */

int ussd_key(const struct config_link_ussd *c, const char *msisdn,
	     const struct in_msg *d, char *out, size_t cap)
{
	int n;

	if (c->key == CONFIG_USSD_KEY_MSISDN_ITS && d->has_its)
		/* the session number: the first octet */
		n = snprintf(out, cap, "%s-its%u", msisdn, d->its >> 8);
	else if (c->key == CONFIG_USSD_KEY_UMR && d->has_umr)
		n = snprintf(out, cap, "%s-umr%u", msisdn, d->umr);
	else	/* by number, or the link's key is missing from the PDU */
		n = snprintf(out, cap, "%s", msisdn);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

static const struct config_link *ussd_link_cfg(const struct config *cfg,
					       const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_links; i++)
		if (!strcmp(cfg->link[i].name, name))
			return &cfg->link[i];
	return NULL;
}

static void ussd_peer_smpp(struct ussd_peer *p,
			   const struct config_link *l,
			   const struct in_msg *d)
{
	memset(p, 0, sizeof(*p));
	p->tr = UT_SMPP;
	OSMO_STRLCPY_ARRAY(p->link, l->name);
	p->op_show = l->ussd.op_show;
	p->op_end = l->ussd.op_end;
	OSMO_STRLCPY_ARRAY(p->dst, d->src);
	OSMO_STRLCPY_ARRAY(p->src, d->dst);
	p->has_its = d->has_its;
	p->its = d->its;
}

/* A user abort or a network release: a release op of the link, or the
 * end bit of its_session_info on anything but a begin. */
static bool ussd_is_release(const struct config_link_ussd *c,
			    const struct in_msg *d)
{
	unsigned i;

	for (i = 0; i < c->n_release; i++)
		if (d->ussd_op == c->release[i])
			return true;
	return d->has_its && (d->its & USSD_ITS_END) &&
	       d->ussd_op != c->op_begin;
}

/* "*12333*1*2#": the answers after the code ("1", "2"). */
static unsigned ussd_dial_inputs(const char *text, char *buf, size_t cap,
				 const char **inputs)
{
	const char *parts[USSD_INPUTS_MAX + 1];
	unsigned n, i;

	if (text[0] != '*')
		return 0;
	n = menu_split_inputs(text + 1, buf, cap, parts, USSD_INPUTS_MAX + 1);
	for (i = 1; i < n; i++)
		inputs[i - 1] = parts[i];
	return n ? n - 1 : 0;
}

int ussd_smpp_rx(void *data, const struct in_msg *d)
{
	struct ussd *u = data;
	const struct config_link *l = ussd_link_cfg(u->cfg, d->link);
	char key[USSD_KEY_MAX], text[USSD_TEXT_IN_MAX], buf[MENU_INPUT_MAX];
	const char *inputs[USSD_INPUTS_MAX];
	struct ussd_peer p;
	unsigned n;

	if (!l || ussd_key(&l->ussd, d->src, d, key, sizeof(key)) < 0) {
		LOGP(DUSSD, LOGL_ERROR, "%s: no session key\n", log_num(d->src));
		return 0;
	}
	ussd_peer_smpp(&p, l, d);
	if (ussd_is_release(&l->ussd, d)) {
		ussd_abort(u, ussd_find(u, key));
		return 0;
	}
	charset_decode(d->dcs, d->ud, d->ud_len, text, sizeof(text));
	if (d->ussd_op == l->ussd.op_begin) {
		n = ussd_dial_inputs(text, buf, sizeof(buf), inputs);
		ussd_begin(u, ussd_find(u, key), key, &p, inputs, n);
	} else if (d->ussd_op == l->ussd.op_continue) {
		ussd_continue(u, ussd_find(u, key), &p, text);
	} else {
		LOGP(DUSSD, LOGL_NOTICE, "%s: ussd_service_op %u is none of "
		     "this link's, ignored\n", log_num(d->src), d->ussd_op);
	}
	return 0;
}
