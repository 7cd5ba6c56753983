#!/usr/bin/env bash
# Installs the pinned Temporal CLI (which embeds the dev server and its Web UI) into .tools/bin.
# Built from the Go module proxy: no prebuilt binary is downloaded. Skipped when already there.
set -euo pipefail
cd "$(dirname "$0")/.."
TEMPORAL_CLI_VERSION="v1.5.1" # last tag `go install` accepts (later ones carry a replace directive)
BIN=".tools/bin/temporal"
STAMP=".tools/bin/temporal.version"
if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$TEMPORAL_CLI_VERSION" ]; then
  exit 0
fi
# A build made by another checkout on this machine (CI clones afresh) is reused from the user cache.
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/edomex-backoffice/temporal-$TEMPORAL_CLI_VERSION"
if [ -x "$CACHE" ]; then
  mkdir -p .tools/bin
  cp "$CACHE" "$BIN"
  echo "$TEMPORAL_CLI_VERSION" > "$STAMP"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Go >= 1.25 is needed to build the Temporal CLI (or set TEMPORAL_ADDRESS to an existing server)." >&2
  exit 1
fi
echo "Building Temporal CLI $TEMPORAL_CLI_VERSION from the Go module proxy (first time takes several minutes)..."
mkdir -p .tools/bin
GOBIN="$PWD/.tools/bin" CGO_ENABLED=0 go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
echo "$TEMPORAL_CLI_VERSION" > "$STAMP"
mkdir -p "$(dirname "$CACHE")" && cp "$BIN" "$CACHE"
"$BIN" --version
