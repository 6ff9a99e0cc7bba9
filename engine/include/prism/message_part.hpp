#pragma once

// One part of a chat message: text, an image or a sound, in the order the user wrote them.

#include <memory>
#include <string>

namespace prism::media {
struct Image;
struct Audio;
}  // namespace prism::media

namespace prism {

struct MessagePart {  // exactly one of text / image / audio is set
    std::string text;
    std::shared_ptr<const media::Image> image;
    // 16 kHz mono samples (media::decode_audio_file / decode_audio_memory), for a model whose
    // mmproj has an audio encoder.
    std::shared_ptr<const media::Audio> audio;

    static MessagePart of_text(std::string text) { return {std::move(text), nullptr, nullptr}; }
    static MessagePart of_image(std::shared_ptr<const media::Image> image) {
        return {{}, std::move(image), nullptr};
    }
    static MessagePart of_audio(std::shared_ptr<const media::Audio> audio) {
        return {{}, nullptr, std::move(audio)};
    }
    bool is_image() const { return image != nullptr; }
    bool is_audio() const { return audio != nullptr; }
    bool is_media() const { return is_image() || is_audio(); }
};

}  // namespace prism
