#!/usr/bin/env bash
# Creates/refreshes the Python interop venv at interop/.venv with the pinned EDHOC peers.
# Idempotent: does nothing when the venv already holds exactly the pinned versions.
# Prints one line on success; on any failure prints pip's output and exits non-zero.
# Env: PYTHON (interpreter to build the venv from, default python3, must be >= 3.10).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PY="${PYTHON:-python3}"

# Pins. lakers-python 0.6.2 ships a cp311 manylinux_2_34_x86_64 wheel (no Rust build needed on
# Debian 12 / glibc 2.36); cbor2 5.8.0 breaks aiocoap's message_3 splitting.
REQS=("aiocoap[oscore]==0.4.17" "lakers-python==0.6.2" "cbor2!=5.8.0")

check_venv() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
assert version("aiocoap") == "0.4.17", "aiocoap"
assert version("lakers-python") == "0.6.2", "lakers"
assert version("cbor2") != "5.8.0", "cbor2"
import aiocoap, lakers, cbor2, cbor_diag  # noqa: F401  (oscore extra present)
from aiocoap import defaults
assert defaults.oscore_missing_modules() == [], defaults.oscore_missing_modules()
PY
}

if check_venv; then
  echo "interop venv ok ($VENV, already up to date)"
  exit 0
fi

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
fail() { echo "interop/setup.sh: FAILED: $1" >&2; cat "$LOG" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV" >"$LOG" 2>&1 || fail "cannot create venv with $PY"
fi
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q "${REQS[@]}" \
  >"$LOG" 2>&1 || fail "pip install ${REQS[*]}"
check_venv || { "$VENV/bin/python" -m pip list >"$LOG" 2>&1; fail "installed versions do not match the pins"; }
echo "interop venv ready ($VENV: aiocoap 0.4.17, lakers-python 0.6.2)"
