// prism-cli vad and prism-bench vad as programs: segments of real clips, JSON, and one-line
// errors for bad models, bad sound and bad flags.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/special_files.hpp"
#include "support/test_files.hpp"
#include "vad_test_data.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

struct ProgramRun {
    int status = -1;
    std::string out, err;
};

ProgramRun run(const std::string& program, const std::string& args, const std::string& env = "") {
    const test::TempFolder dir("prism-vad-cli");
    const fs::path err = dir / "stderr";
    const std::string command =
        env + "'" + program + "' " + args + " 2>'" + err.string() + "' </dev/null";
    ProgramRun r;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return r;
    std::array<char, 4096> buf;
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;)
        r.out.append(buf.data(), n);
    const int raw = ::pclose(pipe);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::ifstream in(err);
    r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return r;
}

ProgramRun cli(const std::string& args, const std::string& env = "") {
    return run(PRISM_CLI_PATH, args, env);
}

std::string quoted(const fs::path& p) {
    return "'" + p.string() + "'";
}

std::string model_flag() {
    return "-m " + quoted(test::vad_model_path()) + " ";
}

void expect_one_line_error(const ProgramRun& r, const std::string& what) {
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(VadCli, PrintsTheSegmentsOfEachFile) {
    const test::VadReference jfk = test::vad_reference("jfk");
    const test::VadReference silence = test::vad_reference("vad_silence");
    const ProgramRun r =
        cli("vad " + model_flag() + quoted(jfk.audio) + " " + quoted(silence.audio));
    ASSERT_EQ(r.status, 0) << r.err;
    // get_speech_timestamps' default segments, in seconds.
    EXPECT_NE(r.out.find("jfk.wav: 4 speech segments in 11.000 s\n"
                         "  0.322 - 2.270\n  3.266 - 4.446\n  5.378 - 7.678\n  8.162 - 10.622\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("vad_silence.wav: 0 speech segments in 3.000 s\n"), std::string::npos)
        << r.out;
}

TEST(VadCli, OptionsAndJson) {
    const test::VadReference ref = test::vad_reference("vad_pauses");
    const ProgramRun r =
        cli("vad --json --threshold 0.6 --min-speech-ms 100 --min-silence-ms 40 "
            "--speech-pad-ms 50 " +
            model_flag() + quoted(ref.audio));
    ASSERT_EQ(r.status, 0) << r.err;
    // The "tight" set of the reference.
    EXPECT_NE(r.out.find("\"segments\": [{\"start\": 1.486, \"end\": 3.474, \"start_sample\": "
                         "23776, \"end_sample\": 55584}, {\"start\": 4.942, \"end\": 5.618, "
                         "\"start_sample\": 79072, \"end_sample\": 89888}"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.back(), '\n');
    const ProgramRun env =
        cli("vad " + quoted(ref.audio), "PRISM_VAD_MODEL=" + quoted(test::vad_model_path()) + " ");
    EXPECT_EQ(env.status, 0) << env.err;
    // No -m and no PRISM_VAD_MODEL: the copy shipped in resources/models, the same segments.
    const ProgramRun shipped = cli("vad " + quoted(ref.audio), "PRISM_VAD_MODEL= ");
    EXPECT_EQ(shipped.status, 0) << shipped.err;
    EXPECT_EQ(shipped.out, env.out);
}

TEST(VadCli, BadInputIsOneLine) {
    const test::VadReference jfk = test::vad_reference("jfk");
    expect_one_line_error(cli("vad " + quoted(jfk.audio),
                              "PRISM_VAD_MODEL=" + quoted("/nonexistent/silero.bin") + " "),
                          "/nonexistent/silero.bin");
    expect_one_line_error(cli("vad " + model_flag()), "no sound file");
    expect_one_line_error(cli("vad -m " + quoted(test::demo_model()) + " " + quoted(jfk.audio)),
                          "a GGUF file, not a Silero VAD model");
    expect_one_line_error(cli("vad -m " + quoted(jfk.audio) + " " + quoted(jfk.audio)),
                          "not a Silero VAD model");

    const test::TempFolder dir("prism-vad-cli-bad");
    const std::vector<std::uint8_t> model = test::file_bytes(test::vad_model_path());
    const fs::path cut = dir.write("cut.bin", std::span(model).first(model.size() / 2));
    expect_one_line_error(cli("vad -m " + quoted(cut) + " " + quoted(jfk.audio)),
                          cut.string() + ": truncated");
    const fs::path empty = dir.write("empty.wav", {});
    expect_one_line_error(cli("vad " + model_flag() + quoted(empty)), empty.string() + ": ");
    const fs::path fifo = dir.fifo("live.wav");
    expect_one_line_error(cli("vad " + model_flag() + quoted(fifo)), "not a regular file");

    expect_one_line_error(cli("vad --threshold 1.5 " + model_flag() + quoted(jfk.audio)),
                          "--threshold: '1.5' is out of range (from 0 to 1)");
    expect_one_line_error(cli("vad --min-silence-ms x " + model_flag() + quoted(jfk.audio)),
                          "--min-silence-ms: 'x' is not an integer");
    expect_one_line_error(
        cli("vad --threshold 0.3 --negative-threshold 0.4 " + model_flag() + quoted(jfk.audio)),
        "must not be above the threshold");
    expect_one_line_error(cli("vad --bogus 1 " + model_flag() + quoted(jfk.audio)),
                          "unknown option '--bogus'");
}

TEST(VadCli, HelpIsOnStdoutWithStatusZero) {
    const std::string bench = (fs::path(PRISM_CLI_PATH).parent_path() / "prism-bench").string();
    struct Ask {
        std::string program, args, option;  // an option the help must name
    };
    for (const Ask& ask :
         {Ask{PRISM_CLI_PATH, "vad --help", "--min-silence-ms"},
          Ask{PRISM_CLI_PATH, "vad -h", "--speech-pad-ms"}, Ask{bench, "vad --help", "--audio"}}) {
        const ProgramRun r = run(ask.program, ask.args);
        EXPECT_EQ(r.status, 0) << ask.args;
        EXPECT_EQ(r.err, "") << ask.args;
        EXPECT_EQ(r.out.rfind("usage: ", 0), 0u) << r.out;
        EXPECT_NE(r.out.find(ask.option), std::string::npos) << r.out;
    }
    const ProgramRun list = cli("--help");
    EXPECT_NE(list.out.find("  vad [-m SILERO.bin] FILE..."), std::string::npos) << list.out;
}

TEST(VadBench, RunsAndReportsTimePerWindow) {
    const std::string bench = (fs::path(PRISM_CLI_PATH).parent_path() / "prism-bench").string();
    const test::VadReference ref = test::vad_reference("2830-3980-0043");
    const ProgramRun r =
        run(bench, "vad -r 1 --json " + model_flag() + "--audio " + quoted(ref.audio));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("\"windows\": 61"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"cpu_us_per_window\": "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace prism
