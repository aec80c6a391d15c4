/*
 * smpp_oracle.h - libsmpp34 as the reference for the hand-written SMPP
 * codec (gateway/smpp/codec.c), for tests/unit/test_smpp_codec.c and the
 * fuzz target tests/fuzz/fuzz_codec.c.
 *
 * These are the functions gateway/smpp/pdu.c used before the message
 * path was coded by hand: submit_sm filled into libsmpp34's struct and
 * packed, submit_sm_resp, deliver_sm and data_sm unpacked by it and read
 * back from its TLV list. The tests give the same input to both and
 * require the same result: the same octets out, the same struct
 * smpp_deliver in, the same refusals. Header only, every name static and
 * prefixed oracle_ (the replay test compiles every fuzz target into one
 * program). smpp_pdu_init() must have run: libsmpp34 allocates through
 * it.
 */
#ifndef SGW_SMPP_ORACLE_H
#define SGW_SMPP_ORACLE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#include "gateway/smpp/check.h"
#include "gateway/smpp/pdu.h"

#define ORACLE_PACK_BUF		2048	/* > the largest submit_sm */
#define ORACLE_SM_MAX		253	/* libsmpp34 packs sm_length < 254 */
#define ORACLE_ESM_INTERMEDIATE	0x20

/* ---- submit_sm ----------------------------------------------------------- */

static bool oracle_str_set(uint8_t *field, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= cap)
		return false;
	memcpy(field, s ? s : "", n + 1);
	return true;
}

