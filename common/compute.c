/*
 * compute.c - from observations to upstreams and their shares, and the
 * comparison of the present set with a baseline.  Pure: no I/O, no clock.
 *
 * Memory grows with the number of distinct values (sessions, prefixes,
 * upstreams, upstream/session pairs), never with the number of
 * observations: a bgp-state answer for a large network holds millions of
 * routes but only a few thousand distinct prefixes and a few hundred
 * sessions.  Strings are therefore interned once (one table for sessions,
 * one for prefixes) and the per-upstream sets hold small integer ids.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upm_private.h"

/* ------------------------------------------------------- integer id sets */

/* Open-addressing set of 32-bit ids; slot value 0 means empty, so ids are
 * stored as id + 1. */
typedef struct {
	uint32_t *slot;
	size_t cap;   /* power of two, or 0 */
	size_t n;
} id_set;

static uint32_t
mix32(uint32_t x)
{
	/* A cheap avalanche so sequential ids spread over the table. */
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static int
id_set_grow(id_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 8, i, j;
	uint32_t *slot;

	if (cap > SIZE_MAX / sizeof(*slot))
		return -1;
	if ((slot = calloc(cap, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < s->cap; i++) {
		if (s->slot[i] == 0)
			continue;
		for (j = mix32(s->slot[i]) & (cap - 1); slot[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

/* Adds id: 1 when it is new, 0 when it was there, -1 on allocation
 * failure. */
static int
id_set_put(id_set *s, uint32_t id)
{
	uint32_t v = id + 1;
	size_t j;

	/* Keep the load at most 1/2 so probes stay short. */
	if ((s->n + 1) * 2 > s->cap && id_set_grow(s) != 0)
		return -1;
	for (j = mix32(v) & (s->cap - 1); s->slot[j] != 0;
	    j = (j + 1) & (s->cap - 1))
		if (s->slot[j] == v)
			return 0;
	s->slot[j] = v;
	s->n++;
	return 1;
}

/* Adds id; 0 on success (new or already there), -1 on allocation failure. */
static int
id_set_add(id_set *s, uint32_t id)
{
	return id_set_put(s, id) < 0 ? -1 : 0;
}

/* 1 when id is in s. */
static int
id_set_has(const id_set *s, uint32_t id)
{
	uint32_t v = id + 1;
	size_t j;

	if (s->cap == 0)
		return 0;
	for (j = mix32(v) & (s->cap - 1); s->slot[j] != 0;
	    j = (j + 1) & (s->cap - 1))
		if (s->slot[j] == v)
			return 1;
	return 0;
}

static void
id_set_free(id_set *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

/* Open-addressing set of 64-bit keys (key + 1 stored, 0 empty): the
 * (prefix, vantage AS) pairs of the vantage-as weighting. */
typedef struct {
	uint64_t *slot;
	size_t cap, n;
} key_set;

static uint32_t
mix64(uint64_t x)
{
	return mix32((uint32_t)x ^ mix32((uint32_t)(x >> 32)));
}

static int
key_set_add(key_set *s, uint64_t key)
{
	uint64_t v = key + 1;
	size_t j;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8, i, k;
		uint64_t *slot;
		if (cap > SIZE_MAX / sizeof(*slot) ||
		    (slot = calloc(cap, sizeof(*slot))) == NULL)
			return -1;
		for (i = 0; i < s->cap; i++) {
			if (s->slot[i] == 0)
				continue;
			for (k = mix64(s->slot[i]) & (cap - 1); slot[k] != 0;
			    k = (k + 1) & (cap - 1))
				;
			slot[k] = s->slot[i];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	for (j = mix64(v) & (s->cap - 1); s->slot[j] != 0;
	    j = (j + 1) & (s->cap - 1))
		if (s->slot[j] == v)
			return 0;
	s->slot[j] = v;
	s->n++;
	return 0;
}

/* ------------------------------------------------------- string interning */

/* Distinct strings, each stored once, numbered 0, 1, 2... in order of
 * first sight. */
typedef struct {
	char **str;        /* id -> string */
	uint32_t *hash;    /* id -> its hash, to rehash without rereading */
	size_t n, str_cap;
	uint32_t *slot;    /* open addressing: id + 1, 0 empty */
	size_t cap;
	uint32_t last;     /* the id found last (valid when n > 0) */
} intern_table;

/* FNV-1a, 32 bits. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619U;
	}
	return h;
}

static int
intern_grow_slots(intern_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16, i, j;
	uint32_t *slot;

	if (cap > SIZE_MAX / sizeof(*slot))
		return -1;
	if ((slot = calloc(cap, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		for (j = t->hash[i] & (cap - 1); slot[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return 0;
}

static int
intern_grow_strings(intern_table *t)
{
	size_t cap = t->str_cap ? t->str_cap * 2 : 16;
	char **str;
	uint32_t *hash;

	if (cap > SIZE_MAX / sizeof(*str))
		return -1;
	if ((str = realloc(t->str, cap * sizeof(*str))) == NULL)
		return -1;
	t->str = str;
	if ((hash = realloc(t->hash, cap * sizeof(*hash))) == NULL)
		return -1;
	t->hash = hash;
	t->str_cap = cap;
	return 0;
}

/* The id of s, adding it when new.  0 on success, -1 on allocation failure
 * (the table stays consistent). */
static int
intern(intern_table *t, const char *s, uint32_t *id)
{
	uint32_t h;
	size_t j;
	char *copy;

	/* Routes come grouped by prefix: the same name as last time is the
	 * common case, and one comparison instead of a hash and a probe. */
	if (t->n > 0 && strcmp(t->str[t->last], s) == 0) {
		*id = t->last;
		return 0;
	}
	h = fnv1a(s);
	if (t->n >= UINT32_MAX - 1)
		return -1;
	if ((t->n + 1) * 2 > t->cap && intern_grow_slots(t) != 0)
		return -1;
	for (j = h & (t->cap - 1); t->slot[j] != 0; j = (j + 1) & (t->cap - 1)) {
		uint32_t i = t->slot[j] - 1;
		if (t->hash[i] == h && strcmp(t->str[i], s) == 0) {
			*id = t->last = i;
			return 0;
		}
	}
	if (t->n == t->str_cap && intern_grow_strings(t) != 0)
		return -1;
	if ((copy = strdup(s)) == NULL)
		return -1;
	t->str[t->n] = copy;
	t->hash[t->n] = h;
	t->slot[j] = (uint32_t)t->n + 1;
	*id = t->last = (uint32_t)t->n++;
	return 0;
}

static void
intern_free(intern_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->hash);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ the compute */

/* Everything known about one neighbour (a candidate upstream). */
typedef struct {
	uint32_t asn;
	uint64_t observations; /* paths through it, or left-neighbour weight */
	uint64_t neigh_peers;  /* asn-neighbours: v4_peers + v6_peers */
	uint64_t uncertain_weight;
	uint64_t not_self;     /* paths whose vantage AS is not itself */
	int regular;           /* seen in a path or as a left neighbour */
	int uncertain;         /* seen as an "uncertain" neighbour */
	int route_server;      /* announced to an IXP route server */
	id_set sessions;      /* distinct sessions that saw it */
	id_set prefixes;
	id_set vantage;       /* distinct vantage ASes (ASNs) */
	id_set clique_vantage; /* those with a clique AS to its left */
	id_set adjacent;      /* origin-set ASes right of it (relationships) */
	key_set weighted;     /* (prefix, vantage AS): vantage-as weighting */
} upstream_acc;

/* ASN -> count, open addressing (slot value 0 is empty; ASN 0 never
 * appears in a parsed path). */
typedef struct {
	uint32_t *asn;
	uint64_t *count;
	size_t cap, n;
} asn_counter;

/* One upstream of one tracked prefix. */
typedef struct {
	uint32_t asn;
	uint64_t observations;
	id_set sessions;
	id_set vantage;
} prefix_upstream;

/* A prefix whose upstreams are kept apart (per-prefix expectations). */
typedef struct {
	char *prefix;
	uint64_t with_upstream;
	prefix_upstream *ups;
	size_t n, cap;
} tracked_prefix;

struct upm_compute {
	upm_asn_list origins;
	asn_counter domestic;  /* origin-set ASes met in transit */
	tracked_prefix *tracked;
	size_t n_tracked;
	long *track_of;        /* prefix id -> tracked index, -1: none */
	size_t n_track_of;
	intern_table session_names;
	intern_table prefix_names;
	upstream_acc *ups;
	size_t n_ups, ups_cap;
	uint32_t *ups_slot;    /* asn -> index + 1, open addressing */
	size_t slot_cap;
	uint64_t records;      /* every add call, of any kind */
	uint64_t observations;
	uint64_t with_upstream;
	uint64_t direct;
	uint64_t unusable;
	uint64_t other_origin;
	uint64_t reserved;     /* a reserved ASN where the neighbour is */
	uint64_t private_hops; /* private ASes walked over */
	uint64_t poisoned;     /* ASes written between origin-set copies */
	id_set vantage;        /* every vantage AS of a path */
	int summary;           /* asn-neighbours records were added */
	/* The role inference (upm_compute_configure). */
	upm_asn_list clique;
	const upm_asrel *rel;
	upm_weighting weighting;
	int failed;            /* an allocation failed: results are wrong */
};

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ------------------------------------------------------- asn counters */

static int
counter_grow(asn_counter *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16, i, j;
	uint32_t *asn;
	uint64_t *count;

	if (cap > SIZE_MAX / sizeof(*count))
		return -1;
	asn = calloc(cap, sizeof(*asn));
	count = calloc(cap, sizeof(*count));
	if (asn == NULL || count == NULL) {
		free(asn);
		free(count);
		return -1;
	}
	for (i = 0; i < t->cap; i++) {
		if (t->asn[i] == 0)
			continue;
		for (j = mix32(t->asn[i]) & (cap - 1); asn[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		asn[j] = t->asn[i];
		count[j] = t->count[i];
	}
	free(t->asn);
	free(t->count);
	t->asn = asn;
	t->count = count;
	t->cap = cap;
	return 0;
}

/* Adds one to asn's count; -1 on allocation failure. */
static int
counter_bump(asn_counter *t, uint32_t asn)
{
	size_t j;

	if (asn == 0)
		return 0;
	if ((t->n + 1) * 2 > t->cap && counter_grow(t) != 0)
		return -1;
	for (j = mix32(asn) & (t->cap - 1); t->asn[j] != 0;
	    j = (j + 1) & (t->cap - 1))
		if (t->asn[j] == asn)
			break;
	if (t->asn[j] == 0) {
		t->asn[j] = asn;
		t->n++;
	}
	if (t->count[j] < UINT64_MAX)
		t->count[j]++;
	return 0;
}

static void
counter_free(asn_counter *t)
{
	free(t->asn);
	free(t->count);
	memset(t, 0, sizeof(*t));
}

/* ---------------------------------------------------- tracked prefixes */

static void
tracked_free(upm_compute *c)
{
	size_t i, k;

	for (i = 0; i < c->n_tracked; i++) {
		for (k = 0; k < c->tracked[i].n; k++) {
			id_set_free(&c->tracked[i].ups[k].sessions);
			id_set_free(&c->tracked[i].ups[k].vantage);
		}
		free(c->tracked[i].ups);
		free(c->tracked[i].prefix);
	}
	free(c->tracked);
	free(c->track_of);
}

upm_compute *
upm_compute_new(const upm_asn_list *origins, upm_error *err)
{
	upm_compute *c;

	if (origins == NULL || origins->n == 0) {
		upm_fail(err, UPM_ERR_ARG, "empty origin set");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	upm_asn_list_init(&c->origins);
	upm_asn_list_init(&c->clique);
	if (upm_asn_list_merge(&c->origins, origins) != UPM_OK)
		goto nomem;
	if (upm_compute_configure(c, NULL, err) != UPM_OK) {
		upm_compute_free(c);
		return NULL;
	}
	return c;
nomem:
	upm_compute_free(c);
	upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return NULL;
}

void
upm_compute_free(upm_compute *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_ups; i++) {
		id_set_free(&c->ups[i].sessions);
		id_set_free(&c->ups[i].prefixes);
		id_set_free(&c->ups[i].vantage);
		id_set_free(&c->ups[i].clique_vantage);
		id_set_free(&c->ups[i].adjacent);
		free(c->ups[i].weighted.slot);
	}
	id_set_free(&c->vantage);
	upm_asn_list_free(&c->clique);
	free(c->ups);
	free(c->ups_slot);
	counter_free(&c->domestic);
	tracked_free(c);
	intern_free(&c->session_names);
	intern_free(&c->prefix_names);
	upm_asn_list_free(&c->origins);
	free(c);
}

static int
ups_grow_slots(upm_compute *c)
{
	size_t cap = c->slot_cap ? c->slot_cap * 2 : 16, i, j;
	uint32_t *slot;

	if (cap > SIZE_MAX / sizeof(*slot))
		return -1;
	if ((slot = calloc(cap, sizeof(*slot))) == NULL)
		return -1;
	for (i = 0; i < c->n_ups; i++) {
		for (j = mix32(c->ups[i].asn) & (cap - 1); slot[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(c->ups_slot);
	c->ups_slot = slot;
	c->slot_cap = cap;
	return 0;
}

/* The accumulator of asn, created when new; NULL on allocation failure. */
static upstream_acc *
upstream_get(upm_compute *c, uint32_t asn)
{
	size_t j;
	upstream_acc *u;

	if (c->n_ups >= UINT32_MAX - 1)
		return NULL;
	if ((c->n_ups + 1) * 2 > c->slot_cap && ups_grow_slots(c) != 0)
		return NULL;
	for (j = mix32(asn) & (c->slot_cap - 1); c->ups_slot[j] != 0;
	    j = (j + 1) & (c->slot_cap - 1))
		if (c->ups[c->ups_slot[j] - 1].asn == asn)
			return &c->ups[c->ups_slot[j] - 1];
	if (c->n_ups == c->ups_cap) {
		size_t cap = c->ups_cap ? c->ups_cap * 2 : 8;
		upstream_acc *v;
		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = realloc(c->ups, cap * sizeof(*v))) == NULL)
			return NULL;
		c->ups = v;
		c->ups_cap = cap;
	}
	u = &c->ups[c->n_ups];
	memset(u, 0, sizeof(*u));
	u->asn = asn;
	c->ups_slot[j] = (uint32_t)c->n_ups + 1;
	c->n_ups++;
	return u;
}

static inline int
in_origins(const upm_compute *c, uint32_t asn)
{
	return c->origins.n == 1 ? c->origins.v[0] == asn :
	    upm_asn_list_has(&c->origins, asn);
}

/* AS numbers no router may use as a neighbour: AS0 (RFC 7607), AS_TRANS
 * (RFC 6793), the last of each range (RFC 7300), and IANA's reserved
 * 65552-131071. */
static inline int
asn_reserved(uint32_t a)
{
	return a == 0 || a == 23456 || a == 65535 || a == UINT32_MAX ||
	    (a >= 65552 && a <= 131071);
}

/* Private use (RFC 6996). */
static inline int
asn_private(uint32_t a)
{
	return (a >= 64512 && a <= 65534) ||
	    (a >= 4200000000U && a <= 4294967294U);
}

/* Where the neighbour of a path is.  *first gets the index of the
 * leftmost AS of the origin set: a route's origin may write other ASes
 * between two copies of itself (poisoning), so only the leftmost copy
 * counts.  Private ASes left of it (a customer link whose private AS was
 * not stripped) are walked over and counted in *priv.  Returns the index,
 * or -1 for none (the origin set is the vantage point). */
static long
neighbour_index(const upm_compute *c, const uint32_t *path, size_t len,
    size_t *first, size_t *priv)
{
	size_t l = 0;
	long i;

	while (l < len && !in_origins(c, path[l]))
		l++;
	*first = l;
	*priv = 0;
	for (i = (long)l - 1; i >= 0 && asn_private(path[i]); i--)
		(*priv)++;
	return i;
}

/* 1 when some AS of path[0..i) other than path[i] is in the clique. */
static int
clique_left(const upm_compute *c, const uint32_t *path, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (path[k] != path[i] && upm_asn_list_has(&c->clique, path[k]))
			return 1;
	return 0;
}

static int
poison(upm_compute *c)
{
	c->failed = 1;
	return -1;
}

/* Records the origin-set ASes between the upstream (index up, -1 for
 * none) and the origin: domestic transit.  The origin and its prepending
 * are not transit; an AS prepended in transit counts once. */
static int
note_domestic(upm_compute *c, const uint32_t *path, size_t len, long up)
{
	uint32_t origin = path[len - 1];
	size_t end = len - 1, i, k;

	while (end > 0 && path[end - 1] == origin)
		end--;
	for (i = (size_t)(up + 1); i < end; i++) {
		int seen = 0;
		if (path[i] == origin || !in_origins(c, path[i]))
			continue;
		for (k = (size_t)(up + 1); k < i && !seen; k++)
			seen = path[k] == path[i];
		if (!seen && counter_bump(&c->domestic, path[i]) != 0)
			return -1;
	}
	return 0;
}

/* The tracked index of prefix id (new ids are looked up once), -1 for an
 * untracked prefix, -2 on allocation failure. */
static long
tracked_index(upm_compute *c, uint32_t id, const char *prefix)
{
	long *v, found = -1;
	size_t i;

	if (c->n_tracked == 0)
		return -1;
	if (id < c->n_track_of)
		return c->track_of[id];
	/* Interning numbers prefixes in order of first sight: a new id is
	 * always the next one. */
	if ((v = realloc(c->track_of, ((size_t)id + 1) * sizeof(*v))) == NULL)
		return -2;
	c->track_of = v;
	for (i = 0; i < c->n_tracked && found < 0; i++)
		if (strcasecmp(c->tracked[i].prefix, prefix) == 0)
			found = (long)i;
	while (c->n_track_of <= id)
		c->track_of[c->n_track_of++] = -1;
	c->track_of[id] = found;
	return found;
}

static int
tracked_add(tracked_prefix *t, uint32_t asn, uint32_t session,
    uint32_t vantage)
{
	prefix_upstream *u = NULL;
	size_t i;

	for (i = 0; i < t->n && u == NULL; i++)
		if (t->ups[i].asn == asn)
			u = &t->ups[i];
	if (u == NULL) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 4;
			prefix_upstream *v = realloc(t->ups, cap * sizeof(*v));
			if (v == NULL)
				return -1;
			t->ups = v;
			t->cap = cap;
		}
		u = &t->ups[t->n++];
		memset(u, 0, sizeof(*u));
		u->asn = asn;
	}
	if (id_set_add(&u->sessions, session) != 0 ||
	    id_set_add(&u->vantage, vantage) != 0)
		return -1;
	u->observations++;
	t->with_upstream++;
	return 0;
}

upm_status
upm_compute_track_prefix(upm_compute *c, const char *prefix, upm_error *err)
{
	tracked_prefix *v;
	size_t i;

	if (c == NULL || prefix == NULL || prefix[0] == '\0' ||
	    strlen(prefix) >= sizeof(((upm_prefix_result *)0)->prefix))
		return upm_fail(err, UPM_ERR_ARG, "bad prefix to track");
	if (c->records > 0)
		return upm_fail(err, UPM_ERR_ARG,
		    "prefixes are tracked before observations are added");
	for (i = 0; i < c->n_tracked; i++)
		if (strcasecmp(c->tracked[i].prefix, prefix) == 0)
			return UPM_OK;
	v = realloc(c->tracked, (c->n_tracked + 1) * sizeof(*v));
	if (v == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	c->tracked = v;
	memset(&v[c->n_tracked], 0, sizeof(*v));
	if ((v[c->n_tracked].prefix = strdup(prefix)) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	c->n_tracked++;
	return UPM_OK;
}

int
upm_compute_add(void *compute, const upm_observation *obs)
{
	upm_compute *c = compute;
	uint32_t session, prefix, vantage;
	const uint32_t *path;
	size_t len, first, priv, k;
	upstream_acc *u;
	long i;
	int fresh;

	if (c->failed)
		return -1;
	c->records++;
	c->observations++;
	/* A missing name counts as the empty name: one unknown vantage point
	 * or prefix, rather than none. */
	if (intern(&c->session_names, obs->session ? obs->session : "", &session) != 0 ||
	    intern(&c->prefix_names, obs->prefix ? obs->prefix : "", &prefix) != 0)
		return poison(c);
	path = obs->path;
	len = obs->path_len;
	if (obs->unusable && obs->aset_len > 0 && obs->aset_path != NULL &&
	    obs->aset_path_len > obs->aset_len) {
		/* An AS_SET of the origin set's own ASes (aggregation) hides
		 * nothing: the path without it.  Any other stays unusable. */
		size_t k;
		int own = 1;
		for (k = obs->aset_path_len - obs->aset_len;
		    k < obs->aset_path_len && own; k++)
			own = in_origins(c, obs->aset_path[k]);
		if (own) {
			path = obs->aset_path;
			len = obs->aset_path_len - obs->aset_len;
		}
	} else if (obs->unusable)
		len = 0;
	if (len == 0 || path == NULL) {
		c->unusable++;
		return 0;
	}
	if (!in_origins(c, path[len - 1])) {
		/* Someone else's route (a more specific, a covering prefix). */
		c->other_origin++;
		return 0;
	}
	i = neighbour_index(c, path, len, &first, &priv);
	if (c->origins.n > 1 && note_domestic(c, path, len, (long)first - 1) != 0)
		return poison(c);
	for (k = first + 1; k < len; k++)
		if (!in_origins(c, path[k])) {
			c->poisoned++;
			break;
		}
	if (i < 0) {
		c->direct++;
		return 0;
	}
	if (asn_reserved(path[i])) {
		c->reserved++;
		return 0;
	}
	c->private_hops += priv;
	vantage = obs->peer_asn != 0 ? obs->peer_asn : path[0];
	if ((u = upstream_get(c, path[i])) == NULL ||
	    (fresh = id_set_put(&u->sessions, session)) < 0 ||
	    id_set_add(&u->prefixes, prefix) != 0)
		return poison(c);
	/* A session's vantage AS is its peer's: known already when the
	 * session is (the common case, and the cheap one). */
	if (fresh && (id_set_add(&u->vantage, vantage) != 0 ||
	    id_set_add(&c->vantage, vantage) != 0))
		return poison(c);
	if (vantage != path[i])
		u->not_self++;
	if (i > 0 && !id_set_has(&u->clique_vantage, vantage) &&
	    clique_left(c, path, (size_t)i) &&
	    id_set_add(&u->clique_vantage, vantage) != 0)
		return poison(c);
	if (c->rel != NULL && id_set_add(&u->adjacent, path[first]) != 0)
		return poison(c);
	if (c->weighting == UPM_WEIGHT_VANTAGE_AS &&
	    key_set_add(&u->weighted, (uint64_t)prefix << 32 | vantage) != 0)
		return poison(c);
	if (!u->route_server && obs->session != NULL &&
	    strncmp(obs->session, "alice/", 6) == 0)
		u->route_server = 1;
	if (c->n_tracked > 0) {
		long t = tracked_index(c, prefix, obs->prefix ? obs->prefix : "");
		if (t == -2 || (t >= 0 && tracked_add(&c->tracked[t], path[i],
		    session, vantage) != 0))
			return poison(c);
	}
	u->regular = 1;
	u->observations++;
	c->with_upstream++;
	return 0;
}

/*
 * asn-neighbours records are not paths: a left neighbour weighs
 * v4_peers + v6_peers (the RIS peers that see the adjacency), which serves
 * both as its observation count and as its number of vantage points, so
 * min-peers keeps its meaning.  The result's "observations" is the sum of
 * the weights of the left and uncertain records; "with_upstream" the sum of
 * the left weights only, so the left shares add up to 100 %.  An uncertain
 * neighbour keeps its weight for display (its share relative to the left
 * sum) but is never present.  Right neighbours are customers: ignored.
 */
int
upm_compute_add_neighbour(void *compute, const upm_neighbour *n)
{
	upm_compute *c = compute;
	uint64_t weight = sat_add(n->v4_peers, n->v6_peers);
	upstream_acc *u;

	if (c->failed)
		return -1;
	c->records++;
	if (n->type == UPM_NEIGH_RIGHT)
		return 0;
	if (n->type != UPM_NEIGH_LEFT && n->type != UPM_NEIGH_UNCERTAIN)
		return 0;
	if ((u = upstream_get(c, n->asn)) == NULL)
		return poison(c);
	c->summary = 1;
	c->observations = sat_add(c->observations, weight);
	if (n->type == UPM_NEIGH_LEFT) {
		u->regular = 1;
		u->observations = sat_add(u->observations, weight);
		u->neigh_peers = sat_add(u->neigh_peers, weight);
		c->with_upstream = sat_add(c->with_upstream, weight);
	} else {
		u->uncertain = 1;
		u->uncertain_weight = sat_add(u->uncertain_weight, weight);
	}
	return 0;
}

void
upm_params_init(upm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->min_peers = 2;
	p->min_share = 1.0;
	p->weighting = UPM_WEIGHT_PATH;
}

/*
 * The transit-free clique as CAIDA AS Rank infers it: the "# inferred
 * clique" line of its serial-2 AS-relationship file of January 2024
 * (see the README; --clique or Clique replace it, and historical data
 * needs the clique of its time).
 */
static const uint32_t builtin_clique[] = {
	174, 209, 286, 701, 1239, 1299, 2828, 2914, 3257, 3320, 3356, 3491,
	5511, 6453, 6461, 6762, 6830, 7018, 12956
};

const uint32_t *
upm_clique_builtin(size_t *n)
{
	*n = sizeof(builtin_clique) / sizeof(builtin_clique[0]);
	return builtin_clique;
}

const char *
upm_role_name(upm_role r)
{
	switch (r) {
	case UPM_ROLE_UPSTREAM: return "upstream";
	case UPM_ROLE_LATERAL: return "lateral";
	case UPM_ROLE_COLLECTOR_PEER: return "collector-peer";
	}
	return "unknown";
}

const char *
upm_evidence_name(upm_evidence e)
{
	switch (e) {
	case UPM_EVIDENCE_NONE: return "none";
	case UPM_EVIDENCE_CLIQUE: return "clique";
	case UPM_EVIDENCE_VANTAGE: return "vantage-ases";
	case UPM_EVIDENCE_RELFILE: return "relationship-file";
	case UPM_EVIDENCE_ROUTE_SERVER: return "route-server";
	}
	return "unknown";
}

upm_status
upm_weighting_parse(const char *s, upm_weighting *w, upm_error *err)
{
	if (s != NULL && strcmp(s, "path") == 0)
		*w = UPM_WEIGHT_PATH;
	else if (s != NULL && strcmp(s, "vantage-as") == 0)
		*w = UPM_WEIGHT_VANTAGE_AS;
	else
		return upm_fail(err, UPM_ERR_ARG, "weighting must be path or "
		    "vantage-as, not '%.32s'", s ? s : "");
	return UPM_OK;
}

upm_status
upm_neighbours_parse(const char *s, int *all, upm_error *err)
{
	if (s != NULL && strcmp(s, "providers") == 0)
		*all = 0;
	else if (s != NULL && strcmp(s, "all") == 0)
		*all = 1;
	else
		return upm_fail(err, UPM_ERR_ARG, "neighbours must be providers "
		    "or all, not '%.32s'", s ? s : "");
	return UPM_OK;
}

upm_status
upm_compute_configure(upm_compute *c, const upm_params *p, upm_error *err)
{
	upm_asn_list l;
	size_t i, n;
	const uint32_t *v;

	if (c->records > 0)
		return upm_fail(err, UPM_ERR_ARG,
		    "the computation is configured before observations are added");
	upm_asn_list_init(&l);
	if (p != NULL && p->clique != NULL) {
		if (upm_asn_list_merge(&l, p->clique) != UPM_OK)
			goto nomem;
	} else if (p != NULL && p->relationships != NULL &&
	    upm_asrel_clique(p->relationships) != NULL) {
		if (upm_asn_list_merge(&l,
		    upm_asrel_clique(p->relationships)) != UPM_OK)
			goto nomem;
	} else {
		v = upm_clique_builtin(&n);
		for (i = 0; i < n; i++)
			if (upm_asn_list_add(&l, v[i]) != UPM_OK)
				goto nomem;
	}
	upm_asn_list_free(&c->clique);
	c->clique = l;
	c->rel = p != NULL ? p->relationships : NULL;
	c->weighting = p != NULL ? p->weighting : UPM_WEIGHT_PATH;
	return UPM_OK;
nomem:
	upm_asn_list_free(&l);
	return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
}

/* --------------------------------------------------------------- results */

static int
by_share_then_asn(const void *a, const void *b)
{
	const upm_upstream *x = a, *y = b;

	if (x->share > y->share)
		return -1;
	if (x->share < y->share)
		return 1;
	return (x->asn > y->asn) - (x->asn < y->asn);
}

static void
sort_upstreams(upm_result *r)
{
	if (r->n_upstreams > 1)
		qsort(r->upstreams, r->n_upstreams, sizeof(*r->upstreams),
		    by_share_then_asn);
}

static double
percent(uint64_t part, uint64_t whole)
{
	/* part * 100 / whole, not part / whole * 100: exact when the share is
	 * a whole percent, so "== min-share" compares as the user expects. */
	return whole == 0 ? 0.0 : (double)part * 100.0 / (double)whole;
}

/* What the relationship file says of neighbour u and the origin-set ASes
 * it was seen beside: 1 a provider of one, 0 known and a provider of none,
 * -1 unknown. */
static int
relfile_says(const upm_compute *c, const upstream_acc *u)
{
	int known = 0;
	size_t j;

	if (c->rel == NULL)
		return -1;
	if (c->summary && u->adjacent.n == 0) {
		for (j = 0; j < c->origins.n; j++) {
			int r = upm_asrel_lookup(c->rel, u->asn, c->origins.v[j]);
			if (r == 1)
				return 1;
			known |= r != 2;
		}
		return known ? 0 : -1;
	}
	for (j = 0; j < u->adjacent.cap; j++) {
		int r;
		if (u->adjacent.slot[j] == 0)
			continue;
		r = upm_asrel_lookup(c->rel, u->asn, u->adjacent.slot[j] - 1);
		if (r == 1)
			return 1;
		known |= r != 2;
	}
	return known ? 0 : -1;
}

/* One accumulator's role and evidence, before the fallback. */
static void
infer_role(const upm_compute *c, const upm_params *p, const upstream_acc *u,
    upm_upstream *out, int *pending)
{
	size_t many = p->many_vantage ? p->many_vantage : UPM_MANY_VANTAGE_ASES;
	size_t others = u->vantage.n - (size_t)id_set_has(&u->vantage, u->asn);
	int rel = relfile_says(c, u);

	*pending = 0;
	out->role = UPM_ROLE_UPSTREAM;
	out->evidence = UPM_EVIDENCE_NONE;
	if (rel >= 0) {
		out->evidence = UPM_EVIDENCE_RELFILE;
		out->role = rel ? UPM_ROLE_UPSTREAM : UPM_ROLE_LATERAL;
	} else if (p->neighbours_all || c->summary)
		;
	else if (u->route_server)
		out->evidence = UPM_EVIDENCE_ROUTE_SERVER;
	else if (u->clique_vantage.n >= p->min_peers &&
	    u->clique_vantage.n > 0)
		out->evidence = UPM_EVIDENCE_CLIQUE;
	else if (others >= many)
		out->evidence = UPM_EVIDENCE_VANTAGE;
	else
		*pending = 1;
}

/* One accumulator as a result entry (share and presence later).  An AS
 * seen both as a regular and as an uncertain neighbour counts as regular. */
static void
fill_upstream(const upstream_acc *u, upm_upstream *out)
{
	int uncertain = u->uncertain && !u->regular;

	out->asn = u->asn;
	out->uncertain = uncertain;
	out->observations = uncertain ? u->uncertain_weight : u->observations;
	out->peer_routes = uncertain ? u->uncertain_weight : u->neigh_peers;
	out->sessions = u->sessions.n;
	out->vantage_ases = u->vantage.n;
	out->prefixes = u->prefixes.n;
	out->status = UPM_ST_UNBASELINED;
}

static uint64_t
weight_of(const upm_compute *c, const upstream_acc *u)
{
	if (u->uncertain && !u->regular)
		return u->uncertain_weight;
	return c->weighting == UPM_WEIGHT_VANTAGE_AS && !c->summary ?
	    u->weighted.n : u->observations;
}

static int
by_observations_then_asn(const void *a, const void *b)
{
	const upm_upstream *x = a, *y = b;

	if (x->observations != y->observations)
		return x->observations > y->observations ? -1 : 1;
	return (x->asn > y->asn) - (x->asn < y->asn);
}

static int
by_prefix_name(const void *a, const void *b)
{
	const upm_prefix_upstreams *x = a, *y = b;

	return strcmp(x->prefix, y->prefix);
}

/* Every prefix with an upstream, and its upstreams (role upstream). */
static int
fill_by_prefix(const upm_compute *c, const upm_result *r)
{
	upm_prefix_upstreams *v;
	upm_result *w = (upm_result *)r;
	size_t i, j, n = 0;

	if (c->prefix_names.n == 0 || c->summary)
		return 0;
	if ((v = calloc(c->prefix_names.n, sizeof(*v))) == NULL)
		return -1;
	w->by_prefix = v;
	w->n_by_prefix = c->prefix_names.n;
	for (i = 0; i < c->prefix_names.n; i++) {
		(void)snprintf(v[i].prefix, sizeof(v[i].prefix), "%s",
		    c->prefix_names.str[i]);
		upm_asn_list_init(&v[i].upstreams);
	}
	for (i = 0; i < c->n_ups; i++) {
		const upstream_acc *u = &c->ups[i];
		int up = 0;
		for (j = 0; j < r->n_upstreams && !up; j++)
			up = r->upstreams[j].asn == u->asn;
		if (!up)
			continue;
		for (j = 0; j < u->prefixes.cap; j++)
			if (u->prefixes.slot[j] != 0 && upm_asn_list_add(
			    &v[u->prefixes.slot[j] - 1].upstreams, u->asn) != UPM_OK)
				return -1;
	}
	for (i = 0; i < w->n_by_prefix; i++) {
		if (v[i].upstreams.n == 0) {
			upm_asn_list_free(&v[i].upstreams);
			continue;
		}
		v[n++] = v[i];
	}
	w->n_by_prefix = n;
	if (n > 1)
		qsort(v, n, sizeof(*v), by_prefix_name);
	return 0;
}

/* Every neighbour into r: its role (evidence, else the fallback), then
 * the shares and presence of the upstreams over their own weight. */
static int
fill_neighbours(const upm_compute *c, const upm_params *p, upm_result *r)
{
	upm_upstream *all;
	int *pending;
	uint64_t total = 0, paths = 0;
	size_t i, n_up = 0, n_lat = 0;
	int evidence = 0;

	if (c->n_ups == 0)
		return 0;
	all = calloc(c->n_ups, sizeof(*all));
	pending = calloc(c->n_ups, sizeof(*pending));
	if (all == NULL || pending == NULL) {
		free(all);
		free(pending);
		return -1;
	}
	for (i = 0; i < c->n_ups; i++) {
		fill_upstream(&c->ups[i], &all[i]);
		infer_role(c, p, &c->ups[i], &all[i], &pending[i]);
		evidence |= all[i].role == UPM_ROLE_UPSTREAM &&
		    all[i].evidence != UPM_EVIDENCE_NONE;
	}
	r->roles = p->neighbours_all ? UPM_ROLES_ALL : c->summary ?
	    UPM_ROLES_SUMMARY : evidence ? UPM_ROLES_INFERRED :
	    UPM_ROLES_FALLBACK;
	for (i = 0; i < c->n_ups; i++) {
		if (pending[i] && r->roles == UPM_ROLES_INFERRED)
			all[i].role = c->ups[i].not_self == 0 ?
			    UPM_ROLE_COLLECTOR_PEER : UPM_ROLE_LATERAL;
		if (all[i].role == UPM_ROLE_UPSTREAM) {
			n_up++;
			if (!all[i].uncertain) {
				total = sat_add(total, weight_of(c, &c->ups[i]));
				paths = sat_add(paths, all[i].observations);
			}
		} else
			n_lat++;
	}
	if (n_up > 0 && (r->upstreams = calloc(n_up, sizeof(*r->upstreams))) == NULL)
		goto nomem;
	if (n_lat > 0 && (r->laterals = calloc(n_lat, sizeof(*r->laterals))) == NULL)
		goto nomem;
	for (i = 0; i < c->n_ups; i++) {
		upm_upstream *u = &all[i];
		if (u->role != UPM_ROLE_UPSTREAM) {
			r->laterals[r->n_laterals++] = *u;
			continue;
		}
		u->share = percent(weight_of(c, &c->ups[i]), total);
		/* asn-neighbours counts routes times peers, not peers: no
		 * min-peers there. */
		u->present = !u->uncertain && u->share >= p->min_share &&
		    (c->summary || u->vantage_ases >= p->min_peers);
		r->n_present += u->present != 0;
		r->upstreams[r->n_upstreams++] = *u;
	}
	r->with_upstream = c->summary ? c->with_upstream : paths;
	if (r->n_laterals > 1)
		qsort(r->laterals, r->n_laterals, sizeof(*r->laterals),
		    by_observations_then_asn);
	free(all);
	free(pending);
	return 0;
nomem:
	free(all);
	free(pending);
	return -1;
}

/* Appends "N thing[s]" to the warnings, "; "-separated. */
static void
warn_count(upm_result *r, uint64_t n, const char *one, const char *many)
{
	size_t len = strlen(r->warnings);

	if (n == 0)
		return;
	/* Truncation is acceptable: the counts are also in the result. */
	(void)snprintf(r->warnings + len, sizeof(r->warnings) - len, "%s%llu %s",
	    len ? "; " : "", (unsigned long long)n, n == 1 ? one : many);
}

static int
by_count_then_asn(const void *a, const void *b)
{
	const upm_domestic *x = a, *y = b;

	if (x->observations != y->observations)
		return x->observations > y->observations ? -1 : 1;
	return (x->asn > y->asn) - (x->asn < y->asn);
}

static int
fill_domestic(const upm_compute *c, upm_result *r)
{
	size_t i, n = 0;

	if (c->domestic.n == 0)
		return 0;
	if ((r->domestic = calloc(c->domestic.n, sizeof(*r->domestic))) == NULL)
		return -1;
	for (i = 0; i < c->domestic.cap; i++) {
		if (c->domestic.asn[i] == 0)
			continue;
		r->domestic[n].asn = c->domestic.asn[i];
		r->domestic[n].observations = c->domestic.count[i];
		n++;
	}
	r->n_domestic = n;
	qsort(r->domestic, n, sizeof(*r->domestic), by_count_then_asn);
	return 0;
}

static int
is_upstream(const upm_result *r, uint32_t asn)
{
	size_t i;

	for (i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].asn == asn)
			return 1;
	return 0;
}

/* One tracked prefix's upstreams (the neighbours whose role is upstream),
 * by the thresholds over its own paths. */
static int
fill_prefix(const tracked_prefix *t, const upm_params *p, const upm_result *r,
    upm_prefix_result *o)
{
	size_t k, n = 0;
	uint64_t with = 0;

	(void)snprintf(o->prefix, sizeof(o->prefix), "%s", t->prefix);
	upm_asn_list_init(&o->expected);
	upm_asn_list_init(&o->appeared);
	upm_asn_list_init(&o->disappeared);
	for (k = 0; k < t->n; k++)
		if (is_upstream(r, t->ups[k].asn))
			with += t->ups[k].observations;
	o->with_upstream = with;
	if (t->n == 0)
		return 0;
	if ((o->upstreams = calloc(t->n, sizeof(*o->upstreams))) == NULL)
		return -1;
	for (k = 0; k < t->n; k++) {
		upm_upstream *u = &o->upstreams[n];
		if (!is_upstream(r, t->ups[k].asn))
			continue;
		n++;
		u->asn = t->ups[k].asn;
		u->observations = t->ups[k].observations;
		u->sessions = t->ups[k].sessions.n;
		u->vantage_ases = t->ups[k].vantage.n;
		u->prefixes = 1;
		u->share = percent(u->observations, with);
		u->present = u->vantage_ases >= p->min_peers &&
		    u->share >= p->min_share;
		u->status = UPM_ST_UNBASELINED;
	}
	o->n_upstreams = n;
	if (n > 1)
		qsort(o->upstreams, n, sizeof(*o->upstreams), by_share_then_asn);
	return 0;
}

static int
fill_prefixes(const upm_compute *c, const upm_params *p, upm_result *r)
{
	size_t i;

	if (c->n_tracked == 0)
		return 0;
	r->prefix_results = calloc(c->n_tracked, sizeof(*r->prefix_results));
	if (r->prefix_results == NULL)
		return -1;
	for (i = 0; i < c->n_tracked; i++) {
		r->n_prefix_results++;
		if (fill_prefix(&c->tracked[i], p, r, &r->prefix_results[i]) != 0)
			return -1;
	}
	return 0;
}

upm_status
upm_compute_result(const upm_compute *c, const upm_params *p,
    upm_result **out, upm_error *err)
{
	upm_params defaults;
	upm_result *r;
	*out = NULL;
	if (c->failed)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (c->records == 0)
		return upm_fail(err, UPM_ERR_NODATA, "no observations");
	if (p == NULL) {
		upm_params_init(&defaults);
		p = &defaults;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	upm_asn_list_init(&r->appeared);
	upm_asn_list_init(&r->disappeared);
	upm_asn_list_init(&r->migrated);
	if (fill_neighbours(c, p, r) != 0) {
		upm_result_free(r);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	sort_upstreams(r);
	r->observations = c->observations;
	r->direct = c->direct;
	r->reserved = c->reserved;
	r->private_hops = c->private_hops;
	r->poisoned = c->poisoned;
	r->vantage_ases = c->vantage.n;
	r->unusable = c->unusable;
	r->other_origin = c->other_origin;
	r->sessions = c->session_names.n;
	r->prefixes = c->prefix_names.n;
	r->n_origins = c->origins.n;
	if (fill_domestic(c, r) != 0 || fill_prefixes(c, p, r) != 0 ||
	    fill_by_prefix(c, r) != 0) {
		upm_result_free(r);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	warn_count(r, c->unusable, "unusable path", "unusable paths");
	warn_count(r, c->direct, "direct observation", "direct observations");
	warn_count(r, c->other_origin, "path from another origin",
	    "paths from other origins");
	warn_count(r, c->reserved, "path with a reserved AS as neighbour",
	    "paths with a reserved AS as neighbour");
	*out = r;
	return UPM_OK;
}

static void
prefix_result_free(upm_prefix_result *pr)
{
	free(pr->upstreams);
	upm_asn_list_free(&pr->expected);
	upm_asn_list_free(&pr->appeared);
	upm_asn_list_free(&pr->disappeared);
}

void
upm_result_free(upm_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->domestic);
	for (i = 0; i < r->n_sources; i++)
		free(r->sources[i].upstreams);
	free(r->sources);
	for (i = 0; i < r->n_prefix_results; i++)
		prefix_result_free(&r->prefix_results[i]);
	free(r->prefix_results);
	for (i = 0; i < r->n_by_prefix; i++)
		upm_asn_list_free(&r->by_prefix[i].upstreams);
	free(r->by_prefix);
	free(r->laterals);
	upm_asn_list_free(&r->migrated);
	free(r->upstreams);
	upm_asn_list_free(&r->appeared);
	upm_asn_list_free(&r->disappeared);
	free(r);
}

/* ------------------------------------------------------------------ diff */

/* An entry a previous upm_diff appended for a missing baseline AS: nothing
 * was seen of it.  (A real entry with no data at all that was MISSING is
 * indistinguishable, and equivalent: it is re-added if still expected.) */
static int
is_placeholder(const upm_upstream *u)
{
	return u->status == UPM_ST_MISSING && u->observations == 0 &&
	    u->sessions == 0 && u->prefixes == 0 && u->share == 0.0 &&
	    !u->present && !u->uncertain;
}

/* Undoes a previous upm_diff so that calling it again does not duplicate
 * the appended entries. */
static void
diff_reset(upm_result *r)
{
	size_t i, kept = 0;

	for (i = 0; i < r->n_upstreams; i++) {
		if (is_placeholder(&r->upstreams[i]))
			continue;
		r->upstreams[kept] = r->upstreams[i];
		r->upstreams[kept].status = UPM_ST_UNBASELINED;
		kept++;
	}
	r->n_upstreams = kept;
	upm_asn_list_free(&r->appeared);
	upm_asn_list_free(&r->disappeared);
	r->baselined = 0;
}

static int
result_has(const upm_result *r, uint32_t asn)
{
	size_t i;

	for (i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].asn == asn)
			return 1;
	return 0;
}

/* Appends a MISSING entry with nothing seen for every baseline AS that is
 * not among the upstreams at all. */
static upm_status
add_placeholders(upm_result *r, const upm_asn_list *baseline)
{
	size_t i, extra = 0;
	upm_upstream *v;

	for (i = 0; i < baseline->n; i++)
		extra += !result_has(r, baseline->v[i]);
	if (extra == 0)
		return UPM_OK;
	if (extra > SIZE_MAX / sizeof(*v) - r->n_upstreams)
		return UPM_ERR_NOMEM;
	v = realloc(r->upstreams, (r->n_upstreams + extra) * sizeof(*v));
	if (v == NULL)
		return UPM_ERR_NOMEM;
	r->upstreams = v;
	for (i = 0; i < baseline->n; i++) {
		upm_upstream *u;
		if (result_has(r, baseline->v[i]))
			continue;
		u = &r->upstreams[r->n_upstreams++];
		memset(u, 0, sizeof(*u));
		u->asn = baseline->v[i];
		u->status = UPM_ST_MISSING;
		if (upm_asn_list_add(&r->disappeared, u->asn) != UPM_OK)
			return UPM_ERR_NOMEM;
	}
	return UPM_OK;
}

static upm_status
classify(upm_result *r, const upm_asn_list *baseline)
{
	size_t i;

	for (i = 0; i < r->n_upstreams; i++) {
		upm_upstream *u = &r->upstreams[i];
		int expected = upm_asn_list_has(baseline, u->asn);

		if (u->present && expected)
			u->status = UPM_ST_EXPECTED;
		else if (u->present) {
			u->status = UPM_ST_NEW;
			if (upm_asn_list_add(&r->appeared, u->asn) != UPM_OK)
				return UPM_ERR_NOMEM;
		} else if (expected) {
			u->status = UPM_ST_MISSING;
			if (upm_asn_list_add(&r->disappeared, u->asn) != UPM_OK)
				return UPM_ERR_NOMEM;
		} else
			u->status = UPM_ST_UNBASELINED;
	}
	return UPM_OK;
}

upm_status
upm_diff(upm_result *r, const upm_asn_list *baseline, upm_error *err)
{
	diff_reset(r);
	if (baseline == NULL)
		return UPM_OK;
	r->baselined = 1;
	if (classify(r, baseline) != UPM_OK ||
	    add_placeholders(r, baseline) != UPM_OK) {
		/* Leave no half-made comparison behind. */
		diff_reset(r);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	sort_upstreams(r);
	return UPM_OK;
}

/* out must be initialised; its previous contents are replaced. */
upm_status
upm_result_present(const upm_result *r, upm_asn_list *out, upm_error *err)
{
	upm_asn_list l;
	size_t i;

	upm_asn_list_init(&l);
	for (i = 0; i < r->n_upstreams; i++) {
		if (!r->upstreams[i].present)
			continue;
		if (upm_asn_list_add(&l, r->upstreams[i].asn) != UPM_OK) {
			upm_asn_list_free(&l);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
	}
	upm_asn_list_free(out);
	*out = l;
	return UPM_OK;
}

/* ------------------------------------------------------ per-prefix diff */

static upm_status
prefix_classify(upm_prefix_result *pr, const upm_asn_list *expected)
{
	size_t i;

	if (expected != NULL &&
	    upm_asn_list_merge(&pr->expected, expected) != UPM_OK)
		return UPM_ERR_NOMEM;
	for (i = 0; i < pr->n_upstreams; i++) {
		upm_upstream *u = &pr->upstreams[i];
		int exp = upm_asn_list_has(expected, u->asn);

		u->status = u->present ? (exp ? UPM_ST_EXPECTED : UPM_ST_NEW) :
		    (exp ? UPM_ST_MISSING : UPM_ST_UNBASELINED);
		if (u->status == UPM_ST_NEW &&
		    upm_asn_list_add(&pr->appeared, u->asn) != UPM_OK)
			return UPM_ERR_NOMEM;
	}
	for (i = 0; i < expected->n; i++) {
		size_t k;
		int present = 0;

		for (k = 0; k < pr->n_upstreams; k++)
			present |= pr->upstreams[k].asn == expected->v[i] &&
			    pr->upstreams[k].present;
		if (!present &&
		    upm_asn_list_add(&pr->disappeared, expected->v[i]) != UPM_OK)
			return UPM_ERR_NOMEM;
	}
	return UPM_OK;
}

upm_status
upm_diff_prefix(upm_result *r, const char *prefix,
    const upm_asn_list *expected, upm_error *err)
{
	upm_prefix_result *pr = NULL;
	size_t i;

	for (i = 0; r != NULL && prefix != NULL && i < r->n_prefix_results; i++)
		if (strcasecmp(r->prefix_results[i].prefix, prefix) == 0)
			pr = &r->prefix_results[i];
	if (pr == NULL || expected == NULL)
		return upm_fail(err, UPM_ERR_ARG, "prefix %.64s was not tracked",
		    prefix ? prefix : "(none)");
	upm_asn_list_free(&pr->expected);
	upm_asn_list_free(&pr->appeared);
	upm_asn_list_free(&pr->disappeared);
	pr->baselined = 1;
	if (prefix_classify(pr, expected) != UPM_OK) {
		upm_asn_list_free(&pr->expected);
		upm_asn_list_free(&pr->appeared);
		upm_asn_list_free(&pr->disappeared);
		pr->baselined = 0;
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	return UPM_OK;
}

size_t
upm_result_prefix_changes(const upm_result *r)
{
	size_t i, n = 0;

	for (i = 0; r != NULL && i < r->n_prefix_results; i++)
		n += r->prefix_results[i].appeared.n > 0 ||
		    r->prefix_results[i].disappeared.n > 0;
	return n;
}

/* ------------------------------------------- for the routing table */

#include "rib.h"

/* What one observation of path gives by the rules of upm_compute_add,
 * for the routing table (common/rib.c), which keeps its own counts:
 * UPM_CLASS_UPSTREAM with *asn the upstream, or direct, another origin's
 * route, or no usable path. */
int
upm_compute_classify(const upm_compute *c, const uint32_t *path, size_t len,
    uint32_t *asn)
{
	upm_route_facts f;
	int cls = upm_compute_route_facts(c, path, len, &f);

	*asn = f.asn;
	return cls;
}

int
upm_compute_route_facts(const upm_compute *c, const uint32_t *path,
    size_t len, upm_route_facts *f)
{
	size_t first, priv;
	long i;
	uint32_t *asn = &f->asn;

	memset(f, 0, sizeof(*f));
	if (path == NULL || len == 0)
		return UPM_CLASS_UNUSABLE;
	if (!upm_asn_list_has(&c->origins, path[len - 1]))
		return UPM_CLASS_OTHER_ORIGIN;
	if ((i = neighbour_index(c, path, len, &first, &priv)) < 0)
		return UPM_CLASS_DIRECT;
	if (asn_reserved(path[i]))
		return UPM_CLASS_UNUSABLE;
	*asn = path[i];
	f->adjacent = path[first];
	f->clique = i > 0 && clique_left(c, path, (size_t)i);
	f->not_self = path[0] != path[i];
	return UPM_CLASS_UPSTREAM;
}

/* relfile_says for a table's list of adjacent origin-set ASes. */
static int
relfile_says_list(const upm_compute *c, uint32_t asn, const uint32_t *adj,
    size_t n)
{
	int known = 0;

	if (c->rel == NULL)
		return -1;
	for (size_t j = 0; j < n; j++) {
		int r = upm_asrel_lookup(c->rel, asn, adj[j]);
		if (r == 1)
			return 1;
		known |= r != 2;
	}
	return known ? 0 : -1;
}

void
upm_compute_role(const upm_compute *c, const upm_params *p,
    const upm_role_input *in, upm_role *role, upm_evidence *evidence,
    int *pending)
{
	size_t many = p->many_vantage ? p->many_vantage : UPM_MANY_VANTAGE_ASES;
	size_t others = in->vantage_ases - (size_t)(in->self_vantage != 0);
	int rel = relfile_says_list(c, in->asn, in->adjacent, in->n_adjacent);

	/* infer_role's rules, in its order. */
	*pending = 0;
	*role = UPM_ROLE_UPSTREAM;
	*evidence = UPM_EVIDENCE_NONE;
	if (rel >= 0) {
		*evidence = UPM_EVIDENCE_RELFILE;
		*role = rel ? UPM_ROLE_UPSTREAM : UPM_ROLE_LATERAL;
	} else if (p->neighbours_all)
		;
	else if (in->route_server)
		*evidence = UPM_EVIDENCE_ROUTE_SERVER;
	else if (in->clique_vantage >= p->min_peers && in->clique_vantage > 0)
		*evidence = UPM_EVIDENCE_CLIQUE;
	else if (others >= many)
		*evidence = UPM_EVIDENCE_VANTAGE;
	else
		*pending = 1;
}

/* ------------------------------------------------------------ others */

int
upm_upstream_shown(const upm_upstream *u)
{
	return u->present || u->status == UPM_ST_EXPECTED ||
	    u->status == UPM_ST_MISSING;
}

int
upm_source_upstream_shown(const upm_result *r, const upm_upstream *u)
{
	if (u->present)
		return 1;
	for (size_t i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].asn == u->asn)
			return upm_upstream_shown(&r->upstreams[i]);
	return 0;
}

void
upm_result_others(const upm_result *r, upm_others *out)
{
	out->count = 0;
	out->share = 0.0;
	for (size_t i = 0; r != NULL && i < r->n_upstreams; i++)
		if (!upm_upstream_shown(&r->upstreams[i])) {
			out->count++;
			out->share += r->upstreams[i].share;
		}
}
