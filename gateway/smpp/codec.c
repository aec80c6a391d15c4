/*
 * codec.c - the PDUs of the message path, written and read by hand:
 * submit_sm out; submit_sm_resp, deliver_sm and data_sm in.
 *
 * These are the PDUs of every MT and MO, tens of thousands a second.
 * libsmpp34 formats every field it packs or unpacks into a global trace
 * buffer with snprintf(), which cost more than the rest of a submit_sm's
 * life outside SQLite; so they are coded here, field by field as SMPP 3.4
 * section 4 lists them. libsmpp34 stays the reference: the unit test
 * test_smpp_codec and the fuzz target fuzz_codec code the same PDUs with
 * it and require the same octets out and the same struct smpp_deliver in
 * (every field, TLV order, repeated TLVs: the last one wins, as it does
 * when libsmpp34's reversed TLV list is searched by tag).
 *
 * Writing trusts its input: pdu.c has checked every length and value
 * first. Reading expects a PDU that smpp_check_pdu accepted, but does not
 * rely on it for memory safety: every read is bounded by the PDU, and
 * what libsmpp34 would refuse is refused here too.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <osmocom/core/bit16gen.h>
#include <osmocom/core/bit32gen.h>
#include <osmocom/core/utils.h>

#include "codec.h"

/* SMPP 3.4 5.3.2: the TLV tags written or read here */
#define TLV_RECEIPTED_MSG_ID	0x001E
#define TLV_USER_MSG_REF	0x0204
#define TLV_SAR_MSG_REF_NUM	0x020C
#define TLV_SAR_TOTAL		0x020E
#define TLV_SAR_SEQNUM		0x020F
#define TLV_MESSAGE_PAYLOAD	0x0424
#define TLV_MESSAGE_STATE	0x0427
#define TLV_USSD_SERVICE_OP	0x0501
#define TLV_ITS_SESSION_INFO	0x1383

#define TLV_HDR_LEN		4
#define TLV_VALUE_MAX		1024	/* any other TLV, as libsmpp34 holds */
#define TLV_MSGID_MAX		65	/* receipted_message_id */

/* The longest C-Octet strings libsmpp34 reads, NUL included. */
#define CSTR_SERVICE_TYPE	6
#define CSTR_ADDR		21
#define CSTR_DATA_SM_DST	65
#define CSTR_DELIVER_TIME	1	/* NULL in a deliver_sm */
#define SM_LEN_MAX		254	/* short_message octets read */

/* esm_class message types that carry a receipt (SMPP 3.4 5.2.12) */
#define ESM_INTERMEDIATE	0x20	/* intermediate delivery notification */

/* SMPP 3.4 5.2.5 and 5.2.6: the largest TON, and the NPI values */
#define TON_MAX			6	/* abbreviated */
#define NPI_UNKNOWN		0
#define NPI_E164		1
#define NPI_X121		3
#define NPI_TELEX		4
#define NPI_E212		6
#define NPI_NATIONAL		8
#define NPI_PRIVATE		9
#define NPI_ERMES		10
#define NPI_INTERNET		14
#define NPI_WAP			18

/* GSM 03.40 9.2.3.24: user data header information elements */
#define UDH_IEI_CONCAT8		0x00
#define UDH_IEI_CONCAT16	0x08
#define UDH_IEL_CONCAT8		3
#define UDH_IEL_CONCAT16	4
#define UDH_IE_HDR		2	/* IEI + IEL */

/* ---- writing --------------------------------------------------------- */

/* Fixed octets of a submit_sm around its strings and user data: header,
 * service_type (NUL), 2 x TON/NPI, esm_class, protocol_id, priority_flag,
 * schedule_delivery_time (NUL), registered_delivery,
 * replace_if_present_flag, data_coding, sm_default_msg_id, sm_length. */
#define SUBMIT_FIXED		(SMPP_HDR_LEN + 1 + 2 + 2 + 3 + 1 + 4 + 1)

static size_t str_len(const char *s)
{
	return s ? strlen(s) : 0;
}

static bool submit_has_sar(const struct smpp_submit *s)
{
	return s->lng == SMPP_LONG_SAR;
}

