#include "prism_server/http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>

#include <httplib.h>

#include "client_connection.hpp"
#include "openai_json.hpp"
#include "prism/error.hpp"
#include "prism_server/api_error.hpp"
#include "prism_server/generation_queue.hpp"
#include "sse_stream.hpp"

namespace prism::server {
namespace {

using nlohmann::json;

void send_error(httplib::Response& res, const ApiError& error) {
    res.status = error.status();
    if (error.status() == 503) res.set_header("Retry-After", "1");
    res.set_content(error.body(), "application/json");
}

void send_json(httplib::Response& res, const json& body) {
    res.status = 200;
    res.set_content(dump(body), "application/json");
}

// Compares without an early exit, so that the time taken says nothing about the key.
bool same_secret(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

const char* status_words(int status) {
    switch (status) {
        case 400:
            return "the request is malformed";
        case 404:
            return "no such route";
        case 405:
            return "method not allowed on this route";
        case 413:
            return "the request body is too large";
        case 414:
            return "the request URI is too long";
        case 431:
            return "the request headers are too large";
        default:
            return "the request failed";
    }
}

GenerateOptions generate_options(const GenerationRequest& r) {
    GenerateOptions o;
    o.sampling = r.sampling;
    o.stop = r.stop;
    o.max_tokens = r.max_tokens;
    return o;
}

// The session refuses what its model cannot take (sound without an audio encoder) in its own
// words; the client gets them as a 400 naming the message.
void add_message(Session& session, const InputMessage& message, std::size_t index) {
    try {
        session.add_message(message.role, message.parts);
    } catch (const GpuError&) {
        throw;
    } catch (const Error& e) {
        const bool sound = std::any_of(message.parts.begin(), message.parts.end(),
                                       [](const MessagePart& p) { return p.is_audio(); });
        throw bad_request(e.what(), "messages[" + std::to_string(index) + "]",
                          sound ? "model_without_audio" : "");
    }
}

// The status logged for a request whose client left before its answer (nginx's "client closed
// request"); nobody receives it.
constexpr int kClientLeft = 499;

// Waits for the job to end, polling the client; false (with the job cancelled) when the client
// left first, so that nobody's request holds the model for an answer no one will read. `left`,
// when given, is set before the cancel.
bool wait_while_client_waits(GenerationJob& job, const httplib::Request& req,
                             std::atomic<bool>* left = nullptr) {
    const auto client = ClientConnection::find(req.remote_addr, req.remote_port, req.local_port);
    if (!client) {
        job.wait();
        return true;
    }
    while (!job.next(std::chrono::milliseconds(100)).finished) {
        if (client->gone()) {
            if (left != nullptr) *left = true;
            job.cancel();
            return false;
        }
    }
    return true;
}

}  // namespace

struct HttpServer::Impl {
    Session& session;
    ModelFeatures model;
    ServerOptions options;
    GenerationQueue queue;
    httplib::Server http;
    std::int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();

    Impl(Session& s, ModelFeatures m, ServerOptions o)
        : session(s),
          model(std::move(m)),
          options(std::move(o)),
          queue(s, options.limits.queue_depth, options.session_mutex) {
        configure();
        routes();
    }

    void configure();
    void routes();
    void add_cors(const httplib::Request& req, httplib::Response& res) const;
    httplib::Server::HandlerResponse before_route(const httplib::Request& req,
                                                  httplib::Response& res) const;
    void generate(const GenerationRequest& request, Endpoint endpoint, GenerationWork work,
                  const httplib::Request& req, httplib::Response& res);
    void transcribe(const httplib::Request& req, httplib::Response& res);
};

void HttpServer::Impl::configure() {
    // Enough connection threads for every request the queue can hold, the one generating, and
    // a few quick ones (health, model list); further connections wait for a thread.
    const std::size_t threads = options.limits.queue_depth + 8;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(options.limits.max_body_bytes);
    // cpp-httplib's default sets SO_REUSEPORT, which lets a second server bind the same port
    // and take half its connections; SO_REUSEADDR alone allows a quick restart and nothing more.
    http.set_socket_options([](int sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        return before_route(req, res);
    });
    // httplib's own refusals (unknown route, body too large, bad request line) get OpenAI's
    // error shape too; a route's answer already has its body.
    http.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            const std::string code = res.status == 404 ? "unknown_url" : "";
            send_error(res, ApiError(res.status, status_words(res.status), {}, code));
            return httplib::Server::HandlerResponse::Handled;
        }));
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                send_error(res, ApiError(500, std::string("internal error: ") + e.what()));
            } catch (...) {
                send_error(res, ApiError(500, "internal error"));
            }
        });
    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::fprintf(stderr, "%s %s %d\n", req.method.c_str(), req.path.c_str(), res.status);
    });
}

