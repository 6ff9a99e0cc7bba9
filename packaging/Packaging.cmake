# Debian package of the programs: `cpack -G DEB` in a build folder.
set(CPACK_PACKAGE_NAME "prism")
set(CPACK_PACKAGE_VENDOR "Prism")
set(CPACK_PACKAGE_CONTACT "Prism developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libvulkan1, mesa-vulkan-drivers | vulkan-icd")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
