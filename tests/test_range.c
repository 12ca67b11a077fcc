/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* test_range.c - Nagios threshold ranges: parsing and alerting. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "upstreams.h"
#include "tap.h"

struct alert_case {
	const char *range;
	double value;
	int alert;
};

static const struct alert_case alert_cases[] = {
	/* "10": alert outside 0..10 */
	{ "10", -1, 1 }, { "10", -0.001, 1 }, { "10", 0, 0 }, { "10", 5, 0 },
	{ "10", 10, 0 }, { "10", 10.001, 1 }, { "10", 11, 1 },
	{ "0", 0, 0 }, { "0", 1, 1 }, { "0", -1, 1 },
	/* "10:": alert below 10 */
	{ "10:", 9.999, 1 }, { "10:", 10, 0 }, { "10:", 1e12, 0 }, { "10:", -5, 1 },
	/* "~:10": alert above 10 */
	{ "~:10", -1e12, 0 }, { "~:10", 10, 0 }, { "~:10", 10.5, 1 },
	/* "10:20": alert outside */
	{ "10:20", 9, 1 }, { "10:20", 10, 0 }, { "10:20", 15, 0 },
	{ "10:20", 20, 0 }, { "10:20", 21, 1 },
	/* "@10:20": alert inside, inclusive */
	{ "@10:20", 9.99, 0 }, { "@10:20", 10, 1 }, { "@10:20", 15, 1 },
	{ "@10:20", 20, 1 }, { "@10:20", 20.01, 0 },
	/* "@10": inside 0..10 */
	{ "@10", -1, 0 }, { "@10", 0, 1 }, { "@10", 10, 1 }, { "@10", 11, 0 },
	/* "@~:5", "@5:" */
	{ "@~:5", -100, 1 }, { "@~:5", 5, 1 }, { "@~:5", 6, 0 },
	{ "@5:", 4, 0 }, { "@5:", 5, 1 }, { "@5:", 500, 1 },
	/* "~:": never; "@~:": always */
	{ "~:", -1e300, 0 }, { "~:", 1e300, 0 }, { "@~:", 0, 1 },
	/* start == end */
	{ "2:2", 2, 0 }, { "2:2", 1, 1 }, { "2:2", 3, 1 }, { "@2:2", 2, 1 },
	{ "@2:2", 3, 0 },
	/* signs and decimals */
	{ "-5:-1", -3, 0 }, { "-5:-1", 0, 1 }, { "-5:-1", -5.5, 1 },
	{ "+1.5:2.5", 1.4, 1 }, { "+1.5:2.5", 1.5, 0 }, { "1.:.5e1", 5, 0 },
	{ "1.:.5e1", 5.1, 1 }, { "1e1", 10, 0 }, { "1e1", 10.1, 1 },
	/* typical count thresholds for the check: at least 2 upstreams */
	{ "2:", 1, 1 }, { "2:", 2, 0 }, { "1:", 0, 1 },
};

struct parse_case {
	const char *range;
	double start, end;
	int start_inf, end_inf, inside;
};

static const struct parse_case parse_cases[] = {
	{ "10", 0, 10, 0, 0, 0 },
	{ "10:", 10, 0, 0, 1, 0 },
	{ "~:10", 0, 10, 1, 0, 0 },
	{ "10:20", 10, 20, 0, 0, 0 },
	{ "@10:20", 10, 20, 0, 0, 1 },
	{ "@~:", 0, 0, 1, 1, 1 },
	{ "-2.5:7.25", -2.5, 7.25, 0, 0, 0 },
};

struct invalid_case {
	const char *range;
	const char *text;
};

static const struct invalid_case invalid_cases[] = {
	{ "", "invalid range '': empty" },
	{ "@", "invalid range '@': no number" },
	{ "5:1", "invalid range '5:1': start greater than end" },
	{ "@5:1", "invalid range '@5:1': start greater than end" },
	{ "-1", "invalid range '-1': start greater than end" },
	{ "abc", "invalid range 'abc': not a number" },
	{ "10x", "invalid range '10x': not a number" },
	{ "10:20x", "invalid range '10:20x': end is not a number" },
	{ "x:20", "invalid range 'x:20': start is not a number" },
	{ "::", "invalid range '::': more than one ':'" },
	{ "1:2:3", "invalid range '1:2:3': more than one ':'" },
	{ ":10", "invalid range ':10': no start before ':' (use ~ for minus "
	    "infinity)" },
	{ ":", "invalid range ':': no start before ':' (use ~ for minus "
	    "infinity)" },
	{ "~", "invalid range '~': not a number" },
	{ "~10", "invalid range '~10': not a number" },
	{ "10:~", "invalid range '10:~': end is not a number" },
	{ "nan", "invalid range 'nan': not a number" },
	{ "inf", "invalid range 'inf': not a number" },
	{ "~:infinity", "invalid range '~:infinity': end is not a number" },
	{ "0x10", "invalid range '0x10': not a number" },
	{ " 10", "invalid range ' 10': not a number" },
	{ "10 ", "invalid range '10 ': not a number" },
	{ "@@10", "invalid range '@@10': not a number" },
	{ "1e", "invalid range '1e': not a number" },
	{ "1e999", "invalid range '1e999': not a number" },
	{ ".", "invalid range '.': not a number" },
	{ "-", "invalid range '-': not a number" },
	{ "1,5", "invalid range '1,5': not a number" },
	{ "1234567890123456789012345678901234567890123456789012345678901234",
	  "invalid range '123456789012345678901234567890123456789012345678901"
	  "234567890123': too long" },
};

int
main(void)
{
	upm_range r;
	upm_error err;
	size_t i;

	for (i = 0; i < sizeof(alert_cases) / sizeof(alert_cases[0]); i++) {
		const struct alert_case *c = &alert_cases[i];
		int parsed = upm_range_parse(c->range, &r, &err) == UPM_OK;

		OK(parsed && upm_range_alert(&r, c->value) == c->alert,
		    "'%s' with %g: %s", c->range, c->value,
		    c->alert ? "alert" : "no alert");
	}
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		memset(&r, 0x5a, sizeof(r));
		IS_INT(upm_range_parse(c->range, &r, &err), UPM_OK, c->range);
		OK(r.start_inf == c->start_inf && r.end_inf == c->end_inf &&
		    r.inside == c->inside, "  '%s': flags", c->range);
		OK((c->start_inf || r.start == c->start) &&
		    (c->end_inf || r.end == c->end), "  '%s': bounds %g %g",
		    c->range, r.start, r.end);
		IS_STR(r.text, c->range, "  text kept as given");
	}
	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		const struct invalid_case *c = &invalid_cases[i];

		memset(&r, 0, sizeof(r));
		r.end = 42;
		memset(&err, 0, sizeof(err));
		IS_INT(upm_range_parse(c->range, &r, &err), UPM_ERR_ARG,
		    c->text);
		IS_STR(err.text, c->text, "  message");
		OK(r.end == 42, "  range left untouched");
	}
	IS_INT(upm_range_parse(NULL, &r, &err), UPM_ERR_ARG, "NULL refused");
	IS_INT(upm_range_parse("1234567890123456789012345678901234567890"
	    "12345678901234567890123", &r, &err), UPM_OK, "63 characters fit");
	upm_range_parse("10", &r, &err);
	OK(upm_range_alert(&r, NAN), "NaN always alerts");
	return tap_done();
}
