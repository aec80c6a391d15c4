/*
 * smpp_min.c - the SMPP 3.4 helpers of the benchmark SMSCs (smpp_min.h).
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench_util.h"
#include "smpp_min.h"

#define SM_BUF_MIN	65536

uint32_t sm_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint16_t sm_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint8_t *sm_wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

uint8_t *sm_wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

size_t sm_utoa10(char *dst, unsigned long long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = '\0';
	return n;
}

int sm_get_cstr(const uint8_t **p, const uint8_t *end, char *dst, size_t max)
{
	size_t i;

	for (i = 0; *p + i < end && i < max; i++)
		if ((*p)[i] == 0) {
			if (dst)
				memcpy(dst, *p, i + 1);
			*p += i + 1;
			return 0;
		}
	return -1;
}

int sm_pdu_len(const uint8_t *p, size_t avail, uint32_t *len)
{
	if (avail < SM_HDR_LEN)
		return 0;
	*len = sm_rd32(p);
	if (*len < SM_HDR_LEN || *len > SM_PDU_MAX)
		return -1;
	return avail >= *len;
}

uint8_t *sm_buf_reserve(struct sm_buf *b, size_t need)
{
	if (b->off && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + need > b->cap) {
		if (b->off) {
			memmove(b->p, b->p + b->off, b->len - b->off);
			b->len -= b->off;
			b->off = 0;
		}
		if (b->len + need > b->cap) {
			size_t cap = b->cap ? b->cap : SM_BUF_MIN;
			uint8_t *nb;

			while (cap < b->len + need)
				cap *= 2;
			nb = realloc(b->p, cap);
			if (!nb)
				bu_die("realloc");
			b->p = nb;
			b->cap = cap;
		}
	}
	return b->p + b->len;
}

uint8_t *sm_begin_pdu(struct sm_buf *b, uint32_t id, uint32_t status,
		      uint32_t seq, size_t max_body)
{
	uint8_t *p = sm_buf_reserve(b, SM_HDR_LEN + max_body);

	p = sm_wr32(p, SM_HDR_LEN);	/* sm_end_pdu() sets it */
	p = sm_wr32(p, id);
	p = sm_wr32(p, status);
	return sm_wr32(p, seq);
}

void sm_end_pdu(struct sm_buf *b, const uint8_t *body_end)
{
	size_t n = body_end - (b->p + b->len);

	sm_wr32(b->p + b->len, (uint32_t)n);
	b->len += n;
}

void sm_put_pdu(struct sm_buf *b, uint32_t id, uint32_t status, uint32_t seq,
		const void *body, size_t blen)
{
	uint8_t *p = sm_begin_pdu(b, id, status, seq, blen);

	if (blen)
		memcpy(p, body, blen);
	sm_end_pdu(b, p + blen);
}

int sm_flush(int fd, struct sm_buf *b)
{
	while (b->off < b->len) {
		ssize_t n = send(fd, b->p + b->off, b->len - b->off,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		b->off += n;
	}
	if (b->off == b->len)
		b->off = b->len = 0;
	return 0;
}

int sm_listen(long port, long *bound)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	int one = 1;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (lfd < 0)
		bu_die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bu_die("bind");
	if (listen(lfd, 16) < 0)
		bu_die("listen");
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
		bu_die("getsockname");
	*bound = ntohs(sa.sin_port);
	return lfd;
}

void sm_write_port_file(const char *path, long port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%ld\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		bu_die(path);
}

int sm_accept(int lfd)
{
	int one = 1;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* ---- a connection of an SMSC ------------------------------------------- */

struct sm_conn *sm_conn_accept(int epfd, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sm_conn *c;
	int fd = sm_accept(lfd);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			bu_log("accept: %s", strerror(errno));
		return NULL;
	}
	c = bu_xcalloc(1, sizeof(*c));
	c->in = malloc(SM_IN_CAP);
	if (!c->in)
		bu_die("malloc");
	c->fd = fd;
	c->reading = 1;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		bu_die("epoll_ctl");
	bu_log("fd %d: connected", fd);
	return c;
}

void sm_conn_free(int epfd, struct sm_conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out.p);
	free(c);
}

uint32_t sm_conn_seq(struct sm_conn *c)
{
	c->seq = c->seq >= 0x7FFFFFFFu ? 1 : c->seq + 1;
	return c->seq;
}

/* Hands the complete PDUs of c->in to fn. -1 on a bad command_length. */
static int conn_frame(struct sm_conn *c, sm_pdu_fn *fn, void *arg)
{
	size_t off = 0;

	while (!c->closing) {
		uint32_t len;
		int got = sm_pdu_len(c->in + off, c->in_len - off, &len);

		if (got < 0) {
			fprintf(stderr, "%s: fd %d: bad command_length %u, "
				"closing\n", bu_prog, c->fd, len);
			return -1;
		}
		if (!got)
			break;
		fn(c, c->in + off, len, arg);
		off += len;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return 0;
}

int sm_conn_read(struct sm_conn *c, sm_pdu_fn *fn, void *arg,
		 size_t out_high)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
				 SM_IN_CAP - c->in_len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			bu_log("fd %d: recv: %s", c->fd, strerror(errno));
			return -1;
		}
		if (n == 0) {
			bu_log("fd %d: closed by peer", c->fd);
			return -1;
		}
		c->in_len += n;
		if (conn_frame(c, fn, arg) < 0)
			return -1;
		if (c->closing || sm_buf_pending(&c->out) >= out_high)
			return 0;
	}
}

