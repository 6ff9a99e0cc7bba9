#include "engine_worker.hpp"

#include <QDateTime>
#include <QFileInfo>
#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <string_view>

#include "model_description.hpp"
#include "prism/error.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/image.hpp"
#include "prism/media/video.hpp"
#include "prism/message_part.hpp"
#include "prism/session.hpp"

namespace prism::ui {
namespace {

std::string utf8(const QString& s) {
    return s.toStdString();
}

ChatRole chat_role(TurnRole role) {
    switch (role) {
        case TurnRole::system:
            return ChatRole::system;
        case TurnRole::user:
            return ChatRole::user;
        case TurnRole::assistant:
            return ChatRole::assistant;
    }
    return ChatRole::user;
}

// A sound recorded in the app, as decode_audio_file would give it.
std::shared_ptr<const media::Audio> recorded_sound(const ImageAttachment& a) {
    auto audio = std::make_shared<media::Audio>();
    audio->samples.assign(a.samples.begin(), a.samples.end());
    audio->name = utf8(a.name);
    audio->source_sample_rate = media::audio_sample_rate;
    audio->source_channels = 1;
    for (const float x : audio->samples) audio->peak = std::max(audio->peak, std::abs(x));
    return audio;
}

// An attachment as the engine takes it: an image decoded from the bytes read at attach time
// or from the history's file; a sound or a video decoded from its file. Throws
// media::MediaError like the engine does.
MessagePart decode_for_engine(const ImageAttachment& a) {
    switch (a.kind) {
        case AttachmentKind::audio:
            if (!a.samples.isEmpty()) return MessagePart::of_audio(recorded_sound(a));
            return MessagePart::of_audio(
                std::make_shared<const media::Audio>(media::decode_audio_file(utf8(a.path))));
        case AttachmentKind::video:
            return MessagePart::of_video(
                std::make_shared<const media::Video>(media::decode_video_file(utf8(a.path))));
        case AttachmentKind::image:
            break;
    }
    if (!a.bytes.isEmpty()) {
        return MessagePart::of_image(
            std::make_shared<const media::Image>(media::decode_image_memory(
                std::span(reinterpret_cast<const std::uint8_t*>(a.bytes.constData()),
                          static_cast<std::size_t>(a.bytes.size())),
                a.name.toStdString())));
    }
    return MessagePart::of_image(
        std::make_shared<const media::Image>(media::decode_image_file(a.path.toStdString())));
}

QString cache_key(const ImageAttachment& a) {
    return a.path.isEmpty() ? a.id : a.path;
}

}  // namespace

// THE one place where the app's turns become the engine's conversation. A user turn's
// attachments go before its text, in the order attached (the order llama.cpp's tools use when
// the prompt names no position). Attachments the session cannot take (pictures without a
// vision encoder, sounds without an audio encoder) are left out of earlier turns (the chat
// controller refuses to send new ones), so a history with them can still be continued as text;
// the answer's note counts them.
LeftOutAttachments EngineWorker::add_turns(const QList<ChatTurn>& turns,
                                           const GenerationSettings& settings) {
    Session& session = *session_;
    session.clear_messages();
    if (!settings.system_prompt.trimmed().isEmpty())
        session.add_system(utf8(settings.system_prompt));
    const auto usable = [&](const ImageAttachment& a) {
        return a.kind == AttachmentKind::audio ? session.has_audio() : session.has_vision();
    };
    LeftOutAttachments left_out;
    for (const ChatTurn& turn : turns) {
        std::vector<MessagePart> parts;
        for (const ImageAttachment& a : turn.images) {
            if (!usable(a)) {
                ++(a.kind == AttachmentKind::audio ? left_out.sounds : left_out.pictures);
                continue;
            }
            auto cached = decoded_.find(cache_key(a));
            if (cached == decoded_.end())
                cached = decoded_.emplace(cache_key(a), decode_for_engine(a)).first;
            parts.push_back(cached->second);
        }
        if (parts.empty()) {
            session.add_message(chat_role(turn.role), utf8(turn.text));
            continue;
        }
        if (!turn.text.isEmpty()) parts.push_back(MessagePart::of_text(utf8(turn.text)));
        session.add_message(chat_role(turn.role), std::move(parts));
    }
    // Only this conversation's attachments stay decoded: live mode sends a new frame every
    // turn, and a cache of every frame ever sent would grow without end.
    for (auto it = decoded_.begin(); it != decoded_.end();) {
        const bool used = std::any_of(turns.begin(), turns.end(), [&](const ChatTurn& t) {
            return std::any_of(t.images.begin(), t.images.end(),
                               [&](const ImageAttachment& a) { return cache_key(a) == it->first; });
        });
        it = used ? std::next(it) : decoded_.erase(it);
    }
    return left_out;
}

namespace {

text::SamplerSettings sampler_settings(const GenerationSettings& s) {
    text::SamplerSettings out;
    out.temperature = s.temperature;
    out.top_p = s.top_p;
    out.top_k = s.top_k;
    out.min_p = s.min_p;
    out.repeat_penalty = s.repeat_penalty;
    out.seed = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch());
    return out;
}

}  // namespace

