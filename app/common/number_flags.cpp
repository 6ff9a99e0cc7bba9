#include "common/number_flags.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <stdexcept>

#include "prism/error.hpp"
#include "prism/media/video.hpp"
#include "prism/session.hpp"
#include "prism/text/sampler.hpp"
#include "prism/vad/speech_segmenter.hpp"

namespace prism::app {
namespace {

enum class Kind { integer, real, unsigned64 };

struct FlagRule {
    std::initializer_list<std::string_view> names;
    Kind kind;
    ValueRange range;  // for unsigned64: the whole uint64 range, checked by the parse
};

namespace sampler = text::sampler_limits;
namespace session = session_limits;

// -n: -1 until the model ends or the context is full, 0 nothing (the prompt is only
// evaluated), as in llama.cpp. prism-bench's -p (prompt tokens) is numeric; prism-cli's -p is
// the prompt text and never looked up here.
const FlagRule kRules[] = {
    {{"-n", "--n-predict", "--n-gen"}, Kind::integer, session::max_tokens},
    {{"-c", "--ctx-size"}, Kind::integer, session::n_ctx},
    {{"-b", "--batch-size"}, Kind::integer, session::prefill_chunk},
    {{"--temp"}, Kind::real, sampler::temperature},
    {{"--top-k"}, Kind::integer, sampler::top_k},
    {{"--top-p"}, Kind::real, sampler::top_p},
    {{"--min-p"}, Kind::real, sampler::min_p},
    {{"--repeat-penalty"}, Kind::real, sampler::repeat_penalty},
    {{"--repeat-last-n"}, Kind::integer, sampler::penalty_last_n},
    {{"--presence-penalty"}, Kind::real, sampler::presence_penalty},
    {{"--frequency-penalty"}, Kind::real, sampler::frequency_penalty},
    {{"--seed"}, Kind::unsigned64, {}},
    // prism-server
    {{"--port"}, Kind::integer, {0.0, 65535.0}},
    {{"--queue"}, Kind::integer, {1.0, 4096.0}},
    {{"--max-tokens"}, Kind::integer, {1.0, 2147483647.0}},
    {{"--video-fps"}, Kind::real, media::video_limits::frames_per_second},
    {{"--video-tokens"}, Kind::integer, video_plan_limits::token_budget},
    {{"--video-frames"}, Kind::integer, media::video_limits::max_frames},
    {{"-p", "--n-prompt"}, Kind::integer, {0.0}},
    {{"-r", "--repetitions"}, Kind::integer, {1.0}},
    {{"--warmup"}, Kind::integer, {0.0}},
    {{"--tokens", "--contexts", "--shape", "--turns", "--interval"}, Kind::integer, {1.0}},
    {{"--min-time", "--rss-bound-mib"}, Kind::real, {0.0, ValueRange{}.max, true}},
    // prism-bench aec: seconds of sound, and the echo tail (at least one 16-ms frame).
    {{"--seconds"}, Kind::integer, {1.0, 3600.0}},
    {{"--tail-ms"}, Kind::integer, {16.0, 1000.0}},
    // prism-cli vad: the speech segmenter's options.
    {{"--threshold"}, Kind::real, vad::segmenter_limits::threshold},
    {{"--negative-threshold"}, Kind::real, vad::segmenter_limits::negative_threshold},
    {{"--min-speech-ms", "--min-silence-ms", "--speech-pad-ms"},
     Kind::integer,
     vad::segmenter_limits::duration_ms},
    // Mebibytes, shifted into bytes: at most 2^44 - 1 so that the shift cannot overflow.
    {{"PRISM_MEMORY_BUDGET_MIB"}, Kind::integer, {0.0, 17592186044415.0}},
};

const FlagRule& rule_of(std::string_view flag) {
    for (const FlagRule& rule : kRules)
        for (const std::string_view name : rule.names)
            if (name == flag) return rule;
    throw std::logic_error("no rule for the flag " + std::string(flag));
}

[[noreturn]] void refuse(std::string_view flag, std::string_view value, std::string_view why) {
    throw Error(std::string(flag) + ": '" + std::string(value) + "' " + std::string(why));
}

void check_range(std::string_view flag, std::string_view value, double v, const FlagRule& rule) {
    if (!std::isfinite(v)) refuse(flag, value, "is not a finite number");
    if (!rule.range.contains(v))
        refuse(flag, value, "is out of range (" + rule.range.describe() + ")");
}

// The whole text must be the number; from_chars takes no leading '+' or spaces.
template <class T>
std::from_chars_result parse(std::string_view text, T& out) {
    return std::from_chars(text.data(), text.data() + text.size(), out);
}

bool whole(std::string_view text, const std::from_chars_result& r) {
    return !text.empty() && r.ptr == text.data() + text.size();
}

}  // namespace

std::int64_t integer_flag(std::string_view flag, std::string_view value) {
    const FlagRule& rule = rule_of(flag);
    if (rule.kind != Kind::integer) throw std::logic_error(std::string(flag) + " is no integer");
    std::int64_t v = 0;
    const auto r = parse(value, v);
    if (r.ec == std::errc::result_out_of_range && whole(value, r)) {
        // Past 64 bits: the range when it has an end on that side, else plain words.
        const bool negative = value.front() == '-';
        if (std::isfinite(negative ? rule.range.min : rule.range.max))
            refuse(flag, value, "is out of range (" + rule.range.describe() + ")");
        refuse(flag, value, negative ? "is too small" : "is too large");
    }
    if (r.ec != std::errc() || !whole(value, r)) refuse(flag, value, "is not an integer");
    check_range(flag, value, static_cast<double>(v), rule);
    return v;
}

double real_flag(std::string_view flag, std::string_view value) {
    const FlagRule& rule = rule_of(flag);
    if (rule.kind != Kind::real) throw std::logic_error(std::string(flag) + " is no real number");
    double v = 0;
    const auto r = parse(value, v);
    if (r.ec == std::errc::result_out_of_range && whole(value, r))
        refuse(flag, value, "is out of range (" + rule.range.describe() + ")");
    if (r.ec != std::errc() || !whole(value, r)) refuse(flag, value, "is not a number");
    check_range(flag, value, v, rule);
    return v;
}

std::uint64_t unsigned_flag(std::string_view flag, std::string_view value) {
    const FlagRule& rule = rule_of(flag);
    if (rule.kind != Kind::unsigned64) throw std::logic_error(std::string(flag) + " is no count");
    std::uint64_t v = 0;
    const auto r = parse(value, v);
    const bool digits = !value.empty() && value.front() != '-';
    if ((r.ec == std::errc::result_out_of_range && whole(value, r)) ||
        (!digits && value.size() > 1 && value.find_first_not_of("0123456789", 1) == value.npos))
        refuse(flag, value, "is out of range (" + flag_range(flag) + ")");
    if (r.ec != std::errc() || !whole(value, r)) refuse(flag, value, "is not an integer");
    return v;
}

std::string flag_range(std::string_view flag) {
    const FlagRule& rule = rule_of(flag);
    if (rule.kind == Kind::unsigned64)
        return "from 0 to " + std::to_string(std::numeric_limits<std::uint64_t>::max());
    return rule.range.describe();
}

}  // namespace prism::app
