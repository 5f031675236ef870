#!/bin/sh
# wrk, the HTTP load generator `make bench` drives the UI with (Debian package; run as root).
# Idempotent; without root or sudo it only warns: the benchmark then uses its Python load client.
set -eu
if command -v wrk >/dev/null 2>&1; then
    echo "wrk already installed: $(wrk -v 2>&1 | head -1)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-bench-tools: not root and no sudo; the UI load falls back to Python threads" >&2
        exit 0
    fi
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk
wrk -v 2>&1 | head -1