void EngineShared::cancel_generation() {
    std::lock_guard lock(mutex_);
    if (session_ && app_generating_) session_->cancel();
}

void EngineShared::set_app_generating(bool generating) {
    std::lock_guard lock(mutex_);
    app_generating_ = generating;
}

void EngineShared::set_session(std::shared_ptr<Session> session) {
    std::lock_guard lock(mutex_);
    session_ = std::move(session);
}

EngineWorker::EngineWorker(std::shared_ptr<EngineShared> shared, QObject* parent)
    : QObject(parent), shared_(std::move(shared)) {}

EngineWorker::~EngineWorker() {
    server_.reset();
    shared_->set_session(nullptr);
}

void EngineWorker::load_model(const LoadRequest& request) {
    // The old model goes first: two models rarely fit in device memory together.
    unload();
    try {
        // The projector: the one asked for, else the one beside the model that fits it.
        ModelDescription model = describe_model(request.path, request.mmproj_path);
        SessionOptions options;
        options.device = utf8(request.device);
        options.n_ctx = request.n_ctx;
        options.mmproj = model.mmproj_path.toStdString();
        const auto progress = [this](float fraction) {
            emit loadProgress(static_cast<double>(fraction));
        };
        std::shared_ptr<Session> session;
        try {
            // The session reads and checks the files itself, so a bad file fails with its words.
            session = std::make_shared<Session>(Session::load(request.path.toStdString(), options,
                                                              progress, &shared_->cancel_load));
        } catch (const LoadCancelled&) {
            throw;
        } catch (const std::exception& e) {
            // A projector found beside the model that the engine refuses must not cost the
            // user the text model: load without it and say why.
            if (!request.mmproj_path.isEmpty() || model.mmproj_path.isEmpty()) throw;
            model.vision_note = tr("The projector %1 was not loaded: %2")
                                    .arg(model.mmproj_path, QString::fromUtf8(e.what()));
            model.mmproj_path.clear();
            options.mmproj.clear();
            session = std::make_shared<Session>(Session::load(request.path.toStdString(), options,
                                                              progress, &shared_->cancel_load));
        }
        model.device_name = QString::fromUtf8(
            session->device_name().data(), static_cast<qsizetype>(session->device_name().size()));
        model.session_context = session->n_ctx();
        model.load_seconds = session->load_seconds();
        model.has_vision = session->has_vision();
        model.context_warning = QString::fromStdString(session->context_warning());
        model.has_audio = session->has_audio();
        session_ = session;
        model_ = model;
        decoded_.clear();
        shared_->set_session(std::move(session));
        emit modelLoaded(model);
        restart_server();
    } catch (const LoadCancelled&) {
        emit loadFailed(tr("Loading was cancelled."), true);
    } catch (const std::exception& e) {
        emit loadFailed(QString::fromUtf8(e.what()), false);
    }
}

