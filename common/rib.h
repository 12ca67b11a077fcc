/*
 * rib.h - internal to libupstreams: the routing table fed by events.
 *
 * The table is keyed by session (collector + peer address) and prefix and
 * holds each route's current AS path: an announcement replaces, a
 * withdrawal removes, a session going down drops the session's routes.
 * Only routes of the target (the path's origin in the origin set) are
 * kept, so memory follows the target's routes, not the archive's size.
 *
 * The computation's counts follow each event: observations, paths with an
 * upstream, and per neighbour its paths, its distinct sessions, prefixes
 * and vantage ASes, those with a clique AS to its left, route-server
 * routes, adjacent origin-set ASes (with a relationship file) and (prefix,
 * vantage AS) pairs (vantage-as weighting) are added to and taken from,
 * never recounted.  The present set is upm_compute_result's on the same
 * routes: roles by the same rules (provider evidence, the fallback,
 * lateral neighbours apart), shares over the upstreams, min-peers vantage
 * ASes and min-share percent.  It is looked at once per second of event
 * time (events of one second are one moment), and every change of it is
 * stamped with that second.  With a hold time, per upstream: an AS's
 * appearance (disappearance) counts once it has stayed present (absent)
 * that long, stamped with the second it appeared (disappeared); one undone
 * sooner is a flap, kept apart; one still pending at the end is told
 * (upm_rib_pending_at).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_RIB_H
#define UPM_RIB_H

#include "source.h"

typedef struct upm_rib upm_rib;

/* What one path gives (common/compute.c, the rules of upm_compute_add). */
enum {
	UPM_CLASS_UNUSABLE = 0,
	UPM_CLASS_OTHER_ORIGIN,
	UPM_CLASS_DIRECT,
	UPM_CLASS_UPSTREAM
};
int upm_compute_classify(const upm_compute *c, const uint32_t *path,
    size_t len, uint32_t *asn);

/* What one path tells the role inference (compute.c's upm_compute_add
 * rules): the neighbour, the origin-set AS right of it, a clique AS left
 * of it, a vantage point other than the neighbour.  Returns the class. */
typedef struct {
	uint32_t asn;
	uint32_t adjacent;
	int clique;
	int not_self;
} upm_route_facts;
int upm_compute_route_facts(const upm_compute *c, const uint32_t *path,
    size_t len, upm_route_facts *f);

/* One neighbour's counts as the role inference takes them. */
typedef struct {
	uint32_t asn;
	size_t vantage_ases;        /* distinct vantage ASes */
	int self_vantage;           /* the neighbour itself among them */
	size_t clique_vantage;      /* of them, with a clique AS left of it */
	int route_server;           /* seen through an IXP route server */
	const uint32_t *adjacent;   /* origin-set ASes right of it (for a
	                             * relationship file) */
	size_t n_adjacent;
} upm_role_input;

/* upm_compute_result's role and evidence of one neighbour (c configured
 * with p); *pending when nothing decides it: lateral when another
 * neighbour has evidence, else upstream (the fallback). */
void upm_compute_role(const upm_compute *c, const upm_params *p,
    const upm_role_input *in, upm_role *role, upm_evidence *evidence,
    int *pending);

/* One change of the present set (or, flap set, a set that did not last). */
typedef struct {
	int64_t time;             /* the second of the event that caused it */
	int64_t until;            /* a flap: the second it was undone; else 0 */
	int flap;
	upm_asn_list appeared;    /* ascending */
	upm_asn_list disappeared; /* ascending */
	upm_result *snapshot;     /* the table's upstreams at time (counts and
	                           * shares; NULL for a flap) */
} upm_rib_change;

/* origins copied; p NULL for the defaults; hold_s 0 for no hold time.
 * Caller owns (upm_rib_free). */
upm_rib *upm_rib_new(const upm_asn_list *origins, const upm_params *p,
    int64_t hold_s, upm_error *err);
void upm_rib_free(upm_rib *r);

/* One event, in time order (an event older than the last one is taken as
 * of the last one's second).  UPM_ERR_NOMEM, or UPM_OK. */
upm_status upm_rib_event(upm_rib *r, const upm_event *ev, upm_error *err);

/* The sink's event callback (ctx a upm_rib); stops the parse on failure. */
int upm_rib_sink_event(void *ctx, const upm_event *ev);

