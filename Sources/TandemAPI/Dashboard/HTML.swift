/// HTML text in which every interpolated value is escaped; only other `HTML` values go in as
/// they are. Escaping is the default, so a connector name like `<script>` can't slip through.
struct HTML: ExpressibleByStringInterpolation, Sendable {
    private(set) var text: String

    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) { text += literal }
        /// Markup: inserted as is.
        mutating func appendInterpolation(_ html: HTML) { text += html.text }
        /// A list of markup, in order.
        mutating func appendInterpolation(_ list: [HTML]) { for item in list { text += item.text } }
        /// Anything else: its description, escaped for text and attribute values.
        mutating func appendInterpolation(_ value: some CustomStringConvertible) { text += HTML.escape(value.description) }
        /// An optional value: escaped, or `fallback` when `nil`.
        mutating func appendInterpolation(_ value: (some CustomStringConvertible)?, or fallback: String) {
            text += HTML.escape(value?.description ?? fallback)
        }
    }

    /// `&`, `<`, `>`, `"` and `'` as entities.
    static func escape(_ string: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(string.utf8.count)
        for character in string.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
