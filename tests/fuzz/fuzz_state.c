/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_state.c - libFuzzer target for upm_state_read, the baseline reader.
 *
 * upm_state_read takes a path, so each input is written to one file that is
 * created once per process and rewritten in place for every run: an
 * anonymous memory file (memfd) read back through /proc/self/fd/N, which
 * leaves nothing behind even when the fuzzer stops on a crash.  Where memfd
 * or /proc is not available a temporary file in $TMPDIR (else P_tmpdir) is
 * used instead and removed at exit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define SENTINEL_ASN 4294967295u

static int state_fd = -1;
static char state_path[4096];
static char temp_name[4096];

static void
remove_temp(void)
{
	if (temp_name[0] != '\0')
		(void)unlink(temp_name);
}

static int
open_memfd(void)
{
	int fd = memfd_create("upstreams-fuzz-state", MFD_CLOEXEC);
	int n;

	if (fd < 0)
		return -1;
	n = snprintf(state_path, sizeof(state_path), "/proc/self/fd/%d", fd);
	if (n < 0 || (size_t)n >= sizeof(state_path) ||
	    access(state_path, R_OK) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static int
open_tempfile(void)
{
	const char *dir = getenv("TMPDIR");
	int fd, n;

	if (dir == NULL || *dir == '\0')
		dir = P_tmpdir;
	n = snprintf(temp_name, sizeof(temp_name), "%s/upm-fuzz-state.XXXXXX",
	    dir);
	if (n < 0 || (size_t)n >= sizeof(temp_name))
		return -1;
	if ((fd = mkstemp(temp_name)) < 0) {
		temp_name[0] = '\0';
		return -1;
	}
	memcpy(state_path, temp_name, (size_t)n + 1);
	(void)atexit(remove_temp);
	return fd;
}

/* Replaces the file's contents with the input. */
static void
store_input(const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (state_fd < 0 && (state_fd = open_memfd()) < 0 &&
	    (state_fd = open_tempfile()) < 0) {
		perror("fuzz_state: no file to write the input to");
		abort();
	}
	FUZZ_REQUIRE(ftruncate(state_fd, 0) == 0);
	while (done < size) {
		n = pwrite(state_fd, data + done, size - done, (off_t)done);
		FUZZ_REQUIRE(n > 0);
		done += (size_t)n;
	}
}

/* A baseline read back is a set: ascending, distinct, no AS0. */
static void
check_set(const upm_asn_list *l)
{
	size_t i;

	FUZZ_REQUIRE(l->n <= l->cap);
	FUZZ_REQUIRE(l->n == 0 || l->v != NULL);
	for (i = 0; i < l->n; i++) {
		FUZZ_REQUIRE(l->v[i] != 0);
		FUZZ_REQUIRE(i == 0 || l->v[i - 1] < l->v[i]);
	}
}

/* One read of the file: the status, the set and the target. */
struct reading {
	upm_status st;
	upm_asn_list set;
	char target[64];
};

/* Reads the file with a target buffer of target_len bytes (0: none), into
 * a list that holds a sentinel beforehand. */
static void
read_once(struct reading *rd, size_t target_len)
{
	upm_error err;
	int missing = -1;

	upm_asn_list_init(&rd->set);
	FUZZ_REQUIRE(upm_asn_list_add(&rd->set, SENTINEL_ASN) == UPM_OK);
	memset(&err, 0, sizeof(err));
	memset(rd->target, 'x', sizeof(rd->target));
	rd->st = upm_state_read(state_path, &rd->set,
	    target_len ? rd->target : NULL, target_len, &missing, &err);
	fuzz_check_status(rd->st, &err);
	FUZZ_REQUIRE(missing == 0);
	if (rd->st == UPM_OK) {
		check_set(&rd->set);
		if (target_len)
			FUZZ_REQUIRE(fuzz_terminated(rd->target, target_len));
	} else {
		/* On failure the caller's list is left unchanged. */
		FUZZ_REQUIRE(rd->set.n == 1 && rd->set.v[0] == SENTINEL_ASN);
	}
}

static int
same_set(const upm_asn_list *a, const upm_asn_list *b)
{
	return a->n == b->n &&
	    (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0);
}

/* The same file read three ways: without the target, with a 64-byte
 * buffer (always enough) and with a 4-byte one (refused when too short). */
static void
read_three_ways(void)
{
	struct reading none, full, shortbuf;

	read_once(&none, 0);
	read_once(&full, sizeof(full.target));
	read_once(&shortbuf, 4);
	FUZZ_REQUIRE(full.st == none.st);
	if (none.st == UPM_OK) {
		FUZZ_REQUIRE(same_set(&none.set, &full.set));
		if (strlen(full.target) < 4) {
			FUZZ_REQUIRE(shortbuf.st == UPM_OK);
			FUZZ_REQUIRE(strcmp(shortbuf.target, full.target) == 0);
			FUZZ_REQUIRE(same_set(&none.set, &shortbuf.set));
		} else {
			FUZZ_REQUIRE(shortbuf.st == UPM_ERR_ARG);
		}
	} else {
		FUZZ_REQUIRE(shortbuf.st == none.st);
	}
	upm_asn_list_free(&none.set);
	upm_asn_list_free(&full.set);
	upm_asn_list_free(&shortbuf.set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	store_input(data, size);
	read_three_ways();
	return 0;
}
