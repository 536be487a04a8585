# kpi: the two commands are `make run` and `make test`.
GO      ?= go
BIN     := bin/kpi
GOFLAGS ?=

.PHONY: build run test vet bench clean

build:
	$(GO) build $(GOFLAGS) -o $(BIN) ./cmd/kpi

# The whole job on the built-in generator: last 30 days into kpi.duckdb.
run: build
	./$(BIN) run

test:
	$(GO) vet ./...
	$(GO) test $(GOFLAGS) -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin data site kpi.duckdb kpi.duckdb.wal
