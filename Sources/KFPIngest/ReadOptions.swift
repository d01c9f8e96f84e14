import KFPModel

/// Options that change how inputs are read and checked.
package struct ReadOptions: Sendable {
    /// Read every input as this format instead of detecting it.
    package var inputFormat: InputFormat?
    /// Accept NaN and ±Infinity values (bare tokens or strings) instead of rejecting them.
    package var allowNonFinite: Bool
    /// Apply KFP's own rules exactly: more than 50 metrics in a v1 file, and non-finite values, are errors.
    package var kfpRules: Bool
    /// Size and depth caps for hostile input.
    package var limits: InputLimits

    package init(
        inputFormat: InputFormat? = nil, allowNonFinite: Bool = false, kfpRules: Bool = false,
        limits: InputLimits = InputLimits()
    ) {
        self.inputFormat = inputFormat
        self.allowNonFinite = allowNonFinite
        self.kfpRules = kfpRules
        self.limits = limits
    }
}

/// Caps on input size, so that a hostile or mistaken input fails clearly instead of exhausting the machine.
///
/// The defaults are far above real metrics files (a KFP v1 file holds at most 50 metrics; a KFP v2 executor
/// output with a 1,000-class confusion matrix is a few MB) and keep memory bounded: reading and storing take
/// about 115 bytes per metric, the file's own bytes included (a 30.8 MB KFP v2 file of 805,000 metrics peaks
/// at 105 MB), so 32 MiB of dense metrics needs about 120 MB. Each is raised with its flag.
package struct InputLimits: Sendable {
    /// The largest input file read, in bytes (`--max-file-bytes`, default 32 MiB).
    package var maxFileBytes: Int = 32 << 20
    /// The largest decompressed size of an archive, in bytes (`--max-decompressed-bytes`, default 32 MiB).
    package var maxDecompressedBytes: Int = 32 << 20
    /// The deepest nesting of JSON arrays and objects.
    package var maxDepth: Int = JSONParser.defaultMaxDepth

    package init() {}
}

/// KFP's limits and rules for v1 metrics, as KFP's backend applies them.
package enum KFPRules {
    /// KFP's persistence agent keeps at most this many metrics per run and drops the rest silently.
    package static let maxMetricsPerRun = 50
    /// KFP rejects a file with a name longer than this many characters.
    package static let maxNameLength = 64

    /// `^[a-zA-Z]([-_a-zA-Z0-9]{0,62}[a-zA-Z0-9])?$`, checked without a regex engine.
    package static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, bytes.count <= maxNameLength, isLetter(first) else { return false }
        guard bytes.count > 1, let last = bytes.last else { return true }
        guard isLetter(last) || isDigit(last) else { return false }
        return bytes.dropFirst().dropLast().allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// The name pattern as KFP writes it, for messages.
    package static let namePattern = "^[a-zA-Z]([-_a-zA-Z0-9]{0,62}[a-zA-Z0-9])?$"

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}
