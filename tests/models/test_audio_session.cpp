// Sessions given sound, on the tiny audio fixtures (tests/data/audio-models): the audio rows a
// session lays out and encodes give transformers' logits and greedy tokens for a whole audio
// prompt (Qwen2-Audio, Voxtral); the session does the same end to end from jfk.wav, keeps a
// sound in the KV cache, reports its timings, encodes long sound in 30-s windows, and refuses
// what it cannot take with a sentence naming it.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/reference_decoder.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/image.hpp"
#include "prism/media/video.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/decoder.hpp"
#include "prism/session.hpp"
#include "prism/text/sampler.hpp"
#include "prism/tokenizer.hpp"
#include "session/media_prompt.hpp"
#include "support/gguf_builder.hpp"
#include "support/gpu_test.hpp"
#include "support/test_files.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;
using test::json_ints;
using test::read_f32;

const fs::path kData = fs::path(PRISM_TEST_DATA_DIR);
const fs::path kAudioModels = kData / "audio-models";

GenerateOptions greedy(std::int64_t max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_tokens = max_tokens;
    return o;
}

std::shared_ptr<const media::Audio> jfk() {
    static const auto sound =
        std::make_shared<const media::Audio>(media::decode_audio_file(kData / "audio" / "jfk.wav"));
    return sound;
}

struct Case {
    std::string family;        // the folder under tests/data/audio-models
    bool end_marker = false;   // qwen2a closes the rows with <|audio_eos|>; the others do not
    bool begin_marker = true;  // ultravox's rows stand alone
    std::string projector;     // when the folder is not named after it (whisper: ultravox)
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << c.family;
}

std::string family_name(const ::testing::TestParamInfo<Case>& param) {
    return param.param.projector.empty() ? param.param.family : param.param.projector;
}

class AudioPromptFixture : public test::GpuTest, public ::testing::WithParamInterface<Case> {};

// The rows a session lays out (text, markers, the sound's rows from Prism's mel and encoder)
// against transformers' whole model. Tolerance 1e-3 x max |logit|, as for the vision fixtures:
// the encoder's rows are within 1e-3 of transformers' (test_audio_encoder), and the decoder
// adds its f32 summation order and f16 KV cache.
TEST_P(AudioPromptFixture, LogitsAndGreedyTokensMatchTransformers) {
    const Case& c = GetParam();
    const fs::path dir = kAudioModels / c.family;
    const auto text_file = gguf::File::open(dir / "text.gguf");
    const auto mmproj = gguf::File::open(dir / "mmproj.gguf");
    const auto hparams = models::read_hparams(text_file);
    const auto tokenizer = text::Tokenizer::from_gguf(text_file);
    const auto expected = json_ints(dir / "prompt.json", "tokens");
    const auto reference_greedy = json_ints(dir / "prompt.json", "greedy");

    session::MediaPrompt media(
        ctx(), nullptr,
        std::make_unique<session::AudioPrompt>(ctx(), mmproj, tokenizer, hparams, "text.gguf"),
        false, hparams.n_embd);
    // The text around the sound, without the markers the layout writes itself.
    const auto first = std::find(expected.begin(), expected.end(), -1);
    const auto last = std::find(expected.rbegin(), expected.rend(), -1).base();
    const std::vector<session::ChatPiece> pieces = {
        {{expected.begin(), first - (c.begin_marker ? 1 : 0)}, -1},
        {{}, 0},
        {{last + (c.end_marker ? 1 : 0), expected.end()}, -1}};
    const MessagePart part = MessagePart::of_audio(jfk());
    const MessagePart* parts[] = {&part};
    const session::MediaPromptRows rows = media.build(pieces, parts);
    const auto laid_out = rows.rows.tokens();
    EXPECT_EQ(std::vector<std::int32_t>(laid_out.begin(), laid_out.end()), expected);

    session::MediaWork work;
    const gpu::Tensor embeddings = media.gather(rows, 0, work);
    EXPECT_EQ(work.audio.sounds, 1);
    EXPECT_EQ(embeddings.ne[1], std::count(expected.begin(), expected.end(), -1));

    models::Decoder decoder(ctx(), text_file, {.n_ctx = 512, .prefill_chunk = 64});
    std::vector<float> logits =
        decoder.forward({.tokens = laid_out, .embeddings = &embeddings, .positions = {}});
    const auto reference = read_f32(dir / "logits.f32");
    ASSERT_EQ(logits.size(), reference.size());
    const test::LogitGap gap = test::logit_gap(reference, logits);
    std::cout << "[ audio    ] " << c.family << ": max |logit diff| " << gap.max_abs_diff
              << " of max |logit| " << gap.max_abs << " (" << gap.max_abs_diff / gap.max_abs
              << ")\n";
    EXPECT_LE(gap.max_abs_diff, 1e-3f * gap.max_abs);

    std::vector<std::int32_t> generated;
    for (std::size_t i = 0; i < reference_greedy.size(); ++i) {
        const std::int32_t next = text::argmax(logits);
        generated.push_back(next);
        if (i + 1 < reference_greedy.size()) logits = decoder.forward(std::span(&next, 1));
    }
    EXPECT_EQ(generated, reference_greedy);
}

