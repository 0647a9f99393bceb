#!/usr/bin/env bash
# Copies a campaign's corpus (fuzz/.cifuzz-corpus, or the directory given) into the committed
# regression inputs, at most N entries per target (smallest first), as corpus-<hash>. The build
# then replays them. Usage: fuzz/import-corpus.sh [CORPUS_DIR] [N_PARSERS] [N_HANDSHAKES]
set -euo pipefail
cd "$(dirname "$0")"
src="${1:-.cifuzz-corpus}"
np="${2:-150}"
nh="${3:-40}"
for dir in "$src"/io.edhoc.fuzz.*/*; do
  [ -d "$dir" ] || continue
  cls="$(basename "$(dirname "$dir")")"; cls="${cls#io.edhoc.fuzz.}"
  method="$(basename "$dir")"
  case "$cls" in MessageFuzzTest|EngineFuzzTest) n=$nh ;; *) n=$np ;; esac
  dest="src/test/resources/io/edhoc/fuzz/${cls}Inputs/$method"
  mkdir -p "$dest"
  count=0
  while IFS= read -r f; do
    cp "$f" "$dest/corpus-$(basename "$f")"
    count=$((count + 1))
  done < <(ls -S -r "$dir" | head -n "$n" | sed "s|^|$dir/|")
  echo "$cls#$method: $count of $(ls "$dir" | wc -l) entries"
done
