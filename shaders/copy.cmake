prism_shader(NAME copy_f32_f32 SOURCE copy.comp)
prism_shader(NAME copy_f32_f16 SOURCE copy.comp DEFINES DST_F16)
prism_shader(NAME copy_f16_f32 SOURCE copy.comp DEFINES SRC_F16)
prism_shader(NAME copy_f16_f16 SOURCE copy.comp DEFINES SRC_F16 DST_F16)
