prism_shader(NAME concat_f32 SOURCE concat.comp DEFINES ELEM=float)
prism_shader(NAME concat_f16 SOURCE concat.comp DEFINES ELEM=float16_t)
