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
# matmul_lanes_<type>: the CPU-device (lavapipe) matrix-matrix product, one subgroup of 8
# per workgroup with register tiles and subgroupBroadcast, no shared memory, for every type
# (dequant_chunk.glsl decodes each 32 values at a time). engine/ops/matmul.cpp asks the shader
# registry whether a type has it.
foreach(t IN LISTS PRISM_WEIGHT_TYPES)
  string(TOLOWER ${t} lower)
  prism_shader(NAME matmul_lanes_${lower} SOURCE matmul_lanes.comp DEFINES WTYPE_${t})
endforeach()
