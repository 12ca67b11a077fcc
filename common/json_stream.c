/*
 * json_stream.c - the push parser: RIPEstat answers read as they arrive,
 * records handed over as each one completes, never the whole document in
 * memory.  What a record means is parse_ripestat.c's; this file only cuts
 * the stream into records (and reads plain bgp_state elements in place).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "upm_private.h"

/*
 * The push parser.  A small hand-written scanner walks the outer structure
 * (the envelope object, "data", and the one big array or object of the
 * call); every other value, and each element of the big one, is cut out
 * by bracket counting and given whole to jansson, which checks it fully
 * (UTF-8, escapes, NUL, numbers, duplicate keys) and whose per-record code
 * in parse_ripestat.c then runs unchanged.  So memory holds one element plus the small
 * envelope fields ("skeleton"), never the whole document.  (Plain
 * bgp_state elements are read faster in place: see fast_route below.)
 */

#define MAX_FRAMES 4

enum frame_role {
	ROLE_ROOT,    /* the envelope */
	ROLE_DATA,    /* "data" (or the root with UPM_PARSE_DATA_ONLY) */
	ROLE_STREAM   /* the big array (or 2017 looking-glass object) */
};

struct frame {
	enum frame_role role;
	char close;          /* '}' or ']' */
	json_t *skel;        /* members so far (STREAM object: names seen);
	                      * borrowed: p->root holds them all */
	size_t count;        /* members or elements completed */
};

enum scan_state {
	S_START,        /* before the document */
	S_KEY_OR_END,   /* just after '{' */
	S_KEY_START,    /* after ',' in an object: a key must follow */
	S_KEY,          /* inside a key */
	S_COLON,
	S_VALUE,        /* a member value or an element begins */
	S_ELEM_OR_END,  /* just after '[' */
	S_CAPTURE,      /* inside a value taken whole */
	S_AFTER,        /* after a value: ',' or the frame's close */
	S_DONE,
	S_WHOLE,        /* kept whole for the whole-buffer parser */
	S_FAILED
};

struct upm_parser {
	upm_call call;
	int flags;
	upm_sinks sinks;
	enum scan_state state;
	upm_status failed;       /* the status once S_FAILED */
	struct frame frames[MAX_FRAMES];
	size_t depth;            /* frames in use */
	upm_buf key;             /* raw bytes of the current key, quotes too */
	char *key_text;          /* the current key, decoded */
	int key_escape;
	upm_buf cap;             /* captured value bytes of earlier chunks */
	uint64_t cap_start;      /* offset of the captured value's first byte */
	size_t cap_depth;
	int cap_in_string, cap_escape;
	uint64_t offset;         /* offset of the current chunk's first byte */
	json_t *root;            /* the skeleton */
	json_t *pending;         /* 2017 collectors waiting for data.resource */
	upm_buf whole;           /* S_WHOLE */
	upm_obs_builder run;
	upm_meta meta;
	upm_error *err;          /* the caller's, during feed/finish */
	char fast_session[256];     /* the fast path's copies of the names */
	char fast_prefix[256];
	upm_update_run upd;         /* bgplay, bgp-updates */
	const char *stream_list;    /* the big array being walked */
};

/* The big arrays of a call, walked element by element (NULL-ended);
 * NULL for a call kept whole. */
static const char *const *
stream_keys(upm_call call)
{
	static const char *const bgp_state[] = { "bgp_state", NULL };
	static const char *const lg[] = { "rrcs", NULL };
	static const char *const bgplay[] = { "sources", "initial_state",
		"events", NULL };
	static const char *const updates[] = { "updates", NULL };

	switch (call) {
	case UPM_CALL_BGP_STATE: return bgp_state;
	case UPM_CALL_LOOKING_GLASS: return lg;
	case UPM_CALL_BGPLAY: return bgplay;
	case UPM_CALL_BGP_UPDATES: return updates;
	default: return NULL;
	}
}

