/*
 * history.c - the change points of a target's upstreams over a time range,
 * and their renderings (JSON, Graphite plaintext, text, Nagios).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "history.h"

#define NAME_MAX_LEN 63

/* One upstream at one step, as the query's result had it. */
struct hist_upstream {
	uint32_t asn;
	double share;
	int present;
};

struct hist_step {
	int64_t time;
	int no_data;                 /* no routes, and none for the control
	                              * either: no data kept for that time */
	int outage;                  /* no route, while the control had some */
	size_t control;              /* sessions that saw the control */
	struct hist_upstream *ups;   /* result order: share desc, asn asc */
	size_t n_ups;
	size_t n_present;
	int changed;                 /* present set differs from the step before */
	upm_asn_list appeared, disappeared;
};

struct history {
	char target[64];
	int64_t from, until, step;
	struct hist_step *v;
	size_t n, cap;
	size_t no_data;
	size_t changes;
	upm_asn_list prev;           /* present set of the last step */
	struct hist_pending {        /* --hold: not lasted by the end */
		uint32_t asn;
		int appear;
		int64_t since;
	} *pend;
	size_t n_pend;
};

/* ------------------------------------------------------------ arguments */

upm_status
history_duration_parse(const char *s, int64_t *out, upm_error *err)
{
	int64_t v;

	if (upm_duration_parse(s, HISTORY_MAX_DURATION, &v, err) != UPM_OK)
		return UPM_ERR_ARG;
	if (v == 0)
		return upm_fail(err, UPM_ERR_ARG,
		    "invalid duration '%.40s': must be more than zero", s);
	*out = v;
	return UPM_OK;
}

upm_status
history_count_steps(int64_t from, int64_t until, int64_t step, size_t max,
    size_t *n, upm_error *err)
{
	uint64_t span;

	if (step <= 0)
		return upm_fail(err, UPM_ERR_ARG, "the step must be positive");
	if (until < from)
		return upm_fail(err, UPM_ERR_ARG,
		    "--until is before --from");
	/* Unsigned: well defined for any until >= from. */
	span = ((uint64_t)until - (uint64_t)from) / (uint64_t)step;
	if (span >= (uint64_t)max)
		return upm_fail(err, UPM_ERR_ARG, "%" PRIu64 "%s steps: more "
		    "than %zu; use a longer --step or a shorter range",
		    span == UINT64_MAX ? span : span + 1,
		    span == UINT64_MAX ? "+" : "", max);
	*n = (size_t)span + 1;
	return UPM_OK;
}

int
history_name_ok(const char *s, int dots)
{
	size_t run = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (dots && *s == '.') {
			if (run == 0)
				return 0;
			run = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
		if (++run > NAME_MAX_LEN)
			return 0;
	}
	return run > 0;
}

/* -------------------------------------------------------------- the walk */

history *
history_new(const char *target, int64_t from, int64_t until, int64_t step,
    upm_error *err)
{
	history *h;
	int n;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	n = snprintf(h->target, sizeof(h->target), "%s", target ? target : "");
	if (n < 0 || (size_t)n >= sizeof(h->target)) {
		free(h);
		upm_fail(err, UPM_ERR_ARG, "target name too long");
		return NULL;
	}
	h->from = from;
	h->until = until;
	h->step = step;
	upm_asn_list_init(&h->prev);
	return h;
}

static void
step_free(struct hist_step *s)
{
	free(s->ups);
	upm_asn_list_free(&s->appeared);
	upm_asn_list_free(&s->disappeared);
}

void
history_free(history *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		step_free(&h->v[i]);
	free(h->v);
	free(h->pend);
	upm_asn_list_free(&h->prev);
	free(h);
}

