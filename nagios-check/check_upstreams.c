/*
 * check_upstreams - Nagios/Icinga check: who carries a network's routes?
 *
 * OK while the set of upstreams of the target AS is the baseline, CRITICAL
 * when one appears or disappears (and until the operator accepts the new
 * set), WARNING/CRITICAL by thresholds on the number of upstreams, UNKNOWN
 * whenever the data cannot be trusted.  Follows the Monitoring Plugins
 * development guidelines.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "history.h"
#include "upstreams.h"
#include "extra_opts.h"

#define PROGNAME "check_upstreams"
#define DEFAULT_TIMEOUT 30
#define MAX_PREFIXES 64
/* Several targets: at most this many per run, and this many requests in
 * flight by default and at most (RIPEstat allows 8 per client address). */
#define MAX_TARGETS 4096
#define DEFAULT_PARALLEL 4
#define MAX_PARALLEL 8

enum format { FMT_NAGIOS, FMT_TEXT, FMT_JSON, FMT_GRAPHITE };

#define DEFAULT_GRAPHITE_PREFIX "history"

struct config {
	upm_query_opts q;
	upm_fetch_opts fetch;
	upm_asn_list expect;
	int have_expect;
	const char *state_file;
	int accept;
	upm_range warn, crit;
	int have_warn, have_crit;
	long timeout;
	int verbose;
	enum format format;
	char *prefix_store;             /* the --prefix arguments, split in place */
	const char *prefixes[MAX_PREFIXES];
	/* History mode: --from/--until/--step. */
	const char *from, *until, *step;
	int64_t from_t, until_t, step_s;
	size_t n_steps;
	const char *graphite_prefix;
	const char *name;               /* Graphite target name; default AS<n> */
	/* Countries, several sources, per-prefix expectations. */
	char country[3];
	upm_asn_list extra_asns;
	char *extra_prefix_store;       /* --extra-prefix arguments, split */
	const char *extra_prefixes[MAX_PREFIXES];
	upm_source sources[UPM_MAX_SOURCES];
	char expect_prefix[MAX_PREFIXES][64];  /* --expect-prefix P=ASN,... */
	const char *expect_prefix_ptr[MAX_PREFIXES];
	upm_asn_list expect_prefix_asns[MAX_PREFIXES];
	size_t n_expect_prefix;
	/* Several targets: the -a ASNs in the order given, no duplicates. */
	uint32_t *asns;
	size_t n_asns;
	const char *state_dir;          /* one state file per target there */
	char *state_dir_file;           /* one target with --state-dir */
	long parallel;
};

/* What the run found out, for the output. */
struct outcome {
	upm_state state;
	upm_buf message;
	upm_result *result;
	upm_buf reason;     /* why not OK, short, for a multi-target summary */
};

/* One of several targets. */
struct target {
	uint32_t asn;
	char name[16];          /* "AS131279" */
	char *state_file;       /* under --state-dir, or NULL */
	struct outcome o;
};

