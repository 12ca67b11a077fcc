/*
 * rib.c - the routing table fed by events, and the computation's counts
 * following it event by event (see rib.h).  Pure: no I/O, no clock.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"

/* ------------------------------------------------ 64-bit key -> value */

/* Open addressing with linear probing and backward-shift deletion (no
 * tombstones, so a table that sees many replacements stays short). */
typedef struct {
	uint64_t *key;
	uint64_t *val;
	unsigned char *used;
	size_t cap, n;   /* cap a power of two, or 0 */
} u64map;

static size_t
hash64(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static int
map_grow(u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i, j;
	u64map g = { 0 };

	if (cap > SIZE_MAX / sizeof(uint64_t))
		return -1;
	g.key = calloc(cap, sizeof(*g.key));
	g.val = calloc(cap, sizeof(*g.val));
	g.used = calloc(cap, 1);
	if (g.key == NULL || g.val == NULL || g.used == NULL) {
		free(g.key);
		free(g.val);
		free(g.used);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->used[i])
			continue;
		for (j = hash64(m->key[i], cap); g.used[j]; j = (j + 1) & (cap - 1))
			;
		g.used[j] = 1;
		g.key[j] = m->key[i];
		g.val[j] = m->val[i];
	}
	free(m->key);
	free(m->val);
	free(m->used);
	g.cap = cap;
	g.n = m->n;
	*m = g;
	return 0;
}

/* The slot of k, or SIZE_MAX. */
static size_t
map_find(const u64map *m, uint64_t k)
{
	size_t j;

	if (m->cap == 0)
		return SIZE_MAX;
	for (j = hash64(k, m->cap); m->used[j]; j = (j + 1) & (m->cap - 1))
		if (m->key[j] == k)
			return j;
	return SIZE_MAX;
}

/* The slot of k, added with value 0 when new (*fresh 1); SIZE_MAX out of
 * memory. */
static size_t
map_put(u64map *m, uint64_t k, int *fresh)
{
	size_t j;

	*fresh = 0;
	if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
		return SIZE_MAX;
	for (j = hash64(k, m->cap); m->used[j]; j = (j + 1) & (m->cap - 1))
		if (m->key[j] == k)
			return j;
	m->used[j] = 1;
	m->key[j] = k;
	m->val[j] = 0;
	m->n++;
	*fresh = 1;
	return j;
}

static void
map_del_slot(u64map *m, size_t i)
{
	size_t j = i, home;

	m->used[i] = 0;
	m->n--;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (!m->used[j])
			return;
		home = hash64(m->key[j], m->cap);
		/* Move j back into the hole unless its home lies cyclically in
		 * (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			m->used[i] = 1;
			m->used[j] = 0;
			i = j;
		}
	}
}

static void
map_free(u64map *m)
{
	free(m->key);
	free(m->val);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

/* ----------------------------------------------------- interned names */

typedef struct {
	char **str;
	size_t n, cap;
	u64map index;    /* hash -> first id with it; collisions chained */
	uint32_t *next;  /* id -> next id of the same hash, UINT32_MAX none */
} names;

static uint64_t
fnv64(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The id of s, or -1 when unknown. */
static long
names_find(const names *t, const char *s)
{
	size_t j = map_find(&t->index, fnv64(s));
	uint32_t id;

	if (j == SIZE_MAX)
		return -1;
	for (id = (uint32_t)t->index.val[j]; id != UINT32_MAX; id = t->next[id])
		if (strcmp(t->str[id], s) == 0)
			return (long)id;
	return -1;
}

/* The id of s, added when new; -1 out of memory. */
static long
names_add(names *t, const char *s)
{
	long id = names_find(t, s);
	size_t j;
	int fresh;
	char *copy;

	if (id >= 0)
		return id;
	if (t->n >= UINT32_MAX - 1)
		return -1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->str, cap * sizeof(*v));
		uint32_t *nx;
		if (v == NULL)
			return -1;
		t->str = v;
		if ((nx = realloc(t->next, cap * sizeof(*nx))) == NULL)
			return -1;
		t->next = nx;
		t->cap = cap;
	}
	if ((copy = strdup(s)) == NULL)
		return -1;
	if ((j = map_put(&t->index, fnv64(s), &fresh)) == SIZE_MAX) {
		free(copy);
		return -1;
	}
	t->str[t->n] = copy;
	t->next[t->n] = fresh ? UINT32_MAX : (uint32_t)t->index.val[j];
	t->index.val[j] = t->n;
	return (long)t->n++;
}

static void
names_free(names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->next);
	map_free(&t->index);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ the table */

#define NO_UPSTREAM UINT32_MAX