static upm_status
grow(history *h, upm_error *err)
{
	struct hist_step *v;
	size_t cap;

	if (h->n < h->cap)
		return UPM_OK;
	cap = h->cap ? h->cap * 2 : 64;
	if ((v = realloc(h->v, cap * sizeof(*v))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	h->v = v;
	h->cap = cap;
	return UPM_OK;
}

/* Copies the upstreams of r into s and its present set into present. */
static upm_status
copy_result(struct hist_step *s, const upm_result *r, upm_asn_list *present,
    upm_error *err)
{
	size_t i;

	if (r->n_upstreams > 0 &&
	    (s->ups = calloc(r->n_upstreams, sizeof(*s->ups))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (i = 0; i < r->n_upstreams; i++) {
		const upm_upstream *u = &r->upstreams[i];

		/* Baseline-only entries (share 0, never seen) are not data. */
		if (u->status == UPM_ST_MISSING && u->observations == 0)
			continue;
		s->ups[s->n_ups].asn = u->asn;
		s->ups[s->n_ups].share = u->share;
		s->ups[s->n_ups].present = u->present;
		s->n_ups++;
		if (!u->present)
			continue;
		s->n_present++;
		if (upm_asn_list_add(present, u->asn) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	return UPM_OK;
}

/* Fills into the ASes of a that are not in b. */
static upm_status
difference(const upm_asn_list *a, const upm_asn_list *b, upm_asn_list *into,
    upm_error *err)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!upm_asn_list_has(b, a->v[i]) &&
		    upm_asn_list_add(into, a->v[i]) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* A sample: the step's values, the present set the one before. */
static upm_status add_step(history *h, int64_t t, const upm_result *r,
    int sample, upm_error *err);

upm_status
history_add(history *h, int64_t t, const upm_result *r, upm_error *err)
{
	return add_step(h, t, r, 0, err);
}

upm_status
history_add_sample(history *h, int64_t t, const upm_result *r,
    upm_error *err)
{
	return add_step(h, t, r, 1, err);
}

static upm_status
add_step(history *h, int64_t t, const upm_result *r, int sample,
    upm_error *err)
{
	struct hist_step *s;
	upm_asn_list present;
	upm_status st;

	if (h->n > 0 && t <= h->v[h->n - 1].time)
		return upm_fail(err, UPM_ERR_ARG, "steps out of time order");
	if ((st = grow(h, err)) != UPM_OK)
		return st;
	s = &h->v[h->n];
	memset(s, 0, sizeof(*s));
	s->time = t;
	s->no_data = r == NULL;
	upm_asn_list_init(&s->appeared);
	upm_asn_list_init(&s->disappeared);
	upm_asn_list_init(&present);
	st = r != NULL ? copy_result(s, r, &present, err) : UPM_OK;
	if (r != NULL) {
		s->outage = r->outage;
		s->control = r->control_sessions;
	}
	if (st == UPM_OK && sample && h->n > 0) {
		/* The set is the change points' to say: the one before. */
		upm_asn_list_free(&present);
		upm_asn_list_init(&present);
		s->n_present = 0;
		for (size_t i = 0; i < s->n_ups; i++)
			if ((s->ups[i].present = upm_asn_list_has(&h->prev,
			    s->ups[i].asn)))
				s->n_present++;
		for (size_t i = 0; st == UPM_OK && i < h->prev.n; i++)
			st = upm_asn_list_add(&present, h->prev.v[i]);

	}
	/* A step without data says nothing: the set before it stands. */
	for (size_t i = 0; st == UPM_OK && r == NULL && i < h->prev.n; i++)
		st = upm_asn_list_add(&present, h->prev.v[i]);
	if (st == UPM_OK && h->n > 0)
		st = difference(&present, &h->prev, &s->appeared, err);
	if (st == UPM_OK && h->n > 0)
		st = difference(&h->prev, &present, &s->disappeared, err);
	if (st != UPM_OK) {
		step_free(s);
		upm_asn_list_free(&present);
		return st;
	}
	s->changed = s->appeared.n > 0 || s->disappeared.n > 0;
	h->changes += (size_t)s->changed;
	h->no_data += (size_t)s->no_data;
	h->n++;
	upm_asn_list_free(&h->prev);
	h->prev = present;
	return UPM_OK;
}

upm_status
history_add_pending(history *h, uint32_t asn, int appear, int64_t since,
    upm_error *err)
{
	struct hist_pending *v = realloc(h->pend, (h->n_pend + 1) *
	    sizeof(*v));

	if (v == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	h->pend = v;
	v[h->n_pend].asn = asn;
	v[h->n_pend].appear = appear;
	v[h->n_pend].since = since;
	h->n_pend++;
	return UPM_OK;
}

size_t
history_steps(const history *h)
{
	return h->n;
}

size_t
history_steps_no_data(const history *h)
{
	return h->no_data;
}

size_t
history_changes(const history *h)
{
	return h->changes;
}

/* The step of change point i, or NULL. */
static const struct hist_step *
change_step(const history *h, size_t i)
{
	size_t k;

	for (k = 0; k < h->n; k++)
		if (h->v[k].changed && i-- == 0)
			return &h->v[k];
	return NULL;
}

upm_status
history_change(const history *h, size_t i, int64_t *t,
    const upm_asn_list **appeared, const upm_asn_list **disappeared)
{
	const struct hist_step *s = change_step(h, i);

	if (s == NULL)
		return UPM_ERR_ARG;
	*t = s->time;
	*appeared = &s->appeared;
	*disappeared = &s->disappeared;
	return UPM_OK;
}

upm_state
history_state(const history *h)
{
	return h->changes > 0 ? UPM_STATE_CRITICAL : UPM_STATE_OK;
}

/* ------------------------------------------------------------ rendering */

/* "2017-10-01T09:08:00Z" */
static void
iso_utc(int64_t t, char *buf, size_t len)
{
	char iso[32];

	if (upm_time_format(t, iso, sizeof(iso)) != UPM_OK)
		(void)snprintf(iso, sizeof(iso), "%" PRId64, t);
	(void)snprintf(buf, len, "%sZ", iso);
}

static json_t *
json_asns(const upm_asn_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < l->n; i++)
		if (json_array_append_new(a, json_integer(l->v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* [{asn, share}] of the present upstreams of s, shares to two decimals. */
static json_t *
json_present(const struct hist_step *s)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < s->n_ups; i++) {
		if (!s->ups[i].present)
			continue;
		o = json_pack("{s:I, s:f}", "asn", (json_int_t)s->ups[i].asn,
		    "share", round(s->ups[i].share * 100.0) / 100.0);
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
json_step(const struct hist_step *s, int with_diff)
{
	char when[40];
	json_t *o;

	iso_utc(s->time, when, sizeof(when));
	o = json_pack("{s:s, s:b, s:b}", "time", when, "no_data", s->no_data,
	    "outage", s->outage);
	if (o == NULL)
		return NULL;
	if ((with_diff &&
	    (json_object_set_new(o, "appeared", json_asns(&s->appeared)) != 0 ||
	    json_object_set_new(o, "disappeared",
	    json_asns(&s->disappeared)) != 0)) ||
	    json_object_set_new(o, "upstreams", json_present(s)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
json_history(const history *h)
{
	char from[40], until[40];
	json_t *o, *changes;
	size_t i;

	iso_utc(h->from, from, sizeof(from));
	iso_utc(h->until, until, sizeof(until));
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "target", h->target,
	    "from", from, "until", until, "step", (json_int_t)h->step,
	    "steps", (json_int_t)h->n, "steps_without_data",
	    (json_int_t)h->no_data);
	if (o == NULL)
		return NULL;
	if (h->n > 0 &&
	    json_object_set_new(o, "start", json_step(&h->v[0], 0)) != 0)
		goto fail;
	if ((changes = json_array()) == NULL ||
	    json_object_set_new(o, "changes", changes) != 0)
		goto fail;
	for (i = 0; i < h->n; i++)
		if (h->v[i].changed &&
		    json_array_append_new(changes, json_step(&h->v[i], 1)) != 0)
			goto fail;
	if (h->n_pend > 0) {
		json_t *p = json_array();

		if (p == NULL || json_object_set_new(o, "pending", p) != 0)
			goto fail;
		for (i = 0; i < h->n_pend; i++) {
			char since[40];

			iso_utc(h->pend[i].since, since, sizeof(since));
			if (json_array_append_new(p, json_pack("{s:I, s:s, s:s}",
			    "asn", (json_int_t)h->pend[i].asn, "change",
			    h->pend[i].appear ? "appeared" : "disappeared",
			    "since", since)) != 0)
				goto fail;
		}
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

upm_status
history_render_json(const history *h, upm_buf *out)
{
	json_t *o = json_history(h);
	char *text;
	upm_status st;

	if (o == NULL)
		return UPM_ERR_NOMEM;
	text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	if (text == NULL)
		return UPM_ERR_NOMEM;
	st = upm_buf_printf(out, "%s\n", text);
	free(text);
	return st;
}

/* The share of asn at step s, 0 when it was not seen then. */
static double
share_at(const struct hist_step *s, uint32_t asn)
{
	size_t i;

	for (i = 0; i < s->n_ups; i++)
		if (s->ups[i].asn == asn)
			return s->ups[i].share;
	return 0.0;
}

upm_status
history_render_graphite(const history *h, const char *prefix,
    const char *name, upm_buf *out)
{
	upm_asn_list all;
	upm_status st = UPM_OK;
	size_t i, k;

	if (!history_name_ok(prefix, 1) || !history_name_ok(name, 0))
		return UPM_ERR_ARG;
	upm_asn_list_init(&all);
	for (i = 0; i < h->n && st == UPM_OK; i++)
		for (k = 0; k < h->v[i].n_ups && st == UPM_OK; k++)
			st = upm_asn_list_add(&all, h->v[i].ups[k].asn);
	for (i = 0; i < h->n && st == UPM_OK; i++) {
		const struct hist_step *s = &h->v[i];

		if (s->no_data)
			continue;
		st = upm_buf_printf(out, "%s.upstreams-%s.count-upstreams %zu "
		    "%" PRId64 "\n", prefix, name, s->n_present, s->time);
		for (k = 0; k < all.n && st == UPM_OK; k++)
			st = upm_buf_printf(out, "%s.upstreams-%s.percent-AS%lu "
			    "%.2f %" PRId64 "\n", prefix, name,
			    (unsigned long)all.v[k], share_at(s, all.v[k]),
			    s->time);
	}
	upm_asn_list_free(&all);
	return st;
}

/* "2 upstreams: AS20485 60.0%, AS4837 40.0%" or why there is none. */
static upm_status
present_text(const struct hist_step *s, upm_buf *out)
{
	upm_status st;
	size_t i, k = 0;

	if (s->no_data)
		return upm_buf_printf(out, "no data (no route, and none to the "
		    "control prefix: no data kept for that time?)");
	if (s->outage && s->control == 0)   /* a table's events say so */
		return upm_buf_printf(out, "no route to the target (outage: "
		    "every route withdrawn)");
	if (s->outage)
		return upm_buf_printf(out, "no route to the target (outage: "
		    "the control prefix seen by %zu sessions)", s->control);
	if (s->n_present == 0)
		return upm_buf_printf(out, "no upstream present");
	st = upm_buf_printf(out, "%zu upstream%s: ", s->n_present,
	    s->n_present == 1 ? "" : "s");
	for (i = 0; i < s->n_ups && st == UPM_OK; i++)
		if (s->ups[i].present)
			st = upm_buf_printf(out, "%sAS%lu %.1f%%", k++ ? ", " : "",
			    (unsigned long)s->ups[i].asn, s->ups[i].share);
	return st;
}

/* "2017-10-01T09:08:00Z AS20485 appeared; 2 upstreams: ..." */
static upm_status
change_line(const struct hist_step *s, upm_buf *out)
{
	char when[40];
	upm_status st;

	iso_utc(s->time, when, sizeof(when));
	if ((st = upm_buf_printf(out, "%s ", when)) != UPM_OK ||
	    (st = upm_text_changes(out, &s->appeared, &s->disappeared,
	    NULL)) != UPM_OK)
		return st;
	if ((st = upm_buf_printf(out, "; ")) != UPM_OK ||
	    (st = present_text(s, out)) != UPM_OK)
		return st;
	return upm_buf_printf(out, "\n");
}

static upm_status
start_line(const history *h, upm_buf *out)
{
	char when[40];
	upm_status st;

	if (h->n == 0)
		return upm_buf_printf(out, "no step taken\n");
	iso_utc(h->v[0].time, when, sizeof(when));
	if ((st = upm_buf_printf(out, "%s start: ", when)) != UPM_OK ||
	    (st = present_text(&h->v[0], out)) != UPM_OK)
		return st;
	return upm_buf_printf(out, "\n");
}

static upm_status
change_lines(const history *h, upm_buf *out)
{
	upm_status st = start_line(h, out);
	size_t i;

	for (i = 0; i < h->n && st == UPM_OK; i++)
		if (h->v[i].changed)
			st = change_line(&h->v[i], out);
	return st;
}

/* "9 changes of AS131279's upstreams from ... until ... (4321 steps of
 * 60 s, 9 without data)" */
static upm_status
summary(const history *h, upm_buf *out)
{
	char from[40], until[40];

	iso_utc(h->from, from, sizeof(from));
	iso_utc(h->until, until, sizeof(until));
	upm_status st;

	if (h->changes == 0)
		st = upm_buf_printf(out, "no change");
	else
		st = upm_buf_printf(out, "%zu change%s", h->changes,
		    h->changes == 1 ? "" : "s");
	if (st != UPM_OK)
		return st;
	if (h->step == 0)         /* a routing table's change points */
		return upm_buf_printf(out, " of %s's upstreams from %s until "
		    "%s (from BGP events, to the second)", h->target, from,
		    until);
	return upm_buf_printf(out, " of %s's upstreams from %s until %s "
	    "(%zu steps of %" PRId64 " s, %zu without data)", h->target, from,
	    until, h->n, h->step, h->no_data);
}

upm_status
history_render_text(const history *h, upm_buf *out)
{
	upm_status st;

	if ((st = summary(h, out)) != UPM_OK ||
	    (st = upm_buf_printf(out, "\n")) != UPM_OK)
		return st;
	return change_lines(h, out);
}

upm_status
history_render_nagios(const history *h, upm_buf *out)
{
	upm_status st;

	if ((st = upm_buf_printf(out, "UPSTREAMS %s - ",
	    upm_state_name(history_state(h)))) != UPM_OK ||
	    (st = summary(h, out)) != UPM_OK)
		return st;
	st = upm_buf_printf(out, " | changes=%zu;;;0 steps=%zu;;;0 "
	    "steps_without_data=%zu;;;0\n", h->changes, h->n, h->no_data);
	if (st != UPM_OK)
		return st;
	return change_lines(h, out);
}
