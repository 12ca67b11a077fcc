/*
 * targets.c - several targets in one run of check_upstreams (-a ASN,ASN...):
 * one batch of queries, each target judged alone, one report.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"

/*
 * Several targets run as one batch: at most --parallel requests at a time,
 * one fetcher per worker, all sharing --cache-dir.  Each target is then
 * judged alone, exactly as a single check would judge it, with its own
 * state file under --state-dir.  The run's state is the worst of theirs in
 * the Monitoring Plugins order CRITICAL > WARNING > UNKNOWN > OK: a target
 * that could not be read makes the run UNKNOWN rather than hide among OK
 * ones, but never masks a real change elsewhere, and is never CRITICAL.
 */

/* One of several targets. */
struct target {
	uint32_t asn;
	char name[16];          /* "AS131279" */
	char *state_file;       /* under --state-dir, or NULL */
	struct outcome o;
};

/* --state-dir, and what several targets leave out: a baseline given by
 * hand and the modes that belong to one target (kept simple). */
int
ck_targets_config_check(struct config *c, upm_error *err)
{
	upm_buf path;

	if (c->state_dir != NULL && c->state_file != NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "use either --state-file or --state-dir, not both"), -1;
	if (c->state_dir != NULL && c->have_expect)
		return upm_fail(err, UPM_ERR_ARG,
		    "use either --expect or --state-dir, not both"), -1;
	if (c->n_asns > 1) {
		if (c->have_expect)
			return upm_fail(err, UPM_ERR_ARG, "--expect is the "
			    "baseline of one target: with several targets use "
			    "--state-dir"), -1;
		if (c->state_file != NULL)
			return upm_fail(err, UPM_ERR_ARG, "--state-file holds "
			    "the baseline of one target: with several targets "
			    "use --state-dir"), -1;
		if (c->from || c->until || c->step)
			return upm_fail(err, UPM_ERR_ARG, "history (--from/"
			    "--until/--step) goes with one target"), -1;
		if (c->q.n_sources > 0 || c->q.n_prefixes > 0 ||
		    c->q.n_extra_asns > 0 || c->q.n_extra_prefixes > 0 ||
		    c->n_expect_prefix > 0)
			return upm_fail(err, UPM_ERR_ARG, "several sources, "
			    "--prefix, --extra-asn, --extra-prefix and "
			    "--expect-prefix go with one target"), -1;
		return 0;
	}
	if (c->state_dir == NULL)
		return 0;
	/* One target: --state-dir is --state-file with the name made up. */
	upm_buf_init(&path);
	if (c->q.country != NULL)
		upm_buf_printf(&path, "%s/%s.state", c->state_dir, c->q.country);
	else
		upm_buf_printf(&path, "%s/AS%lu.state", c->state_dir,
		    (unsigned long)c->q.asn);
	if (path.data == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	c->state_dir_file = upm_buf_steal(&path);
	c->state_file = c->state_dir_file;
	return 0;
}

static int
state_rank(upm_state s)
{
	switch (s) {
	case UPM_STATE_CRITICAL:
		return 3;
	case UPM_STATE_WARNING:
		return 2;
	case UPM_STATE_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

static upm_state
overall_state(const struct target *t, size_t n)
{
	upm_state s = UPM_STATE_OK;

	for (size_t i = 0; i < n; i++)
		if (state_rank(t[i].o.state) > state_rank(s))
			s = t[i].o.state;
	return s;
}

static void
targets_free(struct target *t, size_t n)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].state_file);
		ck_outcome_free(&t[i].o);
	}
	free(t);
}

