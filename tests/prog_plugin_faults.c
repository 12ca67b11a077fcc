/*
 * prog_plugin_faults.c - the collectd plugin driven line by line, for the
 * fault matrix through the plugin (tests/e2e_plugin_faults.sh).  The plugin
 * source is compiled in after the stubs of collectd's API
 * (plugin_stubs.h), which record what it logs and dispatches.
 *
 *   prog_plugin_faults BASE-URL TARGET...
 *
 * TARGET is NAME:Key=value;Key=value... and becomes <Target "NAME"> with
 * those keys (a value that is a whole number goes in as a number, the rest
 * as strings).  The plugin block itself gets RipestatURL BASE-URL, Timeout
 * 3, Retries 1, MaxSize 1000000 and MaxAge 0 (recorded data).
 *
 * Commands on stdin, one per line:
 *   read [NAME]   runs the read callback of NAME (default: the first
 *                 target) at once, past the plugin's pacing of a failing
 *                 source; prints every log line as "# log LEVEL TEXT",
 *                 then "rc=N values=N success=N errors=N notes=N
 *                 upstreams=N last_error=TEXT" (one line): the return
 *                 value, values dispatched, the value bool-read_success
 *                 (-1: none), LOG_ERR lines, notifications, the value
 *                 count-upstreams dispatched (-1: none) and the last
 *                 LOG_ERR line, all since the previous command
 *   url URL       points every target at URL (e.g. a closed port)
 *   quit          runs the free and shutdown callbacks and exits 0
 * Anything else prints "error=..." and goes on.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include "plugin_stubs.h"

#include "../collectd-plugin/upstreams.c"
#include "plugin_wait.h"

#define MAX_TARGETS 8
#define LINE_MAX_LEN 4096

/* ---------------------------------------------- configuration tree */

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return d;
}

/* A child "key value" of parent; the value is a number when the whole
 * text is one, else a string.  Room for the children was made by the
 * caller. */
static void
add_item(oconfig_item_t *parent, const char *key, const char *value)
{
	oconfig_item_t *ci = &parent->children[parent->children_num++];
	char *end;
	double d;

	ci->key = xstrdup(key);
	ci->values = xcalloc(1, sizeof(*ci->values));
	ci->values_num = 1;
	errno = 0;
	d = strtod(value, &end);
	if (value[0] != '\0' && *end == '\0' && errno == 0) {
		ci->values[0].type = OCONFIG_TYPE_NUMBER;
		ci->values[0].value.number = d;
	} else {
		ci->values[0].type = OCONFIG_TYPE_STRING;
		ci->values[0].value.string = xstrdup(value);
	}
}

/* "NAME:Key=value;Key=value" into a <Target "NAME"> child of plugin;
 * -1 when it is not of that form. */
static int
add_target(oconfig_item_t *plugin, const char *spec)
{
	char *copy = xstrdup(spec), *colon, *kv, *next, *eq;
	oconfig_item_t *t;
	size_t n = 1;
	const char *p;

	if ((colon = strchr(copy, ':')) == NULL || colon == copy) {
		free(copy);
		return -1;
	}
	*colon = '\0';
	for (p = colon + 1; *p != '\0'; p++)
		n += *p == ';';
	t = &plugin->children[plugin->children_num];
	add_item(plugin, "Target", copy);
	t->children = xcalloc(n, sizeof(*t->children));
	for (kv = colon + 1; kv != NULL && *kv != '\0'; kv = next) {
		if ((next = strchr(kv, ';')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(kv, '=')) == NULL || eq == kv) {
			free(copy);
			return -1;
		}
		*eq = '\0';
		add_item(t, kv, eq + 1);
	}
	free(copy);
	return 0;
}

/* The <Plugin upstreams> block for BASE-URL and the target specs. */
static oconfig_item_t *
make_config(const char *url, char *const *specs, int n_specs)
{
	oconfig_item_t *plugin = xcalloc(1, sizeof(*plugin));
	int i;

	plugin->key = xstrdup("Plugin");
	plugin->values = xcalloc(1, sizeof(*plugin->values));
	plugin->values_num = 1;
	plugin->values[0].type = OCONFIG_TYPE_STRING;
	plugin->values[0].value.string = xstrdup(PLUGIN_NAME);
	plugin->children = xcalloc((size_t)n_specs + 5,
	    sizeof(*plugin->children));
	add_item(plugin, "RipestatURL", url);
	add_item(plugin, "Timeout", "3");
	add_item(plugin, "Retries", "1");
	add_item(plugin, "MaxSize", "1000000");
	add_item(plugin, "MaxAge", "0");   /* recorded data, old by design */
	for (i = 0; i < n_specs; i++)
		if (add_target(plugin, specs[i]) != 0) {
			fprintf(stderr, "bad target '%s' (NAME:Key=value;...)\n",
			    specs[i]);
			stub_free_config_item(plugin);
			free(plugin);
			return NULL;
		}
	return plugin;
}

