/*
 * pdu.h - SMPP 3.4 PDUs at one boundary (libsmpp34 is used only in
 * gateway/smpp/pdu.c).
 *
 * The link reads the 16-byte header itself (smpp_pdu_hdr_parse) and decides
 * before any body is unpacked. Outbound PDUs are built into msgbs; inbound
 * bodies are unpacked into plain structs that own no memory.
 */
#ifndef SGW_SMPP_PDU_H
#define SGW_SMPP_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msgb;

#define SMPP_HDR_LEN		16
#define SMPP_PDU_MAX		(64 * 1024)	/* larger command_length: drop link */
#define SMPP_SEQ_MAX		0x7FFFFFFFu
#define SMPP_PAYLOAD_MAX	1024		/* message_payload octets we send */
#define SMPP_SM_MAX		253		/* short_message octets (sm_length < 254) */
#define SMPP_MSGID_MAX		65		/* message_id incl. NUL */
#define SMPP_ADDR_MAX		21		/* address incl. NUL */
#define SMPP_TIME_LEN		16		/* YYMMDDhhmmsstnnp */

/* command ids */
#define SMPP_GENERIC_NACK		0x80000000u
#define SMPP_BIND_RECEIVER		0x00000001u
#define SMPP_BIND_RECEIVER_RESP		0x80000001u
#define SMPP_BIND_TRANSMITTER		0x00000002u
#define SMPP_BIND_TRANSMITTER_RESP	0x80000002u
#define SMPP_SUBMIT_SM			0x00000004u
#define SMPP_SUBMIT_SM_RESP		0x80000004u
#define SMPP_DELIVER_SM			0x00000005u
#define SMPP_DELIVER_SM_RESP		0x80000005u
#define SMPP_UNBIND			0x00000006u
#define SMPP_UNBIND_RESP		0x80000006u
#define SMPP_BIND_TRANSCEIVER		0x00000009u
#define SMPP_BIND_TRANSCEIVER_RESP	0x80000009u
#define SMPP_OUTBIND			0x0000000Bu
#define SMPP_ENQUIRE_LINK		0x00000015u
#define SMPP_ENQUIRE_LINK_RESP		0x80000015u
#define SMPP_ALERT_NOTIFICATION		0x00000102u
#define SMPP_DATA_SM			0x00000103u
#define SMPP_DATA_SM_RESP		0x80000103u
#define SMPP_IS_RESP(id)		(((id) & 0x80000000u) != 0)

/* command_status values we act on by name */
#define SMPP_ESME_ROK		0x00
#define SMPP_ESME_RINVMSGLEN	0x01
#define SMPP_ESME_RINVCMDLEN	0x02
#define SMPP_ESME_RINVCMDID	0x03
#define SMPP_ESME_RINVBNDSTS	0x04
#define SMPP_ESME_RALYBND	0x05
#define SMPP_ESME_RSYSERR	0x08
#define SMPP_ESME_RINVSRCADR	0x0A
#define SMPP_ESME_RINVDSTADR	0x0B
#define SMPP_ESME_RBINDFAIL	0x0D
#define SMPP_ESME_RINVPASWD	0x0E
#define SMPP_ESME_RINVSYSID	0x0F
#define SMPP_ESME_RMSGQFUL	0x14
#define SMPP_ESME_RINVSERTYP	0x15
#define SMPP_ESME_RINVESMCLASS	0x43
#define SMPP_ESME_RINVSRCTON	0x48
#define SMPP_ESME_RINVSRCNPI	0x49
#define SMPP_ESME_RINVDSTTON	0x50
#define SMPP_ESME_RINVDSTNPI	0x51
#define SMPP_ESME_RTHROTTLED	0x58
#define SMPP_ESME_RINVSCHED	0x61
#define SMPP_ESME_RINVEXPIRY	0x62
#define SMPP_ESME_RINVOPTPARSTREAM 0xC0
#define SMPP_ESME_RINVPARLEN	0xC2
#define SMPP_ESME_RX_T_APPN	0x64	/* ESME receiver temporary app error */
#define SMPP_ESME_RX_P_APPN	0x65
#define SMPP_ESME_RUNKNOWNERR	0xFF

/* esm_class bits */
#define SMPP_ESM_UDHI		0x40
#define SMPP_ESM_TYPE_MASK	0x3C
#define SMPP_ESM_RECEIPT	0x04	/* SMSC delivery receipt */

/* How the link must treat a command_status in a response. */
enum smpp_status_class {
	SMPP_ST_OK,
	SMPP_ST_THROTTLE,	/* throttled / queue full: pause the link, retry */
	SMPP_ST_TEMP,		/* temporary: requeue with back-off */
	SMPP_ST_PERM,		/* permanent: fail the message */
};

