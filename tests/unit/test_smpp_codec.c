/*
 * test_smpp_codec.c - the hand-written codec of the message path
 * (gateway/smpp/codec.c, through pdu.h) against libsmpp34, the reference
 * (tests/fuzz/smpp_oracle.h).
 *
 * Seeded random PDUs, many thousands of each kind, go through both:
 *   - submit_sm: every carriage (plain, UDH, SAR, message_payload), USSD
 *     TLVs, GSM and UCS-2 data codings, strings and user data at and past
 *     their limits, TON/NPI values that exist and some that do not: the
 *     same octets out, or a refusal from both;
 *   - deliver_sm and data_sm: any TON/NPI, addresses and strings at and
 *     past their limits, UDHs (concatenation 8 and 16 bit, other IEs,
 *     broken ones), every TLV of SMPP 3.4 with right and wrong lengths,
 *     vendor and reserved tags, repeats, message_payload up to and past
 *     1,024 octets, too many TLVs, cut PDUs: the same verdict and the same
 *     struct smpp_deliver;
 *   - submit_sm_resp: message ids at and past 65 octets, statuses, bodies
 *     that are too long or empty.
 * Each test also counts what it covered, so that a generator that stopped
 * producing (say) accepted UDH PDUs fails instead of passing on nothing.
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

#include "gateway/log.h"
#include "rawpdu.h"
#include "gateway/smpp/pdu.h"
#include "../fuzz/smpp_oracle.h"

#define ROUNDS_SUBMIT	40000
#define ROUNDS_DELIVER	40000
#define ROUNDS_RESP	5000
#define SEED		20261205

static void *ctx;
static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: the same sequence on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static unsigned rnd_below(unsigned n)
{
	return rnd() % n;
}

static bool chance(unsigned percent)
{
	return rnd_below(100) < percent;
}

/* One of list, or (sometimes) any value. */
static unsigned pick(const unsigned *list, size_t n, unsigned any_pct,
		     unsigned any_max)
{
	if (chance(any_pct))
		return rnd_below(any_max + 1);
	return list[rnd_below(n)];
}

#define PICK(list, pct, max)	pick(list, ARRAY_LEN(list), pct, max)
#define ARRAY_LEN(a)		(sizeof(a) / sizeof((a)[0]))

static void rnd_digits(char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = '0' + rnd_below(10);
	out[n] = '\0';
}

static void rnd_bytes(uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = rnd();
}

/* Lengths around the limits, or anything up to max. */
static const unsigned str_lens[] = { 0, 1, 5, 11, 15, 16, 17, 19, 20 };
static const unsigned tons[] = { 0, 1, 2, 3, 4, 5, 6 };
static const unsigned npis[] = { 0, 1, 3, 4, 6, 8, 9, 10, 14, 18 };

/* A string length, past the 20 octets of an address now and then. */
static unsigned addr_len(void)
{
	return chance(4) ? 21 + rnd_below(2) : PICK(str_lens, 0, 0);
}
static const unsigned dcss[] = { 0, 1, 3, 4, 8, 0x0F, 0xF0 };

/* ------------------------------------------------------------------------
 * submit_sm
 */

/* User data for carriage lng: a UDH in front for SMPP_LONG_UDH (right
 * most of the time), UCS-2 pairs or GSM octets, lengths at the edges. */
static size_t gen_ud(uint8_t *ud, size_t cap, enum smpp_long lng)
{
	static const unsigned sm_lens[] = {
		0, 1, 2, 6, 7, 134, 140, 152, 153, 160, 252, 253, 254, 255,
	};
	static const unsigned pl_lens[] = {
		0, 1, 254, 255, 300, 1000, 1023, 1024, 1025,
	};
	size_t n = lng == SMPP_LONG_PAYLOAD ? PICK(pl_lens, 20, 1100)
					    : PICK(sm_lens, 20, 260);

	if (n > cap)
		n = cap;
	rnd_bytes(ud, n);
	if (lng == SMPP_LONG_UDH && n >= 6 && chance(85)) {
		ud[0] = 5;		/* UDHL */
		ud[1] = 0x00;		/* 8-bit concatenation */
		ud[2] = 3;
		ud[4] = 1 + rnd_below(8);
		ud[5] = 1 + rnd_below(ud[4]);
	}
	return n;
}

