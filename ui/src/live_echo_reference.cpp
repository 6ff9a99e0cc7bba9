#include "live_echo_reference.hpp"

#include <QMutexLocker>
#include <algorithm>
#include <chrono>

namespace prism::ui {
namespace {

// Timer jitter between blocks of one sentence stays under this; a later block is a new stretch.
constexpr std::int64_t kJoinSamples = FarEndReference::kSampleRate / 50;  // 20 ms
constexpr std::int64_t kHistorySamples = FarEndReference::kSampleRate;    // 1 s

}  // namespace

std::int64_t FarEndReference::clock_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void FarEndReference::played(std::span<const std::int16_t> block, std::int64_t audible_us) {
    if (block.empty()) return;
    QMutexLocker lock(&mutex_);
    const std::int64_t at = index_at(audible_us);
    const std::int64_t end = begin_ + static_cast<std::int64_t>(samples_.size());
    if (samples_.empty()) {
        begin_ = at;
    } else if (at > end + kJoinSamples) {
        if (at - end >= static_cast<std::int64_t>(kMaxSamples)) {
            samples_.clear();
            begin_ = at;
        } else {
            samples_.insert(samples_.end(), static_cast<std::size_t>(at - end), 0);
        }
    }
    samples_.insert(samples_.end(), block.begin(), block.end());
    while (samples_.size() > kMaxSamples) {
        samples_.pop_front();
        ++begin_;
    }
}

void FarEndReference::discard_after(std::int64_t us) {
    QMutexLocker lock(&mutex_);
    const std::int64_t cut = index_at(us);
    const std::int64_t keep =
        std::clamp<std::int64_t>(cut - begin_, 0, static_cast<std::int64_t>(samples_.size()));
    samples_.resize(static_cast<std::size_t>(keep));
}

void FarEndReference::read(std::int64_t from, std::span<std::int16_t> out) {
    QMutexLocker lock(&mutex_);
    const std::int64_t end = begin_ + static_cast<std::int64_t>(samples_.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::int64_t at = from + static_cast<std::int64_t>(i);
        out[i] = at >= begin_ && at < end ? samples_[static_cast<std::size_t>(at - begin_)] : 0;
    }
    const std::int64_t forget = std::min(from - kHistorySamples, end) - begin_;
    if (forget > 0) {
        samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(forget));
        begin_ += forget;
    }
}

std::size_t FarEndReference::held() const {
    QMutexLocker lock(&mutex_);
    return samples_.size();
}

}  // namespace prism::ui
