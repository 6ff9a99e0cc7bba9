// libFuzzer entry: arbitrary bytes read as a whisper.cpp Whisper model (ggml container) and,
// when they are accepted, its hyperparameters, tokenizer and special tokens read as the
// transcriber reads them. A prism::Error is the expected outcome for most inputs; anything
// else escaping, a sanitizer report, a hang or unbounded memory is a bug.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "models/whisper_ggml.hpp"
#include "models/whisper_hparams.hpp"
#include "prism/error.hpp"
#include "prism/tokenizer.hpp"
#include "session/whisper_decoding.hpp"
#include "session/whisper_suppress.hpp"

namespace {

volatile std::size_t g_sink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const prism::gguf::File file = prism::models::whisper_ggml_from_bytes(
            std::as_bytes(std::span(data, size)), "fuzz.bin");
        const auto h = prism::models::read_whisper_hparams(file);
        const auto tokenizer = prism::text::Tokenizer::from_gguf(file);
        const auto special = prism::session::WhisperTokens::find(tokenizer, h, file.name());
        g_sink = g_sink + prism::session::whisper_suppress_tokens(tokenizer, special).size();
        for (const auto& t : file.tensors()) g_sink = g_sink + t.data.size();
    } catch (const prism::Error&) {
    }
    return 0;
}
