#pragma once

// A request the server refuses, in the shape OpenAI's API and its clients use:
// {"error": {"message", "type", "param", "code"}} with a matching HTTP status.

#include <stdexcept>
#include <string>

namespace prism::server {

class ApiError : public std::runtime_error {
  public:
    ApiError(int status, std::string message, std::string param = {}, std::string code = {});

    int status() const noexcept { return status_; }
    // "invalid_request_error" for 4xx, "server_error" for 5xx, as OpenAI's API names them.
    const std::string& type() const noexcept { return type_; }
    const std::string& param() const noexcept { return param_; }
    const std::string& code() const noexcept { return code_; }

    // The JSON body: {"error": {...}}; param and code are null when empty.
    std::string body() const;

  private:
    int status_;
    std::string type_, param_, code_;
};

// 400 invalid_request_error naming the offending field (e.g. "messages[1].content[0]").
ApiError bad_request(std::string message, std::string param = {}, std::string code = {});

}  // namespace prism::server
