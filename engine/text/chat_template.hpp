#pragma once

// Pieces of the chat-template renderer that tests reach directly: the Jinja/Python string
// semantics the templates rely on, and the facts read out of a template's source.

#include <optional>
#include <string>
#include <string_view>

#include "prism/chat_template.hpp"

namespace prism::text {

// Python's str.strip() with no argument (what Jinja's `trim` filter does): removes leading and
// trailing characters for which str.isspace() is true, Unicode ones included (U+00A0, U+3000,
// ...). Invalid UTF-8 is never stripped.
std::string_view python_strip(std::string_view s);

// Jinja's `capitalize`: first character upper case, the rest lower case (ASCII only; roles are
// ASCII).
std::string ascii_capitalize(std::string_view s);

// The value of a Jinja string literal's body: \n \t \r \\ \' \" decoded, others kept.
std::string jinja_unescape(std::string_view body);

// The family a template's source belongs to, or nothing when Prism does not know it.
std::optional<ChatFormat> recognise_chat_format(std::string_view source);

// For ChatML templates: the system prompt written literally after "<|im_start|>system\n" (the
// one used when the conversation has none), or "".
std::string find_default_system_prompt(std::string_view source);

// For Llama 3.1+ templates: the literal in `set date_string = "..."`, or "".
std::string find_template_date(std::string_view source);

}  // namespace prism::text
