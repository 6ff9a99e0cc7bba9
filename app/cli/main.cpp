#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "common/standard_streams.hpp"

namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: prism-cli <command> [options]   (prism-cli <command> --help for its options)\n"
        "\n"
        "commands:\n"
        "  devices [--device D]  list Vulkan devices with their limits and features\n"
        "  info FILE.gguf        describe a model or mmproj file\n"
        "  run -m FILE.gguf -p PROMPT [--raw]  answer one prompt, streamed to stdout\n"
        "  chat -m FILE.gguf     interactive multi-turn chat on stdin (/reset, Ctrl-D ends)\n"
        "  generate -m FILE.gguf --tokens IDS [-n N]  run a text model on token ids\n"
        "  vad [-m SILERO.bin] FILE...  speech segments of sound files (Silero VAD)\n"
        "  transcribe -m WHISPER FILE...  speech to text (--srt, --vtt, --json; a Whisper GGUF\n"
        "                        or whisper.cpp's ggml-*.bin)\n"
        "\n"
        "environment: PRISM_DEVICE=<index|name> picks the device, PRISM_PROFILE=1 prints GPU "
        "timings\n"
        "exit status: 0 done, 1 failed (one line on stderr says why), 2 bad usage\n",
        to);
}

int run_command(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    const std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "devices") return prism::cli::devices_command(args);
        if (command == "info") return prism::cli::info_command(args);
        if (command == "generate") return prism::cli::generate_command(args);
        if (command == "run") return prism::cli::run_command(args);
        if (command == "chat") return prism::cli::chat_command(args);
        if (command == "vad") return prism::cli::vad_command(args);
        if (command == "transcribe") return prism::cli::transcribe_command(args);
        std::fprintf(stderr, "prism-cli: unknown command '%s' (see prism-cli --help)\n",
                     command.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prism-cli: %s\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    return prism::app::main_with_checked_output("prism-cli", argc, argv, run_command);
}
