/*
 * render.c - a result as the one-line summary, Nagios plugin output, text
 * for people at a terminal, and JSON for scripts.  Pure: structs in, text
 * appended to a buffer; nothing is printed here.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

/* Output under construction.  The first failure sticks and later writes
 * are skipped, so a renderer checks once, at the end; the caller's buffer
 * is only touched when everything worked. */
struct writer {
	upm_buf buf;
	upm_status st;
};

static void
writer_init(struct writer *w)
{
	upm_buf_init(&w->buf);
	w->st = UPM_OK;
}

static void
put_bytes(struct writer *w, const char *p, size_t n)
{
	if (w->st == UPM_OK)
		w->st = upm_buf_append(&w->buf, p, n);
}

static void
put(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct writer *w, const char *fmt, ...)
{
	char small[256], *big;
	va_list ap;
	int n;

	if (w->st != UPM_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->st = UPM_ERR_ARG;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		put_bytes(w, small, (size_t)n);
		return;
	}
	if ((big = malloc((size_t)n + 1)) == NULL) {
		w->st = UPM_ERR_NOMEM;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	put_bytes(w, big, (size_t)n);
	free(big);
}

/* Appends s with control characters (a newline would end the Nagios status
 * line; an escape sequence would drive the terminal) turned into spaces and,
 * when no_pipe, '|' into '/': Nagios reads everything after a '|' as
 * performance data. */
static void
put_clean(struct writer *w, const char *s, int no_pipe)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		const char *repl;

		if (c < 0x20 || c == 0x7f)
			repl = " ";
		else if (no_pipe && c == '|')
			repl = "/";
		else
			continue;
		put_bytes(w, run, (size_t)(s - run));
		put_bytes(w, repl, 1);
		run = s + 1;
	}
	put_bytes(w, run, (size_t)(s - run));
}

/* Moves the finished output to the end of out, or drops it on failure. */
static upm_status
writer_finish(struct writer *w, upm_buf *out)
{
	upm_status st = w->st;

	if (st == UPM_OK && w->buf.len > 0)
		st = upm_buf_append(out, w->buf.data, w->buf.len);
	upm_buf_free(&w->buf);
	return st;
}

static const char *
nonempty_or(const char *s, const char *fallback)
{
	if (s != NULL && s[0] != '\0')
		return s;
	return fallback != NULL ? fallback : "";
}

const char *
upm_state_name(upm_state s)
{
	switch (s) {
	case UPM_STATE_OK: return "OK";
	case UPM_STATE_WARNING: return "WARNING";
	case UPM_STATE_CRITICAL: return "CRITICAL";
	case UPM_STATE_UNKNOWN: return "UNKNOWN";
	}
	return "UNKNOWN";
}

/* The word for an upstream in the long output and the text table.  A
 * missing baseline upstream says so even when it is still seen a little. */
static const char *
status_word(const upm_upstream *u)
{
	if (u->status == UPM_ST_MISSING)
		return "missing";
	if (u->uncertain)
		return "uncertain";
	if (!u->present)
		return "below thresholds";
	if (u->status == UPM_ST_EXPECTED)
		return "expected";
	if (u->status == UPM_ST_NEW)
		return "new";
	return "present";
}

/* The status as JSON names it: the comparison with the baseline only. */
static const char *
status_name(upm_upstream_status st)
{
	switch (st) {
	case UPM_ST_EXPECTED: return "expected";
	case UPM_ST_NEW: return "new";
	case UPM_ST_MISSING: return "missing";
	case UPM_ST_UNBASELINED: break;
	}
	return "unbaselined";
}

/* ---------------------------------------------------------------- summary */

/* The change text every front end shares (baseline.c), into w. */
static void
put_changes(struct writer *w, const upm_asn_list *appeared,
    const upm_asn_list *disappeared, const upm_result *shares)
{
	if (w->st == UPM_OK)
		w->st = upm_text_changes(&w->buf, appeared, disappeared, shares);
}

/* "175.45.176.0/24: AS20485 appeared; " for every tracked prefix that
 * differs from its expectation. */
static void
summary_prefix_changes(const upm_result *r, struct writer *w)
{
	for (size_t i = 0; i < r->n_prefix_results; i++) {
		const upm_prefix_result *p = &r->prefix_results[i];
		if (p->appeared.n == 0 && p->disappeared.n == 0)
			continue;
		put_clean(w, p->prefix, 1);
		put(w, ": ");
		put_changes(w, &p->appeared, &p->disappeared, NULL);
		put(w, "; ");
	}
}

