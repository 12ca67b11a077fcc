/*
 * options.c - check_upstreams' command line: the options, their help, and
 * the rules between them (those of the target itself are the library's,
 * upm_target_check).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "history.h"

enum {
	OPT_STATE_FILE = 256, OPT_ACCEPT, OPT_RIPESTAT_URL, OPT_SOURCEAPP,
	OPT_MIN_PEERS, OPT_MIN_SHARE, OPT_AT, OPT_MAX_SIZE, OPT_CA_FILE,
	OPT_VISIBILITY, OPT_RETRIES, OPT_FROM, OPT_UNTIL, OPT_STEP,
	OPT_GRAPHITE_PREFIX, OPT_NAME, OPT_COUNTRY, OPT_EXTRA_ASN,
	OPT_EXTRA_PREFIX, OPT_NLNOG_URL, OPT_ALICE_URL, OPT_EXPECT_PREFIX,
	OPT_MAX_ASNS, OPT_CACHE_DIR, OPT_STATE_DIR, OPT_PARALLEL,
	OPT_CLIQUE, OPT_AS_RELATIONSHIPS, OPT_NEIGHBOURS, OPT_WEIGHTING,
	OPT_MRT, OPT_HOLD,
	OPT_MAX_AGE, OPT_CONTROL_PREFIX, OPT_OUTPUT_LIMIT
};

static const struct option longopts[] = {
	{ "asn", required_argument, NULL, 'a' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "expect", required_argument, NULL, 'e' },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "accept", no_argument, NULL, OPT_ACCEPT },
	{ "source", required_argument, NULL, 's' },
	{ "ripestat-url", required_argument, NULL, OPT_RIPESTAT_URL },
	{ "sourceapp", required_argument, NULL, OPT_SOURCEAPP },
	{ "min-peers", required_argument, NULL, OPT_MIN_PEERS },
	{ "min-share", required_argument, NULL, OPT_MIN_SHARE },
	{ "at", required_argument, NULL, OPT_AT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "visibility", no_argument, NULL, OPT_VISIBILITY },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "graphite-prefix", required_argument, NULL, OPT_GRAPHITE_PREFIX },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "country", required_argument, NULL, OPT_COUNTRY },
	{ "extra-asn", required_argument, NULL, OPT_EXTRA_ASN },
	{ "extra-prefix", required_argument, NULL, OPT_EXTRA_PREFIX },
	{ "nlnog-url", required_argument, NULL, OPT_NLNOG_URL },
	{ "alice-url", required_argument, NULL, OPT_ALICE_URL },
	{ "expect-prefix", required_argument, NULL, OPT_EXPECT_PREFIX },
	{ "max-asns", required_argument, NULL, OPT_MAX_ASNS },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "output-limit", required_argument, NULL, OPT_OUTPUT_LIMIT },
	{ "clique", required_argument, NULL, OPT_CLIQUE },
	{ "as-relationships", required_argument, NULL, OPT_AS_RELATIONSHIPS },
	{ "neighbours", required_argument, NULL, OPT_NEIGHBOURS },
	{ "weighting", required_argument, NULL, OPT_WEIGHTING },
	{ "mrt", required_argument, NULL, OPT_MRT },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "control-prefix", required_argument, NULL, OPT_CONTROL_PREFIX },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
ck_option_needs_value(const char *key)
{
	const struct option *o, *found = NULL;
	size_t len = strlen(key), matches = 0;

	for (o = longopts; o->name != NULL; o++) {
		if (strcmp(o->name, key) == 0)
			return o->has_arg == required_argument;
		if (len > 0 && strncmp(o->name, key, len) == 0) {
			found = o;
			matches++;
		}
	}
	/* An abbreviation getopt_long takes: one option begins so. */
	return matches == 1 && found->has_arg == required_argument;
}

/* Whether s is a plain decimal number: an optional '-', digits, and with
 * fraction a '.' and digits.  No blank, '+', hex, exponent, inf or nan,
 * so that every number option reads the same. */
