/*
 * walk.c - check_upstreams' history mode (--from/--until[/--step]): by
 * events (bgplay into the routing table, the default), or with -s
 * ripestat-bgp-state one snapshot per step, one request at a time; both,
 * and --mrt's archives, through one emitter (history.c).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "history.h"
#include "rib.h"

/* The history mode's rules: --from and --until (--step for samples), and
 * nothing that only makes sense for one instant.  By events (bgplay) unless
 * -s ripestat-bgp-state asks for snapshots, which need --step. */
int
ck_history_config_check(struct config *c, upm_error *err)
{
	int any = c->from || c->until || c->step;

	if (c->n_mrt > 0)
		return ck_mrt_config_check(c, err);
	if (!any) {
		if (c->hold)
			return upm_fail(err, UPM_ERR_ARG, "--hold goes with "
			    "--from/--until or --mrt"), -1;
		if (c->format == FMT_GRAPHITE || c->graphite_prefix || c->name)
			return upm_fail(err, UPM_ERR_ARG, "-f graphite, "
			    "--graphite-prefix and --name go with --from/--until/"
			    "--step"), -1;
		return 0;
	}
	if (!c->from || !c->until)
		return upm_fail(err, UPM_ERR_ARG,
		    "history needs --from and --until (and --step for samples "
		    "between the change points)"), -1;
	c->events = c->q.n_sources == 0 && (!c->source_given ||
	    c->q.source == UPM_SRC_BGPLAY);
	if (!c->events && (c->q.source != UPM_SRC_BGP_STATE ||
	    c->q.n_sources > 0))
		return upm_fail(err, UPM_ERR_ARG, "history goes with -s "
		    "ripestat-bgplay (events, the default) or -s "
		    "ripestat-bgp-state --step (snapshots)"), -1;
	if (!c->events && !c->step)
		return upm_fail(err, UPM_ERR_ARG, "-s ripestat-bgp-state history "
		    "needs --step: one snapshot per step"), -1;
	if (!c->events && c->hold)
		return upm_fail(err, UPM_ERR_ARG, "--hold goes with events "
		    "(the default history, --mrt), not with snapshots"), -1;
	if (c->q.country || c->q.n_extra_asns || c->q.n_extra_prefixes ||
	    c->n_expect_prefix || (c->q.n_prefixes && !c->events))
		return upm_fail(err, UPM_ERR_ARG, "history goes with one AS: "
		    "not with --country, --extra-* or --expect-prefix (--prefix "
		    "only by events)"), -1;
	if (c->q.at || c->have_expect || c->state_file || c->have_warn ||
	    c->have_crit)
		return upm_fail(err, UPM_ERR_ARG, "--at, --expect, --state-file, "
		    "-w and -c do not go with --from/--until/--step"), -1;
	if (c->until_t < c->from_t)
		return upm_fail(err, UPM_ERR_ARG, "--until is before --from"), -1;
	if (c->events && (c->until_t - c->from_t) / UPM_EVENTS_CHUNK_S >=
	    UPM_EVENTS_MAX_DAYS)
		return upm_fail(err, UPM_ERR_ARG, "%lld days: more than %d by "
		    "events (a request a day); use a shorter range, --mrt, or "
		    "-s ripestat-bgp-state --step", (long long)((c->until_t -
		    c->from_t) / UPM_EVENTS_CHUNK_S + 1), UPM_EVENTS_MAX_DAYS),
		    -1;
	if (!c->step)
		return 0;
	return history_count_steps(c->from_t, c->until_t, c->step_s,
	    HISTORY_MAX_STEPS, &c->n_steps, err) == UPM_OK ? 0 : -1;
}

/* A history that could not be completed: UNKNOWN, in the format asked for
 * (Graphite output gets nothing on stdout, the reason on stderr). */
static int
history_unknown(const struct config *c, const char *target,
    const upm_error *err)
{
	json_t *o;
	char *text;

	if (c->format == FMT_GRAPHITE) {
		fprintf(stderr, "%s: %s: %s\n", PROGNAME,
		    upm_status_name(err->code), err->text);
		return UPM_STATE_UNKNOWN;
	}
	if (c->format == FMT_JSON) {
		o = json_pack("{s:s, s:s, s:s}", "target", target, "state",
		    "UNKNOWN", "message", err->text);
		text = o ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		if (text != NULL) {
			printf("%s\n", text);
			free(text);
			return UPM_STATE_UNKNOWN;
		}
	}
	printf("UPSTREAMS UNKNOWN - %s: %s\n", upm_status_name(err->code),
	    err->text);
	return UPM_STATE_UNKNOWN;
}

