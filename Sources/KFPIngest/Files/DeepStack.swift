import Dispatch
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs recursive work over a nested document (parsing, reading and freeing a JSON tree up to `--max-depth`
/// levels deep) on a stack that is large enough for it, so that a deep input is read or refused but never
/// overflows the stack (`--max-depth 100000` crashed with SIGSEGV before).
enum DeepStack {
    /// Stack bytes one level of nesting may take over parse, read and free. A debug build measures about 2.6 KiB
    /// (an 8 MiB stack overflowed past 3,000 levels); optimised builds take less.
    static let bytesPerLevel = 4 << 10
    /// Room for everything around the recursion.
    static let margin = 1 << 20

    /// Runs `body`, which recurses at most `depth` levels: on this thread up to the default depth (512 levels
    /// take about 1.3 MiB of a debug build's stack), deeper on a thread with a stack of the size needed (reserved
    /// address space; only the pages touched are used).
    static func run<T: Sendable>(depth: Int, _ body: @escaping @Sendable () -> T) -> T {
        if depth <= JSONParser.defaultMaxDepth { return body() }
        let result = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        DetachedThread.start(stackBytes: stackBytes(forDepth: depth)) {
            result.value = body()
            done.signal()
        }
        done.wait()
        guard let value = result.value else { return body() }  // not reached: the thread always sets it
        return value
    }

    /// The stack given to work `depth` levels deep.
    static func stackBytes(forDepth depth: Int) -> Int { 2 * margin + max(0, depth) * bytesPerLevel }
}

/// A result handed from the worker thread to the waiting one; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
