/*
 * range.c - Nagios / Monitoring Plugins threshold ranges, "[@][start:][end]".
 *
 *   10      alert when < 0 or > 10        10:     alert when < 10
 *   ~:10    alert when > 10               10:20   alert when outside 10..20
 *   @10:20  alert when inside 10..20 (inclusive)
 *
 * Stricter than most plugins: a missing number ("", ":5", "@"), a start
 * greater than the end, or any trailing text is an error rather than
 * silently read as 0, so a typo in a service definition is seen at once.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "upstreams.h"

/* Only plain decimal numbers: strtod alone would also take "inf", "nan",
 * hexadecimal and leading blanks. */
static int
plain_number(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (digits == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < len && isdigit((unsigned char)s[i]); i++)
			exp_digits++;
		if (exp_digits == 0)
			return 0;
	}
	return i == len;
}

/* Parses s[0..len) as one finite number. */
static int
parse_number(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	double v;

	if (len == 0 || len >= sizeof(buf) || !plain_number(s, len))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static upm_status
bad(upm_error *err, const char *s, const char *why)
{
	return upm_fail(err, UPM_ERR_ARG, "invalid range '%.63s': %s", s, why);
}

upm_status
upm_range_parse(const char *s, upm_range *r, upm_error *err)
{
	upm_range v;
	const char *p, *colon;
	size_t len;

	if (s == NULL || *s == '\0')
		return upm_fail(err, UPM_ERR_ARG, "invalid range '': empty");
	len = strlen(s);
	if (len >= sizeof(v.text))
		return bad(err, s, "too long");
	memset(&v, 0, sizeof(v));
	memcpy(v.text, s, len + 1);
	p = s;
	if (*p == '@') {
		v.inside = 1;
		p++;
	}
	if ((colon = strchr(p, ':')) == NULL) {
		/* "end" alone: the start is 0. */
		if (parse_number(p, strlen(p), &v.end) != 0)
			return bad(err, s, *p ? "not a number" : "no number");
	} else {
		if (strchr(colon + 1, ':') != NULL)
			return bad(err, s, "more than one ':'");
		if (colon - p == 1 && *p == '~')
			v.start_inf = 1;
		else if (colon == p)
			return bad(err, s, "no start before ':' (use ~ for "
			    "minus infinity)");
		else if (parse_number(p, (size_t)(colon - p), &v.start) != 0)
			return bad(err, s, "start is not a number");
		if (colon[1] == '\0')
			v.end_inf = 1;
		else if (parse_number(colon + 1, strlen(colon + 1), &v.end) != 0)
			return bad(err, s, "end is not a number");
	}
	if (!v.start_inf && !v.end_inf && v.start > v.end)
		return bad(err, s, "start greater than end");
	*r = v;
	return UPM_OK;
}

int
upm_range_alert(const upm_range *r, double value)
{
	int below, above, inside;

	/* A value that is not a number cannot be judged: alert. */
	if (isnan(value))
		return 1;
	below = !r->start_inf && value < r->start;
	above = !r->end_inf && value > r->end;
	inside = !below && !above;
	return r->inside ? inside : !inside;
}