enum {
	OPT_STATE_FILE = 256, OPT_ACCEPT, OPT_RIPESTAT_URL, OPT_SOURCEAPP,
	OPT_MIN_PEERS, OPT_MIN_SHARE, OPT_AT, OPT_MAX_SIZE, OPT_CA_FILE,
	OPT_VISIBILITY, OPT_RETRIES, OPT_FROM, OPT_UNTIL, OPT_STEP,
	OPT_GRAPHITE_PREFIX, OPT_NAME, OPT_COUNTRY, OPT_EXTRA_ASN,
	OPT_EXTRA_PREFIX, OPT_NLNOG_URL, OPT_ALICE_URL, OPT_EXPECT_PREFIX,
	OPT_MAX_ASNS, OPT_CACHE_DIR, OPT_STATE_DIR, OPT_PARALLEL
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
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
print_usage(FILE *f)
{
	fprintf(f, "Usage: %s {-a ASN | --country CC}\n"
	    "       [-e ASN,... | --state-file FILE [--accept]]\n"
	    "       [-s SOURCE] [--prefix P,...] [-w RANGE] [-c RANGE] [-t SECONDS]\n"
	    "       [-f nagios|text|json] [-v] [-h] [-V]\n"
	    "       %s -a ASN,ASN... [--state-dir DIR [--accept]] "
	    "[--parallel N]\n"
	    "       [-s SOURCE] [-w RANGE] [-c RANGE] [-t SECONDS] "
	    "[-f nagios|text|json]\n"
	    "       %s -a ASN --from TIME --until TIME --step DURATION\n"
	    "       [-f nagios|text|json|graphite] [--graphite-prefix P] "
	    "[--name N]\n", PROGNAME, PROGNAME, PROGNAME);
}

static void
print_help(void)
{
	printf("%s %s - the upstream providers of an AS and their share of\n"
	    "the paths, from public BGP data (RIPEstat).\n\n", PROGNAME,
	    UPM_VERSION);
	print_usage(stdout);
	printf("\nOptions:\n"
" -h, --help             Print this help and exit\n"
" -V, --version          Print the version and exit\n"
" -a, --asn ASN[,ASN...] Target AS (131279 or AS131279); several (a comma\n"
"                        list, or -a again) are checked in one run\n"
" -e, --expect ASN,...   The upstreams the target should have (the baseline;\n"
"                        one target only)\n"
"     --state-file FILE  Keep a learned baseline in FILE: learned on the first\n"
"                        run, compared on later runs (one target only)\n"
"     --state-dir DIR    Like --state-file, one file per target: DIR/AS<n>.state\n"
"     --accept           Replace the baseline in --state-file (or --state-dir)\n"
"                        with the upstreams present now (after a change was\n"
"                        checked and is wanted)\n"
"     --parallel N       Several targets: at most N requests at a time\n"
"                        (default %d, at most %d: RIPEstat's limit per address)\n"
" -s, --source SRC,...   ripestat-bgp-state (default), ripestat-looking-glass,\n"
"                        ripestat-asn-neighbours, nlnog-lg, alice-lg; a comma\n"
"                        list asks several and reports each beside the total\n"
" -p, --prefix P,...     Prefixes for the looking glasses (default: the\n"
"                        target's announced prefixes, at most %d)\n"
"     --country CC       Target a country (KP): its ASNs from RIPEstat's\n"
"                        country-resource-list form the origin set; upstreams\n"
"                        are the first ASes outside it (international)\n"
"     --extra-asn ASN,...\n"
"                        Add ASes to the origin set\n"
"     --extra-prefix P,...\n"
"                        Prefixes used by the target but registered\n"
"                        elsewhere: their originating AS counts as upstream\n"
"     --max-asns N       Country: most ASNs asked per run (default 1000)\n"
"     --cache-dir DIR    Keep responses there and answer from it while they\n"
"                        are fresh (shared by checks and the plugin); the\n"
"                        country's ASN list is kept a day\n"
"     --nlnog-url URL    NLNOG RING looking glass (default\n"
"                        https://lg.ring.nlnog.net)\n"
"     --alice-url URL    Alice-LG looking glass base URL (for alice-lg)\n"
"     --expect-prefix P=ASN,...\n"
"                        The upstreams one prefix should have\n"
"                        (repeatable); a change on it is CRITICAL\n"
"     --ripestat-url URL RIPEstat base URL (default https://stat.ripe.net);\n"
"                        file:// URLs read a recorded replay\n"
"     --sourceapp ID     RIPEstat sourceapp parameter (default upstreams)\n"
"     --min-peers N      Vantage points an upstream needs to be present\n"
"                        (default 2)\n"
"     --min-share PCT    Path share an upstream needs to be present (default 1)\n"
"     --at TIME          Ask for a past instant (YYYY-MM-DDTHH:MM:SS UTC or Unix\n"
"                        seconds; ripestat-bgp-state only)\n"
"     --visibility       Also ask routing-status for the target's visibility\n"
" -w, --warning RANGE    WARNING when the number of present upstreams is outside\n"
"                        RANGE ([@]start:end, Monitoring Plugins syntax)\n"
" -c, --critical RANGE   CRITICAL likewise (-c 2: is CRITICAL below two)\n"
" -t, --timeout SECONDS  Give up (UNKNOWN) after this long (default %d)\n"
"     --retries N        Retries of a failed request within the timeout\n"
"                        (default 3)\n"
"     --max-size BYTES   Largest response accepted (default 64 MiB)\n"
"     --ca-file FILE     CA bundle for TLS verification\n"
" -f, --format FORMAT    nagios (default), text or json; the exit code is the\n"
"                        state in every format\n"
" -v, --verbose          -v: the status line and one line per upstream (the\n"
"                        default output already carries them); -vv: also\n"
"                        each request on stderr; -vvv: also the effective\n"
"                        configuration on stderr\n"
"     --extra-opts[=[SECTION][@FILE]]\n"
"                        Read options from SECTION (default check_upstreams)\n"
"                        of an INI file (Monitoring Plugins extra-opts)\n"
"\nHistory (ripestat-bgp-state): walk a time range and report change points\n"
"     --from TIME        First instant (as --at)\n"
"     --until TIME       Last instant (included when on a step)\n"
"     --step DURATION    Time between steps: seconds, or 30s, 15m, 1h, 2d; at\n"
"                        most %d steps.  One request per step, one at a time;\n"
"                        -t applies to each.  Progress on stderr at a terminal.\n"
" -f graphite            Graphite plaintext lines for every step and upstream:\n"
"                        <prefix>.upstreams-<name>.percent-AS<n> <value> <epoch>\n"
"     --graphite-prefix P Metric path prefix (default %s)\n"
"     --name NAME        Target name in the metric path (default AS<n>)\n"
"A change point is the first step whose present set differs from the step\n"
"before.  A step without any route (an outage) counts as an empty set.\n"
"Exit code: 0 no change point, 2 at least one, 3 on an error.\n"
"\nStates: OK while the present upstreams are the baseline; CRITICAL when one\n"
"appeared or disappeared, until accepted; WARNING/CRITICAL from -w/-c; UNKNOWN\n"
"when the data cannot be trusted (network, HTTP, maintenance, parse errors).\n"
"Several targets: the worst state wins, CRITICAL > WARNING > UNKNOWN > OK; a\n"
"target that could not be read is UNKNOWN, never CRITICAL.\n",
	    DEFAULT_PARALLEL, MAX_PARALLEL, MAX_PREFIXES, DEFAULT_TIMEOUT,
	    HISTORY_MAX_STEPS, DEFAULT_GRAPHITE_PREFIX);
}

/* Strict integer argument in [min, max]. */
static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
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

	if (n == MAX_PREFIXES)
		return upm_fail(err, UPM_ERR_ARG, "more than %d --expect-prefix",
		    MAX_PREFIXES), -1;
	upm_asn_list_init(&c->expect_prefix_asns[n]);
	if (upm_prefix_expect_parse(arg, c->expect_prefix[n],
	    sizeof(c->expect_prefix[n]), &c->expect_prefix_asns[n], err) !=
	    UPM_OK) {
		upm_asn_list_free(&c->expect_prefix_asns[n]);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(c->expect_prefix[i], c->expect_prefix[n]) == 0) {
			upm_asn_list_free(&c->expect_prefix_asns[n]);
			return upm_fail(err, UPM_ERR_ARG, "--expect-prefix %s "
			    "given twice", c->expect_prefix[n]), -1;
		}
	c->expect_prefix_ptr[n] = c->expect_prefix[n];
	c->n_expect_prefix = n + 1;
	c->q.track_prefixes = c->expect_prefix_ptr;
	c->q.n_track_prefixes = c->n_expect_prefix;
	return 0;
}