/* key's static name when it is one of call's big arrays; NULL else. */
static const char *
stream_key(upm_call call, const char *key)
{
	const char *const *k = stream_keys(call);

	for (; k != NULL && *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return *k;
	return NULL;
}

upm_parser *
upm_parser_new(upm_call call, int flags, const upm_sinks *sinks,
    upm_error *err)
{
	upm_parser *p;

	if ((unsigned)call > UPM_CALL_BGP_UPDATES) {
		(void)upm_fail(err, UPM_ERR_ARG, "unknown data call %d", (int)call);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->call = call;
	p->flags = flags;
	if (sinks != NULL)
		p->sinks = *sinks;
	upm_buf_init(&p->key);
	upm_buf_init(&p->cap);
	upm_buf_init(&p->whole);
	/* Small calls gain nothing from streaming: kept whole. */
	p->state = stream_keys(call) != NULL ? S_START : S_WHOLE;
	upm_obs_builder_init(&p->run, p->sinks.obs, p->sinks.ctx, &p->meta, NULL);
	upm_obs_builder_init(&p->upd.b, NULL, NULL, &p->meta, NULL);
	p->upd.sink = p->sinks.update;
	p->upd.ctx = p->sinks.ctx;
	return p;
}

void
upm_parser_free(upm_parser *p)
{
	if (p == NULL)
		return;
	upm_buf_free(&p->key);
	upm_buf_free(&p->cap);
	upm_buf_free(&p->whole);
	free(p->key_text);
	upm_aspath_free(&p->run.path);
	upm_aspath_free(&p->upd.b.path);
	json_decref(p->upd.peers);
	json_decref(p->root);
	json_decref(p->pending);
	free(p);
}

static upm_status
fail_parser(upm_parser *p, upm_status st)
{
	p->state = S_FAILED;
	p->failed = st;
	return st;
}

static upm_status
syntax(upm_parser *p, uint64_t at, const char *what)
{
	return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON,
	    "invalid JSON at byte %llu: %s", (unsigned long long)at, what));
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* jansson on one cut-out value; at is its offset for the error text. */
static upm_status
decode(upm_parser *p, const char *text, size_t len, uint64_t at, json_t **out)
{
	json_error_t jerr;

	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (*out != NULL)
		return UPM_OK;
	upm_json_ascii_only(jerr.text);
	return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON,
	    "invalid JSON at byte %llu: %s",
	    (unsigned long long)(at + (uint64_t)(jerr.position > 0 ?
	    jerr.position - 1 : 0)), jerr.text));
}

static struct frame *
top(upm_parser *p)
{
	return &p->frames[p->depth - 1];
}

static upm_status
push_frame(upm_parser *p, enum frame_role role, char open, json_t *skel)
{
	struct frame *fr;

	if (p->depth == MAX_FRAMES)      /* cannot happen: roles nest 3 deep */
		return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON, "too deep"));
	fr = &p->frames[p->depth++];
	fr->role = role;
	fr->close = open == '{' ? '}' : ']';
	fr->skel = skel;
	fr->count = 0;
	return UPM_OK;
}

/* The skeleton object a ROOT or DATA frame fills (borrowed). */
static json_t *
data_skel(upm_parser *p)
{
	size_t i;

	for (i = 0; i < p->depth; i++)
		if (p->frames[i].role == ROLE_DATA)
			return p->frames[i].skel;
	return NULL;
}

/* ------------------------------------------------- records as they come */

/* bgplay / bgp-updates: one element of p->stream_list.  initial_state's
 * routes are announced at the query's start, known when query_starttime
 * came before them (RIPEstat sends it first); 0 otherwise. */
static upm_status
update_element(upm_parser *p, const json_t *v, size_t i)
{
	upm_update_run *u = &p->upd;
	const json_t *start;
	int64_t t;

	u->b.err = p->err;
	if (strcmp(p->stream_list, "sources") == 0)
		return upm_ripestat_bgplay_source(u, v, i);
	if (u->start == 0 && (start = json_object_get(data_skel(p),
	    "query_starttime")) != NULL && json_is_string(start) &&
	    upm_time_parse(json_string_value(start), &t, NULL) == UPM_OK)
		u->start = t;
	return upm_ripestat_update_record(u, p->stream_list, v, i,
	    strcmp(p->stream_list, "initial_state") == 0);
}

