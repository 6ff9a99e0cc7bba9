// prism-bench asked for sizes it cannot run: one line naming the option or the case and the
// reason, not std::bad_alloc, "stoll" or "cannot allocate an empty GPU buffer".

#include <gtest/gtest.h>

#include <string>

#include "models/cli_runner.hpp"

namespace prism::test {
namespace {

// A failed run with one line on stderr holding `what` (stdout may hold the table's head).
void expect_refused(const std::string& args, const std::string& what) {
    SCOPED_TRACE(args);
    const CliRun r = run_program("prism-bench", args);
    EXPECT_NE(r.status, 0);
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_EQ(r.err.rfind("prism-bench: " + what, 0), 0u) << r.err;
}

TEST(BenchErrors, ImpossibleShapesNameTheCaseAndTheLimit) {
    expect_refused("ops --shape 1000000,1000000,1000000 --types f16",
                   "matmul F16 1000000x1000000x1000000: a single GPU buffer of");
    expect_refused("ops --only matmul --models 0.5B --types f16 --tokens 100000000",
                   "matmul F16 896x4864x100000000: a single GPU buffer of");
    expect_refused("ops --shape 3000000000,1,1 --types f16",
                   "matvec F16 3000000000x1x1: sizes must be below 2^31");
}

TEST(BenchErrors, BadSizesAreRefusedBeforeRunning) {
    expect_refused("ops --only attention --contexts 0",
                   "--contexts: '0' is out of range (at least 1)");
    expect_refused("ops --shape a,b,c", "--shape: 'a' is not an integer");
    expect_refused("ops --shape 8,0,8", "--shape: '0' is out of range (at least 1)");
    expect_refused("ops --tokens -5", "--tokens: '-5' is out of range (at least 1)");
    expect_refused("ops --min-time x", "--min-time: 'x' is not a number");
}

}  // namespace
}  // namespace prism::test
