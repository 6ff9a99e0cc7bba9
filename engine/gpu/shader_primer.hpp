#pragma once

#include <vulkan/vulkan.h>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "prism/gpu/device_info.hpp"

namespace prism::gpu {

// Some drivers compile a shader when a dispatch first runs it, not when its pipeline is made
// (lavapipe runs LLVM then). A recording's new pipelines then compile one after the other on
// the driver's one queue thread when it is submitted, and that is most of a cold start.
//
// The primer compiles them ahead and in parallel. Each worker thread owns a logical device of
// its own on the same physical device and dispatches every pipeline it is given with zero
// workgroups, which compiles the shader without running it; the driver keeps the result in
// its on-disk shader cache, where the context's own first dispatch finds it.
//
// Priming a shader the driver already holds costs more than it saves (the driver still
// translates it before it finds the build), so a record of what was primed, per driver build,
// is kept beside the pipeline cache, and what it lists is not primed again.
class ShaderPrimer {
  public:
    struct Stats {
        std::uint32_t primed = 0;  // compiled on a worker
        std::uint32_t failed = 0;  // left to the context's first dispatch
        double seconds = 0;        // worker time spent compiling
    };

    using Clock = std::chrono::steady_clock;

    // `record`: the file of primed shaders (none when empty); `driver`: what names the driver
    // build (its pipeline cache UUID), so that a record another build made is not trusted.
    ShaderPrimer(VkPhysicalDevice physical, const DeviceInfo& info, unsigned workers,
                 std::filesystem::path record, std::string driver);
    // Stops the workers (pipelines not yet primed compile at their first dispatch as usual)
    // and saves the record.
    ~ShaderPrimer();
    ShaderPrimer(const ShaderPrimer&) = delete;
    ShaderPrimer& operator=(const ShaderPrimer&) = delete;

    // Queues a pipeline by its table key; a key already queued or primed, or one the record
    // lists, is ignored. `later`: a pipeline not needed yet, primed only after a submission
    // with new pipelines has run, when nothing else is queued and none has run for 0.5 s.
    void add(const std::string& key, std::string_view shader, std::span<const std::uint32_t> spec,
             bool later = false);
    // Keeps the workers to `keys` (for the life of the Hold) while the context's queue runs,
    // since they would take cores from it: a worker starts no other pipeline meanwhile.
    class Hold {
      public:
        Hold(ShaderPrimer* primer, bool ran_new) : primer_(primer), ran_new_(ran_new) {}
        Hold(Hold&& o) noexcept
            : primer_(std::exchange(o.primer_, nullptr)), ran_new_(o.ran_new_) {}
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        Hold& operator=(Hold&&) = delete;
        ~Hold() {
            if (primer_) primer_->release(ran_new_);
        }

      private:
        ShaderPrimer* primer_;
        bool ran_new_;  // the submission ran pipelines new to the context
    };
    // Moves those of `keys` still queued to the front and returns, holding the workers, once
    // none of them is queued or compiling. Keys never added return at once. `ran_new`: the
    // submission runs pipelines that have never run (the first answer).
    [[nodiscard]] Hold await(std::span<const std::string> keys, bool ran_new);
    Stats stats() const;
    // Whether the driver's cache holds the pipeline's build: primed here, or recorded.
    bool built(std::string_view key) const;
    // Writes the record when something was primed since it was read or written.
    void save();
    // A record that could not be read or saved, one sentence each (also on stderr).
    std::vector<std::string> warnings() const;

  private:
    enum class State { queued, compiling, done };
    struct Entry {
        State state = State::queued;
        bool built = false;
        Clock::time_point readable;  // when done
        std::string shader;
        std::vector<std::uint32_t> spec;
    };
    void work();
    void abandon_queue();  // with mutex_ held
    void release(bool ran_new);
    void load_record();
    void warn(const std::string& warning);  // with mutex_ held

    VkPhysicalDevice physical_;
    DeviceInfo info_;
    mutable std::mutex mutex_;
    std::condition_variable queued_, finished_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::deque<std::string> queue_, later_;
    unsigned live_workers_ = 0;
    unsigned holds_ = 0;
    bool released_ = false;  // a submission with new pipelines has run: the first answer is out
    Clock::time_point last_release_{};
    std::multiset<std::string, std::less<>> wanted_;  // keys awaited now
    bool stopping_ = false;
    Stats stats_;
    std::filesystem::path record_;
    std::string driver_;
    std::set<std::string, std::less<>> recorded_;
    bool record_changed_ = false;
    std::vector<std::string> warnings_;
    std::vector<std::thread> workers_;
};

// Whether a context on this device should prime its pipelines: CPU implementations compile at
// the first dispatch, and Mesa's shader cache must be on for the result to be shared.
// PRISM_SHADER_PRIMER=0 turns it off, =1 on for any device.
bool wants_shader_primer(const DeviceInfo& info);

}  // namespace prism::gpu
