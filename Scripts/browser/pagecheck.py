#!/usr/bin/env python3
"""pagecheck: open a local HTML file in headless Chromium and report what happened, as JSON.

Standard library only (Python >= 3.8). Needs a Chromium binary; on Debian:
    apt-get install -y --no-install-recommends chromium-headless-shell

It drives the browser over the Chrome DevTools Protocol (CDP), by default through
--remote-debugging-pipe (no TCP port), or with --transport ws through
--remote-debugging-port=0 and a minimal built-in WebSocket client.

Reported (see --help and the JSON printed): console messages, JavaScript exceptions,
Content-Security-Policy violations, every request other than the file itself (all
non-file URLs are blocked, so nothing leaves the machine), the DOM (or parts of it
picked with --select / --eval) after load and after each --click, optionally the same
with JavaScript disabled (--no-js), and an optional full-page PNG (--screenshot).

Exit codes: 0 ran (and, with --strict, the page is clean); 1 --strict and problems
were found; 2 usage error or the check itself failed (timeout, browser crash, missing
file); 3 no browser found.
"""

import argparse
import base64
import ctypes
import fcntl
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR, EXIT_NO_BROWSER = 0, 1, 2, 3

# Looked for in this order when --browser / $PAGECHECK_BROWSER are not given. Real binaries come
# before Debian's /usr/bin shell wrappers: /usr/bin/chromium-headless-shell is `#!/bin/sh` that runs
# /usr/lib/chromium/chromium-headless-shell without exec, so the wrapper's pid is not the browser's.
BROWSER_CANDIDATES = [
    "/usr/lib/chromium/chromium-headless-shell",  # Debian/Ubuntu package chromium-headless-shell
    "chromium-headless-shell",
    "chrome-headless-shell",
    "headless_shell",
    "/usr/lib/chromium/chromium",  # Debian package chromium (real binary behind /usr/bin/chromium)
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
    "google-chrome",
]

BINDING = "__pagecheckCSP"
# Runs in every new document before the page's own scripts (DevTools-injected, so the page's CSP
# does not block it). Only used when JavaScript is enabled.
CSP_LISTENER = r"""
(function () {
  var report = window.%(b)s;
  try { delete window.%(b)s; } catch (e) {}
  if (typeof report !== 'function') return;
  document.addEventListener('securitypolicyviolation', function (e) {
    report(JSON.stringify({
      directive: e.violatedDirective, effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI, sample: e.sample, disposition: e.disposition,
      sourceFile: e.sourceFile, line: e.lineNumber, column: e.columnNumber
    }));
  }, true);
})();
""" % {"b": BINDING}

# Nothing may leave the machine. Requests that pass the page's CSP are paused by the DevTools Fetch
# domain and failed (file: and data: excepted); they are still reported under "requests". As a second
# wall the browser gets an unreachable loopback proxy and a resolver that resolves nothing.
# (Network.setBlockedURLs is not used: it blocks before Blink's CSP check, hiding the CSP violation.)
NO_NETWORK_FLAGS = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                    "--host-resolver-rules=MAP * ~NOTFOUND"]

SNAPSHOT_JS = r"""
(function (sels, wantHtml) {
  function norm(s) { return (s || '').replace(/\s+/g, ' ').trim(); }
  var out = { title: document.title, select: {} };
  if (wantHtml) {
    var dt = document.doctype, pre = '';
    if (dt) pre = '<!DOCTYPE ' + dt.name + (dt.publicId ? ' PUBLIC "' + dt.publicId + '"' : '') +
        (dt.systemId ? (dt.publicId ? ' ' : ' SYSTEM ') + '"' + dt.systemId + '"' : '') + '>\n';
    out.html = pre + (document.documentElement ? document.documentElement.outerHTML : '');
  }
  sels.forEach(function (sel) {
    try {
      var els = Array.prototype.slice.call(document.querySelectorAll(sel));
      out.select[sel] = { count: els.length, text: els.map(function (el) { return norm(el.textContent); }) };
    } catch (e) { out.select[sel] = { error: String(e) }; }
  });
  return out;
})
"""


