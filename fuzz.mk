# fuzz.mk - libFuzzer targets (tests/fuzz/fuzz_*.c); included by Makefile.
#
#   make fuzz                  build every target, run each FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=300 longer runs
#   make fuzz-build            build only
#   make fuzz-clean            remove tests/fuzz/build
#
# Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
# The library is compiled again, with the same instrumentation as the
# targets, into tests/fuzz/build/obj/ (the normal common/*.o stay as they
# are).  Seeds are copied at run time from the recorded fixtures into
# tests/fuzz/build/corpus/ (never committed).  The per-target lines (runs,
# coverage, features, corpus) go to tests/fuzz/build/summary.txt and stdout;
# the goal fails when any target crashed, leaked, hung or broke a contract.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_DIR      = tests/fuzz
FUZZ_BUILD    = tests/fuzz/build

FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Werror -Icommon $(DEP_CFLAGS) \
	-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)

FUZZ_SRC     := $(wildcard $(FUZZ_DIR)/fuzz_*.c)
FUZZ_BIN      = $(patsubst $(FUZZ_DIR)/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
FUZZ_LIB_OBJ  = $(patsubst common/%.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRC))
FUZZ_LIB      = $(FUZZ_BUILD)/libupstreams-fuzz.a

# Longest input per target; parsers take responses up to 1 MiB.  The state
# reader refuses files over 64 KiB, so a little more reaches that check.
FUZZ_MAX_LEN            = 1048576
FUZZ_MAX_LEN_fuzz_range = 256
FUZZ_MAX_LEN_fuzz_state = 66000

# Seeds: the recorded responses for everything that reads JSON; generated
# below for the range and state targets.
FUZZ_JSON_SEEDS         = $(wildcard tests/fixtures/public/*.json \
	tests/fixtures/parse/*.json)
FUZZ_SEEDS_fuzz_range   = $(FUZZ_BUILD)/seed/range
FUZZ_SEEDS_fuzz_state   = $(FUZZ_BUILD)/seed/state
FUZZ_DICT               = $(FUZZ_DIR)/ripestat.dict
FUZZ_DICT_fuzz_range    = -
FUZZ_DICT_fuzz_state    = $(FUZZ_DIR)/state.dict

fuzz: fuzz-build $(FUZZ_BUILD)/seed/range $(FUZZ_BUILD)/seed/state
	@rm -f $(FUZZ_BUILD)/*.result $(FUZZ_BUILD)/summary.txt
	@for bin in $(FUZZ_BIN); do \
	    name=$${bin##*/}; \
	    case $$name in \
	    fuzz_range) len=$(FUZZ_MAX_LEN_fuzz_range); \
	        dict=$(FUZZ_DICT_fuzz_range); seeds="$(FUZZ_SEEDS_fuzz_range)";; \
	    fuzz_state) len=$(FUZZ_MAX_LEN_fuzz_state); \
	        dict=$(FUZZ_DICT_fuzz_state); seeds="$(FUZZ_SEEDS_fuzz_state)";; \
	    *) len=$(FUZZ_MAX_LEN); dict=$(FUZZ_DICT); \
	        seeds="$(FUZZ_JSON_SEEDS)";; \
	    esac; \
	    sh $(FUZZ_DIR)/run.sh $$bin $(FUZZ_SECONDS) $$len $$dict \
	        $(FUZZ_BUILD) $$seeds || exit 1; \
	done
	@cat $(FUZZ_BUILD)/*.result > $(FUZZ_BUILD)/summary.txt
	@echo "fuzz summary ($(FUZZ_SECONDS)s per target):"
	@cat $(FUZZ_BUILD)/summary.txt
	@test $$(grep -c ' PASS ' $(FUZZ_BUILD)/summary.txt) -eq \
	    $(words $(FUZZ_BIN)) || { echo "fuzz: FAILED"; exit 1; }

fuzz-build: $(FUZZ_BIN)

$(FUZZ_BUILD)/obj/%.o: common/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(FUZZ_LIB_OBJ)

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) \
	    $(DEP_LIBS)

# Range seeds: the forms of the Monitoring Plugins syntax, one per file.
$(FUZZ_BUILD)/seed/range:
	@rm -rf $@ && mkdir -p $@
	@n=0; for r in 10 10: '~:10' 10:20 @10:20 '@~:0' 0.5:1e2 -5:-1 \
	    '1:' 20:10 ''; do \
	    n=$$((n + 1)); printf '%s' "$$r" > $@/seed$$n; done

# State seeds: a valid baseline, variants, near misses, a line over the
# reader's line limit and a file over its size limit.
$(FUZZ_BUILD)/seed/state:
	@rm -rf $@ && mkdir -p $@
	@printf '# upstreams baseline\nversion 1\ntarget AS131279\nupstreams 4837 20485\n' > $@/valid
	@printf 'version 1\ntarget AS1\nupstreams\n' > $@/empty-set
	@printf 'version 1\r\ntarget KP\r\nupstreams 1 2 3 4294967295\r\n' > $@/crlf
	@printf 'version 2\ntarget AS1\nupstreams 1\n' > $@/future
	@printf 'version 1\ntarget AS1\nupstreams 1\nupstreams 2\n' > $@/twice
	@printf 'version 1\ntarget AS1\nupstreams 1 AS2 x\n' > $@/junk
	@{ printf '# '; head -c 20000 /dev/zero | tr '\0' x; \
	    printf '\nversion 1\ntarget AS1\nupstreams 1\n'; } > $@/long-line
	@{ printf 'version 1\ntarget AS1\nupstreams 1\n'; \
	    yes '# padding' | head -c 65600; } > $@/too-big

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

.PHONY: fuzz fuzz-build fuzz-clean $(FUZZ_BUILD)/seed/range \
	$(FUZZ_BUILD)/seed/state
