# upstreams - who carries a network's traffic, for collectd and Nagios.
# GNU make.

VERSION    = 0.2.0
CC        ?= cc
# DWARF 4: the valgrind the tests run under cannot read clang's DWARF 5.
CFLAGS    ?= -O2 -g -gdwarf-4
PKG_CONFIG ?= pkg-config
# Warnings are errors for developers and CI; distribution builds (debian/rules)
# set WERROR= so that a newer compiler's new warning does not break them.
WERROR    ?= -Werror

DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl jansson)
# zlib and libbz2 read compressed AS-relationship files (--as-relationships).
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs libcurl jansson) -lz -lbz2 -lm

CFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra $(WERROR) -Icommon $(DEP_CFLAGS) $(CPPFLAGS) $(CFLAGS) \
	$(EXTRA_CFLAGS)
LDFLAGS_ALL = $(LDFLAGS) $(EXTRA_LDFLAGS)

LIB      = common/libupstreams.a
LIB_SRC := $(wildcard common/*.c)
LIB_OBJ  = $(LIB_SRC:.c=.o)
LIB_HDR := $(wildcard common/*.h)

CHECK    = nagios-check/check_upstreams
CHECK_OBJ := $(patsubst %.c,%.o,$(wildcard nagios-check/*.c))
CHECK_HDR := $(wildcard nagios-check/*.h)
# The check's own modules besides main(), linked into the unit tests too.
CHECK_MODS = $(filter-out nagios-check/check_upstreams.o,$(CHECK_OBJ))

# Unit tests (tests/test_*.c) and helper programs driven by the end-to-end
# scripts (tests/prog_*.c) link the library; the plugin's own test programs
# come from collectd-plugin/plugin.mk through TEST_PROGS.
GEN_PROGS := $(patsubst %.c,%,$(filter-out tests/test_plugin_% tests/prog_plugin_%,\
	$(wildcard tests/test_*.c tests/prog_*.c)))
TEST_PROGS =

all: $(LIB) $(CHECK) plugin

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

common/%.o: common/%.c $(LIB_HDR)
	$(CC) $(CFLAGS_ALL) -fPIC -c -o $@ $<

nagios-check/%.o: nagios-check/%.c $(LIB_HDR) $(CHECK_HDR)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(CHECK): $(CHECK_OBJ) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHECK_OBJ) $(LIB) $(DEP_LIBS)

$(GEN_PROGS): %: %.c $(CHECK_MODS) $(LIB) tests/tap.h tests/testutil.h
	$(CC) $(CFLAGS_ALL) -Inagios-check $(LDFLAGS_ALL) -o $@ $< $(CHECK_MODS) \
	    $(LIB) $(DEP_LIBS)

include collectd-plugin/plugin.mk

tests: $(GEN_PROGS) $(TEST_PROGS)

check: all tests
	bash tests/run

# The whole suite again with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan: clean
	$(MAKE) CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" all tests
	UPM_SANITIZED=1 bash tests/run
	$(MAKE) clean

demo: all
	bash demo/run

clean:
	rm -f common/*.o $(LIB) nagios-check/*.o tests/*.o $(CHECK) $(GEN_PROGS) \
	    $(TEST_PROGS) $(PLUGIN_CLEAN)

.PHONY: all plugin tests check check-asan demo clean
include fuzz.mk
include install.mk
include bench/bench.mk
