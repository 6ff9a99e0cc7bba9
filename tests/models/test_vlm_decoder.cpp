// The decoder's multimodal input (DecoderInput): embedding rows copied on the GPU, explicit
// and M-RoPE positions, non-causal spans, and the qwen2vl architecture. The parts that need no
// vision fixture run on the tiny text fixtures of tests/data/models: a qwen2 file relabelled
// as qwen2vl must give qwen2's logits when the three position planes agree, and a prompt fed
// as its own token-embedding rows must give the same logits as the tokens.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "models/reference_decoder.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/models/decoder.hpp"
#include "prism/text/sampler.hpp"
#include "prism/tokenizer.hpp"
#include "session/image_layout.hpp"
#include "support/gguf_builder.hpp"
#include "support/gpu_test.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;
using models::Decoder;
using models::DecoderInput;

const fs::path kModels = fs::path(PRISM_TEST_DATA_DIR) / "models";
// The tiny qwen2 prompt (tiny-qwen2.expected.txt) and its first generated tokens.
const std::vector<std::int32_t> kQwenPrompt{266, 275, 261, 306, 305, 258, 298, 261, 314, 314};

// Copies a text GGUF's `{from}.*` keys as `{to}.*` (plus `extra`) and all its tensors: enough
// for the decoder, which reads no tokenizer.
GgufBuilder relabel(const gguf::File& file, const std::string& from, const std::string& to) {
    GgufBuilder b;
    b.set("general.architecture", to.c_str());
    for (const gguf::Value& v : file.metadata()) {
        const std::string key(v.key());
        if (!key.starts_with(from + ".")) continue;
        const std::string renamed = to + key.substr(from.size());
        switch (v.type()) {
            case gguf::ValueType::U32:
                b.set(renamed, v.as<std::uint32_t>());
                break;
            case gguf::ValueType::I32:
                b.set(renamed, v.as<std::int32_t>());
                break;
            case gguf::ValueType::U64:
                b.set(renamed, v.as<std::uint64_t>());
                break;
            case gguf::ValueType::F32:
                b.set(renamed, v.as<float>());
                break;
            case gguf::ValueType::Bool:
                b.set(renamed, v.as<bool>());
                break;
            default:
                throw Error("relabel: key " + key + " has a type this test does not copy");
        }
    }
    for (const gguf::TensorInfo& t : file.tensors()) {
        std::vector<std::byte> data(t.data.begin(), t.data.end());
        b.tensor(std::string(t.name), t.type,
                 std::vector<std::uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims),
                 std::move(data));
    }
    return b;
}

gguf::File qwen2vl_from_qwen2(const std::vector<std::int32_t>& sections) {
    const auto qwen2 = gguf::File::open(kModels / "tiny-qwen2-f32.gguf");
    GgufBuilder b = relabel(qwen2, "qwen2", "qwen2vl");
    b.set_array("qwen2vl.rope.dimension_sections", sections);
    return gguf::File::from_bytes(b.bytes(), "tiny-qwen2vl (relabelled tiny-qwen2-f32)");
}

// Rows `ids` of an F32 token_embd, times `scale`, token-major [n_embd] per row.
std::vector<float> embedding_rows(const gguf::File& file, std::span<const std::int32_t> ids,
                                  float scale) {
    const gguf::TensorInfo& t = file.tensor("token_embd.weight");
    if (t.type != TensorType::F32) throw Error("embedding_rows: token_embd is not F32");
    const auto n_embd = static_cast<std::size_t>(t.ne[0]);
    std::vector<float> out(ids.size() * n_embd);
    for (std::size_t r = 0; r < ids.size(); ++r) {
        std::memcpy(out.data() + r * n_embd,
                    t.data.data() + static_cast<std::size_t>(ids[r]) * n_embd * 4, n_embd * 4);
    }
    for (float& x : out) x *= scale;
    return out;
}