static void
summary_changes(const upm_result *r, struct writer *w)
{
	put_changes(w, &r->appeared, &r->disappeared, r);
	if (r->appeared.n > 0 || r->disappeared.n > 0)
		put(w, "; ");
	summary_prefix_changes(r, w);
}

static void
summary_present(const upm_result *r, struct writer *w)
{
	size_t n = 0;
	const char *sep = ": ";

	/* Counted here rather than taken from n_present so that the number
	 * always matches the list that follows it. */
	for (size_t i = 0; i < r->n_upstreams; i++)
		n += r->upstreams[i].present != 0;
	if (n == 0) {
		put(w, "no upstream present");
		return;
	}
	put(w, "%zu upstream%s", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_upstreams; i++) {
		const upm_upstream *u = &r->upstreams[i];
		if (!u->present)
			continue;
		put(w, "%sAS%lu %.1f%%", sep, (unsigned long)u->asn, u->share);
		sep = ", ";
	}
}

upm_status
upm_render_summary(const upm_result *r, upm_buf *out)
{
	struct writer w;

	if (r == NULL || out == NULL)
		return UPM_ERR_ARG;
	writer_init(&w);
	summary_changes(r, &w);
	summary_present(r, &w);
	return writer_finish(&w, out);
}

/* ----------------------------------------------------------------- nagios */

/* A threshold range in perfdata: the text as given, minus anything that
 * would break the perfdata syntax (the range parser lets none through). */
static void
put_perf_range(struct writer *w, const upm_range *range)
{
	if (range == NULL)
		return;
	for (const char *p = range->text; *p != '\0'; p++)
		if (strchr("|;'\"= \t\r\n", *p) == NULL && (unsigned char)*p >= 0x20)
			put_bytes(w, p, 1);
}

/* A source name as a metric label part: "nlnog-lg" -> "nlnog_lg". */
static void
put_label(struct writer *w, const char *s)
{
	for (; *s != '\0'; s++) {
		char c = *s;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');
		put_bytes(w, ok ? s : "_", 1);
	}
}

/* Labels for the upstreams present or in the baseline only, then the
 * aggregate of the rest ('others': their share and how many), so that
 * the set of labels depends on the baseline and the present set alone,
 * never on the noise below the thresholds. */
static void
nagios_perfdata(const upm_report *rep, const upm_result *r, struct writer *w)
{
	upm_others others;

	put(w, " | upstreams=%zu;", r->n_present);
	put_perf_range(w, rep->warn);
	put(w, ";");
	put_perf_range(w, rep->crit);
	put(w, ";0");
	for (size_t i = 0; i < r->n_upstreams; i++)
		if (upm_upstream_shown(&r->upstreams[i]))
			put(w, " 'AS%lu'=%.2f%%;;;0;100",
			    (unsigned long)r->upstreams[i].asn,
			    r->upstreams[i].share);
	upm_result_others(r, &others);
	put(w, " others=%.2f%%;;;0;100 others_count=%zu;;;0", others.share,
	    others.count);
	for (size_t s = 0; s < r->n_sources; s++)
		for (size_t i = 0; i < r->sources[s].n_upstreams; i++) {
			if (!upm_source_upstream_shown(r, &r->sources[s].upstreams[i]))
				continue;
			put(w, " '");
			put_label(w, r->sources[s].source);
			put(w, "-AS%lu'=%.2f%%;;;0;100",
			    (unsigned long)r->sources[s].upstreams[i].asn,
			    r->sources[s].upstreams[i].share);
		}
	put(w, " observations=%llu;;;0 direct=%llu;;;0 unusable=%llu;;;0 "
	    "malformed=%llu;;;0 peers=%zu;;;0", (unsigned long long)r->observations,
	    (unsigned long long)r->direct, (unsigned long long)r->unusable,
	    (unsigned long long)r->malformed, r->sessions);
	if (r->have_age)
		put(w, " data_age=%llds;;;0", (long long)r->data_age);
	put(w, " requests=%llu;;;0", (unsigned long long)r->requests_total);
}

/* -vv: "requests: 3 sent (ripestat-bgp-state 2, ripestat-routing-status
 * 1), 1 from the cache". */
static void
long_requests(const upm_result *r, struct writer *w)
{
	const char *sep = " (";

	put(w, "requests: %llu sent", (unsigned long long)r->requests_total);
	for (size_t i = 0; i < r->n_requests; i++) {
		if (r->requests[i].requests == 0)
			continue;
		put(w, "%s", sep);
		put_clean(w, r->requests[i].what, 1);
		put(w, " %llu", (unsigned long long)r->requests[i].requests);
		sep = ", ";
	}
	put(w, "%s, %llu from the cache\n", sep[0] == ',' ? ")" : "",
	    (unsigned long long)r->cached_total);
}

