# octostar: build, test and documentation targets.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build test lint docs bench bench-quick demo update-golden install kill-test

build: ## build bin/octostar
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/octostar ./cmd/octostar

test: ## vet, then every test under the race detector
	$(GO) vet ./...
	$(GO) test -race ./...

lint: ## formatting and vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
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
