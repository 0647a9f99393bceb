#!/usr/bin/env bash
# Drives the EDHOC HTTP endpoint with curl and checks the documented answers.
# usage: http-curl.sh URL MESSAGE1_FILE   (MESSAGE1_FILE: `true` || a valid message_1, binary)
set -euo pipefail
url=$1
m1=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
req=application/cid-edhoc+cbor-seq
resp=application/edhoc+cbor-seq
fails=0

check() { # name expected-status expected-content-type(or -) curl-args...
  local name=$1 want=$2 wanttype=$3
  shift 3
  local got type
  got=$(curl -sS -o "$tmp/body" -w '%{http_code} %{content_type}' --max-time 10 "$@" "$url")
  type=${got#* }
  got=${got%% *}
  if [ "$got" != "$want" ] || { [ "$wanttype" != "-" ] && [ "$type" != "$wanttype" ]; }; then
    echo "FAIL $name: HTTP $got ($type), expected $want ($wanttype)"
    fails=$((fails + 1))
  else
    echo "ok   $name: HTTP $got${type:+ ($type)}"
  fi
}

check "message_1 accepted" 200 "$resp" -X POST -H "Content-Type: $req" --data-binary "@$m1"
printf '\xf5\xff\x00garbage' > "$tmp/garbage"
check "garbage message_1" 400 "$resp" -X POST -H "Content-Type: $req" --data-binary "@$tmp/garbage"
head -c 12 "$m1" > "$tmp/truncated"
check "truncated message_1" 400 "$resp" -X POST -H "Content-Type: $req" --data-binary "@$tmp/truncated"
printf '\x43\x01\x02\x03\x58\x10abcdefghijklmnop' > "$tmp/unknown"
check "unknown C_R" 400 "$resp" -X POST -H "Content-Type: $req" --data-binary "@$tmp/unknown"
check "wrong media type" 415 - -X POST -H "Content-Type: application/cbor" --data-binary "@$m1"
head -c 4096 /dev/zero > "$tmp/big"
check "oversized body" 413 - -X POST -H "Content-Type: $req" --data-binary "@$tmp/big"
check "GET" 405 - -X GET
check "PUT" 405 - -X PUT -H "Content-Type: $req" --data-binary "@$m1"
check "DELETE" 405 - -X DELETE
if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all curl checks passed"