/* "AS4837 60.0%, AS20485 40.0%" of the present ones, "none" if none. */
static void
put_present(struct writer *w, const upm_upstream *ups, size_t n)
{
	const char *sep = "";

	for (size_t i = 0; i < n; i++) {
		if (!ups[i].present)
			continue;
		put(w, "%sAS%lu %.1f%%", sep, (unsigned long)ups[i].asn,
		    ups[i].share);
		sep = ", ";
	}
	if (sep[0] == '\0')
		put(w, "none");
}

static void
long_domestic(const upm_result *r, struct writer *w)
{
	if (r->n_origins <= 1)
		return;
	put(w, "origin set: %zu ASes; domestic transit: ", r->n_origins);
	for (size_t i = 0; i < r->n_domestic; i++)
		put(w, "%sAS%lu (%llu paths)", i ? ", " : "",
		    (unsigned long)r->domestic[i].asn,
		    (unsigned long long)r->domestic[i].observations);
	if (r->n_domestic == 0)
		put(w, "none seen");
	put(w, "\n");
}

static void
long_sources(const upm_result *r, struct writer *w)
{
	for (size_t s = 0; s < r->n_sources; s++) {
		const upm_source_result *src = &r->sources[s];
		put(w, "source ");
		put_clean(w, src->source, 1);
		put(w, ": %llu observations, %zu vantage points; ",
		    (unsigned long long)src->observations, src->sessions);
		put_present(w, src->upstreams, src->n_upstreams);
		put(w, "\n");
	}
}

static void
put_asns(struct writer *w, const upm_asn_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		put(w, "%sAS%lu", i ? "," : "", (unsigned long)l->v[i]);
	if (l->n == 0)
		put(w, "none");
}

static void
long_prefixes(const upm_result *r, struct writer *w)
{
	for (size_t i = 0; i < r->n_prefix_results; i++) {
		const upm_prefix_result *p = &r->prefix_results[i];
		put(w, "prefix ");
		put_clean(w, p->prefix, 1);
		put(w, ": ");
		put_present(w, p->upstreams, p->n_upstreams);
		if (p->baselined) {
			put(w, " (expected ");
			put_asns(w, &p->expected);
			if (p->appeared.n > 0) {
				put(w, "; appeared ");
				put_asns(w, &p->appeared);
			}
			if (p->disappeared.n > 0) {
				put(w, "; disappeared ");
				put_asns(w, &p->disappeared);
			}
			put(w, ")");
		}
		put(w, "\n");
	}
}

/* The neighbours that are not upstreams, in one line, and a note when
 * the roles could not be inferred. */
/* A well-connected target has hundreds of lateral first hops: the long
 * output names the largest, JSON all of them. */
#define LATERALS_SHOWN 20

static void
long_roles(const upm_result *r, struct writer *w)
{
	if (r->roles == UPM_ROLES_FALLBACK && r->with_upstream > 0)
		put(w, "roles cannot be inferred (no neighbour shows provider "
		    "evidence): every neighbour counted as an upstream\n");
	if (r->n_laterals == 0)
		return;
	put(w, "lateral neighbours (not upstreams):");
	for (size_t i = 0; i < r->n_laterals && i < LATERALS_SHOWN; i++) {
		const upm_upstream *u = &r->laterals[i];
		put(w, "%s AS%lu (%s, %llu path%s, %zu vantage AS%s)",
		    i ? "," : "", (unsigned long)u->asn, upm_role_name(u->role),
		    (unsigned long long)u->observations,
		    u->observations == 1 ? "" : "s", u->vantage_ases,
		    u->vantage_ases == 1 ? "" : "es");
	}
	if (r->n_laterals > LATERALS_SHOWN)
		put(w, " and %zu more (JSON lists them all)",
		    r->n_laterals - LATERALS_SHOWN);
	put(w, "\n");
}

/* Each prefix's upstreams (the first 100 prefixes). */
static void
long_by_prefix(const upm_result *r, struct writer *w)
{
	size_t i, n = r->n_by_prefix < 100 ? r->n_by_prefix : 100;

	if (r->n_by_prefix < 2)
		return;
	for (i = 0; i < n; i++) {
		put(w, "upstreams of ");
		put_clean(w, r->by_prefix[i].prefix, 1);
		put(w, ": ");
		put_asns(w, &r->by_prefix[i].upstreams);
		put(w, "\n");
	}
	if (n < r->n_by_prefix)
		put(w, "... and %zu more prefixes\n", r->n_by_prefix - n);
}

