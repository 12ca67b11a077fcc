/*
 * extra_opts.c - "--extra-opts=[section][@file]": options from an INI file,
 * as the Monitoring Plugins do it, so one file can keep the arguments (URLs,
 * thresholds) that every service would otherwise repeat.
 *
 * Strict on purpose: a file or section that cannot be found and any line
 * that is not a comment, a section header or an option is an error, so a
 * typo never silently drops an option from a running check.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extra_opts.h"

#define OPT_NAME "--extra-opts"
#define KEY_NAME "extra-opts"     /* the same, as an INI key */
/* The largest file read: a Monitoring Plugins INI file of every check of
 * a site is a few KiB; 1 MiB leaves room and bounds the memory. */
#define XO_MAX_FILE ((size_t)1024 * 1024)

/* The locations the Monitoring Plugins search, newest convention first. */
static const char *const default_files[] = {
	"/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins.ini",
	"/etc/monitoring-plugins/monitoring-plugins.ini",
	"/etc/monitoring-plugins.ini",
	"/etc/nagios/plugins.ini",
	"/usr/local/nagios/etc/plugins.ini",
	"/usr/local/etc/nagios/plugins.ini",
	"/etc/opt/nagios/plugins.ini",
	"/etc/nagios-plugins.ini",
	"/usr/local/etc/nagios-plugins.ini",
	"/etc/opt/nagios-plugins.ini",
	NULL
};

/* File names tried in each directory of $NAGIOS_CONFIG_PATH. */
static const char *const path_names[] = {
	"monitoring-plugins.ini", "plugins.ini", "nagios-plugins.ini", NULL
};

/* A growing, NULL-terminated vector of strings it owns. */
struct vec {
	char **v;
	size_t n, cap;
};

