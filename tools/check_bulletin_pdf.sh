#!/usr/bin/env bash
# Does the bulletin workbook open cleanly in LibreOffice and print as it should?
#
#   tools/check_bulletin_pdf.sh [OUT_DIR] [PERIOD]
#
# Builds a small demo district, exports the bulletin of PERIOD (default: the
# last complete half-month) with `python main.py export-bulletin`, converts it
# to PDF with LibreOffice (headless) and every PDF page to PNG, so a person can
# look at every sheet. Installs libreoffice-calc and poppler-utils with apt-get
# when they are missing (too slow for every CI run; run it before a release).
# Fails if LibreOffice reports an error or produces no PDF.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-/tmp/griddesk-bulletin-check}"
PERIOD="${2:-last}"
PY="${PYTHON:-python}"
if [[ -x "$ROOT/.venv/bin/python" && -z "${PYTHON:-}" ]]; then PY="$ROOT/.venv/bin/python"; fi

if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
    echo "installing libreoffice-calc and poppler-utils …"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        libreoffice-calc poppler-utils fonts-noto-cjk >/dev/null
fi

rm -rf "$OUT"
mkdir -p "$OUT/data" "$OUT/png"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
"$PY" main.py seed-demo --data-dir "$OUT/data" --cases 3000 >/dev/null
"$PY" main.py export-bulletin --data-dir "$OUT/data" --period "$PERIOD" \
    --out "$OUT/bulletin.xlsx" --quiet

# A private LibreOffice profile: no first-start dialogs, no clash with a running instance.
soffice --headless -env:UserInstallation="file://$OUT/lo-profile" \
    --convert-to pdf --outdir "$OUT" "$OUT/bulletin.xlsx" 2>&1 | tee "$OUT/soffice.log"
if grep -qi "error" "$OUT/soffice.log" || [[ ! -s "$OUT/bulletin.pdf" ]]; then
    echo "LibreOffice could not convert the bulletin (see $OUT/soffice.log)" >&2
    exit 1
fi
pdftoppm -r 70 -png "$OUT/bulletin.pdf" "$OUT/png/page"
pages=$(ls "$OUT/png" | wc -l)
echo "bulletin: $OUT/bulletin.xlsx"
echo "pdf:      $OUT/bulletin.pdf ($pages pages)"
echo "pages:    $OUT/png/page-*.png — look at every sheet"
