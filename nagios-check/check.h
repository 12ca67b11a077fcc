/*
 * check.h - what the parts of check_upstreams share: the configuration the
 * options fill, one target's outcome, and the entry points of each part
 * (options.c, judge.c, targets.c, walk.c).
 *
 * Local to check_upstreams (ck_ prefix), not library API.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "history.h"
#include "upstreams.h"

#define PROGNAME "check_upstreams"
#define DEFAULT_TIMEOUT 30
#define MAX_PREFIXES 64
/* Several targets: at most this many per run, and this many requests in
 * flight by default and at most (RIPEstat allows 8 per client address). */
#define MAX_TARGETS 4096
#define DEFAULT_PARALLEL 4
#define MAX_PARALLEL 8
/* Several targets, Nagios format: the status line and the long output
 * together (perfdata apart) stay within this many bytes.  8 KiB is Nagios
 * Core's MAX_PLUGIN_OUTPUT_LENGTH (a passive result through the command
 * file, and Nagios 3, keep no more, perfdata included), and well inside
 * what NRPE 3 and 4 carry (64 KiB; NRPE 2: 1 KiB). */
#define DEFAULT_OUTPUT_LIMIT 8192
#define MIN_OUTPUT_LIMIT 1024
#define MAX_OUTPUT_LIMIT (16L * 1024 * 1024)

#define DEFAULT_GRAPHITE_PREFIX "history"

enum format { FMT_NAGIOS, FMT_TEXT, FMT_JSON, FMT_GRAPHITE };

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
	int timeout_state;              /* -t SECONDS:STATE; UNKNOWN by default */
	/* Several targets: when (upm_clock_ms) the batch stops, a little
	 * before the alarm, so the finished targets are still reported;
	 * 0: none. */
	long long deadline_ms;
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
	upm_prefix_expect expect_prefix[MAX_PREFIXES]; /* --expect-prefix P=ASN,... */
	const char *expect_prefix_ptr[MAX_PREFIXES];
	size_t n_expect_prefix;
	/* Several targets: the -a ASNs in the order given, no duplicates. */
	uint32_t *asns;
	size_t n_asns;
	const char *state_dir;          /* one state file per target there */
	char *state_dir_file;           /* one target with --state-dir */
	long parallel;
	long output_limit;              /* --output-limit; 0: none */
	/* Neighbour roles: --clique, --as-relationships. */
	upm_asn_list clique;
	upm_asrel *asrel;
	/* --mrt FILE...: archive files, in the order given; --hold. */
	const char **mrt;
	size_t n_mrt;
	const char *hold;
	int64_t hold_s;
	/* History by events (the default for --from/--until): -s given or
	 * not, and whether this run reads events. */
	int source_given;
	int events;
};

/* What the run found out about one target, for the output. */
struct outcome {
	upm_state state;
	upm_buf message;
	upm_result *result;
	upm_buf reason;     /* why not OK, short, for a multi-target summary */
	int keep_result;    /* UNKNOWN that still shows its figures (stale,
	                     * garbled, an outage without a baseline) */
};

/* options.c */
void ck_config_init(struct config *c);
void ck_config_free(struct config *c);
/* 0: go on; 1: done (help/version printed); -1: error in err. */
int ck_parse_args(int argc, char **argv, struct config *c, upm_error *err);
/* -t SECONDS[:STATE] into c->timeout and c->timeout_state; -1 when it
 * does not parse (c unchanged then). */
int ck_parse_timeout(struct config *c, const char *arg, upm_error *err);
/* Whether the long option key (or the one it abbreviates, as getopt_long
 * reads it) needs a value; 0 for a flag and an unknown key. */
int ck_option_needs_value(const char *key);
void ck_print_usage(FILE *f);
/* --help on stdout. */
void ck_print_help(void);

/* judge.c: one target */
void ck_outcome_init(struct outcome *o);
void ck_outcome_free(struct outcome *o);
/* The fetch settings for the run's time budget, and -vv/-vvv. */
void ck_prepare_fetch(struct config *c);
upm_status ck_make_state_dir(const struct config *c, upm_error *err);
/* o becomes UNKNOWN for err. */
void ck_unknown(struct outcome *o, const upm_error *err);
/* After the query: baseline, comparison and judgement into o. */
void ck_assess(const struct config *c, const char *state_file,
    struct outcome *o);
/* The report of one target's outcome, for the renderers (borrows). */
void ck_make_report(const struct config *c, const char *target,
    const struct outcome *o, upm_report *rep);
/* -vvv: the configuration the check runs with, on stderr. */
void ck_print_effective_config(const struct config *c);
/* Prints out (freed) when st is UPM_OK and returns state; else UNKNOWN. */
int ck_print_output(upm_buf *out, upm_status st, int state);
/* The whole single-target check; returns the exit code. */
int ck_check_one(struct config *c);

/* targets.c: several targets.  The rules of several targets and of
 * --state-dir (which makes c->state_file for one target): 0, or -1 with
 * err filled. */
int ck_targets_config_check(struct config *c, upm_error *err);
/* The whole run; returns the exit code. */
int ck_check_targets(struct config *c);

/* walk.c: --from/--until/--step.  All of them or none, and nothing that
 * belongs to one instant; counts the steps.  0, or -1 with err filled. */
int ck_history_config_check(struct config *c, upm_error *err);
/* The walk and its report; returns the exit code. */
/* walk.c: a history (of steps or of events) in the format asked for. */
int ck_history_emit(const struct config *c, const history *h,
    const char *target);
int ck_run_history(struct config *c);
/* walk.c: the one history emitter's input from a routing table (archives
 * and events alike): the start at --from, every change up to --until
 * (flaps told on stderr, counted in *flaps), and the samples of --step
 * (times ascending, results owned by the caller; NULL for a sample
 * without a route), their present sets those the table had committed. */
struct upm_rib;
struct ck_sample {
	int64_t time;
	upm_result *result;
};
upm_status ck_rib_history(const struct config *c, const struct upm_rib *rib,
    const struct ck_sample *samples, size_t n_samples, history *h,
    size_t *flaps, upm_error *err);
/* --mrt: adds one file (0, or -1 out of memory); the rules of --mrt and
 * --hold (0, or -1 with err filled); the whole run, its exit code. */
int ck_mrt_add(struct config *c, const char *file);
int ck_mrt_config_check(struct config *c, upm_error *err);
int ck_run_mrt(struct config *c);

/* judge.c: a result made without a query (an archive's table), judged and
 * printed as a live answer's; r taken over, NULL for failed. */
int ck_judge_result(struct config *c, upm_result *r, const char *source,
    const upm_error *failed);

#endif
