prism_shader(NAME softmax SOURCE softmax.comp)
prism_shader(NAME softmax_subgroup SOURCE softmax.comp DEFINES SUBGROUP_REDUCE)
