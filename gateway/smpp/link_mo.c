/*
 * link_mo.c - what the SMSC delivers (deliver_sm, data_sm): decoded, turned
 * into the transport-neutral struct in_msg (a receipt parsed and its id
 * normalised as the link is configured) and handed to the router inside the
 * group-commit transaction. The answer leaves from an after-commit hook,
 * with a temporary error if the commit failed or the router could not
 * take it, and only on the connection the PDU came from.
 */
#define _GNU_SOURCE		/* memmem, in the test build's crash hook */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/hashtable.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/vty.h>

#include "gateway/text/charset.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/smpp/dlr.h"
#include "gateway/log.h"
#include "gateway/queue/inbound.h"
#include "gateway/smpp/conn.h"
#include "gateway/smpp/link.h"
#include "gateway/smpp/pdu.h"
#include "gateway/smpp/quarantine.h"
#include "link_priv.h"

struct link_ack {
	struct smpp_link *l;
	struct smpp_conn *c;
	unsigned generation;
	uint32_t resp_id;		/* deliver_sm_resp or data_sm_resp */
	uint32_t seq;
	int rc;
};

static void link_ack_after_commit(void *data, int commit_rc)
{
	struct link_ack *a = data;
	uint32_t status = SMPP_ESME_ROK;

	if (a->rc < 0 || commit_rc < 0) {
		status = SMPP_ESME_RX_T_APPN;
		rate_ctr_inc2(a->l->ctrg, LINK_CTR_MO_TEMPFAIL);
	}
	if (smpp_conn_generation(a->c) == a->generation && smpp_conn_bound(a->c))
		smpp_conn_send(a->c, smpp_pdu_simple(a->l, a->resp_id, status,
						     a->seq));
	talloc_free(a);
}

static uint32_t link_resp_id(uint32_t req_id)
{
	return req_id == SMPP_DATA_SM ? SMPP_DATA_SM_RESP : SMPP_DELIVER_SM_RESP;
}

/* An answer now, without waiting for a commit (nothing was stored). */
static void link_rx_answer(struct smpp_link *l, struct smpp_conn *c,
			   const struct smpp_hdr *h, uint32_t status)
{
	smpp_conn_send(c, smpp_pdu_simple(l, link_resp_id(h->id), status,
					  h->seq));
}

/* A receipt as the router wants it: parsed (TLVs first, the text form
 * as fallback) and its id normalised with the link's dlr_id_format. */
static int link_in_receipt(struct smpp_link *l, const struct smpp_deliver *d,
			   struct in_msg *in)
{
	struct dlr dlr;

	if (dlr_from_deliver(d, &dlr) < 0)
		return -EINVAL;
	in->kind = IN_RECEIPT;
	if (dlr_id_normalise(dlr.id, l->cfg->dlr_id_fmt, in->rcpt_id,
			     sizeof(in->rcpt_id)) < 0)
		OSMO_STRLCPY_ARRAY(in->rcpt_id, dlr.id);
	in->rcpt_state = dlr.state;
	in->rcpt_err = dlr.err;
	return 0;
}

/* The transport-neutral form of a decoded deliver_sm or data_sm. */
static int link_inbound(struct smpp_link *l, const struct smpp_deliver *d,
			struct in_msg *in)
{
	memset(in, 0, sizeof(*in));
	in->link = l->cfg->name;
	OSMO_STRLCPY_ARRAY(in->src, d->src);
	OSMO_STRLCPY_ARRAY(in->dst, d->dst);
	in->dcs = d->data_coding;
	in->ud = d->text;
	in->ud_len = d->text_len;
	in->concat = d->concat;
	in->concat_ref = d->concat_ref;
	in->concat_total = d->concat_total;
	in->concat_seq = d->concat_seq;
	in->rcpt_err = -1;
	if (d->is_receipt)
		return link_in_receipt(l, d, in);
	in->kind = d->has_ussd_op ? IN_USSD : IN_SMS;
	in->ussd_op = d->ussd_op;
	in->has_its = d->has_its;
	in->its = d->its;
	in->has_umr = d->has_umr;
	in->umr = d->umr;
	return 0;
}

/* Hand a decoded PDU to the router: 0 or its negative errno. A receipt
 * that cannot be read is logged and acknowledged (the SMSC would only send
 * it again). */
