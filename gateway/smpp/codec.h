/*
 * codec.h - the PDUs of the message path written and read by hand
 * (codec.c): submit_sm out, submit_sm_resp, deliver_sm and data_sm in.
 * Private to gateway/smpp: pdu.c checks what goes out and what comes in,
 * and calls these for the octets.
 */
#ifndef SGW_SMPP_CODEC_H
#define SGW_SMPP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/smpp/pdu.h"

/* SMPP 3.4 5.2.5 and 5.2.6: the TON and NPI values that exist (they are
 * the ones libsmpp34 accepts). */
bool smpp_codec_ton_ok(uint8_t ton);
bool smpp_codec_npi_ok(uint8_t npi);

/* Octets of the submit_sm that smpp_codec_submit writes for s. */
size_t smpp_codec_submit_len(const struct smpp_submit *s);

/* Write the submit_sm of s with sequence number seq into buf, which has
 * room for smpp_codec_submit_len(s) octets; returns that length. s must
 * have passed pdu.c's checks (strings within their fields, user data
 * within its carriage). */
size_t smpp_codec_submit(uint8_t *buf, uint32_t seq,
			 const struct smpp_submit *s);

/* The message_id of a submit_sm_resp with a body (buf/len the whole PDU,
 * already accepted by smpp_check_pdu) into msgid/cap. 0 or -EINVAL (no
 * NUL, or longer than cap allows). */
int smpp_codec_submit_resp(const uint8_t *buf, size_t len, char *msgid,
			   size_t cap);

/* Decode a deliver_sm or data_sm (by its command_id; buf/len the whole
 * PDU, already accepted by smpp_check_pdu) into d, which the caller has
 * reset. 0 or -EINVAL. Never reads outside buf/len, whatever the input. */
int smpp_codec_deliver(const uint8_t *buf, size_t len,
		       struct smpp_deliver *d);

#endif
