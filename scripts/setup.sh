#!/usr/bin/env bash
# One-time machine set-up, idempotent: Debian packages the build needs, the Rust components the
# checks use, and the model + photos from the registries. Both README commands call it.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for bin in pkg-config:pkg-config python3:python3 npm:npm; do
  command -v "${bin%%:*}" >/dev/null 2>&1 || need+=("${bin##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "缺少系统软件包 / missing system packages: ${need[*]} (apt-get install them)" >&2; exit 1
  fi
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
scripts/fetch-assets.sh
