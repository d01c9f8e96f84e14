import Foundation

/// Golden files under `fixtures/expected/`, re-recorded only on purpose with `KFPM_RECORD=1` (Scripts/record-goldens.sh).
public enum Golden {
    /// Compares `actual` with the golden file; returns a description of the difference, or nil when equal.
    /// With `KFPM_RECORD=1` it writes the file instead and returns nil.
    public static func mismatch(_ actual: String, file name: String) -> String? {
        let url = Fixtures.root.appendingPathComponent("expected").appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["KFPM_RECORD"] == "1" {
            try? FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Data(actual.utf8).write(to: url)
            return nil
        }
        guard let data = try? Data(contentsOf: url) else {
            return "no golden file fixtures/expected/\(name); record it with Scripts/record-goldens.sh"
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected == actual { return nil }
        let a = expected.components(separatedBy: "\n")
        let b = actual.components(separatedBy: "\n")
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        let want = line < a.count ? a[line] : "(end)"
        let got = line < b.count ? b[line] : "(end)"
        return "fixtures/expected/\(name) differs at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)"
    }
}
