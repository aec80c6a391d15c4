/*
 * check.c - strict SMPP 3.4 validation of received PDUs, driven by one
 * table of the mandatory fields of each command and one table of the TLVs.
 *
 * The decoder behind it (libsmpp34) trusts the octets it reads: it steps
 * over a fixed-size TLV by the size of its tag whatever length the peer
 * declared, and it logs every field it reads into a fixed global buffer
 * without a bound. So nothing reaches it that this file has not walked
 * first, the way SMPP 3.4 section 4 (mandatory fields) and 5.3 (TLVs)
 * define each PDU:
 *
 *   - each C-Octet string ends with a NUL inside the body and within the
 *     field's maximum (NUL included, as the specification counts);
 *   - TON and NPI are values of SMPP 3.4 5.2.5 / 5.2.6;
 *   - sm_length is at most 254 and that many octets follow;
 *   - every TLV header and value lies inside the body; a tag with a fixed
 *     size declares exactly that size; a variable one stays within its
 *     bounds (an unknown tag within the largest value libsmpp34 holds);
 *   - at most SMPP_CHECK_TLV_MAX TLVs: once every fixed size is right,
 *     the TLVs counted here are the ones libsmpp34 would walk;
 *   - nothing is left over after the last field or TLV.
 *
 * Which maximum a field has is sometimes smaller than the specification's
 * where libsmpp34 (or struct smpp_deliver) holds less: data_sm addresses
 * are 21 octets here, not 65. Such a PDU is refused cleanly instead of
 * failing later inside the decoder.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/bit16gen.h>
#include <osmocom/core/bit32gen.h>
#include <osmocom/core/utils.h>

#include "gateway/smpp/check.h"
#include "gateway/smpp/pdu.h"

#define TLV_HDR_LEN		4	/* tag + length */
#define TLV_VALUE_MAX		1024	/* largest value libsmpp34 holds */
#define SM_LEN_MAX		254	/* SMPP 3.4 5.2.21 */
#define REDACT_OCTET		'*'

enum chk_kind {
	CK_CSTR,	/* C-Octet string of at most max octets, NUL included */
	CK_TON,		/* type of number, SMPP 3.4 5.2.5 */
	CK_NPI,		/* numbering plan indicator, 5.2.6 */
	CK_INT8,	/* one-octet integer, any value */
	CK_SM,		/* sm_length, then short_message of that many octets */
	CK_TLVS,	/* the optional part: TLVs to the end of the body */
};

struct chk_field {
	enum chk_kind kind;
	uint16_t max;		/* CK_CSTR, CK_SM */
	uint32_t status;	/* answer when this field is wrong */
	const char *name;
	bool secret;		/* an address or a text: redacted in dumps */
};

#define CSTR(n, m, st)	{ CK_CSTR, m, SMPP_ESME_##st, #n, false }
#define ADDR(n, m, st)	{ CK_CSTR, m, SMPP_ESME_##st, #n, true }
#define TON(n, st)	{ CK_TON, 1, SMPP_ESME_##st, #n, false }
#define NPI(n, st)	{ CK_NPI, 1, SMPP_ESME_##st, #n, false }
#define INT8(n)		{ CK_INT8, 1, SMPP_ESME_RINVCMDLEN, #n, false }
#define SM()		{ CK_SM, SM_LEN_MAX, SMPP_ESME_RINVMSGLEN, "short_message", true }
#define TLVS()		{ CK_TLVS, 0, SMPP_ESME_RINVOPTPARSTREAM, "tlv", false }

/* SMPP 3.4 4.6.1 */
static const struct chk_field f_deliver_sm[] = {
	CSTR(service_type, 6, RINVSERTYP),
	TON(source_addr_ton, RINVSRCTON), NPI(source_addr_npi, RINVSRCNPI),
	ADDR(source_addr, 21, RINVSRCADR),
	TON(dest_addr_ton, RINVDSTTON), NPI(dest_addr_npi, RINVDSTNPI),
	ADDR(destination_addr, 21, RINVDSTADR),
	INT8(esm_class), INT8(protocol_id), INT8(priority_flag),
	CSTR(schedule_delivery_time, 1, RINVSCHED),	/* NULL in deliver_sm */
	CSTR(validity_period, 1, RINVEXPIRY),		/* NULL in deliver_sm */
	INT8(registered_delivery), INT8(replace_if_present_flag),
	INT8(data_coding), INT8(sm_default_msg_id),
	SM(), TLVS(),
};

