// The context's limits in the app, with the demo model and a 256-token context: a message that
// cannot fit is refused and the chat goes on, a conversation that fills the context leaves its
// oldest turns out, an answer cut by the context's end says so, and a context longer than the
// model was trained with loads with a warning.

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "app_context.hpp"
#include "data/app_paths.hpp"
#include "scene_items.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

constexpr int kContext = 256;

QString repeated(const QString& sentence, int times) {
    QString text;
    for (int i = 0; i < times; ++i) text += sentence;
    return text.trimmed();
}

class ChatContextTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;
    std::unique_ptr<AppContext> app_;
    std::unique_ptr<QQmlApplicationEngine> qml_;
    QQuickWindow* window_ = nullptr;

    ChatController& chat() { return app_->chat(); }
    MessageListModel& messages() { return *app_->chat().messages(); }
    QString toast() {
        QObject* toast = window_->findChild<QObject*>(QStringLiteral("toast"));
        return toast != nullptr && toast->property("visible").toBool()
                   ? toast->property("message").toString()
                   : QString();
    }
    bool send_and_wait(const QString& text) {
        if (!chat().send(text)) return false;
        return QTest::qWaitFor([this] { return !chat().generating(); }, 30000);
    }
    void load_demo() {
        app_->engine().loadModel(demo_model_path());
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
    }

  private slots:
    void initTestCase() {
        QVERIFY2(!demo_model_path().isEmpty(), "resources/models/stories260K.gguf not found");
        AppOptions options;
        options.settings_file = files_.filePath(QStringLiteral("prism.conf"));
        options.data_folder = files_.filePath(QStringLiteral("data"));
        options.model_folders = {files_.filePath(QStringLiteral("models"))};
        app_ = std::make_unique<AppContext>(options);
        app_->settings().setTemperature(0.0);
        app_->settings().setContextSize(kContext);
        // The prompts below are sized with it (48 tokens in the demo model's small vocabulary).
        app_->settings().setSystemPrompt(QStringLiteral("You are a helpful assistant."));
        qml_ = std::make_unique<QQmlApplicationEngine>();
        window_ = app_->load_window(*qml_);
        QVERIFY(window_ != nullptr);
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        load_demo();
        QCOMPARE(app_->engine().sessionContext(), kContext);
        QVERIFY(app_->engine().contextWarning().isEmpty());
    }

    void init() {
        chat().newChat();
        chat().setProperty("maxTokens", 48);
    }

    void cleanupTestCase() {
        qml_.reset();
        app_.reset();
    }

    void aMessageLongerThanTheContextIsRefusedAndTheChatGoesOn() {
        const QString too_long = repeated(QStringLiteral("Lily and Tom play in the park. "), 60);
        QVERIFY(send_and_wait(too_long));
        // Taken back: not in the conversation, not in the history, back in the composer.
        QCOMPARE(messages().count(), 0);
        QCOMPARE(chat().conversationId(), -1);
        QVERIFY2(toast().contains(QStringLiteral("does not fit in the context")),
                 qPrintable(toast()));
        QVERIFY2(toast().contains(QStringLiteral("holds %1").arg(kContext)), qPrintable(toast()));
        const auto inputs = items_named(window_, QStringLiteral("composerInput"));
        QCOMPARE(inputs.size(), 1);
        QCOMPARE(inputs[0]->property("text").toString(), too_long);
        const auto send = items_named(window_, QStringLiteral("sendButton"));
        QCOMPARE(send.size(), 1);
        QVERIFY(send[0]->isEnabled());  // ready to send again once shortened
        inputs[0]->setProperty("text", QString());

        QVERIFY(send_and_wait(QStringLiteral("Tell me a story about a cat.")));
        QCOMPARE(messages().count(), 2);
        QVERIFY(!messages().textAt(1).isEmpty());
    }

    void aFullConversationLeavesItsOldestTurnsOut() {
        const QString turn = repeated(QStringLiteral("Lily saw a big red ball in the park. "), 3);
        QStringList notes;
        for (int i = 0; i < 6 && notes.isEmpty(); ++i) {
            QVERIFY(send_and_wait(turn));
            QCOMPARE(messages().count(), 2 * (i + 1));  // every turn stays on screen
            QTRY_VERIFY(!visible_texts(window_, QStringLiteral("statsLabel")).isEmpty());
            notes = visible_texts(window_, QStringLiteral("answerNote"));
        }
        QCOMPARE(notes.size(), 1);
        QVERIFY2(notes[0].contains(QStringLiteral("oldest messages no longer fit")),
                 qPrintable(notes[0]));
        // And the chat goes on.
        QVERIFY(send_and_wait(QStringLiteral("What happened next?")));
        QVERIFY(!messages().textAt(messages().count() - 1).isEmpty());
    }

    void anAnswerCutByTheContextsEndSaysSo() {
        chat().setProperty("maxTokens", -1);  // until the model ends or the context is full
        // 227 prompt tokens: the greedy answer runs into the end of the context.
        QVERIFY(send_and_wait(repeated(QStringLiteral("Tom ran and ran and ran. "), 13)));
        QVERIFY2(messages().count() == 2, qPrintable(toast()));
        QTRY_VERIFY(!visible_texts(window_, QStringLiteral("answerNote")).isEmpty());
        const QString note = visible_texts(window_, QStringLiteral("answerNote")).constFirst();
        QVERIFY2(note.contains(QStringLiteral("The context (%1 tokens) is full").arg(kContext)),
                 qPrintable(note));
    }

    void aContextLongerThanTrainedLoadsWithAWarning() {
        app_->settings().setContextSize(4096);  // stories260K was trained with 2048
        load_demo();
        QCOMPARE(app_->engine().sessionContext(), 4096);
        QVERIFY(app_->engine().contextWarning().contains(QStringLiteral("2048")));
        QTRY_VERIFY2(toast().contains(QStringLiteral("longer than the 2048")), qPrintable(toast()));
        QVERIFY(send_and_wait(QStringLiteral("Tell me a story.")));
        QVERIFY(!messages().textAt(1).isEmpty());
    }
};

const RegisterSuite<ChatContextTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_chat_context.moc"