class PageCheckError(Exception):
    def __init__(self, message, code=EXIT_ERROR):
        super().__init__(message)
        self.code = code


class Timeout(PageCheckError):
    pass


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self, cap=None):
        left = self.end - time.monotonic()
        if left <= 0:
            raise Timeout("overall --timeout exceeded")
        return left if cap is None else min(left, cap)


# --------------------------------------------------------------------------- transports

class PipeTransport:
    """CDP over --remote-debugging-pipe: the browser reads fd 3 and writes fd 4, NUL-separated JSON."""

    def __init__(self, write_fd, read_fd):
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.q = queue.Queue()
        self.closed = False
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        parts = []
        try:
            while True:
                chunk = os.read(self.read_fd, 1 << 16)
                if not chunk:
                    break
                start = 0
                while True:
                    i = chunk.find(b"\0", start)
                    if i < 0:
                        parts.append(chunk[start:])
                        break
                    parts.append(chunk[start:i])
                    self.q.put(b"".join(parts))
                    parts = []
                    start = i + 1
        except OSError:
            pass
        self.q.put(None)

    def send(self, text):
        data = text.encode() + b"\0"
        try:
            while data:
                n = os.write(self.write_fd, data)
                data = data[n:]
        except OSError as e:
            raise PageCheckError("browser pipe closed: %s" % e)

    def recv(self, timeout):
        try:
            msg = self.q.get(timeout=timeout)
        except queue.Empty:
            raise Timeout("no message from the browser for %.1fs" % timeout)
        if msg is None:
            self.q.put(None)
            raise PageCheckError("browser closed the DevTools pipe (crashed or exited)")
        return msg

    def close(self):
        for fd in (self.write_fd, self.read_fd):
            try:
                os.close(fd)
            except OSError:
                pass


