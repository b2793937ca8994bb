import Dispatch
import Foundation

/// Wraps a value (typically buffer pointers) for use across the worker threads of one render.
///
/// Safe because every parallel loop below writes disjoint rows and the wrapped storage outlives it.
package struct Shared<T>: @unchecked Sendable {
    package let value: T
    @inlinable package init(_ value: T) { self.value = value }
}

/// Runs `body(rows)` over `bands` contiguous row bands of `height`; on `threads` > 1 the bands
/// run concurrently (Dispatch spreads them over the cores), on 1 thread in order.
@inlinable
package func forEachBand(height: Int, bands: Int, threads: Int, _ body: @Sendable (_ rows: Range<Int>) -> Void) {
    let n = max(1, min(bands, height))
    if threads <= 1 || n == 1 {
        for i in 0..<n { body((height * i / n)..<(height * (i + 1) / n)) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: n) { i in
        body((height * i / n)..<(height * (i + 1) / n))
    }
}

/// Runs `body(i)` for i in 0..<iterations: concurrently when `threads` > 1, in order otherwise.
@inlinable
package func parallelFor(_ iterations: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    if threads <= 1 {
        for i in 0..<iterations { body(i) }
    } else {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }
}

/// The number of worker threads used when the caller does not say: every core.
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// The first of the values parallel workers report (an error, a message): the rest are dropped.
package final class FirstFailure<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    package init() {}

    /// Keeps `value` unless one was reported before.
    package func record(_ value: Value) { lock.withLock { if stored == nil { stored = value } } }

    package var value: Value? { lock.withLock { stored } }
    package var isSet: Bool { value != nil }
}
