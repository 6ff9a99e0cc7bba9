// Which moments of a video become pictures: a fixed rate, or an even spread when the rate
// would give more pictures than allowed.

#include <cmath>

#include "prism/media/video.hpp"

namespace prism::media {

std::vector<double> video_sample_times(double duration_seconds, const VideoSampling& sampling) {
    check_value("video sampling: frames per second", sampling.frames_per_second,
                video_limits::frames_per_second);
    check_value("video sampling: max frames", sampling.max_frames, video_limits::max_frames);
    if (!(duration_seconds > 0)) return {0.0};
    // A sample at the end would show nothing new: 6 s at 1 per second is 0..5, and so is
    // 5.9995 s (containers round lengths to the millisecond).
    const double at_rate = std::ceil((duration_seconds - 1e-3) * sampling.frames_per_second);
    const auto count = static_cast<std::int64_t>(
        std::max(1.0, std::min(at_rate, static_cast<double>(sampling.max_frames))));
    const double step = count < at_rate ? duration_seconds / static_cast<double>(count)
                                        : 1.0 / sampling.frames_per_second;
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) times.push_back(static_cast<double>(i) * step);
    return times;
}

}  // namespace prism::media
