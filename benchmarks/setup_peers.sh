#!/usr/bin/env bash
# Create the peer tools' virtual environments used by benchmarks/peers.py.
# They live in <repo>/.venv-peers/ (git-ignored) and are never project dependencies.
# Idempotent: an existing venv whose pinned package imports is left alone.
#   bash benchmarks/setup_peers.sh            # both peers
#   bash benchmarks/setup_peers.sh llm-analysis
# PYTHON=python3.11 selects the interpreter (default python3; both peers run on 3.11).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/.venv-peers"
PY="${PYTHON:-python3}"
mkdir -p "$VENVS"

# name | import check | pip requirements
# aiconfigurator 0.12.0 pulls aiconfigurator-core 0.12.0 (Rust/PyO3 wheel + per-op tables, ~120 MB).
# llm-analysis 0.2.2 pins huggingface-hub<0.15; transformers must then be <=4.30 to resolve
# (pip otherwise backtracks through dozens of transformers releases).
declare -A CHECK=(
  [aiconfigurator]="from aiconfigurator.cli.api import cli_estimate"
  [llm-analysis]="import llm_analysis.analysis"
)
declare -A REQS=(
  [aiconfigurator]="aiconfigurator==0.12.0 aiconfigurator-core==0.12.0"
  [llm-analysis]="llm-analysis==0.2.2 transformers==4.30.2 huggingface-hub==0.14.1"
)

setup_one() {
  local name="$1" dir="$VENVS/$1"
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "${CHECK[$name]}" >/dev/null 2>&1; then
    local want; want="$(echo "${REQS[$name]}" | cut -d' ' -f1)"
    local frozen; frozen="$("$dir/bin/python" -m pip freeze 2>/dev/null || true)"
    if grep -qix "$want" <<<"$frozen"; then
      echo "[setup_peers] $name: ready ($want)"
      return 0
    fi
  fi
  echo "[setup_peers] $name: creating $dir"
  [ -x "$dir/bin/python" ] || "$PY" -m venv "$dir"
  "$dir/bin/python" -m pip install --disable-pip-version-check -q ${REQS[$name]}
  "$dir/bin/python" -c "${CHECK[$name]}" >/dev/null 2>&1 \
    && echo "[setup_peers] $name: ok" \
    || { echo "[setup_peers] $name: installed but import failed" >&2; return 1; }
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(aiconfigurator llm-analysis)
rc=0
for t in "${targets[@]}"; do
  if [ -z "${REQS[$t]+x}" ]; then echo "[setup_peers] unknown peer: $t" >&2; rc=2; continue; fi
  setup_one "$t" || rc=1
done
exit $rc
