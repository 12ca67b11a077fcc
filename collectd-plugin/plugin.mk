# The collectd read plugin and its unit test; included by the top-level
# Makefile (which provides CFLAGS_ALL, LIB, LIB_HDR, DEP_LIBS, TEST_PROGS).
#
# collectd's development headers (Debian: collectd-dev) include each other as
# "collectd/core/..." and "liboconfig/...".  They are compiled as system
# headers so that our -Wall -Wextra -Werror applies to our code only.  The
# packaged config.h is used when it is there; the headers also work without.
# Override for another layout, e.g. make COLLECTD_INCLUDE=/opt/collectd/include

COLLECTD_INCLUDE ?= /usr/include/collectd
COLLECTD_CFLAGS ?= $(if $(wildcard $(COLLECTD_INCLUDE)/core/config.h),-DHAVE_CONFIG_H) \
	-isystem $(COLLECTD_INCLUDE) \
	$(addprefix -isystem ,$(filter-out /usr/include/,$(dir $(COLLECTD_INCLUDE))))

PLUGIN     = collectd-plugin/upstreams.so
PLUGIN_SRC = collectd-plugin/upstreams.c

plugin: $(PLUGIN)

# collectd's own symbols come from the daemon at load time.  The library's
# symbols are kept inside the plugin (--exclude-libs) so that only
# module_register is exported.
$(PLUGIN): $(PLUGIN_SRC) $(LIB) $(LIB_HDR)
	$(CC) $(CFLAGS_ALL) $(COLLECTD_CFLAGS) -fPIC -shared $(LDFLAGS_ALL) \
	    -Wl,--exclude-libs,ALL -o $@ $(PLUGIN_SRC) $(LIB) $(DEP_LIBS) -pthread

# The configuration unit test compiles the plugin source itself (its
# functions are static) against stubs of the collectd symbols it uses.
TEST_PROGS += tests/test_plugin_config

tests/test_plugin_config: tests/test_plugin_config.c tests/plugin_stubs.h tests/plugin_wait.h \
    $(PLUGIN_SRC) $(LIB) $(LIB_HDR) tests/tap.h
	$(CC) $(CFLAGS_ALL) $(COLLECTD_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(LIB) \
	    $(DEP_LIBS) -pthread

# Drives the plugin's read callback line by line for the fault matrix
# (tests/e2e_plugin_faults.sh); built the same way.
TEST_PROGS += tests/prog_plugin_faults

tests/prog_plugin_faults: tests/prog_plugin_faults.c tests/plugin_stubs.h tests/plugin_wait.h \
    $(PLUGIN_SRC) $(LIB) $(LIB_HDR)
	$(CC) $(CFLAGS_ALL) $(COLLECTD_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(LIB) \
	    $(DEP_LIBS) -pthread

PLUGIN_CLEAN = $(PLUGIN)
