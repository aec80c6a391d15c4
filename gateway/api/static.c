/*
 * static.c - the web console's files, from api.console_dir, and the API's
 * contract, openapi.json, which the binary carries (the Makefile turns
 * gateway/api/openapi.json into openapi.h), so what is served is always
 * the contract of this build.
 *
 * A path is refused (404) unless each of its segments is a plain name:
 * not empty, not "." or "..", not starting with a dot, no backslash. The
 * file is then opened below the console directory and its real path must
 * still be inside that directory (a symbolic link pointing out is not
 * followed out of it); only regular files are served, "/" is index.html.
 * Content types come from the extension. The console's pages get a
 * Content-Security-Policy that allows only their own scripts and styles,
 * and may not be framed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/config.h"
#include "gateway/log.h"
#include "openapi.h"

#define STATIC_PATH_MAX		512
#define STATIC_CSP	"default-src 'self'; script-src 'self'; " \
			"style-src 'self'; img-src 'self' data:; " \
			"connect-src 'self'; frame-ancestors 'none'; " \
			"base-uri 'none'; form-action 'self'"

static const struct {
	const char *ext, *type;
} static_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".map", "application/json; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

void api_static_init(struct api_server *s)
{
	const char *dir = s->cfg->api.console_dir;
	char *real;

	s->console_real[0] = '\0';
	if (!*dir)
		return;
	real = realpath(dir, NULL);
	if (real && strlen(real) < sizeof(s->console_real))
		OSMO_STRLCPY_ARRAY(s->console_real, real);
	else
		LOGP(DAPI, LOGL_ERROR, "API: console directory %s: %s\n", dir,
		     real ? "path too long" : strerror(errno));
	free(real);
}

static const char *static_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	unsigned i;

	for (i = 0; dot && i < ARRAY_SIZE(static_types); i++)
		if (!strcasecmp(dot, static_types[i].ext))
			return static_types[i].type;
	return "application/octet-stream";
}

/* Every segment a plain name? */
static bool static_path_ok(const char *p)
{
	if (*p != '/' || strchr(p, '\\'))
		return false;
	while (*p == '/') {
		size_t n = strcspn(++p, "/");

		if (!n || p[0] == '.')
			return false;
		p += n;
	}
	return !*p;
}

/* Open rel below the console directory, a regular file inside it. */
static int static_open(struct api_server *s, const char *rel,
		       struct stat *st)
{
	char path[STATIC_PATH_MAX];
	char *real;
	size_t n = strlen(s->console_real);
	int fd;

	if (snprintf(path, sizeof(path), "%s%s", s->console_real, rel) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	real = realpath(path, NULL);
	if (!real)
		return -ENOENT;
	fd = strncmp(real, s->console_real, n) || real[n] != '/' ? -1 :
	     open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(real);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

void api_static(struct api_req *r)
{
	const char *rel = strcmp(r->path, "/") ? r->path : "/index.html";
	struct MHD_Response *resp;
	struct stat st;
	int fd;

	if (!*r->s->console_real) {
		api_error(r, API_E_NOT_FOUND, "no console here (api.console_dir)");
		return;
	}
	if (!static_path_ok(rel) ||
	    (fd = static_open(r->s, rel, &st)) < 0) {
		api_error(r, API_E_NOT_FOUND, "no such file");
		return;
	}
	resp = MHD_create_response_from_fd64(st.st_size, fd);
	if (!resp) {
		close(fd);
		api_error(r, API_E_INTERNAL, "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				static_type(rel));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-cache");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->s->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000");
	MHD_add_response_header(resp, "Content-Security-Policy", STATIC_CSP);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	api_reply(r, 200, resp);
}

void api_openapi(struct api_req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		api_openapi_json_len, (void *)api_openapi_json,
		MHD_RESPMEM_PERSISTENT);

	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					"application/json; charset=utf-8");
		api_headers(r, resp);
	}
	api_reply(r, 200, resp);
}
