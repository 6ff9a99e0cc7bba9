#pragma once

// A connection to an OpenAI-compatible server: lists its models and streams chat answers over
// server-sent events, one request at a time, with the same pieces / finished / failed shape
// the local engine has. Failures come back as one plain sentence (unreachable, wrong key,
// busy, a model without vision or sound) with the server's own words where it gave some.

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <chrono>

class QNetworkReply;

namespace prism::ui {

// One piece of a user message's content, sent before its text in this order: a video goes as
// its pictures, each after its time as text ("[00:12] "), then its sound.
struct RemotePart {
    enum class Kind { text, image, audio };
    Kind kind = Kind::text;
    QString text;
    // An image: the file as it is (PNG, JPEG, ...). A sound: WAV or MP3 bytes.
    QByteArray bytes;
    // An image: "image/png" (empty: guessed from the bytes). A sound: "wav" or "mp3", as
    // OpenAI's input_audio names them.
    QString format;

    static RemotePart of_text(const QString& text) { return {Kind::text, text, {}, {}}; }
    static RemotePart of_image(const QByteArray& bytes, const QString& mime_type = {}) {
        return {Kind::image, {}, bytes, mime_type};
    }
    static RemotePart of_audio(const QByteArray& bytes, const QString& format) {
        return {Kind::audio, {}, bytes, format};
    }
};

struct RemoteMessage {
    QString role;  // "system", "user", "assistant"
    QString text;
    QList<RemotePart> parts;  // before the text
};

struct RemoteSampling {
    double temperature = 0.8;
    double top_p = 0.95;
    int max_tokens = 512;
};

struct RemoteUsage {
    qint64 prompt_tokens = 0;
    qint64 completion_tokens = 0;
    QString finish_reason;  // "stop", "length", or "stopped" when stop() ended it
    double seconds = 0;
    double time_to_first_token_ms = 0;
};

// "http://host:8080" or ".../v1" -> the API's base URL ending in /v1; invalid input gives an
// invalid QUrl.
QUrl api_base_url(const QString& text);

// The sentence shown for a failed request: transport errors (refused, unknown host, timeout)
// name the server; HTTP errors say what the status means and quote the server's message
// (OpenAI's {"error": {"message"}} or plain text).
QString describe_failure(const QUrl& base, int network_error, int http_status,
                         const QByteArray& body);

class RemoteChatClient : public QObject {
    Q_OBJECT
  public:
    explicit RemoteChatClient(QObject* parent = nullptr);

    void set_endpoint(const QUrl& base, const QString& api_key);
    QUrl base() const { return base_; }

    // GET /models -> modelsListed, or listFailed.
    void list_models();
    // POST /chat/completions with stream: true. A request still running is stopped first.
    void generate(quint64 request_id, const QString& model, const QList<RemoteMessage>& messages,
                  const RemoteSampling& sampling);
    // Ends the running answer (finished with finish_reason "stopped"); no-op when none runs.
    void stop();
    bool busy() const { return !reply_.isNull(); }

  signals:
    void modelsListed(const QStringList& ids);
    void listFailed(const QString& error);
    void piece(quint64 request_id, const QString& text);
    void finished(quint64 request_id, const prism::ui::RemoteUsage& usage);
    void failed(quint64 request_id, const QString& error);
    // The server refused a request that carried sound (pictures) because its model does not
    // take sound (pictures); emitted just before `failed`, which has the server's words.
    void audioRefused(quint64 request_id);
    void imagesRefused(quint64 request_id);

  private:
    QNetworkRequest request(const QString& path) const;
    void read_events();
    void parse_events();
    void handle_event(const QByteArray& data);
    void end_reply();
    void report_media_refusal(const QString& message);

    QNetworkAccessManager network_;
    QUrl base_;
    QString api_key_;
    QPointer<QNetworkReply> reply_;
    quint64 request_id_ = 0;
    QByteArray buffer_;
    QString stream_error_;
    RemoteUsage usage_;
    bool stopped_ = false;
    bool saw_done_ = false;
    bool sent_audio_ = false;
    bool sent_images_ = false;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace prism::ui

Q_DECLARE_METATYPE(prism::ui::RemoteUsage)
