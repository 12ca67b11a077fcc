/*
 * plugin_stubs.h - stand-ins for the collectd daemon symbols the upstreams
 * plugin uses, so that the plugin source can be compiled into a unit test.
 * Every call is recorded for the test to look at.  Include this before the
 * plugin source, in one translation unit.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef PLUGIN_STUBS_H
#define PLUGIN_STUBS_H

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define STUB_MAX 512
#define STUB_TEXT 512

struct stub_read {
	char group[DATA_MAX_NAME_LEN];
	char name[DATA_MAX_NAME_LEN];
	plugin_read_cb callback;
	cdtime_t interval;
	user_data_t ud;
};

struct stub_log {
	int level;
	char text[STUB_TEXT];
};

struct stub_value {
	char host[DATA_MAX_NAME_LEN];
	char plugin[DATA_MAX_NAME_LEN];
	char plugin_instance[DATA_MAX_NAME_LEN];
	char type[DATA_MAX_NAME_LEN];
	char type_instance[DATA_MAX_NAME_LEN];
	cdtime_t time;
	gauge_t value;
};

struct stub_notification {
	int severity;
	char host[DATA_MAX_NAME_LEN];
	char plugin[DATA_MAX_NAME_LEN];
	char plugin_instance[DATA_MAX_NAME_LEN];
	char message[NOTIF_MAX_MSG_LEN];
	char meta_upstreams[1024];     /* the "upstreams" meta data */
	char meta_message[1024];       /* the "message" meta data */
};

/* Everything the plugin told "collectd". */
static struct {
	char config_name[DATA_MAX_NAME_LEN];
	int (*config_cb)(oconfig_item_t *);
	plugin_init_cb init_cb;
	plugin_shutdown_cb shutdown_cb;
	struct stub_read reads[STUB_MAX];
	size_t n_reads;
	int fail_register;             /* next complex-read registrations fail */
	struct stub_log logs[STUB_MAX];
	size_t n_logs;
	struct stub_value values[STUB_MAX];
	size_t n_values;
	struct stub_notification notes[STUB_MAX];
	size_t n_notes;
	/* A probe of concurrent fetches: with probe_ms > 0 every debug line
	 * "... fetching ..." (the plugin logs one before each request) stays
	 * "inside" for that long; probe_max is the most at once. */
	long probe_ms;
	int probe_inside, probe_max;
} stub;

/* Reads may run in several threads: the records are kept under a lock. */
static pthread_mutex_t stub_lock = PTHREAD_MUTEX_INITIALIZER;

static char stub_hostname[] = "testhost";
char *hostname_g = stub_hostname;

/* Frees the user data of every registered read, as collectd does at
 * shutdown, and forgets them. */
static void
stub_free_reads(void)
{
	size_t i;

	for (i = 0; i < stub.n_reads; i++)
		if (stub.reads[i].ud.free_func != NULL)
			stub.reads[i].ud.free_func(stub.reads[i].ud.data);
	stub.n_reads = 0;
}

static void
stub_clear_records(void)
{
	stub.n_logs = 0;
	stub.n_values = 0;
	stub.n_notes = 0;
}

/* Number of log lines at level containing text (level < 0: any level). */
static size_t
stub_logged(int level, const char *text)
{
	size_t i, n = 0;

	for (i = 0; i < stub.n_logs; i++)
		if ((level < 0 || stub.logs[i].level == level) &&
		    strstr(stub.logs[i].text, text) != NULL)
			n++;
	return n;
}

/* The last value dispatched for plugin_instance/type-type_instance, or
 * NULL when there was none. */
static const struct stub_value *
stub_value(const char *pinst, const char *type, const char *tinst)
{
	size_t i;

	for (i = stub.n_values; i-- > 0;)
		if (strcmp(stub.values[i].plugin_instance, pinst) == 0 &&
		    strcmp(stub.values[i].type, type) == 0 &&
		    strcmp(stub.values[i].type_instance, tinst) == 0)
			return &stub.values[i];
	return NULL;
}

static const struct stub_read *
stub_find_read(const char *name)
{
	size_t i;

	for (i = 0; i < stub.n_reads; i++)
		if (strcmp(stub.reads[i].name, name) == 0)
			return &stub.reads[i];
	return NULL;
}

/* ------------------------------------------------------- the symbols */

int
plugin_register_complex_config(const char *type, int (*callback)(oconfig_item_t *))
{
	(void)snprintf(stub.config_name, sizeof(stub.config_name), "%s", type);
	stub.config_cb = callback;
	return 0;
}

int
plugin_register_init(const char *name, plugin_init_cb callback)
{
	(void)name;
	stub.init_cb = callback;
	return 0;
}

