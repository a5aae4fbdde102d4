#!/usr/bin/env bash
# Regenerates the README's screenshot from a real window (never edit the PNG by hand):
# an X server of 1280x800 with a window manager (../shared/tools/real-window), the app
# launched as a user launches it, a short Run, then the screen grabbed. Offscreen
# renders hide what the window manager does to the first launch, so they are not used.
#   tools/update_screenshot.sh [LESSON] [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
lesson=${1:-statquest-all}
size=${2:-1280x800}
tool=${REAL_WINDOW:-../shared/tools/real-window}
export REAL_WINDOW_STATE=${REAL_WINDOW_STATE:-/tmp/real-window-screenshot.state}
eval "$("$tool" start "$size")"
trap '"$tool" stop >/dev/null 2>&1 || true' EXIT
backprop-lab "$lesson" >/dev/null 2>&1 &
app=$!
"$tool" wait "Backprop Lab" 30 >/dev/null
sleep 2  # the first layout settles once the window manager has sized the window
xdotool key r; sleep 0.15; xdotool key r  # a short Run: the loss plot has a curve
sleep 1
"$tool" shot docs/screenshot.png >/dev/null
kill "$app"
echo "wrote docs/screenshot.png ($size, $lesson, a real window)"
