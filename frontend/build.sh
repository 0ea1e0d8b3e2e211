#!/usr/bin/env bash
# Build the page shell's static assets from frontend/ into static/.
#
#   bash frontend/build.sh
#
# Needs Node.js and npm (npm registry access for `npm ci`). Outputs are
# committed, so Django itself never needs Node:
#   static/css/app.css                     compiled, compressed Sass
#   static/govuk/govuk-frontend.min.js     GOV.UK Frontend ES module build
#   static/govuk/LICENCE.txt               GOV.UK Frontend MIT licence
#   static/govuk/assets/images/            images referenced by the CSS (none
#                                          at present, see scss/_url-handlers.scss)
#   static/moj/moj-frontend.css            MOJ Frontend's filter layout (scss/moj.scss)
#   static/moj/assets/images/              the images it references
#   static/moj/LICENCE.txt                 MOJ Frontend MIT licence
# GOV.UK's favicons and crest are Crown branding and are deliberately not
# copied; the council favicon lives in static/images/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
static="$root/static"
pkg="$here/node_modules/govuk-frontend"
moj="$here/node_modules/@ministryofjustice/frontend"

cd "$here"
npm ci --no-audit --no-fund --ignore-scripts

version="$(node -p "require('./node_modules/govuk-frontend/package.json').version")"
moj_version="$(node -p "require('./node_modules/@ministryofjustice/frontend/package.json').version")"
echo "govuk-frontend $version, @ministryofjustice/frontend $moj_version, sass $(npx --no-install sass --version)"

mkdir -p "$static/css" "$static/govuk/assets/images" "$static/moj/assets/images"

# 1. Stylesheet. No source map: Django's ManifestStaticFilesStorage would
#    otherwise need the .map file to exist.
npx --no-install sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  scss/app.scss "$static/css/app.css"

# 1b. MOJ Frontend's filter layout, a stylesheet of its own (MOJ's Sass
#     configures GOV.UK Frontend itself; see scss/moj.scss). Its vendor module
#     forwards "node_modules/govuk-frontend/...", hence the load path ".".
npx --no-install sass \
  --load-path=node_modules \
  --load-path=. \
  --style=compressed \
  --no-source-map \
  scss/moj.scss "$static/moj/moj-frontend.css"

# 2. JavaScript: the package's ES module build. The sourceMappingURL comment
#    is dropped for the same ManifestStaticFilesStorage reason.
sed -e 's@//# sourceMappingURL=.*$@@' \
  "$pkg/dist/govuk/govuk-frontend.min.js" > "$static/govuk/govuk-frontend.min.js"

# 3. Images referenced by the compiled CSS (copied from the packages if any).
rm -f "$static/govuk/assets/images/"* "$static/moj/assets/images/"*
missing=0
while IFS= read -r url; do
  case "$url" in
    /static/govuk/assets/images/*)
      name="${url#/static/govuk/assets/images/}"
      cp "$pkg/dist/govuk/assets/images/$name" "$static/govuk/assets/images/$name"
      ;;
    /static/moj/assets/images/*)
      name="${url#/static/moj/assets/images/}"
      cp "$moj/moj/assets/images/$name" "$static/moj/assets/images/$name"
      ;;
    \#*) ;;  # local SVG fragment references (patterns)
    *)
      echo "build.sh: unexpected url($url) in the compiled CSS" >&2
      missing=1
      ;;
  esac
done < <(cat "$static/css/app.css" "$static/moj/moj-frontend.css" | grep -o 'url([^)]*)' | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'"'"']//' -e 's/["'"'"']$//' | sort -u)
[ "$missing" -eq 0 ] || exit 1
touch "$static/govuk/assets/images/.keep"

cat > "$static/moj/LICENCE.txt" <<LICENCE
MOJ Frontend (@ministryofjustice/frontend) $moj_version
https://github.com/ministryofjustice/moj-frontend
Files: moj-frontend.css (the filter component and filter layout, compiled from
the package's Sass by frontend/build.sh) and assets/images/ (copied from the
package).

The MIT License (MIT)

Copyright (c) Crown Copyright (Ministry of Justice)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENCE

# 4. Licence. The npm package ships no LICENSE file (its README states MIT);
#    record the licence with the vendored files.
cat > "$static/govuk/LICENCE.txt" <<LICENCE
GOV.UK Frontend $version
https://github.com/alphagov/govuk-frontend
Files: govuk-frontend.min.js, and the GOV.UK Frontend styles compiled into
css/app.css.

The MIT License (MIT)

Copyright (c) 2016 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENCE

echo "Built:"
ls -l "$static/css/app.css" "$static/govuk/govuk-frontend.min.js" "$static/govuk/LICENCE.txt" \
  "$static/moj/moj-frontend.css" "$static/moj/LICENCE.txt"
