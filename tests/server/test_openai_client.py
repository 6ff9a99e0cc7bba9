"""prism-server against the official `openai` Python client, on loopback.

Starts real prism-server processes (the demo model with an API key; the tiny SmolVLM pair for
images) and checks what a client sees: answers equal to prism-cli's for the same greedy
request, streaming equal to non-streaming, usage counts, KV-cache reuse, OpenAI's error shape
and status for bad requests, 8 clients at once and a client killed mid-stream; with Whisper
tiny.en (--whisper), transcriptions in every response format and bad uploads.

usage: test_openai_client.py --server PRISM_SERVER --cli PRISM_CLI --root SOURCE_DIR
"""

import argparse
import base64
import concurrent.futures
import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import urllib.error
import urllib.request
import wave

import openai

ARGS = None
KEY = "test-key-3f9a"


class Server:
    """A prism-server process on a free loopback port."""

    def __init__(self, *flags, env=None):
        self.proc = subprocess.Popen(
            [ARGS.server, "--port", "0", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})})
        line = self.proc.stdout.readline()
        if "http://" not in line:
            self.proc.kill()
            raise RuntimeError("prism-server did not start: " + line + self.proc.stderr.read())
        self.url = line.split("http://")[1].split()[0]
        self.base = "http://" + self.url
        # Drain stderr (one line per request) so that the pipe never fills.
        self.log = []
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()

    def client(self, key=KEY, **kw):
        return openai.OpenAI(base_url=self.base + "/v1", api_key=key, max_retries=0, **kw)

    def raw(self, path, body=None, key=KEY, content_type="application/json", method=None):
        """(status, parsed JSON body) of a request made without the client."""
        headers = {"Content-Type": content_type}
        if key:
            headers["Authorization"] = "Bearer " + key
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def health(self, key=KEY):
        return self.raw("/health", key=key)[1]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()


def cli_answer(*args):
    """prism-cli's greedy answer: the reference the server must reproduce."""
    out = subprocess.run([ARGS.cli, "run", "--temp", "0", *args], capture_output=True,
                         text=True, timeout=120, check=True)
    return out.stdout.rstrip("\n")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def demo_model():
    return os.path.join(ARGS.root, "resources", "models", "stories260K.gguf")


def vlm(name):
    return os.path.join(ARGS.root, "tests", "data", "vlm", "smolvlm", name)


def assert_error(test, err, status, code=None, param=None):
    test.assertEqual(err.status_code, status, err)
    body = err.body
    test.assertIsInstance(body, dict, "the error body is OpenAI's {error: {...}}")
    for field in ("message", "type", "param", "code"):
        test.assertIn(field, body)
    test.assertTrue(body["message"])
    if code is not None:
        test.assertEqual(body["code"], code)
    if param is not None:
        test.assertEqual(body["param"], param)


class TextServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("-m", demo_model(), "--api-key", KEY)
        cls.client = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        if status != 0:
            raise AssertionError("SIGTERM should stop prism-server with status 0, not %s" % status)

    def chat(self, prompt, **kw):
        return self.client.chat.completions.create(
            model="stories260K", messages=[{"role": "user", "content": prompt}],
            temperature=0, **kw)

    def test_models(self):
        models = self.client.models.list()
        self.assertEqual([m.id for m in models.data], ["stories260K"])
        self.assertEqual(self.client.models.retrieve("stories260K").id, "stories260K")
        with self.assertRaises(openai.NotFoundError):
            self.client.models.retrieve("gpt-4")

    def test_health(self):
        self.assertEqual(self.server.health()["status"], "ok")

    def test_chat_matches_prism_cli(self):
        r = self.chat("Tell me a story about a cat.", max_tokens=40)
        self.assertEqual(r.object, "chat.completion")
        self.assertEqual(r.model, "stories260K")
        msg = r.choices[0].message
        self.assertEqual(msg.role, "assistant")
        self.assertEqual(msg.content, cli_answer("-m", demo_model(), "-n", "40", "-p",
                                                 "Tell me a story about a cat."))
        self.assertIn(r.choices[0].finish_reason, ("stop", "length"))
        u = r.usage
        self.assertGreater(u.prompt_tokens, 5)
        self.assertGreater(u.completion_tokens, 0)
        self.assertLessEqual(u.completion_tokens, 40)
        self.assertEqual(u.total_tokens, u.prompt_tokens + u.completion_tokens)

    def test_max_tokens_gives_length(self):
        r = self.chat("Once upon a time", max_tokens=3)
        self.assertEqual(r.choices[0].finish_reason, "length")
        self.assertEqual(r.usage.completion_tokens, 3)

    def test_streaming_equals_non_streaming(self):
        whole = self.chat("A dog found a ball.", max_tokens=48)
        pieces, finish, usage = [], None, None
        for chunk in self.chat("A dog found a ball.", max_tokens=48, stream=True,
                               stream_options={"include_usage": True}):
            self.assertEqual(chunk.object, "chat.completion.chunk")
            if chunk.usage is not None:
                usage = chunk.usage
            for c in chunk.choices:
                pieces.append(c.delta.content or "")
                finish = c.finish_reason or finish
        self.assertGreater(len([p for p in pieces if p]), 1, "the answer came in pieces")
        self.assertEqual("".join(pieces), whole.choices[0].message.content)
        self.assertEqual(finish, whole.choices[0].finish_reason)
        self.assertIsNotNone(usage)
        self.assertEqual(usage.completion_tokens, whole.usage.completion_tokens)

    def test_follow_up_turn_reuses_the_cache(self):
        first = [{"role": "system", "content": "You tell short stories."},
                 {"role": "user", "content": "A story about a frog."}]
        r1 = self.client.chat.completions.create(model="stories260K", messages=first,
                                                 temperature=0, max_tokens=20)
        second = first + [{"role": "assistant", "content": r1.choices[0].message.content},
                          {"role": "user", "content": "And then?"}]
        r2 = self.client.chat.completions.create(model="stories260K", messages=second,
                                                 temperature=0, max_tokens=20)
        cached = r2.usage.prompt_tokens_details.cached_tokens
        # Everything up to the new turn was in the KV cache (unless another test's request
        # came between the two; the tests of this class run one at a time).
        self.assertGreaterEqual(cached, r1.usage.prompt_tokens)
        self.assertLess(cached, r2.usage.prompt_tokens)

    def test_completions_match_prism_cli_raw(self):
        r = self.client.completions.create(model="stories260K", prompt="The little girl",
                                           temperature=0, max_tokens=24)
        self.assertEqual(r.object, "text_completion")
        # prism-cli prints the prompt before its continuation.
        self.assertEqual("The little girl" + r.choices[0].text,
                         cli_answer("-m", demo_model(), "--raw", "-n", "24", "-p",
                                    "The little girl"))
        streamed = "".join(c.choices[0].text for c in self.client.completions.create(
            model="stories260K", prompt="The little girl", temperature=0, max_tokens=24,
            stream=True))
        self.assertEqual(streamed, r.choices[0].text)

    def test_seed_and_stop(self):
        kw = dict(model="stories260K", prompt="Once upon a time", temperature=1.0,
                  max_tokens=30)
        a = self.client.completions.create(seed=7, **kw).choices[0].text
        b = self.client.completions.create(seed=7, **kw).choices[0].text
        self.assertEqual(a, b, "the same seed gives the same answer")
        words = a.split()
        self.assertGreater(len(words), 3)
        stop = words[2]
        cut = self.client.completions.create(seed=7, stop=[stop], **kw)
        self.assertEqual(cut.choices[0].text, a[:a.index(stop)])
        self.assertEqual(cut.choices[0].finish_reason, "stop")

    def test_bad_requests(self):
        with self.assertRaises(openai.AuthenticationError) as e:
            self.server.client(key="wrong").models.list()
        assert_error(self, e.exception, 401, code="invalid_api_key")
        status, body = self.server.raw("/health", key=None)
        self.assertEqual(status, 401, "the key is needed on every route")
        self.assertEqual(body["error"]["code"], "invalid_api_key")

        with self.assertRaises(openai.NotFoundError) as e:
            self.client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
        assert_error(self, e.exception, 404, code="model_not_found", param="model")

        status, body = self.server.raw("/v1/chat/completions", b'{"model": "stories260K", ')
        self.assertEqual(status, 400)
        self.assertIn("not valid JSON", body["error"]["message"])
        self.assertEqual(body["error"]["type"], "invalid_request_error")

        bad = [
            ({"temperature": "hot"}, "temperature"),
            ({"max_tokens": 1000000}, "max_tokens"),
            ({"max_tokens": 2.5}, "max_tokens"),
            ({"top_p": 3}, "top_p"),
            ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
            ({"stream": "yes"}, "stream"),
            ({"n": 2}, "n"),
            ({"messages": "hello"}, "messages"),
            ({"messages": []}, "messages"),
            ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].role"),
            ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
            ({"messages": [{"role": "user", "content": [{"type": "video", "x": 1}]}]},
             "messages[0].content[0].type"),
        ]
        for extra, param in bad:
            body = {"model": "stories260K", "messages": [{"role": "user", "content": "hi"}]}
            body.update(extra)
            with self.subTest(param=param):
                status, answer = self.server.raw("/v1/chat/completions",
                                                 json.dumps(body).encode())
                self.assertEqual(status, 400, answer)
                self.assertEqual(answer["error"]["param"], param, answer)

        # Images: none for a text model, and never a URL or a path.
        image = {"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.chat.completions.create(
                model="stories260K", messages=[{"role": "user", "content": [image]}])
        assert_error(self, e.exception, 400, code="model_without_vision")

        # Sound: decoded, then refused by the session in its own words (no audio encoder).
        wav = read(os.path.join(ARGS.root, "tests", "data", "audio", "2830-3980-0043.wav"))
        part = {"type": "input_audio",
                "input_audio": {"data": base64.b64encode(wav).decode(), "format": "wav"}}
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.chat.completions.create(
                model="stories260K", messages=[
                    {"role": "system", "content": "Listen."},
                    {"role": "user", "content": [{"type": "text", "text": "What is said?"},
                                                 part]}])
        assert_error(self, e.exception, 400, code="model_without_audio", param="messages[1]")
        self.assertEqual(e.exception.body["message"],
                         "this model has no audio encoder; load an mmproj with one")
        # A part that is not sound fails while the request is read, naming the part.
        bad = {"type": "input_audio",
               "input_audio": {"data": base64.b64encode(b"not sound").decode(), "format": "mp3"}}
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.chat.completions.create(
                model="stories260K", messages=[{"role": "user", "content": [bad]}])
        assert_error(self, e.exception, 400, param="messages[0].content[0].input_audio")
        # The server is still answering after the refusals.
        self.assertEqual(self.server.health()["status"], "ok")

        # Speech recognition: no Whisper model is loaded.
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.audio.transcriptions.create(model="whisper-1", file=("a.wav", wav))
        assert_error(self, e.exception, 400, code="no_speech_model")

        # The body cap (32 MiB).
        big = json.dumps({"model": "stories260K",
                          "messages": [{"role": "user", "content": "x" * (33 << 20)}]})
        status, answer = self.server.raw("/v1/chat/completions", big.encode())
        self.assertEqual(status, 413)
        self.assertIn("too large", answer["error"]["message"])

        status, answer = self.server.raw("/v1/nothing")
        self.assertEqual(status, 404)
        self.assertIn("error", answer)
        self.assertEqual(self.server.health()["status"], "ok", "still serving")

    def test_eight_concurrent_clients(self):
        prompts = ["A story about %s." % w for w in
                   ("a bird", "a tree", "a boat", "the sun", "a king", "a bee", "snow", "a fox")]

        def ask(prompt):
            return self.chat(prompt, max_tokens=24).choices[0].message.content

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            together = list(pool.map(ask, prompts))
        # Each client's answer is what it gets alone: requests never mix in the one session.
        alone = [ask(p) for p in prompts]
        self.assertEqual(together, alone)
        self.assertEqual(len(set(alone)), len(alone), "different prompts, different answers")
        h = self.server.health()
        self.assertEqual((h["requests_waiting"], h["requests_running"]), (0, 0))

    def test_client_killed_mid_stream(self):
        before = self.server.health()["requests_cancelled"]
        streamer = textwrap.dedent("""
            import sys, time, openai
            c = openai.OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
            for chunk in c.completions.create(model="stories260K", prompt="Once upon a time",
                                              max_tokens=4000, stream=True):
                print("streaming", flush=True)
                time.sleep(30)
        """)
        proc = subprocess.Popen([sys.executable, "-c", streamer, self.server.base + "/v1", KEY],
                                stdout=subprocess.PIPE, text=True)
        self.assertEqual(proc.stdout.readline().strip(), "streaming")
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            h = self.server.health()
            if h["requests_cancelled"] > before and h["requests_running"] == 0:
                break
            time.sleep(0.1)
        self.assertGreater(h["requests_cancelled"], before, "the generation was cancelled")
        self.assertEqual(h["requests_running"], 0)
        # The model serves the next client normally.
        self.assertTrue(self.chat("Hello", max_tokens=4).choices[0].message.content)


class VisionServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("-m", vlm("text.gguf"), "--mmproj", vlm("mmproj.gguf"),
                            "--alias", "smolvlm-tiny")
        cls.client = cls.server.client(key="unused")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_image_message_matches_prism_cli(self):
        png = read(vlm("image.png"))
        url = "data:image/png;base64," + base64.b64encode(png).decode()
        r = self.client.chat.completions.create(
            model="smolvlm-tiny", temperature=0, max_tokens=8,
            messages=[{"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": url}},
                {"type": "text", "text": "What is in this image?"}]}])
        expected = cli_answer("-m", vlm("text.gguf"), "--mmproj", vlm("mmproj.gguf"),
                              "--image", vlm("image.png"), "-n", "8", "-p",
                              "What is in this image?")
        self.assertTrue(expected)
        self.assertEqual(r.choices[0].message.content, expected)
        # The image's rows count as prompt tokens.
        self.assertGreater(r.usage.prompt_tokens, 20)

    def test_bad_images(self):
        cases = [
            ("https://example.com/cat.png", "invalid_image_url"),
            ("/home/user/cat.png", "invalid_image_url"),
            ("data:image/png;base64,!!!!", None),
            ("data:image/png;base64," + base64.b64encode(b"not an image").decode(),
             "invalid_image"),
        ]
        for url, code in cases:
            with self.subTest(url=url[:40]):
                with self.assertRaises(openai.BadRequestError) as e:
                    self.client.chat.completions.create(
                        model="smolvlm-tiny", messages=[{"role": "user", "content": [
                            {"type": "image_url", "image_url": {"url": url}}]}])
                assert_error(self, e.exception, 400, code=code,
                             param="messages[0].content[0]")
        png = base64.b64encode(read(vlm("image.png"))).decode()
        nine = [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + png}}] * 9
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.chat.completions.create(
                model="smolvlm-tiny", messages=[{"role": "user", "content": nine}])
        self.assertIn("more than 8 images", e.exception.body["message"])


