# SPDX-License-Identifier: MIT
# The two commands a newcomer types: `make run` and `make check`.
# Both install missing Debian packages when run as root (else print the
# apt-get line and stop), configure with meson, build and run.

BUILD ?= build
ASAN_BUILD ?= build-asan
DEPS = meson ninja-build gcc pkg-config libcmocka-dev liburcu-dev libjson-c-dev python3
MESON_FLAGS ?=

.PHONY: all deps run check test asan-check fuzz bench clean install

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/ensure-deps.sh $(DEPS)

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_FLAGS)

$(ASAN_BUILD)/build.ninja: | deps
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false $(MESON_FLAGS)

# A VMM's iommufd flow under the preload, narrated: guest RAM, an emulated
# device, DMA, a live-migration dirty-page pass (examples/vmm-flow.c).
# The other examples: $(BUILD)/examples/{ioas-walk,type1-container,dma-device,
# nested-viommu}.
run: all
	$(BUILD)/uiommufd-run -- $(BUILD)/examples/vmm-flow

# Full test run: the normal build, then the sanitizer build's suites.
check: all $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	@rc=0; \
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 || rc=1; \
	meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --suite asan || rc=1; \
	python3 scripts/test-summary.py $(BUILD) $(ASAN_BUILD) || rc=1; \
	exit $$rc

test: all
	meson test -C $(BUILD) --print-errorlogs

bench: all
	$(BUILD)/bench/uiommufd-bench

fuzz:
	@scripts/ensure-deps.sh clang libclang-rt-14-dev
	CC=clang meson setup build-fuzz -Dfuzzer=true -Db_lundef=false || true
	ninja -C build-fuzz
	@echo "run: build-fuzz/tests/fuzz/fuzz-ioctl tests/fuzz/corpus/ioctl"

install: all
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
