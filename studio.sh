#!/usr/bin/env bash
# Run the studio: set up on first use, then launch (arguments go to `shotline studio`).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python -m studio studio "$@"
