#!/usr/bin/env bash
# Rebuild the vendored front-end assets from the npm registry, pinned by scripts/vendor/package-lock.json:
#   server/static/vendor/yasgui/   the query editor (@zazuko/yasgui: YASQE + YASR), served to browsers
#   server/vendor/world-atlas/     the world's country outlines (Natural Earth 1:110m, via world-atlas),
#                                  converted from TopoJSON to GeoJSON by topojson-client; read by the server
# Each directory gets the licences of what it holds. The output is committed, so neither CI nor a user
# needs npm: run this only to change a version (edit scripts/vendor/package.json, then run it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp scripts/vendor/package.json scripts/vendor/package-lock.json "$WORK"/ 2>/dev/null || cp scripts/vendor/package.json "$WORK"/
( cd "$WORK" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --ignore-scripts; else npm install --no-audit --no-fund --ignore-scripts; fi )
[ -f scripts/vendor/package-lock.json ] || cp "$WORK/package-lock.json" scripts/vendor/package-lock.json
NM="$WORK/node_modules"

# Licences of a package and of everything it depends on (what its bundle holds), one block each.
notices() {  # notices PACKAGE OUT
  ( cd "$WORK" && node -e '
    const fs = require("fs"), path = require("path");
    const seen = new Set(), out = [];
    function visit(name, from) {
      let dir = from;
      for (;;) {  // node resolution: the nearest node_modules that holds it
        const cand = path.join(dir, "node_modules", name);
        if (fs.existsSync(path.join(cand, "package.json"))) { dir = cand; break; }
        const up = path.dirname(dir); if (up === dir) return; dir = up;
      }
      if (seen.has(dir)) return; seen.add(dir);
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      const files = fs.readdirSync(dir).filter(f => /^(licen[cs]e|copying|notice)/i.test(f)).sort();
      let text = files.map(f => fs.readFileSync(path.join(dir, f), "utf8").trim()).join("\n\n");
      if (!text) text = `Licence: ${pkg.license} (the package ships no licence file; see ${pkg.homepage || pkg.repository && (pkg.repository.url || pkg.repository) || "npm"})`;
      out.push(`${pkg.name} ${pkg.version} (${pkg.license})\n${"-".repeat(72)}\n${text}\n`);
      Object.keys(pkg.dependencies || {}).sort().forEach(d => visit(d, dir));
    }
    visit(process.argv[1], process.cwd());
    out.sort();
    process.stdout.write("Third-party licences of what this directory holds, written by scripts/vendor-assets.sh.\n\n" + out.join("\n"));
  ' "$1" ) > "$2"
}

# The query editor: the built bundle and its stylesheet, without the source map line.
Y="$ROOT/server/static/vendor/yasgui"
rm -rf "$Y" && mkdir -p "$Y"
sed '/^\/\/# sourceMappingURL=/d' "$NM/@zazuko/yasgui/build/yasgui.min.js" > "$Y/yasgui.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$NM/@zazuko/yasgui/build/yasgui.min.css" > "$Y/yasgui.min.css"
notices @zazuko/yasgui "$Y/LICENSES.txt"
node -e 'const p=require(process.argv[1]);console.log(`${p.name} ${p.version}`)' "$NM/@zazuko/yasgui/package.json" > "$Y/VERSION"

# The world outline: countries at 1:110m as GeoJSON, coordinates rounded to 0.01 degree.
W="$ROOT/server/vendor/world-atlas"
rm -rf "$W" && mkdir -p "$W"
"$NM/.bin/topo2geo" -i "$NM/world-atlas/countries-110m.json" "countries=$WORK/countries.geojson"
node -e '
  const fs = require("fs");
  const g = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const round = c => typeof c[0] === "number" ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round);
  g.features = g.features.map(f => ({type: "Feature", id: f.id || null, properties: {name: f.properties.name},
    geometry: f.geometry && {type: f.geometry.type, coordinates: round(f.geometry.coordinates)}}));
  g.features.sort((a, b) => (a.properties.name < b.properties.name ? -1 : a.properties.name > b.properties.name ? 1 : 0));
  fs.writeFileSync(process.argv[2], JSON.stringify(g) + "\n");
' "$WORK/countries.geojson" "$W/countries-110m.geojson"
notices world-atlas "$W/LICENSES.txt"
{ echo; echo "The outlines are Natural Earth's (https://www.naturalearthdata.com/), in the public domain,"; echo "as packaged by world-atlas and converted with topojson-client ($(node -e 'console.log(require(process.argv[1]).version)' "$NM/topojson-client/package.json"), ISC licence):"; echo; cat "$NM/topojson-client/LICENSE"; } >> "$W/LICENSES.txt"
node -e 'const p=require(process.argv[1]);console.log(`${p.name} ${p.version} countries-110m`)' "$NM/world-atlas/package.json" > "$W/VERSION"
du -sh "$Y" "$W"
