#include "remote/remote_chat_client.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeDatabase>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace prism::ui {
namespace {

// The server's own words: OpenAI's {"error": {"message"}}, Ollama's {"error": "..."}, or the
// text itself, shortened.
QString server_message(const QByteArray& body) {
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonValue error = doc.object().value("error");
        if (error.isObject()) return error.toObject().value("message").toString();
        if (error.isString()) return error.toString();
        const QJsonValue message = doc.object().value("message");
        if (message.isString()) return message.toString();
    }
    QString text = QString::fromUtf8(body).simplified();
    if (text.size() > 300) text = text.left(300) + QStringLiteral("…");
    return text;
}

QString server_name(const QUrl& base) {
    return base.port() > 0 ? base.host() + ':' + QString::number(base.port()) : base.host();
}

QString with_message(QString sentence, const QString& message) {
    if (!message.isEmpty()) sentence += QStringLiteral(": ") + message;
    return sentence;
}

QJsonObject image_part(const RemotePart& image) {
    static const QMimeDatabase mime_types;
    QString mime = image.format;
    if (mime.isEmpty()) mime = mime_types.mimeTypeForData(image.bytes).name();
    const QString url = QStringLiteral("data:") + mime + QStringLiteral(";base64,") +
                        QString::fromLatin1(image.bytes.toBase64());
    return QJsonObject{{"type", "image_url"}, {"image_url", QJsonObject{{"url", url}}}};
}

QJsonObject audio_part(const RemotePart& sound) {
    return QJsonObject{
        {"type", "input_audio"},
        {"input_audio", QJsonObject{{"data", QString::fromLatin1(sound.bytes.toBase64())},
                                    {"format", sound.format}}}};
}

QJsonValue message_content(const RemoteMessage& m) {
    if (m.parts.isEmpty()) return m.text;
    QJsonArray parts;
    for (const RemotePart& part : m.parts) {
        switch (part.kind) {
            case RemotePart::Kind::image:
                parts.append(image_part(part));
                break;
            case RemotePart::Kind::audio:
                parts.append(audio_part(part));
                break;
            case RemotePart::Kind::text:
                parts.append(QJsonObject{{"type", "text"}, {"text", part.text}});
                break;
        }
    }
    if (!m.text.isEmpty()) parts.append(QJsonObject{{"type", "text"}, {"text", m.text}});
    return parts;
}

bool carries(const QList<RemoteMessage>& messages, RemotePart::Kind kind) {
    for (const RemoteMessage& m : messages)
        for (const RemotePart& part : m.parts)
            if (part.kind == kind) return true;
    return false;
}

}  // namespace

QUrl api_base_url(const QString& text) {
    QUrl url = QUrl::fromUserInput(text.trimmed());
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return {};
    QString path = url.path();
    while (path.endsWith('/')) path.chop(1);
    if (!path.endsWith(QLatin1String("/v1"))) path += QStringLiteral("/v1");
    url.setPath(path);
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}

QString describe_failure(const QUrl& base, int network_error, int http_status,
                         const QByteArray& body) {
    const QString name = server_name(base);
    const QString message = server_message(body);
    if (http_status >= 400) {
        const QString status = QString::number(http_status);
        switch (http_status) {
            case 401:
            case 403:
                return with_message(name + QStringLiteral(" refused the API key (") + status + ')',
                                    message);
            case 404:
                return with_message(name + QStringLiteral(" does not have that (404)"), message);
            case 429:
            case 503:
                return with_message(name + QStringLiteral(" is busy (") + status + ')', message) +
                       QStringLiteral("; try again shortly");
            default:
                if (http_status < 500)
                    return with_message(
                        name + QStringLiteral(" refused the request (") + status + ')', message);
                return with_message(name + QStringLiteral(" failed (") + status + ')', message);
        }
    }
    switch (static_cast<QNetworkReply::NetworkError>(network_error)) {
        case QNetworkReply::ConnectionRefusedError:
            return QStringLiteral("cannot reach ") + name +
                   QStringLiteral(": the connection was refused (is the server running?)");
        case QNetworkReply::HostNotFoundError:
            return QStringLiteral("cannot reach ") + name +
                   QStringLiteral(": the host name is unknown");
        case QNetworkReply::TimeoutError:
        case QNetworkReply::OperationCanceledError:
            return name + QStringLiteral(" did not answer in time");
        case QNetworkReply::RemoteHostClosedError:
            return name + QStringLiteral(" closed the connection before answering");
        case QNetworkReply::SslHandshakeFailedError:
            return QStringLiteral("the secure connection to ") + name +
                   QStringLiteral(" failed (certificate or TLS version)");
        default:
            return QStringLiteral("cannot reach ") + name;
    }
}

RemoteChatClient::RemoteChatClient(QObject* parent) : QObject(parent) {
    qRegisterMetaType<RemoteUsage>();
}

void RemoteChatClient::set_endpoint(const QUrl& base, const QString& api_key) {
    stop();
    base_ = base;
    api_key_ = api_key;
}

QNetworkRequest RemoteChatClient::request(const QString& path) const {
    QUrl url = base_;
    url.setPath(base_.path() + path);
    QNetworkRequest r(url);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (!api_key_.isEmpty()) r.setRawHeader("Authorization", "Bearer " + api_key_.toUtf8());
    // Streams may be quiet while a long prompt is read; a dead connection still ends.
    r.setTransferTimeout(120'000);
    return r;
}

void RemoteChatClient::list_models() {
    QNetworkReply* reply = network_.get(request(QStringLiteral("/models")));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const QByteArray body = reply->readAll();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError || status >= 400) {
            emit listFailed(describe_failure(base_, reply->error(), status, body));
            return;
        }
        QStringList ids;
        for (const QJsonValue& m : QJsonDocument::fromJson(body).object().value("data").toArray())
            ids.append(m.toObject().value("id").toString());
        ids.removeAll(QString());
        if (ids.isEmpty())
            emit listFailed(server_name(base_) + QStringLiteral(" lists no models"));
        else
            emit modelsListed(ids);
    });
}

