"""How long ``fitlint server`` takes to re-check a 300-line script after an edit.

Usage: python benchmarks/lsp_latency.py [--edits N] [--lines N]

Starts the real server (``python -m fitlint server --check-delay 0``) and
talks JSON-RPC to it over stdio as an editor does: initialize, open a
generated Keras script of about 300 lines (several models, data pipelines,
helper functions, one shape bug), wait for its diagnostics, then make N
edits (each changes one constant) and time, for each, from sending
``textDocument/didChange`` to receiving the ``publishDiagnostics`` of that
version. The debounce delay is set to 0 so that only the re-check is timed
(an editor adds the delay, 0.15 s by default). Prints the median and the
90th percentile.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BLOCK = '''

def build_{i}(features, classes):
    inputs = keras.Input(shape=(features,))
    hidden = layers.Dense(UNITS_{i}, activation="relu")(inputs)
    hidden = layers.Dropout(0.2)(hidden)
    hidden = layers.Dense(UNITS_{i} // 2, activation="relu")(hidden)
    outputs = layers.Dense(classes, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs, name="model_{i}")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data_{i}(samples):
    x = np.random.rand(samples, FEATURES_{i}).astype("float32")
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-7)
    y = np.random.randint(0, CLASSES_{i}, size=(samples,))
    return x, y


UNITS_{i} = {units}
FEATURES_{i} = {features}
CLASSES_{i} = {classes}
x_{i}, y_{i} = data_{i}(256)
model_{i} = build_{i}(FEATURES_{i}, CLASSES_{i})
model_{i}.fit(x_{i}, y_{i}, epochs=EPOCHS, batch_size=32, verbose=0)
print(model_{i}.evaluate(x_{i}, y_{i}, verbose=0))
'''

HEAD = '''"""A generated training script for the latency benchmark."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

EPOCHS = 1
'''

TAIL = '''

images = np.random.rand(64, 784).astype("float32")
labels = np.random.randint(0, 10, 64)
cnn = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
cnn.fit(images, labels, epochs=EPOCHS, verbose=0)
'''


def script(lines: int) -> str:
    text, i = HEAD, 0
    while text.count("\n") + TAIL.count("\n") < lines:
        text += BLOCK.format(i=i, units=16 + 8 * (i % 4), features=4 + i % 7, classes=3 + i % 5)
        i += 1
    return text + TAIL


class Client:
    def __init__(self, command):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> list:
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                if params["uri"] == uri and params.get("version") == version:
                    return params["diagnostics"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--lines", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fitlint-lsp-") as folder:
        path = Path(folder) / "train.py"
        text = script(args.lines)
        path.write_text(text)
        uri = path.as_uri()
        client = Client([sys.executable, "-m", "fitlint", "server", "--check-delay", "0"])
        try:
            client.request("initialize", {"processId": os.getpid(), "rootUri": Path(folder).as_uri(),
                                          "capabilities": {}})
            client.notify("initialized", {})
            started = time.perf_counter()
            client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                                    "text": text}})
            found = client.diagnostics(uri, 1)
            first = time.perf_counter() - started
            line = text.split("\n").index("EPOCHS = 1")
            times = []
            for n in range(args.edits):
                version = n + 2
                started = time.perf_counter()
                client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": {"start": {"line": line, "character": 9},
                                                  "end": {"line": line, "character": 10}},
                                        "text": str(1 + n % 9)}]})
                again = client.diagnostics(uri, version)
                times.append(time.perf_counter() - started)
                assert [d["code"] for d in again] == [d["code"] for d in found], "the edit changed the findings"
            client.request("shutdown", None)
            client.notify("exit", None)
            client.process.wait(timeout=10)
        finally:
            if client.process.poll() is None:
                client.process.kill()
    times.sort()
    print(f"script: {text.count(chr(10))} lines, {len(found)} finding(s): {', '.join(d['code'] for d in found)}")
    print(f"first check (cold): {first * 1000:.0f} ms")
    print(f"re-check after an edit, {args.edits} edits: median {statistics.median(times) * 1000:.1f} ms, "
          f"90th percentile {times[int(len(times) * 0.9) - 1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
