#!/bin/sh
# pywb, the replay server tests/archive/test_replay.py starts on 127.0.0.1, in a venv of its own
# (.venv-pywb): its pins (gevent, an older werkzeug, fakeredis …) are not the product's business.
# Idempotent: does nothing when .venv-pywb already has wayback and wb-manager.
# The product's WACZ export needs none of this (py-wacz is a main dependency).
set -eu
VENV="${1:-.venv-pywb}"
PYTHON="${PYTHON:-python3}"
if [ -x "$VENV/bin/wayback" ] && [ -x "$VENV/bin/wb-manager" ]; then
    echo "replay tools already installed: $VENV/bin/wayback"
    exit 0
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q 'pywb>=2.8,<3'
