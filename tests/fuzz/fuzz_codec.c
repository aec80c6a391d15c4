/*
 * fuzz_codec.c - differential fuzz target: the hand-written SMPP codec
 * (gateway/smpp/codec.c, reached through pdu.h) against libsmpp34, the
 * reference (smpp_oracle.h).
 *
 * The first octet chooses what the rest is:
 *   - even: a received PDU. It is given as it is, then with
 *     command_length set to its size and command_id set in turn to
 *     deliver_sm, data_sm and submit_sm_resp. The codec and the reference
 *     must agree on every one: both refuse it, or both accept it with the
 *     same struct smpp_deliver (or the same message_id, also into a buffer
 *     too small for it).
 *   - odd: a submit_sm to build. The next octets give the sequence
 *     number, TON/NPI, data coding, carriage, SAR and USSD fields and the
 *     lengths of the addresses and the validity period, which are cut from
 *     the octets after them; what is left is the user data. Both must
 *     refuse it, or both must write the same octets.
 *
 * libsmpp34 logs every field it unpacks into its global smpp34_strerror
 * through the cursor ptrerror without a bound (see fuzz_pdu.c); under make
 * fuzz it is built with ASan, which reports the overrun, and the cursor
 * is checked after every call in any build: smpp_check must keep every PDU
 * it accepts within that buffer.
 */
#include <errno.h>
#include <stdint.h>

#include <talloc.h>

#include <osmocom/core/msgb.h>

#include "fuzz.h"
#include "gateway/smpp/pdu.h"
#include "smpp_oracle.h"

/* libsmpp34's cursor into smpp34_strerror (exported, not declared). */
extern char *ptrerror;

static void *codec_ctx;

static void codec_init(void)
{
	if (codec_ctx)
		return;
	fuzz_log_init();
	/* one octet, so that LeakSanitizer sees pointers into it */
	codec_ctx = talloc_named_const(NULL, 1, "fuzz_codec");
	assert(codec_ctx);
	smpp_pdu_init(codec_ctx);
}

static void codec_check_log(void)
{
	assert(!ptrerror || (ptrerror >= smpp34_strerror &&
			     ptrerror <= smpp34_strerror +
					 sizeof(smpp34_strerror)));
}

static void codec_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Both readers on buf/len. */
static void codec_read(const uint8_t *buf, size_t len)
{
	static struct smpp_deliver a, b;
	static const size_t caps[] = { SMPP_MSGID_MAX, 5, 1 };
	char ia[SMPP_MSGID_MAX], ib[SMPP_MSGID_MAX];
	size_t i;
	int rc;

	rc = smpp_pdu_parse_deliver(buf, len, &a);
	assert(rc == oracle_deliver(buf, len, &b));
	codec_check_log();
	assert(oracle_same(&a, &b));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		rc = smpp_pdu_parse_submit_resp(buf, len, ia, caps[i]);
		assert(rc == oracle_submit_resp(buf, len, ib, caps[i]));
		codec_check_log();
		assert(!strcmp(ia, ib));
	}
}

static void codec_reads(const uint8_t *data, size_t size)
{
	static const uint32_t ids[] = {
		SMPP_DELIVER_SM, SMPP_DATA_SM, SMPP_SUBMIT_SM_RESP,
	};
	uint8_t *copy;
	size_t i;

	codec_read(data, size);
	if (size < SMPP_HDR_LEN || size > SMPP_PDU_MAX)
		return;
	copy = malloc(size);
	assert(copy);
	memcpy(copy, data, size);
	codec_put32(copy, size);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		codec_put32(copy + 4, ids[i]);
		codec_read(copy, size);
	}
	free(copy);
}

/* The fields of a submit_sm, taken from the input in this order. */
enum {
	CODEC_SEQ0, CODEC_SEQ1, CODEC_SRC_TON, CODEC_SRC_NPI, CODEC_DST_TON,
	CODEC_DST_NPI, CODEC_DCS, CODEC_RD, CODEC_LNG, CODEC_SAR_REF,
	CODEC_SAR_TOTAL, CODEC_SAR_SEQ, CODEC_USSD, CODEC_ITS, CODEC_SRC_LEN,
	CODEC_DST_LEN, CODEC_VP_LEN, CODEC_FIELDS
};

/* A string of n octets cut from the input at *p (fewer when fewer are
 * left, *left of them). */
static char *codec_str(const uint8_t **p, size_t *left, size_t n, char *out)
{
	if (n > *left)
		n = *left;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	*left -= n;
	return out;
}

static void codec_build(const uint8_t *data, size_t size)
{
	static uint8_t ref[ORACLE_PACK_BUF];
	char src[64], dst[64], vp[64];
	const uint8_t *f = data, *p = data + CODEC_FIELDS;
	size_t left = size - CODEC_FIELDS;
	struct smpp_submit s = { 0 };
	uint32_t seq = f[CODEC_SEQ0] << 8 | f[CODEC_SEQ1];
	struct msgb *msg;
	int n;

	s.src_ton = f[CODEC_SRC_TON] % 9;
	s.src_npi = f[CODEC_SRC_NPI] % 20;
	s.dst_ton = f[CODEC_DST_TON] % 9;
	s.dst_npi = f[CODEC_DST_NPI] % 20;
	s.data_coding = f[CODEC_DCS];
	s.registered_delivery = f[CODEC_RD];
	s.lng = f[CODEC_LNG] % 4;
	s.sar_ref = f[CODEC_SAR_REF] * 257;
	s.sar_total = f[CODEC_SAR_TOTAL] % 6;
	s.sar_seq = f[CODEC_SAR_SEQ] % 7;
	s.ussd = f[CODEC_USSD] & 1;
	s.ussd_op = f[CODEC_USSD] >> 1;
	s.has_its = f[CODEC_ITS] & 1;
	s.its = f[CODEC_ITS] * 131;
	/* strings may contain NULs: they end there, as C strings do */
	s.src = f[CODEC_SRC_LEN] & 0x80 ? NULL :
		codec_str(&p, &left, f[CODEC_SRC_LEN] % 24, src);
	s.dst = codec_str(&p, &left, f[CODEC_DST_LEN] % 24, dst);
	s.validity = f[CODEC_VP_LEN] & 0x80 ? NULL :
		     codec_str(&p, &left, f[CODEC_VP_LEN] % 20, vp);
	s.sm = left ? p : NULL;
	s.sm_len = left;
	msg = smpp_pdu_submit(codec_ctx, seq, &s);
	n = oracle_submit(seq, &s, ref, sizeof(ref));
	codec_check_log();
	assert((msg == NULL) == (n < 0));
	if (!msg)
		return;
	assert(msgb_length(msg) == (size_t)n);
	assert(!memcmp(msgb_data(msg), ref, n));
	msgb_free(msg);
}

FUZZ_TARGET(codec)
{
	codec_init();
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (size >= 1 + CODEC_FIELDS)
			codec_build(data + 1, size - 1);
	} else {
		codec_reads(data + 1, size - 1);
	}
	return 0;
}
