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
int audio_command(const std::vector<std::string>& args);
int soak_command(const std::vector<std::string>& args);
int vad_command(const std::vector<std::string>& args);
int asr_command(const std::vector<std::string>& args);
// Only with the app's library (PRISM_BUILD_UI).
int live_command(const std::vector<std::string>& args);
int aec_command(const std::vector<std::string>& args);

}  // namespace prism::bench