struct smpp_hdr {
	uint32_t len;
	uint32_t id;
	uint32_t status;
	uint32_t seq;
};

enum smpp_bind_kind {
	SMPP_BIND_KIND_TRX,
	SMPP_BIND_KIND_TX,
	SMPP_BIND_KIND_RX,
};

struct smpp_bind_params {
	const char *system_id;
	const char *password;
	const char *system_type;
	const char *address_range;
	uint8_t addr_ton, addr_npi;
};

/* Long-message carriage of one submit_sm. */
enum smpp_long {
	SMPP_LONG_NONE,		/* single short_message */
	SMPP_LONG_UDH,		/* UDH already at the start of sm, set UDHI */
	SMPP_LONG_SAR,		/* sar_msg_ref_num / sar_total / sar_seq TLVs */
	SMPP_LONG_PAYLOAD,	/* whole text in message_payload TLV */
};

struct smpp_submit {
	const char *src;
	uint8_t src_ton, src_npi;
	const char *dst;
	uint8_t dst_ton, dst_npi;
	uint8_t data_coding;
	uint8_t registered_delivery;
	const char *validity;		/* SMPP time string or NULL */
	const uint8_t *sm;		/* user data (with UDH for SMPP_LONG_UDH) */
	size_t sm_len;
	enum smpp_long lng;
	uint16_t sar_ref;
	uint8_t sar_total, sar_seq;
	bool ussd;			/* add ussd_service_op */
	uint8_t ussd_op;
	bool has_its;			/* add its_session_info */
	uint16_t its;
};

/* A received deliver_sm or data_sm, decoded. Pointers point into the
 * struct itself. */
struct smpp_deliver {
	char src[SMPP_ADDR_MAX + 1];
	char dst[SMPP_ADDR_MAX + 1];
	uint8_t src_ton, src_npi, dst_ton, dst_npi;
	uint8_t esm_class, protocol_id, data_coding;
	uint8_t ud[SMPP_PAYLOAD_MAX + 256];	/* short_message or message_payload */
	size_t ud_len;
	const uint8_t *text;		/* user data after any UDH */
	size_t text_len;
	/* concatenation, from a UDH (8- or 16-bit ref) or from SAR TLVs */
	bool concat;
	uint16_t concat_ref;
	uint8_t concat_total, concat_seq;
	/* delivery receipt */
	bool is_receipt;
	bool has_receipted_id;
	char receipted_id[SMPP_MSGID_MAX];
	int msg_state;			/* message_state TLV, -1 if absent */
	/* USSD */
	bool has_ussd_op;
	uint8_t ussd_op;
	bool has_its;
	uint16_t its;
	bool has_umr;
	uint16_t umr;			/* user_message_reference */
};

/* Call once at start-up before any other smpp_pdu function (installs talloc
 * allocation in libsmpp34). */
void smpp_pdu_init(void *ctx);

/* Read the raw header. 0 on success; -EAGAIN when fewer than 16 octets are
 * available; -EMSGSIZE when command_length is < 16 or > SMPP_PDU_MAX. */
int smpp_pdu_hdr_parse(const uint8_t *buf, size_t len, struct smpp_hdr *h);

/* Outbound PDUs (NULL on a packing failure, logged). */
struct msgb *smpp_pdu_bind(void *ctx, enum smpp_bind_kind kind, uint32_t seq,
			   const struct smpp_bind_params *p);
/* Header-only PDUs and the responses with an empty body: enquire_link(_resp),
 * unbind(_resp), generic_nack, deliver_sm_resp and data_sm_resp (empty
 * message_id). */
struct msgb *smpp_pdu_simple(void *ctx, uint32_t cmd_id, uint32_t status,
			     uint32_t seq);
struct msgb *smpp_pdu_submit(void *ctx, uint32_t seq,
			     const struct smpp_submit *s);

/* Inbound bodies: buf/len is the whole PDU (header included). 0 or -EINVAL. */
int smpp_pdu_parse_submit_resp(const uint8_t *buf, size_t len, char *msgid,
			       size_t cap);
/* deliver_sm or data_sm (whose user data is its message_payload). */
int smpp_pdu_parse_deliver(const uint8_t *buf, size_t len,
			   struct smpp_deliver *d);

/* At debug level: the first octets of a PDU as hex, with addresses and
 * texts blanked (smpp_check_redact), after the words in what. */
void smpp_pdu_log_dump(const char *what, const uint8_t *buf, size_t len);

/* Status mapping, in one place. */
enum smpp_status_class smpp_pdu_status_class(uint32_t status);
const char *smpp_pdu_status_str(uint32_t status);
const char *smpp_pdu_cmd_str(uint32_t cmd_id);

#endif