static int
vec_push_owned(struct vec *a, char *s, upm_error *err)
{
	char **p;
	size_t cap;

	if (s == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	if (a->n + 2 > a->cap) {
		cap = a->cap ? a->cap * 2 : 16;
		if (cap > (size_t)INT_MAX ||
		    (p = realloc(a->v, cap * sizeof(*p))) == NULL) {
			free(s);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
		}
		a->v = p;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

static int
vec_push(struct vec *a, const char *s, upm_error *err)
{
	return vec_push_owned(a, strdup(s), err);
}

void
xo_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/* ------------------------------------------------------------ INI lines */

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static int
valid_key(const char *k)
{
	if (*k == '\0' || *k == '-')
		return 0;
	for (; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		    (*k >= '0' && *k <= '9') || *k == '-' || *k == '_'))
			return 0;
	return 1;
}

/* "[name]": 1 with *name set, 0 when not a header, -1 when malformed. */
static int
parse_header(char *line, char **name)
{
	char *close;

	if (line[0] != '[')
		return 0;
	if ((close = strchr(line, ']')) == NULL || *trim(close + 1) != '\0')
		return -1;
	*close = '\0';
	*name = trim(line + 1);
	return **name != '\0' && strchr(*name, '[') == NULL ? 1 : -1;
}

/* "key", "key=value" or "key = \"value\"" into "--key[=value]"; a key
 * alone that needs_value says takes a value is refused (*bare set), since
 * it would take the next argument as its value. */
static char *
option_from_line(char *line, int (*needs_value)(const char *key),
    const char **why, int *bare)
{
	char *eq = strchr(line, '='), *key = line, *value = NULL, *opt;
	size_t len, vlen;

	if (eq != NULL) {
		*eq = '\0';
		value = trim(eq + 1);
		vlen = strlen(value);
		/* Quotes keep leading or trailing blanks of a value. */
		if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
			value[vlen - 1] = '\0';
			value++;
		}
	}
	key = trim(key);
	if (!valid_key(key)) {
		*why = "not an option (key[=value]) or [section]";
		return NULL;
	}
	if (strcmp(key, KEY_NAME) == 0) {
		*why = "extra-opts cannot be nested";
		return NULL;
	}
	if (value == NULL && needs_value != NULL && needs_value(key)) {
		*bare = 1;
		*why = key;
		return NULL;
	}
	len = strlen(key) + 3 + (value ? strlen(value) + 1 : 0);
	if ((opt = malloc(len)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (value != NULL)
		(void)snprintf(opt, len, "--%s=%s", key, value);
	else
		(void)snprintf(opt, len, "--%s", key);
	return opt;
}

/* What reading one file is after, and what it found so far. */
struct reader {
	const char *file;
	const char *section;
	int in_section, found;
	int seen_header;
	int (*needs_value)(const char *key);
};

/* One line (NUL-free, end of line included); 0 or -1 with err filled. */
static int
read_line(struct reader *r, struct vec *out, char *raw, long lineno,
    upm_error *err)
{
	char *line = trim(raw), *name, *opt;
	const char *why = "malformed [section] header";
	int h, bare = 0;

	if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line = trim(line + 3);      /* a byte order mark from an editor */
	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	if ((h = parse_header(line, &name)) == 1) {
		r->seen_header = 1;
		r->in_section = strcmp(name, r->section) == 0;
		r->found |= r->in_section;
		return 0;
	}
	if (h == 0 && !r->seen_header)
		why = "option before any [section]";
	else if (h == 0 && (opt = option_from_line(line, r->in_section ?
	    r->needs_value : NULL, &why, &bare)) != NULL) {
		if (!r->in_section) {
			free(opt);
			return 0;
		}
		return vec_push_owned(out, opt, err);
	}
	if (bare)
		return upm_fail(err, UPM_ERR_ARG, "%s:%ld: %s needs a value "
		    "(%s=VALUE); a key alone is only for an option without "
		    "one", r->file, lineno, why, why), -1;
	return upm_fail(err, UPM_ERR_ARG, "%s:%ld: %s", r->file, lineno, why),
	    -1;
}

/* Appends the options of [section] in file; every line is checked.  The
 * file is read whole, at most XO_MAX_FILE bytes, and only when it is a
 * regular file (a FIFO or /dev/zero is refused, never waited on). */
static int
read_section(struct vec *out, const char *file, const char *section,
    int (*needs_value)(const char *key), upm_error *err)
{
	struct reader r = { file, section, 0, 0, 0, needs_value };
	upm_buf buf;
	char *p, *end, *nl;
	long lineno = 0;
	int rc = 0;

	upm_buf_init(&buf);
	if (upm_file_read_capped(file, XO_MAX_FILE, 0, OPT_NAME " file", &buf,
	    NULL, err) != UPM_OK) {
		upm_buf_free(&buf);
		return -1;
	}
	p = buf.data;
	end = p + buf.len;
	while (rc == 0 && p != NULL && p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';       /* the buffer has a NUL past its end */
		if (strlen(p) != (size_t)(nl - p)) {
			upm_fail(err, UPM_ERR_ARG, "%s:%ld: NUL byte", file, lineno);
			rc = -1;
		} else {
			rc = read_line(&r, out, p, lineno, err);
		}
		p = nl + 1;
	}
	if (rc == 0 && !r.found) {
		upm_fail(err, UPM_ERR_ARG, "no section [%s] in %s", section, file);
		rc = -1;
	}
	upm_buf_free(&buf);
	return rc;
}

/* ------------------------------------------------------ finding the file */

static int
is_regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The first existing file in the directories of $NAGIOS_CONFIG_PATH. */
static char *
find_in_config_path(upm_error *err, int *nomem)
{
	const char *path = getenv("NAGIOS_CONFIG_PATH");
	char *dirs, *dir, *save = NULL, *found = NULL, cand[PATH_MAX];

	*nomem = 0;
	if (path == NULL || *path == '\0')
		return NULL;
	if ((dirs = strdup(path)) == NULL) {
		*nomem = 1;
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), NULL;
	}
	for (dir = strtok_r(dirs, ":", &save); dir != NULL && found == NULL;
	    dir = strtok_r(NULL, ":", &save))
		for (size_t i = 0; path_names[i] != NULL && found == NULL; i++) {
			int n = snprintf(cand, sizeof(cand), "%s/%s", dir,
			    path_names[i]);
			if (n > 0 && (size_t)n < sizeof(cand) &&
			    is_regular_file(cand))
				found = cand;
		}
	free(dirs);
	if (found != NULL && (found = strdup(found)) == NULL) {
		*nomem = 1;
		upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	return found;
}

/* The default file (caller frees), or NULL with err filled. */
static char *
find_default_file(upm_error *err)
{
	const char *env = getenv("MP_CONFIG_FILE");
	char *found;
	int nomem;

	if (env != NULL && *env != '\0' && is_regular_file(env))
		return strdup(env);
	if ((found = find_in_config_path(err, &nomem)) != NULL || nomem)
		return found;
	for (size_t i = 0; default_files[i] != NULL; i++)
		if (is_regular_file(default_files[i]))
			return strdup(default_files[i]);
	upm_fail(err, UPM_ERR_ARG, "--extra-opts: no configuration file found "
	    "(set MP_CONFIG_FILE or give @FILE; tried NAGIOS_CONFIG_PATH, %s, "
	    "%s, ...)", default_files[0], default_files[4]);
	return NULL;
}

/* -------------------------------------------------------- the arguments */

/* Length of the --extra-opts at argv[i] in arguments (0: not one) and its
 * value in *spec (NULL when none was given). */
static int
extra_opts_at(int argc, char **argv, int i, const char **spec)
{
	const char *a = argv[i];
	size_t n = strlen(OPT_NAME);

	*spec = NULL;
	if (strncmp(a, OPT_NAME, n) != 0)
		return 0;
	if (a[n] == '=') {
		*spec = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	/* "--extra-opts SECTION": the check takes no operands, so a next
	 * argument that is not an option can only be the section. */
	if (i + 1 < argc && argv[i + 1][0] != '-') {
		*spec = argv[i + 1];
		return 2;
	}
	return 1;
}

/* Reads the options one "[section][@file]" names into out. */
static int
load_spec(struct vec *out, const char *spec, const char *progname,
    int (*needs_value)(const char *key), upm_error *err)
{
	const char *at = spec ? strchr(spec, '@') : NULL;
	char *section, *file;
	int rc;

	if (at != NULL && at[1] == '\0')
		return upm_fail(err, UPM_ERR_ARG, "--extra-opts: empty file name "
		    "after '@'"), -1;
	if (spec == NULL || spec == at || *spec == '\0')
		section = strdup(progname);
	else
		section = at ? strndup(spec, (size_t)(at - spec)) : strdup(spec);
	if (section == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory"), -1;
	file = at ? strdup(at + 1) : find_default_file(err);
	if (file == NULL) {
		free(section);
		if (at != NULL)
			upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return -1;
	}
	rc = read_section(out, file, section, needs_value, err);
	free(section);
	free(file);
	return rc;
}

int
xo_extra_opts(int argc, char **argv, const char *progname,
    int (*needs_value)(const char *key), int *new_argc, char ***new_argv,
    upm_error *err)
{
	struct vec out = { NULL, 0, 0 };
	const char *spec;
	int i, n, end = argc;

	if (argc < 1 || vec_push(&out, argv[0], err) != 0)
		goto fail;
	/* Everything after "--" is an operand, never an --extra-opts. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			break;
		}
	for (i = 1; i < end; i += n ? n : 1)
		if ((n = extra_opts_at(end, argv, i, &spec)) > 0 &&
		    load_spec(&out, spec, progname, needs_value, err) != 0)
			goto fail;
	for (i = 1; i < argc; i += n ? n : 1) {
		n = i < end ? extra_opts_at(end, argv, i, &spec) : 0;
		if (n == 0 && vec_push(&out, argv[i], err) != 0)
			goto fail;
	}
	*new_argc = (int)out.n;
	*new_argv = out.v;
	return 0;
fail:
	if (argc < 1)
		upm_fail(err, UPM_ERR_ARG, "no program name");
	xo_argv_free(out.v);
	return -1;
}
