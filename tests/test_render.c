/*
 * test_render.c - the summary, Nagios, text and JSON renderings of results
 * built by hand, compared byte for byte with tests/golden/<name>.txt.
 *
 * UPM_UPDATE_GOLDEN=1 rewrites the golden files from the current output;
 * read the diff before keeping them.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "upm_private.h"

/* ------------------------------------------------------------ fixtures */

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static void
result_init(upm_result *r, const char *data_time)
{
	memset(r, 0, sizeof(*r));
	upm_asn_list_init(&r->appeared);
	upm_asn_list_init(&r->disappeared);
	(void)snprintf(r->target, sizeof(r->target), "AS131279");
	(void)snprintf(r->source, sizeof(r->source), "ripestat-bgp-state");
	(void)snprintf(r->data_time, sizeof(r->data_time), "%s", data_time);
}

/* Appends one upstream; the caller keeps the list sorted as compute does. */
static void
add_upstream(upm_result *r, uint32_t asn, double share, uint64_t obs,
    size_t peers, size_t prefixes, int present, upm_upstream_status st)
{
	upm_upstream *u;

	r->upstreams = xrealloc(r->upstreams,
	    (r->n_upstreams + 1) * sizeof(*r->upstreams));
	u = &r->upstreams[r->n_upstreams++];
	memset(u, 0, sizeof(*u));
	u->asn = asn;
	u->share = share;
	u->observations = obs;
	u->sessions = peers;
	u->prefixes = prefixes;
	u->present = present;
	u->status = st;
	r->n_present += present != 0;
}

static void
result_clear(upm_result *r)
{
	free(r->upstreams);
	upm_asn_list_free(&r->appeared);
	upm_asn_list_free(&r->disappeared);
	memset(r, 0, sizeof(*r));
}

/* The one-upstream scenario: AS4837 alone, as expected. */
static void
make_one(upm_result *r)
{
	result_init(r, "2017-09-30T12:00:00");
	r->observations = 42;
	r->with_upstream = 40;
	r->direct = 1;
	r->unusable = 1;
	r->sessions = 10;
	r->prefixes = 4;
	r->baselined = 1;
	add_upstream(r, 4837, 100.0, 40, 10, 4, 1, UPM_ST_EXPECTED);
}

/* The October 2017 change: AS20485 beside AS4837, one-peer noise AS64999,
 * compared with the baseline {4837}. */
static void
make_two(upm_result *r)
{
	result_init(r, "2017-10-01T12:00:00");
	r->observations = 43;
	r->with_upstream = 41;
	r->direct = 1;
	r->unusable = 1;
	r->sessions = 10;
	r->prefixes = 4;
	r->baselined = 1;
	r->visibility.have = 1;
	r->visibility.v4_seeing = 310;
	r->visibility.v4_total = 325;
	(void)snprintf(r->warnings, sizeof(r->warnings), "1 unusable path");
	add_upstream(r, 4837, 24.0 / 41 * 100, 24, 6, 4, 1, UPM_ST_EXPECTED);
	add_upstream(r, 20485, 16.0 / 41 * 100, 16, 4, 4, 1, UPM_ST_NEW);
	add_upstream(r, 64999, 1.0 / 41 * 100, 1, 1, 1, 0, UPM_ST_UNBASELINED);
	(void)upm_asn_list_add(&r->appeared, 20485);
}

/* Back to one upstream against the baseline {3356, 4837, 20485}: AS20485
 * gone, AS3356 still seen by one peer (0.8%), so both disappeared. */
static void
make_gone(upm_result *r)
{
	result_init(r, "2017-10-02T00:00:00");
	r->observations = 125;
	r->with_upstream = 125;
	r->sessions = 12;
	r->prefixes = 4;
	r->baselined = 1;
	add_upstream(r, 4837, 124.0 / 125 * 100, 124, 12, 4, 1, UPM_ST_EXPECTED);
	add_upstream(r, 3356, 1.0 / 125 * 100, 1, 1, 1, 0, UPM_ST_MISSING);
	add_upstream(r, 20485, 0.0, 0, 0, 0, 0, UPM_ST_MISSING);
	(void)upm_asn_list_add(&r->disappeared, 20485);
	(void)upm_asn_list_add(&r->disappeared, 3356);
}

/* asn-neighbours without a baseline: every status word that is not about
 * a baseline. */