int
plugin_register_shutdown(const char *name, plugin_shutdown_cb callback)
{
	(void)name;
	stub.shutdown_cb = callback;
	return 0;
}

/* Like collectd: a name registered twice is refused (EINVAL) and then the
 * user data stays with the caller. */
int
plugin_register_complex_read(const char *group, const char *name,
    plugin_read_cb callback, cdtime_t interval, user_data_t const *user_data)
{
	struct stub_read *r;

	if (stub.fail_register || stub_find_read(name) != NULL ||
	    stub.n_reads == STUB_MAX)
		return EINVAL;
	r = &stub.reads[stub.n_reads++];
	(void)snprintf(r->group, sizeof(r->group), "%s", group ? group : "");
	(void)snprintf(r->name, sizeof(r->name), "%s", name);
	r->callback = callback;
	r->interval = interval;
	r->ud = *user_data;
	return 0;
}

/* As collectd's (less the plugin context it copies): a plain thread. */
int
plugin_thread_create(pthread_t *thread, void *(*start_routine)(void *),
    void *arg, char const *name)
{
	(void)name;
	return pthread_create(thread, NULL, start_routine, arg);
}

void
plugin_log(int level, const char *format, ...)
{
	va_list ap;
	struct stub_log *l;
	char text[STUB_TEXT];
	struct timespec pause;

	va_start(ap, format);
	(void)vsnprintf(text, sizeof(text), format, ap);
	va_end(ap);
	pthread_mutex_lock(&stub_lock);
	if (stub.n_logs < STUB_MAX) {
		l = &stub.logs[stub.n_logs++];
		l->level = level;
		(void)snprintf(l->text, sizeof(l->text), "%s", text);
		if (getenv("STUB_VERBOSE") != NULL)
			printf("# log %d: %s\n", level, l->text);
	}
	if (stub.probe_ms <= 0 || level != LOG_DEBUG ||
	    strstr(text, "fetching") == NULL) {
		pthread_mutex_unlock(&stub_lock);
		return;
	}
	if (++stub.probe_inside > stub.probe_max)
		stub.probe_max = stub.probe_inside;
	pause.tv_sec = stub.probe_ms / 1000;
	pause.tv_nsec = (stub.probe_ms % 1000) * 1000000L;
	pthread_mutex_unlock(&stub_lock);
	(void)nanosleep(&pause, NULL);
	pthread_mutex_lock(&stub_lock);
	stub.probe_inside--;
	pthread_mutex_unlock(&stub_lock);
}

int
plugin_dispatch_values(value_list_t const *vl)
{
	struct stub_value *v;

	pthread_mutex_lock(&stub_lock);
	if (vl->values_len != 1 || stub.n_values == STUB_MAX) {
		pthread_mutex_unlock(&stub_lock);
		return -1;
	}
	v = &stub.values[stub.n_values++];
	(void)snprintf(v->host, sizeof(v->host), "%s", vl->host);
	(void)snprintf(v->plugin, sizeof(v->plugin), "%s", vl->plugin);
	(void)snprintf(v->plugin_instance, sizeof(v->plugin_instance), "%s",
	    vl->plugin_instance);
	(void)snprintf(v->type, sizeof(v->type), "%s", vl->type);
	(void)snprintf(v->type_instance, sizeof(v->type_instance), "%s",
	    vl->type_instance);
	v->time = vl->time;
	v->value = vl->values[0].gauge;
	pthread_mutex_unlock(&stub_lock);
	return 0;
}

int
plugin_dispatch_notification(const notification_t *n)
{
	struct stub_notification *s;

	pthread_mutex_lock(&stub_lock);
	if (stub.n_notes == STUB_MAX) {
		pthread_mutex_unlock(&stub_lock);
		return -1;
	}
	s = &stub.notes[stub.n_notes++];
	s->severity = n->severity;
	(void)snprintf(s->host, sizeof(s->host), "%s", n->host);
	(void)snprintf(s->plugin, sizeof(s->plugin), "%s", n->plugin);
	(void)snprintf(s->plugin_instance, sizeof(s->plugin_instance), "%s",
	    n->plugin_instance);
	(void)snprintf(s->message, sizeof(s->message), "%s", n->message);
	s->meta_upstreams[0] = s->meta_message[0] = '\0';
	for (const notification_meta_t *m = n->meta; m != NULL; m = m->next) {
		if (m->type != NM_TYPE_STRING)
			continue;
		if (strcmp(m->name, "upstreams") == 0)
			(void)snprintf(s->meta_upstreams, sizeof(s->meta_upstreams),
			    "%s", m->nm_value.nm_string);
		else if (strcmp(m->name, "message") == 0)
			(void)snprintf(s->meta_message, sizeof(s->meta_message),
			    "%s", m->nm_value.nm_string);
	}
	pthread_mutex_unlock(&stub_lock);
	return 0;
}

