/*
 * test_dlr.c - unit tests of gateway/smpp/dlr.c.
 *
 * The text form in the spellings SMSCs use (upper and lower case keys,
 * fields reordered, extra spaces, fields missing, unknown words), always
 * handed over in a buffer with no NUL after it so that ASan catches a read
 * past len; receipts from decoded deliver_sm structs (TLVs, text, both,
 * neither); state names and finality; id normalisation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/smpp/dlr.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define STD_RECEIPT "id:1A2B sub:001 dlvrd:001 submit date:2611301200 " \
		    "done date:2611301201 stat:DELIVRD err:000 text:Hello"

/* Parse s from a heap buffer of exactly strlen(s) octets: no NUL. */
static int parse_exact(const char *s, struct dlr *d)
{
	size_t n = strlen(s);
	char *buf = malloc(n ? n : 1);
	int rc;

	assert_non_null(buf);
	memcpy(buf, s, n);
	rc = dlr_parse_text(buf, n, d);
	free(buf);
	return rc;
}

static void test_text_standard(void **state)
{
	struct dlr d;

	assert_int_equal(parse_exact(STD_RECEIPT, &d), 0);
	assert_string_equal(d.id, "1A2B");
	assert_int_equal(d.state, MTQ_RCPT_DELIVERED);
	assert_int_equal(d.err, 0);
}

static void test_text_variants(void **state)
{
	static const struct {
		const char *text;
		const char *id;
		enum mtq_rcpt st;
		int err;
	} cases[] = {
		{ "ID:77 SUB:001 DLVRD:000 SUBMIT DATE:2611301200 DONE DATE:"
		  "2611301201 STAT:UNDELIV ERR:012 TEXT:x", "77",
		  MTQ_RCPT_UNDELIVERABLE, 12 },
		{ "stat:expired id:abc", "abc", MTQ_RCPT_EXPIRED, -1 },
		{ "  id:5   stat:ACCEPTD    err:1  ", "5", MTQ_RCPT_ACCEPTED, 1 },
		{ "id: 42 stat: REJECTD err: 7", "42", MTQ_RCPT_REJECTED, 7 },
		{ "id:9 stat:DELETED err:abc", "9", MTQ_RCPT_DELETED, -1 },
		{ "id:9 stat:UNKNOWN", "9", MTQ_RCPT_UNKNOWN, -1 },
		{ "id:9 stat:ENROUTE err:", "9", MTQ_RCPT_ENROUTE, -1 },
		{ "id:9 stat:Delivered", "9", MTQ_RCPT_DELIVERED, -1 },
		{ "id:9 stat:UNDELIVERABLE", "9", MTQ_RCPT_UNDELIVERABLE, -1 },
		{ "id:9 stat:FAILED", "9", MTQ_RCPT_UNKNOWN, -1 },
		{ "foo bar id:9 baz:1 stat:DELIVRD", "9", MTQ_RCPT_DELIVERED, -1 },
		/* text: runs to the end and is not searched */
		{ "id:9 stat:DELIVRD text:id:1 stat:REJECTD err:5", "9",
		  MTQ_RCPT_DELIVERED, -1 },
		{ "id:9 stat:DELIVRD err:99999999999", "9", MTQ_RCPT_DELIVERED, -1 },
		{ "id:0001 stat:DELIVRD err:0", "0001", MTQ_RCPT_DELIVERED, 0 },
	};
	struct dlr d;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(parse_exact(cases[i].text, &d), 0);
		assert_string_equal(d.id, cases[i].id);
		assert_int_equal(d.state, cases[i].st);
		assert_int_equal(d.err, cases[i].err);
	}
}

static void test_text_invalid(void **state)
{
	static const char *const cases[] = {
		"",
		"   ",
		"stat:DELIVRD err:000",			/* no id */
		"id:1A2B sub:001 err:000",		/* no stat */
		"id: stat:DELIVRD",			/* empty id */
		"id:1 stat:",				/* empty stat */
		"text:id:1 stat:DELIVRD",		/* only inside text */
		"hello world",
		("id:012345678901234567890123456789012345678901234567890123"
		 "45678901234 stat:DELIVRD"),		/* id of 65 > 64 */
	};
	struct dlr d;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(parse_exact(cases[i], &d), -EINVAL);
	assert_int_equal(dlr_parse_text(NULL, 0, &d), -EINVAL);
}

/* Every prefix of a receipt: never a read past len. */
static void test_text_prefixes(void **state)
{
	const char *s = STD_RECEIPT;
	size_t n, full = strlen(s);
	struct dlr d;

	for (n = 0; n <= full; n++) {
		char *buf = malloc(n ? n : 1);
		int rc;

		memcpy(buf, s, n);
		rc = dlr_parse_text(buf, n, &d);
		assert_true(rc == 0 || rc == -EINVAL);
		free(buf);
	}
	/* 64 characters of id is the most that fits */
	assert_int_equal(parse_exact("id:0123456789012345678901234567890123"
				     "456789012345678901234567890123 stat:"
				     "DELIVRD", &d), 0);
	assert_int_equal(strlen(d.id), SMPP_MSGID_MAX - 1);
}

static void deliver_init(struct smpp_deliver *dl, const char *text)
{
	memset(dl, 0, sizeof(*dl));
	dl->msg_state = -1;
	dl->is_receipt = true;
	dl->text = dl->ud;
	if (text) {
		dl->ud_len = strlen(text);
		memcpy(dl->ud, text, dl->ud_len);
		dl->text_len = dl->ud_len;
	}
}

