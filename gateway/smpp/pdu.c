/*
 * pdu.c - SMPP 3.4 PDU coding; the only file that talks to libsmpp34.
 *
 * The link reads the 16-byte header itself (smpp_pdu_hdr_parse) and only
 * then asks for a body to be built or unpacked. Requests we send (bind,
 * submit_sm) are filled into libsmpp34 structs, checked here first because
 * libsmpp34 silently truncates strings and refuses values without saying
 * why, packed into a stack buffer larger than any PDU we make, and copied
 * into an exact-sized msgb. The header-only PDUs and deliver_sm_resp are
 * written by hand: sixteen or seventeen octets need no library.
 *
 * Received bodies are unpacked from a private copy of the PDU: the copy has
 * command_status zeroed (libsmpp34 refuses status values it does not know,
 * and skips message_id when the status is not zero), a zero sequence number
 * replaced by 1 (libsmpp34 refuses 0; the link has the real one from the
 * header), and a NUL octet after its end so no C-Octet string scan can run
 * off the buffer. libsmpp34 allocates the TLV list through the talloc
 * wrappers installed by smpp_pdu_init; during an unpack they allocate under
 * a scratch context that is freed afterwards, because a TLV that fails to
 * decode is never linked into the list and would otherwise leak. TLVs come
 * out in reverse order and are always looked up by tag.
 *
 * Not thread-safe (neither is libsmpp34): call from the select loop only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/bit16gen.h>
#include <osmocom/core/bit32gen.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
#include <smpp34_heap.h>

#include "gateway/log.h"
#include "gateway/smpp/check.h"
#include "gateway/smpp/pdu.h"

/* header field offsets */
#define HDR_OFF_LEN		0
#define HDR_OFF_ID		4
#define HDR_OFF_STATUS		8
#define HDR_OFF_SEQ		12

#define PDU_PACK_BUF		2048	/* > largest PDU we build (~1.5 kB) */
#define PDU_SM_MAX		253	/* libsmpp34 packs sm_length < 254 */
#define PDU_IF_VERSION		SMPP_VERSION	/* 0x34 */
#define PDU_LOG_DUMP_MAX	64	/* octets of a bad PDU shown in logs */

/* esm_class message types that carry a receipt (SMPP 3.4 5.2.12) */
#define ESM_INTERMEDIATE	0x20	/* intermediate delivery notification */

/* TLV value lengths we write */
#define TLV_LEN_U08		1
#define TLV_LEN_U16		2

/* GSM 03.40 9.2.3.24: user data header information elements */
#define UDH_IEI_CONCAT8		0x00
#define UDH_IEI_CONCAT16	0x08
#define UDH_IEL_CONCAT8		3
#define UDH_IEL_CONCAT16	4
#define UDH_IE_HDR		2	/* IEI + IEL */

/* largest string a libsmpp34 C-Octet field of type T can carry */
#define FIELD_STR_MAX(T, f)	(sizeof(((T *)0)->f) - 1)

/* The three bind requests and the three bind responses share one frame;
 * we fill and read them through the transceiver struct. */
_Static_assert(sizeof(bind_transmitter_t) == sizeof(bind_transceiver_t) &&
	       sizeof(bind_receiver_t) == sizeof(bind_transceiver_t),
	       "bind frames differ");
_Static_assert(sizeof(bind_transmitter_resp_t) ==
	       sizeof(bind_transceiver_resp_t) &&
	       sizeof(bind_receiver_resp_t) ==
	       sizeof(bind_transceiver_resp_t) &&
	       offsetof(bind_receiver_resp_t, tlv) ==
	       offsetof(bind_transceiver_resp_t, tlv),
	       "bind_resp frames differ");

/* ------------------------------------------------------------------------
 * libsmpp34 allocation through talloc
 */

static void *pdu_lib_ctx;	/* everything libsmpp34 allocates lives here */
static void *pdu_alloc_ctx;	/* current parent: pdu_lib_ctx or a scratch */

static void *pdu_malloc(size_t sz)
{
	return talloc_size(pdu_alloc_ctx, sz);
}

static void *pdu_realloc(void *ptr, size_t sz)
{
	return talloc_realloc_size(pdu_alloc_ctx, ptr, sz);
}

static void pdu_free(void *ptr)
{
	talloc_free(ptr);
}

