#include "prism/text/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "prism/error.hpp"

namespace prism::text {
namespace {

// Softmax probabilities of candidates sorted by descending logit.
std::vector<double> probabilities(const std::vector<float>& logits, float temperature) {
    std::vector<double> p(logits.size());
    const double max = logits.front();
    double sum = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        p[i] = std::exp((static_cast<double>(logits[i]) - max) / temperature);
        sum += p[i];
    }
    for (auto& x : p) x /= sum;
    return p;
}

}  // namespace

std::int32_t argmax(std::span<const float> logits) {
    if (logits.empty()) throw Error("sampler: no logits");
    return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) -
                                     logits.begin());
}

void validate(const SamplerSettings& s) {
    namespace limits = sampler_limits;
    check_value("sampler: temperature", s.temperature, limits::temperature);
    check_value("sampler: top_k", s.top_k, limits::top_k);
    check_value("sampler: top_p", s.top_p, limits::top_p);
    check_value("sampler: min_p", s.min_p, limits::min_p);
    check_value("sampler: penalty_last_n", s.penalty_last_n, limits::penalty_last_n);
    check_value("sampler: repeat_penalty", s.repeat_penalty, limits::repeat_penalty);
    check_value("sampler: presence_penalty", s.presence_penalty, limits::presence_penalty);
    check_value("sampler: frequency_penalty", s.frequency_penalty, limits::frequency_penalty);
}

Sampler::Sampler(const SamplerSettings& settings) : settings_(settings), rng_(settings.seed) {
    validate(settings_);
}

void Sampler::accept(std::int32_t token) {
    if (settings_.penalty_last_n <= 0) return;
    recent_.push_back(token);
    while (recent_.size() > static_cast<std::size_t>(settings_.penalty_last_n)) recent_.pop_front();
}

void Sampler::reset() {
    recent_.clear();
    rng_.seed(settings_.seed);
}

void Sampler::apply_penalties(std::vector<Candidate>& c) const {
    if (recent_.empty()) return;
    const bool repeat = settings_.repeat_penalty != 1.0f;
    if (!repeat && settings_.presence_penalty == 0.0f && settings_.frequency_penalty == 0.0f)
        return;
    std::unordered_map<std::int32_t, int> counts;
    for (auto t : recent_) ++counts[t];
    for (const auto& [id, count] : counts) {
        if (id < 0 || static_cast<std::size_t>(id) >= c.size()) continue;
        float& l = c[static_cast<std::size_t>(id)].logit;
        if (repeat) l = l > 0 ? l / settings_.repeat_penalty : l * settings_.repeat_penalty;
        l -= static_cast<float>(count) * settings_.frequency_penalty + settings_.presence_penalty;
    }
}

std::int32_t Sampler::sample(std::span<const float> logits) {
    if (logits.empty()) throw Error("sampler: no logits");
    std::vector<Candidate> c(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i)
        c[i] = {static_cast<std::int32_t>(i), logits[i]};
    apply_penalties(c);
    std::erase_if(c, [](const Candidate& x) { return !std::isfinite(x.logit); });
    if (c.empty()) throw Error("sampler: no finite logit");

    // Descending logits, ties by id so that the order (and so the draw) is deterministic.
    const auto by_logit = [](const Candidate& a, const Candidate& b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    };
    if (settings_.temperature <= 0.0f) return std::min_element(c.begin(), c.end(), by_logit)->id;

    const std::size_t k = settings_.top_k > 0
                              ? std::min(c.size(), static_cast<std::size_t>(settings_.top_k))
                              : c.size();
    std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k), c.end(), by_logit);
    c.resize(k);
    return draw(c);
}

std::int32_t Sampler::draw(const std::vector<Candidate>& sorted) {
    std::vector<float> logits(sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) logits[i] = sorted[i].logit;

    // top-p and min-p look at the distribution before temperature, as llama.cpp's chain does.
    std::size_t keep = sorted.size();
    const std::vector<double> p = probabilities(logits, 1.0f);
    if (settings_.top_p < 1.0f) {
        double cumulative = 0;
        for (std::size_t i = 0; i < keep; ++i) {
            cumulative += p[i];
            if (cumulative >= settings_.top_p) {
                keep = i + 1;
                break;
            }
        }
    }
    if (settings_.min_p > 0.0f) {
        const double threshold = static_cast<double>(settings_.min_p) * p.front();
        std::size_t i = 1;
        while (i < keep && p[i] >= threshold) ++i;
        keep = i;
    }
    logits.resize(keep);

    const std::vector<double> q = probabilities(logits, settings_.temperature);
    // A uniform double from 53 random bits: the same on every standard library, unlike
    // std::uniform_real_distribution.
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    double cumulative = 0;
    for (std::size_t i = 0; i < q.size(); ++i) {
        cumulative += q[i];
        if (u < cumulative) return sorted[i].id;
    }
    return sorted[keep - 1].id;
}

}  // namespace prism::text
