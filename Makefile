# octostar: build, test and documentation targets.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build test lint docs bench bench-quick demo update-golden install kill-test fuzz

build: ## build bin/octostar
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/octostar ./cmd/octostar

test: lint ## gofmt, vet and the script formatter, then every test under the race detector
	$(GO) test -race ./...

lint: ## gofmt, vet, and the scripts formatted as octostar fmt does
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./cmd/octostar fmt --check scripts testdata/e2e testdata/builtins

docs: ## regenerate docs/builtins.md from the builtin registry
	$(GO) run ./cmd/octostar doc --markdown > docs/builtins.md

bench: ## the Go benchmarks, then the release train (docs/performance.md; the train alone takes about 4 minutes)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/octostar-bench

bench-quick: ## the release-train benchmark with 20 projects
	$(GO) run ./cmd/octostar-bench -n 20

kill-test: ## 100 trials of SIGKILLing a journaled 30-project train and resuming it (docs/journal.md)
	OCTOSTAR_KILL_TRIALS=$${OCTOSTAR_KILL_TRIALS:-100} $(GO) test -run '^TestKillAndResume$$' -count=1 -timeout 60m -v ./cmd/octostar

demo: ## the README's demo: a release train on the embedded Octopus simulator
	$(GO) run ./cmd/octostar run --sandbox scripts/examples/release_train.star

# Every fuzz target, as package:Function. `make fuzz` runs each for
# FUZZTIME (a duration, or a count such as 500x, which CI uses: a count
# cannot run out mid-input on a slow machine).
FUZZTIME ?= 60s
FUZZ_TARGETS := builtins:FuzzScript builtins:FuzzDuration internal/octosim:FuzzSeed \
	internal/journal:FuzzOpen internal/servicemsg:FuzzEncode \
	internal/octosim/versioning:FuzzParseVersion internal/octosim/versioning:FuzzParseRange \
	internal/octosim/versioning:FuzzNextVersion internal/octosim/versioning:FuzzChannelRule

fuzz: ## run every fuzz target for FUZZTIME (default 60s each); a crasher is kept under testdata/fuzz as a regression test
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn in ./$$pkg for $(FUZZTIME)"; \
		$(GO) test ./$$pkg -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

update-golden: ## rewrite golden files after an intended change
	$(GO) test ./interp -run TestSandbox -update
	$(GO) test ./builtins -run TestRequestCounts -update
	$(GO) test ./internal/servicemsg -update
	$(GO) test ./cmd/octostar -run 'TestOctopusStep|TestStepTemplate' -update
	$(GO) test ./cmd/octostar -run TestPlanGolden -update

install: ## install octostar into GOBIN
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/octostar

.PHONY: fault-test
fault-test: ## the fault tests (internal/faults): a 50-project train under each fault, then the results table; SEED=n for another simulator seed
	OCTOSTAR_FAULT_SEED=$(SEED) $(GO) test -race -count=1 -v -run 'TestFaults$$' ./internal/faults