static upm_status
stream_element(upm_parser *p, json_t *v, size_t i)
{
	const json_t *data;

	p->run.err = p->err;
	if (p->call == UPM_CALL_BGPLAY || p->call == UPM_CALL_BGP_UPDATES)
		return update_element(p, v, i);
	if (p->call == UPM_CALL_BGP_STATE)
		return upm_ripestat_bgp_state_route(&p->run, v, i);
	if (top(p)->close == ']')
		return upm_ripestat_lg_collector(&p->run, v, i);
	/* 2017: a collector without its own prefix needs data.resource,
	 * which may still come: such ones wait (few, small). */
	data = data_skel(p);
	if (json_is_object(v) && json_object_get(v, "prefix") == NULL &&
	    json_object_get(data, "resource") == NULL) {
		if (p->pending == NULL && (p->pending = json_object()) == NULL)
			return upm_fail(p->err, UPM_ERR_NOMEM, "out of memory");
		if (json_object_set(p->pending, p->key_text, v) != 0)
			return upm_fail(p->err, UPM_ERR_NOMEM, "out of memory");
		return UPM_OK;
	}
	return upm_ripestat_lg_collector_2017(&p->run, p->key_text, v, data);
}

/* A complete value: a record of the big array, or an envelope field. */
static upm_status
value_done(upm_parser *p, const char *text, size_t len)
{
	struct frame *fr = top(p);
	upm_status st;
	json_t *v;

	if ((st = decode(p, text, len, p->cap_start, &v)) != UPM_OK)
		return st;
	if (fr->role == ROLE_STREAM) {
		st = stream_element(p, v, fr->count);
		json_decref(v);
		if (st != UPM_OK)
			return fail_parser(p, st);
	} else if (json_object_set_new(fr->skel, p->key_text, v) != 0)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	fr->count++;
	p->state = S_AFTER;
	return UPM_OK;
}

/* ------------------------------------------------------------- scanner */

/* Goes on cutting out a value from s[from..n); returns the index just past
 * its end, or n with *more set when it continues in the next chunk.  A
 * scalar ends before the delimiter that follows it. */
static size_t
capture_scan(upm_parser *p, const char *s, size_t from, size_t n, int *more)
{
	size_t i;

	*more = 0;
	for (i = from; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (p->cap_in_string) {
			if (p->cap_escape)
				p->cap_escape = 0;
			else if (c == '\\')
				p->cap_escape = 1;
			else if (c == '"') {
				p->cap_in_string = 0;
				if (p->cap_depth == 0)
					return i + 1;
			}
			continue;
		}
		switch (c) {
		case '"':
			p->cap_in_string = 1;
			break;
		case '{':
		case '[':
			p->cap_depth++;
			break;
		case '}':
		case ']':
			if (p->cap_depth == 0)
				return i;
			if (--p->cap_depth == 0)
				return i + 1;
			break;
		case ',': case ' ': case '\t': case '\r': case '\n':
			if (p->cap_depth == 0)
				return i;
			break;
		default:
			break;
		}
	}
	*more = 1;
	return n;
}

/* Continues a capture at s[i]; returns the next index to scan. */
static size_t
capture(upm_parser *p, const char *s, size_t i, size_t n, upm_status *st)
{
	size_t end;
	int more;

	end = capture_scan(p, s, i, n, &more);
	if (more || p->cap.len > 0) {
		if ((*st = upm_buf_append(&p->cap, s + i, end - i)) != UPM_OK) {
			*st = fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
			    "out of memory"));
			return n;
		}
		if (more)
			return n;
		*st = value_done(p, p->cap.data, p->cap.len);
		p->cap.len = 0;
		return end;
	}
	/* The whole value lies in this chunk: no copy. */
	*st = value_done(p, s + (size_t)(p->cap_start - p->offset),
	    end - (size_t)(p->cap_start - p->offset));
	return end;
}

static void
capture_begin(upm_parser *p, size_t i)
{
	p->state = S_CAPTURE;
	p->cap.len = 0;
	p->cap_start = p->offset + i;
	p->cap_depth = 0;
	p->cap_in_string = 0;
	p->cap_escape = 0;
}

/* A value begins with c: descend into the frames we walk, cut out the
 * rest.  Returns UPM_OK when it descended (c consumed) or began a capture
 * (c not consumed). */