static void gen_submit(struct smpp_submit *s, char *src, char *dst,
		       char *validity, uint8_t *ud, size_t ud_cap)
{
	static const unsigned lngs[] = {
		SMPP_LONG_NONE, SMPP_LONG_UDH, SMPP_LONG_SAR,
		SMPP_LONG_PAYLOAD,
	};
	static const unsigned vlens[] = { 0, 15, 16, 17 };

	memset(s, 0, sizeof(*s));
	rnd_digits(src, addr_len());
	rnd_digits(dst, addr_len());
	rnd_digits(validity, PICK(vlens, 0, 0));
	s->src = chance(10) ? NULL : src;
	s->dst = dst;
	s->validity = validity[0] ? validity : (chance(50) ? NULL : "");
	s->src_ton = PICK(tons, 3, 255);
	s->src_npi = PICK(npis, 3, 255);
	s->dst_ton = PICK(tons, 3, 255);
	s->dst_npi = PICK(npis, 3, 255);
	s->data_coding = PICK(dcss, 30, 255);
	s->registered_delivery = chance(50) ? rnd_below(2) : rnd();
	s->lng = lngs[rnd_below(ARRAY_LEN(lngs))];
	s->sm = ud;
	s->sm_len = gen_ud(ud, ud_cap, s->lng);
	if (s->sm_len == 0 && chance(50))
		s->sm = NULL;
	s->sar_ref = rnd();
	s->sar_total = rnd_below(5);
	s->sar_seq = rnd_below(6);
	s->ussd = chance(20);
	s->ussd_op = chance(80) ? PICK(((const unsigned[]){ 1, 2, 17, 18 }),
					0, 0) : rnd();
	s->has_its = chance(20);
	s->its = rnd();
}

static void test_submit_same_octets(void **state)
{
	static uint8_t ud[SMPP_PAYLOAD_MAX + 100], ref[ORACLE_PACK_BUF];
	char src[32], dst[32], validity[32];
	unsigned built = 0, refused = 0, kinds[4] = { 0 }, i;
	struct smpp_submit s;

	rng_state = SEED;
	for (i = 0; i < ROUNDS_SUBMIT; i++) {
		uint32_t seq = chance(2) ? rnd_below(3) : 1 + rnd_below(SMPP_SEQ_MAX);
		struct msgb *msg;
		int n;

		if (chance(1))
			seq = SMPP_SEQ_MAX + rnd_below(2);
		gen_submit(&s, src, dst, validity, ud, sizeof(ud));
		msg = smpp_pdu_submit(ctx, seq, &s);
		n = oracle_submit(seq, &s, ref, sizeof(ref));
		if (n < 0) {
			assert_null(msg);
			refused++;
			continue;
		}
		assert_non_null(msg);
		assert_int_equal(msgb_length(msg), n);
		assert_memory_equal(msgb_data(msg), ref, n);
		msgb_free(msg);
		built++;
		kinds[s.lng]++;
	}
	/* both outcomes, and every carriage built, many times */
	assert_true(built > ROUNDS_SUBMIT / 10);
	assert_true(refused > ROUNDS_SUBMIT / 10);
	for (i = 0; i < ARRAY_LEN(kinds); i++)
		assert_true(kinds[i] > 500);
}

/* ------------------------------------------------------------------------
 * deliver_sm and data_sm
 */

/* Every TLV of SMPP 3.4 5.3.2 with the length its value has (min..max),
 * and vendor / reserved tags. */
