// The window tells the user about history problems found at start: a damaged database moved
// aside, a database from a newer Prism, a folder where the database should be. Each shows a
// banner saying what happened and where the old file is; a healthy history shows none.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <functional>
#include <memory>

#include "app_context.hpp"
#include "scene_items.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

class HistoryNoticeTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;
    int run_ = 0;

    struct Shown {
        QString folder;       // the data folder the app was given
        QStringList banners;  // the visible history banner texts
    };

    // Opens the whole window on a data folder that `prepare` sets up, and reads the banner.
    Shown open_window(const std::function<void(const QString& db_path)>& prepare) {
        Shown shown;
        const QString root = files_.filePath(QString::number(++run_));
        shown.folder = QDir(root).filePath(QStringLiteral("data"));
        QDir().mkpath(shown.folder);
        prepare(QDir(shown.folder).filePath(QStringLiteral("history.sqlite")));
        AppOptions options;
        options.settings_file = QDir(root).filePath(QStringLiteral("prism.conf"));
        options.data_folder = shown.folder;
        options.model_folders = {QDir(root).filePath(QStringLiteral("models"))};
        AppContext app(options);
        QQmlApplicationEngine qml;
        QQuickWindow* window = app.load_window(qml);
        if (window == nullptr || !QTest::qWaitForWindowExposed(window)) return shown;
        shown.banners = visible_texts(window, QStringLiteral("historyNoticeText"));
        return shown;
    }

  private slots:
    void aDamagedDatabaseIsMovedAsideAndSaid() {
        const Shown shown = open_window([](const QString& db) {
            QFile f(db);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 2000; ++i) f.write("this is not an SQLite database ");
        });
        QCOMPARE(shown.banners.size(), 1);
        const QStringList aside =
            QDir(shown.folder).entryList({QStringLiteral("history.sqlite.corrupt-*")}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        const QString moved = QDir::toNativeSeparators(QDir(shown.folder).filePath(aside[0]));
        QVERIFY2(shown.banners[0].contains(moved), qPrintable(shown.banners[0]));
        QVERIFY(shown.banners[0].contains(QStringLiteral("could not be read")));
    }

    void aNewerSchemaIsSaidAndLeftUntouched() {
        QString db_path;
        const Shown shown = open_window([&db_path](const QString& db) {
            db_path = db;
            {
                QSqlDatabase raw =
                    QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
                raw.setDatabaseName(db);
                QVERIFY(raw.open());
                QVERIFY(QSqlQuery(raw).exec(QStringLiteral("PRAGMA user_version = 99")));
                raw.close();
            }
            QSqlDatabase::removeDatabase(QStringLiteral("newer"));
        });
        QCOMPARE(shown.banners.size(), 1);
        QVERIFY2(shown.banners[0].contains(QStringLiteral("newer version of Prism")),
                 qPrintable(shown.banners[0]));
        QVERIFY(shown.banners[0].contains(QDir::toNativeSeparators(db_path)));
        QVERIFY(shown.banners[0].contains(QStringLiteral("left untouched")));
        QVERIFY(QFileInfo(db_path).isFile());
    }

    void aFolderInPlaceOfTheDatabaseIsSaid() {
        QString db_path;
        const Shown shown = open_window([&db_path](const QString& db) {
            db_path = db;
            QVERIFY(QDir().mkpath(db));
        });
        QCOMPARE(shown.banners.size(), 1);
        QVERIFY2(shown.banners[0].contains(QStringLiteral("is a folder")),
                 qPrintable(shown.banners[0]));
        QVERIFY(shown.banners[0].contains(QDir::toNativeSeparators(db_path)));
        QVERIFY(QFileInfo(db_path).isDir());
    }

    void aHealthyHistoryShowsNoBanner() {
        const Shown shown = open_window([](const QString&) {});
        QVERIFY2(shown.banners.isEmpty(), qPrintable(shown.banners.join(u'|')));
    }
};

const RegisterSuite<HistoryNoticeTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_history_notice.moc"
