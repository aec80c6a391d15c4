/*
 * conn.c - one SMPP session (TCP connection + bind) as an osmo_fsm.
 *
 * States: DOWN -> CONNECTING -> BINDING -> BOUND -> (UNBINDING) -> DOWN, and
 * WAIT_RETRY between a failure and the next attempt. The whole life cycle is
 * the state table at the bottom of this file. Timeouts of CONNECTING,
 * BINDING and UNBINDING are the link's response_timeout; WAIT_RETRY lasts the
 * current back-off, which doubles on each failure from reconnect_min up to
 * reconnect_max and starts again after a successful bind.
 *
 * I/O: the socket is non-blocking. Input is read in large chunks into rbuf
 * and cut into PDUs by the 4-octet command_length, which is checked before
 * anything is allocated for the body. Output PDUs are appended to wbuf and
 * written when the socket is writable, so all PDUs of one loop iteration
 * leave in as few write() calls as possible.
 *
 * Keep-alive: after enquire_link seconds without traffic an enquire_link is
 * sent; no answer within response_timeout, or no PDU at all for inactivity
 * seconds, drops the connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <osmocom/core/bit32gen.h>
#include <osmocom/core/fsm.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/log.h"
#include "gateway/metrics.h"
#include "gateway/smpp/check.h"
#include "gateway/smpp/conn.h"
#include "gateway/smpp/pdu.h"

#define CONN_READ_CHUNK		(64 * 1024)
#define CONN_RBUF_MAX		(SMPP_PDU_MAX + CONN_READ_CHUNK)
#define CONN_WBUF_MAX		(8 * 1024 * 1024)
#define CONN_WBUF_MIN		(16 * 1024)

enum conn_state {
	CONN_ST_DOWN,
	CONN_ST_CONNECTING,
	CONN_ST_BINDING,
	CONN_ST_BOUND,
	CONN_ST_UNBINDING,
	CONN_ST_WAIT_RETRY,
};

enum conn_event {
	CONN_EV_START,
	CONN_EV_STOP,
	CONN_EV_CONNECTED,
	CONN_EV_BIND_RESP,	/* data: uint32_t *status */
	CONN_EV_LOST,		/* data: const char *why */
	CONN_EV_UNBIND_RESP,
};

static const struct value_string conn_event_names[] = {
	{ CONN_EV_START,	"START" },
	{ CONN_EV_STOP,		"STOP" },
	{ CONN_EV_CONNECTED,	"CONNECTED" },
	{ CONN_EV_BIND_RESP,	"BIND_RESP" },
	{ CONN_EV_LOST,		"LOST" },
	{ CONN_EV_UNBIND_RESP,	"UNBIND_RESP" },
	{ 0, NULL }
};

struct smpp_conn {
	struct osmo_fsm_inst *fi;
	const struct config_link *cfg;
	enum smpp_bind_kind kind;
	char name[48];
	const struct smpp_conn_ops *ops;
	void *data;

	struct osmo_fd ofd;
	uint8_t *rbuf;
	size_t rlen;
	uint8_t *wbuf;
	size_t wlen, wcap;

	uint32_t seq;
	unsigned backoff_s;
	unsigned generation;
	bool want_up;

	struct osmo_timer_list keepalive;	/* idle / inactivity check */
	bool enq_outstanding;
	int64_t enq_sent_ms;
	int64_t last_rx_ms, last_tx_ms;

	struct smpp_conn_stats st;
};

/* Every PDU in and out, by session, command and status (/metrics). */
static const char *const conn_pdu_labels[] = {
	"session", "direction", "command", "status", NULL };
static struct metrics_family conn_pdus = {
	.name = "skillgw_smpp_pdus_total",
	.help = "SMPP PDUs sent and received, by session, command and "
		"command_status.",
	.type = METRICS_COUNTER, .labels = conn_pdu_labels };

static void conn_count(const struct smpp_conn *c, const char *dir,
		       uint32_t id, uint32_t status)
{
	metrics_inc(&conn_pdus, c->name, dir, smpp_pdu_cmd_str(id),
		    smpp_pdu_status_str(status));
}

