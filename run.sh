#!/usr/bin/env bash
# Builds the service jar (once, tests skipped) and runs it. With no arguments: `serve`, the
# EDHOC endpoint on 127.0.0.1 (CoAP UDP 5683, HTTP 8080) with development credentials created
# on first run. Any arguments are passed to edhoc.jar instead (e.g. ./run.sh connect ...).
#
# The jar runs in the caller's directory: relative paths in the arguments (--out, --config,
# --credentials) and ./.edhoc-dev mean the directory you ran ./run.sh from, not the repository.
# JAVA_OPTS holds JVM options, split on white space (e.g. JAVA_OPTS="-Xmx256m -XX:+UseSerialGC").
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"
jar="$repo/vertx-service/target/edhoc.jar"
if [ ! -f "$jar" ] || [ -n "$(cd "$repo" && find . -path ./interop -prune -o -name '*.java' -newer "$jar" -print -quit)" ]; then
  (cd "$repo" && ./mvnw -B -q -DskipTests install) >&2
fi
if [ "$#" -eq 0 ]; then
  set -- serve
fi
read -r -a java_opts <<< "${JAVA_OPTS:-}"
exec java ${java_opts[@]+"${java_opts[@]}"} -jar "$jar" "$@"
