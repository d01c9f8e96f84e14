#!/usr/bin/env bash
# Self-test of Scripts/browser/pagecheck.py: builds sample pages in a temp folder and checks what
# pagecheck reports about them in a real headless Chromium. Needs python3 and a Chromium
# (Debian: apt-get install -y --no-install-recommends chromium-headless-shell).
# Exit: 0 all checks passed; 1 a check failed; 3 no browser installed.
#
# CSP facts this relies on (checked with Chromium 156, Debian chromium-headless-shell), for kfpm:
# - One inline <script> is allowed by script-src 'sha256-B64', B64 = base64(SHA-256(the exact UTF-8
#   text between <script> and </script>)), newlines and spaces included; change a byte and it is blocked.
#   A hash allows every inline script with that same text, and nothing else: no onclick="..." (needs
#   'unsafe-hashes'), no javascript: URLs. Attach handlers with addEventListener inside the script.
# - Inline style: style-src 'unsafe-inline' allows <style> elements AND style="..." attributes.
#   style-src 'sha256-...' allows only the <style> element with that text; style="..." attributes
#   (HTML or SVG) and el.setAttribute('style', ...) are then blocked (directive style-src-attr) unless
#   'unsafe-hashes' plus a hash of each attribute value is listed. Setting el.style.prop = ... from an
#   allowed script (CSSOM) is NOT blocked, and SVG presentation attributes (fill="red", stroke=...) are
#   not styles, so they are never blocked.
# - Listing a hash (or nonce) next to 'unsafe-inline' makes the browser IGNORE 'unsafe-inline': with
#   style-src 'unsafe-inline' 'sha256-...' style attributes are blocked again. CSP3 split that works:
#   style-src-elem 'sha256-...'; style-src-attr 'unsafe-inline'.
# - The <meta http-equiv="Content-Security-Policy"> applies only to what comes after it: put it first
#   in <head>. default-src 'none' also blocks data: images/fonts and <link rel=icon href="data:...">.
# - What Chromium logs for a violation (console error, source "security"; the wording changed over
#   versions, older ones said "Refused to execute inline script because it violates..."), e.g.:
#     Executing inline script violates the following Content Security Policy directive
#     'script-src 'sha256-...''. Either the 'unsafe-inline' keyword, a hash ('sha256-<hash of the
#     blocked script>'), or a nonce ('nonce-...') is required to enable inline execution. The action
#     has been blocked.
#     Applying inline style violates the following Content Security Policy directive ...
#     Loading the image 'http://example.com/x.png' violates the following Content Security Policy
#     directive: "default-src 'none'". Note that 'img-src' was not explicitly set, so 'default-src'
#     is used as a fallback. The action has been blocked.
#   So match on "violates the following Content Security Policy directive", or better use
#   pagecheck's structured "csp" list (DevTools issues; directive is e.g. script-src-elem,
#   style-src-attr, img-src). The message names the hash of the blocked script: handy when a hash is stale.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pagecheck=(python3 "$here/pagecheck.py")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"  # pagecheck's browser profiles go here too, so leftover processes can be found

