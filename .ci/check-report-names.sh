#!/usr/bin/env bash
# The XML test reports CI reads must name each conformance check as the program does
# ("conformance: method 3 suite 25 kccs"), not by its index ("conformance()[523]"): checks the
# report of the last ./mvnw verify (the surefire reporter setting in the parent pom; Surefire puts
# the factory's display name "conformance:" before each check's name).
set -euo pipefail
cd "$(dirname "$0")/.."
xml=vectors/target/surefire-reports/TEST-io.edhoc.vectors.ConformanceTest.xml
if [ ! -f "$xml" ]; then
  echo "check-report-names: $xml is missing (run ./mvnw verify first)" >&2
  exit 1
fi
if grep -q 'testcase name="[^"]*()\[[0-9]*\]"' "$xml"; then
  echo "check-report-names: $xml numbers the checks (conformance()[N]) instead of naming them" >&2
  exit 1
fi
if ! grep -q 'testcase name="conformance: method 3 suite 25 kccs"' "$xml"; then
  echo "check-report-names: $xml has no check named \"conformance: method 3 suite 25 kccs\"" >&2
  exit 1
fi
echo "check-report-names: $(grep -c '<testcase ' "$xml") conformance checks named as the program names them"
