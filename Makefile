# Thin wrapper around Meson for the README's two commands.
#   make run    install what is missing, build, run the main job (pcilab demo)
#   make check  install what is missing, build with ASan+UBSan, run every test
#   make bench  build optimised, run the benchmarks
#   make fuzz   build the libFuzzer targets with clang and run each briefly

BUILD        ?= build
BUILD_CHECK  ?= build-check
BUILD_FUZZ   ?= build-fuzz
BUILD_BENCH  ?= build-bench
MESON        ?= meson
FUZZ_SECONDS ?= 30

.PHONY: all run check bench fuzz deps clean

# Every entry point first makes sure the Debian packages are there (cheap when
# they are), then configures its build directory once.
deps:
	@scripts/install-deps.sh

all: deps
	@test -f $(BUILD)/build.ninja || $(MESON) setup $(BUILD) --buildtype=debugoptimized -Dtests=false
	ninja -C $(BUILD)

run: all
	$(BUILD)/tools/pcilab/pcilab demo

# The optimised build of `make run` is compiled too: -O2 sees warnings
# (maybe-uninitialized, dangling-pointer) that the -O0 sanitizer build
# does not, and either build failing is a failure.
check: all
	@test -f $(BUILD_CHECK)/build.ninja || $(MESON) setup $(BUILD_CHECK) --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD_CHECK)
	scripts/run-tests.py $(BUILD_CHECK)

bench: deps
	@test -f $(BUILD_BENCH)/build.ninja || $(MESON) setup $(BUILD_BENCH) --buildtype=release -Dtests=false
	ninja -C $(BUILD_BENCH)
	scripts/run-bench.sh $(BUILD_BENCH)

fuzz: deps
	@test -f $(BUILD_FUZZ)/build.ninja || CC=clang $(MESON) setup $(BUILD_FUZZ) --buildtype=debug \
		-Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD_FUZZ)
	scripts/run-fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(BUILD_CHECK) $(BUILD_BENCH) $(BUILD_FUZZ)
