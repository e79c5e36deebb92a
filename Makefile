# workbench — build, run and test.
#   make run    install missing system packages, build release, launch workbench
#   make test   install missing system packages, run the whole test suite

SWIFT        ?= swift
# Debian packages the project needs: OpenBLAS (GEMM), ncursesw (TUI), zlib
# (reading .tar.gz in-process), libpng and libjpeg-turbo (decoding image files),
# tmux (the end-to-end TUI test drives it), SQLite (the run store, through GRDB),
# Open MPI (data-parallel training: libmpi, mpirun), ncurses-term (terminfo
# entries such as xterm-direct for truecolor terminals).
APT_PACKAGES := libopenblas-dev libncursesw5-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev tmux libsqlite3-dev libopenmpi-dev openmpi-bin ncurses-term
RELEASE_BIN  := .build/release/workbench

.PHONY: all deps build release run test test-unit test-e2e bench clean fuzz kill9 test-tsan test-asan

all: release

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "Installing missing system packages:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "error: missing system packages:$$missing — install them as root: apt-get install$$missing" >&2; exit 1; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing \
	  || { $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; } \
	  || { echo "error: could not install:$$missing" >&2; exit 1; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product workbench

run: release
	$(RELEASE_BIN)

# One debug build (the test bundle and the `workbench` binary the end-to-end
# tests drive; Tensors is optimised even in debug, see Package.swift), then
# every test. A release build is not needed for the tests.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-swift-testing --skip-build
	WORKBENCH_BIN=$(CURDIR)/.build/debug/workbench scripts/kill9.sh 6

# SIGKILL at random moments of a training run's writes (RELIABILITY.md); `make test` runs 6 trials.
KILL9_TRIALS ?= 100
kill9: release
	WORKBENCH_BIN=$(RELEASE_BIN) scripts/kill9.sh $(KILL9_TRIALS)

# The suite under ThreadSanitizer / AddressSanitizer, each in its own build folder (slow: a full rebuild).
test-tsan: deps
	WORKBENCH_TEST_TIMEOUT_SCALE=8 $(SWIFT) test --disable-swift-testing --sanitize=thread --build-path .build/tsan
# Leak checking is off: at exit LeakSanitizer reports the Swift runtime's weak-reference side
# tables of objects still alive on other threads (32 bytes each, a fixed few per process, not per
# step), the report fills the pipe of a CLI child the end-to-end tests read only after it exits, and
# the report's exit status fails those tests (RELIABILITY.md, AddressSanitizer).
test-asan: deps
	WORKBENCH_TEST_TIMEOUT_SCALE=4 ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --disable-swift-testing --sanitize=address --build-path .build/asan

# libFuzzer + ASan over every parser of outside input, FUZZ_SECONDS per target (RELIABILITY.md).
FUZZ_SECONDS ?= 60
fuzz: deps
	scripts/fuzz.sh all $(FUZZ_SECONDS)

bench: release
	$(RELEASE_BIN) bench core

clean:
	rm -rf .build
