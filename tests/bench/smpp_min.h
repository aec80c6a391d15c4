/*
 * smpp_min.h - the few SMPP 3.4 pieces the benchmark SMSCs share
 * (smsc_sink.c, mo_load.c, ussd_load.c): big-endian fields, C-octet
 * strings, framing, an output buffer of whole PDUs, a loopback listening
 * socket, a connection that reads and frames PDUs and is watched by
 * epoll, the answers every SMSC here gives alike (bind, enquire_link,
 * unbind, generic_nack), and the short-message body of submit_sm and
 * deliver_sm both ways.
 *
 * Hand-coded on purpose: no SMPP library is on the measured path. Errors
 * that leave a benchmark tool nothing to do (allocation, socket set-up)
 * end the process with a message prefixed by bu_prog (bench_util.h).
 */
#ifndef SMPP_MIN_H
#define SMPP_MIN_H

#include <stddef.h>
#include <stdint.h>

#define SM_HDR_LEN		16
#define SM_PDU_MAX		(64 * 1024)	/* larger: a broken peer */

#define SM_GENERIC_NACK		0x80000000u
#define SM_BIND_RECEIVER	0x00000001u
#define SM_BIND_TRANSMITTER	0x00000002u
#define SM_SUBMIT_SM		0x00000004u
#define SM_DELIVER_SM		0x00000005u
#define SM_UNBIND		0x00000006u
#define SM_BIND_TRANSCEIVER	0x00000009u
#define SM_ENQUIRE_LINK		0x00000015u
#define SM_RESP_BIT		0x80000000u

#define SM_ESME_ROK		0x00
#define SM_ESME_RINVCMDID	0x03

#define SM_IN_CAP		(1024 * 1024)	/* >= SM_PDU_MAX: read buffer */

/* Octets queued for one connection; [off, len) is still to be sent. */
struct sm_buf {
	uint8_t *p;
	size_t len, off, cap;
};

uint32_t sm_rd32(const uint8_t *p);
uint16_t sm_rd16(const uint8_t *p);
uint8_t *sm_wr32(uint8_t *p, uint32_t v);
uint8_t *sm_wr16(uint8_t *p, uint16_t v);

/* Writes the decimal form of v with a NUL; returns the length without it. */
size_t sm_utoa10(char *dst, unsigned long long v);

/* Skips a C-octet string of at most `max` octets incl. NUL at *p; copies it
 * to dst (when not NULL; cap >= max). -1 when it runs past end or is too
 * long. */
int sm_get_cstr(const uint8_t **p, const uint8_t *end, char *dst,
		size_t max);

/* Length of the PDU at the start of `avail` octets: 1 and *len when it is
 * all there, 0 when more is needed, -1 (and *len) when its command_length
 * is below 16 or above SM_PDU_MAX. */
int sm_pdu_len(const uint8_t *p, size_t avail, uint32_t *len);

/* Room for `need` more octets at the end of b (grows, compacts). */
uint8_t *sm_buf_reserve(struct sm_buf *b, size_t need);

/* Octets of b not yet sent. */
static inline size_t sm_buf_pending(const struct sm_buf *b)
{
	return b->len - b->off;
}

/* Appends a PDU whose body is `body`/`blen` (may be 0). */
void sm_put_pdu(struct sm_buf *b, uint32_t id, uint32_t status, uint32_t seq,
		const void *body, size_t blen);

/* Appends a PDU whose body the caller writes: returns where the body goes
 * (room for `max_body` octets); sm_end_pdu() sets its length. */
uint8_t *sm_begin_pdu(struct sm_buf *b, uint32_t id, uint32_t status,
		      uint32_t seq, size_t max_body);
void sm_end_pdu(struct sm_buf *b, const uint8_t *body_end);

/* Sends what b holds until done or EAGAIN. 0, or -1 with errno when the
 * connection is gone. */
int sm_flush(int fd, struct sm_buf *b);

