# matvec_fused_<type>: matvec.comp's product with a norm / residual prologue and a bias,
# residual-add or gated-activation epilogue (the decoder's decode step). _shared: devices
# without subgroup arithmetic.
include(${PRISM_SHADER_DIR}/weight_types.cmake.inc)
foreach(t IN LISTS PRISM_WEIGHT_TYPES)
  string(TOLOWER ${t} lower)
  prism_shader(NAME matvec_fused_${lower} SOURCE matvec_fused.comp DEFINES WTYPE_${t} SUBGROUP_ADD)
  prism_shader(NAME matvec_fused_${lower}_shared SOURCE matvec_fused.comp DEFINES WTYPE_${t})
endforeach()
