# yima - one Makefile for the library, the binary, the tests and the benches.
#
#   make          build build/libyima.a and build/yima
#   make test     build and run every test (unit, CLI end-to-end, fuzz corpora)
#   make asan     the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench    run the benchmarks (ratios to a baseline measured in the same run)
#   make fuzz     run each libFuzzer target for FUZZ_SECONDS (clang)
#   make run      the main job: a demo of the platform on this machine
#   make format   clang-format every source file
#
# Dependencies are Debian packages, installed by scripts/setup (quiet and
# quick when everything is present).

CC      ?= cc
BUILD   ?= build
CSTD     = -std=c17 -D_GNU_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Iinclude -MMD -MP -DYIMA_DATADIR=\"$(CURDIR)/data\"
LDLIBS  += -lsqlite3 -ljansson -lzstd -lssl -lcrypto -lhttp_parser -lpthread
TEST_LIBS = -lcmocka -lm
FUZZ_SECONDS ?= 20

LIB_SRC   := $(sort $(wildcard lib/*/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c src/server/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC  := $(sort $(wildcard fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%-replay)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

LIBYIMA := $(BUILD)/libyima.a
YIMA    := $(BUILD)/yima

.PHONY: all setup test unit e2e fuzz-replay asan bench fuzz run format clean pack-dict
.DEFAULT_GOAL := all

all: setup $(YIMA)

# Installs missing Debian packages; prints nothing when all are present.
setup:
	@scripts/setup

# The GS1 AI table is generated from the GS1 Barcode Syntax Dictionary.
lib/code/gs1_ai_table.c: data/gs1/gs1-syntax-dictionary.txt tools/gen-gs1-table.awk
	awk -f tools/gen-gs1-table.awk data/gs1/gs1-syntax-dictionary.txt > $@.tmp
	mv $@.tmp $@

# The Ecode version table is generated from data/ecode/versions.tsv.
lib/code/ecode_table.c: data/ecode/versions.tsv tools/gen-ecode-table.awk
	awk -f tools/gen-ecode-table.awk data/ecode/versions.tsv > $@.tmp
	mv $@.tmp $@

# Dictionary 2 of packed events was trained on generated events
# (tools/mkdict.c). Its bytes are part of the store's format, so the file
# is kept and never made again: this checks that the tool still makes the
# same bytes (a new dictionary needs a new tag, see lib/store/pack.c).
pack-dict: $(LIBYIMA)
	@mkdir -p $(BUILD)/tools
	$(CC) $(CFLAGS) -Ilib -Ibench -o $(BUILD)/tools/mkdict tools/mkdict.c $(LIBYIMA) $(LDLIBS)
	$(BUILD)/tools/mkdict > $(BUILD)/tools/pack_dict2.c
	@cmp -s $(BUILD)/tools/pack_dict2.c lib/store/pack_dict2.c || { \
		echo "pack-dict: tools/mkdict.c no longer makes lib/store/pack_dict2.c" \
		"($(BUILD)/tools/pack_dict2.c differs); keep the file, give a new" \
		"dictionary a new tag"; exit 1; }
	@echo "pack-dict: lib/store/pack_dict2.c is what tools/mkdict.c makes"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBYIMA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(YIMA): $(CLI_OBJ) $(LIBYIMA)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBYIMA) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBYIMA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilib -o $@ $< $(LIBYIMA) $(LDLIBS) $(TEST_LIBS)

# Each fuzz target also links against a small driver that replays its seed
# corpus, so `make test` runs every corpus through every parser with gcc.
$(BUILD)/fuzz/%-replay: fuzz/%.c fuzz/replay.c $(LIBYIMA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilib -o $@ $< fuzz/replay.c $(LIBYIMA) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIBYIMA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilib -o $@ $< $(LIBYIMA) $(LDLIBS)

test: all $(TEST_BIN) $(FUZZ_REPLAY)
	@tests/run-all $(BUILD)

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" test

bench: all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done

# libFuzzer needs clang; each target runs for FUZZ_SECONDS on its corpus.
fuzz: setup
	@scripts/fuzz $(FUZZ_SECONDS)

run: all
	@scripts/demo $(YIMA)

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(FUZZ_SRC) $(BENCH_SRC) \
		$(wildcard include/yima/*.h lib/*/*.h src/cli/*.h src/server/*.h)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
