// llama.cpp's tokenizer test vectors (tests/test-tokenizer-0): for every ggml-vocab-*.gguf in
// tests/data/vocab, each case of X.gguf.inp must tokenize to the ids on the same line of
// X.gguf.out, with add_special = false and parse_special = false. Also round trips where the family
// is lossless.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/tokenizer.hpp"

namespace prism::text {
namespace {

namespace fs = std::filesystem;

const fs::path kVocabDir = fs::path(PRISM_TEST_DATA_DIR) / "vocab";

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Cases are separated by "\n__ggml_vocab_test__\n"; the file ends with one, which does not
// start a case.
std::vector<std::string> read_inputs(const fs::path& p) {
    const std::string all = read_all(p);
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> cases;
    std::size_t pos = 0;
    for (std::size_t at = all.find(sep); at != std::string::npos; at = all.find(sep, pos)) {
        cases.push_back(all.substr(pos, at - pos));
        pos = at + sep.size();
    }
    if (pos < all.size()) cases.push_back(all.substr(pos));
    return cases;
}

std::vector<std::vector<TokenId>> read_outputs(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::vector<TokenId>> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::vector<TokenId> ids;
        TokenId id = 0;
        while (ls >> id) ids.push_back(id);
        out.push_back(std::move(ids));
    }
    return out;
}

std::vector<fs::path> vocab_files() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(kVocabDir)) {
        const std::string name = e.path().filename().string();
        if (name.starts_with("ggml-vocab-") && e.path().extension() == ".gguf" &&
            fs::exists(e.path().string() + ".inp") && fs::exists(e.path().string() + ".out")) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string ids_text(const std::vector<TokenId>& ids) {
    std::string s;
    for (TokenId id : ids) s += " " + std::to_string(id);
    return s;
}

TEST(TokenizerVectors, EveryCaseOfEveryVocabularyMatchesLlamaCpp) {
    // tests/data/vocab/PROVENANCE.md lists nine families, 46 cases each.
    ASSERT_EQ(vocab_files().size(), 9u) << kVocabDir;
    std::size_t total = 0;
    std::size_t passed = 0;
    for (const fs::path& path : vocab_files()) {
        SCOPED_TRACE(path.filename().string());
        const gguf::File file = gguf::File::open(path);
        const Tokenizer tok = Tokenizer::from_gguf(file);
        const auto inputs = read_inputs(path.string() + ".inp");
        const auto expected = read_outputs(path.string() + ".out");
        ASSERT_EQ(inputs.size(), expected.size());
        std::size_t file_passed = 0;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const auto got = tok.encode(inputs[i], {.add_special = false, .parse_special = false});
            ++total;
            if (got == expected[i]) {
                ++passed;
                ++file_passed;
            } else {
                ADD_FAILURE() << "case " << i << " \"" << inputs[i] << "\"\n  expected"
                              << ids_text(expected[i]) << "\n  got     " << ids_text(got);
            }
        }
        std::printf("  %-34s %zu/%zu\n", path.filename().string().c_str(), file_passed,
                    inputs.size());
    }
    std::printf("tokenizer vectors: %zu/%zu cases pass\n", passed, total);
    EXPECT_EQ(total, 9u * 46u);
}

// Byte-level BPE and SentencePiece with byte fallback lose nothing: decoding gives the input
// back, for the vector inputs and for random bytes that are often not UTF-8 at all.
// (WordPiece lower-cases and drops whitespace, so it is only checked not to fail.)
TEST(TokenizerVectors, LosslessFamiliesRoundTrip) {
    for (const fs::path& path : vocab_files()) {
        SCOPED_TRACE(path.filename().string());
        const gguf::File file = gguf::File::open(path);
        const Tokenizer tok = Tokenizer::from_gguf(file);
        // Some vocabularies (falcon) lack tokens for bytes their training text never
        // had (0x03, 0xF1 ...); those bytes are dropped, as llama.cpp drops them.
        std::vector<bool> byte_has_token(256, false);
        for (TokenId id = 0; id < static_cast<TokenId>(tok.vocab_size()); ++id) {
            const std::string piece = tok.token_to_piece(id);
            if (piece.size() == 1 && tok.token_type(id) != TokenType::UserDefined) {
                byte_has_token[static_cast<unsigned char>(piece[0])] = true;
            }
        }
        bool covers_every_byte = tok.kind() != TokenizerKind::WordPiece;
        for (unsigned b = 0; b < 0xF5; ++b) {
            if (b != 0xC0 && b != 0xC1) covers_every_byte = covers_every_byte && byte_has_token[b];
        }
        std::printf("  %-34s random bytes %s\n", path.filename().string().c_str(),
                    covers_every_byte ? "round-trip" : "encode only (not every byte has a token)");
        std::mt19937 rng(1234);
        for (int i = 0; i < 200; ++i) {
            std::string bytes(rng() % 48, '\0');
            for (char& c : bytes) {
                // Mostly ASCII with some high bytes, so that words, spaces and broken
                // sequences all occur.
                unsigned r = rng() % 4 == 0 ? rng() % 256 : 0x20 + rng() % 0x60;
                // Bytes that never occur in UTF-8 (C0, C1, F5-FF) are left out: deepseek's
                // vocabularies hold them as USER_DEFINED tokens spelled in GPT-2's alphabet,
                // which llama.cpp (and HF) print as written, so they do not round-trip.
                if (r == 0xC0 || r == 0xC1 || r >= 0xF5) r = 0x80;
                c = static_cast<char>(r);
            }
            const auto ids = tok.encode(bytes, {.add_special = false});
            if (covers_every_byte) {
                ASSERT_EQ(tok.decode(ids), bytes) << "ids" << ids_text(ids);
            }
        }
        if (tok.kind() == TokenizerKind::WordPiece) continue;
        for (const std::string& text : read_inputs(path.string() + ".inp")) {
            const auto ids = tok.encode(text, {.add_special = false});
            EXPECT_EQ(tok.decode(ids), text) << "ids" << ids_text(ids);
            // With BOS added and removed again, llama.cpp keeps the SentencePiece prefix space.
            if (tok.kind() == TokenizerKind::SentencePiece && !text.empty()) {
                const auto with_bos = tok.encode(text, {.add_special = true});
                ASSERT_EQ(with_bos.front(), *tok.bos());
                EXPECT_EQ(tok.decode(with_bos, {.remove_special = true}), " " + text);
            }
        }
    }
}

TEST(TokenizerVectors, AFewKilobytesTokenizeInMilliseconds) {
    std::string text;
    for (const std::string& s : read_inputs(kVocabDir / "ggml-vocab-gpt-2.gguf.inp")) {
        text += s + "\n";
    }
    while (text.size() < 8192) text += text;  // 8+ KB of mixed scripts, digits, code, emoji
    for (const char* name :
         {"ggml-vocab-llama-spm.gguf", "ggml-vocab-deepseek-llm.gguf", "ggml-vocab-falcon.gguf"}) {
        const fs::path path = kVocabDir / name;
        const gguf::File file = gguf::File::open(path);
        const Tokenizer tok = Tokenizer::from_gguf(file);
        const auto t0 = std::chrono::steady_clock::now();
        const auto ids = tok.encode(text);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        std::printf("  %s: %zu bytes -> %zu tokens in %.2f ms\n", name, text.size(), ids.size(),
                    ms);
        // Generous so that a debug or sanitizer build on a loaded machine passes; a release
        // build takes a few ms.
        EXPECT_LT(ms, 2000.0);
    }
}

}  // namespace
}  // namespace prism::text
