/// A media problem, naming the file and what to do.
public struct MediaError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
