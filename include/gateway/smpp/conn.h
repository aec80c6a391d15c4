/*
 * conn.h - one SMPP session: a TCP connection and its bind, as an
 * osmo_fsm.
 *
 * A link (link.c) owns one transceiver session, or a transmitter and a
 * receiver session. The session connects without blocking, binds, keeps
 * itself alive with enquire_link, answers the PDUs that belong to the
 * session itself (enquire_link, unbind, unknown commands) and hands every
 * other PDU up through its ops. On any failure it closes the socket and
 * reconnects after an exponential back-off.
 */
#ifndef SGW_SMPP_CONN_H
#define SGW_SMPP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway/smpp/pdu.h"

struct config_link;
struct msgb;
struct smpp_conn;

struct smpp_conn_ops {
	void (*up)(struct smpp_conn *c, void *data);	/* bound */
	void (*down)(struct smpp_conn *c, void *data);	/* bind lost or closed */
	/* Every PDU the session does not handle itself (submit_sm_resp,
	 * deliver_sm, data_sm, generic_nack), its body checked against
	 * SMPP 3.4 (a response whose body was not comes with h->len 16).
	 * pdu holds h->len octets. */
	void (*rx)(struct smpp_conn *c, const struct smpp_hdr *h,
		   const uint8_t *pdu, void *data);
};

struct smpp_conn_stats {
	unsigned long connects, binds, bind_failures, drops;
	unsigned long pdus_in, pdus_out, nacks_sent;
	unsigned long bad_pdus;		/* refused by smpp_check */
	uint32_t last_bind_status;
};

struct smpp_conn *smpp_conn_alloc(void *ctx, const struct config_link *cfg,
				  enum smpp_bind_kind kind,
				  const struct smpp_conn_ops *ops, void *data);
void smpp_conn_free(struct smpp_conn *c);

/* Administrative start (connect and keep connected) and stop (unbind
 * gracefully, stay down). */
void smpp_conn_start(struct smpp_conn *c);
void smpp_conn_stop(struct smpp_conn *c);

/* Queue a PDU for sending; takes the msgb in every case. -ENOTCONN when the
 * session is not bound (or binding), -ENOSPC when the output buffer is full. */
int smpp_conn_send(struct smpp_conn *c, struct msgb *msg);
/* Octets waiting in the output buffer. */
unsigned long smpp_conn_pending(const struct smpp_conn *c);
uint32_t smpp_conn_next_seq(struct smpp_conn *c);

bool smpp_conn_bound(const struct smpp_conn *c);
bool smpp_conn_stopped(const struct smpp_conn *c);
/* Incremented on every new connection: an answer prepared for an older
 * connection must not be sent on a newer one. */
unsigned smpp_conn_generation(const struct smpp_conn *c);
const char *smpp_conn_name(const struct smpp_conn *c);
const char *smpp_conn_state_name(const struct smpp_conn *c);
const struct smpp_conn_stats *smpp_conn_stats(const struct smpp_conn *c);

#endif
