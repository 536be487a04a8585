# kpi: the two commands are `make run` and `make test`.
GO      ?= go
BIN     := bin/kpi
GOFLAGS ?=
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run test vet bench clean

build:
	$(GO) build $(GOFLAGS) -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/kpi

# The whole job on the built-in generator: last 30 days into kpi.duckdb.
run: build
	./$(BIN) run

# The packages that hand memory to DuckDB are tested once more with
# cgo's pointer checks on: a Go pointer kept in C memory is reported where
# it is written, rather than found dangling by the collector at some
# later, random moment (see store.records).
test:
	$(GO) vet ./...
	$(GO) test $(GOFLAGS) -count=1 ./...
	GOEXPERIMENT=cgocheck2 $(GO) test $(GOFLAGS) -count=1 ./store ./load ./pipeline

# End to end against DuckDB alone, and the nightly run (see README,
# Performance); then each stage's Go benchmarks. BENCHFLAGS passes flags
# to kpibench, e.g. make bench BENCHFLAGS="--n 3000000 --nightly=false".
BENCHFLAGS ?=
bench: build
	$(GO) test -run '^$$' -bench . -benchmem $(GOFLAGS) ./...
	$(GO) run $(GOFLAGS) ./cmd/kpibench --kpi $(BIN) $(BENCHFLAGS)

clean:
	rm -rf bin data site kpi.duckdb kpi.duckdb.wal