static int link_rx_route(struct smpp_link *l, const struct smpp_deliver *d,
			 int64_t rx_us)
{
	struct in_msg in;

	if (link_inbound(l, d, &in) < 0) {
		rate_ctr_inc2(l->ctrg, LINK_CTR_BAD_RECEIPT);
		LOGLINK(l, LOGL_NOTICE, "unreadable receipt from %s, acknowledged\n",
			log_num(d->src));
		return 0;
	}
	in.rx_us = rx_us;
	/* the router opens the group-commit transaction if it writes */
	return l->rx_cb(l->rx_data, &in);
}

#ifdef SKILLGW_TEST_HOOKS
/* The test build only (make test): die on an MO whose user data holds the
 * text of $SKILLGW_TEST_CRASH_ON, as a bug in a handler would, to test that
 * the next start quarantines it. */
static void link_test_crash(const struct smpp_deliver *d)
{
	const char *mark = getenv("SKILLGW_TEST_CRASH_ON");

	if (mark && *mark && memmem(d->text, d->text_len, mark, strlen(mark)))
		abort();
}
#else
static void link_test_crash(const struct smpp_deliver *d)
{
}
#endif

/* Decode and route, marked as being handled (quarantine.h). */
static int link_rx_handle(struct smpp_link *l, const struct smpp_hdr *h,
			  const uint8_t *pdu, struct smpp_deliver *d,
			  int64_t rx_us)
{
	int rc;

	if (smpp_pdu_parse_deliver(pdu, h->len, d) < 0) {
		/* smpp_check passed it: the decoder disagrees (a UDH that
		 * runs past the user data, an over-long address) */
		rate_ctr_inc2(l->ctrg, LINK_CTR_BAD_PDU);
		LOGLINK(l, LOGL_NOTICE, "undecodable %s seq %u (%u octets): answered ESME_RINVMSGLEN\n",
			smpp_pdu_cmd_str(h->id), h->seq, h->len);
		return -EBADMSG;
	}
	link_test_crash(d);
	rc = link_rx_route(l, d, rx_us);
	return rc == -EBADMSG ? -EIO : rc;
}

/* deliver_sm or data_sm: decoded, handed to the router, answered after the
 * commit. Out of memory is a temporary error: the SMSC sends the PDU
 * again; so is a PDU the daemon died on before (quarantine.h). */
void link_rx_deliver(struct smpp_link *l, struct smpp_conn *c,
		     const struct smpp_hdr *h, const uint8_t *pdu)
{
	int64_t rx_us = clock_mono_us();
	struct smpp_deliver *d = talloc_zero(l, struct smpp_deliver);
	struct link_ack *a = talloc_zero(l, struct link_ack);

	rate_ctr_inc2(l->ctrg, LINK_CTR_MO);
	if (l->quar && smpp_quar_begin(l->quar, l->cfg->name, pdu, h->len)) {
		rate_ctr_inc2(l->ctrg, LINK_CTR_QUARANTINED);
		link_rx_answer(l, c, h, SMPP_ESME_RX_T_APPN);
		goto out;
	}
	if (!d || !a) {
		LOGLINK(l, LOGL_ERROR, "out of memory for %s seq %u: temporary error\n",
			smpp_pdu_cmd_str(h->id), h->seq);
		rate_ctr_inc2(l->ctrg, LINK_CTR_MO_TEMPFAIL);
		link_rx_answer(l, c, h, SMPP_ESME_RX_T_APPN);
		goto out;
	}
	a->rc = link_rx_handle(l, h, pdu, d, rx_us);
	if (l->quar)
		smpp_quar_done(l->quar);
	if (a->rc == -EBADMSG) {
		link_rx_answer(l, c, h, SMPP_ESME_RINVMSGLEN);
		goto out;
	}
	a->l = l;
	a->c = c;
	a->generation = smpp_conn_generation(c);
	a->resp_id = link_resp_id(h->id);
	a->seq = h->seq;
	if (db_after_commit(l->db, link_ack_after_commit, a) < 0) {
		/* at-least-once: a stored MO may come again */
		rate_ctr_inc2(l->ctrg, LINK_CTR_MO_TEMPFAIL);
		link_rx_answer(l, c, h, SMPP_ESME_RX_T_APPN);
		goto out;
	}
	a = NULL;
out:
	talloc_free(a);
	talloc_free(d);
}
