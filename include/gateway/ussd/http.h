/*
 * http.h - USSD over HTTP, in the callback style USSD aggregators use:
 * a form POST (application/x-www-form-urlencoded) with sessionId,
 * serviceCode, phoneNumber and text (the subscriber's inputs so far joined
 * by '*'), answered with "CON screen" (wait for the next input) or "END
 * screen" (the dialogue is over) as text/plain; charset=utf-8. The
 * dialogues are the same as over SMPP (ussd.h, one menu engine).
 *
 * libmicrohttpd runs without threads of its own, inside the osmo select
 * loop: its epoll fd is an osmo_fd, and MHD_run() is called when that fd
 * is readable and from a timer set to MHD_get_timeout(). A request whose
 * step wrote to the database waits (its connection suspended) for the
 * group commit, never blocking the loop.
 *
 * Only clients on ussd.http.allow are accepted (default: the loopback
 * addresses); ussd.http.secret, when set, must come in the header
 * ussd.http.secret_header (403 otherwise); a body over ussd.http.max_body
 * is refused with 413, anything but a POST with 405, another content type
 * with 415, a missing or bad field with 400 and the reason as the body.
 */
#ifndef SGW_USSD_HTTP_H
#define SGW_USSD_HTTP_H

#include <stddef.h>

struct config;
struct ussd;
struct ussd_http;
struct vty;

/* Listen on ussd.http.address:port. NULL when that fails (logged). */
struct ussd_http *ussd_http_init(void *ctx, const struct config *cfg,
				 struct ussd *u);
/* Answers nothing more: waiting requests are closed. */
void ussd_http_free(struct ussd_http *h);

/* The value of field name in an urlencoded form body ('+' is a space,
 * %XX an octet). 1 with the value in out, 0 when the field is missing,
 * -EINVAL for a bad %-escape, -ENOSPC when it does not fit in cap. */
int ussd_http_form(const char *body, const char *name, char *out,
		   size_t cap);

void ussd_http_vty_show(const struct ussd_http *h, struct vty *vty);

#endif
