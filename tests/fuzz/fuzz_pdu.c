/*
 * fuzz_pdu.c - fuzz target for the inbound SMPP PDU decoder
 * (gateway/smpp/pdu.c) and what the router does with a decoded deliver_sm
 * (dlr_from_deliver, charset_decode of its text).
 *
 * The input is first given as it is to smpp_pdu_hdr_parse and to every
 * body parser, so the header checks see lengths and ids that lie. Random
 * bytes seldom make a header those parsers accept, so the input is then
 * also given with a header that is right: command_length set to the
 * input's size and command_id set, in turn, to each PDU type we unpack;
 * the fuzzer then spends its time in the bodies and their TLVs. Whatever
 * comes out must be NUL-terminated and within its buffers, and nothing may
 * leak. (The readers are hand-written, codec.c; fuzz_codec.c holds them
 * against libsmpp34 and watches libsmpp34's own log buffer.)
 */
#include <errno.h>
#include <stdint.h>

#include <talloc.h>

#include "gateway/text/charset.h"
#include "gateway/smpp/dlr.h"
#include "fuzz.h"
#include "gateway/smpp/check.h"
#include "gateway/smpp/pdu.h"

#define PDU_OFF_LEN	0
#define PDU_OFF_ID	4

static const uint32_t pdu_ids[] = {
	SMPP_DELIVER_SM,
	SMPP_DATA_SM,
	SMPP_SUBMIT_SM_RESP,
	SMPP_BIND_TRANSCEIVER_RESP,
	SMPP_ENQUIRE_LINK,
	SMPP_ALERT_NOTIFICATION,
};

/* The talloc context of smpp_pdu_init, kept for the whole run.
 * One octet of payload, so that this pointer points into its block and
 * LeakSanitizer sees it as reachable (it is the end of a zero-size one). */
static void *pdu_ctx;

static void pdu_init(void)
{
	if (pdu_ctx)
		return;
	fuzz_log_init();
	pdu_ctx = talloc_named_const(NULL, 1, "fuzz_pdu");
	assert(pdu_ctx);
	smpp_pdu_init(pdu_ctx);
}

static void pdu_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static bool pdu_str_ok(const char *s, size_t cap)
{
	return strnlen(s, cap) < cap;
}

/* A decoded deliver_sm, checked and passed on as the router would. */
static void pdu_check_deliver(const struct smpp_deliver *d)
{
	char text[4 * sizeof(d->ud) + 1];
	struct dlr r;
	int n;

	assert(pdu_str_ok(d->src, sizeof(d->src)));
	assert(pdu_str_ok(d->dst, sizeof(d->dst)));
	assert(d->ud_len <= sizeof(d->ud));
	assert(d->text >= d->ud && d->text_len <= d->ud_len);
	assert((size_t)(d->text - d->ud) + d->text_len <= d->ud_len);
	assert(!d->has_receipted_id ||
	       pdu_str_ok(d->receipted_id, sizeof(d->receipted_id)));
	assert(!d->concat || (d->concat_seq >= 1 &&
			      d->concat_seq <= d->concat_total));
	if (dlr_from_deliver(d, &r) == 0) {
		assert(pdu_str_ok(r.id, sizeof(r.id)));
		dlr_state_str(r.state);
		mtq_rcpt_final(r.state);
	}
	n = charset_decode(d->data_coding, d->text, d->text_len, text,
			   sizeof(text));
	assert(n >= 0 && (size_t)n < sizeof(text) && text[n] == '\0');
}

/* The validator: a verdict for everything, a field named when it refuses,
 * and a redacted copy that keeps the header and the length. */
static void pdu_check_validator(const uint8_t *buf, size_t len)
{
	struct smpp_check_result r;
	uint8_t dump[64];
	int rc = smpp_check_pdu(buf, len, &r);

	assert(rc == 0 || rc == -EINVAL || rc == -ENOENT);
	assert(rc != -EINVAL || (r.what && r.status && r.offset <= len));
	assert(r.n_tlvs <= SMPP_CHECK_TLV_MAX + 1);
	assert(smpp_check_redact(buf, len, dump, sizeof(dump)) ==
	       (len < sizeof(dump) ? len : sizeof(dump)));
}

/* Every parser on buf/len. */
static void pdu_parse_all(const uint8_t *buf, size_t len)
{
	struct smpp_deliver d;
	char id[SMPP_MSGID_MAX];
	struct smpp_hdr h;

	pdu_check_validator(buf, len);
	if (smpp_pdu_hdr_parse(buf, len, &h) == 0) {
		smpp_pdu_cmd_str(h.id);
		smpp_pdu_status_str(h.status);
		smpp_pdu_status_class(h.status);
	}
	if (smpp_pdu_parse_deliver(buf, len, &d) == 0)
		pdu_check_deliver(&d);
	if (smpp_pdu_parse_submit_resp(buf, len, id, sizeof(id)) == 0)
		assert(pdu_str_ok(id, sizeof(id)));
	/* a buffer too small for any id */
	smpp_pdu_parse_submit_resp(buf, len, id, 1);
}

FUZZ_TARGET(pdu)
{
	struct smpp_hdr h;
	uint8_t *copy;
	unsigned i;
	int rc;

	pdu_init();
	rc = smpp_pdu_hdr_parse(data, size, &h);
	assert(rc == 0 || rc == -EAGAIN || rc == -EMSGSIZE);
	assert((rc == -EAGAIN) == (size < SMPP_HDR_LEN));
	assert(rc != 0 || (h.len >= SMPP_HDR_LEN && h.len <= SMPP_PDU_MAX));
	pdu_parse_all(data, size);

	if (size < SMPP_HDR_LEN || size > SMPP_PDU_MAX)
		return 0;
	copy = malloc(size);
	assert(copy);
	memcpy(copy, data, size);
	pdu_put32(copy + PDU_OFF_LEN, size);
	for (i = 0; i < sizeof(pdu_ids) / sizeof(pdu_ids[0]); i++) {
		pdu_put32(copy + PDU_OFF_ID, pdu_ids[i]);
		pdu_parse_all(copy, size);
	}
	free(copy);
	return 0;
}