class WebSocketTransport:
    """Minimal RFC 6455 client: text frames, fragmentation, ping/pong, close. No TLS, no extensions."""

    def __init__(self, url, timeout):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "ws":
            raise PageCheckError("unsupported DevTools URL %r" % url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (u.path or "/", u.hostname, u.port or 80, key))
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise PageCheckError("WebSocket handshake: connection closed")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise PageCheckError("WebSocket handshake refused: %s" % lines[0])
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        if headers.get("sec-websocket-accept") != accept:
            raise PageCheckError("WebSocket handshake: bad Sec-WebSocket-Accept")
        self.sock.settimeout(None)
        self.lock = threading.Lock()
        self.q = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()

    def _read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        # XOR with the mask via big integers: fast enough for CDP-sized messages.
        m = (mask * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(m, "big")).to_bytes(n, "big") if n else b""
        with self.lock:
            self.sock.sendall(head + mask + masked)

    def _reader(self):
        message, msg_op = [], None
        try:
            while True:
                b0, b1 = self._read_exact(2)
                fin, opcode, n = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self._read_exact(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._read_exact(8))[0]
                mask = self._read_exact(4) if b1 & 0x80 else None
                payload = self._read_exact(n)
                if mask:
                    m = (mask * (n // 4 + 1))[:n]
                    payload = (int.from_bytes(payload, "big") ^ int.from_bytes(m, "big")).to_bytes(n, "big")
                if opcode == 0x8:  # close
                    break
                if opcode == 0x9:  # ping
                    self._frame(0xA, payload)
                    continue
                if opcode == 0xA:
                    continue
                if opcode in (0x1, 0x2):
                    message, msg_op = [payload], opcode
                elif opcode == 0x0:
                    message.append(payload)
                if fin and msg_op is not None:
                    self.q.put(b"".join(message))
                    message, msg_op = [], None
        except (EOFError, OSError, ValueError):
            pass
        self.q.put(None)

    def send(self, text):
        try:
            self._frame(0x1, text.encode())
        except OSError as e:
            raise PageCheckError("browser WebSocket closed: %s" % e)

    def recv(self, timeout):
        try:
            msg = self.q.get(timeout=timeout)
        except queue.Empty:
            raise Timeout("no message from the browser for %.1fs" % timeout)
        if msg is None:
            self.q.put(None)
            raise PageCheckError("browser closed the DevTools WebSocket (crashed or exited)")
        return msg

    def close(self):
        try:
            self._frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------- CDP client

class CDP:
    def __init__(self, transport, deadline, call_timeout):
        self.t = transport
        self.deadline = deadline
        self.call_timeout = call_timeout
        self.next_id = 0
        self.listeners = {}  # sessionId -> callable(method, params)
        self.fatal = None

    def _dispatch(self, raw):
        try:
            msg = json.loads(raw)
        except ValueError:
            return None
        if "method" in msg:
            if msg["method"] == "Inspector.targetCrashed" or msg["method"] == "Target.targetCrashed":
                self.fatal = "page renderer crashed"
            fn = self.listeners.get(msg.get("sessionId"))
            if fn:
                fn(msg["method"], msg.get("params", {}))
            return None
        return msg

    def send_nowait(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.t.send(json.dumps(msg))
        return self.next_id

    def call(self, method, params=None, session=None, timeout=None):
        mid = self.send_nowait(method, params, session)
        end = time.monotonic() + (timeout or self.call_timeout)
        while True:
            left = min(end - time.monotonic(), self.deadline.left())
            if left <= 0:
                raise Timeout("CDP %s timed out" % method)
            msg = self._dispatch(self.t.recv(left))
            if self.fatal:
                raise PageCheckError(self.fatal)
            if msg is not None and msg.get("id") == mid:
                if "error" in msg:
                    raise PageCheckError("CDP %s failed: %s" % (method, msg["error"].get("message")), EXIT_ERROR)
                return msg.get("result", {})

    def pump(self, seconds, until=None):
        """Process events for `seconds`, or until until() is true (then returns True)."""
        end = time.monotonic() + seconds
        while True:
            if until and until():
                return True
            left = min(end - time.monotonic(), self.deadline.left())
            if left <= 0:
                return bool(until and until())
            try:
                self._dispatch(self.t.recv(left))
            except Timeout:
                pass
            if self.fatal:
                raise PageCheckError(self.fatal)


# --------------------------------------------------------------------------- browser

def find_browser(explicit):
    if explicit:
        p = shutil.which(explicit) or (explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None)
        if not p:
            raise PageCheckError("browser %r not found or not executable" % explicit, EXIT_NO_BROWSER)
        return p
    for name in BROWSER_CANDIDATES:
        p = name if os.path.isabs(name) else shutil.which(name)
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    raise PageCheckError(
        "no Chromium found (looked for %s); on Debian: apt-get install -y --no-install-recommends "
        "chromium-headless-shell, or set PAGECHECK_BROWSER" % ", ".join(BROWSER_CANDIDATES), EXIT_NO_BROWSER)


class Browser:
    def __init__(self, path, transport, deadline, call_timeout, extra_args):
        self.path = path
        self.proc = None
        self.transport = None
        self.tmp = tempfile.mkdtemp(prefix="pagecheck-")
        self.args = (transport, deadline, call_timeout, extra_args)

    def start(self):
        path = self.path
        transport, deadline, call_timeout, extra_args = self.args
        self.stderr_path = os.path.join(self.tmp, "browser-stderr.log")
        args = [
            path,
            "--headless",
            "--user-data-dir=" + os.path.join(self.tmp, "profile"),
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-breakpad", "--disable-crash-reporter",
            "--disable-domain-reliability", "--metrics-recording-only", "--no-pings",
            "--disable-features=Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions",
            "--disable-gpu", "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
            "--password-store=basic", "--force-color-profile=srgb", "--font-render-hinting=none",
        ] + NO_NETWORK_FLAGS
        if os.geteuid() == 0 or os.environ.get("PAGECHECK_NO_SANDBOX"):
            args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox on
        args += extra_args
        self.stderr_file = open(self.stderr_path, "wb")
        libc = None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            pass

        if libc is not None:
            # PR_SET_CHILD_SUBREAPER: browser helpers orphaned by the kill are re-parented to us and
            # reaped in close(), instead of lingering as zombies under a PID 1 that may not reap.
            libc.prctl(36, 1)

        def die_with_parent():
            if libc is not None:
                libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: browser dies if we are killed

        try:
            if transport == "pipe":
                to_child_r, to_child_w = os.pipe()
                from_child_r, from_child_w = os.pipe()

                def setup():
                    die_with_parent()
                    a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
                    b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
                    os.dup2(a, 3)
                    os.dup2(b, 4)  # dup2 targets are inheritable; all other fds are close-on-exec

                self.proc = subprocess.Popen(args + ["--remote-debugging-pipe", "about:blank"],
                                             stdin=subprocess.DEVNULL, stdout=self.stderr_file,
                                             stderr=self.stderr_file, close_fds=False,
                                             start_new_session=True, preexec_fn=setup)
                os.close(to_child_r)
                os.close(from_child_w)
                self.transport = PipeTransport(to_child_w, from_child_r)
            else:
                self.proc = subprocess.Popen(args + ["--remote-debugging-port=0", "about:blank"],
                                             stdin=subprocess.DEVNULL, stdout=self.stderr_file,
                                             stderr=self.stderr_file, start_new_session=True,
                                             preexec_fn=die_with_parent)
                url = None
                while url is None:
                    if self.proc.poll() is not None:
                        raise PageCheckError("browser exited with %s at start:\n%s" % (self.proc.returncode, self.stderr_tail()))
                    m = re.search(rb"DevTools listening on (ws://\S+)", open(self.stderr_path, "rb").read())
                    if m:
                        url = m.group(1).decode()
                        break
                    if deadline.left() < 0.05:
                        raise Timeout("browser did not print its DevTools address")
                    time.sleep(0.05)
                self.transport = WebSocketTransport(url, deadline.left(call_timeout))
        except OSError as e:
            raise PageCheckError("cannot start %s: %s" % (path, e), EXIT_NO_BROWSER)
        self.cdp = CDP(self.transport, deadline, call_timeout)
        try:
            self.version = self.cdp.call("Browser.getVersion").get("product")
        except PageCheckError as e:
            raise PageCheckError("browser did not answer (%s); its stderr:\n%s" % (e, self.stderr_tail()))

    def stderr_tail(self, n=15):
        try:
            lines = open(self.stderr_path, "rb").read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def close(self):
        """Ask the browser to quit, then kill its whole process group (renderers, zygote, and any
        wrapper script), then remove the temporary profile. Safe to call more than once."""
        if self.proc:
            if self.proc.poll() is None:
                try:
                    self.cdp.send_nowait("Browser.close")
                    self.proc.wait(timeout=2)
                except Exception:
                    pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.05 if sig == signal.SIGTERM else 0)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            end = time.monotonic() + 3
            while time.monotonic() < end:  # reap re-parented helpers (we are their subreaper)
                try:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    time.sleep(0.02)
        if self.transport:
            self.transport.close()
        if getattr(self, "stderr_file", None):
            self.stderr_file.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------- one pass over the page

def remote_to_text(obj):
    if "value" in obj:
        v = obj["value"]
        return v if isinstance(v, str) else json.dumps(v)
    if obj.get("type") == "undefined":
        return "undefined"
    if "unserializableValue" in obj:
        return obj["unserializableValue"]
    pv = obj.get("preview")
    if pv and pv.get("type") == "object" and pv.get("subtype") not in ("node", "error", "regexp", "date"):
        props = ", ".join(("%s: %s" % (q["name"], q.get("value", q.get("type")))) if pv.get("subtype") != "array"
                          else str(q.get("value", q.get("type"))) for q in pv.get("properties", []))
        more = ", ..." if pv.get("overflow") else ""
        return ("[%s%s]" if pv.get("subtype") == "array" else "{%s%s}") % (props, more)
    return obj.get("description") or obj.get("type", "?")


def short_url(url, limit=120):
    if url.startswith("data:") and len(url) > limit:
        return url[:limit] + "...(%d chars)" % len(url)
    return url


class Recorder:
    CONSOLE_LEVEL = {"warning": "warning", "error": "error", "assert": "error", "debug": "debug",
                     "info": "info", "log": "log", "trace": "log", "dir": "log", "table": "log"}

    def __init__(self, cdp):
        self.cdp = cdp
        self.session = None
        self.console, self.exceptions, self.csp, self.csp_events, self.issues = [], [], [], [], []
        self.requests = {}
        self.order = []
        self.document_request = None
        self.loaded = False

    def on_event(self, method, p):
        if method == "Runtime.consoleAPICalled":
            frame = (p.get("stackTrace") or {}).get("callFrames") or [{}]
            self.console.append({"level": self.CONSOLE_LEVEL.get(p.get("type"), p.get("type")),
                                 "source": "console-api",
                                 "text": " ".join(remote_to_text(a) for a in p.get("args", [])),
                                 "url": short_url(frame[0].get("url", "")), "line": frame[0].get("lineNumber")})
        elif method == "Log.entryAdded":
            e = p["entry"]
            item = {"level": e.get("level"), "source": e.get("source"), "text": e.get("text", ""),
                    "url": short_url(e.get("url", "")), "line": e.get("lineNumber")}
            self.console.append(item)
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exc = d.get("exception") or {}
            self.exceptions.append({"text": exc.get("description") or d.get("text", ""),
                                    "url": short_url(d.get("url", "")), "line": d.get("lineNumber"),
                                    "column": d.get("columnNumber")})
        elif method == "Runtime.bindingCalled" and p.get("name") == BINDING:
            try:
                v = json.loads(p.get("payload", "{}"))
            except ValueError:
                v = {"raw": p.get("payload")}
            self.csp_events.append(v)
        elif method == "Audits.issueAdded":
            issue = p.get("issue", {})
            code = issue.get("code")
            details = issue.get("details", {})
            if code == "ContentSecurityPolicyIssue":
                d = details.get("contentSecurityPolicyIssueDetails", {})
                loc = d.get("sourceCodeLocation") or {}
                kind = d.get("contentSecurityPolicyViolationType") or ""
                blocked = d.get("blockedURL") or {"kInlineViolation": "inline", "kEvalViolation": "eval",
                                                   "kWasmEvalViolation": "wasm-eval"}.get(kind, "")
                self.csp.append({"directive": d.get("violatedDirective"), "type": kind,
                                 "blockedURI": short_url(blocked),
                                 "reportOnly": d.get("isReportOnly"),
                                 "sourceFile": short_url(loc.get("url", "")), "line": loc.get("lineNumber")})
            else:
                self.issues.append({"code": code, "details": details})
        elif method == "Network.requestWillBeSent":
            rid = p["requestId"]
            req = p.get("request", {})
            if self.document_request is None and p.get("type") == "Document" and rid == p.get("loaderId"):
                self.document_request = rid
                return
            key = "%s#%d" % (rid, len(self.order))
            self.requests.setdefault(rid, []).append(key)
            self.order.append({"key": key, "url": short_url(req.get("url", "")), "method": req.get("method"),
                               "type": p.get("type"), "initiator": (p.get("initiator") or {}).get("type")})
        elif method == "Network.webSocketCreated":
            key = "%s#%d" % (p["requestId"], len(self.order))
            self.requests.setdefault(p["requestId"], []).append(key)
            self.order.append({"key": key, "url": short_url(p.get("url", "")), "method": "GET",
                               "type": "WebSocket", "initiator": (p.get("initiator") or {}).get("type")})
        elif method in ("Network.responseReceived", "Network.loadingFailed", "Network.loadingFinished",
                        "Network.webSocketFrameError", "Network.webSocketHandshakeResponseReceived"):
            rid = p.get("requestId")
            if rid == self.document_request or rid not in self.requests:
                return
            item = next(r for r in self.order if r["key"] == self.requests[rid][-1])
            if method == "Network.responseReceived":
                item["status"] = (p.get("response") or {}).get("status")
            elif method == "Network.webSocketHandshakeResponseReceived":
                item["status"] = (p.get("response") or {}).get("status")
            elif method == "Network.webSocketFrameError":
                item["error"] = p.get("errorMessage")
            elif method == "Network.loadingFailed":
                item["error"] = p.get("errorText")
                if p.get("blockedReason"):
                    item["blockedReason"] = p.get("blockedReason")
        elif method == "Fetch.requestPaused":
            url = (p.get("request") or {}).get("url", "")
            if url.startswith(("file:", "data:", "blob:")):
                self.cdp.send_nowait("Fetch.continueRequest", {"requestId": p["requestId"]}, self.session)
            else:
                self.cdp.send_nowait("Fetch.failRequest", {"requestId": p["requestId"],
                                                           "errorReason": "BlockedByClient"}, self.session)
        elif method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Page.javascriptDialogOpening":
            self.console.append({"level": "error", "source": "dialog",
                                 "text": "%s dialog: %s" % (p.get("type"), p.get("message")), "url": "", "line": None})
            self.cdp.send_nowait("Page.handleJavaScriptDialog", {"accept": True}, self.session)

    def requests_list(self):
        return [{k: v for k, v in r.items() if k != "key"} for r in self.order]


def evaluate(cdp, sid, expression, timeout=None):
    r = cdp.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True,
                                      "userGesture": False}, sid, timeout)
    if "exceptionDetails" in r:
        d = r["exceptionDetails"]
        raise ValueError((d.get("exception") or {}).get("description") or d.get("text"))
    return r.get("result", {}).get("value")


