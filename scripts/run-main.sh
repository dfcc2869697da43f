#!/usr/bin/env bash
# Installs what Ember needs (Debian 12), builds it, and runs the main job: a word
# count over the bundled sample text, printing the top words and the job's stages,
# then a DataFrame/SQL query over a bundled CSV file, written as Parquet.
#   scripts/run-main.sh [extra wordcount options, e.g. --master local[4]]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD=${BUILD_DIR:-build}
start=$(date +%s)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD" wordcount dataframe ember_cli
echo "build: $(( $(date +%s) - start )) s"
out=$(mktemp -d)/wordcount-out
"$BUILD/examples/wordcount" --master "local[2]" "$@" data/sample/ "$out"
echo "output written to $out"
"$BUILD/examples/dataframe" --master "local[2]" --conf ember.ui.enabled=false data/tables/people.csv "$(dirname "$out")/oldest.parquet"
