#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "prism/gguf.hpp"
#include "prism/printable.hpp"

namespace prism::cli {
namespace {

using gguf::File;

// Metadata is shown as written, whatever its type, so that an odd value is still visible
// instead of failing the whole listing.
std::string shown(const File& f, const std::string& key) {
    const gguf::Value* v = f.find(key);
    if (v == nullptr) return "-";
    if (v->type() == gguf::ValueType::String) return printable(v->as<std::string_view>());
    return v->to_string();
}

bool flag(const File& f, const std::string& key) {
    const gguf::Value* v = f.find(key);
    return v != nullptr && v->type() == gguf::ValueType::Bool && v->as<bool>();
}

std::string count(std::uint64_t n) {
    char buf[48];
    if (n >= 1'000'000'000) {
        std::snprintf(buf, sizeof buf, "%.2fB", static_cast<double>(n) / 1e9);
    } else if (n >= 1'000'000) {
        std::snprintf(buf, sizeof buf, "%.2fM", static_cast<double>(n) / 1e6);
    } else if (n >= 1'000) {
        std::snprintf(buf, sizeof buf, "%.2fK", static_cast<double>(n) / 1e3);
    } else {
        return std::to_string(n);
    }
    return std::string(buf) + " (" + std::to_string(n) + ")";
}

std::string size(std::uint64_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%llu bytes (%.2f MiB)", static_cast<unsigned long long>(bytes),
                  static_cast<double>(bytes) / (1 << 20));
    return buf;
}

// An mmproj file may hold a vision and/or an audio encoder. Older converters did not write the
// has_*_encoder flags; their per-encoder keys still tell.
bool has_encoder(const File& f, const std::string& kind) {
    if (f.contains("clip.has_" + kind + "_encoder"))
        return flag(f, "clip.has_" + kind + "_encoder");
    return f.contains("clip." + kind + ".block_count");
}

void print_encoder(const File& f, const std::string& kind) {
    const std::string p = "clip." + kind + ".";
    std::printf("%s encoder:\n", kind.c_str());
    if (f.contains(p + "projector_type")) {
        std::printf("  projector type:     %s\n", shown(f, p + "projector_type").c_str());
    }
    if (kind == "vision") {
        std::printf("  image size:         %s\n", shown(f, p + "image_size").c_str());
        std::printf("  patch size:         %s\n", shown(f, p + "patch_size").c_str());
    } else {
        std::printf("  mel bins:           %s\n", shown(f, p + "num_mel_bins").c_str());
    }
    std::printf("  embedding length:   %s\n", shown(f, p + "embedding_length").c_str());
    std::printf("  feed-forward length: %s\n", shown(f, p + "feed_forward_length").c_str());
    std::printf("  layers:             %s\n", shown(f, p + "block_count").c_str());
    std::printf("  attention heads:    %s\n", shown(f, p + "attention.head_count").c_str());
    std::printf("  projection dim:     %s\n", shown(f, p + "projection_dim").c_str());
}

void print_mmproj(const File& f) {
    std::printf("projector type:       %s\n", shown(f, "clip.projector_type").c_str());
    const bool vision = has_encoder(f, "vision");
    const bool audio = has_encoder(f, "audio");
    std::string encoders = vision && audio ? "vision, audio"
                           : vision        ? "vision"
                           : audio         ? "audio"
                                           : "none";
    std::printf("encoders:             %s\n", encoders.c_str());
    if (vision) print_encoder(f, "vision");
    if (audio) print_encoder(f, "audio");
}

}  // namespace

int info_command(const std::vector<std::string>& args) {
    if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
        std::puts("usage: prism-cli info FILE.gguf");
        return 0;
    }
    if (args.size() != 1) {
        std::fputs("usage: prism-cli info FILE.gguf\n", stderr);
        return 2;
    }
    const File f = File::open(args[0]);
    const std::string arch = shown(f, "general.architecture");
    std::printf("file:                 %s\n", f.name().c_str());
    std::printf("file size:            %s\n", size(f.file_size()).c_str());
    if (f.shard_count() > 1) std::printf("shards:               %zu\n", f.shard_count());
    std::printf("GGUF version:         %u\n", f.version());
    std::printf("architecture:         %s\n", arch.c_str());
    std::printf("name:                 %s\n", shown(f, "general.name").c_str());
    std::printf("parameters:           %s\n", count(f.parameter_count()).c_str());
    if (arch != "clip") {
        std::printf("context length:       %s\n", shown(f, arch + ".context_length").c_str());
    }
    std::printf("metadata keys:        %zu\n", f.metadata().size());
    std::printf("tensors:              %zu\n", f.tensors().size());
    for (const auto& t : f.type_histogram()) {
        std::printf("  %-7s %6llu tensors %14s elements %14s bytes\n",
                    std::string(tensor_type_name(t.type)).c_str(),
                    static_cast<unsigned long long>(t.tensors), std::to_string(t.elements).c_str(),
                    std::to_string(t.bytes).c_str());
    }
    if (arch == "clip") print_mmproj(f);
    return 0;
}

}  // namespace prism::cli
