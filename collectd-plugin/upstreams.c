/*
 * upstreams.c - collectd read plugin: the upstream providers of an AS (or
 * of a country) and each one's share of the observed paths, from public
 * BGP data.
 *
 *   LoadPlugin upstreams
 *   <Plugin upstreams>
 *     RipestatURL "https://stat.ripe.net"
 *     SourceApp "upstreams"
 *     Timeout 20000
 *     CacheDir "/var/cache/upstreams"
 *     MaxInFlight 4
 *     <Target "dprk">
 *       ASN 131279
 *       Expect 4837 20485
 *     </Target>
 *     <Target "kp">
 *       Country "KP"
 *       Source "ripestat-bgp-state" "nlnog-lg"
 *       ExpectPrefix "175.45.176.0/24" 4837
 *     </Target>
 *   </Plugin>
 *
 * Every <Target> block becomes its own complex read callback with its own
 * interval and its own context (fetcher, baseline, notification state).
 * The one thing targets share is the plugin-wide state of one <Plugin
 * upstreams> block: the limit of reads in flight (MaxInFlight, a counting
 * semaphore behind its own lock) and the stop flag.
 *
 * Threads.  collectd 5.12 joins its read threads before it calls any
 * shutdown callback, so a read callback that waits for the network holds
 * the daemon's shutdown for as long as the request lasts (Timeout may be
 * an hour).  The read callback therefore never fetches: it only hands the
 * read to the target's own fetch thread (made with plugin_thread_create
 * on the first read, after collectd has daemonized, with the read's
 * context and interval) and returns.  That thread takes a MaxInFlight
 * slot, queries, and dispatches values and notifications itself as soon
 * as it has them.  A whole read (slot wait, every request of a country,
 * retries and their waits) ends at Timeout: the fetcher asks a stop hook
 * before every try, about once a second during a transfer (libcurl's
 * progress callback, which also runs on a connection that stays silent)
 * and every 100 ms of a backoff wait.  collectd frees the read callbacks'
 * user data after joining its read threads and before the shutdown
 * callbacks: the first target freed that has a thread sets the plugin's
 * stop flag and wakes every waiting thread, so all fetch threads end
 * together, within about a second, and each free joins its own.  Values: plugin
 * "upstreams", plugin instance = the target's name, stock types only
 * (count, percent, duration).  They carry the time of the read
 * (collectd's "now" at dispatch); how old the data itself is goes out as
 * duration-data_age.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "upstreams.h"
/* The live source's parser and routing table: the core's own headers,
 * as the check's MRT mode uses them. */
#include "rib.h"
#include "source.h"

#define PLUGIN_NAME "upstreams"
#define TARGET_NAME_MAX 63
#define MAX_PREFIXES 64
#define DEFAULT_TIMEOUT_MS 20000
#define DEFAULT_RETRIES 3
/* RIPEstat allows 8 requests at a time per client address; 4 leaves room
 * for checks running on the same host. */
#define DEFAULT_MAX_IN_FLIGHT 4
#define MAX_IN_FLIGHT 8
/* Pacing after failed reads: after the k-th failed request in a row the
 * next one waits 2^(k-1) read intervals, at most BACKOFF_MAX_S (or one
 * interval when that is longer).  Reads in between send read_success 0
 * and the last values without asking the source. */
#define BACKOFF_MAX_S 3600
/* RIS Live (Source "ris-live"). */
#define DEFAULT_RIS_LIVE_URL \
	"https://ris-live.ripe.net/v1/stream/?format=json&client=upstreams"
/* RIS beacons are announced every 4 h and withdrawn 2 h later: with one
 * in the subscription the stream is never silent for more than 2 h.  The
 * default limit leaves half an hour above that. */
#define RIS_LIVE_BEACON "84.205.64.0/24"
#define DEFAULT_RIS_LIVE_MAX_SILENCE_S 9000
#define DEFAULT_RIS_LIVE_MAX_LAG_S 300
/* A gap longer than this is not backfilled from bgp-updates: a fresh
 * snapshot seeds the table again (RIS dumps its tables every 8 h). */
#define RIS_LIVE_MAX_BACKFILL_S (8 * 3600)
/* Reconnects wait 1 s, doubling up to this. */
#define RIS_LIVE_BACKOFF_MAX_S 60
/* A stream not connected for longer than this (never answered, or down
 * and not back after a quick reconnect) makes the reads fail. */
#define RIS_LIVE_CONNECT_GRACE_S 5
/* Live targets of one <Plugin upstreams> block sharing one stream. */
#define MAX_LIVE_TARGETS 64
/* MaxAge: at most ten years, in seconds. */
#define MAX_AGE_LIMIT (10.0 * 366 * 86400)

/* ------------------------------------------------------------ limiter */

/* The plugin-wide limit of targets reading at once: a counting semaphore
 * (mutex + condition variable) that every target of one <Plugin upstreams>
 * block points to.  Reference-counted: the configuration holds one
 * reference while it registers targets, every target one more; the last
 * release frees it.  It also carries what the plugin says once for all
 * targets (that CacheDir cannot be used), the stop flag of every thread
 * the plugin owns, and the hand-over of reads to the fetch threads (the
 * due and busy flags of every target are under this lock). */
struct up_limiter {
	pthread_mutex_t lock;
	pthread_cond_t freed;       /* signalled when a slot is released */
	pthread_cond_t wake;        /* a read is due, or stop */
	pthread_cond_t done;        /* a fetch thread finished a read */
	unsigned max;               /* MaxInFlight */
	unsigned in_use;            /* slots taken now */
	unsigned peak;              /* most slots ever taken at once */
	unsigned refs;
	atomic_int stopping;        /* shutdown: every thread ends */
	c_complain_t cache_complaint; /* CacheDir unusable (logged once) */
	struct up_stream *stream;   /* the RIS Live stream of the block */
};

static void up_stream_free(struct up_stream *s);
struct up_defaults;
static struct up_stream *up_stream_new(const struct up_defaults *d);

static struct up_limiter *
up_limiter_new(unsigned max)
{
	struct up_limiter *l = calloc(1, sizeof(*l));
	pthread_condattr_t attr;
	int ok;

	if (l == NULL)
		return NULL;
	if (pthread_condattr_init(&attr) != 0) {
		free(l);
		return NULL;
	}
	/* Waits are measured on the monotonic clock: a step of the wall
	 * clock must neither cut a wait short nor make it endless. */
	ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&l->freed, &attr) == 0;
	if (ok && pthread_cond_init(&l->wake, &attr) != 0) {
		pthread_cond_destroy(&l->freed);
		ok = 0;
	}
	if (ok && pthread_cond_init(&l->done, &attr) != 0) {
		pthread_cond_destroy(&l->freed);
		pthread_cond_destroy(&l->wake);
		ok = 0;
	}
	pthread_condattr_destroy(&attr);
	if (!ok) {
		free(l);
		return NULL;
	}
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		pthread_cond_destroy(&l->freed);
		pthread_cond_destroy(&l->wake);
		pthread_cond_destroy(&l->done);
		free(l);
		return NULL;
	}
	atomic_init(&l->stopping, 0);
	l->max = max;
	l->refs = 1;
	C_COMPLAIN_INIT(&l->cache_complaint);
	return l;
}

static struct up_limiter *
up_limiter_ref(struct up_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	l->refs++;
	pthread_mutex_unlock(&l->lock);
	return l;
}

