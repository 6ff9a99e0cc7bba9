# attention_inputs: fused Q/K/V rows -> per-head norm, RoPE, query out and K/V cache writes.
prism_shader(NAME attention_inputs SOURCE attention_inputs.comp)
prism_shader(NAME attention_inputs_subgroup SOURCE attention_inputs.comp DEFINES SUBGROUP_REDUCE)