void smpp_pdu_init(void *ctx)
{
	static const struct smpp34_memory_functions mf = {
		.malloc_fun = pdu_malloc,
		.realloc_fun = pdu_realloc,
		.free_fun = pdu_free,
	};

	/* libsmpp34 ignores a second call once it has allocated anything */
	if (pdu_lib_ctx)
		return;
	pdu_lib_ctx = talloc_named_const(ctx, 0, "libsmpp34");
	pdu_alloc_ctx = pdu_lib_ctx;
	smpp34_set_memory_functions(&mf);
}

/* Unpacks allocate under a scratch context: see the file comment. */
static void *pdu_scratch_begin(void)
{
	void *scratch = talloc_named_const(pdu_lib_ctx, 0, "smpp34_unpack");

	if (scratch)
		pdu_alloc_ctx = scratch;
	return scratch;
}

static void pdu_scratch_end(void *scratch, tlv_t *tlvs)
{
	destroy_tlv(tlvs);
	pdu_alloc_ctx = pdu_lib_ctx;
	talloc_free(scratch);
}

/* ------------------------------------------------------------------------
 * Header
 */

int smpp_pdu_hdr_parse(const uint8_t *buf, size_t len, struct smpp_hdr *h)
{
	if (len < SMPP_HDR_LEN)
		return -EAGAIN;
	h->len = osmo_load32be(buf + HDR_OFF_LEN);
	h->id = osmo_load32be(buf + HDR_OFF_ID);
	h->status = osmo_load32be(buf + HDR_OFF_STATUS);
	h->seq = osmo_load32be(buf + HDR_OFF_SEQ);
	if (h->len < SMPP_HDR_LEN || h->len > SMPP_PDU_MAX)
		return -EMSGSIZE;
	return 0;
}

static void hdr_write(uint8_t *buf, uint32_t len, uint32_t id,
		      uint32_t status, uint32_t seq)
{
	osmo_store32be(len, buf + HDR_OFF_LEN);
	osmo_store32be(id, buf + HDR_OFF_ID);
	osmo_store32be(status, buf + HDR_OFF_STATUS);
	osmo_store32be(seq, buf + HDR_OFF_SEQ);
}

/* ------------------------------------------------------------------------
 * Checks before packing
 */

static bool seq_ok(uint32_t cmd_id, uint32_t seq)
{
	if (seq >= 1 && seq <= SMPP_SEQ_MAX)
		return true;
	LOGP(DPDU, LOGL_ERROR, "%s: sequence number %u out of range\n",
	     smpp_pdu_cmd_str(cmd_id), seq);
	return false;
}

/* Copy a C string into a libsmpp34 field of size cap, refusing what does
 * not fit (libsmpp34 would truncate it silently). NULL means "". */
static bool str_set(uint8_t *field, size_t cap, const char *s,
		    const char *what)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= cap) {
		LOGP(DPDU, LOGL_ERROR, "%s too long (%zu > %zu)\n", what, n,
		     cap - 1);
		return false;
	}
	memcpy(field, s ? s : "", n + 1);
	return true;
}

/* The TON and NPI values libsmpp34 accepts (its addr_ton / addr_npi lists). */
static const uint8_t pdu_tons[] = {
	TON_Unknown, TON_International, TON_National, TON_Network_Specific,
	TON_Subscriber_Number, TON_Alphanumeric, TON_Abbreviated,
};
static const uint8_t pdu_npis[] = {
	NPI_Unknown, NPI_ISDN_E163_E164, NPI_Data_X121, NPI_Telex_F69,
	NPI_Land_Mobile_E212, NPI_National, NPI_Private, NPI_ERMES,
	NPI_Internet_IP, NPI_WAP_Client_Id,
};

