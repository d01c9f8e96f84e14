import Foundation
import Testing

@testable import KFPModel

/// The text functions that stand in for Foundation's in the shipped binary, held to Foundation's results.
struct TextTests {
    /// Random text from scripts with compositions (Latin, Greek, Devanagari, Hebrew, Tibetan), combining marks
    /// in every order, Hangul syllables and conjoining jamo, and compatibility ideographs (singletons).
    @Test func nfcIsFoundationsNFC() {
        var random = SeededRandom(seed: 20261201)
        let blocks: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0xC0...0x24F, 0x300...0x36F, 0x370...0x3FF, 0x1E00...0x1FFF, 0x0900...0x097F, 0x0590...0x05FF,
            0x0F00...0x0FFF, 0x1100...0x11FF, 0xAC00...0xD7A3, 0x3040...0x30FF, 0xF900...0xFAFF, 0x2F800...0x2FA1D,
            0x1D15E...0x1D164, 0x0340...0x0345, 0x1F00...0x1F0F,
        ]
        var mismatches: [String] = []
        for _ in 0..<100_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let block = blocks[Int.random(in: 0..<blocks.count, using: &random)]
                if let scalar = Unicode.Scalar(UInt32.random(in: block, using: &random)) { scalars.append(scalar) }
            }
            let text = String(scalars)
            // Foundation on Linux composes Hangul jamo wrongly (see below): Hangul is checked there instead.
            if text.unicodeScalars.contains(where: Self.isHangul) { continue }
            let expected = text.precomposedStringWithCanonicalMapping
            if Array(text.nfc.unicodeScalars) != Array(expected.unicodeScalars) {
                mismatches.append(text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) strings differ, e.g. \(mismatches.prefix(3))")
    }

    /// Hangul, where Foundation on Linux is wrong: it leaves an LV syllable and a trailing jamo apart, and
    /// composes an archaic vowel jamo that has no composition. The expected values are Python's
    /// `unicodedata.normalize("NFC", …)`, which follows the standard's arithmetic (Unicode §3.12).
    @Test func hangulComposesAsTheStandardSays() {
        #expect("\u{C694}\u{11AA}".nfc.unicodeScalars.map(\.value) == [0xC697])  // LV + T → LVT
        #expect("\u{C697}\u{11AA}".nfc.unicodeScalars.map(\.value) == [0xC697, 0x11AA])  // LVT + T stays apart
        #expect("\u{1112}\u{1161}\u{11AB}".nfc.unicodeScalars.map(\.value) == [0xD55C])  // L V T → one syllable
        #expect("\u{1103}\u{1176}".nfc.unicodeScalars.map(\.value) == [0x1103, 0x1176])  // archaic V: no syllable
        #expect("e\u{301}".nfc == "\u{E9}")
    }

    /// A Hangul jamo or syllable.
    private static func isHangul(_ scalar: Unicode.Scalar) -> Bool {
        (0x1100...0x11FF).contains(scalar.value) || (0xAC00...0xD7A3).contains(scalar.value)
    }

    @Test func findingAndReplacing() {
        #expect("a!=b".firstByteRange(of: "!=").map { "a!=b"[$0] } == "!=")
        #expect("abc".firstByteRange(of: "x") == nil)
        #expect("a\\b\"c".replacingBytes(of: "\\", with: "\\\\").replacingBytes(of: "\"", with: "\\\"") == "a\\\\b\\\"c")
        #expect("aaa".replacingBytes(of: "aa", with: "b") == "ba")
        #expect("x\r\ny\nz".replacingBytes(of: "\r\n", with: " ").replacingBytes(of: "\n", with: " ") == "x y z")
        #expect("pässwörd=pässwörd".replacingBytes(of: "pässwörd", with: "****") == "****=****")
        #expect(" \t a b \n".trimmingWhitespace() == "a b")
        for text in ["a%b\r\nc,d:e", "", "%%", "é|\\"] {
            #expect(text.replacingBytes(of: "%", with: "%25") == text.replacingOccurrences(of: "%", with: "%25"))
        }
    }

    @Test func pathParts() {
        let cases = ["a/b.db", "/b.db", "b.db", "a/b/", "/", "//x", "a//b", "./x", "../x/y"]
        for path in cases {
            let expectedFolder = (path as NSString).deletingLastPathComponent
            #expect(PathText.folder(of: path) == (expectedFolder.isEmpty ? "." : expectedFolder), "\(path)")
        }
        #expect(PathText.lastComponent(of: "a/b.db") == "b.db")
        #expect(PathText.lastComponent(of: "b.db") == "b.db")
        #expect(PathText.lastComponent(of: "a/b/") == "b")
    }
}

/// SplitMix64: the same random text on every run.
private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
