/// The page around a rendered HTML document: a Content-Security-Policy that lets nothing load and runs only the
/// page's own style sheet and script (each allowed by its SHA-256, computed here), the style sheet (light and dark
/// schemes, print), and the script that sorts tables by a click on a column and filters runs by name or label.
/// The page is whole without the script.
enum HTMLPage {
    /// A complete page: the CSP first in `<head>`, then the rest.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <meta name="generator" content="kfpm">
        <title>\(XMLText.escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        <script>\(script)</script>
        </body>
        </html>

        """
    }

    // MARK: - Content-Security-Policy

    /// Nothing loads (`default-src 'none'` covers images, fonts, frames and requests, `data:` URLs included); the one
    /// `<style>` and the one `<script>` run because their hashes are listed, and nothing else does: no other inline
    /// script, no `style` or event-handler attribute. Neither `<base>` nor a form may send the reader elsewhere.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'sha256-\(SHA256.base64Digest(of: style))'; "
        + "script-src 'sha256-\(SHA256.base64Digest(of: script))'; base-uri 'none'; form-action 'none'"

    // MARK: - Style

    /// The style sheet. Bars are cell backgrounds: `w37` draws 37% of the cell's width along its bottom edge.
    static let style: String = {
        let bars = (0...100).map { ".w\($0){--w:\($0)%}" }.joined()
        return #"""

            :root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;--bar:#54aeff;--pt:#0969da;--good:#1a7f37;--bad:#cf222e;--caution:#9a6700}
            @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--head:#151b23;--bar:#1f6feb;--pt:#58a6ff;--good:#3fb950;--bad:#f85149;--caution:#d29922}}
            body{margin:0 auto;padding:1.5rem;max-width:84rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
            h1{font-size:1.35rem;margin:0 0 1rem}
            h2{font-size:1.1rem;margin:2rem 0 .5rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 1rem}
            dt{color:var(--muted)}
            dd{margin:0}
            code{font:.92em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            .scroll{overflow-x:auto;margin:.5rem 0 1rem}
            table{border-collapse:collapse;font-variant-numeric:tabular-nums}
            th,td{padding:.25rem .6rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap;vertical-align:top}
            thead th{background:var(--head);font-weight:600}
            tbody th{font-weight:500}
            th[scope=row],th:not(.n),.t{text-align:left}
            td.t{white-space:normal;min-width:6rem}
            time{white-space:nowrap}
            th button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:inherit}
            th[aria-sort=ascending] button::after{content:" ▲"}
            th[aria-sort=descending] button::after{content:" ▼"}
            td[class^=w],td[class*=" w"]{background:linear-gradient(var(--bar),var(--bar)) no-repeat left bottom/var(--w) 3px}
            .na{color:var(--muted)}
            .good{color:var(--good)}
            .bad{color:var(--bad);font-weight:600}
            .caution{color:var(--caution);font-weight:600}
            .verdict{border-left:4px solid;padding:.4rem .8rem;font-weight:600}
            .filter{display:flex;gap:.6rem;align-items:center;margin:.5rem 0}
            .filter input{font:inherit;padding:.2rem .4rem;min-width:16rem;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:4px}
            .filter span{color:var(--muted)}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(24rem,1fr));gap:1.2rem 2rem;margin:.5rem 0}
            figure{margin:0}
            figcaption{color:var(--muted);font-size:.92em}
            figcaption strong{color:var(--fg)}
            svg.chart{display:block;width:100%;height:auto}
            .chart text{font-size:11px;fill:var(--muted)}
            .chart .yt{text-anchor:end;dominant-baseline:middle}
            .chart .xt,.chart .bl,.chart .empty{text-anchor:middle}
            .chart .s{text-anchor:start}
            .chart .e{text-anchor:end}
            .chart .grid{fill:none;stroke:var(--line)}
            .chart .axis{fill:none;stroke:var(--muted)}
            .chart .line{fill:none;stroke:var(--pt);stroke-width:1.5;stroke-linejoin:round}
            .pts path{fill:none;stroke:var(--pt);stroke-width:6;stroke-linecap:round}
            .pts .best{stroke:var(--good);stroke-width:11}
            .chart .bl{fill:var(--good);font-weight:600}
            @media print{
            :root{color-scheme:light;--fg:#000;--bg:#fff;--muted:#444;--line:#bbb;--head:#eee;--bar:#7ab8f5;--pt:#0b5cad;--good:#116329;--bad:#a40e26;--caution:#7d4e00}
            @page{margin:12mm}
            @page wide{size:landscape}
            body{max-width:none;padding:0;font-size:9pt}
            .scroll{overflow:visible}
            table{width:100%}
            th,td{white-space:normal;overflow-wrap:anywhere;padding:1px 4px}
            .wide{page:wide;font-size:7pt}
            .wide th,.wide td{padding:1px 2px}
            thead{display:table-header-group}
            tr,figure,.verdict{break-inside:avoid}
            h2{break-after:avoid}
            .filter{display:none}
            th button::after{content:none}
            .charts{grid-template-columns:1fr 1fr}
            *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
            }

            """# + bars + "\n"
    }()

    // MARK: - Script

    /// Sorting (a click on a column header: ascending, then descending; numeric columns by the numbers shown,
    /// missing values last) and the filter box over a grid of runs (every word must appear in the run's name or
    /// labels). It adds its controls itself, so that a page without scripts shows none that do nothing.
    static let script = #"""

        (function () {
          'use strict';
          var each = function (list, f) { Array.prototype.forEach.call(list, f); };
          var collator = new Intl.Collator(undefined, { numeric: true });
          // A cell's sort key: in a numeric column the number it shows (91.340%, +2.000pp, 1.000e-05), else its
          // text; null when missing, which sorts last either way.
          function key(cell, numeric) {
            if (!cell || cell.classList.contains('na')) return null;
            var text = cell.textContent.trim();
            if (!numeric) return text;
            var value = parseFloat(text);
            return isNaN(value) ? null : value;
          }
          function sort(table, th, column) {
            var ascending = th.getAttribute('aria-sort') !== 'ascending';
            var numeric = th.classList.contains('n');
            var body = table.tBodies[0];
            var rows = Array.prototype.map.call(body.rows, function (row, i) {
              return { row: row, i: i, k: key(row.cells[column], numeric) };
            });
            rows.sort(function (a, b) {
              if (a.k === null || b.k === null) return (a.k === null) - (b.k === null) || a.i - b.i;
              var c = numeric ? a.k - b.k : collator.compare(a.k, b.k);
              return (ascending ? c : -c) || a.i - b.i;
            });
            rows.forEach(function (r) { body.appendChild(r.row); });
            each(th.parentNode.cells, function (h) { h.removeAttribute('aria-sort'); });
            th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
          }
          function addFilter(table) {
            var rows = table.tBodies[0].rows;
            var label = document.createElement('label');
            var input = document.createElement('input');
            var count = document.createElement('span');
            label.className = 'filter';
            input.type = 'search';
            input.placeholder = 'run name or label';
            label.append('Filter', input, count);
            table.parentNode.parentNode.insertBefore(label, table.parentNode);
            function apply() {
              var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
              var shown = 0;
              each(rows, function (row) {
                var header = row.querySelector('th');
                var text = ((header ? header.textContent : '') + ' ' + (row.getAttribute('data-k') || '')).toLowerCase();
                row.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
                if (!row.hidden) shown += 1;
              });
              count.textContent = shown + ' of ' + rows.length + ' shown';
            }
            input.addEventListener('input', apply);
            apply();
          }
          each(document.querySelectorAll('table.grid'), function (table) {
            each(table.tHead.rows[0].cells, function (th, column) {
              var button = document.createElement('button');
              button.type = 'button';
              while (th.firstChild) button.appendChild(th.firstChild);
              th.appendChild(button);
              th.addEventListener('click', function () { sort(table, th, column); });
            });
            if (table.hasAttribute('data-filter')) addFilter(table);
          });
        })();

        """#
}
