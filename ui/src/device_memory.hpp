#pragma once

// The device-local memory of the Vulkan device the engine would pick for `selector` (the GPU
// setting: an index, part of a name, or empty for the default choice), for the model browser's
// fit estimate. 0 when there is no device or the selector matches none. Creates a Vulkan
// instance: call it off the UI thread.

#include <QString>
#include <cstdint>

namespace prism::ui {

std::uint64_t device_memory_bytes(const QString& selector);

}  // namespace prism::ui
