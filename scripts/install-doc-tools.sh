#!/bin/sh
# Readers for Word 97 / WPS binaries (.doc, .wps) used by archive/extract/attachment_text.py:
# antiword, and catdoc as the second choice (Debian packages; run as root or with sudo).
# Idempotent: does nothing when both are already there. Without them attachment text falls back
# to an approximate pure-Python reader, and tests/extract/test_word_binaries.py skips (fails under CI=true).
set -eu
if command -v antiword >/dev/null 2>&1 && command -v catdoc >/dev/null 2>&1; then
    echo "doc tools already installed: $(command -v antiword) $(command -v catdoc)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-doc-tools: not root and no sudo; .doc/.wps text stays approximate" >&2
        exit 0
    fi
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends antiword catdoc
