#!/bin/sh
# A CJK font for the farm's scans (sitefarm/scans.py draws pages with Pillow): WenQuanYi Micro Hei
# from Debian's fonts-wqy-microhei (run as root or with sudo). Idempotent: does nothing when
# fontconfig already knows a Chinese font. Without one the scan tests skip (fail under CI=true).
set -eu
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh file 2>/dev/null | head -n 1)" ]; then
    echo "CJK font already installed: $(fc-list :lang=zh file | head -n 1)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-cjk-font: not root and no sudo; the farm serves no scans" >&2
        exit 0
    fi
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends fonts-wqy-microhei fontconfig