# ---- sample pages --------------------------------------------------------------------------------
python3 - "$tmp" <<'PY'
import base64, hashlib, sys
d = sys.argv[1]
def sha256(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
script = """
(function () {
  var table = document.getElementById('t'), body = table.tBodies[0];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener('click', function () {
      var desc = th.getAttribute('aria-sort') === 'ascending';
      var numeric = th.hasAttribute('data-numeric');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return desc ? -c : c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
    });
  });
})();
"""
head = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src %s">
<title>%s</title>
<style>body{font-family:sans-serif;margin:2em} th{cursor:pointer;text-align:left} td,th{padding:2px 8px}</style>
</head>"""
table = """<table id="t"><thead><tr><th>name</th><th data-numeric>count</th></tr></thead><tbody>
<tr><td>zeta</td><td>3</td></tr><tr><td>alpha</td><td>10</td></tr><tr><td>mid</td><td>2</td></tr>
</tbody></table>"""
svg = """<svg width="240" height="80" viewBox="0 0 240 80" role="img" aria-label="chart">
<polyline points="20,60 120,20 220,40" fill="none" stroke="#36c" stroke-width="2"/>
<circle cx="20" cy="60" r="4" fill="#36c"/><circle cx="120" cy="20" r="4" fill="#36c"/><circle cx="220" cy="40" r="4" fill="#36c"/>
</svg>"""
good = (head % (sha256(script), "good") + "<body><h1>Sample report</h1>\n" + svg + "\n" + table +
        "\n<script>" + script + "</script>\n</body></html>\n")
# Bad: the script changed after its hash was taken (one extra statement), and a remote image.
bad_script = script + "document.title = 'script ran';\n"
bad = (head % (sha256(script), "bad") + "<body><h1>Bad report</h1>\n" + table +
       '\n<img src="http://example.com/x.png" alt="remote">\n<script>' + bad_script + "</script>\n</body></html>\n")
# Leaky: no CSP at all; pagecheck itself must still see and stop every request.
leaky = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>leaky</title></head><body>
<img src="http://example.com/y.png"><script>fetch('https://example.org/api').catch(function () {});
console.error('boom'); undefinedFunction();</script></body></html>
"""
for name, text in (("good", good), ("bad", bad), ("leaky", leaky)):
    with open("%s/%s.html" % (d, name), "w", encoding="utf-8") as f:
        f.write(text)
with open(d + "/loop.html", "w") as f:
    f.write("<!DOCTYPE html><title>loop</title><script>for(;;){}</script>")
PY

# ---- runs ------------------------------------------------------------------------------------------
run() {  # run NAME EXPECTED_EXIT ARGS...: JSON to $tmp/NAME.json, exit code to $tmp/NAME.rc
    local name=$1 want=$2; shift 2
    "${pagecheck[@]}" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
    local rc=$?
    echo $rc >"$tmp/$name.rc"
    if [ $rc -eq 3 ]; then
        cat "$tmp/$name.err" >&2
        echo "selftest: no browser installed (pagecheck exit 3)" >&2
        exit 3
    fi
    [ $rc -eq "$want" ] || { echo "pagecheck $name: exit $rc, expected $want" >&2; cat "$tmp/$name.err" >&2; }
}
sel=(--select 'tbody tr > td:first-child' --select 'svg circle' --eval 'document.title')
run good 0 "$tmp/good.html" --strict --no-js "${sel[@]}" --click 'th:nth-child(1)' --click 'th:nth-child(2)' \
    --click 'th:nth-child(2)' --screenshot "$tmp/good.png" --width 800
run good_ws 0 "$tmp/good.html" --strict --transport ws "${sel[@]}" --click 'th:nth-child(1)'
run bad 1 "$tmp/bad.html" --strict --no-js "${sel[@]}" --click 'th:nth-child(1)'
run leaky 1 "$tmp/leaky.html" --strict
run loop 2 "$tmp/loop.html" --load-timeout 3 --timeout 20
run missing 2 "$tmp/no-such-file.html"
leftover=$(pgrep -f -- "$tmp/pagecheck-" | wc -l)

# ---- checks -----------------------------------------------------------------------------------------
python3 - "$tmp" "$leftover" <<'PY'
import json, sys
d, leftover = sys.argv[1], int(sys.argv[2])
J = {n: json.load(open("%s/%s.json" % (d, n))) for n in ("good", "good_ws", "bad", "leaky", "loop", "missing")}
rc = {n: int(open("%s/%s.rc" % (d, n)).read()) for n in J}
passed = failed = 0
def check(desc, cond):
    global passed, failed
    print(("ok   " if cond else "FAIL ") + desc)
    passed, failed = passed + bool(cond), failed + (not cond)
def col(snap):
    return snap["select"]["tbody tr > td:first-child"]["text"]

g = J["good"]
check("good: exit 0 with --strict, ok, no problems", rc["good"] == 0 and g.get("ok") is True and g.get("problems") == [])
for p in ("js", "nojs"):
    r = g.get(p, {})
    check("good/%s: no console messages, exceptions, CSP violations, requests" % p,
          r.get("console") == [] and r.get("exceptions") == [] and r.get("csp") == [] and
          r.get("cspEvents", []) == [] and r.get("requests") == [])
s = g["js"]["snapshots"]
check("good/js: rows in source order after load", col(s[0]) == ["zeta", "alpha", "mid"])
check("good/js: click on 'name' sorts by name", col(s[1]) == ["alpha", "mid", "zeta"])
check("good/js: click on 'count' sorts numerically", col(s[2]) == ["mid", "zeta", "alpha"])
check("good/js: second click on 'count' sorts descending", col(s[3]) == ["alpha", "zeta", "mid"])
check("good/js: 3 svg circles", s[0]["select"]["svg circle"]["count"] == 3)
n = g["nojs"]["snapshots"]
check("good/nojs: javascript off, table and chart render without it",
      g["nojs"]["javascript"] is False and col(n[0]) == ["zeta", "alpha", "mid"] and n[0]["select"]["svg circle"]["count"] == 3)
check("good/nojs: clicks do nothing without scripts", all(col(x) == ["zeta", "alpha", "mid"] for x in n))
shot = g["js"].get("screenshot", {})
png = open(shot.get("path", "/dev/null"), "rb").read(8) if shot else b""
check("good: screenshot is an 800 px wide PNG", png == b"\x89PNG\r\n\x1a\n" and shot.get("width") == 800)
check("good (ws transport): same result", rc["good_ws"] == 0 and col(J["good_ws"]["js"]["snapshots"][1]) == ["alpha", "mid", "zeta"])

b = J["bad"]
check("bad: exit 1 with --strict, not ok", rc["bad"] == 1 and b.get("ok") is False)
bj = b["js"]
check("bad/js: structured CSP violation for the inline script (script-src-elem, inline)",
      any(c["directive"] == "script-src-elem" and c["blockedURI"] == "inline" for c in bj["csp"]))
check("bad/js: structured CSP violation for the remote image (img-src)",
      any(c["directive"] == "img-src" and c["blockedURI"] == "http://example.com/x.png" for c in bj["csp"]))
check("bad/js: the page's own securitypolicyviolation events fired",
      {c["effectiveDirective"] for c in bj["cspEvents"]} >= {"script-src-elem", "img-src"})
check("bad/js: Chromium's console error names the CSP directive",
      any(c["level"] == "error" and "violates the following Content Security Policy directive" in c["text"]
          and "script" in c["text"] for c in bj["console"]))
check("bad/js: the image request is reported (blocked by CSP)",
      any(q["url"] == "http://example.com/x.png" and q.get("blockedReason") == "csp" for q in bj["requests"]))
check("bad/js: the blocked script did not run, so clicking does not sort",
      bj["snapshots"][0]["eval"]["document.title"] == "bad" and col(bj["snapshots"][1]) == ["zeta", "alpha", "mid"])
check("bad/nojs: image CSP violation and request seen with scripts off too",
      any(c["directive"] == "img-src" for c in b["nojs"]["csp"]) and
      any(q["url"] == "http://example.com/x.png" for q in b["nojs"]["requests"]))

l = J["leaky"]["js"]
check("leaky: requests not stopped by a CSP are caught and blocked by pagecheck",
      rc["leaky"] == 1 and {q["url"] for q in l["requests"]} == {"http://example.com/y.png", "https://example.org/api"}
      and all(q.get("blockedReason") == "inspector" for q in l["requests"]))
check("leaky: console.error and the uncaught exception are reported",
      any(c["text"] == "boom" and c["level"] == "error" for c in l["console"]) and
      any("undefinedFunction" in e["text"] for e in l["exceptions"]))
check("loop: a page that never loads fails with exit 2 and an error, not a hang",
      rc["loop"] == 2 and "load event" in J["loop"].get("error", ""))
check("missing file: exit 2 and an error", rc["missing"] == 2 and "no such file" in J["missing"].get("error", ""))
check("no browser processes left behind", leftover == 0)
print("selftest: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
