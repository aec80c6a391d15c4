/*
 * test_smpp_pdu.c - unit tests of gateway/smpp/pdu.c.
 *
 * Outbound PDUs are checked two ways: the small ones against hand-written
 * octets, submit_sm by unpacking the result again with libsmpp34 and
 * looking at every field and TLV. Inbound deliver_sm PDUs are written here
 * octet by octet (not with libsmpp34), so the parser is checked against
 * the wire format rather than against the library it uses. Malformed
 * input (every truncation, lengths that lie, a seeded random sweep) must
 * give -EINVAL, never a crash or a leak: run this under ASan and UBSan.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/msgb.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "gateway/log.h"
#include "rawpdu.h"
#include "gateway/smpp/pdu.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define FUZZ_ROUNDS	20000
#define FUZZ_SEED	4242

static void *ctx;

static int parse(struct raw *r, struct smpp_deliver *d)
{
	return smpp_pdu_parse_deliver(r->b, r->n, d);
}

/* ------------------------------------------------------------------------
 * Header
 */

static void test_hdr(void **state)
{
	struct smpp_hdr h;
	struct raw r;

	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, SMPP_ESME_RTHROTTLED, 0x01020304);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 15, &h), -EAGAIN);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 0, &h), -EAGAIN);
	raw_set32(r.b, 15);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 16, &h), -EMSGSIZE);
	raw_set32(r.b, 0);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 16, &h), -EMSGSIZE);
	raw_set32(r.b, SMPP_PDU_MAX + 1);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 16, &h), -EMSGSIZE);
	raw_set32(r.b, 0xFFFFFFFF);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 16, &h), -EMSGSIZE);
	raw_set32(r.b, SMPP_PDU_MAX);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 16, &h), 0);
	raw_set32(r.b, 30);
	assert_int_equal(smpp_pdu_hdr_parse(r.b, 16, &h), 0);
	assert_int_equal(h.len, 30);
	assert_int_equal(h.id, SMPP_SUBMIT_SM_RESP);
	assert_int_equal(h.status, SMPP_ESME_RTHROTTLED);
	assert_int_equal(h.seq, 0x01020304);
}

/* ------------------------------------------------------------------------
 * Outbound
 */

static void assert_msg(struct msgb *msg, const uint8_t *exp, size_t len)
{
	assert_non_null(msg);
	assert_int_equal(msgb_length(msg), len);
	assert_memory_equal(msgb_data(msg), exp, len);
	msgb_free(msg);
}

static void test_bind_trx_bytes(void **state)
{
	static const uint8_t exp[] = {
		0, 0, 0, 0x27, 0, 0, 0, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x01,
		's', 'k', 'i', 'l', 'l', 0,	/* system_id */
		's', 'e', 'c', 'r', 'e', 't', 0,/* password */
		'G', 'W', 0,			/* system_type */
		0x34, 0x01, 0x01,		/* version, TON, NPI */
		'7', '7', '*', 0,		/* address_range */
	};
	const struct smpp_bind_params p = {
		.system_id = "skill", .password = "secret",
		.system_type = "GW", .address_range = "77*",
		.addr_ton = 1, .addr_npi = 1,
	};

	assert_msg(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 1, &p), exp,
		   sizeof(exp));
}

static void test_bind_tx_rx(void **state)
{
	const struct smpp_bind_params p = { .system_id = "sys" };
	static const struct {
		enum smpp_bind_kind kind;
		uint32_t id;
	} kinds[] = {
		{ SMPP_BIND_KIND_TX, SMPP_BIND_TRANSMITTER },
		{ SMPP_BIND_KIND_RX, SMPP_BIND_RECEIVER },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(kinds); i++) {
		struct msgb *msg = smpp_pdu_bind(ctx, kinds[i].kind,
						 SMPP_SEQ_MAX, &p);
		bind_transmitter_t b;
		struct smpp_hdr h;

		assert_non_null(msg);
		assert_int_equal(smpp_pdu_hdr_parse(msgb_data(msg),
						    msgb_length(msg), &h), 0);
		assert_int_equal(h.id, kinds[i].id);
		assert_int_equal(h.seq, SMPP_SEQ_MAX);
		assert_int_equal(h.len, msgb_length(msg));
		memset(&b, 0, sizeof(b));
		assert_int_equal(smpp34_unpack(kinds[i].id, &b, msgb_data(msg),
					       msgb_length(msg)), 0);
		assert_string_equal((char *)b.system_id, "sys");
		assert_string_equal((char *)b.password, "");
		assert_int_equal(b.interface_version, 0x34);
		msgb_free(msg);
	}
}

