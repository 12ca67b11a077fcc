/*
 * test_target.c - the rules between a target's settings: each one alone,
 * their order, the mask, and the texts the check prints.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "upstreams.h"
#include "tap.h"

static upm_query_opts q;
static upm_baseline_opts b;
static upm_error err;

static void
reset(void)
{
	upm_query_opts_init(&q);
	memset(&b, 0, sizeof(b));
	memset(&err, 0, sizeof(err));
	q.asn = 131279;
}

/* Which rule of mask fails (0: none); err.text says why. */
static unsigned
broken_by(unsigned mask)
{
	upm_target_rule r = UPM_RULE_TARGET_BOTH;
	upm_status st;

	memset(&err, 0, sizeof(err));
	st = upm_target_check(&q, &b, mask, &r, &err);
	if ((st == UPM_OK) != (r == 0))
		printf("# status %d and rule %u disagree\n", (int)st,
		    (unsigned)r);
	return (unsigned)r;
}

static void
test_what(void)
{
	reset();
	IS_INT(broken_by(UPM_RULES_ALL), 0, "an AS alone: fine");
	q.asn = 0;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_TARGET_MISSING,
	    "neither an AS nor a country");
	IS_STR(err.text, "-a/--asn or --country is required", "its text");
	IS_INT(err.code, UPM_ERR_ARG, "an argument error");
	q.country = "KP";
	IS_INT(broken_by(UPM_RULES_ALL), 0, "a country alone: fine");
	q.asn = 131279;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_TARGET_BOTH,
	    "an AS and a country");
	IS_STR(err.text, "use either -a/--asn or --country, not both",
	    "its text");
	IS_INT(broken_by(UPM_RULES_ALL & ~UPM_RULES_WHAT), 0,
	    "rules left out of the mask are not applied");
	IS_INT(upm_target_check(&q, NULL, UPM_RULES_WHAT, NULL, &err),
	    UPM_ERR_ARG, "no baseline settings: the target rules still apply");
}

static void
test_baseline_rules(void)
{
	upm_asn_list expect;

	reset();
	upm_asn_list_init(&expect);
	b.expect = &expect;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_EXPECT_EMPTY,
	    "an expected set of no AS");
	IS_STR(err.text, "--expect needs an AS", "its text");
	(void)upm_asn_list_add(&expect, 4837);
	IS_INT(broken_by(UPM_RULES_ALL), 0, "an expected set: fine");
	b.state_file = "x.state";
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_EXPECT_AND_STATE,
	    "an expected set and a state file");
	IS_STR(err.text, "use either --expect or --state-file, not both",
	    "its text");
	IS_INT(broken_by(UPM_RULES_ALL & ~UPM_RULE_EXPECT_AND_STATE), 0,
	    "both allowed when the front end seeds the file from Expect");
	b.expect = NULL;
	b.state_file = NULL;
	b.accept = 1;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_ACCEPT_NO_STATE,
	    "accept without a state file");
	IS_STR(err.text, "--accept needs --state-file or --state-dir",
	    "its text");
	b.state_file = "x.state";
	IS_INT(broken_by(UPM_RULES_ALL), 0, "accept with a state file: fine");
	upm_asn_list_free(&expect);
}

static void
test_source_rules(void)
{
	static const char *const prefixes[] = { "175.45.176.0/24" };
	static const upm_source lg_and_state[] = { UPM_SRC_BGP_STATE,
	    UPM_SRC_NLNOG_LG };
	static const upm_source state_and_neigh[] = { UPM_SRC_BGP_STATE,
	    UPM_SRC_ASN_NEIGHBOURS };

	reset();
	q.prefixes = prefixes;
	q.n_prefixes = 1;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_PREFIX_SOURCE,
	    "prefixes with bgp-state");
	IS_STR(err.text, "--prefix goes with -s ripestat-looking-glass, "
	    "nlnog-lg, alice-lg or (history) ripestat-bgplay", "its text");
	OK(!upm_query_has_prefix_source(&q), "bgp-state reads no prefix");
	q.sources = lg_and_state;
	q.n_sources = 2;
	OK(upm_query_has_prefix_source(&q), "a looking glass among several");
	IS_INT(broken_by(UPM_RULES_ALL), 0, "prefixes with a looking glass "
	    "among the sources: fine");

	reset();
	q.at = "2017-10-01T09:08:00";
	IS_INT(broken_by(UPM_RULES_ALL), 0, "a past time with bgp-state");
	q.source = UPM_SRC_LOOKING_GLASS;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_AT_SOURCE,
	    "a past time with a looking glass");
	IS_STR(err.text, "--at goes with -s ripestat-bgp-state", "its text");
	q.source = UPM_SRC_BGP_STATE;
	q.sources = lg_and_state;
	q.n_sources = 2;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_AT_SOURCE,
	    "a past time with several sources");
	q.sources = NULL;
	q.n_sources = 0;
	q.at = "yesterday";
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_AT_TIME,
	    "a time that does not parse");
	OK(err.text[0] != '\0' && err.code == UPM_ERR_ARG,
	    "an argument error with the parser's text");

	reset();
	q.source = UPM_SRC_ALICE_LG;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_SOURCE_READY,
	    "alice-lg without its URL");
	q.alice_url = "";
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_SOURCE_READY,
	    "alice-lg with an empty URL");
	q.alice_url = "https://lg.example.net";
	IS_INT(broken_by(UPM_RULES_ALL), 0, "alice-lg with its URL: fine");

	reset();
	q.source = UPM_SRC_ASN_NEIGHBOURS;
	IS_INT(broken_by(UPM_RULES_ALL), 0, "asn-neighbours alone: fine");
	q.n_track_prefixes = 1;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_NEIGHBOURS_ALONE,
	    "asn-neighbours with a tracked prefix");
	OK(strstr(err.text, "gives no paths") != NULL, "its text");
	q.n_track_prefixes = 0;
	q.sources = state_and_neigh;
	q.n_sources = 2;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_NEIGHBOURS_ALONE,
	    "asn-neighbours among several sources");
}

/* The first broken rule in the check's order wins. */
static void
test_order(void)
{
	static const char *const prefixes[] = { "175.45.176.0/24" };

	reset();
	q.asn = 0;
	q.prefixes = prefixes;
	q.n_prefixes = 1;
	q.at = "yesterday";
	b.accept = 1;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_TARGET_MISSING,
	    "the target first");
	q.asn = 1;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_ACCEPT_NO_STATE,
	    "then the baseline");
	b.accept = 0;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_PREFIX_SOURCE,
	    "then the sources");
	q.n_prefixes = 0;
	IS_INT(broken_by(UPM_RULES_ALL), UPM_RULE_AT_TIME, "then the time");
}

int
main(void)
{
	test_what();
	test_baseline_rules();
	test_source_rules();
	test_order();
	return tap_done();
}
