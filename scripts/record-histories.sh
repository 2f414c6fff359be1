#!/usr/bin/env bash
# Records replay fixtures from the workflow code at <commit> (the code BEFORE a change): checks
# it out in a worktree outside this one, runs that commit's end-to-end suites (and the recording
# scenarios in test/recording/) against a stack of its own, saves the history of every run they
# leave, then picks one fixture per kind of run into test/histories/ and its manifest.
#
#   scripts/record-histories.sh <commit> [suite paths…]
#
# HUB_TEST_PROFILE / HUB_PORT_OFFSET choose the stack's profile (default: record / 21000);
# HUB_RECORD_KEEP=1 keeps the worktree (and its Medusa database) for the next commit. The Medusa
# database of a removed worktree stays in PostgreSQL until the next recording at the same path
# drops it (src/stack/medusa.ts). Runs on 2 cores take ~5 minutes for the default suites.
set -euo pipefail
cd "$(dirname "$0")/.."
main=$PWD
commit=$(git rev-parse --short=7 "${1:?usage: scripts/record-histories.sh <commit> [suite paths...]}^{commit}")
shift
export HUB_TEST_PROFILE=${HUB_TEST_PROFILE:-record} HUB_PORT_OFFSET=${HUB_PORT_OFFSET:-21000}
wt=${HUB_RECORD_WORKTREE:-/tmp/hub-record}
log() { printf '\033[1m[record]\033[0m %s\n' "$*"; }

# The worktree borrows this checkout's node_modules, which only fits the same lockfiles.
for lock in package-lock.json apps/medusa/package-lock.json apps/strapi/package-lock.json; do
  if ! git diff --quiet HEAD "$commit" -- "$lock"; then
    echo "$lock at $commit differs from HEAD: run npm ci in a worktree of $commit instead of sharing node_modules" >&2
    exit 1
  fi
done

if [ -d "$wt" ]; then
  git -C "$wt" clean -fdq -- test/recording
  git -C "$wt" checkout --quiet --detach "$commit"
else
  git worktree add --quiet --detach "$wt" "$commit"
fi
[ "${HUB_RECORD_KEEP:-}" = 1 ] || trap 'git worktree remove --force "$wt"' EXIT
for d in node_modules apps/medusa/node_modules apps/strapi/node_modules .tools; do
  [ -e "$main/$d" ] && [ ! -e "$wt/$d" ] && ln -s "$main/$d" "$wt/$d"
done
# Older commits lack the recording helpers: lend them ours (they use only what every commit has).
mkdir -p "$wt/test/recording"
for f in "$main"/test/recording/*.ts "$main"/test/recording/*.js; do
  [ -e "$wt/test/recording/$(basename "$f")" ] || cp "$f" "$wt/test/recording/"
done

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  for s in src/workflows/products/sync-new-product.test.ts src/workflows/products/product-entity.test.ts src/workflows/orders/fulfil-order.test.ts \
    src/workflows/inventory/stock-level.test.ts test/recording/entity.record.ts test/recording/catalogue.record.ts; do
    [ -e "$wt/$s" ] && suites+=("$s")
  done
fi

out=$(mktemp -d /tmp/hub-histories-"$commit".XXXXXX)
log "running at $commit (profile $HUB_TEST_PROFILE): ${suites[*]}"
status=0
(cd "$wt" && scripts/bootstrap.sh >/dev/null && HUB_RECORD_DIR="$out" npx jest --config test/recording/jest.config.js --runInBand "${suites[@]}") || status=$?
# A failed test still leaves runs of that commit's code: they are fixtures all the same.
[ "$status" -eq 0 ] || log "some tests failed at $commit (exit $status); picking from the runs they left anyway"
node --import tsx scripts/pick-histories.ts "$out" "$commit"
rm -rf "$out"
log "now run: HUB_TEST_SERVICES=none scripts/test.sh src/workflows/replay.test.ts"
exit "$status"