static void test_bind_refused(void **state)
{
	struct smpp_bind_params p = { .system_id = "sys", .password = "pw" };
	struct msgb *msg;

	assert_null(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 0, &p));
	assert_null(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, SMPP_SEQ_MAX + 1,
				  &p));
	p.system_id = "0123456789abcdef";	/* 16 > 15 */
	assert_null(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 1, &p));
	p.system_id = "0123456789abcde";	/* 15 fits */
	p.password = "123456789";		/* 9 > 8 */
	assert_null(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 1, &p));
	p.password = "12345678";
	p.addr_ton = 7;
	assert_null(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 1, &p));
	p.addr_ton = 0;
	p.addr_npi = 2;
	assert_null(smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 1, &p));
	p.addr_npi = 0;
	assert_null(smpp_pdu_bind(ctx, (enum smpp_bind_kind)3, 1, &p));
	msg = smpp_pdu_bind(ctx, SMPP_BIND_KIND_TRX, 1, &p);
	assert_non_null(msg);
	msgb_free(msg);
}

static void test_simple(void **state)
{
	static const uint8_t enq[] = {
		0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 0x2A,
	};
	static const uint8_t enq_resp[] = {
		0, 0, 0, 16, 0x80, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 0x2A,
	};
	static const uint8_t nack[] = {
		0, 0, 0, 16, 0x80, 0, 0, 0, 0, 0, 0, 0x03,
		0x12, 0x34, 0x56, 0x78,
	};
	static const uint8_t dresp[] = {
		0, 0, 0, 17, 0x80, 0, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x09, 0,
	};
	static const uint8_t unbind[] = {
		0, 0, 0, 16, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x01,
	};
	static const uint8_t unbind_resp[] = {
		0, 0, 0, 16, 0x80, 0, 0, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x01,
	};
	deliver_sm_resp_t r;
	struct msgb *msg;

	assert_msg(smpp_pdu_simple(ctx, SMPP_ENQUIRE_LINK, 0, 42), enq,
		   sizeof(enq));
	assert_msg(smpp_pdu_simple(ctx, SMPP_ENQUIRE_LINK_RESP, 0, 42),
		   enq_resp, sizeof(enq_resp));
	assert_msg(smpp_pdu_simple(ctx, SMPP_GENERIC_NACK, SMPP_ESME_RINVCMDID,
				   0x12345678), nack, sizeof(nack));
	assert_msg(smpp_pdu_simple(ctx, SMPP_DELIVER_SM_RESP, 0, 9), dresp,
		   sizeof(dresp));
	assert_msg(smpp_pdu_simple(ctx, SMPP_UNBIND, 0, 1), unbind,
		   sizeof(unbind));
	assert_msg(smpp_pdu_simple(ctx, SMPP_UNBIND_RESP, 0, 1), unbind_resp,
		   sizeof(unbind_resp));

	/* our requests need a valid sequence number and no status */
	assert_null(smpp_pdu_simple(ctx, SMPP_ENQUIRE_LINK, 0, 0));
	assert_null(smpp_pdu_simple(ctx, SMPP_UNBIND, 0, SMPP_SEQ_MAX + 1));
	assert_null(smpp_pdu_simple(ctx, SMPP_ENQUIRE_LINK, 1, 5));
	/* not simple PDUs */
	assert_null(smpp_pdu_simple(ctx, SMPP_SUBMIT_SM, 0, 1));
	assert_null(smpp_pdu_simple(ctx, SMPP_BIND_TRANSCEIVER_RESP, 0, 1));

	/* deliver_sm_resp is also what libsmpp34 makes of it */
	msg = smpp_pdu_simple(ctx, SMPP_DELIVER_SM_RESP, 0, 3);
	memset(&r, 0, sizeof(r));
	assert_int_equal(smpp34_unpack(DELIVER_SM_RESP, &r, msgb_data(msg),
				       msgb_length(msg)), 0);
	assert_int_equal(r.sequence_number, 3);
	msgb_free(msg);
}

/* -- submit_sm, read back with libsmpp34 ------------------------------- */

static const struct smpp_submit submit_base = {
	.src = "SKILL", .src_ton = 5, .src_npi = 0,
	.dst = "77011234567", .dst_ton = 1, .dst_npi = 1,
	.data_coding = 0, .registered_delivery = 1,
};

static void unpack_submit(struct msgb *msg, submit_sm_t *sm)
{
	assert_non_null(msg);
	memset(sm, 0, sizeof(*sm));
	assert_int_equal(smpp34_unpack(SUBMIT_SM, sm, msgb_data(msg),
				       msgb_length(msg)), 0);
	assert_int_equal(sm->command_length, msgb_length(msg));
	msgb_free(msg);
}

static const tlv_t *find(const tlv_t *t, uint16_t tag)
{
	for (; t; t = t->next)
		if (t->tag == tag)
			return t;
	return NULL;
}