#define LOGCONN(c, lvl, fmt, args...) \
	LOGP(DLINK, lvl, "link %s: " fmt, (c)->name, ## args)

static struct osmo_fsm smpp_conn_fsm;

static const char *bind_kind_str(enum smpp_bind_kind k)
{
	switch (k) {
	case SMPP_BIND_KIND_TX: return "transmitter";
	case SMPP_BIND_KIND_RX: return "receiver";
	default: return "transceiver";
	}
}

/* ---- socket ---------------------------------------------------------- */

static void conn_close(struct smpp_conn *c)
{
	osmo_timer_del(&c->keepalive);
	if (c->ofd.fd >= 0)
		osmo_fd_close(&c->ofd);
	c->ofd.fd = -1;
	c->rlen = 0;
	c->wlen = 0;
	c->enq_outstanding = false;
}

static int conn_flush(struct smpp_conn *c)
{
	ssize_t n;

	while (c->wlen > 0) {
		n = write(c->ofd.fd, c->wbuf, c->wlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		memmove(c->wbuf, c->wbuf + n, c->wlen - n);
		c->wlen -= n;
		c->last_tx_ms = clock_now_ms();
	}
	osmo_fd_write_disable(&c->ofd);
	return 0;
}

static int conn_append(struct smpp_conn *c, const uint8_t *buf, size_t len)
{
	size_t need = c->wlen + len;

	if (need > CONN_WBUF_MAX)
		return -ENOSPC;
	if (need > c->wcap) {
		size_t cap = c->wcap ? c->wcap : CONN_WBUF_MIN;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		nb = talloc_realloc_size(c, c->wbuf, cap);
		if (!nb)
			return -ENOMEM;
		c->wbuf = nb;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, buf, len);
	c->wlen += len;
	osmo_fd_write_enable(&c->ofd);
	c->st.pdus_out++;
	if (len >= SMPP_HDR_LEN)
		conn_count(c, "out", osmo_load32be(buf + 4),
			   osmo_load32be(buf + 8));
	return 0;
}

/* Send a PDU regardless of the bind state (bind, unbind, responses). */
static int conn_send_raw(struct smpp_conn *c, struct msgb *msg)
{
	int rc;

	if (!msg)
		return -EINVAL;
	if (c->ofd.fd < 0) {
		msgb_free(msg);
		return -ENOTCONN;
	}
	rc = conn_append(c, msgb_data(msg), msgb_length(msg));
	msgb_free(msg);
	return rc;
}

static void conn_send_simple(struct smpp_conn *c, uint32_t id,
			     uint32_t status, uint32_t seq)
{
	conn_send_raw(c, smpp_pdu_simple(c, id, status, seq));
}

uint32_t smpp_conn_next_seq(struct smpp_conn *c)
{
	if (c->seq >= SMPP_SEQ_MAX)
		c->seq = 0;
	return ++c->seq;
}

/* Wait the current back-off, then connect again; the next wait doubles. */
static void conn_retry(struct smpp_conn *c)
{
	unsigned wait = c->backoff_s ? c->backoff_s : 1;

	c->backoff_s = wait * 2;
	if (c->backoff_s > c->cfg->reconnect_max_s)
		c->backoff_s = c->cfg->reconnect_max_s;
	osmo_fsm_inst_state_chg(c->fi, CONN_ST_WAIT_RETRY, wait, 0);
}

/* ---- input ----------------------------------------------------------- */

static void conn_lost(struct smpp_conn *c, const char *why)
{
	osmo_fsm_inst_dispatch(c->fi, CONN_EV_LOST, (void *)why);
}

/* The answer to a request smpp_check refused: its own response with the
 * error status where it has one, generic_nack otherwise; none to what
 * needs none (alert_notification) or to a response. */
static void conn_answer_bad(struct smpp_conn *c, const struct smpp_hdr *h,
			    uint32_t status)
{
	switch (h->id) {
	case SMPP_DELIVER_SM:
		conn_send_simple(c, SMPP_DELIVER_SM_RESP, status, h->seq);
		break;
	case SMPP_DATA_SM:
		conn_send_simple(c, SMPP_DATA_SM_RESP, status, h->seq);
		break;
	case SMPP_ALERT_NOTIFICATION:
		break;
	default:
		if (SMPP_IS_RESP(h->id))
			break;
		c->st.nacks_sent++;
		conn_send_simple(c, SMPP_GENERIC_NACK, status, h->seq);
	}
}

/* A PDU whose body breaks SMPP 3.4: one line saying what (never a field's
 * content), a counter, the answer; the session stays up. A request goes
 * no further; a response goes on with its body dropped (its header says
 * whether our request was accepted). Returns false when nothing is left. */
static bool conn_rx_bad(struct smpp_conn *c, struct smpp_hdr *h,
			const uint8_t *pdu, const struct smpp_check_result *bad)
{
	c->st.bad_pdus++;
	LOGCONN(c, LOGL_NOTICE, "malformed %s seq %u (%u octets): %s at offset %zu: %s; %s %s\n",
		smpp_pdu_cmd_str(h->id), h->seq, h->len, bad->what,
		bad->offset, bad->why,
		SMPP_IS_RESP(h->id) ? "body ignored," : "answered",
		SMPP_IS_RESP(h->id) ? "header used" : smpp_pdu_status_str(bad->status));
	smpp_pdu_log_dump("malformed PDU", pdu, h->len);
	conn_answer_bad(c, h, bad->status);
	if (!SMPP_IS_RESP(h->id))
		return false;
	h->len = SMPP_HDR_LEN;
	return true;
}

/* Requests and responses that go up to the link, once bound. */
static bool conn_rx_up(struct smpp_conn *c, const struct smpp_hdr *h,
		       const uint8_t *pdu)
{
	if (c->fi->state == CONN_ST_BOUND || c->fi->state == CONN_ST_UNBINDING) {
		c->ops->rx(c, h, pdu, c->data);
		return true;
	}
	if (h->id == SMPP_DELIVER_SM || h->id == SMPP_DATA_SM)
		conn_answer_bad(c, h, SMPP_ESME_RINVBNDSTS);
	return false;
}

/* PDUs that belong to the session itself; everything else goes up. Every
 * body is checked against SMPP 3.4 first (check.c). */
static void conn_rx_pdu(struct smpp_conn *c, const struct smpp_hdr *hdr,
			const uint8_t *pdu)
{
	struct smpp_check_result bad;
	struct smpp_hdr hh = *hdr, *h = &hh;
	uint32_t status = h->status;
	int rc;

	c->st.pdus_in++;
	conn_count(c, "in", h->id, h->status);
	rc = smpp_check_pdu(pdu, h->len, &bad);
	if (rc == -EINVAL && !conn_rx_bad(c, h, pdu, &bad))
		return;
	switch (h->id) {
	case SMPP_BIND_TRANSCEIVER_RESP:
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_RECEIVER_RESP:
		if (c->fi->state == CONN_ST_BINDING)
			osmo_fsm_inst_dispatch(c->fi, CONN_EV_BIND_RESP, &status);
		return;
	case SMPP_ENQUIRE_LINK:
		conn_send_simple(c, SMPP_ENQUIRE_LINK_RESP, SMPP_ESME_ROK, h->seq);
		return;
	case SMPP_ENQUIRE_LINK_RESP:
		c->enq_outstanding = false;
		return;
	case SMPP_UNBIND:
		conn_send_simple(c, SMPP_UNBIND_RESP, SMPP_ESME_ROK, h->seq);
		conn_flush(c);
		conn_lost(c, "SMSC unbound");
		return;
	case SMPP_UNBIND_RESP:
		osmo_fsm_inst_dispatch(c->fi, CONN_EV_UNBIND_RESP, NULL);
		return;
	case SMPP_ALERT_NOTIFICATION:
		LOGCONN(c, LOGL_INFO, "alert_notification seq %u (nothing to do)\n", h->seq);
		return;
	case SMPP_SUBMIT_SM_RESP:
	case SMPP_DELIVER_SM:
	case SMPP_DATA_SM:
	case SMPP_GENERIC_NACK:
		conn_rx_up(c, h, pdu);
		return;
	default:
		if (SMPP_IS_RESP(h->id)) {
			LOGCONN(c, LOGL_INFO, "ignoring unexpected %s\n",
				smpp_pdu_cmd_str(h->id));
			return;
		}
		LOGCONN(c, LOGL_NOTICE, "unknown command id 0x%08x seq %u: generic_nack\n",
			h->id, h->seq);
		c->st.nacks_sent++;
		conn_send_simple(c, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID, h->seq);
	}
}

/* Cut rbuf into PDUs. Returns -1 when the connection had to be dropped. */
static int conn_parse(struct smpp_conn *c)
{
	size_t off = 0;
	unsigned gen = c->generation;
	struct smpp_hdr h;
	int rc;

	while ((rc = smpp_pdu_hdr_parse(c->rbuf + off, c->rlen - off, &h)) == 0) {
		if (h.len > c->rlen - off)
			break;
		conn_rx_pdu(c, &h, c->rbuf + off);
		if (c->ofd.fd < 0 || gen != c->generation)
			return -1;	/* dropped while handling it */
		off += h.len;
	}
	if (rc == -EMSGSIZE) {
		LOGCONN(c, LOGL_ERROR, "absurd command_length %u, dropping connection\n",
			h.len);
		conn_lost(c, "bad command_length");
		return -1;
	}
	memmove(c->rbuf, c->rbuf + off, c->rlen - off);
	c->rlen -= off;
	return 0;
}

static void conn_readable(struct smpp_conn *c)
{
	ssize_t n;

	n = read(c->ofd.fd, c->rbuf + c->rlen, CONN_RBUF_MAX - c->rlen);
	if (n == 0) {
		conn_lost(c, "connection closed by SMSC");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_lost(c, strerror(errno));
		return;
	}
	c->rlen += n;
	c->last_rx_ms = clock_now_ms();
	conn_parse(c);
}

static int conn_connect_done(struct smpp_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->ofd.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		LOGCONN(c, LOGL_ERROR, "connect to %s:%u failed: %s\n",
			c->cfg->host, c->cfg->port, strerror(err));
		conn_lost(c, "connect failed");
		return -1;
	}
	osmo_fsm_inst_dispatch(c->fi, CONN_EV_CONNECTED, NULL);
	return 0;
}

static int conn_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct smpp_conn *c = ofd->data;
	int rc;

	if (c->fi->state == CONN_ST_CONNECTING) {
		if (what & OSMO_FD_WRITE)
			conn_connect_done(c);
		return 0;
	}
	if (what & OSMO_FD_READ) {
		conn_readable(c);
		if (c->ofd.fd < 0)
			return 0;
	}
	if ((what & OSMO_FD_WRITE) && c->ofd.fd >= 0) {
		rc = conn_flush(c);
		if (rc < 0)
			conn_lost(c, strerror(-rc));
	}
	return 0;
}

