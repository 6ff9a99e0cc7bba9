#pragma once

// Where the app keeps its files, and where the demo model shipped with it lies.

#include <QString>

namespace prism::ui {

// $XDG_DATA_HOME/prism (~/.local/share/prism): what QStandardPaths::AppDataLocation gives an
// application named "prism", independent of the names the running QCoreApplication has.
QString app_data_folder();

// <app_data_folder>/models: where the app's own downloads go; scanned first for models.
QString app_models_folder();

// stories260K.gguf, the demo model: installed under <prefix>/share/prism/models (looked for
// next to the executable's prefix first, then the configured install prefix), else in the
// source tree's resources/models (running from a build folder). Empty when none exists.
QString demo_model_path();

// A model file shipped with the app (resources/models), found the same way.
QString shipped_model_path(const QString& name);

// The Silero VAD model shipped with the app, found the same way; empty when absent.
QString shipped_vad_model_path();

}  // namespace prism::ui