static void
make_unbaselined(upm_result *r)
{
	result_init(r, "");
	(void)snprintf(r->source, sizeof(r->source), "ripestat-asn-neighbours");
	r->observations = 1000;
	r->with_upstream = 1000;
	r->sessions = 500;
	r->prefixes = 0;
	add_upstream(r, 12479, 97.3, 973, 0, 0, 1, UPM_ST_UNBASELINED);
	add_upstream(r, 8220, 2.7, 27, 0, 0, 0, UPM_ST_UNBASELINED);
	add_upstream(r, 25259, 0.0, 0, 0, 0, 0, UPM_ST_UNBASELINED);
	r->upstreams[2].uncertain = 1;
}

static void
report_init(upm_report *rep, upm_state state, const char *message,
    const upm_result *r)
{
	memset(rep, 0, sizeof(*rep));
	rep->state = state;
	rep->message = message;
	rep->result = r;
	rep->target = "AS131279";
	rep->source = "ripestat-bgp-state";
}

static void
range_init(upm_range *range, const char *text)
{
	memset(range, 0, sizeof(*range));
	(void)snprintf(range->text, sizeof(range->text), "%s", text);
}

/* -------------------------------------------------------------- golden */

static char *
golden_path(const char *name)
{
	const char *file = __FILE__, *slash = strrchr(file, '/');
	int dir = slash ? (int)(slash - file) : 1;
	size_t n = strlen(file) + strlen(name) + 16;
	char *p = xrealloc(NULL, n);

	(void)snprintf(p, n, "%.*s/golden/%s.txt", dir, slash ? file : ".",
	    name);
	return p;
}

/* The whole file, NUL-terminated; NULL when it cannot be read. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, got;
	char chunk[4096];

	if (f == NULL)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		data = xrealloc(data, n + got + 1);
		memcpy(data + n, chunk, got);
		n += got;
	}
	fclose(f);
	if (data == NULL)
		data = xrealloc(NULL, 1);
	data[n] = '\0';
	*len = n;
	return data;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void
print_commented(const char *label, const char *s)
{
	printf("#   %s:\n#   | ", label);
	for (; *s != '\0'; s++) {
		putchar(*s);
		if (*s == '\n' && s[1] != '\0')
			printf("#   | ");
	}
	printf("\n");
}

/* Compares got with the golden file name, byte for byte. */
static void
golden(const char *name, const upm_buf *got)
{
	char *path = golden_path(name), *want;
	const char *text = got->data ? got->data : "";
	size_t want_len = 0;
	int same;

	if (getenv("UPM_UPDATE_GOLDEN") != NULL &&
	    strcmp(getenv("UPM_UPDATE_GOLDEN"), "1") == 0 &&
	    write_file(path, text, got->len) != 0)
		printf("# cannot write %s\n", path);
	want = read_file(path, &want_len);
	same = want != NULL && want_len == got->len &&
	    memcmp(want, text, want_len) == 0;
	OK(same, "%s matches %s", name, path);
	if (!same) {
		print_commented("got", text);
		print_commented("want", want ? want : "(no file)");
	}
	free(want);
	free(path);
}

/* ---------------------------------------------------------------- tests */

static int
starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The summary of r, as the check builds its message. */
static char *
summary(const upm_result *r)
{
	upm_buf b;

	upm_buf_init(&b);
	if (upm_render_summary(r, &b) != UPM_OK) {
		upm_buf_free(&b);
		return NULL;
	}
	return upm_buf_steal(&b);
}

static void
test_state_names(void)
{
	IS_STR(upm_state_name(UPM_STATE_OK), "OK", "state name OK");
	IS_STR(upm_state_name(UPM_STATE_WARNING), "WARNING", "state name WARNING");
	IS_STR(upm_state_name(UPM_STATE_CRITICAL), "CRITICAL",
	    "state name CRITICAL");
	IS_STR(upm_state_name(UPM_STATE_UNKNOWN), "UNKNOWN", "state name UNKNOWN");
	IS_STR(upm_state_name((upm_state)7), "UNKNOWN",
	    "out-of-range state is UNKNOWN");
}

