#pragma once

// Holds back generated text that might be the start of a stop string, so that a stop string
// split across tokens is caught and never shown.

#include <string>
#include <string_view>
#include <vector>

namespace prism::session {

class StopStrings {
  public:
    explicit StopStrings(std::vector<std::string> stops);

    // Adds text (complete UTF-8). Returns what may be shown now; sets stopped() when a stop
    // string appeared (the text before it is returned, the rest dropped).
    std::string push(std::string_view text);
    // What was held back as a possible stop-string start (call when generation ends).
    std::string flush();
    bool stopped() const { return stopped_; }

  private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

}  // namespace prism::session
