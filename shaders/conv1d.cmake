prism_shader(NAME conv1d_f32 SOURCE conv1d.comp)
prism_shader(NAME conv1d_f16 SOURCE conv1d.comp DEFINES WEIGHT_F16)
