/*
 * rawpdu.h - SMPP PDUs written octet by octet for the unit tests, without
 * libsmpp34, so that decoders and the validator are checked against the
 * wire format rather than against the library they use.
 *
 *	struct raw r;
 *	raw_deliver(&r, 0, 0, "hi", 2);		header + mandatory fields
 *	raw_tlv16(&r, 0x1383, 5);		TLVs
 *	raw_end(&r);				command_length
 */
#ifndef SGW_RAWPDU_H
#define SGW_RAWPDU_H

#include <stddef.h>
#include <stdint.h>

#define RAW_CAP		4096
#define RAW_SEQ		7	/* sequence number of raw_deliver */

struct raw {
	uint8_t b[RAW_CAP];
	size_t n;
};

/* Append; each fails the running cmocka test when RAW_CAP would overflow. */
void raw_put8(struct raw *r, uint8_t v);
void raw_put16(struct raw *r, uint16_t v);
void raw_put32(struct raw *r, uint32_t v);
void raw_putmem(struct raw *r, const void *p, size_t n);
void raw_putstr(struct raw *r, const char *s);	/* with its NUL */
void raw_tlv(struct raw *r, uint16_t tag, const void *v, uint16_t len);
void raw_tlv8(struct raw *r, uint16_t tag, uint8_t v);
void raw_tlv16(struct raw *r, uint16_t tag, uint16_t v);

/* Start a PDU: the header with command_length 0 (raw_end sets it). */
void raw_hdr(struct raw *r, uint32_t id, uint32_t status, uint32_t seq);
void raw_set32(uint8_t *p, uint32_t v);
void raw_end(struct raw *r);

/* A deliver_sm's header and mandatory part (from 77011234567 to 1234);
 * TLVs may follow, then raw_end(). */
void raw_deliver(struct raw *r, uint8_t esm, uint8_t dcs, const void *sm,
		 uint8_t sm_len);

#endif