void HttpServer::Impl::add_cors(const httplib::Request& req, httplib::Response& res) const {
    const std::string& allowed = options.cors_origin;
    if (allowed.empty()) return;
    const std::string origin = req.get_header_value("Origin");
    if (allowed != "*" && origin != allowed) return;
    res.set_header("Access-Control-Allow-Origin", allowed == "*" ? "*" : origin);
    res.set_header("Vary", "Origin");
}

httplib::Server::HandlerResponse HttpServer::Impl::before_route(const httplib::Request& req,
                                                                httplib::Response& res) const {
    add_cors(req, res);
    if (req.method == "OPTIONS") {  // a browser's preflight carries no credentials
        if (!options.cors_origin.empty()) {
            res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        }
        res.status = 204;
        return httplib::Server::HandlerResponse::Handled;
    }
    if (options.api_key.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string auth = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (auth.starts_with(prefix) && same_secret(auth.substr(prefix.size()), options.api_key))
        return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, ApiError(401,
                             auth.empty() ? "missing API key: send Authorization: Bearer KEY"
                                          : "incorrect API key",
                             {}, "invalid_api_key"));
    return httplib::Server::HandlerResponse::Handled;
}

void HttpServer::Impl::generate(const GenerationRequest& request, Endpoint endpoint,
                                GenerationWork work, const httplib::Request& req,
                                httplib::Response& res) {
    auto job = queue.submit(std::move(work), generate_options(request));
    const ResponseHeader header = new_response_header(endpoint, model.id);
    if (request.stream) {
        start_sse_stream(res, job, header, request.include_usage);
        return;
    }
    if (!wait_while_client_waits(*job, req)) {
        res.status = kClientLeft;
        return;
    }
    if (job->error()) throw *job->error();
    send_json(res, full_response(header, job->result()));
}

void HttpServer::Impl::routes() {
    // Each route answers an ApiError in OpenAI's shape; anything else is the exception
    // handler's 500.
    const auto guarded = [](auto handler) {
        return [handler](const httplib::Request& req, httplib::Response& res) {
            try {
                handler(req, res);
            } catch (const ApiError& e) {
                send_error(res, e);
            }
        };
    };
    http.Get("/health", guarded([this](const httplib::Request&, httplib::Response& res) {
                 const QueueCounts c = queue.counts();
                 send_json(res, {{"status", "ok"},
                                 {"model", model.id},
                                 {"requests_waiting", c.waiting},
                                 {"requests_running", c.running ? 1 : 0},
                                 {"requests_completed", c.completed},
                                 {"requests_cancelled", c.cancelled},
                                 {"requests_refused", c.refused}});
             }));
    http.Get("/v1/models", guarded([this](const httplib::Request&, httplib::Response& res) {
                 json data = json::array({model_json(model.id, created)});
                 if (options.transcriber)
                     data.push_back(model_json(options.transcriber->model_id, created));
                 send_json(res, {{"object", "list"}, {"data", std::move(data)}});
             }));
    http.Get(
        R"(/v1/models/(.+))", guarded([this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = req.matches[1];
            if (id != model.id && !(options.transcriber && id == options.transcriber->model_id))
                throw ApiError(404, "the model '" + id + "' does not exist", "model",
                               "model_not_found");
            send_json(res, model_json(id, created));
        }));
    http.Post("/v1/chat/completions",
              guarded([this](const httplib::Request& req, httplib::Response& res) {
                  ChatRequest r = parse_chat_request(parse_body(req.body), model, options.limits);
                  auto messages =
                      std::make_shared<const std::vector<InputMessage>>(std::move(r.messages));
                  generate(
                      r.generation, Endpoint::chat,
                      [messages](Session& s, const GenerateOptions& o) {
                          s.clear_messages();
                          for (std::size_t i = 0; i < messages->size(); ++i)
                              add_message(s, (*messages)[i], i);
                          return s.generate(o);
                      },
                      req, res);
              }));
    http.Post("/v1/completions",
              guarded([this](const httplib::Request& req, httplib::Response& res) {
                  CompletionRequest r =
                      parse_completion_request(parse_body(req.body), model, options.limits);
                  generate(
                      r.generation, Endpoint::completion,
                      [prompt = std::move(r.prompt)](Session& s, const GenerateOptions& o) {
                          return s.generate_raw(prompt, o);
                      },
                      req, res);
              }));
    http.Post("/v1/audio/transcriptions",
              guarded([this](const httplib::Request& req, httplib::Response& res) {
                  transcribe(req, res);
              }));
}

