# Weight-reading matrix products, one variant per computable weight type (dequant.glsl
# decodes the type named by WTYPE_<type>): matvec_<type> reduces with subgroupAdd,
# matvec_<type>_shared with shared memory only (devices without subgroup arithmetic),
# matmul_<type> is the tiled matrix-matrix product.
include(${PRISM_SHADER_DIR}/weight_types.cmake.inc)
foreach(t IN LISTS PRISM_WEIGHT_TYPES)
  string(TOLOWER ${t} lower)
  prism_shader(NAME matvec_${lower} SOURCE matvec.comp DEFINES WTYPE_${t} SUBGROUP_ADD)
  prism_shader(NAME matvec_${lower}_shared SOURCE matvec.comp DEFINES WTYPE_${t})
  prism_shader(NAME matmul_${lower} SOURCE matmul.comp DEFINES WTYPE_${t})
endforeach()
