/*
 * smpp_min.h - the few SMPP 3.4 pieces the benchmark SMSCs share
 * (smsc_sink.c, mo_load.c): big-endian fields, C-octet strings, framing,
 * an output buffer of whole PDUs, and a loopback listening socket.
 *
 * Hand-coded on purpose: no SMPP library is on the measured path. Errors
 * that leave a benchmark tool nothing to do (allocation, socket set-up)
 * end the process with a message prefixed by sm_prog.
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

/* Octets queued for one connection; [off, len) is still to be sent. */
struct sm_buf {
	uint8_t *p;
	size_t len, off, cap;
};

/* Prefix of error messages ("sink", "mo_load"); set it in main(). */
extern const char *sm_prog;

void sm_die(const char *what) __attribute__((noreturn));

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

#endif