/* The live check's --min-peers rule (upm_result_check's), for each point of
 * a history: too few vantage ASes see the target for any upstream to be
 * present, so "no upstream present" would be false.  UNKNOWN, naming when. */
static upm_status
history_quality(const struct config *c, int64_t t, const upm_result *r,
    upm_error *err)
{
	char at[32];

	if (r == NULL || r->with_upstream == 0 || r->vantage_ases == 0 ||
	    r->vantage_ases >= c->q.params.min_peers)
		return UPM_OK;
	if (upm_time_format(t, at, sizeof(at)) != UPM_OK)
		at[0] = '\0';
	return upm_fail(err, UPM_ERR_QUALITY, "at %sZ only %zu vantage AS%s "
	    "see%s AS%lu, fewer than --min-peers %zu: no upstream can be "
	    "present", at, r->vantage_ases, r->vantage_ases == 1 ? "" : "es",
	    r->vantage_ases == 1 ? "s" : "", (unsigned long)c->q.asn,
	    c->q.params.min_peers);
}

/* One step: the result at t, or NULL when there was no data at all (no
 * routes: an outage, which the history counts as an empty set). */
static upm_status
history_step(struct config *c, upm_fetcher *f, int64_t t, upm_result **r,
    upm_error *err)
{
	char at[32];
	upm_status st;

	if (upm_time_format(t, at, sizeof(at)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "time %lld out of range",
		    (long long)t);
	c->q.at = at;
	/* The -t backstop, per request: a walk has many. */
	alarm((unsigned)c->timeout);
	st = upm_query(f, &c->q, r, err);
	alarm(0);
	c->q.at = NULL;
	if (st == UPM_ERR_NODATA) {
		*r = NULL;
		return UPM_OK;
	}
	if (st != UPM_OK) {
		char why[UPM_ERROR_TEXT];

		(void)snprintf(why, sizeof(why), "%s", err->text);
		upm_fail(err, st, "at %sZ: %s", at, why);
	}
	return st;
}

/* Walks the steps, one request at a time (pacing: never more than one in
 * flight), into h. */
static upm_status
history_walk(struct config *c, upm_fetcher *f, history *h, upm_error *err)
{
	int progress = isatty(STDERR_FILENO);
	upm_result *r;
	upm_status st = UPM_OK;
	size_t i;

	for (i = 0; i < c->n_steps && st == UPM_OK; i++) {
		int64_t t = c->from_t + (int64_t)i * c->step_s;

		if ((st = history_step(c, f, t, &r, err)) != UPM_OK)
			break;
		if ((st = history_quality(c, t, r, err)) == UPM_OK)
			st = history_add(h, t, r, err);
		upm_result_free(r);
		if (progress)
			fprintf(stderr, "\rstep %zu/%zu", i + 1, c->n_steps);
	}
	if (progress)
		fputc('\n', stderr);
	if (st == UPM_OK && history_steps_no_data(h) == history_steps(h))
		st = upm_fail(err, UPM_ERR_NODATA, "no data at any step: no "
		    "routes seen, or no data kept for that time");
	return st;
}

/* ------------------------------------------------ from a routing table */

/* What a sample or a change shows when the table holds no route. */
static upm_result *
no_route(size_t control_sessions)
{
	upm_result *r = calloc(1, sizeof(*r));

	if (r != NULL) {
		upm_asn_list_init(&r->appeared);
		upm_asn_list_init(&r->disappeared);
		r->outage = 1;
		r->control_sessions = control_sessions;
	}
	return r;
}

static void
tell_flap(const upm_rib_change *ch)
{
	char a[32], b[32];
	int appear = ch->appeared.n > 0;
	const upm_asn_list *l = appear ? &ch->appeared : &ch->disappeared;

	if (l->n > 0 && upm_time_format(ch->time, a, sizeof(a)) == UPM_OK &&
	    upm_time_format(ch->until, b, sizeof(b)) == UPM_OK)
		fprintf(stderr, "%s: flap from %sZ to %sZ: AS%lu %s, undone "
		    "within the hold time\n", PROGNAME, a, b,
		    (unsigned long)l->v[0], appear ? "appeared" : "disappeared");
}

/* --hold: the upstreams whose change had not lasted the hold time by the
 * end, neither change nor flap: on stderr and in JSON. */
static upm_status
tell_pending(const struct config *c, const struct upm_rib *rib, history *h,
    upm_error *err)
{
	for (size_t i = 0; i < upm_rib_pending_n(rib); i++) {
		uint32_t asn;
		int appear;
		int64_t since;
		char a[32];
		upm_status st;

		if (upm_rib_pending_at(rib, i, &asn, &appear, &since) != 0 ||
		    since > c->until_t)
			continue;
		if (upm_time_format(since, a, sizeof(a)) != UPM_OK)
			a[0] = '\0';
		fprintf(stderr, "%s: pending at the end: AS%lu %s at %sZ, not "
		    "yet lasted the hold time of %lld s\n", PROGNAME,
		    (unsigned long)asn, appear ? "appeared" : "disappeared", a,
		    (long long)c->hold_s);
		if ((st = history_add_pending(h, asn, appear, since, err)) !=
		    UPM_OK)
			return st;
	}
	return UPM_OK;
}

upm_status
ck_rib_history(const struct config *c, const struct upm_rib *rib,
    const struct ck_sample *samples, size_t n_samples, history *h,
    size_t *flaps, upm_error *err)
{
	const upm_result *start = upm_rib_start(rib);
	int64_t t0 = upm_rib_start_time(rib), first;
	size_t i, k = 0, n = upm_rib_changes(rib);
	upm_result *none = NULL;
	upm_status st;

	*flaps = 0;
	/* Changes up to --from make the starting point. */
	for (i = 0; i < n; i++) {
		const upm_rib_change *ch = upm_rib_change_at(rib, i);
		if (ch->time > c->from_t)
			break;
		if (!ch->flap)
			start = ch->snapshot;
	}
	first = t0 > c->from_t ? t0 : c->from_t;
	if ((st = history_quality(c, first, start, err)) != UPM_OK ||
	    (st = history_add(h, first, start, err)) != UPM_OK)
		return st;
	while (k < n_samples && samples[k].time <= first)
		k++;
	/* Then change points and samples in time order; a sample at a
	 * change's second is that change. */
	for (;;) {
		const upm_rib_change *ch = i < n ? upm_rib_change_at(rib, i) :
		    NULL;

		if (ch != NULL && ch->time > c->until_t)
			ch = NULL;
		if (ch != NULL && ch->flap) {
			(*flaps)++;
			tell_flap(ch);
			i++;
			continue;
		}
		if (k < n_samples && (ch == NULL || samples[k].time < ch->time)) {
			if ((st = history_quality(c, samples[k].time,
			    samples[k].result, err)) != UPM_OK ||
			    (st = history_add_sample(h, samples[k].time,
			    samples[k].result, err)) != UPM_OK)
				return st;
			k++;
			continue;
		}
		if (ch == NULL)
			break;
		while (k < n_samples && samples[k].time == ch->time)
			k++;
		/* A table without a route: the target's outage (the events
		 * are there, so it is no lack of data). */
		if (ch->snapshot == NULL && (none = no_route(0)) == NULL)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		st = history_quality(c, ch->time, ch->snapshot, err);
		if (st == UPM_OK)
			st = history_add(h, ch->time, ch->snapshot ?
			    ch->snapshot : none, err);
		upm_result_free(none);
		none = NULL;
		if (st != UPM_OK)
			return st;
		i++;
	}
	return tell_pending(c, rib, h, err);
}

/* --step with events: the table sampled every step as the events pass,
 * before the first event after each step's time. */
struct sampler {
	upm_rib *rib;
	int64_t from, step;
	size_t n, next;
	struct ck_sample *v;
	int failed;
};

static int
take_sample(struct sampler *s)
{
	upm_result *r = NULL;
	upm_error err;
	upm_status st = upm_rib_snapshot(s->rib, &r, &err);

	if (st == UPM_ERR_NODATA)
		r = no_route(0);
	if ((st != UPM_OK && st != UPM_ERR_NODATA) || r == NULL) {
		s->failed = 1;
		return -1;
	}
	s->v[s->next].time = s->from + (int64_t)s->next * s->step;
	s->v[s->next].result = r;
	s->next++;
	return 0;
}

static int
sample_event(void *ctx, const upm_event *ev)
{
	struct sampler *s = ctx;

	while (s->next < s->n &&
	    s->from + (int64_t)s->next * s->step < ev->time)
		if (take_sample(s) != 0)
			return -1;
	return upm_rib_sink_event(s->rib, ev);
}

/* Did the table hold routes just before t (its state from the changes
 * before t, or at its start)? */
static int
routes_before(const upm_rib *rib, int64_t t)
{
	const upm_result *r = upm_rib_start(rib);
	size_t n = upm_rib_changes(rib);

	if (upm_rib_start_time(rib) >= t)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const upm_rib_change *ch = upm_rib_change_at(rib, i);

		if (ch->time >= t)
			break;
		if (!ch->flap)
			r = ch->snapshot;
	}
	return r != NULL;
}

