#include "screenshot.hpp"

#include <QImage>
#include <QQuickWindow>
#include <QTimer>
#include <cstdio>

#include "app_context.hpp"

namespace prism::ui {

void run_screenshot(AppContext& app, QQuickWindow& window, const ScreenshotPlan& plan,
                    std::function<void(int)> done) {
    ChatController& chat = app.chat();
    EngineController& engine = app.engine();
    chat.setProperty("maxTokens", plan.max_tokens);
    auto finish = std::make_shared<std::function<void(int)>>(std::move(done));

    QObject::connect(&engine, &EngineController::loadFailed, &window, [finish](const QString& e) {
        std::fprintf(stderr, "screenshot: %s\n", qPrintable(e));
        (*finish)(1);
    });
    QObject::connect(&engine, &EngineController::modelChanged, &window, [&chat, &engine, plan] {
        if (!engine.modelLoaded()) return;
        chat.add_user_turn(plan.question, plan.images);
        chat.regenerate();
    });
    QObject::connect(&chat, &ChatController::answerFinished, &window,
                     [&chat, &window, plan, finish] {
                         chat.attachFiles(plan.composer_images);
                         // Time for the thumbnails to decode and the scene to settle before
                         // grabbing.
                         QTimer::singleShot(1500, &window, [&window, plan, finish] {
                             const QImage shot = window.grabWindow();
                             if (shot.isNull() || !shot.save(plan.output)) {
                                 std::fprintf(stderr, "screenshot: could not save %s\n",
                                              qPrintable(plan.output));
                                 (*finish)(1);
                                 return;
                             }
                             std::printf("saved %s (%dx%d)\n", qPrintable(plan.output),
                                         shot.width(), shot.height());
                             (*finish)(0);
                         });
                     });
    QTimer::singleShot(180'000, &window, [finish] {
        std::fprintf(stderr, "screenshot: timed out\n");
        (*finish)(2);
    });
    engine.loadModel(plan.model);
}

}  // namespace prism::ui
