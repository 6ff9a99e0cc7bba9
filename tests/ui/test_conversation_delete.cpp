// Deleting a conversation in the real window (offscreen) with the real SQLite history: the
// row's Delete button (shown on hover without moving any row) takes the conversation away at
// once with a "Conversation deleted" notice; Undo brings it back whole (messages, pictures and
// sounds, title, place in the list, on screen), also two deleted by two quick clicks; left
// alone, the notice goes and the delete is made for good, its files with it; quitting during
// the notice makes it final too.

#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QStyleHints>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <memory>

#include "app_context.hpp"
#include "conversation_deletion.hpp"
#include "live_test_support.hpp"
#include "scene_items.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

QPoint centre_of(QQuickItem* item) {
    return item->mapToScene(QPointF(item->width() / 2, item->height() / 2)).toPoint();
}

class ConversationDeleteTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;
    std::unique_ptr<AppContext> app_;
    std::unique_ptr<QQmlApplicationEngine> qml_;
    QQuickWindow* window_ = nullptr;
    bool hover_effects_ = false;

    ConversationStore& history() { return app_->history(); }

    // The sidebar's row of a conversation, or null.
    QQuickItem* row_of(qint64 id) {
        for (QQuickItem* row : items_named(window_, QStringLiteral("conversationRow")))
            if (row->isVisible() && row->property("id_").toLongLong() == id) return row;
        return nullptr;
    }

    // The conversations in the sidebar, top to bottom.
    QList<qint64> listed() {
        QList<QQuickItem*> rows;
        for (QQuickItem* row : items_named(window_, QStringLiteral("conversationRow")))
            if (row->isVisible()) rows.append(row);
        std::sort(rows.begin(), rows.end(),
                  [](QQuickItem* a, QQuickItem* b) { return a->y() < b->y(); });
        QList<qint64> ids;
        for (QQuickItem* row : rows) ids.append(row->property("id_").toLongLong());
        return ids;
    }

    QQuickItem* visible_child_named(QQuickItem* parent, const QString& name) {
        if (parent->objectName() == name && parent->isVisible()) return parent;
        for (QQuickItem* child : parent->childItems())
            if (QQuickItem* found = visible_child_named(child, name)) return found;
        return nullptr;
    }

    // Hovers the row (as a user's pointer rests on it), then clicks its Delete button.
    bool click_delete(qint64 id) {
        QQuickItem* row = row_of(id);
        if (row == nullptr) return false;
        QTest::mouseMove(window_, centre_of(row));
        if (!QTest::qWaitFor([&] {
                return visible_child_named(row, QStringLiteral("deleteConversationButton"));
            }))
            return false;
        QTest::mouseClick(
            window_, Qt::LeftButton, {},
            centre_of(visible_child_named(row, QStringLiteral("deleteConversationButton"))));
        return true;
    }

    QQuickItem* notice() {
        const auto items = items_named(window_, QStringLiteral("undoDeleteNotice"));
        return items.size() == 1 ? items.front() : nullptr;
    }

    qint64 add_conversation(const QString& question, const std::vector<NewAttachment>& files) {
        const qint64 id = history().createConversation();
        history().addMessageWithAttachments(id, QStringLiteral("user"), question, files);
        const qint64 answer = history().beginAnswer(id);
        history().finishAnswer(answer, QStringLiteral("An answer to: ") + question,
                               AnswerStats{10.0, 50.0, 0.0, QStringLiteral("eos")});
        return id;
    }

  private slots:
    void initTestCase() {
        // As on a desktop with a mouse (the offscreen platform says it has no hover).
        hover_effects_ = QGuiApplication::styleHints()->useHoverEffects();
        QGuiApplication::styleHints()->setUseHoverEffects(true);
    }

    void cleanupTestCase() { QGuiApplication::styleHints()->setUseHoverEffects(hover_effects_); }

    void init() {
        static int run = 0;
        app_ = std::make_unique<AppContext>(profile_in(files_.filePath(QString::number(++run))));
        qml_ = std::make_unique<QQmlApplicationEngine>();
        window_ = app_->load_window(*qml_);
        QVERIFY(window_ != nullptr);
        QVERIFY(QTest::qWaitForWindowExposed(window_));
    }

    void cleanup() {
        qml_.reset();
        app_.reset();
        window_ = nullptr;
    }

    void aDeleteIsUndoneOrMadeFinalWhenTheNoticeGoes() {
        const QString cat = test_data_path(QStringLiteral("sample-images/chelsea.png"));
        const QString rocket = test_data_path(QStringLiteral("sample-images/rocket.jpg"));
        const QString sound = test_data_path(QStringLiteral("audio/2830-3980-0043.wav"));
        const qint64 older =
            add_conversation(QStringLiteral("When do rockets launch?"), {NewAttachment{rocket}});
        const qint64 doomed = add_conversation(
            QStringLiteral("What is this cat saying?"),
            {NewAttachment{cat}, NewAttachment{sound, QStringLiteral("audio"), 4.5},
             NewAttachment{rocket}});
        QVERIFY(history().renameConversation(doomed, QStringLiteral("The cat")));
        const qint64 newer = add_conversation(QStringLiteral("Newest"), {});
        QTRY_COMPARE(listed(), (QList<qint64>{newer, doomed, older}));
        const auto stored = history().listMessages(doomed);
        QCOMPARE(stored.size(), std::size_t{2});
        QCOMPARE(stored[0].attachments.size(), std::size_t{3});
        QVERIFY(app_->chat().openConversation(doomed));

        // The pointer on a row shows its buttons over the title: no row moves or grows.
        QQuickItem* first = row_of(newer);
        QQuickItem* second = row_of(doomed);
        QQuickItem* third = row_of(older);
        const qreal height = second->height();
        const qreal third_y = third->y();
        QTest::mouseMove(window_, centre_of(first));
        QTRY_VERIFY(visible_child_named(first, QStringLiteral("deleteConversationButton")));
        QCOMPARE(first->height(), height);
        QCOMPARE(second->y(), first->y() + height + 2);
        QCOMPARE(third->y(), third_y);

        // Delete: gone from the list and the chat at once, with the notice.
        QVERIFY(click_delete(doomed));
        QTRY_COMPARE(listed(), (QList<qint64>{newer, older}));
        QCOMPARE(app_->chat().conversationId(), -1);
        QCOMPARE(app_->chat().messages()->count(), 0);
        QVERIFY(app_->deletion().pending());
        QVERIFY(notice() != nullptr && notice()->isVisible());
        QVERIFY(visible_texts(window_, QStringLiteral("undoDeleteText"))
                    .contains(QStringLiteral("Conversation deleted")));
        QCOMPARE(app_->deletion().titles(), QStringList{QStringLiteral("The cat")});

        // Undo: back in its place, with its title, on screen with its pictures and sound.
        const auto undo = items_named(window_, QStringLiteral("undoDeleteButton"));
        QCOMPARE(undo.size(), 1);
        QTest::mouseClick(window_, Qt::LeftButton, {}, centre_of(undo.front()));
        QTRY_COMPARE(listed(), (QList<qint64>{newer, doomed, older}));
        QVERIFY(!notice()->isVisible());
        QCOMPARE(row_of(doomed)->property("title").toString(), QStringLiteral("The cat"));
        QVERIFY(row_of(doomed)->property("highlighted").toBool());
        QCOMPARE(app_->chat().conversationId(), doomed);
        const MessageListModel& shown = *app_->chat().messages();
        QCOMPARE(shown.count(), 2);
        QCOMPARE(shown.textAt(0), QStringLiteral("What is this cat saying?"));
        QCOMPARE(shown.turn(0).images.size(), 3);
        QCOMPARE(shown.turn(0).images[1].kind, AttachmentKind::audio);
        QCOMPARE(shown.textAt(1), QStringLiteral("An answer to: What is this cat saying?"));
        const auto restored = history().listMessages(doomed);
        QCOMPARE(restored.size(), stored.size());
        for (std::size_t a = 0; a < stored[0].attachments.size(); ++a) {
            QCOMPARE(restored[0].attachments[a].image_path, stored[0].attachments[a].image_path);
            QCOMPARE(restored[0].attachments[a].kind, stored[0].attachments[a].kind);
            QVERIFY(QFile::exists(restored[0].attachments[a].image_path));
        }

        // A second click right after the first lands on the row that moved up under the
        // pointer: one Undo brings both back.
        const qreal doomed_y = row_of(doomed)->y();
        QVERIFY(click_delete(doomed));
        QTRY_COMPARE(listed(), (QList<qint64>{newer, older}));
        QCOMPARE(row_of(older)->y(), doomed_y);
        QVERIFY(click_delete(older));
        QTRY_COMPARE(listed(), QList<qint64>{newer});
        QCOMPARE(app_->deletion().count(), 2);
        QVERIFY(visible_texts(window_, QStringLiteral("undoDeleteText"))
                    .contains(QStringLiteral("2 conversations deleted")));
        QTest::mouseClick(window_, Qt::LeftButton, {}, centre_of(undo.front()));
        QTRY_COMPARE(listed(), (QList<qint64>{newer, doomed, older}));
        QVERIFY(!app_->deletion().pending());
        QCOMPARE(app_->chat().conversationId(), doomed);
        QCOMPARE(history().listMessages(older).size(), std::size_t{2});

        // Deleted again and left alone (a short notice here): made final when the notice
        // goes, files with it, but the rocket the older conversation also shows stays.
        app_->deletion().set_undo_ms(300);
        QVERIFY(click_delete(doomed));
        QTRY_COMPARE(listed(), (QList<qint64>{newer, older}));
        QTRY_VERIFY_WITH_TIMEOUT(!app_->deletion().pending(), app_->deletion().undoMs() + 2000);
        QVERIFY(!notice()->isVisible());
        QVERIFY(history().listMessages(doomed).empty());
        QVERIFY(!QFile::exists(stored[0].attachments[0].image_path));
        QVERIFY(!QFile::exists(stored[0].attachments[1].image_path));
        QVERIFY(QFile::exists(stored[0].attachments[2].image_path));
        QVERIFY(QFile::exists(history().listMessages(older).at(0).attachments.at(0).image_path));
        QVERIFY(!history().restoreConversation(doomed));
    }

    // Quitting while Undo is offered: the delete is made for good, whole, files included; the
    // other conversations are untouched.
    void quittingDuringTheNoticeMakesTheDeleteFinal() {
        const QString dog =
            test_data_path(QStringLiteral("sample-images/domestic_dog_640x480.jpg"));
        const qint64 kept = add_conversation(QStringLiteral("Kept"), {});
        const qint64 gone = add_conversation(QStringLiteral("A dog"), {NewAttachment{dog}});
        QTRY_COMPARE(listed(), (QList<qint64>{gone, kept}));
        const QString copy = history().listMessages(gone).at(0).attachments.at(0).image_path;
        QVERIFY(QFile::exists(copy));
        QVERIFY(click_delete(gone));
        QTRY_VERIFY(app_->deletion().pending());
        const QString folder = history().dataFolder();
        cleanup();  // the app quits

        ConversationStore reopened;
        QVERIFY(reopened.open(folder));
        const auto left = reopened.listConversations();
        QVERIFY(
            std::none_of(left.begin(), left.end(), [&](const auto& c) { return c.id == gone; }));
        QVERIFY(std::any_of(left.begin(), left.end(), [&](const auto& c) { return c.id == kept; }));
        QVERIFY(reopened.listMessages(gone).empty());
        QCOMPARE(reopened.listMessages(kept).size(), std::size_t{2});
        QVERIFY(!QFile::exists(copy));
    }
};

const RegisterSuite<ConversationDeleteTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_conversation_delete.moc"