typedef struct {
	uint32_t up;       /* index into ups, NO_UPSTREAM for direct */
	uint32_t len;
	uint32_t vantage;  /* the peer's AS, else the path's first */
	uint32_t adjacent; /* the origin-set AS right of the neighbour */
	uint32_t pv;       /* (prefix, vantage) id: vantage-as weighting */
	unsigned char clique, route_server;
	uint32_t path[];
} route;

/* A neighbour's counts, each following the routes: what
 * upm_compute_result's roles, shares and presence are made of. */
typedef struct {
	uint32_t asn;
	uint64_t observations;
	size_t sessions, prefixes; /* distinct, with at least one route */
	size_t vantages;           /* distinct vantage ASes */
	size_t clique_vantages;    /* of them with a clique AS to the left */
	size_t weighted;           /* distinct (prefix, vantage AS) */
	uint64_t route_server;     /* routes through a route server */
} rib_upstream;

/* With a hold time: an upstream whose presence differs from the committed
 * set since a second, and the table then. */
typedef struct {
	uint32_t asn;
	int appear;           /* present now, not committed; else the reverse */
	int64_t since;
	upm_result *snap;
} rib_pending;

struct upm_rib {
	upm_compute *rules;   /* the origin set and the path rules */
	upm_asn_list origins;
	upm_params params;
	int64_t hold;
	names sessions, prefixes;
	u64map routes;        /* session << 32 | prefix -> route * */
	rib_upstream *ups;
	size_t n_ups, ups_cap;
	u64map ups_index;     /* asn -> index */
	u64map up_session;    /* index << 32 | session -> routes */
	u64map up_prefix;     /* index << 32 | prefix -> routes */
	u64map up_vantage;    /* index << 32 | vantage AS -> routes */
	u64map up_clique;     /* index << 32 | vantage AS -> clique routes */
	u64map up_adjacent;   /* index << 32 | adjacent AS -> routes */
	u64map up_weighted;   /* index << 32 | pv id -> routes */
	u64map pv_index;      /* prefix << 32 | vantage -> pv id */
	u64map all_vantage;   /* vantage AS -> routes with a neighbour */
	size_t vantages;      /* distinct vantage ASes of those routes */
	uint64_t with_upstream, direct, events;
	/* Time: the second being taken, and the present set. */
	int have_second;
	int64_t second;
	int started;
	int64_t start_time;
	upm_result *start;
	upm_asn_list committed;
	rib_pending *pend;    /* per upstream, in time order */
	size_t n_pend, pend_cap;
	upm_rib_change *changes;
	size_t n_changes, changes_cap;
	int failed;
};

static uint64_t
pair_key(uint32_t a, uint32_t b)
{
	return (uint64_t)a << 32 | b;
}

