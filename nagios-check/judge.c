/*
 * judge.c - one target of check_upstreams: query, baseline, judgement and
 * output.  The baseline policy itself is the library's
 * (upm_baseline_apply).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check.h"

static upm_state
worse(upm_state a, upm_state b)
{
	return b > a ? b : a;
}

/* State and message from a result with a baseline applied; o->reason gets
 * the why of a state other than OK, short: "AS20485 appeared (39.0%)",
 * with the largest share as the summary gives it. */
static void
judge(const struct config *c, const char *state_file, struct outcome *o,
    const upm_buf *note)
{
	const upm_result *r = o->result;
	double n = (double)r->n_present;
	size_t prefix_changes = upm_result_prefix_changes(r);

	o->state = UPM_STATE_OK;
	if (r->appeared.n > 0 || r->disappeared.n > 0 || prefix_changes > 0)
		o->state = UPM_STATE_CRITICAL;
	if (note->len > 0)
		upm_buf_append(&o->message, note->data, note->len);
	upm_render_summary(r, &o->message);
	upm_text_changes(&o->reason, &r->appeared, &r->disappeared, r);
	if (prefix_changes > 0)
		upm_buf_printf(&o->reason, "%s%zu prefix%s changed",
		    o->reason.len ? ", " : "", prefix_changes,
		    prefix_changes == 1 ? "" : "es");
	if (r->disagree[0] != '\0')
		upm_buf_printf(&o->message, "; %s", r->disagree);
	if (r->migrated.n > 0) {
		/* An old state file's neighbours that are lateral now. */
		o->state = worse(o->state, UPM_STATE_WARNING);
		upm_buf_printf(&o->reason, "%s", o->reason.len ? ", " : "");
		upm_text_asns(&o->reason, &r->migrated, NULL, NULL, NULL);
		upm_buf_printf(&o->reason, " left the baseline (lateral "
		    "neighbours now)");
		upm_buf_printf(&o->message, "; ");
		upm_text_asns(&o->message, &r->migrated, NULL, NULL, NULL);
		upm_buf_printf(&o->message, " left the baseline (lateral "
		    "neighbours now)");
	}
	if (c->have_crit && upm_range_alert(&c->crit, n)) {
		o->state = worse(o->state, UPM_STATE_CRITICAL);
		upm_buf_printf(&o->message, "; %zu upstream%s outside critical "
		    "range %s", r->n_present, r->n_present == 1 ? "" : "s",
		    c->crit.text);
		upm_buf_printf(&o->reason, "%s%zu upstream%s outside critical "
		    "range %s", o->reason.len ? ", " : "", r->n_present,
		    r->n_present == 1 ? "" : "s", c->crit.text);
	} else if (c->have_warn && upm_range_alert(&c->warn, n)) {
		o->state = worse(o->state, UPM_STATE_WARNING);
		upm_buf_printf(&o->message, "; %zu upstream%s outside warning "
		    "range %s", r->n_present, r->n_present == 1 ? "" : "s",
		    c->warn.text);
		upm_buf_printf(&o->reason, "%s%zu upstream%s outside warning "
		    "range %s", o->reason.len ? ", " : "", r->n_present,
		    r->n_present == 1 ? "" : "s", c->warn.text);
	}
	if (r->baselined && o->state == UPM_STATE_CRITICAL &&
	    (r->appeared.n > 0 || r->disappeared.n > 0) && state_file)
		upm_buf_printf(&o->message, " (accept with --accept)");
}

/* routing-status as added evidence: "; routing-status: 0 of 344 IPv4 and
 * 0 of 341 IPv6 RIS peers see it". */
static void
visibility_note(const upm_result *r, upm_buf *b)
{
	const upm_visibility *v = &r->visibility;

	if (!v->have)
		return;
	upm_buf_printf(b, "; routing-status: %llu of %llu IPv4 and %llu of "
	    "%llu IPv6 RIS peers see it", (unsigned long long)v->v4_seeing,
	    (unsigned long long)v->v4_total, (unsigned long long)v->v6_seeing,
	    (unsigned long long)v->v6_total);
}