static int
plain_number(const char *s, int fraction)
{
	size_t n;

	if (*s == '-')
		s++;
	if ((n = strspn(s, "0123456789")) == 0)
		return 0;
	s += n;
	if (fraction && *s == '.' && strspn(s + 1, "0123456789") > 0)
		s += 1 + strspn(s + 1, "0123456789");
	return *s == '\0';
}

/* A whole number in [min, max]: 0, -1 not a number, -2 out of range. */
static int
parse_long(const char *s, long min, long max, long *out)
{
	long v;

	if (!plain_number(s, 0))
		return -1;
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno != 0 || v < min || v > max)
		return -2;
	*out = v;
	return 0;
}

/* The same for a decimal number. */
static int
parse_double(const char *s, double min, double max, double *out)
{
	double v;

	if (!plain_number(s, 1))
		return -1;
	errno = 0;
	v = strtod(s, NULL);
	if (errno != 0 || !(v >= min && v <= max))
		return -2;
	*out = v;
	return 0;
}

/* The limits of a number option in its error text: "(1..8)". */
static int
number_error(int rc, const char *arg, const char *limits, upm_error *err)
{
	if (rc == -2)
		return upm_fail(err, UPM_ERR_ARG, "%.40s is out of range (%s)",
		    arg, limits), -1;
	return upm_fail(err, UPM_ERR_ARG, "'%.40s' is not a number (%s)", arg,
	    limits), -1;
}

/* A whole-number option in [min, max], or -1 with err saying why and the
 * limits (the option's name is added by option_error). */
static int
number_option(const char *arg, long min, long max, long *out, upm_error *err)
{
	char limits[48];
	int rc;

	if ((rc = parse_long(arg, min, max, out)) == 0)
		return 0;
	(void)snprintf(limits, sizeof(limits), "%ld..%ld", min, max);
	return number_error(rc, arg, limits, err);
}

/* -t SECONDS[:STATE], STATE a state's name (any case) or 0..3. */
int
ck_parse_timeout(struct config *c, const char *arg, upm_error *err)
{
	static const char *const names[] = { "ok", "warning", "critical",
	    "unknown" };
	char secs[16];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	long v;

	if (n >= sizeof(secs))
		return number_error(-1, arg, "1..3600", err);
	memcpy(secs, arg, n);
	secs[n] = '\0';
	if (number_option(secs, 1, 3600, &v, err) != 0)
		return -1;
	c->timeout = v;
	c->timeout_state = UPM_STATE_UNKNOWN;
	if (colon == NULL)
		return 0;
	for (int i = 0; i < 4; i++)
		if (strcasecmp(colon + 1, names[i]) == 0 ||
		    (colon[1] == '0' + i && colon[2] == '\0')) {
			c->timeout_state = i;
			return 0;
		}
	return upm_fail(err, UPM_ERR_ARG, "'%.40s' is not a state (ok, "
	    "warning, critical, unknown or 0-3)", colon + 1), -1;
}

/* Splits a list of prefixes ("a,b" or "a b") into *store, the copy that
 * out[] points into, each one checked, and points the query's list
 * (*q_list, *q_n) at them.  what names the list and option the option in
 * error texts.  0, or -1 with err filled. */