static upm_status
value_begin(upm_parser *p, char c, size_t i, int *consumed)
{
	struct frame *fr = top(p);
	const char *big = fr->role == ROLE_DATA ?
	    stream_key(p->call, p->key_text) : NULL;
	json_t *skel;
	enum frame_role role;

	*consumed = 0;
	role = ROLE_STREAM;
	if (fr->role == ROLE_ROOT && c == '{' && strcmp(p->key_text, "data") == 0)
		role = ROLE_DATA;
	else if (big == NULL ||
	    (c != '[' && !(c == '{' && p->call == UPM_CALL_LOOKING_GLASS))) {
		capture_begin(p, i);
		return UPM_OK;
	}
	/* The skeleton records that the member exists (an empty stand-in
	 * for the big one): duplicates and the shape checks see it. */
	skel = c == '[' ? json_array() : json_object();
	if (skel == NULL || json_object_set(fr->skel, p->key_text, skel) != 0) {
		json_decref(skel);
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	}
	json_decref(skel);    /* the parent holds it */
	*consumed = 1;
	p->stream_list = big;
	p->state = c == '[' ? S_ELEM_OR_END : S_KEY_OR_END;
	return push_frame(p, role, c, skel);
}

static upm_status
document_begin(upm_parser *p, char c, int *consumed)
{
	if (c != '{') {
		/* Not an object: the whole-buffer parser names the error. */
		p->state = S_WHOLE;
		*consumed = 0;
		return UPM_OK;
	}
	if ((p->root = json_object()) == NULL)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	p->state = S_KEY_OR_END;
	return push_frame(p, (p->flags & UPM_PARSE_DATA_ONLY) ? ROLE_DATA :
	    ROLE_ROOT, '{', p->root);
}

/* The key is complete in p->key: decode it, reject a repeated one. */
static upm_status
key_done(upm_parser *p)
{
	struct frame *fr = top(p);
	uint64_t at = p->offset;
	json_t *k;
	upm_status st;

	if ((st = decode(p, p->key.data, p->key.len, at, &k)) != UPM_OK)
		return st;
	free(p->key_text);
	p->key_text = strdup(json_string_value(k));
	json_decref(k);
	if (p->key_text == NULL)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	if (json_object_get(fr->skel, p->key_text) != NULL) {
		char shown[41];
		return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON,
		    "invalid JSON: duplicate object key '%s'",
		    upm_copy_text(shown, sizeof(shown), p->key_text)));
	}
	/* In the 2017 collectors object, names are remembered bare. */
	if (fr->role == ROLE_STREAM &&
	    json_object_set_new(fr->skel, p->key_text, json_null()) != 0)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	p->state = S_COLON;
	return UPM_OK;
}

/* Key bytes from s[i..n) after the opening quote; returns the next index. */
static size_t
key_scan(upm_parser *p, const char *s, size_t i, size_t n, upm_status *st)
{
	size_t from = i;
	int done = 0;

	for (; i < n && !done; i++) {
		if (p->key_escape)
			p->key_escape = 0;
		else if (s[i] == '\\')
			p->key_escape = 1;
		else if (s[i] == '"')
			done = 1;
	}
	if (upm_buf_append(&p->key, s + from, i - from) != UPM_OK) {
		*st = fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
		return n;
	}
	if (done)
		*st = key_done(p);
	return i;
}

static upm_status
frame_close(upm_parser *p)
{
	p->depth--;
	if (p->depth == 0) {
		p->state = S_DONE;
		return UPM_OK;
	}
	top(p)->count++;
	p->state = S_AFTER;
	return UPM_OK;
}

/* One structural byte outside keys and captures. */
static upm_status
structural(upm_parser *p, char c, size_t i, int *consumed)
{
	uint64_t at = p->offset + i;

	*consumed = 1;
	if (is_ws((unsigned char)c))
		return UPM_OK;
	switch (p->state) {
	case S_START:
		return document_begin(p, c, consumed);
	case S_KEY_OR_END:
		if (c == '}')
			return frame_close(p);
		/* FALLTHROUGH */
	case S_KEY_START:
		if (c != '"')
			return syntax(p, at, "expected a key");
		p->key.len = 0;
		p->key_escape = 0;
		p->state = S_KEY;
		*consumed = 0;     /* key_scan takes the opening quote too */
		return UPM_OK;
	case S_COLON:
		if (c != ':')
			return syntax(p, at, "expected ':'");
		p->state = S_VALUE;
		return UPM_OK;
	case S_ELEM_OR_END:
		if (c == ']')
			return frame_close(p);
		/* FALLTHROUGH */
	case S_VALUE:
		return value_begin(p, c, i, consumed);
	case S_AFTER:
		if (c == top(p)->close)
			return frame_close(p);
		if (c != ',')
			return syntax(p, at, "expected ',' or a closing bracket");
		p->state = top(p)->close == '}' ? S_KEY_START : S_VALUE;
		return UPM_OK;
	case S_DONE:
		return syntax(p, at, "end of file expected");
	default:
		return syntax(p, at, "unexpected state");
	}
}

