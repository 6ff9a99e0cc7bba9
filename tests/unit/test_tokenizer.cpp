// Tokenizer behaviour beyond the llama.cpp vectors: special tokens only on request, metadata
// (special ids, end of generation), detokenization and streaming of split characters.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/tokenizer.hpp"
#include "support/test_files.hpp"

namespace prism::text {
namespace {

namespace fs = std::filesystem;

struct Loaded {
    gguf::File file;
    Tokenizer tok;
    explicit Loaded(const fs::path& p)
        : file(gguf::File::open(p)), tok(Tokenizer::from_gguf(file)) {}
};

fs::path vocab(const char* name) {
    return test::test_data("vocab") / name;
}

bool contains(const std::vector<TokenId>& ids, TokenId id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(Tokenizer, ControlTokensInTextOnlyWhenAsked) {
    const fs::path path = vocab("ggml-vocab-phi-3.gguf");
    const Loaded l(path);
    const TokenId end = *l.tok.find_token("<|end|>");
    const TokenId assistant = *l.tok.find_token("<|assistant|>");
    ASSERT_EQ(l.tok.token_type(end), TokenType::Control);

    const std::string text = "Hi<|end|><|assistant|>";
    const auto user = l.tok.encode(text, {.add_special = false, .parse_special = false});
    EXPECT_FALSE(contains(user, end));
    EXPECT_FALSE(contains(user, assistant));
    EXPECT_EQ(l.tok.decode(user), text);  // the user's text survives as plain characters

    const auto templ = l.tok.encode(text, {.add_special = false, .parse_special = true});
    ASSERT_EQ(templ.size(), 3u);
    EXPECT_EQ(templ[1], end);
    EXPECT_EQ(templ[2], assistant);
    EXPECT_EQ(l.tok.decode(templ), "Hi");  // control tokens print nothing by default
    EXPECT_EQ(l.tok.decode(templ, {.render_special = true}), text);
}

TEST(Tokenizer, ByteLevelEndOfTextIsNotReachableFromUserText) {
    const fs::path path = vocab("ggml-vocab-gpt-2.gguf");
    const Loaded l(path);
    const std::string text = "a<|endoftext|>b";
    EXPECT_FALSE(contains(l.tok.encode(text, {.parse_special = false}), 50256));
    EXPECT_EQ(l.tok.encode(text, {.parse_special = true}), (std::vector<TokenId>{64, 50256, 65}));
    EXPECT_TRUE(l.tok.is_end_of_generation(50256));
}

TEST(Tokenizer, UserDefinedTokensAreAlwaysMatched) {
    // mpt (GPT-NeoX) stores runs of spaces as USER_DEFINED tokens; llama.cpp and HF match them
    // even in plain text.
    const fs::path path = vocab("ggml-vocab-mpt.gguf");
    const Loaded l(path);
    const std::string spaces(24, ' ');
    const auto id = l.tok.find_token(spaces);
    ASSERT_TRUE(id);
    ASSERT_EQ(l.tok.token_type(*id), TokenType::UserDefined);
    const auto ids = l.tok.encode("x" + spaces + "y", {.parse_special = false});
    EXPECT_TRUE(contains(ids, *id));
    EXPECT_EQ(l.tok.decode(ids), "x" + spaces + "y");
}

TEST(Tokenizer, MetadataAndDefaults) {
    const fs::path spm = vocab("ggml-vocab-llama-spm.gguf");
    const Loaded l(spm);
    EXPECT_EQ(l.tok.kind(), TokenizerKind::SentencePiece);
    EXPECT_EQ(l.tok.vocab_size(), 32000u);
    EXPECT_EQ(l.tok.bos(), 1);
    EXPECT_EQ(l.tok.eos(), 2);
    EXPECT_EQ(l.tok.unk(), 0);
    EXPECT_TRUE(l.tok.add_bos());
    EXPECT_FALSE(l.tok.add_eos());
    EXPECT_TRUE(l.tok.add_space_prefix());
    EXPECT_EQ(l.tok.encode("Hello world"), (std::vector<TokenId>{1, 15043, 3186}));
    EXPECT_EQ(l.tok.token_text(15043), "\xE2\x96\x81Hello");
    EXPECT_EQ(l.tok.token_to_piece(15043), " Hello");
    EXPECT_EQ(l.tok.token_to_piece(1), "");
    EXPECT_EQ(l.tok.token_to_piece(1, true), "<s>");
    EXPECT_EQ(l.tok.token_to_piece(13), "\n");  // <0x0A>
    EXPECT_TRUE(l.tok.is_end_of_generation(2));
    EXPECT_THROW((void)l.tok.token_to_piece(32000), Error);
    EXPECT_THROW((void)l.tok.token_to_piece(-1), Error);

    const fs::path phi3 = vocab("ggml-vocab-phi-3.gguf");
    const Loaded p(phi3);
    EXPECT_EQ(p.tok.eos(), 32000);
    EXPECT_TRUE(p.tok.is_end_of_generation(*p.tok.find_token("<|end|>")));
    EXPECT_TRUE(p.tok.is_end_of_generation(32000));
    EXPECT_FALSE(p.tok.is_end_of_generation(*p.tok.find_token("<|assistant|>")));

    const fs::path bert = vocab("ggml-vocab-bert-bge.gguf");
    const Loaded b(bert);
    EXPECT_EQ(b.tok.kind(), TokenizerKind::WordPiece);
    const auto ids = b.tok.encode("Hello world");
    ASSERT_EQ(ids.size(), 4u);
    EXPECT_EQ(ids.front(), 101);  // [CLS]
    EXPECT_EQ(ids.back(), 102);   // [SEP]
    EXPECT_EQ(b.tok.decode(std::vector<TokenId>(ids.begin() + 1, ids.end() - 1)), "hello world");
}

TEST(Tokenizer, NotATokenizerIsAClearError) {
    const fs::path path = test::test_data("published-models/mnist-fc-f32.gguf");
    const gguf::File file = gguf::File::open(path);
    try {
        (void)Tokenizer::from_gguf(file);
        FAIL() << "expected an error";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.model"), std::string::npos)
            << e.what();
    }
}

TEST(TakeCompleteUtf8, HoldsAnUnfinishedCharacterAndReplacesBrokenOnes) {
    std::string held;
    EXPECT_EQ(take_complete_utf8("ab\xF0\x9F", held), "ab");
    EXPECT_EQ(held, "\xF0\x9F");
    EXPECT_EQ(take_complete_utf8("\xF0\x9F\xA6\x99!", held), "\xF0\x9F\xA6\x99!");
    EXPECT_EQ(held, "");
    // A stray continuation byte and a lead byte followed by ASCII can never complete.
    EXPECT_EQ(take_complete_utf8("\x80x\xE2y", held), "\xEF\xBF\xBDx\xEF\xBF\xBDy");
    EXPECT_EQ(held, "");
    EXPECT_EQ(take_complete_utf8("\xEF\xBF\xBD", held), "\xEF\xBF\xBD");  // a real U+FFFD
}

std::string stream_all(const Tokenizer& tok, const std::vector<TokenId>& ids,
                       StreamingDetokenizer::Options options, std::vector<std::string>* parts) {
    StreamingDetokenizer stream(tok, options);
    std::string out;
    for (TokenId id : ids) {
        std::string piece = stream.push(id);
        if (parts) parts->push_back(piece);
        out += piece;
    }
    out += stream.flush();
    return out;
}

TEST(StreamingDetokenizer, EmojiSplitOverByteTokensComesOutWhole) {
    const fs::path path = vocab("ggml-vocab-llama-spm.gguf");
    const Loaded l(path);
    const std::string llama = "\xF0\x9F\xA6\x99";  // U+1F999, not in the vocabulary
    const auto ids = l.tok.encode("I " + llama, {.add_special = false});
    // "▁I", "▁", then the emoji as four <0xNN> byte tokens.
    ASSERT_EQ(ids.size(), 6u);
    for (std::size_t i = 2; i < 6; ++i) EXPECT_EQ(l.tok.token_type(ids[i]), TokenType::Byte);
    std::vector<std::string> parts;
    EXPECT_EQ(stream_all(l.tok, ids, {.strip_leading_space = true}, &parts), "I " + llama);
    EXPECT_EQ(parts, (std::vector<std::string>{"I", " ", "", "", "", llama}));
}

TEST(StreamingDetokenizer, ByteLevelPiecesSplittingCharactersComeOutWhole) {
    const fs::path path = vocab("ggml-vocab-gpt-2.gguf");
    const Loaded l(path);
    const std::string text = "emoji \xF0\x9F\xA6\x99\xF0\x9F\x98\x81 and \xE1\x9E\x80 Khmer";
    const auto ids = l.tok.encode(text);
    std::vector<std::string> parts;
    EXPECT_EQ(stream_all(l.tok, ids, {}, &parts), text);
    bool some_piece_was_held = false;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        std::string held;
        // Every streamed part is complete UTF-8 on its own.
        EXPECT_EQ(take_complete_utf8(parts[i], held), parts[i]);
        EXPECT_TRUE(held.empty());
        if (parts[i].empty()) some_piece_was_held = true;
    }
    EXPECT_TRUE(some_piece_was_held);  // the emoji really was split across tokens
}

TEST(StreamingDetokenizer, FlushReplacesAnUnfinishedCharacter) {
    const fs::path path = vocab("ggml-vocab-llama-spm.gguf");
    const Loaded l(path);
    StreamingDetokenizer stream(l.tok);
    EXPECT_EQ(stream.push(*l.tok.find_token("<0xF0>")), "");
    EXPECT_EQ(stream.pending_bytes(), 1u);
    EXPECT_EQ(stream.flush(), "\xEF\xBF\xBD");
    EXPECT_EQ(stream.pending_bytes(), 0u);
}

// The 48 greedy ids after BOS documented with the model (resources/models/PROVENANCE.md).
const std::vector<TokenId> kStoriesIds = {
    403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338,
    401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385,
    328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267};

TEST(Tokenizer, Stories260kIdsDecodeToTheDocumentedStory) {
    const fs::path path = test::demo_model();
    const Loaded l(path);
    EXPECT_EQ(l.tok.vocab_size(), 512u);
    EXPECT_EQ(l.tok.pre_name(), "default");
    const std::string prefix = "Once upon a time, there was a little girl named Lily.";

    const std::string text = l.tok.decode(kStoriesIds);
    EXPECT_TRUE(text.starts_with(prefix)) << text;
    const std::string streamed =
        stream_all(l.tok, kStoriesIds, {.strip_leading_space = true}, nullptr);
    EXPECT_EQ(streamed, text);
    std::vector<TokenId> with_bos = {1};
    with_bos.insert(with_bos.end(), kStoriesIds.begin(), kStoriesIds.end());
    // Encoding the story again gives BOS and the same ids (SentencePiece is deterministic).
    EXPECT_EQ(l.tok.encode(text), with_bos);
}

}  // namespace
}  // namespace prism::text
