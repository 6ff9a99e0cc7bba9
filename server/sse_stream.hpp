#pragma once

// A streamed answer as server-sent events, the way OpenAI's API streams: one "data: {chunk}"
// event per piece of text, the finish chunk, the usage chunk when asked for, "data: [DONE]".
// While the request waits for the model, a comment line goes out every second; a write that
// fails means the client went away, and the job is cancelled (it leaves the queue, or its
// generation stops after the current token).

#include <memory>

#include <httplib.h>

#include "openai_json.hpp"
#include "prism_server/generation_queue.hpp"

namespace prism::server {

void start_sse_stream(httplib::Response& res, std::shared_ptr<GenerationJob> job,
                      const ResponseHeader& header, bool include_usage);

}  // namespace prism::server
