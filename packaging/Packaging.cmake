# The Debian package: `cpack -G DEB` in a build folder gives prism_<version>_amd64.deb.
# Install rules for the desktop integration live here; the programs install themselves from app/.
include(GNUInstallDirs)

set(prism_app_id io.github.prism.Prism)
set(prism_resources ${PROJECT_SOURCE_DIR}/resources)

# The server comes from its own folder when that part of the tree is built; without it the
# package simply has no prism-server.
set(prism_server_text "")
if(TARGET prism-server)
  install(TARGETS prism-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  set(prism_server_text ", the OpenAI-compatible\nserver (prism-server)")
endif()

if(PRISM_BUILD_UI)
  install(FILES ${prism_resources}/${prism_app_id}.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${prism_resources}/${prism_app_id}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${prism_resources}/icons/prism.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME ${prism_app_id}.svg)
  foreach(size 16 24 32 48 64 128 256 512)
    install(FILES ${prism_resources}/icons/prism-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
            RENAME ${prism_app_id}.png)
  endforeach()
endif()

# Debian policy: /usr/share/doc/<package>/copyright, and the changelog (a native package:
# changelog.gz) and man pages compressed with gzip -9n (no name or time stamp in the header, so
# the package is reproducible).
set(prism_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/prism)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/debian/copyright DESTINATION ${prism_doc_dir})
set(prism_gzip_dir ${PROJECT_BINARY_DIR}/packaging)
set(prism_gzipped)
foreach(source debian/changelog man/prism.1 man/prism-cli.1 man/prism-bench.1 man/prism-server.1)
  get_filename_component(name ${source} NAME)
  set(gz ${prism_gzip_dir}/${name}.gz)
  add_custom_command(
    OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${prism_gzip_dir}
    COMMAND gzip -9n -c ${CMAKE_CURRENT_LIST_DIR}/${source} > ${gz}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/${source}
    VERBATIM)
  list(APPEND prism_gzipped ${gz})
endforeach()
add_custom_target(prism_package_docs ALL DEPENDS ${prism_gzipped})
install(FILES ${prism_gzip_dir}/changelog.gz DESTINATION ${prism_doc_dir})
install(FILES ${prism_gzip_dir}/prism.1.gz ${prism_gzip_dir}/prism-cli.1.gz
              ${prism_gzip_dir}/prism-bench.1.gz ${prism_gzip_dir}/prism-server.1.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME prism)
set(CPACK_PACKAGE_VENDOR "Prism developers")
set(CPACK_PACKAGE_CONTACT "Prism developers <prism-developers@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "local multimodal assistant with a Vulkan compute engine")
# CPack puts the summary above this as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Prism runs language and vision models on the local GPU through its own
Vulkan compute shaders. It reads the GGUF files made for llama.cpp (a text
model plus an mmproj vision projector).
.
This package holds the desktop app (prism), the command-line tool
(prism-cli), the benchmark program (prism-bench)${prism_server_text} and a tiny
demo model.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/prism/prism")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# Shared libraries the binaries link come from dpkg-shlibdeps. What it cannot see is listed by
# hand: the Vulkan driver (loaded by the loader at run time), the QML modules the views import
# (Debian's module packages do not depend on each other), Qt's SQLite driver and platform
# plugins, and Mesa's OpenGL driver for Qt Quick's scene graph.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(prism_runtime_depends
    "mesa-vulkan-drivers | vulkan-icd"
    libgl1-mesa-dri
    libqt6sql6-sqlite
    qt6-qpa-plugins
    qml6-module-qtqml
    qml6-module-qtqml-models
    qml6-module-qtqml-workerscript
    qml6-module-qtquick
    qml6-module-qtquick-controls
    qml6-module-qtquick-dialogs
    qml6-module-qtquick-layouts
    qml6-module-qtquick-shapes
    qml6-module-qtquick-templates
    qml6-module-qtquick-window
    qml6-module-qt-labs-folderlistmodel
    # QtKeychain loads libsecret at run time to reach the Secret Service (GNOME Keyring,
    # KeePassXC); without it no key is remembered even where a keyring runs.
    libsecret-1-0)
# libqt6keychain1 (API keys in the desktop's keyring) comes from dpkg-shlibdeps, versioned.
list(JOIN prism_runtime_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
# QtKeychain needs a running keyring to store keys; without one they are not remembered.
# Live mode: the camera and microphone go through Qt Multimedia's GStreamer backend (v4l2src
# and pulsesrc are in -good); without them the live view says what is missing and typed
# questions still work. Spoken answers need nothing more: libespeak-ng1 (which brings its voice
# data, espeak-ng-data) and libspeexdsp1 are linked, so dpkg-shlibdeps lists them.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "fonts-dejavu-core, qt6-wayland, gnome-keyring | kwalletmanager, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good")
include(CPack)
