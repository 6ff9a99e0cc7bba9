// prism-cli run / chat: text generation with a model's chat template (or plain completion),
// streamed to stdout; timings on stderr.

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/generation_flags.hpp"
#include "cli/video_input.hpp"
#include "common/standard_streams.hpp"
#include "prism/media/image.hpp"

namespace prism::cli {
namespace {

// A piece that cannot be written stops the generation (returns false); the command then
// fails with the reason instead of generating for nobody.
bool print_piece(std::string_view piece) {
    return app::write_stdout(piece);
}

void end_answer() {
    app::write_stdout_or_throw("\n");
}

std::string context_full(const Session& session) {
    return "the context (" + std::to_string(session.n_ctx()) +
           " tokens) is full; the answer stops here";
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
    GenerationFlags flags;
    if (!parse_generation_flags("run", args, flags)) return 0;
    if (!flags.prompt_given) throw Error("run: no prompt (-p TEXT)");
    if (flags.prompt.empty()) throw Error("run: the prompt is empty");
    if (flags.raw && (!flags.images.empty() || !flags.sounds.empty() || !flags.video.empty()))
        throw Error("run: --raw takes no --image, --audio or --video");
    // Media are read and matched to the prompt before the model loads: bad input fails fast.
    if ((!flags.images.empty() || !flags.video.empty()) && flags.session.mmproj.empty())
        throw Error("this model has no vision encoder; load an mmproj");
    if (!flags.sounds.empty() && flags.session.mmproj.empty())
        throw Error("this model has no audio encoder; load an mmproj with one");
    std::vector<MessagePart> parts = flags.images.empty() && flags.sounds.empty()
                                         ? std::vector<MessagePart>{}
                                         : prompt_parts(flags.prompt, flags.images, flags.sounds);
    const auto video = flags.video.empty() ? nullptr : read_video(flags, flags.video);
    Session session = load_session(flags);
    if (video) {
        // The video comes before the rest of the message, as images without <image> do.
        if (parts.empty()) parts.push_back(MessagePart::of_text(flags.prompt));
        parts.insert(parts.begin(), video_part(session, flags, video));
    }
    flags.generate.on_piece = print_piece;
    GenerateResult result;
    if (flags.raw) {
        app::write_stdout_or_throw(flags.prompt);
        result = session.generate_raw(flags.prompt, flags.generate);
    } else {
        if (!flags.system.empty()) session.add_system(flags.system);
        if (parts.empty()) {
            session.add_user(flags.prompt);
        } else {
            session.add_user(parts);
        }
        result = session.generate(flags.generate);
    }
    end_answer();
    if (result.stop == StopReason::context_full)
        std::fprintf(stderr, "prism-cli: %s (-c sets a larger context)\n",
                     context_full(session).c_str());
    print_timings(session, result.timings);
    return 0;
}

int chat_command(const std::vector<std::string>& args) {
    GenerationFlags flags;
    if (!parse_generation_flags("chat", args, flags)) return 0;
    Session session = load_session(flags);
    if (!flags.system.empty()) session.add_system(flags.system);
    flags.generate.on_piece = print_piece;
    // The banner and the "> " prompts are for a person at a terminal, not for piped input.
    const bool interactive = isatty(STDIN_FILENO) != 0;
    if (interactive)
        std::fputs(
            "chat: type a message and press Enter; /image PATH, /audio PATH and /video PATH "
            "attach, "
            "/reset starts over, Ctrl-D ends\n",
            stderr);
    Timings last;
    std::string line;
    std::vector<MessagePart> pending;  // /image, /audio and /video attachments for the next one
    while (true) {
        if (interactive) std::fputs("> ", stderr);
        if (!std::getline(std::cin, line)) break;
        if (line == "/reset") {
            session.reset();
            if (!flags.system.empty()) session.add_system(flags.system);
            std::fputs("(conversation cleared)\n", stderr);
            continue;
        }
        if (line.starts_with("/image ")) {
            try {
                if (!session.has_vision())
                    throw Error("this model has no vision encoder; load an mmproj");
                pending.push_back(MessagePart::of_image(std::make_shared<const media::Image>(
                    media::decode_image_file(line.substr(7)))));
                std::fprintf(stderr, "(image %s attached to the next message)\n",
                             line.substr(7).c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "error: %s\n", e.what());
            }
            continue;
        }
        if (line.starts_with("/audio ")) {
            try {
                if (!session.has_audio())
                    throw Error("this model has no audio encoder; load an mmproj with one");
                pending.push_back(sound_part(line.substr(7)));
                std::fprintf(stderr, "(sound %s attached to the next message)\n",
                             line.substr(7).c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "error: %s\n", e.what());
            }
            continue;
        }
        if (line.starts_with("/video ")) {
            try {
                if (!session.has_vision())
                    throw Error("this model has no vision encoder; load an mmproj");
                pending.push_back(video_part(session, flags, read_video(flags, line.substr(7))));
                std::fprintf(stderr, "(video %s attached to the next message)\n",
                             line.substr(7).c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "error: %s\n", e.what());
            }
            continue;
        }
        if (line.empty()) continue;
        if (pending.empty()) {
            session.add_user(line);
        } else {
            pending.push_back(MessagePart::of_text(line));
            std::vector<MessagePart> parts = std::move(pending);
            pending.clear();
            try {
                session.add_user(std::move(parts));
            } catch (const Error& e) {
                // A sound the model cannot take (too short, say): the chat goes on without it.
                std::fprintf(stderr, "error: message not sent: %s\n", e.what());
                continue;
            }
        }
        GenerateResult result;
        try {
            result = session.generate(flags.generate);
        } catch (const PromptTooLong& e) {
            // The chat goes on without the message.
            session.remove_last_message();
            std::fprintf(stderr, "error: message not sent: %s\n", e.what());
            continue;
        }
        last = result.timings;
        end_answer();
        if (result.messages_left_out > 0) {
            std::fprintf(stderr,
                         "(the %lld oldest messages no longer fit in the context and were "
                         "dropped)\n",
                         static_cast<long long>(result.messages_left_out));
        }
        if (result.stop == StopReason::context_full) {
            std::fprintf(stderr,
                         "(%s; the next message drops the oldest turns to make room, /reset "
                         "starts over)\n",
                         context_full(session).c_str());
        }
        std::fprintf(stderr, "[%lld prompt tokens, %lld reused; %lld generated at %.1f tok/s]\n",
                     static_cast<long long>(last.prompt_tokens),
                     static_cast<long long>(last.prompt_tokens_reused),
                     static_cast<long long>(last.generated_tokens),
                     last.generated_tokens_per_second);
    }
    print_timings(session, last);
    return 0;
}

}  // namespace prism::cli
