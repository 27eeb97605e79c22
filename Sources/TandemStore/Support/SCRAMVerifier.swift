import Crypto
import Foundation
import TandemCore
import _CryptoExtras

/// The SCRAM-SHA-256 verifier of a password, in the form PostgreSQL stores in `pg_authid`
/// (RFC 5802 / RFC 7677): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
///
/// Tandem hands PostgreSQL the verifier, never the password: the password crosses no wire
/// and can't reach a statement log. PostgreSQL takes a verifier in `CREATE ROLE … PASSWORD`
/// as it is.
enum SCRAMVerifier {
    /// PostgreSQL's own default iteration count (`scram_iterations`).
    static let iterations = 4_096

    static func make(password: Secret) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let salted = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.revealed.utf8), salt: salt, using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: iterations)
        let clientKey = HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: salted)
        let storedKey = SHA256.hash(data: Data(clientKey))
        let serverKey = HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: salted)
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())$"
            + "\(Data(storedKey).base64EncodedString()):\(Data(serverKey).base64EncodedString())"
    }
}
