#!/usr/bin/env bash
# Installs the peers (setup.sh) and runs the three Python-only self-tests; non-zero on failure.
# Uses UDP ports INTEROP_BASE_PORT (default 5690) .. +20 on 127.0.0.1 only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/setup.sh"
PY="$HERE/.venv/bin/python"
rc=0
for t in selftest_lakers.py selftest_aiocoap.py selftest_driver_vs_aiocoap.py; do
  echo "== $t"
  timeout 600 "$PY" "$HERE/$t" || rc=1
done
exit $rc
