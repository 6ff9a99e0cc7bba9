// The whole window with the real engine: streaming into the model and the view, stop,
// regenerate, edit-and-resend, keys, image drops (good and corrupt) and the vision gate.

#include <QAccessible>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QMimeData>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <iterator>
#include <memory>

#include "app_context.hpp"
#include "data/app_paths.hpp"
#include "scene_items.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

// Items are found by objectName in the scene (scene_items.hpp) and in the QObject tree
// (popups live in the window's overlay).

// QTest::keyClicks is for widgets only.
void type_text(QWindow* window, const char* text) {
    for (const char* c = text; *c != 0; ++c) QTest::keyClick(window, *c);
}

void drop_files(QQuickWindow* window, QQuickItem* target, const QList<QUrl>& urls) {
    QMimeData mime;
    mime.setUrls(urls);
    const QPoint pos =
        target->mapToScene(QPointF(target->width() / 2, target->height() / 2)).toPoint();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &enter);
    QDragMoveEvent move(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &move);
    QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &drop);
}

class ChatWindowTest : public QObject {
    Q_OBJECT

    std::unique_ptr<AppContext> app_;
    std::unique_ptr<QQmlApplicationEngine> qml_;
    QQuickWindow* window_ = nullptr;
    QTemporaryDir files_;
    QElapsedTimer clock_;

    ChatController& chat() { return app_->chat(); }
    MessageListModel& messages() { return *app_->chat().messages(); }

    void wait_idle() { QTRY_VERIFY_WITH_TIMEOUT(!chat().generating(), 20000); }

  private slots:
    void initTestCase() {
        clock_.start();
        QVERIFY2(!demo_model_path().isEmpty(), "resources/models/stories260K.gguf not found");
        AppOptions options;
        options.settings_file = files_.filePath(QStringLiteral("prism.conf"));
        options.data_folder = files_.filePath(QStringLiteral("data"));
        options.model_folders = {files_.filePath(QStringLiteral("models"))};
        // One model in the scanned folder, for the model menu.
        QVERIFY(QDir().mkpath(options.model_folders[0]));
        QVERIFY(QFile::copy(demo_model_path(), options.model_folders[0] + "/stories260K.gguf"));
        app_ = std::make_unique<AppContext>(options);
        chat().setProperty("maxTokens", 48);
        // Greedy: with sampling, the tiny model may end an answer at its first token now and
        // then, and the tests check that answers are not empty.
        app_->settings().setTemperature(0.0);
        qml_ = std::make_unique<QQmlApplicationEngine>();
        window_ = app_->load_window(*qml_);
        QVERIFY(window_ != nullptr);
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        // The welcome screen offers the demo model; its button loads it.
        const auto demo = items_named(window_, QStringLiteral("loadDemoButton"));
        QCOMPARE(demo.size(), 1);
        QVERIFY(demo[0]->isVisible());
        QMetaObject::invokeMethod(demo[0], "clicked");
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
        QCOMPARE(app_->engine().architecture(), QStringLiteral("llama"));
    }

    void cleanupTestCase() {
        qml_.reset();
        app_.reset();
        qInfo("ChatWindowTest took %lld ms", static_cast<long long>(clock_.elapsed()));
    }

    void theModelMenuListsTheModelsFound() {
        const auto buttons = items_named(window_, QStringLiteral("modelButton"));
        QCOMPARE(buttons.size(), 1);
        QObject* menu = window_->findChild<QObject*>(QStringLiteral("modelMenu"));
        QVERIFY(menu != nullptr);
        QMetaObject::invokeMethod(buttons[0], "clicked");
        QTRY_VERIFY(menu->property("visible").toBool());
        QQuickItem* first = nullptr;
        QTRY_VERIFY(QMetaObject::invokeMethod(menu, "itemAt", Q_RETURN_ARG(QQuickItem*, first),
                                              Q_ARG(int, 0)) &&
                    first != nullptr && first->property("text").toString().contains("stories260K"));
        QVERIFY(first->isEnabled());
        QMetaObject::invokeMethod(menu, "close");
        QTRY_VERIFY(!menu->property("visible").toBool());
    }