/* Whether a source of the query asks per prefix (the looking glasses). */
static int
has_prefix_source(const struct config *c)
{
	size_t n = c->q.n_sources ? c->q.n_sources : 1;

	for (size_t i = 0; i < n; i++) {
		upm_source s = c->q.n_sources ? c->q.sources[i] : c->q.source;
		if (s == UPM_SRC_LOOKING_GLASS || s == UPM_SRC_NLNOG_LG ||
		    s == UPM_SRC_ALICE_LG)
			return 1;
	}
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
parse_option(struct config *c, int opt, const char *arg, upm_error *err)
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
		return arg[0] != '\0' ? 0 : -1;
	case OPT_PARALLEL:
		if (parse_long(arg, 1, MAX_PARALLEL, &c->parallel) != 0)
			break;
		return 0;
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
		return arg[0] != '\0' ? 0 : -1;
	case OPT_ALICE_URL:
		c->q.alice_url = arg;
		return arg[0] != '\0' ? 0 : -1;
	case OPT_EXPECT_PREFIX:
		return parse_expect_prefix(c, arg, err);
	case OPT_MAX_ASNS:
		if (parse_long(arg, 1, 100000, &l) != 0)
			break;
		c->q.max_asns = (size_t)l;
		return 0;
	case OPT_CACHE_DIR:
		/* Shared with other checks and the plugin; freshness by
		 * data call (the country list a day). */
		c->fetch.cache_dir = arg;
		return arg[0] != '\0' ? 0 : -1;
	case OPT_RIPESTAT_URL:
		c->q.ripestat_url = arg;
		c->fetch.allow_file = strncmp(arg, "file://", 7) == 0;
		return 0;
	case OPT_SOURCEAPP:
		c->q.sourceapp = arg;
		return arg[0] != '\0' ? 0 : -1;
	case OPT_MIN_PEERS:
		if (parse_long(arg, 0, 100000, &l) != 0)
			break;
		c->q.params.min_peers = (size_t)l;
		return 0;
	case OPT_MIN_SHARE:
		if (parse_double(arg, 0.0, 100.0, &d) != 0)
			break;
		c->q.params.min_share = d;
		return 0;
	case OPT_AT:
		c->q.at = arg;
		return 0;
	case OPT_MAX_SIZE:
		if (parse_long(arg, 1024, 1L << 40, &l) != 0)
			break;
		c->fetch.max_bytes = (size_t)l;
		return 0;
	case OPT_CA_FILE:
		c->fetch.ca_file = arg;
		return 0;
	case OPT_VISIBILITY:
		c->q.visibility = 1;
		return 0;
	case OPT_RETRIES:
		if (parse_long(arg, 0, 10, &l) != 0)
			break;
		c->fetch.max_retries = (int)l;
		return 0;
	case 'w':
		c->have_warn = 1;
		return upm_range_parse(arg, &c->warn, err) == UPM_OK ? 0 : -1;
	case 'c':
		c->have_crit = 1;
		return upm_range_parse(arg, &c->crit, err) == UPM_OK ? 0 : -1;
	case 't':
		if (parse_long(arg, 1, 3600, &c->timeout) != 0)
			break;
		return 0;
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
	return upm_fail(err, UPM_ERR_ARG, "invalid value '%.60s' for --%s",
	    arg ? arg : "", longopts_name(opt)), -1;
}

/* The history mode's rules: all of --from/--until/--step or none, and
 * nothing that only makes sense for one instant. */
static int
check_history_config(struct config *c, upm_error *err)
{
	int any = c->from || c->until || c->step;

	if (!any) {
		if (c->format == FMT_GRAPHITE || c->graphite_prefix || c->name)
			return upm_fail(err, UPM_ERR_ARG, "-f graphite, "
			    "--graphite-prefix and --name go with --from/--until/"
			    "--step"), -1;
		return 0;
	}
	if (!c->from || !c->until || !c->step)
		return upm_fail(err, UPM_ERR_ARG,
		    "history needs all of --from, --until and --step"), -1;
	if (c->q.source != UPM_SRC_BGP_STATE || c->q.n_sources > 0)
		return upm_fail(err, UPM_ERR_ARG,
		    "history goes with -s ripestat-bgp-state"), -1;
	if (c->q.country || c->q.n_extra_asns || c->q.n_extra_prefixes ||
	    c->n_expect_prefix)
		return upm_fail(err, UPM_ERR_ARG, "history goes with one AS: "
		    "not with --country, --extra-* or --expect-prefix"), -1;
	if (c->q.at || c->have_expect || c->state_file || c->have_warn ||
	    c->have_crit)
		return upm_fail(err, UPM_ERR_ARG, "--at, --expect, --state-file, "
		    "-w and -c do not go with --from/--until/--step"), -1;
	return history_count_steps(c->from_t, c->until_t, c->step_s,
	    HISTORY_MAX_STEPS, &c->n_steps, err) == UPM_OK ? 0 : -1;
}

/* --state-dir, and what several targets leave out: a baseline given by
 * hand and the modes that belong to one target (kept simple). */
static int
check_targets_config(struct config *c, upm_error *err)
{
	upm_buf path;

	if (c->state_dir != NULL && c->state_file != NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "use either --state-file or --state-dir, not both"), -1;
	if (c->state_dir != NULL && c->have_expect)
		return upm_fail(err, UPM_ERR_ARG,
		    "use either --expect or --state-dir, not both"), -1;
	if (c->n_asns > 1) {
		if (c->have_expect)
			return upm_fail(err, UPM_ERR_ARG, "--expect is the "
			    "baseline of one target: with several targets use "
			    "--state-dir"), -1;
		if (c->state_file != NULL)
			return upm_fail(err, UPM_ERR_ARG, "--state-file holds "
			    "the baseline of one target: with several targets "
			    "use --state-dir"), -1;
		if (c->from || c->until || c->step)
			return upm_fail(err, UPM_ERR_ARG, "history (--from/"
			    "--until/--step) goes with one target"), -1;
		if (c->q.n_sources > 0 || c->q.n_prefixes > 0 ||
		    c->q.n_extra_asns > 0 || c->q.n_extra_prefixes > 0 ||
		    c->n_expect_prefix > 0)
			return upm_fail(err, UPM_ERR_ARG, "several sources, "
			    "--prefix, --extra-asn, --extra-prefix and "
			    "--expect-prefix go with one target"), -1;
		return 0;
	}
	if (c->state_dir == NULL)
		return 0;
	/* One target: --state-dir is --state-file with the name made up. */
	upm_buf_init(&path);
	if (c->q.country != NULL)
		upm_buf_printf(&path, "%s/%s.state", c->state_dir, c->q.country);
	else
		upm_buf_printf(&path, "%s/AS%lu.state", c->state_dir,
		    (unsigned long)c->q.asn);
	if (path.data == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	c->state_dir_file = upm_buf_steal(&path);
	c->state_file = c->state_dir_file;
	return 0;
}

/* Cross-option rules, after all options are read. */
static int
check_config(struct config *c, upm_error *err)
{
	if (c->q.asn == 0 && c->q.country == NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "-a/--asn or --country is required"), -1;
	if (c->q.asn != 0 && c->q.country != NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "use either -a/--asn or --country, not both"), -1;
	if (check_targets_config(c, err) != 0)
		return -1;
	if (c->have_expect && c->state_file != NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "use either --expect or --state-file, not both"), -1;
	if (c->accept && c->state_file == NULL && c->state_dir == NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "--accept needs --state-file or --state-dir"), -1;
	if (c->have_expect && c->expect.n == 0)
		return upm_fail(err, UPM_ERR_ARG, "--expect needs an AS"), -1;
	if (c->q.n_prefixes > 0 && !has_prefix_source(c))
		return upm_fail(err, UPM_ERR_ARG, "--prefix goes with -s "
		    "ripestat-looking-glass, nlnog-lg or alice-lg"), -1;
	if (c->q.at != NULL && (c->q.source != UPM_SRC_BGP_STATE ||
	    c->q.n_sources > 0))
		return upm_fail(err, UPM_ERR_ARG,
		    "--at goes with -s ripestat-bgp-state"), -1;
	if (c->q.at != NULL) {
		int64_t t;
		if (upm_time_parse(c->q.at, &t, err) != UPM_OK)
			return -1;
	}
	return check_history_config(c, err);
}

/* 0: go on; 1: done (help/version printed); -1: error in err. */
static int
parse_args(int argc, char **argv, struct config *c, upm_error *err)
{
	int opt, idx;
	char label[64];

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "a:p:e:s:w:c:t:f:vhV", longopts,
	    &idx)) != -1) {
		if (opt == 'h') {
			print_help();
			return 1;
		}
		if (opt == 'V') {
			printf("%s %s\n", PROGNAME, UPM_VERSION);
			return 1;
		}
		if (opt == '?' || opt == ':') {
			if (optopt != 0)
				(void)snprintf(label, sizeof(label), "-%c", optopt);
			else
				(void)snprintf(label, sizeof(label), "%s",
				    argv[optind - 1]);
			return upm_fail(err, UPM_ERR_ARG, "unknown option or "
			    "missing value: %s", label), -1;
		}
		if (parse_option(c, opt, optarg, err) != 0)
			return -1;
	}
	if (optind < argc)
		return upm_fail(err, UPM_ERR_ARG, "unexpected argument '%.60s'",
		    argv[optind]), -1;
	return check_config(c, err);
}

