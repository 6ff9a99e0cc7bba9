#pragma once

#include <filesystem>

namespace prism::app {

// The Silero VAD model the CLI uses when given none: $PRISM_VAD_MODEL, else the copy installed
// in <prefix>/share/prism/models (found from the running binary's folder, then the configured
// prefix), else resources/models of the source tree the binary was built from. Empty when
// none of them is a readable file.
std::filesystem::path default_vad_model();

}  // namespace prism::app