// Ultravox is remote code without a transformers class: its reference is transformers'
// WhisperEncoder and LlamaForCausalLM with the projector between them in float64 numpy
// (tools/make_tiny_audio_models.py), its rows alone in the prompt.
INSTANTIATE_TEST_SUITE_P(Families, AudioPromptFixture,
                         ::testing::Values(Case{"qwen2a", true}, Case{"voxtral", false},
                                           Case{"whisper", false, false, "ultravox"}),
                         family_name);

Session load_pair(const std::string& text_family, const fs::path& mmproj) {
    SessionOptions o;
    o.n_ctx = 1024;
    o.prefill_chunk = 128;
    o.validation = true;
    o.mmproj = mmproj;
    return Session::load(kAudioModels / text_family / "text.gguf", o);
}

class AudioSession : public ::testing::TestWithParam<Case> {};

// The session renders the fixture's prompt by itself (ChatML, guessed from the vocabulary),
// decodes nothing again and gives transformers' greedy tokens; the sound stays in the cache.
TEST_P(AudioSession, SoundMessageGivesTheReferenceTokensAndStaysCached) {
    const Case& c = GetParam();
    Session s = load_pair(c.family, kAudioModels / c.family / "mmproj.gguf");
    EXPECT_TRUE(s.has_audio());
    EXPECT_FALSE(s.has_vision());
    const auto expected = json_ints(kAudioModels / c.family / "prompt.json", "tokens");
    const auto reference_greedy = json_ints(kAudioModels / c.family / "prompt.json", "greedy");

    s.add_user({MessagePart::of_audio(jfk()), MessagePart::of_text("What is said?")});
    const GenerateResult first = s.generate(greedy(8));
    EXPECT_EQ(std::vector<std::int32_t>(first.tokens.begin(), first.tokens.end()),
              reference_greedy);
    EXPECT_EQ(first.timings.prompt_tokens, static_cast<std::int64_t>(expected.size()));
    EXPECT_EQ(first.timings.sounds_encoded, 1);
    EXPECT_GT(first.timings.audio_decode_seconds, 0.0);
    EXPECT_GT(first.timings.audio_mel_seconds, 0.0);
    EXPECT_GT(first.timings.audio_encode_seconds, 0.0);
    EXPECT_EQ(first.timings.images_encoded, 0);

    // The next turn reuses the whole first prompt: the sound is not encoded again.
    s.add_user("And then?");
    const GenerateResult second = s.generate(greedy(2));
    EXPECT_EQ(second.timings.sounds_encoded, 0);
    EXPECT_EQ(second.timings.audio_encode_seconds, 0.0);
    EXPECT_GE(second.timings.prompt_tokens_reused, static_cast<std::int64_t>(expected.size()));
}

INSTANTIATE_TEST_SUITE_P(Families, AudioSession,
                         ::testing::Values(Case{"qwen2a", true}, Case{"voxtral", false},
                                           Case{"whisper", false, false, "ultravox"}),
                         family_name);

// Prompt rows of one user turn (max_tokens 0: the prompt is only evaluated).
std::int64_t prompt_rows(Session& s, std::vector<MessagePart> parts) {
    s.clear_messages();
    s.add_user(std::move(parts));
    return s.generate(greedy(0)).timings.prompt_tokens;
}

// Ultravox writes the rows alone, 187 per 30-s window (a 33-s sound: two windows): its mmproj
// (the whisper fixture) pairs with any text model of its width.
TEST(AudioSessionLayout, UltravoxRowsStandAloneOneRunPerWindow) {
    Session s = load_pair("qwen2a", kAudioModels / "whisper" / "mmproj.gguf");
    const std::int64_t text_only = prompt_rows(s, {MessagePart::of_text("What is said?")});
    auto longer = std::make_shared<media::Audio>(*jfk());
    longer->samples.clear();
    while (longer->samples.size() < 33u * 16000)
        longer->samples.insert(longer->samples.end(), jfk()->samples.begin(), jfk()->samples.end());
    longer->samples.resize(33u * 16000);
    const GenerateResult r = [&] {
        s.clear_messages();
        s.add_user({MessagePart::of_audio(longer), MessagePart::of_text("What is said?")});
        return s.generate(greedy(1));
    }();
    EXPECT_EQ(r.timings.prompt_tokens, text_only + 2 * 187);
    EXPECT_EQ(r.timings.sounds_encoded, 1);
    EXPECT_EQ(r.tokens.size(), 1u);
}

