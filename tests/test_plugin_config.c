/*
 * test_plugin_config.c - the collectd plugin's configuration handling and
 * its read callback, with the collectd daemon replaced by recording stubs
 * (plugin_stubs.h).  The plugin source is compiled in here so that its
 * static functions and structures can be looked at.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include "plugin_stubs.h"

#include "../collectd-plugin/upstreams.c"
#include "plugin_wait.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

/* ------------------------------------------- a small config reader */

/* Reads the subset of collectd's configuration syntax the tests need:
 * "Key value ..." lines (quoted strings, numbers, true/false, bare words)
 * and <Block "value"> ... </Block>.  The result is the <Plugin upstreams>
 * item, as collectd hands it to the config callback. */

static void
cfg_free(oconfig_item_t *ci)
{
	if (ci == NULL)
		return;
	stub_free_config_item(ci);
	free(ci);
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void
add_value(oconfig_item_t *ci, const char *tok, size_t len, int quoted)
{
	oconfig_value_t *v;
	char *s = xstrndup(tok, len), *end;
	double d;

	ci->values = xrealloc(ci->values, sizeof(*ci->values) *
	    (size_t)(ci->values_num + 1));
	v = &ci->values[ci->values_num++];
	memset(v, 0, sizeof(*v));
	d = strtod(s, &end);
	if (!quoted && len > 0 && *end == '\0') {
		v->type = OCONFIG_TYPE_NUMBER;
		v->value.number = d;
		free(s);
	} else if (!quoted && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
		v->type = OCONFIG_TYPE_BOOLEAN;
		v->value.boolean = s[0] == 't';
		free(s);
	} else {
		v->type = OCONFIG_TYPE_STRING;
		v->value.string = s;
	}
}

/* "Key v1 v2 ..." (line without the block brackets) into ci. */
static void
parse_line(oconfig_item_t *ci, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *tok;

	while (p < end && *p == ' ')
		p++;
	tok = p;
	while (p < end && *p != ' ')
		p++;
	ci->key = xstrndup(tok, (size_t)(p - tok));
	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		if (*p == '"') {
			tok = ++p;
			while (p < end && *p != '"')
				p++;
			add_value(ci, tok, (size_t)(p - tok), 1);
			p++;
		} else {
			tok = p;
			while (p < end && *p != ' ')
				p++;
			add_value(ci, tok, (size_t)(p - tok), 0);
		}
	}
}

static void
add_child(oconfig_item_t *parent, const oconfig_item_t *child)
{
	parent->children = xrealloc(parent->children,
	    sizeof(*parent->children) * (size_t)(parent->children_num + 1));
	parent->children[parent->children_num++] = *child;
}

/* Items up to the closing "</...>" (or the end) into parent. */
static void
parse_items(const char **text, oconfig_item_t *parent)
{
	const char *line, *nl;
	size_t len;

	while (**text != '\0') {
		oconfig_item_t item;

		line = *text;
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		*text = nl ? nl + 1 : line + len;
		while (len > 0 && (*line == ' ' || *line == '\t'))
			line++, len--;
		if (len == 0)
			continue;
		if (line[0] == '<' && line[1] == '/')
			return;
		memset(&item, 0, sizeof(item));
		if (line[0] == '<') {
			parse_line(&item, line + 1, len - 2);
			parse_items(text, &item);
		} else
			parse_line(&item, line, len);
		add_child(parent, &item);
	}
}

static oconfig_item_t *
cfg(const char *text)
{
	oconfig_item_t *ci = xrealloc(NULL, sizeof(*ci));

	memset(ci, 0, sizeof(*ci));
	ci->key = xstrndup("Plugin", 6);
	add_value(ci, "upstreams", 9, 1);
	parse_items(&text, ci);
	return ci;
}

/* Runs the config callback on text; returns its status. */
static int
configure(const char *text)
{
	oconfig_item_t *ci = cfg(text);
	int rc = stub.config_cb(ci);

	cfg_free(ci);
	return rc;
}

static struct up_target *
target_of(const char *read_name)
{
	const struct stub_read *r = stub_find_read(read_name);

	return r != NULL ? r->ud.data : NULL;
}

/* ---------------------------------------------------------- tests */

static void
test_register(void)
{
	module_register();
	IS_STR(stub.config_name, "upstreams", "complex config registered as 'upstreams'");
	OK(stub.config_cb == up_config, "config callback");
	OK(stub.init_cb == up_init, "init callback");
	OK(stub.shutdown_cb == up_shutdown, "shutdown callback");
}

static void
test_good_config(void)
{
	const struct stub_read *r;
	struct up_target *t;
	int rc;

	stub_clear_records();
	rc = configure(
	    "RipestatURL \"http://127.0.0.1:9/\"\n"
	    "SourceApp \"test\"\n"
	    "Timeout 7000\n"
	    "Retries 1\n"
	    "MaxSize 100000\n"
	    "<Target \"dprk\">\n"
	    "  ASN 131279\n"
	    "  Source \"ripestat-bgp-state\"\n"
	    "  Interval 300\n"
	    "  Expect 4837 \"AS20485\"\n"
	    "  Expect \"3356,1299\"\n"
	    "  MinPeers 3\n"
	    "  MinShare 2.5\n"
	    "</Target>\n"
	    "<Target \"uni_AS-1205\">\n"
	    "  ASN \"AS1205\"\n"
	    "  Source \"ripestat-looking-glass\"\n"
	    "  Prefix \"140.78.0.0/16\" \"193.170.0.0/15\"\n"
	    "  Prefix \"2001:628::/32\"\n"
	    "  Timeout 2500\n"
	    "  SourceApp \"other\"\n"
	    "  StateFile \"/var/lib/collectd/uni.state\"\n"
	    "  Visibility true\n"
	    "</Target>\n");
	IS_INT(rc, 0, "good config: callback returns 0");
	IS_INT(stub.n_reads, 2, "two targets: two reads registered");
	IS_INT(stub_logged(LOG_WARNING, ""), 0, "no warnings");
	IS_INT(stub_logged(LOG_ERR, ""), 0, "no errors");

	r = stub_find_read("upstreams-dprk");
	OK(r != NULL, "read named upstreams-dprk");
	if (r != NULL) {
		IS_STR(r->group, "upstreams", "read group is the plugin name");
		OK(r->interval == TIME_T_TO_CDTIME_T(300), "Interval 300 -> 300 s");
		OK(r->callback == up_read, "read callback");
		OK(r->ud.free_func == up_target_free, "free function set");
	}
	r = stub_find_read("upstreams-uni_AS-1205");
	OK(r != NULL, "read named upstreams-uni_AS-1205");
	if (r != NULL)
		OK(r->interval == 0, "no Interval: 0, the global interval");

	if ((t = target_of("upstreams-dprk")) != NULL) {
		IS_INT(t->asn, 131279, "ASN as a number");
		IS_INT(t->source, UPM_SRC_BGP_STATE, "Source bgp-state");
		IS_INT(t->have_expect, 1, "Expect given");
		IS_INT(t->expect.n, 4, "Expect across values and lines: 4 ASes");
		if (t->expect.n == 4)
			OK(t->expect.v[0] == 1299 && t->expect.v[1] == 3356 &&
			    t->expect.v[2] == 4837 && t->expect.v[3] == 20485,
			    "Expect: 1299 3356 4837 20485");
		IS_INT(t->params.min_peers, 3, "MinPeers");
		OK(t->params.min_share == 2.5, "MinShare");
		IS_INT(t->timeout_ms, 7000, "global Timeout inherited");
		IS_INT(t->retries, 1, "global Retries inherited");
		IS_INT(t->max_bytes, 100000, "global MaxSize inherited");
		IS_STR(t->ripestat_url, "http://127.0.0.1:9/", "global RipestatURL");
		IS_STR(t->sourceapp, "test", "global SourceApp");
		OK(t->state_file == NULL, "no StateFile");
	} else
		OK(0, "target dprk registered");
	if ((t = target_of("upstreams-uni_AS-1205")) != NULL) {
		IS_INT(t->asn, 1205, "ASN as \"AS1205\"");
		IS_INT(t->source, UPM_SRC_LOOKING_GLASS, "Source looking-glass");
		IS_INT(t->n_prefixes, 3, "Prefix across values and lines");
		if (t->n_prefixes == 3)
			IS_STR(t->prefixes[2], "2001:628::/32", "IPv6 prefix kept");
		IS_INT(t->timeout_ms, 2500, "Timeout overridden per target (ms)");
		IS_STR(t->sourceapp, "other", "SourceApp overridden per target");
		IS_STR(t->ripestat_url, "http://127.0.0.1:9/",
		    "RipestatURL inherited");
		IS_STR(t->state_file, "/var/lib/collectd/uni.state", "StateFile");
		OK(t->visibility, "Visibility true");
		IS_INT(t->have_expect, 0, "no Expect");
	} else
		OK(0, "target uni registered");
	stub_free_reads();
}

