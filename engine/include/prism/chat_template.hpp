#pragma once

// Chat templates: turning a conversation into the prompt text a chat model was trained on.
//
// A GGUF file carries its model's template as Jinja source (`tokenizer.chat_template`). Prism
// does not run Jinja; it recognises the template's family from the source and renders that
// family in C++, byte for byte what Hugging Face transformers'
// `apply_chat_template(messages, tokenize=False, add_generation_prompt=...)` gives for the
// same template (tests/unit/test_chat_template.cpp checks this against transformers' output).
//
// Families: ChatML (Qwen2/2.5/3, SmolLM2, OpenHermes...; a default system prompt written in the
// template is kept), Llama 3 and Llama 3.1+ ("Cutting Knowledge Date" system header), Gemma
// (a system message is folded into the first user turn), SmolVLM ("User:"/"Assistant:" with
// <end_of_utterance>). Anything else falls back to plain ChatML and says so in warning().
//
// Tokenizing the result: parse special tokens in the rendered text (the template's markers are
// special tokens) but not in the users' contents -- keep the contents apart if that matters --
// and add a BOS only when ChatPrompt::add_bos says so. Recognised templates write BOS
// themselves where the model wants one (as transformers does: it tokenizes the rendered text
// with add_special_tokens=False), so add_bos is false for them.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/message_part.hpp"

namespace prism {

namespace gguf {
class File;
}

enum class ChatRole { system, user, assistant };

// "system", "user", "assistant": the names templates compare against.
std::string_view chat_role_name(ChatRole role);

struct ChatMessage {
    ChatRole role;
    std::string content;  // the text parts joined
    // Text and images in order (prism::Session fills it); empty for a text-only message, whose
    // text is `content`. Templates render `content`; images are placed by the session.
    std::vector<MessagePart> parts;
};

enum class ChatFormat {
    chatml,   // <|im_start|>role\n...<|im_end|>\n
    llama3,   // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
    llama31,  // llama3 plus the system header with knowledge and today's date
    gemma,    // <start_of_turn>user|model\n...<end_of_turn>\n
    smolvlm,  // <|im_start|>User: ...<end_of_utterance>\n ... Assistant:
};

// "chatml", "llama3", "llama3.1", "gemma", "smolvlm".
std::string_view chat_format_name(ChatFormat format);

struct ChatPrompt {
    std::string text;
    // The text starts with the model's BOS token text (e.g. "<|begin_of_text|>", "<bos>").
    bool begins_with_bos = false;
    // Whether the tokenizer should prepend BOS itself: false for every recognised template;
    // for the ChatML fallback, the model's tokenizer.ggml.add_bos_token.
    bool add_bos = false;
};

// Special-token texts a template may write (outside ChatTemplate so that it can be a default
// argument of its members).
struct ChatTokens {
    std::string bos;  // "" when the model has none
    std::string eos;
    bool add_bos = false;  // the model's tokenizer.ggml.add_bos_token
};

class ChatTemplate {
  public:
    using Tokens = ChatTokens;

    // Recognises `source` (Jinja text). An empty or unrecognised source gives the ChatML
    // fallback with a warning.
    static ChatTemplate from_source(std::string_view source, Tokens tokens = {});
    // Reads tokenizer.chat_template and the BOS/EOS texts from a GGUF. A file without a
    // template gets the family its special tokens point to (<start_of_turn>: Gemma,
    // <|start_header_id|>: Llama 3, <|im_start|>: ChatML), with a warning saying so.
    static ChatTemplate from_gguf(const gguf::File& file);
    // Plain ChatML, no warning.
    static ChatTemplate chatml(Tokens tokens = {});

    ChatFormat format() const { return format_; }
    // Non-empty when the template was not recognised (or absent) and Prism guessed; meant to
    // be shown to the user.
    const std::string& warning() const { return warning_; }
    bool is_fallback() const { return !warning_.empty(); }
    // The system prompt the template adds when the conversation has none ("" if none).
    const std::string& default_system_prompt() const { return default_system_; }
    const Tokens& tokens() const { return tokens_; }

    // Llama 3.1+ writes "Today Date: <date>". By default: the date the template itself sets,
    // or, for templates that call strftime_now (Llama 3.2), today's local date as "%d %b %Y"
    // (like transformers). Set it for reproducible prompts.
    void set_date_string(std::string date) { date_string_ = std::move(date); }

    // Renders the conversation; add_generation_prompt appends the assistant's turn header.
    // Throws prism::Error for an empty conversation, and for what the template itself rejects
    // (Gemma: roles must alternate user/assistant after an optional first system message).
    ChatPrompt render(std::span<const ChatMessage> messages,
                      bool add_generation_prompt = true) const;

  private:
    ChatTemplate() = default;
    std::string today_or_fixed_date() const;

    ChatFormat format_ = ChatFormat::chatml;
    Tokens tokens_;
    std::string warning_;
    std::string default_system_;
    std::string date_string_;       // set_date_string()
    std::string template_date_;     // `set date_string = "..."` in the template
    bool date_from_clock_ = false;  // the template calls strftime_now
};

}  // namespace prism