/* The baseline to compare with: --expect, or the state file (learned on
 * first sight, replaced on --accept).  *baseline stays empty and
 * *have_baseline 0 when neither was given. */
static upm_status
resolve_baseline(const struct config *c, const char *state_file,
    const upm_result *r, upm_asn_list *baseline, int *have_baseline,
    upm_buf *note, upm_error *err)
{
	char target[64];
	int missing = 0;
	upm_status st;

	*have_baseline = 0;
	if (c->have_expect) {
		*have_baseline = 1;
		for (size_t i = 0; i < c->expect.n; i++)
			if (upm_asn_list_add(baseline, c->expect.v[i]) != UPM_OK)
				return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return UPM_OK;
	}
	if (state_file == NULL)
		return UPM_OK;
	*have_baseline = 1;
	if (!c->accept) {
		st = upm_state_read(state_file, baseline, target,
		    sizeof(target), &missing, err);
		if (st == UPM_OK && strcmp(target, r->target) != 0)
			return upm_fail(err, UPM_ERR_STATE, "state file %s holds "
			    "the baseline of %s, not %s", state_file, target,
			    r->target);
		if (st != UPM_OK && !missing)
			return st;
		if (st == UPM_OK)
			return UPM_OK;
	}
	/* Learn (first run) or accept: the present set becomes the baseline. */
	upm_asn_list_free(baseline);
	if ((st = upm_result_present(r, baseline, err)) != UPM_OK)
		return st;
	if ((st = upm_state_write(state_file, baseline, r->target, err)))
		return st;
	upm_buf_printf(note, "%s baseline: ", c->accept ? "accepted new" : "learned");
	for (size_t i = 0; i < baseline->n; i++)
		upm_buf_printf(note, "%sAS%lu", i ? ", " : "",
		    (unsigned long)baseline->v[i]);
	if (baseline->n == 0)
		upm_buf_printf(note, "no upstream");
	upm_buf_printf(note, "; ");
	return UPM_OK;
}

static upm_state
worse(upm_state a, upm_state b)
{
	return b > a ? b : a;
}

/* "AS20485 appeared (39.0%), AS3356 disappeared" for the short reason of a
 * target among several (the share of the largest entry, as the summary). */
static void
changes_text(const upm_result *r, upm_buf *out)
{
	const upm_asn_list *lists[2] = { &r->appeared, &r->disappeared };
	static const char *const words[2] = { "appeared", "disappeared" };
	const char *sep = "";

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->n; i++, sep = ", ") {
			double share = 0.0;

			for (size_t j = 0; j < r->n_upstreams; j++)
				if (r->upstreams[j].asn == lists[k]->v[i] &&
				    r->upstreams[j].share > share)
					share = r->upstreams[j].share;
			upm_buf_printf(out, "%sAS%lu %s", sep,
			    (unsigned long)lists[k]->v[i], words[k]);
			if (share > 0.0)
				upm_buf_printf(out, " (%.1f%%)", share);
		}
}

/* State and message from a result with a baseline applied; o->reason gets
 * the why of a state other than OK, short. */
static void
judge(const struct config *c, const char *state_file, struct outcome *o,
    const upm_buf *note)
{
	const upm_result *r = o->result;
	double n = (double)r->n_present;
	size_t prefix_changes = upm_result_prefix_changes(r);

	o->state = UPM_STATE_OK;
	if (r->appeared.n > 0 || r->disappeared.n > 0 || prefix_changes > 0)
		o->state = UPM_STATE_CRITICAL;
	if (note->len > 0)
		upm_buf_append(&o->message, note->data, note->len);
	upm_render_summary(r, &o->message);
	changes_text(r, &o->reason);
	if (prefix_changes > 0)
		upm_buf_printf(&o->reason, "%s%zu prefix%s changed",
		    o->reason.len ? ", " : "", prefix_changes,
		    prefix_changes == 1 ? "" : "es");
	if (r->disagree[0] != '\0')
		upm_buf_printf(&o->message, "; %s", r->disagree);
	if (c->have_crit && upm_range_alert(&c->crit, n)) {
		o->state = worse(o->state, UPM_STATE_CRITICAL);
		upm_buf_printf(&o->message, "; %zu upstreams outside critical "
		    "range %s", r->n_present, c->crit.text);
		upm_buf_printf(&o->reason, "%s%zu upstreams outside critical "
		    "range %s", o->reason.len ? ", " : "", r->n_present,
		    c->crit.text);
	} else if (c->have_warn && upm_range_alert(&c->warn, n)) {
		o->state = worse(o->state, UPM_STATE_WARNING);
		upm_buf_printf(&o->message, "; %zu upstreams outside warning "
		    "range %s", r->n_present, c->warn.text);
		upm_buf_printf(&o->reason, "%s%zu upstreams outside warning "
		    "range %s", o->reason.len ? ", " : "", r->n_present,
		    c->warn.text);
	}
	if (r->baselined && o->state == UPM_STATE_CRITICAL &&
	    (r->appeared.n > 0 || r->disappeared.n > 0) && state_file)
		upm_buf_printf(&o->message, " (accept with --accept)");
}

