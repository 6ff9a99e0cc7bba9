#include "gpu/pipeline_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/regular_file.hpp"

namespace prism::gpu {

std::filesystem::path default_cache_dir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
        return std::filesystem::path(xdg) / "prism";
    }
    if (const char* home = std::getenv("HOME"); home && *home) {
        return std::filesystem::path(home) / ".cache" / "prism";
    }
    return {};
}

namespace {

// Far more than any driver's cache of Prism's few hundred pipelines.
constexpr std::uint64_t kMaxCacheBytes = 256ull << 20;
// VkPipelineCacheHeaderVersionOne: header size, header version, vendor id, device id, UUID.
constexpr std::size_t kHeaderBytes = 16 + VK_UUID_SIZE;

std::string hex(std::uint32_t v) {
    char text[16];
    std::snprintf(text, sizeof(text), "0x%04x", v);
    return text;
}

// Why the data is not a cache this device made, or "" when its header fits. The driver checks
// this too, but some drivers crash on foreign data, so it is checked first.
std::string header_problem(const std::vector<std::uint8_t>& data,
                           const VkPhysicalDeviceProperties& props) {
    if (data.size() < kHeaderBytes) {
        return "truncated: " + std::to_string(data.size()) + " bytes, less than its " +
               std::to_string(kHeaderBytes) + "-byte header";
    }
    std::uint32_t words[4];
    std::memcpy(words, data.data(), sizeof(words));
    if (words[0] < kHeaderBytes || words[0] > data.size())
        return "header size " + std::to_string(words[0]) + " does not fit the file";
    if (words[1] != VK_PIPELINE_CACHE_HEADER_VERSION_ONE)
        return "unknown header version " + std::to_string(words[1]);
    if (words[2] != props.vendorID || words[3] != props.deviceID) {
        return "made for device " + hex(words[2]) + ":" + hex(words[3]) + ", not " +
               hex(props.vendorID) + ":" + hex(props.deviceID);
    }
    if (std::memcmp(data.data() + 16, props.pipelineCacheUUID, VK_UUID_SIZE) != 0)
        return "made by another driver version (pipeline cache UUID differs)";
    return {};
}

}  // namespace

PipelineCache::PipelineCache(VkDevice device, VkPhysicalDevice physical, const DeviceInfo& info,
                             std::filesystem::path dir)
    : device_(device) {
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(physical, &props);
    std::vector<std::uint8_t> data;
    if (!dir.empty()) {
        char name[96];
        std::snprintf(name, sizeof(name), "pipelines-%04x-%04x.bin", info.vendor_id,
                      info.device_id);
        file_ = dir / name;
        data = load(props);
    }
    VkPipelineCacheCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    ci.initialDataSize = data.size();
    ci.pInitialData = data.empty() ? nullptr : data.data();
    VkPipelineCache cache = VK_NULL_HANDLE;
    if (vkCreatePipelineCache(device_, &ci, nullptr, &cache) != VK_SUCCESS) {
        if (!data.empty()) warn("the driver refused its contents");
        ci.initialDataSize = 0;
        ci.pInitialData = nullptr;
        data.clear();
        vk_check(vkCreatePipelineCache(device_, &ci, nullptr, &cache), "vkCreatePipelineCache");
    }
    cache_ = OwnedPipelineCache(device_, cache);
    loaded_bytes_ = data.size();
}

PipelineCache::~PipelineCache() {
    if (dirty_) save();
}

std::vector<std::uint8_t> PipelineCache::load(const VkPhysicalDeviceProperties& props) {
    std::error_code ec;
    // No file yet (or a dangling link, which save() replaces): a cold start, nothing to say.
    if (!std::filesystem::exists(file_, ec)) return {};
    std::vector<std::uint8_t> data;
    try {
        data = read_regular_file(file_, kMaxCacheBytes);
    } catch (const Error& e) {
        warn(e.what(), /*names_file=*/true);
        return {};
    }
    if (const std::string problem = header_problem(data, props); !problem.empty()) {
        warn(problem);
        return {};
    }
    return data;
}

void PipelineCache::warn(const std::string& problem, bool names_file) {
    report((names_file ? problem : file_.string() + ": " + problem) +
           "; the pipeline cache is ignored and rebuilt");
}

void PipelineCache::report(const std::string& warning) {
    std::fprintf(stderr, "prism: warning: %s\n", warning.c_str());
    warnings_.push_back(warning);
}

void PipelineCache::save() {
    if (file_.empty()) return;
    std::size_t size = 0;
    if (vkGetPipelineCacheData(device_, cache_.get(), &size, nullptr) != VK_SUCCESS) return;
    std::vector<char> data(size);
    if (vkGetPipelineCacheData(device_, cache_.get(), &size, data.data()) != VK_SUCCESS) return;
    dirty_ = false;
    if (std::string problem = replace_file(file_, data); !problem.empty())
        report(file_.string() + ": cannot save the pipeline cache (" + problem + ")");
}

std::string replace_file(const std::filesystem::path& file, std::span<const char> data) {
    const auto fail = [](const std::string& what, int err) {
        return what + ": " + std::strerror(err);
    };
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    // A name of its own for every writer: processes (and contexts) that close at the same time
    // each rename a complete file into place, and the last one wins.
    std::string tmp = file.string() + ".XXXXXX";
    const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return fail("creating " + tmp, errno);
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            ::unlink(tmp.c_str());
            return fail("writing " + tmp, err);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return fail("writing " + tmp, err);
    }
    if (::rename(tmp.c_str(), file.c_str()) == 0) return {};
    const int err = errno;
    // rename() replaces a file, a FIFO or a link, but not a folder; an empty one is removed.
    const bool folder = err == EISDIR || err == ENOTEMPTY || err == EEXIST;
    if (folder && std::filesystem::remove(file, ec) && ::rename(tmp.c_str(), file.c_str()) == 0)
        return {};
    ::unlink(tmp.c_str());
    return fail("replacing it", err);
}

}  // namespace prism::gpu
