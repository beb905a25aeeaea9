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
  # Clang and its runtimes (libFuzzer, ASan, UBSan): the fuzz step CI runs after the
  # suite (tests/fuzz/run.sh), which is skipped when they are absent.
  clang-14 libclang-rt-14-dev
  # the manual page is built from docs/man/jiralink.1.scd
  scdoc
  # the manual page test renders it with `man --warnings -l` and `groff -ww`
  man-db
  groff-base
  # the gitolite3 hook test pushes through Debian's gitolite-shell
  gitolite3
  # cpack's DEB generator runs file(1) to find the libraries to depend on (dpkg-shlibdeps)
  file
  # the .deb test runs lintian on the package and expects no error and no warning
  lintian
  # the systemd unit test runs `systemd-analyze verify`
  systemd
  # cgit: the tests run `jiralink render` as cgit's about- and commit-filter
  cgit
  libmicrohttpd-dev  # jiralink-serve: the webhook service's HTTP server
  libssl-dev         # jiralink-serve: HMAC-SHA256 of forge webhooks (libcrypto)
  libxml2-dev        # jiralink-serve: the HTML sanitizer of the "View Jira issues" pages
  # the "View Jira issues" pages are tested in a real browser (tests/browser), through WebDriver
  chromium
  chromium-driver
  python3-selenium
  nginx              # the pages' login is tested behind Debian's nginx with auth_request (tests/browser)
  libhiredis-dev     # [render] cache = "redis://...": hiredis headers (the library is dlopen'ed)
  redis-server       # the Redis render cache tests and bench start a real redis-server
  libpq-dev          # the PostgreSQL outbox: libpq's headers (libpq.so.5 is loaded at run time)
  postgresql         # the tests start a real PostgreSQL server (initdb + pg_ctl) for that outbox
  # the devinfo bulk bodies the stand-in accepts are checked against Atlassian's JSON schema
  # (tests/devinfo_schema, ctest devinfo_schema.bulk_bodies)
  python3-jsonschema
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
    # The hostile-input limits test measures the release binary (render_limits_test).
    build release jiralink
    cmake --preset asan "-DJIRALINK_RELEASE_BIN=$PWD/build/release/cli/jiralink" >/dev/null
    build asan
    exec ctest --preset asan -j "$(nproc)"
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