static void test_submit_plain(void **state)
{
	struct smpp_submit s = submit_base;
	submit_sm_t sm;

	s.sm = (const uint8_t *)"hello";
	s.sm_len = 5;
	s.validity = "000001000000000R";
	unpack_submit(smpp_pdu_submit(ctx, 99, &s), &sm);
	assert_int_equal(sm.sequence_number, 99);
	assert_string_equal((char *)sm.service_type, "");
	assert_string_equal((char *)sm.source_addr, "SKILL");
	assert_int_equal(sm.source_addr_ton, 5);
	assert_string_equal((char *)sm.destination_addr, "77011234567");
	assert_int_equal(sm.dest_addr_ton, 1);
	assert_int_equal(sm.dest_addr_npi, 1);
	assert_int_equal(sm.esm_class, 0);
	assert_int_equal(sm.registered_delivery, 1);
	assert_int_equal(sm.data_coding, 0);
	assert_string_equal((char *)sm.validity_period, "000001000000000R");
	assert_int_equal(sm.sm_length, 5);
	assert_memory_equal(sm.short_message, "hello", 5);
	assert_null(sm.tlv);
}

static void test_submit_udh(void **state)
{
	static const uint8_t ud[] = {
		0x05, 0x00, 0x03, 0xAB, 0x02, 0x01, 0x04, 0x1F, 0x00, 0x41,
	};
	struct smpp_submit s = submit_base;
	submit_sm_t sm;

	s.data_coding = 8;
	s.sm = ud;
	s.sm_len = sizeof(ud);
	s.lng = SMPP_LONG_UDH;
	unpack_submit(smpp_pdu_submit(ctx, 1, &s), &sm);
	assert_int_equal(sm.esm_class, SMPP_ESM_UDHI);
	assert_int_equal(sm.data_coding, 8);
	assert_int_equal(sm.sm_length, sizeof(ud));
	assert_memory_equal(sm.short_message, ud, sizeof(ud));

	/* a UDH longer than the data is refused */
	s.sm_len = 3;
	assert_null(smpp_pdu_submit(ctx, 1, &s));
	s.sm_len = 0;
	assert_null(smpp_pdu_submit(ctx, 1, &s));
}

static void test_submit_sar(void **state)
{
	struct smpp_submit s = submit_base;
	submit_sm_t sm;
	const tlv_t *t;

	s.sm = (const uint8_t *)"part two";
	s.sm_len = 8;
	s.lng = SMPP_LONG_SAR;
	s.sar_ref = 0xBEEF;
	s.sar_total = 3;
	s.sar_seq = 2;
	unpack_submit(smpp_pdu_submit(ctx, 5, &s), &sm);
	assert_int_equal(sm.esm_class, 0);
	assert_int_equal(sm.sm_length, 8);
	assert_non_null(t = find(sm.tlv, TLVID_sar_msg_ref_num));
	assert_int_equal(t->length, 2);
	assert_int_equal(t->value.val16, 0xBEEF);
	assert_non_null(t = find(sm.tlv, TLVID_sar_total_segments));
	assert_int_equal(t->length, 1);
	assert_int_equal(t->value.val08, 3);
	assert_non_null(t = find(sm.tlv, TLVID_sar_segment_seqnum));
	assert_int_equal(t->value.val08, 2);
	destroy_tlv(sm.tlv);

	s.sar_seq = 4;
	assert_null(smpp_pdu_submit(ctx, 5, &s));
	s.sar_seq = 0;
	assert_null(smpp_pdu_submit(ctx, 5, &s));
}

static void test_submit_payload(void **state)
{
	uint8_t big[SMPP_PAYLOAD_MAX + 1];
	struct smpp_submit s = submit_base;
	submit_sm_t sm;
	const tlv_t *t;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = i & 0xff;
	s.sm = big;
	s.sm_len = 300;
	s.lng = SMPP_LONG_PAYLOAD;
	unpack_submit(smpp_pdu_submit(ctx, 6, &s), &sm);
	assert_int_equal(sm.sm_length, 0);
	assert_non_null(t = find(sm.tlv, TLVID_message_payload));
	assert_int_equal(t->length, 300);
	assert_memory_equal(t->value.octet, big, 300);
	destroy_tlv(sm.tlv);

	s.sm_len = SMPP_PAYLOAD_MAX;
	unpack_submit(smpp_pdu_submit(ctx, 6, &s), &sm);
	assert_non_null(t = find(sm.tlv, TLVID_message_payload));
	assert_int_equal(t->length, SMPP_PAYLOAD_MAX);
	destroy_tlv(sm.tlv);

	s.sm_len = SMPP_PAYLOAD_MAX + 1;
	assert_null(smpp_pdu_submit(ctx, 6, &s));

	/* short_message: 253 octets fit, 254 do not (libsmpp34 limit) */
	s.lng = SMPP_LONG_NONE;
	s.sm_len = 253;
	unpack_submit(smpp_pdu_submit(ctx, 6, &s), &sm);
	assert_int_equal(sm.sm_length, 253);
	s.sm_len = 254;
	assert_null(smpp_pdu_submit(ctx, 6, &s));
}

