#pragma once

// Starts tests/ui/hub/hub_server.py on a free loopback port and stops it with the object.

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace prism::test {

class HubServer {
  public:
    // `options`: hub_server.py's misbehaviour flags (--drop-after N, --slow-ms N, ...).
    explicit HubServer(const QStringList& options = {});
    ~HubServer();
    HubServer(const HubServer&) = delete;
    HubServer& operator=(const HubServer&) = delete;

    bool started() const { return port_ > 0; }
    QString startError() const { return error_; }
    QUrl url() const;
    // The Range header of each file request, in order ("-" for none), for `file`.
    QStringList ranges(const QString& file) const;

  private:
    QTemporaryDir dir_;
    QProcess process_;
    int port_ = 0;
    QString error_;
};

// A file of the source tree.
QString source_file(const QString& relative);

}  // namespace prism::test
