#pragma once

// One model, many clients: every request's GPU work runs on one worker thread that owns the
// Session, one request at a time, in the order they arrived (first come, first served, so no
// client can overtake another). At most `depth` requests wait; submit() refuses more with a
// 503. A cancelled request leaves the queue at once, or stops the generation it is in (after
// the current token or prefill piece). The Session keeps the longest common prefix of its KV
// cache, so a client's next turn, when no other request came between, reuses it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "prism/session.hpp"
#include "prism_server/api_error.hpp"

namespace prism::server {

class GenerationQueue;

// The work of one request: fill the session's conversation and generate, with these options
// (their on_piece feeds the job).
using GenerationWork = std::function<GenerateResult(Session&, const GenerateOptions&)>;
// Stops a job's work while it runs, for work that is not the Session's generation (a
// transcription): called instead of Session::cancel.
using WorkStop = std::function<void()>;

class GenerationJob {
  public:
    // What a waiting HTTP thread gets: the text produced since its last call, and whether the
    // job has ended (then result() or error() says how).
    struct Progress {
        std::string text;
        bool finished = false;
    };

    // Waits up to `timeout` for new text or the end.
    Progress next(std::chrono::milliseconds timeout);
    // Waits for the end.
    void wait();
    // Once finished: the result, or the error that ended it (nullopt when it succeeded).
    const GenerateResult& result() const { return result_; }
    const std::optional<ApiError>& error() const { return error_; }
    bool cancelled() const;

    // The client went away: leave the queue, or stop generating. Any thread, any time.
    void cancel();

  private:
    friend class GenerationQueue;
    GenerationJob(GenerationQueue& queue, GenerationWork work, GenerateOptions options,
                  WorkStop stop)
        : queue_(queue),
          work_(std::move(work)),
          options_(std::move(options)),
          stop_(std::move(stop)) {}

    GenerationQueue& queue_;
    GenerationWork work_;
    GenerateOptions options_;
    WorkStop stop_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string pending_;
    bool finished_ = false;
    bool cancelled_ = false;
    GenerateResult result_;
    std::optional<ApiError> error_;
};

struct QueueCounts {
    std::size_t waiting = 0;
    bool running = false;
    std::uint64_t completed = 0;
    std::uint64_t cancelled = 0;  // ended by their client (in the queue or while generating)
    std::uint64_t refused = 0;    // turned away because the queue was full
};

class GenerationQueue {
  public:
    // `session_mutex`, when given, is held while a job uses the Session, so that a host that
    // also uses it (the desktop app serving its loaded model) takes turns with the server.
    GenerationQueue(Session& session, std::size_t depth, std::mutex* session_mutex = nullptr);
    // Fails the waiting jobs, stops the running one and joins the worker.
    ~GenerationQueue();
    GenerationQueue(const GenerationQueue&) = delete;
    GenerationQueue& operator=(const GenerationQueue&) = delete;

    // Queues the work; ApiError 503 when `depth` requests already wait. `stop`, when given,
    // is how a cancel or the server's stop reaches the work while it runs.
    std::shared_ptr<GenerationJob> submit(GenerationWork work, GenerateOptions options,
                                          WorkStop stop = {});

    QueueCounts counts() const;

    // Fails the waiting jobs and stops the running one (their HTTP threads then answer 503 or
    // end their streams); later submits get 503. Any thread.
    void shutdown();

  private:
    friend class GenerationJob;
    void run();
    void execute(GenerationJob& job);
    void cancel(GenerationJob& job);
    // Stops the running job's work; under mutex_, with running_holds_session_.
    void stop_running();

    Session& session_;
    const std::size_t depth_;
    std::mutex* session_mutex_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<GenerationJob>> waiting_;
    GenerationJob* running_ = nullptr;
    // The running job holds the Session (and the host's mutex): only then may a cancel reach
    // Session::cancel, which would otherwise stop the host's own generation.
    bool running_holds_session_ = false;
    bool stopping_ = false;
    QueueCounts counts_;
    std::thread worker_;
};

}  // namespace prism::server
