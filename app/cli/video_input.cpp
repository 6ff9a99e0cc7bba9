#include "cli/video_input.hpp"

#include <chrono>
#include <cstdio>

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
    std::fprintf(stderr,
                 "video plan: %zu of %zu pictures at %dx%d, %lld tokens each + %lld for the "
                 "times = %lld of a %lld-token budget\n",
                 plan.frames.size(), video->frames.size(), plan.frame_width, plan.frame_height,
                 static_cast<long long>(plan.tokens_per_frame),
                 static_cast<long long>(plan.text_tokens),
                 static_cast<long long>(plan.total_tokens), static_cast<long long>(plan.budget));
    if (plan.audio_tokens > 0)
        std::fprintf(stderr, "video sound: %lld tokens more, after each picture\n",
                     static_cast<long long>(plan.audio_tokens));
    return MessagePart::of_video(std::move(video), flags.video_tokens);
}

}  // namespace prism::cli
