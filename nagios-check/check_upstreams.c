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
#include <unistd.h>

#include "check.h"
#include "extra_opts.h"

/* What the backstop for -t writes and exits with (-t SECONDS:STATE),
 * made before the alarm is set: the handler only writes. */
static char alarm_msg[96] = "UPSTREAMS UNKNOWN - plugin timed out\n";
static size_t alarm_len;
static volatile sig_atomic_t alarm_state = UPM_STATE_UNKNOWN;

/* The backstop for -t: whatever hangs, Nagios gets the timeout state in
 * time. */
static void
on_alarm(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDOUT_FILENO, alarm_msg, alarm_len);
	(void)n;
	_exit(alarm_state);
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
}

static int
check_main(int argc, char **argv)
{
	struct config c;
	upm_error err;
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
	set_alarm_output(&c);
	signal(SIGALRM, on_alarm);
	if (c.n_mrt > 0)
		rc = ck_run_mrt(&c);          /* -t bounds the whole read */
	else if (c.from != NULL)
		rc = ck_run_history(&c);      /* -t applies to each step */
	else {
		alarm((unsigned)c.timeout);
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