static void test_from_deliver(void **state)
{
	struct smpp_deliver dl;
	struct dlr d;

	/* TLVs only */
	deliver_init(&dl, NULL);
	dl.has_receipted_id = true;
	strcpy(dl.receipted_id, "ABC");
	dl.msg_state = MTQ_RCPT_EXPIRED;
	assert_int_equal(dlr_from_deliver(&dl, &d), 0);
	assert_string_equal(d.id, "ABC");
	assert_int_equal(d.state, MTQ_RCPT_EXPIRED);
	assert_int_equal(d.err, -1);

	/* TLVs win over the text; err comes from the text */
	deliver_init(&dl, "id:1 stat:UNDELIV err:034");
	dl.has_receipted_id = true;
	strcpy(dl.receipted_id, "XYZ");
	dl.msg_state = MTQ_RCPT_DELIVERED;
	assert_int_equal(dlr_from_deliver(&dl, &d), 0);
	assert_string_equal(d.id, "XYZ");
	assert_int_equal(d.state, MTQ_RCPT_DELIVERED);
	assert_int_equal(d.err, 34);

	/* text only */
	deliver_init(&dl, STD_RECEIPT);
	assert_int_equal(dlr_from_deliver(&dl, &d), 0);
	assert_string_equal(d.id, "1A2B");
	assert_int_equal(d.state, MTQ_RCPT_DELIVERED);
	assert_int_equal(d.err, 0);

	/* receipted id from the TLV, state from the text */
	deliver_init(&dl, "id:1 stat:REJECTD");
	dl.has_receipted_id = true;
	strcpy(dl.receipted_id, "T1");
	assert_int_equal(dlr_from_deliver(&dl, &d), 0);
	assert_string_equal(d.id, "T1");
	assert_int_equal(d.state, MTQ_RCPT_REJECTED);

	/* an out-of-range message_state is no state */
	deliver_init(&dl, NULL);
	dl.has_receipted_id = true;
	strcpy(dl.receipted_id, "T1");
	dl.msg_state = 9;
	assert_int_equal(dlr_from_deliver(&dl, &d), -EINVAL);

	/* neither; and not a receipt at all */
	deliver_init(&dl, "just a message");
	assert_int_equal(dlr_from_deliver(&dl, &d), -EINVAL);
	deliver_init(&dl, STD_RECEIPT);
	dl.is_receipt = false;
	assert_int_equal(dlr_from_deliver(&dl, &d), -EINVAL);
}

static void test_states(void **state)
{
	static const struct {
		enum mtq_rcpt s;
		bool final;
		const char *name;
	} cases[] = {
		{ MTQ_RCPT_ENROUTE, false, "ENROUTE" },
		{ MTQ_RCPT_DELIVERED, true, "DELIVRD" },
		{ MTQ_RCPT_EXPIRED, true, "EXPIRED" },
		{ MTQ_RCPT_DELETED, true, "DELETED" },
		{ MTQ_RCPT_UNDELIVERABLE, true, "UNDELIV" },
		{ MTQ_RCPT_ACCEPTED, false, "ACCEPTD" },
		{ MTQ_RCPT_UNKNOWN, false, "UNKNOWN" },
		{ MTQ_RCPT_REJECTED, true, "REJECTD" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(mtq_rcpt_final(cases[i].s), cases[i].final);
		assert_string_equal(dlr_state_str(cases[i].s), cases[i].name);
	}
	assert_false(mtq_rcpt_final((enum mtq_rcpt)0));
	assert_string_equal(dlr_state_str((enum mtq_rcpt)0), "INVALID");
}

static void test_id_normalise(void **state)
{
	static const struct {
		const char *in;
		enum config_id_fmt fmt;
		const char *out;
	} cases[] = {
		{ "1A2B", CONFIG_ID_HEX, "6699" },
		{ "1a2b", CONFIG_ID_HEX, "6699" },
		{ "0", CONFIG_ID_HEX, "0" },
		{ "00ff", CONFIG_ID_HEX, "255" },
		{ "FFFFFFFFFFFFFFFF", CONFIG_ID_HEX, "18446744073709551615" },
		{ "10000000000000000", CONFIG_ID_HEX, "10000000000000000" },
		{ "0x1A", CONFIG_ID_HEX, "0x1A" },
		{ "12-34", CONFIG_ID_HEX, "12-34" },
		{ "", CONFIG_ID_HEX, "" },
		{ "000123", CONFIG_ID_DEC, "123" },
		{ "0", CONFIG_ID_DEC, "0" },
		{ "0000", CONFIG_ID_DEC, "0" },
		{ "123", CONFIG_ID_DEC, "123" },
		{ "00A1", CONFIG_ID_DEC, "00A1" },
		{ "", CONFIG_ID_DEC, "" },
		{ "00aBc", CONFIG_ID_ASIS, "00aBc" },
	};
	char out[SMPP_MSGID_MAX];
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(dlr_id_normalise(cases[i].in, cases[i].fmt,
						  out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].out);
	}
	/* the buffer must hold the result and its NUL */
	assert_int_equal(dlr_id_normalise("1A2B", CONFIG_ID_HEX, out, 5), 0);
	assert_string_equal(out, "6699");
	assert_int_equal(dlr_id_normalise("1A2B", CONFIG_ID_HEX, out, 4), -ENOSPC);
	assert_int_equal(dlr_id_normalise("000123", CONFIG_ID_DEC, out, 4), 0);
	assert_int_equal(dlr_id_normalise("abcdef", CONFIG_ID_ASIS, out, 6),
			 -ENOSPC);
	assert_int_equal(dlr_id_normalise("abc", CONFIG_ID_ASIS, out, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_standard),
		cmocka_unit_test(test_text_variants),
		cmocka_unit_test(test_text_invalid),
		cmocka_unit_test(test_text_prefixes),
		cmocka_unit_test(test_from_deliver),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_id_normalise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