/* SMPP 3.4 4.7.1 (addresses: see the file comment) */
static const struct chk_field f_data_sm[] = {
	CSTR(service_type, 6, RINVSERTYP),
	TON(source_addr_ton, RINVSRCTON), NPI(source_addr_npi, RINVSRCNPI),
	ADDR(source_addr, 21, RINVSRCADR),
	TON(dest_addr_ton, RINVDSTTON), NPI(dest_addr_npi, RINVDSTNPI),
	ADDR(destination_addr, 21, RINVDSTADR),
	INT8(esm_class), INT8(registered_delivery), INT8(data_coding),
	TLVS(),
};

/* SMPP 3.4 4.12.1 */
static const struct chk_field f_alert_notification[] = {
	TON(source_addr_ton, RINVSRCTON), NPI(source_addr_npi, RINVSRCNPI),
	ADDR(source_addr, 65, RINVSRCADR),
	TON(esme_addr_ton, RINVDSTTON), NPI(esme_addr_npi, RINVDSTNPI),
	ADDR(esme_addr, 65, RINVDSTADR),
	TLVS(),
};

/* SMPP 3.4 4.1.2, 4.1.4, 4.1.6 */
static const struct chk_field f_bind_resp[] = {
	CSTR(system_id, 16, RINVCMDLEN), TLVS(),
};

/* SMPP 3.4 4.4.2 (submit_sm_resp has no TLVs in 3.4) */
static const struct chk_field f_submit_sm_resp[] = {
	CSTR(message_id, 65, RINVCMDLEN),
};

/* SMPP 3.4 4.7.2 */
static const struct chk_field f_data_sm_resp[] = {
	CSTR(message_id, 65, RINVCMDLEN), TLVS(),
};

/* SMPP 3.4 4.6.2: message_id unused, one NUL */
static const struct chk_field f_deliver_sm_resp[] = {
	CSTR(message_id, 1, RINVCMDLEN),
};

#undef CSTR
#undef ADDR
#undef TON
#undef NPI
#undef INT8
#undef SM
#undef TLVS

struct chk_cmd {
	uint32_t id;
	const struct chk_field *f;	/* NULL: header only */
	unsigned n;
	bool empty_on_error;	/* a response with an error status may omit its body */
};

#define CMD(id, f, e)	{ id, f, ARRAY_SIZE(f), e }
#define HDR_ONLY(id)	{ id, NULL, 0, false }

static const struct chk_cmd chk_cmds[] = {
	CMD(SMPP_DELIVER_SM, f_deliver_sm, false),
	CMD(SMPP_DATA_SM, f_data_sm, false),
	CMD(SMPP_ALERT_NOTIFICATION, f_alert_notification, false),
	CMD(SMPP_BIND_TRANSCEIVER_RESP, f_bind_resp, true),
	CMD(SMPP_BIND_TRANSMITTER_RESP, f_bind_resp, true),
	CMD(SMPP_BIND_RECEIVER_RESP, f_bind_resp, true),
	CMD(SMPP_SUBMIT_SM_RESP, f_submit_sm_resp, true),
	CMD(SMPP_DATA_SM_RESP, f_data_sm_resp, true),
	CMD(SMPP_DELIVER_SM_RESP, f_deliver_sm_resp, true),
	HDR_ONLY(SMPP_GENERIC_NACK),
	HDR_ONLY(SMPP_ENQUIRE_LINK),
	HDR_ONLY(SMPP_ENQUIRE_LINK_RESP),
	HDR_ONLY(SMPP_UNBIND),
	HDR_ONLY(SMPP_UNBIND_RESP),
};

