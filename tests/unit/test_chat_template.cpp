// Chat templates against Hugging Face transformers: tests/data/chat holds real template sources
// and what transformers' renderer produced for fixed conversations
// (tools/make_chat_template_fixtures.py); prism::ChatTemplate must give the same bytes.

#include <gtest/gtest.h>

#include <array>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "prism/chat_template.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/media/image.hpp"
#include "support/gguf_builder.hpp"
#include "support/test_files.hpp"
#include "text/chat_template.hpp"

namespace prism {
namespace {

const std::filesystem::path chat_dir = std::filesystem::path(PRISM_TEST_DATA_DIR) / "chat";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string unescape_case_text(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char c = s[++i];
            out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

ChatRole role_named(std::string_view name) {
    if (name == "system") return ChatRole::system;
    if (name == "user") return ChatRole::user;
    if (name == "assistant") return ChatRole::assistant;
    throw std::runtime_error("cases.txt: unknown role " + std::string(name));
}

// cases.txt: "case <name>" then "<role> <escaped content>" lines.
std::map<std::string, std::vector<ChatMessage>> load_cases() {
    std::map<std::string, std::vector<ChatMessage>> cases;
    std::istringstream in(read_file(chat_dir / "cases.txt"));
    std::string line;
    std::vector<ChatMessage>* current = nullptr;
    while (std::getline(in, line)) {
        const std::size_t space = line.find(' ');
        if (space == std::string::npos) continue;
        const std::string head = line.substr(0, space);
        const std::string rest = line.substr(space + 1);
        if (head == "case") {
            current = &cases[rest];
        } else if (current != nullptr) {
            current->push_back({role_named(head), unescape_case_text(rest)});
        }
    }
    return cases;
}

struct FixtureTemplate {
    std::string name;
    ChatTemplate::Tokens tokens;
    std::string date;  // "" when none was passed to transformers
};

// templates.tsv: name, bos ("-" for none), eos, date_string ("-" for none).
std::vector<FixtureTemplate> load_templates() {
    std::vector<FixtureTemplate> out;
    std::istringstream in(read_file(chat_dir / "templates.tsv"));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::istringstream row(line);
        for (std::string f; std::getline(row, f, '\t');) fields.push_back(f);
        if (fields.size() != 4) continue;
        FixtureTemplate t;
        t.name = fields[0];
        t.tokens.bos = fields[1] == "-" ? "" : fields[1];
        t.tokens.eos = fields[2];
        t.date = fields[3] == "-" ? "" : fields[3];
        out.push_back(t);
    }
    return out;
}

TEST(ChatTemplate, MatchesTransformersByteForByte) {
    const auto cases = load_cases();
    const auto templates = load_templates();
    ASSERT_EQ(cases.size(), 6u);
    ASSERT_EQ(templates.size(), 8u);
    for (const FixtureTemplate& f : templates) {
        const std::string source = read_file(chat_dir / "templates" / (f.name + ".jinja"));
        ChatTemplate t = ChatTemplate::from_source(source, f.tokens);
        EXPECT_FALSE(t.is_fallback()) << f.name << ": " << t.warning();
        if (!f.date.empty()) t.set_date_string(f.date);
        for (const auto& [case_name, messages] : cases) {
            SCOPED_TRACE(f.name + " / " + case_name);
            const std::string expected =
                read_file(chat_dir / "expected" / f.name / (case_name + ".txt"));
            const ChatPrompt prompt = t.render(messages);
            EXPECT_EQ(prompt.text, expected);
            EXPECT_FALSE(prompt.add_bos);
        }
    }
}

TEST(ChatTemplate, RecognisesEachFamily) {
    const std::map<std::string, ChatFormat> expected{
        {"chatml", ChatFormat::chatml},    {"qwen2.5", ChatFormat::chatml},
        {"smollm2", ChatFormat::chatml},   {"llama3", ChatFormat::llama3},
        {"llama3.2", ChatFormat::llama31}, {"gemma3", ChatFormat::gemma},
        {"smolvlm", ChatFormat::smolvlm},  {"smolvlm-transformers", ChatFormat::smolvlm}};
    for (const auto& [name, format] : expected) {
        const ChatTemplate t =
            ChatTemplate::from_source(read_file(chat_dir / "templates" / (name + ".jinja")));
        EXPECT_EQ(t.format(), format) << name;
    }
}

// SmolVLM's template writes "User:" when the content's first part is an image and "User: "
// otherwise (`message['content'][0]['type'] == 'image'`), as transformers renders it.
TEST(ChatTemplate, SmolVlmColonBeforeALeadingImage) {
    const ChatTemplate t =
        ChatTemplate::from_source(read_file(chat_dir / "templates" / "smolvlm.jinja"));
    const auto image = std::make_shared<const media::Image>();
    const std::vector<ChatMessage> leading{
        {ChatRole::user,
         "<img>What?",
         {MessagePart::of_image(image), MessagePart::of_text("What?")}}};
    EXPECT_EQ(t.render(leading).text, "<|im_start|>User:<img>What?<end_of_utterance>\nAssistant:");
    const std::vector<ChatMessage> trailing{
        {ChatRole::user,
         "What?<img>",
         {MessagePart::of_text("What?"), MessagePart::of_image(image)}}};
    EXPECT_EQ(t.render(trailing).text,
              "<|im_start|>User: What?<img><end_of_utterance>\nAssistant:");
    const std::vector<ChatMessage> text_only{{ChatRole::user, "Hi"}};
    EXPECT_EQ(t.render(text_only).text, "<|im_start|>User: Hi<end_of_utterance>\nAssistant:");
}

TEST(ChatTemplate, DefaultSystemPromptsComeFromTheTemplate) {
    const auto prompt_of = [](const std::string& name) {
        return ChatTemplate::from_source(read_file(chat_dir / "templates" / (name + ".jinja")))
            .default_system_prompt();
    };
    EXPECT_EQ(prompt_of("qwen2.5"),
              "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
    EXPECT_EQ(prompt_of("smollm2"),
              "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
    EXPECT_EQ(prompt_of("chatml"), "");
}

TEST(ChatTemplate, BosIsWrittenByTheTemplateNotTheTokenizer) {
    const std::vector<ChatMessage> hello{{ChatRole::user, "Hello"}};
    const auto render = [&](const std::string& name, ChatTemplate::Tokens tokens) {
        return ChatTemplate::from_source(read_file(chat_dir / "templates" / (name + ".jinja")),
                                         std::move(tokens))
            .render(hello);
    };
    const ChatPrompt llama = render("llama3", {"<|begin_of_text|>", "<|eot_id|>", true});
    EXPECT_TRUE(llama.begins_with_bos);
    EXPECT_FALSE(llama.add_bos);  // even though the model's tokenizer adds BOS by default
    const ChatPrompt gemma = render("gemma3", {"<bos>", "<eos>", true});
    EXPECT_TRUE(gemma.begins_with_bos);
    EXPECT_FALSE(gemma.add_bos);
    const ChatPrompt qwen = render("qwen2.5", {"", "<|im_end|>", false});
    EXPECT_FALSE(qwen.begins_with_bos);
    EXPECT_FALSE(qwen.add_bos);
}

TEST(ChatTemplate, UnrecognisedTemplateFallsBackToChatMLWithAWarning) {
    const std::string mistral =
        "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
        "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + "
        "eos_token }}{% endif %}{% endfor %}";
    const ChatTemplate t = ChatTemplate::from_source(mistral, {"<s>", "</s>", true});
    EXPECT_TRUE(t.is_fallback());
    EXPECT_EQ(t.format(), ChatFormat::chatml);
    EXPECT_NE(t.warning().find("unrecognised chat template"), std::string::npos) << t.warning();
    const std::vector<ChatMessage> m{{ChatRole::system, "S"}, {ChatRole::user, "U"}};
    const ChatPrompt p = t.render(m);
    EXPECT_EQ(p.text,
              "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n"
              "<|im_start|>assistant\n");
    // The fallback is no model's own format, so BOS follows the model's tokenizer setting.
    EXPECT_TRUE(p.add_bos);

    const ChatTemplate empty = ChatTemplate::from_source("");
    EXPECT_TRUE(empty.is_fallback());
    EXPECT_NE(empty.warning().find("no chat template"), std::string::npos) << empty.warning();
    // Phi-4 looks like ChatML but is not.
    EXPECT_TRUE(
        ChatTemplate::from_source("<|im_start|>{{ m }}<|im_sep|>x<|im_end|>").is_fallback());
    EXPECT_FALSE(ChatTemplate::chatml().is_fallback());
}

TEST(ChatTemplate, GemmaRejectsWhatItsTemplateRejects) {
    const ChatTemplate t =
        ChatTemplate::from_source(read_file(chat_dir / "templates/gemma3.jinja"));
    const std::vector<ChatMessage> two_users{{ChatRole::user, "a"}, {ChatRole::user, "b"}};
    EXPECT_THROW((void)t.render(two_users), Error);
    const std::vector<ChatMessage> late_system{{ChatRole::user, "a"}, {ChatRole::system, "b"}};
    EXPECT_THROW((void)t.render(late_system), Error);
    EXPECT_THROW((void)t.render({}), Error);
}

TEST(ChatTemplate, WithoutGenerationPromptTheConversationEndsAfterTheLastTurn) {
    const ChatTemplate t = ChatTemplate::from_source(read_file(chat_dir / "templates/gemma3.jinja"),
                                                     {"<bos>", "<eos>", true});
    const std::vector<ChatMessage> m{{ChatRole::user, "Hi"}, {ChatRole::assistant, "Hello"}};
    EXPECT_EQ(
        t.render(m, false).text,
        "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n");
}

TEST(ChatTemplate, Llama32UsesTodaysDateLikeTransformers) {
    const ChatTemplate t =
        ChatTemplate::from_source(read_file(chat_dir / "templates/llama3.2.jinja"));
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%d %b %Y", &local);
    const std::vector<ChatMessage> m{{ChatRole::user, "Hi"}};
    EXPECT_NE(t.render(m).text.find("Today Date: " + std::string(buf.data(), n) + "\n\n"),
              std::string::npos);
    // Llama 3.1's template fixes the date itself when the caller passes none.
    const ChatTemplate fixed = ChatTemplate::from_source(
        "<|start_header_id|><|eot_id|>Cutting Knowledge Date{%- set date_string = \"26 Jul 2024\" "
        "%}");
    EXPECT_NE(fixed.render(m).text.find("Today Date: 26 Jul 2024\n"), std::string::npos);
}

TEST(ChatTemplateText, PythonStripRemovesUnicodeWhitespaceOnly) {
    using text::python_strip;
    EXPECT_EQ(python_strip("  a b \t\n"), "a b");
    EXPECT_EQ(python_strip("\u3000\u00a0x\u2009\u0085"), "x");
    EXPECT_EQ(python_strip("\u200bx\u200b"), "\u200bx\u200b");  // zero-width space is not space
    EXPECT_EQ(python_strip("é "), "é");
    EXPECT_EQ(python_strip("\x1f\xff "), "\xff");  // invalid UTF-8 is kept
    EXPECT_EQ(python_strip("   "), "");
    EXPECT_EQ(text::ascii_capitalize("assistant"), "Assistant");
    EXPECT_EQ(text::jinja_unescape("a\\nb\\'c\\q"), "a\nb'c\\q");
}

TEST(ChatTemplate, FromGgufReadsTemplateAndSpecialTokens) {
    const std::string source = read_file(chat_dir / "templates/llama3.jinja");
    test::GgufBuilder b;
    b.set("general.architecture", "llama")
        .set_array<std::string_view>("tokenizer.ggml.tokens",
                                     {"<|begin_of_text|>", "<|eot_id|>", "hi"})
        .set<std::uint32_t>("tokenizer.ggml.bos_token_id", 0)
        .set<std::uint32_t>("tokenizer.ggml.eos_token_id", 1)
        .set<bool>("tokenizer.ggml.add_bos_token", true)
        .set<std::string_view>("tokenizer.chat_template", source);
    const gguf::File f = gguf::File::from_bytes(b.bytes());
    const ChatTemplate t = ChatTemplate::from_gguf(f);
    EXPECT_EQ(t.format(), ChatFormat::llama3);
    EXPECT_EQ(t.tokens().bos, "<|begin_of_text|>");
    EXPECT_EQ(t.tokens().eos, "<|eot_id|>");
    const std::vector<ChatMessage> m{{ChatRole::user, "Hello"}};
    EXPECT_EQ(t.render(m).text, read_file(chat_dir / "expected/llama3/user_only.txt"));
}

TEST(ChatTemplate, FromGgufWithoutTemplateGuessesFromSpecialTokens) {
    test::GgufBuilder b;
    b.set("general.architecture", "gemma3")
        .set_array<std::string_view>("tokenizer.ggml.tokens", {"<pad>", "<eos>", "<bos>",
                                                               "<start_of_turn>", "<end_of_turn>"})
        .set<std::uint32_t>("tokenizer.ggml.bos_token_id", 2);
    const ChatTemplate t = ChatTemplate::from_gguf(gguf::File::from_bytes(b.bytes()));
    EXPECT_EQ(t.format(), ChatFormat::gemma);
    EXPECT_TRUE(t.is_fallback());
    EXPECT_NE(t.warning().find("guessed from its <start_of_turn> token"), std::string::npos)
        << t.warning();
    const std::vector<ChatMessage> m{{ChatRole::user, "Hello"}};
    EXPECT_EQ(t.render(m).text, read_file(chat_dir / "expected/gemma3/user_only.txt"));
}

// The real models from tools/fetch_models.py.
TEST(ChatTemplateRealModels, SmolLM2AndGemma3) {
    const auto smollm2 = test::real_model(test::kSmolLM2File);
    if (!smollm2) GTEST_SKIP() << test::real_model_absent(test::kSmolLM2File);
    const auto gemma3 = test::real_model(test::kGemma3File);
    if (!gemma3) GTEST_SKIP() << test::real_model_absent(test::kGemma3File);
    const auto cases = load_cases();
    const ChatTemplate smol = ChatTemplate::from_gguf(gguf::File::open(*smollm2));
    EXPECT_EQ(smol.format(), ChatFormat::chatml);
    EXPECT_FALSE(smol.is_fallback());
    EXPECT_EQ(smol.render(cases.at("unicode")).text,
              read_file(chat_dir / "expected/smollm2/unicode.txt"));
    EXPECT_EQ(smol.render(cases.at("user_only")).text,
              read_file(chat_dir / "expected/smollm2/user_only.txt"));

    // Gemma 3 270M is a base model: no template in the file, the Gemma format is guessed.
    const ChatTemplate gemma = ChatTemplate::from_gguf(gguf::File::open(*gemma3));
    EXPECT_EQ(gemma.format(), ChatFormat::gemma);
    EXPECT_TRUE(gemma.is_fallback());
    EXPECT_EQ(gemma.tokens().bos, "<bos>");
    EXPECT_EQ(gemma.render(cases.at("multi_turn")).text,
              read_file(chat_dir / "expected/gemma3/multi_turn.txt"));
}

}  // namespace
}  // namespace prism
