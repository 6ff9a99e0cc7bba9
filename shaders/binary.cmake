prism_shader(NAME binary_add SOURCE binary.comp)
