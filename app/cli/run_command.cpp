// prism-cli run / chat: text generation with a model's chat template (or plain completion),
// streamed to stdout; timings on stderr.

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/generation_flags.hpp"
#include "prism/media/image.hpp"

namespace prism::cli {
namespace {

bool print_piece(std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
    GenerationFlags flags;
    if (!parse_generation_flags("run", args, flags)) return 0;
    if (!flags.prompt_given) throw Error("run: no prompt (-p TEXT)");
    if (flags.prompt.empty()) throw Error("run: the prompt is empty");
    if (flags.raw && !flags.images.empty()) throw Error("run: --raw takes no --image");
    // Images are read and matched to the prompt before the model loads: bad input fails fast.
    if (!flags.images.empty() && flags.session.mmproj.empty())
        throw Error("this model has no vision encoder; load an mmproj");
    const std::vector<MessagePart> parts = flags.images.empty()
                                               ? std::vector<MessagePart>{}
                                               : prompt_parts(flags.prompt, flags.images);
    Session session = load_session(flags);
    flags.generate.on_piece = print_piece;
    GenerateResult result;
    if (flags.raw) {
        std::fwrite(flags.prompt.data(), 1, flags.prompt.size(), stdout);
        result = session.generate_raw(flags.prompt, flags.generate);
    } else {
        if (!flags.system.empty()) session.add_system(flags.system);
        if (flags.images.empty()) {
            session.add_user(flags.prompt);
        } else {
            session.add_user(parts);
        }
        result = session.generate(flags.generate);
    }
    std::fputc('\n', stdout);
    std::fflush(stdout);
    print_timings(session, result.timings);
    return 0;
}

int chat_command(const std::vector<std::string>& args) {
    GenerationFlags flags;
    if (!parse_generation_flags("chat", args, flags)) return 0;
    Session session = load_session(flags);
    if (!flags.system.empty()) session.add_system(flags.system);
    flags.generate.on_piece = print_piece;
    std::fputs("chat: type a message and press Enter; /reset starts over, Ctrl-D ends\n", stderr);
    Timings last;
    std::string line;
    std::vector<MessagePart> pending;  // /image attachments for the next message
    while (true) {
        std::fputs("> ", stderr);
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
        if (line.empty()) continue;
        if (pending.empty()) {
            session.add_user(line);
        } else {
            pending.push_back(MessagePart::of_text(line));
            session.add_user(std::move(pending));
            pending.clear();
        }
        last = session.generate(flags.generate).timings;
        std::fputc('\n', stdout);
        std::fflush(stdout);
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
