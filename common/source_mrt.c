/*
 * source_mrt.c - the source "mrt": archive files through bgpdump -m.
 *
 * bgpdump exits 0 on a truncated file and skips record types it does not
 * know without a word, so every file's record headers are walked first
 * (decompressed with zlib or libbz2 as bgpdump does); only a file that
 * walks cleanly is handed to the child.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>

#include "mrt.h"

/* MRT types bgpdump reads (RFC 6396): TABLE_DUMP, TABLE_DUMP_V2, BGP4MP,
 * BGP4MP_ET. */
#define MRT_TABLE_DUMP 12
#define MRT_TABLE_DUMP_V2 13
#define MRT_BGP4MP 16
#define MRT_BGP4MP_ET 17
/* A record longer than this is not one bgpdump reads either. */
#define MRT_MAX_RECORD (1u << 24)
#define STDERR_CAP 1024
/* An updates file may start at most this long (seconds) after the file
 * before it ended (README, man page). */
#define UPM_MRT_MAX_GAP (24 * 3600)

/* --------------------------------------------------- the header walk */

typedef struct {
	gzFile gz;
	BZFILE *bz;
	FILE *f;
	int bzerr;
} reader;

/* Bytes read into buf (up to len), 0 at the end, -1 on an error (a
 * damaged stream, or one cut short: zlib's Z_BUF_ERROR, "unexpected end of
 * file", is no error to gzread, which then reads 0 bytes; a gzip stream
 * sync-flushed and cut at a record has no trailer and would pass). */
static long
rd(reader *r, void *buf, size_t len)
{
	if (r->bz != NULL) {
		int n = BZ2_bzRead(&r->bzerr, r->bz, buf, (int)len);
		if (r->bzerr != BZ_OK && r->bzerr != BZ_STREAM_END)
			return -1;
		return n;
	}
	int n = gzread(r->gz, buf, (unsigned)len), errnum = Z_OK;
	if (n == 0)
		(void)gzerror(r->gz, &errnum);
	return n < 0 || errnum != Z_OK ? -1 : n;
}

/* Fills buf: 1, 0 at a clean end before any byte, -2 cut short, -1 error. */
static int
rd_exact(reader *r, unsigned char *buf, size_t len)
{
	size_t got = 0;
	long n;

	while (got < len) {
		if ((n = rd(r, buf + got, len - got)) < 0)
			return -1;
		if (n == 0)
			return got == 0 ? 0 : -2;
		got += (size_t)n;
	}
	return 1;
}

/* Opens path without blocking (a FIFO with no writer would hold the
 * check past -t) and takes regular files only; -1 with errno, or -2 for
 * something that is not a regular file. */
