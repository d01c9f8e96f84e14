/// Turns byte offsets into 1-based line:column (columns count Unicode scalars, as editors do).
///
/// A class that finds line starts only when first asked, so that reading a file costs nothing for positions
/// until a problem needs one. Built and used on one thread at a time.
package final class LineIndex: @unchecked Sendable {
    private let bytes: [UInt8]
    private var lineStarts: [Int]?

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func starts() -> [Int] {
        if let lineStarts { return lineStarts }
        var starts = [0]
        for (i, byte) in bytes.enumerated() where byte == 0x0A { starts.append(i + 1) }
        lineStarts = starts
        return starts
    }

    /// The line and column of a byte offset.
    package func position(of offset: Int) -> (line: Int, column: Int) {
        let lineStarts = starts()
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        let lineStart = lineStarts[low]
        let stop = min(offset, bytes.count)
        var column = 1
        var i = lineStart
        while i < stop {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (low + 1, column)
    }
}
