#include "prism_server/api_error.hpp"

#include <nlohmann/json.hpp>

namespace prism::server {

ApiError::ApiError(int status, std::string message, std::string param, std::string code)
    : std::runtime_error(std::move(message)),
      status_(status),
      type_(status >= 500 ? "server_error" : "invalid_request_error"),
      param_(std::move(param)),
      code_(std::move(code)) {}

std::string ApiError::body() const {
    const auto or_null = [](const std::string& s) {
        return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
    };
    const nlohmann::json error = {
        {"message", what()}, {"type", type_}, {"param", or_null(param_)}, {"code", or_null(code_)}};
    // Replacing invalid UTF-8 keeps a message that quotes the client's bytes serialisable.
    return nlohmann::json{{"error", error}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

ApiError bad_request(std::string message, std::string param, std::string code) {
    return ApiError(400, std::move(message), std::move(param), std::move(code));
}

}  // namespace prism::server
