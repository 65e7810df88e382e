#!/usr/bin/env bash
# One command for a fresh machine: installs what audioclass-gui needs, then
#   bash packaging/bootstrap.sh run [FILE] [options]   starts the app
#   bash packaging/bootstrap.sh test [pytest args]     runs ruff, import-linter and the tests
# The virtual environment lives in .venv (override with AUDIOCLASS_GUI_VENV).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-run}"
[ $# -gt 0 ] && shift

# --- system libraries: PortAudio for playback, the libraries Qt's xcb and
# offscreen platforms load, and Xvfb for screenshots on machines without a screen.
apt_packages=(libportaudio2 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
  libfontconfig1 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 fonts-dejavu-core)
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "bootstrap: installing ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "bootstrap: please install these Debian packages: ${missing[*]}" >&2
      echo "bootstrap: (without libportaudio2 the app runs but cannot play audio)" >&2
    fi
  fi
fi

# --- Python environment
python="${PYTHON:-python3}"
"$python" - <<'PY' || { echo "bootstrap: Python 3.11 or newer is needed" >&2; exit 1; }
import sys
raise SystemExit(0 if sys.version_info >= (3, 11) else 1)
PY
venv="${AUDIOCLASS_GUI_VENV:-$here/.venv}"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
extras="test"
stamp="$venv/.audioclass-gui-installed"
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)-$extras"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e ".[$extras]"
  echo "$want" > "$stamp"
fi

case "$mode" in
  run)
    exec "$venv/bin/audioclass-gui" "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    # Whombat (Python >= 3.12) checks our AOEF export with its own importers,
    # in an environment of its own; without a Python 3.12 that test is skipped.
    if [ -z "${AUDIOCLASS_WHOMBAT_PYTHON:-}" ]; then
      py312=""
      for cand in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 python3.12 python3.13; do
        # (a pyenv shim is on PATH even where that version is not selected: try it)
        if "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
          py312="$cand"
          break
        fi
      done
      wvenv="${AUDIOCLASS_GUI_VENV:-$here/.venv}-whombat"
      if [ -n "$py312" ]; then
        if [ ! -x "$wvenv/bin/python" ] || [ ! -f "$wvenv/.whombat-0.8.8" ]; then
          echo "bootstrap: installing whombat 0.8.8 for the export round trip ($wvenv)"
          if "$py312" -m venv "$wvenv" \
            && "$wvenv/bin/python" -m pip install -q "whombat==0.8.8" "setuptools<81" >"$wvenv.log" 2>&1; then
            touch "$wvenv/.whombat-0.8.8"
          else
            echo "bootstrap: whombat could not be installed (see $wvenv.log); its test will be skipped" >&2
          fi
        fi
        [ -f "$wvenv/.whombat-0.8.8" ] && export AUDIOCLASS_WHOMBAT_PYTHON="$wvenv/bin/python"
      fi
    fi
    # opensoundscape 0.13.2 reads our Raven tables with its own
    # BoxedAnnotations.from_raven_files, in an environment of its own: its
    # annotations module needs torch (through opensoundscape.utils), librosa,
    # matplotlib, pandas, scikit-learn and scipy, nothing else it declares
    # (lightning, torchvision, torchaudio, wandb...), so it goes in --no-deps.
    # pandas < 3: with pandas 3, its clip_labels fails ("unhashable type:
    # 'StringArray'"). torch only as a CPU build: from a wheel on this disk
    # (pip's find-links) or wherever pip takes torch==2.13.0 without CUDA
    # packages; else the test is skipped rather than pulling several GB.
    if [ -z "${AUDIOCLASS_OSS_PYTHON:-}" ]; then
      ovenv="${AUDIOCLASS_GUI_VENV:-$here/.venv}-oss"
      ostamp="$ovenv/.opensoundscape-installed"
      oreqs=("torch==2.13.0" librosa matplotlib "pandas<3" scikit-learn scipy)
      owant="opensoundscape==0.13.2 ${oreqs[*]}"
      if [ ! -x "$ovenv/bin/python" ] || [ ! -f "$ostamp" ] || [ "$(cat "$ostamp")" != "$owant" ]; then
        echo "bootstrap: installing opensoundscape 0.13.2 (torch 2.13.0 CPU) to read back our Raven tables ($ovenv)"
        if "$venv/bin/python" -m venv "$ovenv" >"$ovenv.log" 2>&1 \
          && "$ovenv/bin/python" -m pip install -q --upgrade pip >>"$ovenv.log" 2>&1 \
          && "$ovenv/bin/python" -m pip install --dry-run --quiet --report "$ovenv.torch.json" \
            "torch==2.13.0" >>"$ovenv.log" 2>&1 \
          && "$ovenv/bin/python" - "$ovenv.torch.json" >>"$ovenv.log" 2>&1 <<'PY'
import json, sys
names = [i["metadata"]["name"].lower() for i in json.load(open(sys.argv[1]))["install"]]
cuda = [n for n in names if n.startswith(("nvidia-", "triton", "cuda-"))]
print("torch==2.13.0 would install:", ", ".join(names))
sys.exit(f"a CUDA build of torch ({', '.join(cuda)}): not installed" if cuda else 0)
PY
        then
          rm -f "$ostamp"
          if "$ovenv/bin/python" -m pip install -q "${oreqs[@]}" >>"$ovenv.log" 2>&1 \
            && "$ovenv/bin/python" -m pip install -q --no-deps "opensoundscape==0.13.2" >>"$ovenv.log" 2>&1; then
            echo "$owant" > "$ostamp"
          else
            echo "bootstrap: opensoundscape could not be installed (see $ovenv.log); its test will be skipped" >&2
          fi
        else
          echo "bootstrap: no CPU build of torch 2.13.0 here (see $ovenv.log); the opensoundscape test will be skipped" >&2
        fi
      fi
      [ -f "$ostamp" ] && [ "$(cat "$ostamp")" = "$owant" ] \
        && export AUDIOCLASS_OSS_PYTHON="$ovenv/bin/python"
    fi
    echo "== ruff"
    "$venv/bin/ruff" check audioclass_gui tests benchmarks
    echo "== import-linter"
    (cd "$here" && "$venv/bin/lint-imports")
    echo "== pytest"
    exec "$venv/bin/python" -m pytest -ra "$@"
    ;;
  *)
    echo "usage: bash packaging/bootstrap.sh run|test [args]" >&2
    exit 2
    ;;
esac