static bool oracle_in(const uint8_t *list, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool oracle_addr_type_ok(uint8_t ton, uint8_t npi)
{
	static const uint8_t tons[] = {
		TON_Unknown, TON_International, TON_National,
		TON_Network_Specific, TON_Subscriber_Number, TON_Alphanumeric,
		TON_Abbreviated,
	};
	static const uint8_t npis[] = {
		NPI_Unknown, NPI_ISDN_E163_E164, NPI_Data_X121, NPI_Telex_F69,
		NPI_Land_Mobile_E212, NPI_National, NPI_Private, NPI_ERMES,
		NPI_Internet_IP, NPI_WAP_Client_Id,
	};

	return oracle_in(tons, sizeof(tons), ton) &&
	       oracle_in(npis, sizeof(npis), npi);
}

static bool oracle_long_ok(const struct smpp_submit *s)
{
	size_t max = s->lng == SMPP_LONG_PAYLOAD ? SMPP_PAYLOAD_MAX
						 : ORACLE_SM_MAX;

	if (s->sm_len > max || (s->sm_len && !s->sm))
		return false;
	switch (s->lng) {
	case SMPP_LONG_NONE:
	case SMPP_LONG_PAYLOAD:
		return true;
	case SMPP_LONG_UDH:
		return s->sm_len >= 1 && (size_t)s->sm[0] + 1 <= s->sm_len;
	case SMPP_LONG_SAR:
		return s->sar_total >= 1 && s->sar_seq >= 1 &&
		       s->sar_seq <= s->sar_total;
	}
	return false;
}

static int oracle_tlv(tlv_t **list, uint16_t tag, uint16_t len,
		      const void *v)
{
	tlv_t t;

	memset(&t, 0, sizeof(t));
	t.tag = tag;
	t.length = len;
	if (len)
		memcpy(&t.value, v, len);
	return build_tlv(list, &t);
}

/* TLVs in the order pdu.c built them (libsmpp34 prepends each). */
static int oracle_submit_tlvs(submit_sm_t *sm, const struct smpp_submit *s)
{
	int rc = 0;

	if (s->lng == SMPP_LONG_PAYLOAD) {
		rc |= oracle_tlv(&sm->tlv, TLVID_message_payload, s->sm_len,
				 s->sm);
	} else {
		sm->sm_length = s->sm_len;
		if (s->sm_len)
			memcpy(sm->short_message, s->sm, s->sm_len);
	}
	if (s->lng == SMPP_LONG_SAR) {
		rc |= oracle_tlv(&sm->tlv, TLVID_sar_msg_ref_num, 2,
				 &s->sar_ref);
		rc |= oracle_tlv(&sm->tlv, TLVID_sar_total_segments, 1,
				 &s->sar_total);
		rc |= oracle_tlv(&sm->tlv, TLVID_sar_segment_seqnum, 1,
				 &s->sar_seq);
	}
	if (s->ussd)
		rc |= oracle_tlv(&sm->tlv, TLVID_ussd_service_op, 1,
				 &s->ussd_op);
	if (s->has_its)
		rc |= oracle_tlv(&sm->tlv, TLVID_its_session_info, 2, &s->its);
	return rc;
}

/* The submit_sm of s into out/cap (libsmpp34 packing); its length, or
 * -EINVAL where pdu.c refused to build one. */
static int oracle_submit(uint32_t seq, const struct smpp_submit *s,
			 uint8_t *out, size_t cap)
{
	static uint8_t buf[ORACLE_PACK_BUF];
	submit_sm_t sm;
	int len = 0, rc = -EINVAL;

	if (seq < 1 || seq > SMPP_SEQ_MAX ||
	    !oracle_addr_type_ok(s->src_ton, s->src_npi) ||
	    !oracle_addr_type_ok(s->dst_ton, s->dst_npi) || !oracle_long_ok(s))
		return -EINVAL;
	memset(&sm, 0, sizeof(sm));
	sm.command_id = SUBMIT_SM;
	sm.sequence_number = seq;
	sm.source_addr_ton = s->src_ton;
	sm.source_addr_npi = s->src_npi;
	sm.dest_addr_ton = s->dst_ton;
	sm.dest_addr_npi = s->dst_npi;
	sm.esm_class = s->lng == SMPP_LONG_UDH ? SMPP_ESM_UDHI : 0;
	sm.registered_delivery = s->registered_delivery;
	sm.data_coding = s->data_coding;
	if (!oracle_str_set(sm.source_addr, sizeof(sm.source_addr), s->src) ||
	    !oracle_str_set(sm.destination_addr, sizeof(sm.destination_addr),
			    s->dst) ||
	    !oracle_str_set(sm.validity_period, sizeof(sm.validity_period),
			    s->validity))
		return -EINVAL;
	if (oracle_submit_tlvs(&sm, s) == 0 &&
	    smpp34_pack(SUBMIT_SM, buf, sizeof(buf), &len, &sm) == 0 &&
	    len >= SMPP_HDR_LEN && (size_t)len <= cap) {
		memcpy(out, buf, len);
		rc = len;
	}
	destroy_tlv(sm.tlv);
	return rc;
}

/* ---- received PDUs ------------------------------------------------------- */

/* The whole PDU buf/len, of command cmd_id and accepted by smpp_check,
 * unpacked from a copy whose status is zeroed (libsmpp34 refuses
 * statuses it does not know) and whose zero sequence number is 1, with a
 * NUL after it. 0 or -EINVAL. */
static int oracle_unpack(uint32_t cmd_id, void *pdu, size_t size,
			 const uint8_t *buf, size_t len)
{
	static uint8_t copy[SMPP_PDU_MAX + 1];
	struct smpp_check_result bad;
	struct smpp_hdr h;

	memset(pdu, 0, size);
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0 || h.len != len ||
	    h.id != cmd_id || smpp_check_pdu(buf, len, &bad) != 0)
		return -EINVAL;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	memset(copy + 8, 0, 4);
	if (h.seq == 0)
		copy[15] = 1;
	return smpp34_unpack(cmd_id, pdu, copy, len) == 0 ? 0 : -EINVAL;
}

static int oracle_str_get(char *out, size_t cap, const uint8_t *field,
			  size_t field_size)
{
	size_t n = strnlen((const char *)field, field_size);

	if (cap == 0 || n >= cap || n == field_size)
		return -EINVAL;
	memcpy(out, field, n);
	out[n] = '\0';
	return 0;
}

/* As smpp_pdu_parse_submit_resp. */
static int oracle_submit_resp(const uint8_t *buf, size_t len, char *msgid,
			      size_t cap)
{
	submit_sm_resp_t r;
	struct smpp_hdr h;
	int rc;

	if (cap)
		msgid[0] = '\0';
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0 || h.len != len)
		return -EINVAL;
	if (h.id == SMPP_SUBMIT_SM_RESP && len == SMPP_HDR_LEN)
		return h.status != SMPP_ESME_ROK ? 0 : -EINVAL;
	rc = oracle_unpack(SUBMIT_SM_RESP, &r, sizeof(r), buf, len);
	if (rc == 0)
		rc = oracle_str_get(msgid, cap, r.message_id,
				    sizeof(r.message_id));
	if (rc && cap)
		msgid[0] = '\0';
	return rc;
}