static void
test_summaries(void)
{
	upm_result r;
	char *s;

	make_one(&r);
	s = summary(&r);
	IS_STR(s, "1 upstream: AS4837 100.0%", "summary: one upstream, singular");
	free(s);
	result_clear(&r);

	make_two(&r);
	s = summary(&r);
	IS_STR(s, "AS20485 appeared (39.0%); 2 upstreams: AS4837 58.5%, "
	    "AS20485 39.0%", "summary: appeared first, then the present set");
	free(s);
	result_clear(&r);

	make_gone(&r);
	s = summary(&r);
	IS_STR(s, "AS3356 disappeared (0.8%), AS20485 disappeared; 1 upstream: "
	    "AS4837 99.2%", "summary: disappeared, share when still seen");
	free(s);
	result_clear(&r);

	/* Everything gone: none present, both baseline upstreams missing. */
	result_init(&r, "");
	r.baselined = 1;
	add_upstream(&r, 64999, 100.0, 3, 1, 1, 0, UPM_ST_UNBASELINED);
	add_upstream(&r, 4837, 0.0, 0, 0, 0, 0, UPM_ST_MISSING);
	(void)upm_asn_list_add(&r.disappeared, 4837);
	s = summary(&r);
	IS_STR(s, "AS4837 disappeared; no upstream present",
	    "summary: no upstream present");
	free(s);
	result_clear(&r);

	/* Appeared and disappeared together. */
	result_init(&r, "");
	r.baselined = 1;
	add_upstream(&r, 20485, 100.0, 9, 3, 1, 1, UPM_ST_NEW);
	add_upstream(&r, 4837, 0.0, 0, 0, 0, 0, UPM_ST_MISSING);
	(void)upm_asn_list_add(&r.appeared, 20485);
	(void)upm_asn_list_add(&r.disappeared, 4837);
	s = summary(&r);
	IS_STR(s, "AS20485 appeared (100.0%), AS4837 disappeared; 1 upstream: "
	    "AS20485 100.0%", "summary: a swap names both changes");
	free(s);
	result_clear(&r);
}

/* Renders rep with fn into a fresh buffer and compares it with name. */
static void
golden_render(const char *name, upm_status (*fn)(const upm_report *, upm_buf *),
    const upm_report *rep, upm_buf *keep)
{
	upm_buf out;

	upm_buf_init(&out);
	IS_INT(fn(rep, &out), UPM_OK, "render ok");
	golden(name, &out);
	if (keep != NULL)
		*keep = out;
	else
		upm_buf_free(&out);
}

static void
test_nagios(void)
{
	upm_result r;
	upm_report rep;
	upm_range warn, crit;
	upm_buf out;
	char *msg;

	make_one(&r);
	msg = summary(&r);
	report_init(&rep, UPM_STATE_OK, msg, &r);
	golden_render("nagios_one", upm_render_nagios, &rep, &out);
	OK(starts_with(out.data, "UPSTREAMS OK - 1 upstream: AS4837 100.0% | "
	    "upstreams=1;;;0 'AS4837'=100.00%;;;0;100 others=0.00%;;;0;100 "
	    "others_count=0;;;0 observations=42;;;0 direct=1;;;0 "
	    "unusable=1;;;0 malformed=0;;;0 peers=10;;;0 requests=0;;;0\n"),
	    "nagios: status line and perfdata as the e2e test wants");
	OK(strstr(out.data, "\nAS4837: 100.00% of paths, 10 peers, 4 prefixes, "
	    "expected\n") != NULL, "nagios: long output line");
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);

	make_two(&r);
	msg = summary(&r);
	report_init(&rep, UPM_STATE_CRITICAL, msg, &r);
	range_init(&warn, "@1:1");
	range_init(&crit, "2:");
	rep.warn = &warn;
	rep.crit = &crit;
	golden_render("nagios_two", upm_render_nagios, &rep, &out);
	OK(strstr(out.data, " | upstreams=2;@1:1;2:;0 'AS4837'=58.54%;;;0;100 "
	    "'AS20485'=39.02%;;;0;100 others=2.44%;;;0;100 others_count=1;;;0 ")
	    != NULL, "nagios: thresholds, the upstreams present or in the "
	    "baseline and the others aggregated in perfdata");
	OK(strstr(out.data, "'AS64999'=") == NULL,
	    "nagios: no label of its own for noise");
	OK(strstr(out.data, "\nAS64999: 2.44% of paths, 1 peer, 1 prefix, "
	    "below thresholds\n") != NULL, "nagios: noise is below thresholds");
	OK(strstr(out.data, "\nAS20485: 39.02% of paths, 4 peers, 4 prefixes, "
	    "new\n") != NULL, "nagios: appeared upstream is new");
	OK(strstr(out.data, "\ndata time: 2017-10-01T12:00:00 UTC, source: "
	    "ripestat-bgp-state\nwarnings: 1 unusable path\n") != NULL,
	    "nagios: data time, source and warnings lines");
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);

	make_gone(&r);
	msg = summary(&r);
	report_init(&rep, UPM_STATE_CRITICAL, msg, &r);
	golden_render("nagios_gone", upm_render_nagios, &rep, &out);
	OK(strstr(out.data, "'AS20485'=0.00%;;;0;100") != NULL,
	    "nagios: missing upstream has a zero share in perfdata");
	OK(strstr(out.data, "\nAS3356: 0.80% of paths, 1 peer, 1 prefix, "
	    "missing\n") != NULL, "nagios: missing even when still seen");
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);

	report_init(&rep, UPM_STATE_UNKNOWN,
	    "network error: connection refused", NULL);
	golden_render("nagios_unknown", upm_render_nagios, &rep, &out);
	IS_STR(out.data, "UPSTREAMS UNKNOWN - network error: connection refused\n",
	    "nagios: UNKNOWN without result is the status line alone");
	upm_buf_free(&out);

	make_unbaselined(&r);
	msg = summary(&r);
	report_init(&rep, UPM_STATE_OK, msg, &r);
	golden_render("nagios_unbaselined", upm_render_nagios, &rep, &out);
	OK(strstr(out.data, "\nAS12479: 97.30% by RIS peers, 0 peers, "
	    "present\n") != NULL, "nagios: unbaselined present neighbour, "
	    "share by RIS peers");
	OK(strstr(out.data, "\nAS25259: 0.00% by RIS peers, 0 peers, "
	    "uncertain\n") != NULL, "nagios: uncertain neighbour");
	OK(strstr(out.data, "data time:") == NULL,
	    "nagios: no data time line without a data time");
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);
}