def multipart(fields):
    """A multipart/form-data body made by hand (for uploads the client will not send)."""
    boundary = "prism-test-boundary-7c1d"
    body = b""
    for name, (filename, data) in fields.items():
        disposition = 'form-data; name="%s"' % name
        if filename:
            disposition += '; filename="%s"' % filename
        body += b"--" + boundary.encode() + b"\r\nContent-Disposition: " + disposition.encode()
        body += b"\r\n\r\n" + data + b"\r\n"
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, "multipart/form-data; boundary=" + boundary


def repeated_wav(path, seconds):
    """The WAV at `path` played over and over until `seconds` of sound."""
    with wave.open(path) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    want = int(seconds * params.framerate) * params.sampwidth * params.nchannels
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes((frames * (want // len(frames) + 1))[:want])
    return out.getvalue()


def words(text):
    """Lower-case words without punctuation: transcripts are compared this way."""
    return "".join(c if c.isalnum() or c.isspace() else " " for c in text.lower()).split()


class SpeechServer(unittest.TestCase):
    """POST /v1/audio/transcriptions with Whisper tiny.en, on a 2-second LibriSpeech clip."""

    @classmethod
    def setUpClass(cls):
        cache = os.environ.get("PRISM_MODEL_CACHE",
                               os.path.join(os.path.expanduser("~"), ".cache", "prism", "models"))
        whisper = os.path.join(cache, "whisper-tiny.en.gguf")
        if not os.path.exists(whisper):
            raise unittest.SkipTest(whisper + " is absent (fetch it with tools/fetch_models.py)")
        cls.server = Server("-m", demo_model(), "--whisper", whisper, "--api-key", KEY)
        cls.client = cls.server.client()
        cls.wav = read(os.path.join(ARGS.root, "tests", "data", "audio", "2830-3980-0043.wav"))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def transcribe(self, **kw):
        return self.client.audio.transcriptions.create(
            model="whisper-tiny.en", file=("clip.wav", self.wav), **kw)

    def test_every_response_format(self):
        # LibriSpeech's reference for the clip is "experience proves this".
        plain = self.transcribe(language="en", temperature=0)
        self.assertEqual(words(plain.text), ["experience", "proves", "this"], plain.text)
        # The same sound again: the other formats carry the same transcript.
        text = self.transcribe(response_format="text")
        self.assertEqual(text.strip(), plain.text)
        verbose = self.transcribe(response_format="verbose_json")
        self.assertEqual(verbose.text, plain.text)
        self.assertEqual(verbose.language, "en")
        self.assertAlmostEqual(verbose.duration, 1.975, places=3)
        self.assertTrue(verbose.segments)
        first, last = verbose.segments[0], verbose.segments[-1]
        self.assertGreaterEqual(first.start, 0)
        self.assertLessEqual(last.end, 2.0 + 0.02)  # Whisper's timestamps step by 20 ms
        self.assertEqual("".join(s.text for s in verbose.segments).strip(), plain.text)
        srt = self.transcribe(response_format="srt")
        self.assertTrue(srt.startswith("1\n00:00:0"), srt)
        self.assertIn(" --> ", srt)
        cues = [line for line in srt.splitlines()
                if line and not line.isdigit() and " --> " not in line]
        self.assertEqual(words(" ".join(cues)), words(plain.text))
        vtt = self.transcribe(response_format="vtt")
        self.assertTrue(vtt.startswith("WEBVTT\n\n00:00:0"), vtt)

    def test_models_lists_both(self):
        ids = [m.id for m in self.client.models.list().data]
        self.assertEqual(ids, ["stories260K", "whisper-tiny.en"])

    def test_bad_uploads(self):
        cases = [
            ({"file": ("notes.wav", b"this is text, not sound\n")}, 400, "file"),
            ({"file": ("empty.wav", b"")}, 400, "file"),
            ({"file": ("clip.wav", self.wav[:40])}, 400, "file"),  # a cut WAV header
            ({"file": ("clip.wav", self.wav), "response_format": "docx"}, 400, "response_format"),
            ({"file": ("clip.wav", self.wav), "language": "english"}, 400, "language"),
            ({"file": ("clip.wav", self.wav), "temperature": 3}, 400, "temperature"),
        ]
        for fields, status, param in cases:
            with self.subTest(param=param, fields=str(fields)[:60]):
                with self.assertRaises(openai.APIStatusError) as e:
                    self.client.audio.transcriptions.create(model="whisper-tiny.en", **fields)
                assert_error(self, e.exception, status, param=param)
        with self.assertRaises(openai.NotFoundError) as e:
            self.client.audio.transcriptions.create(model="whisper-1", file=("a.wav", self.wav))
        assert_error(self, e.exception, 404, code="model_not_found", param="model")
        # A well-formed language that an English-only model cannot take: the engine's words,
        # naming the model file but not the folder the server keeps it in.
        with self.assertRaises(openai.BadRequestError) as e:
            self.transcribe(language="de")
        assert_error(self, e.exception, 400)
        self.assertIn("whisper-tiny.en.gguf: an English-only", e.exception.body["message"])
        self.assertNotIn(os.sep + "whisper-tiny.en.gguf", e.exception.body["message"])

        # Over the 25 MiB sound cap (a 400 naming the file), and over the 32 MiB body cap
        # (413 before the body is read).
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.audio.transcriptions.create(
                model="whisper-tiny.en", file=("big.wav", self.wav + bytes(26 << 20)))
        assert_error(self, e.exception, 400, param="file")
        self.assertIn("larger than 25 MiB", e.exception.body["message"])
        with self.assertRaises(openai.APIStatusError) as e:
            self.client.audio.transcriptions.create(
                model="whisper-tiny.en", file=("huge.wav", bytes(33 << 20)))
        self.assertEqual(e.exception.status_code, 413)

        # No file field at all, and a JSON body instead of a form: what the client will not send.
        body, content_type = multipart({"model": (None, b"whisper-tiny.en")})
        status, answer = self.server.raw("/v1/audio/transcriptions", body,
                                         content_type=content_type)
        self.assertEqual((status, answer["error"]["param"]), (400, "file"), answer)
        self.assertIn("missing the 'file' field", answer["error"]["message"])
        status, answer = self.server.raw("/v1/audio/transcriptions", b'{"file": "/etc/passwd"}')
        self.assertEqual((status, answer["error"]["param"]), (400, "file"), answer)
        # Nothing above reached the model.
        self.assertEqual(self.server.health()["status"], "ok")

    def test_client_gone_mid_transcription(self):
        """A client that hangs up on a four-minute transcription frees the model at once."""
        jfk = os.path.join(ARGS.root, "tests", "data", "audio", "jfk.wav")
        # The scale of the bound: one whole window (JFK's 11 s), encoded and decoded.
        started = time.monotonic()
        self.assertIn("country", words(self.client.audio.transcriptions.create(
            model="whisper-tiny.en", file=("jfk.wav", read(jfk))).text))
        one_window = time.monotonic() - started
        before = self.server.health()
        body, content_type = multipart({"file": ("long.wav", repeated_wav(jfk, 240)),
                                        "model": (None, b"whisper-tiny.en")})
        host, port = self.server.url.split(":")
        client = socket.create_connection((host, int(port)), timeout=30)
        client.sendall(("POST /v1/audio/transcriptions HTTP/1.1\r\nHost: %s\r\n"
                        "Authorization: Bearer %s\r\nContent-Type: %s\r\n"
                        "Content-Length: %d\r\n\r\n" % (self.server.url, KEY, content_type,
                                                          len(body))).encode() + body)
        deadline = time.monotonic() + 60
        while self.server.health()["requests_running"] == 0:
            self.assertLess(time.monotonic(), deadline, "the transcription never started")
            time.sleep(0.05)
        client.close()
        closed = time.monotonic()
        while True:
            h = self.server.health()
            if h["requests_running"] == 0:
                break
            self.assertLess(time.monotonic() - closed, 8 * one_window + 30,
                            "the transcription went on")
            time.sleep(0.05)
        latency = time.monotonic() - closed
        print("\none 11-s window: %.2f s; the 4-min transcription stopped %.2f s after its "
              "client left" % (one_window, latency), file=sys.stderr)
        self.assertEqual(h["requests_cancelled"], before["requests_cancelled"] + 1)
        self.assertEqual(h["requests_completed"], before["requests_completed"])
        # Eight windows would take about eight times one; the cancel lands after the window
        # step in progress (an encoder pass, or one decoder step).
        self.assertLess(latency, 2 * one_window + 2)
        # The model serves the next client normally.
        self.assertEqual(words(self.transcribe().text), ["experience", "proves", "this"])
        deadline = time.monotonic() + 10
        while not any("/v1/audio/transcriptions 499" in line for line in self.server.log):
            self.assertLess(time.monotonic(), deadline, "the log names the request its client left")
            time.sleep(0.05)


class Startup(unittest.TestCase):
    def test_bad_flags_and_files(self):
        cases = [
            (["--port", "70000", "-m", demo_model()], 2, "--port"),
            (["--whisper", "w.bin", "-m", demo_model()], 1, "w.bin"),
            (["--whisper", demo_model(), "-m", demo_model()], 1, "not a Whisper"),
            (["-m", os.path.join(ARGS.root, "README.md")], 1, "README.md"),
            ([], 2, "-m MODEL.gguf is required"),
        ]
        for flags, status, words in cases:
            with self.subTest(flags=flags):
                r = subprocess.run([ARGS.server, *flags], capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(r.returncode, status, r.stderr)
                self.assertIn(words, r.stderr)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_port_in_use(self):
        first = Server("-m", demo_model())
        try:
            port = first.url.split(":")[1]
            r = subprocess.run([ARGS.server, "-m", demo_model(), "--port", port],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1)
            self.assertIn("cannot listen on 127.0.0.1:" + port, r.stderr)
        finally:
            first.stop()

    def test_queue_full_gets_503(self):
        server = Server("-m", demo_model(), "--queue", "1")
        try:
            client = server.client(key="unused")

            def ask(i):
                try:
                    client.completions.create(model="stories260K", prompt="Once upon a time",
                                              max_tokens=64, seed=i)
                    return "ok"
                except openai.InternalServerError as e:
                    return e

            # Ten at once: one generates, one waits, the others are turned away.
            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                results = list(pool.map(ask, range(10)))
            refused = [r for r in results if r != "ok"]
            self.assertGreaterEqual(results.count("ok"), 2)
            self.assertTrue(refused, "a full queue refuses")
            for e in refused:
                assert_error(self, e, 503, code="server_busy")
                self.assertEqual(e.response.headers.get("retry-after"), "1")
            self.assertEqual(server.health(key=None)["requests_refused"], len(refused))
        finally:
            server.stop()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--root", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
