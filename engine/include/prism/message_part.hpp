#pragma once

// One part of a chat message: text or an image, in the order the user wrote them.

#include <memory>
#include <string>

namespace prism::media {
struct Image;
}

namespace prism {

struct MessagePart {  // exactly one of text / image is set
    std::string text;
    std::shared_ptr<const media::Image> image;

    static MessagePart of_text(std::string text) { return {std::move(text), nullptr}; }
    static MessagePart of_image(std::shared_ptr<const media::Image> image) {
        return {{}, std::move(image)};
    }
    bool is_image() const { return image != nullptr; }
};

}  // namespace prism
