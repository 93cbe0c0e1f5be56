#!/usr/bin/env bash
# Generate shell completions into completions/ (run by goreleaser before the build).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p completions
go run ./cmd/igctl completion bash > completions/igctl.bash
go run ./cmd/igctl completion zsh > completions/_igctl
go run ./cmd/igctl completion fish > completions/igctl.fish
go run ./cmd/igctl completion powershell > completions/igctl.ps1
