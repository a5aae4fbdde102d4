#!/usr/bin/env bash
# Regenerates the README's screenshot from the app itself (never edit the PNG by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
QT_QPA_PLATFORM=offscreen backprop-lab --screenshot docs/screenshot.png --size 1600x1000 \
    --font-scale 1.2 "${1:-statquest-b3}"