/* ---- keep-alive ------------------------------------------------------- */

static void conn_keepalive_cb(void *data)
{
	struct smpp_conn *c = data;
	int64_t now = clock_now_ms();
	int64_t idle = now - (c->last_rx_ms > c->last_tx_ms ? c->last_rx_ms : c->last_tx_ms);

	if (now - c->last_rx_ms >= (int64_t)c->cfg->inactivity_s * 1000) {
		conn_lost(c, "inactivity timeout");
		return;
	}
	if (c->enq_outstanding &&
	    now - c->enq_sent_ms >= (int64_t)c->cfg->response_timeout_s * 1000) {
		conn_lost(c, "no enquire_link_resp");
		return;
	}
	if (!c->enq_outstanding && idle >= (int64_t)c->cfg->enquire_link_s * 1000) {
		conn_send_simple(c, SMPP_ENQUIRE_LINK, 0, smpp_conn_next_seq(c));
		c->enq_outstanding = true;
		c->enq_sent_ms = now;
	}
	osmo_timer_schedule(&c->keepalive, 1, 0);
}

/* ---- state machine ----------------------------------------------------- */

static void conn_st_down_onenter(struct osmo_fsm_inst *fi, uint32_t prev)
{
	struct smpp_conn *c = fi->priv;

	conn_close(c);
}

