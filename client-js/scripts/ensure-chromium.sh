#!/usr/bin/env bash
# Installs Debian's chromium (used by the client-js browser test through playwright-core) when it is missing.
# Idempotent: does nothing when /usr/bin/chromium already exists. Needs root (or sudo) and apt-get.
# Usage: client-js/scripts/ensure-chromium.sh        (CHROMIUM_PATH overrides the path checked, default /usr/bin/chromium)
set -euo pipefail

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM_PATH" ]; then
  echo "ensure-chromium: $CHROMIUM_PATH present ($("$CHROMIUM_PATH" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: ERROR: $CHROMIUM_PATH is missing and apt-get is not available; install Debian's 'chromium' package by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: ERROR: $CHROMIUM_PATH is missing and installing it needs root (run as root, or install 'chromium' with apt-get)" >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian package 'chromium' (apt-get update + install)..."
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -q; then
  echo "ensure-chromium: ERROR: apt-get update failed" >&2
  exit 1
fi
if ! $SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation; then
  echo "ensure-chromium: ERROR: apt-get install chromium failed" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "ensure-chromium: ERROR: chromium installed but $CHROMIUM_PATH is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$CHROMIUM_PATH" --version 2>/dev/null || echo chromium)"