/* Meta data as collectd keeps it: a list, each string its own copy. */
int
plugin_notification_meta_add_string(notification_t *n, const char *name,
    const char *value)
{
	notification_meta_t *m = calloc(1, sizeof(*m)), **tail;

	if (m == NULL || (m->nm_value.nm_string = strdup(value)) == NULL) {
		free(m);
		return -1;
	}
	(void)snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = NM_TYPE_STRING;
	for (tail = &n->meta; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = m;
	return 0;
}

int
plugin_notification_meta_free(notification_meta_t *m)
{
	while (m != NULL) {
		notification_meta_t *next = m->next;
		if (m->type == NM_TYPE_STRING)
			free((char *)m->nm_value.nm_string);
		free(m);
		m = next;
	}
	return 0;
}

/* collectd's global interval: 10 s unless a test sets another. */
static cdtime_t stub_interval = 10 * (cdtime_t)1073741824;

cdtime_t
plugin_get_interval(void)
{
	return stub_interval;
}

cdtime_t
cdtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return TIMESPEC_TO_CDTIME_T(&ts);
}

/* The cf_util_* helpers, with collectd's documented behaviour. */
int
cf_util_get_string(const oconfig_item_t *ci, char **ret_string)
{
	char *s;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
		plugin_log(LOG_ERR, "cf_util_get_string: The %s option requires "
		    "exactly one string argument.", ci->key);
		return -1;
	}
	if ((s = strdup(ci->values[0].value.string)) == NULL)
		return -1;
	free(*ret_string);
	*ret_string = s;
	return 0;
}

int
cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool)
{
	if (ci->values_num != 1)
		return -1;
	if (ci->values[0].type == OCONFIG_TYPE_BOOLEAN) {
		*ret_bool = ci->values[0].value.boolean != 0;
		return 0;
	}
	if (ci->values[0].type == OCONFIG_TYPE_STRING) {
		const char *s = ci->values[0].value.string;
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
		    strcasecmp(s, "on") == 0) {
			*ret_bool = true;
			return 0;
		}
		if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
		    strcasecmp(s, "off") == 0) {
			*ret_bool = false;
			return 0;
		}
	}
	plugin_log(LOG_ERR, "cf_util_get_boolean: The %s option requires "
	    "exactly one boolean argument.", ci->key);
	return -1;
}

int
cf_util_get_cdtime(const oconfig_item_t *ci, cdtime_t *ret_value)
{
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER) {
		plugin_log(LOG_ERR, "cf_util_get_cdtime: The %s option requires "
		    "exactly one numeric argument.", ci->key);
		return -1;
	}
	if (ci->values[0].value.number < 0.0) {
		plugin_log(LOG_ERR, "cf_util_get_cdtime: The numeric argument of "
		    "the %s option must not be negative.", ci->key);
		return -1;
	}
	*ret_value = DOUBLE_TO_CDTIME_T(ci->values[0].value.number);
	return 0;
}

/* c_complain_once / c_release as utils_complain.c does them. */
void
c_complain_once(int level, c_complain_t *c, const char *format, ...)
{
	char msg[STUB_TEXT];
	va_list ap;

	if (c->complained_once)
		return;
	c->complained_once = true;
	c->interval = 1;
	va_start(ap, format);
	(void)vsnprintf(msg, sizeof(msg), format, ap);
	va_end(ap);
	plugin_log(level, "%s", msg);
}

void
c_do_release(int level, c_complain_t *c, const char *format, ...)
{
	char msg[STUB_TEXT];
	va_list ap;

	if (c->interval == 0)
		return;
	c->interval = 0;
	c->complained_once = false;
	va_start(ap, format);
	(void)vsnprintf(msg, sizeof(msg), format, ap);
	va_end(ap);
	plugin_log(level, "%s", msg);
}

/* Frees what a configuration item holds (keys, string values, children)
 * as a test built it; ci itself is the caller's. */
static void
stub_free_config_item(oconfig_item_t *ci)
{
	int i;

	free(ci->key);
	for (i = 0; i < ci->values_num; i++)
		if (ci->values[i].type == OCONFIG_TYPE_STRING)
			free(ci->values[i].value.string);
	free(ci->values);
	for (i = 0; i < ci->children_num; i++)
		stub_free_config_item(&ci->children[i]);
	free(ci->children);
}

#endif
