import Foundation

/// The dashboard's sign-in form, an `application/x-www-form-urlencoded` body with `apiKey`.
public struct SignInForm: Sendable, Equatable {
    /// The largest form body the sign-in route reads.
    public static let maximumSize = 4_096

    /// The API key as typed; empty when the form has none (it then fails to authenticate).
    public let apiKey: String

    /// Reads the form from its bytes. Never fails: a form without a readable `apiKey` is a
    /// sign-in with an empty key.
    public init(body bytes: some Collection<UInt8>) {
        apiKey = Self.value(of: "apiKey", in: String(decoding: bytes, as: UTF8.self)) ?? ""
    }

    /// The value of `name` in a form body: `+` is a space, `%XX` a byte of UTF-8; `nil` when
    /// the field is absent or its percent-encoding is not valid UTF-8.
    static func value(of name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
