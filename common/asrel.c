/*
 * asrel.c - CAIDA's AS-relationship file (as-rel, as-rel2 "serial-2"):
 *
 *   # inferred clique: 174 209 286 ...
 *   1|11537|0|bgp        peers (the serial-2 source column is ignored)
 *   1|21616|-1|bgp       AS1 a provider of AS21616
 *
 * plain, gzip (zlib, which also reads a plain file as it is) or bzip2
 * (libbz2), told apart by the first bytes.  Loaded once into a sorted
 * array of pairs; read-only afterwards, so one table serves every target
 * and thread.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>

#include "upm_private.h"

/* Lines longer than this are not CAIDA's (which are under 40 bytes). */
#define ASREL_MAX_LINE 4096

typedef struct {
	uint64_t key;   /* low ASN << 32 | high ASN */
	uint32_t line;  /* where the file gave it, for its errors */
	int8_t rel;     /* what the low ASN is to the high: 1 provider,
	                 * -1 customer, 0 peer */
} asrel_pair;

struct upm_asrel {
	asrel_pair *v;
	size_t n, cap;
	upm_asn_list clique;
	int have_clique;
};

/* A reader of decompressed bytes: gzip/plain or bzip2. */
typedef struct {
	gzFile gz;
	FILE *f;
	BZFILE *bz;
	int bz_end;
} asrel_in;

/* Bytes read, 0 at the end, -1 on an error: a damaged stream, or one cut
 * short (zlib's Z_BUF_ERROR, "unexpected end of file", which gzread
 * reports only through gzerror: a gzip stream sync-flushed and cut at a
 * line has no trailer and would otherwise pass as whole). */
static int
in_read(asrel_in *in, char *buf, int len)
{
	int n, bzerr;

	if (in->gz != NULL) {
		int errnum = Z_OK;
		if ((n = gzread(in->gz, buf, (unsigned)len)) == 0)
			(void)gzerror(in->gz, &errnum);
		return n < 0 || errnum != Z_OK ? -1 : n;
	}
	if (in->bz_end)
		return 0;
	n = BZ2_bzRead(&bzerr, in->bz, buf, len);
	if (bzerr == BZ_STREAM_END)
		in->bz_end = 1;
	else if (bzerr != BZ_OK)
		return -1;
	return n;
}

/* 0, or -1 when closing found the stream cut short or damaged. */
static int
in_close(asrel_in *in)
{
	int bzerr, rc = 0;

	if (in->gz != NULL && gzclose(in->gz) != Z_OK)
		rc = -1;
	if (in->bz != NULL)
		BZ2_bzReadClose(&bzerr, in->bz);
	if (in->f != NULL)
		(void)fclose(in->f);
	return rc;
}

static upm_status
in_open(asrel_in *in, const char *path, upm_error *err)
{
	unsigned char magic[3] = { 0, 0, 0 };
	size_t got;
	int bzerr, fd;

	memset(in, 0, sizeof(*in));
	/* A FIFO or a device is refused, never waited on. */
	if ((fd = upm_file_open_regular(path, 0, "AS-relationship file", NULL,
	    err)) < 0)
		return UPM_ERR_IO;
	if ((in->f = fdopen(fd, "rb")) == NULL) {
		(void)close(fd);
		return upm_fail(err, UPM_ERR_IO, "%.200s: %s", path,
		    strerror(errno));
	}
	got = fread(magic, 1, sizeof(magic), in->f);
	if (got == 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
		rewind(in->f);
		in->bz = BZ2_bzReadOpen(&bzerr, in->f, 0, 0, NULL, 0);
		if (bzerr != BZ_OK) {
			(void)in_close(in);
			return upm_fail(err, UPM_ERR_IO, "%.200s: not a bzip2 "
			    "file", path);
		}
		return UPM_OK;
	}
	/* zlib reads plain files as they are; it takes the descriptor. */
	if (fseek(in->f, 0, SEEK_SET) != 0 || (fd = dup(fileno(in->f))) < 0) {
		(void)fclose(in->f);
		in->f = NULL;
		return upm_fail(err, UPM_ERR_IO, "%.200s: %s", path,
		    strerror(errno));
	}
	(void)fclose(in->f);
	in->f = NULL;
	if (lseek(fd, 0, SEEK_SET) != 0 || (in->gz = gzdopen(fd, "rb")) == NULL) {
		(void)close(fd);
		return upm_fail(err, UPM_ERR_IO, "%.200s: %s", path,
		    strerror(errno ? errno : EIO));
	}
	return UPM_OK;
}

/* One decimal AS number from *s, moving past it; 0 when there is none. */
static int
read_asn(const char **s, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	if (v == 0)
		return 0;
	*out = (uint32_t)v;
	*s = p;
	return 1;
}

static int
add_pair(upm_asrel *r, uint32_t a, uint32_t b, int rel, size_t line)
{
	asrel_pair *p;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		if (cap > SIZE_MAX / sizeof(*p) ||
		    (p = realloc(r->v, cap * sizeof(*p))) == NULL)
			return -1;
		r->v = p;
		r->cap = cap;
	}
	p = &r->v[r->n++];
	p->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	if (a < b) {
		p->key = (uint64_t)a << 32 | b;
		p->rel = (int8_t)rel;
	} else {
		p->key = (uint64_t)b << 32 | a;
		p->rel = (int8_t)-rel;
	}
	return 0;
}

