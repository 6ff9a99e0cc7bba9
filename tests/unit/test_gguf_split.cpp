// Split models (llama.cpp's gguf-split layout): the demo model split into shards by
// support/gguf_splitter opens from any shard as the same model, and every way a set can be
// incomplete or inconsistent fails with one line naming the shard at fault.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "support/gguf_builder.hpp"
#include "support/gguf_splitter.hpp"
#include "support/special_files.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;
using gguf::File;

std::string open_error(const fs::path& path) {
    try {
        File::open(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

void expect_one_line_naming(const std::string& message, const fs::path& shard) {
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind(shard.string() + ": ", 0), 0u) << message;
}

// Every tensor of `want` is in `got` with the same type, shape and bytes, and no other.
void expect_same_tensors(const File& got, const File& want) {
    ASSERT_EQ(got.tensors().size(), want.tensors().size());
    for (const gguf::TensorInfo& w : want.tensors()) {
        const gguf::TensorInfo& g = got.tensor(w.name);
        EXPECT_EQ(g.type, w.type) << w.name;
        EXPECT_EQ(g.ne, w.ne) << w.name;
        EXPECT_TRUE(std::equal(g.data.begin(), g.data.end(), w.data.begin(), w.data.end()))
            << w.name;
    }
}

class GgufSplit : public ::testing::Test {
  protected:
    void SetUp() override {
        source_.emplace(File::open(demo_model()));
        shards_ = write_split(*source_, folder_ / "stories", 3);
    }

    TempFolder folder_{"prism-gguf-split"};
    std::optional<File> source_;
    std::vector<fs::path> shards_;
};

TEST_F(GgufSplit, OpensFromEveryShardAsTheWholeModel) {
    ASSERT_EQ(shards_.size(), 3u);
    EXPECT_EQ(shards_[0].filename(), "stories-00001-of-00003.gguf");
    std::uint64_t bytes = 0;
    for (const fs::path& p : shards_) bytes += fs::file_size(p);
    for (const fs::path& p : shards_) {
        SCOPED_TRACE(p);
        const File split = File::open(p);
        EXPECT_EQ(split.name(), shards_[0].string());
        EXPECT_EQ(split.shard_count(), 3u);
        EXPECT_EQ(split.file_size(), bytes);
        EXPECT_EQ(split.get<std::string>("general.architecture"), "llama");
        // The source's metadata plus the three split keys.
        EXPECT_EQ(split.metadata().size(), source_->metadata().size() + 3);
        expect_same_tensors(split, *source_);
    }
}

TEST_F(GgufSplit, SingleFilesOpenAsBefore) {
    EXPECT_EQ(source_->shard_count(), 1u);
    EXPECT_EQ(source_->file_size(), fs::file_size(demo_model()));
}

TEST_F(GgufSplit, FirstShardWithoutTensors) {
    // gguf-split --no-tensor-first-split: shard 1 holds the metadata only.
    GgufBuilder first;
    first.set("general.architecture", "test")
        .set<std::uint16_t>("split.no", 0)
        .set<std::uint16_t>("split.count", 2)
        .set<std::int32_t>("split.tensors.count", 2);
    GgufBuilder second;
    second.set<std::uint16_t>("split.no", 1)
        .set<std::uint16_t>("split.count", 2)
        .set<std::int32_t>("split.tensors.count", 2)
        .tensor_f32("a", {4}, {1, 2, 3, 4})
        .tensor_f32("b", {2}, {5, 6});
    first.write(folder_ / "meta-00001-of-00002.gguf");
    second.write(folder_ / "meta-00002-of-00002.gguf");
    const File f = File::open(folder_ / "meta-00001-of-00002.gguf");
    EXPECT_EQ(f.tensors().size(), 2u);
    EXPECT_EQ(f.tensor("b").n_elements(), 2u);
}

TEST_F(GgufSplit, MissingShard) {
    fs::remove(shards_[1]);
    for (const fs::path& p : {shards_[0], shards_[2]}) {
        const std::string message = open_error(p);
        expect_one_line_naming(message, shards_[1]);
        EXPECT_NE(message.find("shard 2 of 3 of a split model is missing"), std::string::npos)
            << message;
    }
}

TEST_F(GgufSplit, TruncatedShard) {
    fs::resize_file(shards_[2], fs::file_size(shards_[2]) / 2);
    const std::string message = open_error(shards_[0]);
    expect_one_line_naming(message, shards_[2]);
    EXPECT_NE(message.find("past the end of the file"), std::string::npos) << message;
    EXPECT_NE(message.find("(shard 3 of 3)"), std::string::npos) << message;
}

TEST_F(GgufSplit, ShardOfAnotherModel) {
    const File other = File::open(test_data("models/tiny-llama-f32.gguf"));
    const auto others = write_split(other, folder_ / "other", 3);
    fs::copy_file(others[1], shards_[1], fs::copy_options::overwrite_existing);
    const std::string message = open_error(shards_[0]);
    expect_one_line_naming(message, shards_[1]);
    EXPECT_NE(message.find("split.tensors.count is " + std::to_string(other.tensors().size())),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("another split model"), std::string::npos) << message;
}

TEST_F(GgufSplit, ShardsInTheWrongPlace) {
    const fs::path swap = folder_ / "swap";
    fs::rename(shards_[1], swap);
    fs::rename(shards_[2], shards_[1]);
    fs::rename(swap, shards_[2]);
    const std::string message = open_error(shards_[0]);
    expect_one_line_naming(message, shards_[1]);
    EXPECT_NE(message.find("split.no says shard 3, its name says shard 2 of 3"), std::string::npos)
        << message;
}

TEST_F(GgufSplit, ShardRenamedOutOfItsSet) {
    const fs::path renamed = folder_ / "stories.gguf";
    fs::copy_file(shards_[0], renamed);
    const std::string message = open_error(renamed);
    expect_one_line_naming(message, renamed);
    EXPECT_NE(message.find("does not end in \"-00001-of-00003.gguf\""), std::string::npos)
        << message;
}

TEST_F(GgufSplit, ShardThatIsAFifo) {
    fs::remove(shards_[1]);
    folder_.fifo(shards_[1].filename().string());
    const std::string message = error_without_blocking([&] { File::open(shards_[0]); }, shards_[1]);
    expect_one_line_naming(message, shards_[1]);
    EXPECT_NE(message.find("(shard 2 of 3)"), std::string::npos) << message;
}

// Hand-made pairs of shards whose split keys agree but whose tensors do not.
class GgufSplitTensors : public ::testing::Test {
  protected:
    static GgufBuilder shard(std::uint16_t no, std::int32_t tensors) {
        GgufBuilder b;
        if (no == 0) b.set("general.architecture", "test");
        b.set<std::uint16_t>("split.no", no)
            .set<std::uint16_t>("split.count", 2)
            .set<std::int32_t>("split.tensors.count", tensors);
        return b;
    }
    fs::path first() const { return folder_ / "pair-00001-of-00002.gguf"; }
    fs::path second() const { return folder_ / "pair-00002-of-00002.gguf"; }

    TempFolder folder_{"prism-gguf-split-tensors"};
};

TEST_F(GgufSplitTensors, TensorInTwoShards) {
    shard(0, 2).tensor_f32("a", {2}, {1, 2}).write(first());
    shard(1, 2).tensor_f32("a", {2}, {3, 4}).write(second());
    const std::string message = open_error(first());
    expect_one_line_naming(message, second());
    EXPECT_NE(message.find("tensor 'a' is also in " + first().string()), std::string::npos)
        << message;
}

TEST_F(GgufSplitTensors, FewerTensorsThanAnnounced) {
    shard(0, 3).tensor_f32("a", {2}, {1, 2}).write(first());
    shard(1, 3).tensor_f32("b", {2}, {3, 4}).write(second());
    const std::string message = open_error(second());
    expect_one_line_naming(message, first());
    EXPECT_NE(message.find("the 2 shards hold 2 tensors but split.tensors.count is 3"),
              std::string::npos)
        << message;
}

// Shards written by the gguf package's own writer (tests/data/models/split): an independent
// implementation of the layout opens as the unsplit file, key for key and byte for byte.
TEST(GgufSplitReference, GgufPackageShardsOpenAsTheUnsplitModel) {
    const File whole = File::open(test_data("models/tiny-llama-f32.gguf"));
    const File split = File::open(test_data("models/split/tiny-llama-f32-00002-of-00003.gguf"));
    EXPECT_EQ(split.shard_count(), 3u);
    EXPECT_EQ(split.name(), test_data("models/split/tiny-llama-f32-00001-of-00003.gguf").string());
    for (const gguf::Value& v : whole.metadata()) {
        const gguf::Value* got = split.find(v.key());
        ASSERT_NE(got, nullptr) << v.key();
        EXPECT_EQ(got->to_string(), v.to_string()) << v.key();
    }
    expect_same_tensors(split, whole);
}

TEST(GgufSplitName, ParsesTheShardSuffix) {
    const auto name = gguf::parse_split_name("/m/Model-Q4_K_M-00002-of-00003.gguf");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->prefix, "/m/Model-Q4_K_M");
    EXPECT_EQ(name->part, 2u);
    EXPECT_EQ(name->parts, 3u);
    EXPECT_EQ(gguf::split_path(name->prefix, 3, 3), "/m/Model-Q4_K_M-00003-of-00003.gguf");
    EXPECT_FALSE(gguf::parse_split_name("Model-00004-of-00003.gguf"));
    EXPECT_FALSE(gguf::parse_split_name("Model-00000-of-00003.gguf"));
    EXPECT_FALSE(gguf::parse_split_name("Model-0001-of-00003.gguf"));
    EXPECT_FALSE(gguf::parse_split_name("Model.gguf"));
}

}  // namespace
}  // namespace prism::test
