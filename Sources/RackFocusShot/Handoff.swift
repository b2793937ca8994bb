import Foundation

/// A bounded queue between two threads: `put` waits while it is full, `take` waits while it is
/// empty. `close` ends it (after what was put is taken); `abandon` ends it at once, and both
/// sides' waits return.
final class Handoff<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private let capacity: Int
    private var closed = false
    private var abandoned = false

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// False when the queue was abandoned (the item is dropped).
    @discardableResult
    func put(_ item: T) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !abandoned { condition.wait() }
        guard !abandoned else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Puts an item if there is room, without waiting; false (the item dropped) otherwise.
    @discardableResult
    func offer(_ item: T) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !abandoned, items.count < capacity else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item if one is waiting, without waiting.
    func takeIfAny() -> T? {
        condition.lock()
        defer { condition.unlock() }
        guard !abandoned, !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// The next item; nil once the queue is closed and empty, or abandoned.
    func take() -> T? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed && !abandoned { condition.wait() }
        guard !abandoned, !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func abandon() {
        condition.lock()
        abandoned = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
