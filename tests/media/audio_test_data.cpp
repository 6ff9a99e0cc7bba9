#include "audio_test_data.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace prism::test {

std::vector<DecodedReference> decoded_references() {
    const auto path = audio_fixture("decoded_references.txt");
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path.string());
    std::vector<DecodedReference> references;
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        DecodedReference reference;
        fields >> reference.file >> reference.samples;
        double rms = 0;
        while (fields >> rms) reference.block_rms.push_back(rms);
        references.push_back(std::move(reference));
    }
    return references;
}

namespace {

template <typename T>
T read_le(std::istream& in) {
    T value{};
    in.read(reinterpret_cast<char*>(&value), sizeof value);  // the host is little-endian
    if (!in) throw std::runtime_error("mel reference ends early");
    return value;
}

}  // namespace

MelReference mel_reference(const std::string& clip, int n_mel) {
    const auto path = audio_fixture(clip + ".mel" + std::to_string(n_mel) + ".ref");
    std::ifstream in(path, std::ios::binary);
    char magic[8] = {};
    in.read(magic, sizeof magic);
    if (!in || std::string(magic, 8) != "PRISMMEL")
        throw std::runtime_error("bad " + path.string());
    MelReference reference;
    reference.n_mel = int(read_le<std::uint32_t>(in));
    const auto windows = read_le<std::uint32_t>(in);
    for (std::uint32_t w = 0; w < windows; ++w) {
        MelReferenceWindow window;
        window.content_frames = int(read_le<std::uint32_t>(in));
        window.tail_value = read_le<float>(in);
        for (int t = 0; t < window.content_frames; ++t)
            window.frame_mean.push_back(read_le<float>(in));
        const auto selected = read_le<std::uint32_t>(in);
        for (std::uint32_t i = 0; i < selected; ++i) {
            window.frames.push_back(int(read_le<std::uint32_t>(in)));
            std::vector<float> values(std::size_t(reference.n_mel));
            for (float& v : values) v = read_le<float>(in);
            window.values.push_back(std::move(values));
        }
        reference.windows.push_back(std::move(window));
    }
    return reference;
}

std::vector<double> block_rms(std::span<const float> samples) {
    constexpr std::size_t block = 1600;
    std::vector<double> out;
    for (std::size_t start = 0; start < samples.size(); start += block) {
        const std::size_t n = std::min(block, samples.size() - start);
        double sum = 0;
        for (std::size_t i = start; i < start + n; ++i) sum += double(samples[i]) * samples[i];
        out.push_back(std::sqrt(sum / double(n)));
    }
    return out;
}

std::vector<float> low_pass(std::span<const float> samples, double cutoff_hz) {
    constexpr int half = 128;
    const double pi = std::acos(-1.0);
    const double fc = cutoff_hz / 16000.0;
    std::vector<double> taps(2 * half + 1);
    double sum = 0;
    for (int n = -half; n <= half; ++n) {
        const double sinc = n == 0 ? 2 * fc : std::sin(2 * pi * fc * n) / (pi * n);
        const double hann = 0.5 + 0.5 * std::cos(pi * n / (half + 1));
        taps[std::size_t(n + half)] = sinc * hann;
        sum += sinc * hann;
    }
    std::vector<float> out(samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        double acc = 0;
        for (int n = -half; n <= half; ++n) {
            const long j = long(i) - n;
            if (j >= 0 && j < long(samples.size()))
                acc += taps[std::size_t(n + half)] * samples[std::size_t(j)];
        }
        out[i] = float(acc / sum);
    }
    return out;
}

namespace {

// Pearson correlation and least-squares gain of b[i + lag] against a[i], i in [begin, end).
Alignment compare_at(std::span<const float> a, std::span<const float> b, int lag, std::size_t begin,
                     std::size_t end) {
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    std::size_t n = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const long j = long(i) + lag;
        if (j < 0 || j >= long(b.size())) continue;
        const double x = a[i], y = b[std::size_t(j)];
        sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y;
        ++n;
    }
    if (n == 0) return {lag, -2, 0};
    const double cov = sab - sa * sb / double(n);
    const double va = saa - sa * sa / double(n), vb = sbb - sb * sb / double(n);
    if (va <= 0 || vb <= 0) return {lag, -2, 0};
    return {lag, cov / std::sqrt(va * vb), sab / saa};
}

}  // namespace

Alignment align(std::span<const float> a, std::span<const float> b, int max_lag) {
    // The lag is searched on 4000 samples from the middle of `a`, then measured over all of it.
    const std::size_t begin = a.size() > 4000 ? (a.size() - 4000) / 2 : 0;
    const std::size_t end = std::min(a.size(), begin + 4000);
    int best_lag = 0;
    double best = -2;
    for (int lag = -max_lag; lag <= max_lag; ++lag) {
        const double correlation = compare_at(a, b, lag, begin, end).correlation;
        if (correlation > best) best = correlation, best_lag = lag;
    }
    return compare_at(a, b, best_lag, 0, a.size());
}

}  // namespace prism::test
