#pragma once

// Each test file registers its QObject test class here; main runs them all in one process (one
// QGuiApplication).

#include <QObject>
#include <functional>
#include <memory>
#include <vector>

namespace prism::ui::test {

using SuiteFactory = std::function<std::unique_ptr<QObject>()>;

std::vector<SuiteFactory>& suites();

template <class T>
struct RegisterSuite {
    RegisterSuite() {
        suites().push_back([] { return std::make_unique<T>(); });
    }
};

}  // namespace prism::ui::test