    void sendStreamsTokensIntoModelAndView() {
        int piece_updates = 0;
        connect(&messages(), &QAbstractItemModel::dataChanged, this,
                [&](const QModelIndex& i, const QModelIndex&, const QList<int>& roles) {
                    if (roles.contains(MessageListModel::TextRole) && i.row() == 1) ++piece_updates;
                });
        QVERIFY(chat().send(QStringLiteral("Once upon a time")));
        QCOMPARE(messages().count(), 2);
        QCOMPARE(messages().roleAt(0), QStringLiteral("user"));
        QCOMPARE(messages().roleAt(1), QStringLiteral("assistant"));
        wait_idle();
        disconnect(&messages(), &QAbstractItemModel::dataChanged, this, nullptr);
        // Streamed: the answer grew piece by piece, not in one update at the end.
        QVERIFY2(piece_updates > 3, qPrintable(QString::number(piece_updates)));
        const QString answer = messages().textAt(1);
        QVERIFY(!answer.trimmed().isEmpty());
        // The view shows it: the delegate's rendered text holds the answer's first word.
        const QString first_word = answer.trimmed().section(u' ', 0, 0);
        QTRY_VERIFY2(visible_message_text(window_).contains(first_word),
                     qPrintable(visible_message_text(window_)));
        QTRY_VERIFY(!items_named(window_, QStringLiteral("statsLabel")).isEmpty());
        const auto stats = items_named(window_, QStringLiteral("statsLabel"));
        QVERIFY(stats.last()->property("text").toString().contains(QStringLiteral("tok/s")));
    }