def snapshot(cdp, sid, label, opts):
    want_html = opts.html if opts.html is not None else not (opts.select or opts.eval)
    snap = {"after": label}
    try:
        v = evaluate(cdp, sid, "%s(%s, %s)" % (SNAPSHOT_JS.strip(), json.dumps(opts.select), json.dumps(want_html)))
    except ValueError as e:
        raise PageCheckError("snapshot failed: %s" % e)
    snap["title"] = v.get("title")
    if want_html:
        snap["html"] = v.get("html")
    if opts.select:
        snap["select"] = v.get("select")
    if opts.eval:
        snap["eval"] = {}
        for expr in opts.eval:
            try:
                snap["eval"][expr] = evaluate(cdp, sid, expr)
            except ValueError as e:
                snap["eval"][expr] = {"error": str(e)}
    return snap


def click(cdp, sid, selector):
    """A real mouse click (press + release) at the centre of the first element matching selector.
    Uses the DOM domain, so it works with JavaScript disabled too."""
    root = cdp.call("DOM.getDocument", {"depth": 0}, sid)["root"]["nodeId"]
    try:
        node = cdp.call("DOM.querySelector", {"nodeId": root, "selector": selector}, sid)["nodeId"]
    except PageCheckError as e:
        return "bad selector: %s" % e
    if not node:
        return "no element matches"
    try:
        cdp.call("DOM.scrollIntoViewIfNeeded", {"nodeId": node}, sid)
        quads = cdp.call("DOM.getContentQuads", {"nodeId": node}, sid).get("quads") or []
    except PageCheckError as e:
        return "element has no box: %s" % e
    if not quads:
        return "element is not rendered (no box)"
    q = quads[0]
    x, y = sum(q[0::2]) / 4.0, sum(q[1::2]) / 4.0
    cdp.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, sid)
    for kind in ("mousePressed", "mouseReleased"):
        cdp.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}, sid)
    return None


