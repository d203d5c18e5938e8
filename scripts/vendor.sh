#!/usr/bin/env bash
# Copy the pinned front-end files (package.json / package-lock.json) into gongzhi/static/vendor with
# their licences. Run after changing a version; the copies are committed so that servers and CI never
# need npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
dest=gongzhi/static/vendor
rm -rf "$dest" && mkdir -p "$dest"
copy() {  # package, version dir, files...
  local pkg=$1 dir=$2; shift 2
  mkdir -p "$dest/$dir"
  for f in "$@"; do cp "node_modules/$pkg/$f" "$dest/$dir/"; done
  cp "node_modules/$pkg/LICENSE" "$dest/$dir/LICENSE"
}
copy htmx.org "htmx-$(node -p 'require("htmx.org/package.json").version')" dist/htmx.min.js
copy echarts "echarts-$(node -p 'require("echarts/package.json").version')" dist/echarts.min.js
echo "vendored into $dest:"; find "$dest" -type f | sort
