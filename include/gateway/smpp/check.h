/*
 * check.h - strict SMPP 3.4 validation of a received PDU, before any
 * decoder sees its body.
 *
 * smpp_check_pdu() walks the body of one complete PDU exactly as SMPP 3.4
 * defines it for its command id: every mandatory field present, every
 * C-Octet string NUL-terminated within its maximum and inside the body,
 * TON and NPI values that exist, sm_length consistent with what follows,
 * every TLV inside the body, a TLV whose tag has a fixed size declaring
 * exactly that size, variable-size TLVs within their maximum, at most
 * SMPP_CHECK_TLV_MAX TLVs, nothing left over. A PDU that passes can be
 * handed to libsmpp34 (whose unpack trusts what it reads).
 *
 * On failure the result names the field and the reason (never its
 * content: addresses and texts stay out of logs) and the command_status
 * SMPP 3.4 gives for that fault, to answer a request with.
 */
#ifndef SGW_SMPP_CHECK_H
#define SGW_SMPP_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* TLVs accepted in one PDU. libsmpp34 logs every field it unpacks into a
 * fixed 2,048-octet buffer without a bound; with this many TLVs the
 * longest PDU's log stays well inside it (test_smpp_check measures it). */
#define SMPP_CHECK_TLV_MAX	16

struct smpp_check_result {
	uint32_t status;	/* command_status for the answer */
	const char *what;	/* field or TLV name, "header", "body" */
	char why[64];		/* what was wrong, without field contents */
	size_t offset;		/* octet offset of the fault in the PDU */
	unsigned n_tlvs;	/* TLVs seen (also on success) */
};

/* buf/len is one whole PDU (len == command_length). 0 when valid;
 * -EINVAL with *r filled when not; -ENOENT for a command id the table does
 * not know (the caller answers those with generic_nack ESME_RINVCMDID). */
int smpp_check_pdu(const uint8_t *buf, size_t len,
		   struct smpp_check_result *r);

/* Copy buf/len into out (cap octets, the copy is cut at cap) with the
 * octets of addresses, short_message and every TLV value replaced by '*',
 * as far as the body can be walked: what a log may show of a bad PDU.
 * Returns the octets copied. */
size_t smpp_check_redact(const uint8_t *buf, size_t len, uint8_t *out,
			 size_t cap);

#endif
