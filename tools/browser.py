#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (standard library only).

Chromium is started with --remote-debugging-pipe: it reads protocol messages from fd 3 and writes
them to fd 4, each a JSON object ended by a NUL byte, so no WebSocket client is needed.

    tools/browser.py [--chromium PATH] [--width W] [--height H]
        reads one URL per line on stdin; for each prints one JSON line:
        {"url": …, "status": HTTP status of the page, "dom": the rendered DOM,
         "errors": [console errors, uncaught exceptions, failed or 4xx/5xx loads]}
    tools/browser.py --screenshot OUT.png [--max-height H] URL   writes a PNG of the page

Used by Tests/WebUITests/BrowserTests.swift (the web UI in a real browser) and
tools/web-screenshots (the pictures in docs/web.md).
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="sharp-chromium-")
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()

        def fds():  # the child's fd 3 reads our commands, its fd 4 writes the answers
            r, w = os.dup(to_child_r), os.dup(from_child_w)  # out of the way, should a pipe be on 3 or 4
            os.dup2(r, 3)
            os.dup2(w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--hide-scrollbars", "--remote-debugging-pipe",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False)  # fds 3 and 4 must survive; the rest is close-on-exec
        os.close(to_child_r)
        os.close(from_child_w)
        self.out = os.fdopen(to_child_w, "wb", buffering=0)
        self.inp = os.fdopen(from_child_r, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.width, self.height = width, height
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = self.inp.read(65536)
            if not chunk:
                raise EOFError("chromium closed the protocol pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.out.write(json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            answer = self.read_message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self.read_message(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    def settle(self, seconds=0.3):
        """Reads the events that arrive within `seconds` (late subresource failures)."""
        deadline = time.time() + seconds
        os.set_blocking(self.inp.fileno(), False)
        try:
            while time.time() < deadline:
                try:
                    chunk = self.inp.read(65536)
                except BlockingIOError:
                    chunk = None
                if chunk:
                    self.buffer += chunk
                    while b"\0" in self.buffer:
                        message, self.buffer = self.buffer.split(b"\0", 1)
                        self.events.append(json.loads(message))
                else:
                    time.sleep(0.02)
        finally:
            os.set_blocking(self.inp.fileno(), True)

    def load(self, url):
        self.events = []
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")
        self.settle()
        dom = self.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True},
                        session=True)["result"]["value"]
        status, errors = None, []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.responseReceived":
                response = params["response"]
                if params.get("type") == "Document" and status is None:
                    status = response["status"]
                if response["status"] >= 400:
                    errors.append(f"{response['url']}: HTTP {response['status']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                errors.append(f"load failed: {params.get('errorText')}")
            elif method == "Runtime.exceptionThrown":
                errors.append("uncaught: " + params["exceptionDetails"].get("text", ""))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(f"log: {params['entry']['text']} ({params['entry'].get('url', '')})")
        return {"url": url, "status": status, "dom": dom, "errors": errors}

    def screenshot(self, url, path, max_height):
        self.load(url)
        height = self.call("Runtime.evaluate", {"expression": "document.documentElement.scrollHeight", "returnByValue": True},
                           session=True)["result"]["value"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": min(int(height), max_height), "deviceScaleFactor": 1, "mobile": False},
                  session=True)
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Debian's /usr/bin/chromium is a shell wrapper; the browser itself is /usr/lib/chromium/chromium.
    default = "/usr/lib/chromium/chromium" if os.path.exists("/usr/lib/chromium/chromium") else shutil.which("chromium")
    parser.add_argument("--chromium", default=default)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--screenshot", metavar="OUT.png")
    parser.add_argument("--max-height", type=int, default=4000, help="screenshots: cut the page at this height")
    parser.add_argument("url", nargs="?")
    args = parser.parse_args()
    browser = Browser(args.chromium, args.width, args.height)
    try:
        if args.screenshot:
            browser.screenshot(args.url, args.screenshot, args.max_height)
            return
        for line in sys.stdin:
            url = line.strip()
            if url:
                print(json.dumps(browser.load(url)), flush=True)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
