import Foundation
import KFPMTestSupport
import Testing

/// Every golden HTML page, and pages `kfpm report` writes, opened in a real headless Chromium
/// (`Scripts/browser/pagecheck.py`): no console error, exception, CSP violation or request; after the scripts ran
/// the DOM holds the rows, chart points and verdicts of the file; a click on a column sorts it; with scripts off the
/// page is whole and only sorting and filtering are gone. A screenshot of each page goes to
/// `.build/test-screenshots/`. Skipped, saying why, without a browser; failed instead under KFPM_REQUIRE_BROWSER=1.
@Suite(.enabled(if: PageCheck.shouldRun, Comment(rawValue: PageCheck.skipReason)))
struct BrowserTests {
    /// The golden pages under fixtures/expected/.
    static let goldens = Fixtures.files(under: "expected").filter { $0.hasSuffix(".html") }.map { ($0 as NSString).lastPathComponent }

    /// Evaluated at every snapshot: the first numeric column's sort state, its cells' text, whether the script
    /// turned its header into a button, and the filter box's presence.
    static let firstNumericColumn = """
        (function () {
          var th = document.querySelector('table.grid th.n');
          if (!th) return null;
          var column = Array.prototype.indexOf.call(th.parentNode.cells, th);
          return {
            sort: th.getAttribute('aria-sort'), button: !!th.querySelector('button'),
            filter: !!document.querySelector('.filter input'),
            cells: Array.prototype.map.call(th.closest('table').tBodies[0].rows, function (row) {
              return row.cells[column].textContent.trim();
            })
          };
        })()
        """

    // MARK: - Reading pagecheck's JSON

    /// One pass (`js` or `nojs`) of a result.
    private func pass(_ result: [String: Any], _ name: String) throws -> [String: Any] {
        try #require(result[name] as? [String: Any], "no \(name) pass in \(result)")
    }

    /// The snapshots of a pass: after load, then after each click.
    private func snapshots(_ pass: [String: Any]) throws -> [[String: Any]] {
        try #require(pass["snapshots"] as? [[String: Any]])
    }

    /// How many elements a `--select` selector matched in a snapshot.
    private func count(_ snapshot: [String: Any], _ selector: String) -> Int? {
        ((snapshot["select"] as? [String: Any])?[selector] as? [String: Any])?["count"] as? Int
    }

    /// The texts a `--select` selector matched in a snapshot.
    private func texts(_ snapshot: [String: Any], _ selector: String) -> [String] {
        ((snapshot["select"] as? [String: Any])?[selector] as? [String: Any])?["text"] as? [String] ?? []
    }

    /// The value of an `--eval` expression in a snapshot.
    private func evaluated(_ snapshot: [String: Any], _ expression: String) -> [String: Any]? {
        (snapshot["eval"] as? [String: Any])?[expression] as? [String: Any]
    }

    /// The number a cell shows, read the way the page's script reads it (JavaScript's parseFloat); nil for a
    /// missing value or NaN, which the script sorts last.
    private func leadingNumber(_ text: String) -> Double? {
        var prefix = Substring(text)
        while !prefix.isEmpty {
            if let value = Double(prefix) { return value.isNaN ? nil : value }
            prefix = prefix.dropLast()
        }
        return nil
    }

    /// Whether numbers come in order (ascending or descending), missing values after all the others.
    private func isSorted(_ cells: [String], ascending: Bool) -> Bool {
        let values = cells.map(leadingNumber)
        let present = values.prefix { $0 != nil }.compactMap { $0 }
        guard values.dropFirst(present.count).allSatisfy({ $0 == nil }) else { return false }
        return zip(present, present.dropFirst()).allSatisfy { ascending ? $0 <= $1 : $0 >= $1 }
    }

    /// Occurrences of a string in a text.
    private func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    // MARK: - Golden pages