static const struct gen_tlv {
	uint16_t tag, min, max;
} gen_tlvs[] = {
	{ 0x0005, 1, 1 }, { 0x0006, 1, 1 }, { 0x0007, 1, 1 }, { 0x0008, 2, 2 },
	{ 0x000D, 1, 1 }, { 0x000E, 1, 1 }, { 0x000F, 1, 1 }, { 0x0010, 1, 1 },
	{ 0x0017, 4, 4 }, { 0x0019, 1, 1 }, { 0x001D, 1, 256 },
	{ 0x001E, 1, 65 }, { 0x0030, 1, 1 }, { 0x0201, 1, 1 },
	{ 0x0202, 2, 23 }, { 0x0203, 2, 23 }, { 0x0204, 2, 2 },
	{ 0x0205, 1, 1 }, { 0x020A, 2, 2 }, { 0x020B, 2, 2 }, { 0x020C, 2, 2 },
	{ 0x020D, 1, 1 }, { 0x020E, 1, 1 }, { 0x020F, 1, 1 }, { 0x0210, 1, 1 },
	{ 0x0302, 1, 1 }, { 0x0303, 1, 65 }, { 0x0304, 1, 1 },
	{ 0x0381, 4, 19 }, { 0x0420, 1, 1 }, { 0x0421, 1, 1 },
	{ 0x0422, 1, 1 }, { 0x0423, 3, 3 }, { 0x0424, 0, 1024 },
	{ 0x0425, 1, 1 }, { 0x0426, 1, 1 }, { 0x0427, 1, 1 }, { 0x0501, 1, 1 },
	{ 0x1201, 1, 1 }, { 0x1203, 2, 2 }, { 0x1204, 1, 1 }, { 0x130C, 0, 0 },
	{ 0x1380, 1, 1 }, { 0x1383, 2, 2 },
	{ 0x1401, 0, 64 }, { 0x3FFF, 0, 8 }, { 0x4000, 0, 8 }, { 0xFFFE, 0, 8 },
	{ 0x0001, 0, 8 },
};

/* The TLVs we read, more often than the rest. */
static const unsigned read_tags[] = {
	0x001E, 0x0204, 0x020C, 0x020E, 0x020F, 0x0424, 0x0427, 0x0501, 0x1383,
};

static const struct gen_tlv *gen_tlv_pick(void)
{
	unsigned tag, i;

	if (chance(50))
		return &gen_tlvs[rnd_below(ARRAY_LEN(gen_tlvs))];
	tag = read_tags[rnd_below(ARRAY_LEN(read_tags))];
	for (i = 0; i < ARRAY_LEN(gen_tlvs); i++)
		if (gen_tlvs[i].tag == tag)
			return &gen_tlvs[i];
	return &gen_tlvs[0];
}

static void gen_one_tlv(struct raw *r)
{
	const struct gen_tlv *t = gen_tlv_pick();
	uint8_t v[1100];
	unsigned len = t->min + rnd_below(t->max - t->min + 1);

	if (chance(1))
		len = rnd_below(t->max + 3);	/* often a wrong length */
	if (t->tag == 0x0424 && chance(20))
		len = chance(80) ? 1024 : 1025;
	rnd_bytes(v, len);
	if (t->tag == 0x001E && len && chance(70)) {	/* an id, NUL or not */
		rnd_digits((char *)v, len - 1);
		if (chance(50))
			v[len - 1] = '7';
	}
	if (t->tag == 0x020E || t->tag == 0x020F)	/* sensible SAR mostly */
		v[0] = chance(80) ? 1 + rnd_below(4) : v[0];
	if (r->n + 4 + len > RAW_CAP)
		return;
	raw_tlv(r, t->tag, v, len);
}

/* A user data header: concatenation 8 or 16 bit, a port IE, or junk. */
static size_t gen_udh(uint8_t *ud)
{
	size_t n = 0;

	switch (rnd_below(5)) {
	case 0:		/* 8-bit concatenation */
		ud[n++] = 5; ud[n++] = 0x00; ud[n++] = 3; ud[n++] = rnd();
		ud[n++] = rnd_below(4); ud[n++] = rnd_below(5);
		break;
	case 1:		/* port IE, then 16-bit concatenation */
		ud[n++] = 12; ud[n++] = 0x05; ud[n++] = 4;
		rnd_bytes(ud + n, 4); n += 4;
		ud[n++] = 0x08; ud[n++] = 4; ud[n++] = rnd(); ud[n++] = rnd();
		ud[n++] = 1 + rnd_below(3); ud[n++] = 1 + rnd_below(3);
		break;
	case 2:		/* a concatenation IE of the wrong length */
		ud[n++] = 4; ud[n++] = 0x00; ud[n++] = 2; ud[n++] = 1;
		ud[n++] = 1;
		break;
	case 3:		/* UDHL beyond the data, or an IE that runs over */
		ud[n++] = 200; ud[n++] = 0x00; ud[n++] = 3;
		break;
	default:	/* anything */
		ud[n++] = rnd_below(8);
		rnd_bytes(ud + n, 7);
		n += 7;
		break;
	}
	return n;
}

