// A model path that is not a regular file is refused by its kind: a FIFO without blocking in
// open(), a device without mapping or reading it.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "support/special_files.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

std::string open_error(const fs::path& path) {
    try {
        gguf::File::open(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

TEST(GgufSpecialFiles, FifoIsRefusedWithoutBlocking) {
    const test::TempFolder folder("prism-gguf-fifo");
    const fs::path fifo = folder.fifo("model.gguf");
    const std::string error = test::error_without_blocking([&] { gguf::File::open(fifo); }, fifo);
    EXPECT_EQ(error, fifo.string() + ": not a regular file (a FIFO)");
}

TEST(GgufSpecialFiles, DevicesFoldersAndLinksToThemAreRefused) {
    EXPECT_EQ(open_error("/dev/zero"), "/dev/zero: not a regular file (a character device)");
    const test::TempFolder folder("prism-gguf-special");
    EXPECT_EQ(open_error(folder.path()),
              folder.path().string() + ": not a regular file (a folder)");
    const fs::path link = folder / "zero.gguf";
    fs::create_symlink("/dev/zero", link);
    EXPECT_EQ(open_error(link), link.string() + ": not a regular file (a character device)");
}

TEST(GgufSpecialFiles, MissingFileNamesTheReason) {
    EXPECT_EQ(open_error("/nonexistent/model.gguf"),
              "/nonexistent/model.gguf: cannot open: No such file or directory");
}

}  // namespace
}  // namespace prism
