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

QString demo_model_path() {
    const QString file = QStringLiteral("models/stories260K.gguf");
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

}  // namespace prism::ui