static void
test_text(void)
{
	upm_result r;
	upm_report rep;
	upm_buf out;
	char *msg;

	make_two(&r);
	msg = summary(&r);
	report_init(&rep, UPM_STATE_CRITICAL, msg, &r);
	golden_render("text_two", upm_render_text, &rep, &out);
	OK(strstr(out.data, "\nUpstream  Share  Obs  Peers  Prefixes  Status\n")
	    != NULL, "text: table heading");
	OK(strstr(out.data, "\nAS20485   39.0%   16      4         4  new\n")
	    != NULL, "text: aligned row (e2e matches 'AS20485 +39.0%%')");
	OK(strstr(out.data, " \n") == NULL, "text: no trailing blanks");
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);

	report_init(&rep, UPM_STATE_UNKNOWN, "HTTP error: HTTP 503", NULL);
	golden_render("text_unknown", upm_render_text, &rep, &out);
	OK(strstr(out.data, "Upstream") == NULL, "text: no table without data");
	upm_buf_free(&out);
}

/* Parses a rendered JSON document; NULL (and a note) when it is not one. */
static json_t *
reparse(const upm_buf *out)
{
	json_error_t jerr;
	json_t *root = json_loads(out->data ? out->data : "", 0, &jerr);

	if (root == NULL)
		printf("# json: %s at line %d\n", jerr.text, jerr.line);
	return root;
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *
upstream_of(json_t *root, long long asn)
{
	json_t *a = json_object_get(root, "upstreams"), *u;
	size_t i;

	json_array_foreach(a, i, u)
		if (json_integer_value(json_object_get(u, "asn")) == asn)
			return u;
	return NULL;
}

static void
test_json_two(void)
{
	upm_result r;
	upm_report rep;
	upm_range crit;
	upm_buf out;
	json_t *root, *u, *a;
	char *msg;

	make_two(&r);
	msg = summary(&r);
	report_init(&rep, UPM_STATE_CRITICAL, msg, &r);
	range_init(&crit, "2:");
	rep.crit = &crit;
	golden_render("json_two", upm_render_json, &rep, &out);
	OK(out.len > 0 && out.data[out.len - 1] == '\n' &&
	    strchr(out.data, '\n') == out.data + out.len - 1,
	    "json: one line ending with a newline");
	root = reparse(&out);
	OK(root != NULL && json_is_object(root), "json: parses as an object");
	IS_STR(jstr(root, "target"), "AS131279", "json: target");
	IS_STR(jstr(root, "state"), "CRITICAL", "json: state");
	IS_STR(jstr(root, "message"), msg, "json: message is the summary");
	IS_STR(jstr(root, "data_time"), "2017-10-01T12:00:00", "json: data_time");
	IS_INT(json_integer_value(json_object_get(root, "observations")), 43,
	    "json: observations");
	IS_INT(json_integer_value(json_object_get(root, "direct")), 1,
	    "json: direct");
	OK(json_is_true(json_object_get(root, "baselined")), "json: baselined");
	a = json_object_get(root, "appeared");
	OK(json_is_array(a) && json_array_size(a) == 1 &&
	    json_integer_value(json_array_get(a, 0)) == 20485,
	    "json: appeared [20485]");
	OK(json_is_array(json_object_get(root, "disappeared")) &&
	    json_array_size(json_object_get(root, "disappeared")) == 0,
	    "json: disappeared []");
	u = upstream_of(root, 4837);
	OK(u != NULL && json_is_real(json_object_get(u, "share")) &&
	    fabs(json_real_value(json_object_get(u, "share")) - 58.54) < 1e-9,
	    "json: share rounded to two decimals");
	IS_STR(jstr(u, "status"), "expected", "json: expected status");
	u = upstream_of(root, 64999);
	OK(u != NULL && json_is_false(json_object_get(u, "present")),
	    "json: noise not present");
	IS_STR(jstr(u, "status"), "unbaselined", "json: noise unbaselined");
	OK(strstr(out.data, "\"share\":58.54,") != NULL,
	    "json: share printed as 58.54, not 58.539999...");
	IS_INT(json_integer_value(json_object_get(json_object_get(root,
	    "visibility"), "v4_total")), 325, "json: visibility object");
	IS_STR(jstr(json_object_get(root, "thresholds"), "critical"), "2:",
	    "json: critical threshold");
	OK(json_is_null(json_object_get(json_object_get(root, "thresholds"),
	    "warning")), "json: no warning threshold is null");
	json_decref(root);
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);
}