// Qwen2-Audio encodes the sound alone (jfk.wav's 11 s: 275 rows, the fixture tests above): a
// 33-s sound gives the rows of a full window (750) and of its last 3 s.
TEST(AudioSessionLayout, QwenAudioCountsRowsOfTheSoundAcrossWindows) {
    Session s = load_pair("qwen2a", kAudioModels / "qwen2a" / "mmproj.gguf");
    const std::int64_t text_only = prompt_rows(s, {MessagePart::of_text("Hi")});
    auto longer = std::make_shared<media::Audio>(*jfk());
    longer->samples.assign(33u * 16000, 0.01f);
    // 3 s after the first window: 300 mel frames, 150 encoder frames, 75 rows after pooling.
    EXPECT_EQ(prompt_rows(s, {MessagePart::of_audio(longer), MessagePart::of_text("Hi")}),
              text_only + 2 + 750 + 75);
}

TEST(AudioSessionErrors, TextOnlyModelRefusesAudio) {
    Session s =
        Session::load(kData / "vlm" / "gemma3" / "text.gguf", {.n_ctx = 64, .validation = true});
    try {
        s.add_user({MessagePart::of_text("listen"), MessagePart::of_audio(jfk())});
        ADD_FAILURE() << "a text-only session took a sound";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "this model has no audio encoder; load an mmproj with one");
    }
    EXPECT_TRUE(s.messages().empty());
}

std::string add_error(Session& s, std::vector<MessagePart> parts) {
    try {
        s.add_user(std::move(parts));
    } catch (const Error& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(AudioSessionErrors, RefusesSoundItCannotTakeNamingIt) {
    Session s = load_pair("qwen2a", kAudioModels / "qwen2a" / "mmproj.gguf");
    auto blip = std::make_shared<media::Audio>();
    blip->name = "blip.wav";
    blip->samples.assign(100, 0.5f);  // 6 ms: not one row
    EXPECT_EQ(add_error(s, {MessagePart::of_audio(blip)}),
              "blip.wav: the sound (0.00625 s) is too short for this model's audio encoder");
    auto empty = std::make_shared<media::Audio>();
    empty->name = "empty.wav";
    EXPECT_EQ(add_error(s, {MessagePart::of_audio(empty)}), "empty.wav: the sound has no samples");
    auto fast = std::make_shared<media::Audio>(*jfk());
    fast->sample_rate = 44100;
    EXPECT_NE(add_error(s, {MessagePart::of_audio(fast)}).find("44100 Hz"), std::string::npos);
    const auto picture = std::make_shared<const media::Image>(
        media::decode_image_file(kData / "vlm" / "gemma3" / "image.png"));
    EXPECT_EQ(add_error(s, {MessagePart::of_image(picture)}),
              "this model has no vision encoder; load an mmproj");
    EXPECT_TRUE(s.messages().empty());
}

TEST(AudioSessionErrors, TextModelWithoutTheMarkersIsRefusedAtLoad) {
    // Voxtral's layout needs [BEGIN_AUDIO], which the Qwen2-Audio text model lacks.
    try {
        (void)load_pair("qwen2a", kAudioModels / "voxtral" / "mmproj.gguf");
        ADD_FAILURE() << "the pair loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'[BEGIN_AUDIO]'"), std::string::npos) << e.what();
    }
}

// A model that sees and hears, as Qwen2.5-Omni does, put together for the test: the qwen25vl
// vision fixture's mmproj with the whisper fixture's ultravox tower beside it, its last
// projection replaced by a seeded one of the qwen25vl text model's width (64). Random audio
// weights: this checks where rows go and how many, not their values.
void copy_value(test::GgufBuilder& b, const gguf::Value& v) {
    const std::string key(v.key());
    switch (v.type()) {
        case gguf::ValueType::U32:
            b.set(key, v.as<std::uint32_t>());
            return;
        case gguf::ValueType::I32:
            b.set(key, v.as<std::int32_t>());
            return;
        case gguf::ValueType::F32:
            b.set(key, v.as<float>());
            return;
        case gguf::ValueType::Bool:
            b.set(key, v.as<bool>());
            return;
        case gguf::ValueType::String:
            b.set(key, v.as<std::string>());
            return;
        case gguf::ValueType::Array:
            if (v.element_type() == gguf::ValueType::F32) {
                b.set_array(key, v.as_array<float>());
                return;
            }
            if (v.element_type() == gguf::ValueType::I32) {
                b.set_array(key, v.as_array<std::int32_t>());
                return;
            }
            break;
        default:
            break;
    }
    throw std::runtime_error("cannot copy " + key + " (" + v.to_string() + ")");
}