static const tlv_t *oracle_find(const tlv_t *t, uint16_t tag)
{
	for (; t; t = t->next)
		if (t->tag == tag)
			return t;
	return NULL;
}

static void oracle_concat(struct smpp_deliver *d, uint16_t ref,
			  uint8_t total, uint8_t seq)
{
	if (total == 0 || seq == 0 || seq > total)
		return;
	d->concat = true;
	d->concat_ref = ref;
	d->concat_total = total;
	d->concat_seq = seq;
}

/* The UDH: UDHL, then IEI/IEL/value; 8- and 16-bit concatenation. */
static int oracle_udh(struct smpp_deliver *d)
{
	size_t end, pos = 1;

	if (d->ud_len < 1 || (size_t)d->ud[0] + 1 > d->ud_len)
		return -EINVAL;
	end = 1 + (size_t)d->ud[0];
	while (pos < end) {
		const uint8_t *v = d->ud + pos + 2;
		uint8_t iei, iel;

		if (pos + 2 > end)
			return -EINVAL;
		iei = d->ud[pos];
		iel = d->ud[pos + 1];
		if (pos + 2 + iel > end)
			return -EINVAL;
		if ((iei == 0x00 && iel != 3) || (iei == 0x08 && iel != 4))
			return -EINVAL;
		if (iei == 0x00)
			oracle_concat(d, v[0], v[1], v[2]);
		else if (iei == 0x08)
			oracle_concat(d, (v[0] << 8) | v[1], v[2], v[3]);
		pos += 2 + iel;
	}
	d->text = d->ud + end;
	d->text_len = d->ud_len - end;
	return 0;
}

static void oracle_receipt_ussd(struct smpp_deliver *d, const tlv_t *l)
{
	uint8_t type = d->esm_class & SMPP_ESM_TYPE_MASK;
	const tlv_t *t;

	d->is_receipt = type == SMPP_ESM_RECEIPT ||
			type == ORACLE_ESM_INTERMEDIATE;
	if ((t = oracle_find(l, TLVID_receipted_message_id))) {
		size_t n = strnlen((const char *)t->value.octet, t->length);

		if (n > 0 && n < sizeof(d->receipted_id)) {
			memcpy(d->receipted_id, t->value.octet, n);
			d->receipted_id[n] = '\0';
			d->has_receipted_id = true;
		}
	}
	if ((t = oracle_find(l, TLVID_message_state)))
		d->msg_state = t->value.val08;
	if ((t = oracle_find(l, TLVID_ussd_service_op)) && t->length >= 1) {
		d->has_ussd_op = true;
		d->ussd_op = t->value.octet[0];
	}
	if ((t = oracle_find(l, TLVID_its_session_info))) {
		d->has_its = true;
		d->its = t->value.val16;
	}
	if ((t = oracle_find(l, TLVID_user_message_reference))) {
		d->has_umr = true;
		d->umr = t->value.val16;
	}
}

static int oracle_fill_ud(struct smpp_deliver *d, const uint8_t *sm,
			  size_t sm_len, const tlv_t *l)
{
	const tlv_t *t, *ref, *total, *seq;

	if (sm_len > 0) {
		d->ud_len = sm_len;
		memcpy(d->ud, sm, sm_len);
	} else if ((t = oracle_find(l, TLVID_message_payload))) {
		if (t->length > sizeof(d->ud))
			return -EINVAL;
		d->ud_len = t->length;
		memcpy(d->ud, t->value.octet, d->ud_len);
	}
	d->text = d->ud;
	d->text_len = d->ud_len;
	if ((d->esm_class & SMPP_ESM_UDHI) && oracle_udh(d) < 0)
		return -EINVAL;
	ref = oracle_find(l, TLVID_sar_msg_ref_num);
	total = oracle_find(l, TLVID_sar_total_segments);
	seq = oracle_find(l, TLVID_sar_segment_seqnum);
	if (!d->concat && ref && total && seq)
		oracle_concat(d, ref->value.val16, total->value.val08,
			      seq->value.val08);
	oracle_receipt_ussd(d, l);
	return 0;
}

