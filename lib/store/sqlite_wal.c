/*
 * sqlite_wal.c - WAL checkpoints off the writer's path.
 *
 * In WAL mode every committed page is written twice: to the WAL by the
 * commit, and into the database file by a checkpoint. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses the threshold, so the
 * writer pays for both. A handle that writes starts one checkpointer thread
 * with a connection of its own; the WAL hook (called after each commit with
 * the WAL's size) wakes it past CKPT_KICK bytes, and it copies pages back
 * with a PASSIVE checkpoint, which never blocks readers or the writer. Only
 * when the WAL outgrows CKPT_HARD bytes (the thread cannot keep up, or a
 * long reader pins it) does the writer checkpoint itself, as SQLite would.
 * Durability does not change: a commit is durable in the WAL either way.
 *
 * A PASSIVE checkpoint never makes the WAL start again from the beginning:
 * that happens only when a write transaction begins with every frame
 * copied back, and an import begins its next file the moment the last one
 * commits. So the WAL grew as large as everything written (170 MB for
 * 200,000 events), every commit extended the file (new blocks for the file
 * system to allocate and journal), and closing the store deleted it all.
 * Past SQ_WAL_RESTART bytes, the writer now checkpoints after a commit in
 * RESTART mode: it copies what the thread has not yet (little, as the thread
 * runs every CKPT_KICK bytes) and waits briefly for readers to leave the
 * WAL, so the next transaction overwrites it from its start. Only one
 * connection checkpoints at a time (another gets SQLITE_BUSY at once), so
 * the commit that makes a restart due does not wake the thread, and the
 * writer first waits for a pass the thread is in to end. Busy even so (a
 * reader stayed): it tries again once the WAL has grown by a quarter of the
 * limit.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

#define CKPT_KICK       (16 << 20) /* bytes of WAL that wake the checkpointer */
#define CKPT_HARD       (1 << 30)  /* bytes past which the writer does it */
#define CKPT_IDLE_MS    1000       /* the checkpointer also runs this often */
#define RESTART_WAIT_MS 20 /* the writer waits for readers to leave the WAL */
#define PASS_WAIT_MS    2000 /* ... and at most this for the thread's pass */

struct sq_ckpt {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* kick or stop */
    pthread_cond_t idle; /* a pass ended */
    sqlite3 *db;         /* the checkpointer's own connection */
    bool stop, kick;
    bool running; /* in a pass (mu not held) */
};

static void *loop(void *arg)
{
    sq_ckpt *c = arg;

    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CKPT_IDLE_MS / 1000;
        while (!c->stop && !c->kick)
            if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0)
                break;
        c->kick = false;
        if (c->stop)
            break;
        c->running = true;
        pthread_mutex_unlock(&c->mu);
        /* Copies what no reader still needs; busy is fine: next time. */
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
        pthread_mutex_lock(&c->mu);
        c->running = false;
        pthread_cond_broadcast(&c->idle);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* A restart is due after this commit (sq_wal_restart). */
static bool restart_due(const sq *s)
{
    return s->ckpt && s->wal_bytes >= s->wal_restart &&
           s->wal_bytes >= s->wal_retry;
}

static int hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    sq *s = arg;

    s->wal_bytes = (int64_t)pages * s->page_size;
    if (s->wal_bytes < s->wal_restart)
        s->wal_retry = 0; /* it started over */
    if (s->wal_bytes >= CKPT_HARD) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
    } else if (s->wal_bytes >= CKPT_KICK && s->ckpt && !restart_due(s)) {
        pthread_mutex_lock(&s->ckpt->mu);
        s->ckpt->kick = true;
        pthread_cond_signal(&s->ckpt->cv);
        pthread_mutex_unlock(&s->ckpt->mu);
    }
    return SQLITE_OK;
}

void sq_ckpt_start(sq *s)
{
    sq_ckpt *c;

    if (s->ckpt || s->ckpt_failed)
        return;
    s->ckpt_failed = true; /* until it runs: then SQLite's own hook stays */
    if (!(c = calloc(1, sizeof *c)))
        return;
    if (sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        sqlite3_close(c->db);
        free(c);
        return;
    }
    sqlite3_busy_timeout(c->db, 100);
    /* A connection finds the file in WAL mode only when it first reads;
     * until then its checkpoints do nothing (and say so only by -1s). */
    if (sqlite3_exec(c->db, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL,
                     NULL) != SQLITE_OK) {
        sqlite3_close(c->db);
        free(c);
        return;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_cond_init(&c->idle, NULL);
    if (pthread_create(&c->th, NULL, loop, c) != 0) {
        pthread_cond_destroy(&c->idle);
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        sqlite3_close(c->db);
        free(c);
        return;
    }
    s->ckpt = c;
    s->ckpt_failed = false;
    sqlite3_wal_hook(s->db, hook, s); /* replaces wal_autocheckpoint */
}

void sq_ckpt_stop(sq *s)
{
    sq_ckpt *c = s->ckpt;

    if (!c)
        return;
    sqlite3_wal_autocheckpoint(s->db, SQ_WAL_AUTOCHECKPOINT / s->page_size);
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->th, NULL);
    pthread_cond_destroy(&c->idle);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    sqlite3_close(c->db);
    free(c);
    s->ckpt = NULL;
}

/* Wait until the checkpointer is between passes (or PASS_WAIT_MS). */
static void wait_pass(sq_ckpt *c)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PASS_WAIT_MS / 1000;
    until.tv_nsec += PASS_WAIT_MS % 1000 * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->mu);
    while (c->running)
        if (pthread_cond_timedwait(&c->idle, &c->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&c->mu);
}

void sq_wal_restart(sq *s)
{
    int rc;

    if (!restart_due(s))
        return;
    wait_pass(s->ckpt);
    sqlite3_busy_timeout(s->db, RESTART_WAIT_MS);
    rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL,
                                   NULL);
    sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
    /* A reader stayed: not again for every commit (each would wait), but
     * once the WAL has grown by a quarter of the limit more. */
    if (rc != SQLITE_OK)
        s->wal_retry = s->wal_bytes + s->wal_restart / 4;
    s->wal_bytes = 0; /* the hook says again after the next commit */
}