    @Test(arguments: goldens)
    func goldenPageRendersCleanAndSorts(_ name: String) throws {
        let path = Fixtures.path("expected/" + name)
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let screenshot = PageCheck.screenshots.appendingPathComponent((name as NSString).deletingPathExtension + ".png").path
        let verdicts = ".verdict, td.good, td.bad, td.caution"
        let result = try PageCheck.run(
            path,
            [
                "--strict", "--no-js", "--select", "tbody tr", "--select", ".pts path", "--select", verdicts,
                "--click", "table.grid th.n", "--click", "table.grid th.n", "--eval", Self.firstNumericColumn,
                "--screenshot", screenshot, "--width", "1024",
            ])
        #expect(result["problems"] as? [String] == [], "\(name): \(result["problems"] ?? result)")

        // What the file holds, counted in its text.
        let rows = occurrences("\n<tr", in: source)
        let points = occurrences("<path d=\"M", in: source) + occurrences("<path class=\"best\"", in: source)
        let verdictCount = occurrences("<p class=\"verdict", in: source) + occurrences("<td class=\"t good\"", in: source)
            + occurrences("<td class=\"t bad\"", in: source) + occurrences("<td class=\"t caution\"", in: source)
        #expect(rows > 0)

        let js = try snapshots(try pass(result, "js"))
        try #require(js.count == 3)
        for snapshot in js {
            #expect(count(snapshot, "tbody tr") == rows, "\(name)")
            #expect(count(snapshot, ".pts path") == points, "\(name)")
            #expect(count(snapshot, verdicts) == verdictCount, "\(name)")
        }
        let loaded = try #require(evaluated(js[0], Self.firstNumericColumn), "\(name): no numeric column")
        #expect(loaded["button"] as? Bool == true && loaded["sort"] is NSNull)
        let ascending = try #require(evaluated(js[1], Self.firstNumericColumn))
        #expect(ascending["sort"] as? String == "ascending")
        #expect(isSorted(ascending["cells"] as? [String] ?? [], ascending: true), "\(name): \(ascending)")
        let descending = try #require(evaluated(js[2], Self.firstNumericColumn))
        #expect(descending["sort"] as? String == "descending")
        #expect(isSorted(descending["cells"] as? [String] ?? [], ascending: false), "\(name): \(descending)")

        // Scripts off: the same page, and clicks change nothing.
        let nojs = try snapshots(try pass(result, "nojs"))
        for snapshot in nojs {
            #expect(count(snapshot, "tbody tr") == rows && count(snapshot, ".pts path") == points, "\(name)")
            let column = evaluated(snapshot, Self.firstNumericColumn)
            #expect(column?["button"] as? Bool == false && column?["filter"] as? Bool == false)
            #expect(column?["cells"] as? [String] == loaded["cells"] as? [String], "\(name): no sorting without scripts")
        }
        let shot = try #require(try pass(result, "js")["screenshot"] as? [String: Any])
        #expect(shot["width"] as? Int == 1024)
    }

    /// The README's page: clicking a metric's column reorders the runs, the filter narrows them by label, and the
    /// charts show the best runs and the gaps.
    @Test func reportPageSortsFiltersAndMarksTheBest() throws {
        let filter = """
            (function () {
              var input = document.querySelector('.filter input');
              input.value = 'MAIN run-1';
              input.dispatchEvent(new Event('input'));
              return Array.prototype.map.call(document.querySelectorAll('table[data-filter] tbody tr:not([hidden]) th'),
                function (th) { return th.textContent; }).join(' ') + ' | ' + document.querySelector('.filter span').textContent;
            })()
            """
        let runsColumn = "table[data-filter] th:nth-child(4)"
        let runNames = "table[data-filter] tbody th"
        let result = try PageCheck.run(
            Fixtures.path("expected/report-trend.html"),
            ["--strict", "--select", runNames, "--select", ".pts .best", "--select", runsColumn, "--click", runsColumn])
        #expect(result["problems"] as? [String] == [])
        let js = try snapshots(try pass(result, "js"))
        try #require(js.count == 2)
        #expect(texts(js[0], runNames).prefix(3) == ["run-15", "run-14", "run-13"], "newest first")
        #expect(texts(js[0], runsColumn) == ["latency-ms"])
        #expect(texts(js[1], runNames).prefix(3) == ["run-0", "run-5", "run-3"], "lowest latency first")
        #expect(texts(js[0], ".pts .best") == ["run-0 40.000 branch=main best", "run-15 0.257 branch=main best", "run-14 90.600% branch=feature best"])

        let filtered = try PageCheck.run(Fixtures.path("expected/report-trend.html"), ["--strict", "--eval", filter])
        let value = try snapshots(try pass(filtered, "js")).first.flatMap { ($0["eval"] as? [String: Any])?[filter] as? String }
        #expect(value == "run-15 run-12 | 2 of 16 shown", "every word must match the run's name or labels")
    }

    // MARK: - Hostile names

    /// A page of runs, labels and metrics named like markup: nothing runs, nothing loads, and the names read as
    /// text.
    @Test func hostileNamesAreInertText() throws {
        try withTemporaryFolder { folder in
            try folder.write(#"{"<img src=x onerror=alert(1)>": 1, "acc": 0.5}"#, to: "m.json")
            let hostile = #"<script>document.title="pwned"</script>"#
            for run in [hostile, "run-2"] {
                let ingest = try KFPMBinary.run(
                    ["ingest", run, "m.json", "--label", "note=<b onmouseover=alert(2)>x</b>"], in: folder.path)
                #expect(ingest.status == 0, "\(ingest.stderr)")
            }
            let report = try KFPMBinary.run(
                ["report", "--labels", "--compare", hostile, "run-2", "-o", "page.html"], in: folder.path)
            #expect(report.status == 0, "\(report.stderr)")
            let result = try PageCheck.run(
                folder.file("page.html"),
                ["--strict", "--no-js", "--eval", "document.title", "--select", "tbody th", "--select", "img, b, main script"])
            #expect(result["problems"] as? [String] == [], "\(result["problems"] ?? "")")
            for name in ["js", "nojs"] {
                let snapshot = try #require(try snapshots(try pass(result, name)).first)
                #expect((snapshot["eval"] as? [String: Any])?["document.title"] as? String == "kfpm report · experiment Default")
                #expect(count(snapshot, "img, b, main script") == 0, "no element made from a name")
                #expect(texts(snapshot, "tbody th").contains(hostile))
                #expect(texts(snapshot, "tbody th").contains("<img src=x onerror=alert(1)>"))
            }
        }
    }
}
