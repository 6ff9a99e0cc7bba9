#include "data/app_paths.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace prism::ui {

QString app_data_folder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("prism"));
}

QString app_models_folder() {
    return QDir(app_data_folder()).filePath(QStringLiteral("models"));
}

QString shipped_model_path(const QString& name) {
    const QString file = QStringLiteral("models/") + name;
    QStringList candidates;
    if (QCoreApplication::instance() != nullptr) {
        // <prefix>/bin/prism -> <prefix>/share/prism: a relocated install still finds it.
        candidates << QDir(QCoreApplication::applicationDirPath())
                          .filePath(QStringLiteral("../" PRISM_INSTALL_DATA_RELATIVE "/") + file);
    }
    candidates << QStringLiteral(PRISM_INSTALL_DATA_DIR "/") + file
               << QStringLiteral(PRISM_SOURCE_RESOURCES_DIR "/") + file;
    for (const QString& path : candidates) {
        const QFileInfo info(path);
        if (info.isFile() && info.isReadable()) return info.canonicalFilePath();
    }
    return {};
}

QString demo_model_path() {
    return shipped_model_path(QStringLiteral("stories260K.gguf"));
}

QString shipped_vad_model_path() {
    return shipped_model_path(QStringLiteral("silero-v6.2.0-ggml.bin"));
}

}  // namespace prism::ui
