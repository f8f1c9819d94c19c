# raftsim - see README.md. `make help` lists the targets.

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla -Wundef \
           -Wcast-align -Wwrite-strings
OPT     ?= -O2 -g
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
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

heartbeat_test: $(CORE_OBJ) $(B)/tests/heartbeat_test.o $(B)/tests/testnet.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

tests/run_tests: $(CORE_OBJ) $(APP_OBJ) $(TEST_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

test: all tests/run_tests
	./tests/run_tests

check: test

clean:
	rm -rf build tests/run_tests raftsim heartbeat_test

help:
	@echo "make            build ./raftsim and ./heartbeat_test"
	@echo "make test       build and run every test"
	@echo "make check      make test, then the sanitizer runs"
	@echo "make clean      remove what the build made"
