/*
 * fuzz.h - shared checks for the libFuzzer targets in tests/fuzz/.
 *
 * Every target feeds one input to one public entry point and then checks
 * what the header promises about the outcome.  A broken promise is turned
 * into abort(), which libFuzzer reports as a crash with the input saved, so
 * the fuzzer finds contract violations and not only memory errors (those are
 * AddressSanitizer's and UndefinedBehaviorSanitizer's job).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_FUZZ_H
#define UPM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message naming the broken promise. */
#define FUZZ_REQUIRE(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: contract broken: %s\n", \
			    __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* 1 when the fixed-size field s holds a NUL-terminated string. */
static inline int
fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* A failure must say what failed: the code matches and the text is set. */
static inline void
fuzz_check_status(upm_status st, const upm_error *err)
{
	FUZZ_REQUIRE(fuzz_terminated(upm_status_name(st), 64));
	if (st == UPM_OK)
		return;
	FUZZ_REQUIRE(err->code == st);
	FUZZ_REQUIRE(fuzz_terminated(err->text, sizeof(err->text)));
	FUZZ_REQUIRE(err->text[0] != '\0');
}

/* The parser's meta: every text field terminated inside its array, and the
 * record count equal to what the sink was actually handed. */
static inline void
fuzz_check_meta(const upm_meta *meta, size_t records_seen)
{
	FUZZ_REQUIRE(fuzz_terminated(meta->data_time, sizeof(meta->data_time)));
	FUZZ_REQUIRE(fuzz_terminated(meta->resource, sizeof(meta->resource)));
	FUZZ_REQUIRE(fuzz_terminated(meta->messages, sizeof(meta->messages)));
	FUZZ_REQUIRE(meta->records == records_seen);
}

/* An observation handed to a sink: both strings readable and the whole path
 * readable (ASan flags an over-read here); unusable ones carry no path. */
static inline void
fuzz_check_observation(const upm_observation *obs)
{
	volatile uint32_t sum = 0;
	size_t i;

	FUZZ_REQUIRE(obs != NULL);
	FUZZ_REQUIRE(obs->prefix != NULL && obs->session != NULL);
	(void)strlen(obs->prefix);
	(void)strlen(obs->session);
	if (obs->unusable)
		FUZZ_REQUIRE(obs->path_len == 0);
	FUZZ_REQUIRE(obs->path_len == 0 || obs->path != NULL);
	for (i = 0; i < obs->path_len; i++)
		sum += obs->path[i];
	(void)sum;
}

/* Whether a sink should ask the parser to stop at this record: for some
 * inputs (picked by their length) the first record stops the parse, so the
 * abort path and its clean-up are fuzzed as well. */
static inline int
fuzz_stop_early(size_t input_len)
{
	return input_len % 5 == 0;
}

/* ------------------------------------------------------------ the parsers */

/* The signature the observation parsers share. */
typedef upm_status (*fuzz_obs_parser)(const char *buf, size_t len, int flags,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err);

/* What a sink has been handed, and whether it asks to stop at the first. */
struct fuzz_count {
	size_t seen;
	int stop;
};

/* One parser call with the target's own sink counting into c. */
typedef upm_status (*fuzz_parse_once)(const uint8_t *data, size_t size,
    int flags, struct fuzz_count *c, upm_meta *meta, upm_error *err);

/* One input through a parser once as a whole response and once as a bare
 * "data" object (the recorded fixtures come in both forms), checking the
 * status, the abort path and the record count each time. */
static inline void
fuzz_parse_both_forms(fuzz_parse_once parse, const uint8_t *data, size_t size)
{
	static const int flag_sets[] = { 0, UPM_PARSE_DATA_ONLY };
	struct fuzz_count c;
	upm_meta meta;
	upm_error err;
	upm_status st;
	size_t i;

	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		memset(&err, 0, sizeof(err));
		c.seen = 0;
		c.stop = fuzz_stop_early(size);
		st = parse(data, size, flag_sets[i], &c, &meta, &err);
		fuzz_check_status(st, &err);
		if (c.stop && c.seen > 0)
			FUZZ_REQUIRE(st == UPM_ERR_ABORTED && c.seen == 1);
		if (st == UPM_OK)
			fuzz_check_meta(&meta, c.seen);
	}
}

static inline int
fuzz_obs_sink(void *ctx, const upm_observation *obs)
{
	struct fuzz_count *c = ctx;

	fuzz_check_observation(obs);
	c->seen++;
	return c->stop;
}

/* What a source's parser promises of every event it hands the sink: a
 * session; a valid prefix unless a session goes down; a usable
 * announcement's path not empty and within the hop cap. */
static inline void
fuzz_check_event(const upm_event *ev)
{
	FUZZ_REQUIRE(ev->session != NULL && ev->session[0] != '\0');
	if (ev->kind != UPM_EV_SESSION_DOWN)
		FUZZ_REQUIRE(ev->prefix != NULL &&
		    upm_prefix_check(ev->prefix, NULL) == UPM_OK);
	if (ev->kind == UPM_EV_ANNOUNCE && !ev->unusable)
		FUZZ_REQUIRE(ev->path != NULL && ev->path_len > 0 &&
		    ev->path_len <= UPM_PATH_MAX_HOPS);
}

#endif
