#!/usr/bin/env bash
# Vendors KaTeX (math rendering) into web/static/vendor/katex/ from the npm registry, so the site
# renders math offline and from its own origin (no CDN; CSP `script-src 'self'`). Only what the
# pages load is kept: katex.min.js/.css, the auto-render and copy-tex extensions, the woff2 fonts
# and the licence. Every browser we support reads woff2, so the CSS's woff/ttf fallback sources
# are cut out of each @font-face: the stylesheet then names only files that are really served
# (web/src/assets.rs tests that every url() in it resolves). The files are committed; re-run
# this only to change KaTeX's version.
#
#   scripts/vendor-katex.sh [VERSION]      # default: the newest 0.16.x
#
# Needs npm (for `npm pack`) and tar. Writes web/static/vendor/katex/VERSION.
set -euo pipefail
spec="katex@${1:-0.16}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/web/static/vendor/katex"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
tar -xzf "$work/$tarball" -C "$work"
pkg="$work/package"
version="$(node -p 'require(process.argv[1]).version' "$pkg/package.json")"

for f in katex.min.js katex.min.css contrib/auto-render.min.js contrib/copy-tex.min.js; do
  [ -s "$pkg/dist/$f" ] || { echo "vendor-katex: $spec has no dist/$f" >&2; exit 1; }
done
ls "$pkg"/dist/fonts/*.woff2 >/dev/null 2>&1 || { echo "vendor-katex: $spec has no woff2 fonts" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest/contrib" "$dest/fonts"
cp "$pkg/dist/katex.min.js" "$dest/"
sed -E 's/,url\(fonts\/[A-Za-z0-9_-]+\.(woff|ttf)\) format\("(woff|truetype)"\)//g' \
  "$pkg/dist/katex.min.css" > "$dest/katex.min.css"
if grep -Eq '\.(woff|ttf)\)' "$dest/katex.min.css"; then
  echo "vendor-katex: could not cut the woff/ttf sources out of katex.min.css (format changed?)" >&2
  exit 1
fi
cp "$pkg/dist/contrib/auto-render.min.js" "$pkg/dist/contrib/copy-tex.min.js" "$dest/contrib/"
cp "$pkg"/dist/fonts/*.woff2 "$dest/fonts/"
cp "$pkg/LICENSE" "$dest/LICENSE"
echo "$version" > "$dest/VERSION"
echo "KaTeX $version vendored into ${dest#"$root"/}"
