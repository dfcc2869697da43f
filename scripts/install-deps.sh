#!/usr/bin/env bash
# Installs every build and test dependency of Ember from Debian 12 packages.
# Idempotent: does nothing (not even apt-get update) when all are present.
set -euo pipefail
PACKAGES=(
  g++ cmake ninja-build pkg-config ccache lld git
  libfmt-dev libcli11-dev liblz4-dev libzstd-dev libxxhash-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsnappy-dev libre2-dev libsimdjson-dev nlohmann-json3-dev libpg-query-dev libreadline-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc libcpp-httplib-dev
  libssl-dev
  chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