static void
up_limiter_unref(struct up_limiter *l)
{
	unsigned left;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	left = --l->refs;
	pthread_mutex_unlock(&l->lock);
	if (left > 0)
		return;
	up_stream_free(l->stream);
	pthread_cond_destroy(&l->freed);
	pthread_cond_destroy(&l->wake);
	pthread_cond_destroy(&l->done);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/* Shutdown: every thread of the plugin ends (each wait wakes up, each
 * transfer stops at its next progress call).  Idempotent. */
static void
up_limiter_stop(struct up_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	atomic_store(&l->stopping, 1);
	pthread_cond_broadcast(&l->freed);
	pthread_cond_broadcast(&l->wake);
	pthread_cond_broadcast(&l->done);
	pthread_mutex_unlock(&l->lock);
}

static int
up_stopping(const struct up_limiter *l)
{
	return l != NULL && atomic_load(&((struct up_limiter *)l)->stopping);
}

/* ms from now on CLOCK_MONOTONIC, the clock of the limiter's condition
 * variable (pthread_condattr_setclock), as pthread_cond_timedwait takes it. */
static void
up_deadline(long ms, struct timespec *until)
{
	clock_gettime(CLOCK_MONOTONIC, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* Takes a slot, waiting at most timeout_ms for one; 0 when taken, -1
 * when none came free in time or the plugin stops. */
static int
up_limiter_acquire(struct up_limiter *l, long timeout_ms)
{
	struct timespec until;
	int rc = 0;

	up_deadline(timeout_ms, &until);
	pthread_mutex_lock(&l->lock);
	/* 0 is a wake-up (maybe spurious): look again; anything else is
	 * the end of the wait (ETIMEDOUT, or an error not to spin on). */
	while (l->in_use >= l->max && rc == 0 && !atomic_load(&l->stopping))
		rc = pthread_cond_timedwait(&l->freed, &l->lock, &until);
	/* A slot may have come free just as the time ran out: take it. */
	if (l->in_use < l->max && !atomic_load(&l->stopping)) {
		l->in_use++;
		if (l->in_use > l->peak)
			l->peak = l->in_use;
		rc = 0;
	} else
		rc = -1;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static void
up_limiter_release(struct up_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	if (l->in_use > 0)
		l->in_use--;
	pthread_cond_signal(&l->freed);
	pthread_mutex_unlock(&l->lock);
}

/* ------------------------------------------------------------- target */

/* Settings of the <Plugin upstreams> block that every target inherits;
 * owned (freed at the end of the configuration). */
struct up_defaults {
	char *ripestat_url;
	char *sourceapp;
	char *ca_file;
	char *nlnog_url;
	char *alice_url;
	char *cache_dir;            /* plugin level only */
	long timeout_ms;
	size_t max_bytes;
	int retries;
	unsigned max_in_flight;     /* plugin level only */
	struct up_limiter *limiter;
	int64_t max_age_s;          /* MaxAge: 0 the source's, -1 none */
	char *control_prefix;       /* ControlPrefix */
	char *ris_live_url;         /* RISLiveURL (plugin level only) */
	long ris_live_max_silence_s;   /* RISLiveMaxSilence */
	long ris_live_max_lag_s;       /* RISLiveMaxLag */
};

/* One <Target> block: its settings and what its reads remember. */
struct up_target {
	char name[TARGET_NAME_MAX + 1];
	/* settings, fixed after the configuration */
	uint32_t asn;
	char country[3];               /* "" or "KP" */
	upm_source source;             /* the first (or only) source */
	upm_source sources[UPM_MAX_SOURCES];
	size_t n_sources;              /* given with Source; 0: the default */
	char *ripestat_url;
	char *sourceapp;
	char *ca_file;
	char *nlnog_url;
	char *alice_url;
	char *cache_dir;
	char *state_file;
	char *prefixes[MAX_PREFIXES];
	size_t n_prefixes;
	char *extra_prefixes[MAX_PREFIXES];
	size_t n_extra_prefixes;
	upm_asn_list extra_asns;
	size_t max_asns;
	upm_prefix_expect expect_prefixes[MAX_PREFIXES]; /* ExpectPrefix */
	const char *track[MAX_PREFIXES];  /* the prefixes of expect_prefixes */
	size_t n_expect_prefixes;
	upm_asn_list expect;
	int have_expect;
	upm_params params;
	upm_asn_list clique;              /* Clique; params.clique points here */
	upm_asrel *asrel;                 /* ASRelationships */
	long timeout_ms;
	size_t max_bytes;
	int retries;
	bool visibility;
	cdtime_t interval;
	struct up_limiter *limiter;       /* shared, reference-counted */
	/* state of the reads, under lock */
	pthread_mutex_t lock;
	upm_fetcher *fetcher;          /* made by the first read, after init */
	upm_baseline_memory learned;   /* baseline learned in memory */
	int changed;                   /* last notification was a FAILURE */
	char *notified;                /* the change last notified */
	c_complain_t complaint;
	c_complain_t disagreement;     /* sources disagree (logged once) */
	int64_t max_age_s;             /* MaxAge: 0 the source's, -1 none */
	char *control_prefix;          /* ControlPrefix; NULL: the library's */
	upm_result *last;              /* the last good read, sent again with
	                                * read_success 0 while reads fail */
	unsigned failures;             /* failed reads in a row */
	cdtime_t next_try;             /* no request before (pacing) */
	c_complain_t pacing;           /* the backoff, logged once */
	/* the fetch thread; due, busy and worker_started under limiter->lock */
	pthread_t worker;
	int worker_started;
	int due;                       /* a read was handed over */
	int busy;                      /* the thread is reading */
	atomic_llong read_deadline_ms; /* monotonic end of this read; 0 none */
	/* Source "ris-live": the table the stream feeds, under lock */
	int live;                      /* a live target */
	int64_t hold_s;                /* Hold: a change notified once it
	                                * lasted this long; 0 at once */
	upm_rib *rib;                  /* NULL until seeded */
	upm_strlist live_prefixes;     /* the subscription's (seed + Prefix) */
	int dirty;                     /* events since the last computation */
	upm_asn_list live_present;     /* the present set last computed */
	char *pending;                 /* Hold: the change waiting, its key */
	long long pending_since_ms;    /* monotonic */
	int64_t seed_time;             /* the snapshot's data time */
	int64_t last_event;            /* the newest event time taken */
	int streamed;                  /* the table took stream events */
	int seeding;                   /* the snapshot's routes come in */
	c_complain_t backfill_complaint; /* the backfill failed (once) */
	c_complain_t live_complaint;   /* the stream failed (logged once) */
};

/* The RIS Live stream of one <Plugin upstreams> block: one thread, one
 * connection for the updates of every live target's prefixes (and the
 * beacon), one for the peer states; the live targets it feeds. */
struct up_stream {
	char *url;                     /* RISLiveURL */
	char *ca_file;                 /* the plugin's CACert */
	long max_silence_s, max_lag_s;
	struct up_target *targets[MAX_LIVE_TARGETS];
	size_t n_targets;
	pthread_t thread;
	int started, joined;           /* under the limiter's lock */
	/* what the read callbacks look at, under lock */
	pthread_mutex_t lock;
	int connected;                 /* the updates answered 200 */
	long long down_ms;             /* monotonic: not connected since
	                                * (0: no connection tried yet) */
	long long last_rx_ms;          /* monotonic: the last byte of updates */
	long long fresh_ms;            /* monotonic: the last message whose
	                                * time was within RISLiveMaxLag */
	long long started_ms;          /* monotonic: the thread's start */
	int64_t lag_s;                 /* the newest batch's lag */
	char error[256];               /* why the stream is down, "" if up */
	uint64_t reconnects;
	/* the stream thread's own */
	upm_ris_live_parser *parser[2];
	uint64_t errors_logged;
	c_complain_t down;             /* disconnected (logged once) */
};

static char *
up_dup_or_null(const char *s, int *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return d;
}

static void up_target_free(void *arg);
static void up_stream_join(struct up_limiter *l);

static struct up_target *
up_target_new(const char *name, const struct up_defaults *d)
{
	struct up_target *t = calloc(1, sizeof(*t));
	int failed = 0;

	if (t == NULL)
		return NULL;
	(void)snprintf(t->name, sizeof(t->name), "%s", name);
	t->source = UPM_SRC_BGP_STATE;
	upm_params_init(&t->params);
	upm_asn_list_init(&t->expect);
	upm_asn_list_init(&t->extra_asns);
	upm_asn_list_init(&t->clique);
	upm_asn_list_init(&t->learned.set);
	C_COMPLAIN_INIT(&t->complaint);
	C_COMPLAIN_INIT(&t->disagreement);
	C_COMPLAIN_INIT(&t->pacing);
	C_COMPLAIN_INIT(&t->live_complaint);
	C_COMPLAIN_INIT(&t->backfill_complaint);
	upm_asn_list_init(&t->live_present);
	t->max_age_s = d->max_age_s;
	t->timeout_ms = d->timeout_ms;
	t->max_bytes = d->max_bytes;
	t->retries = d->retries;
	atomic_init(&t->read_deadline_ms, 0);
	if (pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		return NULL;
	}
	if (d->limiter != NULL)
		t->limiter = up_limiter_ref(d->limiter);
	t->ripestat_url = up_dup_or_null(d->ripestat_url, &failed);
	t->sourceapp = up_dup_or_null(d->sourceapp, &failed);
	t->ca_file = up_dup_or_null(d->ca_file, &failed);
	t->nlnog_url = up_dup_or_null(d->nlnog_url, &failed);
	t->alice_url = up_dup_or_null(d->alice_url, &failed);
	t->cache_dir = up_dup_or_null(d->cache_dir, &failed);
	t->control_prefix = up_dup_or_null(d->control_prefix, &failed);
	if (failed) {
		up_target_free(t);
		return NULL;
	}
	return t;
}

/* The user_data_t free function: collectd calls it when the read callback
 * goes away (at shutdown); the configuration calls it for a broken block. */
static void
up_target_free(void *arg)
{
	struct up_target *t = arg;
	size_t i;

	if (t == NULL)
		return;
	/* Only at shutdown is a target with a running thread freed: stop
	 * them all at once, then wait for this one. */
	if (t->worker_started) {
		up_limiter_stop(t->limiter);
		pthread_join(t->worker, NULL);
	}
	if (t->live && t->limiter != NULL && t->limiter->stream != NULL)
		up_stream_join(t->limiter);
	upm_fetcher_free(t->fetcher);
	upm_rib_free(t->rib);
	upm_strlist_free(&t->live_prefixes);
	upm_asn_list_free(&t->live_present);
	free(t->pending);
	upm_asn_list_free(&t->clique);
	upm_asrel_free(t->asrel);
	free(t->ripestat_url);
	free(t->sourceapp);
	free(t->ca_file);
	free(t->nlnog_url);
	free(t->alice_url);
	free(t->cache_dir);
	free(t->control_prefix);
	upm_result_free(t->last);
	free(t->state_file);
	free(t->notified);
	for (i = 0; i < t->n_prefixes; i++)
		free(t->prefixes[i]);
	for (i = 0; i < t->n_extra_prefixes; i++)
		free(t->extra_prefixes[i]);
	for (i = 0; i < t->n_expect_prefixes; i++)
		upm_asn_list_free(&t->expect_prefixes[i].asns);
	upm_asn_list_free(&t->expect);
	upm_asn_list_free(&t->extra_asns);
	upm_asn_list_free(&t->learned.set);
	up_limiter_unref(t->limiter);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* ------------------------------------------------------ configuration */

/* The name becomes a Graphite path element and a file name part: keep it
 * to letters, digits, '_' and '-'. */
static int
up_valid_target_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TARGET_NAME_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

/* Exactly one number in [min, max] with no fraction. */
static int
up_get_integer(const oconfig_item_t *ci, double min, double max, double *out)
{
	double v;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER)
		return -1;
	v = ci->values[0].value.number;
	if (!(v >= min && v <= max) || v != (double)(long long)v)
		return -1;
	*out = v;
	return 0;
}

/* A duration in [min, max] seconds: a whole number of seconds, or a
 * string of digits with one unit s, m, h or d ("90", "30s", "15m", "1h",
 * "2d"), the syntax of the check's --hold. */
static int
up_get_duration(const oconfig_item_t *ci, double min, double max,
    double *out)
{
	int64_t v;

	if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_NUMBER)
		return up_get_integer(ci, min, max, out);
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    upm_duration_parse(ci->values[0].value.string, (int64_t)max, &v,
	    NULL) != UPM_OK || !((double)v >= min && (double)v <= max))
		return -1;
	*out = (double)v;
	return 0;
}

/* Exactly one number in [min, max]. */
static int
up_get_number(const oconfig_item_t *ci, double min, double max, double *out)
{
	double v;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER)
		return -1;
	v = ci->values[0].value.number;
	if (!(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

/* One ASN from a number (131279) or a string ("AS131279"). */
static int
up_value_asn(const oconfig_value_t *v, uint32_t *out, upm_error *err)
{
	char buf[32];

	if (v->type == OCONFIG_TYPE_STRING)
		return upm_asn_parse(v->value.string, out, err) == UPM_OK ? 0 : -1;
	if (v->type != OCONFIG_TYPE_NUMBER)
		return upm_fail(err, UPM_ERR_ARG, "not an AS number"), -1;
	if (!(v->value.number >= 0 && v->value.number < 1e10))
		return upm_fail(err, UPM_ERR_ARG, "AS number out of range"), -1;
	if ((double)(unsigned long long)v->value.number != v->value.number)
		return upm_fail(err, UPM_ERR_ARG, "AS number with a fraction"), -1;
	/* Through the text form, so that numbers and strings get the same
	 * checks (range, reserved AS0). */
	(void)snprintf(buf, sizeof(buf), "%llu",
	    (unsigned long long)v->value.number);
	return upm_asn_parse(buf, out, err) == UPM_OK ? 0 : -1;
}

/* ASNs from values[first..]: numbers or strings ("4837,20485"). */
static int
up_add_asns(upm_asn_list *l, const oconfig_item_t *ci, int first, upm_error *err)
{
	uint32_t asn;
	int i;

	if (ci->values_num <= first)
		return upm_fail(err, UPM_ERR_ARG, "needs an AS number"), -1;
	for (i = first; i < ci->values_num; i++) {
		const oconfig_value_t *v = &ci->values[i];

		if (v->type == OCONFIG_TYPE_STRING) {
			if (upm_asn_list_parse(l, v->value.string, err) != UPM_OK)
				return -1;
			continue;
		}
		if (up_value_asn(v, &asn, err) != 0)
			return -1;
		if (upm_asn_list_add(l, asn) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	}
	return 0;
}

/* Expect: any number of ASNs per line, on one or several lines. */
static int
up_config_expect(struct up_target *t, const oconfig_item_t *ci, upm_error *err)
{
	if (up_add_asns(&t->expect, ci, 0, err) != 0)
		return -1;
	t->have_expect = 1;
	return 0;
}

/* Weighting path|vantage-as, Neighbours providers|all, Clique ASN...,
 * ASRelationships "FILE" (read once, at configuration). */
static int
up_config_roles(struct up_target *t, const oconfig_item_t *ci, upm_error *err)
{
	const char *word;

	if (strcasecmp(ci->key, "Clique") == 0) {
		upm_asn_list_free(&t->clique);
		if (up_add_asns(&t->clique, ci, 0, err) != 0)
			return -1;
		t->params.clique = &t->clique;
		return 0;
	}
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING)
		return upm_fail(err, UPM_ERR_ARG, "needs one string"), -1;
	word = ci->values[0].value.string;
	if (strcasecmp(ci->key, "Weighting") == 0)
		return upm_weighting_parse(word, &t->params.weighting, err) ==
		    UPM_OK ? 0 : -1;
	if (strcasecmp(ci->key, "Neighbours") == 0)
		return upm_neighbours_parse(word, &t->params.neighbours_all,
		    err) == UPM_OK ? 0 : -1;
	upm_asrel_free(t->asrel);
	t->asrel = NULL;
	t->params.relationships = NULL;
	if (upm_asrel_load(word, &t->asrel, err) != UPM_OK)
		return -1;
	t->params.relationships = t->asrel;
	return 0;
}

/* Prefix, ExtraPrefix: prefixes, several per line and/or several lines. */
static int
up_add_prefixes(char **prefixes, size_t *n, const oconfig_item_t *ci,
    upm_error *err)
{
	int i;

	if (ci->values_num < 1)
		return upm_fail(err, UPM_ERR_ARG, "needs a prefix"), -1;
	for (i = 0; i < ci->values_num; i++) {
		const oconfig_value_t *v = &ci->values[i];

		if (v->type != OCONFIG_TYPE_STRING)
			return upm_fail(err, UPM_ERR_ARG,
			    "prefixes are strings (\"a.b.c.d/len\")"), -1;
		if (upm_prefix_check(v->value.string, err) != UPM_OK)
			return -1;
		if (*n == MAX_PREFIXES)
			return upm_fail(err, UPM_ERR_ARG,
			    "more than %d prefixes", MAX_PREFIXES), -1;
		if ((prefixes[*n] = strdup(v->value.string)) == NULL)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
		(*n)++;
	}
	return 0;
}

/* ExpectPrefix "175.45.176.0/24" 4837 20485, or in the check's form
 * "175.45.176.0/24=4837,20485"; one prefix per line, each prefix once. */
static int
up_config_expect_prefix(struct up_target *t, const oconfig_item_t *ci,
    upm_error *err)
{
	upm_prefix_expect *e;
	const char *first;
	size_t i;

	if (t->n_expect_prefixes == MAX_PREFIXES)
		return upm_fail(err, UPM_ERR_ARG, "more than %d prefixes",
		    MAX_PREFIXES), -1;
	if (ci->values_num < 1 || ci->values[0].type != OCONFIG_TYPE_STRING)
		return upm_fail(err, UPM_ERR_ARG, "needs a prefix (a string) "
		    "and its upstream ASNs"), -1;
	e = &t->expect_prefixes[t->n_expect_prefixes];
	upm_asn_list_init(&e->asns);
	first = ci->values[0].value.string;
	if (ci->values_num == 1 && strchr(first, '=') != NULL) {
		if (upm_prefix_expect_parse(first, e->prefix, sizeof(e->prefix),
		    &e->asns, err) != UPM_OK)
			goto fail;
	} else {
		if (upm_prefix_check(first, err) != UPM_OK)
			goto fail;
		if (strlen(first) >= sizeof(e->prefix)) {
			upm_fail(err, UPM_ERR_ARG, "prefix too long");
			goto fail;
		}
		(void)snprintf(e->prefix, sizeof(e->prefix), "%s", first);
		if (up_add_asns(&e->asns, ci, 1, err) != 0)
			goto fail;
	}
	if (e->asns.n == 0) {
		upm_fail(err, UPM_ERR_ARG, "needs an AS number after the prefix");
		goto fail;
	}
	for (i = 0; i < t->n_expect_prefixes; i++)
		if (strcasecmp(t->expect_prefixes[i].prefix, e->prefix) == 0) {
			upm_fail(err, UPM_ERR_ARG, "prefix %s given twice",
			    e->prefix);
			goto fail;
		}
	t->track[t->n_expect_prefixes] = e->prefix;
	t->n_expect_prefixes++;
	return 0;
fail:
	upm_asn_list_free(&e->asns);
	return -1;
}

/* Source: one or several per line and/or several lines, each once. */
static int
up_config_source(struct up_target *t, const oconfig_item_t *ci, upm_error *err)
{
	size_t k;
	int i, src;

	if (ci->values_num < 1)
		return upm_fail(err, UPM_ERR_ARG, "needs a source"), -1;
	for (i = 0; i < ci->values_num; i++) {
		if (ci->values[i].type != OCONFIG_TYPE_STRING ||
		    (src = upm_source_parse(ci->values[i].value.string)) < 0 ||
		    src == UPM_SRC_BGPLAY || src == UPM_SRC_BGP_UPDATES)
			return upm_fail(err, UPM_ERR_ARG, "expected "
			    "ripestat-bgp-state, ripestat-looking-glass, "
			    "ripestat-asn-neighbours, nlnog-lg, alice-lg or "
			    "ris-live"), -1;
		if (src == UPM_SRC_RIS_LIVE) {
			/* The stream; the snapshot that seeds its table is
			 * bgp-state's, the query's default source. */
			t->live = 1;
			continue;
		}
		for (k = 0; k < t->n_sources; k++)
			if (t->sources[k] == (upm_source)src)
				return upm_fail(err, UPM_ERR_ARG, "source %s given "
				    "twice", upm_source_name((upm_source)src)),
				    -1;
		if (t->n_sources == UPM_MAX_SOURCES)
			return upm_fail(err, UPM_ERR_ARG, "too many sources"), -1;
		t->sources[t->n_sources++] = (upm_source)src;
	}
	t->source = t->sources[0];
	return 0;
}

static int
up_config_country(struct up_target *t, const oconfig_item_t *ci, upm_error *err)
{
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING)
		return upm_fail(err, UPM_ERR_ARG, "needs a country code, e.g. "
		    "\"KP\""), -1;
	return upm_country_check(ci->values[0].value.string, t->country,
	    err) == UPM_OK ? 0 : -1;
}

/* The URLs a fetcher is allowed to use: anything else (ftp://, a typo)
 * would pass here and then fail every read. */
static int
up_url_scheme_ok(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0 ||
	    strncasecmp(url, "file://", 7) == 0;
}

/* Where the keys both the plugin block and a target block accept go. */
struct up_common_dst {
	char **ripestat_url, **sourceapp, **ca_file, **nlnog_url, **alice_url;
	long *timeout_ms;
	size_t *max_bytes;
	int *retries;
};

/* A key both the plugin block and a target block accept. */
enum up_common_key { CK_NONE, CK_OK, CK_BAD };

/* The string keys: RipestatURL, SourceApp, CACert (CAFile), NlnogURL,
 * AliceURL. */
static enum up_common_key
up_config_common_string(const oconfig_item_t *ci, const struct up_common_dst *d,
    upm_error *err)
{
	char **dst;
	int url = 1;

	if (strcasecmp(ci->key, "RipestatURL") == 0)
		dst = d->ripestat_url;
	else if (strcasecmp(ci->key, "NlnogURL") == 0)
		dst = d->nlnog_url;
	else if (strcasecmp(ci->key, "AliceURL") == 0)
		dst = d->alice_url;
	else if (strcasecmp(ci->key, "SourceApp") == 0)
		dst = d->sourceapp, url = 0;
	else if (strcasecmp(ci->key, "CACert") == 0)
		dst = d->ca_file, url = 0;
	else if (strcasecmp(ci->key, "CAFile") == 0) {
		WARNING("upstreams plugin: CAFile is an old name; write CACert "
		    "(as collectd's curl plugins)");
		dst = d->ca_file, url = 0;
	}
	else
		return CK_NONE;
	if (cf_util_get_string(ci, dst) != 0 || (*dst)[0] == '\0')
		return upm_fail(err, UPM_ERR_ARG, "needs one non-empty string"),
		    CK_BAD;
	if (url && !up_url_scheme_ok(*dst))
		return upm_fail(err, UPM_ERR_ARG, "'%.80s' is not an http://, "
		    "https:// or file:// URL", *dst), CK_BAD;
	return CK_OK;
}

static enum up_common_key
up_config_common_key(const oconfig_item_t *ci, const struct up_common_dst *d,
    upm_error *err)
{
	double v;

	if (strcasecmp(ci->key, "Timeout") == 0) {
		/* Milliseconds, as collectd's curl plugins have it.  Below 100
		 * it can only be the seconds of older configurations. */
		if (up_get_integer(ci, 1, 3600000, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs a whole number "
			    "of milliseconds 100..3600000"), CK_BAD;
		if (v < 100) {
			WARNING("upstreams plugin: Timeout %.0f read as %.0f "
			    "seconds; Timeout is in milliseconds now: write "
			    "Timeout %.0f", v, v, v * 1000);
			v *= 1000;
		}
		*d->timeout_ms = (long)v;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "MaxSize") == 0) {
		if (up_get_integer(ci, 1024, 1099511627776.0, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a number of bytes, at least 1024"), CK_BAD;
		*d->max_bytes = (size_t)v;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "Retries") == 0) {
		if (up_get_integer(ci, 0, 10, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a whole number 0..10"), CK_BAD;
		*d->retries = (int)v;
		return CK_OK;
	}
	return up_config_common_string(ci, d, err);
}

/* MaxAge and ControlPrefix, in the plugin block and in a target's. */
static enum up_common_key
up_config_freshness(const oconfig_item_t *ci, int64_t *max_age,
    char **control, upm_error *err)
{
	double v;

	if (strcasecmp(ci->key, "MaxAge") == 0) {
		if (up_get_integer(ci, 0, MAX_AGE_LIMIT, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs a whole number "
			    "of seconds (0: no limit)"), CK_BAD;
		*max_age = v == 0 ? -1 : (int64_t)v;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "ControlPrefix") == 0) {
		if (cf_util_get_string(ci, control) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs a prefix"), CK_BAD;
		if (upm_prefix_check(*control, err) != UPM_OK)
			return CK_BAD;
		return CK_OK;
	}
	return CK_NONE;
}

/* The keys of what a target is: ASN or Country and what widens its
 * origin set.  0 done, -1 bad value, 1 not one of them. */
static int
up_config_target_what(struct up_target *t, const oconfig_item_t *ci, upm_error *err)
{
	double v;

	if (strcasecmp(ci->key, "ASN") == 0) {
		if (ci->values_num != 1)
			return upm_fail(err, UPM_ERR_ARG, "needs one AS number"), -1;
		return up_value_asn(&ci->values[0], &t->asn, err);
	}
	if (strcasecmp(ci->key, "Country") == 0)
		return up_config_country(t, ci, err);
	if (strcasecmp(ci->key, "ExtraASN") == 0)
		return up_add_asns(&t->extra_asns, ci, 0, err);
	if (strcasecmp(ci->key, "ExtraPrefix") == 0)
		return up_add_prefixes(t->extra_prefixes, &t->n_extra_prefixes, ci,
		    err);
	if (strcasecmp(ci->key, "MaxASNs") == 0) {
		if (up_get_integer(ci, 1, 100000, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a whole number 1..100000"), -1;
		t->max_asns = (size_t)v;
		return 0;
	}
	if (strcasecmp(ci->key, "ExpectPrefix") == 0)
		return up_config_expect_prefix(t, ci, err);
	return 1;
}

/* One key of a <Target> block: 0 done, -1 bad value (err says why), 1 an
 * unknown key. */
static int
up_config_target_key(struct up_target *t, const oconfig_item_t *ci, upm_error *err)
{
	const struct up_common_dst dst = { &t->ripestat_url, &t->sourceapp,
	    &t->ca_file, &t->nlnog_url, &t->alice_url, &t->timeout_ms,
	    &t->max_bytes, &t->retries };
	double v;
	int rc;

	switch (up_config_common_key(ci, &dst, err)) {
	case CK_OK:
		return 0;
	case CK_BAD:
		return -1;
	case CK_NONE:
		break;
	}
	switch (up_config_freshness(ci, &t->max_age_s, &t->control_prefix,
	    err)) {
	case CK_OK:
		return 0;
	case CK_BAD:
		return -1;
	case CK_NONE:
		break;
	}
	if ((rc = up_config_target_what(t, ci, err)) <= 0)
		return rc;
	if (strcasecmp(ci->key, "Source") == 0)
		return up_config_source(t, ci, err);
	if (strcasecmp(ci->key, "Hold") == 0) {
		if (up_get_duration(ci, 0, 86400, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs a duration of "
			    "0..86400 s: seconds, or e.g. 30s, 15m, 1h, 1d"), -1;
		t->hold_s = (int64_t)v;
		return 0;
	}
	if (strcasecmp(ci->key, "Interval") == 0) {
		if (cf_util_get_cdtime(ci, &t->interval) != 0 || t->interval == 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a positive number of seconds"), -1;
		return 0;
	}
	if (strcasecmp(ci->key, "Expect") == 0)
		return up_config_expect(t, ci, err);
	if (strcasecmp(ci->key, "StateFile") == 0) {
		if (cf_util_get_string(ci, &t->state_file) != 0 ||
		    t->state_file[0] == '\0')
			return upm_fail(err, UPM_ERR_ARG, "needs a file name"), -1;
		return 0;
	}
	if (strcasecmp(ci->key, "MinPeers") == 0) {
		if (up_get_integer(ci, 0, 100000, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a whole number 0..100000"), -1;
		t->params.min_peers = (size_t)v;
		return 0;
	}
	if (strcasecmp(ci->key, "Weighting") == 0 ||
	    strcasecmp(ci->key, "Neighbours") == 0 ||
	    strcasecmp(ci->key, "Clique") == 0 ||
	    strcasecmp(ci->key, "ASRelationships") == 0)
		return up_config_roles(t, ci, err);
	if (strcasecmp(ci->key, "MinShare") == 0) {
		if (up_get_number(ci, 0, 100, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a percentage 0..100"), -1;
		t->params.min_share = v;
		return 0;
	}
	if (strcasecmp(ci->key, "Prefix") == 0)
		return up_add_prefixes(t->prefixes, &t->n_prefixes, ci, err);
	if (strcasecmp(ci->key, "Visibility") == 0) {
		if (cf_util_get_boolean(ci, &t->visibility) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs true or false"), -1;
		return 0;
	}
	return 1;
}

static void up_trace_debug(void *ctx, const char *msg);

/* The query of a target; borrows from t. */
static void
up_query_opts(const struct up_target *t, upm_query_opts *q)
{
	upm_query_opts_init(q);
	q->asn = t->asn;
	q->country = t->country[0] != '\0' ? t->country : NULL;
	q->source = t->source;
	if (t->n_sources > 1) {
		q->sources = t->sources;
		q->n_sources = t->n_sources;
	}
	q->ripestat_url = t->ripestat_url;
	q->sourceapp = t->sourceapp;
	q->nlnog_url = t->nlnog_url;
	q->alice_url = t->alice_url;
	q->prefixes = (const char *const *)t->prefixes;
	q->n_prefixes = t->n_prefixes;
	q->extra_asns = t->extra_asns.v;
	q->n_extra_asns = t->extra_asns.n;
	q->extra_prefixes = (const char *const *)t->extra_prefixes;
	q->n_extra_prefixes = t->n_extra_prefixes;
	q->track_prefixes = t->track;
	q->n_track_prefixes = t->n_expect_prefixes;
	q->max_asns = t->max_asns;
	q->visibility = t->visibility;
	q->params = t->params;
	q->max_age_s = t->max_age_s;
	q->control_prefix = t->control_prefix;
	q->trace = up_trace_debug;
	q->trace_ctx = (void *)t;
}

/* Rules between keys, once the whole block is read: the library's target
 * rules (the check's, so that a block is refused here rather than failing
 * every read), said in the configuration's words.  Expect and StateFile
 * go together: the state file is seeded from Expect. */
static int
up_config_target_check(const struct up_target *t, upm_error *err)
{
	upm_query_opts q;
	upm_target_rule broken;

	up_query_opts(t, &q);
	if (t->live)
		q.n_prefixes = 0;   /* the stream's subscription, not a query's */
	if (upm_target_check(&q, NULL, UPM_RULES_WHAT |
	    UPM_RULE_PREFIX_SOURCE | UPM_RULE_SOURCE_READY |
	    UPM_RULE_NEIGHBOURS_ALONE, &broken, err) == UPM_OK)
		return 0;
	switch (broken) {
	case UPM_RULE_TARGET_MISSING:
		return upm_fail(err, UPM_ERR_ARG, "no ASN given (give ASN or "
		    "Country)"), -1;
	case UPM_RULE_TARGET_BOTH:
		return upm_fail(err, UPM_ERR_ARG, "ASN and Country given: use "
		    "one of them"), -1;
	case UPM_RULE_PREFIX_SOURCE:
		return upm_fail(err, UPM_ERR_ARG, "Prefix goes with Source "
		    "\"ripestat-looking-glass\", \"nlnog-lg\" or \"alice-lg\""),
		    -1;
	case UPM_RULE_SOURCE_READY:
		return upm_fail(err, UPM_ERR_ARG, "Source \"alice-lg\" needs "
		    "AliceURL, the looking glass's base URL"), -1;
	case UPM_RULE_NEIGHBOURS_ALONE:
		return upm_fail(err, UPM_ERR_ARG, "ripestat-asn-neighbours gives "
		    "no paths: it goes with one ASN and no other Source, "
		    "ExtraASN, ExtraPrefix or ExpectPrefix"), -1;
	default:
		return -1;   /* err says why in the library's words */
	}
}

/* A <Target "name"> block into a new target; NULL (warnings logged) when
 * the block is broken. */
static struct up_target *
up_config_target(const oconfig_item_t *ci, const struct up_defaults *d)
{
	const char *name;
	struct up_target *t;
	upm_error err;
	int i, rc;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    !up_valid_target_name(ci->values[0].value.string)) {
		WARNING("upstreams plugin: <Target> needs one name of at most "
		    "%d letters, digits, '_' or '-'; block skipped",
		    TARGET_NAME_MAX);
		return NULL;
	}
	name = ci->values[0].value.string;
	if ((t = up_target_new(name, d)) == NULL) {
		ERROR("upstreams plugin: out of memory");
		return NULL;
	}
	memset(&err, 0, sizeof(err));
	for (i = 0; i < ci->children_num; i++) {
		const oconfig_item_t *child = &ci->children[i];

		rc = up_config_target_key(t, child, &err);
		if (rc > 0) {
			WARNING("upstreams plugin: unknown config key '%s' in "
			    "<Target \"%s\">; block skipped", child->key, name);
			up_target_free(t);
			return NULL;
		}
		if (rc < 0) {
			WARNING("upstreams plugin: invalid value for '%s' in "
			    "<Target \"%s\">: %s; block skipped", child->key,
			    name, err.text);
			up_target_free(t);
			return NULL;
		}
	}
	if (t->live && (t->n_sources > 0 || t->country[0] != '\0' ||
	    t->n_expect_prefixes > 0 || t->n_extra_prefixes > 0 ||
	    t->visibility)) {
		WARNING("upstreams plugin: <Target \"%s\">: Source \"ris-live\" "
		    "goes alone, with ASN (and ExtraASN, Prefix); not with other "
		    "sources, Country, ExpectPrefix, ExtraPrefix or Visibility; "
		    "block skipped", name);
		up_target_free(t);
		return NULL;
	}
	if (t->hold_s > 0 && !t->live) {
		WARNING("upstreams plugin: <Target \"%s\">: Hold goes with "
		    "Source \"ris-live\"; block skipped", name);
		up_target_free(t);
		return NULL;
	}
	if (up_config_target_check(t, &err) != 0) {
		WARNING("upstreams plugin: <Target \"%s\">: %s; block skipped",
		    name, err.text);
		up_target_free(t);
		return NULL;
	}
	return t;
}

/* The keys only the plugin block has: CacheDir, MaxInFlight. */
static enum up_common_key
up_config_plugin_only(const oconfig_item_t *ci, struct up_defaults *d,
    upm_error *err)
{
	double v;

	enum up_common_key ck = up_config_freshness(ci, &d->max_age_s,
	    &d->control_prefix, err);

	if (ck != CK_NONE)
		return ck;
	if (strcasecmp(ci->key, "RISLiveURL") == 0) {
		if (cf_util_get_string(ci, &d->ris_live_url) != 0 ||
		    (strncasecmp(d->ris_live_url, "http://", 7) != 0 &&
		    strncasecmp(d->ris_live_url, "https://", 8) != 0))
			return upm_fail(err, UPM_ERR_ARG, "needs an http:// or "
			    "https:// URL"), CK_BAD;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "RISLiveMaxSilence") == 0 ||
	    strcasecmp(ci->key, "RISLiveMaxLag") == 0) {
		int silence = strcasecmp(ci->key, "RISLiveMaxSilence") == 0;

		if (up_get_duration(ci, silence ? 2 : 1, 86400, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs a duration of "
			    "%d..86400 s: seconds, or e.g. 30s, 15m, 1h, 1d",
			    silence ? 2 : 1), CK_BAD;
		if (silence)
			d->ris_live_max_silence_s = (long)v;
		else
			d->ris_live_max_lag_s = (long)v;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "CacheDir") == 0) {
		if (cf_util_get_string(ci, &d->cache_dir) != 0 ||
		    d->cache_dir[0] == '\0')
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a directory name"), CK_BAD;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "MaxInFlight") == 0) {
		if (up_get_integer(ci, 1, MAX_IN_FLIGHT, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs a whole number "
			    "1..%d (RIPEstat allows %d requests at a time)",
			    MAX_IN_FLIGHT, MAX_IN_FLIGHT), CK_BAD;
		d->max_in_flight = (unsigned)v;
		return CK_OK;
	}
	return CK_NONE;
}

/* The plugin block's own keys.  A broken one affects every target, so it
 * fails the whole configuration. */
static int
up_config_defaults(const oconfig_item_t *ci, struct up_defaults *d)
{
	const struct up_common_dst dst = { &d->ripestat_url, &d->sourceapp,
	    &d->ca_file, &d->nlnog_url, &d->alice_url, &d->timeout_ms,
	    &d->max_bytes, &d->retries };
	enum up_common_key ck;
	upm_error err;
	int i;

	memset(&err, 0, sizeof(err));
	for (i = 0; i < ci->children_num; i++) {
		const oconfig_item_t *child = &ci->children[i];

		if (strcasecmp(child->key, "Target") == 0)
			continue;
		ck = up_config_plugin_only(child, d, &err);
		if (ck == CK_NONE)
			ck = up_config_common_key(child, &dst, &err);
		switch (ck) {
		case CK_OK:
			continue;
		case CK_BAD:
			ERROR("upstreams plugin: invalid value for '%s' in "
			    "<Plugin upstreams>: %s", child->key, err.text);
			return -1;
		case CK_NONE:
			ERROR("upstreams plugin: unknown config key '%s' in "
			    "<Plugin upstreams>", child->key);
			return -1;
		}
	}
	return 0;
}

static int up_read(user_data_t *ud);

/* Hands t to collectd as its own read callback; t is freed either way. */
static int
up_register_target(struct up_target *t)
{
	char cb_name[sizeof(PLUGIN_NAME) + TARGET_NAME_MAX + 2];
	user_data_t ud = { .data = t, .free_func = up_target_free };
	int status;

	(void)snprintf(cb_name, sizeof(cb_name), PLUGIN_NAME "-%s", t->name);
	status = plugin_register_complex_read(PLUGIN_NAME, cb_name,
	    up_read, t->interval, &ud);
	if (status != 0) {
		/* On failure collectd leaves the user data to us. */
		WARNING("upstreams plugin: cannot register the read of "
		    "<Target \"%s\"> (status %d); block skipped", t->name,
		    status);
		up_target_free(t);
		return -1;
	}
	return 0;
}

static int
up_name_taken(char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Targets of one <Plugin upstreams> block: each good one is registered,
 * each broken one skipped with a warning.  Fails only when none is usable. */
static int
up_config_targets(const oconfig_item_t *ci, const struct up_defaults *d)
{
	char **names;
	size_t n_names = 0, i;
	int k, live;

	names = calloc((size_t)ci->children_num + 1, sizeof(*names));
	if (names == NULL) {
		ERROR("upstreams plugin: out of memory");
		return -1;
	}
	for (k = 0; k < ci->children_num; k++) {
		const oconfig_item_t *child = &ci->children[k];
		struct up_target *t;

		if (strcasecmp(child->key, "Target") != 0)
			continue;
		if ((t = up_config_target(child, d)) == NULL)
			continue;
		if (up_name_taken(names, n_names, t->name)) {
			WARNING("upstreams plugin: duplicate target name '%s'; "
			    "second <Target \"%s\"> block skipped", t->name,
			    t->name);
			up_target_free(t);
			continue;
		}
		if ((names[n_names] = strdup(t->name)) == NULL) {
			ERROR("upstreams plugin: out of memory");
			up_target_free(t);
			continue;
		}
		if (t->live && d->limiter->stream->n_targets ==
		    MAX_LIVE_TARGETS) {
			WARNING("upstreams plugin: more than %d targets with "
			    "Source \"ris-live\"; <Target \"%s\"> skipped",
			    MAX_LIVE_TARGETS, t->name);
			free(names[n_names]);
			up_target_free(t);
			continue;
		}
		live = t->live;
		if (up_register_target(t) != 0) {
			free(names[n_names]);
			continue;
		}
		/* Registered: collectd owns t and frees it at shutdown, after
		 * the stream thread is joined (up_target_free). */
		if (live)
			d->limiter->stream->targets[d->limiter->stream->n_targets++] = t;
		n_names++;
	}
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	if (n_names == 0) {
		ERROR("upstreams plugin: no usable <Target> block");
		return -1;
	}
	return 0;
}

static void
up_defaults_free(struct up_defaults *d)
{
	free(d->ripestat_url);
	free(d->sourceapp);
	free(d->ca_file);
	free(d->nlnog_url);
	free(d->alice_url);
	free(d->cache_dir);
	free(d->control_prefix);
	free(d->ris_live_url);
	/* The targets hold their own references to the limiter. */
	up_limiter_unref(d->limiter);
}

static int
up_config(oconfig_item_t *ci)
{
	struct up_defaults d;
	int status = -1;

	memset(&d, 0, sizeof(d));
	d.timeout_ms = DEFAULT_TIMEOUT_MS;
	d.retries = DEFAULT_RETRIES;
	d.max_in_flight = DEFAULT_MAX_IN_FLIGHT;
	d.ris_live_max_silence_s = DEFAULT_RIS_LIVE_MAX_SILENCE_S;
	d.ris_live_max_lag_s = DEFAULT_RIS_LIVE_MAX_LAG_S;
	if (up_config_defaults(ci, &d) == 0) {
		if ((d.limiter = up_limiter_new(d.max_in_flight)) == NULL ||
		    (d.limiter->stream = up_stream_new(&d)) == NULL)
			ERROR("upstreams plugin: out of memory");
		else
			status = up_config_targets(ci, &d);
	}
	up_defaults_free(&d);
	return status;
}

/* -------------------------------------------------------------- read */

static void
up_trace_debug(void *ctx, const char *msg)
{
	const struct up_target *t = ctx;

	plugin_log(LOG_DEBUG, "upstreams plugin: target %s: fetching %s",
	    t->name, msg);
}

static int
up_is_file_url(const char *url)
{
	return url != NULL && strncasecmp(url, "file://", 7) == 0;
}

/* The fetcher is made by the first read: curl's global state is set up in
 * the init callback, which runs after the configuration.  All targets'
 * fetchers share CacheDir: a URL within its freshness is fetched once, by
 * whichever target (or check_upstreams with the same --cache-dir) asks
 * first. */
/* The fetcher's stop hook (any thread): shutdown, or this read's Timeout
 * ran out. */
static int
up_fetch_stop(void *ctx)
{
	struct up_target *t = ctx;
	long long end = atomic_load(&t->read_deadline_ms);

	if (up_stopping(t->limiter))
		return 1;
	return end > 0 && upm_clock_ms() >= end;
}

static upm_status
up_ensure_fetcher(struct up_target *t, upm_error *err)
{
	upm_fetch_opts o;

	if (t->fetcher != NULL)
		return UPM_OK;
	upm_fetch_opts_init(&o);
	o.timeout_ms = t->timeout_ms;
	o.max_bytes = t->max_bytes;
	o.max_retries = t->retries;
	o.ca_file = t->ca_file;
	o.cache_dir = t->cache_dir;
	o.stop = up_fetch_stop;
	o.stop_ctx = t;
	o.allow_file = up_is_file_url(t->ripestat_url) ||
	    up_is_file_url(t->nlnog_url) || up_is_file_url(t->alice_url);
	if ((t->fetcher = upm_fetcher_new(&o, err)) != NULL)
		return UPM_OK;
	return err->code != UPM_OK ? err->code : UPM_ERR_NOMEM;
}

/* A CacheDir that cannot be used (not creatable, a symlink, writable by
 * everyone, not ours to write) costs only the caching: every read goes
 * to the network.  Said once for the whole plugin as a WARNING, and once
 * more when it works again. */
static void
up_check_cache(struct up_target *t)
{
	upm_error err;

	if (t->cache_dir == NULL || t->limiter == NULL)
		return;
	memset(&err, 0, sizeof(err));
	if (upm_cache_dir_check(t->cache_dir, &err) != UPM_OK) {
		pthread_mutex_lock(&t->limiter->lock);
		c_complain_once(LOG_WARNING, &t->limiter->cache_complaint,
		    "upstreams plugin: CacheDir unusable: %s; every read goes "
		    "to the network", err.text);
		pthread_mutex_unlock(&t->limiter->lock);
		return;
	}
	pthread_mutex_lock(&t->limiter->lock);
	c_release(LOG_INFO, &t->limiter->cache_complaint,
	    "upstreams plugin: CacheDir %s usable again", t->cache_dir);
	pthread_mutex_unlock(&t->limiter->lock);
}

static upm_status
up_query(struct up_target *t, upm_result **out, upm_error *err)
{
	upm_query_opts q;

	up_query_opts(t, &q);
	up_check_cache(t);
	return upm_query(t->fetcher, &q, out, err);
}

/* A baseline as the logs and notifications give it, cut as ever at 255
 * characters. */
static void
up_format_list(const upm_asn_list *l, char *buf, size_t len)
{
	upm_buf b;

	upm_buf_init(&b);
	(void)upm_text_baseline(&b, l);
	(void)snprintf(buf, len, "%s", b.data != NULL ? b.data : "");
	upm_buf_free(&b);
}

/* The baseline for this read by the library's policy: the state file
 * (seeded from Expect when both are given; read on every read, so that
 * replacing or deleting it, e.g. with check_upstreams --accept, takes
 * effect without touching collectd.conf), else Expect, else what the
 * first good read saw (kept in memory for the daemon's life); then the
 * comparison with it and with every ExpectPrefix. */
static upm_status
up_apply_baseline(struct up_target *t, upm_result *r, upm_asn_list *base,
    upm_error *err)
{
	upm_baseline_opts b;
	upm_baseline_origin origin;
	char text[256];
	upm_status st;

	memset(&b, 0, sizeof(b));
	b.expect = t->have_expect ? &t->expect : NULL;
	b.state_file = t->state_file;
	b.memory = &t->learned;
	b.prefixes = t->expect_prefixes;
	b.n_prefixes = t->n_expect_prefixes;
	if ((st = upm_baseline_apply(&b, r, base, &origin, err)) != UPM_OK)
		return st;
	if (origin == UPM_BASELINE_SEEDED || origin == UPM_BASELINE_LEARNED) {
		up_format_list(base, text, sizeof(text));
		INFO("upstreams plugin: target %s: %s baseline %s into %s",
		    t->name, origin == UPM_BASELINE_SEEDED ?
		    "wrote the expected" : "learned", text, t->state_file);
	} else if (origin == UPM_BASELINE_LEARNED_MEMORY) {
		up_format_list(base, text, sizeof(text));
		INFO("upstreams plugin: target %s: learned baseline %s",
		    t->name, text);
	}
	return UPM_OK;
}

static void
up_dispatch_gauge(const struct up_target *t, const char *type,
    const char *type_instance, gauge_t value)
{
	value_list_t vl = VALUE_LIST_INIT;
	value_t v;

	v.gauge = value;
	vl.values = &v;
	vl.values_len = 1;
	/* time 0: collectd stamps the value with the time of dispatch. */
	(void)snprintf(vl.plugin, sizeof(vl.plugin), "%s", PLUGIN_NAME);
	(void)snprintf(vl.plugin_instance, sizeof(vl.plugin_instance), "%s",
	    t->name);
	(void)snprintf(vl.type, sizeof(vl.type), "%s", type);
	(void)snprintf(vl.type_instance, sizeof(vl.type_instance), "%s",
	    type_instance);
	(void)plugin_dispatch_values(&vl);
}

static double
up_percent(uint64_t part, uint64_t whole)
{
	return 100.0 * (double)part / (double)whole;
}

/* With several sources, each one's shares beside the combined ones:
 * type instance "<source>-AS<n>" with the source's '-' made '_'
 * ("nlnog_lg-AS4837"), so that the source and the AS stay apart. */
static void
up_dispatch_sources(const struct up_target *t, const upm_result *r)
{
	char ti[DATA_MAX_NAME_LEN], src[48];
	size_t s, i, k;

	for (s = 0; s < r->n_sources; s++) {
		const upm_source_result *sr = &r->sources[s];

		(void)snprintf(src, sizeof(src), "%s", sr->source);
		for (k = 0; src[k] != '\0'; k++)
			if (src[k] == '-')
				src[k] = '_';
		for (i = 0; i < sr->n_upstreams; i++) {
			if (!upm_source_upstream_shown(r, &sr->upstreams[i]))
				continue;
			(void)snprintf(ti, sizeof(ti), "%s-AS%lu", src,
			    (unsigned long)sr->upstreams[i].asn);
			up_dispatch_gauge(t, "percent", ti, sr->upstreams[i].share);
		}
	}
}

/* Values for the upstreams present or in the baseline only (a baseline
 * one at 0 when missing), each with its present and expected gauges;
 * everything else in the 'others' aggregates.  The set of identifiers
 * depends on the baseline and the present set alone. */
static void
up_dispatch_upstreams(const struct up_target *t, const upm_result *r)
{
	char ti[DATA_MAX_NAME_LEN];
	upm_others others;
	size_t i;

	for (i = 0; i < r->n_upstreams; i++) {
		const upm_upstream *u = &r->upstreams[i];
		unsigned long asn = (unsigned long)u->asn;

		if (!upm_upstream_shown(u))
			continue;
		(void)snprintf(ti, sizeof(ti), "AS%lu", asn);
		up_dispatch_gauge(t, "percent", ti, u->share);
		(void)snprintf(ti, sizeof(ti), "present-AS%lu", asn);
		up_dispatch_gauge(t, "bool", ti, u->present ? 1 : 0);
		(void)snprintf(ti, sizeof(ti), "expected-AS%lu", asn);
		up_dispatch_gauge(t, "bool", ti, u->status == UPM_ST_EXPECTED ||
		    u->status == UPM_ST_MISSING ? 1 : 0);
	}
	upm_result_others(r, &others);
	up_dispatch_gauge(t, "percent", "others", others.share);
	up_dispatch_gauge(t, "count", "others", (gauge_t)others.count);
}

/* Every value of a read; read_success says whether r is this read's
 * (1) or the last good one's, sent again (0). */
static void
up_dispatch_result(const struct up_target *t, const upm_result *r,
    int success)
{
	int64_t when;

	up_dispatch_gauge(t, "bool", "read_success", success ? 1 : 0);
	up_dispatch_gauge(t, "count", "upstreams", (gauge_t)r->n_present);
	up_dispatch_gauge(t, "count", "missing", (gauge_t)r->disappeared.n);
	up_dispatch_gauge(t, "count", "unexpected", (gauge_t)r->appeared.n);
	up_dispatch_gauge(t, "count", "observations", (gauge_t)r->observations);
	up_dispatch_gauge(t, "count", "malformed", (gauge_t)r->malformed);
	up_dispatch_gauge(t, "count", "peers", (gauge_t)r->sessions);
	/* The load of this read on the sources: requests sent (cache hits
	 * not counted); a failed read sends none of the last good one's. */
	if (success)
		up_dispatch_gauge(t, "count", "requests",
		    (gauge_t)r->requests_total);
	up_dispatch_upstreams(t, r);
	up_dispatch_sources(t, r);
	if (t->country[0] != '\0' || t->extra_asns.n > 0) {
		up_dispatch_gauge(t, "count", "origins", (gauge_t)r->n_origins);
		up_dispatch_gauge(t, "count", "domestic", (gauge_t)r->n_domestic);
	}
	if (t->n_expect_prefixes > 0)
		up_dispatch_gauge(t, "count", "prefix_changes",
		    (gauge_t)upm_result_prefix_changes(r));
	if (r->visibility.have && r->visibility.v4_total > 0)
		up_dispatch_gauge(t, "percent", "visibility_v4", up_percent(
		    r->visibility.v4_seeing, r->visibility.v4_total));
	if (r->visibility.have && r->visibility.v6_total > 0)
		up_dispatch_gauge(t, "percent", "visibility_v6", up_percent(
		    r->visibility.v6_seeing, r->visibility.v6_total));
	if (r->data_time[0] != '\0' &&
	    upm_time_parse(r->data_time, &when, NULL) == UPM_OK) {
		double age = CDTIME_T_TO_DOUBLE(cdtime()) - (double)when;
		up_dispatch_gauge(t, "duration", "data_age", age > 0 ? age : 0);
	}
}

/* Where message may be cut to fit collectd's field: after a list item
 * (", ") or a clause ("; "), so that no AS number is ever cut.  The cut
 * message ends "... and N more", N the AS numbers left out. */
static void
up_fit_message(const char *message, char *out, size_t size)
{
	size_t len = strlen(message), best = 0, k;
	char tail[48];
	unsigned more;

	if (len < size) {
		(void)snprintf(out, size, "%s", message);
		return;
	}
	for (k = 0; k + 1 < len; k++) {
		if ((message[k] != ',' && message[k] != ';') ||
		    message[k + 1] != ' ')
			continue;
		more = 0;
		for (const char *p = message + k; (p = strstr(p, "AS")) != NULL;
		    p += 2)
			more += p[2] >= '0' && p[2] <= '9';
		(void)snprintf(tail, sizeof(tail), " ... and %u more", more);
		if (k + strlen(tail) < size)
			best = k;
	}
	more = 0;
	for (const char *p = message + best; (p = strstr(p, "AS")) != NULL;
	    p += 2)
		more += p[2] >= '0' && p[2] <= '9';
	if (best == 0) {       /* no place to cut: the start of it */
		(void)snprintf(out, size, "%.*s...", (int)(size - 4), message);
		return;
	}
	(void)snprintf(out, size, "%.*s ... and %u more", (int)best, message,
	    more);
}

/* "AS174 5.0%, AS1299 5.0%": every upstream present, for the meta data. */
static void
up_present_list(const upm_result *r, upm_buf *b)
{
	for (size_t i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].present)
			(void)upm_buf_printf(b, "%sAS%lu %.1f%%", b->len ? ", " :
			    "", (unsigned long)r->upstreams[i].asn,
			    r->upstreams[i].share);
}

static void
up_meta_string(notification_t *n, const char *name, const char *value)
{
	if (value != NULL && value[0] != '\0')
		(void)plugin_notification_meta_add_string(n, name, value);
}

/* The notification: the message fitted to collectd's field, and in the
 * meta data the whole message ("message"), the upstreams present
 * ("upstreams"), those that appeared and disappeared (r may be NULL). */
static void
up_notify(const struct up_target *t, int severity, const char *message,
    const upm_result *r)
{
	notification_t n;
	upm_buf b;

	memset(&n, 0, sizeof(n));
	n.severity = severity;
	n.time = cdtime();
	(void)snprintf(n.host, sizeof(n.host), "%s", hostname_g ? hostname_g : "");
	(void)snprintf(n.plugin, sizeof(n.plugin), "%s", PLUGIN_NAME);
	(void)snprintf(n.plugin_instance, sizeof(n.plugin_instance), "%s",
	    t->name);
	up_fit_message(message, n.message, sizeof(n.message));
	up_meta_string(&n, "message", message);
	if (r != NULL) {
		upm_buf_init(&b);
		up_present_list(r, &b);
		up_meta_string(&n, "upstreams", b.data != NULL ? b.data : "none");
		upm_buf_free(&b);
		(void)upm_text_asns(&b, &r->appeared, NULL, NULL, NULL);
		up_meta_string(&n, "appeared", b.data);
		upm_buf_free(&b);
		(void)upm_text_asns(&b, &r->disappeared, NULL, NULL, NULL);
		up_meta_string(&n, "disappeared", b.data);
		upm_buf_free(&b);
	}
	(void)plugin_dispatch_notification(&n);
	if (n.meta != NULL)
		(void)plugin_notification_meta_free(n.meta);
}

static void
up_append_list(upm_buf *b, const char *tag, const upm_asn_list *l)
{
	size_t i;

	(void)upm_buf_printf(b, "%s", tag);
	for (i = 0; i < l->n; i++)
		(void)upm_buf_printf(b, " %lu", (unsigned long)l->v[i]);
	(void)upm_buf_printf(b, ";");
}

/* A total outage without a baseline, where routing-status' last_seen says
 * the target had upstreams: a change with no upstream to name. */
static int
up_lost(const upm_result *r)
{
	return r->outage && r->disappeared.n == 0 &&
	    r->visibility.last_seen[0] != '\0';
}

/* What changed, as text that is equal exactly when the change is the same:
 * the overall appeared/disappeared sets and every prefix's.  NULL when
 * nothing changed, or without memory. */
static char *
up_change_key(const upm_result *r)
{
	upm_buf b;
	size_t i;

	if (r->appeared.n == 0 && r->disappeared.n == 0 &&
	    upm_result_prefix_changes(r) == 0 && !up_lost(r))
		return NULL;
	upm_buf_init(&b);
	if (up_lost(r))
		(void)upm_buf_printf(&b, "outage;");
	up_append_list(&b, "+", &r->appeared);
	up_append_list(&b, "-", &r->disappeared);
	for (i = 0; i < r->n_prefix_results; i++) {
		const upm_prefix_result *p = &r->prefix_results[i];

		if (p->appeared.n == 0 && p->disappeared.n == 0)
			continue;
		(void)upm_buf_printf(&b, "%s", p->prefix);
		up_append_list(&b, "+", &p->appeared);
		up_append_list(&b, "-", &p->disappeared);
	}
	return upm_buf_steal(&b);
}

/* FAILURE when the comparison turns from "matches" to "changed" or the
 * change itself changes (overall or on a tracked prefix); OKAY when it
 * matches again.  Never repeated on every read: the values carry the
 * ongoing state. */
static void
up_notify_change(struct up_target *t, const upm_result *r, const upm_asn_list *base)
{
	char *key = up_change_key(r);
	int changed = r->appeared.n > 0 || r->disappeared.n > 0 ||
	    upm_result_prefix_changes(r) > 0 || up_lost(r);
	upm_buf msg;
	char text[256];

	if (changed && t->changed && key != NULL && t->notified != NULL &&
	    strcmp(key, t->notified) == 0) {
		free(key);
		return;
	}
	if (!changed && !t->changed)
		return;
	upm_buf_init(&msg);
	(void)upm_buf_printf(&msg, "upstreams %s (%s): ", t->name, r->target);
	if (changed && r->outage) {
		(void)upm_buf_printf(&msg, "all upstreams disappeared: no route "
		    "to %s seen by any of %zu sessions that see the control %s; ",
		    r->target, r->control_sessions, t->control_prefix ?
		    t->control_prefix : UPM_CONTROL_PREFIX);
		if (r->disappeared.n > 0)
			(void)upm_text_asns(&msg, &r->disappeared, "0%", NULL,
			    NULL);
		else
			/* No baseline: no upstream known to name. */
			(void)upm_buf_printf(&msg, "routing-status last saw it "
			    "at %s UTC", r->visibility.last_seen);
	} else if (changed) {
		(void)upm_render_summary(r, &msg);
	} else {
		up_format_list(base, text, sizeof(text));
		(void)upm_buf_printf(&msg, "upstream set back to baseline: %s%s",
		    text, t->n_expect_prefixes > 0 ?
		    "; every prefix as expected" : "");
	}
	/* Without memory the key is NULL: the next read notifies again
	 * rather than never. */
	free(t->notified);
	t->notified = key;
	t->changed = changed;
	up_notify(t, changed ? NOTIF_FAILURE : NOTIF_OKAY,
	    msg.data != NULL ? msg.data : "", r);
	upm_buf_free(&msg);
}

/* Sources that disagree are in the values, each under its own name; the
 * log says so once, and again only after they agreed in between. */
static void
up_log_disagreement(struct up_target *t, const upm_result *r)
{
	if (r->disagree[0] != '\0')
		c_complain_once(LOG_WARNING, &t->disagreement,
		    "upstreams plugin: target %s: %s", t->name, r->disagree);
	else
		c_release(LOG_INFO, &t->disagreement,
		    "upstreams plugin: target %s: the sources agree again",
		    t->name);
}

/* A read without data: read_success 0 and the last good values (their
 * data_age growing), so that no series goes quiet. */
static void
up_dispatch_failure(const struct up_target *t)
{
	if (t->last != NULL)
		up_dispatch_result(t, t->last, 0);
	else
		up_dispatch_gauge(t, "bool", "read_success", 0);
}

/* After a failed request: when the next one may go out. */
static void
up_pace(struct up_target *t, cdtime_t now)
{
	double interval = CDTIME_T_TO_DOUBLE(t->interval ? t->interval :
	    plugin_get_interval());
	double max = interval > BACKOFF_MAX_S ? interval : BACKOFF_MAX_S;
	double wait = interval;

	for (unsigned i = 1; i < t->failures && wait < max; i++)
		wait *= 2;
	if (wait > max)
		wait = max;
	/* A little less than the wait: the read that falls due then asks. */
	t->next_try = now + DOUBLE_TO_CDTIME_T(wait - interval / 2);
	c_complain_once(LOG_NOTICE, &t->pacing, "upstreams plugin: target %s: "
	    "reads fail: requests to the source are paced, one interval "
	    "(%.0f s) after the first failure, doubling up to %.0f s; values "
	    "go on with read_success 0", t->name, interval, max);
}

/* One read.  Always 0 for collectd, which then keeps the interval: a
 * failed read is logged once, sends read_success 0 with the last values
 * and paces the requests itself (up_pace). */
static int
up_read_target(struct up_target *t)
{
	upm_result *r = NULL;
	upm_asn_list base;
	upm_error err;
	upm_status st;
	cdtime_t now = cdtime();
	int source_failed = 0;

	if (t->failures > 0 && now < t->next_try) {
		up_dispatch_failure(t);
		return 0;
	}
	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&base);
	if ((st = up_ensure_fetcher(t, &err)) == UPM_OK &&
	    (st = up_query(t, &r, &err)) == UPM_OK &&
	    up_fetch_stop(t))
		/* Finished just as the time ran out: still a good read. */
		st = UPM_OK;
	if (st != UPM_OK && up_stopping(t->limiter)) {
		/* Shutdown: nothing to say, nothing to dispatch. */
		upm_result_free(r);
		return 0;
	}
	if (st != UPM_OK && up_fetch_stop(t)) {
		st = upm_fail(&err, UPM_ERR_TIMEOUT, "the read took longer than "
		    "Timeout (%ld ms)", t->timeout_ms);
		upm_result_free(r);
		r = NULL;
	}
	if (st == UPM_OK) {
		/* Stale or garbled data is no read either; it is judged
		 * before it can teach a baseline and again after the
		 * comparison. */
		if ((st = upm_result_check(r, &t->params, &err)) == UPM_OK &&
		    (st = up_apply_baseline(t, r, &base, &err)) == UPM_OK)
			st = upm_result_check(r, &t->params, &err);
	} else
		source_failed = 1;
	if (st != UPM_OK) {
		c_complain_once(LOG_ERR, &t->complaint,
		    "upstreams plugin: target %s: %s: %s", t->name,
		    upm_status_name(st), err.text);
		upm_result_free(r);
		upm_asn_list_free(&base);
		if (source_failed) {
			t->failures++;
			up_pace(t, now);
		}
		up_dispatch_failure(t);
		return 0;
	}
	t->failures = 0;
	c_release(LOG_INFO, &t->pacing, "upstreams plugin: target %s: "
	    "requests at every interval again", t->name);
	c_release(LOG_INFO, &t->complaint,
	    "upstreams plugin: target %s: reading works again", t->name);
	up_dispatch_result(t, r, 1);
	up_log_disagreement(t, r);
	up_notify_change(t, r, &base);
	upm_result_free(t->last);
	t->last = r;
	upm_asn_list_free(&base);
	return 0;
}

/* ---------------------------------------------------------- RIS Live */

/* The stream of a <Plugin upstreams> block, made with its settings
 * (every block has one; its thread starts only with a live target). */
static struct up_stream *
up_stream_new(const struct up_defaults *d)
{
	struct up_stream *s = calloc(1, sizeof(*s));
	int failed = 0;

	if (s == NULL)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	s->url = up_dup_or_null(d->ris_live_url != NULL ? d->ris_live_url :
	    DEFAULT_RIS_LIVE_URL, &failed);
	s->ca_file = up_dup_or_null(d->ca_file, &failed);
	s->max_silence_s = d->ris_live_max_silence_s;
	s->max_lag_s = d->ris_live_max_lag_s;
	(void)snprintf(s->error, sizeof(s->error), "not connected yet");
	C_COMPLAIN_INIT(&s->down);
	if (failed) {
		up_stream_free(s);
		return NULL;
	}
	return s;
}

static void
up_stream_free(struct up_stream *s)
{
	if (s == NULL)
		return;
	upm_ris_live_parser_free(s->parser[0]);
	upm_ris_live_parser_free(s->parser[1]);
	free(s->url);
	free(s->ca_file);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Shutdown: the stream thread ends (the limiter's stop flag) and is
 * joined once, before the first live target is freed. */
static void
up_stream_join(struct up_limiter *l)
{
	struct up_stream *s = l->stream;
	int join;

	/* Only a started thread means shutdown: a live block skipped at
	 * configuration frees its target with nothing to stop. */
	pthread_mutex_lock(&l->lock);
	join = s->started && !s->joined;
	pthread_mutex_unlock(&l->lock);
	if (!join)
		return;
	up_limiter_stop(l);
	pthread_mutex_lock(&l->lock);
	join = !s->joined;
	s->joined = 1;
	pthread_mutex_unlock(&l->lock);
	if (join)
		pthread_join(s->thread, NULL);
}

/* A prefix as family, bytes and length; -1 when it is none. */
static int
up_prefix_parse(const char *s, int *af, unsigned char *addr, int *len)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	char *end;
	long n;
	size_t k;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	*af = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	memset(addr, 0, 16);
	if (inet_pton(*af, buf, addr) != 1)
		return -1;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 ||
	    n > (*af == AF_INET ? 32 : 128))
		return -1;
	*len = (int)n;
	(void)k;
	return 0;
}

/* Whether prefix is one of t's prefixes or more specific than one. */
static int
up_prefix_wanted(const struct up_target *t, const char *prefix)
{
	unsigned char a[16], b[16];
	int af, bf, alen, blen, bits;
	size_t i;

	if (up_prefix_parse(prefix, &af, a, &alen) != 0)
		return 0;
	for (i = 0; i < t->live_prefixes.n; i++) {
		if (up_prefix_parse(t->live_prefixes.v[i], &bf, b, &blen) != 0 ||
		    bf != af || blen > alen)
			continue;
		bits = blen;
		if (memcmp(a, b, (size_t)(bits / 8)) != 0)
			continue;
		if (bits % 8 != 0 && ((a[bits / 8] ^ b[bits / 8]) &
		    (0xff << (8 - bits % 8)) & 0xff) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* The table's event sink during the seed and the backfill: t's routes
 * only; the snapshot's prefixes become the subscription. */
static int
up_seed_event(void *ctx, const upm_event *ev)
{
	struct up_target *t = ctx;
	upm_error err;

	memset(&err, 0, sizeof(err));
	/* The seed's prefixes become the subscription; the backfill's
	 * events count only for prefixes asked for. */
	if (t->seeding) {
		if (ev->prefix != NULL && ev->kind == UPM_EV_ANNOUNCE &&
		    upm_strlist_add(&t->live_prefixes, ev->prefix) != 0)
			return 1;
	} else if (ev->kind != UPM_EV_SESSION_DOWN &&
	    (ev->prefix == NULL || !up_prefix_wanted(t, ev->prefix)))
		return 0;
	if (upm_rib_event(t->rib, ev, &err) != UPM_OK)
		return 1;
	if (ev->time > t->last_event)
		t->last_event = ev->time;
	return 0;
}

/* One RIPEstat answer streamed through a source's parser into t's table
 * (the seed's bgp-state, the backfill's bgp-updates). */
struct up_feed {
	const upm_source_desc *desc;
	void *parser;
	upm_sink sink;
	int began;
};

static upm_status
up_feed_begin(void *ctx, upm_error *err)
{
	struct up_feed *f = ctx;

	if (f->began++)
		return upm_fail(err, UPM_ERR_NETWORK, "a broken transfer is "
		    "not tried again into a table it already fed");
	return UPM_OK;
}

static upm_status
up_feed_data(void *ctx, const char *buf, size_t len, upm_error *err)
{
	struct up_feed *f = ctx;

	return f->desc->parser_feed(f->parser, buf, len, err);
}

static upm_status
up_feed_end(void *ctx, upm_error *err)
{
	(void)ctx, (void)err;
	return UPM_OK;
}

static upm_status
up_feed_url(struct up_target *t, const upm_source_desc *desc,
    const char *resource, const upm_query_opts *q, upm_meta *meta,
    upm_error *err)
{
	struct up_feed f;
	upm_stream s = { up_feed_begin, up_feed_data, up_feed_end, &f,
	    (desc->needs & UPM_READS_WHOLE) != 0 };
	char *url = NULL;
	upm_status st;
	long code = 0;

	memset(&f, 0, sizeof(f));
	f.desc = desc;
	f.sink.event = up_seed_event;
	f.sink.ctx = t;
	if ((st = desc->request(q, resource, &url, err)) != UPM_OK)
		return st;
	if ((f.parser = desc->parser_new(&f.sink, err)) == NULL) {
		free(url);
		return err->code != UPM_OK ? err->code : UPM_ERR_NOMEM;
	}
	st = upm_fetch_stream(t->fetcher, url, &s, &code, err);
	if (st == UPM_OK)
		st = desc->parser_finish(f.parser, meta, err);
	desc->parser_free(f.parser);
	free(url);
	return st;
}

/* The table of t from a bgp-state snapshot of its ASes (the seed). */
static upm_status
up_live_seed(struct up_target *t, upm_error *err)
{
	upm_asn_list origins;
	upm_query_opts q;
	upm_meta meta;
	upm_status st;
	char res[16];
	size_t i;

	upm_asn_list_init(&origins);
	if (upm_asn_list_add(&origins, t->asn) != UPM_OK ||
	    upm_asn_list_merge(&origins, &t->extra_asns) != UPM_OK) {
		upm_asn_list_free(&origins);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	upm_rib_free(t->rib);
	upm_strlist_free(&t->live_prefixes);
	t->rib = upm_rib_new(&origins, &t->params, 0, err);
	st = t->rib != NULL ? UPM_OK : UPM_ERR_NOMEM;
	up_query_opts(t, &q);
	q.source = UPM_SRC_BGP_STATE;
	t->seed_time = 0;
	t->seeding = 1;
	for (i = 0; st == UPM_OK && i < origins.n; i++) {
		(void)snprintf(res, sizeof(res), "AS%lu",
		    (unsigned long)origins.v[i]);
		memset(&meta, 0, sizeof(meta));
		st = up_feed_url(t, &upm_source_ripestat_bgp_state, res, &q,
		    &meta, err);
		if (st == UPM_OK && meta.data_time[0] != '\0' &&
		    t->seed_time == 0)
			(void)upm_time_parse(meta.data_time, &t->seed_time, NULL);
	}
	t->seeding = 0;
	for (i = 0; st == UPM_OK && i < t->n_prefixes; i++)
		if (upm_strlist_add(&t->live_prefixes, t->prefixes[i]) != 0)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	upm_asn_list_free(&origins);
	if (st == UPM_OK && t->live_prefixes.n == 0)
		st = upm_fail(err, UPM_ERR_NODATA, "the snapshot has no route "
		    "of the target and no Prefix is given: nothing to "
		    "subscribe to");
	if (st == UPM_OK) {
		upm_rib_rebase(t->rib);
		if (t->seed_time > t->last_event)
			t->last_event = t->seed_time;
	}
	return st;
}

/* The gap since the last event t's table took, from RIPEstat's update
 * data (bgp-updates trails real time: what it does not have yet is not
 * there, and the stream goes on from its own start).  Events older than
 * the newest one taken are duplicates and dropped by the time check. */
static upm_status
up_live_backfill(struct up_target *t, int64_t now, upm_error *err)
{
	upm_query_opts q;
	upm_meta meta;
	upm_buf res;
	upm_status st;
	size_t i;

	if (t->last_event <= 0 || now - t->last_event < 1 ||
	    now - t->last_event > RIS_LIVE_MAX_BACKFILL_S)
		return UPM_OK;
	up_query_opts(t, &q);
	q.source = UPM_SRC_BGP_UPDATES;
	q.window_start = t->last_event;
	q.window_end = now;
	upm_buf_init(&res);
	for (i = 0; i < t->live_prefixes.n; i++)
		(void)upm_buf_printf(&res, "%s%s", i ? "," : "",
		    t->live_prefixes.v[i]);
	memset(&meta, 0, sizeof(meta));
	st = res.data != NULL ? up_feed_url(t, &upm_source_ripestat_bgp_updates,
	    res.data, &q, &meta, err) : UPM_OK;
	upm_buf_free(&res);
	return st;
}

/* Whether the notification logic would say something for r (as
 * up_notify_change decides), and the key of its change (caller frees). */
static int
up_would_notify(const struct up_target *t, const upm_result *r, char **key)
{
	int changed = r->appeared.n > 0 || r->disappeared.n > 0 ||
	    upm_result_prefix_changes(r) > 0 || up_lost(r);

	*key = up_change_key(r);
	if (changed && t->changed && *key != NULL && t->notified != NULL &&
	    strcmp(*key, t->notified) == 0)
		return 0;
	return changed || t->changed;
}

/* The table as a result, judged against the baseline; notified at once,
 * or once the change has lasted Hold.  Under t->lock, in the stream
 * thread.  force: recompute even when the present set is the same. */
static void
up_live_judge(struct up_target *t, struct up_stream *s, int force)
{
	upm_asn_list present, base;
	upm_result *r = NULL;
	upm_error err;
	char *key = NULL;
	int64_t newest;
	long long now = upm_clock_ms();

	if (t->rib == NULL)
		return;
	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&present);
	upm_asn_list_init(&base);
	if (!force && t->pending == NULL) {
		if (upm_rib_present(t->rib, &present, &err) != UPM_OK ||
		    (present.n == t->live_present.n && (present.n == 0 ||
		    memcmp(present.v, t->live_present.v, present.n *
		    sizeof(present.v[0])) == 0))) {
			upm_asn_list_free(&present);
			return;
		}
		upm_asn_list_free(&present);
	}
	t->dirty = 0;
	if (upm_rib_result(t->rib, &r, &err) != UPM_OK) {
		/* Every route withdrawn (or no memory): no values to give as
		 * fresh; the reads send read_success 0 until routes return. */
		c_complain_once(LOG_ERR, &t->complaint, "upstreams plugin: "
		    "target %s: ris-live: %s: %s", t->name,
		    upm_status_name(err.code), err.text);
		upm_result_free(t->last);
		t->last = NULL;
		upm_asn_list_free(&t->live_present);
		return;
	}
	c_release(LOG_INFO, &t->complaint, "upstreams plugin: target %s: "
	    "ris-live: the table has routes again", t->name);
	(void)snprintf(r->target, sizeof(r->target), "AS%lu",
	    (unsigned long)t->asn);
	(void)snprintf(r->source, sizeof(r->source), "ris-live");
	pthread_mutex_lock(&s->lock);
	newest = upm_ris_live_parser_stats(s->parser[0]) != NULL ?
	    upm_ris_live_parser_stats(s->parser[0])->last_time : 0;
	pthread_mutex_unlock(&s->lock);
	if (newest < t->last_event)
		newest = t->last_event;
	if (newest > 0)
		(void)upm_time_format(newest, r->data_time, sizeof(r->data_time));
	upm_asn_list_free(&t->live_present);
	for (size_t i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].present)
			(void)upm_asn_list_add(&t->live_present,
			    r->upstreams[i].asn);
	if (up_apply_baseline(t, r, &base, &err) != UPM_OK) {
		c_complain_once(LOG_ERR, &t->complaint, "upstreams plugin: "
		    "target %s: %s: %s", t->name, upm_status_name(err.code),
		    err.text);
		upm_result_free(r);
		upm_asn_list_free(&base);
		return;
	}
	if (up_would_notify(t, r, &key)) {
		if (t->hold_s == 0)
			up_notify_change(t, r, &base);
		else if (t->pending == NULL || key == NULL ||
		    strcmp(t->pending, key) != 0) {
			/* a new change (or a new state) starts its hold */
			free(t->pending);
			t->pending = key != NULL ? key : strdup("");
			key = NULL;
			t->pending_since_ms = now;
		} else if (now - t->pending_since_ms >= t->hold_s * 1000) {
			up_notify_change(t, r, &base);
			free(t->pending);
			t->pending = NULL;
		}
	} else {
		/* back where the last notification left it: a flap */
		free(t->pending);
		t->pending = NULL;
	}
	free(key);
	upm_result_free(t->last);
	t->last = r;
	upm_asn_list_free(&base);
}

/* The stream's sink: each event to every live target that asked for its
 * prefix (a peer going down to all); anything else changes nothing. */
static int
up_stream_event(void *ctx, const upm_event *ev)
{
	struct up_stream *s = ctx;
	upm_error err;
	size_t i;

	for (i = 0; i < s->n_targets; i++) {
		struct up_target *t = s->targets[i];

		if (ev->kind != UPM_EV_SESSION_DOWN &&
		    !up_prefix_wanted(t, ev->prefix))
			continue;
		pthread_mutex_lock(&t->lock);
		memset(&err, 0, sizeof(err));
		if (t->rib != NULL && upm_rib_event(t->rib, ev, &err) == UPM_OK) {
			t->dirty = 1;
			t->streamed = 1;
			if (ev->time > t->last_event)
				t->last_event = ev->time;
		}
		pthread_mutex_unlock(&t->lock);
	}
	return 0;
}

/* After each piece of the stream: every target whose table moved is
 * judged (a notification goes out now, not at the next read). */
static void
up_stream_judge_all(struct up_stream *s, int force)
{
	for (size_t i = 0; i < s->n_targets; i++) {
		struct up_target *t = s->targets[i];

		pthread_mutex_lock(&t->lock);
		if (t->dirty || force || t->pending != NULL)
			up_live_judge(t, s, force || t->dirty);
		pthread_mutex_unlock(&t->lock);
	}
}

/* One connection of the stream: which one, and its parser. */
struct up_conn {
	struct up_stream *s;
	int updates;                 /* 1 updates, 0 peer states */
	upm_ris_live_parser *parser;
	int failed;
	char error[128];
};

static size_t
up_stream_body(char *data, size_t size, size_t n, void *ctx)
{
	struct up_conn *c = ctx;
	struct up_stream *s = c->s;
	upm_error err;
	const upm_ris_live_stats *st;
	int64_t lag, newest;

	memset(&err, 0, sizeof(err));
	if (upm_ris_live_parser_feed(c->parser, data, size * n, &err) !=
	    UPM_OK) {
		c->failed = 1;
		(void)snprintf(c->error, sizeof(c->error), "%.120s", err.text);
		return 0;
	}
	st = upm_ris_live_parser_stats(c->parser);
	newest = upm_ris_live_parser_take_newest(c->parser);
	pthread_mutex_lock(&s->lock);
	if (c->updates) {
		s->last_rx_ms = upm_clock_ms();
		/* The lag of a piece that brought messages: its newest time
		 * against the clock.  One old message among fresh ones (RIS
		 * Live passes some on late) is no lag: the stream lags when no
		 * fresh message came for RISLiveMaxLag (up_stream_failed). */
		if (newest > 0) {
			lag = (int64_t)time(NULL) - newest;
			s->lag_s = lag > 0 ? lag : 0;
			if (s->lag_s <= s->max_lag_s)
				s->fresh_ms = s->last_rx_ms;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (c->updates)
		c_release(LOG_INFO, &s->down, "upstreams plugin: ris-live: "
		    "the stream is back");
	if (st->errors > s->errors_logged) {
		s->errors_logged = st->errors;
		WARNING("upstreams plugin: ris-live: the server says: %s%s",
		    st->error, strstr(st->error, "slow") != NULL ||
		    strstr(st->error, "keep up") != NULL ? " (this client "
		    "reads too slowly; the stream is closed and reopened)" : "");
	}
	up_stream_judge_all(s, 0);
	return size * n;
}

static int
up_stream_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c,
    curl_off_t d)
{
	struct up_conn *conn = ctx;

	(void)a, (void)b, (void)c, (void)d;
	return conn->s->targets[0] != NULL &&
	    up_stopping(conn->s->targets[0]->limiter);
}

#define UP_SETOPT(h, opt, val) \
	do { \
		if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK) \
			return -1; \
	} while (0)

/* One easy handle of the stream. */
static int
up_stream_handle(struct up_stream *s, CURL *h, struct up_conn *c,
    struct curl_slist *headers)
{
	UP_SETOPT(h, CURLOPT_URL, s->url);
	UP_SETOPT(h, CURLOPT_HTTPHEADER, headers);
	UP_SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	UP_SETOPT(h, CURLOPT_USERAGENT, "upstreams/" UPM_VERSION);
	UP_SETOPT(h, CURLOPT_ACCEPT_ENCODING, "");
	UP_SETOPT(h, CURLOPT_WRITEFUNCTION, up_stream_body);
	UP_SETOPT(h, CURLOPT_WRITEDATA, c);
	UP_SETOPT(h, CURLOPT_XFERINFOFUNCTION, up_stream_progress);
	UP_SETOPT(h, CURLOPT_XFERINFODATA, c);
	UP_SETOPT(h, CURLOPT_NOPROGRESS, 0L);
	UP_SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	UP_SETOPT(h, CURLOPT_FAILONERROR, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	UP_SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	UP_SETOPT(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (s->ca_file != NULL)
		UP_SETOPT(h, CURLOPT_CAINFO, s->ca_file);
	if (c->updates) {
		/* The beacon keeps the updates talking: silence is a failure. */
		UP_SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		UP_SETOPT(h, CURLOPT_LOW_SPEED_TIME, s->max_silence_s);
	}
	return 0;
}

/* Both connections until one ends (or the plugin stops); why in s->error. */
static void
up_stream_connect(struct up_stream *s, struct up_limiter *l, const char *sub)
{
	struct curl_slist *hdr[2] = { NULL, NULL };
	struct up_conn conn[2];
	CURL *h[2] = { NULL, NULL };
	CURLM *m = curl_multi_init();
	char *peer_sub = NULL, *line = NULL;
	const char *subs[2];
	char why[256] = "";
	upm_error err;
	CURLMsg *msg;
	int running = 1, left, i, ok = m != NULL;
	size_t len;

	memset(&err, 0, sizeof(err));
	memset(conn, 0, sizeof(conn));
	ok = ok && upm_ris_live_subscription(NULL, 0, &peer_sub, &err) == UPM_OK;
	subs[0] = sub;
	subs[1] = peer_sub;
	for (i = 0; ok && i < 2; i++) {
		len = strlen("X-RIS-Subscribe: ") + strlen(subs[i]) + 1;
		if ((line = malloc(len)) == NULL) {
			ok = 0;
			break;
		}
		(void)snprintf(line, len, "X-RIS-Subscribe: %s", subs[i]);
		hdr[i] = curl_slist_append(NULL, line);
		free(line);
		conn[i].s = s;
		conn[i].updates = i == 0;
		conn[i].parser = s->parser[i];
		upm_ris_live_parser_reset(s->parser[i]);
		ok = hdr[i] != NULL && (h[i] = curl_easy_init()) != NULL &&
		    up_stream_handle(s, h[i], &conn[i], hdr[i]) == 0 &&
		    curl_multi_add_handle(m, h[i]) == CURLM_OK;
	}
	if (!ok)
		(void)snprintf(why, sizeof(why), "cannot set up the transfer");
	pthread_mutex_lock(&s->lock);
	s->connected = 0;
	if (s->down_ms == 0)
		s->down_ms = upm_clock_ms();
	if (strcmp(s->error, "not connected yet") == 0)
		(void)snprintf(s->error, sizeof(s->error), "no answer from "
		    "the server yet");
	pthread_mutex_unlock(&s->lock);
	while (ok && running && !atomic_load(&l->stopping)) {
		long code = 0;

		if (curl_multi_perform(m, &running) != CURLM_OK) {
			(void)snprintf(why, sizeof(why), "transfer failed");
			break;
		}
		/* Connected once the updates' answer is 200 (the body may
		 * wait for the first message). */
		if (curl_easy_getinfo(h[0], CURLINFO_RESPONSE_CODE, &code) ==
		    CURLE_OK && code == 200) {
			pthread_mutex_lock(&s->lock);
			if (!s->connected) {
				s->connected = 1;
				s->error[0] = '\0';
			}
			pthread_mutex_unlock(&s->lock);
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			i = msg->easy_handle == h[0] ? 0 : 1;
			if (conn[i].failed)
				(void)snprintf(why, sizeof(why), "%s",
				    conn[i].error);
			else if (msg->data.result == CURLE_OPERATION_TIMEDOUT &&
			    i == 0)
				(void)snprintf(why, sizeof(why), "no data for "
				    "%ld s", s->max_silence_s);
			else if (msg->data.result != CURLE_OK)
				(void)snprintf(why, sizeof(why), "%s",
				    curl_easy_strerror(msg->data.result));
			else
				(void)snprintf(why, sizeof(why), "the server "
				    "closed the %s stream", i == 0 ? "updates" :
				    "peer-state");
			running = 0;
		}
		if (running && curl_multi_poll(m, NULL, 0, 200, NULL) !=
		    CURLM_OK)
			break;
		up_stream_judge_all(s, 0);
	}
	for (i = 0; i < 2; i++) {
		if (h[i] != NULL) {
			if (m != NULL)
				(void)curl_multi_remove_handle(m, h[i]);
			curl_easy_cleanup(h[i]);
		}
		curl_slist_free_all(hdr[i]);
	}
	if (m != NULL)
		(void)curl_multi_cleanup(m);
	free(peer_sub);
	pthread_mutex_lock(&s->lock);
	if (s->connected)
		s->down_ms = upm_clock_ms();
	s->connected = 0;
	(void)snprintf(s->error, sizeof(s->error), "%s", why[0] ? why :
	    "stopped");
	pthread_mutex_unlock(&s->lock);
}

/* A wait that the plugin's stop ends early. */
static void
up_stream_wait(struct up_limiter *l, long ms)
{
	struct timespec until;

	up_deadline(ms, &until);
	pthread_mutex_lock(&l->lock);
	while (!atomic_load(&l->stopping) &&
	    pthread_cond_timedwait(&l->wake, &l->lock, &until) == 0)
		;
	pthread_mutex_unlock(&l->lock);
}

/* Seeds every live target not seeded yet; then the gap since each one's
 * last event from RIPEstat's updates.  0 when every table is ready. */
static int
up_stream_prepare(struct up_stream *s)
{
	upm_error err;
	int ready = 1;
	size_t i;

	for (i = 0; i < s->n_targets; i++) {
		struct up_target *t = s->targets[i];
		upm_status st;

		/* The table is the stream thread's alone: the network is
		 * asked without t->lock, which the read callback takes. */
		memset(&err, 0, sizeof(err));
		st = up_ensure_fetcher(t, &err);
		if (t->rib != NULL && t->streamed && (int64_t)time(NULL) -
		    t->last_event > RIS_LIVE_MAX_BACKFILL_S) {
			INFO("upstreams plugin: target %s: ris-live: the stream "
			    "was away for more than %d h: seeding the table "
			    "again", t->name, RIS_LIVE_MAX_BACKFILL_S / 3600);
			upm_rib_free(t->rib);
			t->rib = NULL;
			t->streamed = 0;
		}
		if (st == UPM_OK && t->rib == NULL) {
			atomic_store(&t->read_deadline_ms, upm_clock_ms() +
			    t->timeout_ms);
			if ((st = up_live_seed(t, &err)) != UPM_OK) {
				upm_rib_free(t->rib);
				t->rib = NULL;
			}
			atomic_store(&t->read_deadline_ms, 0);
			if (st == UPM_OK) {
				pthread_mutex_lock(&t->lock);
				up_live_judge(t, s, 1);
				pthread_mutex_unlock(&t->lock);
			}
		}
		if (st == UPM_OK && t->rib != NULL) {
			atomic_store(&t->read_deadline_ms, upm_clock_ms() +
			    t->timeout_ms);
			st = up_live_backfill(t, (int64_t)time(NULL), &err);
			atomic_store(&t->read_deadline_ms, 0);
			if (st != UPM_OK) {
				/* The backfill is best effort: the stream goes
				 * on, the gap is said once. */
				c_complain_once(LOG_WARNING,
				    &t->backfill_complaint, "upstreams plugin: "
				    "target %s: ris-live backfill from "
				    "bgp-updates failed (%s: %s); changes in the "
				    "gap may be missing until the next one",
				    t->name, upm_status_name(st), err.text);
				st = UPM_OK;
			} else {
				c_release(LOG_INFO, &t->backfill_complaint,
				    "upstreams plugin: target %s: ris-live "
				    "backfill works again", t->name);
				pthread_mutex_lock(&t->lock);
				up_live_judge(t, s, 1);
				pthread_mutex_unlock(&t->lock);
			}
		}
		if (st != UPM_OK && !up_stopping(t->limiter)) {
			ready = 0;
			c_complain_once(LOG_ERR, &t->complaint, "upstreams "
			    "plugin: target %s: ris-live: the snapshot that "
			    "seeds the table failed: %s: %s", t->name,
			    upm_status_name(st), err.text);
			pthread_mutex_lock(&s->lock);
			(void)snprintf(s->error, sizeof(s->error), "seeding "
			    "%s failed", t->name);
			pthread_mutex_unlock(&s->lock);
		}
	}
	return ready ? 0 : -1;
}

/* The subscription of every seeded live target's prefixes, and the
 * beacon; *out caller frees. */
static int
up_stream_subscription(struct up_stream *s, char **out)
{
	upm_strlist all;
	upm_error err;
	int rc = 0;
	size_t i, k;

	memset(&all, 0, sizeof(all));
	memset(&err, 0, sizeof(err));
	rc |= upm_strlist_add(&all, RIS_LIVE_BEACON);
	for (i = 0; i < s->n_targets; i++) {
		struct up_target *t = s->targets[i];

		pthread_mutex_lock(&t->lock);
		for (k = 0; k < t->live_prefixes.n; k++)
			rc |= upm_strlist_add(&all, t->live_prefixes.v[k]);
		pthread_mutex_unlock(&t->lock);
	}
	if (rc == 0 && upm_ris_live_subscription((const char *const *)all.v,
	    all.n, out, &err) != UPM_OK)
		rc = -1;
	upm_strlist_free(&all);
	return rc;
}

/* The stream thread: seed, subscribe, read; reconnect with backoff. */
static void *
up_stream_main(void *arg)
{
	struct up_limiter *l = arg;
	struct up_stream *s = l->stream;
	upm_sink sink = { up_stream_event, NULL, s };
	upm_error err;
	long backoff_s = 1;
	long long began;
	uint64_t seen;
	char *sub = NULL;

	memset(&err, 0, sizeof(err));
	if ((s->parser[0] = upm_ris_live_parser_new(&sink, 0, &err)) == NULL ||
	    (s->parser[1] = upm_ris_live_parser_new(&sink, 0, &err)) == NULL) {
		ERROR("upstreams plugin: ris-live: out of memory");
		return NULL;
	}
	while (!atomic_load(&l->stopping)) {
		if (up_stream_prepare(s) == 0 &&
		    up_stream_subscription(s, &sub) == 0) {
			began = upm_clock_ms();
			seen = upm_ris_live_parser_stats(s->parser[0])->lines;
			up_stream_connect(s, l, sub);
			free(sub);
			sub = NULL;
			if (atomic_load(&l->stopping))
				break;
			pthread_mutex_lock(&s->lock);
			s->reconnects++;
			c_complain_once(LOG_WARNING, &s->down, "upstreams plugin: "
			    "ris-live: stream ended: %s; reconnecting (backoff "
			    "from 1 s, doubling to %d s), the gap backfilled "
			    "from bgp-updates", s->error, RIS_LIVE_BACKOFF_MAX_S);
			pthread_mutex_unlock(&s->lock);
			if (upm_ris_live_parser_stats(s->parser[0])->lines > seen &&
			    upm_clock_ms() - began > 10000)
				backoff_s = 1;
		}
		up_stream_wait(l, backoff_s * 1000);
		if (backoff_s < RIS_LIVE_BACKOFF_MAX_S)
			backoff_s *= 2;
	}
	free(sub);
	return NULL;
}

/* Why the stream cannot be trusted now (into why), or 0 when it can. */
static int
up_stream_failed(struct up_stream *s, char *why, size_t len)
{
	long long now = upm_clock_ms(), since;
	int failed = 0;

	pthread_mutex_lock(&s->lock);
	since = s->last_rx_ms > 0 ? s->last_rx_ms : s->started_ms;
	if (!s->connected && s->down_ms > 0 &&
	    now - s->down_ms > RIS_LIVE_CONNECT_GRACE_S * 1000L) {
		(void)snprintf(why, len, "the stream is not connected (for "
		    "%lld s): %s", (now - s->down_ms) / 1000, s->error);
		failed = 1;
	} else if (now - since > s->max_silence_s * 1000L) {
		(void)snprintf(why, len, "no message for %lld s (limit %ld s; "
		    "the RIS beacon alone brings one at least every 2 h)%s%s",
		    (now - since) / 1000, s->max_silence_s, s->connected ? "" :
		    ": ", s->connected ? "" : s->error);
		failed = 1;
	} else if (now - (s->fresh_ms > 0 ? s->fresh_ms : s->started_ms) >
	    s->max_lag_s * 1000L && s->lag_s > s->max_lag_s) {
		(void)snprintf(why, len, "messages lag the clock by %lld s "
		    "(limit %ld s)", (long long)s->lag_s, s->max_lag_s);
		failed = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return failed;
}

/* The read of a live target: starts the stream thread the first time;
 * then dispatches the table's values as the stream thread left them, or
 * read_success 0 when the stream is silent or lagging. */
static int
up_read_live(struct up_target *t)
{
	struct up_limiter *l = t->limiter;
	struct up_stream *s = l->stream;
	char why[384];
	int rc;

	pthread_mutex_lock(&l->lock);
	if (!s->started && !s->joined && !atomic_load(&l->stopping)) {
		s->started_ms = upm_clock_ms();
		rc = plugin_thread_create(&s->thread, up_stream_main, l,
		    "upstreams live");
		if (rc != 0) {
			pthread_mutex_unlock(&l->lock);
			ERROR("upstreams plugin: ris-live: cannot start the "
			    "stream thread (status %d)", rc);
			return -1;
		}
		s->started = 1;
	}
	pthread_mutex_unlock(&l->lock);
	pthread_mutex_lock(&t->lock);
	if (up_stream_failed(s, why, sizeof(why))) {
		c_complain_once(LOG_ERR, &t->live_complaint, "upstreams plugin: "
		    "target %s: ris-live: %s", t->name, why);
		up_dispatch_failure(t);
	} else if (t->last == NULL)
		up_dispatch_gauge(t, "bool", "read_success", 0);
	else {
		c_release(LOG_INFO, &t->live_complaint, "upstreams plugin: "
		    "target %s: ris-live: the stream works again", t->name);
		up_dispatch_result(t, t->last, 1);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* One whole read, in the target's fetch thread: a slot of the
 * plugin-wide MaxInFlight, then the query; both within the target's
 * Timeout, counted from the start.  A read that gets no slot fails like
 * a timeout.  The lock keeps the target's state to one read at a time
 * whoever calls (the tests read from several threads). */
static int
up_read_once(struct up_target *t)
{
	int status;

	atomic_store(&t->read_deadline_ms, upm_clock_ms() + t->timeout_ms);
	if (t->limiter != NULL && up_limiter_acquire(t->limiter,
	    t->timeout_ms) != 0) {
		atomic_store(&t->read_deadline_ms, 0);
		if (up_stopping(t->limiter))
			return 0;
		pthread_mutex_lock(&t->lock);
		c_complain_once(LOG_ERR, &t->complaint,
		    "upstreams plugin: target %s: %s: no free read slot within "
		    "%ld ms (MaxInFlight %u)", t->name,
		    upm_status_name(UPM_ERR_TIMEOUT), t->timeout_ms,
		    t->limiter->max);
		up_dispatch_failure(t);
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	pthread_mutex_lock(&t->lock);
	status = up_read_target(t);
	pthread_mutex_unlock(&t->lock);
	atomic_store(&t->read_deadline_ms, 0);
	if (t->limiter != NULL)
		up_limiter_release(t->limiter);
	return status;
}

/* The fetch thread of one target: a read each time one is handed over,
 * until the plugin stops. */
static void *
up_worker(void *arg)
{
	struct up_target *t = arg;
	struct up_limiter *l = t->limiter;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (!t->due && !atomic_load(&l->stopping))
			pthread_cond_wait(&l->wake, &l->lock);
		if (atomic_load(&l->stopping))
			break;
		t->due = 0;
		t->busy = 1;
		pthread_mutex_unlock(&l->lock);
		(void)up_read_once(t);
		pthread_mutex_lock(&l->lock);
		t->busy = 0;
		pthread_cond_broadcast(&l->done);
	}
	t->due = 0;
	pthread_cond_broadcast(&l->done);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* The read callback: hands the read to the target's fetch thread (made
 * here the first time, so that it inherits this read's context and
 * interval and is born after collectd daemonized) and returns at once.
 * A read still running when the next one falls due is not doubled: the
 * running one dispatches when it ends, at the latest at Timeout. */
static int
up_read(user_data_t *ud)
{
	struct up_target *t;
	struct up_limiter *l;
	int rc;

	if (ud == NULL || ud->data == NULL)
		return -1;
	t = ud->data;
	if ((l = t->limiter) == NULL)
		return up_read_once(t);
	if (t->live)
		return up_read_live(t);
	pthread_mutex_lock(&l->lock);
	if (atomic_load(&l->stopping)) {
		pthread_mutex_unlock(&l->lock);
		return 0;
	}
	if (!t->worker_started) {
		rc = plugin_thread_create(&t->worker, up_worker, t, "upstreams");
		if (rc != 0) {
			pthread_mutex_unlock(&l->lock);
			ERROR("upstreams plugin: target %s: cannot start its "
			    "fetch thread (status %d)", t->name, rc);
			return -1;
		}
		t->worker_started = 1;
	}
	if (!t->busy && !t->due) {
		t->due = 1;
		pthread_cond_broadcast(&l->wake);
	} else {
		DEBUG("upstreams plugin: target %s: the last read still runs",
		    t->name);
	}
	pthread_mutex_unlock(&l->lock);
	return 0;
}

/* ---------------------------------------------------- init, shutdown */

static int
up_init(void)
{
	upm_error err;

	memset(&err, 0, sizeof(err));
	if (upm_global_init(&err) != UPM_OK) {
		ERROR("upstreams plugin: initialisation failed: %s", err.text);
		return -1;
	}
	return 0;
}

static int
up_shutdown(void)
{
	upm_global_cleanup();
	return 0;
}

void
module_register(void)
{
	plugin_register_complex_config(PLUGIN_NAME, up_config);
	plugin_register_init(PLUGIN_NAME, up_init);
	plugin_register_shutdown(PLUGIN_NAME, up_shutdown);
}
