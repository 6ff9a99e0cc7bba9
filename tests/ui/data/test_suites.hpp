#pragma once

// The suite's test classes (one per file) and the helper-process entry point.

#include <QString>

namespace prism::test {

int run_title_rules_tests(int argc, char** argv);
int run_conversation_store_tests(int argc, char** argv);
int run_store_process_tests(int argc, char** argv);
int run_model_catalog_tests(int argc, char** argv);
int run_settings_store_tests(int argc, char** argv);

// argv[1] is --child-list or --child-stream (see test_store_processes.cpp).
int run_child(int argc, char** argv);

// tests/data/sample-images/<name>
QString sample_image(const QString& name);

}  // namespace prism::test

#include <QVariant>

namespace prism::test {

// The first column of the first row of `sql` on its own connection to `db_path` (a second
// reader, as another process would be); an invalid QVariant on error.
QVariant scalar(const QString& db_path, const QString& sql);

// Runs `ms` milliseconds of the event loop (timers fire).
void spin(int ms);

}  // namespace prism::test
