#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace prism::bench {

// To stdout when asked for (--help), to stderr after a usage error.
void print_usage(std::FILE* to);
int ops_command(const std::vector<std::string>& args);
int gen_command(const std::vector<std::string>& args);
int image_command(const std::vector<std::string>& args);
int video_command(const std::vector<std::string>& args);
int soak_command(const std::vector<std::string>& args);
int vad_command(const std::vector<std::string>& args);

}  // namespace prism::bench
