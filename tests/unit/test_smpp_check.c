/*
 * test_smpp_check.c - unit tests of gateway/smpp/check.c, the SMPP 3.4
 * validator in front of libsmpp34.
 *
 * PDUs are written octet by octet (rawpdu.h). Each fault SMPP 3.4 names
 * must be refused with its status and the field named; what passes must
 * decode; and the longest PDU the validator lets through must keep
 * libsmpp34's unpack log inside its 2,048-octet global buffer, measured
 * here through the real library.
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include <smpp34.h>
#include <smpp34_structs.h>

#include "gateway/log.h"
#include "rawpdu.h"
#include "gateway/smpp/check.h"
#include "gateway/smpp/pdu.h"

#define ARRAY_LEN(a)		(sizeof(a) / sizeof((a)[0]))
#define TAG_UMR			0x0204	/* user_message_reference */
#define TAG_ITS			0x1383	/* its_session_info */
#define TAG_VENDOR		0x1401
#define LIB_LOG_SIZE		2048	/* smpp34_strerror */
#define LIB_LOG_MARGIN		256	/* what the longest PDU must leave free */

static void *ctx;

static int check(const struct raw *r, struct smpp_check_result *res)
{
	return smpp_check_pdu(r->b, r->n, res);
}

static void assert_refused(const struct raw *r, uint32_t status,
			   const char *what)
{
	struct smpp_check_result res;

	assert_int_equal(check(r, &res), -EINVAL);
	assert_int_equal(res.status, status);
	assert_non_null(res.what);
	assert_string_equal(res.what, what);
	assert_true(res.why[0] != '\0');
	assert_true(res.offset <= r->n);
}

static void test_valid(void **state)
{
	struct smpp_check_result res;
	struct smpp_deliver d;
	struct raw r;

	raw_deliver(&r, 0, 0, "hi", 2);
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	assert_int_equal(res.n_tlvs, 0);

	raw_deliver(&r, 0, 0, "hi", 2);
	raw_tlv8(&r, 0x0501, 1);		/* ussd_service_op */
	raw_tlv16(&r, TAG_ITS, 0x4200);
	raw_tlv(&r, 0x001E, "abc", 4);		/* receipted_message_id */
	raw_tlv(&r, TAG_VENDOR, "vendor", 6);
	raw_tlv(&r, 0x130C, NULL, 0);		/* alert_on_message_delivery */
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	assert_int_equal(res.n_tlvs, 5);
	assert_int_equal(smpp_pdu_parse_deliver(r.b, r.n, &d), 0);
	assert_true(d.has_its);
	assert_int_equal(d.its, 0x4200);
}

/* The PDU that used to crash the daemon: a user_message_reference that
 * declares 0xFFF0 octets and carries 2, then 60 more. */
static void test_lying_umr(void **state)
{
	struct smpp_deliver d;
	struct raw r;
	int i;

	raw_deliver(&r, 0, 0, "hi", 2);
	raw_put16(&r, TAG_UMR);
	raw_put16(&r, 0xFFF0);
	raw_put16(&r, 1);
	for (i = 0; i < 60; i++)
		raw_tlv16(&r, TAG_UMR, i);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVOPTPARSTREAM, "user_message_reference");
	assert_int_equal(smpp_pdu_parse_deliver(r.b, r.n, &d), -EINVAL);
}

