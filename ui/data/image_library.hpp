#pragma once

// The folder of images attached to messages: <root>/images/<sha256>.<ext>. Files are named by
// content, so the same picture attached twice is stored once; the database refers to them by
// the path relative to the root.

#include <QString>

namespace prism::ui {

struct ImportedImage {
    QString relative_path;  // "images/<sha256>.<ext>"; empty on failure
    QString original_name;  // the source's file name
    int width = 0;          // 0 when the format is not recognised
    int height = 0;
    bool newly_stored = false;  // false when an identical file was already there
    QString error;              // why the import failed
};

class ImageLibrary {
  public:
    explicit ImageLibrary(QString root) : root_(std::move(root)) {}

    // Copies `source` into the library (atomically: a crash leaves no half-written file),
    // hashing it on the way; refuses what is not a regular file (a FIFO: without opening it)
    // or is over 256 MiB. Blocking; thread-safe (the app runs it on a worker thread).
    ImportedImage import(const QString& source) const;
    // Absolute path of a stored image.
    QString absolute_path(const QString& relative_path) const;
    // Deletes a stored image; refuses paths outside the images folder. Returns false on failure.
    bool remove(const QString& relative_path) const;

  private:
    QString root_;
};

}  // namespace prism::ui