static void conn_st_down(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct smpp_conn *c = fi->priv;

	if (event == CONN_EV_START) {
		c->want_up = true;
		osmo_fsm_inst_state_chg(fi, CONN_ST_CONNECTING,
					c->cfg->response_timeout_s, 0);
	}
}

static void conn_st_connecting_onenter(struct osmo_fsm_inst *fi, uint32_t prev)
{
	struct smpp_conn *c = fi->priv;
	int fd, one = 1;

	c->generation++;
	c->st.connects++;
	fd = osmo_sock_init2(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
			     c->cfg->host, c->cfg->port,
			     OSMO_SOCK_F_CONNECT | OSMO_SOCK_F_NONBLOCK);
	if (fd < 0) {
		LOGCONN(c, LOGL_ERROR, "cannot connect to %s:%u\n",
			c->cfg->host, c->cfg->port);
		conn_retry(c);
		return;
	}
	/* PDUs are batched per loop iteration already: Nagle would only
	 * hold a lone USSD screen or reply back */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		LOGCONN(c, LOGL_NOTICE, "cannot set TCP_NODELAY: %s\n", strerror(errno));
	osmo_fd_setup(&c->ofd, fd, OSMO_FD_READ | OSMO_FD_WRITE, conn_fd_cb, c, 0);
	if (osmo_fd_register(&c->ofd) < 0) {
		close(fd);
		c->ofd.fd = -1;
		conn_retry(c);
	}
}

