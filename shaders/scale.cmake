prism_shader(NAME scale SOURCE scale.comp)
