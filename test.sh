#!/usr/bin/env bash
# Runs every test: unit, conformance (RFC 9529, PSK draft), matrix, and the interop suites.
set -euo pipefail
cd "$(dirname "$0")"
bash interop/setup.sh
./mvnw -B verify
bash .ci/check-report-names.sh
