#!/usr/bin/env bash
# npm run upgrade-check [-- REF] (issue 30 §2): an upgrade and a backup that lose nothing, proved on real PostgreSQL.
#  1. The previous release (REF, default the last release before issue 30) is built in a worktree; its own CLI fills a
#     database with a month of the ACC demo operation (readings, ledger, key file, distributor's data, reconciliation,
#     invoices) and writes its reports (residents' months, open data, producers' statements, the accountant's export)
#     and every table's row count.
#  2. This release opens the same database (its migrations run at open, no manual step) and writes the same reports:
#     they must be identical, and no table may have lost a row.
#  3. The upgraded database is backed up (pg_dump -Fc) and restored (pg_restore) into a fresh one, which must serve
#     the same reports again.
# Needs this release built (npm run build) and node_modules; ILOT_TEST_DATABASE_URL names the server (default local).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prev=${1:-3bf3bad48056380a4e0bac8f92118d6b795f342f}
server=${ILOT_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d /tmp/ilot-upgrade.XXXXXX)
suffix=$RANDOM$RANDOM
db_url() { echo "${server%/*}/$1"; }
upgraded=ilot_upgrade_$suffix
restored=ilot_restored_$suffix
cleanup() {
  git -C "$root" worktree remove --force "$work/prev" >/dev/null 2>&1 || true
  psql -q "$server" -c "DROP DATABASE IF EXISTS $upgraded WITH (FORCE)" -c "DROP DATABASE IF EXISTS $restored WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

ref=$prev
if ! prev=$(git -C "$root" rev-parse --verify -q "$ref^{commit}"); then
  echo "upgrade-check: SKIPPED: the previous release ($ref) is not in this clone (a shallow clone?); fetch it and run again"
  exit 0
fi
echo "upgrade-check: from $(git -C "$root" log -1 --format='%h %cs' "$prev") to $(git -C "$root" log -1 --format='%h %cs' HEAD)"
git -C "$root" worktree add -q --detach "$work/prev" "$prev"
ln -s "$root/node_modules" "$work/prev/node_modules"
(cd "$work/prev" && npx tsc -p tsconfig.build.json && npx tsc-alias -p tsconfig.build.json)
psql -q "$server" -c "CREATE DATABASE $upgraded" -c "CREATE DATABASE $restored"

site="$root/sites/acc-demo.yaml"
month=2026-11
participants=$(awk '/^participants:/ { on = 1; next } /^[a-z]/ { on = 0 } on && /^  - id: / { print $3 }' "$site")

# Waits for every job given; fails (the script stops) when one failed.
wait_all() {
  local failed=0
  for job in "$@"; do wait "$job" || failed=1; done
  return $failed
}

# Every report of the month, by the CLI of release $1 on database $2, into folder $3.
reports() {
  local cli="node $1/dist/apps/cli/src/main.js" url=$2 out=$3
  mkdir -p "$out"
  # Each report is its own CLI process, mostly starting up: three at a time (each checked below).
  local jobs=()
  for p in $participants; do
    # The report's own instant of making is not a figure.
    ($cli report --site "$site" --participant "$p" --month $month --format json --database "$url" |
      sed -E 's/"generatedAt": *"[^"]*"/"generatedAt":""/g' >"$out/report-$p.json") &
    jobs+=($!)
    ((${#jobs[@]} % 3)) || { wait_all "${jobs[@]}"; jobs=(); }
  done
  $cli open-data --site "$site" --from 2026-11-01T00:00:00+01:00 --to 2026-12-01T00:00:00+01:00 --format csv \
    --out "$out/open-data.csv" --database "$url" >/dev/null &
  jobs+=($!)
  $cli acc statements --site "$site" --month $month --out "$out/statements" --database "$url" >/dev/null &
  jobs+=($!)
  wait_all "${jobs[@]}"
  $cli acc export --site "$site" --month $month --out "$out/export.csv" --database "$url" >/dev/null
  # A report that says nothing proves nothing.
  if [ -n "$(find "$out" -type f -size -100c)" ]; then
    echo "upgrade-check: empty reports: $(find "$out" -type f -size -100c)"; exit 1
  fi
}

# Every table's rows, but the migrations' own.
counts() {
  psql -qAt "$1" <<'SQL'
SELECT format('SELECT %L AS t, count(*) FROM %I', table_name, table_name) FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1
\gexec
SQL
}

old=$work/prev
url=$(db_url "$upgraded")
cli_old="node $old/dist/apps/cli/src/main.js"
$cli_old acc simulate --site "$site" --month $month --out "$work/acc" --sample-minutes 15 --database "$url" >/dev/null
$cli_old acc import --site "$site" --month $month --file "$work/acc/distributeur-acc-demo-$month.csv" --database "$url" >/dev/null
$cli_old acc reconcile --site "$site" --month $month --database "$url" >/dev/null
$cli_old acc invoice --site "$site" --month $month --out "$work/invoices" --database "$url" >/dev/null
reports "$old" "$url" "$work/before"
counts "$url" >"$work/before/counts.txt"

# This release: the same database, migrated at open.
reports "$root" "$url" "$work/after"
counts "$url" >"$work/after/counts.txt"
lost=$(awk -F'|' 'NR == FNR { before[$1] = $2; next } { after[$1] = $2 }
  END { for (t in before) if (after[t] + 0 < before[t] + 0) print t ": " before[t] " -> " (t in after ? after[t] : "gone") }' \
  "$work/before/counts.txt" "$work/after/counts.txt")
if [ -n "$lost" ]; then
  echo "upgrade-check: rows lost in the upgrade:"; echo "$lost"; exit 1
fi
diff -r "$work/before" "$work/after" --exclude counts.txt || { echo "upgrade-check: a report changed in the upgrade"; exit 1; }

# Backup and restore (docs/operations.md).
pg_dump -Fc -f "$work/backup.dump" "$url"
pg_restore --no-owner -d "$(db_url "$restored")" "$work/backup.dump"
reports "$root" "$(db_url "$restored")" "$work/restored"
counts "$(db_url "$restored")" >"$work/restored/counts.txt"
diff -r "$work/after" "$work/restored" || { echo "upgrade-check: the restored database serves other reports"; exit 1; }

tables=$(wc -l <"$work/after/counts.txt")
rows=$(awk -F'|' '{ s += $2 } END { print s }' "$work/after/counts.txt")
files=$(find "$work/after" -type f ! -name counts.txt | wc -l)
echo "upgrade-check: passed: $tables tables, $rows rows kept through the upgrade and the backup ($(du -h "$work/backup.dump" | cut -f1) dump); $files reports identical before, after and restored"
