# Builds use CGO_ENABLED=0, as releases do: a static binary skips loading libc at every start.
# igctl: `make demo` runs the main job against a local Keycloak and leaves it and the gateway
# running (`make demo-stop` stops them); `make test` runs every test.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG     := github.com/inference-gateway/igctl/internal/build
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)

.PHONY: build test demo demo-stop keycloak-start keycloak-stop docs release-snapshot bench

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/igctl ./cmd/igctl

test:
	scripts/test.sh

demo: build
	scripts/demo.sh

# the demo's gateway and Keycloak (IGCTL_DEMO_DIR picks the demo, default ./demo)
demo-stop:
	scripts/demo.sh stop

keycloak-start:
	scripts/keycloak.sh start

keycloak-stop:
	scripts/keycloak.sh stop

docs:
	scripts/gen-docs.sh

release-snapshot:
	scripts/release-snapshot.sh

bench:
	bench/run.sh
