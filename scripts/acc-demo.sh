#!/usr/bin/env bash
# The demo operation's month end to end with the CLI (issue 29, docs/acc.md), on the database of ILOT_DATABASE_URL
# (a fresh one: the month's readings are written into it): simulate November with a planted gap, send the key file,
# import the distributor's file, reconcile, fill the gap is left to `ilot acc curve` (Data Connect), invoice with the
# differences accepted, credit one invoice, write the statements and the export, and render the PDFs to PNG
# (poppler's pdftoppm) into docs/screenshots/. Usage: ILOT_DATABASE_URL=postgres://... scripts/acc-demo.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
site=sites/acc-demo.yaml
month=2026-11
ilot() { node bin/ilot.js "$@"; }
ilot acc simulate --site $site --month $month --out "$out" --gap m-bakery,2026-11-20T06:00:00Z,2026-11-20T18:00:00Z
ilot acc import --site $site --month $month --file "$out/distributeur-acc-demo-$month.csv"
ilot acc reconcile --site $site --month $month
ilot acc invoice --site $site --month $month --out "$out" --accept-differences
ilot acc credit --site $site --number IVE-2026-000005 --reason "index contesté par le client" --out "$out"
ilot acc statements --site $site --month $month --out "$out"
ilot acc export --site $site --month $month --out "$out/factures-$month.csv"
if command -v pdftoppm >/dev/null; then
  # b-3 left on the 21st (fees pro rata), the bakery's Factur-X invoice, the credit note.
  pdftoppm -r 80 -png -singlefile "$out/IVE-2026-000007.pdf" docs/screenshots/acc-invoice-resident
  pdftoppm -r 80 -png -singlefile "$out/IVE-2026-000008.pdf" docs/screenshots/acc-invoice-business-facturx
  pdftoppm -r 80 -png -singlefile "$out/IVE-2026-000011.pdf" docs/screenshots/acc-credit-note
  echo "docs/screenshots/acc-*.png rendered from $out"
fi
