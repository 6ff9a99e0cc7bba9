// The server's reading of OpenAI request bodies: types, caps and the error each gives, without
// a network or a model (the Python suite beside this file runs the whole server).

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "prism/media/image.hpp"
#include "prism_server/api_error.hpp"
#include "prism_server/base64.hpp"
#include "prism_server/requests.hpp"

namespace prism::server {
namespace {

using nlohmann::json;

const ModelFeatures text_model{"tiny", false};
const ModelFeatures vision_model{"tiny", true};

json chat(json extra = json::object()) {
    json body = {{"model", "tiny"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    body.update(extra);
    return body;
}

// The ApiError that parsing `body` throws.
ApiError refusal(const json& body, const ModelFeatures& model = text_model,
                 const ServerLimits& limits = {}) {
    try {
        parse_chat_request(body, model, limits);
    } catch (const ApiError& e) {
        return e;
    }
    ADD_FAILURE() << "accepted: " << body.dump();
    return ApiError(0, "");
}

std::string base64(const std::string& bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) v |= static_cast<std::uint8_t>(bytes[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[v & 63] : '=';
    }
    return out;
}

std::string png_data_url() {
    std::ifstream in(PRISM_TEST_DATA_DIR "/vlm/smolvlm/image.png", std::ios::binary);
    return "data:image/png;base64," + base64(std::string((std::istreambuf_iterator<char>(in)), {}));
}

TEST(Base64, DecodesRfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"Zg==", "f"},
                                                           {"Zm8=", "fo"},
                                                           {"Zm9v", "foo"},
                                                           {"Zm9vYg==", "foob"},
                                                           {"Zm9vYmE=", "fooba"},
                                                           {"Zm9vYmFy", "foobar"},
                                                           {"Zm9vYg", "foob"}};
    for (const auto& [in, out] : vectors) {
        const auto d = decode_base64(in);
        ASSERT_TRUE(d) << in;
        EXPECT_EQ(std::string(d->begin(), d->end()), out) << in;
    }
    EXPECT_FALSE(decode_base64("Zm9v!"));
    EXPECT_FALSE(decode_base64("Z"));
    EXPECT_FALSE(decode_base64("Zm 9v"));
    EXPECT_EQ(base64_decoded_size("Zm9vYmFy"), 6u);
}

TEST(ParseBody, MalformedJsonAndNonObjects) {
    for (const char* text : {"", "{", "[1]", "\"x\"", "{\"a\":}", "\xff"}) {
        try {
            parse_body(text);
            ADD_FAILURE() << "accepted " << text;
        } catch (const ApiError& e) {
            EXPECT_EQ(e.status(), 400);
        }
    }
    EXPECT_NO_THROW(parse_body("{}"));
}

TEST(ChatRequest, ReadsFieldsAndDefaults) {
    const auto r = parse_chat_request(
        chat({{"temperature", 0.5},
              {"top_p", 0.9},
              {"seed", 42},
              {"max_tokens", 10},
              {"stop", "END"},
              {"stream", true},
              {"stream_options", {{"include_usage", true}}},
              {"messages",
               {{{"role", "developer"}, {"content", "be brief"}},
                {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "a"}}}}}}}}),
        text_model, {});
    EXPECT_FLOAT_EQ(r.generation.sampling.temperature, 0.5f);
    EXPECT_FLOAT_EQ(r.generation.sampling.top_p, 0.9f);
    EXPECT_EQ(r.generation.sampling.seed, 42u);
    EXPECT_EQ(r.generation.max_tokens, 10);
    EXPECT_EQ(r.generation.stop, std::vector<std::string>{"END"});
    EXPECT_TRUE(r.generation.stream);
    EXPECT_TRUE(r.generation.include_usage);
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0].role, ChatRole::system);
    EXPECT_EQ(r.messages[1].parts.at(0).text, "a");

    const auto d = parse_chat_request(chat({{"temperature", nullptr}}), text_model, {});
    EXPECT_EQ(d.generation.max_tokens, ServerLimits{}.max_tokens) << "absent: the cap";
    EXPECT_FLOAT_EQ(d.generation.sampling.temperature, text::SamplerSettings{}.temperature);
}

TEST(ChatRequest, RefusesWrongTypesNamingTheField) {
    const std::pair<json, const char*> cases[] = {
        {{{"temperature", "hot"}}, "temperature"},
        {{{"temperature", 2.5}}, "temperature"},
        {{{"max_tokens", 0}}, "max_tokens"},
        {{{"max_tokens", 1.5}}, "max_tokens"},
        {{{"max_completion_tokens", 5000}}, "max_completion_tokens"},
        {{{"seed", "7"}}, "seed"},
        {{{"stop", {"a", 1}}}, "stop[1]"},
        {{{"stop", ""}}, "stop"},
        {{{"stop", std::string(300, 'x')}}, "stop"},
        {{{"stream", 1}}, "stream"},
        {{{"n", 3}}, "n"},
        {{{"tools", {{{"type", "function"}}}}}, "tools"},
        {{{"response_format", {{"type", "json_object"}}}}, "response_format"},
        {{{"messages", {{{"content", "x"}}}}}, "messages[0].role"},
        {{{"messages", {{{"role", "user"}}}}}, "messages[0].content"},
        {{{"messages", {{{"role", "user"}, {"content", json::array()}}}}}, "messages[0].content"},
        {{{"messages", {{{"role", "user"}, {"content", {{{"type", "text"}}}}}}}},
         "messages[0].content[0]"},
        {{{"messages", {1}}}, "messages[0]"},
    };
    for (const auto& [extra, param] : cases) {
        const ApiError e = refusal(chat(extra));
        EXPECT_EQ(e.status(), 400) << extra.dump();
        EXPECT_EQ(e.param(), param) << extra.dump() << ": " << e.what();
    }
}

