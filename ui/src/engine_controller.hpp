#pragma once

// The UI thread's handle on the engine: owns the engine thread and its EngineWorker, forwards
// requests to it queued and turns its signals into properties QML binds to. Nothing here
// blocks on the GPU or the disk (only the destructor joins the thread).

#include <QObject>
#include <QQmlEngine>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QUrl>
#include <memory>

#include "chat_types.hpp"
#include "remote/remote_chat_client.hpp"
#include "remote/secret_store.hpp"

namespace prism::ui {

class EngineShared;
class EngineWorker;

class EngineController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the engine controller.")

    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
    Q_PROPERTY(bool modelLoaded READ modelLoaded NOTIFY modelChanged)
    Q_PROPERTY(QString modelPath READ modelPath NOTIFY modelChanged)
    Q_PROPERTY(QString loadingPath READ loadingPath NOTIFY statusChanged)
    Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
    Q_PROPERTY(QString architecture READ architecture NOTIFY modelChanged)
    Q_PROPERTY(QString quantization READ quantization NOTIFY modelChanged)
    Q_PROPERTY(QString fileSize READ fileSize NOTIFY modelChanged)
    Q_PROPERTY(qint64 contextLength READ contextLength NOTIFY modelChanged)
    Q_PROPERTY(qint64 sessionContext READ sessionContext NOTIFY modelChanged)
    Q_PROPERTY(QString deviceName READ deviceName NOTIFY modelChanged)
    Q_PROPERTY(QString mmprojPath READ mmprojPath NOTIFY modelChanged)
    Q_PROPERTY(bool hasVision READ hasVision NOTIFY modelChanged)
    Q_PROPERTY(bool hasAudio READ hasAudio NOTIFY modelChanged)
    // Why a projector found beside the model was not loaded (empty when none was refused).
    Q_PROPERTY(QString visionNote READ visionNote NOTIFY modelChanged)
    // Set when the context is longer than the model was trained with (quality may drop).
    Q_PROPERTY(QString contextWarning READ contextWarning NOTIFY modelChanged)
    Q_PROPERTY(QStringList devices READ devices NOTIFY devicesChanged)
    // A model on an OpenAI-compatible server (vLLM, llama-server, Ollama, LM Studio,
    // prism-server) instead of a local GGUF; the server's models to choose from.
    Q_PROPERTY(bool remote READ remote NOTIFY modelChanged)
    Q_PROPERTY(QString serverUrl READ serverUrl NOTIFY serverModelsChanged)
    Q_PROPERTY(QStringList serverModels READ serverModels NOTIFY serverModelsChanged)
    // The loaded model served over OpenAI's API (serveModel): its base URL while serving, or why
    // it could not listen.
    Q_PROPERTY(QString servingUrl READ servingUrl NOTIFY servingChanged)
    Q_PROPERTY(QString servingError READ servingError NOTIFY servingChanged)

  public:
    enum class Status { empty, loading, ready, generating };
    Q_ENUM(Status)

    explicit EngineController(QObject* parent = nullptr);
    ~EngineController() override;

    Status status() const { return status_; }
    double loadProgress() const { return load_progress_; }
    bool modelLoaded() const { return !model_.path.isEmpty(); }
    QString modelPath() const { return model_.path; }
    QString loadingPath() const { return loading_path_; }
    QString modelName() const { return model_.name; }
    QString architecture() const { return model_.architecture; }
    QString quantization() const { return model_.quantization; }
    QString fileSize() const;
    qint64 contextLength() const { return model_.context_length; }
    qint64 sessionContext() const { return model_.session_context; }
    QString deviceName() const { return model_.device_name; }
    QString mmprojPath() const { return model_.mmproj_path; }
    bool hasVision() const { return model_.has_vision; }
    bool hasAudio() const { return model_.has_audio; }
    QString visionNote() const { return model_.vision_note; }
    QString contextWarning() const { return model_.context_warning; }
    QStringList devices() const { return devices_; }
    bool remote() const { return remote_model_; }
    QString serverUrl() const { return server_url_; }
    QStringList serverModels() const { return server_models_; }
    QString servingUrl() const { return serving_url_; }
    QString servingError() const { return serving_error_; }

    // Where API keys for servers are remembered (none: they live only as long as the app).
    void set_secrets(SecretStore* secrets);

    // Where the next load runs and how large its context is (from the settings).
    void set_load_options(const QString& device, qint64 n_ctx);

    // Starts loading (the current model is dropped first). Accepts a path or a file URL.
    Q_INVOKABLE void loadModel(const QString& pathOrUrl, const QString& mmprojPath = {});
    Q_INVOKABLE void cancelLoad();
    // Stops the generation in progress (returns at once; the answer ends after the current token).
    Q_INVOKABLE void stop();
    Q_INVOKABLE void refreshDevices();
    // Connects to an OpenAI-compatible server ("http://host:port", with or without /v1) and
    // lists its models; `model` (or the first listed) becomes the one answering. Without a key,
    // the one the keyring holds for the server is used; a key that works is stored there (see
    // set_secrets). Failures come as loadFailed with a plain sentence.
    Q_INVOKABLE void connectServer(const QString& url, const QString& apiKey,
                                   const QString& model = {});
    // Answers with another of the connected server's models.
    Q_INVOKABLE void useServerModel(const QString& id);
    // Serves the loaded local model, and each one loaded after it, on host:port with OpenAI's
    // API (an empty key: none required); enabled false stops. servingChanged says the outcome.
    Q_INVOKABLE void serveModel(bool enabled, const QString& host, int port, const QString& apiKey);

    // Queues a generation over the whole conversation; returns its id for the signals below.
    quint64 generate(const QList<ChatTurn>& turns, const GenerationSettings& settings);

  signals:
    void statusChanged();
    void loadProgressChanged();
    void modelChanged();
    void devicesChanged();
    void serverModelsChanged();
    void servingChanged();
    // The engine's own error text, for the error dialog.
    void loadFailed(const QString& error);
    void loadCancelled();
    void piece(quint64 requestId, const QString& text);
    void generationFinished(quint64 requestId, const prism::ui::AnswerTimings& stats);
    void generationFailed(quint64 requestId, const QString& error);
    // The message does not fit in the context; `reason` says so in plain words.
    void generationRefused(quint64 requestId, const QString& reason);

  private:
    void set_status(Status s);
    void generate_remote(quint64 id, const QList<ChatTurn>& turns,
                         const GenerationSettings& settings);
    void connect_with_key(const QString& key);

    std::shared_ptr<EngineShared> shared_;
    QThread thread_;
    EngineWorker* worker_ = nullptr;  // lives on thread_, deleted by it when it finishes
    Status status_ = Status::empty;
    double load_progress_ = 0;
    QString loading_path_;
    ModelDescription model_;
    QStringList devices_;
    QString device_;
    qint64 n_ctx_ = 0;
    quint64 last_request_ = 0;
    quint64 running_request_ = 0;
    RemoteChatClient remote_;
    bool remote_model_ = false;
    // What of earlier messages the request to the server left out.
    LeftOutAttachments remote_left_out_;
    // The request whose messages are being made (files read, videos decoded); 0: none.
    quint64 preparing_request_ = 0;
    QString server_url_;
    QString wanted_server_model_;
    QStringList server_models_;
    SecretStore* secrets_ = nullptr;
    QString key_to_remember_;  // the key given for the server being connected to
    QString serving_url_;
    QString serving_error_;
};

}  // namespace prism::ui
