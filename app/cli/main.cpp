#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace {

void usage() {
    std::fputs(
        "usage: prism-cli <command> [options]\n"
        "\n"
        "commands:\n"
        "  devices [--device D]  list Vulkan devices with their limits and features\n"
        "  info FILE.gguf        describe a model or mmproj file\n"
        "  run -m FILE.gguf -p PROMPT [--raw]  answer one prompt, streamed to stdout\n"
        "  chat -m FILE.gguf     interactive multi-turn chat on stdin (/reset, Ctrl-D ends)\n"
        "  generate -m FILE.gguf --tokens IDS [-n N]  run a text model on token ids\n"
        "\n"
        "environment: PRISM_DEVICE=<index|name> picks the device, PRISM_PROFILE=1 prints GPU "
        "timings\n",
        stderr);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "devices") return prism::cli::devices_command(args);
        if (command == "info") return prism::cli::info_command(args);
        if (command == "generate") return prism::cli::generate_command(args);
        if (command == "run") return prism::cli::run_command(args);
        if (command == "chat") return prism::cli::chat_command(args);
        std::fprintf(stderr, "prism-cli: unknown command '%s'\n", command.c_str());
        usage();
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prism-cli: %s\n", e.what());
        return 1;
    }
}