void copy_tensor(test::GgufBuilder& b, const gguf::TensorInfo& t) {
    std::vector<std::uint64_t> ne(t.ne.begin(),
                                  t.ne.begin() + std::max<std::uint32_t>(t.n_dims, 1));
    b.tensor(std::string(t.name), t.type, ne, {t.data.begin(), t.data.end()});
}

fs::path seeing_and_hearing_mmproj() {
    const fs::path path = fs::path(::testing::TempDir()) / "prism-sees-and-hears.gguf";
    const auto vision = gguf::File::open(kData / "vlm" / "qwen25vl" / "mmproj.gguf");
    const auto audio = gguf::File::open(kAudioModels / "whisper" / "mmproj.gguf");
    test::GgufBuilder b;
    for (const gguf::Value& v : vision.metadata()) copy_value(b, v);
    b.set("clip.has_audio_encoder", true);
    b.set("clip.audio.projector_type", "ultravox");
    for (const gguf::Value& v : audio.metadata()) {
        if (v.key().starts_with("clip.audio.") && v.key() != "clip.audio.projection_dim")
            copy_value(b, v);
    }
    b.set("clip.audio.projection_dim", std::uint32_t{64});
    for (const gguf::TensorInfo& t : vision.tensors()) copy_tensor(b, t);
    for (const gguf::TensorInfo& t : audio.tensors()) {
        if (t.name != "mm.a.mlp.2.weight") {
            copy_tensor(b, t);
            continue;
        }
        std::vector<float> w(static_cast<std::size_t>(t.ne[0]) * 64);
        std::uint32_t state = 12345;
        for (float& x : w) {
            state = state * 1664525u + 1013904223u;
            x = (static_cast<float>(state >> 8) / 16777216.0f - 0.5f) * 0.2f;
        }
        b.tensor_f32("mm.a.mlp.2.weight", {t.ne[0], 64}, w);
    }
    b.write(path);
    return path;
}

TEST(AudioSessionSeesAndHears, ImageAndSoundInOneMessageAndAVideoWithItsSound) {
    SessionOptions o;
    o.n_ctx = 2048;
    o.validation = true;
    o.mmproj = seeing_and_hearing_mmproj();
    Session s = Session::load(kData / "vlm" / "qwen25vl" / "text.gguf", o);
    ASSERT_TRUE(s.has_vision());
    ASSERT_TRUE(s.has_audio());
    const auto picture = std::make_shared<const media::Image>(
        media::decode_image_file(kData / "vlm" / "qwen25vl" / "image.png"));
    const std::int64_t text_only = prompt_rows(s, {MessagePart::of_text("Hi")});
    const std::int64_t with_picture =
        prompt_rows(s, {MessagePart::of_image(picture), MessagePart::of_text("Hi")});

    // A picture and a sound in one message: the rows of both, each encoded once.
    s.clear_messages();
    s.add_user(
        {MessagePart::of_image(picture), MessagePart::of_audio(jfk()), MessagePart::of_text("Hi")});
    const GenerateResult both = s.generate(greedy(1));
    EXPECT_EQ(both.timings.prompt_tokens, with_picture + 187);
    EXPECT_EQ(both.timings.images_encoded, 0);  // still in the cache from the turn before
    EXPECT_EQ(both.timings.sounds_encoded, 1);

    // A video with a sound track (6 s), on a budget for about two of its pictures and their
    // sound: each picture is followed by the sound up to the next one, 187 rows each (ultravox
    // pads every window to 30 s), inside the budget.
    const auto video = std::make_shared<const media::Video>(
        media::decode_video_file(kData / "video" / "colours_h264_aac.mp4"));
    ASSERT_TRUE(video->audio.has_value());
    const VideoPlan all = s.plan_video(*video, 100000);
    EXPECT_EQ(all.audio_tokens, static_cast<std::int64_t>(all.frames.size()) * 187);
    const std::int64_t budget = 2 * (all.tokens_per_frame + 187) + all.text_tokens / 2;
    const VideoPlan plan = s.plan_video(*video, budget);
    ASSERT_GE(plan.frames.size(), 2u);
    ASSERT_LE(plan.frames.size(), 3u);
    EXPECT_EQ(plan.audio_tokens, static_cast<std::int64_t>(plan.frames.size()) * 187);
    EXPECT_LE(plan.total_tokens, budget);
    s.clear_messages();
    s.add_user({MessagePart::of_video(video, budget), MessagePart::of_text("Hi")});
    const auto& parts = s.messages().back().parts;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (parts[i].is_image()) {
            EXPECT_TRUE(parts[i + 1].is_audio()) << "part " << i;
        }
    }
    const GenerateResult heard = s.generate(greedy(1));
    EXPECT_EQ(heard.timings.prompt_tokens, text_only + plan.total_tokens);
    EXPECT_EQ(heard.timings.sounds_encoded, static_cast<std::int64_t>(plan.frames.size()));
}

}  // namespace
}  // namespace prism
