#pragma once

// How a conversation gets its title from the first thing the user wrote.

#include <QString>

namespace prism::ui {

// Shown for a conversation that has no title yet.
inline constexpr const char* kUntitledConversation = "New chat";

// The first user message as a one-line title: whitespace runs become one space, and text
// longer than `max_chars` is cut at the last word boundary before the limit (mid-word only
// when the first word alone is too long) and ends with "…". Empty text gives an empty title.
QString title_from_message(const QString& text, qsizetype max_chars = 60);

// A title the user typed: trimmed to one line and at most 200 characters.
QString clean_user_title(const QString& title);

}  // namespace prism::ui
