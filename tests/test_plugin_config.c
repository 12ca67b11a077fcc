/*
 * test_plugin_config.c - the collectd plugin's configuration handling and
 * its read callback, with the collectd daemon replaced by recording stubs
 * (plugin_stubs.h).  The plugin source is compiled in here so that its
 * static functions and structures can be looked at.
 */
#include "plugin_stubs.h"

#include "../collectd-plugin/upstreams.c"

#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

/* ------------------------------------------- a small config reader */

/* Reads the subset of collectd's configuration syntax the tests need:
 * "Key value ..." lines (quoted strings, numbers, true/false, bare words)
 * and <Block "value"> ... </Block>.  The result is the <Plugin upstreams>
 * item, as collectd hands it to the config callback. */

static void
cfg_free_item(oconfig_item_t *ci)
{
	int i;

	free(ci->key);
	for (i = 0; i < ci->values_num; i++)
		if (ci->values[i].type == OCONFIG_TYPE_STRING)
			free(ci->values[i].value.string);
	free(ci->values);
	for (i = 0; i < ci->children_num; i++)
		cfg_free_item(&ci->children[i]);
	free(ci->children);
}

static void
cfg_free(oconfig_item_t *ci)
{
	if (ci == NULL)
		return;
	cfg_free_item(ci);
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

static struct target *
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
	OK(stub.config_cb == upstreams_config, "config callback");
	OK(stub.init_cb == upstreams_init, "init callback");
	OK(stub.shutdown_cb == upstreams_shutdown, "shutdown callback");
}

static void
test_good_config(void)
{
	const struct stub_read *r;
	struct target *t;
	int rc;

	stub_clear_records();
	rc = configure(
	    "RipestatURL \"http://127.0.0.1:9/\"\n"
	    "SourceApp \"test\"\n"
	    "Timeout 7\n"
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
	    "  Timeout 3\n"
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
		OK(r->callback == upstreams_read, "read callback");
		OK(r->ud.free_func == target_free, "free function set");
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
		IS_INT(t->timeout_ms, 3000, "Timeout overridden per target");
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
			    first ? "" : ", ", i + 1, 64496 + i,
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
	return r->callback(&ud);
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
	}
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
	IS_INT(read_now("upstreams-sf"), -1, "state file of another target: -1");
	IS_INT(stub_logged(LOG_ERR, "holds the baseline of AS64501"), 1,
	    "error names the other target");
	IS_INT(stub.n_values, 0, "nothing dispatched");
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
	IS_INT(read_now("upstreams-dprk"), -1, "failed read returns -1");
	IS_INT(read_now("upstreams-dprk"), -1, "and again");
	IS_INT(read_now("upstreams-dprk"), -1, "and again");
	IS_INT(stub.n_values, 0, "failed reads dispatch nothing");
	IS_INT(stub_logged(LOG_ERR, "upstreams plugin: target dprk: "), 1,
	    "the failure is logged once");
	IS_INT(stub.n_notes, 0, "a failed read is no change");
	write_bgp_state(0);
	IS_INT(read_now("upstreams-dprk"), 0, "next good read works");
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

int
main(void)
{
	test_register();
	test_good_config();
	test_broken_blocks();
	test_names();
	test_unusable();
	test_reads();
	return tap_done();
}