static void
nagios_long_output(const upm_report *rep, const upm_result *r,
    struct writer *w)
{
	/* asn-neighbours has no paths: its share is by RIS peers. */
	int by_peers = strcmp(r->source, "ripestat-asn-neighbours") == 0;

	for (size_t i = 0; i < r->n_upstreams; i++) {
		const upm_upstream *u = &r->upstreams[i];
		if (by_peers)
			put(w, "AS%lu: %.2f%% by RIS peers, %zu peer%s, %s\n",
			    (unsigned long)u->asn, u->share, u->sessions,
			    u->sessions == 1 ? "" : "s", status_word(u));
		else
			put(w, "AS%lu: %.2f%% of paths, %zu peer%s, %zu "
			    "prefix%s, %s\n", (unsigned long)u->asn, u->share,
			    u->sessions, u->sessions == 1 ? "" : "s", u->prefixes,
			    u->prefixes == 1 ? "" : "es", status_word(u));
	}
	long_roles(r, w);
	long_domestic(r, w);
	long_sources(r, w);
	long_prefixes(r, w);
	if (rep->verbose >= 1 && r->n_prefix_results == 0)
		long_by_prefix(r, w);
	if (r->data_time[0] != '\0') {
		put(w, "data time: ");
		put_clean(w, r->data_time, 1);
		put(w, " UTC, source: ");
		put_clean(w, nonempty_or(r->source, rep->source), 1);
		put(w, "\n");
	}
	if (r->warnings[0] != '\0') {
		put(w, "warnings: ");
		put_clean(w, r->warnings, 1);
		put(w, "\n");
	}
	if (rep->verbose >= 2)
		long_requests(r, w);
}

upm_status
upm_render_nagios(const upm_report *rep, upm_buf *out)
{
	struct writer w;

	if (rep == NULL || out == NULL)
		return UPM_ERR_ARG;
	writer_init(&w);
	put(&w, "UPSTREAMS %s - ", upm_state_name(rep->state));
	put_clean(&w, nonempty_or(rep->message, ""), 1);
	if (rep->result != NULL)
		nagios_perfdata(rep, rep->result, &w);
	put(&w, "\n");
	if (rep->result != NULL)
		nagios_long_output(rep, rep->result, &w);
	return writer_finish(&w, out);
}

/* ------------------------------------------------------------------- text */

#define LABEL_FMT "%-16s"
#define TABLE_COLS 6
#define CELL_SIZE 32

/* One header line "Label:          value" with the value cleaned. */
static void
text_line(struct writer *w, const char *label, const char *value)
{
	put(w, LABEL_FMT, label);
	put_clean(w, value, 0);
	put(w, "\n");
}

/* Observations whose neighbour is lateral: counted in no other figure. */
static uint64_t
lateral_observations(const upm_result *r)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->n_laterals; i++)
		n += r->laterals[i].observations;
	return n;
}

static void
text_header(const upm_report *rep, const upm_result *r, struct writer *w)
{
	text_line(w, "Target:", nonempty_or(r ? r->target : NULL, rep->target));
	put(w, LABEL_FMT "%s - ", "State:", upm_state_name(rep->state));
	put_clean(w, nonempty_or(rep->message, ""), 0);
	put(w, "\n");
	text_line(w, "Source:", nonempty_or(r ? r->source : NULL, rep->source));
	if (r == NULL)
		return;
	if (r->data_time[0] != '\0') {
		put(w, LABEL_FMT, "Data time:");
		put_clean(w, r->data_time, 0);
		put(w, " UTC\n");
	}
	put(w, LABEL_FMT "%llu (%llu with an upstream, %llu lateral, %llu "
	    "direct, %llu unusable, %llu reserved, %llu other origin)\n",
	    "Observations:", (unsigned long long)r->observations,
	    (unsigned long long)r->with_upstream,
	    (unsigned long long)lateral_observations(r),
	    (unsigned long long)r->direct, (unsigned long long)r->unusable,
	    (unsigned long long)r->reserved,
	    (unsigned long long)r->other_origin);
	put(w, LABEL_FMT "%zu\n", "Sessions:", r->sessions);
	put(w, LABEL_FMT "%zu\n", "Vantage ASes:", r->vantage_ases);
	put(w, LABEL_FMT "%zu\n", "Prefixes:", r->prefixes);
	if (r->visibility.have)
		put(w, LABEL_FMT "IPv4 %llu of %llu RIS peers, IPv6 %llu of "
		    "%llu\n", "Visibility:",
		    (unsigned long long)r->visibility.v4_seeing,
		    (unsigned long long)r->visibility.v4_total,
		    (unsigned long long)r->visibility.v6_seeing,
		    (unsigned long long)r->visibility.v6_total);
	if (r->visibility.last_seen[0] != '\0')
		put(w, LABEL_FMT "%s UTC (routing-status)\n", "Last seen:",
		    r->visibility.last_seen);
	if (r->warnings[0] != '\0')
		text_line(w, "Warnings:", r->warnings);
}

