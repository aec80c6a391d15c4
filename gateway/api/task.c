/*
 * task.c - the API's worker threads: work that would hold the loop too
 * long (password hashing, imports, exports, reports, counts over large
 * tables) runs in a thread of its own, with its own SQLite connection
 * (db_open on the same file: WAL lets it read while the loop writes, and
 * its writes take the write lock between the loop's group commits).
 *
 * What a thread may touch: its task's memory (a talloc tree with no
 * parent, api_task_mem()), the data the handler prepared for it (which
 * the loop leaves alone until the task is done), its database connection,
 * and thread-safe code: libsodium, SQLite, the CSV reader and the import
 * engine, the glossary's tables (read only after start). Never the loop's
 * objects (osmo timers and fds, the daemon's connection, the metrics
 * registry) and never quiet.h (it sets TZ). Logging: the daemon enables
 * libosmocore's multithread mode and stream file targets
 * (sgw_log_enable_threads()), so the rare LOGP of an error path below a
 * thread (a database error) is serialised with the loop's.
 *
 * When a thread ends it puts its task on the finished list (a mutex) and
 * writes an eventfd that the loop watches (an osmo_fd); the loop joins
 * the thread, calls the task's done() and starts what waits. Classes
 * bound how many run at once (two cores: two hashes, two reads, one
 * import) and how many may wait; beyond that a request is answered 503
 * busy instead of piling up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_priv.h"
#include "gateway/config.h"
#include "gateway/db.h"
#include "gateway/log.h"

static const struct {
	unsigned run, wait;
} task_limits[API_TASK_NUM_CLASSES] = {
	[API_TASK_HASH] = { 2, 32 },
	[API_TASK_READ] = { 2, 16 },
	[API_TASK_IMPORT] = { 1, 0 },
};

struct api_task {
	struct llist_head list;		/* the class's waiting or running */
	struct llist_head finished;	/* ts->finished, under ts->lock */
	struct api_tasks *ts;
	enum api_task_class cls;
	struct api_req *r;
	bool with_db;
	api_task_work work;
	api_task_done done;
	void *data;
	void *mem;
	pthread_t th;
	bool running;
	int rc;
	enum db_fault fault;		/* a storage fault the thread met */
	int fault_errno;
	atomic_bool cancel;
};

struct api_tasks {
	struct api_server *s;
	struct llist_head waiting[API_TASK_NUM_CLASSES];
	struct llist_head running[API_TASK_NUM_CLASSES];
	unsigned n_wait[API_TASK_NUM_CLASSES], n_run[API_TASK_NUM_CLASSES];
	pthread_mutex_t lock;
	struct llist_head finished;
	struct osmo_fd ofd;		/* eventfd */
};

void *api_task_mem(struct api_task *t)
{
	return t->mem;
}

void *api_task_data(struct api_task *t)
{
	return t->data;
}

struct api_server *api_task_server(struct api_task *t)
{
	return t->ts->s;
}

struct api_req *api_task_req(struct api_task *t)
{
	return t->r && !t->r->gone ? t->r : NULL;
}

int api_task_rc(struct api_task *t)
{
	return t->rc;
}

enum db_fault api_task_fault(const struct api_task *t, int *sys_errno)
{
	if (sys_errno)
		*sys_errno = t->fault_errno;
	return t->fault;
}

struct api_req *api_task_answerable(struct api_task *t, const char *what)
{
	struct api_req *r = api_task_req(t);

	if (r && t->rc < 0) {
		api_error(r, API_E_STORAGE, "%s could not be read", what);
		return NULL;
	}
	return r;
}

bool api_task_cancelled(struct api_task *t)
{
	return atomic_load(&t->cancel);
}

void api_task_cancel(struct api_task *t)
{
	atomic_store(&t->cancel, true);
}

unsigned api_tasks_busy(struct api_server *s, enum api_task_class c)
{
	return s->tasks->n_run[c] + s->tasks->n_wait[c];
}

/* ---- the thread --------------------------------------------------------- */

static void *task_main(void *arg)
{
	struct api_task *t = arg;
	struct api_tasks *ts = t->ts;
	struct db *db = NULL;
	uint64_t one = 1;
	ssize_t w;

	if (t->with_db && !(db = db_open(t->mem, ts->s->cfg->db_path, false)))
		t->rc = -EIO;
	else
		t->rc = t->work(t, db);
	db_close_all(db);	/* the statements of what work() made too */
	/* a thread of its own: every fault noted on it is the task's */
	t->fault = db_fault_last(0, &t->fault_errno);
	pthread_mutex_lock(&ts->lock);
	llist_add_tail(&t->finished, &ts->finished);
	pthread_mutex_unlock(&ts->lock);
	w = write(ts->ofd.fd, &one, sizeof(one));
	(void)w;	/* full: the loop reads it anyway */
	return NULL;
}

/* ---- the loop's side ---------------------------------------------------- */

static void task_free(struct api_task *t)
{
	struct api_req *r = t->r;

	talloc_free(t->mem);
	talloc_free(t);
	if (r)
		api_release(r);
}

