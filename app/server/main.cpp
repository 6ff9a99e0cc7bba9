// prism-server: one model behind OpenAI's HTTP API (see prism_server/http_server.hpp).

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/number_flags.hpp"
#include "common/standard_streams.hpp"
#include "prism/error.hpp"
#include "prism/session.hpp"
#include "prism/transcriber.hpp"
#include "prism_server/http_server.hpp"

namespace {

using prism::Error;

void usage(std::FILE* to) {
    std::fputs(
        "usage: prism-server -m MODEL.gguf [options]\n"
        "\n"
        "Serves the model over OpenAI's HTTP API: /v1/chat/completions, /v1/completions,\n"
        "/v1/models, /v1/audio/transcriptions, /health.\n"
        "\n"
        "  -m, --model FILE     the text model (GGUF)\n"
        "  --mmproj FILE        its vision encoder (llama.cpp's mmproj GGUF)\n"
        "  --whisper FILE       a Whisper GGUF for /v1/audio/transcriptions (its name in the API:\n"
        "                       the file name without .gguf)\n"
        "  --alias NAME         the model's name in the API (default: the file name without\n"
        "                       .gguf)\n"
        "  --host ADDRESS       address to listen on (default 127.0.0.1: this machine only)\n"
        "  --port N             port (default 8080; 0 picks a free one)\n"
        "  --api-key KEY        require \"Authorization: Bearer KEY\" on every route (default:\n"
        "                       the PRISM_SERVER_API_KEY environment variable, else none)\n"
        "  --cors ORIGIN        allow browsers from ORIGIN (or *) to call the API (default: no)\n"
        "  --queue N            requests that may wait for the model (default 16); more get 503\n"
        "  --max-tokens N       the most tokens one answer may have (default 4096)\n"
        "  -c, --ctx-size N     context size (default: the model's, at most 4096)\n"
        "  --device D           Vulkan device index or name\n"
        "\n"
        "Caps per request: body 32 MiB, 512 messages, 8 images of at most 16 MiB and 4096x4096\n"
        "pixels, sound (input_audio, or a transcription's upload) of at most 25 MiB and 10\n"
        "minutes, 4 stop strings of 256 bytes.\n"
        "exit status: 0 stopped by SIGINT/SIGTERM, 1 failed (one line on stderr says why),\n"
        "2 bad usage\n",
        to);
}

struct Flags {
    std::filesystem::path model, mmproj, whisper;
    std::string alias;
    prism::SessionOptions session;
    prism::server::ServerOptions server;
};

Flags parse_flags(const std::vector<std::string>& args) {
    Flags f;
    if (const char* key = std::getenv("PRISM_SERVER_API_KEY")) f.server.api_key = key;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw Error(a + ": needs a value");
            return args[++i];
        };
        using prism::app::integer_flag;
        if (a == "-m" || a == "--model") {
            f.model = value();
        } else if (a == "--mmproj") {
            f.session.mmproj = value();
        } else if (a == "--whisper") {
            f.whisper = value();
        } else if (a == "--alias") {
            f.alias = value();
        } else if (a == "--host") {
            f.server.host = value();
        } else if (a == "--port") {
            f.server.port = static_cast<int>(integer_flag(a, value()));
        } else if (a == "--api-key") {
            f.server.api_key = value();
        } else if (a == "--cors") {
            f.server.cors_origin = value();
        } else if (a == "--queue") {
            f.server.limits.queue_depth = static_cast<std::size_t>(integer_flag(a, value()));
        } else if (a == "--max-tokens") {
            f.server.limits.max_tokens = integer_flag(a, value());
        } else if (a == "-c" || a == "--ctx-size") {
            f.session.n_ctx = integer_flag(a, value());
        } else if (a == "--device") {
            f.session.device = value();
        } else {
            throw Error("unknown option '" + a + "' (see prism-server --help)");
        }
    }
    if (f.model.empty()) throw Error("-m MODEL.gguf is required (see prism-server --help)");
    if (f.alias.empty()) f.alias = f.model.stem().string();
    return f;
}

int serve(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    for (const auto& a : args) {
        if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        }
    }
    Flags flags;
    try {
        flags = parse_flags(args);
    } catch (const Error& e) {
        std::fprintf(stderr, "prism-server: %s\n", e.what());
        return 2;
    }
    try {
        // Every thread started from here on inherits the blocked signals; one thread waits for
        // them and stops the server, so that a stop never runs inside a signal handler.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

        prism::Session session = prism::Session::load(flags.model, flags.session);
        if (!session.context_warning().empty())
            std::fprintf(stderr, "prism-server: %s\n", session.context_warning().c_str());
        prism::server::ModelFeatures features;
        features.id = flags.alias;
        features.vision = session.has_vision();
        // The speech model loads after the text model, so a bad text model fails first; both
        // are loaded before the port opens, so a client never meets a half-ready server.
        std::unique_ptr<prism::Transcriber> whisper;
        if (!flags.whisper.empty()) {
            whisper = std::make_unique<prism::Transcriber>(
                flags.whisper, prism::TranscriberOptions{.device = flags.session.device});
            flags.server.transcriber = prism::server::Transcriber{
                flags.whisper.stem().string(),
                [&whisper](std::span<const float> samples, const prism::TranscribeOptions& o,
                           const prism::TranscribeCallbacks& callbacks) {
                    return whisper->transcribe(samples, o, callbacks);
                },
                [&whisper] { whisper->cancel(); }};
        }
        prism::server::HttpServer server(session, features, flags.server);
        const int port = server.bind();
        std::thread watcher([&] {
            int signal = 0;
            sigwait(&stop_signals, &signal);
            server.stop();
        });
        prism::app::write_stdout_or_throw(
            "prism-server: serving '" + features.id + "'" +
            (whisper ? " and '" + flags.server.transcriber->model_id + "'" : "") + " (" +
            std::string(session.device_name()) + ", context " + std::to_string(session.n_ctx()) +
            ") on http://" + flags.server.host + ":" + std::to_string(port) +
            (flags.server.api_key.empty() ? "" : " (API key required)") + "\n");
        const bool ok = server.serve();
        if (!ok) {
            // The watcher still waits: wake it so that it can be joined.
            pthread_kill(watcher.native_handle(), SIGTERM);
        }
        watcher.join();
        if (!ok) throw Error("the server stopped listening on its own");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "prism-server: %s\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    return prism::app::main_with_checked_output("prism-server", argc, argv, serve);
}
