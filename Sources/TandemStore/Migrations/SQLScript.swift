import Foundation

/// Splits a plain-SQL migration file into single statements.
///
/// postgres-nio speaks only the extended query protocol, which runs one statement at a time,
/// so a file is cut at top-level semicolons. Quoted strings, quoted identifiers, `--` and
/// `/* */` comments and dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`) are kept whole.
public enum SQLScript {
    /// The statements of `script`, trimmed, without their terminating semicolons; empty
    /// statements and comment-only pieces are dropped.
    public static func statements(of script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if hasCode, !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func copy(until end: Int) {
            current.append(contentsOf: characters[index..<min(end, characters.count)])
            index = min(end, characters.count)
        }
        func find(_ needle: [Unicode.Scalar], from start: Int) -> Int? {
            guard needle.count <= characters.count else { return nil }
            var position = start
            while position + needle.count <= characters.count {
                if Array(characters[position..<position + needle.count]) == needle { return position }
                position += 1
            }
            return nil
        }

        while index < characters.count {
            let scalar = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch scalar {
            case "-" where next == "-":
                copy(until: find(["\n"], from: index) ?? characters.count)
            case "/" where next == "*":
                copy(until: (find(["*", "/"], from: index + 2) ?? characters.count) + 2)
            case "'", "\"":
                hasCode = true
                var end = index + 1
                while end < characters.count {
                    if characters[end] == scalar {
                        if end + 1 < characters.count, characters[end + 1] == scalar {
                            end += 2
                            continue
                        }
                        break
                    }
                    end += 1
                }
                copy(until: end + 1)
            case "$":
                hasCode = true
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    let close = find(tag, from: tagEnd + 1).map { $0 + tag.count } ?? characters.count
                    copy(until: close)
                } else {
                    copy(until: index + 1)
                }
            case ";":
                index += 1
                flush()
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
                copy(until: index + 1)
            }
        }
        flush()
        return statements
    }

    /// If a dollar-quote tag (`$$` or `$name$`) starts at `start`, the index of its closing `$`.
    private static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var position = start + 1
        while position < characters.count {
            let scalar = characters[position]
            if scalar == "$" { return position }
            guard scalar == "_" || scalar.properties.isAlphabetic || (position > start + 1 && ("0"..."9").contains(scalar))
            else { return nil }
            position += 1
        }
        return nil
    }
}