static int task_run(struct api_task *t)
{
	struct api_tasks *ts = t->ts;

	if (pthread_create(&t->th, NULL, task_main, t))
		return -EAGAIN;
	t->running = true;
	llist_add_tail(&t->list, &ts->running[t->cls]);
	ts->n_run[t->cls]++;
	return 0;
}

/* Start what waits, while there is room. */
static void task_next(struct api_tasks *ts, enum api_task_class c)
{
	struct api_task *t;

	while (ts->n_wait[c] && ts->n_run[c] < task_limits[c].run) {
		t = llist_first_entry(&ts->waiting[c], struct api_task, list);
		llist_del(&t->list);
		ts->n_wait[c]--;
		if (task_run(t) < 0) {
			t->rc = -EAGAIN;
			t->done(t);
			task_free(t);
		}
	}
}

/* A finished thread: join it (unless joined), tell the handler, start the
 * next. */
static void task_reap(struct api_task *t, bool join)
{
	struct api_tasks *ts = t->ts;
	enum api_task_class c = t->cls;

	if (join)
		pthread_join(t->th, NULL);
	llist_del(&t->list);
	ts->n_run[c]--;
	if (t->r && t->fault != DB_FAULT_NONE) {	/* a 503 says why */
		t->r->fault = t->fault;
		t->r->fault_errno = t->fault_errno;
	}
	t->done(t);
	task_free(t);
	task_next(ts, c);
}

static int task_fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct api_tasks *ts = ofd->data;
	struct api_task *t, *tmp;
	LLIST_HEAD(done);
	uint64_t n;

	if (read(ofd->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOGP(DAPI, LOGL_ERROR, "API: reading the task eventfd: %s\n",
		     strerror(errno));
	pthread_mutex_lock(&ts->lock);
	llist_splice_init(&ts->finished, &done);
	pthread_mutex_unlock(&ts->lock);
	llist_for_each_entry_safe(t, tmp, &done, finished)
		task_reap(t, true);
	return 0;
}

struct api_tasks *api_tasks_new(struct api_server *s)
{
	struct api_tasks *ts = talloc_zero(s, struct api_tasks);
	unsigned c;
	int fd;

	if (!ts)
		return NULL;
	ts->s = s;
	for (c = 0; c < API_TASK_NUM_CLASSES; c++) {
		INIT_LLIST_HEAD(&ts->waiting[c]);
		INIT_LLIST_HEAD(&ts->running[c]);
	}
	INIT_LLIST_HEAD(&ts->finished);
	pthread_mutex_init(&ts->lock, NULL);
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	osmo_fd_setup(&ts->ofd, fd, OSMO_FD_READ, task_fd_cb, ts, 0);
	if (fd < 0 || osmo_fd_register(&ts->ofd) < 0) {
		if (fd >= 0)
			close(fd);
		pthread_mutex_destroy(&ts->lock);
		talloc_free(ts);
		return NULL;
	}
	return ts;
}

/* Cancel and join every thread; their done() runs (for requests that are
 * gone it only frees); tasks that never started are told -ECANCELED. */
void api_tasks_free(struct api_tasks *ts)
{
	struct api_task *t, *tmp;
	unsigned c;

	if (!ts)
		return;
	for (c = 0; c < API_TASK_NUM_CLASSES; c++) {
		llist_for_each_entry(t, &ts->running[c], list)
			api_task_cancel(t);
		llist_for_each_entry_safe(t, tmp, &ts->waiting[c], list) {
			llist_del(&t->list);
			ts->n_wait[c]--;
			t->rc = -ECANCELED;
			t->done(t);
			task_free(t);
		}
	}
	for (c = 0; c < API_TASK_NUM_CLASSES; c++)
		llist_for_each_entry(t, &ts->running[c], list)
			pthread_join(t->th, NULL);
	/* every thread has ended and is on the finished list */
	llist_for_each_entry_safe(t, tmp, &ts->finished, finished)
		task_reap(t, false);
	osmo_fd_unregister(&ts->ofd);
	close(ts->ofd.fd);
	pthread_mutex_destroy(&ts->lock);
	talloc_free(ts);
}

struct api_task *api_task_new(struct api_server *s, enum api_task_class c,
			      struct api_req *r, bool with_db,
			      api_task_work work, api_task_done done,
			      void *data)
{
	struct api_task *t = talloc_zero(s->tasks, struct api_task);

	if (!t)
		return NULL;
	t->mem = talloc_named_const(NULL, 0, "api_task");
	if (!t->mem) {
		talloc_free(t);
		return NULL;
	}
	t->ts = s->tasks;
	t->cls = c;
	t->r = r;
	t->with_db = with_db;
	t->work = work;
	t->done = done;
	t->data = data;
	atomic_init(&t->cancel, false);
	if (r)
		api_hold(r);
	return t;
}

int api_task_start(struct api_task *t)
{
	struct api_tasks *ts = t->ts;
	enum api_task_class c = t->cls;

	if (ts->n_run[c] < task_limits[c].run && task_run(t) == 0)
		return 0;
	if (ts->n_wait[c] < task_limits[c].wait) {
		llist_add_tail(&t->list, &ts->waiting[c]);
		ts->n_wait[c]++;
		return 0;
	}
	task_free(t);
	return -EBUSY;
}