upm_rib *
upm_rib_new(const upm_asn_list *origins, const upm_params *p, int64_t hold_s,
    upm_error *err)
{
	upm_rib *r;

	if (hold_s < 0) {
		upm_fail(err, UPM_ERR_ARG, "negative hold time");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	upm_asn_list_init(&r->origins);
	upm_asn_list_init(&r->committed);
	if ((r->rules = upm_compute_new(origins, err)) == NULL) {
		upm_rib_free(r);
		return NULL;
	}
	if (upm_asn_list_merge(&r->origins, origins) != UPM_OK) {
		upm_rib_free(r);
		upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (p != NULL)
		r->params = *p;
	else
		upm_params_init(&r->params);
	/* The clique, the relationship file, the weighting: as a query's. */
	if (upm_compute_configure(r->rules, &r->params, err) != UPM_OK) {
		upm_rib_free(r);
		return NULL;
	}
	r->hold = hold_s;
	return r;
}

static void
change_free(upm_rib_change *c)
{
	upm_asn_list_free(&c->appeared);
	upm_asn_list_free(&c->disappeared);
	upm_result_free(c->snapshot);
}

void
upm_rib_free(upm_rib *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->routes.cap; i++)
		if (r->routes.used[i])
			free((route *)(uintptr_t)r->routes.val[i]);
	map_free(&r->routes);
	map_free(&r->ups_index);
	map_free(&r->up_session);
	map_free(&r->up_prefix);
	map_free(&r->up_vantage);
	map_free(&r->all_vantage);
	map_free(&r->up_clique);
	map_free(&r->up_adjacent);
	map_free(&r->up_weighted);
	map_free(&r->pv_index);
	free(r->ups);
	names_free(&r->sessions);
	names_free(&r->prefixes);
	for (size_t i = 0; i < r->n_changes; i++)
		change_free(&r->changes[i]);
	free(r->changes);
	upm_result_free(r->start);
	for (size_t i = 0; i < r->n_pend; i++)
		upm_result_free(r->pend[i].snap);
	free(r->pend);
	upm_asn_list_free(&r->committed);
	upm_asn_list_free(&r->origins);
	upm_compute_free(r->rules);
	free(r);
}

/* The index of upstream asn, created when new; -1 out of memory. */
static long
upstream_of(upm_rib *r, uint32_t asn)
{
	size_t j;
	int fresh;

	if ((j = map_put(&r->ups_index, asn, &fresh)) == SIZE_MAX)
		return -1;
	if (!fresh)
		return (long)r->ups_index.val[j];
	if (r->n_ups == r->ups_cap) {
		size_t cap = r->ups_cap ? r->ups_cap * 2 : 8;
		rib_upstream *v = realloc(r->ups, cap * sizeof(*v));
		if (v == NULL) {
			map_del_slot(&r->ups_index, j);
			return -1;
		}
		r->ups = v;
		r->ups_cap = cap;
	}
	memset(&r->ups[r->n_ups], 0, sizeof(r->ups[0]));
	r->ups[r->n_ups].asn = asn;
	r->ups_index.val[j] = r->n_ups;
	return (long)r->n_ups++;
}

/* One distinct-count: key's routes up (delta 1) or down (-1); *distinct
 * follows the keys with at least one.  -1 out of memory. */
static int
count_key(u64map *m, uint64_t key, int delta, size_t *distinct)
{
	size_t j;
	int fresh;

	if (delta > 0) {
		if ((j = map_put(m, key, &fresh)) == SIZE_MAX)
			return -1;
		*distinct += m->val[j]++ == 0;
		return 0;
	}
	if ((j = map_find(m, key)) != SIZE_MAX && --m->val[j] == 0) {
		map_del_slot(m, j);
		(*distinct)--;
	}
	return 0;
}

/* Adds (delta 1) or takes (delta -1) one route's share of the counts. */
static int
count_route(upm_rib *r, const route *rt, uint32_t sid, uint32_t pid,
    int delta)
{
	rib_upstream *u;
	size_t j, scratch = 0;
	int fresh;
	uint64_t idx;

	if (rt->up == NO_UPSTREAM) {
		r->direct += (uint64_t)(int64_t)delta;
		return 0;
	}
	u = &r->ups[rt->up];
	u->observations += (uint64_t)(int64_t)delta;
	r->with_upstream += (uint64_t)(int64_t)delta;
	u->route_server += (uint64_t)(int64_t)(rt->route_server ? delta : 0);
	idx = (uint64_t)rt->up << 32;
	if (count_key(&r->all_vantage, rt->vantage, delta, &r->vantages) != 0 ||
	    count_key(&r->up_vantage, idx | rt->vantage, delta,
	    &u->vantages) != 0 ||
	    (rt->clique && count_key(&r->up_clique, idx | rt->vantage, delta,
	    &u->clique_vantages) != 0) ||
	    (r->params.relationships != NULL && count_key(&r->up_adjacent,
	    idx | rt->adjacent, delta, &scratch) != 0) ||
	    (r->params.weighting == UPM_WEIGHT_VANTAGE_AS &&
	    count_key(&r->up_weighted, idx | rt->pv, delta, &u->weighted) != 0))
		return -1;
	if (delta > 0) {
		if ((j = map_put(&r->up_session, pair_key(rt->up, sid),
		    &fresh)) == SIZE_MAX)
			return -1;
		u->sessions += r->up_session.val[j]++ == 0;
		if ((j = map_put(&r->up_prefix, pair_key(rt->up, pid),
		    &fresh)) == SIZE_MAX)
			return -1;
		u->prefixes += r->up_prefix.val[j]++ == 0;
		return 0;
	}
	if ((j = map_find(&r->up_session, pair_key(rt->up, sid))) != SIZE_MAX &&
	    --r->up_session.val[j] == 0) {
		map_del_slot(&r->up_session, j);
		u->sessions--;
	}
	if ((j = map_find(&r->up_prefix, pair_key(rt->up, pid))) != SIZE_MAX &&
	    --r->up_prefix.val[j] == 0) {
		map_del_slot(&r->up_prefix, j);
		u->prefixes--;
	}
	return 0;
}

/* Removes the route at slot j of the table. */
static void
drop_slot(upm_rib *r, size_t j)
{
	route *rt = (route *)(uintptr_t)r->routes.val[j];
	uint64_t k = r->routes.key[j];

	(void)count_route(r, rt, (uint32_t)(k >> 32), (uint32_t)k, -1);
	free(rt);
	map_del_slot(&r->routes, j);
}

static void
withdraw(upm_rib *r, const char *session, const char *prefix)
{
	long sid = names_find(&r->sessions, session);
	long pid = sid < 0 ? -1 : names_find(&r->prefixes, prefix);
	size_t j;

	if (pid >= 0 && (j = map_find(&r->routes,
	    pair_key((uint32_t)sid, (uint32_t)pid))) != SIZE_MAX)
		drop_slot(r, j);
}

static int
session_down(upm_rib *r, const char *session)
{
	long sid = names_find(&r->sessions, session);
	uint64_t *keys;
	size_t n = 0, i, j;

	if (sid < 0 || r->routes.n == 0)
		return 0;
	/* Keys first: deleting shifts entries under a running scan. */
	if ((keys = malloc(r->routes.n * sizeof(*keys))) == NULL)
		return -1;
	for (i = 0; i < r->routes.cap; i++)
		if (r->routes.used[i] && r->routes.key[i] >> 32 == (uint64_t)sid)
			keys[n++] = r->routes.key[i];
	for (i = 0; i < n; i++)
		if ((j = map_find(&r->routes, keys[i])) != SIZE_MAX)
			drop_slot(r, j);
	free(keys);
	return 0;
}

static int
announce(upm_rib *r, const upm_event *ev)
{
	upm_route_facts f;
	uint32_t asn, vantage;
	int cls, fresh;
	long sid, pid, up = NO_UPSTREAM;
	size_t j;
	route *rt;

	memset(&f, 0, sizeof(f));
	cls = ev->unusable ? UPM_CLASS_UNUSABLE :
	    upm_compute_route_facts(r->rules, ev->path, ev->path_len, &f);
	asn = f.asn;
	if (cls != UPM_CLASS_DIRECT && cls != UPM_CLASS_UPSTREAM) {
		/* Not the target's route (or no path to tell): it replaces
		 * whatever the session had for the prefix. */
		withdraw(r, ev->session, ev->prefix);
		return 0;
	}
	if (ev->path_len > UPM_PATH_MAX_HOPS)
		return 0;
	if ((sid = names_add(&r->sessions, ev->session)) < 0 ||
	    (pid = names_add(&r->prefixes, ev->prefix)) < 0)
		return -1;
	if (cls == UPM_CLASS_UPSTREAM && (up = upstream_of(r, asn)) < 0)
		return -1;
	rt = malloc(sizeof(*rt) + ev->path_len * sizeof(rt->path[0]));
	if (rt == NULL)
		return -1;
	rt->up = (uint32_t)up;
	rt->len = (uint32_t)ev->path_len;
	/* upm_compute_add's vantage AS and route-server rule. */
	vantage = ev->peer_asn != 0 ? ev->peer_asn : ev->path[0];
	rt->vantage = vantage;
	rt->adjacent = f.adjacent;
	rt->clique = (unsigned char)f.clique;
	rt->route_server = strncmp(ev->session, "alice/", 6) == 0;
	rt->pv = 0;
	if (r->params.weighting == UPM_WEIGHT_VANTAGE_AS) {
		if ((j = map_put(&r->pv_index, pair_key((uint32_t)pid, vantage),
		    &fresh)) == SIZE_MAX) {
			free(rt);
			return -1;
		}
		if (fresh)
			r->pv_index.val[j] = r->pv_index.n;
		rt->pv = (uint32_t)r->pv_index.val[j];
	}
	memcpy(rt->path, ev->path, ev->path_len * sizeof(rt->path[0]));
	if ((j = map_put(&r->routes, pair_key((uint32_t)sid, (uint32_t)pid),
	    &fresh)) == SIZE_MAX) {
		free(rt);
		return -1;
	}
	if (!fresh) {
		route *old = (route *)(uintptr_t)r->routes.val[j];
		(void)count_route(r, old, (uint32_t)sid, (uint32_t)pid, -1);
		free(old);
	}
	r->routes.val[j] = (uint64_t)(uintptr_t)rt;
	return count_route(r, rt, (uint32_t)sid, (uint32_t)pid, 1);
}

/* ---------------------------------------------------- the present set */

/* The neighbours as upm_compute_result judges them, from the counts (no
 * route is looked at): role and evidence by the same rules, shares over the
 * weight of those whose role is upstream, present with min-share and
 * min-peers vantage ASes.  v[i] for ups[i] (those without a route left
 * have role lateral and are not present).  -1 out of memory. */
typedef struct {
	upm_role role;
	upm_evidence evidence;
	double share;
	int present;
} rib_judged;

static int
judge(const upm_rib *r, rib_judged *v, uint64_t *paths)
{
	uint64_t total = 0;
	int evidence = 0, pending, rc = 0;
	int *pend = calloc(r->n_ups ? r->n_ups : 1, sizeof(*pend));
	uint32_t *adj = NULL;
	size_t i, j, n_adj;

	*paths = 0;
	if (pend == NULL)
		return -1;
	for (i = 0; i < r->n_ups; i++) {
		const rib_upstream *u = &r->ups[i];
		upm_role_input in;

		memset(&v[i], 0, sizeof(v[i]));
		v[i].role = UPM_ROLE_LATERAL;
		if (u->observations == 0)
			continue;
		memset(&in, 0, sizeof(in));
		in.asn = u->asn;
		in.vantage_ases = u->vantages;
		in.self_vantage = map_find(&r->up_vantage,
		    pair_key((uint32_t)i, u->asn)) != SIZE_MAX;
		in.clique_vantage = u->clique_vantages;
		in.route_server = u->route_server > 0;
		n_adj = 0;
		if (r->params.relationships != NULL) {
			free(adj);
			if ((adj = malloc((r->up_adjacent.n + 1) *
			    sizeof(*adj))) == NULL) {
				rc = -1;
				break;
			}
			for (j = 0; j < r->up_adjacent.cap; j++)
				if (r->up_adjacent.used[j] &&
				    r->up_adjacent.key[j] >> 32 == i)
					adj[n_adj++] = (uint32_t)r->up_adjacent.key[j];
		}
		in.adjacent = adj;
		in.n_adjacent = n_adj;
		upm_compute_role(r->rules, &r->params, &in, &v[i].role,
		    &v[i].evidence, &pending);
		pend[i] = pending;
		evidence |= v[i].role == UPM_ROLE_UPSTREAM &&
		    v[i].evidence != UPM_EVIDENCE_NONE;
	}
	free(adj);
	for (i = 0; rc == 0 && i < r->n_ups; i++) {
		const rib_upstream *u = &r->ups[i];

		if (u->observations == 0)
			continue;
		/* The fallback: with no evidence anywhere every neighbour is
		 * an upstream; with some, the undecided are lateral. */
		if (pend[i] && evidence && !r->params.neighbours_all)
			v[i].role = UPM_ROLE_LATERAL;
		if (v[i].role != UPM_ROLE_UPSTREAM)
			continue;
		total += r->params.weighting == UPM_WEIGHT_VANTAGE_AS ?
		    u->weighted : u->observations;
		*paths += u->observations;
	}
	for (i = 0; rc == 0 && i < r->n_ups; i++) {
		const rib_upstream *u = &r->ups[i];
		uint64_t w = r->params.weighting == UPM_WEIGHT_VANTAGE_AS ?
		    u->weighted : u->observations;

		if (u->observations == 0 || v[i].role != UPM_ROLE_UPSTREAM)
			continue;
		v[i].share = total == 0 ? 0.0 : (double)w * 100.0 /
		    (double)total;
		v[i].present = v[i].share >= r->params.min_share &&
		    u->vantages >= r->params.min_peers;
	}
	free(pend);
	return rc;
}

upm_status
upm_rib_present(const upm_rib *r, upm_asn_list *out, upm_error *err)
{
	rib_judged *v = calloc(r->n_ups ? r->n_ups : 1, sizeof(*v));
	upm_asn_list l;
	uint64_t paths;

	upm_asn_list_init(&l);
	if (v == NULL || judge(r, v, &paths) != 0) {
		free(v);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->n_ups; i++)
		if (v[i].present && upm_asn_list_add(&l, r->ups[i].asn) !=
		    UPM_OK) {
			upm_asn_list_free(&l);
			free(v);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
	free(v);
	upm_asn_list_free(out);
	*out = l;
	return UPM_OK;
}

static int
by_share(const void *a, const void *b)
{
	const upm_upstream *x = a, *y = b;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return (x->asn > y->asn) - (x->asn < y->asn);
}

upm_status
upm_rib_snapshot(const upm_rib *r, upm_result **out, upm_error *err)
{
	upm_result *res;
	rib_judged *v;
	uint64_t paths = 0;
	size_t n = 0, nl = 0;

	*out = NULL;
	if (r->routes.n == 0)
		return upm_fail(err, UPM_ERR_NODATA, "no routes");
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	upm_asn_list_init(&res->appeared);
	upm_asn_list_init(&res->disappeared);
	v = calloc(r->n_ups ? r->n_ups : 1, sizeof(*v));
	if (v == NULL || judge(r, v, &paths) != 0 || (r->n_ups > 0 &&
	    ((res->upstreams = calloc(r->n_ups, sizeof(*res->upstreams))) ==
	    NULL || (res->laterals = calloc(r->n_ups,
	    sizeof(*res->laterals))) == NULL))) {
		free(v);
		upm_result_free(res);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->n_ups; i++) {
		const rib_upstream *u = &r->ups[i];
		upm_upstream *o;

		if (u->observations == 0)
			continue;
		/* Lateral neighbours apart, as the computation has them. */
		o = v[i].role == UPM_ROLE_UPSTREAM ? &res->upstreams[n++] :
		    &res->laterals[nl++];
		o->asn = u->asn;
		o->observations = u->observations;
		o->sessions = u->sessions;
		o->prefixes = u->prefixes;
		o->vantage_ases = u->vantages;
		o->role = v[i].role;
		o->evidence = v[i].evidence;
		o->share = v[i].share;
		o->present = v[i].present;
		o->status = UPM_ST_UNBASELINED;
		res->n_present += o->present != 0;
	}
	free(v);
	res->n_upstreams = n;
	res->n_laterals = nl;
	if (n > 1)
		qsort(res->upstreams, n, sizeof(*res->upstreams), by_share);
	res->observations = r->routes.n;
	res->with_upstream = paths;
	res->vantage_ases = r->vantages;
	res->direct = r->direct;
	res->n_origins = r->origins.n;
	*out = res;
	return UPM_OK;
}

upm_status
upm_rib_result(const upm_rib *r, upm_result **out, upm_error *err)
{
	upm_compute *c;
	upm_observation obs;
	upm_status st;

	*out = NULL;
	if (r->routes.n == 0)
		return upm_fail(err, UPM_ERR_NODATA, "no routes");
	if ((c = upm_compute_new(&r->origins, err)) == NULL)
		return err->code;
	if ((st = upm_compute_configure(c, &r->params, err)) != UPM_OK) {
		upm_compute_free(c);
		return st;
	}
	memset(&obs, 0, sizeof(obs));
	for (size_t i = 0; i < r->routes.cap; i++) {
		const route *rt;

		if (!r->routes.used[i])
			continue;
		rt = (const route *)(uintptr_t)r->routes.val[i];
		obs.session = r->sessions.str[r->routes.key[i] >> 32];
		obs.prefix = r->prefixes.str[(uint32_t)r->routes.key[i]];
		obs.path = rt->path;
		obs.path_len = rt->len;
		obs.peer_asn = rt->vantage;
		if (upm_compute_add(c, &obs) != 0) {
			upm_compute_free(c);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
	}
	st = upm_compute_result(c, &r->params, out, err);
	upm_compute_free(c);
	return st;
}

/* ------------------------------------------------------------- changes */

/* to - from into out (ascending, as both are). */
static upm_status
set_minus(const upm_asn_list *to, const upm_asn_list *from, upm_asn_list *out)
{
	for (size_t i = 0; i < to->n; i++)
		if (!upm_asn_list_has(from, to->v[i]) &&
		    upm_asn_list_add(out, to->v[i]) != UPM_OK)
			return UPM_ERR_NOMEM;
	return UPM_OK;
}

/* Records the change from -> to at t (snapshot taken over; a flap when
 * until > 0). */
static int
record(upm_rib *r, int64_t t, int64_t until, const upm_asn_list *from,
    const upm_asn_list *to, upm_result *snapshot)
{
	upm_rib_change *c;

	if (r->n_changes == r->changes_cap) {
		size_t cap = r->changes_cap ? r->changes_cap * 2 : 8;
		upm_rib_change *v = realloc(r->changes, cap * sizeof(*v));
		if (v == NULL) {
			upm_result_free(snapshot);
			return -1;
		}
		r->changes = v;
		r->changes_cap = cap;
	}
	/* In time order: a flap is recorded when undone, with its start,
	 * possibly before changes already recorded. */
	{
		size_t at = r->n_changes;

		while (at > 0 && r->changes[at - 1].time > t)
			at--;
		memmove(&r->changes[at + 1], &r->changes[at],
		    (r->n_changes - at) * sizeof(*r->changes));
		r->n_changes++;
		c = &r->changes[at];
	}
	memset(c, 0, sizeof(*c));
	c->time = t;
	c->until = until;
	c->flap = until > 0;
	c->snapshot = snapshot;
	upm_asn_list_init(&c->appeared);
	upm_asn_list_init(&c->disappeared);
	if (set_minus(to, from, &c->appeared) != UPM_OK ||
	    set_minus(from, to, &c->disappeared) != UPM_OK)
		return -1;
	return 0;
}

static int
set_copy(upm_asn_list *to, const upm_asn_list *from)
{
	upm_asn_list_free(to);
	return upm_asn_list_merge(to, from) == UPM_OK ? 0 : -1;
}

static upm_result *
snapshot_or_null(const upm_rib *r)
{
	upm_result *s = NULL;
	upm_error err;

	/* An empty table is an outage: no snapshot. */
	(void)upm_rib_snapshot(r, &s, &err);
	return s;
}

static void
list_remove(upm_asn_list *l, uint32_t asn)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == asn) {
			memmove(&l->v[i], &l->v[i + 1],
			    (l->n - i - 1) * sizeof(*l->v));
			l->n--;
			return;
		}
}

static void
pend_drop(upm_rib *r, size_t i)
{
	upm_result_free(r->pend[i].snap);
	memmove(&r->pend[i], &r->pend[i + 1],
	    (r->n_pend - i - 1) * sizeof(*r->pend));
	r->n_pend--;
}

static void
pend_clear(upm_rib *r)
{
	while (r->n_pend > 0)
		pend_drop(r, r->n_pend - 1);
}

static int
pend_find(const upm_rib *r, uint32_t asn)
{
	for (size_t i = 0; i < r->n_pend; i++)
		if (r->pend[i].asn == asn)
			return 1;
	return 0;
}

static int
pend_add(upm_rib *r, uint32_t asn, int appear, int64_t t)
{
	if (r->n_pend == r->pend_cap) {
		size_t cap = r->pend_cap ? r->pend_cap * 2 : 8;
		rib_pending *v = realloc(r->pend, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		r->pend = v;
		r->pend_cap = cap;
	}
	r->pend[r->n_pend].asn = asn;
	r->pend[r->n_pend].appear = appear;
	r->pend[r->n_pend].since = t;
	r->pend[r->n_pend].snap = snapshot_or_null(r);
	r->n_pend++;
	return 0;
}

/* The table's snapshot made to show the committed set: present exactly
 * the committed upstreams (one committed but without a route then gets an
 * entry of share 0).  *snap may be NULL (no route). */
static int
snapshot_committed(upm_result **snap, const upm_asn_list *committed)
{
	upm_result *s = *snap;
	size_t missing = 0, k;

	if (s == NULL) {
		if (committed->n == 0)
			return 0;
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		upm_asn_list_init(&s->appeared);
		upm_asn_list_init(&s->disappeared);
		*snap = s;
	}
	s->n_present = 0;
	for (size_t i = 0; i < s->n_upstreams; i++)
		if ((s->upstreams[i].present = upm_asn_list_has(committed,
		    s->upstreams[i].asn)))
			s->n_present++;
	for (size_t i = 0; i < committed->n; i++) {
		for (k = 0; k < s->n_upstreams; k++)
			if (s->upstreams[k].asn == committed->v[i])
				break;
		missing += k == s->n_upstreams;
	}
	if (missing > 0) {
		upm_upstream *v = realloc(s->upstreams, (s->n_upstreams +
		    missing) * sizeof(*v));

		if (v == NULL)
			return -1;
		s->upstreams = v;
		for (size_t i = 0; i < committed->n; i++) {
			for (k = 0; k < s->n_upstreams; k++)
				if (s->upstreams[k].asn == committed->v[i])
					break;
			if (k < s->n_upstreams)
				continue;
			memset(&s->upstreams[k], 0, sizeof(*s->upstreams));
			s->upstreams[k].asn = committed->v[i];
			s->upstreams[k].present = 1;
			s->upstreams[k].role = UPM_ROLE_UPSTREAM;
			s->upstreams[k].status = UPM_ST_UNBASELINED;
			s->n_upstreams++;
			s->n_present++;
		}
	}
	return 0;
}

/* Pending changes that have lasted the hold time by t count, each stamped
 * with the second it began (those of one second as one change). */
static int
check_hold(upm_rib *r, int64_t t)
{
	while (r->n_pend > 0 && t - r->pend[0].since >= r->hold) {
		int64_t since = r->pend[0].since;
		upm_asn_list before;
		upm_result *snap = r->pend[0].snap;
		int rc = 0;

		r->pend[0].snap = NULL;
		upm_asn_list_init(&before);
		if (set_copy(&before, &r->committed) != 0) {
			upm_result_free(snap);
			return -1;
		}
		while (r->n_pend > 0 && r->pend[0].since == since && rc == 0) {
			if (r->pend[0].appear)
				rc = upm_asn_list_add(&r->committed,
				    r->pend[0].asn) != UPM_OK;
			else
				list_remove(&r->committed,
				    r->pend[0].asn);
			pend_drop(r, 0);
		}
		if (rc == 0 && snapshot_committed(&snap, &r->committed) != 0)
			rc = -1;
		if (rc == 0)
			rc = record(r, since, 0, &before, &r->committed, snap);
		else
			upm_result_free(snap);
		upm_asn_list_free(&before);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* With a hold time, the end of second t: per upstream, a presence that
 * differs from the committed set starts pending; one back as committed
 * before the hold time is a flap. */
static int
hold_second(upm_rib *r, int64_t t, const upm_asn_list *now)
{
	size_t i = 0;

	while (i < r->n_pend) {
		rib_pending *p = &r->pend[i];
		upm_asn_list one, none;
		int rc;

		if (upm_asn_list_has(now, p->asn) == p->appear) {
			i++;
			continue;
		}
		upm_asn_list_init(&one);
		upm_asn_list_init(&none);
		rc = upm_asn_list_add(&one, p->asn) != UPM_OK ? -1 :
		    record(r, p->since, t, p->appear ? &none : &one,
		    p->appear ? &one : &none, NULL);
		upm_asn_list_free(&one);
		pend_drop(r, i);
		if (rc != 0)
			return -1;
	}
	for (i = 0; i < now->n; i++)
		if (!upm_asn_list_has(&r->committed, now->v[i]) &&
		    !pend_find(r, now->v[i]) && pend_add(r, now->v[i], 1, t) != 0)
			return -1;
	for (i = 0; i < r->committed.n; i++)
		if (!upm_asn_list_has(now, r->committed.v[i]) &&
		    !pend_find(r, r->committed.v[i]) &&
		    pend_add(r, r->committed.v[i], 0, t) != 0)
			return -1;
	return 0;
}

/* The end of second t: the present set then. */
static int
close_second(upm_rib *r, int64_t t)
{
	upm_asn_list now;
	upm_error err;
	int rc = 0;

	upm_asn_list_init(&now);
	if (upm_rib_present(r, &now, &err) != UPM_OK)
		return -1;
	if (!r->started) {
		r->started = 1;
		r->start_time = t;
		upm_result_free(r->start);
		r->start = snapshot_or_null(r);
		rc = set_copy(&r->committed, &now);
	} else if (r->hold == 0) {
		if (!upm_asn_list_equal(&now, &r->committed)) {
			rc = record(r, t, 0, &r->committed, &now,
			    snapshot_or_null(r));
			if (rc == 0)
				rc = set_copy(&r->committed, &now);
		}
	} else
		rc = hold_second(r, t, &now);
	upm_asn_list_free(&now);
	return rc;
}

upm_status
upm_rib_event(upm_rib *r, const upm_event *ev, upm_error *err)
{
	int64_t t = ev->time;
	int rc = 0;

	if (r->failed)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (r->have_second && t < r->second)
		t = r->second;
	if (r->have_second && t > r->second) {
		if (close_second(r, r->second) != 0 || check_hold(r, t) != 0)
			goto nomem;
	}
	r->have_second = 1;
	r->second = t;
	r->events++;
	switch (ev->kind) {
	case UPM_EV_ANNOUNCE:
		rc = ev->prefix && ev->session ? announce(r, ev) : 0;
		break;
	case UPM_EV_WITHDRAW:
		if (ev->prefix && ev->session)
			withdraw(r, ev->session, ev->prefix);
		break;
	case UPM_EV_SESSION_DOWN:
		rc = ev->session ? session_down(r, ev->session) : 0;
		break;
	}
	if (rc == 0)
		return UPM_OK;
nomem:
	r->failed = 1;
	return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
}

int
upm_rib_sink_event(void *ctx, const upm_event *ev)
{
	upm_error err;

	return upm_rib_event(ctx, ev, &err) == UPM_OK ? 0 : -1;
}

void
upm_rib_rebase(upm_rib *r)
{
	/* What changed while the table was filling is no change. */
	for (size_t i = 0; i < r->n_changes; i++)
		change_free(&r->changes[i]);
	r->n_changes = 0;
	if (r->have_second) {
		/* The moment so far is the starting point. */
		r->started = 0;
		if (close_second(r, r->second) != 0)
			r->failed = 1;
		r->have_second = 0;
	} else
		r->started = 0;
	pend_clear(r);
}

upm_status
upm_rib_finish(upm_rib *r, int64_t t, upm_error *err)
{
	if (r->failed)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (r->have_second) {
		if (t < r->second)
			t = r->second;
		if (close_second(r, r->second) != 0 || check_hold(r, t) != 0) {
			r->failed = 1;
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
		r->have_second = 0;
	}
	return UPM_OK;
}

size_t
upm_rib_pending_n(const upm_rib *r)
{
	return r->n_pend;
}

int
upm_rib_pending_at(const upm_rib *r, size_t i, uint32_t *asn, int *appear,
    int64_t *since)
{
	if (i >= r->n_pend)
		return -1;
	*asn = r->pend[i].asn;
	*appear = r->pend[i].appear;
	*since = r->pend[i].since;
	return 0;
}

size_t
upm_rib_changes(const upm_rib *r)
{
	return r->n_changes;
}

const upm_rib_change *
upm_rib_change_at(const upm_rib *r, size_t i)
{
	return i < r->n_changes ? &r->changes[i] : NULL;
}

const upm_result *
upm_rib_start(const upm_rib *r)
{
	return r->started ? r->start : NULL;
}

int64_t
upm_rib_start_time(const upm_rib *r)
{
	return r->start_time;
}

size_t
upm_rib_routes(const upm_rib *r)
{
	return r->routes.n;
}

uint64_t
upm_rib_events(const upm_rib *r)
{
	return r->events;
}