/* A non-blocking socket listening on 127.0.0.1:port (0: a free one);
 * *bound gets the port. */
int sm_listen(long port, long *bound);

/* Writes port to path through a temporary name and rename(), so a reader
 * that sees the file sees the whole number. */
void sm_write_port_file(const char *path, long port);

/* Sets TCP_NODELAY; accepts non-blocking, close-on-exec: -1 and errno. */
int sm_accept(int lfd);

/* ---- a connection of an SMSC ------------------------------------------- */

enum sm_bind { SM_B_NONE, SM_B_TX, SM_B_RX, SM_B_TRX };

struct sm_conn {
	int fd;
	enum sm_bind bound;
	uint32_t seq;			/* our own outbound sequence numbers */
	uint8_t *in;			/* SM_IN_CAP octets */
	size_t in_len;
	struct sm_buf out;
	int want_out;			/* EPOLLOUT registered */
	int reading;			/* EPOLLIN registered */
	int closing;			/* close once output is flushed */
	struct sm_conn *next;		/* the tool's list */
};

/* Accepts one connection from lfd and adds it to epfd (EPOLLIN, data.ptr
 * the connection): NULL when there is none left (other errors logged). */
struct sm_conn *sm_conn_accept(int epfd, int lfd);

/* Takes c out of epfd, closes and frees it. */
void sm_conn_free(int epfd, struct sm_conn *c);

/* The next outbound sequence number of c (1 .. 0x7FFFFFFF). */
uint32_t sm_conn_seq(struct sm_conn *c);

typedef void sm_pdu_fn(struct sm_conn *c, const uint8_t *pdu, uint32_t len,
		       void *arg);

/* Reads until EAGAIN and hands every complete PDU to fn, none after c is
 * closing; stops reading early while out_high octets or more wait to be
 * sent. 0, or -1 when c is to be dropped (closed by the peer, an error, a
 * command_length below 16 or above SM_PDU_MAX: each said on stderr). */
int sm_conn_read(struct sm_conn *c, sm_pdu_fn *fn, void *arg,
		 size_t out_high);

/* Registers with epfd what c waits for now: output while some is pending,
 * input unless c is closing or out_high octets or more are pending. */
void sm_conn_watch(int epfd, struct sm_conn *c, size_t out_high);

/* Answers what every SMSC here answers alike: a bind of any kind (OK,
 * system_id sysid; c->bound set, logged), enquire_link, unbind (c->bound
 * cleared, c->closing set, logged), generic_nack to any other command; a
 * response is left alone. */
void sm_answer_admin(struct sm_conn *c, uint32_t id, uint32_t seq,
		     const char *sysid);

/* ---- short messages ---------------------------------------------------- */

struct sm_addr {
	uint8_t ton, npi;
	char addr[21];
};

/* The mandatory part of a submit_sm or deliver_sm body. */
struct sm_sm {
	struct sm_addr src, dst;
	uint8_t esm, dcs, sm_len;
	const uint8_t *sm;		/* sm_len octets */
	const uint8_t *tlv, *end;	/* the optional parameters */
};

/* Parses body b of blen octets: 0, or -1 when it is cut short. */
int sm_parse_sm(const uint8_t *b, size_t blen, struct sm_sm *s);

/* The value of the first TLV `tag` in [p, end) and *len, or NULL. */
const uint8_t *sm_find_tlv(const uint8_t *p, const uint8_t *end,
			   uint16_t tag, uint16_t *len);

/* Writes a body from service_type "" to short_message at p (esm_class
 * esm, data_coding dcs, every other field 0 or empty) and returns its end,
 * where TLVs may follow: at most 64 + sm_len octets. */
uint8_t *sm_put_sm(uint8_t *p, const struct sm_addr *src,
		   const struct sm_addr *dst, uint8_t esm, uint8_t dcs,
		   const void *sm, uint8_t sm_len);

#endif