static struct target *
targets_new(const struct config *c, upm_error *err)
{
	struct target *t;
	upm_buf path;

	if ((t = calloc(c->n_asns, sizeof(*t))) == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < c->n_asns; i++) {
		t[i].asn = c->asns[i];
		(void)snprintf(t[i].name, sizeof(t[i].name), "AS%lu",
		    (unsigned long)t[i].asn);
		ck_outcome_init(&t[i].o);
		if (c->state_dir == NULL)
			continue;
		upm_buf_init(&path);
		upm_buf_printf(&path, "%s/%s.state", c->state_dir, t[i].name);
		if ((t[i].state_file = upm_buf_steal(&path)) == NULL) {
			targets_free(t, c->n_asns);
			(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
			return NULL;
		}
	}
	return t;
}

/* The fetch's stop callback: the run's deadline has passed (read-only
 * after the batch starts, so safe from every worker). */
static int
past_deadline(void *ctx)
{
	return upm_clock_ms() >= *(const long long *)ctx;
}

/* Queries every target through one batch, then judges each. */
static void
run_targets(struct config *c, struct target *t, size_t n)
{
	upm_batch *b = NULL;
	upm_query_opts q;
	upm_error err;
	upm_status st = UPM_OK;

	memset(&err, 0, sizeof(err));
	ck_prepare_fetch(c);
	if (c->deadline_ms > 0) {
		c->fetch.stop = past_deadline;
		c->fetch.stop_ctx = &c->deadline_ms;
	}
	if (ck_make_state_dir(c, &err) != UPM_OK ||
	    upm_global_init(&err) != UPM_OK ||
	    (b = upm_batch_new(&c->fetch, c->parallel ? (size_t)c->parallel :
	    DEFAULT_PARALLEL, &err)) == NULL)
		st = err.code;
	for (size_t i = 0; st == UPM_OK && i < n; i++) {
		q = c->q;
		q.asn = t[i].asn;
		if (upm_batch_add(b, &q) != i)
			st = upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
	}
	if (st == UPM_OK)
		st = upm_batch_run(b);
	for (size_t i = 0; i < n; i++) {
		upm_error terr = err;

		if (st != UPM_OK || upm_batch_result(b, i, &t[i].o.result,
		    &terr) != UPM_OK) {
			/* Stopped at the deadline (a stopped request reads
			 * as aborted or out of memory): timed out. */
			if (c->deadline_ms > 0 && (terr.code == UPM_ERR_ABORTED ||
			    terr.code == UPM_ERR_NOMEM ||
			    terr.code == UPM_ERR_TIMEOUT) &&
			    upm_clock_ms() >= c->deadline_ms)
				(void)upm_fail(&terr, UPM_ERR_TIMEOUT, "not "
				    "finished within the -t budget (%ld s)",
				    c->timeout);
			ck_unknown(&t[i].o, &terr);
			/* -t SECONDS:STATE: a target that timed out. */
			if (terr.code == UPM_ERR_TIMEOUT)
				t[i].o.state = (upm_state)c->timeout_state;
		} else
			ck_assess(c, t[i].state_file, &t[i].o);
	}
	upm_batch_free(b);
}

/* Nagios perfdata of one target with every label prefixed by its name:
 * "upstreams=2;;;0 'AS4837'=58.54%;;;0;100" becomes
 * "'AS131279 upstreams'=2;;;0 'AS131279 AS4837'=58.54%;;;0;100".  The
 * renderer's labels hold no blank, quote or '='. */
static void
prefix_perfdata(const char *name, const char *perf, size_t len, upm_buf *out)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end, eq;

		while (i < len && perf[i] == ' ')
			i++;
		start = i;
		while (i < len && perf[i] != ' ')
			i++;
		end = i;
		for (eq = start; eq < end && perf[eq] != '='; eq++)
			;
		if (eq == end || eq == start)
			continue;
		if (perf[start] == '\'' && eq - start >= 2 && perf[eq - 1] == '\'')
			upm_buf_printf(out, " '%s %.*s'%.*s", name,
			    (int)(eq - start - 2), perf + start + 1,
			    (int)(end - eq), perf + eq);
		else
			upm_buf_printf(out, " '%s %.*s'%.*s", name,
			    (int)(eq - start), perf + start,
			    (int)(end - eq), perf + eq);
	}
}

/* The reason as it may stand on the status line: no '|' (perfdata would
 * start there) and no control characters. */
static void
put_reason(upm_buf *out, const upm_buf *reason)
{
	for (size_t i = 0; i < reason->len; i++) {
		char ch = reason->data[i];

		if (ch == '|')
			ch = '/';
		else if ((unsigned char)ch < 0x20 || ch == 0x7f)
			ch = ' ';
		upm_buf_append(out, &ch, 1);
	}
}

/* "3 targets: AS131279 CRITICAL (AS20485 appeared (39.0%)), AS1205 OK" */
static void
targets_summary(const struct target *t, size_t n, upm_buf *out)
{
	upm_buf_printf(out, "%zu targets: ", n);
	for (size_t i = 0; i < n; i++) {
		upm_buf_printf(out, "%s%s %s", i ? ", " : "", t[i].name,
		    upm_state_name(t[i].o.state));
		if (t[i].o.state != UPM_STATE_OK && t[i].o.reason.len > 0) {
			upm_buf_printf(out, " (");
			put_reason(out, &t[i].o.reason);
			upm_buf_printf(out, ")");
		}
	}
}

/* One target's Nagios rendering split into the run's perfdata and the
 * long output: its status line (named, without perfdata), then its own
 * long output indented. */
