#!/usr/bin/env bash
# Check goreleaser.yaml and build a snapshot release for one target
# (linux/amd64), then check that the archive and the .deb carry the
# completions and man pages. Installs goreleaser v2.16.0 if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
GR_VERSION=v2.16.0
GOBIN=$(go env GOPATH)/bin
if ! "$GOBIN/goreleaser" --version 2>/dev/null | grep -q "${GR_VERSION#v}"; then
  echo "release-snapshot.sh: installing goreleaser $GR_VERSION (a few minutes)" >&2
  GOFLAGS= go install "github.com/goreleaser/goreleaser/v2@$GR_VERSION"
fi
GR="$GOBIN/goreleaser"
"$GR" check --config goreleaser.yaml
# One target keeps CI fast: the same configuration narrowed to linux/amd64.
# (`release` has no --single-target; the cask needs darwin archives, so it is skipped here.)
one=$(mktemp --suffix=.yaml)
trap 'rm -f "$one"' EXIT
sed -e 's/goos: \[linux, darwin, windows\]/goos: [linux]/' -e 's/goarch: \[amd64, arm64\]/goarch: [amd64]/' goreleaser.yaml > "$one"
grep -q 'goos: \[linux\]' "$one" || { echo "release-snapshot.sh: FAILED: could not narrow the targets" >&2; exit 1; }
"$GR" release --config "$one" --snapshot --clean --skip=publish,homebrew
archive=$(ls dist/igctl_*_linux_amd64.tar.gz)
listing=$(tar -tzf "$archive")
for f in igctl README.md LICENSE completions/igctl.bash completions/_igctl completions/igctl.fish completions/igctl.ps1 manpages/igctl.1.gz manpages/igctl-login.1.gz; do
  grep -qx "$f" <<<"$listing" || { echo "release-snapshot.sh: FAILED: $archive lacks $f" >&2; exit 1; }
done
deb=$(ls dist/*.deb)
debfiles=$(dpkg-deb -c "$deb")
for f in ./usr/bin/igctl ./usr/share/bash-completion/completions/igctl ./usr/share/man/man1/igctl.1.gz; do
  grep -q " $f\$" <<<"$debfiles" || { echo "release-snapshot.sh: FAILED: $deb lacks $f" >&2; exit 1; }
done
tmp=$(mktemp -d)
tar -xzf "$archive" -C "$tmp" igctl
# (without a git tag goreleaser reports the commit as "none"; a tagged release stamps the hash)
"$tmp/igctl" version | grep -q -- '-next (commit \([0-9a-f]\{40\}\|none\), built 20' || { echo "release-snapshot.sh: FAILED: version/date not stamped" >&2; exit 1; }
rm -rf "$tmp"
echo "release-snapshot.sh: $archive and $deb carry the binary, completions and man pages" >&2