static void gen_cstr(struct raw *r, unsigned max_len)
{
	char s[80];

	rnd_digits(s, rnd_below(max_len + 1));
	raw_putstr(r, s);
}

/* The mandatory part of a deliver_sm (or data_sm) with random fields. */
static void gen_deliver_fields(struct raw *r, bool data_sm, bool *udhi)
{
	static const unsigned esms[] = { 0, 0x04, 0x08, 0x20, 0x40, 0x44, 0x60 };
	uint8_t esm = PICK(esms, 10, 255);

	raw_hdr(r, data_sm ? SMPP_DATA_SM : SMPP_DELIVER_SM,
		chance(95) ? 0 : rnd(), chance(2) ? 0 : rnd());
	gen_cstr(r, chance(98) ? 5 : 7);			/* service_type */
	raw_put8(r, PICK(tons, 1, 255));
	raw_put8(r, PICK(npis, 1, 255));
	gen_cstr(r, addr_len());				/* source_addr */
	raw_put8(r, PICK(tons, 1, 255));
	raw_put8(r, PICK(npis, 1, 255));
	gen_cstr(r, addr_len());			/* destination_addr */
	raw_put8(r, esm);
	*udhi = esm & SMPP_ESM_UDHI;
	if (data_sm) {
		raw_put8(r, rnd_below(2));		/* registered_delivery */
		raw_put8(r, PICK(dcss, 30, 255));
		return;
	}
	raw_put8(r, rnd_below(2));				/* protocol_id */
	raw_put8(r, 0);						/* priority_flag */
	gen_cstr(r, chance(99) ? 0 : 1);		/* schedule_delivery_time */
	gen_cstr(r, chance(99) ? 0 : 1);			/* validity_period */
	raw_put8(r, 0);
	raw_put8(r, 0);
	raw_put8(r, PICK(dcss, 30, 255));
	raw_put8(r, 0);
}

static void gen_short_message(struct raw *r, bool udhi)
{
	static const unsigned sm_lens[] = { 0, 1, 8, 70, 140, 160, 253, 254 };
	uint8_t sm[300];
	size_t n = PICK(sm_lens, 30, 254);

	rnd_bytes(sm, n);
	if (udhi && n >= 16 && chance(80))
		gen_udh(sm);
	if (chance(2)) {			/* sm_length past the end or 255 */
		raw_put8(r, chance(50) ? 255 : n + 1);
		raw_putmem(r, sm, n);
		return;
	}
	raw_put8(r, n);
	raw_putmem(r, sm, n);
}

static void gen_deliver(struct raw *r)
{
	bool data_sm = chance(25), udhi;
	unsigned n_tlvs = chance(5) ? 17 + rnd_below(3) : rnd_below(6), i;

	gen_deliver_fields(r, data_sm, &udhi);
	if (!data_sm)
		gen_short_message(r, udhi);
	for (i = 0; i < n_tlvs; i++)
		gen_one_tlv(r);
	raw_end(r);
	if (chance(2) && r->n > SMPP_HDR_LEN) {	/* cut short */
		r->n -= 1 + rnd_below(r->n - SMPP_HDR_LEN);
		raw_end(r);
	}
}

struct deliver_seen {
	unsigned ok, refused, concat, receipt, ussd, payload, udh, data_sm;
};

static void deliver_count(struct deliver_seen *s, const struct smpp_deliver *d,
			  const struct raw *r)
{
	s->ok++;
	s->concat += d->concat;
	s->receipt += d->has_receipted_id;
	s->ussd += d->has_ussd_op && d->has_its;
	s->payload += d->ud_len > SMPP_SM_MAX;
	s->udh += d->text != d->ud;
	s->data_sm += r->b[7] == (SMPP_DATA_SM & 0xff);
}

