import TandemCore
import Testing

@Suite("Secrets: generation, hashing, constant-time comparison, redaction")
struct SecretTests {
    @Test("generated secrets carry their kind's prefix, 256 bits of base64url, and differ")
    func generation() {
        let keys = (0..<100).map { _ in Secret.generate(.apiKey).revealed }
        #expect(Set(keys).count == 100)
        for key in keys {
            #expect(key.hasPrefix("tdk_"))
            #expect(key.count == 4 + 43)
            #expect(key.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(Secret.generate(.connectorToken).revealed.hasPrefix("tdt_"))
    }

    @Test("the hash is SHA-256 and equal secrets have equal hashes")
    func hashing() {
        let secret = Secret("tdt_example")
        #expect(secret.hash.bytes.count == 32)
        #expect(secret.hash.constantTimeEquals(Secret("tdt_example").hash))
        #expect(!secret.hash.constantTimeEquals(Secret("tdt_examplf").hash))
        #expect(!secret.hash.constantTimeEquals(SecretHash(bytes: [1, 2, 3])))
    }

    @Test("a secret never prints itself")
    func redaction() {
        let secret = Secret.generate(.apiKey)
        #expect(!"\(secret)".contains(secret.revealed))
        #expect(!String(reflecting: secret).contains(secret.revealed))
    }

    @Test("an Authorization header yields its bearer secret, whatever the scheme's case; anything else none")
    func bearerHeader() {
        #expect(Secret(authorization: "Bearer tdk_abc")?.revealed == "tdk_abc")
        #expect(Secret(authorization: "bearer  tdk_abc ")?.revealed == "tdk_abc")
        #expect(Secret(authorization: "Basic dXNlcjpwdw==") == nil)
        #expect(Secret(authorization: "Bearer ") == nil)
        #expect(Secret(authorization: nil) == nil)
    }
}