size_t smpp_codec_submit_len(const struct smpp_submit *s)
{
	size_t n = SUBMIT_FIXED + str_len(s->src) + 1 + str_len(s->dst) + 1 +
		   str_len(s->validity) + 1;

	if (s->lng == SMPP_LONG_PAYLOAD)
		n += TLV_HDR_LEN + s->sm_len;
	else
		n += s->sm_len;
	if (submit_has_sar(s))
		n += 3 * TLV_HDR_LEN + 2 + 1 + 1;
	if (s->ussd)
		n += TLV_HDR_LEN + 1;
	if (s->has_its)
		n += TLV_HDR_LEN + 2;
	return n;
}

static uint8_t *put8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	osmo_store16be(v, p);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	osmo_store32be(v, p);
	return p + 4;
}

static uint8_t *put_mem(uint8_t *p, const void *v, size_t n)
{
	if (n)
		memcpy(p, v, n);
	return p + n;
}

/* A C-Octet string with its NUL; NULL is "". */
static uint8_t *put_cstr(uint8_t *p, const char *s)
{
	p = put_mem(p, s, str_len(s));
	return put8(p, 0);
}

static uint8_t *put_tlv_hdr(uint8_t *p, uint16_t tag, uint16_t len)
{
	return put16(put16(p, tag), len);
}

/* The TLVs in the order libsmpp34 writes them: it prepends each one it
 * is given, and pdu.c used to give message_payload, the SAR triple
 * (reference, total, number), ussd_service_op and its_session_info in
 * that order, so they leave in the reverse one. */
static uint8_t *submit_tlvs(uint8_t *p, const struct smpp_submit *s)
{
	if (s->has_its)
		p = put16(put_tlv_hdr(p, TLV_ITS_SESSION_INFO, 2), s->its);
	if (s->ussd)
		p = put8(put_tlv_hdr(p, TLV_USSD_SERVICE_OP, 1), s->ussd_op);
	if (submit_has_sar(s)) {
		p = put8(put_tlv_hdr(p, TLV_SAR_SEQNUM, 1), s->sar_seq);
		p = put8(put_tlv_hdr(p, TLV_SAR_TOTAL, 1), s->sar_total);
		p = put16(put_tlv_hdr(p, TLV_SAR_MSG_REF_NUM, 2), s->sar_ref);
	}
	if (s->lng == SMPP_LONG_PAYLOAD)
		p = put_mem(put_tlv_hdr(p, TLV_MESSAGE_PAYLOAD, s->sm_len),
			    s->sm, s->sm_len);
	return p;
}

size_t smpp_codec_submit(uint8_t *buf, uint32_t seq,
			 const struct smpp_submit *s)
{
	size_t len = smpp_codec_submit_len(s);
	bool payload = s->lng == SMPP_LONG_PAYLOAD;
	uint8_t *p = buf;

	p = put32(p, len);
	p = put32(p, SMPP_SUBMIT_SM);
	p = put32(p, SMPP_ESME_ROK);
	p = put32(p, seq);
	p = put8(p, 0);				/* service_type "" */
	p = put8(p, s->src_ton);
	p = put8(p, s->src_npi);
	p = put_cstr(p, s->src);
	p = put8(p, s->dst_ton);
	p = put8(p, s->dst_npi);
	p = put_cstr(p, s->dst);
	p = put8(p, s->lng == SMPP_LONG_UDH ? SMPP_ESM_UDHI : 0);
	p = put8(p, 0);				/* protocol_id */
	p = put8(p, 0);				/* priority_flag */
	p = put8(p, 0);				/* schedule_delivery_time "" */
	p = put_cstr(p, s->validity);
	p = put8(p, s->registered_delivery);
	p = put8(p, 0);				/* replace_if_present_flag */
	p = put8(p, s->data_coding);
	p = put8(p, 0);				/* sm_default_msg_id */
	p = put8(p, payload ? 0 : s->sm_len);
	if (!payload)
		p = put_mem(p, s->sm, s->sm_len);
	p = submit_tlvs(p, s);
	OSMO_ASSERT((size_t)(p - buf) == len);
	return len;
}

/* ---- reading ----------------------------------------------------------- */

/* A cursor over one PDU's body; any read past its end sets bad. */
struct rd {
	const uint8_t *b;
	size_t off, len;
	bool bad;
};

static uint8_t get8(struct rd *r)
{
	if (r->bad || r->off >= r->len) {
		r->bad = true;
		return 0;
	}
	return r->b[r->off++];
}

