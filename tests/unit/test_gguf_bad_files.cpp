#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/vision_encoder.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

struct BadFile {
    std::string name;
    std::string fragment;
    std::string stage;  // open, decoder or mmproj: what must refuse the file
};

// tests/data/gguf-bad/MANIFEST.tsv, written by tools/make_bad_gguf.py:
// "file<TAB>fragment<TAB>stage".
std::vector<BadFile> read_manifest(const fs::path& dir) {
    std::ifstream in(dir / "MANIFEST.tsv");
    std::vector<BadFile> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        const auto stage_tab = line.rfind('\t');
        if (tab == std::string::npos || stage_tab == tab) continue;
        out.push_back({line.substr(0, tab), line.substr(tab + 1, stage_tab - tab - 1),
                       line.substr(stage_tab + 1)});
    }
    return out;
}

// Opens the file and reads what `stage` reads.
void load(const fs::path& path, const std::string& stage) {
    const gguf::File file = gguf::File::open(path);
    if (stage == "decoder") models::read_hparams(file);
    if (stage == "mmproj") models::read_vision_hparams(file);
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
            load(path, bad.stage);
            ADD_FAILURE() << "loaded without error";
        } catch (const FormatError& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(bad.name), std::string::npos) << message;
            EXPECT_NE(message.find(bad.fragment), std::string::npos) << message;
            // One short line, whatever the names in the file: escaped and capped.
            EXPECT_EQ(message.find_first_of(std::string("\n\0", 2)), std::string::npos) << message;
            EXPECT_LT(message.size(), 400u) << message.substr(0, 400);
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
