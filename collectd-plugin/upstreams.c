/*
 * upstreams.c - collectd read plugin: the upstream providers of an AS and
 * each one's share of the observed paths, from public BGP data.
 *
 *   LoadPlugin upstreams
 *   <Plugin upstreams>
 *     RipestatURL "https://stat.ripe.net"
 *     SourceApp "upstreams"
 *     Timeout 20
 *     <Target "dprk">
 *       ASN 131279
 *       Expect 4837 20485
 *     </Target>
 *   </Plugin>
 *
 * Every <Target> block becomes its own complex read callback with its own
 * interval and its own context (fetcher, baseline, notification state), so
 * targets never share mutable state.  Values: plugin "upstreams", plugin
 * instance = the target's name, stock types only (count, percent,
 * duration).  They carry the time of the read (collectd's "now" at
 * dispatch); how old the data itself is goes out as duration-data_age.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"

#include <pthread.h>
#include <strings.h>

#include "upstreams.h"

#define PLUGIN_NAME "upstreams"
#define TARGET_NAME_MAX 63
#define MAX_PREFIXES 64
#define DEFAULT_TIMEOUT_MS 20000
#define DEFAULT_RETRIES 3

/* Settings of the <Plugin upstreams> block that every target inherits.
 * The strings are borrowed from the configuration tree. */
struct defaults {
	const char *ripestat_url;
	const char *sourceapp;
	const char *ca_file;
	long timeout_ms;
	size_t max_bytes;
	int retries;
};

/* One <Target> block: its settings and what its reads remember. */
struct target {
	char name[TARGET_NAME_MAX + 1];
	/* settings, fixed after the configuration */
	uint32_t asn;
	upm_source source;
	char *ripestat_url;
	char *sourceapp;
	char *ca_file;
	char *state_file;
	char *prefixes[MAX_PREFIXES];
	size_t n_prefixes;
	upm_asn_list expect;
	int have_expect;
	upm_params params;
	long timeout_ms;
	size_t max_bytes;
	int retries;
	bool visibility;
	cdtime_t interval;
	/* state of the reads, under lock */
	pthread_mutex_t lock;
	upm_fetcher *fetcher;          /* made by the first read, after init */
	upm_asn_list learned;          /* baseline learned in memory */
	int have_learned;
	int changed;                   /* last notification was a FAILURE */
	upm_asn_list notified_appeared;
	upm_asn_list notified_disappeared;
	c_complain_t complaint;
};

/* ------------------------------------------------------------- target */