/* A day whose answer held nothing of the target while the table held
 * routes when it began: no data for that day (an outage would have come as
 * withdrawals the day before).  What changed in it is unknown: the next
 * day's routes would be stamped at its midnight as if an event had caused
 * them.  UNKNOWN, the gap named.  (An empty day in an outage going on is
 * consistent, and one before any data is RIPEstat's retention beginning
 * inside the range: the history starts with the first day's routes.) */
static upm_status
check_gaps(const struct config *c, const upm_rib *rib,
    const upm_events_stats *stats, upm_error *err)
{
	for (size_t i = 0; i < stats->empty_days; i++) {
		int64_t t = stats->empty_day[i], end;
		char a[32], b[32];

		if (!routes_before(rib, t))
			continue;
		end = c->until_t - t > UPM_EVENTS_CHUNK_S ?
		    t + UPM_EVENTS_CHUNK_S : c->until_t;
		if (upm_time_format(t, a, sizeof(a)) != UPM_OK ||
		    upm_time_format(end, b, sizeof(b)) != UPM_OK)
			a[0] = b[0] = '\0';
		return upm_fail(err, UPM_ERR_NODATA, "no BGP data from %sZ until "
		    "%sZ (bgplay's answer held no route and no update of the "
		    "target, which had routes before): what changed then is "
		    "unknown; ask a range around the gap, or read RIS archive "
		    "files (--mrt)", a, b);
	}
	return UPM_OK;
}

