// Qwen2.5-Omni, a model that sees and hears, on the tiny fixture made from transformers'
// Qwen2_5OmniThinkerForConditionalGeneration (tests/data/audio-models/omni, made by
// tools/make_tiny_omni_model.py): its audio tower encodes in 2-s stretches that attend within
// themselves, its vocabulary calls the vision markers <|vision_bos|> and <|vision_eos|>, and a
// picture and a sound in one message take M-RoPE positions as transformers gives them. The
// audio rows, the prompt's rows and positions, the logits and 8 greedy tokens are compared
// with transformers', through MediaPrompt and a decoder, and end to end through a Session.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "models/reference_decoder.hpp"
#include "prism/gguf.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/image.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/models/decoder.hpp"
#include "prism/models/projector_traits.hpp"
#include "prism/session.hpp"
#include "prism/text/sampler.hpp"
#include "prism/tokenizer.hpp"
#include "session/audio_prompt.hpp"
#include "session/media_prompt.hpp"
#include "session/vision_prompt.hpp"
#include "support/gpu_test.hpp"
#include "support/test_files.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(PRISM_TEST_DATA_DIR);
const fs::path kOmni = kData / "audio-models" / "omni";

using test::read_f32;

constexpr const char* kSystem = "You are a helpful assistant.";
constexpr const char* kQuestion = "What is shown and said?";

// One of prompt.json's flat integer lists.
std::vector<std::int32_t> json_ints(const std::string& key) {
    return test::json_ints(kOmni / "prompt.json", key);
}

std::shared_ptr<const media::Image> picture() {
    return std::make_shared<const media::Image>(
        media::decode_image_file(kData / "vlm" / "qwen25vl" / "image.png"));
}

std::shared_ptr<const media::Audio> jfk() {
    return std::make_shared<const media::Audio>(
        media::decode_audio_file(kData / "audio" / "jfk.wav"));
}

GenerateOptions greedy(std::int64_t max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_tokens = max_tokens;
    return o;
}

class OmniFixture : public test::GpuTest {};

// The file names one projector, "qwen2.5o", for both towers; the audio row is Omni's own.
TEST_F(OmniFixture, AudioRowsMatchTransformersStretchByStretch) {
    const auto file = gguf::File::open(kOmni / "mmproj.gguf");
    models::AudioEncoder encoder(ctx(), file);
    EXPECT_EQ(encoder.hparams().projector, models::ProjectorType::qwen25o);
    const auto sound = jfk();
    // 1100 feature frames in stretches of 200 (the last 100) -> 550 frames -> 275 pooled.
    ASSERT_EQ(encoder.tokens_for(sound->samples.size()), 275);
    const auto windows = encoder.mel(sound->samples);
    const auto rows = encoder.encode(windows, sound->samples.size(), "jfk.wav");
    ASSERT_EQ(rows.tensor.ne[1], 275);
    const auto expected = read_f32(kOmni / "omni.f32");
    const auto actual = download(rows.tensor);
    ASSERT_EQ(actual.data.size(), expected.size());
    float diff = 0, largest = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        diff = std::max(diff, std::abs(expected[i] - actual.data[i]));
        largest = std::max(largest, std::abs(expected[i]));
    }
    std::cout << "[ omni     ] audio rows: max |diff| " << diff << " of " << largest << "\n";
    // The project's bound for embeddings, 1e-3 of the largest reference value (measured
    // 4.7e-5 with either attention path).
    EXPECT_LT(diff, 1e-3f * largest);
}

