#include "data/settings_store.hpp"

#include <algorithm>
#include <cmath>

namespace prism::ui {
namespace {

constexpr const char* kSystemPrompt = "chat/systemPrompt";
constexpr const char* kTemperature = "sampling/temperature";
constexpr const char* kTopP = "sampling/topP";
constexpr const char* kTopK = "sampling/topK";
constexpr const char* kMinP = "sampling/minP";
constexpr const char* kRepetitionPenalty = "sampling/repetitionPenalty";
constexpr const char* kContextSize = "engine/contextSize";
constexpr const char* kGpuDevice = "engine/gpuDevice";
constexpr const char* kTheme = "appearance/theme";
constexpr const char* kLastModel = "models/lastModelPath";
constexpr const char* kLastMmproj = "models/lastMmprojPath";
constexpr const char* kServeEnabled = "serve/enabled";
constexpr const char* kServeHost = "serve/host";
constexpr const char* kServePort = "serve/port";
constexpr const char* kServeKeyRequired = "serve/keyRequired";

// The engine's SamplerSettings defaults (prism/text/sampler.hpp).
constexpr double kDefaultTemperature = 0.8;
constexpr double kDefaultTopP = 0.95;
constexpr int kDefaultTopK = 40;
constexpr double kDefaultMinP = 0.05;
constexpr double kDefaultRepetitionPenalty = 1.0;
const QString kDefaultSystemPrompt = QStringLiteral("You are a helpful assistant.");
const QString kDefaultTheme = QStringLiteral("system");
const QString kDefaultServeHost = QStringLiteral("127.0.0.1");
constexpr int kDefaultServePort = 8080;

double clamp_real(double v, double lo, double hi, double fallback) {
    return std::isfinite(v) ? std::clamp(v, lo, hi) : fallback;
}

// A stored number, or `fallback` when the file holds something that is not one.
double stored_real(const QSettings& s, const char* key, double fallback) {
    bool ok = false;
    const double v = s.value(QString::fromLatin1(key), fallback).toDouble(&ok);
    return ok ? v : fallback;
}

QString clean_theme(const QString& value) {
    const QString t = value.trimmed().toLower();
    return t == QLatin1String("light") || t == QLatin1String("dark") ? t : kDefaultTheme;
}

QString clean_host(const QString& value) {
    const QString h = value.trimmed();
    return h.isEmpty() ? kDefaultServeHost : h;
}

int clean_port(qint64 v) {
    return v >= 1 && v <= 65535 ? static_cast<int>(v) : kDefaultServePort;
}

int clean_context(qint64 v) {
    if (v <= 0) return 0;  // automatic
    return static_cast<int>(
        std::clamp<qint64>(v, SettingsStore::kMinContextSize, SettingsStore::kMaxContextSize));
}

}  // namespace

SettingsStore::SettingsStore(QObject* parent)
    : QObject(parent),
      settings_(std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope,
                                            QStringLiteral("prism"), QStringLiteral("prism"))) {}

SettingsStore::SettingsStore(const QString& path, QObject* parent)
    : QObject(parent), settings_(std::make_unique<QSettings>(path, QSettings::IniFormat)) {}

SettingsStore::~SettingsStore() {
    settings_->sync();
}

QString SettingsStore::fileName() const {
    return settings_->fileName();
}

bool SettingsStore::sync() {
    settings_->sync();
    return settings_->status() == QSettings::NoError;
}

void SettingsStore::store(const char* key, const QVariant& value, const QVariant& current,
                          void (SettingsStore::*changed)()) {
    // Compared with what the getter gives (typed and clamped), not with the raw stored text.
    if (value == current) return;
    settings_->setValue(QString::fromLatin1(key), value);
    emit(this->*changed)();
}

