#include "hub/hub_api.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrlQuery>

namespace prism::ui {

namespace {

QString path_with(const QUrl& base, const QString& tail) {
    QString path = base.path();
    if (path.endsWith(QLatin1Char('/'))) path.chop(1);
    return path + tail;
}

bool parse_array(const QByteArray& json, QJsonArray& array, QString& error) {
    QJsonParseError parse_error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parse_error);
    if (parse_error.error != QJsonParseError::NoError) {
        error = QStringLiteral("the hub's answer is not JSON (%1)").arg(parse_error.errorString());
        return false;
    }
    if (!document.isArray()) {
        error = QStringLiteral("the hub's answer is not a list");
        return false;
    }
    array = document.array();
    return true;
}

bool is_sha256(const QString& text) {
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    return hex.match(text).hasMatch();
}

}  // namespace

QUrl hub_base_url(const QString& configured) {
    const QString from_environment = qEnvironmentVariable("PRISM_HUB_URL");
    if (!from_environment.isEmpty()) return QUrl(from_environment);
    if (!configured.isEmpty()) return QUrl(configured);
    return QUrl(QStringLiteral("https://huggingface.co"));
}

QUrl hub_search_url(const QUrl& base, const QString& query, int limit) {
    QUrl url = base;
    url.setPath(path_with(base, QStringLiteral("/api/models")));
    QUrlQuery items;
    items.addQueryItem(QStringLiteral("search"), query);
    items.addQueryItem(QStringLiteral("filter"), QStringLiteral("gguf"));
    items.addQueryItem(QStringLiteral("sort"), QStringLiteral("downloads"));
    items.addQueryItem(QStringLiteral("direction"), QStringLiteral("-1"));
    items.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    url.setQuery(items);
    return url;
}

QUrl hub_tree_url(const QUrl& base, const QString& repo) {
    QUrl url = base;
    url.setPath(path_with(base, QStringLiteral("/api/models/%1/tree/main").arg(repo)));
    url.setQuery(QStringLiteral("recursive=true"));
    return url;
}

QUrl hub_file_url(const QUrl& base, const QString& repo, const QString& path) {
    QUrl url = base;
    url.setPath(path_with(base, QStringLiteral("/%1/resolve/main/%2").arg(repo, path)));
    return url;
}

bool is_valid_repo_id(const QString& repo) {
    static const QRegularExpression id(
        QStringLiteral("^[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]*/[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]*$"));
    return repo.size() <= 200 && id.match(repo).hasMatch();
}

bool parse_hub_search(const QByteArray& json, QList<HubRepo>& repos, QString& error) {
    QJsonArray array;
    if (!parse_array(json, array, error)) return false;
    repos.clear();
    for (const QJsonValue& value : array) {
        const QJsonObject object = value.toObject();
        const QString id = object.value(QStringLiteral("id")).toString();
        if (!is_valid_repo_id(id)) continue;
        HubRepo repo;
        repo.id = id;
        repo.downloads = object.value(QStringLiteral("downloads")).toInteger();
        repo.likes = object.value(QStringLiteral("likes")).toInteger();
        repos.append(repo);
    }
    return true;
}

bool parse_hub_tree(const QByteArray& json, QList<HubFile>& files, QString& error) {
    QJsonArray array;
    if (!parse_array(json, array, error)) return false;
    files.clear();
    for (const QJsonValue& value : array) {
        const QJsonObject object = value.toObject();
        if (object.value(QStringLiteral("type")).toString() != QLatin1String("file")) continue;
        HubFile file;
        file.path = object.value(QStringLiteral("path")).toString();
        if (!file.path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) continue;
        // A path that could leave the download folder is not offered.
        if (file.path.startsWith(QLatin1Char('/')) ||
            file.path.split(QLatin1Char('/')).contains(QStringLiteral("..")))
            continue;
        file.size = object.value(QStringLiteral("size")).toInteger(-1);
        const QJsonObject lfs = object.value(QStringLiteral("lfs")).toObject();
        QString sha = lfs.value(QStringLiteral("oid")).toString().toLower();
        // Some hub-compatible servers write "sha256:<hex>".
        if (sha.startsWith(QLatin1String("sha256:"))) sha = sha.mid(7);
        if (is_sha256(sha)) file.sha256 = sha;
        if (lfs.contains(QStringLiteral("size")))
            file.size = lfs.value(QStringLiteral("size")).toInteger(file.size);
        if (file.size < 0) continue;
        files.append(file);
    }
    return true;
}

}  // namespace prism::ui
