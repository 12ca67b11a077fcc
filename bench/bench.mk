# make bench: the performance figures of bench/RESULTS.md (not part of
# make check; needs jq, python3, GNU time and check_dummy).
BENCH_PROGS = bench/bench_parse

bench/bench_parse: bench/bench_parse.c $(LIB)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(DEP_LIBS)

bench: all tests/prog_batch $(BENCH_PROGS)
	bash bench/run

bench-clean:
	rm -rf bench/out $(BENCH_PROGS)

.PHONY: bench bench-clean