/* Cells of one table row; row 0 is the heading. */
static void
text_cells(const upm_result *r, size_t row, char cells[][CELL_SIZE])
{
	static const char *const heading[TABLE_COLS] = {
		"Upstream", "Share", "Obs", "Peers", "Prefixes", "Status"
	};
	const upm_upstream *u;

	if (row == 0) {
		for (size_t c = 0; c < TABLE_COLS; c++)
			(void)snprintf(cells[c], CELL_SIZE, "%s", heading[c]);
		return;
	}
	/* Counts fit (20 digits at most, the longest word is 16); an absurd
	 * share would only be cut short by snprintf. */
	u = &r->upstreams[row - 1];
	(void)snprintf(cells[0], CELL_SIZE, "AS%lu", (unsigned long)u->asn);
	(void)snprintf(cells[1], CELL_SIZE, "%.1f%%", u->share);
	(void)snprintf(cells[2], CELL_SIZE, "%llu",
	    (unsigned long long)u->observations);
	(void)snprintf(cells[3], CELL_SIZE, "%zu", u->sessions);
	(void)snprintf(cells[4], CELL_SIZE, "%zu", u->prefixes);
	(void)snprintf(cells[5], CELL_SIZE, "%s", status_word(u));
}

/* The upstreams as a table: names and status left-aligned, numbers
 * right-aligned, every column as wide as its widest cell. */
static void
text_table(const upm_result *r, struct writer *w)
{
	size_t rows = r->n_upstreams + 1, width[TABLE_COLS] = { 0 };
	char (*cells)[TABLE_COLS][CELL_SIZE];

	if ((cells = calloc(rows, sizeof(*cells))) == NULL) {
		w->st = UPM_ERR_NOMEM;
		return;
	}
	for (size_t i = 0; i < rows; i++) {
		text_cells(r, i, cells[i]);
		for (size_t c = 0; c < TABLE_COLS; c++)
			if (strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
	}
	put(w, "\n");
	for (size_t i = 0; i < rows; i++) {
		put(w, "%-*s", (int)width[0], cells[i][0]);
		for (size_t c = 1; c < TABLE_COLS - 1; c++)
			put(w, "  %*s", (int)width[c], cells[i][c]);
		/* The last column is not padded: no trailing blanks. */
		put(w, "  %s\n", cells[i][TABLE_COLS - 1]);
	}
	free(cells);
}

upm_status
upm_render_text(const upm_report *rep, upm_buf *out)
{
	struct writer w;

	if (rep == NULL || out == NULL)
		return UPM_ERR_ARG;
	writer_init(&w);
	text_header(rep, rep->result, &w);
	if (rep->result != NULL && rep->result->n_upstreams > 0)
		text_table(rep->result, &w);
	if (rep->result != NULL && (rep->result->n_laterals > 0 ||
	    rep->result->roles == UPM_ROLES_FALLBACK)) {
		put(&w, "\n");
		long_roles(rep->result, &w);
	}
	if (rep->result != NULL && (rep->result->n_origins > 1 ||
	    rep->result->n_sources > 0 || rep->result->n_prefix_results > 0)) {
		put(&w, "\n");
		long_domestic(rep->result, &w);
		long_sources(rep->result, &w);
		long_prefixes(rep->result, &w);
	}
	if (rep->result != NULL && rep->verbose >= 2) {
		put(&w, "\n");
		long_requests(rep->result, &w);
	}
	return writer_finish(&w, out);
}

/* ------------------------------------------------------------------- json */

/* Length of the valid UTF-8 sequence at p, 0 when it is not one (stray
 * continuation byte, overlong form, surrogate, beyond U+10FFFF).  Stops at
 * the terminating NUL, which is never a continuation byte. */
static size_t
utf8_sequence(const unsigned char *p)
{
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1fu;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string of s.  JSON text must be UTF-8 and the message or warnings
 * may carry bytes from a server, so invalid bytes become '?'. */
static json_t *
jstring(const char *s)
{
	json_t *v;
	char *copy;
	size_t i = 0, n;

	if ((v = json_string(s)) != NULL)
		return v;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	while (copy[i] != '\0') {
		n = utf8_sequence((const unsigned char *)copy + i);
		if (n == 0) {
			copy[i] = '?';
			n = 1;
		}
		i += n;
	}
	v = json_string(copy);
	free(copy);
	return v;
}

/* A string, or null when it is empty ("no data time"). */
static json_t *
jstring_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? jstring(s) : json_null();
}

/* Shares rounded to two decimals, as in the perfdata; null if not finite. */
static json_t *
jshare(double v)
{
	if (!isfinite(v))
		return json_null();
	return json_real(round(v * 100.0) / 100.0);
}

static json_t *
juint(uint64_t v)
{
	return json_integer(v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v);
}

static json_t *
jbool(int b)
{
	return json_boolean(b != 0);
}

/* Sets key on obj, taking v (NULL from a failed allocation counts as a
 * failure).  Returns non-zero on failure. */
static int
jset(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v) != 0;
}

