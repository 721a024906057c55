#!/usr/bin/env bash
# Run the test suite: set up on first use, then pytest (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python -m pytest -q -ra "$@"