static upm_status
nagios_target(const struct config *c, const struct target *t,
    upm_buf *perf, upm_buf *longout)
{
	upm_report rep;
	upm_buf one;
	const char *line, *nl, *bar, *end, *p;
	upm_status st;

	ck_make_report(c, t->name, &t->o, &rep);
	upm_buf_init(&one);
	if ((st = upm_render_nagios(&rep, &one)) != UPM_OK || one.data == NULL) {
		upm_buf_free(&one);
		return st != UPM_OK ? st : UPM_ERR_NOMEM;
	}
	line = one.data;
	if (strncmp(line, "UPSTREAMS ", 10) == 0)
		line += 10;
	nl = line + strcspn(line, "\n");
	/* The message has no '|' (the renderer turns it into '/'). */
	bar = memchr(line, '|', (size_t)(nl - line));
	for (end = bar ? bar : nl; end > line && end[-1] == ' '; end--)
		;
	upm_buf_printf(longout, "%s %.*s\n", t->name, (int)(end - line), line);
	if (bar != NULL)
		prefix_perfdata(t->name, bar + 1, (size_t)(nl - bar - 1), perf);
	for (p = *nl ? nl + 1 : nl; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		upm_buf_printf(longout, "  %.*s\n", (int)(nl - p), p);
	}
	upm_buf_free(&one);
	return UPM_OK;
}

/* Room kept for the closing line of a cut long output. */
#define CUT_NOTE_ROOM 200

/* "1000 targets: 2 CRITICAL, 1 UNKNOWN, 997 OK", then the targets that
 * are not OK with their reasons while the line stays within line_cap:
 * the status line of a run whose whole output would not fit. */
static void
targets_counts(const struct target *t, size_t n, size_t line_cap,
    upm_buf *out)
{
	static const upm_state order[] = { UPM_STATE_CRITICAL,
	    UPM_STATE_WARNING, UPM_STATE_UNKNOWN, UPM_STATE_OK };
	size_t counts[4] = { 0, 0, 0, 0 }, i, k, listed = 0, bad, start;
	const char *sep = "";
	upm_buf one;

	for (i = 0; i < n; i++)
		counts[t[i].o.state]++;
	upm_buf_printf(out, "%zu targets: ", n);
	for (k = 0; k < 4; k++)
		if (counts[order[k]] > 0) {
			upm_buf_printf(out, "%s%zu %s", sep, counts[order[k]],
			    upm_state_name(order[k]));
			sep = ", ";
		}
	bad = n - counts[UPM_STATE_OK];
	sep = "; not OK: ";
	start = out->len;
	for (i = 0; i < n; i++) {
		if (t[i].o.state == UPM_STATE_OK)
			continue;
		upm_buf_init(&one);
		upm_buf_printf(&one, "%s%s %s", sep, t[i].name,
		    upm_state_name(t[i].o.state));
		if (t[i].o.reason.len > 0) {
			upm_buf_printf(&one, " (");
			put_reason(&one, &t[i].o.reason);
			upm_buf_printf(&one, ")");
		}
		/* 32: room for the count of the ones left out. */
		if (one.data == NULL || out->len + one.len + 32 > line_cap) {
			upm_buf_free(&one);
			break;
		}
		upm_buf_append(out, one.data, one.len);
		upm_buf_free(&one);
		listed++;
		sep = ", ";
	}
	if (listed < bad)
		upm_buf_printf(out, "%s%zu more", out->len > start ? ", " : sep,
		    bad - listed);
}

/* The long output within room bytes: the targets not OK first, then the
 * OK ones, each block whole, in the order given, while they fit; then a
 * line saying what was left out. */
static void
budgeted_long_output(const struct config *c, const struct target *t,
    const upm_buf *blocks, size_t n, size_t room, upm_buf *out)
{
	size_t used = 0, shown = 0, bad_left = 0, ok_left = 0, i;
	int pass, full;

	for (pass = 0; pass < 2; pass++) {
		full = 0;
		for (i = 0; i < n; i++) {
			if ((t[i].o.state == UPM_STATE_OK) != (pass == 1))
				continue;
			if (full || used + blocks[i].len > room) {
				full = 1;
				*(pass == 0 ? &bad_left : &ok_left) += 1;
				continue;
			}
			upm_buf_append(out, blocks[i].data, blocks[i].len);
			used += blocks[i].len;
			shown++;
		}
	}
	if (bad_left + ok_left > 0)
		upm_buf_printf(out, "(%zu of %zu targets shown, those not OK "
		    "first; left out: %zu not OK, %zu OK; output limit %ld "
		    "bytes, --output-limit 0 for all)\n", shown, n, bad_left,
		    ok_left, c->output_limit);
}

/* The status line, the run's perfdata whole, the long output.  When the
 * status line and the long output would be more than --output-limit bytes,
 * the status line counts the states and names the targets not OK, and the
 * long output keeps the blocks that fit (see budgeted_long_output). */