static int
open_reader(const char *path, reader *r, upm_error *err)
{
	unsigned char magic[3] = { 0 };
	FILE *f;
	int fd;

	memset(r, 0, sizeof(*r));
	if ((fd = upm_file_open_regular(path, 0, "MRT file", NULL, err)) < 0)
		return -2;
	if (read(fd, magic, 3) == 3 && memcmp(magic, "BZh", 3) == 0) {
		if (lseek(fd, 0, SEEK_SET) != 0 ||
		    (f = fdopen(fd, "rb")) == NULL) {
			close(fd);
			return -1;
		}
		r->f = f;
		r->bz = BZ2_bzReadOpen(&r->bzerr, f, 0, 0, NULL, 0);
		return r->bz != NULL && r->bzerr == BZ_OK ? 0 : -1;
	}
	/* zlib reads plain files as they are. */
	if (lseek(fd, 0, SEEK_SET) != 0 ||
	    (r->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return -1;
	}
	return 0;
}

/* 0, or -1 when closing found the stream cut short or damaged. */
static int
close_reader(reader *r)
{
	int rc = 0;

	if (r->bz != NULL)
		BZ2_bzReadClose(&r->bzerr, r->bz);
	if (r->f != NULL)
		fclose(r->f);
	if (r->gz != NULL && gzclose(r->gz) != Z_OK)
		rc = -1;
	return rc;
}

upm_status
upm_mrt_walk(const char *path, upm_mrt_file *info, upm_error *err)
{
	unsigned char hdr[12], skip[8192];
	reader r;
	upm_status st = UPM_OK;
	int rc, in_body = 0;

	memset(info, 0, sizeof(*info));
	if (path == NULL || path[0] == '\0')
		return upm_fail(err, UPM_ERR_ARG, "an empty MRT file name");
	errno = 0;
	if ((rc = open_reader(path, &r, err)) != 0) {
		if (rc == -2)
			st = UPM_ERR_IO;   /* named in err */
		else
			st = upm_fail(err, UPM_ERR_IO, "%.200s: %s", path,
			    errno ? strerror(errno) : "cannot open");
		(void)close_reader(&r);
		return st;
	}
	while ((rc = rd_exact(&r, hdr, sizeof(hdr))) == 1) {
		uint32_t t = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		    (uint32_t)hdr[2] << 8 | hdr[3];
		unsigned type = (unsigned)hdr[4] << 8 | hdr[5];
		uint32_t len = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 |
		    (uint32_t)hdr[10] << 8 | hdr[11];

		in_body = 0;
		if (type != MRT_TABLE_DUMP && type != MRT_TABLE_DUMP_V2 &&
		    type != MRT_BGP4MP && type != MRT_BGP4MP_ET) {
			if (info->records == 0)
				st = upm_fail(err, UPM_ERR_IO, "%.200s: not an "
				    "MRT file, or one bgpdump does not read: "
				    "its first record has MRT type %u", path,
				    type);
			else
				st = upm_fail(err, UPM_ERR_IO, "%.200s: record "
				    "%llu has MRT type %u, which bgpdump does "
				    "not read", path,
				    (unsigned long long)info->records + 1, type);
			break;
		}
		if (len > MRT_MAX_RECORD) {
			st = upm_fail(err, UPM_ERR_IO, "%.200s: %srecord %llu "
			    "claims %lu bytes", path, info->records == 0 ?
			    "not an MRT file: " : "",
			    (unsigned long long)info->records + 1,
			    (unsigned long)len);
			break;
		}
		if (info->records == 0)
			info->first = t;
		info->last = t;
		info->records++;
		in_body = 1;
		if (type == MRT_TABLE_DUMP || type == MRT_TABLE_DUMP_V2)
			info->dump = 1;
		else
			info->updates = 1;
		while (len > 0 && rc == 1) {
			size_t n = len < sizeof(skip) ? len : sizeof(skip);
			rc = rd_exact(&r, skip, n);
			len -= (uint32_t)n;
		}
		if (rc != 1) {
			rc = rc == 0 ? -2 : rc;
			break;
		}
	}
	/* A header cut short is the next record's; a body the current one. */
	if (st == UPM_OK && rc == -2 && info->records == 0)
		st = upm_fail(err, UPM_ERR_IO, "%.200s: not an MRT file (shorter "
		    "than one record header)", path);
	else if (st == UPM_OK && rc == -2)
		st = upm_fail(err, UPM_ERR_IO, "%.200s: truncated in record "
		    "%llu", path, (unsigned long long)info->records +
		    (in_body ? 0 : 1));
	else if (st == UPM_OK && rc == -1)
		st = upm_fail(err, UPM_ERR_IO, "%.200s: truncated or damaged "
		    "compressed file (after %llu records)", path,
		    (unsigned long long)info->records);
	else if (st == UPM_OK && info->records == 0)
		st = upm_fail(err, UPM_ERR_NODATA, "%.200s: no MRT record", path);
	if (close_reader(&r) != 0 && st == UPM_OK)
		st = upm_fail(err, UPM_ERR_IO, "%.200s: truncated or damaged "
		    "compressed file (after %llu records)", path,
		    (unsigned long long)info->records);
	return st;
}

/* ------------------------------------------------- bgpdump's lines */

/* Splits line at '|' into at most max fields; the count. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		if ((p = strchr(p, '|')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int
upm_mrt_line(char *line, upm_aspath *p, const upm_sink *sink, int64_t *time)
{
	char *f[8], session[80];
	size_t n;
	uint64_t t, v;
	upm_event ev;

	n = split(line, f, 8);
	if (n < 6 || parse_u64(f[1], &t) != 0 || t > INT64_MAX)
		return 0;
	*time = (int64_t)t;
	memset(&ev, 0, sizeof(ev));
	ev.time = (int64_t)t;
	if (snprintf(session, sizeof(session), "mrt/%s", f[3]) >=
	    (int)sizeof(session))
		return 0;
	ev.session = session;
	if (parse_u64(f[4], &v) == 0 && v <= UINT32_MAX)
		ev.peer_asn = (uint32_t)v;
	if (strcmp(f[2], "STATE") == 0) {
		/* Leaving Established (6): the session's routes are gone. */
		if (strcmp(f[5], "6") != 0 || n < 7 || strcmp(f[6], "6") == 0)
			return 0;
		ev.kind = UPM_EV_SESSION_DOWN;
	} else if (strcmp(f[2], "W") == 0) {
		ev.kind = UPM_EV_WITHDRAW;
		ev.prefix = f[5];
	} else if (strcmp(f[2], "A") == 0 || strcmp(f[2], "B") == 0) {
		if (n < 7)
			return 0;
		ev.kind = UPM_EV_ANNOUNCE;
		ev.prefix = f[5];
		upm_aspath_reset(p);
		if (upm_aspath_text(p, f[6]) != UPM_OK)
			return -1;
		ev.unusable = p->unusable || p->n == 0;
		ev.path = ev.unusable ? NULL : p->v;
		ev.path_len = ev.unusable ? 0 : p->n;
	} else
		return 0;
	return sink->event(sink->ctx, &ev) != 0 ? -1 : 0;
}

