/*
 * test_ris_live - the RIS Live line parser (common/source_ris_live.c):
 * messages in any split, the events they give, what is skipped and
 * counted (garbage, junk prefixes, lines over the cap) without growth,
 * peer states, server errors, and the subscription header.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "tap.h"

/* What the sink saw. */
static struct {
	int announce, withdraw, down, unusable;
	char session[64], prefix[64];
	uint32_t peer_asn, origin;
	size_t path_len;
	int64_t time;
} seen;

static int
sink_event(void *ctx, const upm_event *ev)
{
	(void)ctx;
	if (ev->kind == UPM_EV_ANNOUNCE) {
		seen.announce++;
		seen.unusable += ev->unusable;
		seen.path_len = ev->path_len;
		seen.origin = ev->path_len ? ev->path[ev->path_len - 1] : 0;
	} else if (ev->kind == UPM_EV_WITHDRAW)
		seen.withdraw++;
	else
		seen.down++;
	(void)snprintf(seen.session, sizeof(seen.session), "%s", ev->session);
	(void)snprintf(seen.prefix, sizeof(seen.prefix), "%s",
	    ev->prefix ? ev->prefix : "");
	seen.peer_asn = ev->peer_asn;
	seen.time = ev->time;
	return 0;
}

static const char update[] =
    "{\"type\":\"ris_message\",\"data\":{\"timestamp\":1506848871.41,"
    "\"peer\":\"192.0.2.1\",\"peer_asn\":\"64496\",\"id\":\"x\","
    "\"host\":\"rrc21\",\"type\":\"UPDATE\",\"path\":[64496,3356,20485,"
    "131279],\"origin\":\"igp\",\"announcements\":[{\"next_hop\":"
    "\"192.0.2.1\",\"prefixes\":[\"175.45.176.0/24\",\"175.45.177.0/24\"]}],"
    "\"withdrawals\":[\"175.45.178.0/24\"]}}\n";

static upm_ris_live_parser *
fresh(size_t max)
{
	upm_sink sink = { sink_event, NULL, NULL };

	memset(&seen, 0, sizeof(seen));
	return upm_ris_live_parser_new(&sink, max, NULL);
}

static void
test_update_every_split(void)
{
	size_t len = strlen(update), cut, bad = 0;

	for (cut = 0; cut <= len; cut++) {
		upm_ris_live_parser *p = fresh(0);

		if (p == NULL ||
		    upm_ris_live_parser_feed(p, update, cut, NULL) != UPM_OK ||
		    upm_ris_live_parser_feed(p, update + cut, len - cut, NULL) !=
		    UPM_OK || seen.announce != 2 || seen.withdraw != 1)
			bad++;
		upm_ris_live_parser_free(p);
	}
	IS_INT(bad, 0, "one UPDATE cut at every byte: 2 announcements, "
	    "1 withdrawal each time");
	IS_STR(seen.session, "21-192.0.2.1", "session named as RIPEstat's "
	    "source_id (rrc21 -> 21-)");
	IS_INT(seen.peer_asn, 64496, "peer_asn from its string");
	IS_INT(seen.time, 1506848871, "time: the whole second");
	IS_INT(seen.path_len, 4, "the path, vantage point first");
	IS_INT(seen.origin, 131279, "the origin last");
}

