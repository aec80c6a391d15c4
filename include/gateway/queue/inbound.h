/*
 * inbound.h - what a transport hands the router: a message from a phone, a
 * delivery receipt, or one step of a USSD dialogue, with nothing of the
 * transport's protocol in it.
 *
 * The SMPP link fills it from a deliver_sm or data_sm: the user data after
 * any UDH and its data_coding, the concatenation reference (from a UDH or
 * from SAR TLVs), a receipt already parsed and its SMSC id normalised the
 * way the link is configured, the USSD operation and session fields as they
 * came. Handlers and the USSD engine see this, never an SMPP struct.
 */
#ifndef SGW_INBOUND_H
#define SGW_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/queue/mtq.h"

#define IN_ADDR_MAX	22	/* an address with its NUL */
#define IN_ID_MAX	65	/* an SMSC message id with its NUL */

enum in_kind {
	IN_SMS,		/* a text from a phone (or one part of it) */
	IN_RECEIPT,	/* a delivery receipt for an MT part */
	IN_USSD,	/* a USSD step */
};

struct in_msg {
	enum in_kind kind;
	const char *link;		/* the link it came on */
	char src[IN_ADDR_MAX];		/* the phone, as the SMSC wrote it */
	char dst[IN_ADDR_MAX];		/* our address or service code */
	uint8_t dcs;			/* data_coding of ud */
	const uint8_t *ud;		/* user data after any UDH */
	size_t ud_len;
	/* one part of a concatenated message */
	bool concat;
	uint16_t concat_ref;
	uint8_t concat_total, concat_seq;	/* 1-based */
	/* IN_RECEIPT */
	char rcpt_id[IN_ID_MAX];	/* normalised with the link's format */
	enum mtq_rcpt rcpt_state;
	int rcpt_err;			/* -1 when none */
	/* IN_USSD: the operation as the link numbers it, and the session */
	uint8_t ussd_op;
	bool has_its;
	uint16_t its;			/* its_session_info */
	bool has_umr;
	uint16_t umr;			/* user_message_reference */
	int64_t rx_us;			/* when it arrived (clock_mono_us()),
					 * 0: not known */
};

/* The router: store what arrived inside the group-commit transaction.
 * 0, or a negative errno when it could not be stored or handled: the
 * transport then answers with a temporary error so that it comes again. */
typedef int (*in_rx_fn)(void *data, const struct in_msg *m);

#endif
