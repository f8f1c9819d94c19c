# raftsim - see README.md. `make help` lists the targets.

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla -Wundef \
           -Wcast-align -Wwrite-strings
# -flto lets the simulator's hot path inline across modules (~20% faster).
OPT     ?= -O2 -g -flto=auto
CFLAGS  ?=
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) -Iinclude -Isrc $(CFLAGS)
LDLIBS  := -lpthread -lm

# Layers (README "Architecture"): src/core is the pure Raft core, built as
# a static library with only its own headers in view; everything else sees
# include/ and src/ and names a header by its folder ("sim/sim.h").
CORE_SRC := $(sort $(wildcard src/core/*.c))
APP_SRC  := $(sort $(filter-out src/cli/main.c,$(wildcard \
	src/storage/*.c src/kv/*.c src/lincheck/*.c src/client/*.c \
	src/harness/*.c src/net/*.c src/runtime/*.c src/sim/*.c src/check/*.c \
	src/cli/*.c)))
# Layer by layer, the core's first: the runner's suites come in this order.
TEST_SRC := $(filter-out tests/unit/heartbeat_test.c,$(foreach d,unit storage kv \
	lincheck client net sim check cluster cli timeline lib,$(sort $(wildcard tests/$(d)/*.c))))

# build/<flavour>/ holds the objects of one set of flags; BIN, where the
# programs of a sanitizer flavour go (empty: the release build).
B   := build/release
BIN ?=
CORE_LIB = $(B)/libraftcore.a
CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
APP_OBJ  = $(APP_SRC:%.c=$(B)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(B)/%.o)
RAFTSIM   = $(if $(BIN),$(BIN)/raftsim,raftsim)
RUN_TESTS = $(if $(BIN),$(BIN)/run_tests,tests/run_tests)
HB_TEST   = $(if $(BIN),$(BIN)/heartbeat_test,heartbeat_test)

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  = $(DESTDIR)$(PREFIX)/bin
MAN1DIR = $(DESTDIR)$(PREFIX)/share/man/man1

.PHONY: drills drill-short ui all test check tsan asan stress stress-clients bench purity golden \
	format \
	format-check clean help \
	man install uninstall
.DEFAULT_GOAL := all

all: $(HB_TEST) $(RAFTSIM)

# -MMD -MP: each object depends on exactly the headers it includes.
$(B)/src/core/%.o: src/core/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CSTD) $(WARN) $(OPT) -Iinclude -Isrc/core $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -Itests/lib -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

# Every suite, registered once where it is defined (tests/lib/main.c).
$(B)/tests/suites.gen.h: $(TEST_SRC) Makefile
	@mkdir -p $(dir $@)
	@sed -n 's/^const struct test_case \([a-z_0-9]*\)\[\] = {$$/SUITE(\1)/p' \
		$(TEST_SRC) > $@
$(B)/tests/lib/main.o: $(B)/tests/suites.gen.h
$(B)/tests/lib/main.o: ALL_CFLAGS += -I$(B)/tests

-include $(CORE_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
	$(B)/src/cli/main.d $(B)/tests/unit/heartbeat_test.d \
	$(B)/tests/bench/runtime_bench.d $(B)/tests/bench/storage_bench.d \
	$(B)/tests/bench/log_bench.d $(B)/tests/bench/kv_bench.d \
	$(B)/tests/bench/client_bench.d $(B)/tests/bench/durable_bench.d

# What each program is made of; the one link rule below links them all.
PROGRAMS = $(RAFTSIM) $(RUN_TESTS) $(HB_TEST) $(B)/runtime_bench \
	$(B)/storage_bench $(B)/log_bench $(B)/kv_bench $(B)/client_bench \
	$(B)/durable_bench
$(RAFTSIM): $(APP_OBJ) $(B)/src/cli/main.o
$(RUN_TESTS): $(APP_OBJ) $(TEST_OBJ)
$(HB_TEST): $(B)/tests/unit/heartbeat_test.o $(B)/tests/lib/testnet.o
$(B)/runtime_bench: $(APP_OBJ) $(B)/tests/bench/runtime_bench.o
$(B)/storage_bench: $(APP_OBJ) $(B)/tests/bench/storage_bench.o
$(B)/log_bench: $(APP_OBJ) $(B)/tests/bench/log_bench.o
$(B)/kv_bench: $(APP_OBJ) $(B)/tests/bench/kv_bench.o
$(B)/client_bench: $(APP_OBJ) $(B)/tests/bench/client_bench.o
$(B)/durable_bench: $(APP_OBJ) $(B)/tests/bench/durable_bench.o
# The test runner sends the project's allocations and pthread set-up calls
# through tests/lib/failpoint.c, which can make any one of them fail.
$(RUN_TESTS): LINK_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=pthread_mutex_init,--wrap=pthread_cond_init,--wrap=pthread_create
$(PROGRAMS): $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LINK_WRAP) -o $@ $(filter %.o,$^) $(CORE_LIB) $(LDLIBS)

test: all $(RUN_TESTS) purity
	./$(RUN_TESTS)

# The core may call nothing but assert and the mem* functions: no threads,
# clocks, sleep, randomness, allocation or stdio (README "Architecture").
# Checked on objects built without LTO or builtins, whose symbol tables
# name every function they call.
PURITY_BANNED := pthread|clock|time|sleep|rand|malloc|calloc|realloc|free|printf|puts|putc|fopen|fwrite|fread|fflush|stdout|stderr|stdin|write|read|open|close|exit|abort|getenv|signal|syscall
PURITY_DIR := build/purity
purity: $(CORE_SRC)
	@mkdir -p $(PURITY_DIR)
	@for f in $(CORE_SRC); do $(CC) $(CSTD) $(WARN) -O1 -fno-lto -fno-builtin \
		-Iinclude -Isrc/core -c $$f -o $(PURITY_DIR)/$$(basename $$f .c).o || exit 1; done
	@nm $(PURITY_DIR)/*.o | awk '$$1=="U"{u[$$2]=1} NF==3{d[$$3]=1} \
		END{for (s in u) if (!(s in d)) print s}' | sort > $(PURITY_DIR)/imports
	@if grep -E '^($(PURITY_BANNED))' $(PURITY_DIR)/imports; then \
		echo "purity: the core calls the symbols above" >&2; exit 1; fi
	@echo "  PURE    src/core imports only: $$(tr '\n' ' ' < $(PURITY_DIR)/imports)"

# Sanitizer flavours: the same sources, rebuilt by a nested make with their
# own object directory (B), flags (OPT) and program directory (BIN).
TSAN_MAKE := $(MAKE) --no-print-directory B=tsan/build BIN=tsan \
	OPT="-g -O1 -fsanitize=thread"
ASAN_MAKE := $(MAKE) --no-print-directory B=build/asan BIN=build/asan \
	OPT="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
# The first report ends the process with a nonzero status; no suppressions.
TSAN_ENV := TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
ASAN_ENV := ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1"

# tsan/ (README there): the cluster tests, then a stress set, under
# ThreadSanitizer; ticks are longer since TSAN slows everything 5-15x.
tsan:
	$(TSAN_MAKE) tsan/raftsim tsan/run_tests tsan/heartbeat_test
	$(TSAN_ENV) RAFTSIM_BIN_DIR=tsan RAFTSIM_TEST_TICK_MS=40 \
		tsan/run_tests "cluster:"
	$(TSAN_ENV) RAFTSIM_BIN_DIR=tsan RAFTSIM_TEST_TICK_MS=40 \
		tsan/run_tests "tcp"
	$(TSAN_ENV) tests/stress.sh --bin tsan/raftsim --runs 6 --ticks 200 \
		--tick-ms 20
	$(TSAN_ENV) tests/stress.sh --bin tsan/raftsim --runs 4 --ticks 200 \
		--tick-ms 20 -- --load 500
	$(TSAN_ENV) tests/stress.sh --bin tsan/raftsim --runs 4 --ticks 200 \
		--tick-ms 20 -- --clients 8 --fenced-store --reads lease \
		--check-quorum

# Every test under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(ASAN_MAKE) build/asan/raftsim build/asan/run_tests build/asan/heartbeat_test
	$(ASAN_ENV) RAFTSIM_BIN_DIR=build/asan build/asan/run_tests

# 50 threaded runs with random seeds, pauses and drops on 7 nodes.
# The verdict's promise on threads (issue 8): 200 seeded runs of correct
# code with random pauses, crashes and partitions must have no false
# positive, also under TSAN; the lesson's two heartbeat mistakes must be
# caught in at least 4 of 5 runs of the scenario with a paused leader.
# Clients on threads (issue 11) under the same faults, with the fenced
# store and with lease reads, pass too. The kill -9 test (issue 12): 50
# kills at random moments under --load and --clients, each resumed from its
# --data-dir, the whole trace checked after every kill (~90 s). The
# chaos drills over TCP (issue 13, make drills).
stress: raftsim
	$(TSAN_MAKE) tsan/raftsim
	tests/stress.sh --bin ./raftsim --runs 200 --jobs 4
	tests/stress.sh --bin ./raftsim --runs 50 --jobs 4 -- --load 2000
	tests/stress.sh --bin ./raftsim --runs 50 --jobs 4 -- --clients 8 \
		--fenced-store
	tests/stress.sh --bin ./raftsim --runs 50 --jobs 4 -- --clients 8 \
		--reads lease --check-quorum
	tests/stress.sh --bin ./raftsim --runs 5 --jobs 5 --ticks 1500 \
		--mistake apply-uncommitted --expect 4 -- --load 500
	tests/stress.sh --bin ./raftsim --runs 5 --jobs 5 --ticks 1500 \
		--mistake no-reset --expect 4
	tests/stress.sh --bin ./raftsim --runs 5 --jobs 5 --ticks 1500 \
		--mistake long-heartbeat --expect 4
	$(TSAN_ENV) tests/stress.sh --bin tsan/raftsim --runs 200 --jobs 4 \
		--tick-ms 20
	$(TSAN_ENV) tests/stress.sh --bin tsan/raftsim --runs 20 --jobs 4 \
		--tick-ms 20 -- --clients 8 --fenced-store --reads lease \
		--check-quorum
	$(MAKE) --no-print-directory stress-clients
	tests/kill9.sh 25
	$(MAKE) --no-print-directory drills

# Issue 11's exactly-once under faults: 1,000,000 client operations in the
# simulator, each retried up to 5 times, under leader crashes, pauses,
# random crashes, pauses and partitions, loss, duplication and reordering.
# It must PASS: no duplicate application, a linearizable history, no stale
# write taken by the fenced store (~15 s, ~200 MiB).
stress-clients: raftsim
	./raftsim --sim --clients 64 --ops 1000000 --ticks 400000 -q \
		--seed 11 --fenced-store --retries 5 --drop 0.02 --dup 0.05 \
		--reorder 0.05 --crash-prob 0.0002 --pause-prob 0.0002 \
		--partition-prob 0.0002 --crash leader@20000:50 \
		--crash leader@60000:50 --crash leader@100000:50 \
		--pause leader@140000:60

# Not a test: figures for the README. The runtime's (CPU, tick lateness,
# mailbox latency, largest cluster), the storage's (ns per entry, peak
# memory), then the simulator's (speed, explore throughput, failover
# against the paper and the peers), then log replication's targets (issue
# 10: throughput, latency, simulator speed, explore --load, memory), then
# the key-value store's, the linearizability checker's and the clients'
# (issue 11: ops/s and latency on threads, the 1M-operation run), then
# durable storage's (issue 12: throughput and latency with every entry
# fsynced, fsync itself, the WAL alone, recovery of 1 GiB, the simulator
# with --disk).
bench: raftsim $(B)/runtime_bench $(B)/storage_bench $(B)/log_bench \
	$(B)/kv_bench $(B)/client_bench $(B)/durable_bench
	$(B)/runtime_bench ./raftsim
	$(B)/storage_bench
	tests/bench/sim_bench.sh ./raftsim
	$(B)/log_bench ./raftsim
	$(B)/kv_bench
	tests/bench/lincheck_bench.sh ./raftsim
	$(B)/client_bench ./raftsim
	tests/bench/durable_bench.sh ./raftsim $(B)/durable_bench
	tests/bench/tcp_bench.sh ./raftsim

# Rewrites tests/golden/*.jsonl from their .args, and the timeline pictures
# tests/timeline/*.txt: only for an intended change of behaviour, whose
# diff is then read and committed.
golden: raftsim $(RUN_TESTS)
	@for f in tests/golden/*.args; do \
		eval ./raftsim --sim "$$(cat $$f)" -q --trace $${f%.args}.jsonl \
			>/dev/null 2>&1; \
		[ $$? -le 1 ] || exit 1; echo "  GOLDEN  $${f%.args}.jsonl"; done
	@RAFTSIM_TIMELINE_WRITE=1 ./$(RUN_TESTS) "timeline: golden"

# .clang-format holds the style. Without clang-format the check is skipped
# with a note, except in CI (CI=true), where .ci/run installs it.
FORMAT_SRC = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	@if ! command -v clang-format >/dev/null; then \
		if [ "$${CI:-}" = true ]; then \
			echo "format-check: clang-format is missing" >&2; exit 1; fi; \
		echo "  FORMAT  skipped: clang-format is not installed"; exit 0; fi; \
	clang-format --dry-run -Werror $(FORMAT_SRC) && \
	echo "  FORMAT  $(words $(FORMAT_SRC)) files match .clang-format"

check: format-check test tsan asan ui drill-short

# Chaos drills on real processes (issue 13, tests/drills, the lesson's
# W20): `raftsim node` processes on loopback under `raftsim bench`, each
# drill ending with `raftsim check` on the merged traces and `raftsim
# lincheck` on the history. drill-short (in make check) freezes the leader
# once; drills (in make stress) runs all four.
drill-short: raftsim
	DRILL_SECONDS=5 tests/drills/sigstop_leader.sh
drills: raftsim
	tests/drills/sigstop_leader.sh
	tests/drills/kill9_leader.sh 3
	tests/drills/follower_restarts.sh 20
	tests/drills/partition.sh

# The views a user looks at (issue 14), in the programs that show them:
# the HTML report in headless Chromium. Skipped, saying so, where the
# program is missing.
ui: raftsim
	tests/report_chromium.sh

# The man page is made from the flag table, like --help (src/cli).
raftsim.1: raftsim
	@echo "  MAN     $@"
	@./raftsim --man > $@.tmp && mv $@.tmp $@
man: raftsim.1

install: raftsim raftsim.1
	install -d $(BINDIR) $(MAN1DIR)
	install -m 755 raftsim $(BINDIR)/raftsim
	install -m 644 raftsim.1 $(MAN1DIR)/raftsim.1

uninstall:
	rm -f $(BINDIR)/raftsim $(MAN1DIR)/raftsim.1

clean:
	rm -rf build tests/run_tests raftsim raftsim.1 heartbeat_test tsan/build \
		tsan/raftsim tsan/run_tests tsan/heartbeat_test

help:
	@echo "make            build ./raftsim and ./heartbeat_test"
	@echo "make test       build and run every test"
	@echo "make check      format-check, make test, then make tsan and make asan"
	@echo "make tsan       cluster tests and a stress set under ThreadSanitizer"
	@echo "make asan       every test under AddressSanitizer and UBSan"
	@echo "make stress     200 threaded runs with faults (and 200 under TSAN): no"
	@echo "                false positive; the heartbeat mistakes caught; 50 kill -9s"
	@echo "                resumed from --data-dir, every trace checked"
	@echo "make stress-clients  1,000,000 client operations under faults: exactly once"
	@echo "make golden     rewrite tests/golden/*.jsonl and tests/timeline/*.txt"
	@echo "make purity     check that the core imports no threads, clocks, I/O"
	@echo "make format     clang-format every source (format-check: only check)"
	@echo "make bench      figures: runtime CPU and latency, simulator speed, failover,"
	@echo "                log replication's throughput, latency and memory, durable"
	@echo "                storage's (fsynced throughput, latency, recovery, --disk)"
	@echo "make man        raftsim.1, the man page, made from the flag table"
	@echo "make install    raftsim and raftsim.1 into PREFIX (/usr/local), DESTDIR"
	@echo "make uninstall  remove them again"
	@echo "make clean      remove what the build made"