void RemoteChatClient::generate(quint64 request_id, const QString& model,
                                const QList<RemoteMessage>& messages,
                                const RemoteSampling& sampling) {
    stop();
    QJsonArray wire;
    for (const RemoteMessage& m : messages)
        wire.append(QJsonObject{{"role", m.role}, {"content", message_content(m)}});
    const QJsonObject body{{"model", model},
                           {"messages", wire},
                           {"stream", true},
                           {"stream_options", QJsonObject{{"include_usage", true}}},
                           {"temperature", sampling.temperature},
                           {"top_p", sampling.top_p},
                           {"max_tokens", sampling.max_tokens}};
    request_id_ = request_id;
    buffer_.clear();
    stream_error_.clear();
    usage_ = {};
    stopped_ = false;
    saw_done_ = false;
    sent_audio_ = carries(messages, RemotePart::Kind::audio);
    sent_images_ = carries(messages, RemotePart::Kind::image);
    started_ = std::chrono::steady_clock::now();
    reply_ = network_.post(request(QStringLiteral("/chat/completions")),
                           QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply_, &QNetworkReply::readyRead, this, &RemoteChatClient::read_events);
    connect(reply_, &QNetworkReply::finished, this, &RemoteChatClient::end_reply);
}

void RemoteChatClient::stop() {
    if (reply_.isNull()) return;
    stopped_ = true;
    reply_->abort();  // emits finished -> end_reply
}

void RemoteChatClient::read_events() {
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    buffer_ += reply_->readAll();
    if (status >= 400) return;  // an error body, read whole in end_reply
    parse_events();
}

void RemoteChatClient::parse_events() {
    for (;;) {
        // Events end with a blank line; servers may use \n or \r\n.
        qsizetype end = buffer_.indexOf("\n\n");
        qsizetype skip = 2;
        const qsizetype crlf = buffer_.indexOf("\r\n\r\n");
        if (crlf >= 0 && (end < 0 || crlf < end)) {
            end = crlf;
            skip = 4;
        }
        if (end < 0) return;
        QByteArray data;
        for (const QByteArray& raw : buffer_.left(end).split('\n')) {
            const QByteArray line = raw.endsWith('\r') ? raw.chopped(1) : raw;
            if (line.startsWith("data:")) {
                if (!data.isEmpty()) data += '\n';
                data += line.mid(5).trimmed();
            }
        }
        buffer_.remove(0, end + skip);
        if (!data.isEmpty()) handle_event(data);
    }
}

void RemoteChatClient::handle_event(const QByteArray& data) {
    if (data == "[DONE]") {
        saw_done_ = true;
        return;
    }
    const QJsonObject event = QJsonDocument::fromJson(data).object();
    if (event.contains("error")) {
        stream_error_ = server_message(data);
        return;
    }
    const QJsonValue usage = event.value("usage");
    if (usage.isObject()) {
        usage_.prompt_tokens = usage.toObject().value("prompt_tokens").toInteger();
        usage_.completion_tokens = usage.toObject().value("completion_tokens").toInteger();
    }
    const QJsonArray choices = event.value("choices").toArray();
    if (choices.isEmpty()) return;
    const QJsonObject choice = choices.first().toObject();
    const QString text = choice.value("delta").toObject().value("content").toString();
    if (!text.isEmpty()) {
        if (usage_.time_to_first_token_ms == 0)
            usage_.time_to_first_token_ms = std::chrono::duration<double, std::milli>(
                                                std::chrono::steady_clock::now() - started_)
                                                .count();
        emit piece(request_id_, text);
    }
    const QJsonValue finish = choice.value("finish_reason");
    if (finish.isString()) usage_.finish_reason = finish.toString();
}

void RemoteChatClient::report_media_refusal(const QString& message) {
    // Servers word it their own way (prism-server: "this model has no audio encoder", "has no
    // vision encoder", as a 400 or as an error event once the stream began; llama-server:
    // "audio input is not supported", "image input is not supported"): a refusal of a request
    // with sound (pictures) that speaks of audio (vision, images) is the model not taking them.
    const auto speaks_of = [&](const char* word) {
        return message.contains(QLatin1String(word), Qt::CaseInsensitive);
    };
    if (sent_audio_ && speaks_of("audio")) emit audioRefused(request_id_);
    if (sent_images_ && (speaks_of("vision") || speaks_of("image")))
        emit imagesRefused(request_id_);
}

void RemoteChatClient::end_reply() {
    QNetworkReply* reply = reply_;
    if (reply == nullptr) return;
    reply_.clear();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    usage_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (stopped_) {
        usage_.finish_reason = QStringLiteral("stopped");
        emit finished(request_id_, usage_);
        return;
    }
    buffer_ += reply->readAll();
    if (reply->error() != QNetworkReply::NoError || status >= 400) {
        if (status >= 400 && status < 500) report_media_refusal(server_message(buffer_));
        emit failed(request_id_, describe_failure(base_, reply->error(), status, buffer_));
        return;
    }
    parse_events();
    if (!stream_error_.isEmpty()) {
        report_media_refusal(stream_error_);
        emit failed(request_id_, server_name(base_) + QStringLiteral(" failed: ") + stream_error_);
        return;
    }
    if (!saw_done_ && usage_.finish_reason.isEmpty()) {
        emit failed(request_id_,
                    server_name(base_) + QStringLiteral(" ended the answer before finishing it"));
        return;
    }
    emit finished(request_id_, usage_);
}

}  // namespace prism::ui