static void test_deliver_same_struct(void **state)
{
	static struct smpp_deliver a, b;
	struct deliver_seen seen = { 0 };
	static struct raw r;
	unsigned i;

	rng_state = SEED + 1;
	for (i = 0; i < ROUNDS_DELIVER; i++) {
		int rc;

		gen_deliver(&r);
		rc = smpp_pdu_parse_deliver(r.b, r.n, &a);
		assert_int_equal(rc, oracle_deliver(r.b, r.n, &b));
		assert_true(oracle_same(&a, &b));
		if (rc == 0)
			deliver_count(&seen, &a, &r);
		else
			seen.refused++;
	}
	assert_true(seen.ok > ROUNDS_DELIVER / 4);
	assert_true(seen.refused > ROUNDS_DELIVER / 10);
	assert_true(seen.concat > 100);
	assert_true(seen.receipt > 100);
	assert_true(seen.ussd > 20);
	assert_true(seen.payload > 20);
	assert_true(seen.udh > 100);
	assert_true(seen.data_sm > 1000);
}

/* Every PDU the hand encoder makes reads back the same way by both. */
static void test_submit_reads_back(void **state)
{
	static uint8_t ud[SMPP_PAYLOAD_MAX + 100];
	char src[32], dst[32], validity[32];
	unsigned checked = 0, i;
	struct smpp_submit s;

	rng_state = SEED + 2;
	for (i = 0; i < ROUNDS_SUBMIT / 4; i++) {
		struct msgb *msg;
		submit_sm_t sm;

		gen_submit(&s, src, dst, validity, ud, sizeof(ud));
		msg = smpp_pdu_submit(ctx, 1 + i, &s);
		if (!msg)
			continue;
		memset(&sm, 0, sizeof(sm));
		assert_int_equal(smpp34_unpack(SUBMIT_SM, &sm, msgb_data(msg),
					       msgb_length(msg)), 0);
		assert_int_equal(sm.command_length, msgb_length(msg));
		assert_int_equal(sm.sequence_number, 1 + i);
		assert_string_equal((char *)sm.destination_addr, s.dst);
		assert_int_equal(sm.data_coding, s.data_coding);
		if (s.lng != SMPP_LONG_PAYLOAD) {
			assert_int_equal(sm.sm_length, s.sm_len);
			assert_memory_equal(sm.short_message, s.sm ? s.sm : ud,
					    s.sm_len);
		}
		destroy_tlv(sm.tlv);
		msgb_free(msg);
		checked++;
	}
	assert_true(checked > ROUNDS_SUBMIT / 40);
}

/* ------------------------------------------------------------------------
 * submit_sm_resp
 */

static void test_submit_resp_same(void **state)
{
	static const unsigned id_lens[] = { 0, 1, 8, 36, 63, 64, 65, 66 };
	static const unsigned caps[] = { 0, 1, 4, 9, SMPP_MSGID_MAX };
	char a[SMPP_MSGID_MAX], b[SMPP_MSGID_MAX], id[80];
	unsigned ok = 0, refused = 0, i;
	struct raw r;

	rng_state = SEED + 3;
	for (i = 0; i < ROUNDS_RESP; i++) {
		size_t cap = PICK(caps, 0, 0);
		int rc;

		raw_hdr(&r, chance(95) ? SMPP_SUBMIT_SM_RESP : SMPP_DELIVER_SM_RESP,
			chance(70) ? 0 : PICK(((const unsigned[]){ 0x58, 0x14, 0x401 }), 0, 0),
			rnd());
		if (chance(90)) {
			rnd_digits(id, PICK(id_lens, 0, 0));
			raw_putmem(&r, id, strlen(id) + (chance(95) ? 1 : 0));
		}
		if (chance(5))
			raw_put8(&r, 'x');
		raw_end(&r);
		rc = smpp_pdu_parse_submit_resp(r.b, r.n, a, cap);
		assert_int_equal(rc, oracle_submit_resp(r.b, r.n, b, cap));
		if (cap)
			assert_string_equal(a, b);
		if (rc == 0)
			ok++;
		else
			refused++;
	}
	assert_true(ok > ROUNDS_RESP / 4);
	assert_true(refused > ROUNDS_RESP / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_same_octets),
		cmocka_unit_test(test_submit_reads_back),
		cmocka_unit_test(test_deliver_same_struct),
		cmocka_unit_test(test_submit_resp_same),
	};
	int rc;

	ctx = talloc_named_const(NULL, 0, "test_smpp_codec");
	sgw_log_init(ctx, getenv("TEST_LOG") ? getenv("TEST_LOG") : "fatal", NULL);
	smpp_pdu_init(ctx);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
