#include "chat_settings.hpp"

namespace prism::ui {

GenerationSettings ChatSettings::generation() const {
    GenerationSettings g;
    g.system_prompt = system_prompt_;
    g.temperature = static_cast<float>(temperature_);
    g.top_p = static_cast<float>(top_p_);
    g.top_k = top_k_;
    g.min_p = static_cast<float>(min_p_);
    g.repeat_penalty = static_cast<float>(repeat_penalty_);
    g.max_tokens = max_tokens_;
    return g;
}

}  // namespace prism::ui