QString SettingsStore::systemPrompt() const {
    return settings_->value(QString::fromLatin1(kSystemPrompt), kDefaultSystemPrompt).toString();
}
double SettingsStore::temperature() const {
    return clamp_real(stored_real(*settings_, kTemperature, kDefaultTemperature), 0.0,
                      kMaxTemperature, kDefaultTemperature);
}
double SettingsStore::topP() const {
    return clamp_real(stored_real(*settings_, kTopP, kDefaultTopP), 0.0, 1.0, kDefaultTopP);
}
int SettingsStore::topK() const {
    return std::clamp(settings_->value(QString::fromLatin1(kTopK), kDefaultTopK).toInt(), 0,
                      kMaxTopK);
}
double SettingsStore::minP() const {
    return clamp_real(stored_real(*settings_, kMinP, kDefaultMinP), 0.0, 1.0, kDefaultMinP);
}
double SettingsStore::repetitionPenalty() const {
    return clamp_real(stored_real(*settings_, kRepetitionPenalty, kDefaultRepetitionPenalty),
                      kMinRepetitionPenalty, kMaxRepetitionPenalty, kDefaultRepetitionPenalty);
}
int SettingsStore::contextSize() const {
    return clean_context(settings_->value(QString::fromLatin1(kContextSize), 0).toLongLong());
}
QString SettingsStore::gpuDevice() const {
    return settings_->value(QString::fromLatin1(kGpuDevice)).toString().trimmed();
}
QString SettingsStore::theme() const {
    return clean_theme(settings_->value(QString::fromLatin1(kTheme), kDefaultTheme).toString());
}
QString SettingsStore::lastModelPath() const {
    return settings_->value(QString::fromLatin1(kLastModel)).toString();
}
QString SettingsStore::lastMmprojPath() const {
    return settings_->value(QString::fromLatin1(kLastMmproj)).toString();
}
bool SettingsStore::serveEnabled() const {
    return settings_->value(QString::fromLatin1(kServeEnabled), false).toBool();
}
QString SettingsStore::serveHost() const {
    return clean_host(settings_->value(QString::fromLatin1(kServeHost)).toString());
}
int SettingsStore::servePort() const {
    return clean_port(
        settings_->value(QString::fromLatin1(kServePort), kDefaultServePort).toLongLong());
}
bool SettingsStore::serveKeyRequired() const {
    return settings_->value(QString::fromLatin1(kServeKeyRequired), false).toBool();
}

void SettingsStore::setSystemPrompt(const QString& value) {
    store(kSystemPrompt, value, systemPrompt(), &SettingsStore::systemPromptChanged);
}
void SettingsStore::setTemperature(double value) {
    store(kTemperature, clamp_real(value, 0.0, kMaxTemperature, kDefaultTemperature), temperature(),
          &SettingsStore::temperatureChanged);
}
void SettingsStore::setTopP(double value) {
    store(kTopP, clamp_real(value, 0.0, 1.0, kDefaultTopP), topP(), &SettingsStore::topPChanged);
}
void SettingsStore::setTopK(int value) {
    store(kTopK, std::clamp(value, 0, kMaxTopK), topK(), &SettingsStore::topKChanged);
}
void SettingsStore::setMinP(double value) {
    store(kMinP, clamp_real(value, 0.0, 1.0, kDefaultMinP), minP(), &SettingsStore::minPChanged);
}
void SettingsStore::setRepetitionPenalty(double value) {
    store(
        kRepetitionPenalty,
        clamp_real(value, kMinRepetitionPenalty, kMaxRepetitionPenalty, kDefaultRepetitionPenalty),
        repetitionPenalty(), &SettingsStore::repetitionPenaltyChanged);
}
void SettingsStore::setContextSize(int value) {
    store(kContextSize, clean_context(value), contextSize(), &SettingsStore::contextSizeChanged);
}
void SettingsStore::setGpuDevice(const QString& value) {
    store(kGpuDevice, value.trimmed(), gpuDevice(), &SettingsStore::gpuDeviceChanged);
}
void SettingsStore::setTheme(const QString& value) {
    store(kTheme, clean_theme(value), theme(), &SettingsStore::themeChanged);
}
void SettingsStore::setLastModelPath(const QString& value) {
    store(kLastModel, value, lastModelPath(), &SettingsStore::lastModelPathChanged);
}
void SettingsStore::setLastMmprojPath(const QString& value) {
    store(kLastMmproj, value, lastMmprojPath(), &SettingsStore::lastMmprojPathChanged);
}
void SettingsStore::setServeEnabled(bool value) {
    store(kServeEnabled, value, serveEnabled(), &SettingsStore::serveChanged);
}
void SettingsStore::setServeHost(const QString& value) {
    store(kServeHost, clean_host(value), serveHost(), &SettingsStore::serveChanged);
}
void SettingsStore::setServePort(int value) {
    store(kServePort, clean_port(value), servePort(), &SettingsStore::serveChanged);
}
void SettingsStore::setServeKeyRequired(bool value) {
    store(kServeKeyRequired, value, serveKeyRequired(), &SettingsStore::serveChanged);
}

void SettingsStore::resetToDefaults() {
    setSystemPrompt(kDefaultSystemPrompt);
    setTemperature(kDefaultTemperature);
    setTopP(kDefaultTopP);
    setTopK(kDefaultTopK);
    setMinP(kDefaultMinP);
    setRepetitionPenalty(kDefaultRepetitionPenalty);
    setContextSize(0);
}

}  // namespace prism::ui
