// ConversationStore in one process: round trip, WAL, deletion and images, search, titles,
// throttled streaming writes, damaged and newer databases, errors, the sidebar model.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "data/conversation_list_model.hpp"
#include "data/conversation_store.hpp"
#include "data/history_schema.hpp"
#include "ui/data/test_suites.hpp"

using prism::test::sample_image;
using prism::test::scalar;
using prism::ui::AnswerStats;
using prism::ui::ConversationListModel;
using prism::ui::ConversationStore;

namespace {

QByteArray sha256_of(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

int image_files(const QString& folder) {
    return static_cast<int>(QDir(folder + QStringLiteral("/images")).entryList(QDir::Files).size());
}

}  // namespace

class ConversationStoreTest : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> dir_;
    QString folder() const { return dir_->path(); }
    QString db() const { return dir_->filePath(QStringLiteral("history.sqlite")); }

    bool open(ConversationStore& store, bool full_text = true, int interval_ms = 250) {
        ConversationStore::Options o;
        o.data_folder = folder();
        o.allow_full_text = full_text;
        o.write_interval_ms = interval_ms;
        return store.open(o);
    }

    // history.sqlite at schema 2, written with that version's statements (not this build's):
    // a conversation with a spoken question (its sound), a finished answer and one cut off.
    // `extra` runs after the schema (to make a file the update cannot apply).
    void write_schema_2_history(const QString& extra) {
        const QString name = QStringLiteral("schema2");
        {
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            raw.setDatabaseName(db());
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QStringList statements{
                QStringLiteral("CREATE TABLE conversations (id INTEGER PRIMARY KEY,"
                               " title TEXT NOT NULL DEFAULT '', title_edited INTEGER NOT NULL"
                               " DEFAULT 0, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
                               " model_path TEXT NOT NULL DEFAULT '')"),
                QStringLiteral("CREATE INDEX conversations_by_updated ON conversations(updated)"),
                QStringLiteral("CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation"
                               " INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
                               " role TEXT NOT NULL CHECK (role IN ('system', 'user',"
                               " 'assistant')), text TEXT NOT NULL DEFAULT '', created INTEGER"
                               " NOT NULL, tokens_per_second REAL, time_to_first_token_ms REAL,"
                               " image_encode_ms REAL, stop_reason TEXT)"),
                QStringLiteral(
                    "CREATE INDEX messages_by_conversation ON messages(conversation, id)"),
                QStringLiteral("CREATE TABLE attachments (id INTEGER PRIMARY KEY, message INTEGER"
                               " NOT NULL REFERENCES messages(id) ON DELETE CASCADE, position"
                               " INTEGER NOT NULL, image_path TEXT NOT NULL, original_name TEXT"
                               " NOT NULL DEFAULT '', width INTEGER NOT NULL DEFAULT 0, height"
                               " INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'image'"
                               " CHECK (kind IN ('image', 'audio', 'video')), duration_ms INTEGER"
                               " NOT NULL DEFAULT 0, UNIQUE (message, position))"),
                QStringLiteral("CREATE INDEX attachments_by_image ON attachments(image_path)"),
                QStringLiteral("INSERT INTO conversations VALUES (1, 'Live', 1, 1700000000000,"
                               " 1700000005000, '/models/llava.gguf')"),
                QStringLiteral("INSERT INTO messages VALUES (1, 1, 'user', 'What is this?',"
                               " 1700000001000, NULL, NULL, NULL, NULL)"),
                QStringLiteral("INSERT INTO messages VALUES (2, 1, 'assistant', 'A cup.',"
                               " 1700000002000, 12.5, 80.0, 30.0, 'end_of_generation')"),
                QStringLiteral("INSERT INTO messages VALUES (3, 1, 'assistant', 'It is',"
                               " 1700000003000, NULL, NULL, NULL, NULL)"),
                QStringLiteral("INSERT INTO attachments VALUES (1, 1, 0, 'images/question.wav',"
                               " 'question.wav', 0, 0, 'audio', 2500)"),
                QStringLiteral("PRAGMA user_version = 2"),
            };
            if (!extra.isEmpty()) statements << extra;
            for (const QString& sql : statements) QVERIFY2(q.exec(sql), qPrintable(sql));
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

  private slots:
    void init() {
        dir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(dir_->isValid());
    }

    void roundTripWithAttachments() {
        const QString cat = sample_image(QStringLiteral("chelsea.png"));
        const QString dog = sample_image(QStringLiteral("domestic_dog_640x480.jpg"));
        qint64 conv = 0;
        qint64 user = 0;
        qint64 answer = 0;
        {
            ConversationStore store;
            QVERIFY2(open(store), qPrintable(store.lastError()));
            conv = store.createConversation(QStringLiteral("/models/SmolVLM.gguf"));
            QVERIFY(conv > 0);
            store.addMessage(conv, QStringLiteral("system"), QStringLiteral("Be brief."));
            user = store.addMessage(conv, QStringLiteral("user"),
                                    QStringLiteral("Which animals are these?"), {cat, dog});
            QVERIFY2(user > 0, qPrintable(store.lastError()));
            answer = store.beginAnswer(conv);
            QVERIFY(answer > user);
            store.updateAnswer(answer, QStringLiteral("A cat"));
            QVERIFY(store.finishAnswer(
                answer, QStringLiteral("A cat and a dog."),
                AnswerStats{42.5, 120.0, 35.5, QStringLiteral("end_of_generation")}));
        }
        ConversationStore store;
        QVERIFY(open(store));
        const auto conversations = store.listConversations();
        QCOMPARE(conversations.size(), 1u);
        QCOMPARE(conversations[0].id, conv);
        QCOMPARE(conversations[0].title, QStringLiteral("Which animals are these?"));
        QCOMPARE(conversations[0].model_path, QStringLiteral("/models/SmolVLM.gguf"));
        QCOMPARE(conversations[0].preview, QStringLiteral("A cat and a dog."));

        const auto messages = store.listMessages(conv);
        QCOMPARE(messages.size(), 3u);
        QCOMPARE(messages[0].role, QStringLiteral("system"));
        QCOMPARE(messages[1].id, user);
        QCOMPARE(messages[1].role, QStringLiteral("user"));
        QCOMPARE(messages[1].text, QStringLiteral("Which animals are these?"));
        QVERIFY(!messages[1].stats.has_value());
        QCOMPARE(messages[1].attachments.size(), 2u);
        const auto& a0 = messages[1].attachments[0];
        const auto& a1 = messages[1].attachments[1];
        QCOMPARE(a0.position, 0);
        QCOMPARE(a0.original_name, QStringLiteral("chelsea.png"));
        QCOMPARE(a0.width, 451);
        QCOMPARE(a0.height, 300);
        QCOMPARE(a1.original_name, QStringLiteral("domestic_dog_640x480.jpg"));
        QCOMPARE(a1.width, 640);
        QCOMPARE(a1.height, 480);
        // Copies inside the data folder, named by content, byte for byte the originals.
        QVERIFY(a0.image_path.startsWith(folder() + QStringLiteral("/images/")));
        QVERIFY(a0.image_path.endsWith(QString::fromLatin1(sha256_of(cat).toHex()) +
                                       QStringLiteral(".png")));
        QCOMPARE(sha256_of(a0.image_path), sha256_of(cat));
        QCOMPARE(sha256_of(a1.image_path), sha256_of(dog));
        QVERIFY(a1.image_path.endsWith(QStringLiteral(".jpg")));

        QCOMPARE(messages[2].id, answer);
        QCOMPARE(messages[2].role, QStringLiteral("assistant"));
        QCOMPARE(messages[2].text, QStringLiteral("A cat and a dog."));
        QVERIFY(messages[2].stats.has_value());
        QCOMPARE(messages[2].stats->tokens_per_second, 42.5);
        QCOMPARE(messages[2].stats->time_to_first_token_ms, 120.0);
        QCOMPARE(messages[2].stats->image_encode_ms, 35.5);
        QCOMPARE(messages[2].stats->stop_reason, QStringLiteral("end_of_generation"));

        // The QML forms carry the same.
        const QVariantList list = store.messages(conv);
        QCOMPARE(list.size(), 3);
        const QVariantMap answer_map = list[2].toMap();
        QCOMPARE(answer_map[QStringLiteral("finished")].toBool(), true);
        QCOMPARE(
            answer_map[QStringLiteral("stats")].toMap()[QStringLiteral("stopReason")].toString(),
            QStringLiteral("end_of_generation"));
        QCOMPARE(list[1].toMap()[QStringLiteral("attachments")].toList().size(), 2);
    }

    void soundsAndVideosKeepTheirKindAndLength() {
        const QString sound = QStringLiteral(PRISM_TEST_DATA_DIR "/audio/jfk.wav");
        const QString video = QStringLiteral(PRISM_TEST_DATA_DIR "/video/colours_h264.mkv");
        {
            ConversationStore store;
            QVERIFY(open(store));
            const qint64 conv = store.createConversation();
            QVERIFY(store.addMessageWithAttachments(
                        conv, QStringLiteral("user"), QStringLiteral("Hear and see"),
                        {{sound, QStringLiteral("audio"), 11.0, {}},
                         {video, QStringLiteral("video"), 6.0, QSize(64, 48)}}) > 0);
        }
        ConversationStore store;
        QVERIFY(open(store));
        const auto messages = store.listMessages(store.listConversations().front().id);
        QCOMPARE(messages.size(), std::size_t{1});
        const auto& a = messages.front().attachments;
        QCOMPARE(a.size(), std::size_t{2});
        QCOMPARE(a[0].kind, QStringLiteral("audio"));
        QCOMPARE(a[0].duration_seconds, 11.0);
        QCOMPARE(a[0].original_name, QStringLiteral("jfk.wav"));
        QCOMPARE(sha256_of(a[0].image_path), sha256_of(sound));
        QCOMPARE(a[1].kind, QStringLiteral("video"));
        QCOMPARE(a[1].duration_seconds, 6.0);
        QCOMPARE(QSize(a[1].width, a[1].height), QSize(64, 48));
        QVERIFY(a[1].image_path.endsWith(QStringLiteral(".mkv")));
    }

    void aFirstVersionHistoryGainsKindAndLength() {
        const QString cat = sample_image(QStringLiteral("chelsea.png"));
        {
            ConversationStore store;
            QVERIFY(open(store));
            QVERIFY(store.addMessage(store.createConversation(), QStringLiteral("user"),
                                     QStringLiteral("a cat"), {cat}) > 0);
        }
        {
            // Back to schema 1, as an earlier Prism wrote it.
            QSqlDatabase raw =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("downgrade"));
            raw.setDatabaseName(db());
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("ALTER TABLE attachments DROP COLUMN kind")));
            QVERIFY(q.exec(QStringLiteral("ALTER TABLE attachments DROP COLUMN duration_ms")));
            QVERIFY(
                q.exec(QStringLiteral("ALTER TABLE messages DROP COLUMN time_to_transcript_ms")));
            QVERIFY(
                q.exec(QStringLiteral("ALTER TABLE messages DROP COLUMN time_to_first_sound_ms")));
            QVERIFY(q.exec(QStringLiteral("ALTER TABLE conversations DROP COLUMN deleted")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 1")));
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));
        ConversationStore store;
        QVERIFY(open(store));
        QCOMPARE(scalar(db(), QStringLiteral("PRAGMA user_version")).toInt(),
                 prism::ui::history_schema_version());
        const auto messages = store.listMessages(store.listConversations().front().id);
        QCOMPARE(messages.front().attachments.size(), std::size_t{1});
        QCOMPARE(messages.front().attachments.front().kind, QStringLiteral("image"));
        QCOMPARE(messages.front().attachments.front().duration_seconds, 0.0);
    }