void sm_conn_watch(int epfd, struct sm_conn *c, size_t out_high)
{
	struct epoll_event ev = { .data.ptr = c };
	int want_out = sm_buf_pending(&c->out) > 0;
	int reading = !c->closing && sm_buf_pending(&c->out) < out_high;

	if (want_out == c->want_out && reading == c->reading)
		return;
	ev.events = (reading ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0);
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		bu_die("epoll_ctl");
	c->want_out = want_out;
	c->reading = reading;
}

static void answer_bind(struct sm_conn *c, uint32_t id, uint32_t seq,
			const char *sysid)
{
	c->bound = id == SM_BIND_TRANSCEIVER ? SM_B_TRX :
		   id == SM_BIND_TRANSMITTER ? SM_B_TX : SM_B_RX;
	bu_log("fd %d: bound as %s", c->fd,
	       c->bound == SM_B_TRX ? "transceiver" :
	       c->bound == SM_B_TX ? "transmitter" : "receiver");
	sm_put_pdu(&c->out, id | SM_RESP_BIT, SM_ESME_ROK, seq, sysid,
		   strlen(sysid) + 1);
}

void sm_answer_admin(struct sm_conn *c, uint32_t id, uint32_t seq,
		     const char *sysid)
{
	switch (id) {
	case SM_BIND_TRANSCEIVER:
	case SM_BIND_TRANSMITTER:
	case SM_BIND_RECEIVER:
		answer_bind(c, id, seq, sysid);
		break;
	case SM_ENQUIRE_LINK:
		sm_put_pdu(&c->out, id | SM_RESP_BIT, SM_ESME_ROK, seq, NULL, 0);
		break;
	case SM_UNBIND:
		bu_log("fd %d: unbind", c->fd);
		sm_put_pdu(&c->out, id | SM_RESP_BIT, SM_ESME_ROK, seq, NULL, 0);
		c->bound = SM_B_NONE;
		c->closing = 1;
		break;
	default:
		if (!(id & SM_RESP_BIT))
			sm_put_pdu(&c->out, SM_GENERIC_NACK, SM_ESME_RINVCMDID,
				   seq, NULL, 0);
		break;
	}
}

/* ---- short messages ---------------------------------------------------- */

/* TON, NPI and address at *p. -1 when cut short. */
static int get_addr(const uint8_t **p, const uint8_t *end, struct sm_addr *a)
{
	if (end - *p < 2)
		return -1;
	a->ton = (*p)[0];
	a->npi = (*p)[1];
	*p += 2;
	return sm_get_cstr(p, end, a->addr, sizeof(a->addr));
}

int sm_parse_sm(const uint8_t *b, size_t blen, struct sm_sm *s)
{
	const uint8_t *p = b, *end = b + blen;

	/* service_type, source, destination, esm_class, protocol_id,
	 * priority, schedule, validity, registered_delivery, replace,
	 * data_coding, sm_default_msg_id, sm_length, short_message */
	if (sm_get_cstr(&p, end, NULL, 6) < 0 || get_addr(&p, end, &s->src) < 0 ||
	    get_addr(&p, end, &s->dst) < 0 || end - p < 3)
		return -1;
	s->esm = p[0];
	p += 3;
	if (sm_get_cstr(&p, end, NULL, 17) < 0 ||
	    sm_get_cstr(&p, end, NULL, 17) < 0 || end - p < 5)
		return -1;
	s->dcs = p[2];
	s->sm_len = p[4];
	s->sm = p + 5;
	s->end = end;
	if (end - s->sm < s->sm_len)
		return -1;
	s->tlv = s->sm + s->sm_len;
	return 0;
}

const uint8_t *sm_find_tlv(const uint8_t *p, const uint8_t *end,
			   uint16_t tag, uint16_t *len)
{
	while (end - p >= 4) {
		uint16_t t = sm_rd16(p), l = sm_rd16(p + 2);

		if (end - p - 4 < l)
			break;
		if (t == tag) {
			*len = l;
			return p + 4;
		}
		p += 4 + l;
	}
	return NULL;
}

uint8_t *sm_put_sm(uint8_t *p, const struct sm_addr *src,
		   const struct sm_addr *dst, uint8_t esm, uint8_t dcs,
		   const void *sm, uint8_t sm_len)
{
	*p++ = 0;				/* service_type "" */
	*p++ = src->ton;
	*p++ = src->npi;
	p = (uint8_t *)stpcpy((char *)p, src->addr) + 1;
	*p++ = dst->ton;
	*p++ = dst->npi;
	p = (uint8_t *)stpcpy((char *)p, dst->addr) + 1;
	*p++ = esm;
	*p++ = 0;				/* protocol_id */
	*p++ = 0;				/* priority_flag */
	*p++ = 0;				/* schedule_delivery_time */
	*p++ = 0;				/* validity_period */
	*p++ = 0;				/* registered_delivery */
	*p++ = 0;				/* replace_if_present */
	*p++ = dcs;
	*p++ = 0;				/* sm_default_msg_id */
	*p++ = sm_len;
	memcpy(p, sm, sm_len);
	return p + sm_len;
}