def png_size(data):
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack("!II", data[16:24])
    return None, None


def screenshot(cdp, sid, path, width):
    metrics = cdp.call("Page.getLayoutMetrics", {}, sid)
    size = metrics.get("cssContentSize") or metrics.get("contentSize")
    height = max(1, min(int(size["height"] + 0.999), 16384))
    data = base64.b64decode(cdp.call("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}, sid, timeout=60)["data"])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    w, h = png_size(data)
    return {"path": str(path), "width": w, "height": h, "bytes": len(data)}


def run_pass(browser, url, opts, js_enabled, screenshot_path):
    cdp = browser.cdp
    ctx = cdp.call("Target.createBrowserContext", {})["browserContextId"]
    target = cdp.call("Target.createTarget", {"url": "about:blank", "browserContextId": ctx})["targetId"]
    sid = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    rec = Recorder(cdp)
    rec.session = sid
    cdp.listeners[sid] = rec.on_event
    result = {"javascript": js_enabled}
    try:
        for domain in ("Page", "Runtime", "Log", "Network", "DOM"):
            cdp.call(domain + ".enable", {}, sid)
        try:
            cdp.call("Audits.enable", {}, sid)
        except PageCheckError:
            pass  # older browsers: CSP is still seen through the console and the event listener
        cdp.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, sid)
        cdp.call("Network.setCacheDisabled", {"cacheDisabled": True}, sid)
        cdp.call("Emulation.setDeviceMetricsOverride", {"width": opts.width, "height": opts.height,
                                                        "deviceScaleFactor": 1, "mobile": False}, sid)
        if js_enabled:
            cdp.call("Runtime.addBinding", {"name": BINDING}, sid)
            cdp.call("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER}, sid)
        else:
            cdp.call("Emulation.setScriptExecutionDisabled", {"value": True}, sid)
        nav = cdp.call("Page.navigate", {"url": url}, sid, timeout=opts.load_timeout)
        if nav.get("errorText"):
            raise PageCheckError("navigation to %s failed: %s" % (url, nav["errorText"]))
        if not cdp.pump(opts.load_timeout, until=lambda: rec.loaded):
            raise Timeout("page did not fire its load event within %ss" % opts.load_timeout)
        cdp.pump(opts.settle / 1000.0)
        snaps = [snapshot(cdp, sid, "load", opts)]
        if screenshot_path:
            result["screenshot"] = screenshot(cdp, sid, screenshot_path, opts.width)
        for sel in opts.click:
            err = click(cdp, sid, sel)
            cdp.pump(opts.settle / 1000.0)
            snap = snapshot(cdp, sid, "click " + sel, opts)
            if err:
                snap["clickError"] = err
            snaps.append(snap)
        cdp.pump(0.05)
        result.update({"console": rec.console, "exceptions": rec.exceptions, "csp": rec.csp,
                       "cspEvents": rec.csp_events, "requests": rec.requests_list(), "issues": rec.issues, "snapshots": snaps})
        return result
    finally:
        cdp.listeners.pop(sid, None)
        try:
            cdp.call("Target.closeTarget", {"targetId": target}, timeout=5)
            cdp.call("Target.disposeBrowserContext", {"browserContextId": ctx}, timeout=5)
        except PageCheckError:
            pass


def problems_of(name, r):
    """One line per finding. A CSP violation shows up twice: as Chromium's console error (which names
    the hash that would allow it) and as a structured 'csp' entry."""
    def cut(t, n=400):
        t = " ".join((t or "").split())
        return t if len(t) <= n else t[:n] + "..."
    out = ["%s: console %s: %s" % (name, c["level"], cut(c["text"])) for c in r["console"]
           if c["level"] in ("error", "warning")]
    out += ["%s: exception: %s" % (name, cut(e["text"])) for e in r["exceptions"]]
    out += ["%s: CSP violation: %s blocked %s (line %s)" % (name, c["directive"], c["blockedURI"], c["line"])
            for c in r["csp"]]
    if not r["csp"]:  # browsers without the Audits domain: fall back on the page-visible events
        out += ["%s: CSP violation: %s blocked %s (line %s)" % (name, c.get("directive"), c.get("blockedURI"),
                                                               c.get("line")) for c in r["cspEvents"]]
    out += ["%s: request: %s" % (name, q["url"]) for q in r["requests"]]
    out += ["%s: click %s: %s" % (name, s["after"][6:], s["clickError"]) for s in r["snapshots"] if "clickError" in s]
    return out


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="pagecheck.py",
        description="Open a local HTML file in headless Chromium and print what happened as JSON.",
        epilog="Exit: 0 ran (clean, with --strict); 1 --strict and problems found; 2 usage error or the check "
               "failed (timeout, crash, missing file); 3 no browser. Browser: --browser, $PAGECHECK_BROWSER, "
               "else the first of: " + ", ".join(BROWSER_CANDIDATES))
    ap.add_argument("file", help="the HTML file to open (a local path)")
    ap.add_argument("--select", action="append", default=[], metavar="CSS",
                    help="report count and whitespace-collapsed text of each element matching CSS (repeatable)")
    ap.add_argument("--eval", action="append", default=[], metavar="JS",
                    help="report the JSON value of a JavaScript expression, evaluated by DevTools even when "
                         "the page's scripts are disabled (repeatable)")
    ap.add_argument("--html", dest="html", action="store_true", default=None,
                    help="include the full serialized DOM (default: only when no --select/--eval)")
    ap.add_argument("--no-html", dest="html", action="store_false", help="never include the full DOM")
    ap.add_argument("--click", action="append", default=[], metavar="CSS",
                    help="after load, mouse-click the first element matching CSS and snapshot again (repeatable, in order)")
    ap.add_argument("--no-js", action="store_true",
                    help="also run the same steps in a fresh context with JavaScript disabled (key 'nojs')")
    ap.add_argument("--only-no-js", action="store_true", help="run only the JavaScript-disabled pass")
    ap.add_argument("--screenshot", metavar="PNG", help="full-page PNG after load (JavaScript pass)")
    ap.add_argument("--screenshot-no-js", metavar="PNG", help="full-page PNG after load of the no-JS pass")
    ap.add_argument("--width", type=int, default=1280, help="viewport width in CSS px (default 1280)")
    ap.add_argument("--height", type=int, default=800, help="viewport height in CSS px (default 800)")
    ap.add_argument("--settle", type=int, default=150, metavar="MS",
                    help="wait after load and after each click before snapshotting (default 150 ms)")
    ap.add_argument("--timeout", type=float, default=60, metavar="S", help="limit for the whole run (default 60 s)")
    ap.add_argument("--load-timeout", type=float, default=20, metavar="S", help="limit for page load (default 20 s)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when 'problems' is not empty")
    ap.add_argument("--browser", default=os.environ.get("PAGECHECK_BROWSER"), help="Chromium binary to use")
    ap.add_argument("--browser-arg", action="append", default=[], metavar="ARG", help="extra browser flag (repeatable)")
    ap.add_argument("--transport", choices=("pipe", "ws"), default="pipe",
                    help="DevTools connection: pipe (default) or ws (--remote-debugging-port=0)")
    ap.add_argument("--pretty", action="store_true", help="indent the JSON")
    return ap.parse_args(argv)


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    out = {"pagecheck": 1}
    browser = None
    code = EXIT_OK

    def on_signal(signum, frame):
        raise PageCheckError("interrupted by signal %d" % signum)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    # Hard backstop: if anything blocks past the deadline (+10 s), SIGALRM unwinds and the finally kills the browser.
    def on_alarm(signum, frame):
        raise Timeout("hard timeout (--timeout + 10 s)")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(opts.timeout) + 10)
    try:
        path = Path(opts.file).resolve()
        if not path.is_file():
            raise PageCheckError("no such file: %s" % opts.file)
        url = path.as_uri()
        out.update({"file": str(path), "url": url})
        exe = find_browser(opts.browser)
        deadline = Deadline(opts.timeout)
        t0 = time.monotonic()
        browser = Browser(exe, opts.transport, deadline, min(30.0, opts.timeout), opts.browser_arg)
        browser.start()
        out["browser"] = {"path": exe, "version": browser.version}
        problems = []
        if not opts.only_no_js:
            out["js"] = run_pass(browser, url, opts, True, opts.screenshot)
            problems += problems_of("js", out["js"])
        if opts.no_js or opts.only_no_js:
            out["nojs"] = run_pass(browser, url, opts, False, opts.screenshot_no_js)
            problems += problems_of("nojs", out["nojs"])
        out["problems"] = problems
        out["ok"] = not problems
        out["seconds"] = round(time.monotonic() - t0, 3)
        if opts.strict and problems:
            code = EXIT_PROBLEMS
    except PageCheckError as e:
        code = e.code
        out.update({"ok": False, "error": str(e), "exit": code})
        print("pagecheck: %s" % e, file=sys.stderr)
    finally:
        signal.alarm(0)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # let the cleanup below finish
        if browser:
            browser.close()
    try:
        json.dump(out, sys.stdout, indent=2 if opts.pretty else None)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":
    sys.exit(main())
