// Runs every test class of the suite, or, with a --child-* argument, acts as the second
// process of the multi-process history tests.
#include <QCoreApplication>
#include <cstring>

#include "ui/data/test_suites.hpp"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc >= 2 && std::strncmp(argv[1], "--child-", 8) == 0) return prism::test::run_child(argc, argv);
    int failures = 0;
    failures += prism::test::run_title_rules_tests(argc, argv);
    failures += prism::test::run_conversation_store_tests(argc, argv);
    failures += prism::test::run_store_process_tests(argc, argv);
    failures += prism::test::run_model_catalog_tests(argc, argv);
    failures += prism::test::run_settings_store_tests(argc, argv);
    return failures == 0 ? 0 : 1;
}