static upm_status
diff_prefixes(const struct config *c, upm_result *r, upm_error *err)
{
	upm_status st = UPM_OK;

	for (size_t i = 0; st == UPM_OK && i < c->n_expect_prefix; i++)
		st = upm_diff_prefix(r, c->expect_prefix[i],
		    &c->expect_prefix_asns[i], err);
	return st;
}

static void
unknown(struct outcome *o, const upm_error *err)
{
	o->state = UPM_STATE_UNKNOWN;
	upm_buf_free(&o->message);
	upm_buf_printf(&o->message, "%s: %s", upm_status_name(err->code),
	    err->text);
	/* Short: "HTTP 404", else the kind of failure ("network error"). */
	upm_buf_free(&o->reason);
	if (err->code == UPM_ERR_HTTP && strncmp(err->text, "HTTP ", 5) == 0)
		upm_buf_printf(&o->reason, "HTTP %.*s", (int)strcspn(err->text +
		    5, " :;,"), err->text + 5);
	else
		upm_buf_printf(&o->reason, "%s", upm_status_name(err->code));
}

static void
trace_to_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "fetching %s\n", msg);
}

/* -vvv, the Monitoring Plugins' "lots of detail for problem diagnosis":
 * the configuration the check actually runs with. */
static void
print_effective_config(const struct config *c)
{
	fprintf(stderr, "config: source %s, ripestat-url %s, sourceapp %s\n",
	    upm_source_name(c->q.source), c->q.ripestat_url != NULL ?
	    c->q.ripestat_url : "https://stat.ripe.net", c->q.sourceapp != NULL ?
	    c->q.sourceapp : "upstreams");
	fprintf(stderr, "config: min-peers %zu, min-share %g, warning %s, "
	    "critical %s\n", c->q.params.min_peers, c->q.params.min_share,
	    c->have_warn ? c->warn.text : "(none)",
	    c->have_crit ? c->crit.text : "(none)");
	fprintf(stderr, "config: baseline %s%s, timeout %ld s, retries %d, "
	    "max-size %zu, cache %s\n", c->have_expect ? "--expect" :
	    c->state_file != NULL ? "--state-file " : c->state_dir != NULL ?
	    "--state-dir " : "none", c->state_file != NULL ? c->state_file :
	    c->state_dir != NULL ? c->state_dir : "", c->timeout,
	    c->fetch.max_retries, c->fetch.max_bytes != 0 ? c->fetch.max_bytes :
	    (size_t)64 << 20, c->fetch.cache_dir != NULL ?
	    c->fetch.cache_dir : "(none)");
}

/* The state directory is made on first use (0700: baselines are the
 * operator's business); an existing one is left as it is. */
static upm_status
make_state_dir(const struct config *c, upm_error *err)
{
	if (c->state_dir == NULL || mkdir(c->state_dir, 0700) == 0 ||
	    errno == EEXIST)
		return UPM_OK;
	return upm_fail(err, UPM_ERR_IO, "cannot create the state directory "
	    "%s: %s", c->state_dir, strerror(errno));
}

/* After the query: the baseline (learned, compared or accepted), the
 * comparison and the judgement. */
static void
assess(const struct config *c, const char *state_file, struct outcome *o)
{
	upm_asn_list baseline;
	upm_buf note;
	upm_error err;
	int have_baseline = 0;

	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&baseline);
	upm_buf_init(&note);
	if (resolve_baseline(c, state_file, o->result, &baseline,
	    &have_baseline, &note, &err) != UPM_OK ||
	    upm_diff(o->result, have_baseline ? &baseline : NULL, &err) != UPM_OK ||
	    diff_prefixes(c, o->result, &err) != UPM_OK)
		unknown(o, &err);
	else
		judge(c, state_file, o, &note);
	upm_asn_list_free(&baseline);
	upm_buf_free(&note);
}

/* Leave the last half second of the budget to report, not to wait. */
static void
prepare_fetch(struct config *c)
{
	c->fetch.timeout_ms = c->timeout * 1000 - 500;
	if (c->verbose >= 2)
		c->q.trace = trace_to_stderr;
	if (c->verbose >= 3)
		print_effective_config(c);
}

/* The whole check, from configuration to outcome. */
static void
run_check(struct config *c, struct outcome *o)
{
	upm_fetcher *f = NULL;
	upm_error err;

	memset(&err, 0, sizeof(err));
	prepare_fetch(c);
	if (make_state_dir(c, &err) != UPM_OK ||
	    upm_global_init(&err) != UPM_OK ||
	    (f = upm_fetcher_new(&c->fetch, &err)) == NULL ||
	    upm_query(f, &c->q, &o->result, &err) != UPM_OK)
		unknown(o, &err);
	else
		assess(c, c->state_file, o);
	upm_fetcher_free(f);
}

/* The report of one target's outcome, for the renderers. */
static void
make_report(const struct config *c, const char *target,
    const struct outcome *o, upm_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->state = o->state;
	rep->message = o->message.data ? o->message.data : "";
	rep->result = o->state == UPM_STATE_UNKNOWN ? NULL : o->result;
	rep->warn = c->have_warn ? &c->warn : NULL;
	rep->crit = c->have_crit ? &c->crit : NULL;
	rep->target = target;
	rep->source = upm_source_name(c->q.source);
}

/* Prints what st says was rendered into out (freed) and gives state as
 * the exit status; output that could not be made is UNKNOWN instead. */
static int
print_output(upm_buf *out, upm_status st, int state)
{
	if (st != UPM_OK) {
		upm_buf_free(out);
		printf("UPSTREAMS UNKNOWN - cannot format the output: %s\n",
		    upm_status_name(st));
		return UPM_STATE_UNKNOWN;
	}
	fputs(out->data ? out->data : "", stdout);
	upm_buf_free(out);
	return state;
}

static upm_status
render(const struct config *c, const upm_report *rep, upm_buf *out)
{
	if (c->format == FMT_JSON)
		return upm_render_json(rep, out);
	if (c->format == FMT_TEXT)
		return upm_render_text(rep, out);
	return upm_render_nagios(rep, out);
}