/* ------------------------------------------------------- commands */

/* Text on one output line: control characters become '?'. */
static void
print_line_text(const char *s)
{
	for (; *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	putchar('\n');
}

/* What the last command made the plugin do; target names the plugin
 * instance whose upstream count is shown (-1: none dispatched). */
static void
report(int rc, const char *target)
{
	const struct stub_value *count, *success;
	const char *last_error = "";
	size_t i;

	for (i = 0; i < stub.n_logs; i++) {
		printf("# log %d ", stub.logs[i].level);
		print_line_text(stub.logs[i].text);
		if (stub.logs[i].level == LOG_ERR)
			last_error = stub.logs[i].text;
	}
	count = stub_value(target, "count", "upstreams");
	success = stub_value(target, "bool", "read_success");
	printf("rc=%d values=%zu success=%g errors=%zu notes=%zu upstreams=%g "
	    "last_error=", rc, stub.n_values, success != NULL ? success->value :
	    -1.0, stub_logged(LOG_ERR, ""), stub.n_notes, count != NULL ?
	    count->value : -1.0);
	print_line_text(last_error);
}

static void
command_read(const char *name)
{
	const struct stub_read *r;
	char cb[sizeof(PLUGIN_NAME) + TARGET_NAME_MAX + 2];
	user_data_t ud;

	if (name[0] == '\0') {
		r = stub.n_reads > 0 ? &stub.reads[0] : NULL;
	} else {
		(void)snprintf(cb, sizeof(cb), PLUGIN_NAME "-%s", name);
		r = stub_find_read(cb);
	}
	if (r == NULL) {
		printf("error=no such target '%s'\n", name);
		return;
	}
	ud = r->ud;
	((struct up_target *)ud.data)->next_try = 0;   /* past the pacing */
	report(read_and_wait(&ud), ((const struct up_target *)ud.data)->name);
}

/* Every target reads from url from now on. */
static void
command_url(const char *url)
{
	size_t i;
	char *copy;

	for (i = 0; i < stub.n_reads; i++) {
		struct up_target *t = stub.reads[i].ud.data;

		if ((copy = strdup(url)) == NULL) {
			printf("error=out of memory\n");
			return;
		}
		pthread_mutex_lock(&t->lock);
		free(t->ripestat_url);
		t->ripestat_url = copy;
		pthread_mutex_unlock(&t->lock);
	}
	printf("url=%s\n", url);
}

/* One command; 0 to go on, 1 after quit. */
static int
command(char *line)
{
	size_t len = strcspn(line, "\r\n");

	line[len] = '\0';
	stub_clear_records();
	if (strcmp(line, "quit") == 0)
		return 1;
	if (strcmp(line, "read") == 0)
		command_read("");
	else if (strncmp(line, "read ", 5) == 0)
		command_read(line + 5);
	else if (strncmp(line, "url ", 4) == 0)
		command_url(line + 4);
	else
		printf("error=unknown command\n");
	return 0;
}

int
main(int argc, char **argv)
{
	char line[LINE_MAX_LEN];
	oconfig_item_t *ci;
	int rc;

	if (argc < 3 || argc - 2 > MAX_TARGETS) {
		fprintf(stderr, "usage: prog_plugin_faults BASE-URL "
		    "NAME:Key=value;... (1..%d targets)\n", MAX_TARGETS);
		return 2;
	}
	module_register();
	if (stub.init_cb() != 0) {
		fprintf(stderr, "init callback failed\n");
		return 1;
	}
	if ((ci = make_config(argv[1], argv + 2, argc - 2)) == NULL)
		return 2;
	rc = stub.config_cb(ci);
	stub_free_config_item(ci);
	free(ci);
	if (rc != 0 || stub.n_reads != (size_t)(argc - 2)) {
		report(rc, "");
		fprintf(stderr, "configuration refused\n");
		stub_free_reads();
		(void)stub.shutdown_cb();
		return 1;
	}
	printf("ready targets=%zu\n", stub.n_reads);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (command(line) != 0)
			break;
		fflush(stdout);
	}
	stub_free_reads();
	rc = stub.shutdown_cb();
	printf("bye rc=%d\n", rc);
	return 0;
}
