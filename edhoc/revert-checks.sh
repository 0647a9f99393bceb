#!/usr/bin/env bash
# Issue 14 item 4: reverts each security check of the core in a scratch copy of the repository
# and runs edhoc's own tests, printing which tests catch the change. Never touches the working tree.
#   edhoc/revert-checks.sh [MAVEN_OPTIONS...]      e.g. edhoc/revert-checks.sh -o -Dmaven.repo.local=/root/m2/i14
# Needs edhoc-credentials in the local repository (./mvnw -pl credentials install -DskipTests).
set -uo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
M=edhoc/src/main/java/io/edhoc
declare -a names=(mac2 mac3 sig-method0-message2 sig-method0-message3 k4-label th3-order mac-length)
declare -A file=(
  [mac2]=$M/Initiator.java [mac3]=$M/Responder.java
  [sig-method0-message2]=$M/Initiator.java [sig-method0-message3]=$M/Responder.java
  [k4-label]=$M/KeySchedule.java [th3-order]=$M/KeySchedule.java [mac-length]=$M/KeySchedule.java)
declare -A from=(
  [mac2]='verified = signatureOrMac2.length == mac2.length && Secrets.equal(mac2, signatureOrMac2);'
  [mac3]='verified = signatureOrMac3.length == mac3.length && Secrets.equal(mac3, signatureOrMac3);'
  [sig-method0-message2]='verified = ks.signer.verify(credR.publicKey(), toBeSigned, signatureOrMac2);'
  [sig-method0-message3]='verified = ks.signer.verify(credI.publicKey(), toBeSigned, signatureOrMac3);'
  [k4-label]='kdf("K_4", prk4e3m, 8,'
  [th3-order]='CborWriter.sequence(CborWriter.bstr(th2), plaintext2, credR)'
  [mac-length]='return signs ? hash.length() : suite.macLength();')
declare -A to=(
  [mac2]='verified = true;' [mac3]='verified = true;'
  [sig-method0-message2]='verified = true;' [sig-method0-message3]='verified = true;'
  [k4-label]='kdf("K_4", prk4e3m, 3,'
  [th3-order]='CborWriter.sequence(CborWriter.bstr(th2), credR, plaintext2)'
  [mac-length]='return suite.macLength();')
if [ -n "${ONLY:-}" ]; then read -r -a names <<< "$ONLY"; fi
for n in "${names[@]}"; do
  rm -rf "$work/repo" && mkdir "$work/repo"
  (cd "$src" && tar cf - --exclude=target --exclude=.venv --exclude=.cifuzz-corpus --exclude=.git --exclude=interop .) | (cd "$work/repo" && tar xf -)
  f="$work/repo/${file[$n]}"
  if ! python3 - "$f" "${from[$n]}" "${to[$n]}" <<'PY'
import sys
p, a, b = sys.argv[1:]
s = open(p).read()
if a not in s:
    sys.exit(1)
open(p, "w").write(s.replace(a, b, 1))
PY
  then
    echo "$n: pattern not found in ${file[$n]} (the code changed: update this script)"; continue
  fi
  (cd "$work/repo" && ./mvnw -B -q "$@" -pl edhoc test > "$work/$n.log" 2>&1)
  reports="$work/repo/edhoc/target/surefire-reports"
  if ! ls "$reports"/*.txt > /dev/null 2>&1; then
    echo "$n: no test ran (build failed?): $(grep -m3 ERROR "$work/$n.log")"; continue
  fi
  # one line per failing test method: Class.method, with the number of failing invocations
  caught=$(grep -h -E "<<< (FAILURE|ERROR)!" "$reports"/*.txt | grep -v "^Tests run" | sed -E 's/\(.*//; s/^([A-Za-z0-9_.]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+).*/\2.\3/' | sort | uniq -c | sort -rn)
  total=$(grep -h -E "<<< (FAILURE|ERROR)!" "$reports"/*.txt | grep -vc "^Tests run" || true)
  echo "$n: $total failing tests: $(printf '%s' "$caught" | awk '{printf "%s (%s) ", $2, $1}')"
done