/* ----------------------------------------------------- the child */

/* The program's path on PATH into buf; -1 when there is none. */
static int
find_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;

	for (p = path; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		int k;

		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		k = snprintf(buf, len, "%.*s/%s", (int)(e - p), p, name);
		if (k > 0 && (size_t)k < len && access(buf, X_OK) == 0)
			return 0;
	}
	return -1;
}

typedef struct {
	upm_rib *rib;
	upm_sink sink;
	upm_buf line;
	upm_aspath path;
	char errtext[STDERR_CAP + 1];
	size_t errlen;
	uint64_t lines;
	int stopped;
} child_io;

static void
take_lines(child_io *io, const char *buf, size_t len)
{
	int64_t t;

	/* A line at a time (memchr), not a byte at a time: this loop sees
	 * every line of the archive. */
	while (len > 0 && !io->stopped) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - buf) : len;

		if (upm_buf_append(&io->line, buf, n) != UPM_OK) {
			io->stopped = 1;
			break;
		}
		buf += n;
		len -= n;
		if (nl == NULL)
			break;
		buf++;
		len--;
		if (upm_buf_append(&io->line, "", 1) != UPM_OK) {
			io->stopped = 1;
			break;
		}
		io->lines++;
		if (upm_mrt_line(io->line.data, &io->path, &io->sink, &t) != 0)
			io->stopped = 1;
		io->line.len = 0;
	}
}