#undef CMD
#undef HDR_ONLY

/* SMPP 3.4 5.3.2: every TLV the specification defines, with the length
 * its value must have (min == max: a fixed size). */
struct chk_tlv {
	uint16_t tag;
	uint16_t min, max;
	const char *name;
	bool secret;
};

#define FIX(tag, n, name)	{ tag, n, n, #name, false }
#define VAR(tag, lo, hi, name)	{ tag, lo, hi, #name, false }
#define SEC(tag, lo, hi, name)	{ tag, lo, hi, #name, true }

static const struct chk_tlv chk_tlvs[] = {
	FIX(0x0005, 1, dest_addr_subunit),
	FIX(0x0006, 1, dest_network_type),
	FIX(0x0007, 1, dest_bearer_type),
	FIX(0x0008, 2, dest_telematics_id),
	FIX(0x000D, 1, source_addr_subunit),
	FIX(0x000E, 1, source_network_type),
	FIX(0x000F, 1, source_bearer_type),
	FIX(0x0010, 1, source_telematics_id),
	FIX(0x0017, 4, qos_time_to_live),
	FIX(0x0019, 1, payload_type),
	VAR(0x001D, 1, 256, additional_status_info_text),
	VAR(0x001E, 1, 65, receipted_message_id),
	FIX(0x0030, 1, ms_msg_wait_facilities),
	FIX(0x0201, 1, privacy_indicator),
	SEC(0x0202, 2, 23, source_subaddress),
	SEC(0x0203, 2, 23, dest_subaddress),
	FIX(0x0204, 2, user_message_reference),
	FIX(0x0205, 1, user_response_code),
	FIX(0x020A, 2, source_port),
	FIX(0x020B, 2, destination_port),
	FIX(0x020C, 2, sar_msg_ref_num),
	FIX(0x020D, 1, language_indicator),
	FIX(0x020E, 1, sar_total_segments),
	FIX(0x020F, 1, sar_segment_seqnum),
	FIX(0x0210, 1, sc_interface_version),
	FIX(0x0302, 1, callback_num_pres_ind),
	SEC(0x0303, 1, 65, callback_num_atag),
	FIX(0x0304, 1, number_of_messages),
	SEC(0x0381, 4, 19, callback_num),
	FIX(0x0420, 1, dpf_result),
	FIX(0x0421, 1, set_dpf),
	FIX(0x0422, 1, ms_availability_status),
	FIX(0x0423, 3, network_error_code),
	SEC(0x0424, 0, TLV_VALUE_MAX, message_payload),
	FIX(0x0425, 1, delivery_failure_reason),
	FIX(0x0426, 1, more_messages_to_send),
	FIX(0x0427, 1, message_state),
	FIX(0x0501, 1, ussd_service_op),
	FIX(0x1201, 1, display_time),
	FIX(0x1203, 2, sms_signal),
	FIX(0x1204, 1, ms_validity),
	FIX(0x130C, 0, alert_on_message_delivery),
	FIX(0x1380, 1, its_reply_type),
	FIX(0x1383, 2, its_session_info),
};

#undef FIX
#undef VAR
#undef SEC

/* An unknown tag (reserved or vendor-specific): ignored, bounded. */
static const struct chk_tlv chk_tlv_other = {
	0, 0, TLV_VALUE_MAX, "tlv", true
};

/* ---- lookups --------------------------------------------------------- */

static const struct chk_cmd *chk_cmd_find(uint32_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(chk_cmds); i++)
		if (chk_cmds[i].id == id)
			return &chk_cmds[i];
	return NULL;
}

static const struct chk_tlv *chk_tlv_find(uint16_t tag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(chk_tlvs); i++)
		if (chk_tlvs[i].tag == tag)
			return &chk_tlvs[i];
	return &chk_tlv_other;
}

/* SMPP 3.4 5.2.5 and 5.2.6 (the values libsmpp34 also accepts) */
static bool chk_ton_ok(uint8_t v)
{
	return v <= 6;
}