/* -------------------------------------------- bgp-state elements, fast */

/*
 * Nearly every bgp_state element is plain: ASCII strings without escapes,
 * a path of small integers, a short list of communities.  Building a
 * jansson value for each (about ten allocations) was most of the time of
 * a large response, so such an element is read here in place, in the
 * chunk, straight into the observation.  This reader accepts only that
 * strict subset of JSON and gives up on anything else (an escape, a byte
 * outside printable ASCII, a nested object, a real number, a repeated key,
 * a missing or mistyped field, the end of the chunk) without having
 * delivered anything: the element then takes the general path (cut out,
 * checked by jansson), so every error and every unusual but valid element
 * is handled exactly as before.
 */

#define FAST_KEYS 16     /* more keys in one element: the general path */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAST_LITTLE_ENDIAN 1
#else
#define FAST_LITTLE_ENDIAN 0
#endif

struct fast {
	const char *s;       /* the next byte */
	const char *end;     /* the end of the chunk */
};

struct fast_span {
	const char *s;
	size_t n;
};

static inline void
fast_ws(struct fast *f)
{
	/* Most tokens follow each other without white space. */
	while (f->s < f->end && (unsigned char)*f->s <= ' ' &&
	    is_ws((unsigned char)*f->s))
		f->s++;
}

/* Skips ws, then takes c; 0 if another byte (or none) is there. */
static int
fast_take(struct fast *f, char c)
{
	fast_ws(f);
	if (f->s == f->end || *f->s != c)
		return 0;
	f->s++;
	return 1;
}

/* A string of printable ASCII (0x20..0x7e) without escapes: exactly the
 * strings whose JSON text is their value. */
/* Bytes of the 8 in w that end a plain string or spoil it: '"', '\\',
 * a control byte, or one above 0x7e; each such byte's top bit set (for
 * the first of them exactly: the borrows only run upwards). */
static inline uint64_t
string_stops(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) |
	    ((w + ones * 0x01) & high) | (w & high);
}

static int
fast_string(struct fast *f, struct fast_span *out)
{
	const char *c;
	uint64_t w, m;

	if (f->s == f->end || *f->s != '"')
		return 0;
	c = f->s + 1;
	/* Eight bytes at a time up to the first stop, then byte by byte.
	 * (The lowest flagged bit is the first byte on little-endian only.) */
	while (FAST_LITTLE_ENDIAN && f->end - c >= 8) {
		memcpy(&w, c, 8);
		if ((m = string_stops(w) & 0x8080808080808080ULL) != 0) {
			c += (unsigned)__builtin_ctzll(m) / 8;
			break;
		}
		c += 8;
	}
	while (c < f->end && *c != '"') {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e ||
		    *c == '\\')
			return 0;
		c++;
	}
	if (c == f->end)
		return 0;
	out->s = f->s + 1;
	out->n = (size_t)(c - out->s);
	f->s = c + 1;
	return 1;
}

/* A non-negative integer of at most 18 digits (far from jansson's
 * overflow), without a fraction or exponent, in canonical form. */
static int
fast_uint(struct fast *f, uint64_t *out)
{
	const char *start = f->s;
	uint64_t v = 0;

	while (f->s < f->end && *f->s >= '0' && *f->s <= '9')
		v = v * 10 + (uint64_t)(*f->s++ - '0');
	if (f->s == start || f->s - start > 18 || f->s == f->end ||
	    (*start == '0' && f->s - start > 1) ||
	    *f->s == '.' || *f->s == 'e' || *f->s == 'E')
		return 0;
	*out = v;
	return 1;
}

