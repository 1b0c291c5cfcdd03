# mmusim: ARMv8-A two-stage MMU simulator.
#   make            build bin/mmusim
#   make test       unit (Check) + end-to-end tests      (make test SAN=1: ASan + UBSan)
#   make bench      throughput benchmarks (not a test)
#   make demo       the bundled default experiment -> results/demo.db + plots
#   make install    PREFIX=/usr/local DESTDIR=
# BUILD and BIN may be overridden to build out of tree (e.g. make BUILD=/tmp/b BIN=/tmp/b/bin).

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
BIN     ?= bin
SAN     ?= 0

PKGS    := sqlite3 libcjson liblzma zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     := -O2 -g
ifeq ($(SAN),1)
  OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  BUILD := $(BUILD)-san
  BIN   := $(BUILD)/bin
endif
CFLAGS  ?=
override CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -I. $(PKG_CFLAGS)
LDFLAGS ?=
SANFLAGS := -fsanitize=address,undefined
override LDFLAGS += $(if $(filter 1,$(SAN)),$(SANFLAGS))
LIBS    := $(PKG_LIBS) -lm -pthread

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
override CFLAGS += -DMMUSIM_VERSION='"$(VERSION)"'

LIB_SRCS  := $(sort $(wildcard sim/*.c mmu/*.c tlb/*.c cache/*.c traces/*.c))
LIB_SRCS  := $(filter-out sim/main.c,$(LIB_SRCS))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
# results/schema.sql is compiled in as `const char mmusim_schema_sql[]`.
GEN_OBJS  := $(BUILD)/gen/schema_sql.o
TEST_SRCS := $(sort $(wildcard tests/check_*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)
BENCH_SRCS:= $(sort $(wildcard tests/bench/*.c))

.PHONY: all test check unit e2e bench bench-programs demo install clean
all: $(BIN)/mmusim

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/schema_sql.c: results/schema.sql
	@mkdir -p $(dir $@)
	{ echo '/* generated from results/schema.sql by the Makefile: do not edit */'; \
	  echo 'extern const char mmusim_schema_sql[];'; \
	  echo 'const char mmusim_schema_sql[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/schema_sql.o: $(BUILD)/gen/schema_sql.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libmmusim.a: $(LIB_OBJS) $(GEN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/mmusim: $(BUILD)/sim/main.o $(BUILD)/libmmusim.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The list of Check suites is generated from the test files, so a new
# tests/check_<x>.c that defines `Suite *<x>_suite(void)` is picked up alone.
$(BUILD)/tests/suites.inc: $(TEST_SRCS)
	@mkdir -p $(dir $@)
	@grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(TEST_SRCS) | \
	  sed 's/^Suite \*\([a-z0-9_]*\)_suite(void)/SUITE(\1)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/check_main.o: tests/check_main.c $(BUILD)/tests/suites.inc
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -MMD -MP -c $< -o $@

$(BUILD)/tests/check_%.o: tests/check_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Wno-missing-prototypes -MMD -MP -c $< -o $@

$(BUILD)/tests/run_unit: $(TEST_OBJS) $(BUILD)/libmmusim.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

unit: $(BUILD)/tests/run_unit
	SHARED_DIR=$(abspath ../shared) $(BUILD)/tests/run_unit

e2e: $(BIN)/mmusim
	MMUSIM=$(abspath $(BIN)/mmusim) SHARED_DIR=$(abspath ../shared) bash tests/e2e/run.sh

# The benchmark programs are built (not run) with the tests, so that they cannot rot.
test check: unit e2e bench-programs

bench-programs: $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libmmusim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

bench: $(BIN)/mmusim bench-programs
	MMUSIM=$(abspath $(BIN)/mmusim) BUILD=$(abspath $(BUILD)) bash tests/bench/run.sh

demo: $(BIN)/mmusim
	MMUSIM=$(abspath $(BIN)/mmusim) bash scripts/demo.sh

install: $(BIN)/mmusim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mmusim
	install -m 0755 $(BIN)/mmusim $(DESTDIR)$(PREFIX)/bin/mmusim
	install -m 0644 results/schema.sql $(DESTDIR)$(PREFIX)/share/mmusim/ 2>/dev/null || true

clean:
	rm -rf build build-san bin

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(BUILD)/sim/main.d
