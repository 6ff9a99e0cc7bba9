#include "session/video_expansion.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>

#include "prism/error.hpp"

namespace prism {

std::string video_timestamp(double seconds) {
    const auto whole = static_cast<long long>(std::floor(std::max(0.0, seconds) + 1e-6));
    char text[48];
    if (whole >= 3600) {
        std::snprintf(text, sizeof text, "[%lld:%02lld:%02lld]", whole / 3600, whole % 3600 / 60,
                      whole % 60);
    } else {
        std::snprintf(text, sizeof text, "[%02lld:%02lld]", whole / 60, whole % 60);
    }
    return text;
}

}  // namespace prism

namespace prism::session {
namespace {

// Indices of `count` of `available` pictures spread evenly (all of them when count equals it).
std::vector<std::size_t> spread(std::size_t available, std::size_t count) {
    std::vector<std::size_t> chosen;
    chosen.reserve(count);
    for (std::size_t i = 0; i < count; ++i) chosen.push_back(i * available / count);
    return chosen;
}

// The text written before picture `index`: its time, after the previous picture's line break.
std::string text_before(const media::Video& video, std::size_t index, bool first) {
    return (first ? "" : "\n") + video_timestamp(video.frames[index].seconds) + " ";
}

struct Size {
    std::int32_t width, height;
    std::int64_t rows;
};

// Picture sizes from the decoded one down to the floor, each with its cost, largest first;
// sizes that cost no less than a larger one are skipped.
std::vector<Size> candidate_sizes(std::int32_t width, std::int32_t height,
                                  const VideoCosts& costs) {
    std::vector<Size> sizes;
    const std::int32_t longer = std::max(width, height);
    const double floor_side = std::min<double>(kMinPlannedSide, longer);
    for (double scale = 1.0; longer * scale >= floor_side - 0.5; scale *= 0.85) {
        const auto w = std::max(1, static_cast<std::int32_t>(std::lround(width * scale)));
        const auto h = std::max(1, static_cast<std::int32_t>(std::lround(height * scale)));
        const std::int64_t rows = costs.picture_rows(w, h);
        if (sizes.empty() || rows < sizes.back().rows) sizes.push_back({w, h, rows});
    }
    return sizes;
}

// The samples [begin, end) of the sound from `from` to `to` seconds (to < 0: the end).
std::pair<std::size_t, std::size_t> samples_between(const media::Audio& audio, double from,
                                                    double to) {
    const auto sample = [&](double seconds) {
        const double at = std::max(0.0, seconds) * audio.sample_rate;
        return std::min(audio.samples.size(), static_cast<std::size_t>(std::llround(at)));
    };
    return {sample(from), to < 0 ? audio.samples.size() : sample(to)};
}

// Where picture i's stretch of sound ends: the next picture's time, the last: the end (-1).
double next_picture_seconds(const media::Video& video, const std::vector<std::size_t>& frames,
                            std::size_t i) {
    return i + 1 < frames.size() ? video.frames.at(frames[i + 1]).seconds : -1.0;
}

// The sound from `from` to `to` seconds (to < 0: the end), or nothing when that is empty.
std::shared_ptr<const media::Audio> sound_between(const media::Audio& audio, double from,
                                                  double to) {
    const auto [begin, end] = samples_between(audio, from, to);
    if (begin >= end) return nullptr;
    auto piece = std::make_shared<media::Audio>();
    piece->samples.assign(audio.samples.begin() + static_cast<std::ptrdiff_t>(begin),
                          audio.samples.begin() + static_cast<std::ptrdiff_t>(end));
    piece->sample_rate = audio.sample_rate;
    piece->name = audio.name;
    piece->source_sample_rate = audio.source_sample_rate;
    piece->source_channels = audio.source_channels;
    piece->source_codec = audio.source_codec;
    for (const float s : piece->samples) piece->peak = std::max(piece->peak, std::fabs(s));
    return piece;
}

}  // namespace

VideoPlan plan_video(const media::Video& video, std::int64_t budget, const VideoCosts& costs) {
    if (video.frames.empty()) throw Error(video.name + ": the video holds no pictures");
    if (budget <= 0) throw Error(video.name + ": the video's token budget must be positive");
    const media::Image& picture = video.frames.front().image;
    const std::vector<Size> sizes = candidate_sizes(picture.width, picture.height, costs);

    // Text costs by picture, computed once: the first picture's piece and a later one's.
    std::map<std::pair<std::size_t, bool>, std::int64_t> text_cache;
    const auto text_cost = [&](std::size_t index, bool first) {
        const auto key = std::make_pair(index, first);
        auto found = text_cache.find(key);
        if (found == text_cache.end())
            found =
                text_cache.emplace(key, costs.text_tokens(text_before(video, index, first))).first;
        return found->second;
    };
    const std::int64_t closing = costs.text_tokens("\n");
    const auto sound_cost = [&](const std::vector<std::size_t>& chosen) {
        std::int64_t rows = 0;
        if (costs.sound_rows)
            for (const std::size_t samples : video_sound_samples(video, chosen))
                rows += costs.sound_rows(samples);
        return rows;
    };

    // More pictures than the smallest size allows cannot fit; start below that bound.
    const std::int64_t cheapest = sizes.back().rows + 1;
    std::size_t count = std::min<std::size_t>(
        video.frames.size(),
        static_cast<std::size_t>(std::max<std::int64_t>(1, budget / cheapest)));
    for (; count >= 1; --count) {
        const std::vector<std::size_t> chosen = spread(video.frames.size(), count);
        std::int64_t text = closing;
        for (std::size_t i = 0; i < chosen.size(); ++i) text += text_cost(chosen[i], i == 0);
        const std::int64_t sound = sound_cost(chosen);
        for (const Size& size : sizes) {
            const std::int64_t total = static_cast<std::int64_t>(count) * size.rows + text + sound;
            if (total > budget) continue;
            VideoPlan plan;
            plan.budget = budget;
            plan.frames = chosen;
            plan.frame_width = size.width;
            plan.frame_height = size.height;
            plan.tokens_per_frame = size.rows;
            plan.text_tokens = text;
            plan.audio_tokens = sound;
            plan.total_tokens = total;
            return plan;
        }
    }
    const std::int64_t one_picture = sizes.back().rows + closing + text_cost(0, true);
    const std::int64_t sound = sound_cost(std::vector<std::size_t>{0});
    if (sound > 0)
        throw Error(video.name + ": one picture of the video and its sound take " +
                    std::to_string(one_picture) + " + " + std::to_string(sound) +
                    " tokens, more than its budget of " + std::to_string(budget));
    throw Error(video.name + ": one picture of the video takes " + std::to_string(one_picture) +
                " tokens, more than its budget of " + std::to_string(budget));
}

std::vector<MessagePart> expand_video(const media::Video& video, const VideoPlan& plan,
                                      bool with_sound) {
    std::vector<MessagePart> parts;
    for (std::size_t i = 0; i < plan.frames.size(); ++i) {
        const media::VideoFrame& frame = video.frames.at(plan.frames[i]);
        parts.push_back(MessagePart::of_text(text_before(video, plan.frames[i], i == 0)));
        auto picture = std::make_shared<media::Image>(
            frame.image.width == plan.frame_width && frame.image.height == plan.frame_height
                ? frame.image
                : media::scale_picture(frame.image, plan.frame_width, plan.frame_height));
        parts.push_back(MessagePart::of_image(std::move(picture)));
        if (with_sound && video.audio) {
            const double to = next_picture_seconds(video, plan.frames, i);
            if (auto sound = sound_between(*video.audio, frame.seconds, to))
                parts.push_back(MessagePart::of_audio(std::move(sound)));
        }
    }
    parts.push_back(MessagePart::of_text("\n"));
    return parts;
}

std::vector<std::size_t> video_sound_samples(const media::Video& video, const VideoPlan& plan) {
    return video_sound_samples(video, plan.frames);
}

std::vector<std::size_t> video_sound_samples(const media::Video& video,
                                             const std::vector<std::size_t>& frames) {
    std::vector<std::size_t> out;
    if (!video.audio) return out;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto [begin, end] = samples_between(*video.audio, video.frames.at(frames[i]).seconds,
                                                  next_picture_seconds(video, frames, i));
        if (begin < end) out.push_back(end - begin);
    }
    return out;
}

}  // namespace prism::session