/* Before the first event, or between files: the present set found at the
 * end of the current second becomes the starting point (no change point),
 * the changes recorded so far are dropped; later changes are measured
 * from it.  For a table still filling (an
 * updates file without a dump) or the load of a dump. */
void upm_rib_rebase(upm_rib *r);

/* End of input at time t (>= the last event's second): closes the current
 * second and commits a pending change that has lasted the hold time by t.
 * UPM_ERR_NOMEM or UPM_OK. */
upm_status upm_rib_finish(upm_rib *r, int64_t t, upm_error *err);

/* With a hold time, after upm_rib_finish: the upstreams whose appearance
 * (appear 1) or disappearance (0) since a second had not lasted the hold
 * time by the end: neither change nor flap; in time order. */
size_t upm_rib_pending_n(const upm_rib *r);
int upm_rib_pending_at(const upm_rib *r, size_t i, uint32_t *asn,
    int *appear, int64_t *since);

/* Changes and flaps so far, in time order; borrowed. */
size_t upm_rib_changes(const upm_rib *r);
const upm_rib_change *upm_rib_change_at(const upm_rib *r, size_t i);

/* The starting point's snapshot (after upm_rib_rebase or the first
 * second); NULL before.  Borrowed. */
const upm_result *upm_rib_start(const upm_rib *r);
int64_t upm_rib_start_time(const upm_rib *r);

/* The counts as they stand: routes held, events taken. */
size_t upm_rib_routes(const upm_rib *r);
uint64_t upm_rib_events(const upm_rib *r);

/* The present set as the incremental counts have it now. */
upm_status upm_rib_present(const upm_rib *r, upm_asn_list *out,
    upm_error *err);

/* The table as it stands, as a full computation (every route through
 * upm_compute_add; tracked prefixes and every rule of the computation):
 * what a live answer with the same routes gives.  *out caller owns;
 * UPM_ERR_NODATA for an empty table. */
upm_status upm_rib_result(const upm_rib *r, upm_result **out,
    upm_error *err);

/* The incremental counts as a result (upstreams with observations,
 * sessions, prefixes, share, present), without recounting the table.
 * *out caller owns; UPM_ERR_NODATA for an empty table. */
upm_status upm_rib_snapshot(const upm_rib *r, upm_result **out,
    upm_error *err);

/* ======================================================= history by events */

/* One day per request: RIPEstat documents no longest window for bgplay
 * (its default is 8 h); a day keeps an answer bounded and 3 days at 3
 * requests. */
#define UPM_EVENTS_CHUNK_S 86400
/* Longest range by events: a request a day, so at most this many
 * requests (RIPEstat asks to be told past 1,000 a day). */
#define UPM_EVENTS_MAX_DAYS 62
/* Most prefixes asked in one request (one resource list, one URL). */
#define UPM_EVENTS_MAX_PREFIXES 256

typedef struct {
	size_t requests;        /* requests made, announced-prefixes included */
	size_t prefixes;        /* prefixes the target announced in the window */
	uint64_t records;       /* the target's routes and updates read */
	int control_asked;      /* the target had none: the control was asked */
	size_t control_sessions; /* sessions that announced the control */
	uint64_t control_records;
	/* Days (their window's start) whose answer held no route and no
	 * update of the target although an earlier day's did: no data, or
	 * an outage going on (the table tells which). */
	size_t empty_days;
	int64_t empty_day[UPM_EVENTS_MAX_DAYS];
} upm_events_stats;

/* History by events (q->asn, one AS): the prefixes it announced between
 * from and until (announced-prefixes with starttime/endtime; or
 * q->prefixes when given), then
 * ripestat-bgplay for all of them at once, one day per request, one request
 * at a time: each day's initial state and every update to sink
 * (ev->initial marks the initial routes; a later day's repeat the table,
 * or fill it where the day before had nothing), in time order.
 *
 * Without a single route or update of the target, the control prefix
 * (q->control_prefix, default UPM_CONTROL_PREFIX) is asked for the same
 * window: with none either, UPM_ERR_NODATA "no BGP events kept for that
 * time" naming the archive route (--mrt); with some, UPM_OK and
 * stats->control_sessions > 0 (the target was not announced: an outage
 * all along).  Errors of a request name it. */
upm_status upm_query_events(upm_fetcher *f, const upm_query_opts *q,
    int64_t from, int64_t until, const upm_sink *sink,
    upm_events_stats *stats, upm_error *err);

#endif
