// Runs the hub suite's test classes (or the one named by --suite <Class>).
#include <QCoreApplication>

#include "support/qt_suites.hpp"

namespace prism::test {
int run_hub_api_tests(int argc, char** argv);
int run_download_tests(int argc, char** argv);
int run_fit_estimate_tests(int argc, char** argv);
int run_model_browser_tests(int argc, char** argv);
}  // namespace prism::test

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    using namespace prism::test;
    return run_qt_suites(argc, argv,
                         {
                             {"HubApiTest", run_hub_api_tests},
                             {"DownloadTest", run_download_tests},
                             {"FitEstimateTest", run_fit_estimate_tests},
                             {"ModelBrowserTest", run_model_browser_tests},
                         });
}
