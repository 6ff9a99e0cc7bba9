#pragma once

// The OpenAI-compatible HTTP API over one loaded Session (cpp-httplib, one thread per
// connection from a bounded pool; the GPU work goes through one GenerationQueue):
//
//   GET  /health                    {"status":"ok"} and the queue's counts
//   GET  /v1/models, /v1/models/ID  the loaded model
//   POST /v1/chat/completions       messages with text, data-URL images, input_audio; SSE or not
//   POST /v1/completions            plain text completion; SSE or not
//   POST /v1/audio/transcriptions   multipart upload, when a Transcriber is set
//
// With an API key every route needs "Authorization: Bearer KEY". CORS headers are sent only
// for the configured origin.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "prism/session.hpp"
#include "prism_server/requests.hpp"
#include "prism_server/server_limits.hpp"
#include "prism_server/transcriber.hpp"

namespace prism::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port (bind() returns it)
    std::string api_key;
    // An origin allowed to call from a browser ("*" for any); empty: no CORS headers at all.
    std::string cors_origin;
    ServerLimits limits;
    std::optional<Transcriber> transcriber;
    // Held while a request uses the Session, when the host uses the Session too (the desktop
    // app serving its loaded model); must outlive the server.
    std::mutex* session_mutex = nullptr;
};

class HttpServer {
  public:
    HttpServer(Session& session, ModelFeatures model, ServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds the listening socket; Error naming the address when it cannot. Returns the port.
    int bind();
    // Serves until stop(); returns false when listening failed.
    bool serve();
    // Whether serve() is accepting connections (a stop() before that would be missed).
    bool serving() const;
    // Any thread (a signal handler's watcher): stops accepting and ends serve().
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace prism::server
