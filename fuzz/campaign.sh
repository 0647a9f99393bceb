#!/usr/bin/env bash
# The long fuzzing campaign: every target in turn, one JVM at a time, niced. Usage:
#   fuzz/campaign.sh [DURATION_PER_TARGET] [TARGET...]      e.g. fuzz/campaign.sh 10m ParserFuzzTest#cborReader
# Needs the other modules installed in the local repository (./mvnw -pl fuzz -am install -DskipTests).
# Extra Maven options (e.g. -Dmaven.repo.local=...) come from $MVN_OPTS_EXTRA. Each target's
# libFuzzer output goes to fuzz/target/campaign/<target>.log; the summary line gives executions and
# executions per second. New corpus entries land in fuzz/.cifuzz-corpus (git-ignored); findings in
# fuzz/src/test/resources/io/edhoc/fuzz/<Class>Inputs/<method>/crash-* (commit them: they become
# regression tests).
set -uo pipefail
cd "$(dirname "$0")/.."
duration="${1:-5m}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(ParserFuzzTest#cborReader ParserFuzzTest#idCred ParserFuzzTest#ead ParserFuzzTest#plaintext2
    CredentialsFuzzTest#ccs CredentialsFuzzTest#coseKey CredentialsFuzzTest#certificate CredentialsFuzzTest#credentialFile
    MessageFuzzTest#message1 MessageFuzzTest#message2 MessageFuzzTest#message3 MessageFuzzTest#message4 MessageFuzzTest#errorMessage
    EngineFuzzTest#handle EngineFuzzTest#stateful)
fi
mkdir -p fuzz/target/campaign
for t in "${targets[@]}"; do
  log="fuzz/target/campaign/${t/\#/.}.log"
  JAZZER_FUZZ=1 nice -n 19 ./mvnw -B -o ${MVN_OPTS_EXTRA:-} -pl fuzz test -Dtest="$t" -Djazzer.max_duration="$duration" \
    -Dsurefire.failIfNoSpecifiedTests=false > "$log.mvn" 2>&1
  rc=$?
  cls="${t%%#*}"
  cp "fuzz/target/surefire-reports/io.edhoc.fuzz.$cls-output.txt" "$log" 2>/dev/null || true
  echo "$t rc=$rc $(grep -E "Done [0-9]+ runs" "$log.mvn" | tail -1)"
done
