#include "engine_worker.hpp"

#include <QDateTime>
#include <exception>
#include <string>
#include <string_view>

#include "model_description.hpp"
#include "prism/error.hpp"
#include "prism/gpu/device_info.hpp"
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

// THE one place where the app's turns become the engine's conversation. The engine's session
// takes text only on this branch (the image parts of vision-contract section 6 are not merged
// yet), so images stay in the message model and are refused before sending when the model
// cannot see (ChatController). When Session::add_message(role, parts) lands, the images go
// here as MessagePart::of_image after their text.
void add_turns(Session& session, const QList<ChatTurn>& turns, const GenerationSettings& settings) {
    session.clear_messages();
    if (!settings.system_prompt.trimmed().isEmpty())
        session.add_system(utf8(settings.system_prompt));
    for (const ChatTurn& turn : turns) {
        session.add_message(chat_role(turn.role), utf8(turn.text));
    }
}

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
    if (session_) session_->cancel();
}

void EngineShared::set_session(std::shared_ptr<Session> session) {
    std::lock_guard lock(mutex_);
    session_ = std::move(session);
}

EngineWorker::EngineWorker(std::shared_ptr<EngineShared> shared, QObject* parent)
    : QObject(parent), shared_(std::move(shared)) {}

EngineWorker::~EngineWorker() {
    shared_->set_session(nullptr);
}

void EngineWorker::load_model(const LoadRequest& request) {
    // The old model goes first: two models rarely fit in device memory together.
    unload();
    try {
        SessionOptions options;
        options.device = utf8(request.device);
        options.n_ctx = request.n_ctx;
        // The session reads and checks the file itself, so a bad file fails with its words.
        auto session = std::make_shared<Session>(Session::load(
            request.path.toStdString(), options,
            [this](float fraction) { emit loadProgress(static_cast<double>(fraction)); },
            &shared_->cancel_load));
        ModelDescription model = describe_model(request.path, request.mmproj_path);
        model.device_name = QString::fromUtf8(
            session->device_name().data(), static_cast<qsizetype>(session->device_name().size()));
        model.session_context = session->n_ctx();
        model.load_seconds = session->load_seconds();
        // The projector is paired and shown, but no vision or audio encoder runs until the
        // session takes an mmproj (vision-contract section 6, not merged on this branch).
        model.has_vision = false;
        model.has_audio = false;
        session_ = session;
        model_ = model;
        shared_->set_session(std::move(session));
        emit modelLoaded(model);
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
        add_turns(*session_, turns, settings);
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
        const std::string_view reason = stop_reason_name(result.stop);
        stats.stop_reason =
            QString::fromLatin1(reason.data(), static_cast<qsizetype>(reason.size()));
        emit generationFinished(request_id, stats);
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
    shared_->set_session(nullptr);
    session_.reset();
    model_ = {};
}

}  // namespace prism::ui
