// `prism-cli run --mmproj --audio` and chat's /audio as a user runs them, on the tiny
// Qwen2-Audio fixture: the answer equals the Session's for the same message, the sound's
// timings are printed, and mismatched or impossible sound requests fail with one line.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "models/cli_runner.hpp"
#include "prism/media/audio.hpp"
#include "prism/session.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

const fs::path kQwen2a = fs::path(PRISM_TEST_DATA_DIR) / "audio-models" / "qwen2a";
const std::string kJfk = (fs::path(PRISM_TEST_DATA_DIR) / "audio" / "jfk.wav").string();

std::string files() {
    return "-m '" + (kQwen2a / "text.gguf").string() + "' --mmproj '" +
           (kQwen2a / "mmproj.gguf").string() + "' ";
}

TEST(AudioCli, SoundAnswerEqualsTheSessionsAndPrintsItsTimings) {
    const CliRun r = run_cli("run " + files() + "--audio '" + kJfk +
                             "' -p '<audio>What is said?' -n 8 --temp 0 -c 512");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("audio: 1 sound(s): decode "), std::string::npos) << r.err;

    SessionOptions o;
    o.n_ctx = 512;
    o.mmproj = kQwen2a / "mmproj.gguf";
    Session s = Session::load(kQwen2a / "text.gguf", o);
    s.add_user({MessagePart::of_audio(
                    std::make_shared<const media::Audio>(media::decode_audio_file(kJfk))),
                MessagePart::of_text("What is said?")});
    GenerateOptions g;
    g.sampling.temperature = 0.0f;
    g.max_tokens = 8;
    EXPECT_EQ(r.out, s.generate(g).text + "\n");

    // Without "<audio>" the sound goes before the text: the same prompt here.
    const CliRun before = run_cli("run " + files() + "--audio '" + kJfk +
                                  "' -p 'What is said?' -n 8 --temp 0 -c 512");
    EXPECT_EQ(before.out, r.out) << before.err;
}

TEST(AudioCli, ChatAttachesASound) {
    const CliRun r = run_cli_with_input("chat " + files() + "-n 4 --temp 0 -c 512",
                                        "/audio " + kJfk + "\nWhat is said?\n");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("attached to the next message"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("audio: 1 sound(s)"), std::string::npos) << r.err;
}

TEST(AudioCli, BadSoundRequestsFailWithOneLine) {
    expect_one_line_error(run_cli("run -m '" + (kQwen2a / "text.gguf").string() + "' --audio '" +
                                  kJfk + "' -p hi -c 64"),
                          "this model has no audio encoder; load an mmproj with one");
    expect_one_line_error(
        run_cli("run " + files() + "--audio '" + kJfk + "' -p '<audio><audio> two?' -c 512"),
        "2 <audio> but 1 --audio");
    expect_one_line_error(run_cli("run " + files() + "--audio /nonexistent.wav -p hi -c 512"),
                          "/nonexistent.wav");
    expect_one_line_error(run_cli("run " + files() + "--image '" + kJfk + "' -p hi -c 512"),
                          "jfk.wav");
}

}  // namespace
}  // namespace prism::test
