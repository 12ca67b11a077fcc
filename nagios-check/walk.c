/*
 * walk.c - check_upstreams' history mode (--from/--until/--step): one
 * query per step, one at a time, into history.c, then its report.
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

/* The history mode's rules: all of --from/--until/--step or none, and
 * nothing that only makes sense for one instant. */
int
ck_history_config_check(struct config *c, upm_error *err)
{
	int any = c->from || c->until || c->step;

	if (c->n_mrt > 0 || c->hold)
		return ck_mrt_config_check(c, err);
	if (!any) {
		if (c->format == FMT_GRAPHITE || c->graphite_prefix || c->name)
			return upm_fail(err, UPM_ERR_ARG, "-f graphite, "
			    "--graphite-prefix and --name go with --from/--until/"
			    "--step"), -1;
		return 0;
	}
	if (!c->from || !c->until || !c->step)
		return upm_fail(err, UPM_ERR_ARG,
		    "history needs all of --from, --until and --step"), -1;
	if (c->q.source != UPM_SRC_BGP_STATE || c->q.n_sources > 0)
		return upm_fail(err, UPM_ERR_ARG,
		    "history goes with -s ripestat-bgp-state"), -1;
	if (c->q.country || c->q.n_extra_asns || c->q.n_extra_prefixes ||
	    c->n_expect_prefix)
		return upm_fail(err, UPM_ERR_ARG, "history goes with one AS: "
		    "not with --country, --extra-* or --expect-prefix"), -1;
	if (c->q.at || c->have_expect || c->state_file || c->have_warn ||
	    c->have_crit)
		return upm_fail(err, UPM_ERR_ARG, "--at, --expect, --state-file, "
		    "-w and -c do not go with --from/--until/--step"), -1;
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

