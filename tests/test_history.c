/*
 * test_history.c - durations, step counts, change points and the
 * renderings of the check's history mode.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "history.h"
#include "tap.h"

#define T0 1506816000 /* 2017-10-01T00:00:00 */

static void
test_durations(void)
{
	static const struct {
		const char *s;
		int64_t want; /* 0: must be rejected */
	} cases[] = {
		{ "30s", 30 }, { "15m", 900 }, { "1h", 3600 }, { "2d", 172800 },
		{ "90", 90 }, { "1", 1 }, { "3650d", 3650LL * 86400 },
		{ "315360000", 315360000 }, { "007m", 420 },
		{ "0", 0 }, { "0s", 0 }, { "", 0 }, { "s", 0 }, { "-5", 0 },
		{ "+5", 0 }, { " 5", 0 }, { "5 ", 0 }, { "5x", 0 }, { "5ms", 0 },
		{ "1.5h", 0 }, { "3651d", 0 }, { "315360001", 0 },
		{ "99999999999999999999999", 0 }, { "9223372036854775807s", 0 },
		{ "5h5", 0 }, { "h", 0 }, { "5H", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		upm_error err;
		int64_t got = -1;
		upm_status st;

		memset(&err, 0, sizeof(err));
		st = history_duration_parse(cases[i].s, &got, &err);
		if (cases[i].want > 0) {
			OK(st == UPM_OK && got == cases[i].want,
			    "duration '%s' is %lld s (got %lld)", cases[i].s,
			    (long long)cases[i].want, (long long)got);
		} else {
			OK(st == UPM_ERR_ARG && got == -1 && err.code == UPM_ERR_ARG &&
			    strstr(err.text, "duration") != NULL,
			    "duration '%s' rejected: %s", cases[i].s, err.text);
		}
	}
	{
		upm_error err;
		int64_t got;

		memset(&err, 0, sizeof(err));
		OK(history_duration_parse(NULL, &got, &err) == UPM_ERR_ARG,
		    "NULL duration rejected");
		history_duration_parse("0m", &got, &err);
		OK(strstr(err.text, "more than zero") != NULL, "zero: says why");
		history_duration_parse("4000d", &got, &err);
		OK(strstr(err.text, "3650 days") != NULL, "too long: says the limit");
	}
}

static void
test_count_steps(void)
{
	upm_error err;
	size_t n = 0;

	memset(&err, 0, sizeof(err));
	OK(history_count_steps(T0, T0 + 3 * 86400, 60, 10000, &n, &err) ==
	    UPM_OK && n == 4321, "3 days at 60 s: 4321 steps (both ends)");
	OK(history_count_steps(T0, T0, 60, 10000, &n, &err) == UPM_OK && n == 1,
	    "from == until: one step");
	OK(history_count_steps(T0, T0 + 59, 60, 10000, &n, &err) == UPM_OK &&
	    n == 1, "until before the second step: one step");
	OK(history_count_steps(T0, T0 + 9999 * 60, 60, 10000, &n, &err) ==
	    UPM_OK && n == 10000, "exactly the cap");
	n = 7;
	OK(history_count_steps(T0, T0 + 10000 * 60, 60, 10000, &n, &err) ==
	    UPM_ERR_ARG && n == 7, "one more than the cap: rejected");
	OK(strstr(err.text, "10001 steps") != NULL &&
	    strstr(err.text, "10000") != NULL, "says how many and the cap: %s",
	    err.text);
	OK(history_count_steps(T0 + 1, T0, 60, 10000, &n, &err) == UPM_ERR_ARG,
	    "until before from: rejected");
	OK(history_count_steps(T0, T0 + 60, 0, 10000, &n, &err) == UPM_ERR_ARG,
	    "step 0: rejected");
	OK(history_count_steps(0, INT64_MAX, 1, 10000, &n, &err) == UPM_ERR_ARG,
	    "huge range: rejected, no overflow");
	OK(strstr(err.text, "9223372036854775808 steps") != NULL,
	    "and counted right: %s", err.text);
	OK(history_count_steps(INT64_MIN, INT64_MAX, 1, 10000, &n, &err) ==
	    UPM_ERR_ARG && strstr(err.text, "18446744073709551615+ steps"),
	    "the widest range: rejected, no wrap: %s", err.text);
	OK(history_count_steps(INT64_MIN, INT64_MAX, INT64_MAX, 10000, &n,
	    &err) == UPM_OK && n == 3, "widest range, widest step: 3 steps");
}

static void
test_names(void)
{
	OK(history_name_ok("AS131279", 0), "AS131279 is a name");
	OK(history_name_ok("dprk_1-a", 0), "letters, digits, _ and -");
	OK(!history_name_ok("a.b", 0), "no dot in a name");
	OK(history_name_ok("a.b.history", 1), "dots in a prefix");
	OK(!history_name_ok("a..b", 1), "no empty element");
	OK(!history_name_ok(".a", 1) && !history_name_ok("a.", 1),
	    "no leading or trailing dot");
	OK(!history_name_ok("", 0) && !history_name_ok(NULL, 0), "not empty");
	OK(!history_name_ok("a b", 0) && !history_name_ok("a/b", 0) &&
	    !history_name_ok("a\nb", 1), "no blanks, slashes or newlines");
	OK(history_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0),
	    "63 characters");
	OK(!history_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0),
	    "64 characters: too long");
}

