#!/usr/bin/env bash
# Installs annotator and its test tools into ./.venv, and the system libraries Qt needs.
# Safe to run again: it only does what is missing. Debian/Ubuntu; uses sudo when not root.
#   PYTHON=python3.12 scripts/setup.sh    to choose the interpreter (3.11 or newer)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

say() { printf 'setup: %s\n' "$*" >&2; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "please install these system packages: $*"
    return 1
  fi
  say "installing system packages: $*"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v "$PY" >/dev/null || apt_install python3 python3-venv
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "annotator needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1). Set PYTHON=python3.12."
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    apt_install "python3-venv" || apt_install "python$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
  fi
  say "creating .venv with $("$PY" --version 2>&1)"
  "$PY" -m venv .venv
fi
say "installing annotator into .venv (PySide6, SQLAlchemy, ...)"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# Qt's window (xcb) and text rendering need a few shared libraries that a bare Debian lacks.
declare -A PKG=(
  [libxcb-icccm.so.4]=libxcb-icccm4 [libxcb-keysyms.so.1]=libxcb-keysyms1
  [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-image.so.0]=libxcb-image0
  [libxcb-render-util.so.0]=libxcb-render-util0 [libxcb-shape.so.0]=libxcb-shape0
  [libxcb-randr.so.0]=libxcb-randr0 [libxcb-xkb.so.1]=libxcb-xkb1
  [libxcb-xinerama.so.0]=libxcb-xinerama0 [libxcb-sync.so.1]=libxcb-sync1
  [libxcb-xfixes.so.0]=libxcb-xfixes0 [libxcb-shm.so.0]=libxcb-shm0
  [libxcb-render.so.0]=libxcb-render0 [libxcb.so.1]=libxcb1 [libX11-xcb.so.1]=libx11-xcb1
  [libX11.so.6]=libx11-6 [libSM.so.6]=libsm6 [libICE.so.6]=libice6
  [libxkbcommon-x11.so.0]=libxkbcommon-x11-0 [libxkbcommon.so.0]=libxkbcommon0
  [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libOpenGL.so.0]=libopengl0
  [libGLX.so.0]=libglx0 [libfontconfig.so.1]=libfontconfig1 [libfreetype.so.6]=libfreetype6
  [libdbus-1.so.3]=libdbus-1-3 [libglib-2.0.so.0]=libglib2.0-0
)
QT=$(.venv/bin/python -c 'import os, PySide6; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt"))')
missing=$(for f in "$QT"/plugins/platforms/libqxcb.so "$QT"/plugins/platforms/libqoffscreen.so \
                  "$QT"/lib/libQt6{Core,Gui,Widgets,XcbQpa,DBus,OpenGL}.so.6; do
            [ -e "$f" ] && ldd "$f" | awk '/not found/ {print $1}'
          done | sort -u)
need=()
for lib in $missing; do
  if [ -n "${PKG[$lib]:-}" ]; then need+=("${PKG[$lib]}"); else say "Qt needs $lib (unknown package)"; fi
done
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}" || say "the window may not open until those are installed"
fi
# The test suite runs every database test on PostgreSQL as well, in a throwaway cluster
# it starts from Debian's server binaries (tests/pg_cluster.py). Not needed by the app.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  apt_install postgresql || say "the PostgreSQL half of the tests needs the postgresql package"
fi
say "ready: .venv/bin/annotator (CLI), .venv/bin/annotator-gui (window)"
