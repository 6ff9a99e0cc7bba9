#pragma once

#include <stdexcept>
#include <string>

namespace prism {

// Every failure that reaches a caller of the engine is an Error (or a subclass)
// whose message a user can act on: it names the file, key, tensor or device involved.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A file that is not a well-formed GGUF, or that lacks what the caller asked for.
class FormatError : public Error {
  public:
    using Error::Error;
};

// A Vulkan failure. `device_lost` and `out_of_memory` let callers offer a specific remedy.
class GpuError : public Error {
  public:
    enum class Kind { generic, device_lost, out_of_memory, unsupported };
    GpuError(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

  private:
    Kind kind_;
};

}  // namespace prism
