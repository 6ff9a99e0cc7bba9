#pragma once

// One file from the hub to the models folder: streamed into "<destination>.part", resumable
// with an HTTP Range request (after a pause, a dropped connection or a restart of the app),
// SHA-256 checked against the hub's LFS metadata, then renamed into place. A file whose
// checksum differs is kept aside as "<destination>.corrupt" and the download fails saying so.
// The part already there is hashed on a worker thread before the transfer resumes (gigabytes
// take seconds), so the window stays responsive and the download can be paused meanwhile.

#include <QCryptographicHash>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <atomic>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace prism::ui {

class ModelDownload : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString fileName READ fileName CONSTANT)
    Q_PROPERTY(QString destination READ destination CONSTANT)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    // The state for QML, which does not see this enum: "idle", "running", "paused", "done",
    // "failed" or "cancelled".
    Q_PROPERTY(QString status READ status NOTIFY stateChanged)
    Q_PROPERTY(qint64 received READ received NOTIFY progressChanged)
    Q_PROPERTY(qint64 total READ total CONSTANT)
    Q_PROPERTY(QString error READ error NOTIFY stateChanged)

  public:
    enum class State { Idle, Running, Paused, Done, Failed, Cancelled };
    Q_ENUM(State)

    struct Target {
        QUrl url;
        QString destination;  // the final path of the file
        qint64 size = -1;     // bytes, as the hub lists it; -1 when unknown
        QString sha256;       // lower-case hex; empty: no check possible (refused at start)
    };

    // A dropped connection is resumed this many times in a row before the download fails.
    static constexpr int kMaxRetries = 3;

    ModelDownload(QNetworkAccessManager* network, Target target, QObject* parent = nullptr);
    ~ModelDownload() override;

    QString fileName() const;
    QString destination() const { return target_.destination; }
    QString partPath() const { return target_.destination + QStringLiteral(".part"); }
    QString corruptPath() const { return target_.destination + QStringLiteral(".corrupt"); }
    State state() const { return state_; }
    QString status() const;
    qint64 received() const { return received_; }
    qint64 total() const { return target_.size; }
    QString error() const { return error_; }

    // Starts, or resumes from what "<destination>.part" already holds.
    Q_INVOKABLE void start();
    // Stops the transfer and keeps the part file for start().
    Q_INVOKABLE void pause();
    // Stops the transfer and deletes the part file.
    Q_INVOKABLE void cancel();

  signals:
    void stateChanged();
    void progressChanged();
    // Done, Failed or Cancelled.
    void finished();

  private:
    void hash_part_then_request(qint64 keep);
    void request();
    void on_ready_read();
    void on_finished();
    bool check_response();
    bool open_part(qint64 keep);
    void verify_and_install();
    void fail(const QString& message);
    void set_state(State state);
    void stop_reply();
    void stop_hashing();

    QNetworkAccessManager* network_;
    Target target_;
    State state_ = State::Idle;
    QString error_;
    QPointer<QNetworkReply> reply_;
    QFile part_;
    std::shared_ptr<QCryptographicHash> hash_;
    // Set to stop the part's hashing (pause, cancel, destruction); each hashing has its own.
    std::shared_ptr<std::atomic<bool>> hashing_stop_;
    qint64 received_ = 0;
    qint64 request_offset_ = 0;
    bool response_checked_ = false;
    int retries_ = 0;
};

}  // namespace prism::ui