static void
test_json_unknown(void)
{
	upm_report rep;
	upm_buf out;
	json_t *root;

	report_init(&rep, UPM_STATE_UNKNOWN, "data source in maintenance: "
	    "RIPEstat answered without data", NULL);
	golden_render("json_unknown", upm_render_json, &rep, &out);
	root = reparse(&out);
	OK(root != NULL, "json unknown: parses");
	IS_STR(jstr(root, "state"), "UNKNOWN", "json unknown: state");
	IS_STR(jstr(root, "target"), "AS131279", "json unknown: target from report");
	IS_STR(jstr(root, "source"), "ripestat-bgp-state",
	    "json unknown: source from report");
	OK(json_is_null(json_object_get(root, "observations")) &&
	    json_is_null(json_object_get(root, "data_time")) &&
	    json_is_null(json_object_get(root, "visibility")),
	    "json unknown: data is null");
	OK(json_is_array(json_object_get(root, "upstreams")) &&
	    json_array_size(json_object_get(root, "upstreams")) == 0,
	    "json unknown: upstreams []");
	OK(json_is_false(json_object_get(root, "baselined")),
	    "json unknown: not baselined");
	json_decref(root);
	upm_buf_free(&out);
}

/* Text from outside (a server's message, an error) must not break any
 * format: '|' ends Nagios plugin output, newlines end the status line,
 * quotes and bytes that are not UTF-8 must not break JSON. */
