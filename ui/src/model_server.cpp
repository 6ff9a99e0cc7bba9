#include "model_server.hpp"

#include <chrono>

#include "prism/session.hpp"
#include "prism_server/http_server.hpp"

namespace prism::ui {

ModelServer::ModelServer(Session& session, std::mutex& session_mutex, const QString& model_id,
                         const ServeSettings& settings) {
    server::ServerOptions options;
    options.host = settings.host.toStdString();
    options.port = settings.port;
    options.api_key = settings.api_key.toStdString();
    options.session_mutex = &session_mutex;
    server::ModelFeatures model;
    model.id = model_id.toStdString();
    model.vision = session.has_vision();
    server_ = std::make_unique<server::HttpServer>(session, std::move(model), std::move(options));
    const int port = server_->bind();
    // An IPv6 address goes in brackets in a URL.
    const QString host = settings.host.contains(':') ? '[' + settings.host + ']' : settings.host;
    url_ = QStringLiteral("http://%1:%2/v1").arg(host).arg(port);
    thread_ = std::thread([this] {
        server_->serve();
        ended_ = true;
    });
    // Until serve() runs, a stop() would not reach it and the destructor would wait forever.
    while (!server_->serving() && !ended_)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ModelServer::~ModelServer() {
    server_->stop();
    thread_.join();
    server_.reset();
}

}  // namespace prism::ui