static void conn_send_bind(struct smpp_conn *c)
{
	const struct config_link *l = c->cfg;
	struct smpp_bind_params p = {
		.system_id = l->system_id,
		.password = l->password,
		.system_type = l->system_type,
		.address_range = l->address_range,
		.addr_ton = l->source_ton,
		.addr_npi = l->source_npi,
	};

	conn_send_raw(c, smpp_pdu_bind(c, c->kind, smpp_conn_next_seq(c), &p));
}

static void conn_st_connecting(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct smpp_conn *c = fi->priv;

	switch (event) {
	case CONN_EV_CONNECTED:
		osmo_fd_write_disable(&c->ofd);
		c->last_rx_ms = c->last_tx_ms = clock_now_ms();
		conn_send_bind(c);
		osmo_fsm_inst_state_chg(fi, CONN_ST_BINDING,
					c->cfg->response_timeout_s, 0);
		break;
	case CONN_EV_LOST:
		conn_retry(c);
		break;
	case CONN_EV_STOP:
		c->want_up = false;
		osmo_fsm_inst_state_chg(fi, CONN_ST_DOWN, 0, 0);
		break;
	}
}

static void conn_bind_failed(struct smpp_conn *c, uint32_t status)
{
	c->st.bind_failures++;
	c->st.last_bind_status = status;
	LOGCONN(c, LOGL_ERROR, "bind refused: %s (0x%02x), retry in %u s\n",
		smpp_pdu_status_str(status), status, c->backoff_s ? c->backoff_s : 1);
	conn_retry(c);
}

static void conn_st_binding(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct smpp_conn *c = fi->priv;

	switch (event) {
	case CONN_EV_BIND_RESP:
		if (*(uint32_t *)data != SMPP_ESME_ROK) {
			conn_bind_failed(c, *(uint32_t *)data);
			break;
		}
		c->st.last_bind_status = 0;
		osmo_fsm_inst_state_chg(fi, CONN_ST_BOUND, 0, 0);
		break;
	case CONN_EV_LOST:
		LOGCONN(c, LOGL_ERROR, "lost while binding: %s\n", (const char *)data);
		conn_retry(c);
		break;
	case CONN_EV_STOP:
		c->want_up = false;
		osmo_fsm_inst_state_chg(fi, CONN_ST_DOWN, 0, 0);
		break;
	}
}

static void conn_st_bound_onenter(struct osmo_fsm_inst *fi, uint32_t prev)
{
	struct smpp_conn *c = fi->priv;

	c->st.binds++;
	c->backoff_s = c->cfg->reconnect_min_s;
	LOGCONN(c, LOGL_NOTICE, "bound (%s) to %s:%u\n", bind_kind_str(c->kind),
		c->cfg->host, c->cfg->port);
	osmo_timer_setup(&c->keepalive, conn_keepalive_cb, c);
	osmo_timer_schedule(&c->keepalive, 1, 0);
	c->ops->up(c, c->data);
}

