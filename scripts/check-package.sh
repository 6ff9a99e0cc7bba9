#!/usr/bin/env bash
# Builds the Debian package from an already built folder (default build/ci), checks it
# (lintian, AppStream metainfo, desktop entry), installs it with apt-get as a user would, runs
# the installed programs, and removes it again. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

rm -f "$build"/prism_*.deb
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/prism_*_amd64.deb)
echo "check-package: built $deb"
dpkg-deb --info "$deb" | sed -n '/Depends/p'

appstreamcli validate --no-net resources/io.github.prism.Prism.metainfo.xml
# The package's copyright file and the AppStream metadata name the same license for Prism's code.
license=$(sed -n 's:.*<project_license>\(.*\)</project_license>.*:\1:p' \
            resources/io.github.prism.Prism.metainfo.xml)
awk '/^Files: \*$/ {f = 1; next} f && /^License:/ {print $2; exit}' packaging/debian/copyright |
  grep -qx "$license" ||
  { echo "check-package: packaging/debian/copyright does not name $license for Files: *" >&2; exit 1; }
desktop-file-validate resources/io.github.prism.Prism.desktop
lintian --fail-on error "$deb"

if dpkg-query -W -f='${Status}' prism 2>/dev/null | grep -q "install ok installed"; then
  echo "check-package: a prism package is already installed; not touching it" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq --no-install-recommends "./$deb"
trap '$sudo apt-get remove -y -qq prism' EXIT

# The installed programs, from /usr/bin, with the installed demo model.
/usr/bin/prism-cli devices
out=$(/usr/bin/prism-cli run -m /usr/share/prism/models/stories260K.gguf --raw \
        -p "Once upon a time" -n 24 --temp 0)
echo "$out"
[ -n "$out" ] || { echo "check-package: prism-cli run printed nothing" >&2; exit 1; }
version=$(QT_QPA_PLATFORM=offscreen /usr/bin/prism --version)
echo "$version"
grep -q "^prism [0-9]" <<<"$version"
[ -f /usr/share/applications/io.github.prism.Prism.desktop ]
[ -f /usr/share/icons/hicolor/scalable/apps/io.github.prism.Prism.svg ]
[ -f /usr/share/metainfo/io.github.prism.Prism.metainfo.xml ]
/usr/bin/prism-server --help | grep -q "/v1/audio/transcriptions"
for page in prism prism-cli prism-bench prism-server; do
  [ -f /usr/share/man/man1/$page.1.gz ] || { echo "check-package: no man page for $page" >&2; exit 1; }
done

$sudo apt-get remove -y -qq prism
trap - EXIT
if [ -e /usr/bin/prism-cli ]; then
  echo "check-package: /usr/bin/prism-cli is still there after removal" >&2
  exit 1
fi
echo "check-package: installed, ran and removed $deb"
