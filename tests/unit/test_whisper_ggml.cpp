// whisper.cpp's Whisper files (models/whisper_ggml.hpp) on small files made here: the header
// becomes the Whisper GGUF's keys, the tensors its names (conv biases as vectors), the
// vocabulary Whisper's special tokens at their places for each vocabulary size and the merges
// that the ranks imply; every hostile file is one FormatError naming the file and the problem.
// With the real tiny.en in both containers (tools/fetch_models.py makes them from one
// CTranslate2 folder): the same hyperparameters, tensor bytes, token texts, merges and
// suppressed tokens.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "models/whisper_ggml.hpp"
#include "models/whisper_ggml_vocab.hpp"
#include "models/whisper_hparams.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/tokenizer.hpp"
#include "session/whisper_decoding.hpp"
#include "session/whisper_suppress.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

// A Whisper in whisper.cpp's container with 16-wide layers, made byte by byte.
struct GgmlModel {
    std::int32_t n_vocab = 51864;
    std::int32_t n_state = 16, n_head = 2, n_layer = 1, n_audio_ctx = 4, n_text_ctx = 4;
    std::int32_t n_mels = 80;
    std::int32_t vocab_count = -1;  // -1: the regular tokens of n_vocab
    std::vector<std::byte> out;

    void i32(std::int32_t v) {
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        out.insert(out.end(), p, p + 4);
    }
    void bytes(const std::string& s) {
        const auto* p = reinterpret_cast<const std::byte*>(s.data());
        out.insert(out.end(), p, p + s.size());
    }
    void header() {
        i32(0x67676d6c);
        for (const std::int32_t v : {n_vocab, n_audio_ctx, n_state, n_head, n_layer, n_text_ctx,
                                     n_state, n_head, n_layer, n_mels, 1})
            i32(v);
        i32(2);  // mel filters: 2 x 3 floats
        i32(3);
        for (int i = 0; i < 6; ++i) i32(0);
    }
    void vocab() {
        const std::int32_t n =
            vocab_count >= 0 ? vocab_count : models::whisper_regular_tokens(n_vocab);
        i32(n);
        for (std::int32_t i = 0; i < n; ++i) {
            // The bytes first (ranks 0..255), as in Whisper's tables; then "ab", "abc", distinct.
            std::string t;
            if (i < 256) {
                t = std::string(1, static_cast<char>(i));
            } else if (i == 256) {
                t = "ab";
            } else if (i == 257) {
                t = "abc";
            } else {
                t = "w" + std::to_string(i);
            }
            i32(static_cast<std::int32_t>(t.size()));
            bytes(t);
        }
    }
    // F32 data counting up from `first`.
    void tensor(const std::string& name, std::vector<std::int32_t> ne, float first = 0) {
        i32(static_cast<std::int32_t>(ne.size()));
        i32(static_cast<std::int32_t>(name.size()));
        i32(0);
        std::int64_t n = 1;
        for (const auto d : ne) {
            i32(d);
            n *= d;
        }
        bytes(name);
        for (std::int64_t i = 0; i < n; ++i) {
            const float v = first + static_cast<float>(i);
            const auto* p = reinterpret_cast<const std::byte*>(&v);
            out.insert(out.end(), p, p + 4);
        }
    }
    void linear(const std::string& name, std::int32_t in, std::int32_t o, bool bias = true) {
        tensor(name + ".weight", {in, o});
        if (bias) tensor(name + ".bias", {o});
    }
    void norm(const std::string& name) {
        tensor(name + ".weight", {n_state});
        tensor(name + ".bias", {n_state});
    }
    void tensors() {
        const std::int32_t D = n_state, F = 4 * n_state;
        tensor("encoder.conv1.weight", {3, n_mels, D});
        tensor("encoder.conv1.bias", {1, D}, 100);
        tensor("encoder.conv2.weight", {3, D, D});
        tensor("encoder.conv2.bias", {1, D});
        tensor("encoder.positional_embedding", {D, n_audio_ctx});
        for (std::int32_t l = 0; l < n_layer; ++l) {
            const std::string p = "encoder.blocks." + std::to_string(l) + ".";
            norm(p + "attn_ln");
            linear(p + "attn.query", D, D);
            linear(p + "attn.key", D, D, false);
            linear(p + "attn.value", D, D);
            linear(p + "attn.out", D, D);
            norm(p + "mlp_ln");
            linear(p + "mlp.0", D, F);
            linear(p + "mlp.2", F, D);
        }
        norm("encoder.ln_post");
        tensor("decoder.token_embedding.weight", {D, n_vocab});
        tensor("decoder.positional_embedding", {D, n_text_ctx});
        for (std::int32_t l = 0; l < n_layer; ++l) {
            const std::string p = "decoder.blocks." + std::to_string(l) + ".";
            norm(p + "attn_ln");
            linear(p + "attn.query", D, D);
            linear(p + "attn.key", D, D, false);
            linear(p + "attn.value", D, D);
            linear(p + "attn.out", D, D);
            norm(p + "cross_attn_ln");
            linear(p + "cross_attn.query", D, D);
            linear(p + "cross_attn.key", D, D, false);
            linear(p + "cross_attn.value", D, D);
            linear(p + "cross_attn.out", D, D);
            norm(p + "mlp_ln");
            linear(p + "mlp.0", D, F);
            linear(p + "mlp.2", F, D);
        }
        norm("decoder.ln");
    }
    std::vector<std::byte> build() {
        out.clear();
        header();
        vocab();
        tensors();
        return out;
    }
};

