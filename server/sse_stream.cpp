#include "sse_stream.hpp"

#include <chrono>
#include <string>

namespace prism::server {
namespace {

std::string event(const nlohmann::json& data) {
    return "data: " + dump(data) + "\n\n";
}

struct StreamState {
    std::shared_ptr<GenerationJob> job;
    ResponseHeader header;
    bool include_usage = false;
    bool started = false;

    // One step of the stream: false ends the connection (the client is gone, or all is sent).
    bool step(httplib::DataSink& sink) {
        const auto write = [&](const std::string& text) {
            if (sink.write(text.data(), text.size())) return true;
            job->cancel();
            return false;
        };
        if (!started) {
            started = true;
            if (header.endpoint == Endpoint::chat &&
                !write(event(stream_chunk(header, {}, nullptr, true))))
                return false;
        }
        const GenerationJob::Progress p = job->next(std::chrono::seconds(1));
        if (!p.text.empty()) {
            if (!write(event(stream_chunk(header, p.text)))) return false;
        } else if (!p.finished) {
            // Nothing new for a second: a comment, which clients ignore, tells whether the
            // client is still there.
            return write(": waiting\n\n");
        }
        if (!p.finished) return true;
        if (job->error()) {
            write(event({{"error", nlohmann::json::parse(job->error()->body())["error"]}}));
        } else {
            const GenerateResult& r = job->result();
            if (!write(event(stream_chunk(header, {}, finish_reason(r.stop))))) return false;
            if (include_usage && !write(event(usage_chunk(header, r)))) return false;
            if (!write("data: [DONE]\n\n")) return false;
        }
        sink.done();
        return true;
    }
};

}  // namespace

void start_sse_stream(httplib::Response& res, std::shared_ptr<GenerationJob> job,
                      const ResponseHeader& header, bool include_usage) {
    auto state = std::make_shared<StreamState>();
    state->job = job;
    state->header = header;
    state->include_usage = include_usage;
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [state](std::size_t, httplib::DataSink& sink) { return state->step(sink); },
        // A stream that did not end normally (the connection broke) cancels its job.
        [job](bool success) {
            if (!success) job->cancel();
        });
}

}  // namespace prism::server