/* Every fixed-size TLV of SMPP 3.4 5.3.2, one octet short and one long. */
static void test_fixed_sizes(void **state)
{
	static const struct { uint16_t tag; uint8_t size; const char *name; } fixed[] = {
		{ 0x0005, 1, "dest_addr_subunit" }, { 0x0008, 2, "dest_telematics_id" },
		{ 0x0017, 4, "qos_time_to_live" }, { 0x0019, 1, "payload_type" },
		{ 0x0204, 2, "user_message_reference" }, { 0x020A, 2, "source_port" },
		{ 0x020C, 2, "sar_msg_ref_num" }, { 0x020E, 1, "sar_total_segments" },
		{ 0x020F, 1, "sar_segment_seqnum" }, { 0x0423, 3, "network_error_code" },
		{ 0x0427, 1, "message_state" }, { 0x0501, 1, "ussd_service_op" },
		{ 0x1203, 2, "sms_signal" }, { 0x130C, 0, "alert_on_message_delivery" },
		{ 0x1380, 1, "its_reply_type" }, { 0x1383, 2, "its_session_info" },
	};
	static const uint8_t zeros[8];
	struct smpp_check_result res;
	struct raw r;
	size_t i;
	int d;

	for (i = 0; i < ARRAY_LEN(fixed); i++) {
		for (d = -1; d <= 1; d++) {
			int n = fixed[i].size + d;

			if (n < 0)
				continue;
			raw_deliver(&r, 0, 0, "x", 1);
			raw_tlv(&r, fixed[i].tag, zeros, n);
			raw_end(&r);
			if (d == 0)
				assert_int_equal(check(&r, &res), 0);
			else
				assert_refused(&r, SMPP_ESME_RINVPARLEN,
					       fixed[i].name);
		}
	}
}

static void test_tlv_stream(void **state)
{
	static const uint8_t big[1025];
	struct raw r;

	/* a length that runs past the body */
	raw_deliver(&r, 0, 0, "x", 1);
	raw_put16(&r, 0x001E);
	raw_put16(&r, 40);
	raw_putmem(&r, "12", 2);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVOPTPARSTREAM, "receipted_message_id");

	/* three octets where a TLV header needs four */
	raw_deliver(&r, 0, 0, "x", 1);
	raw_putmem(&r, "\x04\x27\x00", 3);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVOPTPARSTREAM, "tlv");

	/* a variable TLV beyond its maximum, an unknown one beyond 1024 */
	raw_deliver(&r, 0, 0, "x", 1);
	raw_tlv(&r, 0x001E, big, 66);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVPARLEN, "receipted_message_id");
	raw_deliver(&r, 0, 0, "x", 1);
	raw_tlv(&r, TAG_VENDOR, big, 1025);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVPARLEN, "tlv");
	raw_deliver(&r, 0, 0, "x", 1);
	raw_tlv(&r, 0x0381, "12", 2);		/* callback_num: 4..19 */
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVPARLEN, "callback_num");
}

static void test_tlv_count(void **state)
{
	struct smpp_check_result res;
	struct raw r;
	int i;

	raw_deliver(&r, 0, 0, "x", 1);
	for (i = 0; i < SMPP_CHECK_TLV_MAX; i++)
		raw_tlv16(&r, TAG_UMR, i);
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	assert_int_equal(res.n_tlvs, SMPP_CHECK_TLV_MAX);

	raw_deliver(&r, 0, 0, "x", 1);
	for (i = 0; i < 200; i++)
		raw_tlv16(&r, TAG_UMR, i);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVOPTPARSTREAM, "tlv");
}

/* A deliver_sm cut after its source_addr_npi; the address follows. */
static void raw_to_source(struct raw *r)
{
	raw_hdr(r, SMPP_DELIVER_SM, 0, RAW_SEQ);
	raw_putstr(r, "");
	raw_put8(r, 1);
	raw_put8(r, 1);
}

static void test_cstrings(void **state)
{
	struct raw r;

	/* 21 octets and no NUL: over source_addr's maximum */
	raw_to_source(&r);
	raw_putmem(&r, "861380013800012345678", 21);
	raw_putmem(&r, "\0\0\0", 3);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVSRCADR, "source_addr");

	/* the body ends inside the address */
	raw_to_source(&r);
	raw_putmem(&r, "8613800", 7);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVCMDLEN, "source_addr");

	/* service_type of 7 octets */
	raw_hdr(&r, SMPP_DELIVER_SM, 0, RAW_SEQ);
	raw_putstr(&r, "ABCDEFG");
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVSERTYP, "service_type");

	/* a validity_period in a deliver_sm (must be NULL) */
	raw_deliver(&r, 0, 0, "x", 1);
	raw_end(&r);
	{
		struct raw v;
		size_t at = SMPP_HDR_LEN + 1 + 2 + 12 + 2 + 5 + 3 + 1;

		/* rebuild with "000001000000000R" as validity_period */
		memcpy(v.b, r.b, at);
		v.n = at;
		raw_putstr(&v, "000001000000000R");
		raw_putmem(&v, r.b + at + 1, r.n - at - 1);
		raw_end(&v);
		assert_refused(&v, SMPP_ESME_RINVEXPIRY, "validity_period");
	}
}

