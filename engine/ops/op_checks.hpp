#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "prism/error.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::ops {

// Shape and type checks at the op boundary; each failure names the op and the argument.
inline void require_type(std::string_view op, std::string_view arg, const gpu::Tensor& t,
                         std::initializer_list<TensorType> allowed) {
    for (auto a : allowed) {
        if (t.type == a) return;
    }
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(tensor_type_name(a));
    throw Error(std::string(op) + ": " + std::string(arg) + " is " + t.shape_string() +
                ", expected type " + list);
}

inline void require_same_shape(std::string_view op, const gpu::Tensor& a, const gpu::Tensor& b) {
    if (a.ne != b.ne) {
        throw Error(std::string(op) + ": shapes differ: " + a.shape_string() + " vs " +
                    b.shape_string());
    }
}

inline void require(bool condition, std::string_view op, const std::string& what) {
    if (!condition) throw Error(std::string(op) + ": " + what);
}

}  // namespace prism::ops
