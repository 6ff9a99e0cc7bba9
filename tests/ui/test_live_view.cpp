// The live view in the real window (offscreen): Ctrl+L opens it over the chat, the picture and
// the state badge show, Space held records and released asks, a typed question gets its answer
// beside the picture with the frame the model saw outlined and the latency figures, every
// control has a name for screen readers, and Esc leaves live mode for the chat, on the live
// conversation.

#include <QAccessible>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

#include "app_context.hpp"
#include "capture_file_sources.hpp"
#include "live_test_support.hpp"
#include "scene_items.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

QQuickItem* only_item(QQuickWindow* window, const QString& name) {
    const auto items = items_named(window, name);
    return items.size() == 1 ? items.front() : nullptr;
}

class LiveViewTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;

  private slots:
    void theLiveViewOpensAnswersAndCloses() {
        AppContext app(profile_in(files_.path()));
        app.settings().setTemperature(0.0);
        app.live_settings().setSpeechModel(files_.filePath(QStringLiteral("no-whisper.gguf")));
        app.live_settings().setVadModel(test_data_path("vad/silero-v6.2.0-ggml.bin"));
        auto video = std::make_unique<FileFrameSource>(test_data_path("video/colours_h264_aac.mp4"),
                                                       Pace::real_time, 10.0);
        video->set_loop(true);
        auto sound = std::make_unique<FileSampleSource>(Pace::real_time);
        sound->set_silence_when_idle(true);
        FileSampleSource* microphone = sound.get();
        app.live().set_sources(std::move(video), std::move(sound));
        app.live().set_speech_output(std::make_unique<RecordingSpeechOutput>());
        QQmlApplicationEngine qml;
        QQuickWindow* window = app.load_window(qml);
        QVERIFY(window != nullptr);
        const QString fixture = test_data_path("vlm/llava");
        app.engine().loadModel(fixture + "/text.gguf", fixture + "/mmproj.gguf");
        QTRY_VERIFY_WITH_TIMEOUT(app.engine().modelLoaded(), 30000);

        QQuickItem* view = only_item(window, QStringLiteral("liveView"));
        QVERIFY(view != nullptr);
        QVERIFY(!view->isVisible());
        window->requestActivate();
        QTest::keyClick(window, Qt::Key_L, Qt::ControlModifier);
        QTRY_VERIFY(app.live().active());
        QVERIFY(view->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(app.live().frameSequence() > 0, 10000);
        QQuickItem* badge = only_item(window, QStringLiteral("liveStateBadge"));
        QVERIFY(badge != nullptr && badge->isVisible());

        // Space held is push-to-talk; the recording goes to the speech model (missing here,
        // which the view says).
        QTRY_VERIFY(view->hasActiveFocus());
        QTest::keyPress(window, Qt::Key_Space);
        QTRY_VERIFY(app.live().pushToTalkHeld());
        QCOMPARE(app.live().state(), LiveController::State::Hearing);
        microphone->play(test_data_path("audio/2830-3980-0043.wav"));
        QTRY_VERIFY_WITH_TIMEOUT(!microphone->playing(), 10000);
        QTest::keyRelease(window, Qt::Key_Space);
        QVERIFY(!app.live().pushToTalkHeld());
        QTRY_VERIFY(app.live().notices().join(u'\n').contains(QStringLiteral("no-whisper.gguf")));

        // A typed question: the answer streams beside the picture, the frame it saw outlined.
        QSignalSpy finished(&app.live(), &LiveController::turnFinished);
        QVERIFY(app.live().ask(QStringLiteral("What colour is it?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QQuickItem* answer = only_item(window, QStringLiteral("liveAnswer"));
        QVERIFY(answer != nullptr);
        QCOMPARE(answer->property("text").toString(), app.live().turns().back().answer);
        QQuickItem* seen = only_item(window, QStringLiteral("liveSeenFrame"));
        QVERIFY(seen != nullptr && seen->isVisible());
        QQuickItem* latency = only_item(window, QStringLiteral("liveLatency"));
        QVERIFY(latency->property("text").toString().contains(QStringLiteral("first token")));

        int controls = 0;
        QStringList unnamed;
        find_unnamed_controls(view, controls, unnamed);
        QVERIFY2(controls >= 6, qPrintable(QString::number(controls)));
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));

        view->forceActiveFocus();
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_VERIFY(!app.live().active());
        QVERIFY(!view->isVisible());
        QVERIFY(only_item(window, QStringLiteral("composerInput"))->isVisible());
        QVERIFY(only_item(window, QStringLiteral("micButton"))->isVisible());

        // Back in the chat, on the live conversation: selected in the sidebar, its turn on
        // screen, the composer ready to go on in it.
        const qint64 id = app.live().conversation_id();
        QVERIFY(id >= 0);
        QCOMPARE(app.chat().conversationId(), id);
        QQuickItem* messages = only_item(window, QStringLiteral("messageList"));
        QVERIFY(messages != nullptr && messages->isVisible());
        QTRY_COMPARE(messages->property("count").toInt(), 2);
        QTRY_VERIFY2(visible_message_text(window).contains(QStringLiteral("What colour is it?")),
                     qPrintable(visible_message_text(window)));
        QCOMPARE(app.chat().messages()->textAt(1), app.live().turns().back().answer);
        QList<qint64> selected;
        for (QQuickItem* row : items_named(window, QStringLiteral("conversationRow")))
            if (row->isVisible() && row->property("highlighted").toBool())
                selected.append(row->property("id_").toLongLong());
        QCOMPARE(selected, QList<qint64>{id});
        QTRY_VERIFY(only_item(window, QStringLiteral("composerInput"))->hasActiveFocus());
    }
};

const RegisterSuite<LiveViewTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_live_view.moc"
