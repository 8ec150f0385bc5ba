# Ward: every target does its own set-up on a fresh Debian 12 machine (as root).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin/ward
FUZZTIME ?= 20s

.PHONY: all setup build build-pure up scan test lint fuzz bench bench-fleet bench-vuln bench-weakpass bench-baseline bench-malware clean

all: build

setup:
	@scripts/setup-debian.sh

# Ward with the libyara engine, one static binary that needs nothing on the
# target host: cgo, libyara and its dependencies (libmagic, jansson,
# libcrypto, zlib, lzma, bz2) linked statically from Debian's -dev packages
# (scripts/setup-debian.sh); netgo and osusergo keep glibc's NSS (dlopen)
# out of the name and user lookups.
YARA_TAGS := yara_static netgo osusergo
build: setup
	CGO_ENABLED=1 $(GO) build -trimpath -tags '$(YARA_TAGS)' -ldflags '-s -w -extldflags "-static -lz -llzma -lbz2"' -o $(BIN) ./cmd/ward
	@if readelf -d $(BIN) | grep -q NEEDED; then echo "$(BIN) is not static:"; readelf -d $(BIN) | grep NEEDED; exit 1; fi

# Pure Go (CGO_ENABLED=0), no C toolchain or libyara needed to build: no
# YARA engine (hash lists and heuristics only; scans say so).
build-pure: setup
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/ward-pure ./cmd/ward

# Ward's main job on this host with embedded defaults: a server in
# ./ward-data, this host enrolled as its first agent, inventory, compliance
# baseline, weak-password and quick malware tasks run, and where to look
# printed; it keeps serving until Ctrl-C.
up: build
	./$(BIN) up

# A one-off local scan of this host, no server.
scan: build
	./$(BIN) scan --all

lint: setup
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The whole suite: formatting, vet, unit + fixture + live tests with the race
# detector, fuzz seed corpora (run as ordinary tests), and a CLI smoke run.
test: lint
	$(GO) test -race -count=1 -timeout 20m ./...

# Each fuzz target for FUZZTIME (go test runs one fuzz target at a time).
fuzz: setup
	@scripts/fuzz-all.sh $(FUZZTIME)

bench: build
	bench/inventory.sh

# Fleet benchmark: N simulated agents against one server (see bench/fleet/RESULTS.md).
N ?= 1000
DB ?= sqlite
bench-fleet: build
	bench/fleet/run.sh $(N) $(DB)

# Vulnerability scan against osv-scanner 2.5.1 (see bench/vuln/RESULTS.md).
bench-vuln: build
	bench/vuln.sh

# Weak-password cracking vs john on the same shadow + word list (see bench/weakpass/RESULTS.md).
bench-weakpass:
	bench/weakpass.sh

# Baseline benchmark: Debian 12 L2 + 等保 L3 against lynis (see bench/baseline/RESULTS.md).
bench-baseline: build
	bench/baseline.sh

# Malware scan benchmark vs yara and clamscan (see bench/malware/RESULTS.md).
bench-malware: build
	bench/malware.sh $(BIN)

clean:
	rm -rf bin
