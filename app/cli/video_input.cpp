#include "cli/video_input.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace prism::cli {

std::shared_ptr<const media::Video> read_video(const GenerationFlags& flags,
                                               const std::string& path) {
    const auto t0 = std::chrono::steady_clock::now();
    auto video =
        std::make_shared<const media::Video>(media::decode_video_file(path, flags.video_sampling));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "video %s: %.2f s, %dx%d %s, %s; %zu pictures decoded in %.3f s\n",
                 path.c_str(), video->duration_seconds, video->width, video->height,
                 video->codec.c_str(), video->audio ? "with sound" : "no sound",
                 video->frames.size(), seconds);
    return video;
}

MessagePart video_part(const Session& session, const GenerationFlags& flags,
                       std::shared_ptr<const media::Video> video) {
    if (!session.has_vision()) throw Error("this model has no vision encoder; load an mmproj");
    const VideoPlan plan = session.plan_video(*video, flags.video_tokens);
    // The sound (a model that hears) is inside the budget, after each picture.
    const std::string sound = plan.audio_tokens > 0 ? " + " + std::to_string(plan.audio_tokens) +
                                                          " for the sound after each picture"
                                                    : std::string();
    std::fprintf(stderr,
                 "video plan: %zu of %zu pictures at %dx%d, %lld tokens each + %lld for the "
                 "times%s = %lld of a %lld-token budget\n",
                 plan.frames.size(), video->frames.size(), plan.frame_width, plan.frame_height,
                 static_cast<long long>(plan.tokens_per_frame),
                 static_cast<long long>(plan.text_tokens), sound.c_str(),
                 static_cast<long long>(plan.total_tokens), static_cast<long long>(plan.budget));
    return MessagePart::of_video(std::move(video), flags.video_tokens);
}

}  // namespace prism::cli
