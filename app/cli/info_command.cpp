#include <cstdio>

#include "cli/commands.hpp"

namespace prism::cli {

int info_command(const std::vector<std::string>& args) {
    if (args.size() != 1) {
        std::fputs("usage: prism-cli info FILE.gguf\n", stderr);
        return 2;
    }
    std::fputs("prism-cli info: the GGUF reader is not built yet\n", stderr);
    return 1;
}

}  // namespace prism::cli
