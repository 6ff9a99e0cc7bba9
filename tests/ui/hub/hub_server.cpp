#include "ui/hub/hub_server.hpp"

#include <QFile>

namespace prism::test {

QString source_file(const QString& relative) {
    return QStringLiteral(PRISM_SOURCE_DIR "/") + relative;
}

HubServer::HubServer(const QStringList& options) {
    QStringList args{source_file(QStringLiteral("tests/ui/hub/hub_server.py")),
                     QStringLiteral("--root"),
                     QStringLiteral(PRISM_SOURCE_DIR),
                     QStringLiteral("--repos"),
                     source_file(QStringLiteral("tests/ui/hub/hub_repos.json")),
                     QStringLiteral("--log"),
                     dir_.filePath(QStringLiteral("requests.log"))};
    args += options;
    process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process_.start(QStringLiteral(PRISM_PYTHON), args);
    // The machine may be busy: Python's start can take seconds.
    while (process_.waitForReadyRead(20000)) {
        const QByteArray line = process_.readLine().trimmed();
        if (line.startsWith("PORT ")) {
            port_ = line.mid(5).toInt();
            return;
        }
    }
    error_ = QStringLiteral("hub_server.py did not start: %1").arg(process_.errorString());
}

HubServer::~HubServer() {
    process_.kill();
    process_.waitForFinished(5000);
}

QUrl HubServer::url() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port_));
}

QStringList HubServer::ranges(const QString& file) const {
    QFile log(dir_.filePath(QStringLiteral("requests.log")));
    QStringList found;
    if (!log.open(QIODevice::ReadOnly)) return found;
    for (const QByteArray& raw : log.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(file + QLatin1Char(' '))) found << line.mid(file.size() + 1);
    }
    return found;
}

}  // namespace prism::test
