#!/usr/bin/env bash
# One-time machine set-up, idempotent: the Debian packages the build and checks need, the Rust
# components the checks use, a private Python environment with Pillow for the independent photo
# check, and the model + photos from the registries. Both README commands call it.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pair in pkg-config:pkg-config python3:python3 npm:npm file:file; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "缺少系统软件包 / missing system packages: ${need[*]} (apt-get install them)" >&2; exit 1
  fi
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add rustfmt clippy
if [ ! -x target/compare-venv-check/bin/python ]; then
  python3 -m venv target/compare-venv-check
  target/compare-venv-check/bin/python -m pip install -q "pillow==11.3.0"
fi
scripts/fetch-assets.sh
