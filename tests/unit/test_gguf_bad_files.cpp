#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

struct BadFile {
    std::string name;
    std::string fragment;
};

// tests/data/gguf-bad/MANIFEST.tsv, written by tools/make_bad_gguf.py: "file<TAB>fragment".
std::vector<BadFile> read_manifest(const fs::path& dir) {
    std::ifstream in(dir / "MANIFEST.tsv");
    std::vector<BadFile> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        out.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
    return out;
}

const fs::path kDir = fs::path(PRISM_TEST_DATA_DIR) / "gguf-bad";

TEST(GgufBadFiles, EachFileGivesItsFormatError) {
    const auto manifest = read_manifest(kDir);
    ASSERT_GE(manifest.size(), 15u) << "manifest missing or short in " << kDir;
    std::set<std::string> fragments;
    for (const auto& bad : manifest) {
        SCOPED_TRACE(bad.name);
        EXPECT_TRUE(fragments.insert(bad.fragment).second) << "two files expect the same fault";
        const fs::path path = kDir / bad.name;
        ASSERT_TRUE(fs::exists(path));
        try {
            gguf::File::open(path);
            ADD_FAILURE() << "opened without error";
        } catch (const FormatError& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(bad.name), std::string::npos) << message;
            EXPECT_NE(message.find(bad.fragment), std::string::npos) << message;
        }
    }
}

TEST(GgufBadFiles, EveryFileIsInTheManifest) {
    const auto manifest = read_manifest(kDir);
    std::set<std::string> listed;
    for (const auto& bad : manifest) listed.insert(bad.name);
    for (const auto& entry : fs::directory_iterator(kDir)) {
        if (entry.path().extension() != ".gguf") continue;
        EXPECT_TRUE(listed.contains(entry.path().filename().string())) << entry.path();
    }
}

}  // namespace
}  // namespace prism
