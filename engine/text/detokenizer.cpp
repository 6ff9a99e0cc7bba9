#include <string>

#include "prism/tokenizer.hpp"
#include "text/utf8.hpp"

namespace prism::text {

std::string take_complete_utf8(std::string_view bytes, std::string& held) {
    std::string out;
    out.reserve(bytes.size());
    held.clear();
    for (std::size_t i = 0; i < bytes.size();) {
        const DecodedChar c = decode_utf8(bytes.substr(i));
        if (c.cp != U'\uFFFD' || c.bytes == 3) {
            out.append(bytes.substr(i, c.bytes));  // valid (a literal U+FFFD is 3 bytes)
            i += c.bytes;
            continue;
        }
        // Malformed here. If the rest is a proper start of a longer character, wait for more.
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const std::size_t want = utf8_sequence_length(lead);
        const std::size_t have = bytes.size() - i;
        bool could_complete = lead >= 0xC2 && lead <= 0xF4 && want > have;
        for (std::size_t k = 1; could_complete && k < have; ++k) {
            could_complete = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
        }
        if (could_complete) {
            held.assign(bytes.substr(i));
            break;
        }
        out += "\xEF\xBF\xBD";
        i += 1;
    }
    return out;
}

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tokenizer)
    : StreamingDetokenizer(tokenizer, Options{}) {}

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tokenizer, Options options)
    : tokenizer_(&tokenizer), options_(options) {}

std::string StreamingDetokenizer::push(TokenId id) {
    std::string piece = tokenizer_->token_to_piece(id, options_.render_special);
    if (first_ && options_.strip_leading_space && !piece.empty() && piece.front() == ' ') {
        piece.erase(0, 1);
    }
    first_ = false;
    pending_ += piece;
    std::string held;
    std::string out = take_complete_utf8(pending_, held);
    pending_ = std::move(held);
    return out;
}

std::string StreamingDetokenizer::flush() {
    // At most one unfinished character is ever held.
    std::string out = pending_.empty() ? std::string() : std::string("\xEF\xBF\xBD");
    reset();
    return out;
}

void StreamingDetokenizer::reset() {
    pending_.clear();
    first_ = true;
}

}  // namespace prism::text
