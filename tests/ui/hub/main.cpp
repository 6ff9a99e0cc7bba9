// Runs the hub suite's test classes (or the one named by --suite <Class>).
#include <QCoreApplication>
#include <cstring>
#include <vector>

namespace prism::test {
int run_hub_api_tests(int argc, char** argv);
int run_download_tests(int argc, char** argv);
int run_fit_estimate_tests(int argc, char** argv);
int run_model_browser_tests(int argc, char** argv);
}  // namespace prism::test

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    std::vector<char*> args(argv, argv + argc);
    const char* only = nullptr;
    if (args.size() >= 3 && std::strcmp(args[1], "--suite") == 0) {
        only = args[2];
        args.erase(args.begin() + 1, args.begin() + 3);
    }
    struct Suite {
        const char* name;
        int (*run)(int, char**);
    };
    const Suite suites[] = {
        {"HubApiTest", prism::test::run_hub_api_tests},
        {"DownloadTest", prism::test::run_download_tests},
        {"FitEstimateTest", prism::test::run_fit_estimate_tests},
        {"ModelBrowserTest", prism::test::run_model_browser_tests},
    };
    int failures = 0;
    for (const Suite& s : suites)
        if (only == nullptr || std::strcmp(only, s.name) == 0)
            failures += s.run(static_cast<int>(args.size()), args.data());
    return failures == 0 ? 0 : 1;
}