/* One broken block beside a good one: skipped with a warning that says
 * why, the good one still registered. */
static void
broken_block(const char *body, const char *warning)
{
	char text[1024];
	int rc;

	stub_clear_records();
	(void)snprintf(text, sizeof(text), "<Target \"good\">\nASN 131279\n"
	    "</Target>\n<Target \"bad\">\n%s\n</Target>\n", body);
	rc = configure(text);
	IS_INT(rc, 0, "broken block beside a good one: config still succeeds");
	OK(stub_find_read("upstreams-good") != NULL &&
	    stub_find_read("upstreams-bad") == NULL && stub.n_reads == 1,
	    "only the good block registered");
	if (!OK(stub_logged(LOG_WARNING, warning) == 1,
	    "warning: %s", warning))
		for (size_t i = 0; i < stub.n_logs; i++)
			printf("#   logged: %s\n", stub.logs[i].text);
	stub_free_reads();
}

static void
test_broken_blocks(void)
{
	static const struct {
		const char *body, *warning;
	} cases[] = {
		{ "ASN 1\nFoo 1", "unknown config key 'Foo' in <Target \"bad\">; block skipped" },
		{ "ASN \"12x\"", "invalid value for 'ASN' in <Target \"bad\">" },
		{ "ASN 1.5", "invalid value for 'ASN' in <Target \"bad\">" },
		{ "ASN 0", "invalid value for 'ASN' in <Target \"bad\">" },
		{ "ASN -5", "invalid value for 'ASN' in <Target \"bad\">" },
		{ "ASN 4294967296", "invalid value for 'ASN' in <Target \"bad\">" },
		{ "ASN 1 2", "invalid value for 'ASN' in <Target \"bad\">" },
		{ "MinPeers 2", "<Target \"bad\">: no ASN given" },
		{ "ASN 1\nPrefix \"10.0.0.0/8\"", "Prefix goes with Source" },
		{ "ASN 1\nSource \"ripestat-bogus\"", "invalid value for 'Source'" },
		{ "ASN 1\nSource \"ripestat-looking-glass\"\nPrefix \"10.0.0.0/33\"", "invalid value for 'Prefix'" },
		{ "ASN 1\nInterval 0", "invalid value for 'Interval'" },
		{ "ASN 1\nInterval -1", "invalid value for 'Interval'" },
		{ "ASN 1\nMinShare 101", "invalid value for 'MinShare'" },
		{ "ASN 1\nMinPeers 1.5", "invalid value for 'MinPeers'" },
		{ "ASN 1\nExpect \"AS4837x\"", "invalid value for 'Expect'" },
		{ "ASN 1\nExpect", "invalid value for 'Expect'" },
		{ "ASN 1\nExpect 4837 0", "invalid value for 'Expect'" },
		{ "ASN 1\nTimeout 0", "invalid value for 'Timeout'" },
		{ "ASN 1\nRetries 11", "invalid value for 'Retries'" },
		{ "ASN 1\nMaxSize 10", "invalid value for 'MaxSize'" },
		{ "ASN 1\nStateFile \"\"", "invalid value for 'StateFile'" },
		{ "ASN 1\nSourceApp \"\"", "invalid value for 'SourceApp'" },
		{ "ASN 1\nVisibility \"maybe\"", "invalid value for 'Visibility'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		broken_block(cases[i].body, cases[i].warning);
}

static void
test_names(void)
{
	static const char *const bad[] = {
		"<Target \"a.b\">", "<Target \"\">", "<Target \"x\" \"y\">",
		"<Target 5>", "<Target>", "<Target \"a b\">",
		"<Target \"0123456789012345678901234567890123456789012345678901234567890123\">",
	};
	char text[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		stub_clear_records();
		(void)snprintf(text, sizeof(text), "<Target \"good\">\nASN 1\n"
		    "</Target>\n%s\nASN 131279\n</Target>\n", bad[i]);
		rc = configure(text);
		OK(rc == 0 && stub.n_reads == 1 &&
		    stub_logged(LOG_WARNING, "<Target> needs one name") == 1,
		    "bad target name %s: skipped with a warning", bad[i]);
		stub_free_reads();
	}
	stub_clear_records();
	(void)snprintf(text, sizeof(text), "<Target \"%.63s\">\nASN 1\n"
	    "</Target>\n", "_-0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	rc = configure(text);
	OK(rc == 0 && stub.n_reads == 1, "a 63-character name of every "
	    "allowed character is accepted");
	stub_free_reads();

	stub_clear_records();
	rc = configure("<Target \"dprk\">\nASN 131279\nInterval 10\n</Target>\n"
	    "<Target \"dprk\">\nASN 131279\nInterval 20\n</Target>\n"
	    "<target \"other\">\nasn 1\n</target>\n");
	IS_INT(rc, 0, "duplicate names: config succeeds");
	IS_INT(stub.n_reads, 2, "duplicate names: second block skipped");
	OK(stub_find_read("upstreams-dprk") != NULL &&
	    stub_find_read("upstreams-dprk")->interval == TIME_T_TO_CDTIME_T(10),
	    "the first block of that name is the one kept");
	IS_INT(stub_logged(LOG_WARNING, "duplicate target name 'dprk'"), 1,
	    "duplicate name warned");
	OK(stub_find_read("upstreams-other") != NULL,
	    "keys are case-insensitive, as in collectd");
	stub_free_reads();
}

static void
test_unusable(void)
{
	int rc;

	stub_clear_records();
	rc = configure("<Target \"a\">\nFoo 1\n</Target>\n<Target \"b\">\n"
	    "ASN x\n</Target>\n");
	IS_INT(rc, -1, "no usable block: config fails");
	IS_INT(stub.n_reads, 0, "no usable block: nothing registered");
	IS_INT(stub_logged(LOG_WARNING, "block skipped"), 2, "both blocks warned");
	IS_INT(stub_logged(LOG_ERR, "no usable <Target> block"), 1,
	    "error: no usable block");

	stub_clear_records();
	rc = configure("Timeout 5\n");
	IS_INT(rc, -1, "no Target block at all: config fails");

	stub_clear_records();
	rc = configure("Bogus 1\n<Target \"a\">\nASN 1\n</Target>\n");
	IS_INT(rc, -1, "unknown key in the plugin block: config fails");
	IS_INT(stub_logged(LOG_ERR, "unknown config key 'Bogus' in <Plugin upstreams>"),
	    1, "names the key and the block");
	IS_INT(stub.n_reads, 0, "and registers nothing");

	stub_clear_records();
	rc = configure("Timeout \"soon\"\n<Target \"a\">\nASN 1\n</Target>\n");
	IS_INT(rc, -1, "bad global Timeout: config fails");
	IS_INT(stub_logged(LOG_ERR, "invalid value for 'Timeout'"), 1,
	    "names the key");

	stub_clear_records();
	stub.fail_register = 1;
	rc = configure("<Target \"a\">\nASN 1\nExpect 2\n</Target>\n");
	stub.fail_register = 0;
	IS_INT(rc, -1, "registration refused by collectd: config fails");
	IS_INT(stub_logged(LOG_WARNING, "cannot register the read of <Target \"a\">"),
	    1, "refused registration warned (and the target freed)");
}

/* ------------------------------------------------------ reads */

static char workdir[256];

/* A bgp-state answer: 10 vantage points x 2 prefixes reaching AS131279
 * through AS4837, or (two) peers 6..9 through AS20485. */
/* The vantage points of the fixtures: networks of the transit-free
 * clique, so that both upstreams show provider evidence (a path from a
 * clique AS through the neighbour), as they would on the real Internet. */
static const unsigned clique_vp[10] = {
	174, 209, 286, 701, 1239, 1299, 2914, 3257, 3356, 6453
};

static void
write_bgp_state(int two)
{
	char path[512];
	upm_buf b;
	FILE *f;
	int i, p, first = 1;

	upm_buf_init(&b);
	upm_buf_printf(&b, "{\"status\": \"ok\", \"data_call_status\": "
	    "\"supported - connecting to ursa\", \"messages\": [], \"data\": "
	    "{\"resource\": \"131279\", \"query_time\": \"2017-10-01T12:00:00\", "
	    "\"bgp_state\": [");
	for (p = 0; p < 2; p++)
		for (i = 0; i < 10; i++) {
			upm_buf_printf(&b, "%s{\"source_id\": \"00-192.0.2.%d\", "
			    "\"path\": [%d, %d, 131279], \"target_prefix\": "
			    "\"175.45.17%d.0/24\", \"community\": []}",
			    first ? "" : ", ", i + 1, clique_vp[i],
			    two && i >= 6 ? 20485 : 4837, 6 + p);
			first = 0;
		}
	upm_buf_printf(&b, "]}}");
	(void)snprintf(path, sizeof(path), "%s/data/bgp-state/data.json",
	    workdir);
	if ((f = fopen(path, "w")) == NULL || fwrite(b.data, 1, b.len, f) !=
	    b.len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	upm_buf_free(&b);
}

static int
read_now(const char *name)
{
	const struct stub_read *r = stub_find_read(name);
	user_data_t ud;

	if (r == NULL)
		return -99;
	ud = r->ud;
	return r->callback == up_read ? read_and_wait(&ud) : r->callback(&ud);
}

static double
value_of(const char *pinst, const char *type, const char *tinst)
{
	const struct stub_value *v = stub_value(pinst, type, tinst);

	return v != NULL ? v->value : -1;
}

/* 1 when workdir/name contains text. */
static int
state_file_has(const char *name, const char *text)
{
	char path[512], buf[1024];
	size_t n;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", workdir, name);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* collectd's message field: the change first, cut after a whole item,
 * "... and N more" with N the AS numbers left out. */
static void
test_fit_message(void)
{
	char out[NOTIF_MAX_MSG_LEN], full[2048];
	size_t used, listed = 0;
	unsigned more = 0;
	const char *p;
	int n;

	up_fit_message("upstreams a (AS1): AS2 appeared", out, sizeof(out));
	IS_STR(out, "upstreams a (AS1): AS2 appeared", "a short message as it is");
	used = (size_t)snprintf(full, sizeof(full), "upstreams cu_global "
	    "(AS10099): AS58453 appeared (5.0%%); 20 upstreams: ");
	for (int i = 0; i < 20; i++) {
		n = snprintf(full + used, sizeof(full) - used, "%sAS%d 5.0%%",
		    i ? ", " : "", 100000 + i);
		used += (size_t)n;
	}
	up_fit_message(full, out, sizeof(out));
	OK(strlen(out) < NOTIF_MAX_MSG_LEN, "fitted: %zu bytes", strlen(out));
	p = strstr(out, " ... and ");
	OK(p != NULL && sscanf(p, " ... and %u more", &more) == 1,
	    "ends with ... and N more");
	for (p = strstr(out, "upstreams: "); p != NULL &&
	    (p = strstr(p, "AS1000")) != NULL; p += 6)
		listed++;
	IS_INT((int)(listed + more), 20, "listed and left out add up");
	OK(strstr(out, "AS58453 appeared") != NULL, "the change kept whole");
	memset(full, 'x', 600);
	full[600] = '\0';
	up_fit_message(full, out, sizeof(out));
	OK(strlen(out) < NOTIF_MAX_MSG_LEN && strcmp(out + strlen(out) - 3,
	    "...") == 0, "no place to cut: cut, marked ...");
}

static void
test_reads_values(void)
{
	const struct stub_value *v;

	write_bgp_state(0);
	stub_clear_records();
	IS_INT(read_now("upstreams-dprk"), 0, "read: returns 0");
	IS_INT(value_of("dprk", "count", "upstreams"), 1, "count-upstreams 1");
	OK(value_of("dprk", "percent", "AS4837") == 100.0, "percent-AS4837 100");
	IS_INT(value_of("dprk", "count", "missing"), 0, "count-missing 0");
	IS_INT(value_of("dprk", "count", "unexpected"), 0, "count-unexpected 0");
	IS_INT(value_of("dprk", "count", "observations"), 20,
	    "count-observations 20");
	IS_INT(value_of("dprk", "count", "peers"), 10, "count-peers 10");
	OK(value_of("dprk", "duration", "data_age") > 8 * 365 * 86400.0,
	    "duration-data_age: seconds since the 2017 data time");
	OK(stub_value("dprk", "percent", "visibility_v4") == NULL,
	    "no visibility values when not asked for");
	v = stub_value("dprk", "count", "upstreams");
	OK(v != NULL && strcmp(v->plugin, "upstreams") == 0 && v->time == 0 &&
	    v->host[0] == '\0', "plugin 'upstreams', time and host left to "
	    "collectd (the time of the read)");
	IS_INT(stub.n_notes, 0, "matching the baseline: no notification");
	IS_INT(stub_logged(LOG_ERR, ""), 0, "no error logged");

	IS_INT(read_now("upstreams-learn"), 0, "read without a baseline");
	IS_INT(stub_logged(LOG_INFO, "target learn: learned baseline AS4837"), 1,
	    "in-memory baseline learned and logged");
	IS_INT(read_now("upstreams-sf"), 0, "read with a missing state file");
	IS_INT(stub_logged(LOG_INFO, "target sf: learned baseline AS4837 into "),
	    1, "state file baseline learned and logged");
	IS_INT(read_now("upstreams-both"), 0, "read, expecting 4837 and 20485");
	IS_INT(stub_logged(LOG_INFO, "target both: wrote the expected baseline "
	    "AS4837, AS20485 into "), 1,
	    "Expect with a missing StateFile: the file is seeded from Expect");
	IS_INT(state_file_has("both.state", "upstreams 4837 20485\n"), 1,
	    "the seeded state file holds the expected set");
	IS_INT(value_of("both", "count", "missing"), 1, "count-missing 1");
	OK(value_of("both", "percent", "AS20485") == 0.0,
	    "a missing expected upstream reports 0");
	IS_INT(stub.n_notes, 1, "missing upstream: one notification");
	if (stub.n_notes == 1) {
		IS_INT(stub.notes[0].severity, NOTIF_FAILURE, "FAILURE");
		IS_STR(stub.notes[0].message, "upstreams both (AS131279): AS20485 "
		    "disappeared; 1 upstream: AS4837 100.0%",
		    "message names target, AS and the present set");
		IS_STR(stub.notes[0].host, "testhost", "notification host");
		IS_STR(stub.notes[0].plugin_instance, "both",
		    "notification plugin instance is the target");
	}
}

static void
test_reads_change(void)
{
	char path[512];
	FILE *f;

	write_bgp_state(1);
	stub_clear_records();
	IS_INT(read_now("upstreams-dprk"), 0, "changed set: read returns 0");
	IS_INT(value_of("dprk", "count", "unexpected"), 1, "count-unexpected 1");
	IS_INT(value_of("dprk", "count", "upstreams"), 2, "count-upstreams 2");
	OK(value_of("dprk", "percent", "AS20485") == 40.0, "percent-AS20485 40");
	IS_INT(stub.n_notes, 1, "one notification");
	if (stub.n_notes == 1) {
		IS_INT(stub.notes[0].severity, NOTIF_FAILURE, "FAILURE");
		IS_STR(stub.notes[0].message, "upstreams dprk (AS131279): "
		    "AS20485 appeared (40.0%); 2 upstreams: AS4837 60.0%, "
		    "AS20485 40.0%", "message names target, AS and share");
		IS_STR(stub.notes[0].meta_upstreams, "AS4837 60.0%, "
		    "AS20485 40.0%", "meta data: every upstream present");
		IS_STR(stub.notes[0].meta_message, stub.notes[0].message,
		    "meta data: the whole message");
	}
	IS_INT(value_of("dprk", "bool", "present-AS20485"), 1,
	    "bool-present-AS20485 1");
	IS_INT(value_of("dprk", "bool", "expected-AS20485"), 0,
	    "bool-expected-AS20485 0: it appeared");
	IS_INT(value_of("dprk", "bool", "expected-AS4837"), 1,
	    "bool-expected-AS4837 1");
	IS_INT(read_now("upstreams-dprk"), 0, "same change again");
	IS_INT(stub.n_notes, 1, "not notified again");
	IS_INT(read_now("upstreams-learn"), 0, "learned baseline target");
	IS_INT(read_now("upstreams-sf"), 0, "state file target");
	IS_INT(read_now("upstreams-both"), 0, "both expected");
	IS_INT(stub.n_notes, 4, "learn and sf: FAILURE; both: back to OKAY");
	if (stub.n_notes == 4) {
		OK(stub.notes[1].severity == NOTIF_FAILURE &&
		    strstr(stub.notes[1].message, "AS20485 appeared") != NULL,
		    "learned in memory: change notified");
		OK(stub.notes[2].severity == NOTIF_FAILURE &&
		    strstr(stub.notes[2].message, "AS20485 appeared") != NULL,
		    "learned into the state file: change notified");
		IS_INT(stub.notes[3].severity, NOTIF_OKAY, "both: OKAY");
		IS_STR(stub.notes[3].message, "upstreams both (AS131279): "
		    "upstream set back to baseline: AS4837, AS20485",
		    "OKAY message names the baseline");
	}

	write_bgp_state(0);
	stub_clear_records();
	IS_INT(read_now("upstreams-dprk"), 0, "back to one upstream");
	IS_INT(stub.n_notes, 1, "one notification");
	if (stub.n_notes == 1) {
		IS_INT(stub.notes[0].severity, NOTIF_OKAY, "OKAY");
		IS_STR(stub.notes[0].message, "upstreams dprk (AS131279): "
		    "upstream set back to baseline: AS4837", "OKAY message");
	}
	IS_INT(value_of("dprk", "count", "unexpected"), 0, "count-unexpected 0");
	IS_INT(read_now("upstreams-dprk"), 0, "and again");
	IS_INT(stub.n_notes, 1, "OKAY not repeated");

	/* The state file is read on every read: a file of another target
	 * is an error, not a new baseline. */
	(void)snprintf(path, sizeof(path), "%s/sf.state", workdir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("# upstreams baseline\nversion 1\ntarget AS64501\n"
		    "upstreams 1\n", f);
		fclose(f);
	}
	stub_clear_records();
	IS_INT(read_now("upstreams-sf"), 0, "state file of another target: "
	    "0 for collectd, which keeps the interval");
	IS_INT(stub_logged(LOG_ERR, "holds the baseline of AS64501"), 1,
	    "error names the other target");
	IS_INT(value_of("sf", "bool", "read_success"), 0, "read_success 0");
	OK(value_of("sf", "count", "upstreams") >= 1,
	    "the last good values again");
	unlink(path);
	IS_INT(read_now("upstreams-sf"), 0, "state file removed: learned anew");
	IS_INT(stub_logged(LOG_INFO, "target sf: reading works again"), 1,
	    "release logged");
}

static void
test_reads_fault(void)
{
	char path[512];

	(void)snprintf(path, sizeof(path), "%s/data/bgp-state/data.json",
	    workdir);
	unlink(path);
	stub_clear_records();
	IS_INT(read_now("upstreams-dprk"), 0, "failed read returns 0: "
	    "collectd keeps the interval");
	IS_INT(value_of("dprk", "bool", "read_success"), 0, "read_success 0");
	IS_INT(value_of("dprk", "count", "upstreams"), 1,
	    "the last good count again");
	OK(value_of("dprk", "percent", "AS4837") == 100.0,
	    "the last good share again");
	IS_INT(value_of("dprk", "bool", "present-AS4837"), 1,
	    "the last present gauge again");
	OK(value_of("dprk", "duration", "data_age") > 0,
	    "data_age still sent (it grows)");
	IS_INT(read_now("upstreams-dprk"), 0, "and again");
	IS_INT(read_now("upstreams-dprk"), 0, "and again");
	IS_INT(stub_logged(LOG_DEBUG, "target dprk: fetching"), 1,
	    "paced: one request for three reads");
	IS_INT(stub_logged(LOG_NOTICE, "target dprk: reads fail: requests to "
	    "the source are paced, one interval (10 s) after the first failure, "
	    "doubling up to 3600 s"), 1, "the backoff is logged once");
	IS_INT(stub_logged(LOG_ERR, "upstreams plugin: target dprk: "), 1,
	    "the failure is logged once");
	IS_INT(stub.n_notes, 0, "a failed read is no change");
	target_of("upstreams-dprk")->next_try = 0;
	IS_INT(read_now("upstreams-dprk"), 0, "once due, a request again");
	IS_INT(stub_logged(LOG_DEBUG, "target dprk: fetching"), 2,
	    "the second request");
	IS_INT((int)target_of("upstreams-dprk")->failures, 2, "two failures");
	write_bgp_state(0);
	target_of("upstreams-dprk")->next_try = 0;
	IS_INT(read_now("upstreams-dprk"), 0, "next good read works");
	IS_INT(value_of("dprk", "bool", "read_success"), 1, "read_success 1");
	IS_INT(stub_logged(LOG_INFO, "target dprk: reading works again"), 1,
	    "the recovery is logged");
	IS_INT(value_of("dprk", "count", "upstreams"), 1, "values again");
	IS_INT(stub.n_notes, 0, "still no notification");
	IS_INT(read_now("upstreams-dprk"), 0, "another good read");
	IS_INT(stub_logged(LOG_INFO, "reading works again"), 1,
	    "recovery logged once");
}

static void
test_reads(void)
{
	char text[2048], dir[512];
	const char *tmp = getenv("TMPDIR");

	(void)snprintf(workdir, sizeof(workdir), "%s/test_plugin.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(workdir) == NULL) {
		OK(0, "temporary directory");
		return;
	}
	(void)snprintf(dir, sizeof(dir), "%s/data", workdir);
	(void)mkdir(dir, 0700);
	(void)snprintf(dir, sizeof(dir), "%s/data/bgp-state", workdir);
	(void)mkdir(dir, 0700);

	IS_INT(stub.init_cb(), 0, "init callback succeeds");
	(void)snprintf(text, sizeof(text),
	    "RipestatURL \"file://%s\"\n"
	    "Retries 0\n"
	    "MaxAge 0\n"  /* recorded data: years old by design */
	    "<Target \"dprk\">\nASN 131279\nExpect 4837\n</Target>\n"
	    "<Target \"learn\">\nASN AS131279\n</Target>\n"
	    "<Target \"sf\">\nASN 131279\nStateFile \"%s/sf.state\"\n</Target>\n"
	    "<Target \"both\">\nASN 131279\nExpect 4837 20485\n"
	    "StateFile \"%s/both.state\"\n</Target>\n",
	    workdir, workdir, workdir);
	stub_clear_records();
	IS_INT(configure(text), 0, "file:// config");
	IS_INT(stub.n_reads, 4, "four reads");

	test_reads_values();
	test_reads_change();
	test_reads_fault();

	stub_free_reads();
	IS_INT(stub.shutdown_cb(), 0, "shutdown callback");
	(void)snprintf(dir, sizeof(dir), "%s/sf.state", workdir);
	unlink(dir);
	(void)snprintf(dir, sizeof(dir), "%s/both.state", workdir);
	unlink(dir);
	(void)snprintf(dir, sizeof(dir), "%s/data/bgp-state/data.json", workdir);
	unlink(dir);
	(void)snprintf(dir, sizeof(dir), "%s/data/bgp-state", workdir);
	rmdir(dir);
	(void)snprintf(dir, sizeof(dir), "%s/data", workdir);
	rmdir(dir);
	rmdir(workdir);
}

/* ------------------------------- countries, looking glasses, limits */

static void
test_new_keys(void)
{
	struct up_target *kp, *lg;
	int rc;

	stub_clear_records();
	rc = configure(
	    "NlnogURL \"http://127.0.0.1:9/ring\"\n"
	    "AliceURL \"https://127.0.0.1:9/alice/\"\n"
	    "CacheDir \"/var/cache/collectd/upstreams\"\n"
	    "MaxInFlight 2\n"
	    "<Target \"kp\">\n"
	    "  Country \"kp\"\n"
	    "  ExtraASN 64500 \"AS64501,64502\"\n"
	    "  ExtraASN 64503\n"
	    "  ExtraPrefix \"210.52.109.0/24\" \"2001:db8::/32\"\n"
	    "  MaxASNs 50\n"
	    "  Source \"ripestat-bgp-state\" \"nlnog-lg\"\n"
	    "  Source \"alice-lg\"\n"
	    "  ExpectPrefix \"175.45.176.0/24\" 4837 \"AS20485\"\n"
	    "  ExpectPrefix \"175.45.177.0/24=4837\"\n"
	    "</Target>\n"
	    "<Target \"lg\">\n"
	    "  ASN 131279\n"
	    "  nlnogurl \"file:///srv/ring\"\n"
	    "  SOURCE \"nlnog-lg\"\n"
	    "  Prefix \"175.45.176.0/24\"\n"
	    "</Target>\n");
	IS_INT(rc, 0, "new keys: config succeeds");
	IS_INT(stub.n_reads, 2, "new keys: two reads");
	IS_INT(stub_logged(-1, "upstreams plugin"), 0, "nothing logged");
	kp = target_of("upstreams-kp");
	lg = target_of("upstreams-lg");
	if (kp == NULL || lg == NULL) {
		OK(0, "both targets registered");
		stub_free_reads();
		return;
	}
	IS_STR(kp->country, "KP", "Country upper-cased");
	IS_INT(kp->asn, 0, "no ASN with a Country");
	IS_INT(kp->extra_asns.n, 4, "ExtraASN across values and lines");
	OK(kp->extra_asns.n == 4 && kp->extra_asns.v[0] == 64500 &&
	    kp->extra_asns.v[3] == 64503, "ExtraASN 64500..64503");
	IS_INT(kp->n_extra_prefixes, 2, "ExtraPrefix: two prefixes");
	if (kp->n_extra_prefixes == 2)
		IS_STR(kp->extra_prefixes[1], "2001:db8::/32", "IPv6 extra prefix");
	IS_INT(kp->max_asns, 50, "MaxASNs");
	IS_INT(kp->n_sources, 3, "Source: several values and lines");
	OK(kp->sources[0] == UPM_SRC_BGP_STATE &&
	    kp->sources[1] == UPM_SRC_NLNOG_LG &&
	    kp->sources[2] == UPM_SRC_ALICE_LG, "sources in the given order");
	IS_INT(kp->source, UPM_SRC_BGP_STATE, "first source is the source");
	IS_STR(kp->nlnog_url, "http://127.0.0.1:9/ring", "NlnogURL inherited");
	IS_STR(kp->alice_url, "https://127.0.0.1:9/alice/",
	    "AliceURL inherited");
	IS_STR(kp->cache_dir, "/var/cache/collectd/upstreams", "CacheDir");
	IS_INT(kp->n_expect_prefixes, 2, "two ExpectPrefix lines");
	if (kp->n_expect_prefixes == 2) {
		IS_STR(kp->expect_prefixes[0].prefix, "175.45.176.0/24",
		    "ExpectPrefix: the prefix");
		OK(kp->expect_prefixes[0].asns.n == 2 &&
		    kp->expect_prefixes[0].asns.v[0] == 4837 &&
		    kp->expect_prefixes[0].asns.v[1] == 20485,
		    "ExpectPrefix: numbers and strings");
		IS_STR(kp->track[1], "175.45.177.0/24",
		    "the check's PREFIX=ASN form");
		OK(kp->expect_prefixes[1].asns.n == 1 &&
		    kp->expect_prefixes[1].asns.v[0] == 4837,
		    "PREFIX=ASN: its ASN");
	}
	IS_STR(lg->nlnog_url, "file:///srv/ring", "NlnogURL per target, "
	    "keys case-insensitive");
	IS_INT(lg->n_sources, 1, "one source");
	IS_INT(lg->source, UPM_SRC_NLNOG_LG, "Source nlnog-lg");
	IS_STR(lg->cache_dir, "/var/cache/collectd/upstreams",
	    "CacheDir shared by every target");
	OK(kp->limiter != NULL && kp->limiter == lg->limiter,
	    "both targets point to one limiter");
	if (kp->limiter != NULL) {
		IS_INT(kp->limiter->max, 2, "MaxInFlight 2");
		IS_INT(kp->limiter->refs, 2, "one reference per target");
	}
	stub_free_reads();

	stub_clear_records();
	rc = configure("<Target \"a\">\nASN 1\n</Target>\n");
	OK(rc == 0 && target_of("upstreams-a") != NULL &&
	    target_of("upstreams-a")->limiter->max == 4, "MaxInFlight "
	    "defaults to 4");
	OK(rc == 0 && target_of("upstreams-a")->cache_dir == NULL,
	    "no CacheDir: no cache");
	stub_free_reads();
}

static void
test_new_keys_broken(void)
{
	static const struct {
		const char *body, *warning;
	} cases[] = {
		{ "Country \"K1\"", "invalid value for 'Country' in <Target \"bad\">: " },
		{ "Country \"KPX\"", "invalid value for 'Country'" },
		{ "Country 5", "invalid value for 'Country'" },
		{ "ASN 1\nCountry \"KP\"", "<Target \"bad\">: ASN and Country given" },
		{ "Country \"KP\"\nExtraASN \"x\"", "invalid value for 'ExtraASN'" },
		{ "Country \"KP\"\nExtraASN", "invalid value for 'ExtraASN'" },
		{ "ASN 1\nExtraPrefix \"10.0.0.0/33\"", "invalid value for 'ExtraPrefix'" },
		{ "ASN 1\nExtraPrefix 10", "invalid value for 'ExtraPrefix'" },
		{ "Country \"KP\"\nMaxASNs 0", "invalid value for 'MaxASNs'" },
		{ "Country \"KP\"\nMaxASNs 1.5", "invalid value for 'MaxASNs'" },
		{ "ASN 1\nSource \"nlnog-lg\" \"nlnog-lg\"", "source nlnog-lg given twice" },
		{ "ASN 1\nSource \"nlnog-lg\"\nSource \"nlnog-lg\"", "source nlnog-lg given twice" },
		{ "ASN 1\nSource \"looking-glass\"", "alice-lg or ris-live" },
		{ "ASN 1\nSource", "invalid value for 'Source'" },
		{ "ASN 1\nSource \"alice-lg\"", "Source \"alice-lg\" needs AliceURL" },
		{ "ASN 1\nSource \"ripestat-asn-neighbours\" \"nlnog-lg\"", "ripestat-asn-neighbours gives no paths" },
		{ "Country \"KP\"\nSource \"ripestat-asn-neighbours\"", "ripestat-asn-neighbours gives no paths" },
		{ "ASN 1\nPrefix \"10.0.0.0/8\"\nSource \"ripestat-bgp-state\"", "Prefix goes with Source" },
		{ "ASN 1\nNlnogURL \"ftp://lg.example.net\"", "invalid value for 'NlnogURL' in <Target \"bad\">: 'ftp://lg.example.net' is not an http://, https:// or file:// URL" },
		{ "ASN 1\nAliceURL \"lg.example.net\"", "invalid value for 'AliceURL'" },
		{ "ASN 1\nRipestatURL \"ftp://stat.ripe.net\"", "invalid value for 'RipestatURL' in <Target \"bad\">: 'ftp://stat.ripe.net' is not" },
		{ "ASN 1\nNlnogURL \"\"", "invalid value for 'NlnogURL'" },
		{ "ASN 1\nExpectPrefix \"10.0.0.0/8\"", "invalid value for 'ExpectPrefix' in <Target \"bad\">: needs an AS number" },
		{ "ASN 1\nExpectPrefix \"10.0.0.0/8\" 0", "invalid value for 'ExpectPrefix'" },
		{ "ASN 1\nExpectPrefix 5 4837", "invalid value for 'ExpectPrefix'" },
		{ "ASN 1\nExpectPrefix \"10.0.0.0\" 4837", "invalid value for 'ExpectPrefix'" },
		{ "ASN 1\nExpectPrefix \"10.0.0.0/8=\"", "invalid value for 'ExpectPrefix'" },
		{ "ASN 1\nExpectPrefix \"10.0.0.0/8=4837\"\nExpectPrefix \"10.0.0.0/8\" 1", "prefix 10.0.0.0/8 given twice" },
		{ "ASN 1\nMaxInFlight 2", "unknown config key 'MaxInFlight' in <Target \"bad\">" },
		{ "ASN 1\nHold 10", "Hold goes with Source \"ris-live\"" },
		{ "ASN 1\nSource \"ris-live\"\nHold -1", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold 86401", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold 2d", "invalid value for 'Hold' in <Target \"bad\">: needs a duration of 0..86400 s: seconds, or e.g. 30s, 15m, 1h, 1d" },
		{ "ASN 1\nSource \"ris-live\"\nHold 10x", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold 10ms", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold \"m\"", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold \"-5m\"", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold \"1.5h\"", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold 99999999999999999999s", "invalid value for 'Hold'" },
		{ "ASN 1\nSource \"ris-live\"\nHold 1441m", "invalid value for 'Hold'" },
		{ "Country \"KP\"\nSource \"ris-live\"", "Source \"ris-live\" goes alone" },
		{ "ASN 1\nSource \"ris-live\" \"nlnog-lg\"", "Source \"ris-live\" goes alone" },
		{ "ASN 1\nSource \"ris-live\"\nVisibility true", "Source \"ris-live\" goes alone" },
		{ "ASN 1\nSource \"ripestat-bgp-updates\"", "alice-lg or ris-live" },
		{ "ASN 1\nRISLiveURL \"http://x\"", "unknown config key 'RISLiveURL' in <Target \"bad\">" },
		{ "ASN 1\nCacheDir \"/tmp\"", "unknown config key 'CacheDir' in <Target \"bad\">" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		broken_block(cases[i].body, cases[i].warning);
}

/* A bad plugin-level value fails the whole configuration, naming it. */
/* Source "ris-live" with its keys: a live target, the stream's settings,
 * nothing started before the first read. */
static void
test_live_config(void)
{
	struct up_target *t;
	int rc;

	stub_clear_records();
	rc = configure("RISLiveURL \"http://127.0.0.1:9/v1/stream/?format=json\"\n"
	    "RISLiveMaxSilence 60\nRISLiveMaxLag 30\n"
	    "<Target \"live\">\nASN 131279\nSource \"ris-live\"\nHold 30\n"
	    "Prefix \"175.45.176.0/22\"\nExpect 4837\n</Target>\n"
	    "<Target \"poll\">\nASN 1\n</Target>\n");
	IS_INT(rc, 0, "a ris-live target beside a polled one");
	t = target_of("upstreams-live");
	if (!OK(t != NULL && t->live, "the live target"))
		return;
	IS_INT(t->hold_s, 30, "Hold 30");
	IS_INT(t->n_sources, 0, "ris-live is no source of the query");
	IS_INT(t->n_prefixes, 1, "Prefix kept for the subscription");
	OK(t->limiter->stream != NULL && t->limiter->stream->n_targets == 1 &&
	    t->limiter->stream->targets[0] == t, "the stream knows its one "
	    "live target");
	IS_STR(t->limiter->stream->url,
	    "http://127.0.0.1:9/v1/stream/?format=json", "RISLiveURL");
	IS_INT(t->limiter->stream->max_silence_s, 60, "RISLiveMaxSilence 60");
	IS_INT(t->limiter->stream->max_lag_s, 30, "RISLiveMaxLag 30");
	IS_INT(t->limiter->stream->started, 0, "no thread before a read");
	OK(!target_of("upstreams-poll")->live, "the polled target is not live");
	/* The stream's filter: the subscription's prefixes and their more
	 * specifics, nothing else. */
	(void)upm_strlist_add(&t->live_prefixes, "175.45.176.0/22");
	(void)upm_strlist_add(&t->live_prefixes, "2001:db8:8000::/33");
	OK(up_prefix_wanted(t, "175.45.176.0/22"), "the prefix itself");
	OK(up_prefix_wanted(t, "175.45.179.0/24"), "a more specific one");
	OK(!up_prefix_wanted(t, "175.45.180.0/24"), "not a neighbour");
	OK(!up_prefix_wanted(t, "175.45.176.0/21"), "not a less specific one");
	OK(up_prefix_wanted(t, "2001:db8:8000::/48"), "IPv6, more specific");
	OK(!up_prefix_wanted(t, "2001:db8::/48"), "IPv6, outside");
	OK(!up_prefix_wanted(t, "junk/99"), "junk: no");
	/* Health: a stream not connected past the grace is a failed source. */
	{
		struct up_stream *s = t->limiter->stream;
		long long now = upm_clock_ms();
		char why[384];

		s->started_ms = now;
		OK(!up_stream_failed(s, why, sizeof(why)), "no connection tried "
		    "yet (seeding): not failed");
		s->down_ms = now - 1000;
		OK(!up_stream_failed(s, why, sizeof(why)), "not connected for "
		    "1 s: within the grace");
		s->down_ms = now - (RIS_LIVE_CONNECT_GRACE_S + 1) * 1000LL;
		(void)snprintf(s->error, sizeof(s->error), "Couldn't connect to "
		    "server");
		OK(up_stream_failed(s, why, sizeof(why)) && strstr(why, "the "
		    "stream is not connected (for 6 s): Couldn't connect") !=
		    NULL, "not connected past the grace: failed (%s)", why);
		s->connected = 1;
		OK(!up_stream_failed(s, why, sizeof(why)), "connected: healthy");
		s->connected = 0;
		s->down_ms = 0;
		s->started_ms = 0;
	}
	stub_free_reads();   /* nothing started: nothing to stop */
	stub_clear_records();
	rc = configure("<Target \"a\">\nASN 1\nSource \"ris-live\"\n"
	    "</Target>\n");
	t = target_of("upstreams-a");
	OK(rc == 0 && t != NULL && t->limiter->stream->max_silence_s == 9000 &&
	    t->limiter->stream->max_lag_s == 300 &&
	    strcmp(t->limiter->stream->url, "https://ris-live.ripe.net/v1/"
	    "stream/?format=json&client=upstreams") == 0,
	    "defaults: 9000 s silence, 300 s lag, the public stream");
	stub_free_reads();
	/* Durations as the check's --hold writes them. */
	{
		static const struct {
			const char *hold, *silence, *lag;
			long want_hold, want_silence, want_lag;
		} d[] = {
			{ "10m", "2h", "5m", 600, 7200, 300 },
			{ "\"90s\"", "\"1d\"", "1", 90, 86400, 1 },
			{ "1h", "150m", "30s", 3600, 9000, 30 },
			{ "0s", "2s", "007m", 0, 2, 420 },
			{ "1d", "86400", "86400s", 86400, 86400, 86400 },
		};
		char text[512];

		for (size_t k = 0; k < sizeof(d) / sizeof(d[0]); k++) {
			stub_clear_records();
			(void)snprintf(text, sizeof(text), "RISLiveMaxSilence %s\n"
			    "RISLiveMaxLag %s\n<Target \"a\">\nASN 1\n"
			    "Source \"ris-live\"\nHold %s\n</Target>\n",
			    d[k].silence, d[k].lag, d[k].hold);
			rc = configure(text);
			t = target_of("upstreams-a");
			OK(rc == 0 && t != NULL && t->hold_s == d[k].want_hold &&
			    t->limiter->stream->max_silence_s ==
			    d[k].want_silence && t->limiter->stream->max_lag_s ==
			    d[k].want_lag, "Hold %s, RISLiveMaxSilence %s, "
			    "RISLiveMaxLag %s: %ld, %ld, %ld s", d[k].hold,
			    d[k].silence, d[k].lag, d[k].want_hold,
			    d[k].want_silence, d[k].want_lag);
			stub_free_reads();
		}
	}
}

static void
test_new_plugin_keys_broken(void)
{
	static const struct {
		const char *line, *error;
	} cases[] = {
		{ "MaxInFlight 0", "invalid value for 'MaxInFlight' in <Plugin upstreams>: needs a whole number 1..8" },
		{ "MaxInFlight 9", "invalid value for 'MaxInFlight'" },
		{ "MaxInFlight 1.5", "invalid value for 'MaxInFlight'" },
		{ "MaxInFlight \"4\"", "invalid value for 'MaxInFlight'" },
		{ "MaxAge 0.5", "invalid value for 'MaxAge' in <Plugin upstreams>: needs a whole number of seconds" },
		{ "CacheDir \"\"", "invalid value for 'CacheDir'" },
		{ "CacheDir 5", "invalid value for 'CacheDir'" },
		{ "RipestatURL \"ftp://stat.ripe.net\"", "invalid value for 'RipestatURL' in <Plugin upstreams>: 'ftp://stat.ripe.net' is not an http://, https:// or file:// URL" },
		{ "NlnogURL \"lg.ring.nlnog.net\"", "invalid value for 'NlnogURL' in <Plugin upstreams>" },
		{ "AliceURL \"gopher://x\"", "invalid value for 'AliceURL' in <Plugin upstreams>" },
		{ "RISLiveURL \"file:///tmp/x\"", "invalid value for 'RISLiveURL' in <Plugin upstreams>: needs an http:// or https:// URL" },
		{ "RISLiveMaxSilence 1", "invalid value for 'RISLiveMaxSilence'" },
		{ "RISLiveMaxLag 0", "invalid value for 'RISLiveMaxLag'" },
		{ "RISLiveMaxLag 90000", "invalid value for 'RISLiveMaxLag'" },
		{ "RISLiveMaxLag 25h", "invalid value for 'RISLiveMaxLag' in <Plugin upstreams>: needs a duration of 1..86400 s" },
		{ "RISLiveMaxSilence 1s", "invalid value for 'RISLiveMaxSilence' in <Plugin upstreams>: needs a duration of 2..86400 s" },
		{ "RISLiveMaxSilence 5y", "invalid value for 'RISLiveMaxSilence'" },
	};
	char text[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		stub_clear_records();
		(void)snprintf(text, sizeof(text), "%s\n<Target \"a\">\nASN 1\n"
		    "</Target>\n", cases[i].line);
		rc = configure(text);
		OK(rc == -1 && stub.n_reads == 0 &&
		    stub_logged(LOG_ERR, cases[i].error) == 1,
		    "%s: config fails with: %s", cases[i].line, cases[i].error);
		stub_free_reads();
	}
	stub_clear_records();
	rc = configure("MaxInFlight 8\nRipestatURL \"HTTPS://stat.ripe.net\"\n"
	    "<Target \"a\">\nASN 1\n</Target>\n");
	OK(rc == 0 && stub.n_reads == 1 &&
	    target_of("upstreams-a")->limiter->max == 8,
	    "MaxInFlight 8 (the most) and an upper-case scheme accepted");
	stub_free_reads();
}

/* ------------------------------------------------ the limiter itself */

struct hold_arg {
	struct up_limiter *l;
	int rounds;
	int taken;               /* acquisitions that succeeded */
	pthread_mutex_t *lock;   /* guards *inside and *max_inside */
	int *inside, *max_inside;
	long hold_ms;
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Takes a slot rounds times, counting who is inside meanwhile. */
static void *
hold_slots(void *arg)
{
	struct hold_arg *a = arg;
	int i;

	for (i = 0; i < a->rounds; i++) {
		if (up_limiter_acquire(a->l, 5000) != 0)
			continue;
		a->taken++;
		pthread_mutex_lock(a->lock);
		if (++*a->inside > *a->max_inside)
			*a->max_inside = *a->inside;
		pthread_mutex_unlock(a->lock);
		sleep_ms(a->hold_ms);
		pthread_mutex_lock(a->lock);
		--*a->inside;
		pthread_mutex_unlock(a->lock);
		up_limiter_release(a->l);
	}
	return NULL;
}

/* Two threads against a limiter of max; returns the most inside at once. */
static int
two_threads(struct up_limiter *l, int rounds, long hold_ms, int *taken)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int inside = 0, max_inside = 0;
	struct hold_arg a[2];
	pthread_t th[2];
	int i;

	for (i = 0; i < 2; i++) {
		a[i].l = l;
		a[i].rounds = rounds;
		a[i].taken = 0;
		a[i].lock = &lock;
		a[i].inside = &inside;
		a[i].max_inside = &max_inside;
		a[i].hold_ms = hold_ms;
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, hold_slots, &a[i]) != 0)
			return -1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	*taken = a[0].taken + a[1].taken;
	pthread_mutex_destroy(&lock);
	return max_inside;
}

static void *
release_later(void *arg)
{
	sleep_ms(150);
	up_limiter_release(arg);
	return NULL;
}

static void
test_limiter(void)
{
	struct up_limiter *l = up_limiter_new(1);
	pthread_t th;
	double t0, waited;
	int taken;

	if (!OK(l != NULL, "limiter of 1"))
		return;
	IS_INT(two_threads(l, 30, 2, &taken), 1,
	    "MaxInFlight 1: never two holders at once");
	IS_INT(taken, 60, "every acquisition served");
	IS_INT(l->peak, 1, "its own count agrees");
	IS_INT(l->in_use, 0, "all slots back");

	IS_INT(up_limiter_acquire(l, 1000), 0, "a free slot is taken at once");
	t0 = now_s();
	IS_INT(up_limiter_acquire(l, 300), -1, "no slot within 300 ms: -1");
	waited = now_s() - t0;
	OK(waited >= 0.29 && waited < 3.0,
	    "waited about the timeout (%.3f s), not less, not forever", waited);
	IS_INT(up_limiter_acquire(l, 0), -1, "timeout 0: no wait at all");
	if (pthread_create(&th, NULL, release_later, l) == 0) {
		t0 = now_s();
		IS_INT(up_limiter_acquire(l, 5000), 0,
		    "a slot released meanwhile wakes the waiter");
		waited = now_s() - t0;
		OK(waited >= 0.1 && waited < 3.0,
		    "woken by the release (%.3f s), not by the timeout", waited);
		pthread_join(th, NULL);
	} else
		OK(0, "thread");
	up_limiter_release(l);
	IS_INT(l->in_use, 0, "released");
	up_limiter_unref(l);

	l = up_limiter_new(2);
	if (!OK(l != NULL, "limiter of 2"))
		return;
	/* Long holds so that the two threads meet inside. */
	IS_INT(two_threads(l, 5, 150, &taken), 2,
	    "MaxInFlight 2: both threads inside at once");
	IS_INT(l->peak, 2, "its own count says 2");
	(void)up_limiter_ref(l);
	IS_INT(l->refs, 2, "a second reference");
	up_limiter_unref(l);
	IS_INT(l->refs, 1, "dropped again");
	up_limiter_unref(l);   /* freed: valgrind / ASan tell if not */
}

/* ---------------------------------- reads: limits, country, prefixes */

static char cworkdir[256];

static void
write_file(const char *rel, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", cworkdir, rel);
	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, len, f) != len ||
	    fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
}

/* Country KP = {131279, 64510}.  Every bgp-state request reads the same
 * file here (file:// has no query), holding: 175.45.176.0/24 of AS131279
 * through the domestic AS64510, international upstreams AS4837 (peers
 * 0..5) and AS20485 (6..9); 175.45.179.0/24 of AS64510 through AS4837
 * from every peer, or (two) like the other prefix. */
static void
write_country(int two)
{
	static const char head[] = "{\"status\": \"ok\", \"data_call_status\": "
	    "\"supported\", \"messages\": [], \"data\": ";
	upm_buf b;
	int i, first = 1;

	upm_buf_init(&b);
	upm_buf_printf(&b, "%s{\"query_time\": \"2017-10-01T00:00:00\", "
	    "\"resources\": {\"asn\": [\"131279\", \"64510\"], \"ipv4\": [], "
	    "\"ipv6\": []}}}", head);
	write_file("data/country-resource-list/data.json", b.data, b.len);
	upm_buf_free(&b);
	upm_buf_printf(&b, "%s{\"resource\": \"131279\", \"query_time\": "
	    "\"2017-10-01T12:00:00\", \"bgp_state\": [", head);
	for (i = 0; i < 10; i++) {
		upm_buf_printf(&b, "%s{\"source_id\": \"00-192.0.2.%d\", "
		    "\"path\": [%d, %d, 64510, 131279], \"target_prefix\": "
		    "\"175.45.176.0/24\", \"community\": []}, "
		    "{\"source_id\": \"00-192.0.2.%d\", \"path\": [%d, %d, "
		    "64510], \"target_prefix\": \"175.45.179.0/24\", "
		    "\"community\": []}", first ? "" : ", ", i + 1, clique_vp[i],
		    i < 6 ? 4837 : 20485, i + 1, clique_vp[i],
		    two && i >= 6 ? 20485 : 4837);
		first = 0;
	}
	upm_buf_printf(&b, "]}}");
	write_file("data/bgp-state/data.json", b.data, b.len);
	upm_buf_free(&b);
}

static void
test_reads_country(void)
{
	IS_INT(read_now("upstreams-kp"), 0, "country read: returns 0");
	OK(value_of("kp", "percent", "AS4837") == 80.0,
	    "percent-AS4837 80: the first AS outside the country");
	OK(value_of("kp", "percent", "AS20485") == 20.0, "percent-AS20485 20");
	OK(stub_value("kp", "percent", "AS64510") == NULL,
	    "domestic transit is no upstream");
	IS_INT(value_of("kp", "count", "domestic"), 1,
	    "count-domestic 1 (AS64510)");
	IS_INT(value_of("kp", "count", "origins"), 2, "count-origins 2");
	IS_INT(value_of("kp", "count", "prefix_changes"), 0,
	    "count-prefix_changes 0");
	IS_INT(value_of("kp", "count", "unexpected"), 0, "count-unexpected 0");
	IS_INT(stub.n_notes, 0, "as expected: no notification");
	IS_INT(read_now("upstreams-dprk1"), 0, "a one-AS target read");
	OK(stub_value("dprk1", "count", "upstreams") != NULL &&
	    stub_value("dprk1", "count", "domestic") == NULL &&
	    stub_value("dprk1", "count", "prefix_changes") == NULL,
	    "one AS without ExpectPrefix: no such values");

	write_country(1);
	stub_clear_records();
	IS_INT(read_now("upstreams-kp"), 0, "one prefix changed: read 0");
	IS_INT(value_of("kp", "count", "prefix_changes"), 1,
	    "count-prefix_changes 1");
	IS_INT(value_of("kp", "count", "unexpected"), 0,
	    "the overall set is still the expected one");
	IS_INT(stub.n_notes, 1, "one notification");
	if (stub.n_notes == 1) {
		IS_INT(stub.notes[0].severity, NOTIF_FAILURE, "FAILURE");
		IS_STR(stub.notes[0].message, "upstreams kp (KP): "
		    "175.45.179.0/24: AS20485 appeared; 2 upstreams: AS4837 "
		    "60.0%, AS20485 40.0%", "it names the prefix and the change");
	}
	IS_INT(read_now("upstreams-kp"), 0, "same change again");
	IS_INT(stub.n_notes, 1, "not notified again");

	write_country(0);
	stub_clear_records();
	IS_INT(read_now("upstreams-kp"), 0, "prefix back");
	IS_INT(stub.n_notes, 1, "one notification");
	if (stub.n_notes == 1) {
		IS_INT(stub.notes[0].severity, NOTIF_OKAY, "OKAY");
		IS_STR(stub.notes[0].message, "upstreams kp (KP): upstream set "
		    "back to baseline: AS4837, AS20485; every prefix as expected",
		    "OKAY message");
	}
	IS_INT(value_of("kp", "count", "prefix_changes"), 0,
	    "count-prefix_changes 0 again");
}

struct reader_arg {
	const char *name;
	int rounds, good;
};

static void *
reader(void *arg)
{
	struct reader_arg *a = arg;
	int i;

	for (i = 0; i < a->rounds; i++)
		if (read_now(a->name) == 0)
			a->good++;
	return NULL;
}

/* MaxInFlight 1: two targets read from two threads are never both in
 * their fetches; a read that gets no slot within its Timeout fails like
 * a timeout, logged once. */
static void
test_reads_limited(void)
{
	struct reader_arg a[2] = { { "upstreams-dprk1", 6, 0 },
	    { "upstreams-dprk2", 6, 0 } };
	struct up_limiter *l;
	pthread_t th[2];
	int i, started = 0;

	stub_clear_records();
	stub.probe_ms = 15;
	stub.probe_max = 0;
	for (i = 0; i < 2; i++)
		started += pthread_create(&th[i], NULL, reader, &a[i]) == 0;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	stub.probe_ms = 0;
	IS_INT(started, 2, "two reader threads");
	IS_INT(a[0].good + a[1].good, 12, "every read of both targets works");
	IS_INT(stub.probe_max, 1, "MaxInFlight 1: never two fetches at once");
	OK(stub_logged(LOG_DEBUG, "target dprk1: fetching") > 0 &&
	    stub_logged(LOG_DEBUG, "target dprk2: fetching") > 0,
	    "the probe saw both targets fetch");

	l = target_of("upstreams-dprk1")->limiter;
	IS_INT(up_limiter_acquire(l, 0), 0, "the test takes the only slot");
	stub_clear_records();
	IS_INT(read_now("upstreams-dprk2"), 0, "no slot within Timeout: 0");
	IS_INT(read_now("upstreams-dprk2"), 0, "and again");
	IS_INT(stub_logged(LOG_ERR, "upstreams plugin: target dprk2: timeout: "
	    "no free read slot within 1000 ms (MaxInFlight 1)"), 1,
	    "logged once, like a timeout");
	IS_INT(value_of("dprk2", "bool", "read_success"), 0,
	    "read_success 0 with the last values");
	up_limiter_release(l);
	IS_INT(read_now("upstreams-dprk2"), 0, "slot free: the read works");
	IS_INT(stub_logged(LOG_INFO, "target dprk2: reading works again"), 1,
	    "recovery logged");
	IS_INT(l->in_use, 0, "every read gave its slot back");
}

static void
test_reads_ext(void)
{
	const char *tmp = getenv("TMPDIR");
	static const char *const dirs[] = { "", "/data", "/data/bgp-state",
	    "/data/country-resource-list" };
	char text[2048], dir[512];
	size_t i;

	(void)snprintf(cworkdir, sizeof(cworkdir), "%s/test_plugin.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(cworkdir) == NULL) {
		OK(0, "temporary directory");
		return;
	}
	for (i = 1; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		(void)snprintf(dir, sizeof(dir), "%s%s", cworkdir, dirs[i]);
		(void)mkdir(dir, 0700);
	}
	write_country(0);
	IS_INT(stub.init_cb(), 0, "init callback succeeds");
	(void)snprintf(text, sizeof(text),
	    "RipestatURL \"file://%s\"\n"
	    "Retries 0\n"
	    "MaxAge 0\n"
	    "MaxInFlight 1\n"
	    "Timeout 1\n"
	    "<Target \"kp\">\nCountry \"KP\"\nExpect 4837 20485\n"
	    "ExpectPrefix \"175.45.176.0/24\" 4837 20485\n"
	    "ExpectPrefix \"175.45.179.0/24=4837\"\n</Target>\n"
	    "<Target \"dprk1\">\nASN 131279\n</Target>\n"
	    "<Target \"dprk2\">\nASN 131279\n</Target>\n", cworkdir);
	stub_clear_records();
	IS_INT(configure(text), 0, "file:// config with a country");
	IS_INT(stub.n_reads, 3, "three reads");

	test_reads_country();
	test_reads_limited();

	stub_free_reads();
	IS_INT(stub.shutdown_cb(), 0, "shutdown callback");
	(void)snprintf(dir, sizeof(dir), "%s/data/bgp-state/data.json",
	    cworkdir);
	unlink(dir);
	(void)snprintf(dir, sizeof(dir), "%s/data/country-resource-list/"
	    "data.json", cworkdir);
	unlink(dir);
	for (i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		(void)snprintf(dir, sizeof(dir), "%s%s", cworkdir, dirs[i]);
		rmdir(dir);
	}
}

/* Timeout in milliseconds and CACert, as collectd's curl plugins; the old
 * seconds and the old CAFile still work, each with a WARNING. */
static void
test_units_and_names(void)
{
	struct up_target *t;
	int rc;

	stub_free_reads();
	stub_clear_records();
	rc = configure("Timeout 20\nCACert \"/etc/ca.pem\"\n"
	    "<Target \"a\">\nASN 1\nTimeout 100\n</Target>\n"
	    "<Target \"b\">\nASN 2\nCAFile \"/etc/old.pem\"\n</Target>\n");
	IS_INT(rc, 0, "Timeout 20, CACert, CAFile: config accepted");
	IS_INT(stub_logged(LOG_WARNING, "Timeout 20 read as 20 seconds; Timeout "
	    "is in milliseconds now: write Timeout 20000"), 1,
	    "Timeout below 100: a WARNING naming the new unit");
	IS_INT(stub_logged(LOG_WARNING, "CAFile is an old name; write CACert"), 1,
	    "CAFile: a WARNING naming CACert");
	IS_INT(stub_logged(LOG_WARNING, ""), 2, "and no other warning");
	if ((t = target_of("upstreams-a")) != NULL) {
		IS_INT(t->timeout_ms, 100, "Timeout 100 is 100 ms");
		IS_STR(t->ca_file, "/etc/ca.pem", "CACert inherited");
	} else
		OK(0, "target a registered");
	if ((t = target_of("upstreams-b")) != NULL) {
		IS_INT(t->timeout_ms, 20000, "Timeout 20 (old seconds) is 20000 ms");
		IS_STR(t->ca_file, "/etc/old.pem", "CAFile sets the CA bundle");
	} else
		OK(0, "target b registered");

	stub_free_reads();
	stub_clear_records();
	rc = configure("Timeout 99\n<Target \"a\">\nASN 1\n</Target>\n");
	IS_INT(rc, 0, "Timeout 99 accepted");
	IS_INT(stub_logged(LOG_WARNING, "write Timeout 99000"), 1,
	    "99 is still seconds");
	if ((t = target_of("upstreams-a")) != NULL)
		IS_INT(t->timeout_ms, 99000, "Timeout 99 is 99 s");

	stub_free_reads();
	stub_clear_records();
	rc = configure("Timeout 1.5\n<Target \"a\">\nASN 1\n</Target>\n");
	IS_INT(rc, -1, "Timeout 1.5 refused (whole milliseconds)");
	IS_INT(stub_logged(LOG_ERR, "milliseconds"), 1, "the error names the unit");

	stub_free_reads();
	stub_clear_records();
	rc = configure("<Target \"a\">\nASN 1\nCACert \"\"\n</Target>\n"
	    "<Target \"b\">\nASN 2\n</Target>\n");
	IS_INT(rc, 0, "an empty CACert skips its block only");
	IS_INT(stub_logged(LOG_WARNING, "CACert"), 1, "the WARNING names CACert");
	stub_free_reads();
}

int
main(void)
{
	test_register();
	test_good_config();
	test_units_and_names();
	test_broken_blocks();
	test_names();
	test_unusable();
	test_reads();
	test_new_keys();
	test_new_keys_broken();
	test_new_plugin_keys_broken();
	test_live_config();
	test_limiter();
	test_reads_ext();
	test_fit_message();
	return tap_done();
}
