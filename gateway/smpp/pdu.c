/*
 * pdu.c - SMPP 3.4 PDUs at one boundary: what the link sends and reads.
 *
 * The link reads the 16-byte header itself (smpp_pdu_hdr_parse) and only
 * then asks for a body to be built or read. What we send is checked here
 * first (sequence numbers, TON and NPI values, string lengths, the
 * long-message carriage), the way libsmpp34 would refuse it, instead of
 * being truncated or refused without a reason. The PDUs of the message
 * path (submit_sm out; submit_sm_resp, deliver_sm and data_sm in) are
 * coded by hand in codec.c, against libsmpp34 as the reference in the
 * tests; the header-only PDUs and deliver_sm_resp are written here; bind
 * requests, sent once per session, are packed by libsmpp34, the only use
 * of it left in the daemon. libsmpp34 allocates through the talloc
 * wrappers installed by smpp_pdu_init.
 *
 * Every received body is walked by smpp_check_pdu (check.c) before it is
 * read, whoever calls: the link has done it once already, the fuzz
 * targets call the readers directly.
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
#include "codec.h"

/* header field offsets */
#define HDR_OFF_LEN		0
#define HDR_OFF_ID		4
#define HDR_OFF_STATUS		8
#define HDR_OFF_SEQ		12

#define PDU_PACK_BUF		256	/* > largest bind we build */
#define PDU_IF_VERSION		SMPP_VERSION	/* 0x34 */
#define PDU_LOG_DUMP_MAX	64	/* octets of a bad PDU shown in logs */

/* The longest strings of a submit_sm, NUL excluded (the fields libsmpp34
 * holds: addresses of 21 octets, a time of 17). */
#define SUBMIT_ADDR_MAX		(SMPP_ADDR_MAX - 1)
#define SUBMIT_TIME_MAX		SMPP_TIME_LEN

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

static void *pdu_malloc(size_t sz)
{
	return talloc_size(pdu_lib_ctx, sz);
}

static void *pdu_realloc(void *ptr, size_t sz)
{
	return talloc_realloc_size(pdu_lib_ctx, ptr, sz);
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
	smpp34_set_memory_functions(&mf);
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

/* A string of at most max octets (NULL is ""). */
static bool str_fits(const char *s, size_t max, const char *what)
{
	size_t n = s ? strlen(s) : 0;

	if (n <= max)
		return true;
	LOGP(DPDU, LOGL_ERROR, "%s too long (%zu > %zu)\n", what, n, max);
	return false;
}

static bool addr_type_ok(uint8_t ton, uint8_t npi, const char *what)
{
	if (smpp_codec_ton_ok(ton) && smpp_codec_npi_ok(npi))
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

/* Pack a filled libsmpp34 struct (without TLVs) into a new msgb. */
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
						 : SMPP_SM_MAX;

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

static bool submit_ok(uint32_t seq, const struct smpp_submit *s)
{
	return seq_ok(SMPP_SUBMIT_SM, seq) &&
	       addr_type_ok(s->src_ton, s->src_npi, "source_addr") &&
	       addr_type_ok(s->dst_ton, s->dst_npi, "destination_addr") &&
	       str_fits(s->src, SUBMIT_ADDR_MAX, "source_addr") &&
	       str_fits(s->dst, SUBMIT_ADDR_MAX, "destination_addr") &&
	       str_fits(s->validity, SUBMIT_TIME_MAX, "validity_period") &&
	       submit_long_ok(s);
}

struct msgb *smpp_pdu_submit(void *ctx, uint32_t seq,
			     const struct smpp_submit *s)
{
	struct msgb *msg;
	size_t len;

	if (!submit_ok(seq, s))
		return NULL;
	len = smpp_codec_submit_len(s);
	msg = msgb_alloc_c(ctx, len, "submit_sm");
	if (!msg)
		return NULL;
	smpp_codec_submit(msgb_put(msg, len), seq, s);
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

/* Is buf/len one whole PDU of command cmd_id that SMPP 3.4 allows? */
static bool pdu_valid(uint32_t cmd_id, const uint8_t *buf, size_t len)
{
	struct smpp_check_result bad;
	struct smpp_hdr h;

	if (smpp_pdu_hdr_parse(buf, len, &h) < 0 || h.len != len ||
	    h.id != cmd_id)
		return false;
	if (smpp_check_pdu(buf, len, &bad) != 0) {
		LOGP(DPDU, LOGL_DEBUG, "%s refused: %s: %s\n",
		     smpp_pdu_cmd_str(cmd_id), bad.what ? bad.what : "?", bad.why);
		return false;
	}
	return true;
}

/* A submit_sm_resp with an error status may come without a body: that is
 * 0 with msgid "". Without a body and with ESME_ROK it is -EINVAL. */
int smpp_pdu_parse_submit_resp(const uint8_t *buf, size_t len, char *msgid,
			       size_t cap)
{
	struct smpp_hdr h;
	int rc = -EINVAL;

	if (cap)
		msgid[0] = '\0';
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0 || h.len != len)
		return -EINVAL;
	if (h.id == SMPP_SUBMIT_SM_RESP && len == SMPP_HDR_LEN)
		return h.status != SMPP_ESME_ROK ? 0 : -EINVAL;
	if (pdu_valid(SMPP_SUBMIT_SM_RESP, buf, len))
		rc = smpp_codec_submit_resp(buf, len, msgid, cap);
	if (rc) {
		if (cap)
			msgid[0] = '\0';
		log_bad_pdu("submit_sm_resp", buf, len);
	}
	return rc;
}

/* -- deliver_sm --------------------------------------------------------- */

static void deliver_reset(struct smpp_deliver *d)
{
	memset(d, 0, sizeof(*d));
	d->msg_state = -1;
}

/* Reserved TON/NPI values (e.g. TON 7) in a deliver_sm are -EINVAL here
 * (smpp_check refuses them first). */
int smpp_pdu_parse_deliver(const uint8_t *buf, size_t len,
			   struct smpp_deliver *d)
{
	struct smpp_hdr h;
	int rc = -EINVAL;

	deliver_reset(d);
	if (smpp_pdu_hdr_parse(buf, len, &h) < 0)
		return -EINVAL;
	if (pdu_valid(h.id == SMPP_DATA_SM ? SMPP_DATA_SM : SMPP_DELIVER_SM,
		      buf, len))
		rc = smpp_codec_deliver(buf, len, d);
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