static uint16_t get16(struct rd *r)
{
	uint16_t v;

	if (r->bad || r->len - r->off < 2) {
		r->bad = true;
		return 0;
	}
	v = osmo_load16be(r->b + r->off);
	r->off += 2;
	return v;
}

/* A C-Octet string of at most max octets with its NUL; its characters
 * are *s, *n of them. */
static void get_cstr(struct rd *r, size_t max, const uint8_t **s, size_t *n)
{
	const uint8_t *nul;

	*s = r->b + r->off;
	*n = 0;
	if (r->bad)
		return;
	nul = memchr(r->b + r->off, '\0', r->len - r->off);
	if (!nul || (size_t)(nul - *s) + 1 > max) {
		r->bad = true;
		return;
	}
	*n = nul - *s;
	r->off += *n + 1;
}

static void get_skip_cstr(struct rd *r, size_t max)
{
	const uint8_t *s;
	size_t n;

	get_cstr(r, max, &s, &n);
}

/* An address of at most max octets (NUL included) into out/cap. */
static void get_addr(struct rd *r, size_t max, char *out, size_t cap)
{
	const uint8_t *s;
	size_t n;

	get_cstr(r, max, &s, &n);
	if (r->bad)
		return;
	if (n >= cap) {
		r->bad = true;
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

bool smpp_codec_ton_ok(uint8_t ton)
{
	return ton <= TON_MAX;
}

bool smpp_codec_npi_ok(uint8_t npi)
{
	static const uint8_t npis[] = {
		NPI_UNKNOWN, NPI_E164, NPI_X121, NPI_TELEX, NPI_E212,
		NPI_NATIONAL, NPI_PRIVATE, NPI_ERMES, NPI_INTERNET, NPI_WAP,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(npis); i++)
		if (npis[i] == npi)
			return true;
	return false;
}

static void get_ton_npi(struct rd *r, uint8_t *ton, uint8_t *npi)
{
	*ton = get8(r);
	*npi = get8(r);
	if (!smpp_codec_ton_ok(*ton) || !smpp_codec_npi_ok(*npi))
		r->bad = true;
}

/* The TLVs a deliver_sm or data_sm is read for: the last of each tag. */
struct tlv_val {
	const uint8_t *v;
	uint16_t len;
};

struct deliver_tlvs {
	struct tlv_val payload, receipted_id, state, ussd_op, its, umr;
	struct tlv_val sar_ref, sar_total, sar_seq;
};

/* Where a TLV of tag goes, and the longest value libsmpp34 reads for
 * it (the rest are skipped within TLV_VALUE_MAX). */
static struct tlv_val *tlv_slot(struct deliver_tlvs *t, uint16_t tag,
				uint16_t *max)
{
	*max = TLV_VALUE_MAX;
	switch (tag) {
	case TLV_MESSAGE_PAYLOAD:	return &t->payload;
	case TLV_USSD_SERVICE_OP:	return &t->ussd_op;
	case TLV_RECEIPTED_MSG_ID:	*max = TLV_MSGID_MAX;
					return &t->receipted_id;
	case TLV_MESSAGE_STATE:		*max = 1; return &t->state;
	case TLV_SAR_TOTAL:		*max = 1; return &t->sar_total;
	case TLV_SAR_SEQNUM:		*max = 1; return &t->sar_seq;
	case TLV_ITS_SESSION_INFO:	*max = 2; return &t->its;
	case TLV_USER_MSG_REF:		*max = 2; return &t->umr;
	case TLV_SAR_MSG_REF_NUM:	*max = 2; return &t->sar_ref;
	default:			return NULL;
	}
}

/* Walk the TLVs to the end of the PDU. A one- or two-octet value must
 * have that size (libsmpp34 reads it as an integer whatever the length
 * says; smpp_check refuses any other length first). */
static void get_tlvs(struct rd *r, struct deliver_tlvs *t)
{
	while (!r->bad && r->off < r->len) {
		uint16_t tag = get16(r), len = get16(r), max;
		struct tlv_val *slot = tlv_slot(t, tag, &max);

		if (r->bad || len > r->len - r->off || len > max ||
		    (slot && max <= 2 && len != max)) {
			r->bad = true;
			return;
		}
		if (slot)
			*slot = (struct tlv_val){ r->b + r->off, len };
		r->off += len;
	}
}

/* User data: short_message (sm/sm_len, none in data_sm), or
 * message_payload when there is none. */
static int deliver_ud(struct smpp_deliver *d, const uint8_t *sm,
		      size_t sm_len, const struct deliver_tlvs *t)
{
	if (sm_len > 0) {
		d->ud_len = sm_len;
		memcpy(d->ud, sm, d->ud_len);
	} else if (t->payload.v) {
		if (t->payload.len > sizeof(d->ud))
			return -EINVAL;
		d->ud_len = t->payload.len;
		memcpy(d->ud, t->payload.v, d->ud_len);
	}
	d->text = d->ud;
	d->text_len = d->ud_len;
	return 0;
}

/* A concatenation reference whose part numbers make no sense is ignored,
 * as GSM 03.40 9.2.3.24.1 asks. */
static void deliver_set_concat(struct smpp_deliver *d, uint16_t ref,
			       uint8_t total, uint8_t seq)
{
	if (total == 0 || seq == 0 || seq > total)
		return;
	d->concat = true;
	d->concat_ref = ref;
	d->concat_total = total;
	d->concat_seq = seq;
}

/* One UDH information element; -EINVAL for a malformed concat IE. */
static int udh_ie(struct smpp_deliver *d, uint8_t iei, const uint8_t *v,
		  uint8_t iel)
{
	switch (iei) {
	case UDH_IEI_CONCAT8:
		if (iel != UDH_IEL_CONCAT8)
			return -EINVAL;
		deliver_set_concat(d, v[0], v[1], v[2]);
		break;
	case UDH_IEI_CONCAT16:
		if (iel != UDH_IEL_CONCAT16)
			return -EINVAL;
		deliver_set_concat(d, osmo_load16be(v), v[2], v[3]);
		break;
	default:
		break;	/* other IEs (ports, SMSC control, ...) are skipped */
	}
	return 0;
}

/* Walk the UDH (UDHL, then IEI/IEL/value triples) and point text past it. */
static int deliver_udh(struct smpp_deliver *d)
{
	size_t end, pos = 1;

	if (d->ud_len < 1 || (size_t)d->ud[0] + 1 > d->ud_len)
		return -EINVAL;
	end = 1 + (size_t)d->ud[0];
	while (pos < end) {
		uint8_t iel;

		if (pos + UDH_IE_HDR > end)
			return -EINVAL;
		iel = d->ud[pos + 1];
		if (pos + UDH_IE_HDR + iel > end)
			return -EINVAL;
		if (udh_ie(d, d->ud[pos], d->ud + pos + UDH_IE_HDR, iel) < 0)
			return -EINVAL;
		pos += UDH_IE_HDR + iel;
	}
	d->text = d->ud + end;
	d->text_len = d->ud_len - end;
	return 0;
}

static void deliver_receipt(struct smpp_deliver *d,
			    const struct deliver_tlvs *t)
{
	uint8_t type = d->esm_class & SMPP_ESM_TYPE_MASK;

	d->is_receipt = type == SMPP_ESM_RECEIPT || type == ESM_INTERMEDIATE;
	if (t->receipted_id.v) {
		/* octets, with or without the terminating NUL */
		size_t n = strnlen((const char *)t->receipted_id.v,
				   t->receipted_id.len);

		if (n > 0 && n < sizeof(d->receipted_id)) {
			memcpy(d->receipted_id, t->receipted_id.v, n);
			d->receipted_id[n] = '\0';
			d->has_receipted_id = true;
		}
	}
	if (t->state.v)
		d->msg_state = t->state.v[0];
}

static void deliver_ussd(struct smpp_deliver *d, const struct deliver_tlvs *t)
{
	if (t->ussd_op.v && t->ussd_op.len >= 1) {
		d->has_ussd_op = true;
		d->ussd_op = t->ussd_op.v[0];
	}
	if (t->its.v) {
		d->has_its = true;
		d->its = osmo_load16be(t->its.v);
	}
	if (t->umr.v) {
		d->has_umr = true;
		d->umr = osmo_load16be(t->umr.v);
	}
}

/* What deliver_sm and data_sm share after their fixed fields: the user
 * data, its UDH, and the TLVs we read. */
static int deliver_fill_ud(struct smpp_deliver *d, const uint8_t *sm,
			   size_t sm_len, const struct deliver_tlvs *t)
{
	if (deliver_ud(d, sm, sm_len, t) < 0)
		return -EINVAL;
	if ((d->esm_class & SMPP_ESM_UDHI) && deliver_udh(d) < 0)
		return -EINVAL;
	/* SAR TLVs, unless the UDH already said how to concatenate */
	if (!d->concat && t->sar_ref.v && t->sar_total.v && t->sar_seq.v)
		deliver_set_concat(d, osmo_load16be(t->sar_ref.v),
				   t->sar_total.v[0], t->sar_seq.v[0]);
	deliver_receipt(d, t);
	deliver_ussd(d, t);
	return 0;
}

/* Both start with service_type and the two addresses; data_sm's
 * destination may be longer (libsmpp34 takes 65 octets, then the 21 of
 * struct smpp_deliver apply). */
static void get_addrs(struct rd *r, struct smpp_deliver *d, size_t dst_max)
{
	get_skip_cstr(r, CSTR_SERVICE_TYPE);
	get_ton_npi(r, &d->src_ton, &d->src_npi);
	get_addr(r, CSTR_ADDR, d->src, sizeof(d->src));
	get_ton_npi(r, &d->dst_ton, &d->dst_npi);
	get_addr(r, dst_max, d->dst, sizeof(d->dst));
}

/* SMPP 3.4 4.6.1 */
static int deliver_sm_read(struct rd *r, struct smpp_deliver *d)
{
	struct deliver_tlvs t = { 0 };
	const uint8_t *sm;
	uint8_t sm_len;

	get_addrs(r, d, CSTR_ADDR);
	d->esm_class = get8(r);
	d->protocol_id = get8(r);
	get8(r);				/* priority_flag */
	get_skip_cstr(r, CSTR_DELIVER_TIME);	/* schedule_delivery_time */
	get_skip_cstr(r, CSTR_DELIVER_TIME);	/* validity_period */
	get8(r);				/* registered_delivery */
	get8(r);				/* replace_if_present_flag */
	d->data_coding = get8(r);
	get8(r);				/* sm_default_msg_id */
	sm_len = get8(r);
	sm = r->b + r->off;
	if (r->bad || sm_len > SM_LEN_MAX || sm_len > r->len - r->off)
		return -EINVAL;
	r->off += sm_len;
	get_tlvs(r, &t);
	if (r->bad)
		return -EINVAL;
	return deliver_fill_ud(d, sm, sm_len, &t);
}

/* SMPP 3.4 4.7.1: the user data is message_payload. */
static int data_sm_read(struct rd *r, struct smpp_deliver *d)
{
	struct deliver_tlvs t = { 0 };

	get_addrs(r, d, CSTR_DATA_SM_DST);
	d->esm_class = get8(r);
	get8(r);				/* registered_delivery */
	d->data_coding = get8(r);
	get_tlvs(r, &t);
	if (r->bad)
		return -EINVAL;
	return deliver_fill_ud(d, NULL, 0, &t);
}

int smpp_codec_deliver(const uint8_t *buf, size_t len,
		       struct smpp_deliver *d)
{
	struct rd r = { .b = buf, .off = SMPP_HDR_LEN, .len = len };

	if (len < SMPP_HDR_LEN)
		return -EINVAL;
	switch (osmo_load32be(buf + 4)) {
	case SMPP_DELIVER_SM:
		return deliver_sm_read(&r, d);
	case SMPP_DATA_SM:
		return data_sm_read(&r, d);
	default:
		return -EINVAL;
	}
}

/* SMPP 3.4 4.4.2 */
int smpp_codec_submit_resp(const uint8_t *buf, size_t len, char *msgid,
			   size_t cap)
{
	struct rd r = { .b = buf, .off = SMPP_HDR_LEN, .len = len };
	const uint8_t *s;
	size_t n;

	if (len < SMPP_HDR_LEN)
		return -EINVAL;
	get_cstr(&r, SMPP_MSGID_MAX, &s, &n);
	if (r.bad || n >= cap || r.off != len)
		return -EINVAL;
	memcpy(msgid, s, n);
	msgid[n] = '\0';
	return 0;
}
