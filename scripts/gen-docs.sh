#!/usr/bin/env bash
# Generate shell completions (completions/) and man pages (manpages/) from the
# command tree. goreleaser runs this before building (its hooks take no shell
# syntax, so the work lives here).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf manpages
go run ./internal/tools/gendocs -completions completions -man manpages
gzip -9 -n -f manpages/*.1