static int
fast_literal(struct fast *f)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t k, n;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		n = strlen(words[k]);
		if ((size_t)(f->end - f->s) > n && memcmp(f->s, words[k], n) == 0) {
			f->s += n;
			return 1;
		}
	}
	return 0;
}

/* A scalar of the subset: plain string, integer, literal. */
static int
fast_scalar(struct fast *f)
{
	struct fast_span str;
	uint64_t v;

	if (f->s == f->end)
		return 0;
	if (*f->s == '"')
		return fast_string(f, &str);
	if (*f->s >= '0' && *f->s <= '9')
		return fast_uint(f, &v);
	return fast_literal(f);
}

/* The value of a member we do not use: a scalar or a flat array of them
 * (communities). */
static int
fast_skip(struct fast *f)
{
	if (f->s == f->end || *f->s != '[')
		return fast_scalar(f);
	f->s++;
	if (fast_take(f, ']'))
		return 1;
	do {
		fast_ws(f);
		if (!fast_scalar(f))
			return 0;
	} while (fast_take(f, ','));
	return fast_take(f, ']');
}

/* The path into the observation, as path_from_array does: an AS number
 * out of range makes it unusable (the rest is still read, to check it). */
static int
fast_path(struct fast *f, upm_obs_builder *r, upm_status *st)
{
	uint64_t v;

	if (f->s == f->end || *f->s != '[')
		return 0;
	f->s++;
	if (fast_take(f, ']'))
		return 1;
	do {
		fast_ws(f);
		if (!fast_uint(f, &v))
			return 0;
		if (v < 1 || v > UINT32_MAX) {
			r->path.unusable = 1;
			r->path.malformed |= v != 0;
		}
		else if (!r->path.unusable &&
		    (*st = upm_obs_path_push(r, (uint32_t)v)) != UPM_OK)
			return 0;
	} while (fast_take(f, ','));
	return fast_take(f, ']');
}

/* A key not met before in this element (jansson rejects repeated keys;
 * plain keys compare equal exactly when their bytes do). */
static int
fast_new_key(struct fast_span *keys, size_t *n, const struct fast_span *k)
{
	size_t i;

	if (*n == FAST_KEYS)
		return 0;
	for (i = 0; i < *n; i++)
		if (keys[i].n == k->n && memcmp(keys[i].s, k->s, k->n) == 0)
			return 0;
	keys[(*n)++] = *k;
	return 1;
}

static int
key_is(const struct fast_span *k, const char *name)
{
	return k->n == strlen(name) && memcmp(k->s, name, k->n) == 0;
}

/* One member; source_id and target_prefix are kept as spans. */
static int
fast_member(struct fast *f, upm_obs_builder *r, struct fast_span *keys,
    size_t *n_keys, struct fast_span *src, struct fast_span *pfx, int *path,
    upm_status *st)
{
	struct fast_span k;

	fast_ws(f);
	if (!fast_string(f, &k) || !fast_new_key(keys, n_keys, &k) ||
	    !fast_take(f, ':'))
		return 0;
	fast_ws(f);
	if (key_is(&k, "source_id"))
		return fast_string(f, src);
	if (key_is(&k, "target_prefix"))
		return fast_string(f, pfx);
	if (key_is(&k, "path"))
		return (*path = fast_path(f, r, st));
	return fast_skip(f);
}

/* Copies a span as a C string into dst (size bytes); 0 if too long. */
static int
fast_copy(char *dst, size_t size, const struct fast_span *sp)
{
	if (sp->n >= size)
		return 0;
	memcpy(dst, sp->s, sp->n);
	dst[sp->n] = '\0';
	return 1;
}

/* Reads the element at s[0] == '{' when it lies whole in s[0..n) and is
 * plain.  Returns 1 when it was taken (*used bytes, *st the delivery's
 * status), 0 when the general path must take it. */
