#pragma once

// The engine's side of the app: owns the prism::Session and runs every blocking call (file
// reads, uploads, generation) on the thread it was moved to. It talks only through queued
// signals; the few things another thread may touch (the load cancel flag, stopping a
// generation) live in EngineShared.

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "chat_types.hpp"
#include "model_server.hpp"
#include "prism/message_part.hpp"

namespace prism {
class Session;
}  // namespace prism

namespace prism::ui {

// State shared between the UI thread and the engine thread; everything in it is safe to touch
// from either.
class EngineShared {
  public:
    std::atomic<bool> cancel_load{false};
    // Requests up to this id are to stop (checked before starting and on every piece).
    std::atomic<quint64> stop_up_to{0};

    // Session::cancel is the one Session method any thread may call; the mutex only guards the
    // pointer, never a GPU wait.
    void cancel_generation();
    void set_session(std::shared_ptr<Session> session);
    // Whether the app's own generation holds the session (not a served client's request):
    // only then may the app's stop reach Session::cancel.
    void set_app_generating(bool generating);

  private:
    std::mutex mutex_;
    std::shared_ptr<Session> session_;
    bool app_generating_ = false;
};

struct LoadRequest {
    QString path;
    QString mmproj_path;
    QString device;  // empty: the engine's choice
    qint64 n_ctx = 0;
};

class EngineWorker : public QObject {
    Q_OBJECT
  public:
    explicit EngineWorker(std::shared_ptr<EngineShared> shared, QObject* parent = nullptr);
    ~EngineWorker() override;

    // Slots, run on the worker's thread (invoke them queued).
    void load_model(const LoadRequest& request);
    void generate(quint64 request_id, const QList<ChatTurn>& turns,
                  const GenerationSettings& settings);
    void list_devices();
    void unload();
    // Serves the loaded model (and each one loaded later) over OpenAI's API, or stops.
    void serve(const ServeSettings& settings);

  signals:
    void loadProgress(double fraction);
    void modelLoaded(const prism::ui::ModelDescription& model);
    void loadFailed(const QString& error, bool cancelled);
    void piece(quint64 request_id, const QString& text);
    void generationFinished(quint64 request_id, const prism::ui::AnswerTimings& stats);
    void generationFailed(quint64 request_id, const QString& error);
    // The last message does not fit in the context even alone; nothing was generated.
    void generationRefused(quint64 request_id, const QString& reason);
    void devicesListed(const QStringList& devices);
    // The served model's base URL (empty: not serving), or why it could not listen.
    void servingChanged(const QString& url, const QString& error);

  private:
    // Returns what was left out of earlier turns for want of an encoder.
    LeftOutAttachments add_turns(const QList<ChatTurn>& turns, const GenerationSettings& settings);
    void restart_server();

    std::shared_ptr<EngineShared> shared_;
    std::shared_ptr<Session> session_;
    ModelDescription model_;
    // Decoded attachments by path (or id), so a later turn does not decode them again.
    std::map<QString, MessagePart> decoded_;
    // Held while the app's chat or the server's current request uses the Session.
    std::mutex session_mutex_;
    ServeSettings serve_;
    std::unique_ptr<ModelServer> server_;  // after the session and mutex: destroyed first
};

}  // namespace prism::ui
