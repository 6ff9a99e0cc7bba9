#include "ui_test_suites.hpp"

namespace prism::ui::test {

std::vector<SuiteFactory>& suites() {
    static std::vector<SuiteFactory> all;
    return all;
}

}  // namespace prism::ui::test
