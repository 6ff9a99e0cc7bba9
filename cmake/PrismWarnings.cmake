# Project-wide warning flags, applied per target through prism_target_warnings().
function(prism_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough
    # Vulkan structs are filled as `Info x{VK_STRUCTURE_TYPE_...}`, relying on zeroed members.
    -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O3 reports impossible overlaps inside std::string concatenation (GCC bug 105651).
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(PRISM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
