#pragma once

#include <string>
#include <vector>

namespace prism::cli {

int devices_command(const std::vector<std::string>& args);
int info_command(const std::vector<std::string>& args);
int generate_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int chat_command(const std::vector<std::string>& args);
int vad_command(const std::vector<std::string>& args);

}  // namespace prism::cli
