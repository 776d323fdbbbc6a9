#!/usr/bin/env bash
# Makes build/bench-venv with PyTorch (CPU use) for `npm run bench`'s side-by-side column.
# Only PyPI is needed. On Linux x86-64, PyPI's torch wheel is the CUDA build and pulls the
# nvidia-* wheels: about 3 GB downloaded, 5.4 GB installed (there is no CPU-only torch wheel on
# PyPI; it runs on the CPU fine). About 1-2 minutes on a fast link.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x build/bench-venv/bin/python ]; then
  "$PY" -m venv build/bench-venv
fi
build/bench-venv/bin/pip install --quiet --upgrade pip
build/bench-venv/bin/pip install --quiet torch numpy
build/bench-venv/bin/python -c "import torch; print('torch', torch.__version__, 'threads', torch.get_num_threads())"
