#!/usr/bin/env bash
# The test command: every test, with the race detector. Browser tests need
# Chromium and the store suite needs PostgreSQL's binaries (see README);
# without CI set they skip with a message, with CI set they fail.
set -euo pipefail
cd "$(dirname "$0")"
exec go test -race -count=1 -timeout 40m ./... "$@"