static void
test_shapes(void)
{
	upm_ris_live_parser *p = fresh(0);
	const upm_ris_live_stats *st;
	static const char lines[] =
	    "\n   \n"
	    "not json\n"
	    "[1,2,3]\n"
	    "{\"type\":\"ris_message\",\"data\":{\"type\":\"UPDATE\"}}\n"
	    "{\"type\":\"ris_message\",\"data\":{\"timestamp\":1,\"peer\":\"p\","
	    "\"host\":\"rrc00\",\"type\":\"UPDATE\",\"path\":[1,2],"
	    "\"announcements\":[{\"prefixes\":[\"junk/99\",\"10.0.0.0/8\"]}]}}\n"
	    "{\"type\":\"ris_message\",\"data\":{\"timestamp\":2,\"peer\":\"p\","
	    "\"host\":\"rrc00\",\"type\":\"UPDATE\",\"path\":[1,[2,3]],"
	    "\"announcements\":[{\"prefixes\":[\"10.0.0.0/8\"]}]}}\n"
	    "{\"type\":\"ris_message\",\"data\":{\"timestamp\":3,\"peer\":"
	    "\"192.0.2.7\",\"host\":\"rrc00\",\"type\":\"RIS_PEER_STATE\","
	    "\"state\":\"down\"}}\n"
	    "{\"type\":\"ris_message\",\"data\":{\"timestamp\":4,\"peer\":"
	    "\"192.0.2.7\",\"host\":\"rrc00\",\"type\":\"RIS_PEER_STATE\","
	    "\"state\":\"connected\"}}\n"
	    "{\"type\":\"ris_message\",\"data\":{\"timestamp\":5,\"peer\":\"p\","
	    "\"host\":\"rrc00\",\"type\":\"KEEPALIVE\"}}\n"
	    "{\"type\":\"ris_error\",\"data\":{\"message\":\"Client is too "
	    "slow\"}}\n"
	    "{\"type\":\"pong\",\"data\":{}}\n";

	if (!OK(p != NULL, "parser"))
		return;
	IS_INT(upm_ris_live_parser_feed(p, lines, strlen(lines), NULL), UPM_OK,
	    "every shape goes through");
	st = upm_ris_live_parser_stats(p);
	IS_INT(st->garbage, 3, "non-JSON, another shape, a message without "
	    "its head: garbage");
	IS_INT(st->bad_prefixes, 1, "a junk prefix skipped");
	IS_INT(seen.announce, 2, "the good prefixes announced");
	IS_INT(seen.unusable, 1, "an AS_SET makes the path unusable");
	IS_INT(seen.down, 1, "a peer going down: one SESSION_DOWN");
	IS_STR(seen.session, "00-192.0.2.7", "of that session");
	IS_INT(st->peer_states, 2, "peer states counted");
	IS_INT(st->other, 2, "a KEEPALIVE and a pong: other");
	IS_INT(st->errors, 1, "the server's error counted");
	IS_STR(st->error, "Client is too slow", "and its text kept");
	IS_INT(st->last_time, 5, "the newest message time");
	IS_INT(st->recent_time, 5, "the last message's time");
	IS_INT(upm_ris_live_parser_feed(p, "{\"type\":\"ris_message\",\"data\":"
	    "{\"timestamp\":2,\"peer\":\"p\",\"host\":\"rrc00\",\"type\":"
	    "\"KEEPALIVE\"}}\n", 91, NULL), UPM_OK, "an older message");
	IS_INT(st->last_time, 5, "the newest time stays");
	IS_INT(st->recent_time, 2, "the last message's time follows it");
	IS_INT(upm_ris_live_parser_take_newest(p), 5, "the newest since the "
	    "start: 5");
	IS_INT(upm_ris_live_parser_take_newest(p), 0, "none since");
	upm_ris_live_parser_free(p);
}

static void
test_long_lines(void)
{
	upm_ris_live_parser *p = fresh(4096);
	char chunk[1000];
	size_t i;

	if (!OK(p != NULL, "parser with a 4096-byte cap"))
		return;
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < 10000; i++)      /* a 10 MB line, 1000 bytes a call */
		(void)upm_ris_live_parser_feed(p, chunk, sizeof(chunk), NULL);
	IS_INT(upm_ris_live_parser_feed(p, "\n", 1, NULL), UPM_OK,
	    "a 10 MB line ends");
	IS_INT(upm_ris_live_parser_stats(p)->too_long, 1, "counted once as "
	    "too long");
	IS_INT(upm_ris_live_parser_feed(p, update, strlen(update), NULL),
	    UPM_OK, "the next line");
	IS_INT(seen.announce, 2, "is read as usual");
	upm_ris_live_parser_reset(p);
	IS_INT(upm_ris_live_parser_feed(p, "{\"type\":", 9, NULL), UPM_OK,
	    "half a line");
	upm_ris_live_parser_reset(p);
	IS_INT(upm_ris_live_parser_feed(p, update, strlen(update), NULL),
	    UPM_OK, "a reconnect drops it");
	IS_INT(upm_ris_live_parser_stats(p)->garbage, 0, "without garbage");
	upm_ris_live_parser_free(p);
}

static void
test_subscription(void)
{
	static const char *const prefixes[] = { "175.45.176.0/24",
	    "84.205.64.0/24" };
	char *s = NULL;

	IS_INT(upm_ris_live_subscription(prefixes, 2, &s, NULL), UPM_OK,
	    "the updates' subscription");
	IS_STR(s, "{\"prefix\":[\"175.45.176.0/24\",\"84.205.64.0/24\"],"
	    "\"type\":\"UPDATE\",\"moreSpecific\":true}", "prefixes with "
	    "more-specifics");
	free(s);
	IS_INT(upm_ris_live_subscription(NULL, 0, &s, NULL), UPM_OK,
	    "the peer states' subscription");
	IS_STR(s, "{\"type\":\"RIS_PEER_STATE\"}", "peer states alone");
	free(s);
	IS_INT(upm_source_parse("ris-live"), UPM_SRC_RIS_LIVE, "a source");
	{
		upm_query_opts q;
		upm_error err;

		upm_query_opts_init(&q);
		memset(&err, 0, sizeof(err));
		IS_INT(upm_source_ris_live.ready(&q, &err), UPM_ERR_ARG,
		    "refused for a query of one moment");
		OK(strstr(err.text, "collectd") != NULL, "naming the plugin: %s",
		    err.text);
	}
}

int
main(void)
{
	test_update_every_split();
	test_shapes();
	test_long_lines();
	test_subscription();
	return tap_done();
}
