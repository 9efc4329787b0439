# The two commands of the README quick start:
#   make demo   installs what is needed, builds, and tells the whole story on
#               the lab (scripts/demo): lab up, discover, scan, a capture of
#               its LAN read, the report (vantage.db, report.html), lab down;
#               without root or namespaces it reads the bundled capture
#   make test   installs, builds (plain and ASan+UBSan) and runs every test
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: all setup build asan test test-plain test-asan demo clean

all: build

setup:
	@./scripts/setup

build: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD)

asan: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVT_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD)

test-plain: build
	ctest --test-dir $(BUILD) --output-on-failure

test-asan: asan
	ctest --test-dir $(ASAN_BUILD) --output-on-failure

test: test-plain test-asan

demo: build
	VT_BUILD=$(BUILD) ./scripts/demo

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
