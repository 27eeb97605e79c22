import ArgumentParser
import Foundation

extension Setting {
    /// `help` as a terminal shows it (no Markdown backticks).
    var plainHelp: String { help.replacingOccurrences(of: "`", with: "") }

    /// The help of an ArgumentParser option that reads this setting.
    var argumentHelp: ArgumentHelp {
        ArgumentHelp(
            "\(plainHelp) (env \(environment); default \(defaultText.replacingOccurrences(of: "`", with: "")))",
            valueName: valueName)
    }

    /// The setting's row of the docs' table: flag, environment variable, default, meaning.
    var markdownRow: String {
        let flagCell = flag.map { "`\($0)`" } ?? "—"
        let meaning = [help.replacingOccurrences(of: "|", with: "\\|"), rangeText].compactMap { $0 }.joined(separator: "; ")
        return "| \(flagCell) | `\(environment)` | \(defaultText) | \(meaning) |"
    }
}

extension Settings {
    /// The table of docs/operations.md (`tandem settings --markdown`).
    public static var markdownTable: String {
        (["| Flag | Environment | Default | Meaning |", "|---|---|---|---|"] + all.map(\.markdownRow)).joined(separator: "\n")
    }

    /// `settings` as `--help` lists them: the flag and its value, the variable, the default and
    /// the range, then the meaning, wrapped to fit 80 columns (ArgumentParser would wrap it
    /// without the indentation).
    static func helpText(_ settings: [Setting]) -> String {
        settings.map { setting in
            let flag = [setting.flag ?? setting.environment, setting.valueName.map { "<\($0)>" }].compactMap { $0 }
                .joined(separator: " ")
            let facts = [
                setting.flag == nil ? "environment only" : setting.environment,
                "default \(setting.defaultText.replacingOccurrences(of: "`", with: ""))", setting.rangeText,
            ]
            .compactMap { $0 }.joined(separator: ", ")
            return (wrapped("\(flag)  (\(facts))", indent: 2, hanging: 6) + wrapped(setting.plainHelp, indent: 6, hanging: 6))
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `text` in lines of at most 80 columns: the first indented by `indent`, the others by `hanging`.
    private static func wrapped(_ text: String, indent: Int, hanging: Int) -> [String] {
        var lines: [String] = []
        var line = String(repeating: " ", count: indent)
        for word in text.split(separator: " ") {
            if line.count + 1 + word.count > 80, line.contains(where: { $0 != " " }) {
                lines.append(line)
                line = String(repeating: " ", count: hanging)
            }
            line += (line.allSatisfy { $0 == " " } ? "" : " ") + word
        }
        lines.append(line)
        return lines
    }
}
