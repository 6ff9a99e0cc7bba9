# Turns a .spv file into a C++ source holding its 32-bit words.
file(READ ${SPV} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR rem "${len} % 8")
if(NOT rem EQUAL 0 OR len EQUAL 0)
  message(FATAL_ERROR "${SPV} is not a whole number of SPIR-V words")
endif()
# SPIR-V words are little-endian on disk: reverse the bytes of each word.
string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
math(EXPR count "${len} / 8")
file(WRITE ${OUT}
"#include <cstddef>\n#include <cstdint>\nnamespace prism::gpu::spirv {\nextern const std::uint32_t spv_${NAME}[];\nextern const std::size_t spv_${NAME}_words;\nconst std::uint32_t spv_${NAME}[] = {${words}};\nconst std::size_t spv_${NAME}_words = ${count};\n}\n")