    void escapeStopsWithinOneSecond() {
        chat().setProperty("maxTokens", 100000);
        QVERIFY(chat().send(QStringLiteral("Tell me a long story")));
        const int row = messages().count() - 1;
        QTRY_VERIFY_WITH_TIMEOUT(!messages().textAt(row).isEmpty(), 10000);
        QElapsedTimer stop_clock;
        stop_clock.start();
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!chat().generating(), 1000);
        const qint64 ms = stop_clock.elapsed();
        qInfo("stopped after %lld ms", static_cast<long long>(ms));
        QVERIFY(ms < 1000);
        const QString stats =
            messages().data(messages().index(row), MessageListModel::StatsRole).toString();
        QVERIFY2(stats.contains(QStringLiteral("stopped")), qPrintable(stats));
        chat().setProperty("maxTokens", 48);
    }

    void regenerateReplacesLastAnswer() {
        const int count = messages().count();
        const QString user_text = messages().textAt(count - 2);
        int inserted = 0;
        connect(&messages(), &QAbstractItemModel::rowsInserted, this, [&] { ++inserted; });
        QVERIFY(chat().regenerate());
        // The old answer went away at once and the new one took its row.
        QCOMPARE(messages().count(), count);
        QCOMPARE(messages().textAt(count - 1), QString());
        wait_idle();
        disconnect(&messages(), &QAbstractItemModel::rowsInserted, this, nullptr);
        QCOMPARE(inserted, 1);
        QCOMPARE(messages().count(), count);
        QCOMPARE(messages().textAt(count - 2), user_text);
        QCOMPARE(messages().roleAt(count - 1), QStringLiteral("assistant"));
        QVERIFY(!messages().textAt(count - 1).isEmpty());
    }

    void editAndResendReplacesTheLastExchange() {
        const int count = messages().count();
        QVERIFY(chat().resendLastUserMessage(QStringLiteral("The cat sat")));
        QCOMPARE(messages().count(), count);
        QCOMPARE(messages().textAt(count - 2), QStringLiteral("The cat sat"));
        wait_idle();
        QVERIFY(!messages().textAt(count - 1).isEmpty());
    }

    // With a conversation on screen (message buttons, composer, sidebar, model bar), every
    // control has a name for screen readers: its text or its Accessible.name.
    void everyVisibleControlHasAnAccessibleName() {
        QVERIFY(messages().count() > 0);
        int controls = 0;
        QStringList unnamed;
        find_unnamed_controls(window_->contentItem(), controls, unnamed);
        QVERIFY2(controls >= 8, qPrintable(QString::number(controls)));
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
    }

    void enterSendsAndShiftEnterAddsALine() {
        const auto inputs = items_named(window_, QStringLiteral("composerInput"));
        QCOMPARE(inputs.size(), 1);
        QQuickItem* input = inputs[0];
        input->forceActiveFocus();
        QTRY_VERIFY(input->hasActiveFocus());
        const int count = messages().count();
        type_text(window_, "One");
        QTest::keyClick(window_, Qt::Key_Return, Qt::ShiftModifier);
        type_text(window_, "day");
        QCOMPARE(input->property("text").toString(), QStringLiteral("One\nday"));
        QTest::keyClick(window_, Qt::Key_Return);
        QCOMPARE(messages().count(), count + 2);
        QCOMPARE(messages().textAt(count), QStringLiteral("One\nday"));
        QCOMPARE(input->property("text").toString(), QString());
        wait_idle();
    }

    void droppingAnImageOnTheInputAttachesIt() {
        QImage image(64, 48, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        const QString path = files_.filePath(QStringLiteral("picture.png"));
        QVERIFY(image.save(path));
        const auto areas = items_named(window_, QStringLiteral("composerDropArea"));
        QCOMPARE(areas.size(), 1);
        drop_files(window_, areas[0], {QUrl::fromLocalFile(path)});
        QTRY_COMPARE(chat().attachments()->count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!chat().attachments()->importing(), 20000);
        QCOMPARE(chat().attachments()->items()[0].size, QSize(64, 48));
        // The thumbnail strip shows it, and with a text-only model the composer says why it
        // cannot be sent; the attach button is disabled with the same reason.
        QTRY_VERIFY(items_named(window_, QStringLiteral("attachmentStrip"))[0]->isVisible());
        QVERIFY(items_named(window_, QStringLiteral("visionWarning"))[0]->isVisible());
        QVERIFY(chat().imagesUnavailableReason().contains(QStringLiteral("no vision encoder")));
        QVERIFY(!items_named(window_, QStringLiteral("attachButton"))[0]->isEnabled());
        // Its tooltip says what the model takes: text only, neither images nor sounds.
        QCOMPARE(chat().attachHint(),
                 QStringLiteral("This model takes text only: it has no vision or audio encoder, "
                                "so it can take neither images nor sounds; load an mmproj with "
                                "one."));
        QSignalSpy notices(&chat(), &ChatController::notify);
        QVERIFY(!chat().send(QStringLiteral("What is this?")));
        QCOMPARE(notices.size(), 1);
        QCOMPARE(chat().attachments()->count(), 1);
        chat().attachments()->remove(0);
        QCOMPARE(chat().attachments()->count(), 0);
    }

    // Send is drawn in the accent colour when it can send and plainly when it cannot (the
    // highlighted button's default colour was a light grey that read as greyed out).
    void sendLooksReadyExactlyWhenItCanSend() {
        QQuickItem* input = items_named(window_, QStringLiteral("composerInput")).value(0);
        QVERIFY(input != nullptr);
        const auto send_colour = [&] {
            QQuickItem* send = items_named(window_, QStringLiteral("sendButton")).value(0);
            if (send == nullptr) return QColor();
            // Inside the button, left of its label.
            const QPointF at = send->mapToScene(QPointF(6, send->height() / 2));
            return window_->grabWindow().pixelColor(at.toPoint());
        };
        const auto saturation = [](const QColor& c) {
            return std::max({c.red(), c.green(), c.blue()}) -
                   std::min({c.red(), c.green(), c.blue()});
        };
        QMetaObject::invokeMethod(input, "clear");
        QTRY_VERIFY(!items_named(window_, QStringLiteral("sendButton"))[0]->isEnabled());
        const QColor idle = send_colour();
        QVERIFY2(saturation(idle) < 30, qPrintable(idle.name()));
        input->setProperty("text", QStringLiteral("Hello"));
        QTRY_VERIFY(items_named(window_, QStringLiteral("sendButton"))[0]->isEnabled());
        const QColor ready = send_colour();
        QVERIFY2(saturation(ready) > 80, qPrintable(ready.name()));
        QMetaObject::invokeMethod(input, "clear");
    }

    void ctrlVPastesAnImageAndOtherwiseText() {
        const auto inputs = items_named(window_, QStringLiteral("composerInput"));
        QQuickItem* input = inputs[0];
        input->forceActiveFocus();
        QImage image(40, 30, QImage::Format_RGB32);
        image.fill(Qt::magenta);
        QGuiApplication::clipboard()->setImage(image);
        QTest::keyClick(window_, Qt::Key_V, Qt::ControlModifier);
        QTRY_COMPARE(chat().attachments()->count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!chat().attachments()->importing(), 20000);
        QCOMPARE(chat().attachments()->items()[0].size, QSize(40, 30));
        QVERIFY(QFileInfo::exists(chat().attachments()->items()[0].path));  // kept as a PNG file
        chat().attachments()->remove(0);
        QGuiApplication::clipboard()->setText(QStringLiteral("pasted words"));
        QTest::keyClick(window_, Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(input->property("text").toString(), QStringLiteral("pasted words"));
        QCOMPARE(chat().attachments()->count(), 0);
        QMetaObject::invokeMethod(input, "clear");
    }

    void droppingACorruptFileShowsAnErrorAndTheAppStaysUsable() {
        const QString path = files_.filePath(QStringLiteral("broken.png"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n this is not really a png");
        f.close();
        const auto areas = items_named(window_, QStringLiteral("composerDropArea"));
        drop_files(window_, areas[0], {QUrl::fromLocalFile(path)});
        QObject* toast = window_->findChild<QObject*>(QStringLiteral("toast"));
        QVERIFY(toast != nullptr);
        QTRY_VERIFY2(toast->property("message").toString().contains(QStringLiteral("broken.png")),
                     qPrintable(toast->property("message").toString()));
        QVERIFY(toast->property("visible").toBool());
        QCOMPARE(chat().attachments()->count(), 0);
        QCOMPARE(chat().pendingImages(), 0);
        const int count = messages().count();
        QVERIFY(chat().send(QStringLiteral("Still there?")));
        wait_idle();
        QCOMPARE(messages().count(), count + 2);
        QVERIFY(!messages().textAt(count + 1).isEmpty());
    }

    void theConversationIsStoredAndReopens() {
        const qint64 id = chat().conversationId();
        QVERIFY(id >= 0);
        const int count = messages().count();
        const QString last_answer = messages().textAt(count - 1);
        QVERIFY(app_->history().flushPendingWrites());
        const auto lists = items_named(window_, QStringLiteral("conversationList"));
        QCOMPARE(lists.size(), 1);
        QTRY_COMPARE(lists[0]->property("count").toInt(), 1);
        chat().newChat();
        QCOMPARE(messages().count(), 0);
        QVERIFY(chat().openConversation(id));
        // Regenerate and edit-and-resend replaced rows in the store too: the same turns return.
        QCOMPARE(messages().count(), count);
        QCOMPARE(messages().textAt(count - 1), last_answer);
        // A second store on the same folder (the app restarted) reads the same conversation.
        ConversationStore restarted;
        QVERIFY(restarted.open(files_.filePath(QStringLiteral("data"))));
        QCOMPARE(static_cast<int>(restarted.listMessages(id).size()), count);
    }

    void newChatEmptiesTheConversation() {
        // With the focus in the composer and the error toast of the previous test still shown.
        QObject* toast = window_->findChild<QObject*>(QStringLiteral("toast"));
        QVERIFY(toast->property("visible").toBool());
        QTest::keyClick(window_, Qt::Key_N, Qt::ControlModifier);
        QTRY_COMPARE(messages().count(), 0);
    }

    void aFileThatIsNotAModelShowsTheEnginesError() {
        const QString path = files_.filePath(QStringLiteral("not-a-model.gguf"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("hello");
        f.close();
        QSignalSpy failed(&app_->engine(), &EngineController::loadFailed);
        drop_files(window_, window_->contentItem(), {QUrl::fromLocalFile(path)});
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QObject* dialog = window_->findChild<QObject*>(QStringLiteral("loadErrorDialog"));
        QVERIFY(dialog != nullptr);
        QTRY_VERIFY(dialog->property("visible").toBool());
        QObject* text = window_->findChild<QObject*>(QStringLiteral("loadErrorText"));
        QCOMPARE(text->property("text").toString(), failed[0][0].toString());
        QVERIFY(text->property("text").toString().contains(QStringLiteral("not-a-model.gguf")));
    }
};

const RegisterSuite<ChatWindowTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_chat_window.moc"
