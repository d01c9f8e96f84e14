/// Where a store says what a user waiting on it should know (such as waiting for an import to finish). The
/// executable points it at stderr once, at start; the library writes nothing anywhere by itself.
package enum StoreNotices {
    nonisolated(unsafe) private static var sink: (@Sendable (String) -> Void)?

    /// Sets where notices go; call once, before any store is opened.
    package static func send(to sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    /// Says something to whoever listens.
    static func post(_ notice: String) { sink?(notice) }
}