void put_i32(std::vector<std::byte>& b, std::size_t at, std::int32_t v) {
    std::memcpy(b.data() + at, &v, 4);
}

// The FormatError of reading `bytes`, or "" when they load.
std::string error_of(const std::vector<std::byte>& bytes, const std::string& name = "bad.bin") {
    try {
        models::whisper_ggml_from_bytes(bytes, name);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

void expect_error(const std::vector<std::byte>& bytes, const std::string& part) {
    const std::string what = error_of(bytes);
    EXPECT_EQ(what.rfind("bad.bin: ", 0), 0u) << what;
    EXPECT_NE(what.find(part), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
}

// Byte offsets in a GgmlModel file.
constexpr std::size_t kVocabOffset = 4 + 11 * 4 + 8 + 6 * 4;

TEST(WhisperGgml, HeaderBecomesTheWhisperKeysAndTensorsTheirGgufNames) {
    GgmlModel m;
    const gguf::File f = models::whisper_ggml_from_bytes(m.build(), "tiny.bin");
    EXPECT_EQ(f.name(), "tiny.bin");
    const models::WhisperHParams h = models::read_whisper_hparams(f);
    EXPECT_EQ(h.n_state, 16);
    EXPECT_EQ(h.n_ff, 64);
    EXPECT_EQ(h.n_head, 2);
    EXPECT_EQ(h.n_enc_head, 2);
    EXPECT_EQ(h.n_enc_layer, 1);
    EXPECT_EQ(h.n_dec_layer, 1);
    EXPECT_EQ(h.n_audio_ctx, 4);
    EXPECT_EQ(h.n_text_ctx, 4);
    EXPECT_EQ(h.n_mel, 80);
    EXPECT_EQ(h.n_vocab, 51864);
    EXPECT_FALSE(f.contains("whisper.suppress_tokens"));
    // 2 convolutions (weight, bias), 2 positions, 2 final norms, the encoder block's 15, the
    // decoder block's 24, the token embedding.
    EXPECT_EQ(f.tensors().size(), 4u + 2 + 4 + 15 + 24 + 1);
    for (const char* name :
         {"a.conv1d.1.weight", "a.blk.0.ln1.weight", "a.blk.0.attn_k.weight",
          "a.blk.0.ffn_down.bias", "a.post_ln.bias", "dec.token_embd.weight",
          "dec.blk.0.cross_v.bias", "dec.blk.0.ffn_ln.weight", "dec.post_ln.weight"})
        EXPECT_NE(f.find_tensor(name), nullptr) << name;
    EXPECT_EQ(f.find_tensor("a.blk.0.attn_k.bias"), nullptr);
    // The conv bias is a vector of n_state, its data the file's own bytes.
    const gguf::TensorInfo& bias = f.tensor("a.conv1d.1.bias");
    EXPECT_EQ(bias.n_dims, 1u);
    EXPECT_EQ(bias.ne[0], 16u);
    EXPECT_EQ(bias.ne[1], 1u);
    ASSERT_EQ(bias.data.size(), 64u);
    float values[2];
    std::memcpy(values, bias.data.data(), sizeof values);
    EXPECT_EQ(values[0], 100.0f);
    EXPECT_EQ(values[1], 101.0f);
    EXPECT_EQ(f.tensor("a.conv1d.1.weight").shape_string(), "[3, 80, 16]");
}

TEST(WhisperGgml, SpecialTokensTakeTheirPlacesForEachVocabularySize) {
    struct Case {
        std::int32_t n_vocab, eot, translate, languages;
        bool multilingual;
    };
    for (const Case c : {Case{51864, 50256, 50357, 99, false}, Case{51865, 50257, 50358, 99, true},
                         Case{51866, 50257, 50359, 100, true}}) {
        SCOPED_TRACE(c.n_vocab);
        GgmlModel m;
        m.n_vocab = c.n_vocab;
        const gguf::File f = models::whisper_ggml_from_bytes(m.build(), "tiny.bin");
        const models::WhisperHParams h = models::read_whisper_hparams(f);
        const auto tok = text::Tokenizer::from_gguf(f);
        ASSERT_EQ(static_cast<std::int64_t>(tok.vocab_size()), c.n_vocab);
        const auto w = session::WhisperTokens::find(tok, h, f.name());
        EXPECT_EQ(w.eot, c.eot);
        EXPECT_EQ(w.sot, c.eot + 1);
        EXPECT_EQ(w.translate, c.translate);
        EXPECT_EQ(w.transcribe, c.translate + 1);
        EXPECT_EQ(w.no_speech, c.translate + 4);
        EXPECT_EQ(w.no_timestamps, c.translate + 5);
        EXPECT_EQ(w.timestamp_end - w.timestamp_begin, 1500);
        EXPECT_EQ(tok.token_to_piece(w.timestamp_end, true), "<|30.00|>");
        EXPECT_EQ(w.multilingual, c.multilingual);
        ASSERT_EQ(static_cast<std::int32_t>(w.languages.size()), c.languages);
        EXPECT_EQ(tok.token_to_piece(w.languages.front(), true), "<|en|>");
        EXPECT_EQ(tok.token_to_piece(w.languages.back(), true),
                  c.languages == 100 ? "<|yue|>" : "<|su|>");
        EXPECT_EQ(h.suppress_tokens_begin, (std::vector<std::int32_t>{32, c.eot}));
        // Raw bytes became GPT-2's byte alphabet and decode back; merges follow from the ranks.
        EXPECT_EQ(tok.token_to_piece(256, true), "ab");
        EXPECT_EQ(tok.encode("abc", {.add_special = false}), (std::vector<std::int32_t>{257}));
        EXPECT_EQ(tok.decode(std::vector<std::int32_t>{32, 256}), " ab");
    }
}

TEST(WhisperGgml, MergesFollowFromTheRanks) {
    const std::vector<std::string> tokens = {"a", "b", "c", "ab", "abc", "bc", "cab", " ", " a"};
    EXPECT_EQ(models::merges_from_ranks(tokens),
              (std::vector<std::string>{"a b", "ab c", "b c", "c ab", "Ġ a"}));
}

TEST(WhisperGgmlBadInput, WrongMagicTruncatedAndEmpty) {
    GgmlModel m;
    const auto good = m.build();
    expect_error({}, "truncated");
    expect_error(std::vector<std::byte>(good.begin(), good.begin() + 3), "truncated");
    auto text = good;
    std::memcpy(text.data(), "RIFF", 4);
    expect_error(text, "neither GGUF nor whisper.cpp's ggml");
    for (const std::size_t cut : {std::size_t{10}, kVocabOffset - 2, kVocabOffset + 1000,
                                  good.size() / 2, good.size() - 1}) {
        SCOPED_TRACE(cut);
        expect_error(
            std::vector<std::byte>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)),
            cut >= kVocabOffset + 4 * 50000 ? "" : "truncated");
    }
}

TEST(WhisperGgmlBadInput, AbsurdHeaderValues) {
    GgmlModel m;
    const auto good = m.build();
    auto bad = good;
    put_i32(bad, 4, 0x7fffffff);  // n_vocab 2^31 - 1
    expect_error(bad, "n_vocab is 2147483647: not a Whisper vocabulary");
    bad = good;
    put_i32(bad, 4, -5);
    expect_error(bad, "n_vocab is -5");
    bad = good;
    put_i32(bad, 8, 1 << 30);  // n_audio_ctx
    expect_error(bad, "n_audio_ctx is 1073741824");
    bad = good;
    put_i32(bad, 4 + 4 * 4, 1 << 30);  // n_audio_layer
    expect_error(bad, "n_audio_layer");
    bad = good;
    put_i32(bad, 4 + 6 * 4, 32);  // n_text_state against n_audio_state 16
    expect_error(bad, "every Whisper has one width");
    bad = good;
    put_i32(bad, 4 + 11 * 4, 1 << 30);  // the mel filters' n_mel
    expect_error(bad, "n_mel is 1073741824");
    bad = good;
    put_i32(bad, kVocabOffset, 1 << 30);  // the vocabulary's size
    expect_error(bad, "the vocabulary has 1073741824 tokens");
    bad = good;
    put_i32(bad, kVocabOffset, -1);
    expect_error(bad, "the vocabulary has -1 tokens");
    bad = good;
    put_i32(bad, kVocabOffset + 4, 1'000'000'000);  // a token's length
    expect_error(bad, "token 0 has length 1000000000");
}

// The first tensor's header starts where GgmlModel's vocabulary ends.
std::size_t first_tensor(const GgmlModel& m) {
    GgmlModel copy = m;
    copy.out.clear();
    copy.header();
    copy.vocab();
    return copy.out.size();
}

TEST(WhisperGgmlBadInput, AbsurdTensorHeaders) {
    GgmlModel m;
    const auto good = m.build();
    const std::size_t t = first_tensor(m);
    auto bad = good;
    put_i32(bad, t, 7);
    expect_error(bad, "has 7 dimensions (1 to 4)");
    bad = good;
    put_i32(bad, t + 4, 1'000'000'000);
    expect_error(bad, "has a name of 1000000000 bytes");
    bad = good;
    put_i32(bad, t + 8, 99);
    expect_error(bad, "has type 99, which Prism cannot compute with");
    bad = good;
    put_i32(bad, t + 12 + 8, 1 << 30);  // encoder.conv1.weight's third dimension
    expect_error(bad, "tensor 'encoder.conv1.weight' needs");
    bad = good;
    put_i32(bad, t + 12 + 8, 0);
    expect_error(bad, "dimension 0 (must be positive)");
    bad = good;
    std::memcpy(bad.data() + t + 24, "xncoder", 7);
    expect_error(bad, "tensor 'xncoder.conv1.weight' is not one of Whisper's tensors");
    // A second copy of the last tensor.
    GgmlModel twice;
    twice.build();
    twice.norm("decoder.ln");
    expect_error(twice.out, "duplicate tensor 'decoder.ln.weight'");
    // A tensor the file lacks: named in GGUF terms by the loader, the missing feed-forward
    // width here.
    GgmlModel none;
    none.header();
    none.vocab();
    expect_error(none.out, "'encoder.blocks.0.mlp.0.weight' is missing");
}

TEST(WhisperGgmlBadInput, SileroVadFileIsNamedForWhatItIs) {
    GgmlModel m;
    m.i32(0x67676d6c);
    m.i32(10);
    m.bytes("silero-16k");
    for (int i = 0; i < 8; ++i) m.i32(6);
    expect_error(m.out, "a Silero VAD model (whisper.cpp's ggml-silero-*.bin), not a Whisper");
}

TEST(WhisperGgmlBadInput, GgmlWhisperWhereAGgufIsExpected) {
    GgmlModel m;
    try {
        gguf::File::from_bytes(m.build(), "ggml-tiny.en.bin");
        FAIL() << "a ggml file parsed as GGUF";
    } catch (const FormatError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("ggml-tiny.en.bin: not a GGUF file but whisper.cpp's ggml format", 0),
                  0u)
            << what;
        EXPECT_NE(what.find("prism-cli transcribe"), std::string::npos) << what;
    }
}

TEST(WhisperGgmlBadInput, TextModelGivenAsWhisper) {
    const gguf::File f = models::open_whisper_model(demo_model());
    try {
        models::read_whisper_hparams(f);
        FAIL() << "a text model read as Whisper";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("not a Whisper speech model"), std::string::npos)
            << e.what();
    }
}

// The real tiny.en in both containers: what the transcriber reads is the same.
class WhisperGgmlReal : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name : {kWhisperTinyEnFile, kWhisperTinyEnGgmlFile}) {
            if (!real_model(name)) GTEST_SKIP() << real_model_absent(name);
        }
    }
};