static int
parse_prefix_list(const char *arg, char **store, const char **out,
    const char *const **q_list, size_t *q_n, const char *what,
    const char *option, upm_error *err)
{
	char *tok, *save = NULL;
	size_t n = 0;

	free(*store);
	if ((*store = strdup(arg)) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	for (tok = strtok_r(*store, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (upm_prefix_check(tok, err) != UPM_OK)
			return -1;
		if (n == MAX_PREFIXES)
			return upm_fail(err, UPM_ERR_ARG,
			    "more than %d %s", MAX_PREFIXES, what), -1;
		out[n++] = tok;
	}
	if (n == 0)
		return upm_fail(err, UPM_ERR_ARG, "%s needs a prefix", option), -1;
	*q_list = out;
	*q_n = n;
	return 0;
}

static int
parse_prefixes(struct config *c, const char *arg, upm_error *err)
{
	return parse_prefix_list(arg, &c->prefix_store, c->prefixes,
	    &c->q.prefixes, &c->q.n_prefixes, "prefixes", "--prefix", err);
}

/* One more target, unless it is already one. */
static int
add_target(struct config *c, uint32_t asn, upm_error *err)
{
	uint32_t *v;

	for (size_t i = 0; i < c->n_asns; i++)
		if (c->asns[i] == asn)
			return 0;
	if (c->n_asns == MAX_TARGETS)
		return upm_fail(err, UPM_ERR_ARG, "more than %d targets",
		    MAX_TARGETS), -1;
	if ((v = realloc(c->asns, (c->n_asns + 1) * sizeof(*v))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	c->asns = v;
	c->asns[c->n_asns++] = asn;
	return 0;
}

/* -a: one ASN or a list, appended to the targets in the order given (a
 * repeated ASN is checked once). */
static int
parse_asns(struct config *c, const char *arg, upm_error *err)
{
	char *copy, *tok, *save = NULL;
	uint32_t asn;
	size_t seen = 0;
	int rc = 0;

	if ((copy = strdup(arg)) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ", ", &save), seen++)
		rc = upm_asn_parse(tok, &asn, err) == UPM_OK ?
		    add_target(c, asn, err) : -1;
	free(copy);
	if (rc == 0 && seen == 0)
		rc = (upm_fail(err, UPM_ERR_ARG, "-a/--asn needs an AS"), -1);
	/* The single-target path reads the query's own asn. */
	if (rc == 0)
		c->q.asn = c->asns[0];
	return rc;
}

/* -s: one source keeps the plain query; several are asked side by side. */
static int
parse_sources(struct config *c, const char *arg, upm_error *err)
{
	size_t n;

	if (upm_sources_parse(arg, c->sources, UPM_MAX_SOURCES, &n, err) != UPM_OK)
		return -1;
	c->q.source = c->sources[0];
	c->source_given = 1;
	c->q.sources = n > 1 ? c->sources : NULL;
	c->q.n_sources = n > 1 ? n : 0;
	return 0;
}

static int
parse_extra_prefixes(struct config *c, const char *arg, upm_error *err)
{
	return parse_prefix_list(arg, &c->extra_prefix_store, c->extra_prefixes,
	    &c->q.extra_prefixes, &c->q.n_extra_prefixes, "extra prefixes",
	    "--extra-prefix", err);
}

static int
parse_expect_prefix(struct config *c, const char *arg, upm_error *err)
{
	size_t n = c->n_expect_prefix;
	upm_prefix_expect *e = &c->expect_prefix[n];

	if (n == MAX_PREFIXES)
		return upm_fail(err, UPM_ERR_ARG, "more than %d --expect-prefix",
		    MAX_PREFIXES), -1;
	upm_asn_list_init(&e->asns);
	if (upm_prefix_expect_parse(arg, e->prefix, sizeof(e->prefix),
	    &e->asns, err) != UPM_OK) {
		upm_asn_list_free(&e->asns);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(c->expect_prefix[i].prefix, e->prefix) == 0) {
			upm_asn_list_free(&e->asns);
			return upm_fail(err, UPM_ERR_ARG, "--expect-prefix %s "
			    "given twice", e->prefix), -1;
		}
	c->expect_prefix_ptr[n] = e->prefix;
	c->n_expect_prefix = n + 1;
	c->q.track_prefixes = c->expect_prefix_ptr;
	c->q.n_track_prefixes = c->n_expect_prefix;
	return 0;
}

/* Reserved AS numbers (RFC 7607, 6793, 7300, 4893/5398's 65535, IANA's
 * 65552-131071): none is in any clique. */
static int
asn_reserved(uint32_t a)
{
	return a == 0 || a == 23456 || a == 65535 || a == UINT32_MAX ||
	    (a >= 65552 && a <= 131071);
}

/* --clique: a comma list without empty elements or reserved ASes. */
static int
parse_clique(struct config *c, const char *arg, upm_error *err)
{
	const char *s = arg, *e;
	char tok[32];
	uint32_t asn;

	upm_asn_list_free(&c->clique);
	upm_asn_list_init(&c->clique);
	for (;;) {
		size_t n;

		s += strspn(s, " \t");
		e = s + strcspn(s, ",");
		n = (size_t)(e - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0)
			return upm_fail(err, UPM_ERR_ARG, "--clique '%.60s': an "
			    "empty element", arg), -1;
		if (n >= sizeof(tok))
			return upm_fail(err, UPM_ERR_ARG, "--clique: invalid AS "
			    "number '%.*s'", 40, s), -1;
		memcpy(tok, s, n);
		tok[n] = '\0';
		if (upm_asn_parse(tok, &asn, NULL) != UPM_OK ||
		    asn_reserved(asn))
			return upm_fail(err, UPM_ERR_ARG, "--clique: '%s' is not "
			    "an AS number that can be in a clique (reserved, "
			    "or not a number)", tok), -1;
		if (upm_asn_list_add(&c->clique, asn) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
		if (*e == '\0')
			break;
		s = e + 1;
	}
	c->q.params.clique = &c->clique;
	return 0;
}

static int
parse_format(const char *s, enum format *f)
{
	if (strcmp(s, "nagios") == 0)
		*f = FMT_NAGIOS;
	else if (strcmp(s, "text") == 0)
		*f = FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*f = FMT_JSON;
	else if (strcmp(s, "graphite") == 0)
		*f = FMT_GRAPHITE;
	else
		return -1;
	return 0;
}

static const char *
longopts_name(int opt)
{
	const struct option *o;

	for (o = longopts; o->name != NULL; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

/* One option; -1 with err filled on a bad value. */
static int
parse_value(struct config *c, int opt, const char *arg, upm_error *err)
{
	long l;
	double d;

	switch (opt) {
	case 'a':
		return parse_asns(c, arg, err);
	case 'p':
		return parse_prefixes(c, arg, err);
	case 'e':
		c->have_expect = 1;
		return upm_asn_list_parse(&c->expect, arg, err) == UPM_OK ? 0 : -1;
	case OPT_STATE_FILE:
		c->state_file = arg;
		return 0;
	case OPT_STATE_DIR:
		c->state_dir = arg;
		return 0;
	case OPT_PARALLEL:
		return number_option(arg, 1, MAX_PARALLEL, &c->parallel, err);
	case OPT_OUTPUT_LIMIT: {
		/* 0: no limit; else at least a status line's worth. */
		char limits[48];
		int rc = parse_long(arg, 0, MAX_OUTPUT_LIMIT, &l);

		if (rc == 0 && l > 0 && l < MIN_OUTPUT_LIMIT)
			rc = -2;
		if (rc == 0) {
			c->output_limit = l;
			return 0;
		}
		(void)snprintf(limits, sizeof(limits), "0, or %d..%ld",
		    MIN_OUTPUT_LIMIT, MAX_OUTPUT_LIMIT);
		return number_error(rc, arg, limits, err);
	}
	case OPT_ACCEPT:
		c->accept = 1;
		return 0;
	case 's':
		return parse_sources(c, arg, err);
	case OPT_COUNTRY:
		return upm_country_check(arg, c->country, err) == UPM_OK ?
		    (c->q.country = c->country, 0) : -1;
	case OPT_EXTRA_ASN:
		if (upm_asn_list_parse(&c->extra_asns, arg, err) != UPM_OK)
			return -1;
		c->q.extra_asns = c->extra_asns.v;
		c->q.n_extra_asns = c->extra_asns.n;
		return 0;
	case OPT_EXTRA_PREFIX:
		return parse_extra_prefixes(c, arg, err);
	case OPT_NLNOG_URL:
		c->q.nlnog_url = arg;
		return 0;
	case OPT_ALICE_URL:
		c->q.alice_url = arg;
		return 0;
	case OPT_EXPECT_PREFIX:
		return parse_expect_prefix(c, arg, err);
	case OPT_MAX_ASNS:
		if (number_option(arg, 1, 100000, &l, err) != 0)
			return -1;
		c->q.max_asns = (size_t)l;
		return 0;
	case OPT_CACHE_DIR:
		/* Shared with other checks and the plugin; freshness by
		 * data call (the country list a day). */
		c->fetch.cache_dir = arg;
		return 0;
	case OPT_RIPESTAT_URL:
		c->q.ripestat_url = arg;
		c->fetch.allow_file = strncmp(arg, "file://", 7) == 0;
		return 0;
	case OPT_SOURCEAPP:
		c->q.sourceapp = arg;
		return 0;
	case OPT_MIN_PEERS:
		if (number_option(arg, 1, 100000, &l, err) != 0)
			return -1;
		c->q.params.min_peers = (size_t)l;
		return 0;
	case OPT_WEIGHTING:
		return upm_weighting_parse(arg, &c->q.params.weighting, err) ==
		    UPM_OK ? 0 : -1;
	case OPT_NEIGHBOURS:
		return upm_neighbours_parse(arg, &c->q.params.neighbours_all,
		    err) == UPM_OK ? 0 : -1;
	case OPT_CLIQUE:
		return parse_clique(c, arg, err);
	case OPT_AS_RELATIONSHIPS:
		upm_asrel_free(c->asrel);
		c->asrel = NULL;
		if (upm_asrel_load(arg, &c->asrel, err) != UPM_OK)
			return -1;
		c->q.params.relationships = c->asrel;
		return 0;
	case OPT_MIN_SHARE: {
		int rc = parse_double(arg, 0.0, 100.0, &d);

		if (rc != 0)
			return number_error(rc, arg, "0..100", err);
	}
		c->q.params.min_share = d;
		return 0;
	case OPT_AT: {
		int64_t t;

		c->q.at = arg;
		return upm_time_parse(arg, &t, err) == UPM_OK ? 0 : -1;
	}
	case OPT_MAX_SIZE:
		if (number_option(arg, 1024, 1L << 40, &l, err) != 0)
			return -1;
		c->fetch.max_bytes = (size_t)l;
		return 0;
	case OPT_CA_FILE:
		c->fetch.ca_file = arg;
		return 0;
	case OPT_VISIBILITY:
		c->q.visibility = 1;
		return 0;
	case OPT_RETRIES:
		if (number_option(arg, 0, 10, &l, err) != 0)
			return -1;
		c->fetch.max_retries = (int)l;
		return 0;
	case 'w':
		c->have_warn = 1;
		return upm_range_parse(arg, &c->warn, err) == UPM_OK ? 0 : -1;
	case 'c':
		c->have_crit = 1;
		return upm_range_parse(arg, &c->crit, err) == UPM_OK ? 0 : -1;
	case 't':
		return ck_parse_timeout(c, arg, err);
	case OPT_MAX_AGE:
		if (strcmp(arg, "0") == 0) {
			c->q.max_age_s = -1;
			return 0;
		}
		return history_duration_parse(arg, &c->q.max_age_s, err) ==
		    UPM_OK ? 0 : -1;
	case OPT_CONTROL_PREFIX:
		c->q.control_prefix = arg;
		return upm_prefix_check(arg, err) == UPM_OK ? 0 : -1;
	case 'f':
		if (parse_format(arg, &c->format) != 0)
			break;
		return 0;
	case 'v':
		c->verbose++;
		return 0;
	case OPT_FROM:
		c->from = arg;
		return upm_time_parse(arg, &c->from_t, err) == UPM_OK ? 0 : -1;
	case OPT_UNTIL:
		c->until = arg;
		return upm_time_parse(arg, &c->until_t, err) == UPM_OK ? 0 : -1;
	case OPT_STEP:
		c->step = arg;
		return history_duration_parse(arg, &c->step_s, err) == UPM_OK ?
		    0 : -1;
	case OPT_MRT:
		if (ck_mrt_add(c, arg) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
		return 0;
	case OPT_HOLD:
		c->hold = arg;
		return history_duration_parse(arg, &c->hold_s, err) == UPM_OK ?
		    0 : -1;
	case OPT_GRAPHITE_PREFIX:
		if (!history_name_ok(arg, 1))
			break;
		c->graphite_prefix = arg;
		return 0;
	case OPT_NAME:
		if (!history_name_ok(arg, 0))
			break;
		c->name = arg;
		return 0;
	}
	return upm_fail(err, UPM_ERR_ARG, "invalid value '%.60s'",
	    arg ? arg : ""), -1;
}

/* The options whose value is free text (a name, a URL, a file): any
 * other value beginning with a blank is refused, numbers and lists alike. */
static const int free_text[] = { OPT_STATE_FILE, OPT_STATE_DIR,
	OPT_RIPESTAT_URL, OPT_SOURCEAPP, OPT_CA_FILE, OPT_CACHE_DIR,
	OPT_NLNOG_URL, OPT_ALICE_URL, OPT_AS_RELATIONSHIPS, OPT_MRT, OPT_NAME,
	OPT_GRAPHITE_PREFIX };

/* One option, and every bad value's error in one place: the text says
 * what is wrong (and a number's limits), this puts the option first,
 * "--max-age: invalid duration '-1': ...", unless the text names it
 * already. */
static int
parse_option(struct config *c, int opt, const char *arg, upm_error *err)
{
	char name[48], text[UPM_ERROR_TEXT];
	size_t i, n;
	int text_value = 0;

	for (i = 0; i < sizeof(free_text) / sizeof(free_text[0]); i++)
		text_value |= free_text[i] == opt;
	if (opt < 128 && opt > ' ')
		(void)snprintf(name, sizeof(name), "-%c/--%s", opt,
		    longopts_name(opt));
	else
		(void)snprintf(name, sizeof(name), "--%s", longopts_name(opt));
	if (arg != NULL && !text_value && (arg[0] == ' ' || arg[0] == '\t'))
		return upm_fail(err, UPM_ERR_ARG, "%s: '%.40s' begins with a "
		    "blank", name, arg), -1;
	if (parse_value(c, opt, arg, err) == 0)
		return 0;
	n = strlen(name);
	if (err->code == UPM_ERR_NOMEM || (strncmp(err->text, name, n) == 0 &&
	    !isalnum((unsigned char)err->text[n])) || (name[1] != '-' &&
	    strncmp(err->text, name + 3, n - 3) == 0 &&
	    !isalnum((unsigned char)err->text[n - 3])))
		return -1;
	(void)snprintf(text, sizeof(text), "%s", err->text);
	return upm_fail(err, err->code, "%s: %s", name, text), -1;
}

/* Cross-option rules, after all options are read: what the target is, the
 * check's own (several targets, --state-dir), then the target's other
 * rules and the history mode's. */
static int
check_config(struct config *c, upm_error *err)
{
	upm_baseline_opts b;
	int history_events;

	memset(&b, 0, sizeof(b));
	if (upm_target_check(&c->q, NULL, UPM_RULES_WHAT, NULL, err) != UPM_OK)
		return -1;
	if (ck_targets_config_check(c, err) != 0)
		return -1;
	b.expect = c->have_expect ? &c->expect : NULL;
	/* Several targets keep their state files under --state-dir. */
	b.state_file = c->state_file != NULL ? c->state_file : c->state_dir;
	b.accept = c->accept;
	/* History's default source is bgplay, asked by prefix: --prefix goes
	 * with it without naming it. */
	history_events = c->from && c->until && !c->source_given &&
	    c->q.n_sources == 0;
	if (upm_target_check(&c->q, &b, UPM_RULE_EXPECT_AND_STATE |
	    UPM_RULE_ACCEPT_NO_STATE | UPM_RULE_EXPECT_EMPTY |
	    UPM_RULE_EXPECT_TARGET |
	    (history_events ? 0 : UPM_RULE_PREFIX_SOURCE) |
	    UPM_RULE_AT_SOURCE | UPM_RULE_AT_TIME, NULL, err) != UPM_OK)
		return -1;
	return ck_history_config_check(c, err);
}

/* The option getopt_long stopped at, as the user wrote it: "--name" for a
 * long option, "-x" for a short one. */
static void
option_label(int argc, char **argv, char *label, size_t len)
{
	const char *a = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;

	if (a != NULL && strncmp(a, "--", 2) == 0)
		(void)snprintf(label, len, "%.*s", (int)strcspn(a, "="), a);
	else if (optopt > 0 && optopt < 256)
		(void)snprintf(label, len, "-%c", optopt);
	else if (optopt >= 256)
		(void)snprintf(label, len, "--%s", longopts_name(optopt));
	else
		(void)snprintf(label, len, "%s", a != NULL ? a : "?");
}

/* Whether opt (a getopt_long value) takes a value. */
static int
takes_value(int opt)
{
	const struct option *o;

	for (o = longopts; o->name != NULL; o++)
		if (o->val == opt)
			return o->has_arg == required_argument;
	return 0;
}

/* What --mrt does not use: each asks something online. */
static const int mrt_ignored[] = { 's', OPT_VISIBILITY, OPT_RIPESTAT_URL,
	OPT_NLNOG_URL, OPT_ALICE_URL, OPT_AT, OPT_COUNTRY };

int
ck_parse_args(int argc, char **argv, struct config *c, upm_error *err)
{
	int opt, idx;
	char label[64];
	unsigned char given[OPT_HOLD + 1];

	memset(given, 0, sizeof(given));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "a:p:e:s:w:c:t:f:vhV", longopts,
	    &idx)) != -1) {
		if (opt == 'h') {
			ck_print_help();
			return 1;
		}
		if (opt == 'V') {
			printf("%s %s\n", PROGNAME, UPM_VERSION);
			return 1;
		}
		if (opt == '?' || opt == ':') {
			option_label(argc, argv, label, sizeof(label));
			/* optopt: the option short of its value (0 for an
			 * unknown long one, the letter of an unknown short). */
			if (optopt != 0 && takes_value(optopt))
				return upm_fail(err, UPM_ERR_ARG, "%s needs a "
				    "value", label), -1;
			return upm_fail(err, UPM_ERR_ARG, "unknown option %s",
			    label), -1;
		}
		if (opt >= 0 && opt <= OPT_HOLD)
			given[opt] = 1;
		if (optarg != NULL && optarg[0] == '\0') {
			if (opt == OPT_MRT)
				return upm_fail(err, UPM_ERR_ARG, "--mrt: an "
				    "empty file name"), -1;
			return upm_fail(err, UPM_ERR_ARG, "--%s needs a value, "
			    "not an empty one", longopts_name(opt)), -1;
		}
		if (parse_option(c, opt, optarg, err) != 0)
			return -1;
	}
	/* --mrt FILE...: the files after the options are more of them. */
	while (c->n_mrt > 0 && optind < argc) {
		if (argv[optind][0] == '\0')
			return upm_fail(err, UPM_ERR_ARG, "--mrt: an empty file "
			    "name"), -1;
		if (ck_mrt_add(c, argv[optind++]) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	}
	if (optind < argc)
		return upm_fail(err, UPM_ERR_ARG, "unexpected argument '%.60s'",
		    argv[optind]), -1;
	if (c->n_mrt > 0)
		for (size_t i = 0; i < sizeof(mrt_ignored) /
		    sizeof(mrt_ignored[0]); i++)
			if (given[mrt_ignored[i]])
				return upm_fail(err, UPM_ERR_ARG, "--%s does not "
				    "go with --mrt: the files are the only "
				    "source, nothing is asked online",
				    longopts_name(mrt_ignored[i])), -1;
	return check_config(c, err);
}

void
ck_config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	upm_query_opts_init(&c->q);
	upm_fetch_opts_init(&c->fetch);
	upm_asn_list_init(&c->expect);
	upm_asn_list_init(&c->extra_asns);
	upm_asn_list_init(&c->clique);
	c->timeout = DEFAULT_TIMEOUT;
	c->timeout_state = UPM_STATE_UNKNOWN;
	c->output_limit = DEFAULT_OUTPUT_LIMIT;
	c->format = FMT_NAGIOS;
}

void
ck_config_free(struct config *c)
{
	upm_asn_list_free(&c->expect);
	free(c->prefix_store);
	upm_asn_list_free(&c->extra_asns);
	free(c->extra_prefix_store);
	for (size_t i = 0; i < c->n_expect_prefix; i++)
		upm_asn_list_free(&c->expect_prefix[i].asns);
	free(c->asns);
	free(c->state_dir_file);
	upm_asn_list_free(&c->clique);
	upm_asrel_free(c->asrel);
	free(c->mrt);
}
