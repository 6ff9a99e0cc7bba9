// The main() of a Qt Test program made of several test classes: runs each class, or only the
// one named by `--suite <Class>`, and exits non-zero if any test failed.
#pragma once

#include <cstring>
#include <initializer_list>
#include <vector>

namespace prism::test {

struct QtSuite {
    const char* name;
    int (*run)(int argc, char** argv);
};

inline int run_qt_suites(int argc, char** argv, std::initializer_list<QtSuite> suites) {
    std::vector<char*> args(argv, argv + argc);
    const char* only = nullptr;
    if (args.size() >= 3 && std::strcmp(args[1], "--suite") == 0) {
        only = args[2];
        args.erase(args.begin() + 1, args.begin() + 3);
    }
    int failures = 0;
    for (const QtSuite& s : suites)
        if (only == nullptr || std::strcmp(only, s.name) == 0)
            failures += s.run(static_cast<int>(args.size()), args.data());
    return failures == 0 ? 0 : 1;
}

}  // namespace prism::test