static void test_submit_ussd(void **state)
{
	struct smpp_submit s = submit_base;
	submit_sm_t sm;
	const tlv_t *t;

	s.sm = (const uint8_t *)"1. Balance\n2. Exit";
	s.sm_len = strlen((const char *)s.sm);
	s.registered_delivery = 0;
	s.ussd = true;
	s.ussd_op = 2;
	s.has_its = true;
	s.its = 0x1234;
	unpack_submit(smpp_pdu_submit(ctx, 8, &s), &sm);
	assert_non_null(t = find(sm.tlv, TLVID_ussd_service_op));
	assert_int_equal(t->length, 1);
	assert_int_equal(t->value.octet[0], 2);
	assert_non_null(t = find(sm.tlv, TLVID_its_session_info));
	assert_int_equal(t->length, 2);
	assert_int_equal(t->value.val16, 0x1234);
	destroy_tlv(sm.tlv);

	/* only what was asked for */
	s.has_its = false;
	unpack_submit(smpp_pdu_submit(ctx, 8, &s), &sm);
	assert_non_null(find(sm.tlv, TLVID_ussd_service_op));
	assert_null(find(sm.tlv, TLVID_its_session_info));
	destroy_tlv(sm.tlv);
}

static void test_submit_refused(void **state)
{
	struct smpp_submit s = submit_base;
	struct msgb *msg;

	s.sm = (const uint8_t *)"x";
	s.sm_len = 1;
	assert_null(smpp_pdu_submit(ctx, 0, &s));
	s.src_ton = 7;
	assert_null(smpp_pdu_submit(ctx, 1, &s));
	s.src_ton = 1;
	s.dst_npi = 5;
	assert_null(smpp_pdu_submit(ctx, 1, &s));
	s.dst_npi = 1;
	s.dst = "123456789012345678901";	/* 21 > 20 */
	assert_null(smpp_pdu_submit(ctx, 1, &s));
	s.dst = "12345678901234567890";
	s.validity = "00000100000000000R";	/* 18 > 16 */
	assert_null(smpp_pdu_submit(ctx, 1, &s));
	s.validity = NULL;
	s.sm = NULL;				/* length without data */
	assert_null(smpp_pdu_submit(ctx, 1, &s));
	s.sm_len = 0;
	msg = smpp_pdu_submit(ctx, 1, &s);
	assert_non_null(msg);
	msgb_free(msg);
}

/* ------------------------------------------------------------------------
 * Responses
 */

static void test_submit_resp(void **state)
{
	char id[SMPP_MSGID_MAX];
	struct raw r;

	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, 0, 3);
	raw_putstr(&r, "1A2B3C");
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 0);
	assert_string_equal(id, "1A2B3C");
	/* too small a buffer for the id */
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, 4), -EINVAL);
	/* length in the header disagrees with the buffer */
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n - 1, id,
						    sizeof(id)), -EINVAL);

	/* error status: with a body, without, and a vendor code */
	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, SMPP_ESME_RTHROTTLED, 3);
	raw_putstr(&r, "");
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 0);
	assert_string_equal(id, "");
	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, 0x401, 3);
	raw_putstr(&r, "77");
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 0);
	assert_string_equal(id, "77");
	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, 0x401, 3);
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 0);
	assert_string_equal(id, "");
	/* success without a body, unterminated id, wrong command */
	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, 0, 3);
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 -EINVAL);
	raw_put8(&r, 'x');
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 -EINVAL);
	raw_hdr(&r, SMPP_DELIVER_SM_RESP, 0, 3);
	raw_putstr(&r, "");
	raw_end(&r);
	assert_int_equal(smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id)),
			 -EINVAL);
}

/* ------------------------------------------------------------------------
 * deliver_sm
 */

static void test_deliver_plain(void **state)
{
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, 0, 0, "Hi there", 8);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_string_equal(d.src, "77011234567");
	assert_int_equal(d.src_ton, 1);
	assert_int_equal(d.src_npi, 1);
	assert_string_equal(d.dst, "1234");
	assert_int_equal(d.dst_ton, 0);
	assert_int_equal(d.data_coding, 0);
	assert_int_equal(d.ud_len, 8);
	assert_ptr_equal(d.text, d.ud);
	assert_int_equal(d.text_len, 8);
	assert_memory_equal(d.text, "Hi there", 8);
	assert_false(d.concat);
	assert_false(d.is_receipt);
	assert_int_equal(d.msg_state, -1);
	assert_false(d.has_ussd_op);
	assert_false(d.has_its);
	assert_false(d.has_umr);

	/* binary user data with NULs inside, and no user data at all */
	raw_deliver(&r, 0, 4, "\0a\0b", 4);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_int_equal(d.text_len, 4);
	assert_memory_equal(d.text, "\0a\0b", 4);
	raw_deliver(&r, 0, 0, "", 0);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_int_equal(d.text_len, 0);
}

