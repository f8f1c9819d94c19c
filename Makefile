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

# The pure core: never pthreads, clocks or I/O.
CORE_SRC := $(sort $(wildcard src/raft_*.c))
# Everything around it: runtime, simulator, checker, command line.
APP_SRC  := $(sort $(filter-out $(CORE_SRC) src/main.c,$(wildcard src/*.c)))
TEST_SRC := $(sort $(filter-out tests/heartbeat_test.c,$(wildcard tests/*.c)))

# build/<flavour>/ holds the objects of one set of flags.
B := build/release
CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
APP_OBJ  = $(APP_SRC:%.c=$(B)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(B)/%.o)

.PHONY: all test check tsan asan stress bench clean help
.DEFAULT_GOAL := all

all: heartbeat_test $(if $(wildcard src/main.c),raftsim)

$(B)/%.o: %.c $(wildcard include/*.h src/*.h tests/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

raftsim: $(CORE_OBJ) $(APP_OBJ) $(B)/src/main.o
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

heartbeat_test: $(CORE_OBJ) $(B)/tests/heartbeat_test.o $(B)/tests/testnet.o
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

tests/run_tests: $(CORE_OBJ) $(APP_OBJ) $(TEST_OBJ)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

test: all tests/run_tests
	./tests/run_tests

# Sanitizer flavours: the same sources, rebuilt by a nested make with their
# own object directory (B), flags (OPT) and binary directory (BIN).
BIN ?=
ifneq ($(BIN),)
$(BIN)/raftsim: $(CORE_OBJ) $(APP_OBJ) $(B)/src/main.o
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/run_tests: $(CORE_OBJ) $(APP_OBJ) $(TEST_OBJ)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/heartbeat_test: $(CORE_OBJ) $(B)/tests/heartbeat_test.o $(B)/tests/testnet.o
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
endif

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
	$(TSAN_ENV) tests/stress.sh --bin tsan/raftsim --runs 6 --ticks 200 \
		--tick-ms 20

# Every test under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(ASAN_MAKE) build/asan/raftsim build/asan/run_tests build/asan/heartbeat_test
	$(ASAN_ENV) RAFTSIM_BIN_DIR=build/asan build/asan/run_tests

# 50 threaded runs with random seeds, pauses and drops on 7 nodes.
stress: raftsim
	tests/stress.sh --bin ./raftsim --runs 50

# Not a test: figures for the README. The runtime's (CPU, tick lateness,
# mailbox latency, largest cluster), then the simulator's (speed, explore
# throughput, failover against the paper and the peers).
bench: raftsim $(B)/runtime_bench
	$(B)/runtime_bench ./raftsim
	tests/bench/sim_bench.sh ./raftsim

$(B)/runtime_bench: $(CORE_OBJ) $(APP_OBJ) $(B)/tests/bench/runtime_bench.o
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

check: test tsan asan

clean:
	rm -rf build tests/run_tests raftsim heartbeat_test tsan/build \
		tsan/raftsim tsan/run_tests tsan/heartbeat_test

help:
	@echo "make            build ./raftsim and ./heartbeat_test"
	@echo "make test       build and run every test"
	@echo "make check      make test, then make tsan and make asan"
	@echo "make tsan       cluster tests and a stress set under ThreadSanitizer"
	@echo "make asan       every test under AddressSanitizer and UBSan"
	@echo "make stress     50 threaded runs with random seeds, pauses, drops"
	@echo "make bench      figures: runtime CPU and latency, simulator speed, failover"
	@echo "make clean      remove what the build made"
