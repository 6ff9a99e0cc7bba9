#!/usr/bin/env bash
# Installs the Debian 12 packages Prism needs to build and test. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  # The test runner (tests/runner) and tools/fetch_models.py, which downloads with pip.
  python3 python3-pip
  # scripts/make-test-venv.sh: the server tests' openai client lives in a venv.
  python3-venv
  libvulkan-dev mesa-vulkan-drivers vulkan-tools vulkan-validationlayers
  glslang-tools spirv-tools
  libgtest-dev
  libicu-dev
  # prism-server: HTTP (cpp-httplib) and JSON (nlohmann/json).
  libcpp-httplib-dev nlohmann-json3-dev
  zlib1g-dev
  libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev
  clang libclang-rt-14-dev
  qt6-base-dev libqt6sql6-sqlite
  qt6-declarative-dev qt6-declarative-dev-tools
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-dialogs
  qml6-module-qtquick-layouts qml6-module-qtquick-templates qml6-module-qtquick-window
  qml6-module-qtqml-workerscript qt6-qpa-plugins
  # Debian's QML module packages do not depend on each other: QtQuick imports QtQml, the
  # controls use QtQml.Models and QtQuick.Shapes, the QML file dialog Qt.labs.folderlistmodel.
  qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtquick-shapes
  qml6-module-qt-labs-folderlistmodel fonts-dejavu-core
  # API keys in the desktop's keyring (GNOME Keyring, KWallet).
  qtkeychain-qt6-dev
  # The key store's tests run a private session bus (tests/ui/remote/test_secret_store.cpp).
  dbus-daemon
  # ...and a real Secret Service on it, which QtKeychain reaches through libsecret (dlopened).
  gnome-keyring libsecret-1-0
  xvfb xauth
  # Live mode: camera, microphone and speaker (Qt Multimedia and its GStreamer backend), spoken
  # answers synthesized in the process (espeak-ng) and their echo cancelled (speexdsp).
  qt6-multimedia-dev qml6-module-qtmultimedia gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  libespeak-ng-dev espeak-ng-data libspeexdsp-dev
  # scripts/check-package.sh: the package's checks.
  lintian appstream desktop-file-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
