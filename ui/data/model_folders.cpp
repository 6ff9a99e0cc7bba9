#include "data/model_folders.hpp"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QStandardPaths>

#include "data/app_paths.hpp"

namespace prism::ui {
namespace {

QString env_path(const char* name) {
    return qEnvironmentVariable(name);
}

void walk(const QString& folder, int depth_left, QSet<QString>& seen_dirs,
          QSet<QString>& seen_files, QStringList& out) {
    const QDir dir(folder);
    const QString canonical = dir.canonicalPath();
    // A symlink loop or a folder reached twice (nested roots) is walked once.
    if (canonical.isEmpty() || seen_dirs.contains(canonical)) return;
    seen_dirs.insert(canonical);
    const QFileInfoList entries = dir.entryInfoList(
        QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Readable, QDir::Name);
    for (const QFileInfo& entry : entries) {
        if (entry.isDir()) {
            if (depth_left > 0 && !entry.fileName().startsWith(QLatin1Char('.')))
                walk(entry.filePath(), depth_left - 1, seen_dirs, seen_files, out);
            continue;
        }
        if (!entry.fileName().endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) continue;
        const QString real = entry.canonicalFilePath();
        if (real.isEmpty() || seen_files.contains(real)) continue;  // dangling link or duplicate
        seen_files.insert(real);
        out << entry.absoluteFilePath();
    }
}

}  // namespace

QStringList default_model_folders() {
    const QString home = QDir::homePath();
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    QStringList folders{app_models_folder()};
    const QString llama_cache = env_path("LLAMA_CACHE");
    folders << (llama_cache.isEmpty() ? QDir(cache).filePath(QStringLiteral("llama.cpp"))
                                      : llama_cache);
    const QString hub_cache = env_path("HF_HUB_CACHE");
    const QString hf_home = env_path("HF_HOME");
    if (!hub_cache.isEmpty()) folders << hub_cache;
    if (!hf_home.isEmpty()) folders << QDir(hf_home).filePath(QStringLiteral("hub"));
    folders << QDir(cache).filePath(QStringLiteral("huggingface/hub"));
    folders << QDir(home).filePath(QStringLiteral(".lmstudio/models"))
            << QDir(cache).filePath(QStringLiteral("lm-studio/models"));
    folders.removeDuplicates();
    return folders;
}

QStringList find_gguf_files(const QStringList& folders, int max_depth) {
    QSet<QString> seen_dirs;
    QSet<QString> seen_files;
    QStringList out;
    for (const QString& folder : folders)
        if (QFileInfo(folder).isDir()) walk(folder, max_depth, seen_dirs, seen_files, out);
    return out;
}

}  // namespace prism::ui
