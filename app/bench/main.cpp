#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "bench/bench.hpp"

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
        prism::bench::print_usage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "ops") return prism::bench::ops_command(args);
        if (command == "gen") return prism::bench::gen_command(args);
        if (command == "image") return prism::bench::image_command(args);
        if (command == "soak") return prism::bench::soak_command(args);
        std::fprintf(stderr, "prism-bench: unknown command '%s'\n", command.c_str());
        prism::bench::print_usage();
        return 2;
    } catch (const std::bad_alloc&) {
        std::fputs("prism-bench: out of host memory for the requested sizes\n", stderr);
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prism-bench: %s\n", e.what());
        return 1;
    }
}
