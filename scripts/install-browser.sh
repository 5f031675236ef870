#!/bin/sh
# Headless Chromium, its driver and a CJK font for tests/browser (Debian packages; run as root).
# Idempotent: does nothing when Chromium, chromedriver and the font are already there.
set -eu
FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc   # without it screenshots show Chinese as boxes
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -e "$FONT" ]; then
    echo "browser already installed: $(/usr/bin/chromedriver --version)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-browser: not root and no sudo; browser tests will skip (and fail under CI=true)" >&2
        exit 0
    fi
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver fonts-wqy-microhei