static void test_deliver_udh8(void **state)
{
	/* UCS-2 "AB" after an 8-bit concat IE: ref 0xAB, part 2 of 3 */
	static const uint8_t ud[] = {
		0x05, 0x00, 0x03, 0xAB, 0x03, 0x02, 0x00, 0x41, 0x00, 0x42,
	};
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, SMPP_ESM_UDHI, 8, ud, sizeof(ud));
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_int_equal(d.data_coding, 8);
	assert_true(d.concat);
	assert_int_equal(d.concat_ref, 0xAB);
	assert_int_equal(d.concat_total, 3);
	assert_int_equal(d.concat_seq, 2);
	assert_int_equal(d.ud_len, sizeof(ud));
	assert_int_equal(d.text_len, 4);
	assert_memory_equal(d.text, "\x00\x41\x00\x42", 4);
}

static void test_deliver_udh16(void **state)
{
	/* a port IE (skipped) then a 16-bit concat IE: ref 0x1234, 1 of 2 */
	static const uint8_t ud[] = {
		0x0C, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0,
		0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 'x', 'y',
	};
	static const uint8_t bad_seq[] = {
		0x05, 0x00, 0x03, 0x01, 0x02, 0x03, 'z',
	};
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, SMPP_ESM_UDHI, 0, ud, sizeof(ud));
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.concat);
	assert_int_equal(d.concat_ref, 0x1234);
	assert_int_equal(d.concat_total, 2);
	assert_int_equal(d.concat_seq, 1);
	assert_int_equal(d.text_len, 2);
	assert_memory_equal(d.text, "xy", 2);

	/* a UDH with only text after it and an impossible part number:
	 * the concat IE is ignored (GSM 03.40), the UDH still skipped */
	raw_deliver(&r, SMPP_ESM_UDHI, 0, bad_seq, sizeof(bad_seq));
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_false(d.concat);
	assert_int_equal(d.text_len, 1);
	assert_int_equal(d.text[0], 'z');
}

static void test_deliver_sar(void **state)
{
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, 0, 0, "second", 6);
	raw_tlv16(&r, TLVID_sar_msg_ref_num, 0xCAFE);
	raw_tlv8(&r, TLVID_sar_total_segments, 2);
	raw_tlv8(&r, TLVID_sar_segment_seqnum, 2);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.concat);
	assert_int_equal(d.concat_ref, 0xCAFE);
	assert_int_equal(d.concat_total, 2);
	assert_int_equal(d.concat_seq, 2);
	assert_int_equal(d.text_len, 6);

	/* an incomplete SAR set is no concatenation */
	raw_deliver(&r, 0, 0, "second", 6);
	raw_tlv16(&r, TLVID_sar_msg_ref_num, 0xCAFE);
	raw_tlv8(&r, TLVID_sar_segment_seqnum, 2);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_false(d.concat);
}

static void test_deliver_payload(void **state)
{
	uint8_t big[SMPP_PAYLOAD_MAX];
	struct smpp_deliver d;
	struct raw r;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = 'a' + i % 26;
	raw_deliver(&r, 0, 0, "", 0);
	raw_tlv16(&r, 0x1401, 7);		/* vendor TLV: ignored */
	raw_tlv(&r, TLVID_message_payload, big, sizeof(big));
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_int_equal(d.ud_len, sizeof(big));
	assert_int_equal(d.text_len, sizeof(big));
	assert_memory_equal(d.text, big, sizeof(big));

	/* short_message wins when both are present */
	raw_deliver(&r, 0, 0, "sm", 2);
	raw_tlv(&r, TLVID_message_payload, big, 10);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_int_equal(d.text_len, 2);

	/* a payload larger than libsmpp34 takes (1024) */
	raw_deliver(&r, 0, 0, "", 0);
	raw_put16(&r, TLVID_message_payload);
	raw_put16(&r, SMPP_PAYLOAD_MAX + 1);
	raw_putmem(&r, big, sizeof(big));
	raw_put8(&r, 'z');
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);
}

static void test_deliver_receipt_tlv(void **state)
{
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, SMPP_ESM_RECEIPT, 0, "", 0);
	raw_tlv(&r, TLVID_receipted_message_id, "0A1B2C", 7);
	raw_tlv8(&r, TLVID_message_state, 2);
	raw_tlv16(&r, TLVID_user_message_reference, 77);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.is_receipt);
	assert_true(d.has_receipted_id);
	assert_string_equal(d.receipted_id, "0A1B2C");
	assert_int_equal(d.msg_state, 2);
	assert_true(d.has_umr);
	assert_int_equal(d.umr, 77);

	/* id without the NUL; intermediate notification counts too */
	raw_deliver(&r, 0x20, 0, "", 0);
	raw_tlv(&r, TLVID_receipted_message_id, "99", 2);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.is_receipt);
	assert_string_equal(d.receipted_id, "99");
	assert_int_equal(d.msg_state, -1);

	/* SME delivery acknowledgement (0x08) is not a receipt */
	raw_deliver(&r, 0x08, 0, "ack", 3);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_false(d.is_receipt);
}

