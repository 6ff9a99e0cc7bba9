#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "support/gguf_builder.hpp"

namespace prism {
namespace {

using gguf::File;
using gguf::ValueType;
using test::GgufBuilder;

File parse(const GgufBuilder& b, const std::string& name = "synthetic.gguf") {
    return File::from_bytes(b.bytes(), name);
}

// Runs `f` and returns the FormatError message it throws ("" when it does not throw).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

GgufBuilder every_type() {
    GgufBuilder b;
    b.set<std::uint8_t>("t.u8", 200)
        .set<std::int8_t>("t.i8", -100)
        .set<std::uint16_t>("t.u16", 60000)
        .set<std::int16_t>("t.i16", -30000)
        .set<std::uint32_t>("t.u32", 4000000000u)
        .set<std::int32_t>("t.i32", -2000000000)
        .set<float>("t.f32", 1.5f)
        .set<bool>("t.bool", true)
        .set("t.string", "héllo")
        .set<std::uint64_t>("t.u64", 1ull << 40)
        .set<std::int64_t>("t.i64", -(1ll << 40))
        .set<double>("t.f64", 0.1)
        .set_array<std::int32_t>("t.arr_i32", {1, -2, 3})
        .set_array<std::string>("t.arr_str", {"a", "", "longer string"})
        .set_array<float>("t.arr_f32", {0.25f, -8.0f})
        .set_array<bool>("t.arr_bool", {true, false, true})
        .set_array<std::uint8_t>("t.arr_u8", {})
        .set_array<double>("t.arr_f64", {2.5});
    return b;
}

TEST(GgufReader, ReadsEveryValueType) {
    const File f = parse(every_type());
    EXPECT_EQ(f.version(), 3u);
    EXPECT_EQ(f.metadata().size(), 18u);
    EXPECT_EQ(f.get<std::uint8_t>("t.u8"), 200);
    EXPECT_EQ(f.get<std::int8_t>("t.i8"), -100);
    EXPECT_EQ(f.get<std::uint16_t>("t.u16"), 60000);
    EXPECT_EQ(f.get<std::int16_t>("t.i16"), -30000);
    EXPECT_EQ(f.get<std::uint32_t>("t.u32"), 4000000000u);
    EXPECT_EQ(f.get<std::int32_t>("t.i32"), -2000000000);
    EXPECT_EQ(f.get<float>("t.f32"), 1.5f);
    EXPECT_TRUE(f.get<bool>("t.bool"));
    EXPECT_EQ(f.get<std::string>("t.string"), "héllo");
    EXPECT_EQ(f.get<std::string_view>("t.string"), "héllo");
    EXPECT_EQ(f.get<std::uint64_t>("t.u64"), 1ull << 40);
    EXPECT_EQ(f.get<std::int64_t>("t.i64"), -(1ll << 40));
    EXPECT_EQ(f.get<double>("t.f64"), 0.1);
    EXPECT_EQ(f.get_array<std::int32_t>("t.arr_i32"), (std::vector<std::int32_t>{1, -2, 3}));
    EXPECT_EQ(f.get_array<std::string>("t.arr_str"),
              (std::vector<std::string>{"a", "", "longer string"}));
    EXPECT_EQ(f.get_array<std::string_view>("t.arr_str")[2], "longer string");
    EXPECT_EQ(f.get_array<float>("t.arr_f32"), (std::vector<float>{0.25f, -8.0f}));
    EXPECT_EQ(f.get_array<bool>("t.arr_bool"), (std::vector<bool>{true, false, true}));
    EXPECT_TRUE(f.get_array<std::uint8_t>("t.arr_u8").empty());
    EXPECT_EQ(f.get_array<double>("t.arr_f64"), (std::vector<double>{2.5}));

    const auto& arr = f.value("t.arr_str");
    EXPECT_TRUE(arr.is_array());
    EXPECT_EQ(arr.element_type(), ValueType::String);
    EXPECT_EQ(arr.array_size(), 3u);
    EXPECT_EQ(arr.to_string(), "[string x 3]");
    EXPECT_EQ(f.value("t.u32").to_string(), "4000000000");
    EXPECT_EQ(f.value("t.string").to_string(), "\"héllo\"");
    // Metadata keeps file order.
    EXPECT_EQ(f.metadata().front().key(), "t.u8");
    EXPECT_EQ(f.metadata().back().key(), "t.arr_f64");
}

TEST(GgufReader, WrongTypeNamesKeyExpectedAndActual) {
    const File f = parse(every_type());
    EXPECT_EQ(error_of([&] { f.get<std::uint32_t>("t.u64"); }),
              "synthetic.gguf: key 't.u64' has type u64, expected u32");
    EXPECT_EQ(error_of([&] { f.get<std::string>("t.arr_str"); }),
              "synthetic.gguf: key 't.arr_str' has type array of string, expected string");
    EXPECT_EQ(error_of([&] { f.get_array<std::int64_t>("t.arr_i32"); }),
              "synthetic.gguf: key 't.arr_i32' has type array of i32, expected array of i64");
    EXPECT_EQ(error_of([&] { f.get_array<std::string>("t.string"); }),
              "synthetic.gguf: key 't.string' has type string, expected array of string");
    EXPECT_EQ(error_of([&] { f.value("t.u8").array_size(); }),
              "synthetic.gguf: key 't.u8' has type u8, expected array");
    EXPECT_EQ(error_of([&] { f.get<float>("llama.missing"); }),
              "synthetic.gguf: missing key 'llama.missing'");
}

TEST(GgufReader, OptionalLookups) {
    const File f = parse(every_type());
    EXPECT_EQ(f.find("nope"), nullptr);
    EXPECT_FALSE(f.contains("nope"));
    EXPECT_TRUE(f.contains("t.u8"));
    EXPECT_EQ(f.get_optional<std::uint32_t>("nope"), std::nullopt);
    EXPECT_EQ(f.get_optional<std::uint32_t>("t.u32"), 4000000000u);
    EXPECT_EQ(f.get_or<float>("nope", 10000.0f), 10000.0f);
    EXPECT_EQ(f.get_or<float>("t.f32", 0.0f), 1.5f);
    // A present key of the wrong type is an error even for optional look-ups.
    EXPECT_NE(error_of([&] { f.get_optional<float>("t.f64"); }), "");
}

TEST(GgufReader, IntegerLookupAcceptsAnyWidthThatFits) {
    const File f = parse(every_type());
    EXPECT_EQ(f.get_integer<std::uint32_t>("t.u8"), 200u);
    EXPECT_EQ(f.get_integer<std::int64_t>("t.i32"), -2000000000);
    EXPECT_EQ(f.get_integer<std::uint64_t>("t.u64"), 1ull << 40);
    EXPECT_EQ(f.get_integer<int>("t.i16"), -30000);
    EXPECT_EQ(error_of([&] { f.get_integer<std::uint32_t>("t.i8"); }),
              "synthetic.gguf: key 't.i8' value -100 does not fit in a 32-bit unsigned integer");
    EXPECT_EQ(error_of([&] { f.get_integer<std::int32_t>("t.u64"); }),
              "synthetic.gguf: key 't.u64' value 1099511627776 does not fit in a 32-bit signed "
              "integer");
    EXPECT_EQ(error_of([&] { f.get_integer<std::int32_t>("t.f32"); }),
              "synthetic.gguf: key 't.f32' has type f32, expected an integer");
}

TEST(GgufReader, TensorTableShapesAndData) {
    GgufBuilder b;
    b.set("general.architecture", "llama")
        .tensor_f32("token_embd.weight", {4, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
        .tensor("blk.0.attn_q.weight", TensorType::Q8_0, {64, 2})
        .tensor("output_norm.weight", TensorType::F32, {5})
        .tensor("scalar", TensorType::F32, {});
    const File f = parse(b);
    ASSERT_EQ(f.tensors().size(), 4u);
    EXPECT_EQ(f.alignment(), 32u);
    EXPECT_EQ(f.data_offset() % 32, 0u);

    const auto& emb = f.tensor("token_embd.weight");
    EXPECT_EQ(emb.type, TensorType::F32);
    EXPECT_EQ(emb.n_dims, 2u);
    EXPECT_EQ(emb.ne, (std::array<std::uint64_t, 4>{4, 3, 1, 1}));
    EXPECT_EQ(emb.n_elements(), 12u);
    EXPECT_EQ(emb.n_bytes, 48u);
    EXPECT_EQ(emb.offset, 0u);
    EXPECT_EQ(emb.file_offset, f.data_offset());
    EXPECT_EQ(emb.shape_string(), "[4, 3]");
    ASSERT_EQ(emb.data.size(), 48u);
    float v[12];
    std::memcpy(v, emb.data.data(), sizeof v);
    EXPECT_EQ(v[0], 0.0f);
    EXPECT_EQ(v[11], 11.0f);

    const auto& q = f.tensor("blk.0.attn_q.weight");
    EXPECT_EQ(q.type, TensorType::Q8_0);
    EXPECT_EQ(q.n_bytes, 2u * 2u * 34u);  // 2 rows of 2 blocks of 34 bytes
    EXPECT_EQ(q.offset, 64u);             // 48 bytes rounded up to the alignment
    EXPECT_EQ(f.tensor("scalar").n_elements(), 1u);
    EXPECT_EQ(f.tensor("scalar").shape_string(), "[]");

    EXPECT_EQ(f.find_tensor("output.weight"), nullptr);
    EXPECT_EQ(error_of([&] { f.tensor("output.weight"); }),
              "synthetic.gguf: missing tensor 'output.weight'");

    EXPECT_EQ(f.parameter_count(), 12u + 128u + 5u + 1u);
    const auto h = f.type_histogram();
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(h[0].type, TensorType::F32);
    EXPECT_EQ(h[0].tensors, 3u);
    EXPECT_EQ(h[0].elements, 18u);
    EXPECT_EQ(h[0].bytes, 72u);
    EXPECT_EQ(h[1].type, TensorType::Q8_0);
    EXPECT_EQ(h[1].tensors, 1u);
    EXPECT_EQ(h[1].bytes, 136u);
}

TEST(GgufReader, TypesPrismCannotComputeAreStillRead) {
    GgufBuilder b;
    b.tensor("ids", TensorType::I32, {8}).tensor("q81", TensorType::Q8_1, {32});
    const File f = parse(b);
    EXPECT_EQ(f.tensor("ids").type, TensorType::I32);
    EXPECT_EQ(f.tensor("q81").n_bytes, 36u);
}

TEST(GgufReader, CustomAlignmentAndVersion2) {
    GgufBuilder b;
    b.version(2).alignment(64).tensor("a", TensorType::F32, {3}).tensor("b", TensorType::F16, {5});
    const File f = parse(b);
    EXPECT_EQ(f.version(), 2u);
    EXPECT_EQ(f.alignment(), 64u);
    EXPECT_EQ(f.data_offset() % 64, 0u);
    EXPECT_EQ(f.tensor("b").offset, 64u);
}

TEST(GgufReader, NoTensorsNoMetadata) {
    const File f = parse(GgufBuilder{});
    EXPECT_TRUE(f.metadata().empty());
    EXPECT_TRUE(f.tensors().empty());
    EXPECT_EQ(f.parameter_count(), 0u);
    EXPECT_EQ(f.file_size(), 24u);
}

TEST(GgufReader, MovedFileKeepsViewsValid) {
    GgufBuilder b;
    b.set("general.name", "x").set_array<std::string>("tok", {"ab", "cd"});
    b.tensor_f32("w", {2}, {3.0f, 4.0f});
    File a = parse(b, "a-short-name.gguf");
    const auto* data = a.tensor("w").data.data();
    File moved = std::move(a);
    EXPECT_EQ(moved.tensor("w").data.data(), data);
    EXPECT_EQ(moved.get<std::string_view>("general.name"), "x");
    EXPECT_EQ(moved.get_array<std::string_view>("tok")[1], "cd");
    EXPECT_EQ(error_of([&] { moved.get<float>("general.name"); }),
              "a-short-name.gguf: key 'general.name' has type string, expected f32");
}

TEST(GgufReader, OpensFilesThroughTheMap) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("prism_gguf_reader_" + std::to_string(::getpid()) + ".gguf");
    GgufBuilder b;
    b.set("general.architecture", "llama").tensor_f32("w", {2, 2}, {1, 2, 3, 4});
    b.write(path);
    {
        const File f = File::open(path);
        EXPECT_EQ(f.name(), path.string());
        EXPECT_EQ(f.get<std::string>("general.architecture"), "llama");
        EXPECT_EQ(f.file_size(), std::filesystem::file_size(path));
        float v[4];
        std::memcpy(v, f.tensor("w").data.data(), sizeof v);
        EXPECT_EQ(v[3], 4.0f);
    }
    std::filesystem::remove(path);
    const std::string missing = error_of([&] { File::open(path); });
    EXPECT_NE(missing.find(path.string()), std::string::npos) << missing;
    EXPECT_NE(missing.find("cannot open"), std::string::npos) << missing;
}

TEST(GgufReader, SyntheticMmproj) {
    const File f = parse(test::synthetic_mmproj(/*audio=*/true), "mmproj.gguf");
    EXPECT_EQ(f.get<std::string>("general.architecture"), "clip");
    EXPECT_TRUE(f.get<bool>("clip.has_vision_encoder"));
    EXPECT_TRUE(f.get<bool>("clip.has_audio_encoder"));
    EXPECT_EQ(f.get<std::uint32_t>("clip.vision.image_size"), 64u);
    EXPECT_EQ(f.get_array<float>("clip.vision.image_mean").size(), 3u);
    EXPECT_EQ(f.tensor("v.patch_embd.weight").ne, (std::array<std::uint64_t, 4>{16, 16, 3, 32}));
    EXPECT_EQ(f.tensor("mm.a.mlp.1.weight").type, TensorType::Q8_0);
}

// Every prefix of a valid file is a truncated file: each must fail cleanly, never crash.
TEST(GgufReader, EveryTruncationIsAFormatError) {
    const auto bytes = every_type()
                           .tensor("a", TensorType::F32, {3})
                           .tensor("b", TensorType::Q4_0, {32, 2})
                           .bytes();
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const std::span<const std::byte> prefix(bytes.data(), n);
        const std::string message = error_of([&] { File::from_bytes(prefix, "cut.gguf"); });
        EXPECT_EQ(message.rfind("cut.gguf: ", 0), 0u) << "prefix of " << n << " bytes: " << message;
    }
    EXPECT_NO_THROW(File::from_bytes(bytes));
}

}  // namespace
}  // namespace prism
