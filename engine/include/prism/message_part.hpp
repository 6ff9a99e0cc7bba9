#pragma once

// One part of a chat message: text, an image, a sound or a video, in the order the user wrote
// them.

#include <cstdint>
#include <memory>
#include <string>

namespace prism::media {
struct Image;
struct Audio;
struct Video;
}  // namespace prism::media

namespace prism {

struct MessagePart {  // exactly one of text / image / audio / video is set
    std::string text;
    std::shared_ptr<const media::Image> image;
    // 16 kHz mono samples (media::decode_audio_file / decode_audio_memory), for a model whose
    // mmproj has an audio encoder.
    std::shared_ptr<const media::Audio> audio;
    // A video stands for its pictures, each after its time as text ("[00:12] "), chosen to fit
    // video_tokens (0: half the context); Session::add_message expands it (Session::plan_video
    // says how before anything is encoded).
    std::shared_ptr<const media::Video> video;
    std::int64_t video_tokens = 0;

    static MessagePart of_text(std::string text) { return {std::move(text), nullptr, nullptr}; }
    static MessagePart of_image(std::shared_ptr<const media::Image> image) {
        return {{}, std::move(image), nullptr};
    }
    static MessagePart of_audio(std::shared_ptr<const media::Audio> audio) {
        return {{}, nullptr, std::move(audio)};
    }
    static MessagePart of_video(std::shared_ptr<const media::Video> video,
                                std::int64_t video_tokens = 0) {
        return {{}, nullptr, nullptr, std::move(video), video_tokens};
    }
    bool is_image() const { return image != nullptr; }
    bool is_audio() const { return audio != nullptr; }
    bool is_video() const { return video != nullptr; }
    bool is_media() const { return is_image() || is_audio(); }
};

}  // namespace prism