/* Runs bgpdump -m file into io; the child's exit status in *status. */
static upm_status
run_child(const char *prog, const char *file, int64_t deadline_ms,
    child_io *io, int *status, upm_error *err)
{
	int out[2], errp[2], open_fds = 2;
	pid_t pid;
	char buf[65536];
	upm_status st = UPM_OK;

	if (pipe(out) != 0)
		return upm_fail(err, UPM_ERR_IO, "pipe: %s", strerror(errno));
	if (pipe(errp) != 0) {
		close(out[0]);
		close(out[1]);
		return upm_fail(err, UPM_ERR_IO, "pipe: %s", strerror(errno));
	}
	if ((pid = fork()) < 0) {
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		return upm_fail(err, UPM_ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		(void)setpgid(0, 0);
		if (dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(errp[1], STDERR_FILENO) < 0)
			_exit(127);
		close(out[0]);
		close(errp[0]);
		close(out[1]);
		close(errp[1]);
		execl(prog, "bgpdump", "-m", file, (char *)NULL);
		_exit(127);
	}
	(void)setpgid(pid, pid);
	close(out[1]);
	close(errp[1]);
	struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
	while (open_fds > 0) {
		int wait_ms = -1;
		if (deadline_ms > 0) {
			int64_t left = deadline_ms - upm_clock_ms();
			if (left <= 0) {
				st = upm_fail(err, UPM_ERR_TIMEOUT, "bgpdump on "
				    "%.200s did not finish in time", file);
				break;
			}
			wait_ms = left > 60000 ? 60000 : (int)left;
		}
		if (poll(pf, 2, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			st = upm_fail(err, UPM_ERR_IO, "poll: %s", strerror(errno));
			break;
		}
		for (int k = 0; k < 2; k++) {
			ssize_t n;
			if (pf[k].fd < 0 || !(pf[k].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			n = read(pf[k].fd, buf, sizeof(buf));
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(pf[k].fd);
				pf[k].fd = -1;
				open_fds--;
			} else if (k == 0)
				take_lines(io, buf, (size_t)n);
			else {
				size_t room = STDERR_CAP - io->errlen;
				size_t c = (size_t)n < room ? (size_t)n : room;
				memcpy(io->errtext + io->errlen, buf, c);
				io->errlen += c;
			}
		}
		if (io->stopped) {
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
			break;
		}
	}
	if (st != UPM_OK)
		(void)kill(-pid, SIGKILL);
	for (int k = 0; k < 2; k++)
		if (pf[k].fd >= 0)
			close(pf[k].fd);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	io->errtext[io->errlen] = '\0';
	return st;
}

/* The child's stderr without bgpdump's own chatter, one line. */
static const char *
child_says(child_io *io)
{
	char *p = io->errtext, *line, *save = NULL, *keep = NULL;

	for (line = strtok_r(p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "logging to syslog") == NULL && keep == NULL)
			keep = line;
	return keep ? keep : "no message";
}

/* The header walk of one file in a thread of its own, beside bgpdump
 * reading the same file: the walk costs a decompression, which then
 * overlaps bgpdump's instead of coming before it. */
struct walk_job {
	const char *path;
	upm_mrt_file info;
	upm_error err;
	upm_status st;
};

static void *
walk_thread(void *arg)
{
	struct walk_job *w = arg;

	w->st = upm_mrt_walk(w->path, &w->info, &w->err);
	return NULL;
}

upm_status
upm_mrt_read(const char *const *files, size_t n, const char *bgpdump_path,
    int64_t deadline_ms, upm_rib *rib, upm_mrt_stats *stats,
    upm_error *err)
{
	char prog[4096];
	upm_mrt_file prev, cur;
	upm_status st = UPM_OK;
	child_io io;

	memset(stats, 0, sizeof(*stats));
	memset(&prev, 0, sizeof(prev));
	if (n == 0)
		return upm_fail(err, UPM_ERR_ARG, "no MRT file");
	if (bgpdump_path != NULL) {
		if (snprintf(prog, sizeof(prog), "%s", bgpdump_path) >=
		    (int)sizeof(prog) || access(prog, X_OK) != 0)
			return upm_fail(err, UPM_ERR_IO, "bgpdump not found at "
			    "%.200s", bgpdump_path);
	} else if (find_program("bgpdump", prog, sizeof(prog)) != 0)
		return upm_fail(err, UPM_ERR_IO, "bgpdump not found on PATH: "
		    "install the package bgpdump to read MRT files");
	for (size_t i = 0; i < n && st == UPM_OK; i++) {
		struct walk_job walk;
		struct stat sb;
		pthread_t th;
		int status = 0, threaded;

		memset(&walk, 0, sizeof(walk));
		walk.path = files[i];
		/* Not a regular file (a FIFO would hold bgpdump's open), or
		 * no thread: the walk first, alone, as it was. */
		threaded = stat(files[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
		    pthread_create(&th, NULL, walk_thread, &walk) == 0;
		if (!threaded)
			walk_thread(&walk);
		memset(&io, 0, sizeof(io));
		io.rib = rib;
		io.sink.event = upm_rib_sink_event;
		io.sink.ctx = rib;
		upm_buf_init(&io.line);
		/* What bgpdump gave counts only once the walk has passed the
		 * file: any failure below fails the whole read. */
		if (!threaded && walk.st != UPM_OK)
			st = UPM_ERR_IO;
		else
			st = run_child(prog, files[i], deadline_ms, &io, &status,
			    err);
		if (threaded)
			(void)pthread_join(th, NULL);
		if (walk.st != UPM_OK) {
			upm_buf_free(&io.line);
			upm_aspath_free(&io.path);
			if (err != NULL)
				*err = walk.err;
			return walk.st;
		}
		cur = walk.info;
		if (i > 0 && (cur.first < prev.first ||
		    (prev.updates && cur.first < prev.last)))
			st = upm_fail(err, UPM_ERR_ARG, "%.200s is out of time "
			    "order: it starts before the end of %.200s",
			    files[i], files[i - 1]);
		/* Updates long after the file before: the changes between
		 * are missing, and the table would mix the two times. */
		else if (i > 0 && cur.updates && !cur.dump &&
		    cur.first - prev.last > UPM_MRT_MAX_GAP)
			st = upm_fail(err, UPM_ERR_ARG, "%.200s starts %lld "
			    "hours after the end of %.200s, more than %d: the "
			    "updates between are missing (give them, or start "
			    "from a RIB dump nearer)", files[i],
			    (long long)((cur.first - prev.last) / 3600),
			    files[i - 1], UPM_MRT_MAX_GAP / 3600);
		if (i == 0) {
			stats->first = cur.first;
			stats->no_dump = !cur.dump;
		}
		stats->last = cur.last > stats->last ? cur.last : stats->last;
		stats->records += cur.records;
		upm_buf_free(&io.line);
		upm_aspath_free(&io.path);
		stats->lines += io.lines;
		if (st == UPM_OK && (!WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0))
			st = upm_fail(err, UPM_ERR_IO, "bgpdump failed on "
			    "%.200s: %.300s", files[i], child_says(&io));
		if (st == UPM_OK && io.lines == 0 && cur.records > 0)
			st = upm_fail(err, UPM_ERR_IO, "bgpdump read nothing "
			    "from %.200s: %.300s", files[i], child_says(&io));
		/* A dump, or a first updates file: the table so far is where
		 * the history starts. */
		if (st == UPM_OK && (cur.dump || i == 0))
			upm_rib_rebase(rib);
		stats->files++;
		prev = cur;
	}
	return st;
}
