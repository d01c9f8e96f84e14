import Dispatch
import FoundationEssentials

/// A queue of at most `capacity` items between one producer and one consumer; `cancel` wakes both for good.
package final class BoundedQueue<Item>: @unchecked Sendable {
    private let condition = Condition()
    private var items: [Item] = []
    private var cancelled = false
    private let capacity: Int

    package init(capacity: Int) { self.capacity = capacity }

    /// Adds an item, waiting while the queue is full; false once cancelled.
    package func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting while the queue is empty; nil once cancelled.
    package func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !cancelled { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    /// Wakes both sides for good: `put` returns false and `take` nil from now on.
    package func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Fixed slots that concurrent iterations fill, each its own index: no two threads touch one slot, and the
/// buffer is allocated once, so no access to it is ever exclusive to one thread.
final class Slots<Value>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    subscript(index: Int) -> Value? {
        get { buffer[index] }
        set { buffer[index] = newValue }
    }

    var values: [Value?] { Array(buffer) }
}