/* A result as upm_query would give: ups (asn, share, present). */
struct fake {
	upm_result r;
	upm_upstream u[4];
};

static const upm_result *
fake(struct fake *f, size_t n, const uint32_t *asn, const double *share,
    const int *present)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++) {
		f->u[i].asn = asn[i];
		f->u[i].share = share[i];
		f->u[i].present = present[i];
		f->u[i].observations = 10;
		f->u[i].sessions = 5;
		f->r.n_present += (size_t)present[i];
	}
	f->r.upstreams = f->u;
	f->r.n_upstreams = n;
	return &f->r;
}

static const upm_result *
cu_only(struct fake *f)
{
	static const uint32_t a[] = { 4837 };
	static const double s[] = { 100.0 };
	static const int p[] = { 1 };

	return fake(f, 1, a, s, p);
}

static const upm_result *
cu_ttk(struct fake *f, double ttk)
{
	const uint32_t a[] = { 20485, 4837, 64999 };
	const double s[] = { ttk, 100.0 - ttk - 0.5, 0.5 };
	const int p[] = { 1, 1, 0 };

	return fake(f, 3, a, s, p);
}

/* An outage: no route, while the control prefix was seen by 300
 * sessions. */
static const upm_result *
outage(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->r.outage = 1;
	f->r.control_sessions = 300;
	return &f->r;
}

/* The October 2017 shape at 60 s steps: 4837; +20485; -20485; outage; a
 * step without data (none kept: no change); 4837 again; the 20485 share
 * drops without a change of the set. */
static history *
walk(void)
{
	struct fake f;
	upm_error err;
	history *h;
	int ok = 1;
	int64_t t = T0;

	memset(&err, 0, sizeof(err));
	h = history_new("AS131279", T0, T0 + 9 * 60, 60, &err);
	if (h == NULL)
		return NULL;
	ok &= history_add(h, t, cu_only(&f), &err) == UPM_OK;          /* 0 */
	ok &= history_add(h, t += 60, cu_only(&f), &err) == UPM_OK;    /* 1 */
	ok &= history_add(h, t += 60, cu_ttk(&f, 60.0), &err) == UPM_OK; /* 2 + */
	ok &= history_add(h, t += 60, cu_ttk(&f, 60.0), &err) == UPM_OK; /* 3 */
	ok &= history_add(h, t += 60, cu_only(&f), &err) == UPM_OK;    /* 4 - */
	ok &= history_add(h, t += 60, outage(&f), &err) == UPM_OK;     /* 5 outage */
	ok &= history_add(h, t += 60, NULL, &err) == UPM_OK;           /* 6 no data */
	ok &= history_add(h, t += 60, cu_ttk(&f, 60.0), &err) == UPM_OK; /* 7 both */
	ok &= history_add(h, t += 60, cu_ttk(&f, 40.0), &err) == UPM_OK; /* 8 share */
	ok &= history_add(h, t += 60, cu_ttk(&f, 20.0), &err) == UPM_OK; /* 9 share */
	OK(ok, "ten steps recorded");
	return h;
}