float max_abs_diff(std::span<const float> a, std::span<const float> b) {
    EXPECT_EQ(a.size(), b.size());
    float worst = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

float max_abs(std::span<const float> a) {
    float m = 0;
    for (float x : a) m = std::max(m, std::abs(x));
    return m;
}

class VlmDecoder : public GpuTest {
  protected:
    // Rows given as their own token embeddings (scaled as the model scales tokens) must give the
    // token prompt's logits: the copy lands in the right columns, in order, past chunk edges.
    void check_embedding_rows(const std::string& file_name, float scale_power) {
        const auto file = gguf::File::open(kModels / file_name);
        Decoder decoder(ctx(), file, {.n_ctx = 32, .prefill_chunk = 4});
        const auto expected = decoder.forward(kQwenPrompt, true);

        // Rows 1..5 (across the chunk edge at 4) and row 8 become embeddings.
        std::vector<std::int32_t> tokens = kQwenPrompt, replaced;
        for (std::size_t r : {1, 2, 3, 4, 5, 8}) {
            replaced.push_back(tokens[r]);
            tokens[r] = -1;
        }
        const float scale =
            std::pow(static_cast<float>(decoder.hparams().n_embd), scale_power);  // gemma: sqrt
        const auto rows = embedding_rows(file, replaced, scale);
        ops::HostTensor host(
            {decoder.hparams().n_embd, static_cast<std::int64_t>(replaced.size()), 1, 1});
        host.data = rows;
        const gpu::Tensor embeddings = upload(host);

        decoder.truncate(0);
        const auto actual =
            decoder.forward(DecoderInput{.tokens = tokens, .embeddings = &embeddings}, true);
        // The same f32 rows either way; gemma's sqrt(n_embd) is applied on the host here and on
        // the GPU there (one f32 rounding each): 1e-5 x max |logit|.
        const float diff = max_abs_diff(expected, actual);
        std::cout << "[ vlm      ] " << file_name << " embedding rows vs tokens: max |diff| "
                  << diff << "\n";
        EXPECT_LE(diff, 1e-5f * max_abs(expected));
    }
};

TEST_F(VlmDecoder, Qwen2vlWithEqualPlanesIsQwen2) {
    const auto qwen2_file = gguf::File::open(kModels / "tiny-qwen2-f32.gguf");
    Decoder qwen2(ctx(), qwen2_file, {.n_ctx = 32, .prefill_chunk = 4});
    const std::int64_t pairs = qwen2.hparams().n_rot / 2;
    // Uneven sections that leave no plane empty, as [16, 24, 24, 0] does for head_dim 128.
    const std::int32_t s0 = static_cast<std::int32_t>(pairs / 4);
    const std::int32_t s1 = static_cast<std::int32_t>((pairs - s0) / 2);
    const auto vl_file =
        qwen2vl_from_qwen2({s0, s1, static_cast<std::int32_t>(pairs - s0 - s1), 0});
    Decoder vl(ctx(), vl_file, {.n_ctx = 32, .prefill_chunk = 4});
    EXPECT_EQ(vl.traits().rope_mode, ops::RopeMode::multi);
    EXPECT_EQ(vl.hparams().rope_sections[0], s0);

    const auto expected = qwen2.forward(kQwenPrompt, true);
    const auto actual = vl.forward(kQwenPrompt, true);
    // The same shader arithmetic either way (the M-RoPE exponent runs on across sections), so
    // the only difference allowed is none beyond f32 noise: 1e-6 x max |logit|.
    const float diff = max_abs_diff(expected, actual);
    std::cout << "[ vlm      ] qwen2vl(equal planes) vs qwen2: max |diff| " << diff << "\n";
    EXPECT_LE(diff, 1e-6f * max_abs(expected));
    EXPECT_EQ(vl.next_position(), static_cast<std::int64_t>(kQwenPrompt.size()));

    // Explicit planes that agree give the same; moving the h plane moves the logits.
    const auto n = static_cast<std::int32_t>(kQwenPrompt.size());
    std::vector<std::int32_t> planes(static_cast<std::size_t>(4 * n), 0);
    for (std::int32_t plane = 0; plane < 3; ++plane)
        for (std::int32_t r = 0; r < n; ++r) planes[static_cast<std::size_t>(plane * n + r)] = r;
    vl.truncate(0);
    EXPECT_EQ(vl.next_position(), 0);
    const auto explicit_last = vl.forward(DecoderInput{.tokens = kQwenPrompt, .positions = planes});
    EXPECT_LE(max_abs_diff(std::span(expected).last(explicit_last.size()), explicit_last),
              1e-6f * max_abs(expected));
    // Rows 5.. jump ahead in the h plane (as an image's lower rows do): relative positions
    // change, unlike a uniform shift, which RoPE cannot see.
    for (std::int32_t r = 5; r < n; ++r) planes[static_cast<std::size_t>(n + r)] = r + 3;
    vl.truncate(0);
    const auto moved = vl.forward(DecoderInput{.tokens = kQwenPrompt, .positions = planes});
    EXPECT_GT(max_abs_diff(explicit_last, moved), 1e-2f * max_abs(expected));
    // The largest position of any plane decides where text continues (llama.cpp's max(nx, ny)).
    EXPECT_EQ(vl.next_position(), n + 3);
    EXPECT_EQ(vl.n_past(), n);
    vl.truncate(6);
    EXPECT_EQ(vl.next_position(), 5 + 3 + 1);  // row 5's h position is 8
    vl.truncate(4);
    EXPECT_EQ(vl.next_position(), 4);
}

TEST_F(VlmDecoder, Qwen2vlReadsItsSections) {
    const auto vl = qwen2vl_from_qwen2({1, 1, 1, 0});
    EXPECT_EQ(models::read_hparams(vl).rope_sections, (std::array<std::int32_t, 4>{1, 1, 1, 0}));
    const auto qwen2 = gguf::File::open(kModels / "tiny-qwen2-f32.gguf");
    // Missing, or summing past the rotated pairs: named errors.
    {
        GgufBuilder b = relabel(qwen2, "qwen2", "qwen2vl");
        const auto file = gguf::File::from_bytes(b.bytes(), "no-sections.gguf");
        EXPECT_THROW(models::read_hparams(file), FormatError);
    }
    {
        GgufBuilder b = relabel(qwen2, "qwen2", "qwen2vl");
        b.set_array<std::int32_t>("qwen2vl.rope.dimension_sections", {100, 100, 100, 0});
        const auto file = gguf::File::from_bytes(b.bytes(), "big-sections.gguf");
        try {
            models::read_hparams(file);
            ADD_FAILURE() << "accepted sections past n_rot/2";
        } catch (const FormatError& e) {
            EXPECT_NE(std::string(e.what()).find("big-sections.gguf"), std::string::npos);
            EXPECT_NE(std::string(e.what()).find("dimension_sections"), std::string::npos);
        }
    }
}

TEST_F(VlmDecoder, EmbeddingRowsEqualTheirTokens) {
    check_embedding_rows("tiny-qwen2-f32.gguf", 0.0f);
    // Gemma 3 scales token embeddings by sqrt(n_embd) but not embedding rows (llama.cpp).
    check_embedding_rows("tiny-gemma3-f32.gguf", 0.5f);
}

TEST_F(VlmDecoder, NonCausalSpanMattersAndSurvivesChunking) {
    const auto file = gguf::File::open(kModels / "tiny-gemma3-f32.gguf");
    Decoder whole(ctx(), file, {.n_ctx = 32, .prefill_chunk = 16});
    const auto causal = whole.forward(kQwenPrompt);
    whole.truncate(0);
    const DecoderInput spanned{.tokens = kQwenPrompt, .non_causal_spans = {{3, 7}}};
    const auto bidirectional = whole.forward(spanned);
    // Rows 3..6 see each other, so layer 1's K/V of the span change and the last row moves.
    EXPECT_GT(max_abs_diff(causal, bidirectional), 1e-3f * max_abs(causal));
    // A one-row span is causal anyway.
    whole.truncate(0);
    const auto single =
        whole.forward(DecoderInput{.tokens = kQwenPrompt, .non_causal_spans = {{4, 5}}});
    EXPECT_LE(max_abs_diff(causal, single), 1e-6f * max_abs(causal));

    // Chunks of 5 would cut [3, 7): the chunking moves the cut to row 3 and the result is the
    // one-chunk result (up to the kernels' summation order, 1e-5 x max |logit|).
    Decoder chunked(ctx(), file, {.n_ctx = 32, .prefill_chunk = 5});
    const auto pieces = chunked.forward(spanned);
    EXPECT_LE(max_abs_diff(bidirectional, pieces), 1e-5f * max_abs(bidirectional));
    // Two spans in one 16-row chunk go to separate chunks, same result as each alone.
    whole.truncate(0);
    const auto two =
        whole.forward(DecoderInput{.tokens = kQwenPrompt, .non_causal_spans = {{1, 3}, {4, 7}}});
    chunked.truncate(0);
    const auto two_chunked =
        chunked.forward(DecoderInput{.tokens = kQwenPrompt, .non_causal_spans = {{1, 3}, {4, 7}}});
    EXPECT_LE(max_abs_diff(two, two_chunked), 1e-5f * max_abs(two));
    EXPECT_GT(max_abs_diff(two, bidirectional), 1e-3f * max_abs(two));
}

TEST_F(VlmDecoder, RejectsMalformedInputs) {
    const auto file = gguf::File::open(kModels / "tiny-qwen2-f32.gguf");
    Decoder decoder(ctx(), file, {.n_ctx = 32, .prefill_chunk = 4});
    const std::vector<std::int32_t> with_image{266, -1, -1, 261};
    const auto expect_error = [&](const DecoderInput& input, const std::string& part) {
        try {
            decoder.forward(input);
            ADD_FAILURE() << "accepted an input that should fail with '" << part << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
        EXPECT_EQ(decoder.n_past(), 0);
    };
    expect_error({.tokens = with_image}, "no embeddings");
    ops::HostTensor wrong({decoder.hparams().n_embd, 3, 1, 1});
    const auto three_rows = upload(wrong);
    expect_error({.tokens = with_image, .embeddings = &three_rows}, "one column per negative");
    const std::vector<std::int32_t> two_positions{0, 1};
    expect_error({.tokens = kQwenPrompt, .positions = two_positions}, "positions");
    const std::vector<std::int32_t> tokens4{266, 275, 261, 306};
    const std::vector<std::int32_t> negative{0, 1, -2, 3};
    expect_error({.tokens = tokens4, .positions = negative}, "negative");
    expect_error({.tokens = kQwenPrompt, .non_causal_spans = {{0, 5}}}, "prefill chunk");
    expect_error({.tokens = kQwenPrompt, .non_causal_spans = {{3, 2}}}, "not a range");
    expect_error({.tokens = kQwenPrompt, .non_causal_spans = {{2, 4}, {3, 5}}}, "overlaps");
    EXPECT_THROW(decoder.forward(std::vector<std::int32_t>{1, -1}), Error);
}

// --- The vision fixtures of tests/data/vlm (tools/make_tiny_vlm_models.py) ---------------

const fs::path kVlm = fs::path(PRISM_TEST_DATA_DIR) / "vlm";

// prompt.json holds integers, arrays and one object: a reader for exactly that.
struct Json {
    std::int64_t number = 0;
    std::vector<Json> items;
    std::map<std::string, Json> members;

    std::vector<std::int32_t> ints() const {
        std::vector<std::int32_t> out;
        for (const auto& i : items) out.push_back(static_cast<std::int32_t>(i.number));
        return out;
    }
};

Json parse_json(std::istream& in) {
    Json v;
    in >> std::ws;
    const int c = in.peek();
    if (c == '[' || c == '{') {
        in.get();
        const char close = c == '[' ? ']' : '}';
        for (in >> std::ws; in.peek() != close; in >> std::ws) {
            if (c == '{') {
                std::string key;
                in >> std::ws;
                in.get();  // "
                std::getline(in, key, '"');
                in >> std::ws;
                in.get();  // :
                v.members[key] = parse_json(in);
            } else {
                v.items.push_back(parse_json(in));
            }
            in >> std::ws;
            if (in.peek() == ',') in.get();
            if (!in) throw std::runtime_error("prompt.json: malformed");
        }
        in.get();
    } else {
        in >> v.number;
        if (!in) throw std::runtime_error("prompt.json: expected a number");
    }
    return v;
}

struct VlmPrompt {
    std::vector<std::int32_t> tokens;
    std::vector<std::int32_t> positions;  // 1-D, or four planes (qwen25vl)
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    std::vector<std::int32_t> greedy;
};

VlmPrompt read_prompt(const std::string& family) {
    std::ifstream in(kVlm / family / "prompt.json");
    if (!in) throw std::runtime_error("cannot read " + (kVlm / family / "prompt.json").string());
    const Json j = parse_json(in);
    VlmPrompt p;
    p.tokens = j.members.at("tokens").ints();
    const Json& pos = j.members.at("positions");
    if (!pos.items.empty() && !pos.items.front().items.empty()) {
        for (const auto& plane : pos.items) {
            const auto values = plane.ints();
            p.positions.insert(p.positions.end(), values.begin(), values.end());
        }
    } else {
        p.positions = pos.ints();
    }
    for (const auto& span : j.members.at("non_causal_spans").items)
        p.spans.emplace_back(span.items.at(0).number, span.items.at(1).number);
    p.greedy = j.members.at("greedy").ints();
    return p;
}

class VlmFixture : public GpuTest, public ::testing::WithParamInterface<std::string> {
  protected:
    // Runs the prompt (with `edit` applied) and returns the last row's logits, leaving the
    // decoder ready to continue.
    std::vector<float> run_prompt(Decoder& decoder, const VlmPrompt& p, const gpu::Tensor& rows) {
        DecoderInput input{.tokens = p.tokens, .embeddings = &rows, .positions = p.positions};
        input.non_causal_spans = p.spans;
        return decoder.forward(input);
    }

    gpu::Tensor embeddings(const std::string& family, std::int64_t n_embd) {
        const auto values = read_f32(kVlm / family / "embeddings.f32");
        ops::HostTensor host({n_embd, static_cast<std::int64_t>(values.size()) / n_embd, 1, 1});
        host.data = values;
        return upload(host);
    }
};

// Tolerance 1e-3 x max |logit| (the tiny text fixtures' bound): Prism's f32 arithmetic in
// another summation order plus its f16 KV cache against transformers' f32; the image rows are
// transformers' own projector output, so only the decoder is measured here.
TEST_P(VlmFixture, LogitsAndGreedyTokensMatchTransformers) {
    const std::string family = GetParam();
    const auto file = gguf::File::open(kVlm / family / "text.gguf");
    const VlmPrompt p = read_prompt(family);
    // Chunks of 16: every prompt (43..90 rows) spans several, gemma3's 16-row image sits in
    // one of its own (the chunking moves the cut in front of it).
    Decoder decoder(ctx(), file, {.n_ctx = 128, .prefill_chunk = 16});
    const gpu::Tensor rows = embeddings(family, decoder.hparams().n_embd);
    ASSERT_EQ(rows.ne[1], std::count(p.tokens.begin(), p.tokens.end(), -1));

    std::vector<float> logits = run_prompt(decoder, p, rows);
    const auto reference = read_f32(kVlm / family / "logits.f32");
    ASSERT_EQ(logits.size(), reference.size());
    const LogitGap gap = logit_gap(reference, logits);
    std::cout << "[ vlm      ] " << family << ": max |logit diff| " << gap.max_abs_diff
              << " of max |logit| " << gap.max_abs << " (" << gap.max_abs_diff / gap.max_abs
              << ")\n";
    EXPECT_LE(gap.max_abs_diff, 1e-3f * gap.max_abs);

    std::vector<std::int32_t> generated;
    for (std::size_t i = 0; i < p.greedy.size(); ++i) {
        const std::int32_t next = text::argmax(logits);
        generated.push_back(next);
        if (i + 1 < p.greedy.size()) logits = decoder.forward(std::span(&next, 1));
    }
    EXPECT_EQ(generated, p.greedy);
}

// What the image's positions and non-causal span do: breaking them moves the logits by far
// more than the tolerance above. Only the families that have such a rule (gemma3's
// bidirectional image span, qwen25vl's M-RoPE grid; smolvlm and llava have neither).
class VlmLayoutRule : public VlmFixture {};

TEST_P(VlmLayoutRule, PositionsAndSpansMatter) {
    const std::string family = GetParam();
    const VlmPrompt p = read_prompt(family);
    ASSERT_FALSE(p.spans.empty() && p.positions.size() == p.tokens.size())
        << family << " has consecutive positions and no span";
    const auto file = gguf::File::open(kVlm / family / "text.gguf");
    Decoder decoder(ctx(), file, {.n_ctx = 128, .prefill_chunk = 128});
    const gpu::Tensor rows = embeddings(family, decoder.hparams().n_embd);
    const auto good = run_prompt(decoder, p, rows);
    VlmPrompt broken = p;
    if (!p.spans.empty()) {
        broken.spans.clear();  // causal image rows
    } else {
        // Plain consecutive positions in all planes instead of the image's (t, h, w) grid.
        const std::size_t n = p.tokens.size();
        for (std::size_t plane = 0; plane < 4; ++plane)
            for (std::size_t r = 0; r < n; ++r)
                broken.positions[plane * n + r] = static_cast<std::int32_t>(r);
    }
    decoder.truncate(0);
    const auto bad = run_prompt(decoder, broken, rows);
    const LogitGap gap = logit_gap(good, bad);
    std::cout << "[ vlm      ] " << family << " with the layout broken: max |logit diff| "
              << gap.max_abs_diff << "\n";
    EXPECT_GT(gap.max_abs_diff, 1e-2f * gap.max_abs);
}

// The prompt layout (engine/session/image_layout) writes the fixture's image part token by
// token, with its positions and spans, from the text model's own vocabulary.
TEST_P(VlmFixture, LayoutWritesTheFixturePrompt) {
    const std::string family = GetParam();
    const VlmPrompt p = read_prompt(family);
    const auto file = gguf::File::open(kVlm / family / "text.gguf");
    const auto tokenizer = text::Tokenizer::from_gguf(file);
    struct Family {
        session::ImageLayoutKind kind;
        session::ImageShape shape;
        std::string first_marker;  // where the image part starts ("" : at the first row)
    };
    const std::map<std::string, Family> families{
        {"smolvlm",
         {session::ImageLayoutKind::idefics3,
          {.tile_rows = 1, .tile_cols = 2, .tokens_per_image = 4},
          "<fake_token_around_image>"}},
        {"gemma3",
         {session::ImageLayoutKind::gemma3, {.tokens_per_image = 16}, "<start_of_image>"}},
        {"qwen25vl",
         {session::ImageLayoutKind::qwen,
          {.tokens_per_image = 32, .grid_cols = 8, .grid_rows = 4},
          "<|vision_start|>"}},
        {"llava", {session::ImageLayoutKind::plain, {.tokens_per_image = 16}, ""}},
    };
    const Family& f = families.at(family);
    const session::ImageLayout layout(f.kind, tokenizer, file.name());
    const auto begin = static_cast<std::size_t>(
        std::find(p.tokens.begin(), p.tokens.end(),
                  f.first_marker.empty() ? -1 : *tokenizer.find_token(f.first_marker)) -
        p.tokens.begin());
    ASSERT_LT(begin, p.tokens.size());

    session::PromptRows rows(layout.mrope());
    rows.append_text(std::span(p.tokens).first(begin));
    layout.append(rows, f.shape);
    const std::size_t after = rows.tokens().size();
    ASSERT_LE(after, p.tokens.size());
    rows.append_text(std::span(p.tokens).subspan(after));

    EXPECT_EQ(std::vector<std::int32_t>(rows.tokens().begin(), rows.tokens().end()), p.tokens);
    EXPECT_EQ(rows.non_causal_spans(), p.spans);
    const auto positions = rows.positions();
    ASSERT_EQ(positions.size(), p.positions.size());
    // The e plane is not compared: llama.cpp writes 0 for text rows where the fixture repeats
    // the position; with rope.dimension_sections[3] = 0 no pair reads it.
    const std::size_t compared = layout.mrope() ? 3 * p.tokens.size() : positions.size();
    EXPECT_EQ(std::vector<std::int32_t>(positions.begin(), positions.begin() + compared),
              std::vector<std::int32_t>(p.positions.begin(), p.positions.begin() + compared));
}

INSTANTIATE_TEST_SUITE_P(Families, VlmFixture,
                         ::testing::Values("smolvlm", "gemma3", "qwen25vl", "llava"),
                         [](const auto& param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(Families, VlmLayoutRule, ::testing::Values("gemma3", "qwen25vl"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace prism::test