/* The fields deliver_sm_t and data_sm_t share, from x into d; nonzero
 * when an address does not fit. */
#define ORACLE_COMMON(d, x)						\
	((d)->src_ton = (x).source_addr_ton,				\
	 (d)->src_npi = (x).source_addr_npi,				\
	 (d)->dst_ton = (x).dest_addr_ton,				\
	 (d)->dst_npi = (x).dest_addr_npi,				\
	 (d)->esm_class = (x).esm_class,				\
	 (d)->data_coding = (x).data_coding,				\
	 oracle_str_get((d)->src, sizeof((d)->src), (x).source_addr,	\
			sizeof((x).source_addr)) < 0 ||			\
	 oracle_str_get((d)->dst, sizeof((d)->dst), (x).destination_addr, \
			sizeof((x).destination_addr)) < 0)

static int oracle_deliver_sm(const uint8_t *buf, size_t len,
			     struct smpp_deliver *d)
{
	deliver_sm_t x;
	int rc = oracle_unpack(DELIVER_SM, &x, sizeof(x), buf, len);

	if (rc == 0 && ORACLE_COMMON(d, x))
		rc = -EINVAL;
	if (rc == 0) {
		d->protocol_id = x.protocol_id;
		rc = oracle_fill_ud(d, x.short_message, x.sm_length, x.tlv);
	}
	destroy_tlv(x.tlv);
	return rc;
}

static int oracle_data_sm(const uint8_t *buf, size_t len,
			  struct smpp_deliver *d)
{
	data_sm_t x;
	int rc = oracle_unpack(DATA_SM, &x, sizeof(x), buf, len);

	if (rc == 0 && ORACLE_COMMON(d, x))
		rc = -EINVAL;
	if (rc == 0)
		rc = oracle_fill_ud(d, NULL, 0, x.tlv);
	destroy_tlv(x.tlv);
	return rc;
}

/* As smpp_pdu_parse_deliver: a deliver_sm or data_sm into d. */
static int oracle_deliver(const uint8_t *buf, size_t len,
			  struct smpp_deliver *d)
{
	struct smpp_hdr h;
	int rc;

	memset(d, 0, sizeof(*d));
	d->msg_state = -1;
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0)
		return -EINVAL;
	rc = h.id == SMPP_DATA_SM ? oracle_data_sm(buf, len, d)
				  : oracle_deliver_sm(buf, len, d);
	if (rc < 0) {
		memset(d, 0, sizeof(*d));
		d->msg_state = -1;
	}
	return rc;
}

/* Is every field of a the same as b's (text as the same part of ud)? */
static bool oracle_same(const struct smpp_deliver *a,
			const struct smpp_deliver *b)
{
	return !strcmp(a->src, b->src) && !strcmp(a->dst, b->dst) &&
	       a->src_ton == b->src_ton && a->src_npi == b->src_npi &&
	       a->dst_ton == b->dst_ton && a->dst_npi == b->dst_npi &&
	       a->esm_class == b->esm_class &&
	       a->protocol_id == b->protocol_id &&
	       a->data_coding == b->data_coding && a->ud_len == b->ud_len &&
	       !memcmp(a->ud, b->ud, a->ud_len) &&
	       (a->text == NULL) == (b->text == NULL) &&
	       (!a->text || a->text - a->ud == b->text - b->ud) &&
	       a->text_len == b->text_len && a->concat == b->concat &&
	       a->concat_ref == b->concat_ref &&
	       a->concat_total == b->concat_total &&
	       a->concat_seq == b->concat_seq &&
	       a->is_receipt == b->is_receipt &&
	       a->has_receipted_id == b->has_receipted_id &&
	       !strcmp(a->receipted_id, b->receipted_id) &&
	       a->msg_state == b->msg_state &&
	       a->has_ussd_op == b->has_ussd_op && a->ussd_op == b->ussd_op &&
	       a->has_its == b->has_its && a->its == b->its &&
	       a->has_umr == b->has_umr && a->umr == b->umr;
}

#endif