static upm_status
render_targets_nagios(const struct config *c, const struct target *t,
    size_t n, upm_state state, upm_buf *out)
{
	upm_buf perf, summary, *blocks;
	upm_status st = UPM_OK;
	size_t total, i, limit = (size_t)c->output_limit, head;

	if ((blocks = calloc(n, sizeof(*blocks))) == NULL)
		return UPM_ERR_NOMEM;
	upm_buf_init(&perf);
	upm_buf_init(&summary);
	for (i = 0; st == UPM_OK && i < n; i++)
		st = nagios_target(c, &t[i], &perf, &blocks[i]);
	targets_summary(t, n, &summary);
	total = sizeof("UPSTREAMS CRITICAL - ") + summary.len;
	for (i = 0; i < n; i++)
		total += blocks[i].len;
	if (st == UPM_OK && (limit == 0 || total <= limit)) {
		upm_buf_printf(out, "UPSTREAMS %s - %s", upm_state_name(state),
		    summary.data ? summary.data : "");
		if (perf.len > 0)
			upm_buf_printf(out, " |%s", perf.data);
		upm_buf_printf(out, "\n");
		for (i = 0; i < n; i++)
			if (blocks[i].len > 0)
				upm_buf_append(out, blocks[i].data, blocks[i].len);
	} else if (st == UPM_OK) {
		head = out->len;
		upm_buf_printf(out, "UPSTREAMS %s - ", upm_state_name(state));
		targets_counts(t, n, limit / 4, out);
		head = out->len - head + 1;
		if (perf.len > 0)
			upm_buf_printf(out, " |%s", perf.data);
		upm_buf_printf(out, "\n");
		budgeted_long_output(c, t, blocks, n, limit > head + CUT_NOTE_ROOM ?
		    limit - head - CUT_NOTE_ROOM : 0, out);
	}
	for (i = 0; i < n; i++)
		upm_buf_free(&blocks[i]);
	free(blocks);
	upm_buf_free(&perf);
	upm_buf_free(&summary);
	return st;
}

/* {"state": ..., "message": ..., "targets": [one check's object each]},
 * made of the texts as they are rendered: every one is compact JSON in the
 * same dump settings, so the joined text is the one object. */
static upm_status
render_targets_json(const struct config *c, const struct target *t,
    size_t n, upm_state state, upm_buf *out)
{
	json_t *head = NULL;
	upm_buf summary, one;
	upm_report rep;
	upm_status st = UPM_OK;
	char *text = NULL;
	size_t len;

	upm_buf_init(&summary);
	targets_summary(t, n, &summary);
	if (summary.data == NULL || (head = json_pack("{s:s, s:s}", "state",
	    upm_state_name(state), "message", summary.data)) == NULL ||
	    (text = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15))) == NULL)
		st = UPM_ERR_NOMEM;
	json_decref(head);
	upm_buf_free(&summary);
	/* The head without its closing brace, then the targets' array. */
	if (st == UPM_OK)
		st = upm_buf_printf(out, "%.*s,\"targets\":[",
		    (int)(strlen(text) - 1), text);
	free(text);
	for (size_t i = 0; st == UPM_OK && i < n; i++) {
		ck_make_report(c, t[i].name, &t[i].o, &rep);
		upm_buf_init(&one);
		if ((st = upm_render_json(&rep, &one)) == UPM_OK) {
			for (len = one.len; len > 0 && one.data[len - 1] == '\n';
			    len--)
				;
			st = upm_buf_printf(out, "%s%.*s", i ? "," : "",
			    (int)len, one.data);
		}
		upm_buf_free(&one);
	}
	if (st == UPM_OK)
		st = upm_buf_printf(out, "]}\n");
	return st;
}

/* Each target's text block, a blank line between them. */
static upm_status
render_targets_text(const struct config *c, const struct target *t,
    size_t n, upm_buf *out)
{
	upm_report rep;
	upm_status st = UPM_OK;

	for (size_t i = 0; st == UPM_OK && i < n; i++) {
		ck_make_report(c, t[i].name, &t[i].o, &rep);
		if (i > 0)
			upm_buf_printf(out, "\n");
		st = upm_render_text(&rep, out);
	}
	return st;
}

static int
emit_targets(const struct config *c, const struct target *t, size_t n)
{
	upm_state state = overall_state(t, n);
	upm_buf out;
	upm_status st;

	upm_buf_init(&out);
	if (c->format == FMT_JSON)
		st = render_targets_json(c, t, n, state, &out);
	else if (c->format == FMT_TEXT)
		st = render_targets_text(c, t, n, &out);
	else
		st = render_targets_nagios(c, t, n, state, &out);
	return ck_print_output(&out, st, (int)state);
}

/* Several targets: batch, judge, report. */
int
ck_check_targets(struct config *c)
{
	struct target *t;
	upm_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	if ((t = targets_new(c, &err)) == NULL) {
		printf("UPSTREAMS UNKNOWN - %s\n", err.text);
		return UPM_STATE_UNKNOWN;
	}
	run_targets(c, t, c->n_asns);
	rc = emit_targets(c, t, c->n_asns);
	targets_free(t, c->n_asns);
	return rc;
}
