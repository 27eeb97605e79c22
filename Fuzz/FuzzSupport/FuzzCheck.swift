/// A property every input must keep; a violation is a crash libFuzzer records with its input.
@inline(__always)
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property violated: \(message())") }
}

/// Whether `text` could go into a PostgreSQL `text` or `jsonb` value as it is (no NUL) and
/// holds no other control character either (what the edge promises of accepted strings).
/// Deliberately not `String.containsControlCharacter`: an oracle independent of the code it checks.
public func isStorableText(_ text: String) -> Bool {
    !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
}