static void conn_st_bound(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct smpp_conn *c = fi->priv;

	switch (event) {
	case CONN_EV_LOST:
		c->st.drops++;
		LOGCONN(c, LOGL_ERROR, "connection lost: %s\n", (const char *)data);
		conn_retry(c);
		break;
	case CONN_EV_STOP:
		c->want_up = false;
		conn_send_simple(c, SMPP_UNBIND, 0, smpp_conn_next_seq(c));
		osmo_fsm_inst_state_chg(fi, CONN_ST_UNBINDING,
					c->cfg->response_timeout_s, 0);
		break;
	}
}

static void conn_st_bound_onleave(struct osmo_fsm_inst *fi, uint32_t next)
{
	struct smpp_conn *c = fi->priv;

	osmo_timer_del(&c->keepalive);
	if (next != CONN_ST_UNBINDING)
		c->ops->down(c, c->data);
}

static void conn_st_unbinding(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct smpp_conn *c = fi->priv;

	LOGCONN(c, LOGL_NOTICE, "unbound\n");
	osmo_fsm_inst_state_chg(fi, CONN_ST_DOWN, 0, 0);
	c->ops->down(c, c->data);
}

static void conn_st_wait_retry_onenter(struct osmo_fsm_inst *fi, uint32_t prev)
{
	conn_close(fi->priv);
}

static void conn_st_wait_retry(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct smpp_conn *c = fi->priv;

	if (event == CONN_EV_STOP) {
		c->want_up = false;
		osmo_fsm_inst_state_chg(fi, CONN_ST_DOWN, 0, 0);
	} else if (event == CONN_EV_START) {
		osmo_fsm_inst_state_chg(fi, CONN_ST_CONNECTING,
					c->cfg->response_timeout_s, 0);
	}
}

static int conn_timer_cb(struct osmo_fsm_inst *fi)
{
	struct smpp_conn *c = fi->priv;

	switch (fi->state) {
	case CONN_ST_CONNECTING:
		LOGCONN(c, LOGL_ERROR, "connect to %s:%u timed out\n",
			c->cfg->host, c->cfg->port);
		conn_retry(c);
		break;
	case CONN_ST_BINDING:
		LOGCONN(c, LOGL_ERROR, "no bind response within %u s\n",
			c->cfg->response_timeout_s);
		conn_retry(c);
		break;
	case CONN_ST_UNBINDING:
		conn_st_unbinding(fi, CONN_EV_UNBIND_RESP, NULL);
		break;
	case CONN_ST_WAIT_RETRY:
		osmo_fsm_inst_state_chg(fi, CONN_ST_CONNECTING,
					c->cfg->response_timeout_s, 0);
		break;
	}
	return 0;
}

#define S(x) (1 << (x))
#define E(x) (1 << (x))

static const struct osmo_fsm_state conn_states[] = {
	[CONN_ST_DOWN] = {
		.name = "DOWN",
		.in_event_mask = E(CONN_EV_START) | E(CONN_EV_STOP) | E(CONN_EV_LOST),
		.out_state_mask = S(CONN_ST_CONNECTING),
		.onenter = conn_st_down_onenter,
		.action = conn_st_down,
	},
	[CONN_ST_CONNECTING] = {
		.name = "CONNECTING",
		.in_event_mask = E(CONN_EV_CONNECTED) | E(CONN_EV_LOST) |
				 E(CONN_EV_STOP) | E(CONN_EV_START),
		.out_state_mask = S(CONN_ST_BINDING) | S(CONN_ST_WAIT_RETRY) |
				  S(CONN_ST_DOWN),
		.onenter = conn_st_connecting_onenter,
		.action = conn_st_connecting,
	},
	[CONN_ST_BINDING] = {
		.name = "BINDING",
		.in_event_mask = E(CONN_EV_BIND_RESP) | E(CONN_EV_LOST) |
				 E(CONN_EV_STOP) | E(CONN_EV_START),
		.out_state_mask = S(CONN_ST_BOUND) | S(CONN_ST_WAIT_RETRY) |
				  S(CONN_ST_DOWN),
		.action = conn_st_binding,
	},
	[CONN_ST_BOUND] = {
		.name = "BOUND",
		.in_event_mask = E(CONN_EV_LOST) | E(CONN_EV_STOP) | E(CONN_EV_START),
		.out_state_mask = S(CONN_ST_WAIT_RETRY) | S(CONN_ST_UNBINDING),
		.onenter = conn_st_bound_onenter,
		.onleave = conn_st_bound_onleave,
		.action = conn_st_bound,
	},
	[CONN_ST_UNBINDING] = {
		.name = "UNBINDING",
		.in_event_mask = E(CONN_EV_UNBIND_RESP) | E(CONN_EV_LOST) |
				 E(CONN_EV_STOP),
		.out_state_mask = S(CONN_ST_DOWN),
		.action = conn_st_unbinding,
	},
	[CONN_ST_WAIT_RETRY] = {
		.name = "WAIT_RETRY",
		.in_event_mask = E(CONN_EV_START) | E(CONN_EV_STOP) | E(CONN_EV_LOST),
		.out_state_mask = S(CONN_ST_CONNECTING) | S(CONN_ST_DOWN),
		.onenter = conn_st_wait_retry_onenter,
		.action = conn_st_wait_retry,
	},
};

