#pragma once

#include <string>
#include <vector>

namespace prism::bench {

void print_usage();
int ops_command(const std::vector<std::string>& args);
int gen_command(const std::vector<std::string>& args);
int image_command(const std::vector<std::string>& args);
int soak_command(const std::vector<std::string>& args);

}  // namespace prism::bench