static int
list_is(const upm_asn_list *l, size_t n, uint32_t a)
{
	return l->n == n && (n == 0 || l->v[0] == a);
}

static void
test_changes(void)
{
	const upm_asn_list *ap, *dis;
	upm_error err;
	struct fake f;
	history *h = walk();
	int64_t t;

	if (!OK(h != NULL, "walk built"))
		return;
	IS_INT(history_steps(h), 10, "10 steps");
	IS_INT(history_steps_no_data(h), 1, "1 without data (the outage has)");
	IS_INT(history_changes(h), 4, "4 change points (share drops are none)");
	IS_INT(history_state(h), UPM_STATE_CRITICAL, "changes: CRITICAL");
	OK(history_change(h, 0, &t, &ap, &dis) == UPM_OK && t == T0 + 120 &&
	    list_is(ap, 1, 20485) && list_is(dis, 0, 0),
	    "change 1: AS20485 appeared at step 2");
	OK(history_change(h, 1, &t, &ap, &dis) == UPM_OK && t == T0 + 240 &&
	    list_is(ap, 0, 0) && list_is(dis, 1, 20485),
	    "change 2: AS20485 disappeared at step 4");
	OK(history_change(h, 2, &t, &ap, &dis) == UPM_OK && t == T0 + 300 &&
	    list_is(ap, 0, 0) && list_is(dis, 1, 4837),
	    "change 3: the outage, AS4837 gone at step 5");
	OK(history_change(h, 3, &t, &ap, &dis) == UPM_OK && t == T0 + 420 &&
	    ap->n == 2 && ap->v[0] == 4837 && ap->v[1] == 20485 && dis->n == 0,
	    "change 4: both back at step 7, ascending");
	OK(history_change(h, 4, &t, &ap, &dis) == UPM_ERR_ARG,
	    "no fifth change");
	memset(&err, 0, sizeof(err));
	OK(history_add(h, T0 + 540, cu_only(&f), &err) == UPM_ERR_ARG &&
	    strstr(err.text, "order") != NULL, "a step back in time: rejected");
	IS_INT(history_steps(h), 10, "and not recorded");
	history_free(h);

	h = history_new("AS1", T0, T0 + 60, 60, &err);
	history_add(h, T0, cu_only(&f), &err);
	history_add(h, T0 + 60, cu_only(&f), &err);
	IS_INT(history_changes(h), 0, "same set twice: no change");
	IS_INT(history_state(h), UPM_STATE_OK, "no change: OK");
	history_free(h);

	h = history_new("AS1", T0, T0 + 60, 60, &err);
	history_add(h, T0, NULL, &err);
	history_add(h, T0 + 60, cu_only(&f), &err);
	IS_INT(history_changes(h), 1, "no data first, then data: a change");
	history_free(h);
	history_free(NULL);
	OK(history_new("AS1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    T0, T0, 60, &err) == NULL && err.code == UPM_ERR_ARG,
	    "target too long: rejected");
}

static void
test_json(void)
{
	history *h = walk();
	upm_buf out;
	json_t *o, *c, *u;
	json_error_t jerr;

	upm_buf_init(&out);
	OK(history_render_json(h, &out) == UPM_OK, "json rendered");
	OK(out.len > 0 && out.data[out.len - 1] == '\n', "ends with newline");
	o = json_loads(out.data ? out.data : "", 0, &jerr);
	if (!OK(o != NULL, "json parses: %s", o ? "" : jerr.text)) {
		upm_buf_free(&out);
		history_free(h);
		return;
	}
	IS_STR(json_string_value(json_object_get(o, "target")), "AS131279",
	    "target");
	IS_STR(json_string_value(json_object_get(o, "from")),
	    "2017-10-01T00:00:00Z", "from, ISO UTC");
	IS_STR(json_string_value(json_object_get(o, "until")),
	    "2017-10-01T00:09:00Z", "until");
	IS_INT(json_integer_value(json_object_get(o, "step")), 60, "step");
	IS_INT(json_integer_value(json_object_get(o, "steps")), 10, "steps");
	IS_INT(json_integer_value(json_object_get(o, "steps_without_data")), 1,
	    "steps_without_data");
	c = json_object_get(o, "changes");
	IS_INT(json_array_size(c), 4, "4 changes");
	IS_STR(json_string_value(json_object_get(json_array_get(c, 0), "time")),
	    "2017-10-01T00:02:00Z", "first change time");
	IS_INT(json_integer_value(json_array_get(json_object_get(
	    json_array_get(c, 0), "appeared"), 0)), 20485,
	    "appeared holds integer ASNs");
	IS_INT(json_array_size(json_object_get(json_array_get(c, 0),
	    "disappeared")), 0, "disappeared empty");
	u = json_object_get(json_array_get(c, 0), "upstreams");
	IS_INT(json_array_size(u), 2, "present upstreams only (noise left out)");
	IS_INT(json_integer_value(json_object_get(json_array_get(u, 0), "asn")),
	    20485, "upstreams in result order");
	OK(json_real_value(json_object_get(json_array_get(u, 0), "share")) ==
	    60.0, "share is a number");
	OK(json_real_value(json_object_get(json_array_get(u, 1), "share")) ==
	    39.5, "second share");
	OK(json_is_false(json_object_get(json_array_get(c, 2), "no_data")) &&
	    json_is_true(json_object_get(json_array_get(c, 2), "outage")) &&
	    json_array_size(json_object_get(json_array_get(c, 2),
	    "upstreams")) == 0, "outage change: outage true, no upstreams");
	OK(json_is_false(json_object_get(json_array_get(c, 0), "no_data")),
	    "ordinary change: no_data false");
	IS_STR(json_string_value(json_object_get(json_object_get(o, "start"),
	    "time")), "2017-10-01T00:00:00Z", "start time");
	IS_INT(json_array_size(json_object_get(json_object_get(o, "start"),
	    "upstreams")), 1, "start: one upstream");
	json_decref(o);
	upm_buf_free(&out);
	history_free(h);
}

static int
count_lines(const char *s, const char *needle)
{
	int n = 0;
	const char *p = s;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void
test_graphite(void)
{
	history *h = walk();
	upm_buf out;

	upm_buf_init(&out);
	OK(history_render_graphite(h, "history", "AS131279", &out) == UPM_OK,
	    "graphite rendered");
	/* 8 steps with data x (count + 3 upstreams seen over the walk). */
	IS_INT(count_lines(out.data, "\n"), 36, "36 lines: the outage at 0, "
	    "the step without data left out");
	OK(strncmp(out.data, "history.upstreams-AS131279.count-upstreams 1 "
	    "1506816000\nhistory.upstreams-AS131279.percent-AS4837 100.00 "
	    "1506816000\n", 110) == 0, "first step: count and AS4837");
	OK(strstr(out.data, "history.upstreams-AS131279.percent-AS20485 0.00 "
	    "1506816000\n") != NULL, "AS20485 is 0 before it appeared");
	OK(strstr(out.data, "history.upstreams-AS131279.percent-AS20485 60.00 "
	    "1506816120\n") != NULL, "AS20485 60%% when it appeared");
	OK(strstr(out.data, "history.upstreams-AS131279.percent-AS20485 20.00 "
	    "1506816540\n") != NULL, "and its share drop at the last step");
	OK(strstr(out.data, "percent-AS64999 0.50 1506816540\n") != NULL,
	    "below-threshold upstreams too, as collectd sends them");
	OK(strstr(out.data, "count-upstreams 0 1506816300\n") != NULL &&
	    strstr(out.data, "percent-AS4837 0.00 1506816300\n") != NULL,
	    "the outage: count and shares at 0");
	OK(strstr(out.data, " 1506816360\n") == NULL,
	    "no line for the step without data");
	OK(strstr(out.data, "count-upstreams 2 1506816420\n") != NULL,
	    "count-upstreams 2 after the outage");
	upm_buf_free(&out);
	upm_buf_init(&out);
	OK(history_render_graphite(h, "a.b.c", "dprk", &out) == UPM_OK &&
	    strncmp(out.data, "a.b.c.upstreams-dprk.count-upstreams ", 37) == 0,
	    "dotted prefix, name");
	upm_buf_free(&out);
	OK(history_render_graphite(h, "a b", "dprk", &out) == UPM_ERR_ARG &&
	    out.len == 0, "bad prefix rejected, nothing written");
	OK(history_render_graphite(h, "h", "x.y", &out) == UPM_ERR_ARG,
	    "bad name rejected");
	upm_buf_free(&out);
	history_free(h);
}

static void
test_text(void)
{
	history *h = walk();
	upm_buf out;
	upm_error err;
	struct fake f;

	upm_buf_init(&out);
	OK(history_render_text(h, &out) == UPM_OK, "text rendered");
	OK(strstr(out.data, "4 changes of AS131279's upstreams from "
	    "2017-10-01T00:00:00Z until 2017-10-01T00:09:00Z (10 steps of 60 s, "
	    "1 without data)\n") == out.data, "text: summary first");
	OK(strstr(out.data, "\n2017-10-01T00:00:00Z start: 1 upstream: AS4837 "
	    "100.0%\n") != NULL, "text: starting point");
	OK(strstr(out.data, "\n2017-10-01T00:02:00Z AS20485 appeared; 2 "
	    "upstreams: AS20485 60.0%, AS4837 39.5%\n") != NULL,
	    "text: the appearance with shares");
	OK(strstr(out.data, "\n2017-10-01T00:05:00Z AS4837 disappeared; no "
	    "route to the target (outage: the control prefix seen by 300 "
	    "sessions)\n") != NULL, "text: the outage");
	OK(strstr(out.data, "\n2017-10-01T00:07:00Z AS4837 appeared, AS20485 "
	    "appeared; 2 upstreams") != NULL, "text: both back");
	IS_INT(count_lines(out.data, "\n"), 6, "summary, start, 4 changes");
	upm_buf_free(&out);

	upm_buf_init(&out);
	OK(history_render_nagios(h, &out) == UPM_OK, "nagios rendered");
	OK(strncmp(out.data, "UPSTREAMS CRITICAL - 4 changes of AS131279's "
	    "upstreams", 52) == 0, "nagios: CRITICAL status line");
	OK(strstr(out.data, " | changes=4;;;0 steps=10;;;0 "
	    "steps_without_data=1;;;0\n") != NULL, "nagios: perfdata");
	OK(strchr(out.data, '|') == strrchr(out.data, '|'), "one '|' only");
	upm_buf_free(&out);
	history_free(h);

	memset(&err, 0, sizeof(err));
	h = history_new("AS1", T0, T0 + 60, 60, &err);
	history_add(h, T0, cu_only(&f), &err);
	history_add(h, T0 + 60, cu_only(&f), &err);
	upm_buf_init(&out);
	history_render_nagios(h, &out);
	OK(strncmp(out.data, "UPSTREAMS OK - no change of AS1's upstreams from ",
	    49) == 0, "no change: OK, says so");
	upm_buf_free(&out);
	history_free(h);

	h = history_new("AS1", T0, T0 + 60, 60, &err);
	upm_buf_init(&out);
	history_render_text(h, &out);
	OK(strstr(out.data, "\nno step taken\n") != NULL, "empty walk: says so");
	upm_buf_free(&out);
	upm_buf_init(&out);
	history_render_json(h, &out);
	OK(strstr(out.data, "\"start\"") == NULL &&
	    strstr(out.data, "\"changes\": []") != NULL, "empty walk json");
	upm_buf_free(&out);
	history_free(h);
}

int
main(void)
{
	test_durations();
	test_count_steps();
	test_names();
	test_changes();
	test_json();
	test_graphite();
	test_text();
	return tap_done();
}
