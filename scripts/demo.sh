#!/usr/bin/env bash
# The README demo, on embedded defaults. Usage: scripts/demo.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: scripts/demo.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
jiralink="$build/cli/jiralink"
echo "== jiralink keys examples/sample-commits.txt"
"$jiralink" keys "$root/examples/sample-commits.txt"
