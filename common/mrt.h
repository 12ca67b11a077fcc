/*
 * mrt.h - internal to libupstreams: the source "mrt", RIS and RouteViews
 * archive files (RIB dumps and updates, plain, gzip or bzip2) read through
 * bgpdump -m as a child process into a routing table (common/rib.h).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_MRT_H
#define UPM_MRT_H

#include "rib.h"

/* What the header walk found in one file. */
typedef struct {
	uint64_t records;
	int64_t first, last;   /* record times, Unix seconds */
	int dump;              /* holds RIB dump records (TABLE_DUMP, _V2) */
	int updates;           /* holds BGP4MP records */
} upm_mrt_file;

/* Walks the MRT record headers of path (12 bytes: time, type, subtype,
 * length; a check, not a parser), decompressing gzip (zlib) or bzip2
 * (libbz2) on the way.  UPM_ERR_IO naming the file for a file that cannot
 * be read, a truncated record or a record type bgpdump does not read;
 * UPM_ERR_NODATA for an empty file. */
upm_status upm_mrt_walk(const char *path, upm_mrt_file *info,
    upm_error *err);

/* One line of bgpdump -m as the event it is, to sink (session
 * "mrt/<peer address>"; p the path builder, reused).  Lines of other kinds are skipped (0); -1 when
 * the sink asked to stop; *time the line's second when it had one. */
int upm_mrt_line(char *line, upm_aspath *p, const upm_sink *sink,
    int64_t *time);

typedef struct {
	size_t files;
	uint64_t records;      /* MRT records walked */
	uint64_t lines;        /* lines bgpdump wrote */
	int64_t first, last;   /* times of the first and last record */
	int no_dump;           /* the first file was an updates file */
} upm_mrt_stats;

/* Reads files in order into rib: each walked first, then through the
 * program bgpdump (found on PATH; bgpdump_path overrides, may be NULL)
 * in its own process group, killed and reaped when deadline_ms (a time
 * of upm_clock_ms, 0 for none) passes; its stderr
 * kept up to 1 KiB for the error text.  The table after a dump, or after
 * the first file when it is an updates file (the table was still filling),
 * becomes the rib's starting point (upm_rib_rebase).  Files out of time
 * order are UPM_ERR_ARG; a missing bgpdump UPM_ERR_IO; the deadline
 * UPM_ERR_TIMEOUT. */
upm_status upm_mrt_read(const char *const *files, size_t n,
    const char *bgpdump_path, int64_t deadline_ms, upm_rib *rib,
    upm_mrt_stats *stats, upm_error *err);

#endif