static bool in_list(const uint8_t *list, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool addr_type_ok(uint8_t ton, uint8_t npi, const char *what)
{
	if (in_list(pdu_tons, ARRAY_SIZE(pdu_tons), ton) &&
	    in_list(pdu_npis, ARRAY_SIZE(pdu_npis), npi))
		return true;
	LOGP(DPDU, LOGL_ERROR, "%s TON %u / NPI %u not supported\n", what,
	     ton, npi);
	return false;
}

/* ------------------------------------------------------------------------
 * Building
 */

static struct msgb *msgb_from(void *ctx, const uint8_t *buf, size_t len)
{
	struct msgb *msg = msgb_alloc_c(ctx, len, "smpp_pdu");

	if (!msg)
		return NULL;
	memcpy(msgb_put(msg, len), buf, len);
	return msg;
}

/* Pack a filled libsmpp34 struct into a new msgb. The caller frees the
 * struct's TLV list afterwards, whatever the outcome. */
static struct msgb *pdu_pack(void *ctx, uint32_t cmd_id, void *pdu)
{
	/* libsmpp34 needs at least one octet more than the PDU */
	uint8_t buf[PDU_PACK_BUF];
	int len = 0;

	if (smpp34_pack(cmd_id, buf, sizeof(buf), &len, pdu) != 0 ||
	    len < SMPP_HDR_LEN) {
		LOGP(DPDU, LOGL_ERROR, "cannot pack %s: %s\n",
		     smpp_pdu_cmd_str(cmd_id), smpp34_strerror);
		return NULL;
	}
	return msgb_from(ctx, buf, len);
}

static const uint32_t bind_cmd[] = {
	[SMPP_BIND_KIND_TRX] = SMPP_BIND_TRANSCEIVER,
	[SMPP_BIND_KIND_TX] = SMPP_BIND_TRANSMITTER,
	[SMPP_BIND_KIND_RX] = SMPP_BIND_RECEIVER,
};

struct msgb *smpp_pdu_bind(void *ctx, enum smpp_bind_kind kind, uint32_t seq,
			   const struct smpp_bind_params *p)
{
	bind_transceiver_t b;
	uint32_t cmd_id;

	if ((unsigned)kind >= ARRAY_SIZE(bind_cmd))
		return NULL;
	cmd_id = bind_cmd[kind];
	if (!seq_ok(cmd_id, seq) ||
	    !addr_type_ok(p->addr_ton, p->addr_npi, "address_range"))
		return NULL;
	memset(&b, 0, sizeof(b));
	b.command_id = cmd_id;
	b.sequence_number = seq;
	b.interface_version = PDU_IF_VERSION;
	b.addr_ton = p->addr_ton;
	b.addr_npi = p->addr_npi;
	if (!str_set(b.system_id, sizeof(b.system_id), p->system_id,
		     "system_id") ||
	    !str_set(b.password, sizeof(b.password), p->password, "password") ||
	    !str_set(b.system_type, sizeof(b.system_type), p->system_type,
		     "system_type") ||
	    !str_set(b.address_range, sizeof(b.address_range),
		     p->address_range, "address_range"))
		return NULL;
	return pdu_pack(ctx, cmd_id, &b);
}

/* deliver_sm_resp and data_sm_resp carry one field here: an empty
 * message_id (a NUL octet). */
#define DELIVER_RESP_BODY	1

struct msgb *smpp_pdu_simple(void *ctx, uint32_t cmd_id, uint32_t status,
			     uint32_t seq)
{
	uint8_t buf[SMPP_HDR_LEN + DELIVER_RESP_BODY] = { 0 };
	size_t len = SMPP_HDR_LEN;

	switch (cmd_id) {
	case SMPP_ENQUIRE_LINK:
	case SMPP_UNBIND:
		/* our own requests: a valid sequence number and no status */
		if (!seq_ok(cmd_id, seq))
			return NULL;
		if (status != SMPP_ESME_ROK) {
			LOGP(DPDU, LOGL_ERROR, "%s with status 0x%x\n",
			     smpp_pdu_cmd_str(cmd_id), status);
			return NULL;
		}
		break;
	case SMPP_DELIVER_SM_RESP:
	case SMPP_DATA_SM_RESP:
		len += DELIVER_RESP_BODY;
		break;
	case SMPP_ENQUIRE_LINK_RESP:
	case SMPP_UNBIND_RESP:
	case SMPP_GENERIC_NACK:
		/* responses echo the peer's sequence number as it came */
		break;
	default:
		LOGP(DPDU, LOGL_ERROR, "%s is not a simple PDU\n",
		     smpp_pdu_cmd_str(cmd_id));
		return NULL;
	}
	hdr_write(buf, len, cmd_id, status, seq);
	return msgb_from(ctx, buf, len);
}

/* -- submit_sm ---------------------------------------------------------- */

static bool udh_fits(const uint8_t *ud, size_t len)
{
	return len >= 1 && (size_t)ud[0] + 1 <= len;
}

/* Is the long-message carriage consistent with the user data? */
static bool submit_long_ok(const struct smpp_submit *s)
{
	size_t max = s->lng == SMPP_LONG_PAYLOAD ? SMPP_PAYLOAD_MAX
						 : PDU_SM_MAX;

	if (s->sm_len > max) {
		LOGP(DPDU, LOGL_ERROR, "submit_sm: %zu octets of user data "
		     "(max %zu)\n", s->sm_len, max);
		return false;
	}
	if (s->sm_len && !s->sm) {
		LOGP(DPDU, LOGL_ERROR, "submit_sm: sm_len without sm\n");
		return false;
	}
	switch (s->lng) {
	case SMPP_LONG_NONE:
	case SMPP_LONG_PAYLOAD:
		return true;
	case SMPP_LONG_UDH:
		if (udh_fits(s->sm, s->sm_len))
			return true;
		LOGP(DPDU, LOGL_ERROR, "submit_sm: UDH beyond user data\n");
		return false;
	case SMPP_LONG_SAR:
		if (s->sar_total >= 1 && s->sar_seq >= 1 &&
		    s->sar_seq <= s->sar_total)
			return true;
		LOGP(DPDU, LOGL_ERROR, "submit_sm: SAR part %u of %u\n",
		     s->sar_seq, s->sar_total);
		return false;
	}
	return false;
}

static int tlv_add_u08(tlv_t **list, uint16_t tag, uint8_t v)
{
	tlv_t t;

	memset(&t, 0, sizeof(t));
	t.tag = tag;
	t.length = TLV_LEN_U08;
	t.value.val08 = v;
	return build_tlv(list, &t);
}

static int tlv_add_u16(tlv_t **list, uint16_t tag, uint16_t v)
{
	tlv_t t;

	memset(&t, 0, sizeof(t));
	t.tag = tag;
	t.length = TLV_LEN_U16;
	t.value.val16 = v;
	return build_tlv(list, &t);
}

static int tlv_add_octets(tlv_t **list, uint16_t tag, const uint8_t *v,
			  size_t len)
{
	tlv_t t;

	OSMO_ASSERT(len <= sizeof(t.value.octet));
	memset(&t, 0, sizeof(t));
	t.tag = tag;
	t.length = len;
	if (len)
		memcpy(t.value.octet, v, len);
	return build_tlv(list, &t);
}

/* Fixed fields except the user data. */
static bool submit_fill(submit_sm_t *sm, uint32_t seq,
			const struct smpp_submit *s)
{
	memset(sm, 0, sizeof(*sm));
	sm->command_id = SMPP_SUBMIT_SM;
	sm->sequence_number = seq;
	sm->source_addr_ton = s->src_ton;
	sm->source_addr_npi = s->src_npi;
	sm->dest_addr_ton = s->dst_ton;
	sm->dest_addr_npi = s->dst_npi;
	sm->esm_class = s->lng == SMPP_LONG_UDH ? SMPP_ESM_UDHI : 0;
	sm->registered_delivery = s->registered_delivery;
	sm->data_coding = s->data_coding;
	return str_set(sm->source_addr, sizeof(sm->source_addr), s->src,
		       "source_addr") &&
	       str_set(sm->destination_addr, sizeof(sm->destination_addr),
		       s->dst, "destination_addr") &&
	       str_set(sm->validity_period, sizeof(sm->validity_period),
		       s->validity, "validity_period");
}

/* User data and TLVs; TLVs are built onto sm->tlv even on failure. */
static int submit_body(submit_sm_t *sm, const struct smpp_submit *s)
{
	int rc = 0;

	if (s->lng == SMPP_LONG_PAYLOAD) {
		rc |= tlv_add_octets(&sm->tlv, TLVID_message_payload, s->sm,
				     s->sm_len);
	} else {
		sm->sm_length = s->sm_len;
		if (s->sm_len)
			memcpy(sm->short_message, s->sm, s->sm_len);
	}
	if (s->lng == SMPP_LONG_SAR) {
		rc |= tlv_add_u16(&sm->tlv, TLVID_sar_msg_ref_num, s->sar_ref);
		rc |= tlv_add_u08(&sm->tlv, TLVID_sar_total_segments,
				  s->sar_total);
		rc |= tlv_add_u08(&sm->tlv, TLVID_sar_segment_seqnum,
				  s->sar_seq);
	}
	/* ussd_service_op is one octet; libsmpp34 packs it as octets */
	if (s->ussd)
		rc |= tlv_add_u08(&sm->tlv, TLVID_ussd_service_op, s->ussd_op);
	if (s->has_its)
		rc |= tlv_add_u16(&sm->tlv, TLVID_its_session_info, s->its);
	return rc ? -ENOMEM : 0;
}

struct msgb *smpp_pdu_submit(void *ctx, uint32_t seq,
			     const struct smpp_submit *s)
{
	submit_sm_t sm;
	struct msgb *msg = NULL;

	if (!seq_ok(SMPP_SUBMIT_SM, seq) ||
	    !addr_type_ok(s->src_ton, s->src_npi, "source_addr") ||
	    !addr_type_ok(s->dst_ton, s->dst_npi, "destination_addr") ||
	    !submit_long_ok(s) || !submit_fill(&sm, seq, s))
		return NULL;
	if (submit_body(&sm, s) == 0)
		msg = pdu_pack(ctx, SMPP_SUBMIT_SM, &sm);
	else
		LOGP(DPDU, LOGL_ERROR, "submit_sm: out of memory for TLVs\n");
	destroy_tlv(sm.tlv);
	return msg;
}

/* ------------------------------------------------------------------------
 * Unpacking
 */

void smpp_pdu_log_dump(const char *what, const uint8_t *buf, size_t len)
{
	uint8_t dump[PDU_LOG_DUMP_MAX];
	size_t n;

	if (!log_check_level(DPDU, LOGL_DEBUG))
		return;
	n = smpp_check_redact(buf, len, dump, sizeof(dump));
	LOGP(DPDU, LOGL_DEBUG, "%s (%zu octets, addresses and texts blanked): %s%s\n",
	     what, len, osmo_hexdump_nospc(dump, n), len > n ? "..." : "");
}

static void log_bad_pdu(const char *what, const uint8_t *buf, size_t len)
{
	char line[64];

	snprintf(line, sizeof(line), "undecodable %s", what);
	smpp_pdu_log_dump(line, buf, len);
}

/* Unpack the whole PDU buf/len, which must be one complete cmd_id PDU,
 * into the libsmpp34 struct pdu of size pdu_size (zeroed first). Works on
 * a private copy; see the file comment. 0 or -EINVAL. */
static int pdu_unpack(uint32_t cmd_id, void *pdu, size_t pdu_size,
		      const uint8_t *buf, size_t len)
{
	static uint8_t copy[SMPP_PDU_MAX + 1];
	struct smpp_check_result bad;
	struct smpp_hdr h;

	memset(pdu, 0, pdu_size);
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0 || h.len != len ||
	    h.id != cmd_id)
		return -EINVAL;
	/* libsmpp34 trusts what it reads: nothing reaches it unchecked */
	if (smpp_check_pdu(buf, len, &bad) != 0) {
		LOGP(DPDU, LOGL_DEBUG, "%s refused: %s: %s\n",
		     smpp_pdu_cmd_str(cmd_id), bad.what ? bad.what : "?", bad.why);
		return -EINVAL;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	osmo_store32be(SMPP_ESME_ROK, copy + HDR_OFF_STATUS);
	if (h.seq == 0)
		osmo_store32be(1, copy + HDR_OFF_SEQ);
	if (smpp34_unpack(cmd_id, pdu, copy, len) != 0) {
		LOGP(DPDU, LOGL_DEBUG, "libsmpp34: %s\n", smpp34_strerror);
		return -EINVAL;
	}
	return 0;
}

/* Copy a NUL-terminated libsmpp34 field into out/cap. */
static int str_get(char *out, size_t cap, const uint8_t *field,
		   size_t field_size)
{
	size_t n = strnlen((const char *)field, field_size);

	if (cap == 0 || n >= cap || n == field_size)
		return -EINVAL;
	memcpy(out, field, n);
	out[n] = '\0';
	return 0;
}

/* A submit_sm_resp with an error status may come without a body: that is
 * 0 with msgid "". Without a body and with ESME_ROK it is -EINVAL. */
int smpp_pdu_parse_submit_resp(const uint8_t *buf, size_t len, char *msgid,
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
	/* submit_sm_resp has no TLVs: nothing to allocate or free */
	rc = pdu_unpack(SMPP_SUBMIT_SM_RESP, &r, sizeof(r), buf, len);
	if (rc == 0)
		rc = str_get(msgid, cap, r.message_id, sizeof(r.message_id));
	if (rc)
		log_bad_pdu("submit_sm_resp", buf, len);
	return rc;
}

/* -- deliver_sm --------------------------------------------------------- */

static const tlv_t *tlv_find(const tlv_t *list, uint16_t tag)
{
	const tlv_t *t;

	smpp34_tlv_for_each(t, list)
		if (t->tag == tag)
			return t;
	return NULL;
}

/* User data: short_message (sm/sm_len, none in data_sm), or
 * message_payload when there is none. */
static int deliver_ud(struct smpp_deliver *d, const uint8_t *sm,
		      size_t sm_len, const tlv_t *tlvs)
{
	const tlv_t *t;

	if (sm_len > 0) {
		d->ud_len = sm_len;
		memcpy(d->ud, sm, d->ud_len);
	} else if ((t = tlv_find(tlvs, TLVID_message_payload))) {
		if (t->length > sizeof(d->ud))
			return -EINVAL;
		d->ud_len = t->length;
		memcpy(d->ud, t->value.octet, d->ud_len);
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

	if (!udh_fits(d->ud, d->ud_len))
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

static void deliver_sar(struct smpp_deliver *d, const tlv_t *list)
{
	const tlv_t *ref = tlv_find(list, TLVID_sar_msg_ref_num);
	const tlv_t *total = tlv_find(list, TLVID_sar_total_segments);
	const tlv_t *seq = tlv_find(list, TLVID_sar_segment_seqnum);

	if (ref && total && seq)
		deliver_set_concat(d, ref->value.val16, total->value.val08,
				   seq->value.val08);
}

static void deliver_receipt(struct smpp_deliver *d, const tlv_t *list)
{
	uint8_t type = d->esm_class & SMPP_ESM_TYPE_MASK;
	const tlv_t *t;

	d->is_receipt = type == SMPP_ESM_RECEIPT || type == ESM_INTERMEDIATE;
	if ((t = tlv_find(list, TLVID_receipted_message_id))) {
		/* octets, with or without the terminating NUL */
		size_t n = strnlen((const char *)t->value.octet, t->length);

		if (n > 0 && n < sizeof(d->receipted_id)) {
			memcpy(d->receipted_id, t->value.octet, n);
			d->receipted_id[n] = '\0';
			d->has_receipted_id = true;
		}
	}
	if ((t = tlv_find(list, TLVID_message_state)))
		d->msg_state = t->value.val08;
}

static void deliver_ussd(struct smpp_deliver *d, const tlv_t *list)
{
	const tlv_t *t;

	/* not in libsmpp34's deliver_sm list: it arrives as octets */
	if ((t = tlv_find(list, TLVID_ussd_service_op)) && t->length >= 1) {
		d->has_ussd_op = true;
		d->ussd_op = t->value.octet[0];
	}
	if ((t = tlv_find(list, TLVID_its_session_info))) {
		d->has_its = true;
		d->its = t->value.val16;
	}
	if ((t = tlv_find(list, TLVID_user_message_reference))) {
		d->has_umr = true;
		d->umr = t->value.val16;
	}
}

/* What deliver_sm and data_sm share after their addresses: the user
 * data, its UDH, and the TLVs we read. */
static int deliver_fill_ud(struct smpp_deliver *d, const uint8_t *sm,
			   size_t sm_len, const tlv_t *tlvs)
{
	if (deliver_ud(d, sm, sm_len, tlvs) < 0)
		return -EINVAL;
	if ((d->esm_class & SMPP_ESM_UDHI) && deliver_udh(d) < 0)
		return -EINVAL;
	/* SAR TLVs, unless the UDH already said how to concatenate */
	if (!d->concat)
		deliver_sar(d, tlvs);
	deliver_receipt(d, tlvs);
	deliver_ussd(d, tlvs);
	return 0;
}

static int deliver_fill(struct smpp_deliver *d, const deliver_sm_t *dsm)
{
	if (str_get(d->src, sizeof(d->src), dsm->source_addr,
		    sizeof(dsm->source_addr)) < 0 ||
	    str_get(d->dst, sizeof(d->dst), dsm->destination_addr,
		    sizeof(dsm->destination_addr)) < 0)
		return -EINVAL;
	d->src_ton = dsm->source_addr_ton;
	d->src_npi = dsm->source_addr_npi;
	d->dst_ton = dsm->dest_addr_ton;
	d->dst_npi = dsm->dest_addr_npi;
	d->esm_class = dsm->esm_class;
	d->protocol_id = dsm->protocol_id;
	d->data_coding = dsm->data_coding;
	return deliver_fill_ud(d, dsm->short_message, dsm->sm_length, dsm->tlv);
}

static int data_sm_fill(struct smpp_deliver *d, const data_sm_t *dsm)
{
	if (str_get(d->src, sizeof(d->src), dsm->source_addr,
		    sizeof(dsm->source_addr)) < 0 ||
	    str_get(d->dst, sizeof(d->dst), dsm->destination_addr,
		    sizeof(dsm->destination_addr)) < 0)
		return -EINVAL;
	d->src_ton = dsm->source_addr_ton;
	d->src_npi = dsm->source_addr_npi;
	d->dst_ton = dsm->dest_addr_ton;
	d->dst_npi = dsm->dest_addr_npi;
	d->esm_class = dsm->esm_class;
	d->data_coding = dsm->data_coding;
	return deliver_fill_ud(d, NULL, 0, dsm->tlv);
}

static void deliver_reset(struct smpp_deliver *d)
{
	memset(d, 0, sizeof(*d));
	d->msg_state = -1;
}

/* libsmpp34 refuses reserved TON/NPI values (e.g. TON 7) in deliver_sm:
 * such a PDU is -EINVAL here (smpp_check refuses it first). */
int smpp_pdu_parse_deliver(const uint8_t *buf, size_t len,
			   struct smpp_deliver *d)
{
	struct smpp_hdr h;
	void *scratch;
	int rc;

	deliver_reset(d);
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0)
		return -EINVAL;
	scratch = pdu_scratch_begin();
	if (h.id == SMPP_DATA_SM) {
		data_sm_t dsm;

		rc = pdu_unpack(SMPP_DATA_SM, &dsm, sizeof(dsm), buf, len);
		if (rc == 0)
			rc = data_sm_fill(d, &dsm);
		pdu_scratch_end(scratch, dsm.tlv);
	} else {
		deliver_sm_t dsm;

		rc = pdu_unpack(SMPP_DELIVER_SM, &dsm, sizeof(dsm), buf, len);
		if (rc == 0)
			rc = deliver_fill(d, &dsm);
		pdu_scratch_end(scratch, dsm.tlv);
	}
	if (rc < 0) {
		log_bad_pdu(smpp_pdu_cmd_str(h.id), buf, len);
		deliver_reset(d);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Names and the status table
 */

/*
 * How the link treats each command_status in a response (SMPP 3.4 5.1.3):
 * THROTTLE pauses the link and retries; TEMP requeues the message with
 * back-off; PERM fails it. The rule: an error that names a field of our
 * PDU is permanent, since sending the same PDU again gives the same
 * answer; an error about the SMSC's state or the session is temporary.
 * So bind and bind-state errors are TEMP (they say nothing about the
 * message), RSUBMITFAIL and RDELIVERYFAILURE are TEMP (SMSCs use them for
 * passing trouble), RX_R_APPN (reject) and the invalid-parameter family
 * are PERM. Vendor codes 0x400-0x4FF and anything not listed are TEMP:
 * retrying an unknown error until validity expires loses nothing, failing
 * it may lose a message.
 */
struct status_def {
	uint32_t status;
	enum smpp_status_class cls;
	const char *name;
};

#define ST(code, cls)	{ code, SMPP_ST_##cls, #code }

static const struct status_def status_table[] = {
	ST(ESME_ROK, OK),
	ST(ESME_RINVMSGLEN, PERM),
	ST(ESME_RINVCMDLEN, PERM),
	ST(ESME_RINVCMDID, PERM),
	ST(ESME_RINVBNDSTS, TEMP),
	ST(ESME_RALYBND, TEMP),
	ST(ESME_RINVPRTFLG, PERM),
	ST(ESME_RINVREGDLVFLG, PERM),
	ST(ESME_RSYSERR, TEMP),
	ST(ESME_RINVSRCADR, PERM),
	ST(ESME_RINVDSTADR, PERM),
	ST(ESME_RINVMSGID, PERM),
	ST(ESME_RBINDFAIL, TEMP),
	ST(ESME_RINVPASWD, TEMP),
	ST(ESME_RINVSYSID, TEMP),
	ST(ESME_RCANCELFAIL, PERM),
	ST(ESME_RREPLACEFAIL, PERM),
	ST(ESME_RMSGQFUL, THROTTLE),
	ST(ESME_RINVSERTYP, PERM),
	ST(ESME_RINVNUMDESTS, PERM),
	ST(ESME_RINVDLNAME, PERM),
	ST(ESME_RINVDESTFLAG, PERM),
	ST(ESME_RINVSUBREP, PERM),
	ST(ESME_RINVESMCLASS, PERM),
	ST(ESME_RCNTSUBDL, PERM),
	ST(ESME_RSUBMITFAIL, TEMP),
	ST(ESME_RINVSRCTON, PERM),
	ST(ESME_RINVSRCNPI, PERM),
	ST(ESME_RINVDSTTON, PERM),
	ST(ESME_RINVDSTNPI, PERM),
	ST(ESME_RINVSYSTYP, PERM),
	ST(ESME_RINVREPFLAG, PERM),
	ST(ESME_RINVNUMMSGS, PERM),
	ST(ESME_RTHROTTLED, THROTTLE),
	ST(ESME_RINVSCHED, PERM),
	ST(ESME_RINVEXPIRY, PERM),
	ST(ESME_RINVDFTMSGID, PERM),
	ST(ESME_RX_T_APPN, TEMP),
	ST(ESME_RX_P_APPN, PERM),
	ST(ESME_RX_R_APPN, PERM),
	ST(ESME_RQUERYFAIL, TEMP),
	ST(ESME_RINVOPTPARSTREAM, PERM),
	ST(ESME_ROPTPARNOTALLWD, PERM),
	ST(ESME_RINVPARLEN, PERM),
	ST(ESME_RMISSINGOPTPARAM, PERM),
	ST(ESME_RINVOPTPARAMVAL, PERM),
	ST(ESME_RDELIVERYFAILURE, TEMP),
	ST(ESME_RUNKNOWNERR, TEMP),
};

#undef ST

#define STATUS_VENDOR_FIRST	0x400
#define STATUS_VENDOR_LAST	0x4FF

static const struct status_def *status_find(uint32_t status)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(status_table); i++)
		if (status_table[i].status == status)
			return &status_table[i];
	return NULL;
}

enum smpp_status_class smpp_pdu_status_class(uint32_t status)
{
	const struct status_def *def = status_find(status);

	return def ? def->cls : SMPP_ST_TEMP;
}

const char *smpp_pdu_status_str(uint32_t status)
{
	const struct status_def *def = status_find(status);

	if (def)
		return def->name;
	if (status >= STATUS_VENDOR_FIRST && status <= STATUS_VENDOR_LAST)
		return "vendor-specific";
	return "reserved";
}

static const struct value_string cmd_names[] = {
	{ SMPP_GENERIC_NACK,		"generic_nack" },
	{ SMPP_BIND_RECEIVER,		"bind_receiver" },
	{ SMPP_BIND_RECEIVER_RESP,	"bind_receiver_resp" },
	{ SMPP_BIND_TRANSMITTER,	"bind_transmitter" },
	{ SMPP_BIND_TRANSMITTER_RESP,	"bind_transmitter_resp" },
	{ QUERY_SM,			"query_sm" },
	{ QUERY_SM_RESP,		"query_sm_resp" },
	{ SMPP_SUBMIT_SM,		"submit_sm" },
	{ SMPP_SUBMIT_SM_RESP,		"submit_sm_resp" },
	{ SMPP_DELIVER_SM,		"deliver_sm" },
	{ SMPP_DELIVER_SM_RESP,		"deliver_sm_resp" },
	{ SMPP_UNBIND,			"unbind" },
	{ SMPP_UNBIND_RESP,		"unbind_resp" },
	{ REPLACE_SM,			"replace_sm" },
	{ REPLACE_SM_RESP,		"replace_sm_resp" },
	{ CANCEL_SM,			"cancel_sm" },
	{ CANCEL_SM_RESP,		"cancel_sm_resp" },
	{ SMPP_BIND_TRANSCEIVER,	"bind_transceiver" },
	{ SMPP_BIND_TRANSCEIVER_RESP,	"bind_transceiver_resp" },
	{ OUTBIND,			"outbind" },
	{ SMPP_ENQUIRE_LINK,		"enquire_link" },
	{ SMPP_ENQUIRE_LINK_RESP,	"enquire_link_resp" },
	{ SUBMIT_MULTI,			"submit_multi" },
	{ SUBMIT_MULTI_RESP,		"submit_multi_resp" },
	{ ALERT_NOTIFICATION,		"alert_notification" },
	{ DATA_SM,			"data_sm" },
	{ DATA_SM_RESP,			"data_sm_resp" },
	{ 0, NULL }
};

const char *smpp_pdu_cmd_str(uint32_t cmd_id)
{
	const char *s = get_value_string_or_null(cmd_names, cmd_id);

	return s ? s : "unknown_command";
}