/* No route to the target while the control prefix has routes: CRITICAL
 * when it had upstreams (a baseline, or else routing-status' last_seen:
 * RIS saw it announced), UNKNOWN when nothing says it had. */
static void
judge_outage(const struct config *c, struct outcome *o)
{
	const upm_result *r = o->result;
	const char *control = c->q.control_prefix ? c->q.control_prefix :
	    UPM_CONTROL_PREFIX;
	const char *seen = r->visibility.last_seen;

	o->keep_result = 1;
	if (r->disappeared.n == 0 && seen[0] == '\0') {
		o->state = UPM_STATE_UNKNOWN;
		upm_buf_printf(&o->message, "no route to %s seen by any of %zu "
		    "sessions that see the control %s, and no baseline says it "
		    "had upstreams", r->target, r->control_sessions, control);
		visibility_note(r, &o->message);
		upm_buf_printf(&o->reason, "no route, no baseline");
		return;
	}
	o->state = UPM_STATE_CRITICAL;
	upm_buf_printf(&o->message, "all upstreams disappeared: no route to %s "
	    "seen by any of %zu sessions that see the control %s", r->target,
	    r->control_sessions, control);
	if (r->disappeared.n > 0) {
		upm_buf_printf(&o->message, " (");
		upm_text_asns(&o->message, &r->disappeared, "0%", NULL, NULL);
		upm_buf_printf(&o->message, ")");
		upm_buf_printf(&o->reason, "all upstreams disappeared (");
		upm_text_asns(&o->reason, &r->disappeared, NULL, NULL, NULL);
		upm_buf_printf(&o->reason, ")");
	} else {
		/* No baseline: none of its upstreams is known to name. */
		upm_buf_printf(&o->message, "; routing-status last saw it at %s "
		    "UTC", seen);
		upm_buf_printf(&o->reason, "all upstreams disappeared (last "
		    "seen %s UTC)", seen);
	}
	visibility_note(r, &o->message);
}

void
ck_unknown(struct outcome *o, const upm_error *err)
{
	o->state = UPM_STATE_UNKNOWN;
	upm_buf_free(&o->message);
	upm_buf_printf(&o->message, "%s: %s", upm_status_name(err->code),
	    err->text);
	/* Short: "HTTP 404", else the kind of failure ("network error"). */
	upm_buf_free(&o->reason);
	if (err->code == UPM_ERR_HTTP && strncmp(err->text, "HTTP ", 5) == 0)
		upm_buf_printf(&o->reason, "HTTP %.*s", (int)strcspn(err->text +
		    5, " :;,"), err->text + 5);
	else
		upm_buf_printf(&o->reason, "%s", upm_status_name(err->code));
}

static void
trace_to_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "fetching %s\n", msg);
}

/* -vvv, the Monitoring Plugins' "lots of detail for problem diagnosis":
 * the configuration the check actually runs with. */
void
ck_print_effective_config(const struct config *c)
{
	fprintf(stderr, "config: source %s, ripestat-url %s, sourceapp %s\n",
	    upm_source_name(c->q.source), c->q.ripestat_url != NULL ?
	    c->q.ripestat_url : "https://stat.ripe.net", c->q.sourceapp != NULL ?
	    c->q.sourceapp : "upstreams");
	fprintf(stderr, "config: min-peers %zu, min-share %g, warning %s, "
	    "critical %s\n", c->q.params.min_peers, c->q.params.min_share,
	    c->have_warn ? c->warn.text : "(none)",
	    c->have_crit ? c->crit.text : "(none)");
	fprintf(stderr, "config: control-prefix %s, max-age %s%lld s\n",
	    c->q.control_prefix ? c->q.control_prefix : UPM_CONTROL_PREFIX,
	    c->q.max_age_s == 0 ? "source default " : "",
	    (long long)(c->q.max_age_s == 0 ?
	    upm_source_max_age(c->q.source) : c->q.max_age_s));
	fprintf(stderr, "config: baseline %s%s, timeout %ld s, retries %d, "
	    "max-size %zu, cache %s\n", c->have_expect ? "--expect" :
	    c->state_file != NULL ? "--state-file " : c->state_dir != NULL ?
	    "--state-dir " : "none", c->state_file != NULL ? c->state_file :
	    c->state_dir != NULL ? c->state_dir : "", c->timeout,
	    c->fetch.max_retries, c->fetch.max_bytes != 0 ? c->fetch.max_bytes :
	    UPM_DEFAULT_MAX_BYTES, c->fetch.cache_dir != NULL ?
	    c->fetch.cache_dir : "(none)");
}

