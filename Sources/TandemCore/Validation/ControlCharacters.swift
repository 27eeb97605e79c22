extension String {
    /// Whether the text holds a control character (Unicode general category Cc: U+0000–U+001F
    /// and U+007F–U+009F; PostgreSQL's `text` can't hold NUL, `jsonb` refuses it).
    ///
    /// A scan of the UTF-8 bytes, no Unicode property lookups: it runs on every event's source
    /// and subject. C0 controls and DEL are single bytes; C1 controls are `C2 80`…`C2 9F`, and
    /// `C2` never ends a valid string.
    public var containsControlCharacter: Bool {
        // Over the contiguous UTF-8 (native strings have it; others are made contiguous once).
        var text = self
        return text.withUTF8 { bytes in
            var afterC2 = false
            for byte in bytes {
                if byte < 0x20 || byte == 0x7F || (afterC2 && byte <= 0x9F) { return true }
                afterC2 = byte == 0xC2
            }
            return false
        }
    }

    /// The text without its control characters (see ``containsControlCharacter``).
    public var removingControlCharacters: String {
        containsControlCharacter
            ? String(String.UnicodeScalarView(unicodeScalars.lazy.filter { !(0...0x1F ~= $0.value || 0x7F...0x9F ~= $0.value) }))
            : self
    }
}
