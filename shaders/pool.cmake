prism_shader(NAME avg_pool SOURCE pool.comp)