static bool chk_npi_ok(uint8_t v)
{
	static const uint8_t npis[] = { 0, 1, 3, 4, 6, 8, 9, 10, 14, 18 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(npis); i++)
		if (npis[i] == v)
			return true;
	return false;
}

/* ---- the walk ---------------------------------------------------------- */

/* What the walk does at each field: check it, and where the caller asks,
 * blank what it holds. */
struct chk_walk {
	const uint8_t *buf;
	size_t len;
	size_t off;
	uint8_t *redact;	/* non-NULL: overwrite secret octets here */
	size_t redact_cap;
	struct smpp_check_result *r;
};

static int chk_fail(struct chk_walk *w, uint32_t status, const char *what,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int chk_fail(struct chk_walk *w, uint32_t status, const char *what,
		    const char *fmt, ...)
{
	va_list ap;

	w->r->status = status;
	w->r->what = what;
	w->r->offset = w->off;
	va_start(ap, fmt);
	vsnprintf(w->r->why, sizeof(w->r->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void chk_blank(struct chk_walk *w, size_t from, size_t n)
{
	size_t i;

	if (!w->redact)
		return;
	for (i = from; i < from + n && i < w->redact_cap; i++)
		w->redact[i] = REDACT_OCTET;
}

static int chk_cstr(struct chk_walk *w, const struct chk_field *f)
{
	size_t room = w->len - w->off;
	size_t scan = room < f->max ? room : f->max;
	const uint8_t *nul = memchr(w->buf + w->off, '\0', scan);

	if (!nul) {
		if (room < f->max)
			return chk_fail(w, SMPP_ESME_RINVCMDLEN, f->name,
					"no NUL before the end of the body");
		return chk_fail(w, f->status, f->name,
				"no NUL within %u octets", f->max);
	}
	if (f->secret)
		chk_blank(w, w->off, nul - (w->buf + w->off));
	w->off = nul - w->buf + 1;
	return 0;
}

static int chk_int8(struct chk_walk *w, const struct chk_field *f)
{
	uint8_t v;

	if (w->off >= w->len)
		return chk_fail(w, SMPP_ESME_RINVCMDLEN, f->name,
				"missing: body ends");
	v = w->buf[w->off];
	if (f->kind == CK_TON && !chk_ton_ok(v))
		return chk_fail(w, f->status, f->name, "unknown TON %u", v);
	if (f->kind == CK_NPI && !chk_npi_ok(v))
		return chk_fail(w, f->status, f->name, "unknown NPI %u", v);
	w->off++;
	return 0;
}

static int chk_sm(struct chk_walk *w, const struct chk_field *f)
{
	unsigned n;

	if (w->off >= w->len)
		return chk_fail(w, SMPP_ESME_RINVCMDLEN, "sm_length",
				"missing: body ends");
	n = w->buf[w->off];
	if (n > f->max)
		return chk_fail(w, f->status, "sm_length", "%u > %u", n,
				f->max);
	if (n > w->len - w->off - 1)
		return chk_fail(w, f->status, "sm_length",
				"%u, but %zu octets follow", n,
				w->len - w->off - 1);
	chk_blank(w, w->off + 1, n);
	w->off += 1 + n;
	return 0;
}

static int chk_tlv_one(struct chk_walk *w, uint16_t tag, uint16_t tlen)
{
	const struct chk_tlv *t = chk_tlv_find(tag);

	if (t->min == t->max && tlen != t->min)
		return chk_fail(w, SMPP_ESME_RINVPARLEN, t->name,
				"length %u, must be %u", tlen, t->min);
	if (tlen < t->min || tlen > t->max)
		return chk_fail(w, SMPP_ESME_RINVPARLEN, t->name,
				"length %u, must be %u..%u", tlen, t->min,
				t->max);
	if (t->secret)
		chk_blank(w, w->off + TLV_HDR_LEN, tlen);
	return 0;
}

static int chk_tlv_walk(struct chk_walk *w)
{
	while (w->off < w->len) {
		uint16_t tag, tlen;
		int rc;

		if (w->len - w->off < TLV_HDR_LEN)
			return chk_fail(w, SMPP_ESME_RINVOPTPARSTREAM, "tlv",
					"%zu octets left, a TLV needs %u",
					w->len - w->off, TLV_HDR_LEN);
		tag = osmo_load16be(w->buf + w->off);
		tlen = osmo_load16be(w->buf + w->off + 2);
		if (tlen > w->len - w->off - TLV_HDR_LEN)
			return chk_fail(w, SMPP_ESME_RINVOPTPARSTREAM,
					chk_tlv_find(tag)->name,
					"tag 0x%04x length %u runs past the body",
					tag, tlen);
		rc = chk_tlv_one(w, tag, tlen);
		if (rc < 0)
			return rc;
		if (++w->r->n_tlvs > SMPP_CHECK_TLV_MAX)
			return chk_fail(w, SMPP_ESME_RINVOPTPARSTREAM, "tlv",
					"more than %u TLVs", SMPP_CHECK_TLV_MAX);
		w->off += TLV_HDR_LEN + tlen;
	}
	return 0;
}

static int chk_field(struct chk_walk *w, const struct chk_field *f)
{
	switch (f->kind) {
	case CK_CSTR:
		return chk_cstr(w, f);
	case CK_TON:
	case CK_NPI:
	case CK_INT8:
		return chk_int8(w, f);
	case CK_SM:
		return chk_sm(w, f);
	case CK_TLVS:
		return chk_tlv_walk(w);
	}
	return -EINVAL;
}

static int chk_body(struct chk_walk *w, const struct chk_cmd *cmd,
		    uint32_t status)
{
	unsigned i;
	int rc;

	if (w->len == SMPP_HDR_LEN && cmd->empty_on_error &&
	    status != SMPP_ESME_ROK)
		return 0;
	for (i = 0; i < cmd->n; i++) {
		rc = chk_field(w, &cmd->f[i]);
		if (rc < 0)
			return rc;
	}
	if (w->off != w->len)
		return chk_fail(w, SMPP_ESME_RINVCMDLEN, "body",
				"%zu octets left over", w->len - w->off);
	return 0;
}

/* ---- public ------------------------------------------------------------ */

int smpp_check_pdu(const uint8_t *buf, size_t len,
		   struct smpp_check_result *r)
{
	struct chk_walk w = { .buf = buf, .len = len, .off = 0, .r = r };
	const struct chk_cmd *cmd;
	struct smpp_hdr h;

	memset(r, 0, sizeof(*r));
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0 || h.len != len)
		return chk_fail(&w, SMPP_ESME_RINVCMDLEN, "header",
				"command_length %zu octets", len);
	cmd = chk_cmd_find(h.id);
	if (!cmd)
		return -ENOENT;
	w.off = SMPP_HDR_LEN;
	return chk_body(&w, cmd, h.status);
}

size_t smpp_check_redact(const uint8_t *buf, size_t len, uint8_t *out,
			 size_t cap)
{
	struct smpp_check_result r;
	struct chk_walk w = {
		.buf = buf, .len = len, .off = SMPP_HDR_LEN,
		.redact = out, .redact_cap = cap, .r = &r,
	};
	const struct chk_cmd *cmd;
	struct smpp_hdr h;
	size_t n = len < cap ? len : cap;

	memcpy(out, buf, n);
	memset(&r, 0, sizeof(r));
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0)
		return n;
	cmd = chk_cmd_find(h.id);
	if (!cmd) {	/* unknown layout: keep the header only */
		if (n > SMPP_HDR_LEN)
			memset(out + SMPP_HDR_LEN, REDACT_OCTET, n - SMPP_HDR_LEN);
		return n;
	}
	/* the walk stops at the first fault: blank all after it */
	w.len = len;
	if (chk_body(&w, cmd, h.status) < 0 && w.off < n)
		memset(out + w.off, REDACT_OCTET, n - w.off);
	return n;
}
