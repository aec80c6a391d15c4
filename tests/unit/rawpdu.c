/*
 * rawpdu.c - SMPP PDUs written octet by octet for the unit tests (see
 * rawpdu.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rawpdu.h"
#include "gateway/smpp/pdu.h"

void raw_put8(struct raw *r, uint8_t v)
{
	assert_true(r->n < RAW_CAP);
	r->b[r->n++] = v;
}

void raw_put16(struct raw *r, uint16_t v)
{
	raw_put8(r, v >> 8);
	raw_put8(r, v & 0xff);
}

void raw_put32(struct raw *r, uint32_t v)
{
	raw_put16(r, v >> 16);
	raw_put16(r, v & 0xffff);
}

void raw_putmem(struct raw *r, const void *p, size_t n)
{
	assert_true(r->n + n <= RAW_CAP);
	if (n == 0)
		return;
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

void raw_putstr(struct raw *r, const char *s)
{
	raw_putmem(r, s, strlen(s) + 1);
}

void raw_tlv(struct raw *r, uint16_t tag, const void *v, uint16_t len)
{
	raw_put16(r, tag);
	raw_put16(r, len);
	raw_putmem(r, v, len);
}

void raw_tlv8(struct raw *r, uint16_t tag, uint8_t v)
{
	raw_tlv(r, tag, &v, 1);
}

void raw_tlv16(struct raw *r, uint16_t tag, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };

	raw_tlv(r, tag, b, sizeof(b));
}

void raw_hdr(struct raw *r, uint32_t id, uint32_t status, uint32_t seq)
{
	r->n = 0;
	raw_put32(r, 0);	/* set by raw_end */
	raw_put32(r, id);
	raw_put32(r, status);
	raw_put32(r, seq);
}

void raw_set32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void raw_end(struct raw *r)
{
	raw_set32(r->b, r->n);
}

/* deliver_sm mandatory part; TLVs may follow, then raw_end(). */
void raw_deliver(struct raw *r, uint8_t esm, uint8_t dcs,
			const void *sm, uint8_t sm_len)
{
	raw_hdr(r, SMPP_DELIVER_SM, 0, RAW_SEQ);
	raw_putstr(r, "");			/* service_type */
	raw_put8(r, 1);			/* source TON international */
	raw_put8(r, 1);			/* source NPI E.164 */
	raw_putstr(r, "77011234567");
	raw_put8(r, 0);
	raw_put8(r, 1);
	raw_putstr(r, "1234");
	raw_put8(r, esm);
	raw_put8(r, 0);			/* protocol_id */
	raw_put8(r, 0);			/* priority_flag */
	raw_putstr(r, "");			/* schedule_delivery_time */
	raw_putstr(r, "");			/* validity_period */
	raw_put8(r, 0);			/* registered_delivery */
	raw_put8(r, 0);			/* replace_if_present_flag */
	raw_put8(r, dcs);
	raw_put8(r, 0);			/* sm_default_msg_id */
	raw_put8(r, sm_len);
	raw_putmem(r, sm, sm_len);
}

