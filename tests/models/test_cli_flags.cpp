// The numeric flags of prism-cli and prism-bench: one rule per flag, the same in every command.
// A bad value is refused with one line naming the flag, the value and the valid range, before
// any file is read; -n means the same everywhere (-1 until the end, 0 nothing); --help is on
// stdout with exit status 0.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "models/cli_runner.hpp"

namespace prism::test {
namespace {

struct BadValue {
    std::string flag, value, says;
};

const std::vector<BadValue>& bad_values() {
    static const std::vector<BadValue> all = {
        {"-n", "-2", "-n: '-2' is out of range (at least -1)"},
        {"-n", "1.5", "-n: '1.5' is not an integer"},
        {"-n", "99999999999999999999", "-n: '99999999999999999999' is too large"},
        {"-c", "-1", "-c: '-1' is out of range (from 0 to 2147483647)"},
        {"-b", "0", "-b: '0' is out of range (from 1 to 2147483647)"},
        {"--temp", "nan", "--temp: 'nan' is not a finite number"},
        {"--temp", "-0.5", "--temp: '-0.5' is out of range (at least 0)"},
        {"--temp", "warm", "--temp: 'warm' is not a number"},
        {"--top-k", "-3", "--top-k: '-3' is out of range (from 0 to 2147483647)"},
        {"--top-p", "2", "--top-p: '2' is out of range (from 0 to 1)"},
        {"--min-p", "nan", "--min-p: 'nan' is not a finite number"},
        {"--repeat-penalty", "0", "--repeat-penalty: '0' is out of range (greater than 0)"},
        {"--repeat-last-n", "-1", "--repeat-last-n: '-1' is out of range (from 0 to 2147483647)"},
        {"--presence-penalty", "nan", "--presence-penalty: 'nan' is not a finite number"},
        {"--frequency-penalty", "inf", "--frequency-penalty: 'inf' is not a finite number"},
        {"--seed", "18446744073709551616",
         "--seed: '18446744073709551616' is out of range (from 0 to 18446744073709551615)"},
        {"--seed", "-1", "--seed: '-1' is out of range (from 0 to 18446744073709551615)"},
        {"--seed", "x", "--seed: 'x' is not an integer"},
    };
    return all;
}

// The model is never opened: the flags are checked first.
const std::vector<std::string> kCommands = {
    "run -m /nonexistent/model.gguf -p hi",
    "chat -m /nonexistent/model.gguf",
    "generate -m /nonexistent/model.gguf --tokens 1",
};

TEST(CliFlags, EveryCommandRefusesABadValueTheSameWay) {
    for (const std::string& command : kCommands) {
        for (const BadValue& bad : bad_values()) {
            SCOPED_TRACE(command + " " + bad.flag + " " + bad.value);
            const CliRun r = run_cli(command + " " + bad.flag + " '" + bad.value + "'");
            expect_one_line_error(r, "prism-cli: " + bad.says + "\n");
        }
    }
}

TEST(CliFlags, BenchSharesTheRules) {
    const std::string gen = "gen -m /nonexistent/model.gguf ";
    expect_one_line_error(run_program(bench_path(), gen + "-n -2"),
                          "prism-bench: -n: '-2' is out of range (at least -1)\n");
    expect_one_line_error(run_program(bench_path(), gen + "-b 0"),
                          "prism-bench: -b: '0' is out of range (from 1 to 2147483647)\n");
    expect_one_line_error(run_program(bench_path(), gen + "-r 0"),
                          "prism-bench: -r: '0' is out of range (at least 1)\n");
    expect_one_line_error(run_program(bench_path(), gen + "-p x"),
                          "prism-bench: -p: 'x' is not an integer\n");
    // -1 is valid for -n, but a benchmark needs a fixed length.
    expect_one_line_error(run_program(bench_path(), gen + "-n -1"), "no fixed length");
    expect_one_line_error(run_program(bench_path(), "ops --tokens 0"),
                          "prism-bench: --tokens: '0' is out of range (at least 1)\n");
    expect_one_line_error(run_program(bench_path(), "ops --contexts 512,x"),
                          "prism-bench: --contexts: 'x' is not an integer\n");
    expect_one_line_error(run_program(bench_path(), "ops --min-time nan"),
                          "prism-bench: --min-time: 'nan' is not a finite number\n");
    const std::string image = "image -m /nonexistent/model.gguf --mmproj /nonexistent/mm.gguf ";
    expect_one_line_error(run_program(bench_path(), image + "-c -1"),
                          "prism-bench: -c: '-1' is out of range (from 0 to 2147483647)\n");
    expect_one_line_error(run_program(bench_path(), image + "--warmup -1"),
                          "prism-bench: --warmup: '-1' is out of range (at least 0)\n");
}

TEST(CliFlags, MemoryBudgetIsCheckedLikeAFlag) {
    for (const std::string value : {"-1", "lots", "17592186044416"}) {
        SCOPED_TRACE(value);
        const CliRun r = run_cli("run -m /nonexistent/model.gguf -p hi",
                                 "PRISM_MEMORY_BUDGET_MIB='" + value + "' ");
        expect_one_line_error(r, "prism-cli: PRISM_MEMORY_BUDGET_MIB: '" + value + "' is ");
    }
}

TEST(CliFlags, HelpIsOnStdoutWithStatusZero) {
    const std::vector<std::pair<std::string, std::string>> asks = {
        {PRISM_CLI_PATH, "--help"},         {PRISM_CLI_PATH, "-h"},
        {PRISM_CLI_PATH, "run --help"},     {PRISM_CLI_PATH, "chat --help"},
        {PRISM_CLI_PATH, "generate -h"},    {PRISM_CLI_PATH, "info --help"},
        {PRISM_CLI_PATH, "devices --help"}, {bench_path(), "--help"},
        {bench_path(), "gen --help"},       {bench_path(), "image --help"},
        {bench_path(), "ops --help"},
    };
    for (const auto& [program, args] : asks) {
        SCOPED_TRACE(program + " " + args);
        const CliRun r = run_program(program, args);
        EXPECT_EQ(r.status, 0);
        EXPECT_EQ(r.err, "");
        EXPECT_EQ(r.out.rfind("usage: ", 0), 0u) << r.out;
    }
    // Without a command it is a usage error: the usage goes to stderr.
    const CliRun bare = run_cli("");
    EXPECT_EQ(bare.status, 2);
    EXPECT_EQ(bare.out, "");
    EXPECT_NE(bare.err.find("usage: prism-cli"), std::string::npos);
}

// -n on stories260K.
using CliN = StoriesCliTest;

TEST_F(CliN, ZeroGeneratesNothingInEveryCommand) {
    const CliRun run = run_cli("run " + m + "--raw -p 'Once upon a time' -n 0 -c 64");
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "Once upon a time\n");  // the prompt, echoed by --raw, and no more
    EXPECT_NE(run.err.find("generation: 0 tokens"), std::string::npos) << run.err;
    const CliRun generate = run_cli("generate " + m + "--tokens 1 -n 0 -c 64");
    ASSERT_EQ(generate.status, 0) << generate.err;
    EXPECT_EQ(generate.out, "\n");
    EXPECT_NE(generate.err.find("generation: 0 tokens"), std::string::npos) << generate.err;
}

TEST_F(CliN, MinusOneRunsToTheEndOfTheContextInEveryCommand) {
    const CliRun generate = run_cli("generate " + m + "--tokens 1 -n -1 -c 16");
    ASSERT_EQ(generate.status, 0) << generate.err;
    // One prompt token and 15 fed back fill the 16 positions; the 16th sampled has no room.
    EXPECT_EQ(std::count(generate.out.begin(), generate.out.end(), ' '), 15) << generate.out;
    EXPECT_NE(generate.err.find("the context (16 tokens) is full"), std::string::npos)
        << generate.err;
    const CliRun run = run_cli("run " + m + "--raw -p 'Once upon a time' -n -1 -c 32 --temp 0");
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.err.find("the context (32 tokens) is full; the answer stops here"),
              std::string::npos)
        << run.err;
}

}  // namespace
}  // namespace prism::test
