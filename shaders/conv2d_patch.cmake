prism_shader(NAME conv2d_patch_f32 SOURCE conv2d_patch.comp)
prism_shader(NAME conv2d_patch_f16 SOURCE conv2d_patch.comp DEFINES WEIGHT_F16)
