#!/usr/bin/env bash
# Compiles one source file with -fsyntax-only and checks the outcome.
#   check_compile.sh fail <source> <regex> <compiler> <flags...>
#       passes when the compiler rejects the file AND its output matches <regex>
#   check_compile.sh pass <source> - <compiler> <flags...>
#       passes when the compiler accepts the file (positive controls)
set -u
expect=$1 src=$2 pattern=$3 compiler=$4
shift 4
out=$("$compiler" "$@" -fsyntax-only "$src" 2>&1)
rc=$?
if [[ $expect == pass ]]; then
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: $src should compile but did not (exit $rc):"
    echo "$out" | head -40
    exit 1
  fi
  echo "ok: $src compiles"
  exit 0
fi
if [[ $rc -eq 0 ]]; then
  echo "FAIL: $src compiled, but the API must reject it"
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$out"; then
  echo "FAIL: $src was rejected, but the diagnostic does not match /$pattern/:"
  echo "$out" | head -60
  exit 1
fi
echo "ok: $src rejected with a diagnostic matching /$pattern/"
