#include "prism/vad/voice_activity_detector.hpp"

#include <algorithm>

#include "prism/error.hpp"
#include "prism/regular_file.hpp"
#include "vad/silero_network.hpp"
#include "vad/silero_weights.hpp"

namespace prism::vad {
namespace {

static_assert(window_samples == kWindowSamples);

// A real file is 885 KB; anything far larger is not one, and is refused before it is read.
constexpr std::uint64_t kMaxFileBytes = 16u << 20;

}  // namespace

VoiceActivityDetector::VoiceActivityDetector(std::shared_ptr<const SileroWeights> weights)
    : weights_(std::move(weights)),
      state_(std::make_unique<SileroState>()),
      scratch_(std::make_unique<SileroScratch>()) {
    partial_.reserve(kWindowSamples);
}

VoiceActivityDetector VoiceActivityDetector::load(const std::filesystem::path& path) {
    const std::vector<std::uint8_t> bytes = read_regular_file(path, kMaxFileBytes);
    return from_bytes(bytes, path.string());
}

VoiceActivityDetector VoiceActivityDetector::from_bytes(std::span<const std::uint8_t> bytes,
                                                        std::string_view name) {
    if (bytes.empty()) throw FormatError(std::string(name) + ": empty file");
    return VoiceActivityDetector(
        std::make_shared<const SileroWeights>(read_silero_weights(bytes, name)));
}

VoiceActivityDetector::VoiceActivityDetector(const VoiceActivityDetector& other)
    : weights_(other.weights_),
      state_(std::make_unique<SileroState>(*other.state_)),
      scratch_(std::make_unique<SileroScratch>()),
      partial_(other.partial_),
      pushed_(other.pushed_) {}

VoiceActivityDetector& VoiceActivityDetector::operator=(const VoiceActivityDetector& other) {
    if (this != &other) *this = VoiceActivityDetector(other);
    return *this;
}

VoiceActivityDetector::VoiceActivityDetector(VoiceActivityDetector&&) noexcept = default;
VoiceActivityDetector& VoiceActivityDetector::operator=(VoiceActivityDetector&&) noexcept = default;
VoiceActivityDetector::~VoiceActivityDetector() = default;

const std::string& VoiceActivityDetector::version() const {
    return weights_->version;
}

std::vector<float> VoiceActivityDetector::probabilities(std::span<const float> samples) const {
    SileroState state;
    SileroScratch scratch;
    std::vector<float> out;
    out.reserve((samples.size() + kWindowSamples - 1) / kWindowSamples);
    std::array<float, kWindowSamples> window{};
    for (std::size_t at = 0; at < samples.size(); at += kWindowSamples) {
        const std::size_t n = std::min<std::size_t>(kWindowSamples, samples.size() - at);
        std::fill(std::copy_n(samples.begin() + static_cast<std::ptrdiff_t>(at), n, window.begin()),
                  window.end(), 0.0f);
        out.push_back(silero_window(*weights_, window, state, scratch));
    }
    return out;
}

std::vector<float> VoiceActivityDetector::push(std::span<const float> samples) {
    std::vector<float> out;
    pushed_ += static_cast<std::int64_t>(samples.size());
    while (!samples.empty()) {
        const std::size_t take =
            std::min<std::size_t>(kWindowSamples - partial_.size(), samples.size());
        partial_.insert(partial_.end(), samples.begin(),
                        samples.begin() + static_cast<std::ptrdiff_t>(take));
        samples = samples.subspan(take);
        if (partial_.size() == kWindowSamples) {
            out.push_back(silero_window(*weights_, std::span<const float, kWindowSamples>(partial_),
                                        *state_, *scratch_));
            partial_.clear();
        }
    }
    return out;
}

std::vector<float> VoiceActivityDetector::finish() {
    std::vector<float> out;
    if (!partial_.empty()) {
        partial_.resize(kWindowSamples, 0.0f);
        out.push_back(silero_window(*weights_, std::span<const float, kWindowSamples>(partial_),
                                    *state_, *scratch_));
    }
    reset();
    return out;
}

void VoiceActivityDetector::reset() {
    *state_ = SileroState{};
    partial_.clear();
    pushed_ = 0;
}

}  // namespace prism::vad
