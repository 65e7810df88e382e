#!/usr/bin/env bash
# Remake the README's tour screenshots with the app's own --screenshot option.
#
#   bash resources/screenshots/make_screenshots.sh [PYTHON]
#
# PYTHON defaults to .venv/bin/python (made by `bash packaging/bootstrap.sh run`).
# Needs the field recording ../shared/data/birds_10s.wav beside the checkout.
# No screen is needed: the app renders on Qt's offscreen platform.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${1:-$repo/.venv/bin/python}"
birds="$repo/../shared/data/birds_10s.wav"
[ -f "$birds" ] || { echo "make_screenshots: $birds not found" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export AUDIOCLASS_GUI_CONFIG_DIR="$work/settings" AUDIOCLASS_GUI_DATA_DIR="$work/data" QT_QPA_PLATFORM=offscreen
app=("$python" -m audioclass_gui)

# 1. One recording, BirdNET run in the window.
"${app[@]}" "$birds" --model birdnet --run --screenshot "$here/birdnet-birds_10s.png"

# 2. A project: the recording, BirdNET's run over it, and a review of it.
mkdir "$work/site"
cp "$birds" "$work/site/"
"${app[@]}" predict "$work/site" -o "$work/site" --model birdnet --threshold 0.05 -q
"$python" "$here/review_for_screenshots.py" "$work/site"

"${app[@]}" "$work/site" --threshold 0.1 --screenshot "$here/species-panel.png" --show species
"${app[@]}" "$work/site" --threshold 0.05 --screenshot "$here/precision-report.png" --show precision
# 3. Find similar on real birdsong: a deployment made from the recording, BirdNET
#    over it keeping the embeddings, the list of windows like a Tennessee Warbler call.
"$python" "$here/find_similar_shot.py" "$birds" "$work" "$here/find-similar.png"
# 4. Reports › Activity: ten days of hourly 30-s recordings at two sites made from the
#    recording, BirdNET over them, Tennessee Warbler per day and hour at site02.
"$python" "$here/activity_shot.py" "$birds" "$work" "$here/activity.png"
# 5. Reference examples: a deployment made from the recording, BirdNET over it, the
#    Tennessee and Bay-breasted Warblers reviewed in five recordings; beside a Tennessee
#    Warbler of the sixth, the accepted calls of the species from the others.
"$python" "$here/reference_shot.py" "$birds" "$work" "$here/reference-examples.png"
# Detection density: a half-hour dawn recording made from the recording, BirdNET
#   over it, the whole half hour shown as density lanes instead of boxes.
"$python" "$here/density_shot.py" "$birds" "$work" "$here/density.png"
# Review by events: BirdNET with 3-s windows every second over the recording, the
#    Tennessee Warbler's four overlapping windows one event, selected.
"$python" "$here/events_shot.py" "$birds" "$work" "$here/review-by-events.png"
# View › Paged view: a four-minute recording made from copies of the recording with
#   pauses, BirdNET over it, page 2 of 4 rows of 15 s with 3 s of overlap.
"$python" "$here/paged_shot.py" "$birds" "$work" "$here/paged-view.png"
# A box drawn in the paged view: the same four minutes, BirdNET at 0.5, B and a drag
#   in a row around a song BirdNET left under the threshold, tagged in the picker.
"$python" "$here/paged_boxes_shot.py" "$birds" "$work" "$here/paged-boxes.png"
# Waveform above the spectrogram: the recording with BirdNET run in the window, the
#    Tennessee Warbler selected, a time selection and the playhead over its song.
"$python" "$here/waveform_shot.py" "$birds" "$here/waveform.png"
# Measurements: two boxes over songs of the recording, a time interval and a time
#    selection, with Raven's measurements of each in the Measurements tab.
"$python" "$here/measurements_shot.py" "$birds" "$work" "$here/measurements.png"
echo "make_screenshots: wrote $here/*.png"