static struct target *
target_new(const char *name, const struct defaults *d)
{
	struct target *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	(void)snprintf(t->name, sizeof(t->name), "%s", name);
	t->source = UPM_SRC_BGP_STATE;
	upm_params_init(&t->params);
	upm_asn_list_init(&t->expect);
	upm_asn_list_init(&t->learned);
	upm_asn_list_init(&t->notified_appeared);
	upm_asn_list_init(&t->notified_disappeared);
	C_COMPLAIN_INIT(&t->complaint);
	t->timeout_ms = d->timeout_ms;
	t->max_bytes = d->max_bytes;
	t->retries = d->retries;
	if (pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		return NULL;
	}
	if ((d->ripestat_url != NULL &&
	    (t->ripestat_url = strdup(d->ripestat_url)) == NULL) ||
	    (d->sourceapp != NULL &&
	    (t->sourceapp = strdup(d->sourceapp)) == NULL) ||
	    (d->ca_file != NULL && (t->ca_file = strdup(d->ca_file)) == NULL)) {
		free(t->ripestat_url);
		free(t->sourceapp);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	return t;
}

/* The user_data_t free function: collectd calls it when the read callback
 * goes away (at shutdown); the configuration calls it for a broken block. */
static void
target_free(void *arg)
{
	struct target *t = arg;
	size_t i;

	if (t == NULL)
		return;
	upm_fetcher_free(t->fetcher);
	free(t->ripestat_url);
	free(t->sourceapp);
	free(t->ca_file);
	free(t->state_file);
	for (i = 0; i < t->n_prefixes; i++)
		free(t->prefixes[i]);
	upm_asn_list_free(&t->expect);
	upm_asn_list_free(&t->learned);
	upm_asn_list_free(&t->notified_appeared);
	upm_asn_list_free(&t->notified_disappeared);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* ------------------------------------------------------ configuration */

/* The name becomes a Graphite path element and a file name part: keep it
 * to letters, digits, '_' and '-'. */
static int
valid_target_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TARGET_NAME_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

/* Exactly one number in [min, max] with no fraction. */
static int
get_integer(const oconfig_item_t *ci, double min, double max, double *out)
{
	double v;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER)
		return -1;
	v = ci->values[0].value.number;
	if (!(v >= min && v <= max) || v != (double)(long long)v)
		return -1;
	*out = v;
	return 0;
}

/* Exactly one number in [min, max]. */
static int
get_number(const oconfig_item_t *ci, double min, double max, double *out)
{
	double v;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER)
		return -1;
	v = ci->values[0].value.number;
	if (!(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

/* One ASN from a number (131279) or a string ("AS131279"). */
static int
value_asn(const oconfig_value_t *v, uint32_t *out, upm_error *err)
{
	char buf[32];

	if (v->type == OCONFIG_TYPE_STRING)
		return upm_asn_parse(v->value.string, out, err) == UPM_OK ? 0 : -1;
	if (v->type != OCONFIG_TYPE_NUMBER)
		return upm_fail(err, UPM_ERR_ARG, "not an AS number"), -1;
	if (!(v->value.number >= 0 && v->value.number < 1e10))
		return upm_fail(err, UPM_ERR_ARG, "AS number out of range"), -1;
	if ((double)(unsigned long long)v->value.number != v->value.number)
		return upm_fail(err, UPM_ERR_ARG, "AS number with a fraction"), -1;
	/* Through the text form, so that numbers and strings get the same
	 * checks (range, reserved AS0). */
	(void)snprintf(buf, sizeof(buf), "%llu",
	    (unsigned long long)v->value.number);
	return upm_asn_parse(buf, out, err) == UPM_OK ? 0 : -1;
}

/* Expect: any number of ASNs per line, numbers or strings ("4837,20485"),
 * on one or several lines. */
static int
config_expect(struct target *t, const oconfig_item_t *ci, upm_error *err)
{
	uint32_t asn;
	int i;

	if (ci->values_num < 1)
		return upm_fail(err, UPM_ERR_ARG, "needs an AS number"), -1;
	for (i = 0; i < ci->values_num; i++) {
		const oconfig_value_t *v = &ci->values[i];

		if (v->type == OCONFIG_TYPE_STRING) {
			if (upm_asn_list_parse(&t->expect, v->value.string,
			    err) != UPM_OK)
				return -1;
			continue;
		}
		if (value_asn(v, &asn, err) != 0)
			return -1;
		if (upm_asn_list_add(&t->expect, asn) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	}
	t->have_expect = 1;
	return 0;
}

/* Prefix: looking-glass prefixes, several per line and/or several lines. */
static int
config_prefix(struct target *t, const oconfig_item_t *ci, upm_error *err)
{
	int i;

	if (ci->values_num < 1)
		return upm_fail(err, UPM_ERR_ARG, "needs a prefix"), -1;
	for (i = 0; i < ci->values_num; i++) {
		const oconfig_value_t *v = &ci->values[i];

		if (v->type != OCONFIG_TYPE_STRING)
			return upm_fail(err, UPM_ERR_ARG,
			    "prefixes are strings (\"a.b.c.d/len\")"), -1;
		if (upm_prefix_check(v->value.string, err) != UPM_OK)
			return -1;
		if (t->n_prefixes == MAX_PREFIXES)
			return upm_fail(err, UPM_ERR_ARG,
			    "more than %d prefixes", MAX_PREFIXES), -1;
		if ((t->prefixes[t->n_prefixes] = strdup(v->value.string)) == NULL)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
		t->n_prefixes++;
	}
	return 0;
}

static int
config_source(struct target *t, const oconfig_item_t *ci, upm_error *err)
{
	int src;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    (src = upm_source_parse(ci->values[0].value.string)) < 0)
		return upm_fail(err, UPM_ERR_ARG, "expected ripestat-bgp-state, "
		    "ripestat-looking-glass or ripestat-asn-neighbours"), -1;
	t->source = (upm_source)src;
	return 0;
}

/* A key both the plugin block and a target block accept. */
enum common_key { CK_NONE, CK_OK, CK_BAD };

/* The string keys: RipestatURL, SourceApp, CAFile. */
static enum common_key
config_common_string(const oconfig_item_t *ci, char **url, char **app,
    char **ca_file, upm_error *err)
{
	char **dst;

	if (strcasecmp(ci->key, "RipestatURL") == 0)
		dst = url;
	else if (strcasecmp(ci->key, "SourceApp") == 0)
		dst = app;
	else if (strcasecmp(ci->key, "CAFile") == 0)
		dst = ca_file;
	else
		return CK_NONE;
	if (cf_util_get_string(ci, dst) != 0 || (*dst)[0] == '\0')
		return upm_fail(err, UPM_ERR_ARG, "needs one non-empty string"),
		    CK_BAD;
	return CK_OK;
}

static enum common_key
config_common_key(const oconfig_item_t *ci, char **url, char **app,
    char **ca_file, long *timeout_ms, size_t *max_bytes, int *retries,
    upm_error *err)
{
	double v;

	if (strcasecmp(ci->key, "Timeout") == 0) {
		if (get_number(ci, 1, 3600, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a number of seconds 1..3600"), CK_BAD;
		*timeout_ms = (long)(v * 1000);
		return CK_OK;
	}
	if (strcasecmp(ci->key, "MaxSize") == 0) {
		if (get_integer(ci, 1024, 1099511627776.0, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a number of bytes, at least 1024"), CK_BAD;
		*max_bytes = (size_t)v;
		return CK_OK;
	}
	if (strcasecmp(ci->key, "Retries") == 0) {
		if (get_integer(ci, 0, 10, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a whole number 0..10"), CK_BAD;
		*retries = (int)v;
		return CK_OK;
	}
	return config_common_string(ci, url, app, ca_file, err);
}

/* One key of a <Target> block: 0 done, -1 bad value (err says why), 1 an
 * unknown key. */
static int
config_target_key(struct target *t, const oconfig_item_t *ci, upm_error *err)
{
	double v;

	switch (config_common_key(ci, &t->ripestat_url, &t->sourceapp,
	    &t->ca_file, &t->timeout_ms, &t->max_bytes, &t->retries, err)) {
	case CK_OK:
		return 0;
	case CK_BAD:
		return -1;
	case CK_NONE:
		break;
	}
	if (strcasecmp(ci->key, "ASN") == 0) {
		if (ci->values_num != 1)
			return upm_fail(err, UPM_ERR_ARG, "needs one AS number"), -1;
		return value_asn(&ci->values[0], &t->asn, err);
	}
	if (strcasecmp(ci->key, "Source") == 0)
		return config_source(t, ci, err);
	if (strcasecmp(ci->key, "Interval") == 0) {
		if (cf_util_get_cdtime(ci, &t->interval) != 0 || t->interval == 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a positive number of seconds"), -1;
		return 0;
	}
	if (strcasecmp(ci->key, "Expect") == 0)
		return config_expect(t, ci, err);
	if (strcasecmp(ci->key, "StateFile") == 0) {
		if (cf_util_get_string(ci, &t->state_file) != 0 ||
		    t->state_file[0] == '\0')
			return upm_fail(err, UPM_ERR_ARG, "needs a file name"), -1;
		return 0;
	}
	if (strcasecmp(ci->key, "MinPeers") == 0) {
		if (get_integer(ci, 0, 100000, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a whole number 0..100000"), -1;
		t->params.min_peers = (size_t)v;
		return 0;
	}
	if (strcasecmp(ci->key, "MinShare") == 0) {
		if (get_number(ci, 0, 100, &v) != 0)
			return upm_fail(err, UPM_ERR_ARG,
			    "needs a percentage 0..100"), -1;
		t->params.min_share = v;
		return 0;
	}
	if (strcasecmp(ci->key, "Prefix") == 0)
		return config_prefix(t, ci, err);
	if (strcasecmp(ci->key, "Visibility") == 0) {
		if (cf_util_get_boolean(ci, &t->visibility) != 0)
			return upm_fail(err, UPM_ERR_ARG, "needs true or false"), -1;
		return 0;
	}
	return 1;
}

/* Rules between keys, once the whole block is read. */
static int
config_target_check(const struct target *t, upm_error *err)
{
	if (t->asn == 0)
		return upm_fail(err, UPM_ERR_ARG, "no ASN given"), -1;
	if (t->n_prefixes > 0 && t->source != UPM_SRC_LOOKING_GLASS)
		return upm_fail(err, UPM_ERR_ARG,
		    "Prefix goes with Source \"ripestat-looking-glass\""), -1;
	return 0;
}

/* A <Target "name"> block into a new target; NULL (warnings logged) when
 * the block is broken. */
static struct target *
config_target(const oconfig_item_t *ci, const struct defaults *d)
{
	const char *name;
	struct target *t;
	upm_error err;
	int i, rc;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    !valid_target_name(ci->values[0].value.string)) {
		WARNING("upstreams plugin: <Target> needs one name of at most "
		    "%d letters, digits, '_' or '-'; block skipped",
		    TARGET_NAME_MAX);
		return NULL;
	}
	name = ci->values[0].value.string;
	if ((t = target_new(name, d)) == NULL) {
		ERROR("upstreams plugin: out of memory");
		return NULL;
	}
	memset(&err, 0, sizeof(err));
	for (i = 0; i < ci->children_num; i++) {
		const oconfig_item_t *child = &ci->children[i];

		rc = config_target_key(t, child, &err);
		if (rc > 0) {
			WARNING("upstreams plugin: unknown config key '%s' in "
			    "<Target \"%s\">; block skipped", child->key, name);
			target_free(t);
			return NULL;
		}
		if (rc < 0) {
			WARNING("upstreams plugin: invalid value for '%s' in "
			    "<Target \"%s\">: %s; block skipped", child->key,
			    name, err.text);
			target_free(t);
			return NULL;
		}
	}
	if (config_target_check(t, &err) != 0) {
		WARNING("upstreams plugin: <Target \"%s\">: %s; block skipped",
		    name, err.text);
		target_free(t);
		return NULL;
	}
	return t;
}

/* The plugin block's own keys.  A broken one affects every target, so it
 * fails the whole configuration. */
static int
config_defaults(const oconfig_item_t *ci, struct defaults *d, char **url,
    char **app, char **ca_file)
{
	upm_error err;
	int i;

	memset(&err, 0, sizeof(err));
	for (i = 0; i < ci->children_num; i++) {
		const oconfig_item_t *child = &ci->children[i];

		if (strcasecmp(child->key, "Target") == 0)
			continue;
		switch (config_common_key(child, url, app, ca_file,
		    &d->timeout_ms, &d->max_bytes, &d->retries, &err)) {
		case CK_OK:
			continue;
		case CK_BAD:
			ERROR("upstreams plugin: invalid value for '%s' in "
			    "<Plugin upstreams>: %s", child->key, err.text);
			return -1;
		case CK_NONE:
			ERROR("upstreams plugin: unknown config key '%s' in "
			    "<Plugin upstreams>", child->key);
			return -1;
		}
	}
	d->ripestat_url = *url;
	d->sourceapp = *app;
	d->ca_file = *ca_file;
	return 0;
}

static int upstreams_read(user_data_t *ud);

/* Hands t to collectd as its own read callback; t is freed either way. */
static int
register_target(struct target *t)
{
	char cb_name[sizeof(PLUGIN_NAME) + TARGET_NAME_MAX + 2];
	user_data_t ud = { .data = t, .free_func = target_free };
	int status;

	(void)snprintf(cb_name, sizeof(cb_name), PLUGIN_NAME "-%s", t->name);
	status = plugin_register_complex_read(PLUGIN_NAME, cb_name,
	    upstreams_read, t->interval, &ud);
	if (status != 0) {
		/* On failure collectd leaves the user data to us. */
		WARNING("upstreams plugin: cannot register the read of "
		    "<Target \"%s\"> (status %d); block skipped", t->name,
		    status);
		target_free(t);
		return -1;
	}
	return 0;
}

static int
name_taken(char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Targets of one <Plugin upstreams> block: each good one is registered,
 * each broken one skipped with a warning.  Fails only when none is usable. */
static int
config_targets(const oconfig_item_t *ci, const struct defaults *d)
{
	char **names;
	size_t n_names = 0, i;
	int k;

	names = calloc((size_t)ci->children_num + 1, sizeof(*names));
	if (names == NULL) {
		ERROR("upstreams plugin: out of memory");
		return -1;
	}
	for (k = 0; k < ci->children_num; k++) {
		const oconfig_item_t *child = &ci->children[k];
		struct target *t;

		if (strcasecmp(child->key, "Target") != 0)
			continue;
		if ((t = config_target(child, d)) == NULL)
			continue;
		if (name_taken(names, n_names, t->name)) {
			WARNING("upstreams plugin: duplicate target name '%s'; "
			    "second <Target \"%s\"> block skipped", t->name,
			    t->name);
			target_free(t);
			continue;
		}
		if ((names[n_names] = strdup(t->name)) == NULL) {
			ERROR("upstreams plugin: out of memory");
			target_free(t);
			continue;
		}
		if (register_target(t) != 0) {
			free(names[n_names]);
			continue;
		}
		n_names++;
	}
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	if (n_names == 0) {
		ERROR("upstreams plugin: no usable <Target> block");
		return -1;
	}
	return 0;
}

static int
upstreams_config(oconfig_item_t *ci)
{
	struct defaults d;
	char *url = NULL, *app = NULL, *ca_file = NULL;
	int status = -1;

	memset(&d, 0, sizeof(d));
	d.timeout_ms = DEFAULT_TIMEOUT_MS;
	d.retries = DEFAULT_RETRIES;
	if (config_defaults(ci, &d, &url, &app, &ca_file) == 0)
		status = config_targets(ci, &d);
	free(url);
	free(app);
	free(ca_file);
	return status;
}

/* -------------------------------------------------------------- read */

static void
trace_debug(void *ctx, const char *msg)
{
	const struct target *t = ctx;

	plugin_log(LOG_DEBUG, "upstreams plugin: target %s: fetching %s",
	    t->name, msg);
}

/* The fetcher is made by the first read: curl's global state is set up in
 * the init callback, which runs after the configuration. */
static upm_status
ensure_fetcher(struct target *t, upm_error *err)
{
	upm_fetch_opts o;

	if (t->fetcher != NULL)
		return UPM_OK;
	upm_fetch_opts_init(&o);
	o.timeout_ms = t->timeout_ms;
	o.max_bytes = t->max_bytes;
	o.max_retries = t->retries;
	o.ca_file = t->ca_file;
	o.allow_file = t->ripestat_url != NULL &&
	    strncmp(t->ripestat_url, "file://", 7) == 0;
	if ((t->fetcher = upm_fetcher_new(&o, err)) != NULL)
		return UPM_OK;
	return err->code != UPM_OK ? err->code : UPM_ERR_NOMEM;
}

static upm_status
query(struct target *t, upm_result **out, upm_error *err)
{
	upm_query_opts q;

	upm_query_opts_init(&q);
	q.asn = t->asn;
	q.source = t->source;
	q.ripestat_url = t->ripestat_url;
	q.sourceapp = t->sourceapp;
	q.prefixes = (const char *const *)t->prefixes;
	q.n_prefixes = t->n_prefixes;
	q.visibility = t->visibility;
	q.params = t->params;
	q.trace = trace_debug;
	q.trace_ctx = t;
	return upm_query(t->fetcher, &q, out, err);
}

static upm_status
copy_list(const upm_asn_list *from, upm_asn_list *to, upm_error *err)
{
	size_t i;

	upm_asn_list_free(to);
	for (i = 0; i < from->n; i++)
		if (upm_asn_list_add(to, from->v[i]) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

static void
format_list(const upm_asn_list *l, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	if (l->n == 0)
		(void)snprintf(buf, len, "no upstream");
	for (i = 0; i < l->n && used < len; i++) {
		n = snprintf(buf + used, len - used, "%sAS%lu", i ? ", " : "",
		    (unsigned long)l->v[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* State file: compared with when it exists; when it does not, seeded from
 * Expect if given, else learned from this read, and written.  Read on every
 * read, so that replacing or deleting the file (e.g. with check_upstreams
 * --accept) takes effect without touching collectd.conf. */
static upm_status
baseline_from_file(struct target *t, const upm_result *r, upm_asn_list *out,
    upm_error *err)
{
	char target[64], text[256];
	int missing = 0;
	upm_status st;

	st = upm_state_read(t->state_file, out, target, sizeof(target),
	    &missing, err);
	if (st == UPM_OK && strcmp(target, r->target) != 0)
		return upm_fail(err, UPM_ERR_STATE, "state file %s holds the "
		    "baseline of %s, not %s", t->state_file, target, r->target);
	if (st == UPM_OK || !missing)
		return st;
	upm_asn_list_free(out);
	st = t->have_expect ? copy_list(&t->expect, out, err) :
	    upm_result_present(r, out, err);
	if (st != UPM_OK)
		return st;
	if ((st = upm_state_write(t->state_file, out, r->target, err)) != UPM_OK)
		return st;
	format_list(out, text, sizeof(text));
	INFO("upstreams plugin: target %s: %s baseline %s into %s", t->name,
	    t->have_expect ? "wrote the expected" : "learned", text,
	    t->state_file);
	return UPM_OK;
}

/* The baseline for this read: the state file (seeded from Expect when
 * both are given), else Expect, else what the first good read saw (kept in
 * memory for the daemon's life). */
static upm_status
resolve_baseline(struct target *t, const upm_result *r, upm_asn_list *out,
    upm_error *err)
{
	char text[256];
	upm_status st;

	if (t->state_file != NULL)
		return baseline_from_file(t, r, out, err);
	if (t->have_expect)
		return copy_list(&t->expect, out, err);
	if (!t->have_learned) {
		if ((st = upm_result_present(r, &t->learned, err)) != UPM_OK)
			return st;
		t->have_learned = 1;
		format_list(&t->learned, text, sizeof(text));
		INFO("upstreams plugin: target %s: learned baseline %s",
		    t->name, text);
	}
	return copy_list(&t->learned, out, err);
}

static void
dispatch_gauge(const struct target *t, const char *type,
    const char *type_instance, gauge_t value)
{
	value_list_t vl = VALUE_LIST_INIT;
	value_t v;

	v.gauge = value;
	vl.values = &v;
	vl.values_len = 1;
	/* time 0: collectd stamps the value with the time of dispatch. */
	(void)snprintf(vl.plugin, sizeof(vl.plugin), "%s", PLUGIN_NAME);
	(void)snprintf(vl.plugin_instance, sizeof(vl.plugin_instance), "%s",
	    t->name);
	(void)snprintf(vl.type, sizeof(vl.type), "%s", type);
	(void)snprintf(vl.type_instance, sizeof(vl.type_instance), "%s",
	    type_instance);
	(void)plugin_dispatch_values(&vl);
}

static double
percent(uint64_t part, uint64_t whole)
{
	return 100.0 * (double)part / (double)whole;
}

static void
dispatch_result(const struct target *t, const upm_result *r)
{
	char ti[DATA_MAX_NAME_LEN];
	int64_t when;
	size_t i;

	dispatch_gauge(t, "count", "upstreams", (gauge_t)r->n_present);
	dispatch_gauge(t, "count", "missing", (gauge_t)r->disappeared.n);
	dispatch_gauge(t, "count", "unexpected", (gauge_t)r->appeared.n);
	dispatch_gauge(t, "count", "observations", (gauge_t)r->observations);
	dispatch_gauge(t, "count", "peers", (gauge_t)r->vantage_points);
	for (i = 0; i < r->n_upstreams; i++) {
		(void)snprintf(ti, sizeof(ti), "AS%lu",
		    (unsigned long)r->upstreams[i].asn);
		dispatch_gauge(t, "percent", ti, r->upstreams[i].share);
	}
	if (r->visibility.have && r->visibility.v4_total > 0)
		dispatch_gauge(t, "percent", "visibility_v4", percent(
		    r->visibility.v4_seeing, r->visibility.v4_total));
	if (r->visibility.have && r->visibility.v6_total > 0)
		dispatch_gauge(t, "percent", "visibility_v6", percent(
		    r->visibility.v6_seeing, r->visibility.v6_total));
	if (r->data_time[0] != '\0' &&
	    upm_time_parse(r->data_time, &when, NULL) == UPM_OK) {
		double age = CDTIME_T_TO_DOUBLE(cdtime()) - (double)when;
		dispatch_gauge(t, "duration", "data_age", age > 0 ? age : 0);
	}
}

static void
notify(const struct target *t, int severity, const char *message)
{
	notification_t n;

	memset(&n, 0, sizeof(n));
	n.severity = severity;
	n.time = cdtime();
	(void)snprintf(n.host, sizeof(n.host), "%s", hostname_g ? hostname_g : "");
	(void)snprintf(n.plugin, sizeof(n.plugin), "%s", PLUGIN_NAME);
	(void)snprintf(n.plugin_instance, sizeof(n.plugin_instance), "%s",
	    t->name);
	(void)snprintf(n.message, sizeof(n.message), "%s", message);
	(void)plugin_dispatch_notification(&n);
}

static int
same_list(const upm_asn_list *a, const upm_asn_list *b)
{
	return a->n == b->n &&
	    (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(*a->v)) == 0);
}

/* FAILURE when the comparison turns from "matches" to "changed" or the
 * change itself changes; OKAY when it matches again.  Never repeated on
 * every read: the values carry the ongoing state. */
static void
notify_change(struct target *t, const upm_result *r, const upm_asn_list *base)
{
	int changed = r->appeared.n > 0 || r->disappeared.n > 0;
	upm_buf msg;
	char text[256];
	upm_error err;

	if (changed && t->changed &&
	    same_list(&r->appeared, &t->notified_appeared) &&
	    same_list(&r->disappeared, &t->notified_disappeared))
		return;
	if (!changed && !t->changed)
		return;
	upm_buf_init(&msg);
	(void)upm_buf_printf(&msg, "upstreams %s (%s): ", t->name, r->target);
	if (changed) {
		(void)upm_render_summary(r, &msg);
		if (copy_list(&r->appeared, &t->notified_appeared, &err) !=
		    UPM_OK || copy_list(&r->disappeared,
		    &t->notified_disappeared, &err) != UPM_OK) {
			/* Without memory, forget the change: the next read
			 * notifies again rather than never. */
			upm_asn_list_free(&t->notified_appeared);
			upm_asn_list_free(&t->notified_disappeared);
		}
	} else {
		format_list(base, text, sizeof(text));
		(void)upm_buf_printf(&msg, "upstream set back to baseline: %s",
		    text);
	}
	t->changed = changed;
	notify(t, changed ? NOTIF_FAILURE : NOTIF_OKAY,
	    msg.data != NULL ? msg.data : "");
	upm_buf_free(&msg);
}

/* One read; 0 when values went out, -1 (logged once) when not. */
static int
read_target(struct target *t)
{
	upm_result *r = NULL;
	upm_asn_list base;
	upm_error err;
	upm_status st;

	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&base);
	if ((st = ensure_fetcher(t, &err)) == UPM_OK &&
	    (st = query(t, &r, &err)) == UPM_OK &&
	    (st = resolve_baseline(t, r, &base, &err)) == UPM_OK)
		st = upm_diff(r, &base, &err);
	if (st != UPM_OK) {
		c_complain_once(LOG_ERR, &t->complaint,
		    "upstreams plugin: target %s: %s: %s", t->name,
		    upm_status_name(st), err.text);
		upm_result_free(r);
		upm_asn_list_free(&base);
		return -1;
	}
	c_release(LOG_INFO, &t->complaint,
	    "upstreams plugin: target %s: reading works again", t->name);
	dispatch_result(t, r);
	notify_change(t, r, &base);
	upm_result_free(r);
	upm_asn_list_free(&base);
	return 0;
}

/* Reads of one target are serialized by collectd; the lock makes that a
 * property of this plugin rather than an assumption about the daemon. */
static int
upstreams_read(user_data_t *ud)
{
	struct target *t;
	int status;

	if (ud == NULL || ud->data == NULL)
		return -1;
	t = ud->data;
	pthread_mutex_lock(&t->lock);
	status = read_target(t);
	pthread_mutex_unlock(&t->lock);
	return status;
}

/* ---------------------------------------------------- init, shutdown */

static int
upstreams_init(void)
{
	upm_error err;

	memset(&err, 0, sizeof(err));
	if (upm_global_init(&err) != UPM_OK) {
		ERROR("upstreams plugin: initialisation failed: %s", err.text);
		return -1;
	}
	return 0;
}

static int
upstreams_shutdown(void)
{
	upm_global_cleanup();
	return 0;
}

void
module_register(void)
{
	plugin_register_complex_config(PLUGIN_NAME, upstreams_config);
	plugin_register_init(PLUGIN_NAME, upstreams_init);
	plugin_register_shutdown(PLUGIN_NAME, upstreams_shutdown);
}