static void test_deliver_receipt_text(void **state)
{
	static const char txt[] = "id:1A2B sub:001 dlvrd:001 submit date:"
		"2611301200 done date:2611301201 stat:DELIVRD err:000 text:hi";
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, SMPP_ESM_RECEIPT, 0, txt, strlen(txt));
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.is_receipt);
	assert_false(d.has_receipted_id);
	assert_int_equal(d.msg_state, -1);
	assert_int_equal(d.text_len, strlen(txt));
	assert_memory_equal(d.text, txt, strlen(txt));
}

static void test_deliver_ussd(void **state)
{
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, 0, 0x0F, "*100#", 5);
	raw_tlv8(&r, TLVID_ussd_service_op, 1);
	raw_tlv16(&r, TLVID_its_session_info, 0xA55A);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.has_ussd_op);
	assert_int_equal(d.ussd_op, 1);
	assert_true(d.has_its);
	assert_int_equal(d.its, 0xA55A);
	assert_int_equal(d.data_coding, 0x0F);
	assert_memory_equal(d.text, "*100#", 5);
	assert_false(d.is_receipt);

	/* a USSR confirm (18) from a different vendor order of TLVs */
	raw_deliver(&r, 0, 0, "2", 1);
	raw_tlv16(&r, TLVID_its_session_info, 0x0100);
	raw_tlv8(&r, TLVID_ussd_service_op, 18);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_int_equal(d.ussd_op, 18);
	assert_int_equal(d.its, 0x0100);
}

/* deliver_sm with a nonzero or vendor status, or sequence number 0, still
 * parses: the link has the header. */
static void test_deliver_odd_header(void **state)
{
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, 0, 0, "ok", 2);
	raw_end(&r);
	raw_set32(r.b + 8, 0x450);
	assert_int_equal(parse(&r, &d), 0);
	raw_set32(r.b + 12, 0);
	assert_int_equal(parse(&r, &d), 0);
	assert_memory_equal(d.text, "ok", 2);
}

/* ------------------------------------------------------------------------
 * Malformed deliver_sm
 */

static void test_malformed_truncated(void **state)
{
	static const uint8_t ud[] = { 0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 'a' };
	struct smpp_deliver d;
	struct raw full, r;
	size_t n;

	raw_deliver(&full, SMPP_ESM_UDHI, 0, ud, sizeof(ud));
	raw_end(&full);
	for (n = 0; n < full.n; n++) {
		/* the header says n, the buffer holds n */
		memcpy(r.b, full.b, n);
		r.n = n;
		if (n >= 4)
			raw_set32(r.b, n);
		assert_int_equal(parse(&r, &d), -EINVAL);
		/* the header says the full length, the buffer is short */
		memcpy(r.b, full.b, n);
		assert_int_equal(parse(&r, &d), -EINVAL);
	}
	assert_int_equal(smpp_pdu_parse_deliver(full.b, full.n, &d), 0);

	/* with TLVs some cuts are valid PDUs: only no crash is asked */
	raw_tlv8(&full, TLVID_ussd_service_op, 1);
	raw_tlv16(&full, TLVID_its_session_info, 5);
	raw_tlv(&full, TLVID_receipted_message_id, "abc", 4);
	raw_end(&full);
	for (n = SMPP_HDR_LEN; n <= full.n; n++) {
		int rc;

		memcpy(r.b, full.b, n);
		r.n = n;
		raw_set32(r.b, n);
		rc = parse(&r, &d);
		assert_true(rc == 0 || rc == -EINVAL);
	}
}

static void test_malformed_udh(void **state)
{
	static const uint8_t long_udhl[] = { 7, 0x00, 3, 0x01, 0x02, 0x01 };
	static const uint8_t long_iel[] = { 0x04, 0x00, 0x05, 0x01, 0x02, 'a' };
	static const uint8_t cut_ie[] = { 0x01, 0x00, 'a', 'b' };
	static const uint8_t bad_c8[] = { 0x04, 0x00, 0x02, 0x01, 0x02, 'a' };
	static const uint8_t bad_c16[] = { 5, 0x08, 3, 0x01, 0x02, 0x01, 'a' };
	static const uint8_t udh_only[] = { 5, 0x00, 3, 0x01, 0x02, 0x01 };
	static const struct {
		const uint8_t *ud;
		uint8_t len;
	} cases[] = {
		{ long_udhl, sizeof(long_udhl) },
		{ long_iel, sizeof(long_iel) },
		{ cut_ie, sizeof(cut_ie) },
		{ bad_c8, sizeof(bad_c8) },
		{ bad_c16, sizeof(bad_c16) },
		{ (const uint8_t *)"", 0 },	/* UDHI without data */
	};
	struct smpp_deliver d;
	struct raw r;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		raw_deliver(&r, SMPP_ESM_UDHI, 0, cases[i].ud, cases[i].len);
		raw_end(&r);
		assert_int_equal(parse(&r, &d), -EINVAL);
		assert_false(d.concat);
		assert_int_equal(d.text_len, 0);
	}

	/* UDHL exactly filling the data: an empty text */
	raw_deliver(&r, SMPP_ESM_UDHI, 0, udh_only, sizeof(udh_only));
	raw_end(&r);
	assert_int_equal(parse(&r, &d), 0);
	assert_true(d.concat);
	assert_int_equal(d.text_len, 0);
}

