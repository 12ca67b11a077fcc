/*
 * history.h - the check's history mode (--from/--until/--step): walk time,
 * find the change points of the present set, report them.
 *
 * Pure: the caller queries each step and hands the result in; this module
 * keeps what it needs, finds the changes and renders them.  No network, no
 * clock, no printing.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "upstreams.h"

/* Most steps one walk may take: a walk is that many requests. */
#define HISTORY_MAX_STEPS 10000
/* Longest duration accepted (for --step): 3650 days. */
#define HISTORY_MAX_DURATION ((int64_t)3650 * 86400)

typedef struct history history;

/* "30s", "15m", "1h", "2d" or plain seconds ("90") into seconds: digits,
 * then at most one unit letter; no sign, no blanks, no zero, nothing longer
 * than HISTORY_MAX_DURATION. */
upm_status history_duration_parse(const char *s, int64_t *out, upm_error *err);

/* Number of steps from, from + step, ... up to and including until:
 * (until - from) / step + 1.  UPM_ERR_ARG when until < from, step <= 0, or
 * the count exceeds max (the error says how many it would be). */
upm_status history_count_steps(int64_t from, int64_t until, int64_t step,
    size_t max, size_t *n, upm_error *err);

/* 1 when s is usable as one Graphite path element ([A-Za-z0-9_-]+, at most
 * 63 characters); with dots 1, a dotted path of such elements. */
int history_name_ok(const char *s, int dots);

/* A new, empty walk.  step 0: the steps are a routing table's change
 * points (events: archives, bgplay), not a walk of equal steps.  target
 * ("AS131279") is copied.  Caller owns; NULL
 * with err filled on failure. */
history *history_new(const char *target, int64_t from, int64_t until,
    int64_t step, upm_error *err);
void history_free(history *h); /* NULL ok */

/* Records the step at time t, in increasing time order.  r is the query's
 * result (borrowed; its upstreams and presence are copied), or NULL when the
 * query found no data (no routes at all: an outage), which counts as an
 * empty present set.  A step whose present set differs from the previous
 * step's is a change point; the first step is the starting point, never a
 * change. */
upm_status history_add(history *h, int64_t t, const upm_result *r,
    upm_error *err);

/* A sample between change points found elsewhere (a routing table's):
 * its values count (shares, Graphite lines), its present set is the step
 * before's, so it is never a change point.  The first step is taken as
 * history_add takes it. */
/* --hold: an upstream's appearance (appear 1) or disappearance since a
 * second that had not lasted the hold time by the end (JSON "pending"). */
upm_status history_add_pending(history *h, uint32_t asn, int appear,
    int64_t since, upm_error *err);
upm_status history_add_sample(history *h, int64_t t, const upm_result *r,
    upm_error *err);

size_t history_steps(const history *h);          /* steps recorded */
size_t history_steps_no_data(const history *h);  /* of which without data */
size_t history_changes(const history *h);        /* change points */

/* Change point i (0-based, in time order): its time, and the ASes that
 * appeared / disappeared (borrowed, ascending).  UPM_ERR_ARG past the end. */
upm_status history_change(const history *h, size_t i, int64_t *t,
    const upm_asn_list **appeared, const upm_asn_list **disappeared);

/* The exit state: OK when no change point, CRITICAL when at least one. */
upm_state history_state(const history *h);

/* One JSON object: target, from, until (ISO 8601 UTC), step (seconds),
 * steps, steps_without_data, start {time, no_data, upstreams}, changes [{time,
 * no_data, appeared, disappeared, upstreams [{asn, share}]}], upstreams being
 * the present set after the change; with --hold, when a change had not
 * lasted it by the end, pending [{asn, change ("appeared"/"disappeared"),
 * since}].  Ends with "\n". */
upm_status history_render_json(const history *h, upm_buf *out);

/* Graphite plaintext, one line per metric and step with data:
 *   <prefix>.upstreams-<name>.count-upstreams <n present> <epoch>
 *   <prefix>.upstreams-<name>.percent-AS<n> <share> <epoch>
 * for every upstream seen at any step of the walk (0 at the steps where it
 * was not seen).  Steps without data get no line, as collectd records
 * nothing for a failed read.  prefix may be dotted. */
upm_status history_render_graphite(const history *h, const char *prefix,
    const char *name, upm_buf *out);

/* For people: the starting point and one line per change point. */
upm_status history_render_text(const history *h, upm_buf *out);

/* Nagios: "UPSTREAMS <STATE> - <summary> | changes=..;;;0 steps=..;;;0
 * steps_without_data=..;;;0" then the change lines as long output. */
upm_status history_render_nagios(const history *h, upm_buf *out);

#endif
