"""The Gradio app gradio.sh serves: a support team's toolkit, each tool an endpoint under the name its author gave it.

    python gradio_app.py PORT

Text tools (summarize, classify with confidences per label, extract entities as JSON, translate a reply from a
small phrase table), a streamed draft reply (a generator: the queue sends each piece), a chat over a
ticket (history in, history out), file tools (an uploaded image resized and returned as a file, an
uploaded CSV read into a table, a table's statistics), a slow batch job (progress updates), and input
checks that raise `gr.Error` (the queue's error event). No model: each tool is a few lines of Python, so
the recording is of Gradio's API, not of a model's time.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import gradio as gr
from PIL import Image

LABELS = ("billing", "bug report", "feature request", "account access", "shipping", "other")
WORDS = {
    "billing": ("invoice", "charge", "refund", "price", "payment"),
    "bug report": ("error", "crash", "broken", "fails", "bug"),
    "feature request": ("would like", "please add", "feature", "support for"),
    "account access": ("password", "login", "locked", "2fa", "sign in"),
    "shipping": ("delivery", "parcel", "tracking", "shipped", "courier"),
}
PHRASES = {
    "de": {"thank you": "danke", "hello": "hallo", "sorry": "entschuldigung", "refund": "rückerstattung"},
    "fr": {"thank you": "merci", "hello": "bonjour", "sorry": "désolé", "refund": "remboursement"},
    "es": {"thank you": "gracias", "hello": "hola", "sorry": "lo siento", "refund": "reembolso"},
}


def need(text: str, what: str) -> None:
    if not text or not text.strip():
        raise gr.Error(f"{what} is empty")


def summarize(text: str, max_sentences: float) -> str:
    need(text, "the ticket")
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(sentences[: max(1, int(max_sentences))])


def classify(subject: str, body: str) -> dict[str, float]:
    need(subject + body, "the ticket")
    text = f"{subject} {body}".lower()
    hits = {label: 1 + sum(text.count(w) for w in words) for label, words in WORDS.items()}
    hits["other"] = 1
    total = sum(hits.values())
    return {label: round(n / total, 4) for label, n in hits.items()}


def entities(text: str) -> dict[str, Any]:
    need(text, "the text")
    return {
        "emails": re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text),
        "order_ids": re.findall(r"\b(?:ORD|ord)-\d{4,}\b", text),
        "amounts": [float(a) for a in re.findall(r"\d+\.\d{2}", text)],
        "counts": dict(Counter(w.lower() for w in re.findall(r"[A-Za-z]{5,}", text)).most_common(5)),
    }


def translate(text: str, language: str) -> str:
    need(text, "the reply")
    out = text.lower()
    for en, tr in PHRASES[language].items():
        out = out.replace(en, tr)
    return out


def draft(prompt: str, tone: str) -> Iterator[str]:
    need(prompt, "the prompt")
    words = f"Dear customer, ({tone}) regarding: {prompt}. We are on it and will reply soon.".split()
    sofar = ""
    for w in words:
        sofar += w + " "
        time.sleep(0.01)
        yield sofar


def chat(message: str, history: list[dict[str, str]]) -> str:
    need(message, "the message")
    return f"[{len(history) // 2 + 1}] noted: {message[:60]}"


def resize(path: str, width: float) -> str:
    if not path:
        raise gr.Error("no image")
    img = Image.open(path)
    w = max(8, int(width))
    out = path.rsplit(".", 1)[0] + f"-{w}.png"
    img.resize((w, max(1, img.height * w // img.width))).save(out)
    return out


def read_csv(path: str) -> list[list[str]]:
    if not path:
        raise gr.Error("no file")
    with open(path, newline="", encoding="utf-8") as f:
        return [row for row in csv.reader(f)][:50]


def stats(table: Any) -> dict[str, Any]:
    rows = table.values.tolist() if hasattr(table, "values") else list(table or [])
    return {"rows": len(rows), "columns": len(rows[0]) if rows else 0}


def batch(n: float, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008  (Gradio's idiom)
    for _ in progress.tqdm(range(int(n)), desc="tickets"):
        time.sleep(0.005)
    return f"re-indexed {int(n)} tickets"


def build() -> gr.Blocks:
    with gr.Blocks(title="Support desk toolkit") as demo:
        with gr.Tab("Text"):
            t, k, s = gr.Textbox(label="Ticket"), gr.Slider(1, 5, value=2, step=1, label="Sentences"), gr.Textbox()
            gr.Button("Summarize").click(summarize, [t, k], s, api_name="summarize_ticket")
            subj, lab = gr.Textbox(label="Subject"), gr.Label(num_top_classes=3)
            gr.Button("Classify").click(classify, [subj, t], lab, api_name="classify_ticket")
            gr.Button("Entities").click(entities, t, gr.JSON(), api_name="extract_entities")
            lang, tr = gr.Dropdown(list(PHRASES), value="de", label="Language"), gr.Textbox()
            gr.Button("Translate").click(translate, [t, lang], tr, api_name="translate_reply")
            tone, out = gr.Radio(["friendly", "formal", "apologetic"], value="friendly"), gr.Textbox()
            gr.Button("Draft").click(draft, [t, tone], out, api_name="draft_reply")
        with gr.Tab("Chat"):
            gr.ChatInterface(chat, api_name="ticket_chat")
        with gr.Tab("Files"):
            img, width, img_out = gr.Image(type="filepath"), gr.Number(value=64), gr.Image(type="filepath")
            gr.Button("Resize").click(resize, [img, width], img_out, api_name="resize_screenshot")
            f, table = gr.File(type="filepath"), gr.Dataframe()
            gr.Button("Read").click(read_csv, f, table, api_name="read_csv_export")
            gr.Button("Stats").click(stats, table, gr.JSON(), api_name="table_stats")
        with gr.Tab("Admin"):
            n, done = gr.Number(value=50), gr.Textbox()
            gr.Button("Reindex").click(batch, n, done, api_name="reindex_tickets")
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=4).launch(server_name="127.0.0.1", server_port=int(sys.argv[1]),
                                                      show_error=True, prevent_thread_lock=False)
