#!/usr/bin/env bash
# Prepares a Debian-family machine (Debian, 统信UOS, 麒麟) for GridDesk from source:
# the system libraries Qt and QtWebEngine load, CJK fonts, a virtual environment
# in .venv with GridDesk installed, and the compiled translations.
#   bash tools/bootstrap.sh          # for running
#   bash tools/bootstrap.sh dev      # for running the tests too
set -euo pipefail
cd "$(dirname "$0")/.."

# What the bundle's Qt libraries and plug-ins load from the system (ldd on them; the
# .deb's Depends comes from the same list, installer/build.py SONAME_PACKAGES).
APT_PACKAGES=(
  libegl1 libgl1 libglx0 libgbm1 libdrm2 libx11-xcb1 libxcomposite1 libxdamage1 libxext6
  libxfixes3 libxrandr2 libxrender1 libxtst6 libxshmfence1 libxkbcommon0 libxkbcommon-x11-0
  libxkbfile1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-dri3-0
  libwayland-client0 libwayland-cursor0 libwayland-egl1 libwayland-server0
  libasound2 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libnss3 libnspr4
  fonts-noto-cjk
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = "none" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "GridDesk needs these system packages; ask the administrator to install them: ${missing[*]}" >&2
  else
    echo "installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "dev" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e .
fi
.venv/bin/python tools/i18n.py compile