static void test_sm_length(void **state)
{
	struct raw r;

	/* sm_length 200 with 4 octets after it */
	raw_deliver(&r, 0, 0, "abcd", 4);
	r.b[r.n - 5] = 200;
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVMSGLEN, "sm_length");

	/* 255 octets really there: over SMPP 3.4's 254 */
	raw_deliver(&r, 0, 0, "", 0);
	r.b[r.n - 1] = 255;
	while (r.n < SMPP_HDR_LEN + 40 + 255)
		raw_put8(&r, 'q');
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVMSGLEN, "sm_length");
}

static void test_addr_types(void **state)
{
	struct raw r;

	raw_deliver(&r, 0, 0, "x", 1);
	raw_end(&r);
	r.b[SMPP_HDR_LEN + 1] = 7;		/* source TON */
	assert_refused(&r, SMPP_ESME_RINVSRCTON, "source_addr_ton");
	r.b[SMPP_HDR_LEN + 1] = 1;
	r.b[SMPP_HDR_LEN + 2] = 2;		/* source NPI */
	assert_refused(&r, SMPP_ESME_RINVSRCNPI, "source_addr_npi");
}

static void test_other_commands(void **state)
{
	struct smpp_check_result res;
	struct raw r;

	/* header-only PDUs with a body */
	raw_hdr(&r, SMPP_ENQUIRE_LINK, 0, 3);
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	raw_put8(&r, 0);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVCMDLEN, "body");

	/* submit_sm_resp: a body is required with ESME_ROK only */
	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, SMPP_ESME_RTHROTTLED, 3);
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	raw_hdr(&r, SMPP_SUBMIT_SM_RESP, 0, 3);
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVCMDLEN, "message_id");
	raw_putstr(&r, "1A2B");
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	raw_tlv8(&r, 0x0427, 2);		/* no TLVs in 3.4 */
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVCMDLEN, "body");

	/* bind_transceiver_resp with sc_interface_version */
	raw_hdr(&r, SMPP_BIND_TRANSCEIVER_RESP, 0, 1);
	raw_putstr(&r, "SMSC");
	raw_tlv8(&r, 0x0210, 0x34);
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);

	/* a command the table does not know */
	raw_hdr(&r, 0x00000004, 0, 1);		/* submit_sm: we never get one */
	raw_end(&r);
	assert_int_equal(check(&r, &res), -ENOENT);

	/* command_length that does not match the buffer */
	raw_hdr(&r, SMPP_ENQUIRE_LINK, 0, 3);
	raw_set32(r.b, 20);
	assert_refused(&r, SMPP_ESME_RINVCMDLEN, "header");
}

static void raw_data_sm(struct raw *r, const char *dst)
{
	raw_hdr(r, SMPP_DATA_SM, 0, RAW_SEQ);
	raw_putstr(r, "");
	raw_put8(r, 1);
	raw_put8(r, 1);
	raw_putstr(r, "8613800138000");
	raw_put8(r, 0);
	raw_put8(r, 1);
	raw_putstr(r, dst);
	raw_put8(r, 0);		/* esm_class */
	raw_put8(r, 0);		/* registered_delivery */
	raw_put8(r, 8);		/* data_coding UCS-2 */
}

static void test_data_sm(void **state)
{
	static const uint8_t ucs2[] = { 0x88, 0x65, 0x52, 0x29 };	/* 补助 */
	struct smpp_check_result res;
	struct smpp_deliver d;
	struct raw r;

	raw_data_sm(&r, "12333");
	raw_tlv(&r, 0x0424, ucs2, sizeof(ucs2));
	raw_end(&r);
	assert_int_equal(check(&r, &res), 0);
	assert_int_equal(smpp_pdu_parse_deliver(r.b, r.n, &d), 0);
	assert_string_equal(d.src, "8613800138000");
	assert_string_equal(d.dst, "12333");
	assert_int_equal(d.data_coding, 8);
	assert_int_equal(d.text_len, sizeof(ucs2));
	assert_memory_equal(d.text, ucs2, sizeof(ucs2));

	raw_data_sm(&r, "123456789012345678901234567890");
	raw_end(&r);
	assert_refused(&r, SMPP_ESME_RINVDSTADR, "destination_addr");
}

