prism_shader(NAME binary_add SOURCE binary.comp DEFINES OP_ADD)
prism_shader(NAME binary_mul SOURCE binary.comp DEFINES OP_MUL)