TEST_F(WhisperGgmlReal, SameHyperparametersTensorsAndVocabularyAsTheGguf) {
    const gguf::File gguf = gguf::File::open(*real_model(kWhisperTinyEnFile));
    const gguf::File ggml = models::open_whisper_model(*real_model(kWhisperTinyEnGgmlFile));
    const auto a = models::read_whisper_hparams(gguf), b = models::read_whisper_hparams(ggml);
    EXPECT_EQ(a.n_state, b.n_state);
    EXPECT_EQ(a.n_ff, b.n_ff);
    EXPECT_EQ(a.n_head, b.n_head);
    EXPECT_EQ(a.n_enc_layer, b.n_enc_layer);
    EXPECT_EQ(a.n_dec_layer, b.n_dec_layer);
    EXPECT_EQ(a.n_audio_ctx, b.n_audio_ctx);
    EXPECT_EQ(a.n_text_ctx, b.n_text_ctx);
    EXPECT_EQ(a.n_mel, b.n_mel);
    EXPECT_EQ(a.n_vocab, b.n_vocab);
    EXPECT_EQ(a.suppress_tokens_begin, b.suppress_tokens_begin);
    // Every tensor: same shape, same bytes (both converters keep f16 matrices and f32 vectors).
    ASSERT_EQ(gguf.tensors().size(), ggml.tensors().size());
    for (const auto& t : gguf.tensors()) {
        const gguf::TensorInfo* u = ggml.find_tensor(t.name);
        ASSERT_NE(u, nullptr) << t.name;
        EXPECT_EQ(u->ne, t.ne) << t.name;
        EXPECT_EQ(u->type, t.type) << t.name;
        EXPECT_TRUE(std::equal(t.data.begin(), t.data.end(), u->data.begin(), u->data.end()))
            << t.name;
    }
    // The token texts of Hugging Face's vocabulary, and its merges, rebuilt from the ranks.
    EXPECT_EQ(gguf.get_array<std::string_view>("tokenizer.ggml.tokens"),
              ggml.get_array<std::string_view>("tokenizer.ggml.tokens"));
    const auto ma = gguf.get_array<std::string_view>("tokenizer.ggml.merges");
    const auto mb = ggml.get_array<std::string_view>("tokenizer.ggml.merges");
    EXPECT_EQ(ma.size(), mb.size());
    EXPECT_EQ(ma, mb);
    // The suppressed tokens derived from the vocabulary: the list the CTranslate2 config gives.
    const auto tok = text::Tokenizer::from_gguf(ggml);
    const auto special = session::WhisperTokens::find(tok, b, ggml.name());
    EXPECT_EQ(session::whisper_suppress_tokens(tok, special), a.suppress_tokens);
}

}  // namespace
}  // namespace prism::test
