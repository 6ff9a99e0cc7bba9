#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "common/standard_streams.hpp"

namespace {

int run_command(int argc, char** argv) {
    if (argc < 2) {
        prism::bench::print_usage(stderr);
        return 2;
    }
    const std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    const bool help = std::any_of(args.begin(), args.end(),
                                  [](const std::string& a) { return a == "-h" || a == "--help"; });
    // The ops options are the ones of the general usage.
    if (command == "-h" || command == "--help" || (command == "ops" && help)) {
        prism::bench::print_usage(stdout);
        return 0;
    }
    try {
        if (command == "ops") return prism::bench::ops_command(args);
        if (command == "gen") return prism::bench::gen_command(args);
        if (command == "image") return prism::bench::image_command(args);
        if (command == "video") return prism::bench::video_command(args);
        if (command == "audio") return prism::bench::audio_command(args);
        if (command == "soak") return prism::bench::soak_command(args);
        if (command == "vad") return prism::bench::vad_command(args);
        if (command == "asr") return prism::bench::asr_command(args);
#ifdef PRISM_BENCH_LIVE
        if (command == "live") return prism::bench::live_command(args);
        if (command == "aec") return prism::bench::aec_command(args);
#else
        if (command == "live" || command == "aec") {
            std::fprintf(stderr,
                         "prism-bench: %s needs the app's library (built without PRISM_BUILD_UI)\n",
                         command.c_str());
            return 1;
        }
#endif
        std::fprintf(stderr, "prism-bench: unknown command '%s' (see prism-bench --help)\n",
                     command.c_str());
        return 2;
    } catch (const std::bad_alloc&) {
        std::fputs("prism-bench: out of host memory for the requested sizes\n", stderr);
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prism-bench: %s\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    return prism::app::main_with_checked_output("prism-bench", argc, argv, run_command);
}
