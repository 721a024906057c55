#!/usr/bin/env bash
# Set-up shared by ./studio.sh and ./test.sh: create .venv if needed, pick the
# right torch build, install Shotline (editable) with its test extras. Re-runs
# are instant: a stamp of pyproject.toml and this file skips a finished install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
VENV="${SHOTLINE_VENV:-.venv}"

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Shotline needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1). Set PYTHON=/path/to/python3.x." >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
stamp="$VENV/.shotline-stamp"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip
if ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "setup: NVIDIA GPU found, installing the CUDA build of torch" >&2
    "${pip[@]}" install -q "torch>=2.4"
  else
    # No CUDA: the CPU build. A torch range that admits newer releases would pull
    # several GB of CUDA packages; the pinned version resolves to a CPU wheel here.
    # Elsewhere, set SHOTLINE_TORCH_INDEX to a CPU wheel index.
    echo "setup: no CUDA found, installing the CPU build of torch" >&2
    if [ -n "${SHOTLINE_TORCH_INDEX:-}" ]; then
      "${pip[@]}" install -q "torch==${SHOTLINE_TORCH_VERSION:-2.13.0}" --index-url "$SHOTLINE_TORCH_INDEX"
    else
      "${pip[@]}" install -q "torch==${SHOTLINE_TORCH_VERSION:-2.13.0}"
    fi
  fi
fi
"${pip[@]}" install -q -e ".[test]"
echo "$want" > "$stamp"
