prism_shader(NAME rope SOURCE rope.comp)