/* --from/--until by events: bgplay into the table, one request at a time;
 * its change points (and --step's samples) through the one emitter. */
static int
run_events(struct config *c, const char *target)
{
	struct sampler smp;
	upm_events_stats stats;
	upm_asn_list origins;
	upm_fetcher *f = NULL;
	upm_rib *rib = NULL;
	upm_result *outage = NULL;
	history *h = NULL;
	upm_error err;
	upm_sink sink;
	size_t flaps = 0, days;
	int rc = UPM_STATE_UNKNOWN;

	memset(&err, 0, sizeof(err));
	memset(&smp, 0, sizeof(smp));
	upm_asn_list_init(&origins);
	days = (size_t)((c->until_t - c->from_t) / UPM_EVENTS_CHUNK_S) + 1;
	ck_prepare_fetch(c);
	if (upm_asn_list_add(&origins, c->q.asn) != UPM_OK ||
	    upm_global_init(&err) != UPM_OK ||
	    (f = upm_fetcher_new(&c->fetch, &err)) == NULL ||
	    (rib = upm_rib_new(&origins, &c->q.params, c->hold_s, &err)) ==
	    NULL)
		goto fail;
	smp.rib = rib;
	smp.from = c->from_t;
	smp.step = c->step_s;
	smp.n = c->step ? c->n_steps : 0;
	if (smp.n > 0 && (smp.v = calloc(smp.n, sizeof(*smp.v))) == NULL) {
		upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
		goto fail;
	}
	sink.event = sample_event;
	sink.neighbour = NULL;
	sink.ctx = &smp;
	/* The -t backstop per request, as a walk of steps has it. */
	alarm((unsigned)(c->timeout * (long)(days + 2)));
	if (upm_query_events(f, &c->q, c->from_t, c->until_t, &sink, &stats,
	    &err) != UPM_OK) {
		alarm(0);
		if (smp.failed)
			upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
		goto fail;
	}
	alarm(0);
	if (upm_rib_finish(rib, c->until_t, &err) != UPM_OK ||
	    check_gaps(c, rib, &stats, &err) != UPM_OK)
		goto fail;
	while (smp.next < smp.n)
		if (take_sample(&smp) != 0) {
			upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
			goto fail;
		}
	if (c->verbose)
		fprintf(stderr, "%s: %zu requests, %zu prefixes, %llu routes "
		    "and updates, %zu routes held at the end\n", PROGNAME,
		    stats.requests, stats.prefixes,
		    (unsigned long long)stats.records, upm_rib_routes(rib));
	if ((h = history_new(target, c->from_t, c->until_t, c->step ?
	    c->step_s : 0, &err)) == NULL)
		goto fail;
	if (stats.records == 0) {
		/* Not announced while the control was: an outage all along. */
		if ((outage = no_route(stats.control_sessions)) == NULL) {
			upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
			goto fail;
		}
		if (history_add(h, c->from_t, outage, &err) != UPM_OK)
			goto fail;
		for (size_t i = 0; i < smp.n; i++)
			if (smp.v[i].time > c->from_t &&
			    history_add_sample(h, smp.v[i].time, outage,
			    &err) != UPM_OK)
				goto fail;
	} else if (ck_rib_history(c, rib, smp.v, smp.next, h, &flaps,
	    &err) != UPM_OK)
		goto fail;
	rc = ck_history_emit(c, h, target);
	goto out;
fail:
	if (err.text[0] == '\0')
		upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
	rc = history_unknown(c, target, &err);
out:
	for (size_t i = 0; i < smp.next; i++)
		upm_result_free(smp.v[i].result);
	free(smp.v);
	upm_result_free(outage);
	history_free(h);
	upm_rib_free(rib);
	upm_fetcher_free(f);
	upm_asn_list_free(&origins);
	return rc;
}

