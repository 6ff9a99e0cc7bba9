#pragma once

// The app's loaded model served over OpenAI's HTTP API (Settings > Serve the loaded model):
// prism-server's library on the app's own Session, its requests taking turns with the app's
// chat through the session mutex. Lives on the engine thread beside the Session it serves and
// is stopped before that Session is unloaded.

#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace prism {
class Session;
namespace server {
class HttpServer;
}
}  // namespace prism

namespace prism::ui {

struct ServeSettings {
    bool enabled = false;
    QString host = QStringLiteral("127.0.0.1");
    int port = 8080;  // 0: any free port
    QString api_key;  // empty: none required
};

class ModelServer {
  public:
    // Binds host:port and starts serving `model_id` on a thread of its own; throws prism::Error
    // naming the address when it cannot listen.
    ModelServer(Session& session, std::mutex& session_mutex, const QString& model_id,
                const ServeSettings& settings);
    // Stops accepting, ends the requests in flight and joins.
    ~ModelServer();
    ModelServer(const ModelServer&) = delete;
    ModelServer& operator=(const ModelServer&) = delete;

    // "http://127.0.0.1:8080/v1": what a client's base URL is.
    QString url() const { return url_; }

  private:
    std::unique_ptr<server::HttpServer> server_;
    std::thread thread_;
    std::atomic<bool> ended_{false};
    QString url_;
};

}  // namespace prism::ui