TEST(ChatRequest, ModelMustBeTheLoadedOne) {
    json body = chat();
    body.erase("model");
    EXPECT_EQ(refusal(body).status(), 400);
    body["model"] = "other";
    const ApiError e = refusal(body);
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.code(), "model_not_found");
    const json error = json::parse(e.body())["error"];
    EXPECT_EQ(error["type"], "invalid_request_error");
    EXPECT_EQ(error["param"], "model");
}

TEST(ChatRequest, ImagesOnlyAsDataUrlsWithinTheCaps) {
    const json image = {{"type", "image_url"}, {"image_url", {{"url", png_data_url()}}}};
    const json user_with = [&](int n) {
        json parts = json::array();
        for (int i = 0; i < n; ++i) parts.push_back(image);
        return chat({{"messages", {{{"role", "user"}, {"content", parts}}}}});
    }(1);
    const auto r = parse_chat_request(user_with, vision_model, {});
    ASSERT_EQ(r.messages[0].parts.size(), 1u);
    ASSERT_TRUE(r.messages[0].parts[0].is_image());
    EXPECT_EQ(r.messages[0].parts[0].image->width, 128);

    EXPECT_EQ(refusal(user_with, text_model).code(), "model_without_vision");

    ServerLimits small;
    small.max_image_bytes = 1000;
    EXPECT_NE(std::string(refusal(user_with, vision_model, small).what()).find("larger than"),
              std::string::npos);
    small = {};
    small.max_image_pixels = 32 * 32;
    EXPECT_EQ(refusal(user_with, vision_model, small).code(), "invalid_image");
    small = {};
    small.max_images = 0;
    EXPECT_NE(std::string(refusal(user_with, vision_model, small).what()).find("more than 0"),
              std::string::npos);

    for (const char* url : {"http://example.com/a.png", "file:///etc/passwd", "/etc/passwd",
                            "data:image/png,rawbytes", "data:image/png;base64,%%%"}) {
        json body =
            chat({{"messages",
                   {{{"role", "user"},
                     {"content", {{{"type", "image_url"}, {"image_url", {{"url", url}}}}}}}}}});
        const ApiError e = refusal(body, vision_model);
        EXPECT_EQ(e.status(), 400) << url;
        EXPECT_EQ(e.param(), "messages[0].content[0]") << url;
    }
    json assistant = user_with;
    assistant["messages"][0]["role"] = "assistant";
    EXPECT_EQ(refusal(assistant, vision_model).status(), 400);
}

TEST(ChatRequest, AudioPartsAreDecodedAndCapped) {
    std::ifstream in(PRISM_TEST_DATA_DIR "/audio/2830-3980-0043.wav", std::ios::binary);
    const std::string wav((std::istreambuf_iterator<char>(in)), {});
    ASSERT_FALSE(wav.empty());
    // A WAV part becomes the message's sound part, in its place among the text; whether the
    // model hears is the session's to say.
    json good = {{"type", "input_audio"},
                 {"input_audio", {{"data", base64(wav)}, {"format", "wav"}}}};
    const ChatRequest r = parse_chat_request(
        chat({{"messages",
               {{{"role", "user"},
                 {"content", {{{"type", "text"}, {"text", "What is said?"}}, good}}}}}}),
        text_model, {});
    ASSERT_EQ(r.messages[0].parts.size(), 2u);
    EXPECT_EQ(r.messages[0].parts[0].text, "What is said?");
    ASSERT_TRUE(r.messages[0].parts[1].is_audio());
    EXPECT_EQ(r.messages[0].parts[1].audio->samples.size(), 31600u);
    // A base64 body that is not audio, and one over the byte cap, fail before the model check.
    json part = {{"type", "input_audio"}, {"input_audio", {{"data", "AAAA"}, {"format", "wav"}}}};
    json body = chat({{"messages", {{{"role", "user"}, {"content", {part}}}}}});
    EXPECT_EQ(refusal(body).param(), "messages[0].content[0].input_audio");
    ServerLimits small;
    small.max_audio_bytes = 2;
    EXPECT_NE(std::string(refusal(body, text_model, small).what()).find("larger than"),
              std::string::npos);
}

TEST(CompletionRequest, PromptForms) {
    const json base = {{"model", "tiny"}};
    json body = base;
    body["prompt"] = "hello";
    EXPECT_EQ(parse_completion_request(body, text_model, {}).prompt, "hello");
    body["prompt"] = {"hello"};
    EXPECT_EQ(parse_completion_request(body, text_model, {}).prompt, "hello");
    for (const json& bad : {json({1, 2, 3}), json(""), json({"a", "b"}), json(nullptr)}) {
        body["prompt"] = bad;
        EXPECT_THROW(parse_completion_request(body, text_model, {}), ApiError) << bad.dump();
    }
    body["prompt"] = "x";
    body["echo"] = true;
    EXPECT_THROW(parse_completion_request(body, text_model, {}), ApiError);
}

}  // namespace
}  // namespace prism::server