/* The history in the format asked for, on stdout; the exit status. */
int
ck_history_emit(const struct config *c, const history *h, const char *target)
{
	upm_buf out;
	upm_status st;

	upm_buf_init(&out);
	if (c->format == FMT_JSON)
		st = history_render_json(h, &out);
	else if (c->format == FMT_GRAPHITE)
		st = history_render_graphite(h, c->graphite_prefix ?
		    c->graphite_prefix : DEFAULT_GRAPHITE_PREFIX,
		    c->name ? c->name : target, &out);
	else if (c->format == FMT_TEXT)
		st = history_render_text(h, &out);
	else
		st = history_render_nagios(h, &out);
	if (st != UPM_OK) {
		upm_error err;

		upm_buf_free(&out);
		upm_fail(&err, st, "cannot format the output");
		return history_unknown(c, target, &err);
	}
	fputs(out.data ? out.data : "", stdout);
	upm_buf_free(&out);
	return (int)history_state(h);
}

/* --from/--until/--step: the change points of the present set. */
int
ck_run_history(struct config *c)
{
	upm_fetcher *f = NULL;
	history *h = NULL;
	upm_error err;
	char target[32];
	int rc;

	memset(&err, 0, sizeof(err));
	(void)snprintf(target, sizeof(target), "AS%lu", (unsigned long)c->q.asn);
	if (c->events)
		return run_events(c, target);
	ck_prepare_fetch(c);
	if (upm_global_init(&err) != UPM_OK ||
	    (f = upm_fetcher_new(&c->fetch, &err)) == NULL ||
	    (h = history_new(target, c->from_t, c->until_t, c->step_s,
	    &err)) == NULL ||
	    history_walk(c, f, h, &err) != UPM_OK)
		rc = history_unknown(c, target, &err);
	else
		rc = ck_history_emit(c, h, target);
	history_free(h);
	upm_fetcher_free(f);
	return rc;
}

