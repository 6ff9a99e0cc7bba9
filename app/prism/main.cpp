// prism: the desktop app. Wires the UI library together and starts the window; everything else
// lives in ui/ (tested there).

#include <QCommandLineParser>
#include <QFileInfo>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QUrl>
#include <cstdio>

#include "app_context.hpp"
#include "capture_file_sources.hpp"
#include "data/app_paths.hpp"
#include "screenshot.hpp"

// The Prism.Ui QML module is a static library; its plugin must be imported by hand.
Q_IMPORT_QML_PLUGIN(Prism_UiPlugin)

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("prism"));
    QGuiApplication::setOrganizationName(QStringLiteral("prism"));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Prism"));
    QGuiApplication::setApplicationVersion(QStringLiteral(PRISM_VERSION));
    // Lets Wayland compositors match the window to the installed desktop entry and its icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.prism.Prism"));
    QQuickStyle::setStyle(QStringLiteral("Basic"));

    QCommandLineParser args;
    args.setApplicationDescription(QStringLiteral("Prism, a local multimodal assistant."));
    args.addHelpOption();
    args.addVersionOption();
    args.addPositionalArgument(QStringLiteral("model"), QStringLiteral("A GGUF model to load."),
                               QStringLiteral("[model.gguf]"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"), QStringLiteral("Save a screenshot of a demo chat and quit."),
        QStringLiteral("out.png"));
    const QCommandLineOption image(
        QStringLiteral("image"),
        QStringLiteral("A file (image, sound, video) for the screenshot's question; without "
                       "--attach, the second and later ones stay in the composer."),
        QStringLiteral("file"));
    const QCommandLineOption attach(QStringLiteral("attach"),
                                    QStringLiteral("A file left in the screenshot's composer."),
                                    QStringLiteral("file"));
    const QCommandLineOption question(QStringLiteral("question"),
                                      QStringLiteral("The screenshot's question."),
                                      QStringLiteral("text"));
    const QCommandLineOption theme(
        QStringLiteral("theme"), QStringLiteral("system, light or dark."), QStringLiteral("theme"));
    const QCommandLineOption server(
        QStringLiteral("server"),
        QStringLiteral("Answer with a model on an OpenAI-compatible server (its API key, if any, "
                       "from PRISM_SERVER_API_KEY)."),
        QStringLiteral("url"));
    const QCommandLineOption live_video(
        QStringLiteral("live-video"),
        QStringLiteral("Start live mode with this video file as the camera."),
        QStringLiteral("file"));
    const QCommandLineOption live_audio(
        QStringLiteral("live-audio"),
        QStringLiteral("Start live mode with this sound file as the microphone."),
        QStringLiteral("file"));
    args.addOptions({screenshot, image, attach, question, theme, server, live_video, live_audio});
    args.process(app);

    // The screenshot's demo chat runs in a throwaway profile: the user's history, settings and
    // model list stay as they are.
    QTemporaryDir throwaway;
    prism::ui::AppOptions options;
    if (args.isSet(screenshot)) {
        if (!throwaway.isValid()) {
            std::fprintf(stderr, "prism: cannot create a temporary profile: %s\n",
                         qPrintable(throwaway.errorString()));
            return 1;
        }
        options.settings_file = throwaway.filePath(QStringLiteral("prism.conf"));
        options.data_folder = throwaway.filePath(QStringLiteral("data"));
        options.model_folders = {throwaway.filePath(QStringLiteral("models"))};
    }
    prism::ui::AppContext context(options);
    if (args.isSet(theme)) context.settings().setTheme(args.value(theme));

    QQmlApplicationEngine qml;
    QQuickWindow* window = context.load_window(qml);
    if (window == nullptr) return 1;

    if (args.isSet(live_video) || args.isSet(live_audio)) {
        // Files stand in for the devices (a demo, or a machine without a camera); live mode
        // starts once a model is there to answer.
        std::unique_ptr<prism::ui::FileFrameSource> frames;
        if (args.isSet(live_video))
            frames = std::make_unique<prism::ui::FileFrameSource>(args.value(live_video),
                                                                  prism::ui::Pace::real_time);
        if (frames) frames->set_loop(true);
        auto sound = std::make_unique<prism::ui::FileSampleSource>(prism::ui::Pace::real_time);
        sound->set_silence_when_idle(true);
        if (args.isSet(live_audio)) sound->play(args.value(live_audio));
        sound->stop();  // until live mode starts it
        context.live().set_sources(std::move(frames), std::move(sound));
        QObject::connect(&context.engine(), &prism::ui::EngineController::modelChanged,
                         &context.live(), [&context] {
                             if (context.engine().modelLoaded()) context.live().start();
                         });
    }

    const QString model = args.positionalArguments().value(0);
    const QString demo = prism::ui::demo_model_path();
    if (args.isSet(screenshot)) {
        prism::ui::ScreenshotPlan plan;
        plan.output = args.value(screenshot);
        plan.model = model.isEmpty() ? demo : model;
        plan.question = args.isSet(question)
                            ? args.value(question)
                            : QStringLiteral("Tell me a short story about this picture.");
        const QStringList images = args.values(image);
        const QStringList attached = args.values(attach);
        const qsizetype in_question = attached.isEmpty() ? 1 : images.size();
        for (qsizetype i = 0; i < images.size(); ++i)
            (i < in_question ? plan.images : plan.composer_images)
                .append(QUrl::fromLocalFile(images[i]));
        for (const QString& file : attached) plan.composer_images.append(QUrl::fromLocalFile(file));
        prism::ui::run_screenshot(context, *window, plan,
                                  [](int code) { QCoreApplication::exit(code); });
    } else if (args.isSet(server)) {
        context.engine().connectServer(args.value(server),
                                       qEnvironmentVariable("PRISM_SERVER_API_KEY"), model);
    } else if (!model.isEmpty()) {
        context.engine().loadModel(model);
    } else if (const QString last = context.settings().lastModelPath();
               !last.isEmpty() && QFileInfo::exists(last)) {
        // Where the user left off.
        context.engine().loadModel(last, context.settings().lastMmprojPath());
    }
    return QGuiApplication::exec();
}