    // A history file as the previous Prism (schema 2) wrote it, made here from that schema's
    // own statements: opening it adds the live latency columns (NULL for every old answer) and
    // keeps every row as it was.
    void aSecondVersionHistoryGainsTheSpokenLatency() {
        write_schema_2_history({});
        if (QTest::currentTestFailed()) return;
        ConversationStore store;
        QVERIFY2(open(store), qPrintable(store.lastError()));
        QCOMPARE(scalar(db(), QStringLiteral("PRAGMA user_version")).toInt(), 4);
        QCOMPARE(prism::ui::history_schema_version(), 4);
        // Schema 4's delete mark: none of the old conversations is deleted.
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM conversations"
                                             " WHERE deleted IS NULL"))
                     .toInt(),
                 1);
        const auto conversations = store.listConversations();
        QCOMPARE(conversations.size(), std::size_t{1});
        QCOMPARE(conversations[0].title, QStringLiteral("Live"));
        QCOMPARE(conversations[0].model_path, QStringLiteral("/models/llava.gguf"));
        const auto messages = store.listMessages(conversations[0].id);
        QCOMPARE(messages.size(), std::size_t{3});
        QCOMPARE(messages[0].text, QStringLiteral("What is this?"));
        QCOMPARE(messages[0].attachments.size(), std::size_t{1});
        QCOMPARE(messages[0].attachments[0].kind, QStringLiteral("audio"));
        QCOMPARE(messages[0].attachments[0].duration_seconds, 2.5);
        QCOMPARE(messages[0].attachments[0].original_name, QStringLiteral("question.wav"));
        QCOMPARE(messages[1].text, QStringLiteral("A cup."));
        QVERIFY(messages[1].stats.has_value());
        QCOMPARE(messages[1].stats->tokens_per_second, 12.5);
        QCOMPARE(messages[1].stats->time_to_first_token_ms, 80.0);
        QCOMPARE(messages[1].stats->image_encode_ms, 30.0);
        QCOMPARE(messages[1].stats->stop_reason, QStringLiteral("end_of_generation"));
        QVERIFY(!messages[1].stats->time_to_transcript_ms.has_value());
        QVERIFY(!messages[1].stats->time_to_first_sound_ms.has_value());
        QVERIFY(!messages[2].stats.has_value());  // cut off, as before
        QCOMPARE(messages[2].text, QStringLiteral("It is"));

        // The new figures round-trip, and a later measurement replaces them.
        const qint64 answer = store.beginAnswer(conversations[0].id);
        AnswerStats stats{20.0, 90.0, 0.0, QStringLiteral("end_of_generation")};
        stats.time_to_transcript_ms = 412.0;
        QVERIFY(store.finishAnswer(answer, QStringLiteral("Yes."), stats));
        QVERIFY(store.setSpokenLatency(answer, 412.0, 655.5));
        QVERIFY(!store.setSpokenLatency(messages[0].id, 1.0, 2.0));  // not an answer
        const auto after = store.listMessages(conversations[0].id);
        QCOMPARE(after.back().stats->time_to_transcript_ms.value_or(-1), 412.0);
        QCOMPARE(after.back().stats->time_to_first_sound_ms.value_or(-1), 655.5);
        QCOMPARE(store.messages(conversations[0].id)
                     .back()
                     .toMap()[QStringLiteral("stats")]
                     .toMap()[QStringLiteral("timeToFirstSoundMs")]
                     .toDouble(),
                 655.5);
    }

    // The update is one transaction: a file whose second new column is already there fails
    // half way, and is left exactly at schema 2 (the first column not added, no row lost).
    void aFailedSchemaUpdateLeavesTheFileAsItWas() {
        write_schema_2_history(
            QStringLiteral("ALTER TABLE messages ADD COLUMN time_to_first_sound_ms REAL"));
        if (QTest::currentTestFailed()) return;
        {
            ConversationStore store;
            QVERIFY(!open(store));
            QVERIFY2(store.lastError().contains(QStringLiteral("version 3")),
                     qPrintable(store.lastError()));
        }
        QCOMPARE(scalar(db(), QStringLiteral("PRAGMA user_version")).toInt(), 2);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM pragma_table_info('messages')"
                                             " WHERE name = 'time_to_transcript_ms'"))
                     .toInt(),
                 0);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM messages")).toInt(), 3);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM attachments")).toInt(), 1);
        QVERIFY(QDir(folder()).entryList({QStringLiteral("*.corrupt-*")}).isEmpty());
    }

    void walModeAndSchemaVersion() {
        ConversationStore store;
        QVERIFY(open(store));
        QVERIFY2(store.createConversation() > 0, qPrintable(store.lastError()));
        QCOMPARE(scalar(db(), QStringLiteral("PRAGMA journal_mode")).toString(),
                 QStringLiteral("wal"));
        QCOMPARE(scalar(db(), QStringLiteral("PRAGMA user_version")).toInt(),
                 prism::ui::history_schema_version());
        QVERIFY(QFile::exists(db() + QStringLiteral("-wal")));
    }

    void deleteRemovesOrphanedImagesButKeepsShared() {
        ConversationStore store;
        QVERIFY(open(store));
        const QString cat = sample_image(QStringLiteral("chelsea.png"));
        const QString rocket = sample_image(QStringLiteral("rocket.jpg"));
        const qint64 a = store.createConversation();
        const qint64 b = store.createConversation();
        QVERIFY(store.addMessage(a, QStringLiteral("user"), QStringLiteral("two"), {cat, rocket}) >
                0);
        const qint64 answer = store.beginAnswer(a);
        QVERIFY(store.finishAnswer(answer, QStringLiteral("ok"), AnswerStats{}));
        QVERIFY(store.addMessage(b, QStringLiteral("user"), QStringLiteral("shared"), {rocket}) >
                0);
        QCOMPARE(image_files(folder()), 2);

        QSignalSpy changed(&store, &ConversationStore::conversationsChanged);
        QVERIFY(store.deleteConversation(a));
        QCOMPARE(changed.count(), 1);
        // Rows went with it (foreign keys on: ON DELETE CASCADE).
        QCOMPARE(
            scalar(db(),
                   QStringLiteral("SELECT count(*) FROM messages WHERE conversation = %1").arg(a))
                .toInt(),
            0);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM attachments")).toInt(), 1);
        QCOMPARE(image_files(folder()), 1);
        const auto left = store.listMessages(b);
        QCOMPARE(left.size(), 1u);
        QVERIFY(QFile::exists(left[0].attachments.at(0).image_path));

        QVERIFY(store.deleteConversation(b));
        QCOMPARE(image_files(folder()), 0);
        QVERIFY(store.listConversations().empty());
    }

    // A delete the user may undo: gone from the list, the search and conversation() at once,
    // but whole, rows and files, until it is purged; restored, it is back as it was, in its
    // place. Purged, it goes as deleteConversation() deletes, keeping files still used.
    void aDeleteCanBeUndoneUntilItIsPurged() {
        ConversationStore store;
        QVERIFY(open(store));
        const QString cat = sample_image(QStringLiteral("chelsea.png"));
        const QString rocket = sample_image(QStringLiteral("rocket.jpg"));
        const qint64 older = store.createConversation();
        QVERIFY(store.addMessage(older, QStringLiteral("user"), QStringLiteral("Launch times"),
                                 {rocket}) > 0);
        const qint64 doomed = store.createConversation(QStringLiteral("/models/vlm.gguf"));
        QVERIFY(store.addMessage(doomed, QStringLiteral("user"), QStringLiteral("Cats and rockets"),
                                 {cat, rocket}) > 0);
        const qint64 answer = store.beginAnswer(doomed);
        QVERIFY(store.finishAnswer(answer, QStringLiteral("A cat by a rocket."),
                                   AnswerStats{9.5, 40.0, 12.0, QStringLiteral("eos")}));
        QVERIFY(store.renameConversation(doomed, QStringLiteral("My cat")));
        const qint64 newer = store.createConversation();
        QVERIFY(store.addMessage(newer, QStringLiteral("user"), QStringLiteral("Newest")) > 0);
        const auto ids = [&store](const QString& search = {}) {
            QList<qint64> out;
            for (const auto& c : store.listConversations(search)) out.append(c.id);
            return out;
        };
        const QList<qint64> order = ids();
        QCOMPARE(order.size(), 3);
        const auto before = store.listMessages(doomed);
        QCOMPARE(before.size(), std::size_t{2});
        const QString cat_copy = before[0].attachments.at(0).image_path;
        QCOMPARE(image_files(folder()), 2);

        QSignalSpy changed(&store, &ConversationStore::conversationsChanged);
        QVERIFY(store.markConversationDeleted(doomed));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(ids(), (QList<qint64>{newer, older}));
        QVERIFY(ids(QStringLiteral("cats")).isEmpty());
        QVERIFY(!store.conversation(doomed).has_value());
        QVERIFY(!store.markConversationDeleted(doomed));  // once is enough
        // Nothing is gone yet: not a row, not a file.
        const QString count_messages =
            QStringLiteral("SELECT count(*) FROM messages WHERE conversation = %1").arg(doomed);
        QCOMPARE(scalar(db(), count_messages).toInt(), 2);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM attachments")).toInt(), 3);
        QCOMPARE(image_files(folder()), 2);

        QVERIFY(store.restoreConversation(doomed));
        QCOMPARE(ids(), order);
        QCOMPARE(ids(QStringLiteral("cats")), QList<qint64>{doomed});
        const auto restored = store.conversation(doomed);
        QVERIFY(restored.has_value());
        QCOMPARE(restored->title, QStringLiteral("My cat"));
        QCOMPARE(restored->model_path, QStringLiteral("/models/vlm.gguf"));
        const auto after = store.listMessages(doomed);
        QCOMPARE(after.size(), before.size());
        for (std::size_t i = 0; i < after.size(); ++i) {
            QCOMPARE(after[i].id, before[i].id);
            QCOMPARE(after[i].role, before[i].role);
            QCOMPARE(after[i].text, before[i].text);
            QCOMPARE(after[i].attachments.size(), before[i].attachments.size());
            for (std::size_t a = 0; a < after[i].attachments.size(); ++a) {
                QCOMPARE(after[i].attachments[a].image_path, before[i].attachments[a].image_path);
                QCOMPARE(after[i].attachments[a].original_name,
                         before[i].attachments[a].original_name);
                QCOMPARE(sha256_of(after[i].attachments[a].image_path),
                         sha256_of(a == 0 ? cat : rocket));
            }
        }
        QCOMPARE(after[1].stats->stop_reason, QStringLiteral("eos"));
        QVERIFY(!store.restoreConversation(doomed));  // not deleted

        // A restored conversation is not purged by a late purge.
        QVERIFY(store.markConversationDeleted(newer));
        QVERIFY(store.restoreConversation(newer));
        QVERIFY(!store.purgeConversation(newer));
        QVERIFY(store.conversation(newer).has_value());

        QVERIFY(store.markConversationDeleted(doomed));
        QVERIFY(store.purgeConversation(doomed));
        QCOMPARE(scalar(db(), count_messages).toInt(), 0);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM attachments")).toInt(), 1);
        // The cat went; the rocket stays for the other conversation.
        QVERIFY(!QFile::exists(cat_copy));
        QCOMPARE(image_files(folder()), 1);
        QVERIFY(QFile::exists(store.listMessages(older).at(0).attachments.at(0).image_path));
        QVERIFY(!store.purgeConversation(doomed));
        QVERIFY(!store.restoreConversation(doomed));  // too late
        QCOMPARE(ids(), (QList<qint64>{newer, older}));
    }

    // The app quitting during the undo makes the delete final, files included; a delete left
    // pending by a Prism that ended without closing (killed) is made final by the next open.
    void aPendingDeleteIsMadeFinalWhenTheHistoryCloses() {
        qint64 kept = -1;
        {
            ConversationStore store;
            QVERIFY(open(store));
            kept = store.createConversation();
            QVERIFY(store.addMessage(kept, QStringLiteral("user"), QStringLiteral("keep me")) > 0);
            const qint64 gone = store.createConversation();
            QVERIFY(store.addMessage(gone, QStringLiteral("user"), QStringLiteral("cat"),
                                     {sample_image(QStringLiteral("chelsea.png"))}) > 0);
            QVERIFY(store.markConversationDeleted(gone));
        }
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM conversations")).toInt(), 1);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM messages")).toInt(), 1);
        QCOMPARE(image_files(folder()), 0);

        qint64 left_marked = -1;
        {
            ConversationStore store;
            QVERIFY(open(store));
            left_marked = store.createConversation();
            QVERIFY(store.addMessage(left_marked, QStringLiteral("user"), QStringLiteral("dog"),
                                     {sample_image(QStringLiteral("rocket.jpg"))}) > 0);
        }
        {
            // What a killed Prism leaves: the mark, rows and file all there.
            QSqlDatabase raw =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("killed"));
            raw.setDatabaseName(db());
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("UPDATE conversations SET deleted = 1 WHERE id = %1")
                               .arg(left_marked)));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("killed"));
        QCOMPARE(image_files(folder()), 1);
        ConversationStore store;
        QVERIFY(open(store));
        QCOMPARE(store.listConversations().size(), std::size_t{1});
        QCOMPARE(store.listConversations().front().id, kept);
        QCOMPARE(scalar(db(), QStringLiteral("SELECT count(*) FROM messages")).toInt(), 1);
        QCOMPARE(image_files(folder()), 0);
    }

    void deleteMessagesFromDropsTheTail() {
        ConversationStore store;
        QVERIFY(open(store));
        const qint64 conv = store.createConversation();
        const qint64 first = store.addMessage(conv, QStringLiteral("user"), QStringLiteral("one"));
        const qint64 answer = store.beginAnswer(conv);
        store.finishAnswer(answer, QStringLiteral("reply"), AnswerStats{});
        store.addMessage(conv, QStringLiteral("user"), QStringLiteral("two"),
                         {sample_image(QStringLiteral("page.png"))});
        QVERIFY(store.deleteMessagesFrom(answer));
        const auto left = store.listMessages(conv);
        QCOMPARE(left.size(), 1u);
        QCOMPARE(left[0].id, first);
        QCOMPARE(image_files(folder()), 0);
        QVERIFY(store.editMessageText(first, QStringLiteral("one, edited")));
        QCOMPARE(store.listMessages(conv)[0].text, QStringLiteral("one, edited"));
    }

    void search_data() {
        QTest::addColumn<bool>("full_text");
        QTest::newRow("fts5") << true;
        QTest::newRow("like") << false;
    }
    void search() {
        QFETCH(bool, full_text);
        ConversationStore store;
        QVERIFY(open(store, full_text));
        QCOMPARE(store.fullTextSearch(), full_text);
        const qint64 cats = store.createConversation();
        store.addMessage(cats, QStringLiteral("user"), QStringLiteral("Why do cats sit on roofs?"));
        const qint64 rockets = store.createConversation();
        store.addMessage(rockets, QStringLiteral("user"), QStringLiteral("Tell me about launches"));
        const qint64 answer = store.beginAnswer(rockets);
        store.updateAnswer(answer, QStringLiteral("Liquid propellant burns"));
        QVERIFY(store.flushPendingWrites());

        auto ids = [&](const QString& q) {
            QList<qint64> out;
            for (const auto& c : store.listConversations(q)) out << c.id;
            return out;
        };
        QCOMPARE(ids(QString()), (QList<qint64>{rockets, cats}));
        QCOMPARE(ids(QStringLiteral("roofs")), QList<qint64>{cats});        // message text
        QCOMPARE(ids(QStringLiteral("LAUNCHES")), QList<qint64>{rockets});  // title, any case
        QCOMPARE(ids(QStringLiteral("propell")),
                 QList<qint64>{rockets});  // streamed answer, prefix
        QCOMPARE(ids(QStringLiteral("zebra")), QList<qint64>{});
        // Syntax characters are text, not operators or wildcards.
        QCOMPARE(ids(QStringLiteral("\"% _ * AND OR (")), QList<qint64>{});
        QVERIFY(store.lastError().isEmpty());

        // The index follows edits and deletions.
        store.finishAnswer(answer, QStringLiteral("Solid boosters"), AnswerStats{});
        QCOMPARE(ids(QStringLiteral("propell")), QList<qint64>{});
        QCOMPARE(ids(QStringLiteral("boosters")), QList<qint64>{rockets});
        store.deleteConversation(rockets);
        QCOMPARE(ids(QStringLiteral("boosters")), QList<qint64>{});
    }

    void titlesAndOrder() {
        ConversationStore store;
        QVERIFY(open(store));
        const qint64 a = store.createConversation();
        QCOMPARE(store.conversation(a)->title, QStringLiteral("New chat"));
        store.addMessage(a, QStringLiteral("user"), QStringLiteral("First question here"));
        store.addMessage(a, QStringLiteral("user"), QStringLiteral("Second question"));
        QCOMPARE(store.conversation(a)->title, QStringLiteral("First question here"));

        const qint64 b = store.createConversation();
        store.addMessage(b, QStringLiteral("user"), QString(),
                         {sample_image(QStringLiteral("camera.png"))});
        QCOMPARE(store.conversation(b)->title, QStringLiteral("camera.png"));

        QVERIFY(store.renameConversation(a, QStringLiteral("  My   title ")));
        store.addMessage(a, QStringLiteral("user"), QStringLiteral("more"));
        QCOMPARE(store.conversation(a)->title, QStringLiteral("My title"));
        // A renamed-to-empty conversation stays untitled rather than re-deriving a title.
        const qint64 c = store.createConversation();
        QVERIFY(store.renameConversation(c, QString()));
        store.addMessage(c, QStringLiteral("user"), QStringLiteral("words"));
        QCOMPARE(store.conversation(c)->title, QStringLiteral("New chat"));

        // Newest activity first: a new message moves a conversation to the top.
        QTest::qWait(5);
        store.addMessage(b, QStringLiteral("user"), QStringLiteral("again"));
        const auto list = store.listConversations();
        QCOMPARE(list.size(), 3u);
        QCOMPARE(list[0].id, b);
        QVERIFY(!store.renameConversation(999, QStringLiteral("x")));
    }

    void streamingWritesAreThrottled() {
        ConversationStore store;
        QVERIFY(open(store, true, 250));
        const qint64 conv = store.createConversation();
        const qint64 answer = store.beginAnswer(conv);
        const QString text_sql =
            QStringLiteral("SELECT text FROM messages WHERE id = %1").arg(answer);
        store.updateAnswer(answer, QStringLiteral("Hel"));  // the first piece is written at once
        QCOMPARE(scalar(db(), text_sql).toString(), QStringLiteral("Hel"));
        store.updateAnswer(answer, QStringLiteral("Hello"));
        QCOMPARE(scalar(db(), text_sql).toString(), QStringLiteral("Hel"));  // within the interval
        // The timer writes the last pending text without another update.
        QTRY_COMPARE_WITH_TIMEOUT(scalar(db(), text_sql).toString(), QStringLiteral("Hello"), 2000);
        // Unfinished answers read back as such.
        const auto messages = store.listMessages(conv);
        QVERIFY(!messages[0].stats.has_value());
        QCOMPARE(store.messages(conv)[0].toMap()[QStringLiteral("finished")].toBool(), false);
    }

    void damagedDatabaseIsMovedAside() {
        QByteArray garbage;
        for (int i = 0; i < 2000; ++i) garbage += "this is not an SQLite database ";
        {
            QFile f(db());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(garbage);
        }
        ConversationStore store;
        QSignalSpy notice(&store, &ConversationStore::recoveryNoticeChanged);
        QVERIFY2(open(store), qPrintable(store.lastError()));
        QCOMPARE(notice.count(), 1);
        QVERIFY(store.recoveryNotice().contains(QStringLiteral("history.sqlite.corrupt-")));
        const QStringList aside =
            QDir(folder()).entryList({QStringLiteral("history.sqlite.corrupt-*")}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QFile kept(QDir(folder()).filePath(aside[0]));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), garbage);  // the user's file is kept as it was
        QVERIFY(store.createConversation() > 0);
        QCOMPARE(store.listConversations().size(), 1u);
    }

    void newerSchemaIsRefusedAndKept() {
        {
            QSqlDatabase raw =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            raw.setDatabaseName(db());
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        ConversationStore store;
        QSignalSpy errors(&store, &ConversationStore::errorOccurred);
        QVERIFY(!open(store));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(store.lastError().contains(QStringLiteral("newer version")),
                 qPrintable(store.lastError()));
        QVERIFY(!store.isReady());
        QCOMPARE(scalar(db(), QStringLiteral("PRAGMA user_version")).toInt(), 99);
        // What the window shows: what happened and where the file is.
        QVERIFY2(store.openError().contains(QDir::toNativeSeparators(db())),
                 qPrintable(store.openError()));
        QVERIFY(store.openError().contains(QStringLiteral("newer version")));
    }

    void folderInPlaceOfTheDatabaseIsReportedAndLeftAlone() {
        QVERIFY(QDir().mkpath(db()));
        {
            QFile kept(db() + "/kept.txt");
            QVERIFY(kept.open(QIODevice::WriteOnly));
            kept.write("the user's");
        }
        ConversationStore store;
        QSignalSpy changed(&store, &ConversationStore::openErrorChanged);
        QVERIFY(!open(store));
        QVERIFY(!store.isReady());
        QVERIFY(changed.count() >= 1);
        QVERIFY2(store.openError().contains(QStringLiteral("is a folder")),
                 qPrintable(store.openError()));
        QVERIFY(store.openError().contains(QDir::toNativeSeparators(db())));
        QVERIFY(QFileInfo(db() + "/kept.txt").exists());  // nothing of the user's was touched
        // Once the folder is gone, the history opens and the message goes away.
        QVERIFY(QDir(db()).removeRecursively());
        QVERIFY2(open(store), qPrintable(store.lastError()));
        QVERIFY(store.openError().isEmpty());
    }

    void failuresAreMessagesNotCrashes() {
        ConversationStore store;
        QVERIFY(store.createConversation() < 0);  // not open
        QVERIFY(store.lastError().contains(QStringLiteral("not open")));
        QVERIFY(store.listConversations().empty());

        // A folder that cannot be created (a file is in the way).
        QFile blocker(dir_->filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QVERIFY(!store.open(dir_->filePath(QStringLiteral("file/sub"))));
        QVERIFY(!store.lastError().isEmpty());

        QVERIFY(open(store));
        const qint64 conv = store.createConversation();
        QSignalSpy errors(&store, &ConversationStore::errorOccurred);
        const QString missing = dir_->filePath(QStringLiteral("no-such-image.png"));
        QCOMPARE(store.addMessage(conv, QStringLiteral("user"), QStringLiteral("look"),
                                  {sample_image(QStringLiteral("camera.png")), missing}),
                 -1);
        QCOMPARE(errors.count(), 1);
        QVERIFY2(store.lastError().contains(QStringLiteral("no-such-image.png")),
                 qPrintable(store.lastError()));
        // Nothing half-stored: no row, and the image copied before the failure is gone again.
        QVERIFY(store.listMessages(conv).empty());
        QCOMPARE(image_files(folder()), 0);
        QCOMPARE(store.addMessage(12345, QStringLiteral("user"), QStringLiteral("x")), -1);
        QCOMPARE(store.addMessage(conv, QStringLiteral("assistant"), QStringLiteral("x")), -1);
        QVERIFY(!store.finishAnswer(777, QStringLiteral("x"), AnswerStats{}));
    }

    void listModelFollowsTheStore() {
        ConversationStore store;
        QVERIFY(open(store));
        ConversationListModel model(&store);
        QSignalSpy count(&model, &ConversationListModel::countChanged);
        QCOMPARE(model.rowCount(), 0);
        const qint64 a = store.createConversation();
        store.addMessage(a, QStringLiteral("user"), QStringLiteral("Alpha question"));
        const qint64 b = store.createConversation();
        store.addMessage(b, QStringLiteral("user"), QStringLiteral("Beta question"));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(count.count() >= 1);
        const QHash<int, QByteArray> roles = model.roleNames();
        QCOMPARE(roles.value(ConversationListModel::IdRole), QByteArray("id"));
        QCOMPARE(roles.value(ConversationListModel::TitleRole), QByteArray("title"));
        QCOMPARE(roles.value(ConversationListModel::UpdatedRole), QByteArray("updated"));
        QCOMPARE(roles.value(ConversationListModel::PreviewRole), QByteArray("preview"));
        QCOMPARE(model.data(model.index(0), ConversationListModel::IdRole).toLongLong(), b);
        QCOMPARE(model.data(model.index(0), ConversationListModel::TitleRole).toString(),
                 QStringLiteral("Beta question"));
        QVERIFY(
            model.data(model.index(0), ConversationListModel::UpdatedRole).toDateTime().isValid());
        model.setFilter(QStringLiteral("alpha"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.idAt(0), a);
        QCOMPARE(model.rowOf(b), -1);
        model.setFilter(QString());
        store.deleteConversation(a);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowOf(b), 0);
    }
};

namespace prism::test {
int run_conversation_store_tests(int argc, char** argv) {
    ConversationStoreTest t;
    return QTest::qExec(&t, argc, argv);
}
}  // namespace prism::test

#include "test_conversation_store.moc"