static int
emit(const struct config *c, const struct outcome *o)
{
	upm_report rep;
	upm_buf out;
	char target[32];
	upm_status st;

	if (c->q.country != NULL)
		(void)snprintf(target, sizeof(target), "%s", c->q.country);
	else
		(void)snprintf(target, sizeof(target), "AS%lu",
		    (unsigned long)c->q.asn);
	make_report(c, target, o, &rep);
	upm_buf_init(&out);
	st = render(c, &rep, &out);
	return print_output(&out, st, (int)o->state);
}

/* ---------------------------------------------------- several targets */

/*
 * Several targets run as one batch: at most --parallel requests at a time,
 * one fetcher per worker, all sharing --cache-dir.  Each target is then
 * judged alone, exactly as a single check would judge it, with its own
 * state file under --state-dir.  The run's state is the worst of theirs in
 * the Monitoring Plugins order CRITICAL > WARNING > UNKNOWN > OK: a target
 * that could not be read makes the run UNKNOWN rather than hide among OK
 * ones, but never masks a real change elsewhere, and is never CRITICAL.
 */

static int
state_rank(upm_state s)
{
	switch (s) {
	case UPM_STATE_CRITICAL:
		return 3;
	case UPM_STATE_WARNING:
		return 2;
	case UPM_STATE_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

static upm_state
overall_state(const struct target *t, size_t n)
{
	upm_state s = UPM_STATE_OK;

	for (size_t i = 0; i < n; i++)
		if (state_rank(t[i].o.state) > state_rank(s))
			s = t[i].o.state;
	return s;
}

static void
targets_free(struct target *t, size_t n)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].state_file);
		upm_result_free(t[i].o.result);
		upm_buf_free(&t[i].o.message);
		upm_buf_free(&t[i].o.reason);
	}
	free(t);
}

static struct target *
targets_new(const struct config *c, upm_error *err)
{
	struct target *t;
	upm_buf path;

	if ((t = calloc(c->n_asns, sizeof(*t))) == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < c->n_asns; i++) {
		t[i].asn = c->asns[i];
		(void)snprintf(t[i].name, sizeof(t[i].name), "AS%lu",
		    (unsigned long)t[i].asn);
		upm_buf_init(&t[i].o.message);
		upm_buf_init(&t[i].o.reason);
		if (c->state_dir == NULL)
			continue;
		upm_buf_init(&path);
		upm_buf_printf(&path, "%s/%s.state", c->state_dir, t[i].name);
		if ((t[i].state_file = upm_buf_steal(&path)) == NULL) {
			targets_free(t, c->n_asns);
			(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
			return NULL;
		}
	}
	return t;
}

/* Queries every target through one batch, then judges each. */
static void
run_targets(struct config *c, struct target *t, size_t n)
{
	upm_batch *b = NULL;
	upm_query_opts q;
	upm_error err;
	upm_status st = UPM_OK;

	memset(&err, 0, sizeof(err));
	prepare_fetch(c);
	if (make_state_dir(c, &err) != UPM_OK ||
	    upm_global_init(&err) != UPM_OK ||
	    (b = upm_batch_new(&c->fetch, c->parallel ? (size_t)c->parallel :
	    DEFAULT_PARALLEL, &err)) == NULL)
		st = err.code;
	for (size_t i = 0; st == UPM_OK && i < n; i++) {
		q = c->q;
		q.asn = t[i].asn;
		if (upm_batch_add(b, &q) != i)
			st = upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
	}
	if (st == UPM_OK)
		st = upm_batch_run(b);
	for (size_t i = 0; i < n; i++) {
		upm_error terr = err;

		if (st != UPM_OK || upm_batch_result(b, i, &t[i].o.result,
		    &terr) != UPM_OK)
			unknown(&t[i].o, &terr);
		else
			assess(c, t[i].state_file, &t[i].o);
	}
	upm_batch_free(b);
}

/* Nagios perfdata of one target with every label prefixed by its name:
 * "upstreams=2;;;0 'AS4837'=58.54%;;;0;100" becomes
 * "'AS131279 upstreams'=2;;;0 'AS131279 AS4837'=58.54%;;;0;100".  The
 * renderer's labels hold no blank, quote or '='. */
static void
prefix_perfdata(const char *name, const char *perf, size_t len, upm_buf *out)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end, eq;

		while (i < len && perf[i] == ' ')
			i++;
		start = i;
		while (i < len && perf[i] != ' ')
			i++;
		end = i;
		for (eq = start; eq < end && perf[eq] != '='; eq++)
			;
		if (eq == end || eq == start)
			continue;
		if (perf[start] == '\'' && eq - start >= 2 && perf[eq - 1] == '\'')
			upm_buf_printf(out, " '%s %.*s'%.*s", name,
			    (int)(eq - start - 2), perf + start + 1,
			    (int)(end - eq), perf + eq);
		else
			upm_buf_printf(out, " '%s %.*s'%.*s", name,
			    (int)(eq - start), perf + start,
			    (int)(end - eq), perf + eq);
	}
}

/* The reason as it may stand on the status line: no '|' (perfdata would
 * start there) and no control characters. */
static void
put_reason(upm_buf *out, const upm_buf *reason)
{
	for (size_t i = 0; i < reason->len; i++) {
		char ch = reason->data[i];

		if (ch == '|')
			ch = '/';
		else if ((unsigned char)ch < 0x20 || ch == 0x7f)
			ch = ' ';
		upm_buf_append(out, &ch, 1);
	}
}

/* "3 targets: AS131279 CRITICAL (AS20485 appeared (39.0%)), AS1205 OK" */
static void
targets_summary(const struct target *t, size_t n, upm_buf *out)
{
	upm_buf_printf(out, "%zu targets: ", n);
	for (size_t i = 0; i < n; i++) {
		upm_buf_printf(out, "%s%s %s", i ? ", " : "", t[i].name,
		    upm_state_name(t[i].o.state));
		if (t[i].o.state != UPM_STATE_OK && t[i].o.reason.len > 0) {
			upm_buf_printf(out, " (");
			put_reason(out, &t[i].o.reason);
			upm_buf_printf(out, ")");
		}
	}
}

/* One target's Nagios rendering split into the run's perfdata and the
 * long output: its status line (named, without perfdata), then its own
 * long output indented. */