void HttpServer::Impl::transcribe(const httplib::Request& req, httplib::Response& res) {
    if (!options.transcriber)
        throw bad_request(
            "this server has no speech recognition model loaded (start it with --whisper)", "model",
            "no_speech_model");
    if (!req.is_multipart_form_data())
        throw bad_request("send the audio as multipart/form-data with a 'file' field", "file");
    std::map<std::string, std::string> form;
    for (const auto& [name, part] : req.files) form.emplace(name, part.content);
    auto request = std::make_shared<const TranscriptionRequest>(
        parse_transcription_request(form, options.transcriber->model_id, options.limits));
    auto transcript = std::make_shared<Transcript>();
    auto client_left = std::make_shared<std::atomic<bool>>(false);
    const auto& transcriber = *options.transcriber;
    auto job = queue.submit(
        [request, transcript, client_left, transcribe = transcriber.transcribe,
         cancel = transcriber.cancel](Session&, const GenerateOptions&) {
            TranscribeCallbacks callbacks;
            // A cancel that came as the job started, before transcribe() cleared the flag, is
            // repeated after the next window.
            callbacks.progress = [client_left, cancel](double, double) {
                if (*client_left && cancel) cancel();
            };
            *transcript = transcribe(request->audio.samples, request->options, callbacks);
            GenerateResult r;
            r.stop = transcript->cancelled ? StopReason::cancelled : StopReason::end_of_generation;
            return r;
        },
        {},
        [cancel = transcriber.cancel] {
            if (cancel) cancel();
        });
    if (!wait_while_client_waits(*job, req, client_left.get())) {
        res.status = kClientLeft;
        return;
    }
    if (job->error()) throw *job->error();
    // Only the server's stop cancels a transcription whose client still waits: a cut transcript
    // is no answer.
    if (job->result().stop == StopReason::cancelled)
        throw ApiError(503, "the server is shutting down");
    const TranscriptionResponse out =
        render_transcription(*transcript, request->format, request->audio.duration_seconds());
    res.status = 200;
    res.set_content(out.body, out.content_type);
}

HttpServer::HttpServer(Session& session, ModelFeatures model, ServerOptions options)
    : impl_(std::make_unique<Impl>(session, std::move(model), std::move(options))) {}

HttpServer::~HttpServer() {
    impl_->http.stop();
}

int HttpServer::bind() {
    const auto& o = impl_->options;
    int port = o.port;
    if (port == 0)
        port = impl_->http.bind_to_any_port(o.host);
    else if (!impl_->http.bind_to_port(o.host, port))
        port = -1;
    if (port <= 0)
        throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                    " (address in use, or not an address of this machine)");
    return port;
}

bool HttpServer::serve() {
    return impl_->http.listen_after_bind();
}

bool HttpServer::serving() const {
    return impl_->http.is_running();
}

void HttpServer::stop() {
    impl_->http.stop();
    // Connection threads waiting for an answer are let go, so that serve() can return.
    impl_->queue.shutdown();
    if (impl_->options.transcriber && impl_->options.transcriber->cancel)
        impl_->options.transcriber->cancel();
}

}  // namespace prism::server