void EngineWorker::generate(quint64 request_id, const QList<ChatTurn>& turns,
                            const GenerationSettings& settings) {
    if (!session_) {
        emit generationFailed(request_id, tr("No model is loaded."));
        return;
    }
    if (shared_->stop_up_to.load() >= request_id) {
        emit generationFinished(request_id,
                                AnswerTimings{.stop_reason = QStringLiteral("cancelled")});
        return;
    }
    try {
        // The served model's clients take turns with the app's own chat.
        const std::lock_guard session_lock(session_mutex_);
        struct AppGenerating {
            EngineShared& shared;
            explicit AppGenerating(EngineShared& s) : shared(s) { shared.set_app_generating(true); }
            ~AppGenerating() { shared.set_app_generating(false); }
        } app_generating(*shared_);
        const LeftOutAttachments left_out = add_turns(turns, settings);
        GenerateOptions options;
        options.sampling = sampler_settings(settings);
        options.max_tokens = settings.max_tokens;
        options.on_piece = [this, request_id](std::string_view piece) {
            emit this->piece(request_id,
                             QString::fromUtf8(piece.data(), static_cast<qsizetype>(piece.size())));
            return shared_->stop_up_to.load() < request_id;
        };
        const GenerateResult result = session_->generate(options);
        AnswerTimings stats;
        stats.tokens = result.timings.generated_tokens;
        stats.tokens_per_second = result.timings.generated_tokens_per_second;
        stats.time_to_first_token_ms = result.timings.time_to_first_token * 1000.0;
        stats.image_encode_ms = result.timings.image_encode_seconds * 1000.0;
        stats.images_encoded = result.timings.images_encoded;
        stats.audio_encode_ms =
            (result.timings.audio_decode_seconds + result.timings.audio_mel_seconds +
             result.timings.audio_encode_seconds) *
            1000.0;
        stats.sounds_encoded = result.timings.sounds_encoded;
        const std::string_view reason = stop_reason_name(result.stop);
        stats.stop_reason =
            QString::fromLatin1(reason.data(), static_cast<qsizetype>(reason.size()));
        stats.context_tokens = session_->n_ctx();
        stats.messages_left_out = result.messages_left_out;
        stats.pictures_left_out = left_out.pictures;
        stats.sounds_left_out = left_out.sounds;
        emit generationFinished(request_id, stats);
    } catch (const PromptTooLong& e) {
        emit generationRefused(
            request_id, tr("This message does not fit in the context: with the conversation's "
                           "system prompt it is %1 tokens and the context holds %2. It was not "
                           "sent; shorten it, or raise the context size in the settings.")
                            .arg(e.prompt_tokens())
                            .arg(e.n_ctx()));
    } catch (const std::exception& e) {
        emit generationFailed(request_id, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::list_devices() {
    QStringList names;
    try {
        for (const gpu::DeviceInfo& d : gpu::enumerate_devices()) {
            names.append(QStringLiteral("%1: %2").arg(d.index).arg(QString::fromStdString(d.name)));
        }
    } catch (const std::exception&) {
        // No Vulkan driver: the list stays empty and loading will report the real error.
    }
    emit devicesListed(names);
}

void EngineWorker::unload() {
    // Stopped before the session it serves goes away.
    if (server_) {
        server_.reset();
        emit servingChanged({}, {});
    }
    decoded_.clear();
    shared_->set_session(nullptr);
    session_.reset();
    model_ = {};
}

void EngineWorker::serve(const ServeSettings& settings) {
    serve_ = settings;
    restart_server();
}

void EngineWorker::restart_server() {
    server_.reset();
    if (!serve_.enabled || !session_) {
        emit servingChanged({}, {});
        return;
    }
    try {
        // Clients name the model as prism-server names it: the file name without .gguf.
        const QString id = QFileInfo(model_.path).completeBaseName();
        server_ = std::make_unique<ModelServer>(*session_, session_mutex_, id, serve_);
        emit servingChanged(server_->url(), {});
    } catch (const std::exception& e) {
        emit servingChanged({}, QString::fromUtf8(e.what()));
    }
}

}  // namespace prism::ui
