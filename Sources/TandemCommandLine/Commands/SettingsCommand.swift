import ArgumentParser

/// `tandem settings`: every setting with its flag, environment variable, default and meaning,
/// as the table of docs/operations.md (scripts/lint checks the two are the same).
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Print every setting: flag, environment variable, default, meaning.")

    @Flag(help: "As the Markdown table of docs/operations.md.") var markdown = false

    func run() {
        print(markdown ? Settings.markdownTable : Settings.helpText(Settings.all))
    }
}
