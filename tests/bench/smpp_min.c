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
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "smpp_min.h"

#define SM_BUF_MIN	65536

const char *sm_prog = "smpp";

void sm_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", sm_prog, what, strerror(errno));
	exit(1);
}

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
				sm_die("realloc");
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
		sm_die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		sm_die("bind");
	if (listen(lfd, 16) < 0)
		sm_die("listen");
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0)
		sm_die("getsockname");
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
		sm_die(path);
}

int sm_accept(int lfd)
{
	int one = 1;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}
