# Embedding lookup: get_rows_<type> for every computable table type.
include(${PRISM_SHADER_DIR}/weight_types.cmake.inc)
foreach(t IN LISTS PRISM_WEIGHT_TYPES)
  string(TOLOWER ${t} lower)
  prism_shader(NAME get_rows_${lower} SOURCE get_rows.comp DEFINES WTYPE_${t})
endforeach()
