#include "prism_server/generation_queue.hpp"

#include <algorithm>

namespace prism::server {
namespace {

// The engine's errors as HTTP answers: a prompt too long for the context or a refused message
// is the client's to fix; a device failure is the server's.
ApiError api_error_of(const std::exception& e) {
    if (const auto* too_long = dynamic_cast<const PromptTooLong*>(&e)) {
        return bad_request("the messages need " + std::to_string(too_long->prompt_tokens()) +
                               " tokens; this model's context holds " +
                               std::to_string(too_long->n_ctx()),
                           "messages", "context_length_exceeded");
    }
    if (const auto* api = dynamic_cast<const ApiError*>(&e)) return *api;
    if (dynamic_cast<const GpuError*>(&e) != nullptr || dynamic_cast<const Error*>(&e) == nullptr)
        return ApiError(500, std::string("the model failed: ") + e.what());
    return bad_request(e.what());
}

}  // namespace

GenerationJob::Progress GenerationJob::next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return finished_ || !pending_.empty(); });
    Progress p;
    p.text.swap(pending_);
    p.finished = finished_;
    return p;
}

void GenerationJob::wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_; });
}

bool GenerationJob::cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

void GenerationJob::cancel() {
    {
        std::lock_guard lock(mutex_);
        if (cancelled_ || finished_) return;
        cancelled_ = true;
    }
    queue_.cancel(*this);
}

GenerationQueue::GenerationQueue(Session& session, std::size_t depth, std::mutex* session_mutex)
    : session_(session), depth_(depth), session_mutex_(session_mutex), worker_([this] { run(); }) {}

GenerationQueue::~GenerationQueue() {
    shutdown();
    worker_.join();
}

void GenerationQueue::shutdown() {
    std::deque<std::shared_ptr<GenerationJob>> left;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        left.swap(waiting_);
        if (running_holds_session_) stop_running();
    }
    wake_.notify_all();
    for (auto& job : left) {
        std::lock_guard lock(job->mutex_);
        job->error_ = ApiError(503, "the server is shutting down");
        job->finished_ = true;
        job->changed_.notify_all();
    }
}

std::shared_ptr<GenerationJob> GenerationQueue::submit(GenerationWork work, GenerateOptions options,
                                                       WorkStop stop) {
    std::shared_ptr<GenerationJob> job(
        new GenerationJob(*this, std::move(work), std::move(options), std::move(stop)));
    {
        std::lock_guard lock(mutex_);
        if (stopping_) throw ApiError(503, "the server is shutting down");
        if (waiting_.size() >= depth_) {
            ++counts_.refused;
            throw ApiError(503,
                           "the server is busy: " + std::to_string(waiting_.size()) +
                               " requests are waiting for the model; try again shortly",
                           {}, "server_busy");
        }
        waiting_.push_back(job);
    }
    wake_.notify_one();
    return job;
}

QueueCounts GenerationQueue::counts() const {
    std::lock_guard lock(mutex_);
    QueueCounts c = counts_;
    c.waiting = waiting_.size();
    c.running = running_ != nullptr;
    return c;
}

void GenerationQueue::cancel(GenerationJob& job) {
    bool removed = false;
    {
        std::lock_guard lock(mutex_);
        const auto it = std::find_if(waiting_.begin(), waiting_.end(),
                                     [&](const auto& j) { return j.get() == &job; });
        if (it != waiting_.end()) {
            waiting_.erase(it);
            removed = true;
            ++counts_.cancelled;
        } else if (running_ == &job && running_holds_session_) {
            // Under the lock, so that the cancel cannot reach the job after this one.
            stop_running();
        }
    }
    if (removed) {
        std::lock_guard lock(job.mutex_);
        job.finished_ = true;
        job.result_.stop = StopReason::cancelled;
        job.changed_.notify_all();
    }
}

void GenerationQueue::stop_running() {
    if (running_->stop_)
        running_->stop_();
    else
        session_.cancel();
}

void GenerationQueue::run() {
    for (;;) {
        std::shared_ptr<GenerationJob> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
            if (stopping_) return;
            job = std::move(waiting_.front());
            waiting_.pop_front();
            running_ = job.get();
        }
        execute(*job);
        {
            std::lock_guard lock(mutex_);
            running_ = nullptr;
            if (job->result_.stop == StopReason::cancelled ||
                job->result_.stop == StopReason::callback)
                ++counts_.cancelled;
            else
                ++counts_.completed;
        }
        std::lock_guard lock(job->mutex_);
        job->finished_ = true;
        job->changed_.notify_all();
    }
}

void GenerationQueue::execute(GenerationJob& job) {
    GenerateOptions options = job.options_;
    // The piece callback also stops a job whose cancel came before its generation began
    // (Session::generate clears a cancel raised earlier).
    options.on_piece = [&job](std::string_view piece) {
        std::lock_guard lock(job.mutex_);
        if (job.cancelled_) return false;
        job.pending_.append(piece);
        job.changed_.notify_all();
        return true;
    };
    std::unique_lock<std::mutex> host;
    if (session_mutex_ != nullptr) host = std::unique_lock(*session_mutex_);
    bool stopping = false;
    {
        std::lock_guard lock(mutex_);
        running_holds_session_ = true;
        stopping = stopping_;
    }
    GenerateResult result;
    std::optional<ApiError> error;
    // A cancel (or the server's stop) that came while the job waited for the host's turn did
    // not reach the Session.
    if (stopping || job.cancelled()) {
        result.stop = StopReason::cancelled;
    } else {
        try {
            result = job.work_(session_, options);
        } catch (const std::exception& e) {
            error = api_error_of(e);
        }
    }
    {
        std::lock_guard lock(mutex_);
        running_holds_session_ = false;
    }
    host = {};
    std::lock_guard lock(job.mutex_);
    job.result_ = std::move(result);
    job.error_ = std::move(error);
}

}  // namespace prism::server