// The rows a session lays out for [picture, sound, question] (markers, 32 picture rows in
// their merged grid, 275 sound rows at consecutive positions) against transformers' prompt and
// get_rope_index; then the logits after the whole prompt and 8 greedy tokens.
TEST_F(OmniFixture, PictureAndSoundInOneMessageGiveTransformersLogits) {
    const auto text_file = gguf::File::open(kOmni / "text.gguf");
    const auto mmproj = gguf::File::open(kOmni / "mmproj.gguf");
    const auto hparams = models::read_hparams(text_file);
    const auto tokenizer = text::Tokenizer::from_gguf(text_file);
    const auto expected = json_ints("tokens");

    session::MediaPrompt media(
        ctx(),
        std::make_unique<session::VisionPrompt>(ctx(), mmproj, tokenizer, hparams, true,
                                                "text.gguf"),
        std::make_unique<session::AudioPrompt>(ctx(), mmproj, tokenizer, hparams, "text.gguf"),
        true, hparams.n_embd);
    // The text around the media, without the markers the layouts write themselves.
    const auto image_at = std::find(expected.begin(), expected.end(), -1);
    const auto last_row = std::find(expected.rbegin(), expected.rend(), -1).base();
    const std::vector<session::ChatPiece> pieces = {{{expected.begin(), image_at - 1}, -1},
                                                    {{}, 0},
                                                    {{}, 1},
                                                    {{last_row + 1, expected.end()}, -1}};
    const MessagePart image_part = MessagePart::of_image(picture());
    const MessagePart audio_part = MessagePart::of_audio(jfk());
    const MessagePart* parts[] = {&image_part, &audio_part};
    const session::MediaPromptRows rows = media.build(pieces, parts);
    const auto laid_out = rows.rows.tokens();
    ASSERT_EQ(std::vector<std::int32_t>(laid_out.begin(), laid_out.end()), expected);

    const std::vector<std::int32_t> planes = rows.rows.positions();
    ASSERT_EQ(planes.size(), 4 * expected.size());
    const char* names[] = {"positions_t", "positions_h", "positions_w"};
    for (std::size_t p = 0; p < 3; ++p) {
        const auto reference = json_ints(names[p]);
        const std::vector<std::int32_t> plane(planes.begin() + p * expected.size(),
                                              planes.begin() + (p + 1) * expected.size());
        EXPECT_EQ(plane, reference) << names[p];
    }

    session::MediaWork work;
    const gpu::Tensor embeddings = media.gather(rows, 0, work);
    EXPECT_EQ(work.images, 1);
    EXPECT_EQ(work.audio.sounds, 1);
    models::Decoder decoder(ctx(), text_file, {.n_ctx = 512, .prefill_chunk = 64});
    std::vector<float> logits =
        decoder.forward({.tokens = laid_out, .embeddings = &embeddings, .positions = planes});
    const auto reference = read_f32(kOmni / "logits.f32");
    ASSERT_EQ(logits.size(), reference.size());
    const test::LogitGap gap = test::logit_gap(reference, logits);
    std::cout << "[ omni     ] max |logit diff| " << gap.max_abs_diff << " of max |logit| "
              << gap.max_abs << " (" << gap.max_abs_diff / gap.max_abs << ")\n";
    // As for the other audio and vision fixtures: 1e-3 x max |logit| (measured 4.9e-5).
    EXPECT_LE(gap.max_abs_diff, 1e-3f * gap.max_abs);

    const auto reference_greedy = json_ints("greedy");
    std::vector<std::int32_t> generated;
    for (std::size_t i = 0; i < reference_greedy.size(); ++i) {
        const std::int32_t next = text::argmax(logits);
        generated.push_back(next);
        if (i + 1 < reference_greedy.size()) logits = decoder.forward(std::span(&next, 1));
    }
    EXPECT_EQ(generated, reference_greedy);
}

// End to end: the session renders ChatML by itself (the fixture carries no template), finds
// Omni's marker names, encodes the picture and the sound once each, and answers with
// transformers' greedy tokens; the next turn reuses both from the cache.
TEST(OmniSession, SeesAndHearsLikeTransformers) {
    SessionOptions o;
    o.n_ctx = 1024;
    o.prefill_chunk = 128;
    o.validation = true;
    o.mmproj = kOmni / "mmproj.gguf";
    Session s = Session::load(kOmni / "text.gguf", o);
    ASSERT_TRUE(s.has_vision());
    ASSERT_TRUE(s.has_audio());
    s.add_system(kSystem);
    s.add_user({MessagePart::of_image(picture()), MessagePart::of_audio(jfk()),
                MessagePart::of_text(kQuestion)});
    const GenerateResult first = s.generate(greedy(8));
    const auto reference_greedy = json_ints("greedy");
    EXPECT_EQ(std::vector<std::int32_t>(first.tokens.begin(), first.tokens.end()),
              reference_greedy);
    EXPECT_EQ(first.timings.prompt_tokens, static_cast<std::int64_t>(json_ints("tokens").size()));
    EXPECT_EQ(first.timings.images_encoded, 1);
    EXPECT_EQ(first.timings.sounds_encoded, 1);

    s.add_user("And then?");
    const GenerateResult second = s.generate(greedy(2));
    EXPECT_EQ(second.timings.images_encoded, 0);
    EXPECT_EQ(second.timings.sounds_encoded, 0);
    EXPECT_GE(second.timings.prompt_tokens_reused, first.timings.prompt_tokens);
}

}  // namespace
}  // namespace prism