/* The state directory is made on first use (0700: baselines are the
 * operator's business); an existing one is left as it is. */
upm_status
ck_make_state_dir(const struct config *c, upm_error *err)
{
	if (c->state_dir == NULL || mkdir(c->state_dir, 0700) == 0 ||
	    errno == EEXIST)
		return UPM_OK;
	return upm_fail(err, UPM_ERR_IO, "cannot create the state directory "
	    "%s: %s", c->state_dir, strerror(errno));
}
/* Data that is UNKNOWN keeps the labels of its baseline (a fixed-layout
 * grapher sees the same series): compared with the baseline there is, but
 * nothing learned, accepted or written. */
static void
compare_read_only(const upm_baseline_opts *b, upm_result *r,
    upm_asn_list *baseline)
{
	upm_baseline_opts ro = *b;
	upm_error ignored;

	ro.accept = 0;
	if (ro.state_file != NULL && access(ro.state_file, F_OK) != 0)
		ro.state_file = NULL;
	if (ro.expect != NULL || ro.state_file != NULL)
		(void)upm_baseline_apply(&ro, r, baseline, NULL, &ignored);
}


/* After the query: the baseline (learned, compared or accepted), the
 * comparison and the judgement. */
void
ck_assess(const struct config *c, const char *state_file, struct outcome *o)
{
	upm_baseline_opts b;
	upm_baseline_origin origin;
	upm_asn_list baseline;
	upm_buf note;
	upm_error err;

	memset(&err, 0, sizeof(err));
	memset(&b, 0, sizeof(b));
	b.expect = c->have_expect ? &c->expect : NULL;
	b.state_file = state_file;
	b.accept = c->accept;
	b.prefixes = c->expect_prefix;
	b.n_prefixes = c->n_expect_prefix;
	upm_asn_list_init(&baseline);
	upm_buf_init(&note);
	/* Stale or garbled data is judged before it can teach a baseline,
	 * and again after the comparison (malformed paths that could hide
	 * a baseline upstream). */
	if (upm_result_check(o->result, &c->q.params, &err) != UPM_OK) {
		ck_unknown(o, &err);
		o->keep_result = 1;
		compare_read_only(&b, o->result, &baseline);
	} else if (upm_baseline_apply(&b, o->result, &baseline, &origin, &err)
	    != UPM_OK)
		ck_unknown(o, &err);
	else if (upm_result_check(o->result, &c->q.params, &err) != UPM_OK) {
		/* Stale or garbled: UNKNOWN, with the figures that say so. */
		ck_unknown(o, &err);
		o->keep_result = 1;
	} else if (o->result->outage)
		judge_outage(c, o);
	else {
		(void)upm_text_baseline_note(&note, origin, &baseline);
		judge(c, state_file, o, &note);
	}
	upm_asn_list_free(&baseline);
	upm_buf_free(&note);
}

/* Leave the last half second of the budget to report, not to wait. */
void
ck_prepare_fetch(struct config *c)
{
	upm_error err;

	c->fetch.timeout_ms = c->timeout * 1000 - 500;
	/* A cache that cannot be used sends every request to the network:
	 * never fatal, but said with -v rather than hidden. */
	memset(&err, 0, sizeof(err));
	if (c->fetch.cache_dir != NULL &&
	    upm_cache_dir_check(c->fetch.cache_dir, &err) != UPM_OK &&
	    c->verbose >= 1)
		fprintf(stderr, "warning: %s; every request goes to the "
		    "network\n", err.text);
	if (c->verbose >= 1)
		c->q.per_prefix = 1;
	if (c->verbose >= 2)
		c->q.trace = trace_to_stderr;
	if (c->verbose >= 3)
		ck_print_effective_config(c);
}

