/*
 * extra_opts.h - the Monitoring Plugins "--extra-opts" convention: options
 * kept in an INI file section instead of on the command line.
 *
 *   --extra-opts[=[SECTION][@FILE]]
 *
 * SECTION defaults to the program's name; FILE defaults to the first
 * existing file of: $MP_CONFIG_FILE, plugins.ini / nagios-plugins.ini /
 * monitoring-plugins.ini in each directory of $NAGIOS_CONFIG_PATH, then the
 * standard locations (/etc/nagios/plugins.ini, ...; see extra_opts.c).
 * In the section, "key=value" becomes "--key=value" and "key" alone
 * "--key" (a flag).  The options read are put before the command-line ones, so the
 * command line wins wherever an option takes the last value given.
 *
 * Local to check_upstreams (xo_ prefix), not library API.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTRA_OPTS_H
#define EXTRA_OPTS_H

#include "upstreams.h"

/*
 * Replaces every --extra-opts argument of argv with the options of its
 * section.  On success returns 0 and sets *new_argc and *new_argv: a fresh,
 * NULL-terminated copy (argv[0] first) that the caller owns and frees with
 * xo_argv_free once nothing points into it any more.  Without any
 * --extra-opts it is a plain copy.  On failure returns -1 with err filled
 * (missing file or section, unreadable file, a malformed line named as
 * FILE:LINE, out of memory) and leaves *new_argv untouched.  needs_value
 * (NULL: none) says whether an option takes a value: such a key alone in
 * the file is an error naming it, FILE and LINE (it would take the next
 * argument as its value); a key alone is for an option without one.
 */
int xo_extra_opts(int argc, char **argv, const char *progname,
    int (*needs_value)(const char *key), int *new_argc, char ***new_argv,
    upm_error *err);

/* Frees a vector from xo_extra_opts (NULL is fine). */
void xo_argv_free(char **argv);

#endif
