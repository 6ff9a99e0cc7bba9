#include "text/special_split.hpp"

#include <algorithm>

namespace prism::text {
namespace {

bool is_special_type(TokenType t) {
    return t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
}

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

SpecialSplitter::SpecialSplitter(const Vocab& vocab) {
    for (std::size_t i = 0; i < vocab.size(); ++i) {
        if (is_special_type(vocab.types[i]) && !vocab.texts[i].empty()) {
            by_priority_.push_back(static_cast<TokenId>(i));
        }
    }
    std::stable_sort(by_priority_.begin(), by_priority_.end(), [&](TokenId a, TokenId b) {
        return vocab.texts[static_cast<std::size_t>(a)].size() >
               vocab.texts[static_cast<std::size_t>(b)].size();
    });
    rank_.assign(vocab.size(), -1);
    for (std::size_t r = 0; r < by_priority_.size(); ++r) {
        const TokenId id = by_priority_[r];
        rank_[static_cast<std::size_t>(id)] = static_cast<int>(r);
        const auto first = static_cast<unsigned char>(vocab.texts[static_cast<std::size_t>(id)][0]);
        by_first_byte_[first].push_back(id);
    }
}

std::vector<Fragment> SpecialSplitter::split(const Vocab& vocab, std::string_view text,
                                             bool parse_special) const {
    std::vector<Fragment> fragments;
    if (text.empty()) return fragments;
    fragments.push_back({-1, text});

    // Which candidates occur anywhere, so the priority loop below visits only those.
    std::vector<int> present;
    {
        std::vector<bool> seen(by_priority_.size(), false);
        for (std::size_t i = 0; i < text.size(); ++i) {
            for (const TokenId id : by_first_byte_[static_cast<unsigned char>(text[i])]) {
                const int r = rank_[static_cast<std::size_t>(id)];
                if (seen[static_cast<std::size_t>(r)]) continue;
                const std::string& t = vocab.texts[static_cast<std::size_t>(id)];
                if (text.compare(i, t.size(), t) == 0) {
                    seen[static_cast<std::size_t>(r)] = true;
                    present.push_back(r);
                }
            }
        }
        std::sort(present.begin(), present.end());
    }

    for (const int r : present) {
        const TokenId id = by_priority_[static_cast<std::size_t>(r)];
        const TokenType type = vocab.type(id);
        if (!parse_special && type != TokenType::UserDefined) continue;
        const std::string& t = vocab.texts[static_cast<std::size_t>(id)];
        const bool rstrip = vocab.rstrip[static_cast<std::size_t>(id)];

        std::vector<Fragment> next;
        next.reserve(fragments.size() + 2);
        for (const Fragment& f : fragments) {
            if (f.is_token()) {
                next.push_back(f);
                continue;
            }
            std::string_view rest = f.text;
            for (std::size_t at = rest.find(t); at != std::string_view::npos; at = rest.find(t)) {
                if (at > 0) next.push_back({-1, rest.substr(0, at)});
                next.push_back({id, {}});
                rest = rest.substr(at + t.size());
                if (rstrip) {
                    while (!rest.empty() && is_ascii_space(rest.front())) rest.remove_prefix(1);
                }
            }
            if (!rest.empty()) next.push_back({-1, rest});
        }
        fragments = std::move(next);
    }
    return fragments;
}

}  // namespace prism::text
