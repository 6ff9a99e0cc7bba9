#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "gguf/storage.hpp"
#include "prism/error.hpp"
#include "prism/regular_file.hpp"

namespace prism::gguf {

MappedFile::MappedFile(const std::filesystem::path& path) {
    std::optional<RegularFile> file;
    try {
        file.emplace(path);
    } catch (const Error& e) {
        throw FormatError(e.what());
    }
    size_ = static_cast<std::size_t>(file->size());
    if (size_ == 0) return;  // mmap rejects empty lengths; the parser reports the empty file
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file->descriptor(), 0);
    if (p == MAP_FAILED) {
        throw FormatError(path.string() + ": cannot map: " + std::strerror(errno));
    }
    data_ = static_cast<const std::byte*>(p);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

MappedFile::~MappedFile() {
    release();
}

void MappedFile::release() noexcept {
    if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

}  // namespace prism::gguf