/* The longest PDUs the validator passes, through the real libsmpp34: its
 * log of the unpack must stay inside smpp34_strerror with room to spare. */
static void test_library_log_bound(void **state)
{
	static const uint16_t tags[] = { TAG_UMR, TAG_VENDOR, 0x0427 };
	uint8_t sm[254];
	struct smpp_deliver d;
	struct raw r;
	size_t t;
	int i;

	memset(sm, 'z', sizeof(sm));
	for (t = 0; t < ARRAY_LEN(tags); t++) {
		raw_hdr(&r, SMPP_DELIVER_SM, 0, 0x7FFFFFFF);
		raw_putstr(&r, "ABCDE");
		raw_put8(&r, 1);
		raw_put8(&r, 1);
		raw_putstr(&r, "86138001380001234567");
		raw_put8(&r, 1);
		raw_put8(&r, 1);
		raw_putstr(&r, "86138001380001234567");
		for (i = 0; i < 3; i++)		/* esm_class (no UDHI) ... */
			raw_put8(&r, 0);
		raw_putstr(&r, "");
		raw_putstr(&r, "");
		for (i = 0; i < 4; i++)
			raw_put8(&r, 0);
		raw_put8(&r, sizeof(sm));
		raw_putmem(&r, sm, sizeof(sm));
		for (i = 0; i < SMPP_CHECK_TLV_MAX; i++) {
			if (tags[t] == 0x0427)
				raw_tlv8(&r, tags[t], 0xFF);
			else
				raw_tlv16(&r, tags[t], 0xFFFF);
		}
		raw_end(&r);
		assert_int_equal(smpp_pdu_parse_deliver(r.b, r.n, &d), 0);
		print_message("libsmpp34 log of the longest deliver_sm (tag 0x%04x): %zu octets\n",
			      tags[t], strlen(smpp34_strerror));
		assert_true(strlen(smpp34_strerror) + LIB_LOG_MARGIN < LIB_LOG_SIZE);
	}
}

static void test_redact(void **state)
{
	uint8_t out[RAW_CAP];
	struct raw r;
	size_t n;

	raw_deliver(&r, 0, 0, "SECRET", 6);
	raw_tlv(&r, 0x0424, "PAYLOAD", 7);
	raw_tlv16(&r, TAG_ITS, 0x4200);
	raw_end(&r);
	n = smpp_check_redact(r.b, r.n, out, sizeof(out));
	assert_int_equal(n, r.n);
	assert_memory_equal(out, r.b, SMPP_HDR_LEN);
	assert_null(memmem(out, n, "77011234567", 11));
	assert_null(memmem(out, n, "1234", 4));
	assert_null(memmem(out, n, "SECRET", 6));
	assert_null(memmem(out, n, "PAYLOAD", 7));
	assert_memory_equal(out + n - 2, "\x42\x00", 2);	/* its kept */

	/* a broken PDU: everything after the fault is blanked */
	raw_to_source(&r);
	raw_putmem(&r, "8613800138000123456789", 22);
	raw_end(&r);
	n = smpp_check_redact(r.b, r.n, out, 20);
	assert_int_equal(n, 20);
	assert_int_equal(out[19], '*');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_lying_umr),
		cmocka_unit_test(test_fixed_sizes),
		cmocka_unit_test(test_tlv_stream),
		cmocka_unit_test(test_tlv_count),
		cmocka_unit_test(test_cstrings),
		cmocka_unit_test(test_sm_length),
		cmocka_unit_test(test_addr_types),
		cmocka_unit_test(test_other_commands),
		cmocka_unit_test(test_data_sm),
		cmocka_unit_test(test_library_log_bound),
		cmocka_unit_test(test_redact),
	};
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_smpp_check");
	sgw_log_init(ctx, getenv("TEST_LOG") ? getenv("TEST_LOG") : "fatal", NULL);
	smpp_pdu_init(ctx);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
