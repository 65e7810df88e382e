#!/usr/bin/env bash
# Build the frozen app and check it end to end: start it offscreen on the
# demo recording, run the energy detector, export the review, and fail on a
# non-zero exit, a missing export, or any import error / traceback in its output.
#   bash packaging/smoke_test.sh [DIST_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
dist="${1:-$here/dist}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

venv="${AUDIOCLASS_GUI_VENV:-$here/.venv}"
[ -x "$venv/bin/python" ] || bash packaging/bootstrap.sh test --co -q >/dev/null
"$venv/bin/python" -m pip install -q pyinstaller
"$venv/bin/pyinstaller" --noconfirm --clean --distpath "$dist" --workpath "$work/build" \
  packaging/audioclass-gui.spec > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }

app="$dist/audioclass-gui/audioclass-gui"
log="$work/run.log"
status=0
QT_QPA_PLATFORM=offscreen AUDIOCLASS_GUI_CACHE_DIR="$work/cache" AUDIOCLASS_GUI_DATA_DIR="$work/data" \
  "$app" --model energy --run --screenshot "$work/shot.png" --export "$work/review.json" \
  > "$log" 2>&1 || status=$?
cat "$log"
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
[ "$status" = 0 ] || fail "the app exited with status $status"
grep -qE "Traceback|ImportError|ModuleNotFoundError|Failed to execute script" "$log" && fail "errors in the output"
[ -s "$work/shot.png" ] || fail "no screenshot"
[ -s "$work/data/demo/birds_10s.wav" ] || fail "the bundled demo recording was not opened"
[ -s "$work/data/demo/birds_10s.LICENSE.txt" ] || fail "the demo recording's licence was not copied"
[ -s "$work/review.json" ] || fail "no exported annotation project"
[ -s "$work/review.model_run.json" ] || fail "no exported model run"
"$app" --version
echo "smoke test passed: $(du -sh "$dist/audioclass-gui" | cut -f1) in $dist/audioclass-gui"
