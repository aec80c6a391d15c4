/*
 * progress.c - the progress bar of skillctl (see progress.h).
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define PROGRESS_WIDTH		30	/* characters of the bar */
#define PROGRESS_EVERY_MS	100

static int64_t progress_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, FILE *f, const char *label)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->label = label;
	p->on = isatty(fileno(f));
}

void progress_update(struct progress *p, uint64_t done, uint64_t total,
		     unsigned long items)
{
	char bar[PROGRESS_WIDTH + 1];
	int64_t now = progress_now_ms();
	unsigned pct, fill;

	if (!p->on || (p->drawn && now - p->last_ms < PROGRESS_EVERY_MS))
		return;
	p->last_ms = now;
	pct = total ? (unsigned)(done * 100 / total) : 0;
	if (pct > 100)
		pct = 100;
	fill = pct * PROGRESS_WIDTH / 100;
	memset(bar, '#', fill);
	memset(bar + fill, '.', PROGRESS_WIDTH - fill);
	bar[PROGRESS_WIDTH] = '\0';
	fprintf(p->f, "\r%s [%s] %3u%% %lu rows", p->label, bar, pct, items);
	fflush(p->f);
	p->drawn = true;
}

void progress_done(struct progress *p)
{
	if (!p->drawn)
		return;
	fputs("\r\033[K", p->f);	/* to the start, erase the line */
	fflush(p->f);
	p->drawn = false;
}