static int
fast_route(upm_parser *p, const char *s, size_t n, size_t *used,
    upm_status *st)
{
	struct fast f = { s + 1, s + n };
	struct fast_span keys[FAST_KEYS], src = { NULL, 0 }, pfx = { NULL, 0 };
	upm_obs_builder *r = &p->run;
	size_t n_keys = 0;
	int path = 0;

	r->err = p->err;
	upm_aspath_reset(&r->path);
	*st = UPM_OK;
	do {
		if (!fast_member(&f, r, keys, &n_keys, &src, &pfx, &path, st))
			return *st != UPM_OK;   /* out of memory: an answer too */
	} while (fast_take(&f, ','));
	if (!fast_take(&f, '}') || src.s == NULL || pfx.s == NULL || !path ||
	    !fast_copy(p->fast_session, sizeof(p->fast_session), &src) ||
	    !fast_copy(p->fast_prefix, sizeof(p->fast_prefix), &pfx))
		return 0;
	*used = (size_t)(f.s - s);
	r->obs.prefix = p->fast_prefix;
	r->obs.session = p->fast_session;
	*st = upm_obs_deliver(r);
	return 1;
}

/* A bgp_state element begins at s[i]: read it fast when it can be, and
 * then go on after it.  Returns 0 to leave it to the general path. */
static int
fast_element(upm_parser *p, const char *s, size_t *i, size_t n,
    upm_status *st)
{
	size_t used;

	if (p->call != UPM_CALL_BGP_STATE || s[*i] != '{' ||
	    (p->state != S_VALUE && p->state != S_ELEM_OR_END) ||
	    top(p)->role != ROLE_STREAM)
		return 0;
	if (!fast_route(p, s + *i, n - *i, &used, st))
		return 0;
	if (*st != UPM_OK) {
		*st = fail_parser(p, *st);
		return 1;
	}
	*i += used;
	top(p)->count++;
	p->state = S_AFTER;
	return 1;
}

static upm_status
scan(upm_parser *p, const char *s, size_t n)
{
	upm_status st = UPM_OK;
	size_t i = 0;
	int consumed;

	while (i < n && st == UPM_OK) {
		if (p->state == S_WHOLE)
			return upm_buf_append(&p->whole, s + i, n - i) == UPM_OK ?
			    UPM_OK : fail_parser(p, upm_fail(p->err,
			    UPM_ERR_NOMEM, "out of memory"));
		if (p->state == S_CAPTURE) {
			i = capture(p, s, i, n, &st);
			continue;
		}
		if (p->state == S_KEY) {
			if (p->key.len == 0) {          /* the opening quote */
				if (upm_buf_append(&p->key, "\"", 1) != UPM_OK)
					return fail_parser(p, upm_fail(p->err,
					    UPM_ERR_NOMEM, "out of memory"));
				i++;
				continue;
			}
			i = key_scan(p, s, i, n, &st);
			continue;
		}
		if (fast_element(p, s, &i, n, &st))
			continue;
		st = structural(p, s[i], i, &consumed);
		if (consumed)
			i++;
	}
	return st;
}

upm_status
upm_parser_feed(upm_parser *p, const char *buf, size_t len, upm_error *err)
{
	upm_status st;

	if (p == NULL || (buf == NULL && len > 0))
		return upm_fail(err, UPM_ERR_ARG, "upm_parser_feed: missing argument");
	if (p->state == S_FAILED)
		return upm_fail(err, p->failed != UPM_OK ? p->failed : UPM_ERR_ARG,
		    "upm_parser_feed after the end of the parse");
	p->err = err;
	st = scan(p, buf, len);
	p->offset += len;
	p->err = NULL;
	return st;
}

/* ----------------------------------------------------------- the verdict */

static upm_status
whole_parse(upm_parser *p, upm_meta *meta, upm_error *err)
{
	const upm_sinks *k = &p->sinks;
	const char *b = p->whole.data;
	size_t n = p->whole.len;

	switch (p->call) {
	case UPM_CALL_BGP_STATE:
		return upm_parse_bgp_state(b, n, p->flags, k->obs, k->ctx, meta, err);
	case UPM_CALL_LOOKING_GLASS:
		return upm_parse_looking_glass(b, n, p->flags, k->obs, k->ctx,
		    meta, err);
	case UPM_CALL_ASN_NEIGHBOURS:
		return upm_parse_asn_neighbours(b, n, p->flags, k->neigh, k->ctx,
		    meta, err);
	case UPM_CALL_ROUTING_STATUS:
		return upm_parse_routing_status(b, n, p->flags, k->vis, meta, err);
	case UPM_CALL_ANNOUNCED_PREFIXES:
		return upm_parse_announced_prefixes(b, n, p->flags, k->prefix,
		    k->ctx, meta, err);
	case UPM_CALL_BGPLAY:
	case UPM_CALL_BGP_UPDATES: {
		/* Only what is not an object comes here: named by jansson. */
		json_t *root;
		upm_status st = upm_json_open(b, n, &root, err);

		json_decref(root);
		return st != UPM_OK ? st : upm_fail(err, UPM_ERR_JSON,
		    "invalid JSON: expected an object");
	}
	}
	return upm_fail(err, UPM_ERR_ARG, "unknown data call");
}

