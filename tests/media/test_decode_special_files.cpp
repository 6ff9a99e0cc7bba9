// An image path that is not a regular file is refused by its kind, without blocking on a FIFO
// or reading a device without end.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "prism/media/image.hpp"
#include "support/special_files.hpp"

namespace prism::media {
namespace {

namespace fs = std::filesystem;

std::string decode_file_error(const fs::path& path) {
    try {
        decode_image_file(path);
    } catch (const MediaError& e) {
        return e.what();
    }
    return "";
}

TEST(DecodeSpecialFiles, FifoIsRefusedWithoutBlocking) {
    const test::TempFolder folder("prism-media-fifo");
    const fs::path fifo = folder.fifo("camera.png");
    const std::string error = test::error_without_blocking([&] { decode_image_file(fifo); }, fifo);
    EXPECT_EQ(error, fifo.string() + ": not a regular file (a FIFO)");
}

TEST(DecodeSpecialFiles, DeviceAndLinkToADeviceAreRefused) {
    EXPECT_EQ(decode_file_error("/dev/zero"), "/dev/zero: not a regular file (a character device)");
    const test::TempFolder folder("prism-media-device");
    const fs::path link = folder / "zero.png";
    fs::create_symlink("/dev/zero", link);
    EXPECT_EQ(decode_file_error(link), link.string() + ": not a regular file (a character device)");
}

TEST(DecodeSpecialFiles, FolderIsRefused) {
    const test::TempFolder folder("prism-media-folder");
    EXPECT_EQ(decode_file_error(folder.path()),
              folder.path().string() + ": not a regular file (a folder)");
}

}  // namespace
}  // namespace prism::media
