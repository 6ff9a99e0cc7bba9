// Runs every test class of the suite (or the one named by --suite <Class>), or, with a
// --child-* argument, acts as the second process of the multi-process history tests.
#include <QCoreApplication>
#include <cstring>

#include "support/qt_suites.hpp"
#include "ui/data/test_suites.hpp"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc >= 2 && std::strncmp(argv[1], "--child-", 8) == 0)
        return prism::test::run_child(argc, argv);
    using namespace prism::test;
    return run_qt_suites(argc, argv,
                         {
                             {"TitleRulesTest", run_title_rules_tests},
                             {"ConversationStoreTest", run_conversation_store_tests},
                             {"StoreProcessTest", run_store_process_tests},
                             {"ModelCatalogTest", run_model_catalog_tests},
                             {"SettingsStoreTest", run_settings_store_tests},
                         });
}
