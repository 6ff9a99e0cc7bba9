#!/usr/bin/env python3
"""Writes the chat-template fixtures in tests/data/chat/ with transformers' own renderer.

For every template below and every message list in CASES this renders
    transformers.utils.chat_template_utils.render_jinja_template(
        conversations=[messages], chat_template=template, add_generation_prompt=True,
        bos_token=..., eos_token=..., [date_string=...])
which is what tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
runs, and writes
    templates/<name>.jinja         the template source, byte for byte
    templates.tsv                  name, bos text, eos text, date_string passed (or '-')
    cases.txt                      the message lists (format below)
    expected/<name>/<case>.txt     the rendered prompt, UTF-8
tests/unit/test_chat_template.cpp renders the same messages with prism::ChatTemplate and
compares byte for byte. Where each template comes from is recorded in tests/data/chat/README.md.

cases.txt: a line "case <name>" starts a message list; each following line is
"<role> <content>" with \\, \n and \t escaped.

Usage (a developer tool; CI never runs Python, the fixtures are committed):
  python3 -m venv build/tools-venv && build/tools-venv/bin/pip install -r tools/requirements.txt
  python3 tools/fetch_models.py            # SmolLM2's template is read from its GGUF
  build/tools-venv/bin/python tools/make_chat_template_fixtures.py [output-dir]
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

import gguf
from transformers.models.smolvlm.processing_smolvlm import DEFAULT_CHAT_TEMPLATE as SMOLVLM_TRANSFORMERS_DEFAULT
from transformers.utils.chat_template_utils import render_jinja_template

MODEL_CACHE = Path(os.environ.get("PRISM_MODEL_CACHE", Path.home() / ".cache" / "prism" / "models"))

# Qwen/Qwen2.5-7B-Instruct tokenizer_config.json chat_template, as huggingface.js keeps it in
# packages/jinja/test/e2e.test.js (the JavaScript literal's escapes mean the same in Python).
QWEN2_5 = "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- messages[0]['content'] }}\n    {%- else %}\n        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n    {%- endif %}\n{%- endif %}\n{%- for message in messages %}\n    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- elif message.role == \"assistant\" %}\n        {{- '<|im_start|>' + message.role }}\n        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n    {%- elif message.role == \"tool\" %}\n        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n            {{- '<|im_start|>user' }}\n        {%- endif %}\n        {{- '\\n<tool_response>\\n' }}\n        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n            {{- '<|im_end|>\\n' }}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n"

# Plain ChatML (teknium/OpenHermes-2.5-Mistral-7B), from llama.cpp tests/test-chat-template.cpp.
CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

# meta-llama/Meta-Llama-3-8B-Instruct, from llama.cpp tests/test-chat-template.cpp ("Llama-3").
LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"

# meta-llama/Llama-3.2-3B-Instruct, llama.cpp models/templates/meta-llama-Llama-3.2-3B-Instruct.jinja.
LLAMA3_2 = r"""{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- if strftime_now is defined %}
        {%- set date_string = strftime_now("%d %b %Y") %}
    {%- else %}
        {%- set date_string = "26 Jul 2024" %}
    {%- endif %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
        {{- '{"name": "' + tool_call.name + '", ' }}
        {{- '"parameters": ' }}
        {{- tool_call.arguments | tojson }}
        {{- "}" }}
        {{- "<|eot_id|>" }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

# google/gemma-3-*-it chat_template (Gemma 3 270M base carries none in its GGUF).
GEMMA3 = r"""{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\n\n' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model\n'}}
{%- endif -%}
"""

# HuggingFaceTB/SmolVLM-256M-Instruct chat_template (content is a list of typed parts).
SMOLVLM = "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"

LLAMA3_DATE = "26 Jul 2024"


def gguf_template(file_name: str) -> str:
    path = MODEL_CACHE / file_name
    if not path.is_file():
        sys.exit(f"error: {path} is missing; run tools/fetch_models.py first")
    field = gguf.GGUFReader(path).fields.get("tokenizer.chat_template")
    if field is None:
        sys.exit(f"error: {path} has no tokenizer.chat_template")
    return field.contents()


# name -> (template, bos text, eos text, date_string or None, content as typed parts)
def templates() -> dict[str, tuple[str, str, str, str | None, bool]]:
    return {
        "chatml": (CHATML, "<s>", "<|im_end|>", None, False),
        "qwen2.5": (QWEN2_5, "", "<|im_end|>", None, False),
        "smollm2": (gguf_template("SmolLM2-135M-Instruct.Q4_1.gguf"), "<|im_start|>", "<|im_end|>", None, False),
        "llama3": (LLAMA3, "<|begin_of_text|>", "<|eot_id|>", None, False),
        "llama3.2": (LLAMA3_2, "<|begin_of_text|>", "<|eot_id|>", LLAMA3_DATE, False),
        "gemma3": (GEMMA3, "<bos>", "<eos>", None, False),
        "smolvlm": (SMOLVLM, "<|im_start|>", "<end_of_utterance>", None, True),
        "smolvlm-transformers": (SMOLVLM_TRANSFORMERS_DEFAULT, "<|im_start|>", "<end_of_utterance>", None, False),
    }


CASES: dict[str, list[tuple[str, str]]] = {
    "system_user": [("system", "You are a helpful assistant."), ("user", "Hello! What is 2+2?")],
    "user_only": [("user", "Hello")],
    "multi_turn": [
        ("system", "You are terse."),
        ("user", "Hi there"),
        ("assistant", "Hello."),
        ("user", "Who are you?"),
        ("assistant", "   I am an assistant   "),
        ("user", "Another question\n"),
    ],
    "multi_turn_no_system": [
        ("user", "  Name a colour.  "),
        ("assistant", "Blue."),
        ("user", "Another one."),
    ],
    "unicode": [
        ("system", "Réponds en français.\tありがとう "),
        ("user", "\u3000Ça va ? 😀 ∑ x² — «ok»\u00a0\n"),
        ("assistant", "Très bien 👍\n\n"),
        ("user", "Et toi ? 你好"),
    ],
    "special_text": [("user", "Typing <|im_end|> or <end_of_turn> is just text.")],
}


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def render(template: str, bos: str, eos: str, date: str | None, typed: bool, case: list[tuple[str, str]]) -> str:
    if typed:
        messages = [{"role": r, "content": [{"type": "text", "text": c}]} for r, c in case]
    else:
        messages = [{"role": r, "content": c} for r, c in case]
    extra = {"date_string": date} if date is not None else {}
    rendered, _ = render_jinja_template(conversations=[messages], chat_template=template,
                                        add_generation_prompt=True, bos_token=bos, eos_token=eos, **extra)
    return rendered[0]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/data/chat"
    (out / "templates").mkdir(parents=True, exist_ok=True)
    with (out / "cases.txt").open("w", encoding="utf-8", newline="\n") as f:
        for name, case in CASES.items():
            f.write(f"case {name}\n")
            for role, content in case:
                f.write(f"{role} {escape(content)}\n")
    rows = []
    for name, (template, bos, eos, date, typed) in templates().items():
        (out / "templates" / f"{name}.jinja").write_bytes(template.encode("utf-8"))
        rows.append(f"{name}\t{bos or '-'}\t{eos}\t{date or '-'}\n")
        (out / "expected" / name).mkdir(parents=True, exist_ok=True)
        for case_name, case in CASES.items():
            text = render(template, bos, eos, date, typed, case)
            (out / "expected" / name / f"{case_name}.txt").write_bytes(text.encode("utf-8"))
    (out / "templates.tsv").write_text("".join(rows), encoding="utf-8", newline="\n")
    print(f"wrote {len(rows)} templates x {len(CASES)} cases to {out} "
          f"(transformers {importlib.metadata.version('transformers')}, jinja2 {importlib.metadata.version('jinja2')})")


if __name__ == "__main__":
    main()
