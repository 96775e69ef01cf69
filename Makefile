# zest - top-level build. `make` builds build/zest, build/libzest.a and build/libzest.so.
# `make demo`, `make test` and `make bench` first install what is missing: Debian packages
# (scripts/deps.sh), then the language identification model and test texts (scripts/models.sh).
# Sanitizer builds go to their own tree: `make BUILD=build/asan SAN=1` (TSAN=1: ThreadSanitizer).

CC      ?= cc
BUILD   ?= build
SAN     ?=
WERROR  ?= $(if $(filter true 1,$(CI)),-Werror,)

WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS = -Iinclude -D_GNU_SOURCE -I/usr/include/libxml2
OPT      = $(if $(TSAN),-O1 -g -fno-omit-frame-pointer -fsanitize=thread,$(if $(SAN),-O1 -g -fno-omit-frame-pointer -fsanitize=address$(,)undefined -fno-sanitize-recover=undefined,-O2 -g))
CFLAGS  ?=
ZCFLAGS  = -std=c11 $(OPT) $(WARN) $(WERROR) -fPIC -fvisibility=hidden -pthread $(CFLAGS)
LIBS     = -lyaml -lz -lzstd -llz4 -lutf8proc -lsnappy -lcurl -lpcre2-8 -lmicrohttpd -lxml2 -lopencc $(MPI_LD) -lm -pthread
# MPI (distributed runs, docs/mpi.md): compiled in when Open MPI's development files are
# present (mpicc --showme, else pkg-config ompi-c); MPI=0 builds without it. Only
# src/exec/mpi_rt.c includes mpi.h; without MPI it is the one-rank build of the same interface.
MPI     ?= 1
MPI_INC := $(if $(filter 1,$(MPI)),$(shell mpicc --showme:compile 2>/dev/null || pkg-config --cflags ompi-c 2>/dev/null),)
MPI_LD  := $(if $(filter 1,$(MPI)),$(shell mpicc --showme:link 2>/dev/null || pkg-config --libs ompi-c 2>/dev/null),)
SANLD    = $(if $(TSAN),-fsanitize=thread,$(if $(SAN),-fsanitize=address$(,)undefined,))
, := ,

LIB_SRC  = $(sort $(shell find src -name '*.c' ! -path 'src/cli/*'))
CLI_SRC  = $(sort $(wildcard src/cli/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC = $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUP = $(BUILD)/obj/tests/unit/runner.o

.PHONY: all deps models npm demo test check unit-tests bench fuzz clean format test-tsan test-long
all: $(BUILD)/zest $(BUILD)/libzest.a $(BUILD)/libzest.so

deps:
	@scripts/deps.sh

# After deps, so that two apt-get runs (models.sh installs npm if it is missing) never overlap.
models: deps
	@scripts/models.sh

# The npm packages the tests use (tests/**/package-lock.json); after models, which installs npm.
npm: models
	@scripts/npm.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ZCFLAGS) -MMD -MP -c $< -o $@

# The dashboard page is embedded in the binary: www_data.c is generated from src/server/www/
# (and committed, so a build without the script's tools still works).
src/server/www_data.c: $(sort $(wildcard src/server/www/*)) scripts/embed_www.sh
	scripts/embed_www.sh
# mpi.h's directories as system headers: its declarations are not ours to warn about.
$(BUILD)/obj/src/exec/mpi_rt.o: CPPFLAGS += $(if $(MPI_LD),-DZEST_HAVE_MPI $(subst -I,-isystem ,$(MPI_INC)),)

$(BUILD)/libzest.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libzest.so: $(LIB_OBJ)
	$(CC) -shared $(SANLD) -o $@ $^ $(LIBS)

$(BUILD)/zest: $(CLI_OBJ) $(BUILD)/libzest.a
	$(CC) $(SANLD) -o $@ $(CLI_OBJ) $(BUILD)/libzest.a $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_SUP) $(BUILD)/libzest.a
	@mkdir -p $(@D)
	$(CC) $(SANLD) -o $@ $< $(TEST_SUP) $(BUILD)/libzest.a $(LIBS)

unit-tests: $(TEST_BIN) $(BUILD)/zest

# The whole suite: normally, under AddressSanitizer + UndefinedBehaviorSanitizer, and under
# ThreadSanitizer (its own tree: TSan and ASan do not mix).
test: deps models npm
	@$(MAKE) --no-print-directory all unit-tests
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all unit-tests
	@$(MAKE) --no-print-directory BUILD=build/tsan TSAN=1 all unit-tests
	@tests/run_tests.sh build build/asan build/tsan

# The suite under ThreadSanitizer alone.
test-tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan TSAN=1 all unit-tests
	@tests/run_tests.sh build/tsan

check: all unit-tests
	@tests/run_tests.sh $(BUILD)

# The crash-and-resume test with 200 kills at random instants instead of 20.
test-long: deps all
	@ZEST_KILL_SEEDS=200 bash tests/integration/test_resume.sh

demo: deps models all
	@scripts/demo.sh

bench: deps models all
	@bench/run.sh

fuzz: deps
	@tests/fuzz/build.sh

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) include/zest.h

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