static struct osmo_fsm smpp_conn_fsm = {
	.name = "smpp_conn",
	.states = conn_states,
	.num_states = ARRAY_SIZE(conn_states),
	.timer_cb = conn_timer_cb,
	.log_subsys = DLINK,
	.event_names = conn_event_names,
};

static __attribute__((constructor)) void smpp_conn_fsm_register(void)
{
	OSMO_ASSERT(osmo_fsm_register(&smpp_conn_fsm) == 0);
}

/* ---- public ------------------------------------------------------------ */

static const char *kind_suffix(enum smpp_bind_kind k)
{
	return k == SMPP_BIND_KIND_TX ? "-tx" : k == SMPP_BIND_KIND_RX ? "-rx" : "";
}

struct smpp_conn *smpp_conn_alloc(void *ctx, const struct config_link *cfg,
				  enum smpp_bind_kind kind,
				  const struct smpp_conn_ops *ops, void *data)
{
	struct smpp_conn *c = talloc_zero(ctx, struct smpp_conn);

	if (!c)
		return NULL;
	c->cfg = cfg;
	c->kind = kind;
	c->ops = ops;
	c->data = data;
	c->ofd.fd = -1;
	c->backoff_s = cfg->reconnect_min_s;
	snprintf(c->name, sizeof(c->name), "%s%s", cfg->name, kind_suffix(kind));
	c->rbuf = talloc_size(c, CONN_RBUF_MAX);
	/* link names are [A-Za-z0-9_-]: a valid FSM instance id */
	c->fi = osmo_fsm_inst_alloc(&smpp_conn_fsm, c, c, LOGL_DEBUG, c->name);
	if (!c->rbuf || !c->fi) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

void smpp_conn_free(struct smpp_conn *c)
{
	if (!c)
		return;
	conn_close(c);
	osmo_fsm_inst_free(c->fi);
	talloc_free(c);
}

void smpp_conn_start(struct smpp_conn *c)
{
	c->want_up = true;
	osmo_fsm_inst_dispatch(c->fi, CONN_EV_START, NULL);
}

void smpp_conn_stop(struct smpp_conn *c)
{
	osmo_fsm_inst_dispatch(c->fi, CONN_EV_STOP, NULL);
}

int smpp_conn_send(struct smpp_conn *c, struct msgb *msg)
{
	if (c->fi->state != CONN_ST_BOUND) {
		msgb_free(msg);
		return -ENOTCONN;
	}
	return conn_send_raw(c, msg);
}

unsigned long smpp_conn_pending(const struct smpp_conn *c)
{
	return c->wlen;
}

bool smpp_conn_bound(const struct smpp_conn *c)
{
	return c->fi->state == CONN_ST_BOUND;
}

bool smpp_conn_stopped(const struct smpp_conn *c)
{
	return c->fi->state == CONN_ST_DOWN && !c->want_up;
}

unsigned smpp_conn_generation(const struct smpp_conn *c)
{
	return c->generation;
}

const char *smpp_conn_name(const struct smpp_conn *c)
{
	return c->name;
}

const char *smpp_conn_state_name(const struct smpp_conn *c)
{
	return osmo_fsm_inst_state_name(c->fi);
}

const struct smpp_conn_stats *smpp_conn_stats(const struct smpp_conn *c)
{
	return &c->st;
}
