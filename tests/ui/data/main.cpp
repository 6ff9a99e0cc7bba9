// Runs every test class of the suite (or the one named by --suite <Class>), or, with a
// --child-* argument, acts as the second process of the multi-process history tests.
#include <QCoreApplication>
#include <cstring>
#include <vector>

#include "ui/data/test_suites.hpp"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc >= 2 && std::strncmp(argv[1], "--child-", 8) == 0)
        return prism::test::run_child(argc, argv);
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
        {"TitleRulesTest", prism::test::run_title_rules_tests},
        {"ConversationStoreTest", prism::test::run_conversation_store_tests},
        {"StoreProcessTest", prism::test::run_store_process_tests},
        {"ModelCatalogTest", prism::test::run_model_catalog_tests},
        {"SettingsStoreTest", prism::test::run_settings_store_tests},
    };
    int failures = 0;
    for (const Suite& s : suites)
        if (only == nullptr || std::strcmp(only, s.name) == 0)
            failures += s.run(static_cast<int>(args.size()), args.data());
    return failures == 0 ? 0 : 1;
}
