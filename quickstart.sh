#!/usr/bin/env bash
# jiralink quick start. Run as root on Debian bookworm (or as a user who can sudo apt-get).
#   ./quickstart.sh demo   install what is missing, build (release), run the demo on embedded defaults
#   ./quickstart.sh test   install what is missing, build (ASan/UBSan debug), run the whole suite via ctest
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl clang-format
  libre2-dev libtomlplusplus-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
  libcurl4-openssl-dev libsqlite3-dev libbenchmark-dev libgtest-dev libgmock-dev
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libxxhash-dev
  libmicrohttpd-dev  # jiralink-serve: the webhook service's HTTP server
  libssl-dev         # jiralink-serve: HMAC-SHA256 of forge webhooks (libcrypto)
)

install_missing() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "quickstart: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {  # $1 = preset, then the targets (none = everything)
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)" ${1:+--target "$@"}
}

case "${1:-}" in
  demo)
    install_missing
    build release jiralink jira-standin  # the demo needs only these two programs
    exec scripts/demo.sh build/release
    ;;
  test)
    install_missing
    build asan
    exec ctest --preset asan -j "$(nproc)"
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
