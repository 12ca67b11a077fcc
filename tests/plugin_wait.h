/*
 * plugin_wait.h - for the tests that include the plugin's source: a read
 * callback hands the read to the target's fetch thread and returns; these
 * wait until that thread has finished it, so that a test can look at what
 * the read dispatched.  Include after upstreams.c.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_TESTS_PLUGIN_WAIT_H
#define UPM_TESTS_PLUGIN_WAIT_H

/* Waits until t's fetch thread is idle with no read handed over (or the
 * plugin stops). */
static void
wait_read_done(struct up_target *t)
{
	struct up_limiter *l = t->limiter;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	while ((t->due || t->busy) && !atomic_load(&l->stopping))
		pthread_cond_wait(&l->done, &l->lock);
	pthread_mutex_unlock(&l->lock);
}

/* Calls the read callback of ud and waits for the read it handed over. */
static int
read_and_wait(user_data_t *ud)
{
	int rc = up_read(ud);

	if (ud != NULL && ud->data != NULL)
		wait_read_done(ud->data);
	return rc;
}

#endif