/* One line: UPM_OK, or UPM_ERR_ARG / UPM_ERR_NOMEM. */
static upm_status
parse_line(upm_asrel *r, const char *line, const char *path, size_t no,
    upm_error *err)
{
	static const char clique_tag[] = "# inferred clique:";
	const char *s = line;
	uint32_t a, b;
	int rel;

	if (*s == '#') {
		if (strncmp(s, clique_tag, sizeof(clique_tag) - 1) != 0)
			return UPM_OK;
		s += sizeof(clique_tag) - 1;
		r->have_clique = 1;
		for (;;) {
			s += strspn(s, " \t\r");
			if (*s == '\0')
				return UPM_OK;
			if (!read_asn(&s, &a))
				return upm_fail(err, UPM_ERR_ARG, "%.200s line "
				    "%zu: bad clique", path, no);
			if (upm_asn_list_add(&r->clique, a) != UPM_OK)
				return upm_fail(err, UPM_ERR_NOMEM,
				    "out of memory");
		}
	}
	if (*s == '\0' || *s == '\r')
		return UPM_OK;
	if (!read_asn(&s, &a) || *s++ != '|' || !read_asn(&s, &b) ||
	    *s++ != '|')
		return upm_fail(err, UPM_ERR_ARG, "%.200s line %zu: not "
		    "\"AS|AS|relationship\"", path, no);
	if (strncmp(s, "-1", 2) == 0) {
		rel = 1;
		s += 2;
	} else if (*s == '0') {
		rel = 0;
		s++;
	} else
		return upm_fail(err, UPM_ERR_ARG, "%.200s line %zu: the "
		    "relationship is -1 or 0", path, no);
	if (*s != '\0' && *s != '|' && *s != '\r')
		return upm_fail(err, UPM_ERR_ARG, "%.200s line %zu: junk after "
		    "the relationship", path, no);
	if (a == b)
		return upm_fail(err, UPM_ERR_ARG, "%.200s line %zu: AS%lu related "
		    "to itself", path, no, (unsigned long)a);
	if (add_pair(r, a, b, rel, no) != 0)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

static int
by_key(const void *x, const void *y)
{
	const asrel_pair *a = x, *b = y;

	return (a->key > b->key) - (a->key < b->key);
}

upm_status
upm_asrel_load(const char *path, upm_asrel **out, upm_error *err)
{
	static char buf[65536];
	char line[ASREL_MAX_LINE];
	size_t len = 0, no = 0;
	upm_asrel *r;
	asrel_in in;
	upm_status st;
	int n, i;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return upm_fail(err, UPM_ERR_ARG, "no AS-relationship file");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	upm_asn_list_init(&r->clique);
	if ((st = in_open(&in, path, err)) != UPM_OK) {
		upm_asrel_free(r);
		return st;
	}
	st = UPM_OK;
	while (st == UPM_OK && (n = in_read(&in, buf, (int)sizeof(buf))) > 0) {
		for (i = 0; i < n && st == UPM_OK; i++) {
			if (buf[i] != '\n') {
				if (len + 1 >= sizeof(line))
					st = upm_fail(err, UPM_ERR_ARG, "%.200s "
					    "line %zu: too long", path, no + 1);
				else
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			st = parse_line(r, line, path, ++no, err);
			len = 0;
		}
		if (n < 0)
			break;
	}
	if (st == UPM_OK && n < 0)
		st = upm_fail(err, UPM_ERR_IO, "%.200s: truncated or damaged "
		    "compressed file (after line %zu)", path, no);
	if (st == UPM_OK && len > 0) {
		line[len] = '\0';
		st = parse_line(r, line, path, ++no, err);
	}
	if (in_close(&in) != 0 && st == UPM_OK)
		st = upm_fail(err, UPM_ERR_IO, "%.200s: truncated or damaged "
		    "compressed file (after line %zu)", path, no);
	if (st == UPM_OK && r->n == 0)
		st = upm_fail(err, UPM_ERR_ARG, "%.200s: no relationship in it",
		    path);
	if (st != UPM_OK) {
		upm_asrel_free(r);
		return st;
	}
	qsort(r->v, r->n, sizeof(*r->v), by_key);
	/* A pair given twice: the same word is harmless, another one is an
	 * error (no "last wins" behind the user's back). */
	for (size_t k = 1; k < r->n; k++) {
		const asrel_pair *x = &r->v[k - 1], *y = &r->v[k];
		if (x->key != y->key || x->rel == y->rel)
			continue;
		st = upm_fail(err, UPM_ERR_ARG, "%.200s line %lu: AS%lu|AS%lu "
		    "given again with another relationship (line %lu)", path,
		    (unsigned long)(x->line > y->line ? x->line : y->line),
		    (unsigned long)(x->key >> 32),
		    (unsigned long)(x->key & UINT32_MAX),
		    (unsigned long)(x->line < y->line ? x->line : y->line));
		upm_asrel_free(r);
		return st;
	}
	*out = r;
	return UPM_OK;
}

void
upm_asrel_free(upm_asrel *r)
{
	if (r == NULL)
		return;
	free(r->v);
	upm_asn_list_free(&r->clique);
	free(r);
}

size_t
upm_asrel_pairs(const upm_asrel *r)
{
	return r != NULL ? r->n : 0;
}

const upm_asn_list *
upm_asrel_clique(const upm_asrel *r)
{
	return r != NULL && r->have_clique && r->clique.n > 0 ? &r->clique :
	    NULL;
}

int
upm_asrel_lookup(const upm_asrel *r, uint32_t a, uint32_t b)
{
	uint64_t key = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	size_t lo = 0, hi, mid;

	if (r == NULL || a == b)
		return 2;
	hi = r->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->v[mid].key < key)
			lo = mid + 1;
		else if (r->v[mid].key > key)
			hi = mid;
		else
			return a < b ? r->v[mid].rel : -r->v[mid].rel;
	}
	return 2;
}