static void
test_escaping(void)
{
	static const char msg[] = "bad \"answer\" | from\nserver: caf\xc3\xa9 \xff!";
	upm_result r;
	upm_report rep;
	upm_buf out;
	json_t *root;

	make_one(&r);
	(void)snprintf(r.warnings, sizeof(r.warnings), "odd | warning\r\n");
	report_init(&rep, UPM_STATE_OK, msg, &r);

	upm_buf_init(&out);
	IS_INT(upm_render_nagios(&rep, &out), UPM_OK, "escape: nagios ok");
	OK(starts_with(out.data, "UPSTREAMS OK - bad \"answer\" / from server: "
	    "caf\xc3\xa9 \xff! | upstreams=1"),
	    "escape: '|' becomes '/', newline a space, in the status line");
	OK(strstr(out.data, "\nwarnings: odd / warning  \n") != NULL,
	    "escape: '|' and CR LF cleaned in the long output");
	OK(strchr(strchr(out.data, '|') + 1, '|') == NULL,
	    "escape: the only '|' is the perfdata separator");
	upm_buf_free(&out);

	IS_INT(upm_render_json(&rep, &out), UPM_OK, "escape: json ok");
	root = reparse(&out);
	OK(root != NULL, "escape: json still parses");
	IS_STR(jstr(root, "message"),
	    "bad \"answer\" | from\nserver: caf\xc3\xa9 ?!",
	    "escape: quotes, newline and UTF-8 kept, invalid byte replaced");
	IS_STR(jstr(root, "warnings"), "odd | warning\r\n",
	    "escape: warnings kept in json");
	json_decref(root);
	upm_buf_free(&out);

	IS_INT(upm_render_text(&rep, &out), UPM_OK, "escape: text ok");
	OK(strstr(out.data, "bad \"answer\" | from server: caf\xc3\xa9") != NULL,
	    "escape: text keeps '|' but not the newline");
	upm_buf_free(&out);
	result_clear(&r);
}

static void
test_appending_and_errors(void)
{
	upm_report rep;
	upm_buf out;

	report_init(&rep, UPM_STATE_WARNING, "w", NULL);
	upm_buf_init(&out);
	(void)upm_buf_append(&out, "before\n", 7);
	IS_INT(upm_render_nagios(&rep, &out), UPM_OK, "append: ok");
	IS_STR(out.data, "before\nUPSTREAMS WARNING - w\n",
	    "append: output goes after what the buffer holds");
	IS_INT(upm_render_nagios(NULL, &out), UPM_ERR_ARG, "nagios: NULL report");
	IS_INT(upm_render_text(NULL, &out), UPM_ERR_ARG, "text: NULL report");
	IS_INT(upm_render_json(NULL, &out), UPM_ERR_ARG, "json: NULL report");
	IS_INT(upm_render_summary(NULL, &out), UPM_ERR_ARG, "summary: NULL result");
	IS_STR(out.data, "before\nUPSTREAMS WARNING - w\n",
	    "errors leave the buffer alone");
	upm_buf_free(&out);
}

/* The request counts: perfdata, -vv's line, the JSON object. */
static void
test_requests(void)
{
	upm_result r;
	upm_report rep;
	upm_buf out;
	char *msg;

	make_one(&r);
	snprintf(r.requests[0].what, sizeof(r.requests[0].what),
	    "ripestat-bgp-state");
	r.requests[0].requests = 2;
	r.requests[0].cached = 1;
	snprintf(r.requests[1].what, sizeof(r.requests[1].what),
	    "ripestat-routing-status");
	r.requests[1].requests = 1;
	r.n_requests = 2;
	r.requests_total = 3;
	r.cached_total = 1;
	msg = summary(&r);
	report_init(&rep, UPM_STATE_OK, msg, &r);
	upm_buf_init(&out);
	IS_INT(upm_render_nagios(&rep, &out), UPM_OK, "requests: render");
	OK(strstr(out.data, " peers=10;;;0 requests=3;;;0\n") != NULL,
	    "requests: perfdata value 'requests', the requests sent");
	OK(strstr(out.data, "requests: ") == NULL,
	    "requests: no long-output line without -vv");
	upm_buf_free(&out);
	rep.verbose = 2;
	IS_INT(upm_render_nagios(&rep, &out), UPM_OK, "requests: render -vv");
	OK(strstr(out.data, "\nrequests: 3 sent (ripestat-bgp-state 2, "
	    "ripestat-routing-status 1), 1 from the cache\n") != NULL,
	    "requests: -vv names each call");
	upm_buf_free(&out);
	IS_INT(upm_render_json(&rep, &out), UPM_OK, "requests: json");
	OK(strstr(out.data, "\"requests\":{\"sent\":3,\"cached\":1,"
	    "\"by_call\":{\"ripestat-bgp-state\":{\"sent\":2,\"cached\":1},"
	    "\"ripestat-routing-status\":{\"sent\":1,\"cached\":0}}}") != NULL,
	    "requests: json by call");
	upm_buf_free(&out);
	free(msg);
	result_clear(&r);
}

int
main(void)
{
	test_state_names();
	test_summaries();
	test_nagios();
	test_text();
	test_json_two();
	test_json_unknown();
	test_escaping();
	test_appending_and_errors();
	test_requests();
	return tap_done();
}
