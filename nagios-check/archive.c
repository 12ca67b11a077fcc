/*
 * archive.c - check_upstreams --mrt: archive files read through bgpdump
 * into the routing table, then either the table after the last file
 * judged like a live answer, or the change points of --from/--until.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "history.h"
#include "mrt.h"

int
ck_mrt_add(struct config *c, const char *file)
{
	const char **v = realloc(c->mrt, (c->n_mrt + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	v[c->n_mrt++] = file;
	c->mrt = v;
	return 0;
}

int
ck_mrt_config_check(struct config *c, upm_error *err)
{
	if (c->n_mrt == 0)
		return upm_fail(err, UPM_ERR_ARG, "--hold goes with --mrt"), -1;
	if (c->step)
		return upm_fail(err, UPM_ERR_ARG, "--step does not go with "
		    "--mrt: the change points come from the events"), -1;
	if (!c->from != !c->until)
		return upm_fail(err, UPM_ERR_ARG,
		    "--mrt takes both --from and --until, or neither"), -1;
	if (c->n_asns > 1 || c->q.country || c->q.n_extra_asns ||
	    c->q.n_extra_prefixes || c->n_expect_prefix || c->q.n_prefixes ||
	    c->q.at)
		return upm_fail(err, UPM_ERR_ARG, "--mrt goes with one AS: not "
		    "with --country, --prefix, --extra-*, --expect-prefix or "
		    "--at"), -1;
	if (c->from == NULL) {
		if (c->hold != NULL)
			return upm_fail(err, UPM_ERR_ARG, "--hold goes with "
			    "--from/--until: without them only the table after "
			    "the last file is judged"), -1;
		if (c->format == FMT_GRAPHITE || c->graphite_prefix || c->name)
			return upm_fail(err, UPM_ERR_ARG, "-f graphite, "
			    "--graphite-prefix and --name go with --from/"
			    "--until"), -1;
		return 0;
	}
	if (c->until_t < c->from_t)
		return upm_fail(err, UPM_ERR_ARG, "--until is before --from"), -1;
	if (c->have_expect || c->state_file || c->have_warn || c->have_crit)
		return upm_fail(err, UPM_ERR_ARG, "--expect, --state-file, -w "
		    "and -c do not go with --from/--until"), -1;
	return 0;
}

static int
mrt_unknown(const struct config *c, const upm_error *err)
{
	if (c->from == NULL)
		return ck_judge_result((struct config *)c, NULL, "mrt", err);
	if (c->format == FMT_GRAPHITE) {
		fprintf(stderr, "%s: %s: %s\n", PROGNAME,
		    upm_status_name(err->code), err->text);
		return UPM_STATE_UNKNOWN;
	}
	printf("UPSTREAMS UNKNOWN - %s: %s\n", upm_status_name(err->code),
	    err->text);
	return UPM_STATE_UNKNOWN;
}

int
ck_run_mrt(struct config *c)
{
	upm_asn_list origins;
	upm_rib *rib = NULL;
	upm_result *r = NULL;
	history *h = NULL;
	upm_mrt_stats stats;
	upm_error err;
	char target[32];
	size_t flaps = 0;
	int rc;

	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&origins);
	(void)snprintf(target, sizeof(target), "AS%lu", (unsigned long)c->q.asn);
	if (upm_asn_list_add(&origins, c->q.asn) != UPM_OK ||
	    (rib = upm_rib_new(&origins, &c->q.params, c->hold_s, &err)) == NULL ||
	    upm_mrt_read(c->mrt, c->n_mrt, getenv("UPSTREAMS_BGPDUMP"),
	    upm_clock_ms() + (int64_t)c->timeout * 1000, rib, &stats,
	    &err) != UPM_OK ||
	    upm_rib_finish(rib, stats.last, &err) != UPM_OK) {
		if (err.text[0] == '\0')
			upm_fail(&err, UPM_ERR_NOMEM, "out of memory");
		rc = mrt_unknown(c, &err);
		goto out;
	}
	if (stats.no_dump)
		fprintf(stderr, "%s: warning: %s is not a RIB dump: the table "
		    "starts empty and no change point is reported before its "
		    "end\n", PROGNAME, c->mrt[0]);
	if (c->from == NULL) {
		if (upm_rib_result(rib, &r, &err) != UPM_OK)
			r = NULL;
		if (r != NULL) {
			/* Named like a live answer: --state-file's baseline
			 * is kept for this target. */
			if (snprintf(r->target, sizeof(r->target), "%s",
			    target) >= (int)sizeof(r->target))
				r->target[0] = '\0';
			if (upm_time_format(stats.last, r->data_time,
			    sizeof(r->data_time)) != UPM_OK)
				r->data_time[0] = '\0';
		}
		rc = ck_judge_result(c, r, "mrt", &err);
		goto out;
	}
	if ((h = history_new(target, c->from_t, c->until_t, 0, &err)) == NULL ||
	    ck_rib_history(c, rib, NULL, 0, h, &flaps, &err) != UPM_OK)
		rc = mrt_unknown(c, &err);
	else
		rc = ck_history_emit(c, h, target);
out:
	history_free(h);
	upm_rib_free(rib);
	upm_asn_list_free(&origins);
	return rc;
}