static upm_status
nagios_target(const struct config *c, const struct target *t,
    upm_buf *perf, upm_buf *longout)
{
	upm_report rep;
	upm_buf one;
	const char *line, *nl, *bar, *end, *p;
	upm_status st;

	make_report(c, t->name, &t->o, &rep);
	upm_buf_init(&one);
	if ((st = upm_render_nagios(&rep, &one)) != UPM_OK || one.data == NULL) {
		upm_buf_free(&one);
		return st != UPM_OK ? st : UPM_ERR_NOMEM;
	}
	line = one.data;
	if (strncmp(line, "UPSTREAMS ", 10) == 0)
		line += 10;
	nl = line + strcspn(line, "\n");
	/* The message has no '|' (the renderer turns it into '/'). */
	bar = memchr(line, '|', (size_t)(nl - line));
	for (end = bar ? bar : nl; end > line && end[-1] == ' '; end--)
		;
	upm_buf_printf(longout, "%s %.*s\n", t->name, (int)(end - line), line);
	if (bar != NULL)
		prefix_perfdata(t->name, bar + 1, (size_t)(nl - bar - 1), perf);
	for (p = *nl ? nl + 1 : nl; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		upm_buf_printf(longout, "  %.*s\n", (int)(nl - p), p);
	}
	upm_buf_free(&one);
	return UPM_OK;
}

static upm_status
render_targets_nagios(const struct config *c, const struct target *t,
    size_t n, upm_state state, upm_buf *out)
{
	upm_buf perf, longout;
	upm_status st = UPM_OK;

	upm_buf_init(&perf);
	upm_buf_init(&longout);
	for (size_t i = 0; st == UPM_OK && i < n; i++)
		st = nagios_target(c, &t[i], &perf, &longout);
	if (st == UPM_OK) {
		upm_buf_printf(out, "UPSTREAMS %s - ", upm_state_name(state));
		targets_summary(t, n, out);
		if (perf.len > 0)
			upm_buf_printf(out, " |%s", perf.data);
		upm_buf_printf(out, "\n%s", longout.data ? longout.data : "");
	}
	upm_buf_free(&perf);
	upm_buf_free(&longout);
	return st;
}