/* The whole check, from configuration to outcome. */
static void
run_check(struct config *c, struct outcome *o)
{
	upm_fetcher *f = NULL;
	upm_error err;

	memset(&err, 0, sizeof(err));
	ck_prepare_fetch(c);
	/* One target: a country's batches of ASNs go --parallel at a time. */
	c->q.parallel = c->parallel ? (size_t)c->parallel : DEFAULT_PARALLEL;
	if (ck_make_state_dir(c, &err) != UPM_OK ||
	    upm_global_init(&err) != UPM_OK ||
	    (f = upm_fetcher_new(&c->fetch, &err)) == NULL ||
	    upm_query(f, &c->q, &o->result, &err) != UPM_OK) {
		ck_unknown(o, &err);
		/* -t SECONDS:STATE: what a timeout is, as check_nrpe has it. */
		if (err.code == UPM_ERR_TIMEOUT)
			o->state = (upm_state)c->timeout_state;
	} else
		ck_assess(c, c->state_file, o);
	upm_fetcher_free(f);
}

/* The report of one target's outcome, for the renderers. */
void
ck_make_report(const struct config *c, const char *target,
    const struct outcome *o, upm_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->state = o->state;
	rep->message = o->message.data ? o->message.data : "";
	rep->result = o->state == UPM_STATE_UNKNOWN && !o->keep_result ? NULL :
	    o->result;
	rep->warn = c->have_warn ? &c->warn : NULL;
	rep->crit = c->have_crit ? &c->crit : NULL;
	rep->target = target;
	rep->source = upm_source_name(c->q.source);
	rep->verbose = c->verbose;
}

/* Prints what st says was rendered into out (freed) and gives state as
 * the exit status; output that could not be made is UNKNOWN instead. */
int
ck_print_output(upm_buf *out, upm_status st, int state)
{
	if (st != UPM_OK) {
		upm_buf_free(out);
		printf("UPSTREAMS UNKNOWN - cannot format the output: %s\n",
		    upm_status_name(st));
		return UPM_STATE_UNKNOWN;
	}
	fputs(out->data ? out->data : "", stdout);
	upm_buf_free(out);
	return state;
}

static upm_status
render(const struct config *c, const upm_report *rep, upm_buf *out)
{
	if (c->format == FMT_JSON)
		return upm_render_json(rep, out);
	if (c->format == FMT_TEXT)
		return upm_render_text(rep, out);
	return upm_render_nagios(rep, out);
}

static int
emit(const struct config *c, const struct outcome *o)
{
	upm_report rep;
	upm_buf out;
	char target[32];
	upm_status st;

	if (c->q.country != NULL)
		(void)snprintf(target, sizeof(target), "%s", c->q.country);
	else
		(void)snprintf(target, sizeof(target), "AS%lu",
		    (unsigned long)c->q.asn);
	ck_make_report(c, target, o, &rep);
	upm_buf_init(&out);
	st = render(c, &rep, &out);
	return ck_print_output(&out, st, (int)o->state);
}

void
ck_outcome_init(struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	upm_buf_init(&o->message);
	upm_buf_init(&o->reason);
}

void
ck_outcome_free(struct outcome *o)
{
	upm_result_free(o->result);
	o->result = NULL;
	upm_buf_free(&o->message);
	upm_buf_free(&o->reason);
}

int
ck_check_one(struct config *c)
{
	struct outcome o;
	int rc;

	ck_outcome_init(&o);
	run_check(c, &o);
	rc = emit(c, &o);
	ck_outcome_free(&o);
	return rc;
}

int
ck_judge_result(struct config *c, upm_result *r, const char *source,
    const upm_error *failed)
{
	struct outcome o;
	upm_report rep;
	upm_buf out;
	char target[32];
	upm_status st;
	int rc;

	ck_outcome_init(&o);
	if (r == NULL)
		ck_unknown(&o, failed);
	else {
		o.result = r;
		ck_assess(c, c->state_file, &o);
	}
	(void)snprintf(target, sizeof(target), "AS%lu", (unsigned long)c->q.asn);
	ck_make_report(c, target, &o, &rep);
	rep.source = source;
	upm_buf_init(&out);
	st = render(c, &rep, &out);
	rc = ck_print_output(&out, st, (int)o.state);
	ck_outcome_free(&o);
	return rc;
}
