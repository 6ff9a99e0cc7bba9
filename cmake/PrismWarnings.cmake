# Project-wide warning flags, applied per target through prism_target_warnings().
function(prism_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough
    # Vulkan structs are filled as `Info x{VK_STRUCTURE_TYPE_...}`, relying on zeroed members.
    -Wno-missing-field-initializers)
  if(PRISM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
