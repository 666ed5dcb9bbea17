#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry.
# The web UI must work with no internet, so the files live inside the package.
# Usage: scripts/vendor_frontend.sh   (edit the versions below, run, commit)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/safecity/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent htmx.org@2.0.11 htmx-ext-sse@2.2.4 leaflet@1.9.4 @fontsource/noto-naskh-arabic@5.3.0 @expo-google-fonts/noto-naskh-arabic@0.4.5 >/dev/null )
rm -rf "$dest" && mkdir -p "$dest"/{htmx,htmx-ext-sse,leaflet,noto-naskh-arabic}
for pkg in htmx.org-2.0.11 htmx-ext-sse-2.2.4 leaflet-1.9.4; do tar -xzf "$work/$pkg.tgz" -C "$work" && mv "$work/package" "$work/$pkg"; done
cp "$work/htmx.org-2.0.11/dist/htmx.min.js" "$work/htmx.org-2.0.11/LICENSE" "$dest/htmx/"
cp "$work/htmx-ext-sse-2.2.4/dist/sse.min.js" "$dest/htmx-ext-sse/" 2>/dev/null || cp "$work/htmx-ext-sse-2.2.4/sse.js" "$dest/htmx-ext-sse/sse.min.js"
cp "$work/htmx-ext-sse-2.2.4/LICENSE" "$dest/htmx-ext-sse/" 2>/dev/null || cp "$work/htmx.org-2.0.11/LICENSE" "$dest/htmx-ext-sse/LICENSE"
cp -r "$work/leaflet-1.9.4/dist/leaflet.js" "$work/leaflet-1.9.4/dist/leaflet.css" "$work/leaflet-1.9.4/dist/images" "$work/leaflet-1.9.4/LICENSE" "$dest/leaflet/"
tar -xzf "$work/fontsource-noto-naskh-arabic-5.3.0.tgz" -C "$work" && mv "$work/package" "$work/naskh"
cp "$work"/naskh/files/noto-naskh-arabic-arabic-{400,700}-normal.woff2 "$work/naskh/LICENSE" "$dest/noto-naskh-arabic/"
# PDFs (certificates, e-challan notices) embed a TrueType font; fpdf2 cannot read woff2.
fonts=src/safecity/data/fonts
rm -rf "$fonts" && mkdir -p "$fonts"
tar -xzf "$work/expo-google-fonts-noto-naskh-arabic-0.4.5.tgz" -C "$work" && mv "$work/package" "$work/naskh-ttf"
cp "$work"/naskh-ttf/400Regular/NotoNaskhArabic_400Regular.ttf "$work"/naskh-ttf/700Bold/NotoNaskhArabic_700Bold.ttf "$fonts/"
cp "$work/naskh-ttf/LICENSE_FONT" "$fonts/LICENSE"
echo "@expo-google-fonts/noto-naskh-arabic 0.4.5 (SIL OFL 1.1; TrueType, Arabic script + Latin) — npm registry" > "$fonts/VERSIONS.txt"
cat > "$dest/VERSIONS.txt" <<TXT
htmx.org 2.0.11 (0BSD) — npm registry
htmx-ext-sse 2.2.4 (0BSD) — npm registry
leaflet 1.9.4 (BSD-2-Clause) — npm registry
@fontsource/noto-naskh-arabic 5.3.0 (SIL OFL 1.1; Arabic-script subset, covers Urdu letters) — npm registry
TXT
echo "vendored into $dest"