static json_t *
json_asn_list(const upm_asn_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && l != NULL && i < l->n; i++)
		if (json_array_append_new(a, json_integer(l->v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
json_upstream(const upm_upstream *u)
{
	json_t *o = json_object();
	int bad;

	if (o == NULL)
		return NULL;
	bad = jset(o, "asn", json_integer(u->asn));
	bad |= jset(o, "share", jshare(u->share));
	bad |= jset(o, "observations", juint(u->observations));
	bad |= jset(o, "peers", juint(u->sessions));
	bad |= jset(o, "prefixes", juint(u->prefixes));
	bad |= jset(o, "present", jbool(u->present));
	bad |= jset(o, "status", json_string(status_name(u->status)));
	bad |= jset(o, "uncertain", jbool(u->uncertain));
	bad |= jset(o, "role", json_string(upm_role_name(u->role)));
	bad |= jset(o, "evidence", json_string(upm_evidence_name(u->evidence)));
	bad |= jset(o, "vantage_ases", juint(u->vantage_ases));
	bad |= jset(o, "sessions", juint(u->sessions));
	if (u->peer_routes > 0)
		bad |= jset(o, "peer_routes", juint(u->peer_routes));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_upstreams(const upm_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && r != NULL && i < r->n_upstreams; i++)
		if (json_array_append_new(a, json_upstream(&r->upstreams[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Every neighbour: the upstreams, then the lateral ones. */
static json_t *
json_neighbours(const upm_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && r != NULL && i < r->n_upstreams; i++)
		if (json_array_append_new(a, json_upstream(&r->upstreams[i]))) {
			json_decref(a);
			return NULL;
		}
	for (size_t i = 0; a != NULL && r != NULL && i < r->n_laterals; i++)
		if (json_array_append_new(a, json_upstream(&r->laterals[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* {"175.45.176.0/24": [4837, 20485], ...} */
static json_t *
json_by_prefix(const upm_result *r)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && r != NULL && i < r->n_by_prefix; i++)
		if (json_object_set_new(o, r->by_prefix[i].prefix,
		    json_asn_list(&r->by_prefix[i].upstreams)) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static const char *
roles_name(upm_roles_basis b)
{
	switch (b) {
	case UPM_ROLES_INFERRED: return "inferred";
	case UPM_ROLES_FALLBACK: return "not-inferred";
	case UPM_ROLES_ALL: return "all-neighbours";
	case UPM_ROLES_SUMMARY: return "asn-neighbours";
	}
	return "unknown";
}

static json_t *
json_visibility(const upm_result *r)
{
	const upm_visibility *v;
	json_t *o;
	int bad;

	if (r == NULL || (!r->visibility.have &&
	    r->visibility.last_seen[0] == '\0'))
		return json_null();
	v = &r->visibility;
	if ((o = json_object()) == NULL)
		return NULL;
	bad = jset(o, "v4_seeing", v->have ? juint(v->v4_seeing) : json_null());
	bad |= jset(o, "v4_total", v->have ? juint(v->v4_total) : json_null());
	bad |= jset(o, "v6_seeing", v->have ? juint(v->v6_seeing) : json_null());
	bad |= jset(o, "v6_total", v->have ? juint(v->v6_total) : json_null());
	/* routing-status' data.last_seen: when RIS last saw the target. */
	bad |= jset(o, "last_seen", jstring_or_null(v->last_seen));
	bad |= jset(o, "last_seen_prefix", jstring_or_null(v->last_seen_prefix));
	bad |= jset(o, "last_seen_origin", v->last_seen_origin != 0 ?
	    juint(v->last_seen_origin) : json_null());
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_thresholds(const upm_report *rep)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (jset(o, "warning", rep->warn ? jstring(rep->warn->text) :
	    json_null()) || jset(o, "critical", rep->crit ?
	    jstring(rep->crit->text) : json_null())) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* {"count": n, "share": pct} of the neighbours without values of their
 * own; null without a result. */
static json_t *
json_others(const upm_result *r)
{
	upm_others others;

	if (r == NULL)
		return json_null();
	upm_result_others(r, &others);
	return json_pack("{s:I, s:o}", "count", (json_int_t)others.count,
	    "share", jshare(others.share));
}

/* A count from the result, or null when there is no result. */
static json_t *
jcount(const upm_result *r, uint64_t v)
{
	return r != NULL ? juint(v) : json_null();
}

static json_t *
json_upstream_list(const upm_upstream *ups, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_upstream(&ups[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
json_domestic(const upm_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->n_domestic; i++)
		if (json_array_append_new(a, json_pack("{s:I, s:I}", "asn",
		    (json_int_t)r->domestic[i].asn, "observations",
		    (json_int_t)(r->domestic[i].observations > (uint64_t)LLONG_MAX ?
		    LLONG_MAX : r->domestic[i].observations)))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
json_present(const upm_upstream *ups, size_t n)
{
	json_t *a = json_array();
	upm_asn_list l;

	upm_asn_list_init(&l);
	for (size_t i = 0; i < n; i++)
		if (ups[i].present && upm_asn_list_add(&l, ups[i].asn) != UPM_OK) {
			json_decref(a);
			a = NULL;
			break;
		}
	if (a != NULL) {
		json_decref(a);
		a = json_asn_list(&l);
	}
	upm_asn_list_free(&l);
	return a;
}

static json_t *
json_sources(const upm_result *r)
{
	json_t *o = json_object(), *s;
	int bad = o == NULL;

	for (size_t i = 0; !bad && i < r->n_sources; i++) {
		const upm_source_result *src = &r->sources[i];
		if ((s = json_object()) == NULL) {
			bad = 1;
			break;
		}
		bad |= jset(s, "data_time", jstring_or_null(src->data_time));
		bad |= jset(s, "observations", juint(src->observations));
		bad |= jset(s, "with_upstream", juint(src->with_upstream));
		bad |= jset(s, "sessions", juint(src->sessions));
		bad |= jset(s, "present", json_present(src->upstreams,
		    src->n_upstreams));
		bad |= jset(s, "upstreams", json_upstream_list(src->upstreams,
		    src->n_upstreams));
		bad |= jset(o, src->source, s);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_prefix(const upm_prefix_result *p)
{
	json_t *o = json_object();
	int bad;

	if (o == NULL)
		return NULL;
	bad = jset(o, "prefix", jstring(p->prefix));
	bad |= jset(o, "with_upstream", juint(p->with_upstream));
	bad |= jset(o, "upstreams", json_present(p->upstreams, p->n_upstreams));
	bad |= jset(o, "expected", p->baselined ? json_asn_list(&p->expected) :
	    json_null());
	bad |= jset(o, "appeared", json_asn_list(&p->appeared));
	bad |= jset(o, "disappeared", json_asn_list(&p->disappeared));
	bad |= jset(o, "details", json_upstream_list(p->upstreams,
	    p->n_upstreams));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_prefixes(const upm_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->n_prefix_results; i++)
		if (json_array_append_new(a, json_prefix(&r->prefix_results[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Members for country targets, several sources and tracked prefixes;
 * absent otherwise, so a plain answer keeps its shape. */
static int
json_ext(json_t *o, const upm_result *r)
{
	int bad = 0;

	if (r == NULL)
		return 0;
	if (r->n_origins > 1) {
		bad |= jset(o, "origin_asns", juint(r->n_origins));
		bad |= jset(o, "domestic", json_domestic(r));
	}
	if (r->n_sources > 0) {
		bad |= jset(o, "sources", json_sources(r));
		bad |= jset(o, "sources_disagree", jstring_or_null(r->disagree));
	}
	if (r->n_prefix_results > 0)
		bad |= jset(o, "prefix_upstreams", json_prefixes(r));
	bad |= jset(o, "roles", json_string(roles_name(r->roles)));
	bad |= jset(o, "vantage_ases", juint(r->vantage_ases));
	bad |= jset(o, "reserved", juint(r->reserved));
	bad |= jset(o, "private_hops", juint(r->private_hops));
	bad |= jset(o, "poisoned", juint(r->poisoned));
	bad |= jset(o, "neighbours", json_neighbours(r));
	bad |= jset(o, "upstreams_by_prefix", json_by_prefix(r));
	if (r->migrated.n > 0)
		bad |= jset(o, "migrated", json_asn_list(&r->migrated));
	return bad;
}

/* The report as one JSON object, members in a fixed order; NULL when an
 * allocation failed. */
/* {"sent": 3, "cached": 1, "by_call": {"ripestat-bgp-state": {"sent": 2,
 * "cached": 1}, ...}}; null without a result. */
static json_t *
json_requests(const upm_result *r)
{
	json_t *o, *by, *one;
	int bad;

	if (r == NULL)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	bad = jset(o, "sent", juint(r->requests_total));
	bad |= jset(o, "cached", juint(r->cached_total));
	bad |= jset(o, "by_call", by = json_object());
	for (size_t i = 0; !bad && i < r->n_requests; i++) {
		one = json_object();
		bad |= jset(by, r->requests[i].what, one);
		if (!bad) {
			bad |= jset(one, "sent", juint(r->requests[i].requests));
			bad |= jset(one, "cached", juint(r->requests[i].cached));
		}
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_report(const upm_report *rep)
{
	const upm_result *r = rep->result;
	json_t *o = json_object();
	int bad;

	if (o == NULL)
		return NULL;
	bad = jset(o, "target", jstring(nonempty_or(r ? r->target : NULL,
	    rep->target)));
	bad |= jset(o, "state", json_string(upm_state_name(rep->state)));
	bad |= jset(o, "message", jstring(nonempty_or(rep->message, "")));
	bad |= jset(o, "source", jstring(nonempty_or(r ? r->source : NULL,
	    rep->source)));
	bad |= jset(o, "data_time", jstring_or_null(r ? r->data_time : NULL));
	bad |= jset(o, "data_age", r != NULL && r->have_age ?
	    juint((uint64_t)r->data_age) : json_null());
	bad |= jset(o, "outage", jbool(r != NULL && r->outage));
	bad |= jset(o, "control_sessions", r != NULL && r->outage ?
	    juint(r->control_sessions) : json_null());
	bad |= jset(o, "observations", jcount(r, r ? r->observations : 0));
	bad |= jset(o, "with_upstream", jcount(r, r ? r->with_upstream : 0));
	bad |= jset(o, "direct", jcount(r, r ? r->direct : 0));
	bad |= jset(o, "unusable", jcount(r, r ? r->unusable : 0));
	bad |= jset(o, "malformed", jcount(r, r ? r->malformed : 0));
	bad |= jset(o, "other_origin", jcount(r, r ? r->other_origin : 0));
	bad |= jset(o, "sessions", jcount(r, r ? r->sessions : 0));
	bad |= jset(o, "prefixes", jcount(r, r ? r->prefixes : 0));
	bad |= jset(o, "visibility", json_visibility(r));
	bad |= jset(o, "baselined", jbool(r != NULL && r->baselined));
	bad |= jset(o, "appeared", json_asn_list(r ? &r->appeared : NULL));
	bad |= jset(o, "disappeared", json_asn_list(r ? &r->disappeared : NULL));
	bad |= jset(o, "upstreams", json_upstreams(r));
	bad |= jset(o, "others", json_others(r));
	bad |= jset(o, "warnings", jstring(r ? r->warnings : ""));
	bad |= jset(o, "requests", json_requests(r));
	bad |= jset(o, "thresholds", json_thresholds(rep));
	bad |= json_ext(o, r);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

upm_status
upm_render_json(const upm_report *rep, upm_buf *out)
{
	struct writer w;
	json_t *root;
	char *text;

	if (rep == NULL || out == NULL)
		return UPM_ERR_ARG;
	if ((root = json_report(rep)) == NULL)
		return UPM_ERR_NOMEM;
	/* Fifteen significant digits print a two-decimal share as written
	 * (58.54, not 58.539999999999999). */
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(root);
	if (text == NULL)
		return UPM_ERR_NOMEM;
	writer_init(&w);
	put(&w, "%s\n", text);
	free(text);
	return writer_finish(&w, out);
}
