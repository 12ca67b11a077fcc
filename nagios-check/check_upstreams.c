/*
 * check_upstreams - Nagios/Icinga check: who carries a network's routes?
 *
 * OK while the set of upstreams of the target AS is the baseline, CRITICAL
 * when one appears or disappears (and until the operator accepts the new
 * set), WARNING/CRITICAL by thresholds on the number of upstreams, UNKNOWN
 * whenever the data cannot be trusted.  Follows the Monitoring Plugins
 * development guidelines.  The parts: options.c (options and help),
 * judge.c (one target), targets.c (several), walk.c (history mode).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "extra_opts.h"

/* What the backstop for -t writes and exits with (-t SECONDS:STATE),
 * made before the alarm is set: the handler only writes. */
static char alarm_msg[96] = "UPSTREAMS UNKNOWN - plugin timed out\n";
static size_t alarm_len;
static volatile sig_atomic_t alarm_state = UPM_STATE_UNKNOWN;
static long alarm_timeout = DEFAULT_TIMEOUT;

/* The backstop for -t: whatever hangs, Nagios gets the timeout state in
 * time, and no temporary file of a state write or a download is left. */
static void
on_alarm(int sig)
{
	ssize_t n;

	(void)sig;
	upm_tmp_unlink_all();
	n = write(STDOUT_FILENO, alarm_msg, alarm_len);
	(void)n;
	_exit(alarm_state);
}

/* SIGTERM, SIGHUP, SIGINT: the temporaries go, then the signal ends the
 * process as it would have (SA_RESETHAND restored the default action;
 * the signal raised again is delivered when the handler returns). */
static void
on_term(int sig)
{
	upm_tmp_unlink_all();
	(void)raise(sig);
}

static void
set_handlers(void)
{
	static const int term[] = { SIGTERM, SIGHUP, SIGINT };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	(void)sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_term;
	sa.sa_flags = SA_RESETHAND;
	/* A signal ignored when we start (nohup, a background job) stays
	 * ignored. */
	for (i = 0; i < sizeof(term) / sizeof(term[0]); i++)
		if (sigaction(term[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			(void)sigaction(term[i], &sa, NULL);
}

static void
set_alarm_output(const struct config *c)
{
	int n = snprintf(alarm_msg, sizeof(alarm_msg), "UPSTREAMS %s - plugin "
	    "timed out after %ld s\n", upm_state_name((upm_state)
	    c->timeout_state), c->timeout);

	if (n < 0 || (size_t)n >= sizeof(alarm_msg))
		n = snprintf(alarm_msg, sizeof(alarm_msg), "UPSTREAMS UNKNOWN - "
		    "plugin timed out\n");
	alarm_len = n > 0 ? (size_t)n : 0;
	alarm_state = c->timeout_state;
	alarm_timeout = c->timeout;
}

/* The -t of the command line (the last one before "--"), or the default:
 * it bounds the reading of --extra-opts, whose file may hold the -t that
 * bounds the rest. */
static void
early_timeout(int argc, char **argv, struct config *c)
{
	const char *a, *v;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		a = argv[i];
		v = NULL;
		if (strcmp(a, "-t") == 0 || strcmp(a, "--timeout") == 0)
			v = i + 1 < argc ? argv[++i] : NULL;
		else if (strncmp(a, "--timeout=", 10) == 0)
			v = a + 10;
		else if (strncmp(a, "-t", 2) == 0)
			v = a + 2;
		if (v != NULL)
			(void)ck_parse_timeout(c, v, NULL);
	}
}

static int
check_main(int argc, char **argv, long long started_ms)
{
	struct config c;
	upm_error err;
	long left;
	int rc;

	ck_config_init(&c);
	memset(&err, 0, sizeof(err));
	rc = ck_parse_args(argc, argv, &c, &err);
	if (rc != 0) {
		ck_config_free(&c);
		/* --help and --version: UNKNOWN, as check_dummy and
		 * check_load have it. */
		if (rc > 0)
			return UPM_STATE_UNKNOWN;
		printf("UPSTREAMS UNKNOWN - %s\n", err.text);
		ck_print_usage(stdout);
		return UPM_STATE_UNKNOWN;
	}
	alarm(0);
	set_alarm_output(&c);
	if (c.n_mrt > 0)
		rc = ck_run_mrt(&c);          /* -t bounds the whole read */
	else if (c.from != NULL)
		rc = ck_run_history(&c);      /* -t applies to each step */
	else {
		/* The time --extra-opts took is part of the budget. */
		left = c.timeout - (long)((upm_clock_ms() - started_ms) / 1000);
		/* Several targets: the batch stops a second before -t, and
		 * the finished targets are reported with the others timed
		 * out; the alarm, a second after -t, is the last resort. */
		if (c.n_asns > 1) {
			c.deadline_ms = started_ms + c.timeout * 1000 -
			    (c.timeout > 2 ? 1000 : c.timeout * 300);
			left++;
		}
		alarm((unsigned)(left > 0 ? left : 1));
		rc = c.n_asns > 1 ? ck_check_targets(&c) : ck_check_one(&c);
		alarm(0);
	}
	ck_config_free(&c);
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
	long long started_ms = upm_clock_ms();
	struct config early;
	upm_error err;

	memset(&err, 0, sizeof(err));
	set_handlers();
	ck_config_init(&early);
	early_timeout(argc, argv, &early);
	set_alarm_output(&early);
	ck_config_free(&early);
	alarm((unsigned)alarm_timeout);
	if (xo_extra_opts(argc, argv, PROGNAME, ck_option_needs_value, &nargs,
	    &args, &err) != 0) {
		alarm(0);
		printf("UPSTREAMS UNKNOWN - %s\n", err.text);
		return UPM_STATE_UNKNOWN;
	}
	rc = check_main(nargs, args, started_ms);
	xo_argv_free(args);
	return rc;
}