/* {"state": ..., "message": ..., "targets": [one check's object each]} */
static upm_status
render_targets_json(const struct config *c, const struct target *t,
    size_t n, upm_state state, upm_buf *out)
{
	json_t *root, *arr;
	upm_buf one, summary;
	upm_report rep;
	upm_status st = UPM_OK;
	char *text;

	upm_buf_init(&summary);
	targets_summary(t, n, &summary);
	root = json_object();
	arr = json_array();
	if (root == NULL || arr == NULL || summary.data == NULL ||
	    json_object_set_new(root, "state",
	    json_string(upm_state_name(state))) != 0 ||
	    json_object_set_new(root, "message",
	    json_string(summary.data)) != 0 ||
	    json_object_set(root, "targets", arr) != 0)
		st = UPM_ERR_NOMEM;
	json_decref(arr);       /* root holds it now, or nothing does */
	upm_buf_free(&summary);
	for (size_t i = 0; st == UPM_OK && i < n; i++) {
		json_t *obj;

		make_report(c, t[i].name, &t[i].o, &rep);
		upm_buf_init(&one);
		if ((st = upm_render_json(&rep, &one)) == UPM_OK) {
			obj = json_loadb(one.data, one.len, 0, NULL);
			if (obj == NULL || json_array_append_new(arr, obj) != 0)
				st = UPM_ERR_NOMEM;
		}
		upm_buf_free(&one);
	}
	text = st == UPM_OK ? json_dumps(root, JSON_COMPACT |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(root);
	if (st == UPM_OK && text == NULL)
		st = UPM_ERR_NOMEM;
	if (st == UPM_OK)
		st = upm_buf_printf(out, "%s\n", text);
	free(text);
	return st;
}

/* Each target's text block, a blank line between them. */
static upm_status
render_targets_text(const struct config *c, const struct target *t,
    size_t n, upm_buf *out)
{
	upm_report rep;
	upm_status st = UPM_OK;

	for (size_t i = 0; st == UPM_OK && i < n; i++) {
		make_report(c, t[i].name, &t[i].o, &rep);
		if (i > 0)
			upm_buf_printf(out, "\n");
		st = upm_render_text(&rep, out);
	}
	return st;
}

static int
emit_targets(const struct config *c, const struct target *t, size_t n)
{
	upm_state state = overall_state(t, n);
	upm_buf out;
	upm_status st;

	upm_buf_init(&out);
	if (c->format == FMT_JSON)
		st = render_targets_json(c, t, n, state, &out);
	else if (c->format == FMT_TEXT)
		st = render_targets_text(c, t, n, &out);
	else
		st = render_targets_nagios(c, t, n, state, &out);
	return print_output(&out, st, (int)state);
}

/* Several targets: batch, judge, report. */
static int
check_targets(struct config *c)
{
	struct target *t;
	upm_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	if ((t = targets_new(c, &err)) == NULL) {
		printf("UPSTREAMS UNKNOWN - %s\n", err.text);
		return UPM_STATE_UNKNOWN;
	}
	run_targets(c, t, c->n_asns);
	rc = emit_targets(c, t, c->n_asns);
	targets_free(t, c->n_asns);
	return rc;
}

/* ------------------------------------------------------------ history */

/* A history that could not be completed: UNKNOWN, in the format asked for
 * (Graphite output gets nothing on stdout, the reason on stderr). */
static int
history_unknown(const struct config *c, const char *target,
    const upm_error *err)
{
	json_t *o;
	char *text;

	if (c->format == FMT_GRAPHITE) {
		fprintf(stderr, "%s: %s: %s\n", PROGNAME,
		    upm_status_name(err->code), err->text);
		return UPM_STATE_UNKNOWN;
	}
	if (c->format == FMT_JSON) {
		o = json_pack("{s:s, s:s, s:s}", "target", target, "state",
		    "UNKNOWN", "message", err->text);
		text = o ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		if (text != NULL) {
			printf("%s\n", text);
			free(text);
			return UPM_STATE_UNKNOWN;
		}
	}
	printf("UPSTREAMS UNKNOWN - %s: %s\n", upm_status_name(err->code),
	    err->text);
	return UPM_STATE_UNKNOWN;
}

/* One step: the result at t, or NULL when there was no data at all (no
 * routes: an outage, which the history counts as an empty set). */
static upm_status
history_step(struct config *c, upm_fetcher *f, int64_t t, upm_result **r,
    upm_error *err)
{
	char at[32];
	upm_status st;

	if (upm_time_format(t, at, sizeof(at)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "time %lld out of range",
		    (long long)t);
	c->q.at = at;
	/* The -t backstop, per request: a walk has many. */
	alarm((unsigned)c->timeout);
	st = upm_query(f, &c->q, r, err);
	alarm(0);
	c->q.at = NULL;
	if (st == UPM_ERR_NODATA) {
		*r = NULL;
		return UPM_OK;
	}
	if (st != UPM_OK) {
		char why[UPM_ERROR_TEXT];

		(void)snprintf(why, sizeof(why), "%s", err->text);
		upm_fail(err, st, "at %sZ: %s", at, why);
	}
	return st;
}

/* Walks the steps, one request at a time (pacing: never more than one in
 * flight), into h. */
static upm_status
history_walk(struct config *c, upm_fetcher *f, history *h, upm_error *err)
{
	int progress = isatty(STDERR_FILENO);
	upm_result *r;
	upm_status st = UPM_OK;
	size_t i;

	for (i = 0; i < c->n_steps && st == UPM_OK; i++) {
		int64_t t = c->from_t + (int64_t)i * c->step_s;

		if ((st = history_step(c, f, t, &r, err)) != UPM_OK)
			break;
		st = history_add(h, t, r, err);
		upm_result_free(r);
		if (progress)
			fprintf(stderr, "\rstep %zu/%zu", i + 1, c->n_steps);
	}
	if (progress)
		fputc('\n', stderr);
	if (st == UPM_OK && history_steps_no_data(h) == history_steps(h))
		st = upm_fail(err, UPM_ERR_NODATA, "no data at any step: no "
		    "routes seen, or no data kept for that time");
	return st;
}

static int
history_emit(const struct config *c, const history *h, const char *target)
{
	upm_buf out;
	upm_status st;

	upm_buf_init(&out);
	if (c->format == FMT_JSON)
		st = history_render_json(h, &out);
	else if (c->format == FMT_GRAPHITE)
		st = history_render_graphite(h, c->graphite_prefix ?
		    c->graphite_prefix : DEFAULT_GRAPHITE_PREFIX,
		    c->name ? c->name : target, &out);
	else if (c->format == FMT_TEXT)
		st = history_render_text(h, &out);
	else
		st = history_render_nagios(h, &out);
	if (st != UPM_OK) {
		upm_error err;

		upm_buf_free(&out);
		upm_fail(&err, st, "cannot format the output");
		return history_unknown(c, target, &err);
	}
	fputs(out.data ? out.data : "", stdout);
	upm_buf_free(&out);
	return (int)history_state(h);
}

/* --from/--until/--step: the change points of the present set. */
static int
run_history(struct config *c)
{
	upm_fetcher *f = NULL;
	history *h = NULL;
	upm_error err;
	char target[32];
	int rc;

	memset(&err, 0, sizeof(err));
	(void)snprintf(target, sizeof(target), "AS%lu", (unsigned long)c->q.asn);
	prepare_fetch(c);
	if (upm_global_init(&err) != UPM_OK ||
	    (f = upm_fetcher_new(&c->fetch, &err)) == NULL ||
	    (h = history_new(target, c->from_t, c->until_t, c->step_s,
	    &err)) == NULL ||
	    history_walk(c, f, h, &err) != UPM_OK)
		rc = history_unknown(c, target, &err);
	else
		rc = history_emit(c, h, target);
	history_free(h);
	upm_fetcher_free(f);
	return rc;
}

/* The backstop for -t: whatever hangs, Nagios gets UNKNOWN in time. */
static void
on_alarm(int sig)
{
	static const char msg[] = "UPSTREAMS UNKNOWN - plugin timed out\n";

	ssize_t n;

	(void)sig;
	n = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(UPM_STATE_UNKNOWN);
}

static void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	upm_query_opts_init(&c->q);
	upm_fetch_opts_init(&c->fetch);
	upm_asn_list_init(&c->expect);
	upm_asn_list_init(&c->extra_asns);
	c->timeout = DEFAULT_TIMEOUT;
	c->format = FMT_NAGIOS;
}

static void
config_free(struct config *c)
{
	upm_asn_list_free(&c->expect);
	free(c->prefix_store);
	upm_asn_list_free(&c->extra_asns);
	free(c->extra_prefix_store);
	for (size_t i = 0; i < c->n_expect_prefix; i++)
		upm_asn_list_free(&c->expect_prefix_asns[i]);
	free(c->asns);
	free(c->state_dir_file);
}

static int
check_main(int argc, char **argv)
{
	struct config c;
	struct outcome o;
	upm_error err;
	int rc;

	config_init(&c);
	memset(&err, 0, sizeof(err));
	rc = parse_args(argc, argv, &c, &err);
	if (rc != 0) {
		config_free(&c);
		if (rc > 0)
			return UPM_STATE_OK;
		printf("UPSTREAMS UNKNOWN - %s\n", err.text);
		print_usage(stdout);
		return UPM_STATE_UNKNOWN;
	}
	signal(SIGALRM, on_alarm);
	if (c.from != NULL) {
		rc = run_history(&c);
		config_free(&c);
		upm_global_cleanup();
		return rc;
	}
	alarm((unsigned)c.timeout);
	if (c.n_asns > 1) {
		rc = check_targets(&c);
		alarm(0);
		config_free(&c);
		upm_global_cleanup();
		return rc;
	}

	memset(&o, 0, sizeof(o));
	upm_buf_init(&o.message);
	upm_buf_init(&o.reason);
	run_check(&c, &o);
	rc = emit(&c, &o);
	alarm(0);

	upm_result_free(o.result);
	upm_buf_free(&o.message);
	upm_buf_free(&o.reason);
	config_free(&c);
	upm_global_cleanup();
	return rc;
}

/* --extra-opts first: the options from the INI file go before the command
 * line's, and the configuration points into them until the end. */
int
main(int argc, char **argv)
{
	char **args = NULL;
	int nargs = 0, rc;
	upm_error err;

	memset(&err, 0, sizeof(err));
	if (xo_extra_opts(argc, argv, PROGNAME, &nargs, &args, &err) != 0) {
		printf("UPSTREAMS UNKNOWN - %s\n", err.text);
		return UPM_STATE_UNKNOWN;
	}
	rc = check_main(nargs, args);
	xo_argv_free(args);
	return rc;
}
