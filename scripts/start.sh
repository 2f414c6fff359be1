#!/usr/bin/env bash
# Sets up and starts the whole stack on embedded defaults; Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec node --enable-source-maps --import tsx src/stack/main.ts
