import HTTPTypes
import Hummingbird

/// Keeps other web pages out. A page on another site can make the browser send requests to
/// 127.0.0.1 (a form posting to /api/render, say) and, through DNS rebinding, even read the
/// answers. So a request that names an `Origin` must come from the page's own origin, and while
/// the studio listens on loopback, a `Host` that is not a loopback name is refused (a rebinding
/// attacker's domain). Requests without these headers (curl, scripts) are not browsers' and pass.
struct OriginGuard: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// Whether the server listens on loopback only (then `Host` must be a loopback name).
    let loopback: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let why = Self.refusal(
            authority: request.head.authority, origin: request.headers[.origin], loopback: loopback)
        {
            throw StudioError(403, why)
        }
        return try await next(request, context)
    }

    /// Why a request with this `Host` (authority) and `Origin` is refused, or nil.
    static func refusal(authority: String?, origin: String?, loopback: Bool) -> String? {
        if loopback, let authority, !isLoopbackAuthority(authority) {
            return "Host \"\(authority)\" is not this machine; open the studio at the address it printed"
        }
        if let origin {
            // "http://127.0.0.1:8080" names the same server as the authority "127.0.0.1:8080".
            let parts = origin.split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0] == "http:" || parts[0] == "https:", let authority,
                parts[1].lowercased() == authority.lowercased()
            else { return "requests from \(origin) are refused; use the studio's own page" }
        }
        return nil
    }

    /// "127.0.0.1:8080", "localhost", "[::1]:8080" and the like.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var name = Substring(authority)
        if name.hasPrefix("[") {
            name = name.dropFirst().prefix { $0 != "]" }
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        return StudioServer.isLoopback(String(name).lowercased())
    }
}
