#!/usr/bin/env bash
# Builds the service jar (once, tests skipped) and runs it. With no arguments: `serve`, the
# EDHOC endpoint on 127.0.0.1 (CoAP UDP 5683, HTTP 8080) with development credentials created
# on first run. Any arguments are passed to edhoc.jar instead (e.g. ./run.sh connect ...).
set -euo pipefail
cd "$(dirname "$0")"
jar=vertx-service/target/edhoc.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./interop -prune -o -name '*.java' -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q -DskipTests install
fi
if [ "$#" -eq 0 ]; then
  set -- serve
fi
exec java -jar "$jar" "$@"