static upm_status
finish_bgp_state(upm_parser *p, const json_t *data, upm_error *err)
{
	const json_t *routes;
	upm_status st;

	if ((st = upm_ripestat_read_meta(data, upm_ripestat_bgp_state_times, &p->meta, err)) != UPM_OK)
		return st;
	routes = json_object_get(data, "bgp_state");
	if (!json_is_array(routes))
		return upm_json_shapef(err, routes, "array", "data.bgp_state");
	return UPM_OK;
}

static upm_status
finish_looking_glass(upm_parser *p, const json_t *data, upm_error *err)
{
	const json_t *rrcs, *c;
	const char *name;
	upm_status st;

	if ((st = upm_ripestat_read_meta(data, upm_ripestat_lg_times, &p->meta, err)) != UPM_OK ||
	    (st = upm_ripestat_lg_resource(data, &p->meta, err)) != UPM_OK)
		return st;
	rrcs = json_object_get(data, "rrcs");
	if (!json_is_array(rrcs) && !json_is_object(rrcs))
		return upm_json_shapef(err, rrcs, "array or object", "data.rrcs");
	p->run.err = err;
	json_object_foreach(p->pending, name, c)
		if ((st = upm_ripestat_lg_collector_2017(&p->run, name, c, data)) != UPM_OK)
			return st;
	return UPM_OK;
}

/* bgplay and bgp-updates: the lists must be there (empty is fine: out of
 * retention, or no event). */
static upm_status
finish_updates(upm_parser *p, const json_t *data, upm_error *err)
{
	static const char *const times[] = { "query_endtime", NULL };
	const char *const *k;
	const json_t *v;
	upm_status st;

	if ((st = upm_ripestat_read_meta(data, times, &p->meta, err)) != UPM_OK)
		return st;
	for (k = stream_keys(p->call); *k != NULL; k++) {
		if (strcmp(*k, "sources") == 0)
			continue;   /* only names the peers: optional */
		v = json_object_get(data, *k);
		if (!json_is_array(v))
			return upm_json_shapef(err, v, "array", "data.%s", *k);
	}
	return UPM_OK;
}

upm_status
upm_parser_finish(upm_parser *p, upm_meta *meta, upm_error *err)
{
	json_t *data = NULL;
	upm_status st;

	if (meta != NULL)
		memset(meta, 0, sizeof(*meta));
	if (p == NULL)
		return upm_fail(err, UPM_ERR_ARG, "upm_parser_finish: no parser");
	if (p->state == S_FAILED)
		return upm_fail(err, p->failed != UPM_OK ? p->failed : UPM_ERR_ARG,
		    "upm_parser_finish called twice or after a failure");
	if (p->state == S_WHOLE || (p->state == S_START && p->offset == 0)) {
		st = whole_parse(p, meta, err);
		return fail_parser(p, st);   /* finish is once only */
	}
	if (p->state != S_DONE)
		return fail_parser(p, upm_fail(err, UPM_ERR_JSON,
		    "invalid JSON at byte %llu: premature end of input",
		    (unsigned long long)p->offset));
	st = upm_ripestat_envelope(p->root, p->flags, &p->meta, &data, err);
	if (st == UPM_OK)
		st = p->call == UPM_CALL_BGP_STATE ?
		    finish_bgp_state(p, data, err) :
		    p->call == UPM_CALL_LOOKING_GLASS ?
		    finish_looking_glass(p, data, err) :
		    finish_updates(p, data, err);
	if (meta != NULL)
		*meta = p->meta;
	return fail_parser(p, st);
}
