#pragma once

// The Hugging Face Hub's public HTTP API, as far as the model browser uses it (no token, public
// repositories only). Routes, relative to the hub's base URL (https://huggingface.co):
//
//   GET /api/models?search=Q&filter=gguf&sort=downloads&direction=-1&limit=N
//       -> [{"id": "owner/name", "downloads": 123, "likes": 4, "tags": [...], ...}, ...]
//   GET /api/models/{owner}/{name}/tree/main?recursive=true
//       -> [{"type": "file", "path": "x-Q4_K_M.gguf", "size": 123, "oid": "<git sha1>",
//            "lfs": {"oid": "<sha256, 64 hex digits>", "size": 123, "pointerSize": 134}}, ...]
//          ("directory" entries too; files kept in Git itself have no "lfs" object)
//   GET /{owner}/{name}/resolve/main/{path}
//       -> the file's bytes, usually after a redirect to a CDN; honours Range requests.
//
// The functions here build those URLs and read those JSON shapes; they do no I/O.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace prism::ui {

struct HubRepo {
    QString id;  // "owner/name"
    qint64 downloads = 0;
    qint64 likes = 0;
};

struct HubFile {
    QString path;     // inside the repository, "/"-separated
    qint64 size = 0;  // bytes
    QString sha256;   // lower-case hex from the LFS metadata; empty when the hub gives none
};

// The hub's base URL: $PRISM_HUB_URL when set, else `configured` when not empty, else
// https://huggingface.co.
QUrl hub_base_url(const QString& configured = {});

QUrl hub_search_url(const QUrl& base, const QString& query, int limit);
QUrl hub_tree_url(const QUrl& base, const QString& repo);
QUrl hub_file_url(const QUrl& base, const QString& repo, const QString& path);

// A repository id the routes above accept: "owner/name", each part of letters, digits, '-',
// '_' and '.', not starting with '.' (so that it cannot climb out of a folder either).
bool is_valid_repo_id(const QString& repo);

// Parsers: on a shape they do not understand they return false with a one-line reason.
bool parse_hub_search(const QByteArray& json, QList<HubRepo>& repos, QString& error);
// Only the .gguf files of the tree, in the hub's order.
bool parse_hub_tree(const QByteArray& json, QList<HubFile>& files, QString& error);

}  // namespace prism::ui
