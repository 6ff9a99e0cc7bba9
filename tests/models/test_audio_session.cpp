// Sessions given sound: a model without an audio encoder refuses it, naming what to load.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/session.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(PRISM_TEST_DATA_DIR);

TEST(AudioSessionErrors, TextOnlyModelRefusesAudio) {
    Session s =
        Session::load(kData / "vlm" / "gemma3" / "text.gguf", {.n_ctx = 64, .validation = true});
    const auto sound =
        std::make_shared<const media::Audio>(media::decode_audio_file(kData / "audio" / "jfk.wav"));
    try {
        s.add_user({MessagePart::of_text("listen"), MessagePart::of_audio(sound)});
        ADD_FAILURE() << "a text-only session took a sound";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "this model has no audio encoder; load an mmproj with one");
    }
    EXPECT_TRUE(s.messages().empty());
}

}  // namespace
}  // namespace prism
