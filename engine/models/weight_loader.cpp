#include "models/weight_loader.hpp"

#include <string>
#include <utility>

#include "prism/error.hpp"
#include "prism/quant.hpp"

namespace prism::models {
namespace {

std::string shape_string(const WeightShape& s) {
    std::string out = "[" + std::to_string(s[0]);
    int last = 3;
    while (last > 0 && s[static_cast<std::size_t>(last)] == 1) --last;
    for (int i = 1; i <= last; ++i) out += ", " + std::to_string(s[static_cast<std::size_t>(i)]);
    return out + "]";
}

}  // namespace

WeightLoader::WeightLoader(const gguf::File& file, std::string what)
    : file_(file), what_(std::move(what)) {}

bool WeightLoader::has(const std::string& name) const {
    return file_.find_tensor(name) != nullptr;
}

std::int64_t WeightLoader::dim(const std::string& name, int axis) const {
    const gguf::TensorInfo* info = file_.find_tensor(name);
    if (info == nullptr) {
        throw FormatError(file_.name() + ": tensor '" + name + "' is missing (" + what_ + ")");
    }
    return static_cast<std::int64_t>(info->ne[static_cast<std::size_t>(axis)]);
}

void WeightLoader::add(gpu::Tensor& target, const std::string& name, WeightShape shape,
                       WeightKind kind) {
    const gguf::TensorInfo* info = file_.find_tensor(name);
    if (info == nullptr) {
        throw FormatError(file_.name() + ": tensor '" + name + "' is missing (" + what_ + ")");
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (info->ne[i] != static_cast<std::uint64_t>(shape[i])) {
            throw FormatError(file_.name() + ": tensor '" + name + "' has shape " +
                              info->shape_string() + ", expected " + shape_string(shape));
        }
    }
    const auto& type = tensor_type_info(info->type);
    if (!type.computable) {
        throw FormatError(file_.name() + ": tensor '" + name + "' has type " +
                          std::string(type.name) + ", which Prism cannot compute with");
    }
    pending_.push_back({&target, info, shape, kind});
}

void WeightLoader::optional(std::optional<gpu::Tensor>& target, const std::string& name,
                            WeightShape shape, WeightKind kind) {
    if (has(name)) add(target.emplace(), name, shape, kind);
}

std::vector<gpu::Buffer> WeightLoader::upload_all(gpu::Context& context,
                                                  std::uint64_t& bytes) const {
    std::vector<gpu::Buffer> buffers;
    buffers.reserve(pending_.size());
    for (const auto& p : pending_) {
        WeightShape shape = p.shape;
        std::vector<float> widened;
        const std::span<const std::byte> data = host_form(p, shape, widened);
        buffers.push_back(context.allocate(data.size()));
        context.upload(buffers.back().range(), data);
        bytes += data.size();
        *p.target = gpu::Tensor::contiguous(buffers.back().range(),
                                            kept(p) ? p.info->type : TensorType::F32,
                                            {shape[0], shape[1], shape[2], shape[3]});
    }
    return buffers;
}

std::uint64_t WeightLoader::convert_all() const {
    std::uint64_t bytes = 0;
    for (const auto& p : pending_) {
        WeightShape shape = p.shape;
        std::vector<float> widened;
        bytes += host_form(p, shape, widened).size();
    }
    return bytes;
}

bool WeightLoader::kept(const Pending& p) {
    return p.kind == WeightKind::matrix ||
           (p.kind == WeightKind::conv &&
            (p.info->type == TensorType::F32 || p.info->type == TensorType::F16));
}

// The bytes a tensor goes to the device as: the file's own, or widened to f32 (and transposed)
// into `widened`, which then owns them; `shape` follows the transpose.
std::span<const std::byte> WeightLoader::host_form(const Pending& p, WeightShape& shape,
                                                   std::vector<float>& widened) {
    if (kept(p)) return p.info->data;
    widened =
        dequantize(p.info->type, p.info->data, static_cast<std::size_t>(p.info->n_elements()));
    if (p.kind == WeightKind::transposed) {
        std::vector<float> t(widened.size());
        const std::int64_t rows = shape[1], cols = shape[0];
        for (std::int64_t r = 0; r < rows; ++r) {
            for (std::int64_t c = 0; c < cols; ++c) {
                t[static_cast<std::size_t>(c * rows + r)] =
                    widened[static_cast<std::size_t>(r * cols + c)];
            }
        }
        widened = std::move(t);
        std::swap(shape[0], shape[1]);
    }
    return std::as_bytes(std::span<const float>(widened));
}

}  // namespace prism::models