static void test_malformed_lengths(void **state)
{
	struct smpp_deliver d;
	struct raw r;

	/* sm_length beyond the end of the PDU */
	raw_deliver(&r, 0, 0, "abcd", 4);
	r.b[r.n - 5] = 200;
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* sm_length 255 (more than libsmpp34's 254) with the data there */
	raw_deliver(&r, 0, 0, "", 0);
	r.b[r.n - 1] = 255;
	while (r.n < SMPP_HDR_LEN + 40 + 255)
		raw_put8(&r, 'q');
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* a TLV whose length runs past the end */
	raw_deliver(&r, 0, 0, "a", 1);
	raw_put16(&r, TLVID_receipted_message_id);
	raw_put16(&r, 40);
	raw_putmem(&r, "12", 2);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* half a TLV header */
	raw_deliver(&r, 0, 0, "a", 1);
	raw_put16(&r, TLVID_message_state);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* an address without its NUL up to the end of the PDU */
	raw_hdr(&r, SMPP_DELIVER_SM, 0, 1);
	raw_putstr(&r, "");
	raw_put8(&r, 1);
	raw_put8(&r, 1);
	raw_putmem(&r, "7701", 4);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* an over-long address (22 octets with NUL) */
	raw_hdr(&r, SMPP_DELIVER_SM, 0, 1);
	raw_putstr(&r, "");
	raw_put8(&r, 1);
	raw_put8(&r, 1);
	raw_putstr(&r, "123456789012345678901");
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* wrong command id; header only */
	raw_deliver(&r, 0, 0, "a", 1);
	raw_end(&r);
	raw_set32(r.b + 4, SMPP_SUBMIT_SM);
	assert_int_equal(parse(&r, &d), -EINVAL);
	raw_hdr(&r, SMPP_DELIVER_SM, 0, 1);
	raw_end(&r);
	assert_int_equal(parse(&r, &d), -EINVAL);

	/* reserved TON: libsmpp34 refuses it (documented limitation) */
	raw_deliver(&r, 0, 0, "a", 1);
	raw_end(&r);
	r.b[SMPP_HDR_LEN + 1] = 7;
	assert_int_equal(parse(&r, &d), -EINVAL);
}

static uint32_t rnd_state = FUZZ_SEED;

static uint32_t rnd(void)
{
	/* xorshift32: reproducible on every libc */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random bytes, random mutations of a valid PDU: never a crash. */
static void test_malformed_garbage(void **state)
{
	struct smpp_deliver d;
	struct raw base, r;
	char id[SMPP_MSGID_MAX];
	int i;

	raw_deliver(&base, SMPP_ESM_UDHI | SMPP_ESM_RECEIPT, 8,
		    "\x05\x00\x03\x01\x02\x01\x00\x41", 8);
	raw_tlv8(&base, TLVID_ussd_service_op, 2);
	raw_tlv16(&base, TLVID_its_session_info, 9);
	raw_tlv(&base, TLVID_receipted_message_id, "abc", 4);
	raw_tlv8(&base, TLVID_message_state, 5);
	raw_end(&base);
	for (i = 0; i < FUZZ_ROUNDS; i++) {
		size_t n, k;
		int rc;

		if (i % 2) {
			r = base;
			for (k = rnd() % 4 + 1; k > 0; k--)
				r.b[SMPP_HDR_LEN +
				    rnd() % (r.n - SMPP_HDR_LEN)] = rnd();
		} else {
			r.n = SMPP_HDR_LEN + rnd() % 300;
			for (n = 0; n < r.n; n++)
				r.b[n] = rnd();
			raw_set32(r.b + 4, SMPP_DELIVER_SM);
			if (i % 4)
				raw_end(&r);
		}
		rc = parse(&r, &d);
		assert_true(rc == 0 || rc == -EINVAL);
		if (rc == 0)
			assert_true(d.text >= d.ud && d.text + d.text_len <=
				    d.ud + d.ud_len);
		raw_set32(r.b + 4, SMPP_SUBMIT_SM_RESP);
		rc = smpp_pdu_parse_submit_resp(r.b, r.n, id, sizeof(id));
		assert_true(rc == 0 || rc == -EINVAL);
	}
}

/* Failed unpacks must not leave libsmpp34 allocations behind. */
static void test_no_leak(void **state)
{
	size_t before = talloc_total_blocks(ctx);
	struct smpp_deliver d;
	struct raw r;
	int i;

	for (i = 0; i < 100; i++) {
		raw_deliver(&r, 0, 0, "a", 1);
		raw_tlv8(&r, TLVID_ussd_service_op, 1);
		raw_put16(&r, TLVID_receipted_message_id);	/* fails in here */
		raw_put16(&r, 200);
		raw_end(&r);
		assert_int_equal(parse(&r, &d), -EINVAL);
	}
	assert_int_equal(talloc_total_blocks(ctx), before);
}

/* ------------------------------------------------------------------------
 * Names and classes
 */

static void test_status(void **state)
{
	static const struct {
		uint32_t status;
		enum smpp_status_class cls;
		const char *name;
	} cases[] = {
		{ 0x00, SMPP_ST_OK, "ESME_ROK" },
		{ 0x58, SMPP_ST_THROTTLE, "ESME_RTHROTTLED" },
		{ 0x14, SMPP_ST_THROTTLE, "ESME_RMSGQFUL" },
		{ 0x08, SMPP_ST_TEMP, "ESME_RSYSERR" },
		{ 0x64, SMPP_ST_TEMP, "ESME_RX_T_APPN" },
		{ 0x45, SMPP_ST_TEMP, "ESME_RSUBMITFAIL" },
		{ 0xFE, SMPP_ST_TEMP, "ESME_RDELIVERYFAILURE" },
		{ 0xFF, SMPP_ST_TEMP, "ESME_RUNKNOWNERR" },
		{ 0x0D, SMPP_ST_TEMP, "ESME_RBINDFAIL" },
		{ 0x01, SMPP_ST_PERM, "ESME_RINVMSGLEN" },
		{ 0x0A, SMPP_ST_PERM, "ESME_RINVSRCADR" },
		{ 0x0B, SMPP_ST_PERM, "ESME_RINVDSTADR" },
		{ 0x61, SMPP_ST_PERM, "ESME_RINVSCHED" },
		{ 0x62, SMPP_ST_PERM, "ESME_RINVEXPIRY" },
		{ 0x63, SMPP_ST_PERM, "ESME_RINVDFTMSGID" },
		{ 0x65, SMPP_ST_PERM, "ESME_RX_P_APPN" },
		{ 0x66, SMPP_ST_PERM, "ESME_RX_R_APPN" },
		{ 0xC4, SMPP_ST_PERM, "ESME_RINVOPTPARAMVAL" },
		{ 0x400, SMPP_ST_TEMP, "vendor-specific" },
		{ 0x4FF, SMPP_ST_TEMP, "vendor-specific" },
		{ 0x09, SMPP_ST_TEMP, "reserved" },
		{ 0x500, SMPP_ST_TEMP, "reserved" },
		{ 0xFFFFFFFF, SMPP_ST_TEMP, "reserved" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(smpp_pdu_status_class(cases[i].status),
				 cases[i].cls);
		assert_string_equal(smpp_pdu_status_str(cases[i].status),
				    cases[i].name);
	}
}

static void test_cmd_str(void **state)
{
	assert_string_equal(smpp_pdu_cmd_str(SMPP_SUBMIT_SM), "submit_sm");
	assert_string_equal(smpp_pdu_cmd_str(SMPP_DELIVER_SM_RESP),
			    "deliver_sm_resp");
	assert_string_equal(smpp_pdu_cmd_str(SMPP_GENERIC_NACK),
			    "generic_nack");
	assert_string_equal(smpp_pdu_cmd_str(SMPP_BIND_TRANSCEIVER),
			    "bind_transceiver");
	assert_string_equal(smpp_pdu_cmd_str(DATA_SM), "data_sm");
	assert_string_equal(smpp_pdu_cmd_str(0x12345), "unknown_command");
	assert_string_equal(smpp_pdu_cmd_str(0), "unknown_command");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr),
		cmocka_unit_test(test_bind_trx_bytes),
		cmocka_unit_test(test_bind_tx_rx),
		cmocka_unit_test(test_bind_refused),
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_submit_plain),
		cmocka_unit_test(test_submit_udh),
		cmocka_unit_test(test_submit_sar),
		cmocka_unit_test(test_submit_payload),
		cmocka_unit_test(test_submit_ussd),
		cmocka_unit_test(test_submit_refused),
		cmocka_unit_test(test_submit_resp),
		cmocka_unit_test(test_deliver_plain),
		cmocka_unit_test(test_deliver_udh8),
		cmocka_unit_test(test_deliver_udh16),
		cmocka_unit_test(test_deliver_sar),
		cmocka_unit_test(test_deliver_payload),
		cmocka_unit_test(test_deliver_receipt_tlv),
		cmocka_unit_test(test_deliver_receipt_text),
		cmocka_unit_test(test_deliver_ussd),
		cmocka_unit_test(test_deliver_odd_header),
		cmocka_unit_test(test_malformed_truncated),
		cmocka_unit_test(test_malformed_udh),
		cmocka_unit_test(test_malformed_lengths),
		cmocka_unit_test(test_malformed_garbage),
		cmocka_unit_test(test_no_leak),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_cmd_str),
	};
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_smpp_pdu");
	sgw_log_init(ctx, getenv("TEST_LOG") ? getenv("TEST_LOG") : "fatal", NULL);
	smpp_pdu_init(ctx);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
